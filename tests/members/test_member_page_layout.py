"""The member page and the import preview as a reader sees them (issue 11, points 6 and 7): the charter's
signature said once, the representatives' actions inside their own cell, a compact import preview with each
row's errors listed in one cell. The small-screen side is in ``tests/browser/test_pages_small_screen.py``
and ``tests/browser/test_member_pages_small_screen.py``."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.members.models import Charter, Member
from tests import factories
from tests.conftest import login
from tests.members.test_transfer import GOOD_ROWS, csv_bytes, upload

SIGNED = "signed by"


@pytest.fixture
def en(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _import_dir(app: Flask, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(app.config, "IMPORT_DIR", str(tmp_path / "imports"))


def _charter_section(html: str) -> str:
    match = re.search(r'<section class="card" aria-labelledby="charter-h">.*?</section>', html, re.S)
    assert match
    return match.group(0)


@pytest.mark.parametrize(("signed_versions", "current", "said"), [
    ((), 1, {"Version 1 is not signed yet.": 1}),
    ((1,), 1, {"Version 1 signed by": 1}),
    ((1,), 2, {"Version 2 is not signed yet.": 1, "Version 1 signed by": 1, "Earlier signatures": 1}),
    ((1, 2), 2, {"Version 2 signed by": 1, "Version 1 signed by": 1, "Earlier signatures": 1}),
])
def test_the_charter_signature_is_said_once(app: Flask, en: FlaskClient, world: factories.World,
                                            signed_versions: tuple[int, ...], current: int,
                                            said: dict[str, int]) -> None:
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        delegate = next(u for u in member.representatives if u.is_delegate)
        charters = {1: db.session.get(Charter, world.charter_id)}
        if current == 2:
            charters[2] = factories.charter(version=2)
        for version in signed_versions:
            factories.sign(member, charters[version], delegate)
        db.session.commit()
    login(en, world.emails["secretariat"])
    section = _charter_section(en.get(f"/members/{world.member_id}").get_data(as_text=True))
    for text, times in said.items():
        assert section.count(text) == times, (text, section)
    assert section.count(SIGNED) == len(signed_versions)
    if "Earlier signatures" not in said:
        assert "Earlier signatures" not in section


def test_the_representatives_actions_stay_in_their_cell(en: FlaskClient, world: factories.World) -> None:
    """A flex cell (``td.actions``) left its row; each row has as many cells as the header has columns."""
    login(en, world.emails["secretariat"])
    html = en.get(f"/members/{world.member_id}").get_data(as_text=True)
    table = re.search(r'<table class="representatives">.*?</table>', html, re.S).group(0)
    assert 'class="actions"' not in table
    columns = len(re.findall(r"<th scope=\"col\"", table))
    rows = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1), re.S)
    assert len(rows) == 2 and columns == 5
    for row in rows:
        assert len(re.findall(r"<td[ >]", row)) == columns
    assert table.count('<div class="row-actions">') == 2
    assert "Make delegate" in table and "Remove" in table


def test_the_directory_puts_its_sort_state_on_the_header_cell(en: FlaskClient, world: factories.World) -> None:
    login(en, world.emails["secretariat"])
    html = en.get("/members?sort=name&dir=desc").get_data(as_text=True)
    assert re.search(r'<th scope="col" aria-sort="descending"><a href="[^"]+">Name ↓</a></th>', html)
    assert not re.search(r"<a [^>]*aria-sort", html)


def test_the_import_preview_lists_each_rows_errors_in_its_last_cell(en: FlaskClient, world: factories.World) -> None:
    bad = list(GOOD_ROWS[0])
    bad[2], bad[3], bad[7] = "castle", "XX", "2026-02-30"
    login(en, world.emails["secretariat"])
    upload(en, csv_bytes([GOOD_ROWS[1], bad]))
    html = en.get("/members/import/preview").get_data(as_text=True)
    table = re.search(r'<table class="import-preview">.*?</table>', html, re.S).group(0)
    assert table.count('<th scope="col" class="row-errors">') == 1
    good_row, bad_row = re.findall(r'<tr id="row-\d+" class="import-(?:ok|error)">(.*?)</tr>', table, re.S)
    assert '<td class="row-errors"></td>' in good_row
    errors = re.search(r'<td class="row-errors"><ul>(.*?)</ul></td>', bad_row, re.S).group(1)
    items = re.findall(r"<li><code>(\w+)</code>: [^<]+</li>", errors)
    assert sorted(items) == ["admission_date", "country", "kind"]
    assert '<p class="error">' not in table  # one compact list, not a paragraph per error
    assert bad_row.count('class="has-error"') == 3  # the faulty cells are marked where they are
