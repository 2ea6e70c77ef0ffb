"""The home page's desk in a real browser: a delegate holding a proxy finds both ballots under their
heading and goes to the vote from there; the secretariat's turnout refreshes by itself (``turnout.js``,
one count per open vote); the desk fits a 360 px phone in Arabic and French, with no serious or critical
axe-core violation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.assembly import services, voting
from app.assembly.models import Participation
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import fits_360, h1, sign_in, sign_out, switch_language

pytestmark = pytest.mark.browser

AXE = pytest.importorskip("axe_playwright_python.base").AXE_SCRIPT

SECRETARIAT = "secretariat@example.org"
RESOLUTIONS = ("Approval of the annual report", "Approval of the accounts")


def _seed(live: LiveServer) -> dict:
    """Three voting members, A holding B's proxy, two open votes."""
    with live.app.app_context():
        charter = factories.charter()
        a, b, _c = factories.voters(3, charter_=charter, prefix="Desk")
        secretariat = factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        assembly = factories.assembly(title="Desk assembly")
        delegate_a, delegate_b = (db.session.scalar(select(User).where(User.member_id == m.id, User.is_delegate))
                                  for m in (a, b))
        services.give_proxy(assembly, actor=delegate_b, giver=b, holder=a)
        votes = []
        for title in RESOLUTIONS:
            resolution = factories.resolution(assembly, title=title)
            voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
            votes.append(resolution.vote_id)
        db.session.commit()
        seeded = {"votes": votes, "a_id": a.id, "b": b.name, "delegate_a": delegate_a.email}
        db.session.remove()
    return seeded


def _axe_blocking(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page (injected from disk, no CDN)."""
    page.evaluate(AXE)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in results["violations"] if v["impact"] in ("serious", "critical")]


def test_the_desk_in_a_browser(page: Page, live: LiveServer) -> None:
    seeded = _seed(live)
    sign_in(page, seeded["delegate_a"])
    pending = page.locator("section").filter(has=page.get_by_role("heading", name="Votes waiting for your ballot"))
    expect(pending.get_by_role("listitem")).to_have_count(4)  # two votes, for A and by proxy for B
    expect(pending).to_contain_text("for your organisation")
    expect(pending).to_contain_text(f"by proxy for {seeded['b']}")
    pending.get_by_role("link", name=RESOLUTIONS[0]).first.click()
    expect(h1(page)).to_have_text(RESOLUTIONS[0])
    page.goto("/")
    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    fits_360(page)
    assert _axe_blocking(page) == []
    switch_language(page, "en")
    sign_out(page)

    sign_in(page, SECRETARIAT)
    counts = page.locator("[data-turnout-count]")
    expect(counts).to_have_count(2)
    expect(counts.nth(0)).to_have_text("0")
    with live.app.app_context():  # one member votes on each: both counts refresh without reloading
        for vote_id in seeded["votes"]:
            db.session.add(Participation(vote_id=vote_id, member_id=seeded["a_id"]))
        db.session.commit()
        db.session.remove()
    expect(counts.nth(0)).to_have_text("1", timeout=25_000)
    expect(counts.nth(1)).to_have_text("1", timeout=25_000)
    switch_language(page, "fr")
    fits_360(page)
    assert _axe_blocking(page) == []
