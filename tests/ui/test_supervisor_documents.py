"""The Evidence and report tab on the real server: a street's evidence and the day's
report, in English and in French, fetched and rendered in the console's web view (the
folium map draws its lines, the static charts their bars) and saved as files.

With SWEEPLINE_SHOTS set to a folder, each rendered page is also saved there as a PNG
(run under a real X server to look at them)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from tests.server.test_evidence_report import world  # noqa: F401 (the module's fixture)
from tests.ui.conftest import LOAD_TIMEOUT_MS, delete_widget, until
from ui.supervisor.window import SupervisorWindow


@pytest.fixture(scope="module")
def new_store(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Path]:
    """The store `world` seeds: here the console's rendering is under test, and one
    SQLite file is enough (tests/server runs the same world on both stores)."""
    return lambda: tmp_path_factory.mktemp("server") / "server.db"


RENDERED_JS = (
    "JSON.stringify({lines: document.querySelectorAll('path.leaflet-interactive').length,"
    " bars: document.querySelectorAll('svg.chart rect').length,"
    " lang: document.documentElement.lang, title: document.title,"
    " h1: (document.querySelector('h1') || {}).textContent})"
)


async def rendered(window: SupervisorWindow) -> dict[str, Any]:
    results: list[Any] = []
    window.documents.view.page().runJavaScript(RENDERED_JS, 0, results.append)
    await until(lambda: bool(results))
    value: dict[str, Any] = json.loads(results[0])
    return value


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_evidence_and_report_render_in_the_console(
    world: dict[str, Any],  # noqa: F811
    lang: str,
    tmp_path: Path,
    run: Callable[[Coroutine[Any, Any, None]], None],
) -> None:
    shots = os.environ.get("SWEEPLINE_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)

    async def show(window: SupervisorWindow, button: Callable[[], None], name: str) -> Any:
        loaded: list[bool] = []
        window.documents.view.loadFinished.connect(loaded.append)
        button()
        await until(lambda: bool(loaded), 20)
        assert loaded == [True]
        await until(lambda: window.documents.save_button.isEnabled(), 5)
        page = await rendered(window)
        if shots:
            await asyncio.sleep(1.0)  # let the map finish painting before the grab
            window.grab().save(str(Path(shots) / f"{name}-{lang}.png"))
        return page

    async def scenario() -> None:
        api = SupervisorApi(world["url"])
        await api.login("supervisor", "sweep-super")
        window = SupervisorWindow(api, FleetFeed(api), export_folder=tmp_path / "exports")
        try:
            window.resize(1500, 950)
            window.show()
            window.start()
            await until(lambda: window.map_view.is_ready, LOAD_TIMEOUT_MS / 1000)
            await until(lambda: not window.busy and window.documents.route.count() > 0, 20)
            docs = window.documents
            window.tabs.setCurrentWidget(docs)
            docs.language.setCurrentIndex(docs.language.findData(lang))
            docs.select(world["route_id"], world["first"])

            evidence = await show(window, docs.show_evidence, "evidence")
            assert evidence["lang"] == lang
            assert evidence["lines"] >= 1, evidence
            heading = {"en": "Street evidence", "fr": "Preuve de balayage"}[lang]
            assert str(evidence["h1"]).startswith(heading)
            saved = docs.save()
            assert saved is not None
            assert saved.read_bytes() == docs.html
            assert (
                saved.name == f"sweepline-evidence-{world['route_id']}-{world['first']}-{lang}.html"
            )

            docs.day.setDate(docs.day.date().fromString(world["both_at"][:10], "yyyy-MM-dd"))
            report = await show(window, docs.show_report, "report")
            assert report["lang"] == lang
            assert report["lines"] >= 2, report
            assert report["bars"] >= 3, report
            heading = {"en": "Daily pilot report", "fr": "Rapport quotidien du projet pilote"}[lang]
            assert report["h1"] == heading

            # From the Progress tab: a segment of the route's history, then its evidence.
            progress = window.progress
            await until(lambda: world["route_id"] in progress._route_ids, 10)
            progress.select_route(world["route_id"])
            await until(lambda: progress.history.rowCount() > 0, 10)
            row = next(
                r
                for r in range(progress.history.rowCount())
                if progress.history.item(r, 0).text() == world["first"]
            )
            progress.history.selectRow(row)
            again = await show(window, progress.evidence_button.click, "evidence-from-progress")
            assert window.tabs.currentWidget() is docs
            assert again["h1"] == evidence["h1"]
        finally:
            window.close()
            await window.feed.aclose()
            await api.aclose()
            delete_widget(window)

    run(scenario())
