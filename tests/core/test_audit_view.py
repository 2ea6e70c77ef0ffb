"""The audit log as people read it: sentences with names and links, the change as field: old → new
(characters, never ``\\u`` escapes), filters with their errors at the field, pages, the raw entry on
demand, and a bounded number of SQL statements whatever the number of entries."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.core import audit
from app.core.audit_routes import parse_filters
from app.core.audit_sentences import MAX_VALUE, Change, diff, show_value
from app.core.models import AuditEntry
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.conftest import login, page_statements

# The difference (pure) -------------------------------------------------------------------------------

LONG = "é" * (MAX_VALUE + 10)
DIFFS: list[tuple[Any, Any, list[Change]]] = [
    (None, None, []),
    ({}, {}, []),
    (None, {"status": "active"}, [Change("status", None, "active")]),
    ({"status": "active"}, None, [Change("status", "active", None)]),
    ({"status": "draft"}, {"status": "convened"}, [Change("status", "draft", "convened")]),
    ({"status": "draft", "title": "Même"}, {"status": "draft", "title": "Même"}, []),  # equal: left out
    ({"name": "Ministere"}, {"name": "Ministère de l'Économie"}, [Change("name", "Ministere", "Ministère de l'Économie")]),
    ({"a": 1, "b": 2}, {"b": 3, "c": 4}, [Change("a", "1", None), Change("b", "2", "3"), Change("c", None, "4")]),
    ({"place": None}, {"place": "تونس"}, [Change("place", "—", "تونس")]),
    ({"place": ""}, {"place": "Sfax"}, [Change("place", "—", "Sfax")]),
    (None, {"ids": [1, 2], "who": {"nom": "Zoé"}}, [Change("ids", None, "[1, 2]"), Change("who", None, '{"nom": "Zoé"}')]),
    (None, {"text": LONG}, [Change("text", None, LONG[:MAX_VALUE - 1] + "…")]),
    (None, {"text": LONG[:MAX_VALUE]}, [Change("text", None, LONG[:MAX_VALUE])]),  # exactly at the limit: whole
    ("raw", "text", [Change("value", "raw", "text")]),  # not a mapping: shown as one value
]


@pytest.mark.parametrize(("before", "after", "expected"), DIFFS)
def test_diff(app: Flask, before: Any, after: Any, expected: list[Change]) -> None:
    with app.test_request_context():
        assert diff(before, after) == expected


@pytest.mark.parametrize(("value", "shown"), [
    (True, "yes"), (False, "no"), (0, "0"), (None, "—"), ("Ministère", "Ministère"), (["é"], '["é"]'),
    ("2026-03-31", "Mar 31, 2026"),  # dates as the log stores them, in the reader's format
    ("2026-03-31T09:05:00+00:00", "Mar 31, 2026, 9:05 AM"),
    ("2026-03-31T09:05:00.123456", "Mar 31, 2026, 9:05 AM"),  # naive: UTC
    ("2026-02-30", "2026-02-30"),  # not a date: as written
    ("2026-03-31 and more", "2026-03-31 and more"),
])
def test_show_value(app: Flask, value: Any, shown: str) -> None:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert show_value(value).replace("\u202f", " ") == shown  # CLDR puts a narrow space before AM


# Filters (pure) -------------------------------------------------------------------------------------

FILTERS: list[tuple[dict[str, str], date | None, date | None, set[str]]] = [
    ({}, None, None, set()),
    ({"from": "2026-02-01", "to": "2026-02-28"}, date(2026, 2, 1), date(2026, 2, 28), set()),
    ({"from": "2026-02-01", "to": "2026-02-01"}, date(2026, 2, 1), date(2026, 2, 1), set()),  # one day: fine
    ({"from": "2026-02-02", "to": "2026-02-01"}, date(2026, 2, 2), None, {"to"}),  # ends before it starts
    ({"from": "not-a-date"}, None, None, {"from"}),
    ({"to": "2026-02-30"}, None, None, {"to"}),
    ({"from": "31/01/2026", "to": "2026-13-01"}, None, None, {"from", "to"}),
    ({"from": "  2026-02-01  "}, date(2026, 2, 1), None, set()),
]


@pytest.mark.parametrize(("args", "start", "end", "errors"), FILTERS)
def test_parse_filters(app: Flask, args: dict[str, str], start: date | None, end: date | None,
                       errors: set[str]) -> None:
    with app.test_request_context():
        parsed = parse_filters(args)
    assert (parsed.start, parsed.end, set(parsed.errors)) == (start, end, errors)


def test_parse_filters_keeps_the_input_trimmed_and_bounded(app: Flask) -> None:
    with app.test_request_context():
        parsed = parse_filters({"actor": "  Nadia  ", "object_id": "x" * 500, "from": "bad"})
    assert parsed.raw["actor"] == "Nadia" and len(parsed.raw["object_id"]) == 200 and parsed.raw["from"] == "bad"


# The page ---------------------------------------------------------------------------------------------

VOTE_TITLE = "Adoption des règles de l'appel"


def _english(client: FlaskClient, role_email: str) -> None:
    login(client, role_email)
    client.post("/language", data={"locale": "en", "next": "/"})


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


@pytest.fixture
def entries(app: Flask, world: factories.World) -> dict[str, int]:
    """A vote opened by the secretariat, a member renamed with accents, an unknown code, a deleted object."""
    with app.app_context():
        secretariat = _user(world.emails["secretariat"])
        secretariat.full_name = "Nadia Belhaj"
        assembly = factories.assembly()
        vote_id = factories.resolution(assembly, title=VOTE_TITLE).vote_id
        db.session.flush()
        audit.record("vote.opened", "vote", vote_id, actor=secretariat, after={"status": "open"})
        audit.record("member.updated", "member", world.member_id, actor=secretariat,
                     before={"name": "Ministere"}, after={"name": "Ministère de l'Économie"})
        audit.record("mystery.done", "widget", 42, actor=None)
        audit.record("member.created", "member", 999999, actor=secretariat, after={"name": "Gone"})
        db.session.commit()
        return {"vote": vote_id, "member": world.member_id}


def test_page_tells_sentences_with_names_and_links(client: FlaskClient, world: factories.World,
                                                   entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", html)
    assert f"Nadia Belhaj opened the vote “{VOTE_TITLE}”".replace("'", "&#39;") in text
    assert f'href="/votes/{entries["vote"]}"' in html
    assert f'href="/members/{entries["member"]}"' in html
    assert "Nadia Belhaj edited the member Association des Jeunes de Gafsa" in text
    entries_only = re.sub(r"<details.*?</details>", "", html[html.index('class="audit-list"'):], flags=re.S)
    assert "user 1" not in entries_only and "secretariat@example.org" not in entries_only


def test_page_shows_the_change_with_characters(client: FlaskClient, world: factories.World,
                                               entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    assert "\\u00e8" not in html and "\\u00c9" not in html
    assert re.search(r"<del><bdi>Ministere</bdi></del>.*?<ins><bdi>Ministère de l&#39;Économie</bdi></ins>", html, re.S)


def test_unknown_code_and_missing_object_still_read(client: FlaskClient, world: factories.World,
                                                    entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    text = re.sub(r"<[^>]+>", "", client.get("/audit").get_data(as_text=True))
    assert "The platform recorded the action “mystery.done” on widget #42" in text
    assert "Nadia Belhaj registered the member #999999" in text


@pytest.mark.parametrize(("key", "label"), [("starts_at", "starts"), ("closes_at", "closes"), ("email", "e-mail"),
                                            ("quorum_num", "quorum_num")])  # unknown: its key
def test_field_label(app: Flask, key: str, label: str) -> None:
    from flask_babel import force_locale

    from app.core.audit_sentences import field_label

    with app.test_request_context(), force_locale("en"):
        assert field_label(key) == label


def test_page_uses_field_labels(client: FlaskClient, world: factories.World, entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    assert '<span class="audit-field">status</span>' in html  # from vote.opened's after


def test_raw_entry_on_demand(app: Flask, client: FlaskClient, world: factories.World,
                             entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "member.updated")).one()
    raw = html[html.index(f'id="entry-{entry.id}"'):]
    raw = raw[raw.index("<details"):raw.index("</details>")]
    assert entry.hash in raw and entry.prev_hash in raw and "member.updated" in raw
    assert '&#34;name&#34;: &#34;Ministère de l&#39;Économie&#34;' in raw  # the JSON, with characters


def test_page_is_a_list_not_a_table(client: FlaskClient, world: factories.World, entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    assert "<table" not in html and 'class="audit-list"' in html


@pytest.mark.parametrize(("args", "shown", "hidden"), [
    ({"actor": "belhaj"}, ["opened the vote"], ["mystery.done"]),  # by name, any case
    ({"actor": "secretariat@"}, ["opened the vote"], ["mystery.done"]),  # by e-mail
    ({"action": "vote."}, ["opened the vote"], ["edited the member"]),  # kind of action
    ({"object_type": "member"}, ["edited the member"], ["opened the vote"]),
    ({"object_type": "widget", "object_id": "42"}, ["mystery.done"], ["opened the vote"]),
])
def test_filters(client: FlaskClient, world: factories.World, entries: dict[str, int], args: dict[str, str],
                 shown: list[str], hidden: list[str]) -> None:
    _english(client, world.emails["secretariat"])
    text = re.sub(r"<[^>]+>", "", client.get("/audit", query_string=args).get_data(as_text=True))
    for phrase in shown:
        assert phrase in text, phrase
    for phrase in hidden:
        assert phrase not in text, phrase


def test_filter_choices_are_translated_names(client: FlaskClient, world: factories.World,
                                             entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    assert re.search(r'<option value="vote\."\s*>Votes</option>', html)
    assert re.search(r'<option value="member"\s*>member</option>', html)
    assert re.search(r'<option value="widget"\s*>widget</option>', html)  # an unregistered type: its code


def test_bad_date_is_an_error_at_its_field_with_input_kept(client: FlaskClient, world: factories.World,
                                                          entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    response = client.get("/audit", query_string={"from": "31/02/2026", "to": "2099-01-01", "actor": "Nadia"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in html and 'href="#f-from"' in html
    assert 'id="f-from-error"' in html and 'aria-describedby="f-from-error"' in html
    assert 'value="31/02/2026"' in html and 'value="Nadia"' in html
    assert "opened the vote" in html  # the bad bound is not applied; the good filters still are


def test_end_before_start_is_an_error(client: FlaskClient, world: factories.World, entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit", query_string={"from": "2026-03-02", "to": "2026-03-01"}).get_data(as_text=True)
    assert 'id="f-to-error"' in html and "The end date must be on or after the start date." in html


def test_pages_of_fifty(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        for i in range(60):
            audit.record("member.updated", "member", world.member_id, actor=None, after={"n": f"N{i:03d}"})
        db.session.commit()
    _english(client, world.emails["secretariat"])
    first = client.get("/audit").get_data(as_text=True)
    second = client.get("/audit", query_string={"page": 2}).get_data(as_text=True)
    assert first.count('class="audit-entry"') == 50 and 'rel="next"' in first
    assert "N059" in first and "N000" in second and "N059" not in second
    assert "61 entries" in first  # the sign-in's own entry included


def test_entry_count_uses_plural_forms(client: FlaskClient, world: factories.World) -> None:
    _english(client, world.emails["secretariat"])
    assert "1 entry<" in client.get("/audit", query_string={"action": "auth.login"}).get_data(as_text=True)


# Bounded queries ---------------------------------------------------------------------------------------


def _grow(world: factories.World, n: int) -> None:
    """``n`` entries of every object type the page resolves, by several actors."""
    actors = [_user(world.emails[r]) for r in ("secretariat", "delegate", "alternate")]
    members = db.session.scalars(select(Member)).all()
    assembly = factories.assembly(title=f"Assemblée {n}")
    resolution = factories.resolution(assembly, title=f"Résolution {n}")
    for i in range(n):
        actor = actors[i % len(actors)]
        audit.record("member.updated", "member", members[i % len(members)].id, actor=actor, after={"i": i})
        audit.record("vote.opened", "vote", resolution.vote_id, actor=actor)
        audit.record("assembly.updated", "assembly", assembly.id, actor=actor)
        audit.record("auth.login", "user", actor.id, actor=actor)
    db.session.commit()


@pytest.mark.parametrize("url", ["/audit", "/audit?actor=a", "/audit?action=member.&from=2000-01-01"])
def test_bounded_queries(app: Flask, client: FlaskClient, world: factories.World, url: str) -> None:
    with app.app_context():
        _grow(world, 3)
    login(client, world.emails["secretariat"])
    small = page_statements(app, client, url)
    with app.app_context():
        _grow(world, 40)
        factories.member("Nouvelle association")
        db.session.commit()
    large = page_statements(app, client, url)
    assert small == large, (url, small, large)
    assert large <= 20, large


def test_datetime_is_shown_with_machine_readable_time(client: FlaskClient, world: factories.World,
                                                      entries: dict[str, int]) -> None:
    _english(client, world.emails["secretariat"])
    html = client.get("/audit").get_data(as_text=True)
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', html)
