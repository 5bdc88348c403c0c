"""Hybrid logical clocks: per-device timestamps that only move forward.

A clock value is ``"%013d-%06d" % (wall_ms, counter)``: fixed width, so the
text order is the time order. ``tick`` takes the wall time when it is ahead of
the last value and otherwise keeps the last wall time and bumps the counter,
so values are strictly increasing even when the wall clock goes backwards.
The last value per device is persisted in ``replica_clock`` (monotonic across
restarts). ``observe`` records clocks seen in revisions from elsewhere, so a
later local tick sorts after everything this database already holds. Clocks
order revisions for display only (the deterministic winner); they are never
trusted for correctness.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, select, update

from neascn_desktop.i18n import _
from neascn_desktop.replica.bulk import BulkStatement
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.revision import CLOCK_PATTERN
from neascn_desktop.replica.tables import clock_table
from neascn_desktop.store.database import connection_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    Executor = Session | Connection

#: The ``replica_clock`` row that holds the highest clock observed from any device.
OBSERVED_KEY = "*observed*"
ZERO_CLOCK = "0000000000000-000000"
_MAX_COUNTER = 999_999
_MAX_WALL_MS = 9_999_999_999_999
#: Remote clocks further ahead of our wall clock than this only raise the floor this far,
#: so one device with a wildly wrong clock cannot exhaust everybody's clock.
MAX_OBSERVED_DRIFT_MS = 24 * 3600 * 1000


def wall_ms() -> int:
    """The wall clock in milliseconds since the epoch (the default time source)."""
    return time.time_ns() // 1_000_000


def format_clock(wall: int, counter: int) -> str:
    return f"{wall:013d}-{counter:06d}"


def parse_clock(value: str) -> tuple[int, int]:
    """``(wall_ms, counter)`` of a clock value; ``ReplicaError`` if malformed."""
    if not isinstance(value, str) or not CLOCK_PATTERN.match(value):
        raise ReplicaError(_("Malformed clock value: {clock}.").format(clock=str(value)[:40]))
    return int(value[:13]), int(value[14:])


def clock_time(value: str) -> datetime:
    """The wall time of a clock value (for display); ``ReplicaError`` if malformed."""
    wall, _counter = parse_clock(value)
    return datetime.fromtimestamp(wall / 1000, UTC)


def next_clock(last: str, now_ms: int) -> str:
    """The pure HLC step: the smallest value after ``last`` that is not before ``now_ms``."""
    last_wall, last_counter = parse_clock(last)
    now_ms = max(0, min(now_ms, _MAX_WALL_MS))
    if now_ms > last_wall:
        return format_clock(now_ms, 0)
    if last_counter < _MAX_COUNTER:
        return format_clock(last_wall, last_counter + 1)
    # Counter exhausted (a burst of a million ticks within one millisecond, or
    # a remote clock far in the future): borrow the next millisecond.
    if last_wall >= _MAX_WALL_MS:
        raise ReplicaError(_("The clock cannot advance any further."))
    return format_clock(last_wall + 1, 0)


def _load(session: Executor, key: str) -> str | None:
    return session.execute(
        select(clock_table.c.last).where(clock_table.c.device_id == key)
    ).scalar_one_or_none()


def _store(session: Executor, key: str, value: str, existed: bool) -> None:
    if existed:
        session.execute(
            clock_table.update().where(clock_table.c.device_id == key).values(last=value)
        )
    else:
        session.execute(clock_table.insert().values(device_id=key, last=value))


def last_clock(session: Executor, device_id: str) -> str | None:
    """The last clock value issued to ``device_id`` here, if any."""
    return _load(session, device_id)


def tick(session: Executor, device_id: str, now: Callable[[], int] = wall_ms) -> str:
    """Issue the next clock value for ``device_id`` and persist it (inside the caller's transaction).

    The value is after both the device's last value and every clock observed.
    """
    last = _load(session, device_id)
    observed = _load(session, OBSERVED_KEY)
    floor = max(last or ZERO_CLOCK, observed or ZERO_CLOCK)
    value = next_clock(floor, now())
    _store(session, device_id, value, existed=last is not None)
    # Raise the shared floor too, so every clock issued here later sorts after this one.
    observe_floor(connection_of(session), value, now)
    return value


def tick_many(session: Executor, device_id: str, count: int, now: Callable[[], int] = wall_ms) -> list[str]:
    """``count`` successive clock values for ``device_id`` (as many ``tick`` calls), persisted once."""
    if count <= 0:
        return []
    values = [tick(session, device_id, now)]
    for _n in range(count - 1):
        values.append(next_clock(values[-1], now()))
    if count > 1:
        _store(session, device_id, values[-1], existed=True)
        observe_floor(connection_of(session), values[-1], now)
    return values


# Compiled once: an import raises the floor once per batch.
_RAISE_FLOOR = BulkStatement(
    update(clock_table)
    .where(clock_table.c.device_id == bindparam("b_key"), clock_table.c.last < bindparam("b_min"))
    .values(last=bindparam("b_last")),
    ("b_last", "b_key", "b_min"),
)


def observe_floor(conn: Connection, remote_clock: str, now: Callable[[], int] = wall_ms) -> None:
    """The import path's ``observe``: raise the shared floor in (usually) one statement."""
    wall, _counter = parse_clock(remote_clock)
    limit = now() + MAX_OBSERVED_DRIFT_MS
    if wall > limit:
        remote_clock = format_clock(limit, 0)
    result = _RAISE_FLOOR.execute(conn, (remote_clock, OBSERVED_KEY, remote_clock))
    if result.rowcount == 0:
        exists = conn.execute(
            select(clock_table.c.last).where(clock_table.c.device_id == OBSERVED_KEY)
        ).first()
        if exists is None:
            conn.execute(clock_table.insert().values(device_id=OBSERVED_KEY, last=remote_clock))


_READ_FLOOR = BulkStatement(
    select(clock_table.c.last).where(clock_table.c.device_id == bindparam("b_key")), ("b_key",)
)
_SET_FLOOR = BulkStatement(
    update(clock_table)
    .where(clock_table.c.device_id == bindparam("b_key"))
    .values(last=bindparam("b_last")),
    ("b_last", "b_key"),
)


def observed_floor(conn: Connection) -> str | None:
    """The shared floor as stored (``None`` if its row is missing)."""
    row = _READ_FLOOR.execute(conn, (OBSERVED_KEY,)).fetchone()
    return row[0] if row is not None else None


def set_observed_floor(conn: Connection, value: str) -> None:
    """Put the shared floor back to a value read before (undoing a failed import batch)."""
    _SET_FLOOR.execute(conn, (value, OBSERVED_KEY))


def observe(
    session: Executor,
    remote_clock: str,
    device_id: str | None = None,
    now: Callable[[], int] = wall_ms,
) -> None:
    """Record a clock seen elsewhere so that later ticks sort after it.

    Without ``device_id`` it raises the shared "observed" floor used by every
    local device; with one it advances only that device's last value. A clock
    more than a day ahead of the wall clock raises the floor only to that limit.
    """
    wall, _counter = parse_clock(remote_clock)
    limit = now() + MAX_OBSERVED_DRIFT_MS
    if wall > limit:
        remote_clock = format_clock(limit, 0)
    key = device_id if device_id is not None else OBSERVED_KEY
    current = _load(session, key)
    if current is None or remote_clock > current:
        _store(session, key, remote_clock, existed=current is not None)
