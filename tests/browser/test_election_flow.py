"""The steering-committee election, end to end in a real browser: a delegate declares its
organisation's candidacy, the secretariat validates it and opens voting, delegates cast approval
ballots (one ticks too many boxes and is refused, one casts a blank ballot), the secretariat
closes the vote, the results show the elected members, the substitutes and the sentence saying
which constraint skipped a candidate, and the committee page lists the new committee."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.assembly import voting
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.elections import services
from app.elections.models import Candidacy, Election
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer
from tests.browser.helpers import sign_in, watch

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"
ELECTION = "Election of the steering committee"
FRENCH_COLLEGE = "French civil society"
TUNISIAN_COLLEGE = "Tunisian civil society"
# voters(prefix="Association") names members "Association <college> <i>", delegates "association-<college>-<i>@...".
FR = [f"Association cs-fr {i}" for i in range(3)]
TN = [f"Association cs-tn {i}" for i in range(2)]


def _email(name: str) -> str:
    return name.lower().replace(" ", "-") + "@example.org"


def _delegate(member_id: int) -> User:
    user = db.session.scalar(select(User).where(User.member_id == member_id, User.is_delegate))
    assert user is not None
    return user


def _seed(live: LiveServer) -> int:
    """Five voting members in two colleges, a secretariat, an election for 3 seats (at most 2 from
    the French college) whose candidacy window is open; three candidacies declared already, still
    to be validated: the fourth is declared in the browser."""
    with live.app.app_context():
        factories.college("cs-fr", FRENCH_COLLEGE)
        factories.college("cs-tn", TUNISIAN_COLLEGE)
        charter = factories.charter()
        fr = factories.voters(3, charter_=charter, college_code="cs-fr", prefix="Association")
        tn = factories.voters(2, charter_=charter, college_code="cs-tn", country="TN", prefix="Association")
        secretariat = factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        now = utcnow()
        election = services.create_election(actor=secretariat, data={
            "title": ELECTION, "seats": 3, "term_starts_on": now.date(), "term_years": 2,
            "candidacy_opens_at": now - timedelta(days=1), "candidacy_closes_at": now + timedelta(days=1),
            "constraints": {"college": {"cs-fr": [0, 2]}}})
        for member, gender in ((fr[1], "male"), (fr[2], "female"), (tn[0], "female")):
            services.declare_candidacy(election, actor=_delegate(member.id), representative_name=f"Rep of {member.name}",
                                       gender=gender, statements={"en": "We will serve the programme.", "fr": "",
                                                                  "ar": ""})
        db.session.commit()
        election_id = election.id
        db.session.remove()
    return election_id


def _close_candidacies(live: LiveServer, election_id: int) -> None:
    """The window ends (the browser cannot wait a day for it)."""
    with live.app.app_context():
        election = db.session.get(Election, election_id)
        election.candidacy_closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()


def _cast_directly(live: LiveServer, election_id: int, ballots: dict[str, list[str]]) -> None:
    """Ballots of the members that do not vote in the browser, through the same cast path."""
    with live.app.app_context():
        election = db.session.get(Election, election_id)
        ids = {c.member.name: c.id for c in db.session.scalars(select(Candidacy).where(
            Candidacy.election_id == election_id))}
        for voter, approved in ballots.items():
            member_id = db.session.scalar(select(Member.id).where(Member.name == voter))
            voting.cast(election.vote_id, member_id, ",".join(str(ids[name]) for name in approved),
                        actor=_delegate(member_id))
        db.session.commit()
        db.session.remove()


@contextmanager
def _session_of(browser: Browser, live: LiveServer, console_errors: list[str], email: str) -> Iterator[Page]:
    """A fresh browser context signed in as ``email`` (one per delegate: no sign-out needed)."""
    context = browser.new_context(base_url=live.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        watch(tab, console_errors)
        sign_in(tab, email)
        yield tab
    finally:
        context.close()


def _open_election(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Elections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steering-committee elections")
    page.get_by_role("link", name=ELECTION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ELECTION)


def _box(page: Page, member: str) -> Locator:
    """The approval box of one candidate (its label starts with the member's name)."""
    return page.locator("section.ballot").get_by_label(f"{member} (", exact=False)


def _continue_and_cast(page: Page, approved: list[str]) -> str:
    """Continue, check the confirmation page and note its tracker, cast; return the tracker."""
    page.locator("section.ballot").get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your ballot")
    if approved:
        expect(page.locator(".confirm-choice")).to_contain_text(f"you approve {len(approved)} candidate")
        items = page.locator("ul.approved li")
        expect(items).to_have_count(len(approved))
        for name in approved:  # in ballot order (the order of the candidacies), not the ticking order
            expect(items.filter(has_text=f"{name} (")).to_have_count(1)
    else:
        expect(page.locator(".confirm-choice")).to_contain_text("Blank ballot: you approve no candidate.")
        expect(page.locator("ul.approved")).to_have_count(0)
    tracker = page.locator("#tracker-value").inner_text().strip()  # held before the cast is written
    assert len(tracker) == 32 and int(tracker, 16) >= 0
    page.get_by_role("button", name="Confirm and cast my ballot").click()
    expect(page.get_by_text("Your ballot has been cast.")).to_be_visible()
    receipt = page.locator("section.receipts code.tracker")
    expect(receipt).to_have_count(1)
    expect(receipt).to_have_text(tracker)
    expect(page.get_by_text("A ballot has been cast for this organisation.")).to_be_visible()
    expect(page.locator("section.ballot form")).to_have_count(0)
    return tracker


def _vote_page_from_home(page: Page) -> None:
    pending = page.locator("section").filter(has=page.get_by_role("heading", name="Votes waiting for your ballot"))
    pending.get_by_role("link", name=ELECTION).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ELECTION)
    expect(page.locator("section.ballot fieldset.approval")).to_be_visible()


def test_delegates_elect_the_committee_and_the_committee_page_lists_it(
        page: Page, browser: Browser, live: LiveServer, console_errors: list[str]) -> None:
    election_id = _seed(live)
    detail_url = f"/elections/{election_id}"
    declared, declared_rep = FR[0], "Representative of the first association"

    # 1. A delegate declares its organisation's candidacy from the election page.
    with _session_of(browser, live, console_errors, _email(declared)) as delegate:
        _open_election(delegate)
        expect(delegate.get_by_role("heading", name="Candidates (0)")).to_be_visible()
        delegate.get_by_role("link", name="Declare our candidacy").click()
        expect(delegate.get_by_role("heading", level=1)).to_have_text("Declare our candidacy")
        expect(delegate.get_by_text(f"Your organisation, {declared}, stands for a seat")).to_be_visible()
        delegate.get_by_label("Representative who would sit").fill(declared_rep)
        delegate.get_by_label("Gender of the representative").select_option(label="Woman")
        delegate.get_by_label("Statement in English").fill("We will bring the voice of local associations.")
        delegate.get_by_role("button", name="Declare our candidacy").click()
        expect(delegate.get_by_text("Your candidacy is declared. The secretariat will validate it.")).to_be_visible()
        assert delegate.url == live.url + detail_url
        own = delegate.locator("section").filter(has=delegate.get_by_role("heading", name="Your organisation's candidacy"))
        expect(own).to_contain_text(f"Representative: {declared_rep}")
        expect(own.locator(".badge")).to_have_text("Submitted")
        expect(delegate.get_by_role("link", name="Declare our candidacy")).to_have_count(0)

    # 2. The secretariat validates the four candidacies, then (the window over) opens voting.
    sign_in(page, SECRETARIAT)
    _open_election(page)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)
    for name in (declared, FR[1], FR[2], TN[0]):
        row = rows.filter(has=page.get_by_role("rowheader", name=name))
        expect(row.locator(".badge")).to_have_text("Submitted")
        row.get_by_role("button", name="Validate").click()
        expect(page.get_by_text(f"The candidacy of {name} is validated.")).to_be_visible()
        expect(rows.filter(has=page.get_by_role("rowheader", name=name)).locator(".badge")).to_have_text("Validated")
    expect(page.get_by_role("heading", name="Candidates (4)")).to_be_visible()
    expect(page.locator(f"article.candidate:has-text('{declared}')")).to_contain_text(declared_rep)

    _close_candidacies(live, election_id)
    page.reload()
    expect(page.locator(".badge").first).to_have_text("Candidacies closed")
    page.get_by_role("link", name="Open voting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open voting")
    expect(page.get_by_text("4 validated candidates will be on the ballot.")).to_be_visible()
    closes_at = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Voting closes at (UTC)").fill(closes_at)
    page.get_by_role("button", name="Open voting").click()
    expect(page.get_by_text("Voting is open: 5 members in the electorate.")).to_be_visible()
    vote_url = page.url.removeprefix(live.url)
    assert vote_url.startswith("/votes/")

    # 3. Delegates vote. The first approves three candidates.
    trackers = []
    with _session_of(browser, live, console_errors, _email(declared)) as delegate:
        _vote_page_from_home(delegate)
        expect(delegate.get_by_text("Approve up to 3 candidates; a blank ballot is valid.")).to_be_visible()
        expect(delegate.locator("section.ballot input[type=checkbox]")).to_have_count(4)
        for name in (FR[0], FR[1], FR[2]):
            _box(delegate, name).check()
        trackers.append(_continue_and_cast(delegate, [FR[0], FR[1], FR[2]]))
        expect(delegate.locator("#turnout-count")).to_have_text("1")

    # The second ticks all four boxes: refused, the boxes kept; it unticks two and votes.
    with _session_of(browser, live, console_errors, _email(FR[1])) as delegate:
        _vote_page_from_home(delegate)
        for name in (*FR, TN[0]):
            _box(delegate, name).check()
        before = len(console_errors)
        delegate.locator("section.ballot").get_by_role("button", name="Continue").click()
        expect(delegate.get_by_role("alert").filter(has_text="Approve at most 3 candidates.")).to_be_visible()
        # The refused ballot comes back as 422, which Chromium logs as a failed load: that one is expected.
        assert [e for e in console_errors[before:] if "status of 422" not in e] == []
        del console_errors[before:]
        expect(delegate.get_by_role("heading", level=1)).to_have_text(ELECTION)
        for name in (*FR, TN[0]):
            expect(_box(delegate, name)).to_be_checked()
        _box(delegate, FR[2]).uncheck()
        _box(delegate, TN[0]).uncheck()
        trackers.append(_continue_and_cast(delegate, [FR[0], FR[1]]))

    # The third casts a blank ballot.
    with _session_of(browser, live, console_errors, _email(TN[1])) as delegate:
        _vote_page_from_home(delegate)
        trackers.append(_continue_and_cast(delegate, []))
        expect(delegate.locator("#turnout-count")).to_have_text("3")
    assert len(set(trackers)) == 3

    # The last two members vote outside the browser: 4, 3, 2 and 1 approvals, no tie.
    _cast_directly(live, election_id, {FR[2]: [FR[0], FR[1], FR[2]], TN[0]: [FR[0], TN[0]]})

    # 4. The secretariat closes the vote and reads the results.
    page.goto(detail_url)
    page.get_by_role("link", name="Close voting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the vote")
    expect(page.get_by_text("5 of 5 members have voted.")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("The vote is closed and its results are published.")).to_be_visible()
    assert page.url == f"{live.url}{detail_url}/results"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {ELECTION}")
    elected = page.locator("ol.elected li")
    expect(elected).to_have_count(3)
    for i, (name, approvals) in enumerate(((FR[0], 4), (FR[1], 3), (TN[0], 1))):
        expect(elected.nth(i)).to_contain_text(name)
        expect(elected.nth(i)).to_contain_text(f"{approvals} approval")
    expect(elected.nth(0)).to_contain_text(f"represented by {declared_rep}")
    substitutes = page.locator("ol.substitutes li")
    expect(substitutes).to_have_count(1)
    expect(substitutes.first).to_contain_text(FR[2])
    explanations = page.locator("ul.explanations li")
    expect(explanations.filter(has_text=f"{FR[2]} was skipped")).to_have_text(
        f"{FR[2]} was skipped: electing them would exceed the maximum of 2 seats for the college {FRENCH_COLLEGE}.")
    expect(explanations.filter(has_text=f"{TN[0]} was elected out of rank order")).to_contain_text(
        f"because {FR[2]}, ranked higher, could not be elected")
    expect(page.get_by_text("No tie: no draw was needed.")).to_be_visible()
    for term, value in (("Electorate", "5"), ("Members who took part", "5"), ("Ballots counted", "5"),
                        ("Elected", "3"), ("Vacant seats", "0")):
        expect(page.locator(f"dl.details dt:text-is('{term}') + dd")).to_have_text(value)

    # 5. The committee page lists the elected members.
    page.get_by_role("navigation").get_by_role("link", name="Committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Steering committee")
    seats = page.locator("section").filter(has=page.get_by_role("heading", name="Elected seats")).locator("tbody tr")
    expect(seats.filter(has_text="Association")).to_have_count(3)
    for name in (FR[0], FR[1], TN[0]):
        expect(seats.filter(has=page.get_by_role("link", name=name, exact=True))).to_have_count(1)
    expect(seats.filter(has=page.get_by_role("link", name=FR[2], exact=True))).to_have_count(0)
    expect(seats.filter(has_text=declared_rep)).to_have_count(1)

    # An elected member's delegate now sits on the committee (the role comes from the mandate).
    with _session_of(browser, live, console_errors, _email(declared)) as delegate:
        delegate.get_by_role("navigation").get_by_role("link", name="Committee").click()
        expect(delegate.get_by_role("heading", name="You sit on the committee")).to_be_visible()

    assert console_errors == []
