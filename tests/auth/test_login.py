"""Signing in and out as a person does it: one neutral error for every refusal,
the typed address kept, failures in the audit log, sign-out by POST only, and
``next`` limited to this site's own paths.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.auth.models import User, UserKind
from app.core.audit import verify_chain
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.auth.helpers import audit_actions, field_errors, input_value, page_text, translated, user_by_email
from tests.conftest import login

WRONG = "E-mail address or password is wrong."


def _add_user(app: Flask, email: str, *, active: bool = True, password: bool = True) -> None:
    with app.app_context():
        user = factories.user(email, kind=UserKind.ex_officio)
        user.active = active
        if not password:
            user.password_hash = None
        db.session.commit()


def _session(client: FlaskClient) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


@pytest.mark.parametrize("typed", ["delegate@example.org", "Delegate@Example.ORG"])
def test_success_redirects_home_and_opens_a_session(app: Flask, client: FlaskClient, world, typed: str) -> None:
    response = client.post("/login", data={"email": typed, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = user_by_email(app, "delegate@example.org")
    session = _session(client)
    assert session["_user_id"] == user.get_id() == f"{user.id}:{user.session_version}"
    assert session["_permanent"] is True  # the inactivity timeout applies
    assert user.last_login_at is not None
    assert client.get("/").status_code == 200
    assert ("auth.login", str(user.id), None) in audit_actions(app, "auth.")


# (case, e-mail typed, password typed, how the account is set up or None)
REFUSED = [
    ("wrong password", "delegate@example.org", "not the password", None),
    ("unknown e-mail", "nobody@example.org", factories.PASSWORD, None),
    ("disabled account, right password", "closed@example.org", factories.PASSWORD, {"active": False}),
    ("invited, no password yet", "invited@example.org", factories.PASSWORD, {"password": False}),
]


@pytest.mark.parametrize(("case", "email", "password", "account"), REFUSED, ids=[r[0] for r in REFUSED])
@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_refusals_look_the_same(app: Flask, client: FlaskClient, world, case: str, email: str, password: str,
                                account: dict | None, locale: str) -> None:
    if account is not None:
        _add_user(app, email, **account)
    response = client.post("/login", data={"email": email, "password": password},
                           headers={"Accept-Language": locale})
    html = page_text(response)
    assert response.status_code == 200, case
    assert f'lang="{locale}"' in html
    # One message, at the password field, whatever the reason: nothing tells which accounts exist.
    message = translated(app, WRONG, locale)
    assert (message != WRONG) == (locale != "en")
    assert field_errors(html, "password") == [message]
    assert field_errors(html, "email") == []
    assert input_value(html, "email") == email
    assert input_value(html, "password") in (None, "")
    assert password not in html
    assert "_user_id" not in _session(client)
    assert client.get("/").status_code == 302


def test_every_refusal_is_audited_without_the_password(app: Flask, client: FlaskClient, world) -> None:
    _add_user(app, "closed@example.org", active=False)
    delegate = user_by_email(app, "delegate@example.org")
    closed = user_by_email(app, "closed@example.org")
    for email, password in [("Delegate@example.org", "guess-one"), ("nobody@example.org", "guess-two"),
                            ("closed@example.org", factories.PASSWORD)]:
        assert client.post("/login", data={"email": email, "password": password}).status_code == 200
    assert audit_actions(app, "auth.") == [
        ("auth.login_failed", str(delegate.id), {"email": "delegate@example.org"}),
        ("auth.login_failed", None, {"email": "nobody@example.org"}),
        ("auth.login_failed", str(closed.id), {"email": "closed@example.org"}),
    ]
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert verify_chain(entries).ok
        stored = repr([(e.before, e.after, e.actor_label) for e in entries])
    for secret in ("guess-one", "guess-two", factories.PASSWORD):
        assert secret not in stored


def test_empty_fields_are_explained_at_each_field(app: Flask, client: FlaskClient, world) -> None:
    html = page_text(client.post("/login", data={"email": "", "password": ""}))
    assert field_errors(html, "email") == [translated(app, "Enter your e-mail address.")]
    assert field_errors(html, "password") == [translated(app, "Enter your password.")]
    assert audit_actions(app, "auth.") == []


def test_logout_refuses_get(app: Flask, client: FlaskClient, world) -> None:
    login(client, world.emails["delegate"])
    response = client.get("/logout")
    assert response.status_code == 405
    assert translated(app, "Method not allowed") in page_text(response)
    assert "_user_id" in _session(client)
    assert client.get("/").status_code == 200


def test_logout_by_post_clears_the_session_but_keeps_the_language(app: Flask, client: FlaskClient, world) -> None:
    login(client, world.emails["delegate"])
    with client.session_transaction() as sess:
        sess["locale"] = "ar"
        sess["leftover"] = "anything"
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    session = _session(client)
    assert "_user_id" not in session and "leftover" not in session
    assert session["locale"] == "ar"
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].startswith("/login")
    user = user_by_email(app, world.emails["delegate"])
    assert audit_actions(app, "auth.logout") == [("auth.logout", str(user.id), None)]


def test_signed_in_user_visiting_login_goes_home(client: FlaskClient, world) -> None:
    login(client, world.emails["delegate"])
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_account_closed_while_signed_in_is_signed_out(app: Flask, client: FlaskClient, world) -> None:
    """Closing an account ends its open sessions at their next request."""
    login(client, world.emails["secretariat"])
    assert client.get("/members").status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.email == world.emails["secretariat"]).values(active=False))
        db.session.commit()
    response = client.get("/members")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def _host_a_browser_reaches(location: str) -> str | None:
    """Resolve a Location header the way browsers do (WHATWG URL: tabs and
    newlines dropped, a backslash is a slash in http(s) URLs)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://localhost/login", cleaned)).hostname


# (what is tried, the ``next`` value, where the user lands; None: somewhere on this site)
NEXT = [
    ("local path", "/members", "/members"),
    ("local path with query", "/members?country=TN&page=2", "/members?country=TN&page=2"),
    ("absolute URL", "https://evil.example/login", "/"),
    ("scheme-relative URL", "//evil.example", "/"),
    ("backslash read as slash by browsers", "/\\evil.example", None),
    ("backslash and slash", "/\\/evil.example", None),
    ("tab stripped by browsers", "/\t/evil.example", "/"),
    ("javascript URL", "javascript:alert(1)", "/"),
    ("single-slash scheme", "https:/evil.example", "/"),
    ("empty", "", "/"),
]


@pytest.mark.parametrize(("case", "target", "landing"), NEXT, ids=[n[0] for n in NEXT])
@pytest.mark.parametrize("via", ["form", "query"])
def test_next_only_leads_to_local_paths(client: FlaskClient, world, case: str, target: str, landing: str | None,
                                        via: str) -> None:
    data = {"email": world.emails["delegate"], "password": factories.PASSWORD}
    if via == "form":
        response = client.post("/login", data={**data, "next": target})
    else:
        response = client.post("/login", query_string={"next": target}, data=data)
    assert response.status_code == 302, case
    location = response.headers["Location"]
    assert _host_a_browser_reaches(location) == "localhost", location
    if landing is not None:
        assert location == landing


def test_next_survives_the_login_page(client: FlaskClient, world) -> None:
    """Sent to sign in from a page, the user comes back to it."""
    bounced = client.get("/members?country=TN")
    assert bounced.status_code == 302
    page = page_text(client.get(bounced.headers["Location"]))
    target = input_value(page, "next")
    assert target == "/members?country=TN"
    response = client.post("/login", data={"email": world.emails["delegate"], "password": factories.PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == "/members?country=TN"


def test_name_with_markup_is_escaped_in_the_welcome(app: Flask, client: FlaskClient, world) -> None:
    with app.app_context():
        user = factories.user("markup@example.org", kind=UserKind.ex_officio, name="<b>Bold</b> & co")
        db.session.commit()
        user_id = user.id
    response = client.post("/login", data={"email": "markup@example.org", "password": factories.PASSWORD},
                           follow_redirects=True)
    raw = response.get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in raw and "<b>Bold</b>" not in raw
    assert _session(client)["_user_id"].split(":")[0] == str(user_id)
