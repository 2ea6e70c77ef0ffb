"""Conflicts of interest between committee members and proposals: derived, recorded, declared.

A conflict is held by a *member organisation* (every representative of it is conflicted):

* derived -- the member leads the proposal or is one of its partners (``derive``, pure);
* recorded -- the secretariat records another link (same federation, staff exchange…) with a reason;
* declared -- a reviewer declares one on a proposal, with a reason (it is then theirs, and their
  organisation's).

A conflicted reviewer cannot open the proposal's reviews or aggregates, cannot score it, is not counted
in its reviews, never suggested for it and does not see its discussion. The checks live here
(``is_conflicted``, ``ensure_free``) and are called by the services and the routes alike.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.calls.models import CallStatus, Proposal, ProposalPartner
from app.calls.selection_models import Conflict, ConflictSource
from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import Role, roles_of
from app.extensions import add_unique, db


class ConflictOfInterest(DomainError):
    """Raised when a conflicted member's representative tries to reach a proposal's review."""


@dataclass(frozen=True)
class ConflictEntry:
    member_id: int
    source: str  # ConflictSource
    reason: str = ""
    conflict_id: int | None = None  # the stored row (recorded / declared), None when derived


def derive(lead_member_id: int | None, partner_member_ids: Iterable[int | None]) -> dict[int, str]:
    """Member id → ``lead`` or ``partner`` for the members a proposal involves (pure; lead wins)."""
    out: dict[int, str] = {}
    for member_id in partner_member_ids:
        if member_id is not None:
            out[member_id] = ConflictSource.partner
    if lead_member_id is not None:
        out[lead_member_id] = ConflictSource.lead
    return out


def merge(derived: Mapping[int, Mapping[int, str]], stored: Iterable[Conflict]
          ) -> dict[int, dict[int, list[ConflictEntry]]]:
    """Proposal id → member id → every conflict entry (derived first, then stored ones)."""
    out: dict[int, dict[int, list[ConflictEntry]]] = defaultdict(lambda: defaultdict(list))
    for proposal_id, members in derived.items():
        for member_id, source in members.items():
            out[proposal_id][member_id].append(ConflictEntry(member_id, source))
    for row in stored:
        out[row.proposal_id][row.member_id].append(ConflictEntry(row.member_id, row.source, row.reason, row.id))
    return {pid: dict(members) for pid, members in out.items()}


def of_proposals(proposal_ids: Sequence[int]) -> dict[int, dict[int, list[ConflictEntry]]]:
    """Every conflict of the given proposals, in three queries whatever their number."""
    if not proposal_ids:
        return {}
    ids = list(proposal_ids)
    derived: dict[int, dict[int, str]] = {pid: {} for pid in ids}
    leads = dict(db.session.execute(select(Proposal.id, Proposal.lead_member_id).where(Proposal.id.in_(ids))).all())
    partners: dict[int, list[int | None]] = defaultdict(list)
    for pid, member_id in db.session.execute(select(ProposalPartner.proposal_id, ProposalPartner.member_id)
                                             .where(ProposalPartner.proposal_id.in_(ids),
                                                    ProposalPartner.member_id.is_not(None))):
        partners[pid].append(member_id)
    for pid in ids:
        derived[pid] = derive(leads.get(pid), partners.get(pid, ()))
    stored = db.session.scalars(select(Conflict).where(Conflict.proposal_id.in_(ids)).order_by(Conflict.id)).all()
    return merge(derived, stored)


def of_call(call_id: int) -> dict[int, dict[int, list[ConflictEntry]]]:
    """Every conflict of a call's proposals (see ``of_proposals``)."""
    ids = list(db.session.scalars(select(Proposal.id).where(Proposal.call_id == call_id)))
    return of_proposals(ids)


def conflicted_member_ids(proposal_id: int) -> set[int]:
    return set(of_proposals([proposal_id]).get(proposal_id, {}))


def is_conflicted(user: Any, proposal_id: int, *, known: Mapping[int, Mapping[int, Any]] | None = None) -> bool:
    """Whether ``user`` speaks for a member conflicted with the proposal (the secretariat never is).

    ``known``: conflicts already loaded with ``of_call``/``of_proposals`` (no query then).
    """
    member_id = getattr(user, "member_id", None)
    if member_id is None or Role.secretariat in roles_of(user):
        return False
    if known is not None:
        return member_id in known.get(proposal_id, {})
    return member_id in conflicted_member_ids(proposal_id)


def ensure_free(user: Any, proposal_id: int, *, known: Mapping[int, Mapping[int, Any]] | None = None) -> None:
    """Refuse a conflicted user (services call this; routes turn it into a 403)."""
    if is_conflicted(user, proposal_id, known=known):
        raise ConflictOfInterest(_l("You have a conflict of interest with this proposal: you cannot see or score "
                                    "its reviews."))


def _ensure_before_decision(proposal: Proposal) -> None:
    """Conflicts are settled before the decision: afterwards they would change which reviews counted."""
    if proposal.call.status in (CallStatus.decided, CallStatus.published):
        raise DomainError(_l("The committee's decision is recorded: its conflicts of interest can no longer "
                             "change."), field="reason")


def add(proposal: Proposal, *, member_id: int, source: str, reason: str, actor: Any) -> Conflict:
    """Record (secretariat) or declare (reviewer) a conflict with its reason; audited. Flush, no commit."""
    if source not in (ConflictSource.recorded, ConflictSource.declared):
        raise ValueError(source)
    _ensure_before_decision(proposal)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(_l("Give the reason for the conflict of interest (at least 5 characters)."), field="reason")
    row = Conflict(call_id=proposal.call_id, proposal_id=proposal.id, member_id=member_id, source=source,
                   reason=reason, created_by_id=getattr(actor, "id", None))
    if not add_unique(row):
        raise DomainError(_l("This conflict of interest is already on record."), field="reason")
    audit.record(f"conflict.{source}", "proposal", proposal.id, actor=actor,
                 after={"member_id": member_id, "source": source, "reason": reason})
    return row


def remove(row: Conflict, *, actor: Any) -> None:
    """Withdraw a recorded conflict (secretariat only; a declared one stays, it is the reviewer's word)."""
    if row.source != ConflictSource.recorded:
        raise DomainError(_l("Only a conflict recorded by the secretariat can be withdrawn."))
    _ensure_before_decision(row.proposal)
    audit.record("conflict.withdrawn", "proposal", row.proposal_id, actor=actor,
                 before={"member_id": row.member_id, "source": row.source, "reason": row.reason})
    db.session.delete(row)
    db.session.flush()
