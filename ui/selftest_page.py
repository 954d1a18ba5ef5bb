"""The self-test's map check: the real MapView, headless, must load the bundled Leaflet.

It builds the same map widget the operator sees (bundled page, `sweepline:` scheme,
basemap tiles, request blocker), waits for the page to report ready, asks the page
whether Leaflet is there (`typeof L === "object"`) and whether anything tried to reach
the network, then tears the widget down in the order QtWebEngine needs.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent

from client.config import Config
from client.selftest import CheckResult, Status
from ui.map_view import MapView

LOAD_TIMEOUT_S = 30.0


def _settle(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


async def check_map(timeout_s: float = LOAD_TIMEOUT_S) -> CheckResult:
    loop = asyncio.get_running_loop()
    loaded: asyncio.Future[bool] = loop.create_future()
    view = MapView()
    try:
        view.ready.connect(lambda: _settle(loaded, True))
        view.load_failed.connect(lambda: _settle(loaded, False))
        view.resize(800, 600)
        view.show()
        if view.is_ready and not loaded.done():
            loaded.set_result(True)
        try:
            ok = await asyncio.wait_for(loaded, timeout_s)
        except TimeoutError:
            return CheckResult("map", Status.FAIL, f"map page not ready in {timeout_s:g} s")
        if not ok:
            return CheckResult(
                "map", Status.FAIL, f"map page failed to load: {view.console_messages[:3]}"
            )
        answer: asyncio.Future[object] = loop.create_future()
        view.evaluate_js(
            'JSON.stringify({leaflet: typeof L === "object", version: L && L.version})',
            lambda value: _settle(answer, value),
        )
        try:
            raw = await asyncio.wait_for(answer, 10.0)
        except TimeoutError:
            return CheckResult("map", Status.FAIL, "the map page did not answer a query")
        found = json.loads(raw) if isinstance(raw, str) and raw else {}
        if not found.get("leaflet"):
            return CheckResult("map", Status.FAIL, "the bundled Leaflet did not load in the page")
        if view.blocked_requests:
            return CheckResult(
                "map",
                Status.FAIL,
                f"the map page tried to reach the network: {view.blocked_requests[:3]}",
            )
        return CheckResult(
            "map",
            Status.OK,
            f"bundled Leaflet {found.get('version', '?')} loaded in the web view "
            '(typeof L === "object")',
        )
    finally:
        view.close()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def self_test_main(config: Config) -> int:
    """`--self-test`: every check, one line each, headless; 0 when every check passed."""
    import os
    import sys

    # The self-test never needs a screen or a GPU; as root Chromium needs its sandbox off.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from client.selftest import run_self_test
    from ui.application import make_application, run_on_qt

    app = make_application()
    results = run_on_qt(app, run_self_test(config, extra_checks=[check_map], out=sys.stdout))
    return 1 if any(result.failed for result in results) else 0
