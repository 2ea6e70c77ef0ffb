"""Calls for projects, end to end in a real browser: a committee member amends a draft rule set (the
co-financing minimum), a second one comments and supports, the secretariat accepts it (version 2) and puts
version 2 to the assembly; delegates vote it adopted and the rule-set page says so with the counts and the
board's hash; the secretariat opens a call under it; a delegate fills a proposal over two visits, sees a
failing rule with its reason, fixes it, submits, and reads its maximum grant with the calculation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from app.auth.models import UserKind
from app.calls import rulesets
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import fits_360, flash, h1, sign_in, sign_out
from tests.calls import builders
from tests.calls.ruleset_helpers import seat

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"
ASSEMBLY = "Ordinary plenary assembly"
RULES = "Call rules 2027"
RESOLUTION = f"Adoption of the rules: {RULES}, version 2"
CALL = "Acting together for change"
AMENDMENT = "Lower the co-financing minimum"
PROJECT = "Youth workshops across the sea"
# voters(prefix="Association") names members "Association <college> <i>", delegates "association-<college>-<i>@...".
LEAD, COMMITTEE_FR, COMMITTEE_TN, PARTNER_TN = ("Association cs-fr 0", "Association cs-fr 1",
                                                "Association cs-tn 0", "Association cs-tn 1")
# The seed's Essor project: 65 % of 102,050 € = 66,332.50 €, rounded to 66,333 €, under the 66,440 € ceiling.
BUDGET = (("Staff", "Coordination", "40 000", "26 000"), ("Activities", "Workshops", "62 050", "40 333"))
# 25,512.50 € is exactly 25 % of 102,050 €: eligible under version 2 (25 %), not under version 1 (30 %).
COFINANCING = (("Regional council", "20 000", "Confirmed"), ("Foundation", "5 512,50", "Expected"))


def _email(name: str) -> str:
    return name.lower().replace(" ", "-") + "@example.org"


def _seed(live: LiveServer) -> int:
    """Four voting members in two colleges (two of them on the committee), a secretariat, a convened assembly
    with an agenda item, two challenges and a draft rule set (version 1: co-financing at least 30 %)."""
    with live.app.app_context():
        factories.college("cs-fr", "French civil society")
        factories.college("cs-tn", "Tunisian civil society")
        charter = factories.charter()
        fr = factories.voters(2, charter_=charter, college_code="cs-fr", prefix="Association")
        tn = factories.voters(2, charter_=charter, college_code="cs-tn", country="TN", prefix="Association")
        seat(fr[1])
        seat(tn[0])
        secretariat = factories.user(SECRETARIAT, kind=UserKind.secretariat, name="Secretariat")
        factories.assembly(title=ASSEMBLY)
        builders.challenge("D1", "Youth and citizenship")
        builders.challenge("D2", "Local economies")
        rule_set = rulesets.create_rule_set(actor=secretariat, titles={"fr": "Règlement 2027", "en": RULES,
                                                                       "ar": "نظام 2027"},
                                            content=builders.content())
        db.session.commit()
        rule_set_id = rule_set.id
        db.session.remove()
    return rule_set_id


def _open_rule_set(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Rule sets").click()
    page.get_by_role("link", name=RULES).click()
    expect(h1(page)).to_have_text(RULES)


def _task(page: Page, section: str) -> Locator:
    return page.locator("ol.task-list li").filter(has=page.get_by_role("link", name=section, exact=True))


def _open_section(page: Page, section: str) -> None:
    _task(page, section).get_by_role("link").click()
    expect(h1(page)).to_have_text(section)


def _complete(page: Page) -> None:
    """The bottom of a section: "Have you completed this section?" Yes, back to the task list."""
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and return to the task list").click()
    flash(page, "Section saved.")
    expect(h1(page)).to_have_text(PROJECT)


def _add_partner(page: Page, member: str, role: str) -> None:
    """A member picked from the list is the partner: nothing else to tick."""
    expect(page.get_by_role("heading", name="Add a partner")).to_be_visible()
    page.get_by_label("Member of the programme", exact=True).select_option(label=f"{member} ({member[:6].upper()})")
    page.get_by_label("Role in the project").fill(role)
    page.get_by_role("button", name="Add this partner").click()
    flash(page, "Line added.")
    expect(page.locator("table tbody tr").filter(has_text=member)).to_have_count(1)


def _rule_row(page: Page, kind: str) -> Locator:
    return page.locator(f"tr#rule-{kind}")


def test_rules_amended_adopted_then_a_call_answered_over_two_visits(
        page: Page, live: LiveServer, console_errors: list[str]) -> None:
    rule_set_id = _seed(live)

    # 1. A committee member proposes an amendment: co-financing of at least 25 % instead of 30 %.
    sign_in(page, _email(COMMITTEE_FR))
    _open_rule_set(page)
    expect(page.locator("#rule-cofinancing_share")).to_have_text("Co-financing of at least 30 % of the budget.")
    page.get_by_role("link", name="Propose an amendment").click()
    expect(h1(page)).to_have_text("Propose an amendment")
    share = page.get_by_label("Minimum co-financing (percentage of the total budget)")
    expect(share).to_have_value("30")
    page.get_by_label("Title of the amendment").fill(AMENDMENT)
    page.get_by_label("Rationale", exact=True).fill("Small associations rarely find 30 % of co-financing.")
    share.fill("25")
    page.get_by_role("button", name="Propose the amendment").click()
    flash(page, "Amendment proposed.")
    expect(h1(page)).to_have_text(f"Amendment: {AMENDMENT}")
    changes = page.locator("table.diff").filter(has_text="Changes proposed")
    expect(changes.locator("tbody tr")).to_have_count(1)
    expect(changes.locator("tbody tr del")).to_have_text("30 %")
    expect(changes.locator("tbody tr ins")).to_have_text("25 %")
    amendment_url = page.url
    sign_out(page)

    # A second committee member comments and supports it.
    sign_in(page, _email(COMMITTEE_TN))
    _open_rule_set(page)
    page.get_by_role("row").filter(has_text=AMENDMENT).get_by_role("link", name=AMENDMENT).click()
    assert page.url == amendment_url
    page.get_by_label("Your comment").fill("Agreed: Tunisian partners raise co-financing in kind.")
    page.get_by_role("button", name="Comment", exact=True).click()
    flash(page, "Comment added.")
    page.get_by_role("button", name="Support this amendment for my organisation").click()
    flash(page, "Your organisation supports this amendment.")
    supports = page.locator("section").filter(has=page.get_by_role("heading", name="Supported by (1)"))
    expect(supports.get_by_role("listitem")).to_have_text(COMMITTEE_TN)
    expect(page.get_by_role("button", name="Support this amendment for my organisation")).to_have_count(0)
    sign_out(page)

    # The secretariat accepts it with a reason; the history shows version 2 and the difference.
    sign_in(page, SECRETARIAT)
    _open_rule_set(page)
    page.get_by_role("row").filter(has_text=AMENDMENT).get_by_role("link", name=AMENDMENT).click()
    expect(page.locator("#comments-h")).to_have_text("Comments (1)")
    page.get_by_role("link", name="Accept or decline").click()
    expect(h1(page)).to_have_text(f"Decide on the amendment “{AMENDMENT}”")
    expect(page.get_by_text("Accepting writes version 2")).to_be_visible()
    page.get_by_label("Accept: a new version is written").check()
    page.get_by_label("Reason", exact=True).fill("Supported by the committee; the assembly decides.")
    page.get_by_role("button", name="Record the decision").click()
    flash(page, "Amendment accepted: version 2 is written.")
    page.locator("p.breadcrumb").get_by_role("link", name=RULES).click()
    expect(page.get_by_text("Version 2 ·")).to_be_visible()
    expect(page.locator("#rule-cofinancing_share")).to_have_text("Co-financing of at least 25 % of the budget.")
    page.get_by_role("link", name="History and differences").click()
    expect(h1(page)).to_have_text(f"History: {RULES}")
    diff = page.locator("table.diff")
    expect(diff.locator("caption")).to_have_text("From version 1 to version 2")
    expect(diff.locator("tbody tr")).to_have_count(1)
    expect(diff.locator("tbody th")).to_have_text("Eligibility · Minimum co-financing (percentage of the total budget)")
    expect(diff.locator("tbody del")).to_have_text("30 %")
    expect(diff.locator("tbody ins")).to_have_text("25 %")
    version_2 = page.locator("article#version-2")
    expect(version_2.get_by_role("link", name=AMENDMENT)).to_be_visible()
    expect(version_2.locator("dt:text-is('Proposed by') + dd")).to_contain_text(f"({COMMITTEE_FR})")
    expect(version_2.locator("dt:text-is('Accepted by') + dd")).to_contain_text("Secretariat")
    expect(version_2).to_contain_text("Supported by the committee; the assembly decides.")

    # 2. The secretariat freezes version 2 and puts it to the assembly's agenda item.
    page.locator("p.breadcrumb").get_by_role("link", name=RULES).click()
    page.get_by_role("link", name="Put to the assembly").click()
    expect(h1(page)).to_have_text(f"Put {RULES} to the assembly")
    page.get_by_label("Agenda item", exact=True).select_option(label=f"{ASSEMBLY} · 1. Rapport moral")
    page.get_by_role("button", name="Freeze and put to the assembly").click()
    flash(page, f"Version 2 is frozen and put to the assembly “{ASSEMBLY}” as the resolution “{RESOLUTION}”.")
    expect(page.locator(".badge").first).to_have_text("Frozen for the assembly")
    expect(page.get_by_role("link", name="Propose an amendment")).to_have_count(0)

    # The rule-set page links to the resolution's vote: the secretariat opens it from there.
    expect(page.get_by_role("link", name="Vote page")).to_be_visible()
    expect(page.get_by_role("link", name="Close the vote")).to_have_count(0)
    page.get_by_role("link", name="Open the vote").click()
    expect(h1(page)).to_have_text("Open the vote")
    page.get_by_label("Closes at (UTC)").fill((utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Open the vote").click()
    flash(page, "The vote is open: 4 members in the electorate.")
    vote_url = page.url.removeprefix(live.url)
    assert vote_url.startswith("/votes/")
    sign_out(page)

    # Three delegates of four vote for it.
    for voter in (LEAD, COMMITTEE_FR, COMMITTEE_TN):
        sign_in(page, _email(voter))
        pending = page.locator("section").filter(has=page.get_by_role("heading", name="Votes waiting for your ballot"))
        pending.get_by_role("link", name=RESOLUTION).click()
        expect(h1(page)).to_have_text(RESOLUTION)
        # The voter reads the rules put to the vote one per line (once the style sheet applies: on a loaded
        # machine ``inner_text`` may otherwise be read before it does and fold the lines).
        page.wait_for_load_state("load")
        expect(page.locator(".resolution-text")).to_have_css("white-space", "pre-line")
        assert "\n- Co-financing of at least 25 % of the budget.\n" in page.locator(".resolution-text").inner_text()
        ballot = page.locator("section.ballot").filter(
            has=page.get_by_role("heading", name=f"For your organisation, {voter}", exact=True))
        ballot.get_by_label("For", exact=True).check()
        ballot.get_by_role("button", name="Continue").click()
        expect(h1(page)).to_have_text("Confirm your ballot")
        page.get_by_role("button", name="Confirm and cast my ballot").click()
        flash(page, "Your ballot has been cast.")
        sign_out(page)

    # The secretariat closes the vote from the rule-set page; that page then says adopted by that resolution.
    sign_in(page, SECRETARIAT)
    _open_rule_set(page)
    expect(page.get_by_role("link", name="Open the vote")).to_have_count(0)
    page.get_by_role("link", name="Close the vote").click()
    assert page.url == f"{live.url}{vote_url}/close"
    expect(page.get_by_text("3 of 4 members have voted.")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    flash(page, "The vote is closed and its results are published.")
    expect(page.locator("#outcome-title")).to_contain_text("Adopted")
    final_hash = page.locator(".result-outcome code.final-hash").inner_text().strip()
    assert len(final_hash) == 64
    _open_rule_set(page)
    assert page.url == f"{live.url}/rulesets/{rule_set_id}"
    expect(page.locator(".badge").first).to_have_text("Adopted")
    decision = page.locator("section.card").filter(has=page.get_by_role("heading", name="Adopted by the assembly"))
    # The assembly was written in French: an English reader sees its title with the "(original in French)" marker.
    expect(decision).to_contain_text(f"Resolution “{RESOLUTION}” of the assembly {ASSEMBLY} (original in French): Adopted")
    expect(decision.locator("dt:text-is('Votes') + dd")).to_have_text("For: 3 · Against: 0 · Abstain: 0")
    expect(decision.locator("dt:text-is('Participation') + dd")).to_have_text("3 of 4 members")
    expect(decision.locator("dd.mono")).to_have_text(final_hash)

    # 3. The secretariat creates a call under the adopted version and opens it.
    page.get_by_role("navigation").get_by_role("link", name="Calls").click()
    page.get_by_role("link", name="New call").click()
    expect(h1(page)).to_have_text("New call for projects")
    page.get_by_label("Title in French").fill("Agir ensemble pour le changement")
    page.get_by_label("Title in English").fill(CALL)
    page.get_by_label("D1 · Youth and citizenship").check()
    page.get_by_label("D2 · Local economies").check()
    page.get_by_label("Envelope (euros)").fill("150 000")
    now = utcnow()
    page.get_by_label("Opens at (UTC)").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Closes at (UTC)").fill((now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    expect(page.get_by_label("Rule set version")).to_contain_text(f"{RULES}, version 2 (Adopted)")
    page.get_by_role("button", name="Save").click()
    flash(page, "Call saved as a draft.")
    expect(h1(page)).to_have_text(CALL)
    expect(page.locator("dt:text-is('Envelope') + dd")).to_have_text("150,000 €")
    page.get_by_role("link", name="Open the call").click()
    expect(h1(page)).to_have_text("Open the call")
    expect(page.get_by_text("4 representatives of the active members are e-mailed")).to_be_visible()
    page.get_by_role("button", name="Open the call").click()
    flash(page, "The call is open. 4 representatives were e-mailed.")
    expect(page.locator(".badge").first).to_have_text("Open")
    sign_out(page)

    # 4. First visit: the delegate starts a proposal from the call page, fills "about" and the budget.
    sign_in(page, _email(LEAD))
    page.locator("section").filter(has=page.get_by_role("heading", name="Open calls for projects")) \
        .get_by_role("link", name=CALL).click()
    expect(h1(page)).to_have_text(CALL)
    expect(page.get_by_text("Co-financing of at least 25 % of the budget.")).to_be_visible()
    page.get_by_role("button", name="Start a proposal").click()
    flash(page, "Proposal started.")
    expect(h1(page)).to_have_text("Untitled proposal")
    _open_section(page, "About the project")
    page.get_by_label("Title of the project", exact=True).fill(PROJECT)
    page.get_by_label("Summary", exact=True).fill("Workshops where young people of both shores build projects together.")
    page.get_by_label("Territories", exact=True).fill("Marseille, Sfax")
    page.get_by_label("D1 · Youth and citizenship").check()
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    flash(page, "Section saved.")
    expect(h1(page)).to_have_text(PROJECT)
    _open_section(page, "Budget")
    for category, description, total, requested in BUDGET:
        page.get_by_label("Category", exact=True).select_option(label=category)
        page.get_by_label("Description", exact=True).fill(description)
        page.get_by_label("Total of the line (€)").fill(total)
        page.get_by_label("Of which requested from the programme (€)").fill(requested)
        page.get_by_role("button", name="Add this line").click()
        flash(page, "Line added.")
    totals = page.locator("table tfoot tr")
    expect(totals).to_contain_text("102,050 €")
    expect(totals).to_contain_text("66,333 €")
    fits_360(page)  # the lines' table scrolls inside its box, the page does not
    _complete(page)
    sign_out(page)

    # Second visit: back to the draft from the call page; the task list shows what was done.
    sign_in(page, _email(LEAD))
    page.get_by_role("navigation").get_by_role("link", name="Calls").click()
    page.get_by_role("link", name=CALL).click()
    own = page.locator("section").filter(has=page.get_by_role("heading", name="Your organisation's proposals"))
    own.get_by_role("link", name=PROJECT).click()
    expect(h1(page)).to_have_text(PROJECT)
    for section, state in (("About the project", "Complete"), ("Budget", "Complete"), ("Partners", "Not started"),
                           ("Co-financing", "Not started")):
        expect(_task(page, section).locator(".badge")).to_have_text(state)
    expect(page.get_by_text("You have completed 2 of 9 sections.")).to_be_visible()
    fits_360(page)

    # Partners: at first only a member from its own country.
    _open_section(page, "Partners")
    _add_partner(page, COMMITTEE_FR, "Hosts the workshops in Marseille")
    page.get_by_role("link", name="Back to the task list").first.click()
    _open_section(page, "Co-financing")
    for source, amount, status in COFINANCING:
        page.get_by_label("Source", exact=True).fill(source)
        page.get_by_label("Amount (€)", exact=True).fill(amount)
        page.get_by_label(status, exact=True).check()
        page.get_by_role("button", name="Add this co-financing").click()
        flash(page, "Line added.")
    expect(page.locator("table tfoot tr")).to_contain_text("25,512.50 €")
    _complete(page)
    _open_section(page, "Start date and duration")
    page.get_by_label("Start date", exact=True).fill("2027-01-04")
    page.get_by_label("Duration (months)", exact=True).fill("24")
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    flash(page, "Section saved.")
    _open_section(page, "Beneficiaries")
    page.get_by_label("Direct beneficiaries", exact=True).fill("300")
    page.get_by_label("Indirect beneficiaries", exact=True).fill("2000")
    page.get_by_label("Share of women (%)", exact=True).fill("50")
    page.get_by_label("Share of young people (%)", exact=True).fill("80")
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    flash(page, "Section saved.")
    _open_section(page, "Expected results and activities")
    page.get_by_label("Expected results", exact=True).fill("Twenty joint projects led by young people.")
    page.get_by_label("Main activities", exact=True).fill("Exchanges, workshops, a final forum in Sfax.")
    page.get_by_label("Yes, I have completed this section").check()
    page.get_by_role("button", name="Save and continue").click()
    flash(page, "Section saved.")
    _open_section(page, "Indicators")
    page.get_by_label("Indicator", exact=True).fill("Young people trained")
    page.get_by_label("Unit", exact=True).fill("people")
    page.get_by_label("Baseline", exact=True).fill("0")
    page.get_by_label("Target", exact=True).fill("300")
    page.get_by_role("button", name="Add this indicator").click()
    flash(page, "Line added.")
    _complete(page)

    # The check page: one rule fails, with its reason and a link to the section that fixes it.
    page.get_by_role("link", name="Check my proposal: eligibility and maximum grant").click()
    expect(h1(page)).to_have_text("Check my proposal")
    expect(page.get_by_text("1 rule is not met: the proposal cannot be submitted until it is.")).to_be_visible()
    failing = _rule_row(page, "partner_other_country")
    expect(failing.locator(".badge")).to_have_text("Fail")
    expect(failing).to_contain_text("No partner is from Tunisia.")
    expect(_rule_row(page, "cofinancing_share")).to_contain_text("Co-financing is 25 % of the budget.")
    expect(_rule_row(page, "cofinancing_share").locator(".badge")).to_have_text("Pass")
    fits_360(page)

    # It fixes it: a partner from the other country.
    failing.get_by_role("link", name="Go to: Partners").click()
    expect(h1(page)).to_have_text("Partners")
    expect(page.locator(".error-summary")).to_contain_text("No partner is from Tunisia.")
    _add_partner(page, PARTNER_TN, "Runs the workshops in Sfax")
    _complete(page)
    expect(page.get_by_text("You have completed 8 of 9 sections.")).to_be_visible()
    page.get_by_role("link", name="Check my proposal: eligibility and maximum grant").click()
    expect(page.get_by_text("Every eligibility rule of the call is met.")).to_be_visible()
    expect(page.locator("tr[id^=rule-] .badge")).to_have_text(["Pass"] * 8)
    expect(_rule_row(page, "partner_other_country")).to_contain_text("At least one partner is from Tunisia.")
    grant = page.locator("section[aria-labelledby=grant-h]")  # the card named by the "Maximum grant" heading
    expect(grant.locator("strong").first).to_have_text("66,333 €")
    expect(grant).to_contain_text("65 % of 102,050 € = 66,332.50 €, rounded to 66,333 €; under the 66,440 € ceiling.")
    fits_360(page)

    # Check your answers, submit, and the confirmation page with the maximum grant.
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(h1(page)).to_have_text("Check your answers before submitting")
    expect(page.locator(".error-summary")).to_have_count(0)
    partners = page.locator("section#section-partners")
    expect(partners.locator("tbody tr")).to_have_count(2)
    expect(page.locator("section#section-budget tfoot")).to_contain_text("102,050 €")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(h1(page)).to_have_text("Proposal submitted")
    expect(page.locator("dt:text-is('Maximum grant') + dd")).to_have_text("66,333 €")
    expect(page.locator("dt:text-is('Total budget') + dd")).to_have_text("102,050 €")
    expect(page.locator("dt:text-is('Project') + dd")).to_have_text(PROJECT)
    sign_out(page)

    assert console_errors == []
