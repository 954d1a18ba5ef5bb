"""Start-up time: process start → the operator window showing the cached route, offline,
side by side with a bare PySide6 program that only opens a QWebEngineView on the same
Leaflet page.

The app is the real entry point, `main.py --startup-check`, as a tablet starts it after
a reboot with no signal: its database holds a cached assignment, the operator who
logged in last and what the map showed when the app last ran (one untimed run first
leaves it, as on any tablet that has run before), the OS keyring (a file-backed
stand-in here) holds their token, and the server address is a closed loopback port. It
prints its line once the page itself reports every segment of the route drawn, and a
second once the whole window (its panels, enabled on the core) is there. The bare
program prints READY once its page says `window.sweeplineReady` after loadFinished.
The time is taken by this script from spawning each process to reading those lines.
Both start the same way, from bytecode compiled beforehand (as an installed product
ships it: this machine's PYTHONDONTWRITEBYTECODE would otherwise make every run compile
the app's sources).
Runs each `--runs` times (default 5), alternating, and compares medians. The last line
is JSON with `app_s` (the route drawn), `bare_s`, their `ratio`, `app_complete_s` (the
whole window) and the number of `runs`.

`--quick` runs each once (after the untimed first start): the same path in seconds, to
check that the script still works.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 \
    QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu .venv/bin/python benchmarks/startup.py \
        [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("client", "sync", "maps", "ui", "server")
OPERATOR, TOKEN = "op-7", "benchmark-token"
APP_READY = "start-up check: route of"
APP_COMPLETE = "start-up check: window complete"
RESULT_KEYS: tuple[str, ...] = ("app_s", "bare_s", "ratio", "app_complete_s", "runs")
QUICK: dict[str, Any] = {"runs": 1}

BARE = r"""
import sys
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
view = QWebEngineView()
view.resize(1280, 800)
view.show()
def check(ok):
    view.page().runJavaScript("window.sweeplineReady === true", 0, ready)
def ready(value):
    if value is True:
        print("READY", flush=True)
        app.quit()
    else:
        QTimer.singleShot(10, lambda: check(True))
view.loadFinished.connect(check)
view.load(QUrl.fromLocalFile({page!r}))
app.exec()
"""


def prepare(work: Path) -> tuple[list[str], dict[str, str], Path]:
    """The app's command and environment (its data, keyring and home folders under
    `work`), and the bare program's copy of the same Leaflet page."""
    sys.path.insert(0, str(REPO))
    from client.assignments import AssignmentCache
    from client.store import Store
    from maps.page import build_map_page
    from tests.helpers.file_keyring import BACKEND, FILE_VARIABLE
    from tests.helpers.routes import waterloo_route
    from tests.ui.operator_rig import assignment_value

    data = work / "data"
    data.mkdir()
    store = Store(data / "tablet.sqlite", device_id="tab-3")
    route = waterloo_route(40)
    AssignmentCache(store).apply_pull(
        {"cursor": "c", "reset": True},
        [
            {
                "op": "put",
                "entity": "assignment",
                "id": "asg-test-1",
                "version": 1,
                "value": assignment_value(route),
            }
        ],
    )
    from app.session import LAST_OPERATOR_KEY

    store.set_kv(LAST_OPERATOR_KEY, OPERATOR)
    store.close()
    keyring_file = work / "keyring.json"
    keyring_file.write_text(json.dumps({f"sweepline\n{OPERATOR}": TOKEN}), encoding="utf-8")
    home = work / "home"
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "PYTHONPATH": str(REPO),
            "PYTHON_KEYRING_BACKEND": BACKEND,
            FILE_VARIABLE: str(keyring_file),
        }
    )
    # `-m main`: from its compiled bytecode, as the installed program runs it (a script
    # named on the command line is compiled afresh on every start).
    command = [
        sys.executable,
        "-m",
        "main",
        "--server",
        "http://127.0.0.1:9",
        "--device-id",
        "tab-3",
        "--data-dir",
        str(data),
        "--startup-check",
    ]

    # The same page, with Leaflet from files instead of the app's URL scheme and no
    # tile layer (a bare program has no scheme handler to serve tiles).
    html = build_map_page(tiles=None)
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    leaflet = work / "leaflet"
    shutil.copytree(REPO / "resources" / "leaflet", leaflet)
    html = html.replace("sweepline://app/leaflet/", leaflet.as_uri() + "/")
    # Qt's qwebchannel.js too, so both programs load the same scripts (the bare one has
    # no channel object, and its page is ready as soon as its scripts have run).
    from ui.scheme import webchannel_script

    channel_js = work / "qwebchannel.js"
    channel_js.write_bytes(webchannel_script())
    html = html.replace("sweepline://app/qwebchannel.js", channel_js.as_uri())
    page = work / "map.html"
    page.write_text(html, encoding="utf-8")
    return command, env, page


def compile_bytecode() -> None:
    for package in APP_PACKAGES:
        compileall.compile_dir(REPO / package, quiet=1)
    compileall.compile_file(REPO / "main.py", quiet=1)


def run(command: list[str], env: dict[str, str] | None, *lines: str) -> list[float]:
    """Seconds from spawning `command` to each of `lines` (line starts) on its output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert proc.stdout is not None
    seen: list[float] = []
    for line in proc.stdout:
        if line.startswith(lines[len(seen)]):
            seen.append(time.perf_counter() - t0)
            if len(seen) == len(lines):
                proc.wait(timeout=30)
                return seen
    proc.wait(timeout=30)
    raise RuntimeError(
        f"{command[1:3]} ended without {lines[len(seen)]!r} (exit {proc.returncode})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="one run, to check the script")
    args = parser.parse_args()
    if args.quick:  # quick sizes as the defaults: options given still win
        parser.set_defaults(**QUICK)
        args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sweepline-startup-"))
    app_command, app_env, page = prepare(work)
    compile_bytecode()
    bare_command = [sys.executable, "-c", BARE.format(page=str(page))]
    # The tablet ran once before, as every tablet with a cached route has: that run
    # leaves what its map showed (client.map_snapshot) for the next start. Not timed.
    run(app_command, app_env, APP_READY, APP_COMPLETE)
    app_times, complete_times, bare_times = [], [], []
    for i in range(args.runs):
        bare_times.extend(run(bare_command, None, "READY"))
        route, complete = run(app_command, app_env, APP_READY, APP_COMPLETE)
        app_times.append(route)
        complete_times.append(complete)
        print(
            f"run {i + 1}: bare {bare_times[-1]:.2f} s, app: route {route:.2f} s, "
            f"whole window {complete:.2f} s",
            flush=True,
        )
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    complete_s = statistics.median(complete_times)
    print(
        f"median: bare QWebEngineView {bare_s:.2f} s, Sweepline with the cached route "
        f"{app_s:.2f} s, ratio {app_s / bare_s:.2f}; the whole window (its panels, enabled "
        f"on the core) {complete_s:.2f} s"
    )
    print(
        json.dumps(
            {
                "app_s": round(app_s, 3),
                "bare_s": round(bare_s, 3),
                "ratio": round(app_s / bare_s, 2),
                "app_complete_s": round(complete_s, 3),
                "runs": args.runs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
