"""Pure rules about members: no database, table-tested."""
from __future__ import annotations

from app.members.models import MemberStatus
from app.members.names import name_key  # noqa: F401  (the names' comparison key, imported from here by many)

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


def in_electorate(status: MemberStatus | str, signed_current_charter: bool) -> bool:
    """Only active members that signed the current charter vote."""
    return MemberStatus(status) == MemberStatus.active and signed_current_charter
