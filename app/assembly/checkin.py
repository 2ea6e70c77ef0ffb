"""Attendance at the door: what a check-in request asks, how many more members quorum needs, and the changes.

70 organisations arrive at once: one tap per member, or tick several and mark
them all present in one request (one commit). Each change is
``services.set_presence``, so every member's change keeps its audit entry and
two desks checking the same member in at once still make one presence row.
A sitting recorded afterwards (held on paper, entered from its minutes) is
opened here too: it is never convened, and its audit entry says why the
statutory notice cannot apply.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.assembly import services
from app.assembly.models import Assembly, AssemblyStatus, PresenceStatus
from app.assembly.rules import QuorumRule, quorum_reached
from app.assembly.sitting_dates import notice_applies
from app.auth.models import User
from app.core import audit
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member

#: Statuses a bulk action may set (being represented needs each member's own proxy).
BULK_STATUSES = (PresenceStatus.present, PresenceStatus.absent)
#: Members on one check-in page: a whole programme's organisations fit, so the filter-as-you-type sees them all.
PAGE_SIZE = 100


@dataclass(frozen=True)
class CheckInAction:
    """One request of the check-in page: a status for one member (a row's button) or for the ticked ones."""

    status: PresenceStatus
    member_ids: tuple[int, ...]
    bulk: bool


def parse_action(one: str | None, bulk: str | None, selected: list[str]) -> CheckInAction:
    """Read the button pressed: ``one="<member id>:<status>"`` or ``bulk="<status>"`` with the ticked ids.

    ValueError for anything a page of ours does not send (the route answers 400).
    A bulk action with nothing ticked has no member ids: the page asks to tick some.
    """
    if one:
        raw_id, _sep, raw_status = one.partition(":")
        member_id = _member_id(raw_id)
        return CheckInAction(PresenceStatus(raw_status), (member_id,), bulk=False)
    if bulk:
        status = PresenceStatus(bulk)
        if status not in BULK_STATUSES:
            raise ValueError(bulk)
        ids = tuple(dict.fromkeys(_member_id(raw) for raw in selected))
        return CheckInAction(status, ids, bulk=True)
    raise ValueError("no action")


def _member_id(raw: str) -> int:
    value = int(raw.strip())
    if not 0 < value < 2**31:
        raise ValueError(raw)
    return value


def missing_for_quorum(present_or_represented: int, members: int, rule: QuorumRule) -> int | None:
    """How many more members must arrive for quorum (0 when reached; None when it cannot be reached)."""
    for extra in range(0, max(members - present_or_represented, 0) + 1):
        if quorum_reached(present_or_represented + extra, members, rule):
            return extra
    return None


def check_in(assembly: Assembly, member_ids: tuple[int, ...], *, actor: User, status: PresenceStatus) -> int:
    """Set ``status`` for each member (convened members only); all or nothing: the route commits once.

    Returns how many members the request covered.
    """
    members = list(db.session.scalars(select(Member).where(
        Member.id.in_(member_ids), Member.status.in_(services.CONVENED_STATUSES)).order_by(Member.name)))
    if len(members) != len(set(member_ids)):
        raise DomainError(_l("A member of this list is not convened to this assembly."))
    for member in members:
        services.set_presence(assembly, member, actor=actor, status=status)
    return len(members)


def open_recorded_sitting(assembly: Assembly, *, actor: User) -> None:
    """Open a sitting already held so that its attendance, proxies and notes can be entered.

    No convocation is sent: the sitting is over. The statutory notice counts
    days between the convocation and the sitting, so it cannot apply to a date
    already past; the audit entry records that reason.
    """
    if assembly.status != AssemblyStatus.draft:
        raise DomainError(_l("This sitting is already open for recording."))
    if not assembly.recorded_afterwards:
        raise DomainError(_l("Only a sitting recorded afterwards is opened without a convocation."))
    now = utcnow()
    if notice_applies(assembly.starts_at, now=now):
        raise DomainError(_l("This sitting has not taken place yet: convene it instead."))
    assembly.status = AssemblyStatus.in_session
    db.session.flush()
    audit.record("assembly.recorded_afterwards", "assembly", assembly.id, actor=actor,
                 before={"status": AssemblyStatus.draft},
                 after={"status": assembly.status, "starts_at": assembly.starts_at, "recorded_at": now,
                        "convocations_sent": 0, "notice_days": assembly.notice_days,
                        "notice": "not applicable: the sitting took place before it was recorded, "
                                  "so no convocation could precede it"})
