"""Grants: the agreement made from a selected proposal, its budget (versioned), instalments, the one
ledger, reports with their versions, indicators with their actuals, and budget amendments.

One ledger (``LedgerEntry``) holds every amount that moves: the commitment (the award), disbursements
and justified expenditure, typed like IATI transactions (2, 3, 4). Every total, dashboard and export is
computed from it; nothing is stored twice. An entry is never edited: a correction is a new entry with the
opposite amount that points to the one it reverses (``reverses_id``). Money in integer cents (BIGINT).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.calls.models import Call, Proposal
from app.calls.money import from_cents
from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.members.models import Member


class GrantStatus(LabelledEnum):
    draft = "draft"
    signed = "signed"
    active = "active"
    suspended = "suspended"
    closing = "closing"
    closed = "closed"
    terminated = "terminated"

    @classmethod
    def _labels(cls):
        return {cls.draft: _l("Draft agreement"), cls.signed: _p("grant", "Signed"), cls.active: _p("grant", "Active"),
                cls.suspended: _p("grant", "Suspended"), cls.closing: _l("Closing"), cls.closed: _p("grant", "Closed"),
                cls.terminated: _l("Terminated")}


class TransactionType(LabelledEnum):
    """IATI transaction type codes (the ledger's kinds)."""

    commitment = "2"
    disbursement = "3"
    expenditure = "4"

    @classmethod
    def _labels(cls):
        return {cls.commitment: _l("Commitment"), cls.disbursement: _l("Disbursement"),
                cls.expenditure: _l("Justified expenditure")}


class InstalmentCondition(LabelledEnum):
    on_signature = "on_signature"
    report_approved = "report_approved"
    expenditure_share = "expenditure_share"

    @classmethod
    def _labels(cls):
        return {cls.on_signature: _l("On signature"), cls.report_approved: _l("After a report is approved"),
                cls.expenditure_share: _l("After justified expenditure reaches a share of what was paid")}


class ReportKind(LabelledEnum):
    interim = "interim"
    final = "final"

    @classmethod
    def _labels(cls):
        return {cls.interim: _l("Interim report"), cls.final: _l("Final report")}


class ReportNature(LabelledEnum):
    narrative = "narrative"
    financial = "financial"
    combined = "combined"

    @classmethod
    def _labels(cls):
        return {cls.narrative: _l("Narrative"), cls.financial: _l("Financial"),
                cls.combined: _l("Narrative and financial")}


class ReportVersionStatus(LabelledEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"

    @classmethod
    def _labels(cls):
        return {cls.draft: _l("Draft"), cls.submitted: _p("report", "Submitted"),
                cls.returned: _p("report", "Returned"), cls.approved: _p("report", "Approved")}


class AmendmentState(LabelledEnum):
    requested = "requested"
    approved = "approved"
    declined = "declined"

    @classmethod
    def _labels(cls):
        return {cls.requested: _l("Requested"), cls.approved: _l("Approved"), cls.declined: _l("Declined")}


class Grant(db.Model):
    """The agreement with a grantee, made from a selected proposal (one grant per proposal)."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), unique=True)
    lead_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    awarded_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: The currency payments are made in locally (e.g. "TND"); each disbursement records its rate.
    local_currency: Mapped[str] = mapped_column(String(3), default="")
    #: The grantee's language for the agreement PDF and e-mails ("fr", "en", "ar").
    language: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[str] = mapped_column(String(20), default=GrantStatus.draft, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    signed_by_grantee_on: Mapped[date | None] = mapped_column(Date)
    signed_by_programme_on: Mapped[date | None] = mapped_column(Date)
    #: Tolerance of variance per budget line, percent (from the call's rule set; 10 by default).
    tolerance_percent: Mapped[int] = mapped_column(Integer, default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship()
    proposal: Mapped[Proposal] = relationship()
    lead_member: Mapped[Member] = relationship()
    partners: Mapped[list[GrantPartner]] = relationship(back_populates="grant", order_by="GrantPartner.id")
    instalments: Mapped[list[Instalment]] = relationship(back_populates="grant", order_by="Instalment.number")
    reports: Mapped[list[Report]] = relationship(back_populates="grant", order_by="Report.number")
    indicators: Mapped[list[GrantIndicator]] = relationship(back_populates="grant", order_by="GrantIndicator.id")
    budget_versions: Mapped[list[BudgetVersion]] = relationship(back_populates="grant",
                                                                order_by="BudgetVersion.number")

    @property
    def awarded(self) -> Decimal:
        return from_cents(self.awarded_cents)


class GrantPartner(db.Model):
    """A partner carried over from the proposal (a member of the programme or an outside organisation)."""

    __tablename__ = "grant_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(30), default="association")
    role: Mapped[str] = mapped_column(Text, default="")

    grant: Mapped[Grant] = relationship(back_populates="partners")
    member: Mapped[Member | None] = relationship()


class BudgetVersion(db.Model):
    """One version of a grant's budget: the first from the proposal, then one per approved amendment."""

    __tablename__ = "grant_budget_versions"
    __table_args__ = (UniqueConstraint("grant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("grant_budget_amendments.id", use_alter=True))
    ends_on: Mapped[date] = mapped_column(Date)

    grant: Mapped[Grant] = relationship(back_populates="budget_versions")
    lines: Mapped[list[GrantBudgetLine]] = relationship(back_populates="version", order_by="GrantBudgetLine.position")


class GrantBudgetLine(db.Model):
    """A budget line of one version; ``code`` stays the same across versions (expenditure refers to it)."""

    __tablename__ = "grant_budget_lines"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("grant_budget_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500), default="")
    planned_cents: Mapped[int] = mapped_column(BigInteger)
    #: Of which the programme's grant (the rest is co-financed).
    grant_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    version: Mapped[BudgetVersion] = relationship(back_populates="lines")


class GrantCofinancing(db.Model):
    __tablename__ = "grant_cofinancing"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    source: Mapped[str] = mapped_column(String(300))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    confirmed: Mapped[bool] = mapped_column(default=False)


class GrantIndicator(db.Model):
    """An indicator carried over from the proposal; ``partner_id`` says which side of the partnership it measures
    (None: the lead)."""

    __tablename__ = "grant_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("grant_partners.id"))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60), default="")
    baseline: Mapped[str] = mapped_column(String(60), default="")
    target: Mapped[str] = mapped_column(String(60), default="")

    grant: Mapped[Grant] = relationship(back_populates="indicators")
    partner: Mapped[GrantPartner | None] = relationship()


class Report(db.Model):
    """A report due from the grantee (interim or final), with its versions."""

    __tablename__ = "grant_reports"
    __table_args__ = (UniqueConstraint("grant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default=ReportKind.interim)
    nature: Mapped[str] = mapped_column(String(20), default=ReportNature.combined)
    period_starts_on: Mapped[date] = mapped_column(Date)
    period_ends_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    #: The latest version's status (kept in step by the services so lists filter on it): "" before any.
    status: Mapped[str] = mapped_column(String(20), default="", index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    grant: Mapped[Grant] = relationship(back_populates="reports")
    versions: Mapped[list[ReportVersion]] = relationship(back_populates="report", order_by="ReportVersion.number")


class ReportVersion(db.Model):
    """One version of a report: what the grantee wrote and the secretariat's comments; frozen once submitted."""

    __tablename__ = "grant_report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("grant_reports.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ReportVersionStatus.draft)
    #: {"<section>": "text"}
    narrative: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: {"<budget line code>": cents spent in the period}
    expenditure: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: {"<indicator id>": "actual value for the period"}
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The secretariat's comments per section when returned: {"<section>": "comment"}
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    report: Mapped[Report] = relationship(back_populates="versions")


class ReportAttachment(db.Model):
    """An invoice or statement attached to a report version (stored under ``instance/`` with a random name)."""

    __tablename__ = "grant_report_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("grant_report_versions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Instalment(db.Model):
    """A scheduled payment of the award with its condition; due when the condition is met (or released early)."""

    __tablename__ = "grant_instalments"
    __table_args__ = (UniqueConstraint("grant_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    condition: Mapped[str] = mapped_column(String(30), default=InstalmentCondition.on_signature)
    condition_report_id: Mapped[int | None] = mapped_column(ForeignKey("grant_reports.id"))
    condition_share_percent: Mapped[int | None] = mapped_column(Integer)
    released_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_early_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_early_reason: Mapped[str] = mapped_column(Text, default="")
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grant: Mapped[Grant] = relationship(back_populates="instalments")
    condition_report: Mapped[Report | None] = relationship()

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class LedgerEntry(db.Model):
    """One movement of money, typed like an IATI transaction; never edited (a correction reverses it)."""

    __tablename__ = "grant_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    type: Mapped[str] = mapped_column(String(2), index=True)  # TransactionType
    #: Signed euros in cents: a reversing entry has the opposite sign of the one it reverses.
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    value_date: Mapped[date] = mapped_column(Date)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("grant_instalments.id"), index=True)
    report_version_id: Mapped[int | None] = mapped_column(ForeignKey("grant_report_versions.id"))
    budget_line_code: Mapped[str] = mapped_column(String(20), default="")
    reference: Mapped[str] = mapped_column(String(120), default="")
    #: The payment in the local currency, when made in one: currency, amount (decimal text) and the rate used.
    local_currency: Mapped[str] = mapped_column(String(3), default="")
    local_amount: Mapped[str] = mapped_column(String(30), default="")
    exchange_rate: Mapped[str] = mapped_column(String(30), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("grant_ledger.id"), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)


class BudgetAmendment(db.Model):
    """The grantee's request to move amounts between budget lines and/or extend the end date."""

    __tablename__ = "grant_budget_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("grant_budget_versions.id"))
    #: {"<line code>": new planned cents}
    lines: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    new_ends_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=AmendmentState.requested, index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
