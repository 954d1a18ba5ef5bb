#!/usr/bin/env bash
# Build a .deb of the PyInstaller one-folder build.
#   packaging/build_deb.sh DIST_DIR OUT_DIR      (DIST_DIR: the folder holding `sweepline/`)
# Installs the program under /opt/sweepline, a /usr/bin/sweepline launcher, a desktop
# entry and icon, and a commented managed-config template in /etc/sweepline.
# Compression: zstd by default (seconds); SWEEPLINE_DEB_COMPRESSION=xz for a smaller
# package (about two minutes on this machine kind).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
dist="${1:?usage: build_deb.sh DIST_DIR OUT_DIR}"
out="${2:?usage: build_deb.sh DIST_DIR OUT_DIR}"
[ -x "$dist/sweepline/sweepline" ] || { echo "build_deb: no $dist/sweepline/sweepline; build with PyInstaller first" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/pyproject.toml" | head -1)"
arch="$(dpkg --print-architecture)"
compression="${SWEEPLINE_DEB_COMPRESSION:-zstd}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

install -d "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/etc/sweepline" \
    "$stage/usr/share/doc/sweepline"
cp -a "$dist/sweepline" "$stage/opt/sweepline"
install -m 0755 "$here/sweepline-launcher.sh" "$stage/usr/bin/sweepline"
install -m 0644 "$here/sweepline.desktop" "$stage/usr/share/applications/sweepline.desktop"
install -m 0644 "$here/sweepline.svg" "$stage/usr/share/icons/hicolor/scalable/apps/sweepline.svg"
install -m 0644 "$here/config.toml.example" "$stage/etc/sweepline/config.toml.example"
install -m 0644 "$root/docs/config.md" "$stage/usr/share/doc/sweepline/config.md"

size_kb="$(du -sk "$stage" --exclude=DEBIAN | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: sweepline
Version: $version
Architecture: $arch
Maintainer: Sweepline <it@sweepline.invalid>
Installed-Size: $size_kb
Section: misc
Priority: optional
Depends: libc6 (>= 2.36), libnss3, libxkbcommon0, libxkbcommon-x11-0, libxkbfile1, libegl1, libgl1, libfontconfig1, libxcomposite1, libxdamage1, libxrandr2, libxtst6, libasound2, libdbus-1-3, libxshmfence1, libgbm1, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-shape0, libxcb-xkb1
Description: Sweepline in-cab street-sweeping client
 Shows the crew's assigned routes on an offline map and records which streets
 were swept, syncing with the city backend when a connection is available.
 Managed config: /etc/sweepline/config.toml (see /usr/share/doc/sweepline/config.md).
 Check an installed tablet with: sweepline --self-test
CONTROL
echo "/etc/sweepline/config.toml.example" > "$stage/DEBIAN/conffiles"

mkdir -p "$out"
deb="$out/sweepline_${version}_${arch}.deb"
fakeroot dpkg-deb --build -Z"$compression" "$stage" "$deb" >/dev/null
echo "$deb"
