"""Full-jitter backoff stays within its ceiling and honours the server's floor."""

from __future__ import annotations

import random

from sync.backoff import Backoff


def test_delays_are_bounded_by_exponential_ceiling_and_cap() -> None:
    b = Backoff(base_s=1, cap_s=300, rng=lambda: 1.0)
    assert [b.next_delay() for _ in range(11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_jitter_spreads_delays() -> None:
    rng = random.Random(1)
    b = Backoff(base_s=1, cap_s=300, rng=rng.random)
    for _ in range(8):
        b.next_delay()
    delays = {round(b.next_delay(), 3) for _ in range(20)}
    assert len(delays) > 10


def test_retry_after_is_a_floor() -> None:
    b = Backoff(base_s=1, cap_s=300, rng=lambda: 0.0)
    assert b.next_delay(floor_s=42) == 42


def test_reset_starts_over() -> None:
    b = Backoff(base_s=1, cap_s=300, rng=lambda: 1.0)
    for _ in range(5):
        b.next_delay()
    b.reset()
    assert b.next_delay() == 1
