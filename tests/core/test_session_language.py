"""The language is chosen per session: the header's choice stays in that browser; the account's language
(account page) is only the default of a session that chose none, and the language of the person's e-mails.

Why: the header's choice was saved on the account, so a delegate reading in Arabic on a phone turned the
office computer's next session Arabic too.
"""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests import factories
from tests.conftest import login


def _lang(client: FlaskClient, url: str = "/") -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'<html[^>]* lang="(\w+)"', html)
    assert found, html[:500]
    return found.group(1)


def _account_locale(app: Flask, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.locale).where(User.email == email))


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def test_header_choice_stays_in_its_own_session(app: Flask, world: factories.World) -> None:
    email = world.emails["delegate"]
    phone, laptop = _signed_in(app, email), _signed_in(app, email)
    assert phone.post("/language", data={"locale": "ar", "next": "/"}).status_code == 302
    assert _lang(phone) == "ar"
    assert _lang(laptop) == "fr"  # the other session keeps its language
    assert _lang(_signed_in(app, email)) == "fr"  # and a new session opens in the default
    assert _account_locale(app, email) is None  # the account's language is not touched


def test_two_sessions_each_keep_their_choice(app: Flask, world: factories.World) -> None:
    email = world.emails["secretariat"]
    one, two = _signed_in(app, email), _signed_in(app, email)
    one.post("/language", data={"locale": "en", "next": "/"})
    two.post("/language", data={"locale": "ar", "next": "/"})
    assert (_lang(one), _lang(two)) == ("en", "ar")
    one.get("/members")
    assert (_lang(one, "/members"), _lang(two, "/members")) == ("en", "ar")


def test_account_language_is_the_default_of_new_sessions(app: Flask, world: factories.World) -> None:
    email = world.emails["delegate"]
    first = _signed_in(app, email)
    assert first.post("/account/language", data={"locale": "en"}).status_code == 302
    assert _account_locale(app, email) == "en"
    assert _lang(first) == "en"
    assert _lang(_signed_in(app, email)) == "en"  # a new session starts in the account's language


def test_a_session_that_chose_keeps_its_choice_over_the_account_default(app: Flask, world: factories.World) -> None:
    email = world.emails["delegate"]
    chose = _signed_in(app, email)
    chose.post("/language", data={"locale": "ar", "next": "/"})
    _signed_in(app, email).post("/account/language", data={"locale": "en"})
    assert _lang(chose) == "ar"


def test_choice_made_before_sign_in_is_kept_after_it(app: Flask, world: factories.World) -> None:
    email = world.emails["delegate"]
    with app.app_context():
        db.session.scalars(select(User).where(User.email == email)).one().locale = "en"
        db.session.commit()
    client = app.test_client()
    client.post("/language", data={"locale": "ar", "next": "/login"})
    login(client, email)
    assert _lang(client) == "ar"
    assert _account_locale(app, email) == "en"


def test_without_any_choice_the_browser_language_is_used(app: Flask, world: factories.World) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    login(client, world.emails["delegate"])
    assert _lang(client) == "ar"


def test_sign_out_keeps_the_session_language(app: Flask, world: factories.World) -> None:
    client = _signed_in(app, world.emails["delegate"])
    client.post("/language", data={"locale": "en", "next": "/"})
    client.post("/logout")
    assert _lang(client, "/login") == "en"


def test_account_page_says_what_its_language_does(app: Flask, world: factories.World) -> None:
    client = _signed_in(app, world.emails["delegate"])
    client.post("/language", data={"locale": "fr", "next": "/"})
    html = client.get("/account").get_data(as_text=True)
    assert "ne change que la session en cours" in html


def test_an_account_default_changed_elsewhere_does_not_switch_an_open_session(app: Flask,
                                                                               world: factories.World) -> None:
    email = world.emails["delegate"]
    _signed_in(app, email).post("/account/language", data={"locale": "en"})
    laptop = _signed_in(app, email)  # never chose: opened in the account's language
    assert _lang(laptop) == "en"
    _signed_in(app, email).post("/account/language", data={"locale": "ar"})
    assert _lang(laptop) == "en"
    assert _lang(_signed_in(app, email)) == "ar"  # the next session opens in the new default
