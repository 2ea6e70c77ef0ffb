"""Users and single-use tokens."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledEnum
from app.core.timeutil import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.members.models import Member


class UserKind(LabelledEnum):
    secretariat = "secretariat"
    ex_officio = "ex_officio"
    representative = "representative"

    @classmethod
    def _labels(cls):
        return {
            cls.secretariat: _l("Secretariat"),
            cls.ex_officio: _l("Ex-officio member"),
            cls.representative: _l("Representative of a member"),
        }


class Gender(LabelledEnum):
    female = "female"
    male = "male"
    other = "other"
    undisclosed = "undisclosed"

    @classmethod
    def _labels(cls):
        return {
            cls.female: _l("Woman"),
            cls.male: _l("Man"),
            cls.other: _l("Other"),
            cls.undisclosed: _l("Prefers not to say"),
        }


def representative_title(is_delegate: bool, gender: str) -> str:
    """A representative's title as the person's gender asks: French writes Déléguée / Délégué, Suppléante /
    Suppléant, and the inclusive Délégué·e / Suppléant·e when the gender is other or not said."""
    if gender == Gender.female.value:
        return pgettext("title of a woman", "Delegate") if is_delegate else pgettext("title of a woman", "Alternate")
    if gender == Gender.male.value:
        return pgettext("title of a man", "Delegate") if is_delegate else pgettext("title of a man", "Alternate")
    return pgettext("title of a person", "Delegate") if is_delegate else pgettext("title of a person", "Alternate")


class User(UserMixin, db.Model):
    """A person. Belongs to at most one member; at most one delegate per member."""

    __tablename__ = "users"
    __table_args__ = (
        Index(
            "uq_users_one_delegate_per_member",
            "member_id",
            unique=True,
            sqlite_where=text("is_delegate"),
            postgresql_where=text("is_delegate"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=UserKind.representative)
    gender: Mapped[str] = mapped_column(String(20), default=Gender.undisclosed)
    organisation_label: Mapped[str] = mapped_column(String(200), default="")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    is_delegate: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Bumped by sign-out, a password change or reset, a role change and "sign out everywhere":
    #: a session made with an older version is no longer accepted.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: Wrong passwords since the last success: each adds a delay, none refuses the right password.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member | None] = relationship(back_populates="representatives")

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    def get_id(self) -> str:
        """What the session keeps (Flask-Login's alternative token): the id and the session version,
        "12:3". ``auth.routes.load_user`` refuses a session whose version is no longer the account's."""
        return f"{self.id}:{self.session_version or 1}"

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def representative_role(self) -> str | None:
        if self.member_id is None:
            return None
        return "delegate" if self.is_delegate else "alternate"

    @property
    def representative_title(self) -> str:
        """"Delegate" or "Alternate" agreeing with the person's recorded gender (see ``representative_title``)."""
        return representative_title(self.is_delegate, self.gender)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class TokenPurpose(LabelledEnum):
    invitation = "invitation"
    reset = "reset"

    @classmethod
    def _labels(cls):
        return {cls.invitation: _l("Invitation"), cls.reset: _l("Password reset")}


class Token(db.Model):
    """A single-use, expiring link. Only the SHA-256 of the secret is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
