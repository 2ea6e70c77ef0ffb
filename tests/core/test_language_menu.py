"""The header's language menu (issue 11, point 13): a disclosure of one POST form with one button per language.

Why POST buttons and not links to a GET route: choosing a language changes state (the language remembered for
the session), so it keeps the CSRF token, no prefetch or crawler can change it, and the page to come back to
goes through ``safe_next`` (local paths only). The menu works without JavaScript (``<details>``); the browser
side is ``tests/browser/test_language_menu.py``.
"""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.core.redirects import safe_next
from tests import factories
from tests.conftest import login


def _menu(html: str) -> str:
    match = re.search(r'<details class="language-menu" id="language-menu">.*?</details>', html, re.S)
    assert match, "no language menu in the header"
    return match.group(0)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_header_has_a_menu_with_one_button_per_language(client: FlaskClient, world: factories.World,
                                                           signed_in: bool) -> None:
    if signed_in:
        login(client, world.emails["delegate"])
    client.post("/language", data={"locale": "fr", "next": "/"})
    html = client.get("/members?q=gafsa" if signed_in else "/login").get_data(as_text=True)
    menu = _menu(html)
    assert "<select" not in menu and 'id="language-select"' not in html
    assert re.search(r"<summary>.*Français.*</summary>", menu, re.S)
    assert re.search(r'<form method="post" action="/language">', menu)
    assert 'name="csrf_token"' in menu
    assert f'name="next" value="{"/members?q=gafsa" if signed_in else "/login"}"' in menu
    buttons = re.findall(r'<button type="submit" name="locale" value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</button>', menu)
    assert [(value, lang) for value, lang, _ in buttons] == [("fr", "fr"), ("en", "en"), ("ar", "ar")]
    assert [name for *_, name in buttons] == ["Français", "English", "العربية"]
    assert re.findall(r'value="(\w+)"[^>]*aria-current="true"', menu) == ["fr"]


def test_a_button_of_the_menu_changes_the_language_and_comes_back(client: FlaskClient,
                                                                 world: factories.World) -> None:
    login(client, world.emails["delegate"])
    response = client.post("/language", data={"locale": "ar", "next": "/members?q=gafsa"})
    assert response.status_code == 302 and response.headers["Location"] == "/members?q=gafsa"
    html = client.get("/members?q=gafsa").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert re.findall(r'value="(\w+)"[^>]*aria-current="true"', _menu(html)) == ["ar"]


@pytest.mark.parametrize(("target", "kept"), [
    ("/members", True),
    ("/members?q=a&page=2", True),
    ("https://evil.example/", False),
    ("//evil.example/", False),
    ("/\\evil.example/", False),
    ("/\t/evil.example/", False),
    ("/\n/evil.example/", False),
    ("javascript:alert(1)", False),
    ("evil.example", False),
    ("", False),
    (None, False),
])
def test_safe_next_keeps_local_paths_only(app: Flask, target: str | None, kept: bool) -> None:
    with app.test_request_context():
        assert safe_next(target) == (target if kept else "/")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "/\t/evil.example/"])
def test_the_language_menu_never_sends_off_the_site(client: FlaskClient, target: str) -> None:
    response = client.post("/language", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
