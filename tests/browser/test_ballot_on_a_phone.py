"""The ballot on a phone, in a real browser: at 360 px in Arabic (right to left) nothing scrolls
sideways, each choice is a target at least 44 px high that a tap anywhere on its label checks,
the radio sits at the line's start (the right in Arabic), and Continue is the primary button."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.assembly import voting
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import sign_in, switch_language

pytestmark = pytest.mark.browser


def _seed(live: LiveServer) -> tuple[int, str]:
    with live.app.app_context():
        (member,) = factories.voters(1, prefix="Voter")
        secretariat = factories.user("secretariat@example.org", kind=UserKind.secretariat)
        assembly = factories.assembly(title="Ordinary plenary assembly")
        resolution = factories.resolution(assembly, title="Approval of the annual report")
        voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(days=1))
        db.session.commit()
        email = db.session.scalar(select(User.email).where(User.member_id == member.id))
        vote_id = resolution.vote_id
        db.session.remove()
    return vote_id, email


def test_the_ballot_on_a_phone_in_arabic(page: Page, live: LiveServer) -> None:
    vote_id, email = _seed(live)
    sign_in(page, email)
    switch_language(page, "ar")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/votes/{vote_id}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    labels = page.locator(".ballot .choice label")
    expect(labels).to_have_count(3)
    for i in range(3):
        box = labels.nth(i).bounding_box()
        radio = page.locator(".ballot .choice input").nth(i).bounding_box()
        assert box is not None and radio is not None
        assert box["height"] >= 44 and box["width"] >= 250, box
        assert radio["x"] > box["x"] + box["width"] / 2  # right to left: the radio at the line's start, on the right
    second = labels.nth(1).bounding_box()
    assert second is not None
    page.mouse.click(second["x"] + 8, second["y"] + second["height"] / 2)  # the label's far end, away from the radio
    expect(page.locator(".ballot .choice input").nth(1)).to_be_checked()
    submit = page.locator("input.ballot-submit")
    assert submit.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 92, 173)"  # the primary button
    submit_box = submit.bounding_box()
    assert submit_box is not None and submit_box["height"] >= 44
    submit.click()
    expect(page.locator("code.tracker")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
