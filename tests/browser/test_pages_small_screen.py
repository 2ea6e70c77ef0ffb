"""Every page of the role matrix on a phone: 360 × 740, in French and in Arabic (right to left).

Each GET page of ``tests/core/test_role_matrix.py``'s ``EXPECTED`` is loaded once per language, signed in as
one role allowed to see it (a public page: anonymous), on the matrix's own world (``tests/role_world.py``)
built once in the live server's database. Each page must

- fit the screen: the document never scrolls sideways (a wide table scrolls inside its own box);
- pass axe-core (shipped by the ``axe-playwright-python`` package, injected from disk, no CDN) with no
  "serious" or "critical" violation.

Files (PDF, CSV, JSON, XLSX, XML, attachments) are not pages: they are skipped. One browser context per
(language, role), reused across its pages; a failure names the page and the language. With
``SMALL_SCREEN_SHOTS=<folder>`` every page is also saved there as a full-page screenshot, to look at.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.conftest import csrf_token_from, wipe
from tests.core.test_role_matrix import EXPECTED, Row, is_grants_rule
from tests.role_world import GrantIds, Ids, build_grant_ids, build_ids, email_of, fill, with_query

pytestmark = pytest.mark.browser

AXE = pytest.importorskip("axe_playwright_python.base").AXE_SCRIPT
VIEWPORT = {"width": 360, "height": 740}
LANGUAGES = ("fr", "ar")
#: The role a page is seen as: anonymous for a public page, else the first allowed one in this order.
PREFERENCE = ("secretariat", "delegate", "committee", "alternate", "ex_officio")
#: Rules that serve a file rather than a page.
FILE = re.compile(r"\.(pdf|csv|json|xml|xlsx|<fmt>)$")
BLOCKING = ("serious", "critical")

# Elements wider than the screen that are not inside a box scrolling on its own: what to fix when a page
# overflows. Visually hidden elements (1 px, clipped) and the skip link (parked off-screen) are left out.
_OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX; if (s === "auto" || s === "scroll" || s === "hidden") return true; }
    return false; };
  return [...document.body.querySelectorAll("*")].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 1 && r.right > 0 && (r.right > width + 0.5 || r.left < -0.5) && !scrolls(el);
    }).slice(0, 8).map(el => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).replace(/ +/g, ".") : "")
      + " " + Math.round(el.getBoundingClientRect().width) + "px: " + (el.textContent || "").trim().slice(0, 60));
}
"""


def role_for(row: Row) -> str:
    allowed = row.get or frozenset()
    if "anonymous" in allowed:
        return "anonymous"
    return next(role for role in PREFERENCE if role in allowed)


PAGES = [(rule, role_for(row)) for rule, row in EXPECTED.items() if row.get and not FILE.search(rule)]
CASES = sorted(((language, role, rule) for rule, role in PAGES for language in LANGUAGES),
               key=lambda case: (LANGUAGES.index(case[0]), case[1]))


@pytest.fixture(scope="module")
def matrix(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Ids, GrantIds]]:
    """The role matrix's world, built once for the module in the live server's database."""
    app = live_server.app
    files = tmp_path_factory.mktemp("small-screen-files")
    saved = {key: app.config.get(key) for key in ("CALLS_ATTACHMENTS_DIR", "GRANTS_ATTACHMENTS_DIR")}
    app.config["CALLS_ATTACHMENTS_DIR"] = str(files / "attachments")
    app.config["GRANTS_ATTACHMENTS_DIR"] = str(files / "grant-attachments")
    wipe(app)
    with app.app_context():
        world = factories.build_world()
        db.session.commit()
    ids = build_ids(app, world)
    grants = build_grant_ids(app, world)
    yield world, ids, grants
    wipe(app)
    app.config.update(saved)


def _set_language(tab: Any, language: str) -> None:
    """The header's language menu, posted with the page's CSRF token (as the menu's button does)."""
    token = csrf_token_from(tab.content())
    response = tab.context.request.post("/language", form={"csrf_token": token, "locale": language, "next": "/"})
    assert response.ok, response.status


def _sign_in(tab: Any, email: str) -> None:
    tab.goto("/login")
    token = csrf_token_from(tab.content())
    response = tab.context.request.post("/login", form={"csrf_token": token, "email": email,
                                                        "password": factories.PASSWORD})
    assert response.ok and not response.url.endswith("/login"), response.url


@pytest.fixture(scope="module")
def tab_for(browser: Any, live_server: LiveServer, matrix: tuple[Any, Ids, GrantIds]) -> Iterator[Callable[[str, str], Any]]:
    """A signed-in tab at 360 px for (language, role); the previous one is closed when the pair changes (the
    cases are sorted by language and role)."""
    world = matrix[0]
    current: dict[tuple[str, str], Any] = {}

    def tab(language: str, role: str) -> Any:
        if (language, role) not in current:
            for context in [t.context for t in current.values()]:
                context.close()
            current.clear()
            context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=VIEWPORT)
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(script=AXE)
            page = context.new_page()
            if role == "anonymous":
                page.goto("/login")
            else:
                _sign_in(page, email_of(world, role))
                page.goto("/")
            _set_language(page, language)
            current[(language, role)] = page
        return current[(language, role)]

    yield tab
    for page in current.values():
        page.context.close()


def _axe(tab: Any) -> list[str]:
    """axe-core's serious and critical violations on the page: rule, impact, and the first elements."""
    results = tab.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + " | ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in results["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize(("language", "role", "rule"), CASES, ids=[f"{lang}:{rule}" for lang, _, rule in CASES])
def test_page_fits_360_and_passes_axe(tab_for: Callable[[str, str], Any], matrix: tuple[Any, Ids, GrantIds],
                                      language: str, role: str, rule: str) -> None:
    _, ids, grant_ids = matrix
    row = EXPECTED[rule]
    grants = grant_ids if is_grants_rule(rule) else None
    url = with_query(fill(rule, ids, row.use, grants), ids, row.query, grants)
    tab = tab_for(language, role)
    head = tab.context.request.get(url, max_redirects=5)
    if "text/html" not in head.headers.get("content-type", ""):
        pytest.skip(f"{url} is a file, not a page")
    response = tab.goto(url)
    assert response is not None and response.status == 200, f"{url} as {role}: {response and response.status}"
    assert tab.evaluate("document.documentElement.lang") == language, f"{url} is not in {language}"
    sizes = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"{url} ({language}, {role}) scrolls sideways: {sizes}; {tab.evaluate(_OVERFLOWING)}"
    if os.environ.get("SMALL_SCREEN_SHOTS"):
        name = re.sub(r"[^\w.-]+", "_", f"{language}{rule}").strip("_")
        tab.screenshot(path=str(Path(os.environ["SMALL_SCREEN_SHOTS"]) / f"{name}.png"), full_page=True)
    violations = _axe(tab)
    assert violations == [], f"{url} ({language}, {role}):\n" + "\n".join(violations)


def test_every_page_of_the_matrix_is_tried() -> None:
    """A GET rule left out must be a file: the sweep follows EXPECTED, it keeps no list of its own."""
    tried = {rule for _, _, rule in CASES}
    left_out = {rule for rule, row in EXPECTED.items() if row.get} - tried
    assert all(FILE.search(rule) for rule in left_out), left_out
    assert len(tried) > 100

