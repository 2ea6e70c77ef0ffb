"""Pages of the reports, budget and indicators (app/grants/report_routes.py).

Every route as the secretariat, the grantee's delegate and alternate, another member's delegate, a committee
member, an ex-officio member and an anonymous visitor, GET and POST: another member's delegate is refused
everywhere; committee and ex-officio members read the reports, budget and indicators but never the attachments.
Then the flows: prepare, attach, submit, return with comments, resubmit, approve (the next instalment due);
a budget amendment asked, checked, declined or approved; the indicators' chart and table, right to left.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.grants import reports
from app.grants.models import (
    AmendmentState,
    BudgetAmendment,
    Grant,
    LedgerEntry,
    Report,
    ReportVersionStatus,
    TransactionType,
)
from tests import factories
from tests.calls import review_builders
from tests.conftest import login as sign_in
from tests.grants import builders
from tests.grants.report_helpers import (
    PDF,
    alternate,
    complete_draft,
    delegate,
    files,  # noqa: F401  (fixture)
    own_grant,
)

pytestmark = pytest.mark.usefixtures("files")

def login(client: FlaskClient, email: str) -> None:
    """Sign in, the pages in English unless a test asks otherwise."""
    client.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    sign_in(client, email)


ROLES = ("secretariat", "delegate", "alternate", "other_delegate", "committee", "ex_officio", "anonymous")
READERS = {"secretariat", "delegate", "alternate", "committee", "ex_officio"}
GRANTEE = {"delegate", "alternate"}
SECRETARIAT = {"secretariat"}
PRIVATE = {"secretariat", "delegate", "alternate"}


@dataclass
class Scene:
    grant_id: int
    submitted_id: int  # report 1: submitted, with an invoice
    open_id: int  # report 2: nothing written yet
    attachment_id: int
    amendment_id: int
    committee_email: str


def _scene(app: Flask, world: factories.World) -> Scene:
    with app.test_request_context():
        grant = own_grant(world)
        first = min(grant.reports, key=lambda r: r.number)
        final = max(grant.reports, key=lambda r: r.number)
        complete_draft(first)
        reports.submit(first, actor=delegate())
        attachment = reports.attachments_of(reports.latest(first))[0]
        from app.grants import budget

        amendment = budget.request_amendment(grant, lines={"L1": 35_000_00, "L2": 55_115_00}, new_ends_on=None,
                                             reason="Plus d'ateliers.", actor=alternate())
        committee = review_builders.committee(1, prefix="comite")[0]
        db.session.commit()
        return Scene(grant.id, first.id, final.id, attachment.id, amendment.id, committee.email)


@pytest.fixture
def scene(app: Flask, world: factories.World) -> Scene:
    return _scene(app, world)


def _as(client: FlaskClient, world: factories.World, scene: Scene, role: str) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role == "anonymous":
        return
    email = scene.committee_email if role == "committee" else world.emails[role]
    login(client, email)


def _routes(s: Scene) -> list[tuple[str, str, dict[str, str], set[str]]]:
    g, r1, r2 = s.grant_id, s.submitted_id, s.open_id
    base = f"/grants/{g}"
    return [
        ("GET", f"{base}/reports", {}, READERS),
        ("GET", f"{base}/reports/schedule", {}, SECRETARIAT),
        ("POST", f"{base}/reports/schedule", {"kind": "interim", "nature": "combined",
                                               "period_starts_on": "2027-07-01", "period_ends_on": "2027-12-31",
                                               "due_on": "2028-01-31"}, SECRETARIAT),
        ("GET", f"{base}/reports/{r1}", {}, READERS),
        ("GET", f"{base}/reports/{r2}/edit", {}, GRANTEE),
        ("POST", f"{base}/reports/{r2}/edit", {"section_activities": "Ateliers"}, GRANTEE),
        ("POST", f"{base}/reports/{r2}/attachments", {"file": (io.BytesIO(PDF), "facture.pdf")}, GRANTEE),
        ("POST", f"{base}/reports/{r1}/attachments/{s.attachment_id}/remove", {}, GRANTEE),
        ("GET", f"{base}/reports/{r1}/attachments/{s.attachment_id}", {}, PRIVATE),
        ("GET", f"{base}/reports/{r1}/submit", {}, {"delegate"}),
        ("POST", f"{base}/reports/{r1}/submit", {}, {"delegate"}),
        ("GET", f"{base}/reports/{r1}/review", {}, SECRETARIAT),
        ("POST", f"{base}/reports/{r1}/review", {"decision": "approve"}, SECRETARIAT),
        ("GET", f"{base}/budget", {}, READERS),
        ("GET", f"{base}/budget/amend", {}, GRANTEE),
        ("POST", f"{base}/budget/amend", {"line_L1": "40000", "line_L2": "50115", "reason": "x"}, GRANTEE),
        ("GET", f"{base}/budget/amendments/{s.amendment_id}", {}, READERS),
        ("POST", f"{base}/budget/amendments/{s.amendment_id}", {"decision": "approve"}, SECRETARIAT),
        ("GET", f"{base}/indicators", {}, READERS),
        ("POST", f"{base}/indicators/sides", {}, SECRETARIAT),
    ]


ROUTE_COUNT = 20


@pytest.mark.parametrize("index", range(ROUTE_COUNT))
@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_every_role(app: Flask, client: FlaskClient, world, scene: Scene, role: str,
                                   index: int) -> None:
    method, url, data, allowed = _routes(scene)[index]
    _as(client, world, scene, role)
    response = client.open(url, method=method, data=data, content_type="multipart/form-data"
                           if method == "POST" else None)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
    elif role in allowed:
        assert response.status_code not in (401, 403, 404, 405, 500), (role, method, url, response.status_code)
    else:
        assert response.status_code == 403, (role, method, url, response.status_code)


def test_the_route_table_covers_every_route_of_the_blueprint(app: Flask, world, scene: Scene) -> None:
    listed = _routes(scene)
    assert len(listed) == ROUTE_COUNT
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("grant_reports.")]
    methods = {(m, r.endpoint) for r in rules for m in r.methods - {"HEAD", "OPTIONS"}}
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        covered = {(m, adapter.match(url.split("?")[0], method=m)[0]) for m, url, _d, _a in listed}
    assert methods == covered


def test_a_grant_that_is_not_there_is_404(client: FlaskClient, world, scene: Scene) -> None:
    login(client, world.emails["secretariat"])
    assert client.get("/grants/999/reports").status_code == 404
    assert client.get(f"/grants/{scene.grant_id}/reports/999").status_code == 404
    assert client.get(f"/grants/{scene.grant_id}/reports/{scene.submitted_id}?version=9").status_code == 404
    assert client.get(f"/grants/{scene.grant_id}/budget/amendments/999").status_code == 404


def test_a_report_of_another_grant_is_404(app: Flask, client: FlaskClient, world, scene: Scene) -> None:
    with app.app_context():
        other = builders.grant()
        db.session.commit()
        other_id = other.id
    login(client, world.emails["secretariat"])
    assert client.get(f"/grants/{other_id}/reports/{scene.submitted_id}").status_code == 404
    assert client.get(f"/grants/{other_id}/reports/{scene.submitted_id}/attachments/{scene.attachment_id}"
                      ).status_code == 404


@pytest.mark.parametrize("role", ["committee", "ex_officio"])
def test_the_portfolio_readers_see_the_report_but_not_its_files(client: FlaskClient, world, scene: Scene,
                                                                role: str) -> None:
    _as(client, world, scene, role)
    page = client.get(f"/grants/{scene.grant_id}/reports/{scene.submitted_id}").get_data(as_text=True)
    assert "Texte de la section activities" in page
    assert "factures.pdf" not in page and "/attachments/" not in page
    assert "private documents" in page
    assert client.get(f"/grants/{scene.grant_id}/reports/{scene.submitted_id}/attachments/"
                      f"{scene.attachment_id}").status_code == 403


def test_the_grantee_downloads_its_invoice(client: FlaskClient, world, scene: Scene) -> None:
    login(client, world.emails["alternate"])
    response = client.get(f"/grants/{scene.grant_id}/reports/{scene.submitted_id}/attachments/{scene.attachment_id}")
    assert response.status_code == 200 and response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"] and "factures.pdf" in response.headers[
        "Content-Disposition"]
    assert response.headers["Cache-Control"].startswith("private")


# The flow: prepare, submit, return, resubmit, approve --------------------------------------------------------

def _report_form(grant: Grant, *, l1: str = "10000", actual: str = "40") -> dict[str, str]:
    data = {f"section_{key}": f"Section {key}" for key in reports.SECTIONS}
    data.update({"line_L1": l1, "line_L2": "0"})
    data.update({f"indicator_{i.id}": actual for i in grant.indicators})
    return data


def test_a_report_from_draft_to_approval(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        builders.paid(grant, "20000")
        db.session.commit()
        grant_id, report_id = grant.id, min(grant.reports, key=lambda r: r.number).id
        form = _report_form(grant)
    base = f"/grants/{grant_id}/reports/{report_id}"
    login(client, world.emails["alternate"])
    assert "Start the report" in client.get(base).get_data(as_text=True)
    response = client.post(f"{base}/edit", data=form)
    assert response.status_code == 302
    response = client.post(f"{base}/attachments", data={"file": (io.BytesIO(PDF), "facture-1.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "facture-1.pdf" in page and "Check and submit" not in page  # the alternate does not submit
    client.get("/logout")
    client.post("/logout")

    client = app.test_client()
    login(client, world.emails["delegate"])
    check = client.get(f"{base}/submit")
    assert check.status_code == 200 and "Submit the report" in check.get_data(as_text=True)
    assert client.post(f"{base}/submit", data={"confirm": "1"}).status_code == 302

    secretariat = app.test_client()
    login(secretariat, world.emails["secretariat"])
    assert secretariat.post(f"{base}/review", data={"decision": "return"}).status_code == 422  # no comment
    confirm = secretariat.post(f"{base}/review", data={"decision": "return", "comment_results": "Chiffrez."})
    assert confirm.status_code == 200 and "Return the report" in confirm.get_data(as_text=True)
    done = secretariat.post(f"{base}/review", data={"decision": "return", "comment_results": "Chiffrez.",
                                                    "confirm": "1"})
    assert done.status_code == 302

    edit = client.get(f"{base}/edit").get_data(as_text=True)
    assert "Chiffrez." in edit and "Section activities" in edit  # the comment and what was written
    assert client.post(f"{base}/edit", data={**form, "section_results": "40 jeunes formés", "then": "submit"}
                       ).headers["Location"].endswith(f"{base}/submit")
    assert client.post(f"{base}/submit", data={"confirm": "1"}).status_code == 302

    confirm = secretariat.post(f"{base}/review", data={"decision": "approve"}).get_data(as_text=True)
    assert "Approve report 1?" in confirm and "Instalment 2 waits on this approval." in confirm
    response = secretariat.post(f"{base}/review", data={"decision": "approve", "confirm": "1"},
                                follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The report is approved" in page and "Instalment 2 is now due." in page
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert [v.status for v in report.versions] == [ReportVersionStatus.returned, ReportVersionStatus.approved]
        entries = db.session.scalars(select(LedgerEntry).where(
            LedgerEntry.type == TransactionType.expenditure.value)).all()
        assert [(e.budget_line_code, e.amount_cents) for e in entries] == [("L1", 10_000_00)]
    history = client.get(base).get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history
    assert client.get(f"{base}/edit").status_code == 302  # frozen


def test_a_wrong_amount_is_shown_beside_its_field_with_what_was_typed(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        db.session.commit()
        grant_id, report_id = grant.id, min(grant.reports, key=lambda r: r.number).id
        form = _report_form(grant, l1="12,5,0")
    login(client, world.emails["delegate"])
    response = client.post(f"/grants/{grant_id}/reports/{report_id}/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="12,5,0"' in page and "Enter an amount in euros" in page and "Section activities" in page
    with app.app_context():
        assert db.session.get(Report, report_id).versions == []  # nothing half-saved


def test_submitting_an_incomplete_draft_lists_what_is_missing(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        db.session.commit()
        grant_id, report_id = grant.id, min(grant.reports, key=lambda r: r.number).id
    login(client, world.emails["delegate"])
    client.post(f"/grants/{grant_id}/reports/{report_id}/edit", data={"section_activities": "Ateliers",
                                                                      "line_L1": "100"})
    page = client.get(f"/grants/{grant_id}/reports/{report_id}/submit").get_data(as_text=True)
    assert "cannot be submitted yet" in page and "Attach the invoices" in page and "Submit the report" not in page
    assert client.post(f"/grants/{grant_id}/reports/{report_id}/submit", data={"confirm": "1"}).status_code == 422


def test_a_file_that_is_not_a_document_is_refused(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        db.session.commit()
        grant_id, report_id = grant.id, min(grant.reports, key=lambda r: r.number).id
    login(client, world.emails["delegate"])
    response = client.post(f"/grants/{grant_id}/reports/{report_id}/attachments",
                           data={"file": (io.BytesIO(b"MZ\x90\x00"), "facture.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "is not a PDF" in response.get_data(as_text=True)


# The schedule ------------------------------------------------------------------------------------------------

def test_the_secretariat_adds_changes_and_removes_a_scheduled_report(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world, reports=(), instalments=None)
        db.session.commit()
        grant_id = grant.id
    login(client, world.emails["secretariat"])
    url = f"/grants/{grant_id}/reports/schedule"
    bad = client.post(url, data={"kind": "interim", "nature": "combined", "period_starts_on": "2027-07-01",
                                 "period_ends_on": "2027-12-31", "due_on": "2027-12-01"})
    assert bad.status_code == 422 and "cannot be due before the end of its period" in bad.get_data(as_text=True)
    assert 'value="2027-12-01"' in bad.get_data(as_text=True)
    assert client.post(url, data={"kind": "interim", "nature": "combined", "period_starts_on": "2027-07-01",
                                  "period_ends_on": "2027-12-31", "due_on": "2028-01-31"}).status_code == 302
    with app.app_context():
        report_id = db.session.scalar(select(Report.id).where(Report.grant_id == grant_id))
    assert client.post(f"{url}?report={report_id}", data={
        "kind": "interim", "nature": "financial", "period_starts_on": "2027-07-01", "period_ends_on": "2027-12-31",
        "due_on": "2028-02-28"}).status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert (report.nature, report.due_on.isoformat()) == ("financial", "2028-02-28")
    ask = client.post(url, data={"remove": str(report_id)})
    assert ask.status_code == 200 and "Take report 1 off the schedule?" in ask.get_data(as_text=True)
    assert client.post(url, data={"remove": str(report_id), "confirm": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Report, report_id) is None


# Budget and amendments ---------------------------------------------------------------------------------------

def test_the_budget_page_shows_flags_and_every_version(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        builders.spent(grant, {"L1": "45000"})
        db.session.commit()
        grant_id = grant.id
    login(client, world.emails["ex_officio"])
    page = client.get(f"/grants/{grant_id}/budget").get_data(as_text=True)
    assert "Overspent beyond the tolerance" in page and "Version 1" in page
    assert "Ask for a budget amendment" not in page


def test_an_amendment_asked_checked_declined_then_approved(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        db.session.commit()
        grant_id = grant.id
    base = f"/grants/{grant_id}/budget"
    login(client, world.emails["alternate"])
    assert "Ask for a budget amendment" in client.get(base).get_data(as_text=True)
    wrong = client.post(f"{base}/amend", data={"line_L1": "35000", "line_L2": "50115", "reason": "Ateliers"})
    assert wrong.status_code == 422 and "must still add up to" in wrong.get_data(as_text=True)
    assert 'value="35000"' in wrong.get_data(as_text=True)
    data = {"line_L1": "35000", "line_L2": "55115", "reason": "Plus d'ateliers", "new_ends_on": "2029-06-30"}
    check = client.post(f"{base}/amend", data=data)
    assert check.status_code == 200 and "Send the request" in check.get_data(as_text=True)
    assert client.post(f"{base}/amend", data={**data, "confirm": "1"}).status_code == 302
    assert client.get(f"{base}/amend").status_code == 302  # one request at a time
    with app.app_context():
        amendment_id = db.session.scalar(select(BudgetAmendment.id))

    secretariat = app.test_client()
    login(secretariat, world.emails["secretariat"])
    url = f"{base}/amendments/{amendment_id}"
    assert secretariat.post(url, data={"decision": "decline"}).status_code == 422
    confirm = secretariat.post(url, data={"decision": "decline", "decision_reason": "Pas justifié."})
    assert "Decline the amendment?" in confirm.get_data(as_text=True)
    assert secretariat.post(url, data={"decision": "decline", "decision_reason": "Pas justifié.",
                                       "confirm": "1"}).status_code == 302
    assert "Pas justifié." in client.get(base).get_data(as_text=True)

    assert client.post(f"{base}/amend", data={**data, "confirm": "1"}).status_code == 302
    with app.app_context():
        second = db.session.scalar(select(BudgetAmendment.id).where(
            BudgetAmendment.state == AmendmentState.requested))
    done = secretariat.post(f"{base}/amendments/{second}", data={"decision": "approve", "confirm": "1"},
                            follow_redirects=True).get_data(as_text=True)
    assert "version 2 of the budget applies" in done
    assert "Version 2" in done and "Version 1" in done
    with app.app_context():
        assert db.session.get(Grant, grant_id).ends_on.isoformat() == "2029-06-30"


# Indicators --------------------------------------------------------------------------------------------------

def test_the_indicators_page_has_a_chart_and_a_table_per_side(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world)
        first = min(grant.reports, key=lambda r: r.number)
        builders.version(first, status=ReportVersionStatus.approved,
                         indicators={str(i.id): "6" for i in grant.indicators})
        db.session.commit()
        grant_id = grant.id
    login(client, world.emails["delegate"])
    page = client.get(f"/grants/{grant_id}/indicators").get_data(as_text=True)
    assert page.count("<svg") == 2 and page.count("<table") == 2
    assert "Maison des jeunes de Rezé" in page and "Association des Jeunes de Gafsa" in page
    assert "6 of 100 personnes" in page and "50" in page  # 6 of 12 workshops: 50 %
    arabic = app.test_client()
    arabic.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    login(arabic, world.emails["delegate"])
    rtl = arabic.get(f"/grants/{grant_id}/indicators").get_data(as_text=True)
    assert 'dir="rtl"' in rtl and 'direction="rtl"' in rtl


def test_every_line_of_the_current_budget_gets_a_field_even_at_zero(app: Flask, client: FlaskClient, world) -> None:
    with app.test_request_context():
        grant = own_grant(world, lines=(("staff", "Coordination", "90115", "58575"), ("travel", "Voyages", "0", "0")))
        builders.spent(grant, {"L9": "10"})  # an old line with spending: shown on the budget, never asked for
        db.session.commit()
        grant_id, report_id = grant.id, min(grant.reports, key=lambda r: r.number).id
    login(client, world.emails["delegate"])
    page = client.get(f"/grants/{grant_id}/reports/{report_id}/edit").get_data(as_text=True)
    assert 'name="line_L1"' in page and 'name="line_L2"' in page and 'name="line_L9"' not in page


def test_portfolio_readers_get_no_link_to_the_grant_they_cannot_open(client: FlaskClient, world, scene: Scene) -> None:
    """Committee and ex-officio members read the reports pages, not the agreement: no link to a 403."""
    _as(client, world, scene, "committee")
    html = client.get(f"/grants/{scene.grant_id}/reports").get_data(as_text=True)
    assert f'href="/grants/{scene.grant_id}"' not in html
    client.post("/logout")
    _as(client, world, scene, "delegate")
    assert f'href="/grants/{scene.grant_id}"' in client.get(f"/grants/{scene.grant_id}/reports").get_data(as_text=True)
