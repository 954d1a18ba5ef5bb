"""Tunable limits of the reference server, gathered so tests can shrink them.

Every cap that protects the server (body sizes, batch sizes, page sizes) lives here with
the reason for its default, instead of as a literal in the handler that enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    # A push batch starts around 256 KiB on the tablet (SYNC.md); 4 MiB leaves room for
    # an uncompressed batch of 1000 events while bounding what one request can cost.
    max_body_bytes: int = 4 * 1024 * 1024
    # Inflated size of a gzip body: the same bound, so a gzip bomb costs at most this.
    max_inflated_bytes: int = 4 * 1024 * 1024
    max_events_per_push: int = 1000
    max_fixes_per_batch: int = 10_000
    # One shift plus margin; a tablet re-logs in at the start of each shift.
    token_ttl_s: int = 14 * 3600
    pull_page_limit: int = 50
    # scrypt cost: about 50 ms and 16 MiB per hash on a laptop-class CPU.
    scrypt_n: int = 2**14
    scrypt_r: int = 8
    scrypt_p: int = 1
    # Failed logins per username inside the window before answering 429.
    login_failures_allowed: int = 10
    login_failure_window_s: float = 300.0
    # MBTiles file served at /api/v1/tiles/{z}/{x}/{y}.png (server/tiles_api.py); "": none.
    tiles_mbtiles: str = ""
