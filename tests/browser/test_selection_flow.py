"""Selection, end to end in a real browser: the secretariat sets two reviewers per proposal and applies the
suggestion (the preview leaves out the reviewer whose organisation is a partner of a proposal); three
committee members score through the form (one of them, by keyboard only for a criterion), the conflicted one
is refused the proposal it is conflicted with; the proposal whose reviews are far apart is flagged for
discussion and discussed; the trial allocation moves the line when the envelope changes; the secretariat
records the committee's decision with one departure from the line and its reason, then publishes it; the
lead's delegate reads its outcome, the departure's reason, and downloads its decision letter (a PDF).

Only what the issue does not ask to click is seeded: the members, the committee's seats, the call in review
with its three submitted proposals.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.calls.models import CallStatus
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import fits_360, flash, h1, sign_in, sign_out
from tests.calls import builders, review_builders
from tests.calls.ruleset_helpers import seat

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"
APPLICANT = "delegate@example.org"  # the delegate of the lead of the third proposal
CALL = "Acting together for change"
# Three committee members, each the delegate of its own organisation with a seat; Carla's organisation is a
# partner of the first proposal, so she is conflicted with it.
ANNA, BRUNO, CARLA = "anna@example.org", "bruno@example.org", "carla@example.org"
NAMES = {ANNA: "Anna Reviewer", BRUNO: "Bruno Reviewer", CARLA: "Carla Reviewer"}
ORGS = {ANNA: "Réseau Méditerranée Jeunesse", BRUNO: "Collectif Solidaire de Lyon",
        CARLA: "Fédération des Associations de Sousse"}
TITLES = ("Clean water in Gafsa", "Shared gardens", "Youth radio")
# Each proposal asks 50,000 € on a 100,000 € budget: 65 % is 65,000 €, so the maximum grant is 50,000 €.
LINES = (("staff", "Coordination", "40000", "20000"), ("activities", "Workshops", "60000", "30000"))
ENVELOPE = "120000"  # two proposals fit (100,000 €); the third does not fit the 20,000 € left
JUSTIFY = "The objectives are clear and match the call's challenges."
# Scores (relevance /5, impact /10, partnership /5 or None for "not applicable") per proposal; on the first
# proposal per reviewer, on the others Carla's marks and the other reviewer's marks.
# Weighted: (3·r/5 + 2·i/10 + 1·p/5) / 6 on 100, the n/a criterion left out of both sums.
P1 = {ANNA: (5, 9, 4), BRUNO: (4, 8, None)}  # 93.3 and 80.0: mean 86.7
P2 = {CARLA: (5, 10, 5), "other": (2, 4, 2)}  # 100.0 and 40.0: 60 points apart, flagged for discussion
P3 = {CARLA: (3, 6, 3), "other": (3, 5, 3)}  # 60.0 and 56.7: mean 58.3
REASON = "The committee funds the first phase of the radio, the only part ready to start, within what is left."


@dataclass(frozen=True)
class Seeded:
    call_id: int
    proposals: tuple[int, int, int]

    def ref(self, index: int) -> str:
        return f"C{self.call_id}-P{self.proposals[index]:04d}"


def _seed(live: LiveServer) -> Seeded:
    """The world (secretariat, the applicant's organisation), three committee members with seats, a call in
    review under a rule set with three criteria, and three submitted proposals of three organisations."""
    with live.app.app_context():
        world = factories.build_world()
        assert world.emails["secretariat"] == SECRETARIAT and world.emails["delegate"] == APPLICANT
        own = db.session.get(Member, world.member_id)
        reviewers = {}
        for email, name in NAMES.items():
            org = factories.member(ORGS[email], country="TN" if email == CARLA else "FR")
            reviewers[email] = factories.user(email, member=org, delegate=True, name=name)
            seat(org)
        leads = [factories.member("Association Oasis", country="TN"), factories.member("Jardins de Nantes")]
        for lead in leads:
            factories.user(f"{lead.acronym.lower()}@example.org", member=lead, delegate=True)
        version = builders.version(review_builders.criteria_content(threshold=25))
        call = builders.call(version, status=CallStatus.in_review, envelope=ENVELOPE)
        call.title_en = CALL
        items = [builders.proposal(call, lead, title=title, lines=LINES)
                 for lead, title in zip((*leads, own), TITLES, strict=True)]
        review_builders.partner_member(items[0], reviewers[CARLA].member)
        db.session.commit()
        assert [p.max_grant_cents for p in items] == [5_000_000] * 3
        assert all(p.eligible for p in items)
        seeded = Seeded(call.id, tuple(p.id for p in items))
        db.session.remove()
    return seeded


def _open_call(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Calls").click()
    page.get_by_role("link", name=CALL).click()
    expect(h1(page)).to_have_text(CALL)


def _marks_of(reviewer: str, index: int) -> tuple[int, int, int | None]:
    table = (P1, P2, P3)[index]
    return table.get(reviewer) or table["other"]


def _score_criterion(page: Page, code: str, score: int | None) -> None:
    box = page.locator(f"fieldset#criterion-{code}")
    box.get_by_label("Not applicable" if score is None else str(score), exact=True).check()
    box.get_by_label("Justification").fill(JUSTIFY)


def _score_by_keyboard(page: Page, code: str, score: int) -> None:
    """Tab to the criterion's radios, choose the score with the arrows, Tab to the justification and type it."""
    page.locator("h1").click()  # start from the top of the content
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused.startswith(f"score-{code}-"):
            break
    else:
        pytest.fail(f"Tab never reached the scores of {code}")
    assert focused == f"score-{code}-0", focused  # an unchecked group is entered at its first radio
    page.keyboard.press("Space")
    for _ in range(score):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"#score-{code}-{score}")).to_be_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"justification-{code}"
    page.keyboard.type(JUSTIFY)


def _write_review(page: Page, seeded: Seeded, reviewer: str, index: int, *, keyboard: bool = False,
                  check_360: bool = False) -> None:
    """From "My reviews", open the proposal's scoring form, score every criterion and submit."""
    page.get_by_role("navigation").get_by_role("link", name="My reviews").click()
    expect(h1(page)).to_have_text("My reviews")
    row = page.get_by_role("row").filter(has_text=seeded.ref(index))
    row.get_by_role("link", name=f"Score {seeded.ref(index)}").click()
    expect(h1(page)).to_have_text("My review")
    expect(page.get_by_text(f"{seeded.ref(index)} · {TITLES[index]}")).to_be_visible()
    relevance, impact, partnership = _marks_of(reviewer, index)
    if check_360:
        fits_360(page)  # the 0-10 scale's radios wrap
    if keyboard:
        _score_by_keyboard(page, "relevance", relevance)
        expect(page.locator("#justification-relevance")).to_have_value(JUSTIFY)
    else:
        _score_criterion(page, "relevance", relevance)
    _score_criterion(page, "impact", impact)
    _score_criterion(page, "partnership", partnership)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Submit the review").click()
    flash(page, "Your review is submitted. You can now read the other reviews of this proposal.")
    expect(h1(page)).to_have_text("Reviews of the proposal")


def test_reviewers_scores_line_decision_and_the_applicants_letter(
        page: Page, live: LiveServer, console_errors: list[str]) -> None:
    seeded = _seed(live)

    # 1. The secretariat sets two reviewers per proposal and a deadline, then previews the suggestion.
    sign_in(page, SECRETARIAT)
    _open_call(page)
    page.get_by_role("link", name="Reviewers and assignments").click()
    expect(h1(page)).to_have_text("Reviewers of the proposals")
    page.get_by_label("Reviewers per proposal").fill("2")
    page.get_by_label("Review deadline (UTC)").fill((utcnow() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save the settings").click()
    flash(page, "The review settings are saved.")
    expect(page.get_by_text("Reviewers wanted per proposal: 2.")).to_be_visible()
    conflicts = page.locator(f"tr#proposal-{seeded.proposals[0]} td").nth(1)
    expect(conflicts).to_contain_text(f"{ORGS[CARLA]} · ")
    page.get_by_role("link", name="Suggest reviewers").click()
    expect(h1(page)).to_have_text("Suggested reviewers")
    first = page.get_by_role("row").filter(has_text=seeded.ref(0))
    # The conflicted reviewer is left out of the first proposal, and only of it.
    expect(first.locator("td").nth(0)).not_to_contain_text(NAMES[CARLA])
    expect(first.locator("td").nth(0)).to_contain_text(NAMES[ANNA])
    expect(first.locator("td").nth(0)).to_contain_text(NAMES[BRUNO])
    expect(first.locator("td").nth(1)).to_have_text(NAMES[CARLA])
    for index in (1, 2):
        other = page.get_by_role("row").filter(has_text=seeded.ref(index))
        expect(other.locator("td").nth(0)).to_contain_text(NAMES[CARLA])
        expect(other.locator("td").nth(1)).to_have_text("—")
    expect(page.get_by_text("6 assignments will be made.")).to_be_visible()
    page.get_by_role("button", name="Make these assignments").click()
    flash(page, "6 assignments made from the suggestion.")
    expect(h1(page)).to_have_text("Reviewers of the proposals")
    page.get_by_role("button", name="E-mail the reviewers their lists").click()
    flash(page, "3 reviewers were e-mailed their list and the deadline.")
    # Who reviews the second and third proposals besides Carla is the suggestion's balance: read it here.
    second_reviewers = page.locator(f"tr#proposal-{seeded.proposals[1]} td").first.inner_text()
    sign_out(page)
    other_on_2 = ANNA if NAMES[ANNA] in second_reviewers else BRUNO
    assignments = {ANNA: [0], BRUNO: [0], CARLA: [1, 2]}
    assignments[other_on_2].append(1)
    assignments[BRUNO if other_on_2 == ANNA else ANNA].append(2)

    # 2. The conflicted reviewer is refused the first proposal's scoring form, reviews and discussion.
    sign_in(page, CARLA)
    page.get_by_role("navigation").get_by_role("link", name="My reviews").click()
    expect(page.get_by_role("row").filter(has_text=seeded.ref(0))).to_have_count(0)
    for path in (f"/proposals/{seeded.proposals[0]}/my-review", f"/proposals/{seeded.proposals[0]}/reviews"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(h1(page)).to_have_text("Access refused")
    page.goto("/")
    # She scores her two proposals; the second proposal's reviews are far apart.
    for n, index in enumerate(assignments[CARLA]):
        _write_review(page, seeded, CARLA, index, check_360=n == 0)
    sign_out(page)

    # 3. The two others score; Anna chooses her first relevance score with the keyboard only.
    for reviewer in (ANNA, BRUNO):
        sign_in(page, reviewer)
        for n, index in enumerate(sorted(assignments[reviewer])):
            _write_review(page, seeded, reviewer, index, keyboard=reviewer == ANNA and n == 0)
            if index == 1:  # the second reviewer of the second proposal: flagged, and discussed
                expect(page.get_by_role("status").filter(has_text="For discussion")).to_contain_text(
                    "the reviews' scores are 60.0 points apart.")
                page.get_by_label("Your comment").fill("Our scores differ widely: let us discuss the budget.")
                page.get_by_role("button", name="Post the comment").click()
                flash(page, "Your comment is posted.")
        sign_out(page)

    # 4. The secretariat reads the ranking: the second proposal is flagged, nobody is calibrated (2 reviews each).
    sign_in(page, SECRETARIAT)
    _open_call(page)
    page.get_by_role("link", name="Ranking, discussion flags and calibration").click()
    expect(h1(page)).to_have_text("Ranking of the proposals")
    expect(page.locator("dt:text-is('Flagged for discussion') + dd")).to_contain_text("1")
    ranking = page.locator("table.ranking tbody tr")
    expect(ranking).to_have_count(3)
    for position, (index, mean) in enumerate(((0, "86.7"), (1, "70.0"), (2, "58.3"))):
        row = ranking.nth(position)
        expect(row.locator("th")).to_contain_text(f"{seeded.ref(index)} · {TITLES[index]}")
        expect(row.locator("td").nth(0)).to_have_text(str(position + 1))
        expect(row.locator("td").nth(4)).to_have_text(mean)
    expect(ranking.nth(1).locator("td").last).to_have_text("Scores far apart")
    expect(ranking.nth(0).locator("td").last).to_have_text("—")
    calibration = page.locator("section").filter(has=page.get_by_role("heading", name="Calibration of the reviewers"))
    expect(calibration.get_by_text("Not calibrated: fewer than 3 reviews; the raw scores are used.")).to_have_count(3)
    fits_360(page)

    # 5. The trial allocation: 120,000 € funds two proposals; at 150,000 € the line moves down to the third.
    page.get_by_role("navigation", name="Selection").get_by_role("link", name="Trial allocation").click()
    expect(h1(page)).to_have_text("Trial allocation")
    line = page.locator("dt:text-is('Line') + dd")
    expect(line).to_have_text("down to rank 2, at 70.0/100")
    expect(page.locator("dt:text-is('Left in the envelope') + dd")).to_have_text("20,000 €")
    reserve = page.locator("section").filter(has=page.get_by_role("heading", name="Reserve list"))
    expect(reserve.get_by_role("listitem")).to_have_text([f"{seeded.ref(2)} · {TITLES[2]} · 58.3/100"])
    page.get_by_label("Envelope (€)").fill("150000")
    page.get_by_role("button", name="Show the line", exact=True).click()
    expect(line).to_have_text("down to rank 3, at 58.3/100")
    expect(page.locator("dt:text-is('Funded') + dd")).to_have_text("150,000 € · 3 proposals")
    expect(page.get_by_text("These are not the saved settings.")).to_be_visible()
    expect(page.get_by_role("button", name="Check the decision")).to_have_count(0)  # nothing is decided off the call
    page.get_by_role("link", name="Back to the saved settings").click()
    expect(line).to_have_text("down to rank 2, at 70.0/100")

    # 6. The committee funds the third proposal below the line with what is left: one departure, its reason.
    third = seeded.proposals[2]
    expect(page.locator(f"#outcome-{seeded.proposals[0]}")).to_have_value("selected")
    expect(page.locator(f"#outcome-{third}")).to_have_value("reserve")
    page.locator(f"#outcome-{third}").select_option(label="Selected")
    page.locator(f"#amount-{third}").fill("20 000")
    page.get_by_role("button", name="Check the decision").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "This outcome departs from the line: give the committee's reason.")
    page.locator(f"#reason-{third}").fill(REASON)
    page.get_by_label("Minutes of the committee's decision (optional)").fill("Committee meeting of the call.")
    page.get_by_role("button", name="Check the decision").click()
    expect(h1(page)).to_have_text("Check the decision before recording it")
    expect(page.locator("dt:text-is('Committed by this decision') + dd")).to_have_text("120,000 €")
    expect(page.locator("dt:text-is('Departures from the line') + dd")).to_have_text("1")
    departed = page.locator("tbody tr.moved")
    expect(departed).to_have_count(1)
    expect(departed).to_contain_text(seeded.ref(2))
    expect(departed).to_contain_text(REASON)
    page.get_by_role("button", name="Record the decision").click()
    flash(page, "The decision is recorded. Publish it to tell the applicants.")
    expect(h1(page)).to_have_text("The committee's decision")
    expect(page.locator("dt:text-is('Committed') + dd")).to_have_text("120,000 €")
    expect(page.locator("dt:text-is('Line') + dd")).to_have_text("down to rank 2, at 70.0/100")
    record = page.locator("table tbody tr.moved")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("departs from the line")
    expect(record).to_contain_text("20,000 €")
    expect(record.locator("td").last).to_have_text(REASON)

    # 7. It publishes the decision: a confirmation first, then the letters go out.
    page.get_by_role("link", name="Publish the decision").click()
    expect(h1(page)).to_have_text("Publish the decision")
    page.get_by_role("button", name="Publish and send the letters").click()
    flash(page, "The decision is published: 3 letters are on their way.")
    expect(page.locator("dt:text-is('Published') + dd")).not_to_have_text("not yet")
    sign_out(page)
    with live.app.app_context():
        letters = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == APPLICANT,
                                                                    OutboxMessage.attachment_name.is_not(None))).all()
        assert len(letters) == 1 and letters[0].attachment_type == "application/pdf"
        db.session.remove()

    # 8. The applicant reads its outcome from its proposal and downloads its letter.
    sign_in(page, APPLICANT)
    _open_call(page)
    own = page.locator("section").filter(has=page.get_by_role("heading", name="Your organisation's proposals"))
    own.get_by_role("link", name=TITLES[2]).click()
    page.get_by_role("link", name="Read the committee's decision on this proposal").click()
    expect(h1(page)).to_have_text("The committee's decision on your proposal")
    explanation = page.locator("main")
    expect(explanation.locator(".outcome")).to_have_text("Selected")
    sentence = explanation.locator(".sentence")
    expect(sentence).to_contain_text("Your proposal scored 58.3/100 and ranks 3rd of 3; the envelope of 120,000 € "
                                     "funded proposals down to rank 2, at 70.0/100.")
    expect(sentence).to_contain_text(f"The committee departed from the funding line for this proposal: {REASON}")
    expect(explanation.get_by_text("Your proposal meets every eligibility rule of the call.")).to_be_visible()
    amount = page.locator("section").filter(has=page.get_by_role("heading", name="Amount granted"))
    expect(amount.locator("strong").first).to_have_text("20,000 €")
    expect(explanation.locator("ul.justifications li").first).to_have_text(JUSTIFY)
    for email, name in NAMES.items():  # no reviewer, nor their organisation, on the applicant's page
        expect(explanation).not_to_contain_text(name)
        expect(explanation).not_to_contain_text(ORGS[email])
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download the decision letter (PDF)").click()
    download = caught.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    sign_out(page)

    # The only failed loads are the refusals asked for: two pages refused (403), one decision form sent back (422).
    refused = [e for e in console_errors if e.startswith("Failed to load resource")]
    assert [e for e in console_errors if e not in refused] == []
    assert sorted(e.split("status of ")[1] for e in refused) == ["403 (FORBIDDEN)"] * 2 + ["422 (UNPROCESSABLE ENTITY)"]
