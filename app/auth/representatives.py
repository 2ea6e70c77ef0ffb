"""A member's representatives: inviting them, choosing the delegate, removing one.

Here and not in ``app.members`` because a representative is an account (a
``User`` belonging to a ``Member``): the member register sits below accounts
and never imports them. These operations flush and audit; the route commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.auth.models import Gender, User, UserKind
from app.auth.services import end_sessions, find_user_by_email, invite_user
from app.core import audit
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member


def invite_representative(member: Member, *, actor: User, email: str, full_name: str, gender: Gender,
                          as_delegate: bool, locale: str | None = None) -> User:
    """Invite a person for a member; the first one (or ``as_delegate``) becomes the delegate."""
    existing = find_user_by_email(email)
    if existing is not None:
        if existing.member_id is not None and existing.member_id != member.id:
            raise DomainError(_l("This person already represents another member."), field="email")
        raise DomainError(_l("An account already uses this e-mail address."), field="email")
    has_delegate = member.delegate is not None
    user = invite_user(actor=actor, email=email, full_name=full_name, kind=UserKind.representative,
                       gender=gender, locale=locale, member=member, is_delegate=False)
    audit.record("representative.added", "member", member.id, actor=actor,
                 after={"user_id": user.id, "email": user.email})
    if as_delegate or not has_delegate:
        make_delegate(member, user, actor=actor)
    return user


def make_delegate(member: Member, user: User, *, actor: User) -> None:
    """Designate ``user`` as the member's single delegate; the former one becomes an alternate.

    Done in one transaction; the partial unique index guarantees one delegate. The former delegate's
    sessions end (a role lost); the new delegate's go on (roles are read afresh at every request).
    """
    if user.member_id != member.id:
        raise DomainError(_l("This person does not represent this member."))
    if user.is_delegate:
        return
    previous = member.delegate
    db.session.execute(update(User).where(User.member_id == member.id, User.is_delegate.is_(True))
                       .values(is_delegate=False).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.execute(update(User).where(User.id == user.id).values(is_delegate=True)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire(member, ["representatives"])
    for person in (previous, user):
        if person is not None:
            db.session.refresh(person)
    if previous is not None:
        end_sessions(previous)  # a role lost: the sessions opened as the delegate end
    audit.record("member.delegate_changed", "member", member.id, actor=actor,
                 before={"delegate": previous.email if previous else None}, after={"delegate": user.email})


def remove_representative(member: Member, user: User, *, actor: User) -> None:
    """Detach an alternate from the member and close the account (a delegate must be replaced first)."""
    if user.member_id != member.id:
        raise DomainError(_l("This person does not represent this member."))
    if user.is_delegate:
        raise DomainError(_l("Designate another delegate before removing this one."))
    user.member_id = None
    user.active = False
    end_sessions(user)
    db.session.expire(member, ["representatives"])
    audit.record("representative.removed", "member", member.id, actor=actor, before={"user_id": user.id,
                                                                                     "email": user.email})
