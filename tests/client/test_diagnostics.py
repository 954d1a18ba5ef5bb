"""Logs and the diagnostics bundle: no token, no password, counts but not data."""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from client import logs
from client.config import load_config
from client.diagnostics import DATABASE_FILE, export_diagnostics
from client.store import Store
from client.version import VERSION

TOKEN = "tok-7f3a9c2e5b1d4e8f9a0b"
PASSWORD = "correct horse battery"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlLXNlY3JldA"


@pytest.fixture
def clean_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    logs.forget_secrets()
    root.setLevel(level)


def test_redact_known_secrets_and_secret_shapes(clean_logging: None) -> None:
    logs.register_secret(TOKEN)
    text = logs.redact(
        f"token {TOKEN}; Authorization: Bearer abcdefgh12345678; jwt {JWT}; "
        f'body {{"password": "{PASSWORD}", "access_token": "xyz987654"}}; '
        "url https://demo:sweep-demo@sweep.example/api; password=hunter22 rest"
    )
    for secret in (TOKEN, "abcdefgh12345678", JWT, PASSWORD, "xyz987654", "sweep-demo", "hunter22"):
        assert secret not in text
    assert "rest" in text
    assert "https://[redacted]@sweep.example/api" in text


def test_positions_are_precise_only_at_debug(tmp_path: Path, clean_logging: None) -> None:
    handlers = logs.setup_logging(tmp_path, "DEBUG", console=False)
    try:
        log = logging.getLogger("sweepline.test")
        log.info("vehicle at %.6f,%.6f", 43.464512, -80.520134)
        log.debug("vehicle at %.6f,%.6f", 43.464512, -80.520134)
    finally:
        logs.remove_handlers(handlers)
    text = (tmp_path / logs.LOG_FILE).read_text(encoding="utf-8")
    info, debug = text.splitlines()
    assert "INFO" in info
    assert info.endswith("vehicle at 43.46,-80.52")
    assert "DEBUG" in debug
    assert debug.endswith("vehicle at 43.464512,-80.520134")


def test_what_is_logged_before_the_log_file_opens_is_written_first(
    tmp_path: Path, clean_logging: None
) -> None:
    # Start-up opens the log file once the route is on screen; nothing before is lost.
    early = logs.EarlyRecords("INFO")
    log = logging.getLogger("sweepline.test")
    log.info("started")
    log.debug("below the level")
    handlers = logs.setup_logging(tmp_path, "INFO", console=False, early=early)
    try:
        log.info("after")
    finally:
        logs.remove_handlers(handlers)
    lines = (tmp_path / logs.LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert [line.rsplit(" ", 1)[-1] for line in lines] == ["started", "after"]
    assert early.handed_over
    assert early not in logging.getLogger().handlers


def test_log_files_rotate(
    tmp_path: Path, clean_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    handlers = logs.setup_logging(tmp_path, "INFO", console=False)
    try:
        for n in range(200):
            logging.getLogger("sweepline.test").info("line %d %s", n, "x" * 40)
    finally:
        logs.remove_handlers(handlers)
    files = logs.log_files(tmp_path)
    assert [p.name for p in files][:3] == ["sweepline.log", "sweepline.log.1", "sweepline.log.2"]
    assert len(files) == logs.BACKUPS + 1


def test_diagnostics_zip_holds_no_secrets(tmp_path: Path, clean_logging: None) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = Store(data_dir / DATABASE_FILE, device_id="tablet-7")
    store.set_kv("last_street", "King Street North")
    store.close()
    user_file = tmp_path / "user" / "config.toml"
    user_file.parent.mkdir()
    user_file.write_text(
        f'data_dir = "{data_dir}"\npassword = "{PASSWORD}"\ntoken = "{TOKEN}"\n', encoding="utf-8"
    )
    config = load_config(system_path=tmp_path / "absent.toml", user_path=user_file)
    log_dir = tmp_path / "log"
    handlers = logs.setup_logging(log_dir, "DEBUG", console=False)
    try:
        logs.register_secret(PASSWORD)
        log = logging.getLogger("sweepline.test")
        log.info("logging in with password %s", PASSWORD)
        log.info("server gave token=%s", TOKEN)
        log.info("Authorization: Bearer %s", TOKEN)
        log.error("login failed for body %s", json.dumps({"password": PASSWORD}))
    finally:
        logs.remove_handlers(handlers)
    logs.forget_secrets()  # the bundle must redact with what it is given, too

    bundle = export_diagnostics(
        tmp_path / "out" / "diag.zip", config, log_dir=log_dir, secrets=[TOKEN, PASSWORD]
    )

    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        contents = {name: z.read(name).decode("utf-8") for name in names}
    assert {"summary.json", "config/effective.toml", "database.json", "logs/sweepline.log"} <= set(
        names
    )
    assert any(name.startswith("config/file1-") for name in names)
    for name, text in contents.items():
        assert TOKEN not in text, name
        assert PASSWORD not in text, name
        assert "King Street North" not in text, name
    summary = json.loads(contents["summary.json"])
    assert summary["versions"]["sweepline"] == VERSION
    assert len(summary["config_problems"]) == 2  # the two unknown keys, by line
    database = json.loads(contents["database.json"])
    assert database["quick_check"] == "ok"
    assert database["rows"]["kv"] == 1
    assert database["rows"]["identity"] == 1
    assert "logging in with password [redacted]" in contents["logs/sweepline.log"]


def test_diagnostics_without_database_or_logs(tmp_path: Path) -> None:
    config = load_config(
        system_path=tmp_path / "none.toml",
        user_path=tmp_path / "none2.toml",
        command_line={"data_dir": str(tmp_path / "nothing")},
    )
    bundle = export_diagnostics(tmp_path / "d.zip", config, log_dir=tmp_path / "nolog")
    with zipfile.ZipFile(bundle) as z:
        assert json.loads(z.read("database.json"))["exists"] is False
        assert not [n for n in z.namelist() if n.startswith("logs/")]
