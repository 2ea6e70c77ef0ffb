"""The count's vocabulary: genders, scopes, skip reasons, a candidate, the seat constraints, a notice.

Apart from ``rules.py`` so that ``completion.py`` (which ``rules`` uses) can use them too
without an import cycle; ``rules`` re-exports every name. Pure: no database, no Flask.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

FEMALE, MALE, OTHER, UNDISCLOSED = "female", "male", "other", "undisclosed"
GENDERS = (FEMALE, MALE, OTHER, UNDISCLOSED)
COLLEGE, COUNTRY, GENDER = "college", "country", "gender"
SCOPES = (COLLEGE, COUNTRY)

# Why a candidate was passed over (Reason.kind)
MAX = "max"  # taking them would exceed the maximum of their group right away
MIN_UNREACHABLE = "min_unreachable"  # ... would leave a group's minimum out of reach
PARITY = "parity"  # ... would leave the parity tolerance out of reach
FILL_BLOCKED = "fill_blocked"  # ... would leave seats fillable only beyond a group's maximum
COMBINED = "combined"  # several constraints together; no single one is enough to explain it
REASON_KINDS = (MAX, MIN_UNREACHABLE, PARITY, FILL_BLOCKED, COMBINED)

Bounds = tuple[int, int | None]
"""(minimum, maximum) seats of a group; maximum None = no maximum."""


@dataclass(frozen=True)
class Candidate:
    """A candidacy as the count sees it: the member, its college and country, the gender of the
    representative who would sit, and the approvals it received."""

    id: str
    college: str
    country: str
    gender: str
    approvals: int = 0

    def __post_init__(self) -> None:
        if self.gender not in GENDERS:
            raise ValueError(f"unknown gender {self.gender!r}")
        if self.approvals < 0:
            raise ValueError("approvals cannot be negative")

    def group(self, scope: str) -> str:
        return self.college if scope == COLLEGE else self.country


@dataclass(frozen=True)
class Constraints:
    """Seat constraints, frozen with the election's set-up.

    ``college`` / ``country``: group code -> (min, max). ``parity_tolerance``: largest allowed
    ``|#female - #male|`` among the elected; None = no parity rule.
    """

    college: Mapping[str, Bounds] = field(default_factory=dict)
    country: Mapping[str, Bounds] = field(default_factory=dict)
    parity_tolerance: int | None = None

    def bounds(self, scope: str) -> Mapping[str, Bounds]:
        return self.college if scope == COLLEGE else self.country

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the election row and the exported board (recount)."""
        return {
            "college": {g: [lo, hi] for g, (lo, hi) in sorted(self.college.items())},
            "country": {g: [lo, hi] for g, (lo, hi) in sorted(self.country.items())},
            "parity_tolerance": self.parity_tolerance,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Constraints:
        data = data or {}

        def bounds(raw: Mapping[str, Any] | None) -> dict[str, Bounds]:
            return {g: (int(lo), None if hi is None else int(hi)) for g, (lo, hi) in (raw or {}).items()}

        tol = data.get("parity_tolerance")
        return cls(bounds(data.get(COLLEGE)), bounds(data.get(COUNTRY)), None if tol is None else int(tol))


class Reason(NamedTuple):
    """Machine-readable cause of a skip, e.g. ("max", "college", "ngo") or ("parity", "gender", None)."""

    kind: str
    scope: str | None = None
    group: str | None = None


class Notice(NamedTuple):
    """A fact about the whole count (vacant seats, lowered minimum, no possible committee)."""

    key: str
    params: dict[str, Any]
