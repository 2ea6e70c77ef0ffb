"""Pure rules about members: no database, table-tested."""
from __future__ import annotations

import unicodedata

from app.members.models import MemberStatus

#: Allowed status changes (DESIGN §3: applicant → active → suspended → withdrawn).
TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    MemberStatus.applicant: frozenset({MemberStatus.active, MemberStatus.withdrawn}),
    MemberStatus.active: frozenset({MemberStatus.suspended, MemberStatus.withdrawn}),
    MemberStatus.suspended: frozenset({MemberStatus.active, MemberStatus.withdrawn}),
    MemberStatus.withdrawn: frozenset(),
}


def can_transition(current: MemberStatus | str, target: MemberStatus | str) -> bool:
    """Whether a member may go from ``current`` to ``target``."""
    return MemberStatus(target) in TRANSITIONS[MemberStatus(current)]


def name_key(name: str) -> str:
    """Comparison key for names: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.split())


def in_electorate(status: MemberStatus | str, signed_current_charter: bool) -> bool:
    """Only active members that signed the current charter vote."""
    return MemberStatus(status) == MemberStatus.active and signed_current_charter
