"""Selection: reviewers assigned to proposals, their reviews, conflicts of interest, the committee's
discussion, and the recorded decision (the funding line and each proposal's outcome).

Apart from ``models.py`` (rule sets, calls, proposals) because it is the committee's side of a call.
A *reviewer* is a signed-in person holding the committee role (the delegate or alternate of a member
organisation with a current seat); conflicts are held by that member organisation, so every
representative of a conflicted member is conflicted. Scores are computed from the marks by
``app.calls.scoring`` (never stored twice); money in integer cents.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.calls.models import Call, Proposal
from app.calls.money import from_cents
from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.members.models import Member


class ReviewStatus(LabelledEnum):
    draft = "draft"
    submitted = "submitted"

    @classmethod
    def _labels(cls):
        return {cls.draft: _l("Draft"), cls.submitted: _l("Submitted")}


class ConflictSource(LabelledEnum):
    lead = "lead"            # derived: the reviewer's member leads the proposal
    partner = "partner"      # derived: the reviewer's member is one of its partners
    recorded = "recorded"    # recorded by the secretariat with a reason (same federation, staff exchange…)
    declared = "declared"    # declared by the reviewer, with a reason

    @classmethod
    def _labels(cls):
        return {cls.lead: _l("Lead applicant"), cls.partner: _l("Partner of the proposal"),
                cls.recorded: _l("Recorded by the secretariat"), cls.declared: _l("Declared by the reviewer")}


class RankingBasis(LabelledEnum):
    raw = "raw"
    calibrated = "calibrated"

    @classmethod
    def _labels(cls):
        return {cls.raw: _l("Raw mean"), cls.calibrated: _l("Calibrated mean")}


class LineMode(LabelledEnum):
    skip = "skip"
    stop = "stop"

    @classmethod
    def _labels(cls):
        return {cls.skip: _l("Skip a proposal that does not fit and fund the next that does"),
                cls.stop: _l("Stop the line at the first proposal that does not fit")}


class DecisionOutcome(LabelledEnum):
    selected = "selected"
    reserve = "reserve"
    rejected = "rejected"

    @classmethod
    def _labels(cls):
        return {cls.selected: _l("Selected"), cls.reserve: _l("Reserve list"), cls.rejected: _l("Not selected")}


class SelectionSettings(db.Model):
    """How a call's selection runs: reviewers per proposal, review deadline, ranking, line (one row per call)."""

    __tablename__ = "selection_settings"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), primary_key=True)
    reviewers_per_proposal: Mapped[int] = mapped_column(Integer, default=3)
    review_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ranking: Mapped[str] = mapped_column(String(20), default=RankingBasis.raw)
    #: Minimum score (0–100, decimal text such as "50" or "62.5"); "" for none.
    min_score: Mapped[str] = mapped_column(String(12), default="")
    mode: Mapped[str] = mapped_column(String(10), default=LineMode.skip)
    reserve_size: Mapped[int] = mapped_column(Integer, default=3)
    #: When reviewers were last reminded of unfinished reviews (``flask calls remind``).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship()


class ReviewAssignment(db.Model):
    """A committee member asked to review a proposal (by hand or from the suggestion)."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship()
    reviewer = relationship("User", foreign_keys=[reviewer_id])


class Review(db.Model):
    """A reviewer's marks on one proposal: a draft until submitted; reopened by its author before the deadline."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The reviewer's member organisation when the review was started (conflicts are the member's).
    reviewer_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.draft, index=True)
    #: {"<criterion code>": {"score": int | None (not applicable), "justification": "…"}}
    marks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The reviewer's view of eligibility: True, False or None (no opinion).
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)

    proposal: Mapped[Proposal] = relationship()
    reviewer = relationship("User", foreign_keys=[reviewer_id])


class Conflict(db.Model):
    """A conflict of interest recorded by the secretariat or declared by a reviewer.

    Derived conflicts (the member leads or partners the proposal) are computed from the proposal, never
    stored (``app.calls.conflicts``); both kinds are listed together for the secretariat.
    """

    __tablename__ = "review_conflicts"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # ConflictSource.recorded or .declared
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship()
    member: Mapped[Member] = relationship()
    created_by = relationship("User")


class ReviewComment(db.Model):
    """The committee's discussion of one proposal (non-conflicted committee members and the secretariat)."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class SelectionDecision(db.Model):
    """The committee's recorded decision on a call: the line it was shown and what it decided.

    One per call (the unique constraint and the call's status decide between two concurrent records).
    """

    __tablename__ = "selection_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ranking: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
    min_score: Mapped[str] = mapped_column(String(12), default="")
    envelope_cents: Mapped[int] = mapped_column(BigInteger)
    committed_cents: Mapped[int] = mapped_column(BigInteger)
    #: ``Allocation.to_dict()``: the line, the seed, the draw, every placement.
    allocation: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Per proposal, the scores as decided (n, mean, calibrated mean, per criterion) for the record.
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    minutes: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    call: Mapped[Call] = relationship()
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    items: Mapped[list[ProposalDecision]] = relationship(back_populates="decision", order_by="ProposalDecision.id")

    @property
    def envelope(self) -> Decimal:
        return from_cents(self.envelope_cents)

    @property
    def committed(self) -> Decimal:
        return from_cents(self.committed_cents)


class ProposalDecision(db.Model):
    """One proposal's outcome in a recorded decision; a departure from the line carries its reason."""

    __tablename__ = "proposal_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("selection_decisions.id"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))  # DecisionOutcome
    line_outcome: Mapped[str] = mapped_column(String(20))  # allocation.FUNDED, RESERVE, …
    rank: Mapped[int | None] = mapped_column(Integer)
    #: The ranking's score, exact ("143/2"; a calibrated mean's fraction can be long), "" when unscored.
    score: Mapped[str] = mapped_column(Text, default="")
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    departure: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    letter_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decision: Mapped[SelectionDecision] = relationship(back_populates="items")
    proposal: Mapped[Proposal] = relationship()

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)
