"""Protections around signing in: the rate limit, Argon2id hashes, cookie flags,
a new session at sign-in, the inactivity timeout, and CSRF on the login form.

The suite's app has CSRF and the rate limit off; the tests that need them on
build their own app (``extra_app``).
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from limits import parse_many
from sqlalchemy import select, update

from app.auth.models import User, UserKind
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.services import set_password
from app.core.models import AuditEntry
from app.extensions import db, limiter
from tests import factories
from tests.auth.helpers import extra_app, page_text, session_cookie, translated, user_by_email
from tests.conftest import csrf_token_from, login

# Rate limit ------------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path: Path) -> Iterator[Flask]:
    with extra_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                   LOGIN_FAILURE_LIMIT="10 per minute", LOGIN_DELAY_STEP=0) as application:
        limiter.reset()
        yield application


def _per_minute(app: Flask, setting: str) -> int:
    """The tightest window of a configured limit."""
    return min(item.amount for item in parse_many(app.config[setting]))


# (page, form sent again and again, the setting that limits it per client address)
LIMITED = [
    ("/login", {"email": "nobody@example.org", "password": "a guess"}, "LOGIN_FAILURE_LIMIT"),
    ("/forgot-password", {"email": "nobody@example.org"}, "LOGIN_RATE_LIMIT"),
]


@pytest.mark.parametrize(("path", "data", "setting"), LIMITED, ids=[p for p, _, _ in LIMITED])
@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_attempt_after_the_limit_gets_429_page(limited_app: Flask, path: str, data: dict, setting: str,
                                                locale: str) -> None:
    assert limited_app.config["LOGIN_RATE_LIMIT"] == "10 per minute;50 per hour"
    allowed = _per_minute(limited_app, setting)
    client = limited_app.test_client()
    headers = {"Accept-Language": locale}
    for attempt in range(allowed):
        response = client.post(path, data=data, headers=headers)
        assert response.status_code in (200, 302), (attempt, response.status_code)
    refused = client.post(path, data=data, headers=headers)
    assert refused.status_code == 429
    html = page_text(refused)
    assert f'lang="{locale}"' in html
    title = translated(limited_app, "Too many attempts", locale)
    assert title != "Too many attempts" and title in html
    assert translated(limited_app, "Too many attempts in a short time. Wait a minute and try again.", locale) in html
    assert int(refused.headers["Retry-After"]) > 0
    # Only sending the form is counted: the page still shows, and another address is not blocked.
    assert client.get(path, headers=headers).status_code == 200
    other = limited_app.test_client()
    other_account = dict(data, email="someone-else@example.org")
    assert other.post(path, data=other_account, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code in (200, 302)


def test_successful_sign_ins_do_not_count_against_the_address(limited_app: Flask) -> None:
    """Many people behind one address signing in: only refusals are counted."""
    with limited_app.app_context():
        factories.user("person@example.org")
        db.session.commit()
    for _ in range(3 * _per_minute(limited_app, "LOGIN_FAILURE_LIMIT")):
        client = limited_app.test_client()
        response = client.post("/login", data={"email": "person@example.org", "password": factories.PASSWORD})
        assert response.status_code == 302


def test_an_address_out_of_failures_is_refused_even_the_right_password(limited_app: Flask) -> None:
    """Guessing from one address stops there (for everyone behind it); other addresses are not refused."""
    with limited_app.app_context():
        factories.user("target@example.org")
        db.session.commit()
    client = limited_app.test_client()
    for _ in range(_per_minute(limited_app, "LOGIN_FAILURE_LIMIT")):
        client.post("/login", data={"email": "target@example.org", "password": "a guess"})
    response = client.post("/login", data={"email": "target@example.org", "password": factories.PASSWORD})
    assert response.status_code == 429
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    elsewhere = limited_app.test_client().post(
        "/login", data={"email": "target@example.org", "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert elsewhere.status_code == 302


def test_the_suite_app_is_not_left_rate_limited(app: Flask, client: FlaskClient, world) -> None:
    """Guard for ``extra_app``: the process-wide limiter flag was put back."""
    assert limiter.enabled is False
    for _ in range(15):
        assert client.post("/login", data={"email": "nobody@example.org", "password": "x"}).status_code == 200


# Passwords ----------------------------------------------------------------


def test_passwords_are_stored_as_argon2id(app: Flask, ctx, world) -> None:
    user = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
    set_password(user, "a brand new passphrase", actor=user)
    db.session.commit()
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$")
    assert "a brand new passphrase" not in stored
    assert verify_password(stored, "a brand new passphrase")
    assert not verify_password(stored, "a brand new passphrasE")
    assert hash_password("same input") != hash_password("same input")  # salted
    assert not needs_rehash(stored)
    logged = repr(db.session.execute(select(AuditEntry.before, AuditEntry.after)).all())
    assert "a brand new passphrase" not in logged


# (what the column holds, the password typed) -- never accepted, never a 500
NOT_ARGON2 = [
    ("the password in clear", factories.PASSWORD),
    ("a truncated hash", factories._HASH[:40]),
    ("an empty string", ""),
]


@pytest.mark.parametrize(("case", "stored"), NOT_ARGON2, ids=[n[0] for n in NOT_ARGON2])
def test_a_value_that_is_not_an_argon2_hash_never_signs_in(app: Flask, client: FlaskClient, world, case: str,
                                                          stored: str) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.email == world.emails["delegate"]).values(password_hash=stored))
        db.session.commit()
    response = client.post("/login", data={"email": world.emails["delegate"], "password": factories.PASSWORD})
    assert response.status_code == 200, case


def test_old_hash_parameters_are_upgraded_at_sign_in(app: Flask, client: FlaskClient, world) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(factories.PASSWORD)
    assert needs_rehash(weak)
    with app.app_context():
        db.session.execute(update(User).where(User.email == world.emails["delegate"]).values(password_hash=weak))
        db.session.commit()
    login(client, world.emails["delegate"])
    upgraded = user_by_email(app, world.emails["delegate"]).password_hash
    assert upgraded != weak and upgraded.startswith("$argon2id$") and not needs_rehash(upgraded)
    assert verify_password(upgraded, factories.PASSWORD)


# Cookies and the session ------------------------------------------------------


def test_session_cookie_flags(app: Flask, client: FlaskClient, world) -> None:
    response = client.post("/login", data={"email": world.emails["delegate"], "password": factories.PASSWORD})
    cookie = session_cookie(response)
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert attributes["samesite"] == "SameSite=Lax"
    assert attributes["path"] == "Path=/"
    assert "expires" in attributes  # a permanent session: the browser drops it too
    assert "secure" not in attributes  # development over http; production sets SESSION_COOKIE_SECURE


def test_session_cookie_is_secure_when_configured(tmp_path: Path) -> None:
    with extra_app(tmp_path, SESSION_COOKIE_SECURE=True) as secure_app:
        cookie = session_cookie(secure_app.test_client().get("/login"))
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_starts_a_new_session(app: Flask, client: FlaskClient, world) -> None:
    """The app keeps the session in a signed cookie: "regenerating" it means
    clearing everything set before sign-in (only the language survives), so
    nothing planted before -- a key, a CSRF token -- is carried into the
    signed-in session, and the cookie value changes."""
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "set by someone else"
        sess["locale"] = "en"
        before = dict(sess)
    cookie_before = client.get_cookie("session").value
    assert "csrf_token" in before
    login(client, world.emails["delegate"])
    with client.session_transaction() as sess:
        after = dict(sess)
    assert client.get_cookie("session").value != cookie_before
    assert "planted" not in after
    assert after.get("csrf_token") != before["csrf_token"]
    assert after["locale"] == "en"
    assert after["_user_id"] == user_by_email(app, world.emails["delegate"]).get_id()


def test_a_cookie_obtained_before_sign_in_gives_no_access(app: Flask, client: FlaskClient, world) -> None:
    """Session fixation: someone who handed the victim a session cookie gains nothing."""
    client.get("/login")
    fixed = client.get_cookie("session").value
    login(client, world.emails["delegate"])
    attacker = app.test_client()
    attacker.set_cookie("session", fixed, domain="localhost")
    response = attacker.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


class Clock:
    """Time as the session signer sees it (the session cookie's signed timestamp)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = int(time.time())
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: self.now)

    def advance(self, delta: timedelta) -> None:
        self.now += int(delta.total_seconds())


def test_session_ends_after_30_minutes_without_activity(app: Flask, client: FlaskClient, world,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The session cookie is re-signed at every request; one whose last signature
    is older than PERMANENT_SESSION_LIFETIME is refused by the server, whatever
    the browser does with its Expires date."""
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    assert lifetime == timedelta(minutes=30) and app.config["SESSION_REFRESH_EACH_REQUEST"]
    clock = Clock(monkeypatch)
    login(client, world.emails["delegate"])
    # Active every 29 minutes for an hour and a half: still signed in (inactivity, not age).
    for _ in range(3):
        clock.advance(lifetime - timedelta(minutes=1))
        assert client.get("/").status_code == 200
    clock.advance(lifetime + timedelta(seconds=1))
    response = client.get("/members")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302


# CSRF -------------------------------------------------------------------------


@pytest.fixture
def csrf_app(tmp_path: Path) -> Iterator[Flask]:
    with extra_app(tmp_path, WTF_CSRF_ENABLED=True) as application:
        with application.app_context():
            factories.user("person@example.org", kind=UserKind.ex_officio)
            db.session.commit()
        yield application


def test_login_without_csrf_token_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    client.get("/login")
    data = {"email": "person@example.org", "password": factories.PASSWORD}
    response = client.post("/login", data=data)
    assert response.status_code == 400
    expected = translated(csrf_app, "The form expired or was sent from elsewhere. Reload the page and try again.")
    assert expected in page_text(response)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_with_a_token_from_another_session_is_refused(csrf_app: Flask) -> None:
    someone_else = csrf_app.test_client()
    foreign = csrf_token_from(page_text(someone_else.get("/login")))
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": "person@example.org", "password": factories.PASSWORD,
                                           "csrf_token": foreign})
    assert response.status_code == 400


def test_login_with_the_page_token_works_and_logout_needs_one(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    token = csrf_token_from(page_text(client.get("/login")))
    response = client.post("/login", data={"email": "person@example.org", "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # The pre-login token died with the old session; sign-out needs the new one.
    assert client.post("/logout", data={"csrf_token": token}).status_code == 400
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    fresh = csrf_token_from(page_text(client.get("/")))
    assert client.post("/logout", data={"csrf_token": fresh}).status_code == 302
    assert client.get("/").status_code == 302
