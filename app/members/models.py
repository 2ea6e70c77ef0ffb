"""Member organisations, colleges, status history and charter signatures."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.accounts import Account
from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

# ``User`` (app.auth.models) is named, never imported: accounts sit above the register (a user
# belongs to a member). SQLAlchemy resolves the name from its class registry when mappers
# configure; elsewhere this module types people as ``Account``.


class MemberKind(LabelledEnum):
    association = "association"
    union = "union"
    cooperative = "cooperative"
    local_authority = "local_authority"
    network = "network"
    foundation = "foundation"
    other = "other"

    @classmethod
    def _labels(cls):
        return {
            cls.association: _l("Association"),
            cls.union: _l("Union"),
            cls.cooperative: _l("Cooperative"),
            cls.local_authority: _l("Local authority"),
            cls.network: _l("Network"),
            cls.foundation: _l("Foundation"),
            cls.other: _l("Other"),
        }


class MemberStatus(LabelledEnum):
    applicant = "applicant"
    active = "active"
    suspended = "suspended"
    withdrawn = "withdrawn"

    @classmethod
    def _labels(cls):
        return {
            cls.applicant: _l("Applicant"),
            cls.active: _l("Active"),
            cls.suspended: _l("Suspended"),
            cls.withdrawn: _l("Withdrawn"),
        }


class Country(LabelledEnum):
    """The programme's two countries."""

    FR = "FR"
    TN = "TN"

    @classmethod
    def _labels(cls):
        return {cls.FR: _l("France"), cls.TN: _l("Tunisia")}


def localised(obj: object, field: str) -> str:
    """``obj.<field>_<locale>`` falling back to French, then English."""
    locale = str(get_locale() or "fr")
    for code in (locale, "fr", "en", "ar"):
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value
    return ""


class College(db.Model):
    """A configurable group of members used for quotas and double majorities."""

    __tablename__ = "colleges"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    members: Mapped[list[Member]] = relationship(back_populates="college")

    @property
    def name(self) -> str:
        return localised(self, "name")


class Member(db.Model):
    """A member organisation: the unit that votes."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and accent-insensitive key: "Solidarité laïque" duplicates "SOLIDARITE LAIQUE".
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    acronym: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), default=MemberKind.association)
    country: Mapped[str] = mapped_column(String(2), index=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id"), index=True)
    territory: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=MemberStatus.applicant, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_since: Mapped[date | None] = mapped_column(Date)
    admission_date: Mapped[date | None] = mapped_column(Date)
    is_guarantor: Mapped[bool] = mapped_column(Boolean, default=False)
    is_fictitious: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    #: Registration for org-id identifiers (grants exports): a scheme such as "TN-RNE" or "FR-RCS" and the number.
    org_id_scheme: Mapped[str] = mapped_column(String(20), default="")
    registration_number: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    college: Mapped[College] = relationship(back_populates="members")
    representatives: Mapped[list[User]] = relationship(  # noqa: F821
        back_populates="member", order_by="User.full_name")
    status_changes: Mapped[list[MemberStatusChange]] = relationship(
        back_populates="member", order_by="MemberStatusChange.id.desc()"
    )
    signatures: Mapped[list[CharterSignature]] = relationship(
        back_populates="member", order_by="CharterSignature.signed_at.desc()"
    )

    @property
    def delegate(self) -> Account | None:
        return next((u for u in self.representatives if u.is_delegate), None)

    @property
    def alternates(self) -> list[Account]:
        return [u for u in self.representatives if not u.is_delegate]

    @property
    def status_enum(self) -> MemberStatus:
        return MemberStatus(self.status)

    @property
    def kind_enum(self) -> MemberKind:
        return MemberKind(self.kind)

    @property
    def country_enum(self) -> Country:
        return Country(self.country)

    def signature_of(self, charter: Charter | None) -> CharterSignature | None:
        if charter is None:
            return None
        return next((s for s in self.signatures if s.charter_id == charter.id), None)

    def can_sign_charter(self, user: Account | None) -> bool:
        """Only this member's delegate signs, and a withdrawn member does not."""
        from app.core.permissions import can

        return (
            user is not None
            and can(user, "charter.sign")
            and user.member_id == self.id
            and self.status != MemberStatus.withdrawn
        )

    def can_view_contacts(self, user: Account | None) -> bool:
        from app.core.permissions import can

        return can(user, "member.view_contacts")


class MemberStatusChange(db.Model):
    """A dated status change with its reason: the member's history."""

    __tablename__ = "member_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    effective_date: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    member: Mapped[Member] = relationship(back_populates="status_changes")
    changed_by: Mapped[User | None] = relationship()  # noqa: F821


class Charter(db.Model):
    """A published version of the charter of rights and duties."""

    __tablename__ = "charters"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    title_ar: Mapped[str] = mapped_column(String(200))
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    text_ar: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def text(self) -> str:
        return localised(self, "text")


class CharterSignature(db.Model):
    """Who signed which charter version for which member, and when."""

    __tablename__ = "charter_signatures"
    __table_args__ = (UniqueConstraint("member_id", "charter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id"), index=True)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship(back_populates="signatures")
    charter: Mapped[Charter] = relationship()
    signed_by: Mapped[User] = relationship()  # noqa: F821
