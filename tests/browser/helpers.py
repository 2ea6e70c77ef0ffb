"""Steps every browser flow takes: signing in and out, the page's heading, a flash message, the narrow
screen check, and catching console errors of an extra tab."""
from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests import factories


def watch(tab: Page, console_errors: list[str]) -> None:
    """Collect the tab's console errors and uncaught exceptions (CSP violations show up here)."""
    tab.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: console_errors.append(str(exc)))


def sign_in(page: Page, email: str, password: str = factories.PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").filter(has_text="Welcome")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def flash(page: Page, text: str) -> None:
    expect(page.get_by_text(text)).to_be_visible()


def fits_360(page: Page) -> None:
    """The page reads at 360 px wide without scrolling sideways (wide tables scroll inside their box)."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})


def switch_language(page: Page, code: str) -> None:
    """The header's language menu: open it, press the language's button (by its code: the names are shown in
    their own language)."""
    menu = page.locator("#language-menu")
    menu.locator("summary").click()
    menu.locator(f"button[name=locale][value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
