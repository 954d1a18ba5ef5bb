"""The diagnostics bundle IT collects from a tablet: one zip, no secrets, no data.

It holds the log files, the effective configuration and the config files as written
(secret-looking values removed), database statistics (row counts per table and outbox
state, schema version, size, integrity: never the rows themselves) and the versions of
everything that matters. Each text goes through `client.logs.redact` on the way in.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import sys
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from client.config import Config
from client.logs import log_files, redact
from client.version import VERSION

DATABASE_FILE = "tablet.sqlite"
_DISTRIBUTIONS = ("PySide6", "qasync", "httpx", "httpx-sse", "keyring", "folium", "platformdirs")


def versions() -> dict[str, Any]:
    found: dict[str, Any] = {
        "sweepline": VERSION,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "sqlite": sqlite3.sqlite_version,
    }
    for name in _DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    try:
        import keyring

        backend = keyring.get_keyring()
        found["keyring_backend"] = f"{type(backend).__module__}.{type(backend).__name__}"
    except Exception as exc:  # diagnostics must not fail on a broken keyring
        found["keyring_backend"] = f"unavailable: {exc}"
    return found


def database_statistics(path: Path) -> dict[str, Any]:
    """Counts and health of the tablet database, opened read-only; no row contents."""
    if not path.is_file():
        return {"path": str(path), "exists": False}
    stats: dict[str, Any] = {"path": str(path), "exists": True, "bytes": path.stat().st_size}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        stats["error"] = str(exc)
        return stats
    try:
        stats["schema_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
        stats["quick_check"] = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        # Table names come from sqlite_master itself, quoted: not user input.
        stats["rows"] = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
        }
        if "outbox" in tables:
            stats["outbox"] = {
                f"{stream}/{state}": count
                for stream, state, count in conn.execute(
                    "SELECT stream, state, count(*) FROM outbox GROUP BY stream, state"
                )
            }
    except sqlite3.Error as exc:
        stats["error"] = str(exc)
    finally:
        conn.close()
    return stats


def export_diagnostics(
    target: Path,
    config: Config,
    *,
    log_dir: Path,
    secrets: Iterable[str] = (),
) -> Path:
    """Write the bundle to `target` (a .zip) and return its path."""
    secret_list = [s for s in secrets if s]

    def clean(text: str) -> str:
        return redact(text, secret_list)

    target.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "config_problems": [str(p) for p in config.problems],
        "config_files": [str(p) for p in config.files_read],
        "log_dir": str(log_dir),
        "data_dir": str(config.data_path),
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("summary.json", clean(json.dumps(summary, indent=2)))
        bundle.writestr("config/effective.toml", clean(config.to_toml()))
        for number, path in enumerate(config.files_read, start=1):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                text = f"# could not read {path}: {exc}\n"
            bundle.writestr(f"config/file{number}-{path.name}", f"# {path}\n" + clean(text))
        stats = database_statistics(config.data_path / DATABASE_FILE)
        bundle.writestr("database.json", clean(json.dumps(stats, indent=2)))
        for path in log_files(log_dir):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                text = f"could not read {path}: {exc}\n"
            bundle.writestr(f"logs/{path.name}", clean(text))
    return target
