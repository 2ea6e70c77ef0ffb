"""Invitation and password-reset links, delivered over real SMTP.

An aiosmtpd server listens on 127.0.0.1 and the app sends to it as it would to
a production relay; the tests read the messages it received, follow the link
like the recipient would, and check that each link works once, expires, and
that the outbox does not show it when real mail is on.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.auth import services
from app.auth.models import Token, TokenPurpose, User, UserKind
from app.auth.passwords import verify_password
from app.core import mail
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.auth.helpers import (
    Inbox,
    audit_actions,
    body_of,
    extra_app,
    field_errors,
    follow_link,
    free_port,
    link_in_outbox,
    link_path,
    open_link,
    outbox,
    page_text,
    smtp_server,
    tokens_of,
    translated,
    user_by_email,
)
from tests.conftest import login

NEW_PASSWORD = "a long enough passphrase"
INVITEE = "new.person@example.org"
USED = "This link has already been used. Ask for a new one."
EXPIRED = "This link has expired. Ask for a new one."
INVALID = "This link is not valid. Ask for a new one."
NEUTRAL = "If an account uses this address, a link to reset the password has been sent to it."


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    port = free_port()
    with smtp_server(port) as inbox:
        yield port, inbox


@pytest.fixture
def mail_app(tmp_path: Path, smtp: tuple[int, Inbox]) -> Iterator[Flask]:
    port, _ = smtp
    with extra_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=port) as application:
        yield application


@pytest.fixture
def inbox(smtp: tuple[int, Inbox]) -> Inbox:
    return smtp[1]


@pytest.fixture
def mail_world(mail_app: Flask) -> factories.World:
    with mail_app.app_context():
        built = factories.build_world()
        db.session.commit()
        return built


def _invite(app: Flask, world: factories.World, email: str = INVITEE, locale: str = "fr") -> FlaskClient:
    """The secretariat invites a representative from the member's page."""
    secretariat = app.test_client()
    login(secretariat, world.emails["secretariat"])
    response = secretariat.post(f"/members/{world.member_id}/representatives/invite",
                                data={"full_name": "New Person", "email": email, "gender": "undisclosed",
                                      "locale": locale})
    assert response.status_code == 302, page_text(response)[:2000]
    return secretariat


def _set(client: FlaskClient, path: str, password: str, confirm: str | None = None):  # noqa: ANN202
    return client.post(path, data={"password": password, "confirm": password if confirm is None else confirm})


def _signed_in_as(client: FlaskClient) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("_user_id")


@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_invitation_arrives_over_smtp_in_the_invitee_language(mail_app: Flask, mail_world, inbox: Inbox,
                                                              locale: str) -> None:
    _invite(mail_app, mail_world, locale=locale)
    [message] = inbox.to(INVITEE)
    assert message["Subject"] == translated(mail_app, "Your invitation to the programme platform", locale)
    assert translated(mail_app, "Hello %(name)s,", locale, name="New Person") in body_of(message)
    path = link_path(message)
    assert path.startswith("/invitation#")  # the code rides in the fragment: never sent to the server
    # Only the SHA-256 of the secret is kept; the outbox row is marked sent.
    secret = path.rsplit("#", 1)[1]
    assert secret in body_of(message).splitlines()  # also given alone, for readers whose link does not open
    [token] = tokens_of(mail_app, INVITEE)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert token.purpose == TokenPurpose.invitation and token.used_at is None
    assert abs((token.expires_at - token.created_at) - mail_app.config["INVITATION_TTL"]) < timedelta(seconds=5)
    [row] = [m for m in outbox(mail_app) if m.recipient == INVITEE]
    assert row.sent_at is not None and row.error is None


def test_invitation_link_sets_the_password_once(mail_app: Flask, mail_world, inbox: Inbox) -> None:
    _invite(mail_app, mail_world)
    link = link_path(inbox.to(INVITEE)[0])
    invitee = mail_app.test_client()
    path = open_link(invitee, link)
    assert path == "/invitation"

    page = invitee.get(path)
    html = page_text(page)
    assert page.status_code == 200
    assert INVITEE in html and 'name="password"' in html and 'name="confirm"' in html
    assert link.split("#")[1] not in html  # the code is kept in the session, not in the page

    # Too short: explained at the field; nothing is kept, the link still works.
    short = _set(invitee, path, "short")
    html = page_text(short)
    assert short.status_code == 200
    assert field_errors(html, "password") == [translated(mail_app, "Use at least %(n)d characters.", n=10)]
    assert 'value="short"' not in html
    assert user_by_email(mail_app, INVITEE).password_hash is None
    assert tokens_of(mail_app, INVITEE)[0].used_at is None
    assert _signed_in_as(invitee) is None

    # Two different entries: explained at the confirmation.
    mismatch = _set(invitee, path, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert field_errors(page_text(mismatch), "confirm") == [
        translated(mail_app, "The two passwords differ.")]
    assert user_by_email(mail_app, INVITEE).password_hash is None

    # A valid password activates the account and signs the person in.
    done = _set(invitee, path, NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    user = user_by_email(mail_app, INVITEE)
    assert user.active and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert _signed_in_as(invitee) == user.get_id()
    assert "New Person" in page_text(invitee.get("/"))
    assert tokens_of(mail_app, INVITEE)[0].used_at is not None
    assert ("auth.password_set", str(user.id), None) in audit_actions(mail_app, "auth.")
    # The new password works at the sign-in page.
    login(mail_app.test_client(), INVITEE, NEW_PASSWORD)

    # Second use, by anyone: the code is refused at its field (not a password form, not a 500); the older
    # form of the link (the code in the path) gives a translated page; nothing changes.
    other = mail_app.test_client()
    again = follow_link(other, link)
    html = page_text(again)
    assert again.status_code == 200 and field_errors(html, "code") == [translated(mail_app, USED)]
    assert 'name="password"' not in html and _signed_in_as(other) is None
    old_form = other.get("/invitation/" + link.split("#")[1], follow_redirects=True)
    assert old_form.status_code == 410 and translated(mail_app, USED) in page_text(old_form)
    assert 'name="password"' not in page_text(old_form) and _signed_in_as(other) is None
    assert verify_password(user_by_email(mail_app, INVITEE).password_hash, NEW_PASSWORD)


def _expire_tokens(app: Flask, email: str, ago: timedelta) -> None:
    """Move the link's creation and expiry back in time."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        now = utcnow()
        db.session.execute(update(Token).where(Token.user_id == user_id)
                           .values(created_at=now - ago, expires_at=now - ago + app.config["INVITATION_TTL"]))
        db.session.commit()


@pytest.mark.parametrize(("age", "usable"), [
    (timedelta(days=6, hours=23), True),
    (timedelta(days=7, seconds=1), False),
    (timedelta(days=30), False),
], ids=["6 days 23 hours", "7 days and a second", "30 days"])
def test_invitation_expires_after_7_days(app: Flask, client: FlaskClient, world, age: timedelta,
                                         usable: bool) -> None:
    with app.test_request_context():
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
        services.invite_user(actor=secretariat, email=INVITEE, full_name="New Person")
        db.session.commit()
    link = link_in_outbox(app, INVITEE)
    _expire_tokens(app, INVITEE, age)
    claimed = follow_link(client, link)
    user = user_by_email(app, INVITEE)
    if usable:
        assert claimed.status_code == 302
        assert _set(client, "/invitation", NEW_PASSWORD).status_code == 302
        assert user_by_email(app, INVITEE).password_hash is not None
    else:
        assert claimed.status_code == 200
        assert field_errors(page_text(claimed), "code") == [translated(app, EXPIRED)]
        assert _set(client, "/invitation", NEW_PASSWORD).status_code == 200  # asks for the code again
        assert user.password_hash is None and _signed_in_as(client) is None


# (case, link) -- nothing there is a link the app issued for that page
NOT_LINKS = [
    ("random secret", "/invitation#this-is-not-a-real-secret-0123456789abcdef"),
    ("random reset secret", "/reset#this-is-not-a-real-secret-0123456789abcdef"),
    ("older form, random secret", "/invitation/this-is-not-a-real-secret-0123456789abcdef"),
    ("older form, random reset secret", "/reset/this-is-not-a-real-secret-0123456789abcdef"),
]


@pytest.mark.parametrize(("case", "link"), NOT_LINKS, ids=[n[0] for n in NOT_LINKS])
def test_unknown_links_are_refused_politely(app: Flask, client: FlaskClient, world, case: str, link: str) -> None:
    if "#" in link:
        response = follow_link(client, link)
        assert response.status_code == 200, case
        assert field_errors(page_text(response), "code") == [translated(app, INVALID)]
        return
    for response in (client.get(link, follow_redirects=True),
                     client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                                 follow_redirects=True)):
        assert response.status_code == 410, case
        assert translated(app, INVALID) in page_text(response)


def test_an_invitation_link_is_not_a_reset_link(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
        services.invite_user(actor=secretariat, email=INVITEE, full_name="New Person")
        db.session.commit()
    secret = link_in_outbox(app, INVITEE).rsplit("#", 1)[1]
    response = follow_link(client, f"/reset#{secret}")
    assert response.status_code == 200
    assert field_errors(page_text(response), "code") == [translated(app, INVALID)]
    assert client.get(f"/reset/{secret}", follow_redirects=True).status_code == 410
    assert user_by_email(app, INVITEE).password_hash is None


# Forgotten password -------------------------------------------------------------


def _forgot(client: FlaskClient, email: str) -> str:
    response = client.post("/forgot-password", data={"email": email})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    return page_text(client.get("/login"))


def test_unknown_address_gets_the_neutral_message_and_nothing_is_sent(mail_app: Flask, mail_world,
                                                                      inbox: Inbox) -> None:
    html = _forgot(mail_app.test_client(), "nobody@example.org")
    assert translated(mail_app, NEUTRAL) in html
    assert inbox.messages == [] and outbox(mail_app) == []
    assert audit_actions(mail_app, "auth.reset") == []


def test_closed_account_gets_the_neutral_message_and_nothing_is_sent(mail_app: Flask, mail_world,
                                                                     inbox: Inbox) -> None:
    with mail_app.app_context():
        db.session.execute(update(User).where(User.email == mail_world.emails["alternate"]).values(active=False))
        db.session.commit()
    assert translated(mail_app, NEUTRAL) in _forgot(mail_app.test_client(), mail_world.emails["alternate"])
    assert inbox.messages == []


def test_known_address_gets_a_reset_link_that_works_once(mail_app: Flask, mail_world, inbox: Inbox) -> None:
    email = mail_world.emails["delegate"]
    with mail_app.app_context():
        db.session.execute(update(User).where(User.email == email).values(locale="en"))
        db.session.commit()
    client = mail_app.test_client()
    html = _forgot(client, email.upper())
    assert translated(mail_app, NEUTRAL) in html  # the very same message as for an unknown address
    [message] = inbox.to(email)
    assert message["Subject"] == translated(mail_app, "Reset your password", "en")
    link = link_path(message)
    assert link.startswith("/reset#")
    [token] = tokens_of(mail_app, email)
    assert abs((token.expires_at - token.created_at) - mail_app.config["PASSWORD_RESET_TTL"]) < timedelta(seconds=5)

    path = open_link(client, link)
    assert client.get(path).status_code == 200
    done = _set(client, path, NEW_PASSWORD)
    assert done.status_code == 302
    user = user_by_email(mail_app, email)
    assert _signed_in_as(client) == user.get_id()
    assert ("auth.password_reset", str(user.id), None) in audit_actions(mail_app, "auth.")
    # The old password is gone, the new one works.
    refused = mail_app.test_client().post("/login", data={"email": email, "password": factories.PASSWORD})
    assert refused.status_code == 200
    login(mail_app.test_client(), email, NEW_PASSWORD)
    # And the link is spent.
    again = follow_link(mail_app.test_client(), link)
    assert field_errors(page_text(again), "code") == [translated(mail_app, USED)]


def test_reset_link_expires_after_2_hours(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        services.request_password_reset(world.emails["delegate"])
        db.session.commit()
    path = open_link(client, link_in_outbox(app, world.emails["delegate"]))
    with app.app_context():
        db.session.execute(update(Token).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = _set(client, path, NEW_PASSWORD)
    assert response.status_code == 410 and translated(app, EXPIRED) in page_text(response)
    assert verify_password(user_by_email(app, world.emails["delegate"]).password_hash, factories.PASSWORD)


# Outbox -----------------------------------------------------------------------


def test_outbox_hides_links_when_real_mail_is_on(mail_app: Flask, mail_world, inbox: Inbox) -> None:
    secretariat = _invite(mail_app, mail_world)
    secret = link_path(inbox.to(INVITEE)[0]).rsplit("#", 1)[1]
    html = page_text(secretariat.get("/outbox"))
    assert INVITEE in html
    assert secret not in html and "/invitation#" not in html
    assert "[…]" in html
    assert translated(mail_app, "Messages are delivered over SMTP; single-use links are hidden here.") in html


def test_outbox_shows_links_when_it_is_the_only_delivery(app: Flask, client: FlaskClient, world) -> None:
    login(client, world.emails["secretariat"])
    response = client.post(f"/members/{world.member_id}/representatives/invite",
                           data={"full_name": "New Person", "email": INVITEE, "gender": "undisclosed",
                                 "locale": "fr"})
    assert response.status_code == 302
    path = link_in_outbox(app, INVITEE)
    html = page_text(client.get("/outbox"))
    assert path in html


@pytest.mark.parametrize(("server", "redacted"), [(None, False), ("127.0.0.1", True)])
def test_redact_links(app: Flask, server: str | None, redacted: bool) -> None:
    code = "AbC-123_x" * 5
    body = (f"Hello,\nhttp://localhost/invitation/AbC-123_x\nhttps://pcpa.example.org/reset/zzz\n"
            f"https://pcpa.example.org/reset#{code}\nOr go to https://pcpa.example.org/reset and enter:\n{code}\n"
            "See https://pcpa.example.org/members/3 too.")
    with app.test_request_context():
        app.config["MAIL_SERVER"] = server
        try:
            shown = mail.redact_links(body)
        finally:
            app.config["MAIL_SERVER"] = None
    if redacted:
        assert "AbC-123_x" not in shown and "zzz" not in shown
        assert "https://pcpa.example.org/members/3" in shown  # ordinary links stay
        assert "go to https://pcpa.example.org/reset and enter" in shown  # the page without its code stays
    else:
        assert shown == body


# SMTP down ---------------------------------------------------------------------


def test_smtp_down_keeps_the_message_unsent_and_the_request_succeeds(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    with extra_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2) as down_app:
        with down_app.app_context():
            world = factories.build_world()
            db.session.commit()
        _invite(down_app, world)
        assert user_by_email(down_app, INVITEE).password_hash is None
        [row] = [m for m in outbox(down_app) if m.recipient == INVITEE]
        assert row.sent_at is None and row.error is None
        # The next delivery, once the server is back, sends it.
        with smtp_server(port) as inbox:
            with down_app.app_context():
                assert mail.deliver_pending() == 1
            [message] = inbox.to(INVITEE)
        assert link_path(message).startswith("/invitation#")
        [row] = [m for m in outbox(down_app) if m.recipient == INVITEE]
        assert row.sent_at is not None
