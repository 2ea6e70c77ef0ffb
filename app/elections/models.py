"""Steering-committee elections, candidacies and mandates.

An election's ballot is cast through the assembly's one-member-one-vote tables
(``Vote`` of kind ``election``): same electorate, proxies, secrecy, trackers,
board and recount. A ballot's choice is the sorted, comma-separated ids of the
approved candidacies ("" for a blank ballot).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.assembly.models import Assembly, Vote
from app.auth.models import User
from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, add_years, utcnow
from app.extensions import db
from app.members.models import Member, localised


class CandidacyStatus(LabelledEnum):
    submitted = "submitted"
    validated = "validated"
    rejected = "rejected"
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls):
        return {cls.submitted: _p("candidacy", "Submitted"), cls.validated: _p("candidacy", "Validated"),
                cls.rejected: _p("candidacy", "Rejected"), cls.withdrawn: _p("candidacy", "Withdrawn")}


class MandateKind(LabelledEnum):
    elected = "elected"
    ex_officio = "ex_officio"
    guarantor = "guarantor"

    @classmethod
    def _labels(cls):
        return {cls.elected: _l("Elected"), cls.ex_officio: _l("Ex-officio"), cls.guarantor: _l("Guarantor")}


class Election(db.Model):
    """A multi-seat election of the steering committee."""

    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer, default=12)
    term_starts_on: Mapped[date] = mapped_column(Date)
    term_years: Mapped[int] = mapped_column(Integer, default=2)
    candidacy_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    candidacy_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: {"college": {code: [min, max|null]}, "country": {...}, "parity_tolerance": int|null}
    constraints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    assembly_id: Mapped[int | None] = mapped_column(ForeignKey("assemblies.id"), index=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), unique=True)
    #: The count (app.elections.rules.Allocation.to_dict() and the approvals), set at the close.
    count: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: What the count does when no committee meets the constraints after a withdrawal: "relax" the
    #: minimums in the documented order, or declare the election "void".
    infeasible_fallback: Mapped[str] = mapped_column(String(20), default="relax", server_default="relax")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    vote: Mapped[Vote] = relationship()
    assembly: Mapped[Assembly | None] = relationship()
    candidacies: Mapped[list[Candidacy]] = relationship(back_populates="election", order_by="Candidacy.id")

    @property
    def frozen(self) -> bool:
        """The set-up is frozen once voting opens."""
        return self.vote is not None and self.vote.status != "pending"

    @property
    def term_ends_on(self) -> date:
        """Term start plus the term's years (29 February: 28 February; never past the calendar's end)."""
        return add_years(self.term_starts_on, self.term_years)


class Candidacy(db.Model):
    """A member standing for a seat, with the representative who would sit."""

    __tablename__ = "candidacies"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    representative_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(20))
    statement_fr: Mapped[str] = mapped_column(Text, default="")
    statement_en: Mapped[str] = mapped_column(Text, default="")
    statement_ar: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=CandidacyStatus.submitted)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    election: Mapped[Election] = relationship(back_populates="candidacies")
    member: Mapped[Member] = relationship()
    submitted_by: Mapped[User | None] = relationship()

    @property
    def statement(self) -> str:
        return localised(self, "statement")

    @property
    def status_enum(self) -> CandidacyStatus:
        return CandidacyStatus(self.status)


class Mandate(db.Model):
    """A seat on the steering committee for a term: elected, ex-officio or the guarantor's."""

    __tablename__ = "mandates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=MandateKind.elected, index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    #: Ex-officio seats are held by organisations outside the membership (funders, ministries).
    organisation: Mapped[str] = mapped_column(String(200), default="")
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[str] = mapped_column(String(20), default="undisclosed")
    election_id: Mapped[int | None] = mapped_column(ForeignKey("elections.id"), index=True)
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("mandates.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The committee's chair (one current elected or guarantor seat at most); decides amendments with the secretariat.
    chair: Mapped[bool] = mapped_column(Boolean, default=False)

    member: Mapped[Member | None] = relationship()
    election: Mapped[Election | None] = relationship()

    @property
    def holder(self) -> str:
        return self.member.name if self.member is not None else self.organisation

    def current_on(self, day: date) -> bool:
        end = min(self.ends_on, self.ended_on) if self.ended_on else self.ends_on
        return self.starts_on <= day < end
