"""Proposal pages as users see them: a draft filled over two visits (delegate, then alternate), bad input kept
at its field with nothing saved, the check page (every failure with its reason, the maximum grant in words),
check your answers and submission (refused while a rule fails, reasons at their sections), the confirmation,
no edit after submission, withdrawal and resubmission; every route tried as each of the six roles and as a
delegate of another member; a bounded number of queries on the task list and the review page."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.calls import attachments, proposals
from app.calls.models import (
    Attachment,
    BudgetLine,
    CofinancingLine,
    Proposal,
    ProposalIndicator,
    ProposalPartner,
    ProposalSnapshot,
    ProposalStatus,
)
from app.core.timeutil import utcnow
from app.elections.models import Mandate
from app.extensions import db
from tests import factories
from tests.calls.test_attachments import tiny_pdf
from tests.calls.test_proposals import Scene, fill, scene, start, user
from tests.conftest import counting, login

ROLES = ("anonymous", "delegate", "alternate", "committee", "ex_officio", "secretariat", "stranger")
EMAILS = {"delegate": "delegate@example.org", "alternate": "alternate@example.org",
          "committee": "other@example.org", "ex_officio": "funder@example.org",
          "secretariat": "secretariat@example.org", "stranger": "stranger@example.org"}


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def value_of(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    if tag is None:
        return None
    found = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def count(app: Flask, column: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


@pytest.fixture
def s(app: Flask, world: factories.World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scene:
    monkeypatch.setitem(app.config, "CALLS_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return scene(app, world)


# The whole journey ------------------------------------------------------------------------------------------------

def test_a_proposal_filled_over_two_visits_then_submitted(app: Flask, client: FlaskClient, s: Scene) -> None:
    login(client, EMAILS["delegate"])
    response = client.post(f"/calls/{s.call_id}/proposals/new")
    assert response.status_code == 302
    pid = int(response.headers["Location"].rsplit("/", 1)[-1])
    again = client.post(f"/calls/{s.call_id}/proposals/new")  # starting again goes back to the draft
    assert again.headers["Location"].endswith(f"/proposals/{pid}")
    page = text(client.get(f"/proposals/{pid}"))
    assert page.count("Not started") == len(proposals.SECTIONS)

    response = client.post(f"/proposals/{pid}/sections/about", data={
        "title": "Essor des jeunes", "summary": "Un projet", "territories": "Gafsa",
        "challenges": [str(s.challenge_ids[0])], "completed": "yes"})
    assert response.status_code == 302
    client.post("/logout")

    # Second visit, by the alternate: lines one POST at a time.
    login(client, EMAILS["alternate"])
    page = text(client.get(f"/proposals/{pid}"))
    assert "Complete" in page and "You have completed 1 of 9 sections." in page
    assert client.post(f"/proposals/{pid}/sections/budget", data={
        "action": "add", "category": "activities", "description": "Ateliers", "total": "102 050",
        "requested": "66333"}).status_code == 302

    # Bad input: the message at the field, what was typed kept, nothing saved.
    bad = client.post(f"/proposals/{pid}/sections/budget", data={
        "action": "add", "category": "staff", "description": "Coordination", "total": "douze",
        "requested": "10"})
    assert bad.status_code == 422
    page = text(bad)
    assert re.search(r'id="total-error">Enter an amount in euros', page)
    assert value_of(page, "total") == "douze" and value_of(page, "description") == "Coordination"
    bad = client.post(f"/proposals/{pid}/sections/budget", data={
        "action": "add", "category": "staff", "description": "", "total": "100", "requested": "200"})
    assert bad.status_code == 422
    assert "The amount requested cannot be more than the line's total." in text(bad)
    bad = client.post(f"/proposals/{pid}/sections/beneficiaries", data={
        "beneficiaries_direct": "300", "beneficiaries_indirect": "", "women_percent": "150", "youth_percent": "",
        "completed": "no"})
    assert bad.status_code == 422
    assert re.search(r'id="women_percent-error">Enter a percentage from 0 to 100.', text(bad))
    assert value_of(text(bad), "women_percent") == "150" and value_of(text(bad), "beneficiaries_direct") == "300"
    assert count(app, BudgetLine.id) == 1
    with app.app_context():
        assert db.session.get(Proposal, pid).beneficiaries_direct is None

    # The check page and the review page show what fails, with its reason, at its section.
    page = text(client.get(f"/proposals/{pid}/check"))
    for reason in ("At least 1 partner is required; the proposal names 0.", "No partner is from France.",
                   "The duration is not given.", "Co-financing is 0 % of the budget; at least 30 % is required."):
        assert reason in page
    assert "65 % of 102,050 € = 66,332.50 €, rounded to 66,333 €; under the 66,440 € ceiling." in page
    client.post("/logout")
    login(client, EMAILS["delegate"])
    refused = client.post(f"/proposals/{pid}/submit")
    assert refused.status_code == 422
    page = text(refused)
    assert re.search(r"an eligibility rule fails: [2-9] rules fail\.", page)
    partners_part = page.split('id="section-partners"')[1].split("<section")[0]
    assert "No partner is from France." in partners_part
    assert "The duration is not given." in page.split('id="section-dates"')[1].split("<section")[0]
    assert count(app, ProposalSnapshot.id) == 0

    # Fix it and submit.
    client.post(f"/proposals/{pid}/sections/partners", data={
        "action": "add", "member_id": str(s.french_member_id), "kind": "local_authority", "role": "Accueil"})
    client.post(f"/proposals/{pid}/sections/partners", data={
        "action": "add", "member_id": "0", "name": "Université de Sfax", "country": "TN",
        "kind": "research", "role": ""})
    client.post(f"/proposals/{pid}/sections/cofinancing", data={
        "action": "add", "source": "Région", "amount": "35717", "status": "confirmed"})
    client.post(f"/proposals/{pid}/sections/dates", data={"starts_on": "2027-01-01", "duration_months": "24",
                                                          "completed": "yes"})
    assert "Every eligibility rule of the call is met." in text(client.get(f"/proposals/{pid}/check"))
    review = text(client.get(f"/proposals/{pid}/review"))
    assert review.count(">Change<") == len(proposals.SECTIONS) and "Université de Sfax" in review
    response = client.post(f"/proposals/{pid}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/proposals/{pid}/submitted")
    page = text(client.get(f"/proposals/{pid}/submitted"))
    assert "Proposal submitted" in page and f"C{s.call_id}-P{pid:04d}" in page and "66,333 €" in page

    # No edit after submission: refused, nothing changed.
    with app.app_context():
        line_id = db.session.scalar(select(BudgetLine.id))
    for url, data in ((f"/proposals/{pid}/sections/about", {"title": "Changed", "summary": "x"}),
                      (f"/proposals/{pid}/sections/budget", {"action": "add", "category": "staff", "total": "5"}),
                      (f"/proposals/{pid}/sections/budget/lines/{line_id}/remove", {})):
        response = client.post(url, data=data)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/proposals/{pid}")
    assert "A submitted proposal cannot be changed." in text(client.get(f"/proposals/{pid}"))
    with app.app_context():
        assert db.session.get(Proposal, pid).title == "Essor des jeunes"
    assert count(app, BudgetLine.id) == 1
    assert 'name="title"' not in text(client.get(f"/proposals/{pid}/sections/about"))  # read-only now

    # Withdraw (confirmation first), change, submit again: version 2.
    assert "Withdraw the proposal?" in text(client.get(f"/proposals/{pid}/withdraw"))
    assert client.post(f"/proposals/{pid}/withdraw").status_code == 302
    client.post(f"/proposals/{pid}/sections/about", data={
        "title": "Essor des jeunes (2)", "summary": "Un projet", "territories": "Gafsa",
        "challenges": [str(s.challenge_ids[0])], "completed": "yes"})
    assert client.post(f"/proposals/{pid}/submit").status_code == 302
    assert count(app, ProposalSnapshot.id) == 2
    first, second = text(client.get(f"/proposals/{pid}/snapshots/1")), text(client.get(f"/proposals/{pid}/snapshots/2"))
    assert "Essor des jeunes (2)" not in first and "withdrawn on" in first
    assert "Essor des jeunes (2)" in second and "Version 2" in second
    assert client.get(f"/proposals/{pid}/snapshots/3").status_code == 404


def test_line_removal_works_without_javascript(app: Flask, client: FlaskClient, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        line = proposals.add_line(proposal, "indicators", actor=user(EMAILS["delegate"]),
                                  values={"name": "Ateliers tenus"})
        db.session.commit()
        pid, lid = proposal.id, line.id
    login(client, EMAILS["alternate"])
    page = text(client.get(f"/proposals/{pid}/sections/indicators"))
    assert f'action="/proposals/{pid}/sections/indicators/lines/{lid}/remove"' in page
    response = client.post(f"/proposals/{pid}/sections/indicators/lines/{lid}/remove")
    assert response.status_code == 302 and count(app, ProposalIndicator.id) == 0


def test_a_section_is_marked_complete_at_its_bottom(app: Flask, client: FlaskClient, s: Scene) -> None:
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    login(client, EMAILS["delegate"])
    refused = client.post(f"/proposals/{pid}/sections/budget", data={"action": "done", "completed": "yes"})
    assert refused.status_code == 422 and "Add at least one budget line" in text(refused)
    client.post(f"/proposals/{pid}/sections/indicators", data={"action": "done", "completed": "yes"})
    with app.app_context():
        assert db.session.get(Proposal, pid).sections_done == ["indicators"]


@pytest.mark.parametrize(("typed", "message"), [
    ("12,500", "Write the thousands without a comma or a dot"),  # 12,500 €, or 12.50 €? Never guessed
    ("12.500", "Write the thousands without a comma or a dot"),
    ("2 000 000 000", "Enter an amount of at most one billion euros."),
])
def test_an_ambiguous_or_huge_amount_is_refused_at_its_field(app: Flask, client: FlaskClient, s: Scene,
                                                             typed: str, message: str) -> None:
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    login(client, EMAILS["delegate"])
    bad = client.post(f"/proposals/{pid}/sections/budget", data={
        "action": "add", "category": "staff", "description": "Coordination", "total": typed, "requested": "10"})
    assert bad.status_code == 422
    assert re.search(rf'id="total-error">{re.escape(message)}', text(bad))
    assert value_of(text(bad), "total") == typed
    assert count(app, BudgetLine.id) == 0


def test_the_check_page_shows_the_seed_grant_calculation(app: Flask, client: FlaskClient, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        fill(proposal, s, user(EMAILS["delegate"]))
        db.session.commit()
        pid = proposal.id
    login(client, EMAILS["delegate"])
    page = text(client.get(f"/proposals/{pid}/check"))
    assert "65 % of 102,050 € = 66,332.50 €, rounded to 66,333 €; under the 66,440 € ceiling." in page
    assert "The amount requested, 66,333 €, is not above that: the maximum grant is 66,333 €." in page
    assert page.count(">Pass<") == 8 and ">Fail<" not in page


# Every route × every role ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ids:
    call_id: int
    draft_id: int
    line_id: int
    attachment_id: int
    submitted_id: int


@pytest.fixture
def ids(app: Flask, s: Scene) -> Ids:
    """A draft with a budget line and an attachment, and a submitted proposal, both led by the world's member;
    the other member holds a committee seat; a third member's delegate is a stranger."""
    with app.app_context():
        delegate = user(EMAILS["delegate"])
        done = start(s)  # submitted first: a member has one draft per call at most
        fill(done, s, delegate)
        proposals.submit(done, actor=delegate)
        db.session.commit()
        draft = start(s)
        line = proposals.add_line(draft, "budget", actor=delegate, values={
            "category": "staff", "total": Decimal("1000"), "requested": Decimal("500")})
        item = attachments.add_attachment(draft, actor=delegate, filename="note.pdf", data=tiny_pdf())
        today = utcnow().date()
        db.session.add(Mandate(kind="elected", member_id=s.other_member_id, starts_on=today,
                               ends_on=today + timedelta(days=730), representative_name="Other"))
        stranger = factories.member("Union des Travailleurs de Sfax", country="TN", college_code="cs-tn")
        factories.user(EMAILS["stranger"], member=stranger, delegate=True)
        db.session.commit()
        return Ids(call_id=s.call_id, draft_id=draft.id, line_id=line.id, attachment_id=item.id,
                   submitted_id=done.id)


VIEWERS = frozenset({"delegate", "alternate", "secretariat"})
EDITORS = frozenset({"delegate", "alternate"})
DELEGATE = frozenset({"delegate"})
STARTERS = frozenset({"delegate", "committee", "stranger"})

ROUTES: list[tuple[str, str, frozenset[str]]] = [
    ("POST", "/calls/{call_id}/proposals/new", STARTERS),
    ("GET", "/proposals/{draft_id}", VIEWERS),
    ("GET", "/proposals/{draft_id}/sections/about", VIEWERS),
    ("GET", "/proposals/{draft_id}/sections/budget", VIEWERS),
    ("POST", "/proposals/{draft_id}/sections/results", EDITORS),
    ("POST", "/proposals/{draft_id}/sections/budget", EDITORS),
    ("POST", "/proposals/{draft_id}/sections/budget/lines/{line_id}/remove", EDITORS),
    ("POST", "/proposals/{draft_id}/sections/attachments/lines/{attachment_id}/remove", EDITORS),
    ("GET", "/proposals/{draft_id}/attachments/{attachment_id}", VIEWERS),
    ("GET", "/proposals/{draft_id}/check", VIEWERS),
    ("GET", "/proposals/{draft_id}/review", VIEWERS),
    ("POST", "/proposals/{draft_id}/submit", DELEGATE),
    ("GET", "/proposals/{submitted_id}/submitted", VIEWERS),
    ("GET", "/proposals/{submitted_id}/withdraw", DELEGATE),
    ("POST", "/proposals/{submitted_id}/withdraw", DELEGATE),
    ("GET", "/proposals/{submitted_id}/snapshots/1", VIEWERS),
    ("GET", "/proposals/{submitted_id}/sections/partners", VIEWERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "pattern", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _a in ROUTES])
def test_route_by_role(app: Flask, client: FlaskClient, ids: Ids, role: str, method: str, pattern: str,
                       allowed: frozenset[str]) -> None:
    url = pattern.format(**ids.__dict__)
    if role != "anonymous":
        login(client, EMAILS[role])
    response = client.open(url, method=method, data={"expected_results": "x", "action": "add"})
    if role in allowed:
        assert response.status_code in (200, 302, 422), (role, url, response.status_code)
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"]
    elif role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"], (url, response.status_code)
    else:
        assert response.status_code == 403, (role, url, response.status_code)


def test_a_delegate_of_another_member_changes_nothing(app: Flask, client: FlaskClient, ids: Ids) -> None:
    """Reading, editing, removing a line, downloading: all refused, and nothing changed."""
    login(client, EMAILS["stranger"])
    before = (count(app, BudgetLine.id), count(app, Attachment.id))
    assert client.get(f"/proposals/{ids.draft_id}/sections/budget").status_code == 403
    assert client.post(f"/proposals/{ids.draft_id}/sections/budget", data={
        "action": "add", "category": "staff", "total": "5"}).status_code == 403
    assert client.post(f"/proposals/{ids.draft_id}/sections/budget/lines/{ids.line_id}/remove").status_code == 403
    assert client.get(f"/proposals/{ids.draft_id}/attachments/{ids.attachment_id}").status_code == 403
    assert client.get(f"/proposals/{ids.submitted_id}/snapshots/1").status_code == 403
    assert (count(app, BudgetLine.id), count(app, Attachment.id)) == before


def test_a_line_of_another_proposal_cannot_be_removed_through_ours(app: Flask, client: FlaskClient, ids: Ids) -> None:
    with app.app_context():
        other_line = db.session.scalar(select(BudgetLine.id).where(BudgetLine.proposal_id == ids.submitted_id))
    login(client, EMAILS["delegate"])
    client.post(f"/proposals/{ids.draft_id}/sections/budget/lines/{other_line}/remove")
    with app.app_context():
        assert db.session.get(BudgetLine, other_line) is not None


def test_unknown_section_and_proposal_are_404(client: FlaskClient, ids: Ids) -> None:
    login(client, EMAILS["delegate"])
    assert client.get(f"/proposals/{ids.draft_id}/sections/nope").status_code == 404
    assert client.get("/proposals/999999").status_code == 404


# Bounded queries -----------------------------------------------------------------------------------------------

def _with_lines(app: Flask, s: Scene, n: int) -> int:
    """A draft with ``n`` lines in every line section (inserted directly: the pages are what is measured)."""
    with app.app_context():
        proposal = start(s)
        others = [factories.member(f"Partenaire {n}-{i}") for i in range(n)]
        for i in range(n):
            db.session.add_all([
                ProposalPartner(proposal=proposal, member_id=others[i].id, name=others[i].name, country="FR",
                                kind="association"),
                BudgetLine(proposal=proposal, category="staff", description=f"Ligne {i}", total_cents=100000,
                           requested_cents=50000),
                CofinancingLine(proposal=proposal, source=f"Source {i}", amount_cents=40000, confirmed=i % 2 == 0),
                ProposalIndicator(proposal=proposal, name=f"Indicateur {i}"),
                Attachment(proposal=proposal, filename=f"piece-{i}.pdf", stored_name=f"stored-{n}-{i}",
                           content_type="application/pdf", size=1000, sha256="0" * 64)])
        proposal.challenges = list(proposal.call.challenges)
        db.session.commit()
        return proposal.id


@pytest.mark.parametrize("page", ["", "/review", "/check", "/sections/budget", "/sections/partners"])
def test_pages_issue_the_same_number_of_queries_with_3_or_30_lines(app: Flask, client: FlaskClient, s: Scene,
                                                                   page: str) -> None:
    small, large = _with_lines(app, s, 3), None
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == small).values(status=ProposalStatus.withdrawn))
        db.session.commit()
    large = _with_lines(app, s, 30)
    login(client, EMAILS["delegate"])
    counts = []
    for pid in (small, large):
        client.get(f"/proposals/{pid}{page}")  # warm up
        with counting(app) as statements:
            response = client.get(f"/proposals/{pid}{page}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts


def test_the_partner_page_offers_members_and_countries(app: Flask, client: FlaskClient, s: Scene) -> None:
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    login(client, EMAILS["delegate"])
    page = text(client.get(f"/proposals/{pid}/sections/partners"))
    assert "Cités Unies Nantes" in page and 'value="TN"' in page and 'value="DZ"' in page
    assert ">Association des Jeunes de Gafsa" not in page  # the lead is not its own partner


@pytest.mark.parametrize(("section", "heading"), [
    ("partners", "Add a partner"), ("budget", "Add a budget line"), ("cofinancing", "Add a co-financing line"),
    ("indicators", "Add an indicator"), ("attachments", "Attach a file")])
def test_each_line_section_heads_its_add_form_with_what_it_adds(app: Flask, client: FlaskClient, s: Scene,
                                                                section: str, heading: str) -> None:
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    login(client, EMAILS["delegate"])
    page = text(client.get(f"/proposals/{pid}/sections/{section}"))
    assert f'<h2 id="add-h">{heading}</h2>' in page
    assert "Add a line" not in page


def test_a_member_picked_from_the_list_is_the_partner_without_ticking_anything_else(
        app: Flask, client: FlaskClient, s: Scene) -> None:
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    login(client, EMAILS["delegate"])
    url = f"/proposals/{pid}/sections/partners"
    assert 'name="origin"' not in text(client.get(url))  # no "member or outside?" to tick first
    added = client.post(url, data={"action": "add", "member_id": str(s.french_member_id), "kind": "association",
                                   "role": "Accueil"})
    assert added.status_code == 302
    with app.app_context():
        (partner,) = db.session.scalars(select(ProposalPartner).where(ProposalPartner.proposal_id == pid))
        assert (partner.member_id, partner.name) == (s.french_member_id, "Cités Unies Nantes")


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({}, "member_id", "Choose a member of the programme, or give the name and country of an outside organisation."),
    ({"name": "Université de Sfax"}, "country", "Choose the country of the organisation."),
    ({"country": "TN"}, "name", "Enter the name of the organisation."),
])
def test_an_outside_partner_needs_its_name_and_country_said_at_the_field(
        app: Flask, client: FlaskClient, s: Scene, typed: dict[str, str], field: str, message: str) -> None:
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    login(client, EMAILS["delegate"])
    url = f"/proposals/{pid}/sections/partners"
    refused = client.post(url, data={"action": "add", "member_id": "0", "name": "", "country": "", "kind": "research",
                                     "role": "Formation", **typed})
    assert refused.status_code == 422
    page = text(refused)
    assert f'id="{field}-error">{html.escape(message, quote=False)}' in page
    assert typed.get("name") is None or value_of(page, "name") == typed["name"]
    assert count(app, ProposalPartner.id) == 0
    added = client.post(url, data={"action": "add", "member_id": "0", "name": "Université de Sfax", "country": "TN",
                                   "kind": "research", "role": ""})
    assert added.status_code == 302
    with app.app_context():
        (partner,) = db.session.scalars(select(ProposalPartner).where(ProposalPartner.proposal_id == pid))
        assert (partner.member_id, partner.name, partner.country) == (None, "Université de Sfax", "TN")
