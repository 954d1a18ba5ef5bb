#!/usr/bin/env bash
# macOS recipe (NOT BUILT HERE: written, not yet run). On a Mac, with the project's venv:
#   packaging/macos/build_app.sh
# gives build/packaging/Sweepline-X.Y.Z.dmg holding Sweepline.app. Signing and
# notarisation need the city's Apple Developer ID: set SIGN_IDENTITY to sign.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
version="$(.venv/bin/python -c 'from client.version import VERSION; print(VERSION)')"
.venv/bin/python -m PyInstaller --noconfirm --distpath build/packaging/dist \
    --workpath build/packaging/work packaging/sweepline.spec
app=build/packaging/dist/Sweepline.app
if [ -n "${SIGN_IDENTITY:-}" ]; then
    codesign --deep --force --options runtime --sign "$SIGN_IDENTITY" "$app"
fi
"$app/Contents/MacOS/sweepline" --version
hdiutil create -volname Sweepline -srcfolder "$app" -ov -format UDZO \
    "build/packaging/Sweepline-$version.dmg"
