"""The motion lock on simulated drives: an hour of sweeping at 3-10 km/h with a noisy
receiver, stops at intersections and a GPS gap, against the single-threshold rule it
replaces."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from app.motion_lock import LOCK_KMH, MotionLock

T0 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)


def sweeping_hour(seed: int) -> list[tuple[float, float | None]]:
    """(true km/h, what the receiver reports) once a second for an hour: sweeping with
    a speed wandering in the 3-10 km/h band, receiver noise of ±2.5 km/h, three stops of
    40 s at intersections and a 90 s GPS gap while sweeping (reported as None)."""
    rng = random.Random(seed)
    out: list[tuple[float, float | None]] = []
    speed = 6.0
    stops = {900, 1800, 2700}
    gap = range(2000, 2090)
    t = 0
    while t < 3600:
        if t in stops:
            for _ in range(40):
                out.append((0.0, abs(rng.gauss(0.0, 0.4))))
            t += 40
            continue
        speed = min(10.0, max(3.0, speed + rng.gauss(0.0, 0.4)))
        reported = None if t in gap else max(0.0, speed + rng.uniform(-2.5, 2.5))
        out.append((speed, reported))
        t += 1
    return out


def run(lock: MotionLock, drive: list[tuple[float, float | None]]) -> list[bool]:
    states = []
    for i, (_true, reported) in enumerate(drive):
        lock.observe(T0 + timedelta(seconds=i), reported)
        states.append(lock.locked)
    return states


def test_an_hour_of_sweeping_changes_the_lock_fewer_than_ten_times() -> None:
    for seed in range(5):
        drive = sweeping_hour(seed)
        lock = MotionLock()
        states = run(lock, drive)
        assert lock.changes < 10, (seed, lock.changes)
        # Never unlocked while the vehicle sweeps (3-10 km/h), once it first locked.
        first = states.index(True)
        unlocked_sweeping = [
            i
            for i, ((true, _r), locked) in enumerate(zip(drive, states, strict=True))
            if i > first and 3.0 <= true <= 10.0 and not locked
        ]
        # Pulling away from a stop takes the smoothing and the lock's hold time, no more.
        assert all(any(drive[i - k][0] == 0.0 for k in range(1, 13)) for i in unlocked_sweeping)
        unlocks = [
            i
            for i in range(1, len(states))
            if states[i - 1] and not states[i] and 3.0 <= drive[i][0] <= 10.0
        ]
        assert unlocks == []
        # Each stop unlocks it (the operator may type at an intersection).
        for stop in (900, 1800, 2700):
            assert not all(states[stop : stop + 40])


def test_the_same_drive_flickers_under_one_raw_threshold() -> None:
    """The drive is a hard one: the old rule (raw speed > 5 km/h) flips hundreds of times."""
    drive = sweeping_hour(0)
    raw = [r is not None and r > LOCK_KMH for _t, r in drive]
    flips = sum(1 for a, b in itertools.pairwise(raw) if a != b)
    assert flips > 100


def test_unknown_speed_counts_as_moving_unless_stopped_before() -> None:
    lock = MotionLock()
    lock.observe(T0, None)  # start-up with no GPS: parked
    assert not lock.locked
    for i in range(1, 6):
        lock.observe(T0 + timedelta(seconds=i), 12.0)
    assert lock.locked
    lock.observe(T0 + timedelta(seconds=6), None)  # GPS lost while driving
    assert lock.locked
    for i in range(7, 30):  # a stopped fix comes back: unlocks after its hold time
        lock.observe(T0 + timedelta(seconds=i), 0.0)
    assert not lock.locked
    lock.observe(T0 + timedelta(seconds=31), None)  # lost while stopped: stays unlocked
    assert not lock.locked


def test_losing_gps_while_creeping_unlocked_locks() -> None:
    lock = MotionLock()
    lock.observe(T0, 4.0)  # pulling away, not yet locked
    assert not lock.locked
    lock.observe(T0 + timedelta(seconds=1), None)
    assert lock.locked


def test_a_late_sample_is_ignored() -> None:
    lock = MotionLock()
    for i in range(3):
        lock.observe(T0 + timedelta(seconds=i), 20.0)
    assert lock.locked
    assert not lock.observe(T0, 0.0)
    assert lock.smoothed_kmh == 20.0
