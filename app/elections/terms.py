"""Terms of the elected seats never overlap (DESIGN §3): the rule, the check a service runs, and
which current mandates the committee page shows when old data still overlaps.

A term is the half-open interval [start, end): a mandate is current on ``start`` and no longer
on ``end`` (``Mandate.current_on``), so a term ending on the day the next one starts does not
overlap it. Every election fills the committee's elected seats, so any two elections' terms
are "for the same seats". Elections have no cancellation: an election counted with nobody
elected (declared void) holds no seat and does not block its term; any other one does.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select

from app.core.timeutil import add_years
from app.extensions import db

T = TypeVar("T")


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether [a_start, a_end) and [b_start, b_end) share a day (touching ends do not)."""
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class OtherTerm:
    """Another election's term, as the check needs it."""

    election_id: int
    title: str
    starts_on: date
    ends_on: date


def holds_term(count: dict[str, Any] | None) -> bool:
    """An election holds its term unless its count elected nobody (void): there is no cancellation."""
    if count is None:
        return True
    return bool((count.get("allocation") or {}).get("elected"))


def first_overlap(starts_on: date, ends_on: date, others: Iterable[OtherTerm]) -> OtherTerm | None:
    """The earliest-starting other term that overlaps [starts_on, ends_on), or None."""
    clashing = [o for o in others if overlaps(starts_on, ends_on, o.starts_on, o.ends_on)]
    return min(clashing, key=lambda o: (o.starts_on, o.election_id), default=None)


def other_terms(exclude_id: int | None = None) -> list[OtherTerm]:
    """Every other election that holds its term (one query)."""
    from app.elections.models import Election

    query = select(Election.id, Election.title, Election.term_starts_on, Election.term_years, Election.count)
    if exclude_id is not None:
        query = query.where(Election.id != exclude_id)
    return [OtherTerm(i, title, start, add_years(start, years))
            for i, title, start, years, count in db.session.execute(query) if holds_term(count)]


def latest_seats(seats: Sequence[T], election_of: Any, capacity: Any) -> list[T]:
    """The current elected seats the committee page shows: those of the latest-starting election
    alone (if old data still has overlapping terms), never more than that election's seats.

    ``election_of(seat)`` -> (term start, election id) or None; ``capacity(key)`` -> its seats.
    Pure (the page passes accessors), so a table test covers it."""
    keyed = [(election_of(s), s) for s in seats]
    keys = [k for k, _ in keyed if k is not None]
    unkeyed = [s for k, s in keyed if k is None]  # no election to count against: kept as they are
    if not keys:
        return unkeyed
    latest = max(keys)
    return unkeyed + [s for k, s in keyed if k == latest][:max(0, capacity(latest))]
