"""`sweepline --self-test`: what a tablet needs, checked headless, one line per check.

Each check returns a `CheckResult` (ok, fail or skip, with a sentence saying what was
found and, on failure, what to do). The Qt-free checks live here: the configuration,
the database (a copy of the tablet's, opened and migrated; the original is never
touched), the keyring and its policy, the configured GPS source, the server's health
endpoint and the clock against the server's. The map check needs a web view and is
passed in by `main.py` from `ui.selftest_page`.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

import httpx
import keyring
import keyring.errors
from keyring.backends import fail

from client.config import Config
from client.db import SCHEMA_VERSION
from client.diagnostics import DATABASE_FILE
from client.simulator import RouteSimulator
from client.store import Store
from client.tls import TlsSetupError
from client.version import VERSION
from coverage.model import Route, Segment

TIMEOUT_S = 5.0
KEYRING_PROBE_SERVICE = "sweepline-self-test"


class Status(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: Status
    detail: str

    @property
    def failed(self) -> bool:
        return self.status is Status.FAIL

    def line(self) -> str:
        return f"{self.status.value:<4}  {self.name:<9} {self.detail}"


Check = Callable[[], Awaitable[CheckResult]]


def check_config(config: Config) -> CheckResult:
    files = ", ".join(str(p) for p in config.files_read) or "no config file, defaults"
    if config.problems:
        listed = "; ".join(str(p) for p in config.problems)
        return CheckResult("config", Status.FAIL, f"{len(config.problems)} problem(s): {listed}")
    locked = f"; locked: {', '.join(sorted(config.locked))}" if config.locked else ""
    device = f"device {config.device_id}" if config.device_id else "no device_id (not enrolled)"
    status = Status.OK if config.device_id else Status.FAIL
    return CheckResult("config", status, f"{device}; read {files}{locked}")


def check_database(config: Config) -> CheckResult:
    """Open and migrate a copy of the tablet database; check the data folder is writable."""
    folder = config.data_path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".self-test-"):
            pass
    except OSError as exc:
        return CheckResult("database", Status.FAIL, f"data folder {folder} not writable: {exc}")
    original = folder / DATABASE_FILE
    with tempfile.TemporaryDirectory(prefix="sweepline-self-test-") as tmp:
        copy = Path(tmp) / DATABASE_FILE
        before: int | None = None
        if original.exists():
            try:
                before = _backup(original, copy)
            except sqlite3.Error as exc:
                return CheckResult("database", Status.FAIL, f"{original} cannot be read: {exc}")
        try:
            store = Store(copy, device_id=config.device_id or "self-test")
        except Exception as exc:  # every failure to open is this check's answer
            return CheckResult("database", Status.FAIL, f"{original}: {exc}")
        try:
            after = store.conn.execute("PRAGMA user_version").fetchone()[0]
            damaged = store.recovered_from is not None
        finally:
            store.close()
    if damaged:
        return CheckResult(
            "database",
            Status.FAIL,
            f"{original} is damaged; at start the app will set it aside and begin afresh",
        )
    if before is None:
        return CheckResult(
            "database", Status.OK, f"new database at {original} would be created (schema {after})"
        )
    migrated = f", migrates {before} -> {after}" if before != after else ""
    return CheckResult(
        "database",
        Status.OK,
        f"{original} opens (schema {before}{migrated}, current {SCHEMA_VERSION})",
    )


def _backup(source: Path, target: Path) -> int:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
        return int(src.execute("PRAGMA user_version").fetchone()[0])
    finally:
        src.close()


def check_keyring(config: Config) -> CheckResult:
    backend = keyring.get_keyring()
    name = type(backend).__name__
    policy = config.keyring_policy
    problem: str | None = None
    if isinstance(backend, fail.Keyring):
        problem = "no OS keyring on this machine"
    else:
        probe = uuid.uuid4().hex
        try:
            keyring.set_password(KEYRING_PROBE_SERVICE, "probe", probe)
            read = keyring.get_password(KEYRING_PROBE_SERVICE, "probe")
            keyring.delete_password(KEYRING_PROBE_SERVICE, "probe")
            if read != probe:
                problem = f"the {name} keyring did not give back what was stored"
        except keyring.errors.KeyringError as exc:
            problem = f"the {name} keyring refused a test entry ({exc})"
    if problem is None:
        return CheckResult("keyring", Status.OK, f"{name} stores and returns a test entry")
    if policy == "require":
        return CheckResult(
            "keyring",
            Status.FAIL,
            f"{problem}, and keyring_policy = require: operators cannot log in",
        )
    return CheckResult(
        "keyring",
        Status.OK,
        f"{problem}; keyring_policy = memory: the login token is kept in memory only "
        "and operators log in again after a restart",
    )


async def check_gps(config: Config, timeout_s: float = TIMEOUT_S) -> CheckResult:
    source = config.gps_source
    if source == "simulator":
        return _check_simulator()
    if source in ("nmea-serial", "nmea-file"):
        return await _check_nmea_device(config, timeout_s)
    host, _, port_text = config.gps_address.rpartition(":")
    where = f"{source} at {config.gps_address}"
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, int(port_text)), timeout_s
        )
    except (OSError, TimeoutError) as exc:
        return CheckResult("gps", Status.FAIL, f"{where}: cannot connect ({_reason(exc)})")
    try:
        if source == "gpsd":
            detail = await asyncio.wait_for(_gpsd_answer(reader, writer), timeout_s)
        else:
            detail = await asyncio.wait_for(_nmea_answer(reader), timeout_s)
    except TimeoutError:
        return CheckResult(
            "gps", Status.FAIL, f"{where}: connected, but nothing in {timeout_s:g} s"
        )
    except (OSError, ValueError) as exc:
        return CheckResult("gps", Status.FAIL, f"{where}: {exc}")
    finally:
        writer.close()
    return CheckResult("gps", Status.OK, f"{where}: {detail}")


async def _check_nmea_device(config: Config, timeout_s: float) -> CheckResult:
    """A serial receiver or a recorded log: the first position it gives."""
    from client.positioning.nmea_source import NmeaFileSource, NmeaSerialSource

    source: NmeaFileSource | NmeaSerialSource
    if config.gps_source == "nmea-serial":
        if not config.gps_serial_device:
            return CheckResult("gps", Status.FAIL, "nmea-serial: no gps_serial_device set")
        where = f"nmea-serial {config.gps_serial_device} at {config.gps_baud} baud"
        source = NmeaSerialSource(config.gps_serial_device, config.gps_baud)
    else:
        where = f"nmea-file {config.gps_file}"
        if not config.gps_file or not await asyncio.to_thread(Path(config.gps_file).is_file):
            return CheckResult("gps", Status.FAIL, f"{where}: no such file")
        source = NmeaFileSource(Path(config.gps_file))

    async def first() -> str:
        async for reading in source.readings():
            sats = f", {reading.satellites} satellites" if reading.satellites else ""
            return f"a fix at {reading.fix.lat:.5f}, {reading.fix.lon:.5f}{sats}"
        error = source.state.error
        raise ValueError(error or "no position in the input")

    try:
        detail = await asyncio.wait_for(first(), timeout_s)
    except TimeoutError:
        error = source.state.error
        why = f" ({error})" if error else ""
        return CheckResult("gps", Status.FAIL, f"{where}: no position in {timeout_s:g} s{why}")
    except (OSError, ValueError) as exc:
        return CheckResult("gps", Status.FAIL, f"{where}: {exc}")
    finally:
        source.close()
    return CheckResult("gps", Status.OK, f"{where}: {detail}")


def _check_simulator() -> CheckResult:
    segment = Segment(
        "self-test", "Self-test Street", 50.0, 2, False, ((-80.52, 43.465), (-80.5194, 43.4652))
    )
    route = Route("self-test", "self-test", (segment,))
    fixes = RouteSimulator(route, start=datetime.now(UTC), seed=1).fixes()
    fix = next(fixes, None)
    if fix is None:
        return CheckResult("gps", Status.FAIL, "simulator produced no position")
    return CheckResult("gps", Status.OK, "simulator produces positions")


async def _gpsd_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str:
    banner = json.loads(await reader.readline() or b"{}")
    if banner.get("class") != "VERSION":
        raise ValueError(f"not a gpsd greeting: {str(banner)[:80]}")
    release = banner.get("release", "?")
    writer.write(b'?WATCH={"enable":true,"json":true};\n')
    await writer.drain()
    try:
        return await asyncio.wait_for(_gpsd_fix(reader, release), 2.0)
    except TimeoutError:
        return f"gpsd {release} answers; no position reported yet"


async def _gpsd_fix(reader: asyncio.StreamReader, release: str) -> str:
    while line := await reader.readline():
        report = json.loads(line)
        if report.get("class") == "TPV" and int(report.get("mode", 0)) >= 2:
            return f"gpsd {release} answers with a {report['mode']}D fix"
    raise ValueError(f"gpsd {release} closed the connection")


async def _nmea_answer(reader: asyncio.StreamReader) -> str:
    while line := await reader.readline():
        text = line.decode("ascii", errors="replace").strip()
        if text.startswith("$") and "*" in text:
            return f"NMEA sentences arrive ({text.split(',', 1)[0]})"
    raise ValueError("the NMEA stream closed before any sentence")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


async def check_server(
    config: Config, timeout_s: float = TIMEOUT_S
) -> tuple[CheckResult, dict[str, Any] | None, float]:
    """The health endpoint's answer; returns the result, the JSON body and the round trip."""
    url = config.server_url
    if not url:
        return (
            CheckResult("server", Status.FAIL, "no server_url configured"),
            None,
            0.0,
        )
    try:
        verify = config.tls.context()
    except TlsSetupError as exc:
        return CheckResult("server", Status.FAIL, str(exc)), None, 0.0
    health_url = url.rstrip("/") + "/api/v1/health"
    started = time.monotonic()
    try:
        async with httpx.AsyncClient(
            verify=verify, timeout=timeout_s, follow_redirects=False
        ) as client:
            response = await client.get(health_url)
        rtt = time.monotonic() - started
        body = response.json() if response.status_code == 200 else None
    except httpx.HTTPError as exc:
        return (
            CheckResult("server", Status.FAIL, f"cannot reach {url}: {_http_reason(exc)}"),
            None,
            0.0,
        )
    except ValueError:
        body = None
        rtt = time.monotonic() - started
    if not isinstance(body, dict) or body.get("status") != "ok":
        return (
            CheckResult(
                "server",
                Status.FAIL,
                f"{health_url} answered {response.status_code}, not a Sweepline server's health",
            ),
            None,
            rtt,
        )
    detail = (
        f"{url} answers (server {body.get('version', '?')}, protocol "
        f"{body.get('protocol', '?')}) in {rtt * 1000:.0f} ms"
    )
    return CheckResult("server", Status.OK, detail), body, rtt


def _http_reason(exc: httpx.HTTPError) -> str:
    cause: BaseException | None = exc
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    text = str(cause or exc)
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer in time ({text or 'timeout'})"
    return text or type(exc).__name__


def check_clock(
    config: Config,
    health: dict[str, Any] | None,
    rtt_s: float,
    now: datetime | None = None,
) -> CheckResult:
    if health is None:
        return CheckResult("clock", Status.SKIP, "not compared: the server did not answer")
    text = str(health.get("server_time", ""))
    try:
        server = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return CheckResult("clock", Status.FAIL, f"the server sent no usable time ({text!r})")
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    local = (now or datetime.now(UTC)) - timedelta(seconds=rtt_s / 2)
    skew = (local - server).total_seconds()
    tolerance = config.clock_tolerance_s
    way = "ahead of" if skew > 0 else "behind"
    if abs(skew) > tolerance:
        return CheckResult(
            "clock",
            Status.FAIL,
            f"this tablet is {abs(skew):.0f} s {way} the server (more than {tolerance:g} s): "
            "set the date and time, or turn on network time",
        )
    return CheckResult("clock", Status.OK, f"{abs(skew):.1f} s {way} the server")


async def run_self_test(
    config: Config,
    *,
    extra_checks: Sequence[Check] = (),
    out: TextIO | None = None,
    timeout_s: float = TIMEOUT_S,
) -> list[CheckResult]:
    """Run every check in order, writing each line as it finishes."""
    results: list[CheckResult] = []

    def report(result: CheckResult) -> None:
        results.append(result)
        if out is not None:
            print(result.line(), file=out, flush=True)

    if out is not None:
        print(f"sweepline {VERSION} self-test", file=out, flush=True)
    report(check_config(config))
    report(await asyncio.to_thread(check_database, config))
    report(await asyncio.to_thread(check_keyring, config))
    report(await check_gps(config, timeout_s))
    server, health, rtt = await check_server(config, timeout_s)
    report(server)
    report(check_clock(config, health, rtt))
    for check in extra_checks:
        report(await check())
    failed = [r.name for r in results if r.failed]
    if out is not None:
        verdict = f"FAILED: {', '.join(failed)}" if failed else "all checks passed"
        print(f"self-test {verdict}", file=out, flush=True)
    return results
