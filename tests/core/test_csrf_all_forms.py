"""CSRF: every URL rule that accepts POST refuses a POST without a token (400),
even from a signed-in secretariat user, while the same POST with the token gets
through. The rules are read from ``app.url_map``, so a new form is covered
without touching this file.

The suite's app has CSRF off; this module builds its own app with it on. On
SQLite that app has its own database file; with ``TEST_DATABASE_URL`` it shares
the test database and empties it after each test, like the shared fixtures.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from tests import factories
from tests.conftest import csrf_token_from, wipe
from tests.conftest import test_settings as settings_for


@pytest.fixture(scope="module")
def csrf_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(settings_for(tmp_path_factory.mktemp("csrf"), WTF_CSRF_ENABLED=True))
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_world(csrf_app: Flask) -> Iterator[factories.World]:
    with csrf_app.app_context():
        built = factories.build_world()
        db.session.commit()
    yield built
    wipe(csrf_app)


def _post_rules(app: Flask) -> list[str]:
    return sorted({r.rule for r in app.url_map.iter_rules() if "POST" in (r.methods or set())})


def _fill(rule: str, world: factories.World) -> str:
    """Arguments from the world where they name an object, a plausible value otherwise
    (the CSRF check runs before the view looks anything up)."""
    known = {"member_id": world.member_id, "version": 1, "college_id": 1, "user_id": 1, "fmt": "csv"}

    def one(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        return str(known.get(name, 1 if converter == "int" else "x"))

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", one, rule)


def _signed_in_client(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """Sign in the proper way (with the login form's token); return the client and a valid token."""
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    token = csrf_token_from(client.get("/members/new").get_data(as_text=True))
    return client, token


def test_there_are_forms_to_check(csrf_app: Flask) -> None:
    rules = _post_rules(csrf_app)
    assert "/login" in rules and "/members/new" in rules and len(rules) > 10


def test_post_without_token_is_refused_everywhere(csrf_app: Flask, csrf_world: factories.World) -> None:
    client, _ = _signed_in_client(csrf_app, csrf_world.emails["secretariat"])
    accepted = []
    for rule in _post_rules(csrf_app):
        url = _fill(rule, csrf_world)
        response = client.post(url, data={"locale": "en", "agree": "y", "name": "No token"})
        if response.status_code != 400:
            accepted.append(f"{url} -> {response.status_code}")
    assert not accepted, f"POST without a CSRF token was not refused: {accepted}"
    # Still signed in: the refusals did not end the session.
    assert client.get("/members").status_code == 200


def test_post_with_a_wrong_token_is_refused(csrf_app: Flask, csrf_world: factories.World) -> None:
    client, token = _signed_in_client(csrf_app, csrf_world.emails["secretariat"])
    for rule in _post_rules(csrf_app):
        url = _fill(rule, csrf_world)
        response = client.post(url, data={"csrf_token": token[:-4] + "AAAA", "locale": "en"})
        assert response.status_code == 400, url


def test_anonymous_post_without_token_is_refused(csrf_app: Flask, csrf_world: factories.World) -> None:
    client = csrf_app.test_client()
    for url in ("/login", "/forgot-password", "/language", "/logout", "/members/new"):
        assert client.post(url, data={"email": csrf_world.emails["secretariat"],
                                      "password": factories.PASSWORD, "locale": "en"}).status_code == 400, url


def test_the_same_post_with_the_token_gets_through(csrf_app: Flask, csrf_world: factories.World) -> None:
    """Control: the 400s above come from the missing token, not from the request."""
    client, token = _signed_in_client(csrf_app, csrf_world.emails["secretariat"])
    response = client.post("/language", data={"locale": "en", "next": "/members", "csrf_token": token})
    assert response.status_code == 302
    response = client.post("/members/new", data={"name": "", "csrf_token": token})
    assert response.status_code == 200  # the form is shown again with its errors, not refused
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_csrf_failure_page_is_not_a_login_redirect(csrf_app: Flask, csrf_world: factories.World) -> None:
    client, _ = _signed_in_client(csrf_app, csrf_world.emails["secretariat"])
    response = client.post("/members/new", data={"name": "x"})
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_settings_keep_csrf_on_by_default() -> None:
    """Only tests switch CSRF off: the defaults leave it on."""
    from app.config import Defaults

    assert getattr(Defaults, "WTF_CSRF_ENABLED", True) is True
