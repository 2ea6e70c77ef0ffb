"""What a vote kind other than a resolution plugs into the vote pages.

The assembly runs every vote (electorate, cast, seal, board) but knows only
resolutions; a higher package that puts votes of its own kind to the members
(elections: kind ``"election"``) registers, from its ``init_app``:

* ``APPROVAL_BALLOTS[kind](vote)``: the approval ballot shown instead of
  for/against/abstain (an ``ApprovalBallot``), or None;
* ``VOTE_PAGES[kind](vote, page)``: the URL of the kind's own page for
  ``"open"`` or ``"results"``, where the generic one redirects (None: stay);
* ``BOARD_EXPORTS[kind](vote)``: what the kind adds to the exported board
  (a ``BoardPart``), or None when the vote has no such object (404); for a
  format-2 board only its outputs (an election's seed and allocation), the
  rest being in the header sealed at the close;
* ``BOARD_HEADERS[kind](vote)``: the kind's part of a format-2 board header,
  built at the close before the count: title, ``rules`` and its definition
  section (an election's seats, constraints, candidates), no output.

With ``voting.CHOICE_RULES``, ``voting.COUNT_RULES``, ``voting.VOTE_TITLES``
and ``recount.BOARD_KINDS`` these are the whole surface of a vote kind.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.assembly.models import Vote


class ApprovalBallot(Protocol):
    """A box per choice, up to ``max_choices``, blank allowed; with the links the ballot page shows."""

    @property
    def title(self) -> str: ...

    @property
    def max_choices(self) -> int: ...

    @property
    def choices(self) -> list[tuple[str, str]]: ...

    @property
    def parent_label(self) -> str: ...

    @property
    def parent_url(self) -> str: ...

    @property
    def open_url(self) -> str: ...

    @property
    def results_url(self) -> str: ...

    def approved(self, choice: str) -> list[str]:
        """Labels of the choices a canonical ballot approves, in ballot order."""
        ...


@dataclass(frozen=True)
class BoardPart:
    """A kind's part of the exported board: the vote's title, its ``rules`` and extra sections
    (e.g. ``{"election": {...}}``), written after ``rules`` in this order."""

    title: str
    rules: Mapping[str, Any]
    sections: Mapping[str, Any] = field(default_factory=dict)


APPROVAL_BALLOTS: dict[str, Callable[[Vote], ApprovalBallot | None]] = {}
VOTE_PAGES: dict[str, Callable[[Vote, str], str | None]] = {}
BOARD_EXPORTS: dict[str, Callable[[Vote], BoardPart | None]] = {}
BOARD_HEADERS: dict[str, Callable[[Vote], BoardPart | None]] = {}


def approval_ballot(vote: Vote) -> ApprovalBallot | None:
    """The vote's approval ballot, None for a resolution (for/against/abstain)."""
    ballot_of = APPROVAL_BALLOTS.get(vote.kind)
    return ballot_of(vote) if ballot_of is not None else None


def uses_approval(vote: Vote) -> bool:
    return vote.kind in APPROVAL_BALLOTS


def own_page(vote: Vote, page: str) -> str | None:
    """The URL of the kind's own ``page`` ("open", "results"), None to use the assembly's."""
    page_of = VOTE_PAGES.get(vote.kind)
    return page_of(vote, page) if page_of is not None else None
