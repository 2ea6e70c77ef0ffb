"""No page of the role matrix shows a date as YYYY-MM-DD in its visible text, in French and in Arabic.

Why: members' pages mixed "2026-03-31" with "31 mars 2026". Dates people read go through the Babel filters
(``date``, ``datetime``); ISO stays where machines read it (``<time datetime>``, input values, exports). Text
typed by people (a title holding a date) and the raw audit entry (``<pre>``/``<code>``) are theirs to write.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import login
from tests.core.test_role_matrix import EXPECTED, Ids, email_of, fill, grant_ids, ids, is_grants_rule, with_query

__all__ = ["grant_ids", "ids"]  # the matrix's fixtures, used here by name

ISO_DATE = re.compile(r"(?<![\w/.-])\d{4}-\d{2}-\d{2}(?![\w/])")
SKIPPED_ELEMENTS = {"script", "style", "pre", "code", "textarea", "samp", "kbd"}
ROLES = ("secretariat", "delegate")
#: Pages allowed to show ISO: the import page documents the file's date format ("e.g. 2024-03-31"); the audit
#: log shows each change's values as they were recorded (its readable difference is the audit log's own work).
ISO_ALLOWED = {"/members/import", "/audit"}


class _VisibleText(HTMLParser):
    """The text a reader sees: no attributes (``datetime=``, ``value=``), nothing inside script/pre/code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.mark.parametrize(("text", "found"), [
    ("<p>Admis le 2026-03-31</p>", ["2026-03-31"]),
    ('<p><time datetime="2026-03-31">31 mars 2026</time></p>', []),
    ('<input name="d" value="2026-03-31">', []),
    ("<pre>{\"at\": \"2026-03-31T10:00\"}</pre>", []),
    ("<p>members-2026-03-31.csv</p>", []),  # a file name
    ("<p>31/03/2026</p>", []),
])
def test_visible_iso_dates_are_found(text: str, found: list[str]) -> None:
    assert ISO_DATE.findall(visible_text(text)) == found


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_no_page_shows_an_iso_date(request: pytest.FixtureRequest, client: FlaskClient, world: factories.World,
                                   ids: Ids, locale: str) -> None:
    grants = request.getfixturevalue("grant_ids")
    shown: list[str] = []
    visited = 0
    for role in ROLES:
        client.post("/logout")
        login(client, email_of(world, role))
        client.post("/language", data={"locale": locale, "next": "/"})
        for rule, row in EXPECTED.items():
            if row.get is None or role not in row.get:
                continue
            url = with_query(fill(rule, ids, row.use, grants if is_grants_rule(rule) else None), ids, row.query,
                             grants if is_grants_rule(rule) else None)
            response = client.get(url)
            if response.status_code != 200 or not response.mimetype == "text/html":
                continue
            visited += 1
            if urlsplit(url).path in ISO_ALLOWED:
                continue
            for found in ISO_DATE.findall(visible_text(response.get_data(as_text=True))):
                shown.append(f"{role} {url}: {found}")
    assert visited > 50
    assert shown == []
