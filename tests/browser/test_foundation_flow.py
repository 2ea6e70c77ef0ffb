"""The foundation, end to end in a real browser: register a member, invite its delegate,
accept the invitation, sign the charter, switch language (Arabic lays out right to left)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import UserKind
from app.core.models import OutboxMessage
from app.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import sign_in, switch_language

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"
MEMBER = "Browser Test Association"
FIRST = ("Founding Representative", "founding@example.org")
DELEGATE = ("Incoming Delegate", "incoming@example.org")
NEW_PASSWORD = "a long enough password"


def _seed(live: LiveServer) -> None:
    """The secretariat account, a college and a current charter (fr, en, ar)."""
    with live.app.app_context():
        factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        factories.college("cs-tn", "Tunisian civil society")
        factories.charter()
        db.session.commit()


def _invitation_link(live: LiveServer, email: str) -> str:
    with live.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email)
                                  .order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
    assert body, f"no e-mail to {email} in the outbox"
    match = re.search(r"https?://\S+/invitation#\S+", body)  # the code in the fragment: the page posts it
    assert match, body
    return match.group(0)


def _invite(page: Page, name: str, email: str) -> None:
    page.get_by_role("link", name="Invite a representative").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Language of the e-mails").select_option("en")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()


def _representative_row(page: Page, name: str):  # noqa: ANN202 - Locator
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))


def _switch_language(page: Page, code: str) -> None:
    """The header's language menu (see ``helpers.switch_language``)."""
    switch_language(page, code)


def test_secretariat_registers_member_and_delegate_signs_charter(
        page: Page, live: LiveServer, console_errors: list[str]) -> None:
    _seed(live)

    # The secretariat signs in and registers a member through the form.
    sign_in(page, SECRETARIAT)
    page.get_by_role("navigation").get_by_role("link", name="Members").click()
    page.get_by_role("link", name="New member").click()
    page.get_by_label("Name", exact=True).fill(MEMBER)
    page.get_by_label("Acronym").fill("BTA")
    page.get_by_label("Kind of organisation").select_option("association")
    page.get_by_label("Country").select_option("TN")
    page.get_by_label("College").select_option(label="Tunisian civil society")
    page.get_by_label("City or territory").fill("Sfax")
    page.get_by_label("Contact e-mail").fill("contact@example.org")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{MEMBER} (BTA)")
    expect(page.get_by_text(f"Member “{MEMBER}” created as an applicant.")).to_be_visible()
    member_url = page.url

    # The first person invited becomes the delegate; the second is an alternate until made delegate.
    _invite(page, *FIRST)
    expect(_representative_row(page, FIRST[0])).to_contain_text("Delegate")
    _invite(page, *DELEGATE)
    expect(_representative_row(page, DELEGATE[0])).to_contain_text("Alternate")
    expect(_representative_row(page, DELEGATE[0])).to_contain_text("Invitation pending")
    _representative_row(page, DELEGATE[0]).get_by_role("link", name="Make delegate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the delegate")
    expect(page.get_by_text(f"Make {DELEGATE[0]} the delegate of {MEMBER}?")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"{DELEGATE[0]} is now the delegate of {MEMBER}.")).to_be_visible()
    assert page.url == member_url
    expect(_representative_row(page, DELEGATE[0]).get_by_role("cell", name="Delegate", exact=True)).to_be_visible()
    expect(_representative_row(page, FIRST[0]).get_by_role("cell", name="Alternate", exact=True)).to_be_visible()
    expect(page.get_by_text("Current charter not signed")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    # The new delegate opens the invitation link from the e-mail.
    page.goto(_invitation_link(live, DELEGATE[1]))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {DELEGATE[0]}")
    page.get_by_label("New password").fill("too short")
    page.get_by_label("Repeat the password").fill("too short")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    expect(page.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {DELEGATE[0]}")
    expect(page.get_by_text(DELEGATE[1])).to_be_visible()

    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_text("Your password is set. Welcome to the platform.")).to_be_visible()
    assert page.url == live.url + "/"
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # The delegate signs the current charter (tick the box, then the button).
    page.get_by_role("navigation").get_by_role("link", name="Charter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charter")
    expect(page.get_by_text("Charter text")).to_be_visible()
    page.get_by_label("I have read the charter and sign it on behalf of my organisation").check()
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_text(f"The charter is signed for {MEMBER}.")).to_be_visible()
    expect(page.get_by_text(f"Signed for {MEMBER} by {DELEGATE[0]}")).to_be_visible()

    page.goto(member_url)
    expect(page.get_by_text("Current charter signed", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Version 1 signed by {DELEGATE[0]}").first).to_be_visible()

    # Arabic is laid out right to left; English again left to right.
    _switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text(MEMBER)
    assert page.url == member_url
    _switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    assert console_errors == []
