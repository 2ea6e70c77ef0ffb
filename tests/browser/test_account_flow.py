"""In a real browser: a reset link whose code never reaches the server's URLs, the account page, and
"sign out everywhere" ending the session of another browser (issue 10, section 5)."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.core.models import OutboxMessage
from app.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.helpers import fits_360, flash, h1, sign_in

NEW_PASSWORD = "a long enough passphrase"


def _seed(live: LiveServer) -> None:
    with live.app.app_context():
        factories.build_world()
        db.session.commit()
        db.session.remove()


def _reset_link(live: LiveServer, email: str) -> str:
    with live.app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email)
                                  .order_by(OutboxMessage.id.desc())).first()
        db.session.remove()
    assert body
    match = re.search(r"https?://\S+/reset#\S+", body)
    assert match, body
    return match.group(0)


def test_a_reset_link_sends_its_code_by_post_only(page: Page, live: LiveServer, console_errors: list[str]) -> None:
    _seed(live)
    email = "delegate@example.org"
    page.goto("/forgot-password")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    link = _reset_link(live, email)
    code = link.split("#", 1)[1]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(link)
    expect(h1(page)).to_have_text("Choose a new password")
    expect(page.get_by_label("New password")).to_be_visible()  # the script posted the code
    assert "#" not in page.url and code not in page.url
    assert not any(code in url for url in requested)  # no URL the browser asked for held the code
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    flash(page, "Your password has been changed.")
    assert console_errors == []


def test_without_javascript_the_code_is_pasted(browser: Browser, live: LiveServer) -> None:
    _seed(live)
    with live.app.test_request_context():
        from app.auth import services

        services.request_password_reset("delegate@example.org")
        db.session.commit()
        db.session.remove()
    code = _reset_link(live, "delegate@example.org").split("#", 1)[1]
    context = browser.new_context(base_url=live.url, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    try:
        tab.goto(f"/reset#{code}")
        tab.get_by_label("Code from the e-mail").fill(code)
        tab.get_by_role("button", name="Continue").click()
        expect(tab.get_by_label("New password")).to_be_visible()
    finally:
        context.close()


def test_sign_out_everywhere_ends_the_other_browser(page: Page, browser: Browser, live: LiveServer,
                                                    console_errors: list[str]) -> None:
    _seed(live)
    email = "alternate@example.org"
    other = browser.new_context(base_url=live.url, locale="en-GB")
    other.set_default_timeout(TIMEOUT_MS)
    laptop = other.new_page()
    try:
        sign_in(laptop, email)
        sign_in(page, email)
        page.get_by_role("link", name="Alternate").click()
        expect(h1(page)).to_have_text("Your account")
        expect(page.get_by_text(email)).to_be_visible()
        fits_360(page)
        page.get_by_role("link", name="Sign out everywhere else").click()
        page.get_by_role("button", name="Confirm").click()
        flash(page, "Every other session of your account has ended.")
        laptop.goto("/members")
        expect(h1(laptop)).to_have_text("Sign in")
        page.goto("/members")
        expect(h1(page)).not_to_have_text("Sign in")
    finally:
        other.close()
    assert console_errors == []
