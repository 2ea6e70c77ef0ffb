"""Rule sets (co-built, versioned, adopted by a resolution), calls, proposals and their snapshots.

Money is stored in integer cents (``*_cents``, BIGINT: 21,474,836.47 € already overflows a 32-bit
integer on PostgreSQL) and read as ``Decimal`` euros.
A rule-set version's ``content`` never changes once written: an accepted
amendment makes a new version. A proposal is edited as a draft; submitting
writes an immutable ``ProposalSnapshot`` (the thing reviewed).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.calls.money import from_cents
from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.members.models import Member, localised


class VersionStatus(LabelledEnum):
    draft = "draft"        # open to amendments (only the head of a rule set)
    frozen = "frozen"      # sent to the assembly, awaiting the counted result
    adopted = "adopted"    # the assembly adopted it: calls may open under it
    rejected = "rejected"  # the assembly did not adopt it (rejected or no quorum)
    superseded = "superseded"  # an older draft version, replaced by a newer one

    @classmethod
    def _labels(cls):
        return {cls.draft: _l("Draft"), cls.frozen: _l("Frozen for the assembly"), cls.adopted: _l("Adopted"),
                cls.rejected: _l("Not adopted"), cls.superseded: _l("Superseded")}


class AmendmentStatus(LabelledEnum):
    proposed = "proposed"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls):
        return {cls.proposed: _l("Proposed"), cls.accepted: _l("Accepted"), cls.declined: _l("Declined"),
                cls.withdrawn: _l("Withdrawn")}


class CallStatus(LabelledEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    in_review = "in_review"
    decided = "decided"
    published = "published"

    @classmethod
    def _labels(cls):
        return {cls.draft: _l("Draft"), cls.open: _p("call", "Open"), cls.closed: _p("call", "Closed"),
                cls.in_review: _l("In review"), cls.decided: _l("Decided"), cls.published: _l("Published")}


class ProposalStatus(LabelledEnum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls):
        return {cls.draft: _l("Draft"), cls.submitted: _p("proposal", "Submitted"),
                cls.withdrawn: _p("proposal", "Withdrawn")}


class PartnerKind(LabelledEnum):
    association = "association"
    union = "union"
    cooperative = "cooperative"
    local_authority = "local_authority"
    public_body = "public_body"
    research = "research"
    company = "company"
    other = "other"

    @classmethod
    def _labels(cls):
        return {cls.association: _l("Association"), cls.union: _l("Union"), cls.cooperative: _l("Cooperative"),
                cls.local_authority: _l("Local authority"), cls.public_body: _l("Public body"),
                cls.research: _l("Research or training"), cls.company: _l("Company"), cls.other: _l("Other")}


class BudgetCategory(LabelledEnum):
    staff = "staff"
    travel = "travel"
    activities = "activities"
    equipment = "equipment"
    training = "training"
    communication = "communication"
    evaluation = "evaluation"
    overheads = "overheads"
    other = "other"

    @classmethod
    def _labels(cls):
        return {cls.staff: _l("Staff"), cls.travel: _l("Travel and missions"), cls.activities: _l("Activities"),
                cls.equipment: _l("Equipment"), cls.training: _l("Training"),
                cls.communication: _l("Communication and publications"),
                cls.evaluation: _l("Evaluation and audit"), cls.overheads: _l("Overheads"), cls.other: _l("Other")}


class Challenge(db.Model):
    """One of the programme's shared challenges (défis) adopted by the assembly; configurable."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    theme_fr: Mapped[str] = mapped_column(String(200), default="")
    theme_en: Mapped[str] = mapped_column(String(200), default="")
    theme_ar: Mapped[str] = mapped_column(String(200), default="")
    title_fr: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400), default="")
    title_ar: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def theme(self) -> str:
        return localised(self, "theme")


class RuleSet(db.Model):
    """A règlement d'appel: a line of versions, co-built by the committee."""

    __tablename__ = "rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_ar: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Number of the newest version (the head); bumped with a conditional UPDATE so two accepts cannot both win.
    head_number: Mapped[int] = mapped_column(Integer, default=1)

    versions: Mapped[list[RuleSetVersion]] = relationship(back_populates="rule_set",
                                                          order_by="RuleSetVersion.number")

    @property
    def title(self) -> str:
        return localised(self, "title")


class RuleSetVersion(db.Model):
    """One immutable version of a rule set's content."""

    __tablename__ = "rule_set_versions"
    __table_args__ = (UniqueConstraint("rule_set_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.draft, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The accepted amendment that made this version (None for the first).
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id", use_alter=True))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The resolution that puts this version to the assembly (set when frozen).
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"), unique=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The counted result that decided it: outcome, counts, electorate, participation, final hash, vote id.
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    rule_set: Mapped[RuleSet] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        return str(_l("%(title)s, version %(n)s", title=self.rule_set.title, n=self.number))


class Amendment(db.Model):
    """A committee member's proposed change to a draft rule set: leaf changes against a base version."""

    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"), index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("rule_set_versions.id"))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposer_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(300))
    rationale: Mapped[str] = mapped_column(Text)
    #: [{"path": "funding.rate", "old": "0.65", "new": "0.7"}, …] (see ``app.calls.content.Change``)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=AmendmentStatus.proposed, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rebased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    result_version_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set_versions.id"))

    rule_set: Mapped[RuleSet] = relationship()
    base_version: Mapped[RuleSetVersion] = relationship(foreign_keys=[base_version_id])
    result_version: Mapped[RuleSetVersion | None] = relationship(foreign_keys=[result_version_id])
    proposer = relationship("User", foreign_keys=[proposer_id])
    proposer_member: Mapped[Member | None] = relationship()
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    comments: Mapped[list[AmendmentComment]] = relationship(back_populates="amendment",
                                                            order_by="AmendmentComment.id")
    supports: Mapped[list[AmendmentSupport]] = relationship(back_populates="amendment")


class AmendmentComment(db.Model):
    __tablename__ = "amendment_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    amendment: Mapped[Amendment] = relationship(back_populates="comments")
    author = relationship("User")


class AmendmentSupport(db.Model):
    """A committee member's support; one per member organisation (the unique constraint decides)."""

    __tablename__ = "amendment_supports"
    __table_args__ = (UniqueConstraint("amendment_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    amendment: Mapped[Amendment] = relationship(back_populates="supports")
    member: Mapped[Member] = relationship()


call_challenges = Table(
    "call_challenges", db.metadata,
    Column("call_id", ForeignKey("calls.id"), primary_key=True),
    Column("challenge_id", ForeignKey("challenges.id"), primary_key=True),
)

proposal_challenges = Table(
    "proposal_challenges", db.metadata,
    Column("proposal_id", ForeignKey("proposals.id"), primary_key=True),
    Column("challenge_id", ForeignKey("challenges.id"), primary_key=True),
)


class Call(db.Model):
    """A call for projects, opened under one adopted rule-set version that it keeps."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_ar: Mapped[str] = mapped_column(String(300), default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    text_ar: Mapped[str] = mapped_column(Text, default="")
    envelope_cents: Mapped[int] = mapped_column(BigInteger)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rule_set_version_id: Mapped[int] = mapped_column(ForeignKey("rule_set_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CallStatus.draft, index=True)
    reminder_days: Mapped[int] = mapped_column(Integer, default=7)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    rule_set_version: Mapped[RuleSetVersion] = relationship()
    challenges: Mapped[list[Challenge]] = relationship(secondary=call_challenges, order_by="Challenge.position")

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def text(self) -> str:
        return localised(self, "text")

    @property
    def envelope(self) -> Decimal:
        return from_cents(self.envelope_cents)


class Proposal(db.Model):
    """A member's application to a call. Edited as a draft; each submission freezes a snapshot.

    A member has at most one draft per call: the partial unique index decides (two "start a proposal"
    clicks at once insert one row, ``proposals.open_draft``).
    """

    __tablename__ = "proposals"
    __table_args__ = (
        Index("uq_proposals_one_draft_per_lead", "call_id", "lead_member_id", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    lead_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.draft, index=True)
    #: Number of the latest snapshot (0 before the first submission); the conditional UPDATE that
    #: bumps it is what lets exactly one of two concurrent submits through.
    submitted_number: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    territories: Mapped[str] = mapped_column(Text, default="")
    beneficiaries_direct: Mapped[int | None] = mapped_column(Integer)
    beneficiaries_indirect: Mapped[int | None] = mapped_column(Integer)
    women_percent: Mapped[int | None] = mapped_column(Integer)
    youth_percent: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date | None] = mapped_column(Date)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    expected_results: Mapped[str] = mapped_column(Text, default="")
    main_activities: Mapped[str] = mapped_column(Text, default="")
    #: Sections the applicant marked complete (task list), e.g. ["about", "partners"].
    sections_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Totals kept in step with the lines by the services (lists sort and filter on them).
    total_budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    requested_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    cofinancing_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    max_grant_cents: Mapped[int | None] = mapped_column(BigInteger)
    #: Automatic eligibility of the latest check: True, False or None (not checked yet).
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    #: Secretariat instruction: who confirmed the eligibility, and when.
    instructed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instructed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set on seeded historical calls: the grant actually awarded (cents).
    awarded_cents: Mapped[int | None] = mapped_column(BigInteger)

    call: Mapped[Call] = relationship()
    lead_member: Mapped[Member] = relationship()
    challenges: Mapped[list[Challenge]] = relationship(secondary=proposal_challenges,
                                                       order_by="Challenge.position")
    partners: Mapped[list[ProposalPartner]] = relationship(back_populates="proposal", order_by="ProposalPartner.id",
                                                           cascade="all, delete-orphan")
    budget_lines: Mapped[list[BudgetLine]] = relationship(back_populates="proposal", order_by="BudgetLine.id",
                                                          cascade="all, delete-orphan")
    cofinancing_lines: Mapped[list[CofinancingLine]] = relationship(
        back_populates="proposal", order_by="CofinancingLine.id", cascade="all, delete-orphan")
    indicators: Mapped[list[ProposalIndicator]] = relationship(
        back_populates="proposal", order_by="ProposalIndicator.id", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="proposal", order_by="Attachment.id",
                                                         cascade="all, delete-orphan")

    @property
    def total_budget(self) -> Decimal:
        return from_cents(self.total_budget_cents)

    @property
    def requested(self) -> Decimal:
        return from_cents(self.requested_cents)

    @property
    def cofinancing(self) -> Decimal:
        return from_cents(self.cofinancing_cents)

    @property
    def max_grant(self) -> Decimal | None:
        return None if self.max_grant_cents is None else from_cents(self.max_grant_cents)

    @property
    def is_editable(self) -> bool:
        return self.status in (ProposalStatus.draft, ProposalStatus.withdrawn)


class ProposalPartner(db.Model):
    """A partner: a member of the programme or an outside organisation."""

    __tablename__ = "proposal_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(30), default=PartnerKind.association)
    role: Mapped[str] = mapped_column(Text, default="")

    proposal: Mapped[Proposal] = relationship(back_populates="partners")
    member: Mapped[Member | None] = relationship()


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500), default="")
    total_cents: Mapped[int] = mapped_column(BigInteger)
    requested_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    proposal: Mapped[Proposal] = relationship(back_populates="budget_lines")

    @property
    def total(self) -> Decimal:
        return from_cents(self.total_cents)

    @property
    def requested(self) -> Decimal:
        return from_cents(self.requested_cents)


class CofinancingLine(db.Model):
    __tablename__ = "cofinancing_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    source: Mapped[str] = mapped_column(String(300))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    proposal: Mapped[Proposal] = relationship(back_populates="cofinancing_lines")

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class ProposalIndicator(db.Model):
    """A proposed indicator that a grant will later track."""

    __tablename__ = "proposal_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60), default="")
    baseline: Mapped[str] = mapped_column(String(60), default="")
    target: Mapped[str] = mapped_column(String(60), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="indicators")


class Attachment(db.Model):
    """A file attached to a proposal, stored under ``instance/`` with a random name."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")


class ProposalSnapshot(db.Model):
    """What was submitted, frozen: the proposal's fields and lines, its eligibility and maximum grant."""

    __tablename__ = "proposal_snapshots"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: [{"kind", "passed", "reason_key"…}] as evaluated at submission (reasons re-worded at display time).
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total_budget_cents: Mapped[int] = mapped_column(BigInteger)
    requested_cents: Mapped[int] = mapped_column(BigInteger)
    max_grant_cents: Mapped[int] = mapped_column(BigInteger)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship()


class EligibilityOverride(db.Model):
    """The secretariat's override of one eligibility rule on one proposal, with its written reason."""

    __tablename__ = "eligibility_overrides"
    __table_args__ = (UniqueConstraint("proposal_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    passed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship()
    created_by = relationship("User")
