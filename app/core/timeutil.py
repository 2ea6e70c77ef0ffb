"""Timezone-aware UTC timestamps, stored as such on every engine; calendar arithmetic that cannot fail."""
from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

Day = TypeVar("Day", date, datetime)


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime that refuses naive values and always returns aware UTC.

    SQLite drops the offset, so values are normalised to UTC on the way in
    and re-labelled UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use app.core.timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """A naive date-time typed in a form is read as UTC (the platform's reference time)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Calendar arithmetic that cannot fail: a date stored before the forms bounded them (9999-12-31, say)
# still renders. A result past the calendar's ends is clamped to them instead of raising.

def _clamped(day: Day, year: int) -> Day | None:
    """The calendar's end ``year`` falls beyond (keeping ``day``'s type and time zone), or None."""
    if year > datetime.max.year:
        return day.replace(year=datetime.max.year, month=12, day=31)
    if year < datetime.min.year:
        return day.replace(year=datetime.min.year, month=1, day=1)
    return None


def add_months(day: Day, months: int) -> Day:
    """``day`` moved by whole months; the 31st becomes the month's last day (29 February: 28 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    clamped = _clamped(day, year)
    if clamped is not None:
        return clamped
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: Day, years: int) -> Day:
    """``day`` moved by whole years (29 February becomes 28 February in a common year)."""
    return add_months(day, 12 * years)


def add_days(day: Day, days: int | float) -> Day:
    """``day`` moved by ``days`` (negative: back), clamped to the calendar's ends."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return _clamped(day, datetime.max.year + 1 if days > 0 else datetime.min.year - 1)  # type: ignore[return-value]
