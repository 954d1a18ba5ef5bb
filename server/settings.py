"""Tunable limits of the reference server, gathered so tests can shrink them.

Every cap that protects the server (body sizes, batch sizes, page sizes) lives here with
the reason for its default, instead of as a literal in the handler that enforces it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any, Final

# Idle keep-alive connections are held this long. Tablets and supervisors poll every
# 5–45 s; uvicorn's 5 s default closes a connection just as a client reuses it, which the
# client sees as "Server disconnected without sending a response".
KEEP_ALIVE_S: Final = 75


@dataclass(frozen=True, slots=True)
class Settings:
    # A push batch starts around 256 KiB on the tablet (SYNC.md); 4 MiB leaves room for
    # an uncompressed batch of 1000 events while bounding what one request can cost.
    max_body_bytes: int = 4 * 1024 * 1024
    # Inflated size of a gzip body: the same bound, so a gzip bomb costs at most this.
    max_inflated_bytes: int = 4 * 1024 * 1024
    max_events_per_push: int = 1000
    max_fixes_per_batch: int = 10_000
    # One pushed payload (server.payloads): the tablet's deepest is a form answer (3
    # levels); a payload nested hundreds deep breaks whoever serialises it again.
    max_payload_depth: int = 32
    # Serialised size of one event's payload; a fix batch of 10,000 fixes is ~300 KiB.
    max_event_bytes: int = 256 * 1024
    max_fix_batch_bytes: int = 1024 * 1024
    # A fact's GPS or device time further than this from when it arrived is flagged
    # `implausible_time` and never used (server.fact_time): ahead, more than a clock
    # drifts; behind, longer than a tablet stays offline with its facts.
    fact_time_ahead_s: float = 600.0
    fact_time_behind_s: float = 30 * 24 * 3600.0
    # Access tokens are short-lived; the tablet renews them with its refresh token.
    token_ttl_s: int = 15 * 60
    # A refresh token rotates on every use; unused, it lapses after this long.
    refresh_ttl_s: int = 14 * 24 * 3600
    # A rotated refresh token still works this long (a tablet that lost power between
    # the server's answer and storing the new token must not be locked out). Reuse
    # after the grace window revokes the whole login (a stolen token was replayed).
    refresh_grace_s: int = 120
    # Sync requests handled at once (each on a thread of the pool); the rest wait in line
    # below. A push is mostly Python holding the GIL, so more threads than this only take
    # turns at it and stretch every push's time (benchmarks/scaling.py).
    max_inflight_sync: int = 8
    # Past that, this many more wait in line up to `overload_wait_s` for a slot: a burst
    # (a shift's tablets all pushing within a second) is served a moment later instead
    # of being sent away for `overload_retry_after_s`. Only a line that stays full sheds.
    max_queued_sync: int = 512
    overload_wait_s: float = 1.0
    overload_retry_after_s: int = 2
    pull_page_limit: int = 50
    # PostgreSQL connections each server process keeps at most (server/pg.py); a unit of
    # work past that waits for one. Processes × this stays under max_connections (100).
    pg_pool_size: int = 16
    # argon2id cost (server.passwords): OWASP's current minimum, 19 MiB, two passes, one
    # lane; about 40 ms per hash on a laptop-class CPU.
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19 * 1024
    argon2_parallelism: int = 1
    # Failed logins inside the window before each further try must wait (server.throttle):
    # per account, and per client address (one address spraying many usernames).
    login_failures_allowed: int = 10
    login_failures_per_address: int = 50
    login_failure_window_s: float = 300.0
    # The wait past the allowance doubles from 1 s up to this: the owner of an account
    # under attack is slowed by at most this much, never locked out for the window.
    login_max_delay_s: float = 60.0
    # Accounts and addresses remembered at most (least recently tried forgotten first).
    login_throttle_max_keys: int = 10_000
    # MBTiles file served at /api/v1/tiles/{z}/{x}/{y}.png (server/tiles_api.py); "": none.
    tiles_mbtiles: str = ""
    # Oldest tablet version allowed to sync (e.g. "0.2.0"); "": any. Older tablets get
    # 426 "update required" and keep their queue until IT installs the update.
    min_client_version: str = ""
    # The city's coverage rule, sent with every assignment (server/coverage_profile.py):
    # "sweepline" (curb sides) or "kitchener-2023" (the City of Kitchener's rule).
    coverage_profile: str = "sweepline"
    # Enrolled tablets any operator may log in on when their own is broken (comma
    # separated device ids); every other login names a tablet the operator is assigned.
    spare_devices: str = ""
    # The public street feed (server/public_api.py) shows sweeps only once they are this
    # old: the city publishes service performance, not where a sweeper is right now.
    public_delay_hours: float = 24.0
    # Requests one client address may make to the public feed per minute (no login there).
    public_requests_per_minute: int = 30


ENV_PREFIX = "SWEEPLINE_"


def settings_from_env(base: Settings | None = None) -> Settings:
    """`base` with any field overridden by `SWEEPLINE_<FIELD>` (e.g. SWEEPLINE_TOKEN_TTL_S).

    Every field is an int, a float or a string; a number that does not parse is a usage
    error.
    """
    base = base or Settings()
    changes: dict[str, Any] = {}
    for field in fields(base):
        text = os.environ.get(ENV_PREFIX + field.name.upper())
        if text is None:
            continue
        kind = type(getattr(base, field.name))
        try:
            changes[field.name] = kind(text)
        except ValueError as exc:
            raise ValueError(
                f"{ENV_PREFIX}{field.name.upper()}={text!r} is not a valid {kind.__name__}"
            ) from exc
    return replace(base, **changes)
