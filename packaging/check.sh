#!/usr/bin/env bash
# Packaging check (slow, a few minutes; not part of ./run test):
#   packaging/check.sh
# 1. builds the PyInstaller one-folder build (packaging/sweepline.spec),
# 2. builds the .deb from it (packaging/build_deb.sh),
# 3. unpacks the .deb into a scratch root (dpkg -x) and checks its layout and metadata,
# 4. starts the reference server on 127.0.0.1 and runs the installed copy's
#    `--self-test` headless, with a managed config file naming that server,
# 5. prints the build's size, the .deb's size and the self-test's cold start time.
# SWEEPLINE_CHECK_DPKG_INSTALL=1 also runs `dpkg -i` / `/usr/bin/sweepline --self-test` /
# `dpkg -r` (only on a disposable machine: it installs into the real system).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
py=.venv/bin/python
[ -x "$py" ] || ./run python -c pass
if ! "$py" -c "import PyInstaller" 2>/dev/null; then
    echo "check: installing the packaging extra" >&2
    "$py" -m pip install -q -e '.[packaging]'
fi
out="$root/build/packaging"
scratch="$(mktemp -d)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$scratch"
}
trap cleanup EXIT
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }'; }
mkdir -p "$out"
version="$("$py" -c 'from client.version import VERSION; print(VERSION)')"

echo "== PyInstaller build (sweepline $version)"
start=$EPOCHREALTIME
"$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$out/dist" --workpath "$out/work" \
    packaging/sweepline.spec
build_s=$(since "$start")

echo "== .deb"
start=$EPOCHREALTIME
deb="$(packaging/build_deb.sh "$out/dist" "$out")"
deb_s=$(since "$start")
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'

echo "== install into scratch root $scratch/root"
dpkg -x "$deb" "$scratch/root"
for f in opt/sweepline/sweepline usr/bin/sweepline usr/share/applications/sweepline.desktop \
         etc/sweepline/config.toml.example; do
    [ -e "$scratch/root/$f" ] || { echo "check: $f missing from the package" >&2; exit 1; }
done
grep -q '^exec /opt/sweepline/sweepline "\$@"$' "$scratch/root/usr/bin/sweepline"
dpkg-deb --field "$deb" Depends | grep -q libxcb-icccm4
dpkg-deb --field "$deb" Depends | grep -q libxcb-keysyms1
app="$scratch/root/opt/sweepline/sweepline"
[ "$("$app" --version)" = "sweepline $version" ] || { echo "check: --version is not $version" >&2; exit 1; }

echo "== reference server on 127.0.0.1"
port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$py" -m server --db "$scratch/server.sqlite" --host 127.0.0.1 --port "$port" --seed-demo \
    > "$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    "$py" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/api/v1/health')" \
        2>/dev/null && break
    sleep 0.1
done

# The installed copy as a tablet would run it: its own home, a managed config file.
mkdir -p "$scratch/home" "$scratch/etc"
cat > "$scratch/etc/config.toml" <<TOML
config_version = 1
server_url = "http://127.0.0.1:$port"
device_id = "check-tablet"
locked = ["server_url", "device_id"]
TOML
run_app() {
    env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 \
        SWEEPLINE_SYSTEM_CONFIG="$scratch/etc/config.toml" \
        QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu "$@"
}

echo "== self-test of the installed build (first start)"
start=$EPOCHREALTIME
run_app "$app" --self-test
cold_s=$(since "$start")
start=$EPOCHREALTIME
run_app "$app" --self-test > /dev/null
warm_s=$(since "$start")

echo "== diagnostics bundle from the installed build"
run_app "$app" --export-diagnostics "$scratch/diagnostics.zip"
"$py" -m zipfile -l "$scratch/diagnostics.zip" | head -12

if [ "${SWEEPLINE_CHECK_DPKG_INSTALL:-0}" = 1 ]; then
    echo "== dpkg -i (disposable machine)"
    dpkg -i "$deb"
    run_app /usr/bin/sweepline --self-test
    dpkg -r sweepline
fi

echo
echo "== packaging check passed: sweepline $version"
printf 'one-folder build: %s (%s files), built in %.0f s\n' \
    "$(du -sh "$out/dist/sweepline" | cut -f1)" "$(find "$out/dist/sweepline" -type f | wc -l)" "$build_s"
printf '.deb: %s (%s), built in %.1f s\n' "$(du -h "$deb" | cut -f1)" "$deb" "$deb_s"
printf 'self-test wall time: first start %.2f s, second %.2f s\n' "$cold_s" "$warm_s"
