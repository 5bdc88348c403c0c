"""Hybrid logical clocks: fixed-width, monotonic across wall-clock jumps and restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.replica import ReplicaError
from neascn_desktop.replica.clock import (
    MAX_OBSERVED_DRIFT_MS,
    format_clock,
    last_clock,
    next_clock,
    observe,
    parse_clock,
    tick,
)
from neascn_desktop.store import open_database


class FakeWall:
    """A wall clock the test moves by hand (milliseconds)."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_format_is_fixed_width_and_sorts_in_time_order() -> None:
    values = [format_clock(w, c) for w, c in [(5, 0), (5, 1), (5, 10), (10, 0), (1_780_000_000_000, 7)]]
    assert values == sorted(values)
    assert all(len(v) == 20 for v in values)
    assert parse_clock(values[-1]) == (1_780_000_000_000, 7)
    with pytest.raises(ReplicaError):
        parse_clock("12-3")


def test_next_clock_follows_the_wall_and_bumps_the_counter_when_it_stalls() -> None:
    assert next_clock(format_clock(100, 4), 200) == format_clock(200, 0)
    assert next_clock(format_clock(100, 4), 100) == format_clock(100, 5)
    assert next_clock(format_clock(100, 4), 50) == format_clock(100, 5)
    # the counter never overflows its width: borrow the next millisecond
    assert next_clock(format_clock(100, 999_999), 100) == format_clock(101, 0)


def test_tick_is_monotonic_when_the_wall_clock_jumps_back(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    wall = FakeWall(1_780_000_000_000)
    issued = []
    with db.transaction() as session:
        for step in range(30):
            if step == 10:
                wall.now -= 3_600_000  # someone set the clock an hour back
            if step == 20:
                wall.now += 7_200_000
            issued.append(tick(session, "dev", wall))
            wall.now += 1 if step % 3 else 0
    assert issued == sorted(issued)
    assert len(set(issued)) == len(issued)
    db.dispose()


def test_last_value_survives_a_restart(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    wall = FakeWall(1_780_000_000_000)
    with db.transaction() as session:
        first = tick(session, "dev", wall)
    db.dispose()
    db = open_database(tmp_path)
    wall.now -= 86_400_000  # restarted with a clock a day behind
    with db.transaction() as session:
        assert last_clock(session, "dev") == first
        second = tick(session, "dev", wall)
        other_device = tick(session, "other", wall)
    assert second > first
    assert other_device > first  # every local device ticks past what this database holds
    db.dispose()


def test_observe_moves_later_ticks_past_remote_clocks(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    wall = FakeWall(1_780_000_000_000)
    remote = format_clock(wall.now + 5_000, 42)
    with db.transaction() as session:
        observe(session, remote, now=wall)
        assert tick(session, "dev", wall) > remote
        observe(session, format_clock(1, 0), now=wall)  # an older clock changes nothing
        assert tick(session, "dev", wall) > remote
    db.dispose()


def test_a_clock_far_in_the_future_only_raises_the_floor_by_the_drift_limit(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    wall = FakeWall(1_780_000_000_000)
    with db.transaction() as session:
        observe(session, "9999999999999-999999", now=wall)
        value = tick(session, "dev", wall)
    assert parse_clock(value)[0] <= wall.now + MAX_OBSERVED_DRIFT_MS
    assert value < "9999999999999-999999"
    db.dispose()


def test_clock_time_is_the_wall_part_and_refuses_what_parse_clock_refuses() -> None:
    from datetime import UTC, datetime

    from neascn_desktop.replica.clock import clock_time

    assert clock_time("1764892800000-000007") == datetime(2025, 12, 5, tzinfo=UTC)
    with pytest.raises(ReplicaError):
        clock_time("1764892800000")
