"""No input gives a 500: random values posted to every form of the role matrix, random ids and filters on every page.

Why: fuzzing from outside found 106 answers of 500 in 3,430 requests (NUL
bytes, integers of 2**31 and more, a date of 9999-12-31). This test keeps
that class of bug out: for every rule of ``test_role_matrix.EXPECTED``

- with a POST, as a role allowed to use it: the form's fields (read from the
  rendered page, from the WTForms classes of the view's module and from the
  matrix's ``post_data``) each get either the value the page offers or a nasty
  one (control and right-to-left characters, huge and negative integers,
  2**31, 2**63, dates like 9999-12-31 and 0001-01-01, long and empty strings);
- with a GET, anonymously and as the secretariat: random path integers and
  random query parameters (``page``, ``member_id``, ``q``, ``tracker``…).

No answer may be a 500 (in tests an exception propagates, which fails the
same way). A refused POST (4xx) writes no audit entry, and no stored text
holds a control character afterwards.

The rules are fuzzed by area (one world per area, built by the matrix's
fixtures), so later POSTs of an area meet the state earlier ones left. Runs
are reproducible (``derandomize``); ``FUZZ_EXAMPLES`` (default 4) sets the
examples per rule and role: ``FUZZ_EXAMPLES=200 pytest tests/core/test_fuzz_forms.py``
digs deeper locally.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, String, Text, func, select
from wtforms import Field, FieldList, FormField
from wtforms.fields import BooleanField, DateField, DateTimeField, DecimalField, EmailField, FloatField, IntegerField

from app.core.forms import BaseForm
from app.core.models import AuditEntry
from app.core.text import has_controls
from app.extensions import db
from tests import factories
from tests.conftest import login
from tests.core.test_role_matrix import EXPECTED, Ids, Row, email_of, fill, grant_ids, ids, is_grants_rule, with_query

__all__ = ["grant_ids", "ids"]  # the matrix's fixtures, used here by name

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))

# Values ------------------------------------------------------------------------------------------------------

NASTY_CHARACTERS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\u202a", "\u202e",
                    "\u2066", "\u2069", "\u200b", "\u200f", "\ufeff", "\u0645", "\U0001f600", "'", '"', "<", "%",
                    "\\", "\t", "\r", "\n"]
SPECIAL_VALUES = ["", " ", "0", "-1", "1", "2", str(2**31 - 1), str(2**31), str(-(2**31) - 1), str(2**63),
                  str(2**63 - 1), str(10**30), "-" + str(10**30), "9" * 5000, "1e999", "-1e999", "NaN", "Infinity",
                  "-0", "0.5", "1,5", "12 345,67", "99999999999999999999.99", "0x10", "9999-12-31", "0001-01-01",
                  "10000-01-01", "2024-02-30", "1899-12-31", "2201-01-01", "9999-12-31T23:59", "0001-01-01T00:00",
                  "2026-13-01T25:61", "9999-12-31T23:59:59", "\x00", "a\x00b", "\u202egnp.exe", "x" * 20_000,
                  "y", "on", "true", "for", "against", "abstain", "csv", "xlsx", "json", "budget", "about"]
text_values = st.text(alphabet=st.one_of(st.sampled_from(NASTY_CHARACTERS), st.characters(codec="utf-8")),
                      max_size=30)
int_values = st.integers(min_value=-(2**70), max_value=2**70).map(str)
date_values = st.one_of(st.dates().map(lambda d: d.isoformat()),
                        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")))
nasty_values = st.one_of(st.sampled_from(SPECIAL_VALUES), text_values, int_values, date_values)
PATH_INTS = [0, 1, 2, 2**31 - 1, 2**31, 2**32, 2**63, 10**20]
QUERY_NAMES = ["page", "member_id", "q", "tracker", "call", "status", "proposal", "report", "version", "from", "to",
               "sheet", "by", "table", "next", "recipient", "challenge", "country", "college", "kind", "sort", "dir",
               "mode", "action", "actor", "object_type", "object_id", "min_score", "reserve", "envelope", "ranking",
               "eligibility", "options", "charter"]

# Who fuzzes a rule: the public pages as a visitor, else the most privileged role allowed to use it.
PREFERENCE = ("anonymous", "secretariat", "delegate", "committee", "alternate", "ex_officio")

AREAS = {
    "core": ("", "language", "audit", "outbox", "account"),
    "auth": ("login", "logout", "forgot-password", "invitation", "reset"),
    "members": ("members", "colleges", "charter"),
    "assembly": ("assemblies",),
    "votes": ("votes",),
    "elections": ("committee", "elections"),
    "rulesets": ("rulesets",),
    "calls": ("calls", "challenges", "proposals", "public", "conflicts", "reviews"),
    "grants": ("grants",),
}


def area_of(rule: str) -> str:
    first = rule.strip("/").split("/")[0].split(".")[0]
    for area, firsts in AREAS.items():
        if first in firsts:
            return area
    return "core"


def rules_of(area: str, *, method: str) -> list[str]:
    return [rule for rule, row in EXPECTED.items()
            if area_of(rule) == area and (row.post if method == "POST" else row.get) is not None]


def role_for(allowed: Iterable[str]) -> str:
    return next(role for role in PREFERENCE if role in set(allowed))


# Reading the fields of a form -----------------------------------------------------------------------------------

class FormFields(HTMLParser):
    """Every named field of the page's forms posting to ``path``, with the values the page offers."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.inside = False
        self.offered: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urlsplit(a.get("action", "")).path
            self.inside = a.get("method", "get").lower() == "post" and action in ("", self.path)
            return
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") != "file":
            kind = a.get("type", "text")
            self.kinds[name] = INPUT_KINDS.get(kind, "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.offered.setdefault(name, []).append(a.get("value", "on"))  # offered, not chosen
            else:
                self.offered.setdefault(name, []).insert(0, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.offered.setdefault(name, []).insert(0, "")
        elif tag == "select" and name:
            self._select = name
            self.offered.setdefault(name, [])
        elif tag == "option" and self._select:
            self.offered[self._select].append(a.get("value", ""))
        elif tag == "button" and name:
            self.offered.setdefault(name, []).append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.offered[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def page_fields(html: str, path: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The values the page offers for each field, and each field's kind (from its input type)."""
    parser = FormFields(path)
    parser.feed(html)
    parser.offered.pop("csrf_token", None)
    return parser.offered, parser.kinds


def _kind(field: Field) -> str:
    if isinstance(field, DateTimeField):  # DateTimeLocalField too
        return "datetime"
    if isinstance(field, DateField):
        return "date"
    if isinstance(field, IntegerField):
        return "int"
    if isinstance(field, DecimalField | FloatField):
        return "decimal"
    if isinstance(field, BooleanField):
        return "bool"
    if isinstance(field, EmailField):
        return "email"
    return "text"


def _kinds(fields: Iterable[Field]) -> Iterable[tuple[str, str]]:
    for field in fields:
        if isinstance(field, FormField):
            yield from _kinds(field)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _kinds([entry])
        else:
            yield field.name, _kind(field)


def class_fields(app: Flask, endpoint: str) -> dict[str, str]:
    """Name → kind of the fields of every form class the view's module knows (those the page may not render)."""
    module = sys.modules[app.view_functions[endpoint].__module__]
    kinds: dict[str, str] = {}
    with app.test_request_context():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseForm) and value is not BaseForm:
                try:
                    form = value(formdata=None)
                except Exception:  # noqa: BLE001 - a form that needs arguments: its page lists its fields
                    continue
                kinds.update(_kinds(form))
    kinds.pop("csrf_token", None)
    return kinds


PLAUSIBLE = {
    "date": st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(date.isoformat),
    "datetime": st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    "int": st.integers(min_value=0, max_value=30).map(str),
    "decimal": st.sampled_from(["0", "1", "12.5", "1000", "50000"]),
    "bool": st.just("y"),
    "email": st.sampled_from(["fuzz@example.org", "delegate@example.org"]),
    "text": st.one_of(st.text(alphabet="abcdefghij ABCDÉ", min_size=1, max_size=12), st.sampled_from(
        ["Titre", "1000", "12,50", "fr", "en", "FR", "TN", "yes", "y"])),
}
#: Per kind, the values most likely to break what lies behind the field.
EXTREMES = {
    "date": ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01", "10000-01-01", "2024-02-30", "2024-02-29"],
    "datetime": ["9999-12-31T23:59", "0001-01-01T00:00", "1899-12-31T23:59", "2201-01-01T00:00",
                 "9999-12-31T23:59:59", "2026-13-01T25:61"],
    "int": [str(2**31 - 1), str(2**31), str(-(2**31) - 1), str(2**63), str(10**30), "-1", "0", "9" * 5000],
    "decimal": ["1e999", "NaN", "Infinity", "-Infinity", "sNaN", "-0", str(10**30), "99999999999999999999.99"],
}


def nasty_for(kind: str) -> st.SearchStrategy[str]:
    extremes = EXTREMES.get(kind) or ["\x00", "a\x00b", "\u202etxt.exe", "x" * 20_000, "\x1b[31m",
                                      *EXTREMES["decimal"], *EXTREMES["int"]]  # money and numbers typed as text
    return st.one_of(st.sampled_from(extremes), nasty_values)


INPUT_KINDS = {"date": "date", "datetime-local": "datetime", "number": "int", "email": "email", "checkbox": "bool"}


# The world -----------------------------------------------------------------------------------------------------

class Visitors:
    """One signed-in client per role (signed in once), and the visitor's."""

    def __init__(self, app: Flask, world: factories.World) -> None:
        self.app, self.world, self.clients = app, world, {}

    def __call__(self, role: str) -> FlaskClient:
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                login(client, email_of(self.world, role))
            self.clients[role] = client
        return self.clients[role]


def audit_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def stored_controls(app: Flask) -> list[str]:
    """Every stored text value holding a control or bidirectional-override character (table.column: value)."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is not None and has_controls(str(value)):
                        found.append(f"{table.name}.{column.name}: {str(value)[:80]!r}")
    return found


def _urls(rule: str, row: Row, ids: Ids, grants: Any, *, post: bool) -> str:
    use = row.post_use if post and row.post_use is not None else row.use
    return with_query(fill(rule, ids, use, grants), ids, row.query, grants)


def _world(request: pytest.FixtureRequest, area: str) -> tuple[Ids, Any]:
    made = request.getfixturevalue("ids")
    return made, request.getfixturevalue("grant_ids") if area == "grants" else None


# POST: every form, as a role allowed to use it ------------------------------------------------------------------

@pytest.mark.parametrize("area", list(AREAS))
def test_no_form_input_gives_a_500(request: pytest.FixtureRequest, app: Flask, world: factories.World,
                                   area: str) -> None:
    made, grants = _world(request, area)
    visitors = Visitors(app, world)
    for rule in rules_of(area, method="POST"):
        if is_grants_rule(rule) != (area == "grants"):
            continue
        row = EXPECTED[rule]
        role = role_for(row.post or ())
        client = visitors(role) if rule != "/logout" else app.test_client()
        url = _urls(rule, row, made, grants, post=True)
        offered: dict[str, list[str]] = {name: [value] for name, value in row.post_data.items()}
        kinds = class_fields(app, row.post_endpoint or row.endpoint)
        if row.get is not None and role in row.get and row.post_endpoint is None:
            page = client.get(_urls(rule, row, made, grants, post=False))
            assert page.status_code != 500
            if page.status_code == 200 and page.mimetype == "text/html":
                values, input_kinds = page_fields(page.get_data(as_text=True), urlsplit(url).path)
                for name, seen in values.items():
                    offered.setdefault(name, []).extend(seen)
                kinds = {**input_kinds, **kinds}
        for name in kinds:
            offered.setdefault(name, [])
        _fuzz_post(app, client, url, offered, kinds)
    # Whatever the area's forms saved, its pages still render (an election saved with a term start of 9999-12-31
    # once broke /elections for everyone).
    for rule in rules_of(area, method="GET"):
        row = EXPECTED[rule]
        if is_grants_rule(rule) == (area == "grants") and rule != "/logout":
            response = visitors(role_for(row.get or ())).get(_urls(rule, row, made, grants, post=False))
            assert response.status_code < 500, f"GET {rule} after the area's POSTs"
    assert stored_controls(app) == []


def _fuzz_post(app: Flask, client: FlaskClient, url: str, offered: dict[str, list[str]],
               kinds: dict[str, str]) -> None:
    """A few fields get nasty values; the others what the page offers or a plausible value of their kind
    (so that the nasty ones reach the code behind the form's first checks); now and then one is left out."""
    names = sorted(offered)
    fair = {name: _fair(offered[name], kinds.get(name, "text")) for name in names}

    @FUZZ
    @given(data=st.data())
    def post(data: st.DataObject) -> None:
        nasty = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=3), label="nasty") if names else set()
        form: dict[str, str] = {}
        for name in names:
            if data.draw(st.integers(0, 9), label=f"{name} left out") == 0:
                continue
            form[name] = data.draw(nasty_for(kinds.get(name, "text")) if name in nasty else fair[name], label=name)
        before = audit_count(app)
        note(f"POST {url} {form!r}")
        response = client.post(url, data=form)
        assert response.status_code < 500, f"POST {url}: {response.status_code}"
        if response.status_code >= 400:
            assert audit_count(app) == before, f"POST {url} refused ({response.status_code}) but audited"
        elif response.status_code in (301, 302, 303) and urlsplit(response.location).netloc in ("", "localhost"):
            shown = client.get(response.location)  # the page showing what was just saved
            assert shown.status_code < 500, f"GET {response.location} after POST {url}"

    post()


def _fair(seen: list[str], kind: str) -> st.SearchStrategy[str]:
    """What a user might send: mostly what the page filled in, else blank or a plausible value of the kind."""
    filled = [value for value in seen if value]
    if filled:
        return st.one_of(st.sampled_from(filled), st.sampled_from(filled), PLAUSIBLE[kind])
    return st.one_of(st.just(""), PLAUSIBLE[kind]) if seen else PLAUSIBLE[kind]


# GET: every page, with random ids and filters, anonymously and as the secretariat ---------------------------------

PATH_ARGUMENT = re.compile(r"<(?:([^:>]+):)?([^>]+)>")


def _path_value(converter: str | None, name: str, real: str, data: st.DataObject) -> str:
    if converter == "int":
        return str(data.draw(st.one_of(st.just(int(real)), st.sampled_from(PATH_INTS),
                                       st.integers(min_value=0, max_value=10**25)), label=name))
    return data.draw(st.one_of(st.just(real), st.sampled_from(SPECIAL_VALUES[:40]), text_values), label=name)


@pytest.mark.parametrize("role", ["anonymous", "secretariat"])
@pytest.mark.parametrize("area", list(AREAS))
def test_no_page_address_gives_a_500(request: pytest.FixtureRequest, app: Flask, world: factories.World,
                                     area: str, role: str) -> None:
    made, grants = _world(request, area)
    client = Visitors(app, world)(role)
    for rule in rules_of(area, method="GET"):
        if is_grants_rule(rule) != (area == "grants") or rule == "/logout":
            continue
        row = EXPECTED[rule]
        real = urlsplit(fill(rule, made, row.use, grants)).path
        _fuzz_get(client, rule, real, with_query("", made, row.query, grants).lstrip("?"))


def _fuzz_get(client: FlaskClient, rule: str, real: str, query: str) -> None:
    arguments = PATH_ARGUMENT.findall(rule)
    pattern = "^" + PATH_ARGUMENT.sub("(.+?)", re.escape(rule).replace(r"\<", "<").replace(r"\>", ">")) + "$"
    match = re.match(pattern, real)
    reals = match.groups() if match else tuple("1" for _ in arguments)

    @FUZZ
    @given(data=st.data())
    def get(data: st.DataObject) -> None:
        values = iter([_path_value(c, n, r, data) for (c, n), r in zip(arguments, reals, strict=True)])
        path = PATH_ARGUMENT.sub(lambda m: _quote(next(values)), rule)
        params = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), nasty_values, max_size=4), label="query")
        url = path + "?" + "&".join(filter(None, [query, urlencode(params)]))
        note(f"GET {url}")
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"

    get()


def _quote(value: str) -> str:
    return quote(value, safe="") or "-"
