"""Assemblies, agenda, presence, proxies, and the generic one-member-one-vote tables.

``Vote`` is reused by resolutions now and by committee elections later.
Secrecy: ``Ballot`` holds (vote, tracker, choice) only: no member, user, time or
sequential key (and no SQLite rowid); ``Participation`` records who took part,
with no link to the ballot. Both are written in the same transaction.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.content_i18n import Translatable
from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db
from app.members.models import Member, localised


class AssemblyKind(LabelledEnum):
    ordinary = "ordinary"
    extraordinary = "extraordinary"

    @classmethod
    def _labels(cls):
        return {cls.ordinary: _l("Ordinary"), cls.extraordinary: _l("Extraordinary")}


class AssemblyStatus(LabelledEnum):
    draft = "draft"
    convened = "convened"
    in_session = "in_session"
    closed = "closed"

    @classmethod
    def _labels(cls):
        # Contexts by noun: French and Arabic agree the adjective with "assemblée" / "الجلسة العامة" (feminine).
        return {cls.draft: _l("Draft"), cls.convened: _l("Convened"), cls.in_session: _l("In session"),
                cls.closed: _p("assembly", "Closed")}


class PresenceStatus(LabelledEnum):
    present = "present"
    represented = "represented"
    absent = "absent"

    @classmethod
    def _labels(cls):
        return {cls.present: _l("Present"), cls.represented: _l("Represented by proxy"), cls.absent: _l("Absent")}


class VoteStatus(LabelledEnum):
    pending = "pending"
    open = "open"
    closed = "closed"

    @classmethod
    def _labels(cls):
        return {cls.pending: _p("vote", "Not opened"), cls.open: _p("vote", "Open"), cls.closed: _p("vote", "Closed")}


class Assembly(Translatable, db.Model):
    """One sitting of the plenary assembly."""

    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=AssemblyKind.ordinary)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    online: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default=AssemblyStatus.draft, index=True)
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_days: Mapped[int] = mapped_column(Integer, default=15)
    quorum_num: Mapped[int] = mapped_column(Integer, default=1)
    quorum_den: Mapped[int] = mapped_column(Integer, default=2)
    second_convocation: Mapped[bool] = mapped_column(Boolean, default=False)
    max_proxies: Mapped[int] = mapped_column(Integer, default=1)
    minutes_notes: Mapped[str] = mapped_column(Text, default="")
    #: The audit log's head ("entries:hash") when the assembly was closed, printed in its minutes.
    audit_head: Mapped[str | None] = mapped_column(String(80))
    #: Recorded after the fact (a sitting held on paper, entered from its minutes): dates in the past allowed.
    recorded_afterwards: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agenda: Mapped[list[AgendaItem]] = relationship(back_populates="assembly", order_by="AgendaItem.position",
                                                    cascade="all, delete-orphan")
    documents: Mapped[list[AssemblyDocument]] = relationship(back_populates="assembly",
                                                             cascade="all, delete-orphan")


class AgendaItem(Translatable, db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("assembly_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")

    assembly: Mapped[Assembly] = relationship(back_populates="agenda")
    resolutions: Mapped[list[Resolution]] = relationship(back_populates="agenda_item", order_by="Resolution.id")


class AssemblyDocument(Translatable, db.Model):
    """A document attached to the convocation (stored under instance/documents)."""

    __tablename__ = "assembly_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assembly: Mapped[Assembly] = relationship(back_populates="documents")


class Presence(db.Model):
    """A member's attendance at a sitting."""

    __tablename__ = "presences"
    __table_args__ = (UniqueConstraint("assembly_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PresenceStatus.absent)
    confirmed_online: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = relationship()


class Proxy(db.Model):
    """Member ``giver`` entrusts its vote to member ``holder`` for one assembly."""

    __tablename__ = "proxies"
    __table_args__ = (
        Index("uq_proxies_one_live_per_giver", "assembly_id", "giver_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    giver: Mapped[Member] = relationship(foreign_keys=[giver_id])
    holder: Mapped[Member] = relationship(foreign_keys=[holder_id])


class Vote(db.Model):
    """One question put to the members: a resolution now, an election later."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int | None] = mapped_column(ForeignKey("assemblies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="resolution")
    secret: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Ballots carry the voter's college (needed for a double majority).
    per_college: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=VoteStatus.pending, index=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    electorate_size: Mapped[int | None] = mapped_column(Integer)
    final_hash: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Chain hash before every CHECKPOINT-th board entry, so a board page is computed from a bounded slice.
    board_checkpoints: Mapped[list[str] | None] = mapped_column(JSON)
    #: The board format the seal used: 1 (ballots only, votes closed before format 2) or 2 (a header
    #: committing to the vote's definition, electorate and participants starts the chain).
    board_format: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: Format 2: the header as sealed at the close (canonical JSON of it is hashed into the chain).
    board_header: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The audit log's head ("entries:hash") right after the close was recorded, printed in the proclamation.
    audit_head: Mapped[str | None] = mapped_column(String(80))

    assembly: Mapped[Assembly | None] = relationship()
    resolution: Mapped[Resolution | None] = relationship(back_populates="vote", uselist=False, viewonly=True)

    @property
    def status_enum(self) -> VoteStatus:
        return VoteStatus(self.status)

    @property
    def is_open(self) -> bool:
        return self.status == VoteStatus.open

    @property
    def is_closed(self) -> bool:
        return self.status == VoteStatus.closed


class VoteElector(db.Model):
    """The frozen electorate: who may vote, in which college, and who casts for it."""

    __tablename__ = "vote_electors"
    __table_args__ = (UniqueConstraint("vote_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    college_code: Mapped[str] = mapped_column(String(30))
    country: Mapped[str] = mapped_column(String(2))
    proxy_holder_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)


class Participation(db.Model):
    """That a member voted (émargement). The unique (vote, member) is what stops double voting."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("vote_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Only for open (named) votes, where choices are published per member.
    open_choice: Mapped[str | None] = mapped_column(String(400))


class Ballot(db.Model):
    """What was chosen. Deliberately nothing else: see the module docstring."""

    __tablename__ = "ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    tracker: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The voter's college, stored only when a double majority needs per-college counts.
    college: Mapped[str] = mapped_column(String(30), default="")
    choice: Mapped[str] = mapped_column(String(400))


class Resolution(db.Model):
    """A question of an agenda item put to the vote, with its majority rule as data."""

    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), unique=True)
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    title_ar: Mapped[str] = mapped_column(String(300), default="")
    text_fr: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    text_ar: Mapped[str] = mapped_column(Text, default="")
    majority_base: Mapped[str] = mapped_column(String(20), default="expressed")
    threshold: Mapped[str] = mapped_column(String(20), default="half")
    double_majority: Mapped[bool] = mapped_column(Boolean, default=False)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="resolutions")
    vote: Mapped[Vote] = relationship(back_populates="resolution")

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def text(self) -> str:
        return localised(self, "text")
