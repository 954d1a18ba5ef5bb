"""The supervisor's console in French (Canada): every string of ui/supervisor/ that Qt's
lupdate finds has its French in the catalogue, and the window built under the French
translation shows French tab titles, headers, buttons and map words."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from staff.api import SupervisorApi
from staff.fleet import FleetFeed
from tests.conftest import REPO
from tests.ui.conftest import delete_widget
from ui.i18n import install_language
from ui.supervisor.window import SupervisorWindow


def french_catalogue() -> dict[str, str]:
    """The FR table of resources/translations/fill_supervisor_fr_CA.py (a script, not a
    package module: loaded from its file)."""
    path = REPO / "resources" / "translations" / "fill_supervisor_fr_CA.py"
    spec = importlib.util.spec_from_file_location("fill_supervisor_fr_CA", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table: dict[str, str] = module.FR
    return table


def test_every_supervisor_string_has_its_french(tmp_path: Path) -> None:
    ts = tmp_path / "supervisor.ts"
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = sorted(str(p) for p in (REPO / "ui" / "supervisor").glob("*.py"))
    subprocess.run([str(lupdate), *sources, "-ts", str(ts)], check=True, capture_output=True)
    found = {m.findtext("source") or "" for m in ET.parse(ts).getroot().iter("message")}
    assert len(found) > 100
    french = french_catalogue()
    assert sorted(s for s in found if s not in french) == []


@pytest.fixture
def french() -> Iterator[None]:
    assert install_language("fr_CA") == "fr_CA"
    yield
    install_language("en_CA")


def test_the_window_speaks_french(qtbot: QtBot, french: None) -> None:
    api = SupervisorApi("http://127.0.0.1:9")  # never called: the window is not started
    window = SupervisorWindow(api, FleetFeed(api))
    try:
        tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert tabs == [
            "Flotte",
            "Avancement",
            "Commentaires",
            "Indicateurs",
            "Équité",
            "Messages",
            "Relecture",
            "Preuve et rapport",
            "Exporter",
        ]
        table = window.fleet.table
        headers = [table.model().headerData(i, Qt.Orientation.Horizontal) for i in range(3)]
        assert headers == ["Véhicule", "Opérateur", "Circuit"]
        assert window.windowTitle() == "Sweepline — superviseur"
        assert window.map.whole_fleet.text() == "Toute la flotte"
        assert window.map_title.text().startswith("Toute la flotte")
        assert window.replay.play_button.text() == "Lire"
        assert window.metrics.refresh_button.text() == "Actualiser"
    finally:
        delete_widget(window)
