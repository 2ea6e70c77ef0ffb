"""A selection decided and (optionally) published, written directly through the models: the explanation,
letter, report and export tests read it.

``scene()`` builds a call with three criteria, four submitted proposals (the world's own member leads the
first; the fourth is ineligible: 48 months), three reviewers with distinct justifications, a fourth
reviewer conflicted with the first proposal (a partner) whose review must never count, and ``record``
draws the line with ``allocation.allocate`` and writes the decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.calls import allocation, queries, review_queries, scoring
from app.calls.models import CallStatus
from app.calls.money import to_cents
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders, review_builders

#: Reviewer i's justification of each criterion (no name in them: the tests look for names elsewhere).
TEXTS = ("Clear answer to the call's challenges, well argued.",
         "Relevant but the target group is vague in places.",
         "مشروع ممتاز يستجيب للتحديات المطروحة")


@dataclass
class Scene:
    call_id: int
    proposal_ids: list[int]  # own (scored 80), second, third, ineligible
    reviewer_emails: list[str]
    reviewer_names: list[str]
    reviewer_member_names: list[str]
    conflicted_email: str
    conflicted_name: str
    conflicted_member_name: str
    decision_id: int | None = None


def _review(proposal, user, scores, text) -> None:  # noqa: ANN001
    review_builders.review(proposal, user, scores, justification=text)


def scene(world: factories.World) -> Scene:
    """The call, proposals and reviews (no decision yet); the call is in review."""
    version = builders.version(review_builders.criteria_content())
    call = builders.call(version, status=CallStatus.in_review, title="Appel Jeunesse 2026", envelope="120000")
    own = db.session.get(Member, world.member_id)
    lead2 = factories.member("Coopérative du Littoral", country="FR")
    lead3 = factories.member("Union des Femmes de Sousse", country="TN", college_code="cs-tn")
    lead4 = factories.member("Réseau Tardif", country="FR")  # nobody to write to: its letter is not sent
    factories.user("lead-littoral@example.org", member=lead2, delegate=True, name="Delegate Littoral")
    factories.user("lead-sousse@example.org", member=lead3, delegate=True, name="Delegate Sousse")
    p1 = builders.proposal(call, own, title="Jeunes et numérique")
    p2 = builders.proposal(call, lead2, title="Pêche durable")
    p3 = builders.proposal(call, lead3, title="Artisanat au féminin")
    p4 = builders.proposal(call, lead4, title="Projet trop long", duration=48)
    reviewers = review_builders.committee(3, prefix="jury")
    # p1: 100, 80, 60 (n/a on partnership) → 80; p2: 70 each; p3: 60 each; p4 (ineligible): 90
    _review(p1, reviewers[0], {"relevance": 5, "impact": 10, "partnership": 5}, TEXTS[0])
    _review(p1, reviewers[1], {"relevance": 4, "impact": 8, "partnership": 4}, TEXTS[1])
    _review(p1, reviewers[2], {"relevance": 3, "impact": 6, "partnership": None}, TEXTS[2])
    for p, (r, i, q) in ((p2, (4, 6, 3)), (p3, (3, 6, 3)), (p4, (5, 8, 4))):
        for k, person in enumerate(reviewers):
            _review(p, person, {"relevance": r, "impact": i, "partnership": q}, TEXTS[k])
    conflicted = review_builders.committee(1, prefix="partenaire")[0]
    review_builders.partner_member(p1, conflicted.member)
    _review(p1, conflicted, {"relevance": 0, "impact": 0, "partnership": 0},
            "A review by a conflicted organisation that must never count.")
    db.session.flush()
    return Scene(call_id=call.id, proposal_ids=[p1.id, p2.id, p3.id, p4.id],
                 reviewer_emails=[u.email for u in reviewers], reviewer_names=[u.full_name for u in reviewers],
                 reviewer_member_names=[u.member.name for u in reviewers], conflicted_email=conflicted.email,
                 conflicted_name=conflicted.full_name, conflicted_member_name=conflicted.member.name)


def record(call_id: int, *, published: bool = True, reserve_size: int = 1,
           decided: dict[int, tuple[str, int, str]] | None = None) -> SelectionDecision:
    """Draw the line as ``selection.record_decision`` would (raw ranking, skip mode) and write the decision;
    ``decided``: proposal id → (outcome, amount in cents, reason) for departures."""
    from app.calls.models import Call

    call = db.session.get(Call, call_id)
    criteria = review_queries.criteria_of(call)
    facts = review_queries.review_facts(call.id)
    proposals = review_queries.submitted_proposals(call.id)
    eligibility = queries.eligibility_of(proposals)
    candidates = [allocation.Candidate(
        p.id, scoring.aggregate(criteria, facts.get(p.id, []), threshold=25).mean,
        eligibility[p.id].effective is True, p.max_grant_cents or 0, p.max_grant_cents) for p in proposals]
    line = allocation.allocate(candidates, call.envelope_cents, mode="skip", reserve_size=reserve_size)
    now = utcnow()
    decision = SelectionDecision(call_id=call.id, ranking="raw", mode="skip", min_score="",
                                 envelope_cents=call.envelope_cents, committed_cents=0, allocation=line.to_dict(),
                                 scores={}, minutes="", published_at=now if published else None)
    db.session.add(decision)
    committed = 0
    for placement in line.placements:
        outcome = allocation.line_decision(placement.outcome)
        amount = placement.amount_cents
        reason = ""
        departure = False
        if decided and placement.proposal_id in decided:
            outcome, amount, reason = decided[placement.proposal_id]
            departure = outcome != allocation.line_decision(placement.outcome)
        committed += amount if outcome == "selected" else 0
        db.session.add(ProposalDecision(decision=decision, call_id=call.id, proposal_id=placement.proposal_id,
                                        outcome=outcome, line_outcome=placement.outcome, rank=placement.rank,
                                        score=scoring.exact(placement.score), amount_cents=amount,
                                        departure=departure, reason=reason))
    decision.committed_cents = committed
    call.status = CallStatus.published if published else CallStatus.decided
    db.session.flush()
    return decision


def euros_cents(value: str) -> int:
    return to_cents(Decimal(value))
