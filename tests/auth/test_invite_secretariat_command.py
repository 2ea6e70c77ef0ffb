"""``flask accounts invite-secretariat EMAIL``: the first secretariat account without a Python shell.

The invitation leaves over a real SMTP server (aiosmtpd on 127.0.0.1), its link is followed as the person
would, and the account then reaches the secretariat's pages. Refusals (a second secretariat without
--force, a used or invalid address, no public address for the links) create nothing.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.commands import EXIT_NOT_SENT, EXIT_REFUSED, checked_email, default_name
from app.auth.models import User, UserKind
from app.auth.passwords import verify_password
from app.core.models import AuditEntry, OutboxMessage
from app.extensions import db
from tests.auth.helpers import (
    LINK,
    Inbox,
    body_of,
    extra_app,
    free_port,
    link_path,
    open_link,
    outbox,
    smtp_server,
    tokens_of,
    translated,
    user_by_email,
)
from tests.conftest import login

FIRST = "it.desk@example.org"
SECOND = "deputy@example.org"
PASSWORD = "a long enough passphrase"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    port = free_port()
    with smtp_server(port) as inbox:
        yield port, inbox


@pytest.fixture
def mail_app(tmp_path: Path, smtp: tuple[int, Inbox]) -> Iterator[Flask]:
    with extra_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp[0]) as application:
        yield application


def _invite(app: Flask, *args: str):  # noqa: ANN202
    return app.test_cli_runner().invoke(args=["accounts", "invite-secretariat", *args])


def _counts(app: Flask) -> tuple[int, int, int]:
    """(accounts, outbox messages, audit entries): a refusal changes none of them."""
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                     for model in (User, OutboxMessage, AuditEntry))


def _invited_entries(app: Flask) -> list[tuple[int | None, str | None, dict | None]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
            select(AuditEntry.actor_id, AuditEntry.object_id, AuditEntry.after)
            .where(AuditEntry.action == "user.invited").order_by(AuditEntry.id))]


# The rules, table-tested ------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("it.desk@example.org", "it.desk@example.org"),
    ("  IT.Desk@Example.ORG \n", "it.desk@example.org"),
    ("a@b.co", "a@b.co"),
    ("", None),
    ("   ", None),
    ("not-an-email", None),
    ("a@", None),
    ("@example.org", None),
    ("a b@example.org", None),
    ("a@@example.org", None),
    ("a@example", None),
    ("x" * 64 + "@" + "y" * 185 + ".org", None),  # 254 characters, but a domain label beyond 63
    ("x" * 64 + "@" + ".".join(["y" * 60] * 4) + ".org", None),  # 313 characters: beyond 254
])
def test_checked_email(typed: str, expected: str | None) -> None:
    assert checked_email(typed) == expected


@pytest.mark.parametrize(("email", "name"), [
    ("it.desk@example.org", "it.desk"),
    ("a@b.co", "a"),
])
def test_default_name(email: str, name: str) -> None:
    assert default_name(email) == name


# The first account ------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_first_account_is_invited_and_emailed(mail_app: Flask, smtp: tuple[int, Inbox], locale: str) -> None:
    result = _invite(mail_app, " IT.Desk@Example.org", "--name", "Desk Person", "--locale", locale)
    assert result.exit_code == 0, result.output
    assert f"Secretariat account {FIRST} (Desk Person) created" in result.output
    assert "e-mailed through 127.0.0.1" in result.output

    user = user_by_email(mail_app, FIRST)
    assert user.kind == UserKind.secretariat and user.locale == locale and user.active
    assert user.password_hash is None and user.member_id is None
    [message] = smtp[1].to(FIRST)
    assert message["Subject"] == translated(mail_app, "Your invitation to the programme platform", locale)
    assert translated(mail_app, "Hello %(name)s,", locale, name="Desk Person") in body_of(message)
    assert link_path(message).startswith("/invitation#")
    [row] = [m for m in outbox(mail_app) if m.recipient == FIRST]
    assert row.sent_at is not None
    # The audit entry the pages' invitations record, without an author (the command line).
    assert _invited_entries(mail_app) == [
        (None, str(user.id), {"email": FIRST, "full_name": "Desk Person", "kind": "secretariat"})]
    assert mail_app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_the_invitation_link_works_and_opens_the_secretariat_pages(mail_app: Flask, smtp: tuple[int, Inbox]) -> None:
    assert _invite(mail_app, FIRST).exit_code == 0
    person = mail_app.test_client()
    assert person.get("/audit").status_code in (302, 401)  # not signed in yet
    path = open_link(person, link_path(smtp[1].to(FIRST)[0]))
    done = person.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert verify_password(user_by_email(mail_app, FIRST).password_hash, PASSWORD)
    assert tokens_of(mail_app, FIRST)[0].used_at is not None
    assert person.get("/audit").status_code == 200  # a secretariat page
    assert person.get("/outbox").status_code == 200
    # And the password works at the sign-in page, in a fresh browser.
    fresh = mail_app.test_client()
    login(fresh, FIRST, PASSWORD)
    assert fresh.get("/audit").status_code == 200


def test_default_name_and_language(app: Flask, runner) -> None:  # noqa: ANN001
    result = runner.invoke(args=["accounts", "invite-secretariat", FIRST])
    assert result.exit_code == 0, result.output
    user = user_by_email(app, FIRST)
    assert user.full_name == "it.desk" and user.locale is None
    [row] = outbox(app)
    assert row.subject == translated(app, "Your invitation to the programme platform", app.config["BABEL_DEFAULT_LOCALE"])


def test_without_mail_server_the_invitation_is_printed(app: Flask, runner, client) -> None:  # noqa: ANN001
    result = runner.invoke(args=["accounts", "invite-secretariat", FIRST])
    assert result.exit_code == 0, result.output
    assert "No APP_MAIL_SERVER" in result.output
    [row] = outbox(app)
    assert row.recipient == FIRST and row.body in result.output
    link = LINK.search(result.output)
    assert link is not None
    path = open_link(client, link.group(1))
    assert client.post(path, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert client.get("/audit").status_code == 200


# Refusals ---------------------------------------------------------------------------------------------


def test_a_second_secretariat_is_refused_without_force_and_accepted_with_it(mail_app: Flask,
                                                                           smtp: tuple[int, Inbox]) -> None:
    assert _invite(mail_app, FIRST).exit_code == 0
    before = _counts(mail_app)
    refused = _invite(mail_app, SECOND)
    assert refused.exit_code == EXIT_REFUSED
    assert "a secretariat account already exists" in refused.output and FIRST in refused.output
    assert "--force" in refused.output
    assert _counts(mail_app) == before and smtp[1].to(SECOND) == []

    forced = _invite(mail_app, SECOND, "--force")
    assert forced.exit_code == 0, forced.output
    assert user_by_email(mail_app, SECOND).kind == UserKind.secretariat
    assert len(smtp[1].to(SECOND)) == 1
    assert [entry[2]["email"] for entry in _invited_entries(mail_app)] == [FIRST, SECOND]


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("typed", [FIRST, "IT.DESK@example.org ", "representative@example.org"])
def test_an_address_already_used_is_refused(app: Flask, runner, typed: str, force: bool) -> None:  # noqa: ANN001
    assert runner.invoke(args=["accounts", "invite-secretariat", FIRST]).exit_code == 0
    with app.app_context():  # a representative's account: any account, not only a secretariat one
        db.session.add(User(email="representative@example.org", full_name="R", kind=UserKind.representative))
        db.session.commit()
    before = _counts(app)
    result = runner.invoke(args=["accounts", "invite-secretariat", typed, *(["--force"] if force else [])])
    assert result.exit_code == EXIT_REFUSED
    assert (f"an account already uses {typed.strip().lower()}" if force
            else "a secretariat account already exists") in result.output
    assert _counts(app) == before


@pytest.mark.parametrize("typed", ["", "not-an-email", "a@", "@example.org", "a b@example.org"])
def test_an_invalid_address_is_refused(app: Flask, runner, typed: str) -> None:  # noqa: ANN001
    result = runner.invoke(args=["accounts", "invite-secretariat", typed])
    assert result.exit_code == EXIT_REFUSED
    assert "is not a valid e-mail address" in result.output
    assert _counts(app) == (0, 0, 0)


def test_links_need_the_public_address(tmp_path: Path) -> None:
    with extra_app(tmp_path, SERVER_NAME=None, EXTERNAL_URL=None) as bare:
        result = _invite(bare, FIRST)
        assert result.exit_code == EXIT_REFUSED
        assert "APP_EXTERNAL_URL" in result.output
        assert _counts(bare) == (0, 0, 0)


def test_links_point_at_the_public_address(tmp_path: Path) -> None:
    with extra_app(tmp_path, SERVER_NAME=None, EXTERNAL_URL="https://pcpa.example.org/platform") as public:
        result = _invite(public, FIRST)
        assert result.exit_code == 0, result.output
        [row] = outbox(public)
        assert "https://pcpa.example.org/platform/invitation#" in row.body


def test_a_mail_server_that_does_not_answer_keeps_the_account_and_says_so(tmp_path: Path) -> None:
    with extra_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2) as down:
        result = _invite(down, FIRST)
        assert result.exit_code == EXIT_NOT_SENT
        assert "could not be sent" in result.output
        assert user_by_email(down, FIRST).kind == UserKind.secretariat
        [row] = outbox(down)
        assert row.sent_at is None
