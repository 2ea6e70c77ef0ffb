"""Catalogs are complete (fr, en, ar), up to date with the code, and compiled."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from app.core.catalogs import load, problems

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
LOCALES = ("fr", "en", "ar")


@pytest.fixture(scope="module")
def fresh_msgids(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every string marked in the code right now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot),
                    "app"],
                   check=True, cwd=ROOT, capture_output=True)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in load(pot, "en") if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(locale: str) -> None:
    catalog = load(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert problems(catalog) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_covers_every_marked_string(locale: str, fresh_msgids: set[str]) -> None:
    catalog = load(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    missing = sorted(fresh_msgids - known)
    assert missing == [], "run `flask translate update` and translate: " + "; ".join(missing[:10])


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_source(locale: str) -> None:
    po = load(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        mo = read_mo(handle)
    # Babel's read_mo leaves a message's context as bytes (b"grant"): key the compiled entries by text.
    compiled_by_key = {(m.id if isinstance(m.id, str) else m.id[0],
                        m.context.decode() if isinstance(m.context, bytes) else m.context): m for m in mo if m.id}
    for message in po:
        if message.id:
            key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
            assert key in compiled_by_key, key
            compiled = compiled_by_key[key].string
            # Babel reads plural forms from a .mo as a list, from a .po as a tuple.
            compiled = tuple(compiled) if isinstance(compiled, list) else compiled
            assert compiled == message.string, message.id


@pytest.mark.parametrize(("locale", "direction", "word"), [
    ("fr", "ltr", "Connexion"), ("en", "ltr", "Sign in"), ("ar", "rtl", "تسجيل الدخول")])
def test_pages_render_in_each_language(client, locale: str, direction: str, word: str) -> None:
    html = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert f'lang="{locale}" dir="{direction}"' in html
    assert word in html


def test_language_choice_is_remembered_for_the_user(client, world) -> None:
    """The account page's language opens the person's next sessions (the header's choice is per session:
    tests/core/test_session_language.py)."""
    from tests.conftest import login

    login(client, world.emails["delegate"])
    client.post("/account/language", data={"locale": "ar"})
    fresh = client.application.test_client()
    login(fresh, world.emails["delegate"])
    assert 'dir="rtl"' in fresh.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(client) -> None:
    assert client.post("/language", data={"locale": "xx"}).status_code == 400
