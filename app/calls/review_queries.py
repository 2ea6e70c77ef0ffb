"""Reads shared by the review, selection and decision pages: reviewers, settings, submitted reviews.

Each function issues a fixed number of queries whatever the number of proposals or reviews, so the
pages built on them stay bounded (tests/calls/test_bounded_queries.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls import scoring
from app.calls.conflicts import of_call as conflicts_of_call
from app.calls.models import Call, Proposal, ProposalStatus
from app.calls.selection_models import Review, ReviewStatus, SelectionSettings
from app.elections.services import committee_member_ids
from app.extensions import db


def settings_of(call: Call) -> SelectionSettings:
    """The call's selection settings; a pending default row (reviewers 3, raw ranking, skip) when none yet.

    The row is added to the session (flushed by the next write) so the settings forms can edit it.
    """
    row = db.session.get(SelectionSettings, call.id)
    if row is None:
        row = SelectionSettings(call_id=call.id, reviewers_per_proposal=3, ranking="raw", min_score="",
                                mode="skip", reserve_size=3)
        db.session.add(row)
    return row


def criteria_of(call: Call) -> list[scoring.Criterion]:
    """The selection criteria of the rule-set version the call keeps."""
    return scoring.criteria_of(call.rule_set_version.content)


def threshold_of(call: Call) -> int:
    return scoring.disagreement_threshold(call.rule_set_version.content)


def reviewers() -> list[User]:
    """People who may review: active delegates and alternates of members holding a current seat.

    Ordered by member then delegate first, so a suggestion takes the delegate of each organisation first.
    """
    member_ids = committee_member_ids()
    if not member_ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.member_id.in_(member_ids), User.active.is_(True))
        .options(selectinload(User.member)).order_by(User.member_id, User.is_delegate.desc(), User.id)))


def submitted_proposals(call_id: int) -> list[Proposal]:
    """The proposals under review: submitted ones, by id, with their lead member loaded."""
    return list(db.session.scalars(
        select(Proposal).where(Proposal.call_id == call_id, Proposal.status == ProposalStatus.submitted)
        .options(selectinload(Proposal.lead_member)).order_by(Proposal.id)))


def submitted_reviews(call_id: int) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.call_id == call_id,
                                                        Review.status == ReviewStatus.submitted)
                                   .order_by(Review.proposal_id, Review.id)))


def facts_of(reviews: Sequence[Review]) -> dict[int, list[scoring.ReviewFacts]]:
    """Proposal id → its reviews as ``scoring.ReviewFacts`` (pure data for aggregate and calibrate)."""
    out: dict[int, list[scoring.ReviewFacts]] = defaultdict(list)
    for r in reviews:
        out[r.proposal_id].append(scoring.ReviewFacts(review_id=r.id, reviewer_id=r.reviewer_id,
                                                      proposal_id=r.proposal_id,
                                                      marks=scoring.marks_from_dict(r.marks), eligible=r.eligible))
    return dict(out)


def counted(reviews: Sequence[Review], conflicts: Mapping[int, Mapping[int, object]]) -> list[Review]:
    """The reviews that count: a review by a member conflicted with its proposal (a conflict declared or
    recorded after the review was written) is never counted."""
    return [r for r in reviews if r.reviewer_member_id is None or r.reviewer_member_id not in conflicts.get(r.proposal_id, {})]


def review_facts(call_id: int, *, conflicts: Mapping[int, Mapping[int, object]] | None = None
                 ) -> dict[int, list[scoring.ReviewFacts]]:
    """Every counted submitted review of a call, grouped by proposal (four queries; one with ``conflicts``
    already loaded by ``app.calls.conflicts.of_call``)."""
    known = conflicts_of_call(call_id) if conflicts is None else conflicts
    return facts_of(counted(submitted_reviews(call_id), known))
