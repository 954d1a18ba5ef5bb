"""The operator screen at 1024x600, 1280x800 and 1920x1200, day and night, English and
French (Canada): every label's and button's text fits its widget by its font metrics,
nothing is cut off or overlaps, and the charts are either whole or not shown. Each
combination is saved as a PNG (to $SWEEPLINE_SHOTS when set) to be looked at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.tablet import Tablet
from coverage.model import Route
from tests.ui.conftest import delete_widget, wait_for_map, waterloo_route
from tests.ui.operator_rig import close_tablet, drive_along, make_tablet
from tests.ui.screen_fit import fit_problems
from ui.operator_window import OperatorWindow

SIZES = ((1024, 600), (1280, 800), (1920, 1200))
CHART_MIN_PX = 90


@pytest.fixture
def route() -> Route:
    return waterloo_route(8)


@pytest.fixture
def tablet(tmp_path: Path, route: Route) -> Iterator[Tablet]:
    t = make_tablet(tmp_path, route)
    yield t
    close_tablet(t)


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    from ui.i18n import install_language

    locale = str(request.param)
    assert install_language(locale) == locale
    yield locale
    install_language("en_CA")


COMBINATIONS = [
    pytest.param(size, theme, language, False, id=f"{size[0]}x{size[1]}-{theme}-{language}")
    for size in SIZES
    for theme in ("day", "night")
    for language in ("en_CA", "fr_CA")
]
# The demo's window has one more button (cut the server link): at the smallest size too.
DEMO = pytest.param((1024, 600), "night", "fr_CA", True, id="1024x600-night-fr_CA-demo")


@pytest.mark.parametrize(
    ("size", "theme", "language", "demo"), [*COMBINATIONS, DEMO], indirect=["language"]
)
def test_every_text_fits_and_nothing_overlaps(
    qtbot: QtBot,
    tablet: Tablet,
    route: Route,
    tmp_path: Path,
    size: tuple[int, int],
    theme: str,
    language: str,
    demo: bool,
) -> None:
    window = OperatorWindow(tablet, theme_mode=theme, demo=demo)
    try:
        window.resize(*size)
        wait_for_map(qtbot, window)
        tablet.start_shift()
        start = datetime.now(UTC) - timedelta(minutes=10)
        for fix in drive_along(route.segments[0], start, speed_kmh=8.0):
            tablet.record_fix(fix)
        qtbot.wait_until(lambda: window.progress_panel.charts_built, timeout=10_000)
        qtbot.wait(300)
        assert (window.width(), window.height()) == size
        problems = fit_problems(window, window.map_view)
        for chart in (window.progress_panel.progress_chart, window.progress_panel.speed_chart):
            if chart.isVisibleTo(window) and chart.height() < CHART_MIN_PX:
                problems.append(f"{type(chart).__name__} squeezed to {chart.height()} px")
        shots = Path(os.environ.get("SWEEPLINE_SHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        name = f"operator-{size[0]}x{size[1]}-{theme}-{language}{'-demo' if demo else ''}.png"
        assert window.grab().save(str(shots / name))
        assert problems == [], name
    finally:
        delete_widget(window)


def test_a_banner_never_moves_a_button(qtbot: QtBot, tablet: Tablet) -> None:
    """Storage full (the most serious banner) and a login request: the buttons stay
    where the operator's finger expects them, the banner floats over the map and the
    strip does not say a green "Online"."""
    from dataclasses import replace

    from PySide6.QtCore import QPoint

    window = OperatorWindow(tablet, theme_mode="day")
    try:
        window.resize(1024, 600)
        wait_for_map(qtbot, window)
        buttons = [*window.exception_bar.findChildren(QPushButton), window.shift_button]

        def where() -> list[QPoint]:
            return [b.mapTo(window, QPoint(0, 0)) for b in buttons]

        before = where()
        state = replace(
            tablet.sync_state(),
            online=True,
            storage_error="the disk is full",
            conflicts=2,
        )
        window.status_panel.set_sync_state(state)
        qtbot.wait(200)
        banner = window.status_panel.banner_label
        assert banner.isVisible()
        assert "disk is full" in banner.text()
        assert where() == before
        assert window.map_view.isAncestorOf(banner)
        top_of_bar = window.exception_bar.mapTo(window, QPoint(0, 0)).y()
        assert banner.mapTo(window, QPoint(0, banner.height())).y() <= top_of_bar
        assert "Online" not in window.status_panel.connection_label.text()
        assert fit_problems(window, window.map_view) == []
    finally:
        delete_widget(window)
