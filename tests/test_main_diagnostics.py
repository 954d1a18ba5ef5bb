"""The in-app "Export diagnostics" (Ctrl+Shift+D) writes the bundle and says where."""

from __future__ import annotations

import zipfile
from pathlib import Path

from client.config import load_config
from client.paths import user_log_dir
from ui.operator_run import export_diagnostics_from_app

TOKEN = "tok-live-9f8e7d6c5b4a"


class _Window:
    """Only what the export reports through: the window's toast."""

    def __init__(self) -> None:
        self.toasts: list[str] = []

    def show_toast(self, text: str) -> None:
        self.toasts.append(text)


def test_export_from_the_app_writes_a_bundle_without_the_token(tmp_path: Path) -> None:
    config = load_config(system_path=tmp_path / "none.toml", user_path=tmp_path / "none2.toml")
    logs = user_log_dir()
    logs.mkdir(parents=True, exist_ok=True)
    # a log line that should never have held it: the bundle must still not carry it
    (logs / "sweepline.log").write_text(f"sync: got {TOKEN} from login\n", encoding="utf-8")
    window = _Window()
    export_diagnostics_from_app(window, config, tmp_path / "data", TOKEN)
    (toast,) = window.toasts
    assert toast.startswith("Diagnostics saved: ")
    bundle = Path(toast.removeprefix("Diagnostics saved: "))
    assert bundle.is_file()
    assert bundle.parent == tmp_path / "data" / "diagnostics"
    with zipfile.ZipFile(bundle) as zf:
        assert any(name.endswith("sweepline.log") for name in zf.namelist()), zf.namelist()
        for name in zf.namelist():
            assert TOKEN.encode() not in zf.read(name), name
