"""Eligibility of a proposal: the facts the rules look at, read from the proposal as it is now, and the check.

Why apart from ``app.calls.proposals``: these are reads (no state change, no
audit), shared by the proposal pages, the submission, the instruction and the
snapshots; the services that change a proposal call them, never the reverse.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app.calls import rules
from app.calls.models import Call, Proposal, ProposalStatus
from app.extensions import db
from app.members.models import CharterSignature, Member, MemberStatus
from app.members.services import current_charter

#: Eligibility outcomes point at a rule kind's section; some rules belong to a section under another name.
_OUTCOME_SECTION = {"lead": "about", "challenges": "about"}

#: Open grants held by a member, counted by the grants package (it appends one callable: member id -> count).
OPEN_GRANT_COUNTERS: list[Callable[[int], int]] = []


def funding_of(call: Call) -> rules.Funding:
    return rules.Funding.from_content((call.rule_set_version.content or {}).get("funding") or {})


def totals(proposal: Proposal) -> tuple[Decimal, Decimal, Decimal]:
    budget = sum((line.total for line in proposal.budget_lines), Decimal("0.00"))
    requested = sum((line.requested for line in proposal.budget_lines), Decimal("0.00"))
    cofinancing = sum((line.amount for line in proposal.cofinancing_lines), Decimal("0.00"))
    return budget, requested, cofinancing


def open_elsewhere(proposal: Proposal) -> int:
    """The lead's other open proposals in this call (draft or submitted), plus its open grants."""
    others = db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.call_id == proposal.call_id, Proposal.lead_member_id == proposal.lead_member_id,
        Proposal.id != proposal.id,
        Proposal.status.in_([ProposalStatus.draft, ProposalStatus.submitted]))) or 0
    return others + sum(counter(proposal.lead_member_id) for counter in OPEN_GRANT_COUNTERS)


def _signed_current_charter(member: Member) -> bool:
    charter = current_charter()
    if charter is None:
        return False
    return db.session.scalar(select(CharterSignature.id).where(
        CharterSignature.member_id == member.id, CharterSignature.charter_id == charter.id).limit(1)) is not None


def facts_of(proposal: Proposal) -> rules.ProposalFacts:
    """What the eligibility rules look at, from the proposal as it is now (its lines, not its stored totals)."""
    lead = proposal.lead_member
    budget, requested, cofinancing = totals(proposal)
    call_challenges = {c.id for c in proposal.call.challenges}
    return rules.ProposalFacts(
        lead_active=lead.status == MemberStatus.active,
        lead_signed_current_charter=_signed_current_charter(lead),
        lead_country=lead.country,
        partners=tuple(rules.Partner(p.country, p.member_id is not None) for p in proposal.partners),
        duration_months=proposal.duration_months,
        total_budget=budget, requested=requested, cofinancing=cofinancing,
        challenges=sum(1 for c in proposal.challenges if c.id in call_challenges),
        lead_open_elsewhere=open_elsewhere(proposal),
        grant=rules.max_grant(requested, budget, funding_of(proposal.call)))


def section_of(outcome: rules.Outcome) -> str:
    """The task-list section where a failed rule is fixed."""
    return _OUTCOME_SECTION.get(outcome.field, outcome.field)


@dataclass(frozen=True)
class Check:
    """Every eligibility rule of the call's version applied to a proposal, and its maximum grant."""

    facts: rules.ProposalFacts
    outcomes: list[rules.Outcome]

    @property
    def grant(self) -> rules.GrantCalculation:
        return self.facts.grant

    @property
    def eligible(self) -> bool:
        return rules.eligible(self.outcomes)

    @property
    def failures(self) -> list[rules.Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def failures_at(self, section: str) -> list[rules.Outcome]:
        return [o for o in self.failures if section_of(o) == section]


def check(proposal: Proposal) -> Check:
    eligibility = (proposal.call.rule_set_version.content or {}).get("eligibility") or {}
    facts = facts_of(proposal)
    return Check(facts=facts, outcomes=rules.evaluate(eligibility, facts))
