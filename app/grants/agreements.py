"""The grant agreement: made from a selected proposal, edited while a draft, signed by both parties (the
award is then committed in the ledger), activated, suspended and resumed, moved to closing, or terminated
with a reason. Every change is audited.

Who may see a grant: the secretariat, and the representatives (delegate, alternates) of the lead member.
Services take an explicit ``actor``, check the state, raise ``DomainError``, flush and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calls import letters
from app.calls.models import Call, CallStatus, Proposal
from app.calls.money import euros, from_cents
from app.calls.selection_models import DecisionOutcome, ProposalDecision
from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import Role, can, roles_of
from app.core.timeutil import add_days, add_months, utcnow
from app.extensions import db
from app.grants import ledger, rules
from app.grants.instalments import schedule_message
from app.grants.models import (
    BudgetVersion,
    Grant,
    GrantBudgetLine,
    GrantCofinancing,
    GrantIndicator,
    GrantPartner,
    GrantStatus,
    Instalment,
)

LANGUAGES = ("fr", "en", "ar")
#: Calls whose decision is recorded: their selected proposals may become grants.
DECIDED = (CallStatus.decided, CallStatus.published)
MIN_REASON = 10


# Who may see a grant ----------------------------------------------------------------------------------

def is_grantee(grant: Grant, user: Any) -> bool:
    """The user acts for the lead member (its delegate or one of its alternates)."""
    return (bool(getattr(user, "is_authenticated", False)) and getattr(user, "member_id", None) is not None
            and user.member_id == grant.lead_member_id)


def is_secretariat(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and Role.secretariat in roles_of(user)


def can_view(grant: Grant, user: Any) -> bool:
    """The secretariat (all grants) and the grantee's representatives (their own)."""
    return can(user, "grant.view") and (is_secretariat(user) or is_grantee(grant, user))


# Selected proposals ----------------------------------------------------------------------------------

def selected_item(proposal_id: int) -> ProposalDecision | None:
    """The proposal's decision when it was selected in a recorded decision (None otherwise)."""
    item = db.session.scalar(select(ProposalDecision).where(ProposalDecision.proposal_id == proposal_id)
                             .options(selectinload(ProposalDecision.proposal)))
    if item is None or item.outcome != DecisionOutcome.selected or item.proposal.call.status not in DECIDED:
        return None
    return item


def selected_without_grant(call_id: int | None = None) -> list[ProposalDecision]:
    """Selected proposals of decided calls that have no grant yet (oldest call first)."""
    query = (select(ProposalDecision).join(Call, Call.id == ProposalDecision.call_id)
             .outerjoin(Grant, Grant.proposal_id == ProposalDecision.proposal_id)
             .where(ProposalDecision.outcome == DecisionOutcome.selected, Call.status.in_(DECIDED),
                    Grant.id.is_(None))
             .options(selectinload(ProposalDecision.proposal).selectinload(Proposal.lead_member))
             .order_by(ProposalDecision.call_id, ProposalDecision.rank, ProposalDecision.proposal_id))
    if call_id is not None:
        query = query.where(ProposalDecision.call_id == call_id)
    return list(db.session.scalars(query))


def grants_by_proposal(proposal_ids: list[int]) -> dict[int, int]:
    """proposal id → grant id, for the proposals that already have a grant."""
    if not proposal_ids:
        return {}
    rows = db.session.execute(select(Grant.proposal_id, Grant.id).where(Grant.proposal_id.in_(proposal_ids)))
    return {proposal_id: grant_id for proposal_id, grant_id in rows}


def next_number(call_id: int) -> str:
    """``<prefix>-<call id>-<nn>``: the next free number of the call (prefix ``GRANT_NUMBER_PREFIX``)."""
    prefix = current_app.config.get("GRANT_NUMBER_PREFIX") or "PCPA"
    taken = set(db.session.scalars(select(Grant.number).where(Grant.call_id == call_id)))
    n = len(taken) + 1
    while f"{prefix}-{call_id}-{n:02d}" in taken:
        n += 1
    return f"{prefix}-{call_id}-{n:02d}"


def _tolerance(call: Call) -> int:
    """The variance tolerance of the call's rule set (percent; 10 by default)."""
    content = call.rule_set_version.content if call.rule_set_version else {}
    value = (content.get("grants") or {}).get("tolerance_percent", 10) if isinstance(content, dict) else 10
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 10


def _side(name: str, partners: list[GrantPartner]) -> GrantPartner | None:
    """The partner an indicator names (its name appears in the indicator's), else None: the lead."""
    folded = name.casefold()
    return next((p for p in partners if p.name and p.name.casefold() in folded), None)


@dataclass(frozen=True)
class Terms:
    """What the secretariat sets on the agreement."""

    title: str
    summary: str
    starts_on: date
    ends_on: date
    awarded_cents: int
    local_currency: str = ""
    language: str = "fr"


def _check_terms(terms: Terms, proposal: Proposal) -> None:
    if not terms.title.strip():
        raise DomainError(_("Enter the title of the grant."), field="title")
    if terms.ends_on <= terms.starts_on:
        raise DomainError(_("The end date must be after the start date."), field="ends_on")
    if terms.awarded_cents <= 0:
        raise DomainError(_("Enter an award above zero."), field="awarded")
    maximum = proposal.max_grant_cents
    if maximum is not None and terms.awarded_cents > maximum:
        raise DomainError(_("The award cannot be above the proposal's maximum grant (%(max)s).",
                            max=euros(from_cents(maximum))), field="awarded")
    if terms.language not in LANGUAGES:
        raise DomainError(_("Choose a language."), field="language")
    if terms.local_currency and (len(terms.local_currency) != 3 or not terms.local_currency.isalpha()):
        raise DomainError(_("Enter a currency code of three letters, such as TND."), field="local_currency")


def default_terms(item: ProposalDecision) -> Terms:
    """What the form proposes: the proposal's title, dates and the decided amount, the lead's language."""
    proposal = item.proposal
    starts = proposal.starts_on or date.today()
    months = proposal.duration_months or 12
    ends = add_days(add_months(starts.replace(day=1), months), -1)  # the last day of the last month
    return Terms(title=proposal.title, summary=proposal.summary or "", starts_on=starts, ends_on=ends,
                 awarded_cents=item.amount_cents or 0, language=_language_of(proposal))


def _language_of(proposal: Proposal) -> str:
    locale = letters.letter_locale(proposal)
    return locale if locale in LANGUAGES else "fr"


def create_grant(item: ProposalDecision, terms: Terms, *, actor: Any) -> Grant:
    """A draft agreement from a selected proposal, carrying over its lead, partners, budget lines (version 1,
    codes L1, L2…), co-financing and indicators."""
    if item.outcome != DecisionOutcome.selected:
        raise DomainError(_("Only a selected proposal can become a grant."))
    proposal = item.proposal
    call = proposal.call
    if call.status not in DECIDED:
        raise DomainError(_("The call's decision is not recorded."))
    if db.session.scalar(select(func.count(Grant.id)).where(Grant.proposal_id == proposal.id)):
        raise DomainError(_("This proposal already has a grant."))
    _check_terms(terms, proposal)
    grant = Grant(number=next_number(call.id), call_id=call.id, proposal_id=proposal.id,
                  lead_member_id=proposal.lead_member_id, title=terms.title.strip(), summary=terms.summary.strip(),
                  starts_on=terms.starts_on, ends_on=terms.ends_on, awarded_cents=terms.awarded_cents,
                  currency="EUR", local_currency=terms.local_currency.upper(), language=terms.language,
                  status=GrantStatus.draft, tolerance_percent=_tolerance(call),
                  created_by_id=getattr(actor, "id", None))
    db.session.add(grant)
    db.session.flush()
    partners = [GrantPartner(grant_id=grant.id, member_id=p.member_id, name=p.name, country=p.country, kind=p.kind,
                             role=p.role) for p in proposal.partners]
    db.session.add_all(partners)
    version = BudgetVersion(grant_id=grant.id, number=1, ends_on=terms.ends_on)
    db.session.add(version)
    db.session.flush()
    db.session.add_all([GrantBudgetLine(version_id=version.id, code=f"L{i}", position=i, category=b.category,
                                        description=b.description, planned_cents=b.total_cents,
                                        grant_cents=b.requested_cents)
                        for i, b in enumerate(proposal.budget_lines, 1)])
    db.session.add_all([GrantCofinancing(grant_id=grant.id, source=c.source, amount_cents=c.amount_cents,
                                         confirmed=c.confirmed) for c in proposal.cofinancing_lines])
    db.session.flush()
    for indicator in proposal.indicators:
        side = _side(indicator.name, partners)
        db.session.add(GrantIndicator(grant_id=grant.id, partner_id=side.id if side else None, name=indicator.name,
                                      unit=indicator.unit, baseline=indicator.baseline, target=indicator.target))
    db.session.flush()
    audit.record("grant.created", "grant", grant.id, actor=actor,
                 after={"number": grant.number, "proposal": proposal.id, "awarded_cents": grant.awarded_cents,
                        "starts_on": grant.starts_on, "ends_on": grant.ends_on, "language": grant.language})
    return grant


def _terms_dict(grant: Grant) -> dict[str, Any]:
    return {"title": grant.title, "summary": grant.summary, "starts_on": grant.starts_on, "ends_on": grant.ends_on,
            "awarded_cents": grant.awarded_cents, "local_currency": grant.local_currency, "language": grant.language}


def update_terms(grant: Grant, terms: Terms, *, actor: Any) -> Grant:
    """Edit the agreement while it is a draft."""
    grant = ledger.locked_grant(grant.id)
    if grant.status != GrantStatus.draft:
        raise DomainError(_("The agreement can be edited only while it is a draft."))
    _check_terms(terms, grant.proposal)
    before = _terms_dict(grant)
    grant.title, grant.summary = terms.title.strip(), terms.summary.strip()
    grant.starts_on, grant.ends_on = terms.starts_on, terms.ends_on
    grant.awarded_cents = terms.awarded_cents
    grant.local_currency, grant.language = terms.local_currency.upper(), terms.language
    first = db.session.scalar(select(BudgetVersion).where(BudgetVersion.grant_id == grant.id,
                                                          BudgetVersion.number == 1))
    if first is not None:
        first.ends_on = terms.ends_on
    db.session.flush()
    audit.record("grant.edited", "grant", grant.id, actor=actor, before=before, after=_terms_dict(grant))
    return grant


def sign(grant: Grant, *, grantee_on: date, programme_on: date, actor: Any, today: date | None = None) -> Grant:
    """Record both signature dates: the agreement is signed and the award committed in the ledger. The
    instalments must add up exactly to the award first."""
    grant = ledger.locked_grant(grant.id)
    problem = rules.check_transition(grant.status, GrantStatus.signed)
    if problem is not None:
        raise DomainError(transition_message(problem))
    today = today or date.today()
    for field, value in (("grantee_on", grantee_on), ("programme_on", programme_on)):
        if value > today:
            raise DomainError(_("A signature date cannot be in the future."), field=field)
    amounts = list(db.session.scalars(select(Instalment.amount_cents).where(Instalment.grant_id == grant.id)))
    problems = rules.check_schedule(amounts, grant.awarded_cents)
    if problems:
        raise DomainError(_("Set the instalments first: %(why)s", why=schedule_message(problems[0])))
    grant.signed_by_grantee_on, grant.signed_by_programme_on = grantee_on, programme_on
    grant.status = GrantStatus.signed
    db.session.flush()
    audit.record("grant.signed", "grant", grant.id, actor=actor, before={"status": GrantStatus.draft.value},
                 after={"status": GrantStatus.signed.value, "grantee_on": grantee_on, "programme_on": programme_on})
    ledger.record_commitment(grant, on=max(grantee_on, programme_on), actor=actor)
    return grant


def transition_message(problem: rules.Problem) -> str:
    p = problem.params
    if problem.key == "reason_required":
        return _("Give the reason for terminating the grant.")
    if problem.key == "final_status":
        return _("A closed or terminated grant does not change any more.")
    if problem.key == "same_status":
        return _("The grant already has this status.")
    if problem.key == "not_allowed":
        return _("A grant cannot go from “%(from)s” to “%(to)s”.", **{"from": GrantStatus(p["from"]).label,
                                                                        "to": GrantStatus(p["to"]).label})
    return problem.key


#: Moves offered on the status page (signing has its own page; closing is the closure's).
STATUS_MOVES = (GrantStatus.active, GrantStatus.suspended, GrantStatus.closing, GrantStatus.terminated)


def moves(grant: Grant) -> list[GrantStatus]:
    """The statuses the status page offers from the grant's current one (closing a grant is done on its
    closing page, where the balance is settled)."""
    allowed = rules.allowed_transitions(grant.status)
    return [s for s in STATUS_MOVES if s.value in allowed and s != GrantStatus.closed]


def change_status(grant: Grant, target: str, *, actor: Any, reason: str = "", settled: bool = False) -> Grant:
    """Move the grant to ``target`` (``rules.check_transition``); termination needs a written reason.

    ``closed`` only with ``settled`` (``app.grants.closure.close``, which settles the balance first).
    """
    grant = ledger.locked_grant(grant.id)
    if target == GrantStatus.signed:
        raise DomainError(_("Record both signature dates to sign the agreement."))
    if target == GrantStatus.closed and not settled:
        raise DomainError(_("A grant is closed from its closing page, where the balance is settled."))
    problem = rules.check_transition(grant.status, target, reason=reason)
    if problem is not None:
        raise DomainError(transition_message(problem), field="reason" if problem.key == "reason_required" else None)
    if target == GrantStatus.terminated and len(reason.strip()) < MIN_REASON:
        raise DomainError(_("Explain why in at least %(n)d characters.", n=MIN_REASON), field="reason")
    before = grant.status
    grant.status = target
    grant.status_reason = reason.strip()
    if target == GrantStatus.closed:
        grant.closed_at = utcnow()
    db.session.flush()
    audit.record("grant.status", "grant", grant.id, actor=actor, before={"status": before},
                 after={"status": grant.status, "reason": grant.status_reason})
    return grant
