"""Account operations. They flush and never commit; the route commits."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.auth import throttle
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
    """The user for these credentials, or None. Failures are counted on the account and audited.

    Exactly one Argon2 verification runs whatever the case (an unknown e-mail is checked against a dummy
    hash of the same cost), so the time taken does not tell which addresses have an account. An account's
    wrong passwords since its last success add a delay before the check (``throttle``); the right password
    is never refused, only slowed. Wrong sign-ins for an address without an account are delayed the same way
    (counted in the limiter's storage), so the delay does not tell either.
    """
    user = find_user_by_email(email)
    address = normalise_email(email)
    throttle.wait_before_checking(user.failed_logins or 0 if user is not None else throttle.unknown_failures(address))
    correct = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not user.active or not correct:
        if user is not None:
            throttle.record_failure(user)
        else:
            throttle.record_unknown_failure(address)
        audit.record("auth.login_failed", "user", user.id if user else None,
                     after={"email": normalise_email(email)[:254]})
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    throttle.record_success(user)
    user.last_login_at = utcnow()
    audit.record("auth.login", "user", user.id, actor=user)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_link(page: str, secret: str) -> str:
    """The e-mailed link: the secret rides in the fragment, which browsers never send to the server,
    so it stays out of access logs, proxies and Referer headers; the page's script posts it."""
    return f"{page}#{secret}"


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
    """Set the password, spend every outstanding link of the account and end its other sessions.

    An unused reset link (or a resent invitation) must not let anyone set the password again later; a
    session opened with the old password (a shared computer, a stolen cookie) ends here too.
    """
    user.password_hash = hash_password(password)
    spend_links(user)
    end_sessions(user)
    audit.record(action, "user", user.id, actor=actor)


def spend_links(user: User) -> int:
    """Mark every unused invitation and reset link of ``user`` as used; how many there were."""
    result = db.session.execute(
        update(Token).where(Token.user_id == user.id, Token.used_at.is_(None)).values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def end_sessions(user: User) -> None:
    """Every session made before now stops being accepted at its next request (``routes.load_user``
    compares the version the session carries with the account's). The caller signs the current
    browser in again if it should stay signed in."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    """The account page's change: the current password must be right (a DomainError at its field)."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is wrong."), field="current")
    set_password(user, new, actor=user)


def sign_out_everywhere(user: User) -> None:
    """End every session of the account ("sign out everywhere" on the account page)."""
    end_sessions(user)
    audit.record("auth.sessions_ended", "user", user.id, actor=user)


def set_locale(user: User, locale: str) -> None:
    """The language of the pages after sign-in and of the e-mails."""
    before = user.locale
    user.locale = locale
    audit.record("auth.locale_changed", "user", user.id, actor=user, before={"locale": before},
                 after={"locale": locale})


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
    actor: User | None,
    email: str,
    full_name: str,
    kind: UserKind = UserKind.representative,
    gender: Gender = Gender.undisclosed,
    locale: str | None = None,
    organisation_label: str = "",
    member: object | None = None,
    is_delegate: bool = False,
) -> User:
    """Create an account without password and e-mail a link to set one.

    ``actor`` None: invited from the command line (``flask accounts invite-secretariat``), audited without author."""
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


def send_invitation(user: User, *, actor: User | None) -> None:
    """(Re)send an invitation link; earlier links stay valid until they expire."""
    ttl = current_app.config["INVITATION_TTL"]
    secret = issue_token(user, TokenPurpose.invitation, ttl)
    page = _external_url("auth.invitation")
    _send(user, "auth/email/invitation.txt", _l("Your invitation to the programme platform"),
          link=secret_link(page, secret), page=page, code=secret, days=ttl.days, inviter=actor)


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    ttl = current_app.config["PASSWORD_RESET_TTL"]
    secret = issue_token(user, TokenPurpose.reset, ttl)
    page = _external_url("auth.reset")
    _send(user, "auth/email/reset.txt", _l("Reset your password"), link=secret_link(page, secret), page=page,
          code=secret, hours=int(ttl.total_seconds() // 3600))
    audit.record("auth.reset_requested", "user", user.id)


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


#: Public names for other packages that e-mail users (notifications).
send_mail = _send
external_url = _external_url
