"""Builders shared by the selection tests (reviews, ranking, decisions, letters): committee members with seats,
assignments and reviews made directly through the models (no service), and a rule set content with criteria.

Kept small and stable: owners of the review, selection and decision tests import these.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count
from typing import Any

from sqlalchemy import insert

from app.auth.models import User
from app.calls.models import Call, Proposal
from app.calls.selection_models import Review, ReviewAssignment, ReviewStatus
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.calls.ruleset_helpers import seat

_seq = count(1)

#: Long enough for any ``min_justification`` of ``criteria_content``.
JUSTIFICATION = "A justification long enough for every criterion of the rule set."


def criteria_content(*, threshold: int | None = None, criteria: Mapping[str, Mapping[str, Any]] | None = None,
                     **kwargs: Any) -> dict[str, Any]:
    """A rule set's content (``builders.content``) with three criteria: relevance (weight 3, /5), impact
    (weight 2, /10) and partnership (weight 1, /5, "not applicable" allowed); ``threshold`` sets
    ``selection.disagreement_threshold``; ``criteria`` replaces them all; other keywords go to ``content``."""
    result = builders.content(**kwargs)
    result["criteria"] = {code: dict(raw) for code, raw in (criteria or {
        "relevance": {"name": {"fr": "Pertinence", "en": "Relevance", "ar": "الملاءمة"},
                      "description": {"fr": "", "en": "", "ar": ""}, "weight": 3, "scale_max": 5,
                      "na_allowed": False, "min_justification": 20, "position": 1},
        "impact": {"name": {"fr": "Impact", "en": "Impact", "ar": "الأثر"},
                   "description": {"fr": "", "en": "", "ar": ""}, "weight": 2, "scale_max": 10,
                   "na_allowed": False, "min_justification": 10, "position": 2},
        "partnership": {"name": {"fr": "Partenariat", "en": "Partnership", "ar": "الشراكة"},
                        "description": {"fr": "", "en": "", "ar": ""}, "weight": 1, "scale_max": 5,
                        "na_allowed": True, "min_justification": 0, "position": 3},
    }).items()}
    if threshold is not None:
        result["selection"] = {"disagreement_threshold": threshold}
    return result


def many_criteria(n: int = 8) -> dict[str, dict[str, Any]]:
    """``n`` criteria c1..cn (weights 1..3, scale 5 or 10, every third allows n/a) for ``criteria_content``."""
    return {f"c{i}": {"name": {"fr": f"Critère {i}", "en": f"Criterion {i}", "ar": f"Critère {i}"},
                      "description": {"fr": "", "en": "", "ar": ""}, "weight": 1 + i % 3,
                      "scale_max": 10 if i % 2 else 5, "na_allowed": i % 3 == 0, "min_justification": 0,
                      "position": i}
            for i in range(1, n + 1)}


def committee(n: int, *, country: str = "FR", prefix: str = "reviewer") -> list[User]:
    """``n`` committee members: each the delegate of its own member organisation holding a current seat."""
    people = []
    for _ in range(n):
        i = next(_seq)
        item = factories.member(f"Organisation du comité {prefix} {i}", country=country)
        person = factories.user(f"{prefix}-{i}@example.org", member=item, delegate=True,
                                name=f"Reviewer {prefix.title()} {i}")
        seat(item)
        people.append(person)
    db.session.flush()
    return people


def partner_member(proposal: Proposal, member: Member, *, country: str | None = None) -> None:
    """Make ``member`` a partner of ``proposal`` (a derived conflict for its representatives)."""
    from app.calls.models import ProposalPartner

    proposal.partners.append(ProposalPartner(name=member.name, country=country or member.country,
                                             kind="association", role="Partenaire", member_id=member.id))
    db.session.flush()


def assign(proposal: Proposal, user: User, *, suggested: bool = False) -> ReviewAssignment:
    item = ReviewAssignment(call_id=proposal.call_id, proposal_id=proposal.id, reviewer_id=user.id,
                            suggested=suggested)
    db.session.add(item)
    db.session.flush()
    return item


def marks(scores: Mapping[str, int | None], justification: str = JUSTIFICATION) -> dict[str, Any]:
    """Stored marks from ``{code: score or None (n/a)}``, every justification the same long text."""
    return {code: {"score": score, "justification": justification} for code, score in scores.items()}


def review(proposal: Proposal, user: User, scores: Mapping[str, int | None], *, eligible: bool | None = None,
           submitted: bool = True, assign_too: bool = True, justification: str = JUSTIFICATION) -> Review:
    """A review (submitted unless told otherwise) of ``proposal`` by ``user``; assigned first unless told."""
    if assign_too and db.session.query(ReviewAssignment).filter_by(proposal_id=proposal.id,
                                                                  reviewer_id=user.id).first() is None:
        assign(proposal, user)
    now = utcnow()
    item = Review(call_id=proposal.call_id, proposal_id=proposal.id, reviewer_id=user.id,
                  reviewer_member_id=user.member_id,
                  status=ReviewStatus.submitted if submitted else ReviewStatus.draft,
                  marks=marks(scores, justification), eligible=eligible, submitted_at=now if submitted else None)
    db.session.add(item)
    db.session.flush()
    return item


def many_reviews(call: Call, reviewers: Sequence[User], scores_of: Any, *, per_proposal: int = 3,
                 proposal_ids: Sequence[int] | None = None) -> int:
    """Bulk submitted reviews (bounded-queries tests, benchmark): each proposal of ``call`` (or
    ``proposal_ids``) is reviewed by ``per_proposal`` reviewers taken in turn from ``reviewers``;
    ``scores_of(proposal_index, reviewer_index) -> {code: score}``. Returns the number of reviews."""
    if proposal_ids is None:
        proposal_ids = list(db.session.scalars(
            db.select(Proposal.id).where(Proposal.call_id == call.id).order_by(Proposal.id)))
    now = utcnow()
    assignments, rows = [], []
    for pi, pid in enumerate(proposal_ids):
        for k in range(per_proposal):
            ri = (pi * per_proposal + k) % len(reviewers)
            person = reviewers[ri]
            assignments.append({"call_id": call.id, "proposal_id": pid, "reviewer_id": person.id,
                                "assigned_at": now, "suggested": False})
            rows.append({"call_id": call.id, "proposal_id": pid, "reviewer_id": person.id,
                         "reviewer_member_id": person.member_id, "status": ReviewStatus.submitted.value,
                         "marks": marks(scores_of(pi, ri)), "eligible": None, "created_at": now,
                         "updated_at": now, "submitted_at": now, "reopened_count": 0})
    if rows:
        db.session.execute(insert(ReviewAssignment), assignments)
        db.session.execute(insert(Review), rows)
        db.session.flush()
    return len(rows)


def grow_reviewed(call_id: int, lead_id: int, reviewer_ids: Sequence[int], n: int, done: set[int],
                  scores_of: Any, *, per_proposal: int) -> None:
    """Bounded-queries tests: add ``n`` proposals led by ``lead_id`` to the call, review every proposal not
    yet in ``done`` (``many_reviews`` with ``scores_of`` and ``per_proposal``), add them to ``done``, commit."""
    call = db.session.get(Call, call_id)
    builders.many_proposals(call, [db.session.get(Member, lead_id)], n)
    ids = [pid for pid in db.session.scalars(db.select(Proposal.id).where(Proposal.call_id == call_id)
                                             .order_by(Proposal.id)) if pid not in done]
    many_reviews(call, [db.session.get(User, i) for i in reviewer_ids], scores_of, per_proposal=per_proposal,
                 proposal_ids=ids)
    done.update(ids)
    db.session.commit()
