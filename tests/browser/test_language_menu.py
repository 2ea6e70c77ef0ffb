"""The header's language menu in a real browser, without JavaScript, on a phone (issue 11, point 13): the
closed menu takes one line, its panel opens inside the screen, and a language's button changes the page's
language and comes back to the same page."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import TIMEOUT_MS, LiveServer

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_the_language_menu_works_without_javascript(browser: Browser, live: LiveServer, width: int) -> None:
    context = browser.new_context(base_url=live.url, locale="fr-FR", java_script_enabled=False,
                                  viewport={"width": width, "height": 740})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/forgot-password")
        menu = page.locator("#language-menu")
        summary = menu.locator("summary")
        line = float(summary.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
        assert summary.bounding_box()["height"] < 2 * line, "the closed menu wraps onto two lines"
        expect(menu.get_by_role("button", name="العربية")).to_be_hidden()
        summary.click()
        choice = menu.get_by_role("button", name="العربية")
        expect(choice).to_be_visible()
        panel = menu.locator("form").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width, panel
        choice.click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert page.url == live.url + "/forgot-password"
        # the same menu, mirrored: still inside the screen, and back to French
        menu.locator("summary").click()
        panel = menu.locator("form").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width, panel
        assert page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")[0] <= width
        menu.get_by_role("button", name="Français").click()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    finally:
        context.close()
