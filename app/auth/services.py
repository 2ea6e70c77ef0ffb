"""Account operations. They flush and never commit; the route commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.auth.models import Gender, Token, TokenPurpose, User, UserKind
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.core import audit, mail
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Failures are audited."""
    user = find_user_by_email(email)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        audit.record("auth.login_failed", "user", user.id if user else None,
                     after={"email": normalise_email(email)[:254]})
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", "user", user.id, actor=user)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, ttl: timedelta) -> str:
    """Create a single-use token and return its secret (stored only hashed)."""
    secret = secrets.token_urlsafe(32)
    db.session.add(Token(user=user, purpose=purpose, token_hash=_digest(secret), expires_at=utcnow() + ttl))
    db.session.flush()
    return secret


def token_user(secret: str, purpose: TokenPurpose) -> User:
    """The user a valid, unused, unexpired token belongs to; DomainError otherwise."""
    token = db.session.scalar(select(Token).where(Token.token_hash == _digest(secret), Token.purpose == purpose))
    if token is None:
        raise DomainError(_l("This link is not valid. Ask for a new one."))
    if token.used_at is not None:
        raise DomainError(_l("This link has already been used. Ask for a new one."))
    if token.expires_at <= utcnow():
        raise DomainError(_l("This link has expired. Ask for a new one."))
    return token.user


def consume_token(secret: str, purpose: TokenPurpose, new_password: str) -> User:
    """Set the password and spend the token; a concurrent second use fails.

    The conditional UPDATE (``used_at IS NULL``) is the single-use guarantee.
    """
    user = token_user(secret, purpose)
    spent = db.session.execute(
        update(Token)
        .where(Token.token_hash == _digest(secret), Token.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise DomainError(_l("This link has already been used. Ask for a new one."))
    set_password(user, new_password, actor=user, action="auth.password_set" if purpose == TokenPurpose.invitation
                 else "auth.password_reset")
    return user


def set_password(user: User, password: str, *, actor: User | None, action: str = "auth.password_changed") -> None:
    user.password_hash = hash_password(password)
    audit.record(action, "user", user.id, actor=actor)


def _external_url(endpoint: str, **values: object) -> str:
    """An absolute link for an e-mail, also from a command (no request: EXTERNAL_URL or localhost)."""
    base = current_app.config.get("EXTERNAL_URL")
    if not has_request_context():
        with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
            return url_for(endpoint, _external=True, **values)
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _send(user: User, template: str, subject: object, **context: object) -> None:
    """Render the mail in the recipient's language and queue it."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(template, user=user, **context)
        mail.queue(user.email, str(subject), body)


def invite_user(
    *,
    actor: User,
    email: str,
    full_name: str,
    kind: UserKind = UserKind.representative,
    gender: Gender = Gender.undisclosed,
    locale: str | None = None,
    organisation_label: str = "",
    member: object | None = None,
    is_delegate: bool = False,
) -> User:
    """Create an account without password and e-mail a link to set one."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_l("An account already uses this e-mail address."), field="email")
    user = User(email=email, full_name=full_name.strip(), kind=kind, gender=gender, locale=locale,
                organisation_label=organisation_label.strip(), member=member, is_delegate=is_delegate)
    db.session.add(user)
    db.session.flush()
    send_invitation(user, actor=actor)
    audit.record("user.invited", "user", user.id, actor=actor,
                 after={"email": email, "full_name": user.full_name, "kind": str(kind)})
    return user


def send_invitation(user: User, *, actor: User) -> None:
    """(Re)send an invitation link; earlier links stay valid until they expire."""
    ttl = current_app.config["INVITATION_TTL"]
    secret = issue_token(user, TokenPurpose.invitation, ttl)
    link = _external_url("auth.accept_invitation", token=secret)
    _send(user, "auth/email/invitation.txt", _l("Your invitation to the programme platform"),
          link=link, days=ttl.days, inviter=actor)


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    ttl = current_app.config["PASSWORD_RESET_TTL"]
    secret = issue_token(user, TokenPurpose.reset, ttl)
    link = _external_url("auth.reset_password", token=secret)
    _send(user, "auth/email/reset.txt", _l("Reset your password"), link=link,
          hours=int(ttl.total_seconds() // 3600))
    audit.record("auth.reset_requested", "user", user.id)


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


#: Public names for other packages that e-mail users (notifications).
send_mail = _send
external_url = _external_url
