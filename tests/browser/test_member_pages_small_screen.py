"""The member page and the import preview in a real browser (issue 11, points 6 and 7): the representatives'
cells on one line with their row, and an import preview whose rows with errors stay compact and whose table
scrolls inside its own box on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import UserKind
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import sign_in
from tests.members.test_transfer import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"


def _seed(live: LiveServer, tmp_path) -> int:  # noqa: ANN001
    live.app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    with live.app.app_context():
        factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        member = factories.member("Association des Jeunes de Gafsa", country="TN", college_code="cs-tn")
        factories.user("delegate@example.org", member=member, delegate=True)
        factories.user("alternate@example.org", member=member)
        factories.charter()
        db.session.commit()
        return db.session.get(Member, member.id).id


def _assert_compact(row) -> None:  # noqa: ANN001 - Locator
    """The row is as tall as its list of errors, no taller (its cells do not wrap their values), and the list is
    wide enough to read (the row was ~470 px for four errors, listed in a squeezed last column)."""
    height = row.bounding_box()["height"]
    errors = row.locator(".row-errors li").count()
    line = float(row.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert errors == 4 and height <= 3.5 * errors * line, (height, line)
    assert row.locator(".row-errors ul").bounding_box()["width"] >= min(300, 0.75 * row.page.viewport_size["width"])
    assert height <= row.locator(".row-errors").bounding_box()["height"] + 1


def test_import_preview_rows_are_compact_and_the_table_scrolls_in_its_box(page: Page, live: LiveServer,
                                                                         tmp_path) -> None:  # noqa: ANN001
    _seed(live, tmp_path)
    sign_in(page, SECRETARIAT)
    bad = list(GOOD_ROWS[0])
    bad[2], bad[3], bad[7], bad[8] = "castle", "XX", "2026-02-30", "not-an-address"
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([GOOD_ROWS[1], bad]))
    page.goto("/members/import")
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("form.card [type=submit]").click()
    expect(page.locator("table.import-preview")).to_be_visible()
    error_row = page.locator("tr#row-3.import-error")  # four faulty columns
    _assert_compact(error_row)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], sizes
    box = page.locator(".table-scroll").filter(has=page.locator("table.import-preview"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls in its own box
    _assert_compact(error_row)


def test_the_representatives_actions_line_up_with_their_row(page: Page, live: LiveServer, tmp_path) -> None:  # noqa: ANN001
    member_id = _seed(live, tmp_path)
    sign_in(page, SECRETARIAT)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(f"/members/{member_id}")
        for row in page.locator("table.representatives tbody tr").all():
            cells = row.locator("td").all()
            tops = {round(cell.bounding_box()["y"]) for cell in cells}
            assert len(tops) == 1, (width, tops)  # every cell, the actions too, starts on the row's line
        sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert sizes[0] <= sizes[1], (width, sizes)
