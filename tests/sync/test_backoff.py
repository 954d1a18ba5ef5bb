"""Full-jitter backoff stays within its ceiling and honours the server's floor."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from sync.backoff import Backoff


def _sequence(*values: float) -> Iterator[float]:
    yield from values


def test_delays_are_bounded_by_exponential_ceiling_and_cap() -> None:
    b = Backoff(base_s=1, cap_s=300, rng=lambda: 1.0)
    assert [b.next_delay() for _ in range(11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_the_engines_defaults_are_one_second_doubling_to_five_minutes() -> None:
    """`SyncEngine` uses `Backoff()`: base 1 s, cap 300 s, the module's random source."""
    b = Backoff(rng=lambda: 1.0)
    assert (b.base_s, b.cap_s) == (1.0, 300.0)
    assert [b.next_delay() for _ in range(11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    saved = random.getstate()
    try:
        random.seed(22)
        expected = random.Random(22).random()
        assert Backoff().next_delay() == expected  # random.random × a 1 s ceiling
    finally:
        random.setstate(saved)


def test_each_delay_is_the_random_fraction_of_its_ceiling() -> None:
    fractions = _sequence(0.5, 0.25, 0.9, 0.0, 0.999)
    b = Backoff(base_s=2, cap_s=10, rng=lambda: next(fractions))
    assert [b.next_delay() for _ in range(5)] == [1.0, 1.0, 7.2, 0.0, 9.99]


def test_jitter_spreads_delays_over_the_whole_window() -> None:
    rng = random.Random(1)
    b = Backoff(base_s=1, cap_s=300, rng=rng.random)
    for _ in range(9):
        b.next_delay()
    delays = [b.next_delay() for _ in range(200)]
    assert all(0 <= d < 300 for d in delays)
    # full jitter: about as many below half the cap as above it, and both ends reached
    assert 70 < sum(d < 150 for d in delays) < 130
    assert min(delays) < 15
    assert max(delays) > 285


@pytest.mark.parametrize(
    ("fraction", "floor", "expected"),
    [(0.0, 42, 42), (1.0, 0.5, 1), (1.0, None, 1), (0.25, 0.0, 0.25), (0.0, None, 0.0)],
)
def test_retry_after_is_a_floor(fraction: float, floor: float | None, expected: float) -> None:
    b = Backoff(base_s=1, cap_s=300, rng=lambda: fraction)
    assert b.next_delay(floor_s=floor) == expected


def test_attempts_are_counted_and_reset_starts_over() -> None:
    b = Backoff(base_s=1, cap_s=300, rng=lambda: 1.0)
    assert b.attempts == 0
    for _ in range(5):
        b.next_delay()
    assert b.attempts == 5
    b.reset()
    assert b.attempts == 0
    assert b.next_delay() == 1
    assert b.next_delay() == 2
