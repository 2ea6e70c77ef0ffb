"""The decisions blueprint: the applicant's outcome page and letter, the selection report, the exports, and
who may read each (GET only: nothing here changes anything)."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader

from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import decision_builders
from tests.conftest import login


def _build(app: Flask, world: factories.World, *, decided: bool = True, published: bool = True) -> dict[str, Any]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        scene = decision_builders.scene(world)
        if decided:
            decision_builders.record(scene.call_id, published=published)
        db.session.commit()
        return {"scene": scene, "call": scene.call_id, "own": scene.proposal_ids[0],
                "ineligible": scene.proposal_ids[3]}


def _pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages).split())


def _committee_login(app: Flask, client: FlaskClient, scene: decision_builders.Scene, *, conflicted: bool) -> None:
    login(client, scene.conflicted_email if conflicted else scene.reviewer_emails[0])


# The outcome page and the letter ------------------------------------------------------------

def test_the_leads_delegate_reads_the_outcome_once_published(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    data = _build(app, world)
    login(client, world.emails["delegate"])
    response = client.get(f"/proposals/{data['own']}/outcome", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Your proposal scored 80.0/100 and ranks 1st of 3" in html
    assert "Clear answer to the call&#39;s challenges, well argued." in html
    assert "Relevance" in html and "58,575 €" in html
    assert f"/proposals/{data['own']}/outcome/letter.pdf" in html
    letter = client.get(f"/proposals/{data['own']}/outcome/letter.pdf", headers={"Accept-Language": "en"})
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    assert "attachment" in letter.headers["Content-Disposition"]
    assert "Your proposal scored 80.0/100" in _pdf_text(letter.data)
    # the proposal's page links to it
    page = client.get(f"/proposals/{data['own']}").get_data(as_text=True)
    assert f"/proposals/{data['own']}/outcome" in page


def test_the_alternate_reads_it_too(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world)
    login(client, world.emails["alternate"])
    assert client.get(f"/proposals/{data['own']}/outcome").status_code == 200


def test_no_reviewer_name_nor_representative_of_a_reviewers_member_on_the_page_or_letter(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world)
    scene: decision_builders.Scene = data["scene"]
    with app.app_context():
        # every representative of each reviewer's member organisation, and the organisations themselves
        names: list[str] = []
        for member in db.session.scalars(db.select(Member).where(Member.name.in_(
                scene.reviewer_member_names + [scene.conflicted_member_name]))):
            names.append(member.name)
            names += [u.full_name for u in member.representatives] + [u.email for u in member.representatives]
    assert len(names) >= 12
    login(client, world.emails["delegate"])
    html = client.get(f"/proposals/{data['own']}/outcome", headers={"Accept-Language": "en"}).get_data(as_text=True)
    letter = _pdf_text(client.get(f"/proposals/{data['own']}/outcome/letter.pdf").data)
    for name in names:
        assert name not in html, name
        assert name not in letter, name
    assert "Reviewer" not in html and "Reviewer" not in letter


def test_ineligible_proposal_page_lists_the_failed_rule_and_its_reason(app: Flask, client: FlaskClient,
                                                                      world: factories.World) -> None:
    data = _build(app, world)
    # the ineligible proposal's lead has no account in the scene: the secretariat reads it
    login(client, world.emails["secretariat"])
    html = client.get(f"/proposals/{data['ineligible']}/outcome", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "Your proposal is not eligible: 1 rule of the call is not met" in html
    assert "A duration between 12 and 36 months." in html and "Not met" in html
    assert "48" in html


def test_before_publication_the_applicant_gets_404_and_the_secretariat_reads_it(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world, published=False)
    login(client, world.emails["delegate"])
    assert client.get(f"/proposals/{data['own']}/outcome").status_code == 404
    assert client.get(f"/proposals/{data['own']}/outcome/letter.pdf").status_code == 404
    client = app.test_client()
    login(client, world.emails["secretariat"])
    response = client.get(f"/proposals/{data['own']}/outcome", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "not published yet" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["other_delegate", "ex_officio"])
def test_others_are_refused_the_outcome(app: Flask, client: FlaskClient, world: factories.World, who: str) -> None:
    data = _build(app, world)
    login(client, world.emails[who])
    assert client.get(f"/proposals/{data['own']}/outcome").status_code == 403
    assert client.get(f"/proposals/{data['own']}/outcome/letter.pdf").status_code == 403


def test_a_committee_member_is_refused_another_members_outcome(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    data = _build(app, world)
    _committee_login(app, client, data["scene"], conflicted=False)
    assert client.get(f"/proposals/{data['own']}/outcome").status_code == 403


def test_anonymous_is_sent_to_sign_in(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world)
    for url in (f"/proposals/{data['own']}/outcome", f"/proposals/{data['own']}/outcome/letter.pdf",
                f"/calls/{data['call']}/selection-report.pdf", f"/calls/{data['call']}/selection-export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_no_decision_is_404(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world, decided=False)
    login(client, world.emails["secretariat"])
    assert client.get(f"/proposals/{data['own']}/outcome").status_code == 404
    assert client.get(f"/calls/{data['call']}/selection-report.pdf").status_code == 404
    assert client.get("/proposals/999999/outcome").status_code == 404


# The selection report ------------------------------------------------------------------------

def test_the_secretariat_downloads_the_report(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world)
    scene: decision_builders.Scene = data["scene"]
    login(client, world.emails["secretariat"])
    response = client.get(f"/calls/{data['call']}/selection-report.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert "Selection report" in text and "Règlement de l'appel, version 1" in text
    for organisation in scene.reviewer_member_names:
        assert organisation in text
    assert scene.conflicted_member_name in text and "Partner of the proposal" in text
    for name in scene.reviewer_names + [scene.conflicted_name]:
        assert name not in text  # organisations, never people
    assert "Jeunes et numérique" in text and "80.0" in text and "Funded" in text and "Reserve" in text
    assert "Not eligible" in text


def test_a_conflicted_committee_member_reads_no_score_of_its_conflict(app: Flask, client: FlaskClient,
                                                                     world: factories.World) -> None:
    data = _build(app, world)
    _committee_login(app, client, data["scene"], conflicted=True)
    response = client.get(f"/calls/{data['call']}/selection-report.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "conflict of interest" in text and "80.0" not in text and "70.0" in text


@pytest.mark.parametrize("who", ["delegate", "ex_officio"])
def test_the_report_is_refused_outside_the_committee_and_secretariat(app: Flask, client: FlaskClient,
                                                                    world: factories.World, who: str) -> None:
    data = _build(app, world)
    login(client, world.emails[who])
    assert client.get(f"/calls/{data['call']}/selection-report.pdf").status_code == 403


# Exports ------------------------------------------------------------------------------------

def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_secretariat_exports_scores_per_reviewer(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world)
    scene: decision_builders.Scene = data["scene"]
    login(client, world.emails["secretariat"])
    response = client.get(f"/calls/{data['call']}/selection-export.csv?table=scores")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response.data)
    assert {r["reviewer"] for r in rows} >= set(scene.reviewer_names)
    assert len(rows) == (4 * 3 + 1) * 3  # 13 submitted reviews × 3 criteria
    na = [r for r in rows if r["criterion"] == "partnership" and r["not_applicable"] == "yes"]
    assert len(na) == 1 and na[0]["score"] == ""
    assert {r["reviewer"] for r in rows if r["counted"] == "no"} == {scene.conflicted_name}
    decisions = _csv(client.get(f"/calls/{data['call']}/selection-export.csv?table=decisions").data)
    assert [d["outcome"] for d in decisions] == ["selected", "selected", "reserve", "rejected"]
    assert decisions[0]["amount"] == "58575.00" and decisions[0]["score"] == "80.00"
    workbook = load_workbook(io.BytesIO(client.get(f"/calls/{data['call']}/selection-export.xlsx").data))
    assert workbook.sheetnames == ["scores", "aggregates", "decisions"]


def test_committee_exports_exclude_conflicts_and_scores_per_reviewer(app: Flask, client: FlaskClient,
                                                                     world: factories.World) -> None:
    data = _build(app, world)
    _committee_login(app, client, data["scene"], conflicted=True)
    assert client.get(f"/calls/{data['call']}/selection-export.csv?table=scores").status_code == 403
    assert client.get(f"/calls/{data['call']}/selection-export.xlsx?table=scores").status_code == 403
    aggregates = _csv(client.get(f"/calls/{data['call']}/selection-export.csv?table=aggregates").data)
    titles = {r["title"] for r in aggregates}
    assert "Jeunes et numérique" not in titles and "Pêche durable" in titles and len(aggregates) == 3
    assert {r["mean"] for r in aggregates} == {"70.00", "60.00", "90.00"}
    decisions = _csv(client.get(f"/calls/{data['call']}/selection-export.csv?table=decisions").data)
    assert "Jeunes et numérique" not in {r["title"] for r in decisions}
    workbook = load_workbook(io.BytesIO(client.get(f"/calls/{data['call']}/selection-export.xlsx").data))
    assert workbook.sheetnames == ["aggregates", "decisions"]
    client = app.test_client()
    _committee_login(app, client, data["scene"], conflicted=False)
    aggregates = _csv(client.get(f"/calls/{data['call']}/selection-export.csv").data)
    own = next(r for r in aggregates if r["title"] == "Jeunes et numérique")
    assert own["reviews"] == "3" and own["mean"] == "80.00"  # the conflicted review never counts


@pytest.mark.parametrize("who", ["delegate", "ex_officio"])
def test_exports_are_refused_to_applicants(app: Flask, client: FlaskClient, world: factories.World, who: str) -> None:
    data = _build(app, world)
    login(client, world.emails[who])
    assert client.get(f"/calls/{data['call']}/selection-export.csv").status_code == 403


def test_unknown_format_or_table_is_404(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = _build(app, world)
    login(client, world.emails["secretariat"])
    assert client.get(f"/calls/{data['call']}/selection-export.pdf").status_code == 404
    assert client.get(f"/calls/{data['call']}/selection-export.csv?table=nope").status_code == 404
