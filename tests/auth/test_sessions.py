"""Sessions that can be revoked (issue 10, section 5), and the account page.

Sessions are signed cookies: the server keeps no list of them. Each carries the account's session version
("id:version", Flask-Login's alternative token); sign-out, a password change or reset, a role lost and
"sign out everywhere" move the version on, and every session carrying an older one is refused at its next
request. A "thief" below is another browser holding a copy of someone's session cookie.
"""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth import services
from app.auth.models import Token, User, UserKind
from app.auth.passwords import verify_password
from app.auth.routes import load_user
from app.extensions import db
from tests import factories
from tests.auth.helpers import (
    audit_actions,
    field_errors,
    follow_link,
    input_value,
    link_in_outbox,
    open_link,
    page_text,
    tokens_of,
    translated,
    user_by_email,
)
from tests.conftest import login

NEW_PASSWORD = "a long enough passphrase"
USED = "This link has already been used. Ask for a new one."


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser with a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/members")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login"), response.status_code
    return False


def _request_reset(app: Flask, email: str) -> str:
    with app.test_request_context():
        services.request_password_reset(email)
        db.session.commit()
    return link_in_outbox(app, email)


# What ends a session ---------------------------------------------------------------------------------------


def test_a_copied_cookie_stops_working_after_logout(app: Flask, client: FlaskClient, world) -> None:
    login(client, world.emails["delegate"])
    thief = _copy_of(app, client)
    assert _signed_in(thief)
    assert client.post("/logout").status_code == 302
    assert not _signed_in(thief)
    assert not _signed_in(client)
    assert user_by_email(app, world.emails["delegate"]).session_version == 2


def test_a_copied_cookie_stops_working_after_a_password_reset(app: Flask, client: FlaskClient, world) -> None:
    email = world.emails["delegate"]
    login(client, email)
    thief = _copy_of(app, client)
    resetter = app.test_client()
    page = open_link(resetter, _request_reset(app, email))
    assert resetter.post(page, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert _signed_in(resetter)  # the person who reset goes on, with the new version
    assert not _signed_in(thief)
    assert not _signed_in(client)


def test_sign_out_everywhere_from_another_browser(app: Flask, world) -> None:
    email = world.emails["alternate"]
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, email)
    login(phone, email)
    thief = _copy_of(app, laptop)
    confirm = phone.get("/account/sign-out-everywhere")
    assert confirm.status_code == 200
    assert translated(app, "Sign out everywhere else") in page_text(confirm)
    assert all(_signed_in(c) for c in (laptop, phone, thief))  # asking is not doing
    done = phone.post("/account/sign-out-everywhere")
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert translated(app, "Every other session of your account has ended.") in page_text(phone.get("/account"))
    assert not _signed_in(laptop) and not _signed_in(thief)
    assert _signed_in(phone)
    user = user_by_email(app, email)
    with phone.session_transaction() as sess:
        assert sess["_user_id"] == user.get_id() == f"{user.id}:2"
    assert ("auth.sessions_ended", str(user.id), None) in audit_actions(app, "auth.")


def test_losing_the_delegate_role_ends_the_sessions(app: Flask, world) -> None:
    """The secretariat makes the alternate the delegate: the former delegate's sessions end (its new
    rights are read afresh anyway); the new delegate's session goes on. Removing a representative ends
    theirs too."""
    former, promoted, secretariat = app.test_client(), app.test_client(), app.test_client()
    login(former, world.emails["delegate"])
    login(promoted, world.emails["alternate"])
    login(secretariat, world.emails["secretariat"])
    thief = _copy_of(app, former)
    alternate = user_by_email(app, world.emails["alternate"])
    response = secretariat.post(f"/members/{world.member_id}/representatives/{alternate.id}/delegate")
    assert response.status_code == 302
    assert not _signed_in(former) and not _signed_in(thief)
    assert _signed_in(promoted) and _signed_in(secretariat)

    login(former, world.emails["delegate"])  # still an account, now an alternate
    removed = user_by_email(app, world.emails["delegate"])
    assert secretariat.post(f"/members/{world.member_id}/representatives/{removed.id}/remove").status_code == 302
    assert not _signed_in(former)
    assert user_by_email(app, world.emails["delegate"]).session_version == removed.session_version + 1


def test_a_session_from_before_versions_is_refused(app: Flask, client: FlaskClient, world) -> None:
    """A cookie holding only the user id (as issued before session versions) asks to sign in again."""
    user = user_by_email(app, world.emails["delegate"])
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    assert not _signed_in(client)


# (what the session holds, whether it signs anyone in) -- the world's delegate is user 3, version 1
TOKENS = [
    ("3:1", True),
    ("3:2", False),  # a version to come
    ("3:0", False),
    ("3", False),
    ("3:", False),
    (":1", False),
    ("x:1", False),
    ("3:x", False),
    ("3:1:1", False),
    ("\uff13:1", False),  # a full-width digit
    ("99999999999999999999:1", False),
    ("3:99999999999999999999", False),
    ("", False),
]


@pytest.mark.parametrize(("token", "accepted"), TOKENS)
def test_session_tokens(app: Flask, ctx, world, token: str, accepted: bool) -> None:
    delegate = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
    assert delegate.get_id() == f"{delegate.id}:1" and delegate.id == 3
    assert (load_user(token) is delegate) == accepted


# The account page -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["delegate", "alternate", "ex_officio", "secretariat"])
def test_the_account_page_shows_who_is_signed_in(app: Flask, client: FlaskClient, world, role: str) -> None:
    login(client, world.emails[role])
    home = page_text(client.get("/"))
    assert 'href="/account"' in home  # the name in the header leads there
    page = page_text(client.get("/account"))
    user = user_by_email(app, world.emails[role])
    assert user.full_name in page and user.email in page
    assert 'href="/account/password"' in page and 'href="/account/sign-out-everywhere"' in page


def test_the_language_preference(app: Flask, client: FlaskClient, world) -> None:
    login(client, world.emails["delegate"])
    response = client.post("/account/language", data={"locale": "ar"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert user_by_email(app, world.emails["delegate"]).locale == "ar"
    page = page_text(client.get("/account"))
    assert 'lang="ar"' in page and translated(app, "Your language is saved.", "ar") in page
    refused = client.post("/account/language", data={"locale": "xx"})
    assert refused.status_code == 200 and field_errors(page_text(refused), "locale")
    assert user_by_email(app, world.emails["delegate"]).locale == "ar"


# (case, current typed, new, repeated, the field refused, its message)
REFUSED = [
    ("wrong current password", "not it", NEW_PASSWORD, NEW_PASSWORD, "current", "The current password is wrong."),
    ("no current password", "", NEW_PASSWORD, NEW_PASSWORD, "current", "Enter your current password."),
    ("too short", factories.PASSWORD, "short", "short", "password", "Use at least %(n)d characters."),
    ("two different entries", factories.PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "confirm",
     "The two passwords differ."),
]


@pytest.mark.parametrize(("case", "current", "new", "repeated", "field", "message"), REFUSED,
                         ids=[r[0] for r in REFUSED])
def test_a_refused_password_change_says_why_at_the_field(app: Flask, client: FlaskClient, world, case: str,
                                                         current: str, new: str, repeated: str, field: str,
                                                         message: str) -> None:
    email = world.emails["delegate"]
    login(client, email)
    other = app.test_client()
    login(other, email)
    response = client.post("/account/password", data={"current": current, "password": new, "confirm": repeated})
    html = page_text(response)
    assert response.status_code == 200, case
    variables = {"n": app.config["PASSWORD_MIN_LENGTH"]} if "%(n)d" in message else {}
    assert field_errors(html, field) == [translated(app, message, **variables)]
    assert input_value(html, "password") in (None, "") and input_value(html, "current") in (None, "")
    assert verify_password(user_by_email(app, email).password_hash, factories.PASSWORD)
    assert _signed_in(client) and _signed_in(other)


def test_changing_the_password_ends_other_sessions_and_spends_the_links(app: Flask, client: FlaskClient,
                                                                         world) -> None:
    email = world.emails["delegate"]
    reset_link = _request_reset(app, email)
    login(client, email)
    other = app.test_client()
    login(other, email)
    thief = _copy_of(app, client)
    assert client.get("/account/password").status_code == 200
    response = client.post("/account/password", data={"current": factories.PASSWORD, "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert _signed_in(client)
    assert not _signed_in(other) and not _signed_in(thief)
    user = user_by_email(app, email)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert ("auth.password_changed", str(user.id), None) in audit_actions(app, "auth.")
    # The reset link asked for before is spent: it cannot set the password again.
    assert all(token.used_at is not None for token in tokens_of(app, email))
    refused = follow_link(app.test_client(), reset_link)
    assert field_errors(page_text(refused), "code") == [translated(app, USED)]
    assert app.test_client().post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 200
    login(app.test_client(), email, NEW_PASSWORD)


def test_a_reset_spends_the_other_reset_links(app: Flask, world) -> None:
    email = world.emails["delegate"]
    first = _request_reset(app, email)
    second = _request_reset(app, email)
    client = app.test_client()
    page = open_link(client, second)
    assert client.post(page, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    refused = follow_link(app.test_client(), first)
    assert field_errors(page_text(refused), "code") == [translated(app, USED)]


def test_an_accepted_invitation_spends_the_resent_one(app: Flask, world) -> None:
    """An invitation sent twice: once the password is set, the other link cannot set it again."""
    with app.test_request_context():
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
        services.invite_user(actor=secretariat, email="new.person@example.org", full_name="New Person")
        db.session.commit()
    first = link_in_outbox(app, "new.person@example.org")
    with app.test_request_context():
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
        invited = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        services.send_invitation(invited, actor=secretariat)
        db.session.commit()
    second = link_in_outbox(app, "new.person@example.org")
    assert first != second
    client = app.test_client()
    page = open_link(client, first)
    assert client.post(page, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    refused = follow_link(app.test_client(), second)
    assert field_errors(page_text(refused), "code") == [translated(app, USED)]
    with app.app_context():
        assert db.session.scalar(select(Token).where(Token.used_at.is_(None))) is None


# Reset codes stay out of URLs --------------------------------------------------------------------------------


def test_the_link_page_never_puts_the_code_in_a_url(app: Flask, client: FlaskClient, world) -> None:
    """The e-mailed link is /reset#<code> (the fragment is never sent); the page posts the code and the
    browser lands on /reset again; the password form posts to /reset. An older link, /reset/<code>, moves
    the code into the session and redirects at once to the code-free URL."""
    link = _request_reset(app, world.emails["delegate"])
    code = link.rsplit("#", 1)[1]
    page = client.get("/reset")
    html = page_text(page)
    assert page.status_code == 200 and 'name="code"' in html and "link-code.js" in html
    claimed = client.post("/reset", data={"code": code})
    assert claimed.status_code == 302 and claimed.headers["Location"] == "/reset"
    form = page_text(client.get("/reset"))
    assert 'name="password"' in form and code not in form
    # Pasting the whole link works as well as the code alone.
    other = app.test_client()
    assert other.post("/reset", data={"code": "  http://localhost" + link + " "}).status_code == 302

    older = app.test_client()
    moved = older.get(f"/reset/{code}")
    assert moved.status_code == 302 and moved.headers["Location"] == "/reset"
    assert 'name="password"' in page_text(older.get("/reset"))
    assert older.post("/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    with older.session_transaction() as sess:
        assert code not in repr(dict(sess))  # the code left with the old session


def test_without_a_code_the_password_form_is_not_shown(app: Flask, client: FlaskClient, world) -> None:
    response = client.post("/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    html = page_text(response)
    assert response.status_code == 200 and 'name="code"' in html and 'name="password"' not in html
    empty = client.post("/reset", data={"code": ""})
    assert field_errors(page_text(empty), "code") == [translated(app, "Enter the code from the e-mail.")]
