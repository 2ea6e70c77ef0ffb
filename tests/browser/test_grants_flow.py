"""Grant tracking, end to end in a real browser: the secretariat finds a selected proposal without a grant
(listed on the grants page and linked from the call's decision page), drafts the agreement, schedules an
interim report, sets two instalments (the first on signature, the second after the interim report is
approved), records both signatures, activates the grant and pays the first instalment (in euros, with the
amount in dinars and the rate). The grantee's alternate prepares the interim report (narrative, expenditure
per budget line, the value of each indicator, an invoice as a PDF) but cannot submit it; the delegate
submits; the secretariat returns it with a comment on the expenditure; the delegate revises and resubmits a
second version; the secretariat approves it, which makes the second instalment due; it is paid. The
dashboard's amounts and its chart (through the chart's table of figures) show the award committed and paid
and the expenditure justified; the grants list reads at 360 px without scrolling sideways; the dashboard in
Arabic is laid out right to left with its chart mirrored.

Only what the issue does not ask to click is seeded: the members (the world), and the call's decision with
its selected proposal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.calls.models import CallStatus
from app.extensions import db
from app.grants.models import Grant, LedgerEntry, ReportVersion
from app.members.models import Member
from tests import factories
from tests.browser.conftest import LiveServer
from tests.browser.helpers import fits_360, flash, h1, sign_in, sign_out, switch_language
from tests.calls import builders as call_builders
from tests.grants import builders

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@example.org"
DELEGATE = "delegate@example.org"  # the delegate of the grantee (the world's own member)
ALTERNATE = "alternate@example.org"  # its alternate: prepares, never submits
CALL = "Acting together for change"
TITLE = "Youth radio in Gafsa"
# 100,000 € of budget, 50,000 € asked: the maximum grant is 50,000 € (65 % would be 65,000 €); 40,000 € decided.
LINES = (("staff", "Coordination", "40000", "20000"), ("activities", "Workshops", "60000", "30000"))
INDICATORS = (("Young people trained", "people", "0", "100"), ("Broadcasts", "programmes", "0", "24"))
AWARD = "40000"
INVOICE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RETURN_COMMENT = "Line L2 counts the June workshops twice: correct the amount."


@dataclass(frozen=True)
class Seeded:
    call_id: int
    proposal_id: int


def _seed(live: LiveServer) -> Seeded:
    """The world (secretariat, the grantee with its delegate and alternate), a decided call and its proposal
    selected for 40,000 €."""
    with live.app.app_context():
        world = factories.build_world()
        assert world.emails["delegate"] == DELEGATE and world.emails["alternate"] == ALTERNATE
        own = db.session.get(Member, world.member_id)
        call = call_builders.call(status=CallStatus.decided, title=CALL)
        call.title_en = CALL
        proposal, item = builders.selected_proposal(own, call=call, amount=AWARD, published=True, title=TITLE,
                                                    lines=LINES, indicators=INDICATORS)
        db.session.commit()
        assert proposal.max_grant_cents == 5_000_000 and item.amount_cents == 4_000_000
        seeded = Seeded(call.id, proposal.id)
        db.session.remove()
    return seeded


def _iso(day: date) -> str:
    return day.isoformat()


def _grants_nav(page: Page, name: str) -> None:
    """The secretariat's grants pages: the main menu's "Grants" opens the dashboard, its own line the rest."""
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Grants").click()
    expect(h1(page)).to_have_text("Grants dashboard")
    if name != "Grants dashboard":
        page.get_by_role("navigation", name="Grants").get_by_role("link", name=name, exact=True).click()
        expect(h1(page)).to_have_text(name)


def _details(page: Page, term: str):  # noqa: ANN202 - Locator
    return page.locator(f"main dt:text-is('{term}') + dd").first


def _instalment_row(page: Page, number: int):  # noqa: ANN202 - Locator
    table = page.locator("table").filter(has=page.get_by_role("columnheader", name="Condition"))
    return table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=str(number), exact=True))


def _pay(page: Page, instalment: int, reference: str, *, local: tuple[str, str] | None = None) -> None:
    """From the grant's page: record a payment of 20,000 € against the only due instalment, then confirm."""
    page.get_by_role("link", name="Record a payment").click()
    expect(h1(page)).to_have_text("Record a payment")
    choice = page.get_by_label("Instalment")
    expect(choice.locator("option")).to_have_count(1)  # only the due instalment can be paid
    expect(choice.locator("option")).to_have_text(f"Instalment {instalment} · 20,000 € to pay")
    page.get_by_label("Amount paid (EUR)").fill("20000")
    page.get_by_label("Reference of the transfer").fill(reference)
    if local:
        page.get_by_label("Amount in the local currency (optional)").fill(local[0])
        page.get_by_label("Exchange rate used (local currency for 1 EUR)").fill(local[1])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(_details(page, "Instalment")).to_have_text(str(instalment))
    page.get_by_role("button", name="Record the payment").click()
    flash(page, "The payment of 20,000 € is recorded.")
    expect(page.locator("main h1")).to_contain_text(TITLE)


def _open_report_as_grantee(page: Page) -> None:
    """From "Our grants": the next report's link."""
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Our grants").click()
    expect(h1(page)).to_have_text("My grants")
    page.locator("section.grant-summary").get_by_role("link", name="Report 1").click()
    expect(h1(page)).to_have_text("Report 1 · Interim report")


def _open_waiting_report(page: Page) -> None:
    """From the dashboard's reports waiting for review, the report, then its review form."""
    _grants_nav(page, "Grants dashboard")
    expect(page.locator("h2#waiting")).to_have_text("Reports waiting for review (1)")
    waiting = page.locator("h2#waiting + div table")
    waiting.get_by_role("link", name="1", exact=True).click()
    expect(h1(page)).to_have_text("Report 1 · Interim report")
    page.get_by_role("link", name="Review the report").click()
    expect(h1(page)).to_have_text("Review report 1")


def test_grant_from_selection_to_second_instalment_paid(page: Page, live: LiveServer,
                                                        console_errors: list[str]) -> None:
    seeded = _seed(live)
    today = date.today()
    starts = today - timedelta(days=30)
    ends = starts + timedelta(days=730)
    period_end = starts + timedelta(days=180)
    due = period_end + timedelta(days=30)

    # 1. The secretariat finds the selected proposal without a grant: on the call's decision page and on the
    #    grants list, and makes the grant from the list.
    sign_in(page, SECRETARIAT)
    page.goto(f"/calls/{seeded.call_id}/decision")
    expect(page.get_by_role("link", name=f"Make a grant · {TITLE}")).to_be_visible()
    _grants_nav(page, "Grants")
    expect(page.get_by_text("No grant yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Selected proposals without a grant")).to_be_visible()
    page.get_by_role("link", name=f"Make a grant · {TITLE}").click()
    expect(h1(page)).to_contain_text("Make a grant")
    expect(_details(page, "Amount decided")).to_have_text("40,000 €")
    expect(_details(page, "Maximum grant of the proposal")).to_have_text("50,000 €")
    expect(page.get_by_label("Title of the grant")).to_have_value(TITLE)
    page.get_by_label("Start date").fill(_iso(starts))
    page.get_by_label("End date").fill(_iso(ends))
    page.get_by_label("Local currency of payments (optional, e.g. TND)").fill("TND")
    page.get_by_role("button", name="Draft the agreement").click()
    flash(page, "is drafted. Set its instalments, then record the signatures.")
    expect(h1(page)).to_have_text("Instalments")
    with live.app.app_context():
        grant = db.session.scalar(db.select(Grant).where(Grant.proposal_id == seeded.proposal_id))
        number, grant_id = grant.number, grant.id
        assert [line.code for line in grant.budget_versions[0].lines] == ["L1", "L2"]
        assert [i.name for i in grant.indicators] == [name for name, *_ in INDICATORS]
        db.session.remove()
    assert re.fullmatch(rf"PCPA-{seeded.call_id}-0*1", number), number

    # 2. The second instalment waits on the interim report: the secretariat schedules it first.
    page.get_by_role("link", name="Cancel").click()
    expect(h1(page)).to_contain_text(number)
    expect(page.locator("main .badge").first).to_have_text("Draft agreement")
    page.get_by_role("navigation", name="This grant").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Change the schedule of reports").click()
    expect(h1(page)).to_have_text("Schedule of reports")
    page.get_by_label("Kind of report").select_option("interim")
    page.get_by_label("What the report covers").select_option("combined")
    page.get_by_label("Period from").fill(_iso(starts))
    page.get_by_label("Period to").fill(_iso(period_end))
    page.get_by_label("Due on").fill(_iso(due))
    page.get_by_role("button", name="Add the report").click()
    flash(page, "The schedule of reports is saved.")
    expect(h1(page)).to_have_text("Reports")
    expect(page.get_by_role("rowheader", name=re.compile(r"^Report 1 · Interim report"))).to_be_visible()

    # 3. The instalments: 20,000 € on signature, 20,000 € once the interim report is approved.
    page.get_by_role("navigation", name="This grant").get_by_role("link", name="Agreement").click()
    page.get_by_role("link", name="Edit the instalments").click()
    expect(page.get_by_text("The amounts must add up exactly to the award: 40,000 €.")).to_be_visible()
    first = page.get_by_role("group", name="Instalment 1")
    first.get_by_label("Amount (EUR)", exact=True).fill("20000")
    first.get_by_label("Condition", exact=True).select_option("on_signature")
    second = page.get_by_role("group", name="Instalment 2")
    second.get_by_label("Amount (EUR)", exact=True).fill("20000")
    second.get_by_label("Condition", exact=True).select_option("report_approved")
    second.get_by_label("Report (for the report condition)").select_option(index=1)
    page.get_by_role("button", name="Save the instalments").click()
    flash(page, "The instalments are saved.")
    expect(_instalment_row(page, 1).locator("td").nth(1)).to_have_text("On signature")
    expect(_instalment_row(page, 2).locator("td").nth(2)).to_contain_text("Not due")

    # 4. Both signatures (a check-your-answers page first), then the grant is active.
    page.get_by_role("link", name="Record the signatures").click()
    page.get_by_label("Signed by the grantee on").fill(_iso(today - timedelta(days=2)))
    page.get_by_label("Signed for the programme on").fill(_iso(today - timedelta(days=1)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(_details(page, "Award committed")).to_have_text("40,000 €")
    page.get_by_role("button", name="Record the signatures").click()
    flash(page, "The agreement is signed and the award committed.")
    expect(page.locator("main .badge").first).to_have_text("Signed")
    expect(_details(page, "Committed")).to_have_text("40,000 €")
    expect(_instalment_row(page, 1).locator("td").nth(2)).to_have_text("Due")
    page.get_by_role("link", name="Change the status").click()
    page.get_by_label("Active", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm the new status").click()
    flash(page, "The grant is now “Active”.")

    # 5. The first instalment is paid, in euros, with the dinars transferred and the rate.
    _pay(page, 1, "VIR-2025-001", local=("67000", "3,35"))
    expect(_details(page, "Paid")).to_have_text("20,000 €")
    expect(_instalment_row(page, 1).locator("td").nth(2)).to_have_text("Paid")
    expect(_instalment_row(page, 2).locator("td").nth(2)).to_contain_text("Not due")
    ledger = page.locator("table").filter(has=page.get_by_role("columnheader", name="Reference"))
    expect(ledger.get_by_role("row").filter(has_text="VIR-2025-001")).to_contain_text("67000 TND (rate 3.35)")
    fits_360(page)
    sign_out(page)

    # 6. The alternate prepares the interim report: narrative, expenditure per line, indicators, an invoice.
    sign_in(page, ALTERNATE)
    _open_report_as_grantee(page)
    page.get_by_role("link", name="Start the report").click()
    expect(h1(page)).to_have_text("Prepare report 1")
    expect(page.get_by_role("button", name="Save and check before submitting")).to_have_count(0)
    page.get_by_label("Activities carried out").fill("Twelve broadcasts and six workshops.")
    page.get_by_label("Results achieved").fill("Forty young people trained as presenters.")
    page.get_by_label("Difficulties and changes").fill("The studio opened a month late.")
    page.get_by_label("Next steps").fill("A second season in the autumn.")
    page.get_by_label(re.compile(r"^L1 · ")).fill("6000")
    page.get_by_label(re.compile(r"^L2 · ")).fill("9000")
    page.get_by_label("Young people trained (people)").fill("40")
    page.get_by_label("Broadcasts (programmes)").fill("12")
    page.get_by_role("button", name="Save the draft").click()
    flash(page, "The draft is saved.")
    expect(h1(page)).to_have_text("Report 1 · Interim report")
    missing = page.get_by_role("region", name="Before submitting")
    expect(missing).to_contain_text("Attach the invoices or statements that justify the expenditure.")
    page.get_by_role("link", name="Continue the draft").click()
    page.get_by_label("Invoice or statement (PDF, DOCX, XLSX, ODT, JPEG or PNG)").set_input_files(
        {"name": "invoice-june.pdf", "mimeType": "application/pdf", "buffer": INVOICE})
    page.get_by_role("button", name="Attach the file").click()
    flash(page, "File attached.")
    expect(page.get_by_role("link", name="invoice-june.pdf")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^L2 · "))).to_have_value("9000.00")  # the saved draft, kept
    page.get_by_role("link", name="Back to the report").click()
    expect(page.get_by_text("The delegate of your organisation submits the report once the draft is complete."))\
        .to_be_visible()
    expect(page.get_by_role("region", name="Before submitting")).to_have_count(0)
    expect(page.get_by_role("link", name="Check and submit")).to_have_count(0)
    sign_out(page)

    # 7. The delegate checks and submits it.
    sign_in(page, DELEGATE)
    _open_report_as_grantee(page)
    page.get_by_role("link", name="Check and submit").click()
    expect(h1(page)).to_have_text("Check your report before submitting it")
    expect(page.locator("table tfoot")).to_contain_text("15,000 €")
    page.get_by_role("button", name="Submit the report").click()
    flash(page, "The report is submitted. The secretariat will review it.")
    sign_out(page)

    # 8. The secretariat returns it with a comment on the expenditure (a confirmation first).
    sign_in(page, SECRETARIAT)
    _open_waiting_report(page)
    expect(page.get_by_role("link", name="invoice-june.pdf")).to_be_visible()
    page.get_by_label("Return it to the grantee with comments").check()
    page.get_by_label("Expenditure", exact=True).fill(RETURN_COMMENT)
    page.get_by_role("button", name="Continue").click()
    expect(h1(page)).to_have_text("Return report 1 to the grantee?")
    page.get_by_role("button", name="Return the report").click()
    flash(page, "The report is returned to the grantee with your comments.")
    sign_out(page)

    # 9. The delegate reads the comment, corrects line L2 in a new version and resubmits.
    sign_in(page, DELEGATE)
    _open_report_as_grantee(page)
    page.get_by_role("link", name="Prepare a new version").click()
    expect(page.get_by_role("region", name="Comments of the secretariat")).to_contain_text(RETURN_COMMENT)
    expect(page.get_by_label("Activities carried out")).to_have_value("Twelve broadcasts and six workshops.")
    expect(page.get_by_role("link", name="invoice-june.pdf")).to_be_visible()  # carried over to the new version
    page.get_by_label(re.compile(r"^L2 · ")).fill("8500")
    page.get_by_role("button", name="Save and check before submitting").click()
    flash(page, "The draft is saved.")
    expect(h1(page)).to_have_text("Check your report before submitting it")
    expect(page.get_by_text("version 2")).to_be_visible()
    expect(page.locator("table tfoot")).to_contain_text("14,500 €")
    page.get_by_role("button", name="Submit the report").click()
    flash(page, "The report is submitted. The secretariat will review it.")
    sign_out(page)

    # 10. The secretariat approves it: the expenditure is justified and the second instalment becomes due.
    sign_in(page, SECRETARIAT)
    _open_waiting_report(page)
    page.get_by_label("Approve it (it is then frozen and its expenditure justified)").check()
    page.get_by_role("button", name="Continue").click()
    expect(h1(page)).to_have_text("Approve report 1?")
    expect(page.get_by_text("Instalment 2 waits on this approval.")).to_be_visible()
    page.get_by_role("button", name="Approve the report").click()
    flash(page, "The report is approved and its expenditure recorded.")
    flash(page, "Instalment 2 is now due.")
    expect(page.get_by_role("link", name="Version 1")).to_be_visible()  # both versions are kept

    # 11. The dashboard lists the due instalment; it is paid from the grant's page.
    _grants_nav(page, "Grants dashboard")
    expect(page.locator("h2#instalments")).to_have_text("Instalments due (1)")
    page.locator("h2#instalments + div table").get_by_role("link", name=number).click()
    expect(_instalment_row(page, 2).locator("td").nth(2)).to_have_text("Due")
    expect(_details(page, "Justified")).to_have_text("14,500 €")
    _pay(page, 2, "VIR-2025-002")
    expect(_details(page, "Paid")).to_have_text("40,000 €")
    expect(_details(page, "Remaining to pay")).to_have_text("0 €")
    expect(_instalment_row(page, 2).locator("td").nth(2)).to_have_text("Paid")
    with live.app.app_context():
        entries = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.grant_id == grant_id)
                                     .order_by(LedgerEntry.id)).all()
        assert [(e.type, e.amount_cents) for e in entries] == [
            ("2", 4_000_000), ("3", 2_000_000), ("4", 600_000), ("4", 850_000), ("3", 2_000_000)]
        assert [v.status for v in db.session.scalars(db.select(ReportVersion).order_by(ReportVersion.number))] \
            == ["returned", "approved"]
        db.session.remove()

    # 12. The dashboard's amounts and its chart (read through the chart's table of figures).
    _grants_nav(page, "Grants dashboard")
    amounts = page.locator("table").filter(has=page.get_by_role("columnheader", name="Remaining to pay"))
    row = amounts.locator("tbody tr").filter(has_text=CALL)
    expect(row.locator("td")).to_have_text(["1", "40,000 €", "40,000 €", "14,500 €", "0 €"])
    expect(page.locator("h2#instalments")).to_have_text("Instalments due (0)")
    expect(page.locator("h2#waiting")).to_have_text("Reports waiting for review (0)")
    figure = page.locator("figure").filter(has=page.get_by_role("heading", name="Paid vs committed per call"))
    expect(figure.get_by_role("img", name="Paid vs committed per call")).to_be_visible()
    figures = figure.locator("table.chart-table tbody tr")
    expect(figures).to_have_count(1)
    expect(figures.locator("th")).to_have_text(CALL)
    expect(figures.locator("td")).to_have_text(["40,000 €", "40,000 €"])
    bar_ltr = _bar_geometry(page)
    assert bar_ltr["label_right"] <= bar_ltr["value_left"] + 1, bar_ltr  # label on the left of the bar

    # 13. The grants list at 360 px; the dashboard in Arabic, right to left with its chart mirrored.
    _grants_nav(page, "Grants")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    expect(page.get_by_role("heading", name="Selected proposals without a grant")).to_have_count(0)
    fits_360(page)
    _grants_nav(page, "Grants dashboard")
    _switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("svg.chart text[direction='rtl']").first).to_be_attached()
    bar_rtl = _bar_geometry(page)
    assert bar_rtl["label_left"] + 1 >= bar_rtl["value_right"], bar_rtl  # label on the right of the bar
    assert bar_rtl["value_width"] == pytest.approx(bar_ltr["value_width"], abs=1)  # the same length, mirrored
    _switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    sign_out(page)

    assert console_errors == []


def _switch_language(page: Page, code: str) -> None:
    """The header's language menu (see ``helpers.switch_language``)."""
    switch_language(page, code)


def _bar_geometry(page: Page) -> dict[str, float]:
    """Where the dashboard chart's first label and its paid bar are drawn on the screen."""
    chart = page.locator("figure svg.chart").first
    label = chart.locator("text.chart-label").first.bounding_box()
    value = chart.locator("rect.chart-value").first.bounding_box()
    assert label and value
    return {"label_left": label["x"], "label_right": label["x"] + label["width"], "value_left": value["x"],
            "value_right": value["x"] + value["width"], "value_width": value["width"]}
