"""Instants, stored as naive UTC on both databases.

`business_time(moment)` makes `utcnow()` read a past moment while it is set: the demo stamps the
history it makes at the dates of the work it shows (a request submitted in February reads so in its
trail, not the day the demo was loaded). It is for the demo loaders and tests only, never a request.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time

from app.core.clock import LOCAL_ZONE

_BUSINESS_MOMENT: ContextVar[datetime | None] = ContextVar("business_moment", default=None)


def _real_utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    """Naive UTC, stored as such on both databases (the business moment while one is set)."""
    moment = _BUSINESS_MOMENT.get()
    return moment if moment is not None else _real_utcnow()


def business_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """`hour:minute` in Asia/Ho_Chi_Minh on `day`, as naive UTC (what `utcnow()` returns)."""
    local = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_ZONE)
    return local.astimezone(UTC).replace(tzinfo=None)


@contextmanager
def business_time(moment: datetime) -> Iterator[datetime]:
    """While set, `utcnow()` returns `moment` (naive UTC; never after the real now, so a demo loaded
    early in the morning of a business day does not stamp its work in the future). Demo and tests only."""
    stamped = min(moment, _real_utcnow())
    token = _BUSINESS_MOMENT.set(stamped)
    try:
        yield stamped
    finally:
        _BUSINESS_MOMENT.reset(token)


@contextmanager
def business_day(day: date, hour: int = 9, minute: int = 0) -> Iterator[datetime]:
    """`business_time` at `hour:minute`, Việt Nam time, on `day`."""
    with business_time(business_moment(day, hour, minute)) as stamped:
        yield stamped
