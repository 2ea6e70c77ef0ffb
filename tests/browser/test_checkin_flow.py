"""Attendance at the door in a real browser, on a phone (360 px): the rows filter as one types, one tap checks a
member in, ticked members are marked present at once, the counts and quorum follow."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import UserKind
from app.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"


def _seed(live: LiveServer) -> tuple[int, list[int]]:
    with live.app.app_context():
        factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        factories.charter()
        gafsa = factories.member("Association des Jeunes de Gafsa", country="TN", college_code="cs-tn")
        nantes = factories.member("Collectif Solidaire de Nantes")
        eau = factories.member("Réseau Tunisien de l'Eau", country="TN", college_code="cs-tn")
        eau.acronym = "RTE"
        assembly = factories.assembly(title="Assemblée de printemps")
        db.session.commit()
        return assembly.id, [gafsa.id, nantes.id, eau.id]


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_check_in_on_a_phone(page: Page, live: LiveServer, console_errors: list[str]) -> None:
    assembly_id, (gafsa, nantes, eau) = _seed(live)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, SECRETARIAT)
    page.goto(f"/assemblies/{assembly_id}/presence")
    _fits(page)
    rows = page.locator(".checkin-row")
    expect(rows).to_have_count(3)
    # Filter as you type (accents and case ignored), by name or acronym; nothing is sent.
    search = page.get_by_label("Search by name or acronym")
    search.fill("reseau")
    expect(page.locator(f"#m-{eau}")).to_be_visible()
    expect(page.locator(f"#m-{gafsa}")).to_be_hidden()
    search.fill("rte")
    expect(page.locator(f"#m-{eau}")).to_be_visible()
    expect(page.locator(f"#m-{nantes}")).to_be_hidden()
    search.fill("zzz")
    expect(page.get_by_text("No member found.")).to_be_visible()
    search.fill("")
    expect(rows).to_have_count(3)
    # One tap.
    page.locator(f"#m-{gafsa}").get_by_role("button", name="Present").click()
    expect(page.get_by_text("1 member marked present.")).to_be_visible()
    expect(page.locator("#checkin-summary")).to_contain_text("1 more member needed for quorum.")
    # Tick two and mark them present at once.
    page.locator(f"#sel-{nantes}").check()
    page.locator(f"#sel-{eau}").check()
    page.get_by_role("button", name="Mark the ticked members present").click()
    expect(page.get_by_text("2 members marked present.")).to_be_visible()
    expect(page.locator("#checkin-summary")).to_contain_text("Quorum reached: 3 of 3")
    _fits(page)
    assert console_errors == []
