"""The plenary assembly, end to end in a real browser: the secretariat opens a secret vote, a
delegate holding a proxy casts both ballots and keeps both trackers, the secretariat closes the
vote, anyone finds the trackers on the public board, and the minutes come out as a PDF."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.assembly import services
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.helpers import sign_in, sign_out, switch_language, watch

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"
ASSEMBLY = "Ordinary plenary assembly"
RESOLUTION = "Approval of the annual report"


def _seed(live: LiveServer) -> dict:
    """Three voting members (A holds B's proxy, given before the vote opens), a pending secret vote."""
    with live.app.app_context():
        charter = factories.charter()
        a, b, _c = factories.voters(3, charter_=charter, prefix="Voter")
        factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        assembly = factories.assembly(title=ASSEMBLY)
        resolution = factories.resolution(assembly, title=RESOLUTION, secret=True)
        delegate_a, delegate_b = (db.session.scalar(select(User).where(User.member_id == m.id, User.is_delegate))
                                  for m in (a, b))
        services.give_proxy(assembly, actor=delegate_b, giver=b, holder=a)
        db.session.commit()
        seeded = {"vote_id": resolution.vote_id, "assembly_id": assembly.id, "a": a.name, "b": b.name,
                  "delegate_a": delegate_a.email}
        db.session.remove()
    return seeded


def _open_assembly(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Assemblies").click()
    page.get_by_role("link", name=ASSEMBLY).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ASSEMBLY)


def _ballot_section(page: Page, heading: str) -> Locator:
    return page.locator("section.ballot").filter(has=page.get_by_role("heading", name=heading, exact=True))


def _cast(page: Page, heading: str, choice: str, stale: list[dict[str, str]] | None = None) -> str:
    """Choose, continue, note the tracker on the confirmation page, cast; return the tracker (the
    answer shows the same one). ``stale`` receives the cast form's fields, for a replay."""
    section = _ballot_section(page, heading)
    section.get_by_label(choice, exact=True).check()
    section.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your ballot")
    expect(page.locator(".confirm-choice")).to_contain_text(heading)
    expect(page.locator(".confirm-choice strong")).to_have_text(choice)
    tracker = page.locator("#tracker-value").inner_text().strip()
    assert len(tracker) == 32 and int(tracker, 16) >= 0
    if stale is not None:
        form = page.locator("form[action$='/cast']")
        stale.append({name: form.locator(f"input[name={name}]").get_attribute("value") or ""
                      for name in ("csrf_token", "member_id", "choice", "tracker", "mac")})
    page.get_by_role("button", name="Confirm and cast my ballot").click()
    expect(page.get_by_text("Your ballot has been cast.")).to_be_visible()
    receipt = page.locator("section.receipts code.tracker")
    expect(receipt).to_have_count(1)
    expect(receipt).to_have_text(tracker)
    section = _ballot_section(page, heading)
    expect(section.get_by_text("A ballot has been cast for this organisation.")).to_be_visible()
    expect(section.locator("form")).to_have_count(0)
    return tracker


def _switch_language(page: Page, code: str) -> None:
    """The header's language menu (see ``helpers.switch_language``)."""
    switch_language(page, code)


def test_delegate_with_proxy_casts_two_ballots_and_finds_them_on_the_board(
        page: Page, browser: Browser, live: LiveServer, console_errors: list[str]) -> None:
    seeded = _seed(live)
    vote_url = f"/votes/{seeded['vote_id']}"
    own, proxy = f"For your organisation, {seeded['a']}", f"By proxy for {seeded['b']}"

    # 1. The secretariat opens the vote from the assembly page, with a closing time.
    sign_in(page, SECRETARIAT)
    _open_assembly(page)
    expect(page.get_by_role("row").filter(has_text=RESOLUTION)).to_contain_text("Secret")
    page.get_by_role("row").filter(has_text=RESOLUTION).get_by_role("link", name="Open the vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open the vote")
    closes_at = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Closes at (UTC)").fill(closes_at)
    page.get_by_role("button", name="Open the vote").click()
    expect(page.get_by_text("The vote is open: 3 members in the electorate.")).to_be_visible()
    assert page.url == live.url + vote_url
    sign_out(page)

    # 2. A's delegate, holding B's proxy, sees two pending ballots and casts both.
    sign_in(page, seeded["delegate_a"])
    pending = page.locator("section").filter(has=page.get_by_role("heading", name="Votes waiting for your ballot"))
    expect(pending.get_by_role("listitem")).to_have_count(2)
    expect(pending).to_contain_text("for your organisation")
    expect(pending).to_contain_text(f"by proxy for {seeded['b']}")
    pending.get_by_role("link", name=RESOLUTION).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RESOLUTION)
    expect(page.get_by_role("heading", level=2, name=own, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=proxy, exact=True)).to_be_visible()
    expect(page.locator("#turnout-count")).to_have_text("0")

    stale: list[dict[str, str]] = []
    own_tracker = _cast(page, own, "For", stale)
    expect(page.locator("#turnout-count")).to_have_text("1")
    proxy_tracker = _cast(page, proxy, "Against")
    assert own_tracker != proxy_tracker
    expect(page.locator("#turnout-count")).to_have_text("2")
    expect(page.locator("p.turnout")).to_contain_text("2 / 3")
    # Trackers are shown on the confirmation and the cast's answer only; no ballot form is left.
    page.goto(vote_url)
    expect(page.locator("code.tracker")).to_have_count(0)
    expect(page.locator("section.ballot form")).to_have_count(0)
    expect(page.get_by_text("A ballot has been cast for this organisation.")).to_have_count(2)
    # A replayed cast (the confirmation's stale form) is refused kindly and changes nothing.
    page.goto("/")
    expect(page.get_by_role("heading", name="Votes waiting for your ballot")).to_have_count(0)
    page.goto(vote_url)
    replay = page.request.post(f"{live.url}{vote_url}/cast", headers={"Accept-Language": "en-GB"},
                               form={**stale[0], "choice": "against"})
    assert replay.ok
    assert "A ballot has already been cast for this organisation" in replay.text()
    page.reload()
    expect(page.locator("#turnout-count")).to_have_text("2")
    sign_out(page)

    # 3. The secretariat closes the vote (confirmation page) and reads the results.
    sign_in(page, SECRETARIAT)
    page.goto(vote_url)
    page.get_by_role("link", name="Close the vote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the vote")
    expect(page.get_by_text("2 of 3 members have voted.")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The vote is closed and its results are published.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {RESOLUTION}")
    expect(page.locator("#outcome-title")).to_contain_text("Rejected")  # a tie is no majority
    counts = page.locator("table.counts")
    for option, n in (("For", "1"), ("Against", "1"), ("Abstain", "0")):
        expect(counts.get_by_role("row").filter(has=page.get_by_role("rowheader", name=option, exact=True))
               .get_by_role("cell")).to_have_text(n)
    final_hash = page.locator(".result-outcome code.final-hash").inner_text().strip()
    assert len(final_hash) == 64
    participants = page.locator("section.participants")
    expect(participants).to_contain_text(seeded["a"])
    expect(participants).to_contain_text(seeded["b"])

    # 4. Anyone (no account) finds each tracker on the public board, with its choice.
    context = browser.new_context(base_url=live.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        anonymous = context.new_page()
        watch(anonymous, console_errors)
        anonymous.goto(f"{vote_url}/board")
        expect(anonymous.get_by_role("heading", level=1)).to_have_text(f"Bulletin board: {RESOLUTION}")
        expect(anonymous.locator("#final-hash")).to_have_text(final_hash)
        expect(anonymous.locator("table.board tbody tr")).to_have_count(2)
        for tracker, choice in ((own_tracker, "For"), (proxy_tracker, "Against")):
            anonymous.get_by_label("Find my tracker").fill(tracker)
            anonymous.get_by_role("button", name="Find", exact=True).click()
            expect(anonymous.get_by_role("status")).to_contain_text("Your ballot is on the board at position")
            assert tracker not in anonymous.url.split("#")[0]  # posted, never in an address
            found = anonymous.locator("tr.found")
            expect(found).to_have_count(1)
            expect(found.locator("mark")).to_have_text(tracker)
            expect(found.get_by_role("cell", name=choice, exact=True)).to_be_visible()
            expect(anonymous.locator("#final-hash")).to_have_text(final_hash)
    finally:
        context.close()

    # 5. The minutes, as a PDF, from the assembly page.
    _open_assembly(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Minutes (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # 6. The results read right to left in Arabic.
    page.goto(f"{vote_url}/results")
    _switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("table.counts tbody tr")).to_have_count(3)
    _switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    assert console_errors == []
