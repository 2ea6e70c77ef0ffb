"""Accessibility basics checked in a real browser: labelled fields, a skip link first,
and a sign-in form that works with the keyboard alone."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import UserKind
from app.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"

# Visible form fields without a programmatic label (a <label> tied to the field, or
# aria-label / aria-labelledby with text); placeholders do not count. Submit inputs are
# buttons named by their value, not fields.
_UNLABELLED_FIELDS = """
() => [...document.querySelectorAll("input, select, textarea")]
  .filter(el => !["hidden", "submit", "button", "reset"].includes(el.type) && el.checkVisibility())
  .filter(el => {
    const fromLabels = [...(el.labels || [])].some(label => label.textContent.trim() !== "");
    const fromAria = (el.getAttribute("aria-label") || "").trim() !== "";
    const fromIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .some(id => (document.getElementById(id)?.textContent || "").trim() !== "");
    return !(fromLabels || fromAria || fromIds);
  })
  .map(el => el.outerHTML)
"""


def _seed(live: LiveServer) -> None:
    with live.app.app_context():
        factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        factories.member("Association des Jeunes de Gafsa", country="TN", college_code="cs-tn")
        factories.member("Collectif Solidaire de Nantes")
        factories.charter()
        db.session.commit()


def _assert_fields_labelled(page: Page) -> None:
    assert page.locator("input:visible, select:visible, textarea:visible").count() > 0
    assert page.evaluate(_UNLABELLED_FIELDS) == [], f"unlabelled fields on {page.url}"


def _assert_skip_link_first(page: Page) -> None:
    """Tab from the top of the page reaches the skip link first; Enter moves focus to the content."""
    page.locator("body").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.tagName, document.activeElement.getAttribute('href')]")
    assert focused == ["A", "#main"], f"first focusable element on {page.url}: {focused}"
    expect(page.locator(":focus")).to_be_in_viewport()  # hidden off-screen until focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def _sign_in_with_keyboard(page: Page, email: str, password: str) -> None:
    """Tab to the e-mail field, type, Tab to the password, type, press Enter: no mouse."""
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "email":
            break
    else:
        pytest.fail("the e-mail field cannot be reached with Tab")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def test_login_page(page: Page, live: LiveServer, console_errors: list[str]) -> None:
    _seed(live)
    page.goto("/login")
    _assert_fields_labelled(page)
    _assert_skip_link_first(page)

    page.goto("/login")
    _sign_in_with_keyboard(page, SECRETARIAT, factories.PASSWORD)
    expect(page.get_by_text("Welcome, Secretariat.")).to_be_visible()
    assert page.url == live.url + "/"
    assert console_errors == []


def test_login_errors_are_announced_with_keyboard(page: Page, live: LiveServer) -> None:
    _seed(live)
    page.goto("/login")
    _sign_in_with_keyboard(page, SECRETARIAT, "wrong password")
    expect(page.get_by_role("alert")).to_be_visible()
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    described_by = password.get_attribute("aria-describedby")
    assert described_by
    expect(page.locator(f"#{described_by}")).to_have_text("E-mail address or password is wrong.")
    expect(page.get_by_label("E-mail address")).to_have_value(SECRETARIAT)


@pytest.mark.parametrize("path", ["/members", "/members?q=gafsa&country=TN", "/members/new"])
def test_member_pages_for_the_secretariat(page: Page, live: LiveServer, console_errors: list[str],
                                         path: str) -> None:
    _seed(live)
    page.goto("/login")
    _sign_in_with_keyboard(page, SECRETARIAT, factories.PASSWORD)
    expect(page.get_by_text("Welcome, Secretariat.")).to_be_visible()

    page.goto(path)
    _assert_fields_labelled(page)
    _assert_skip_link_first(page)
    assert console_errors == []
