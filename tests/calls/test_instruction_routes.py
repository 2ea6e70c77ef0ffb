"""Instruction pages: who may use them (six roles), the list's filters and search, the instruction page
(snapshot in full, eligibility, confirm and override forms with refusals at the field)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.calls.models import EligibilityOverride, Proposal, ProposalSnapshot, ProposalStatus
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.elections.models import Mandate
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.conftest import login

ROLES = ("anonymous", "delegate", "alternate", "committee", "ex_officio", "secretariat")
REASON = "Le partenariat avec la France est attesté par une convention signée."


@dataclass(frozen=True)
class Built:
    call_id: int
    d1: int
    d2: int
    a: int  # TN lead, eligible, challenge D1, "Gafsa"
    b: int  # FR lead, fails the duration rule, challenge D2, "Nantes, Rezé"
    c: int  # FR lead, eligible but overridden to fail, challenge D1, "Sfax"
    draft: int
    withdrawn: int


@pytest.fixture
def built(app: Flask, world: factories.World) -> Built:
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        other = db.session.get(Member, world.other_member_id)
        today = utcnow().date()
        db.session.add(Mandate(kind="elected", member_id=other.id, starts_on=today,
                               ends_on=today + timedelta(days=730), representative_name="Other delegate"))
        d1, d2 = builders.challenge("D1", "Insertion des jeunes"), builders.challenge("D2", "Droits humains")
        call = builders.call(challenges=[d1, d2])
        a = builders.proposal(call, own, title="Eau potable à Gafsa", territories="Gafsa", challenges=[d1],
                              submitted_days_ago=3)
        b = builders.proposal(call, other, title="Jardins partagés", territories="Nantes, Rezé", challenges=[d2],
                              duration=48, submitted_days_ago=2)
        c = builders.proposal(call, other, title="Radio des jeunes", territories="Sfax", challenges=[d1],
                              submitted_days_ago=1)
        db.session.add(EligibilityOverride(proposal_id=c.id, kind="min_partners", passed=False, reason=REASON))
        draft = builders.proposal(call, own, title="Brouillon en cours", status=ProposalStatus.draft)
        withdrawn = builders.proposal(call, other, title="Projet retiré", status=ProposalStatus.withdrawn)
        db.session.commit()
        return Built(call.id, d1.id, d2.id, a.id, b.id, c.id, draft.id, withdrawn.id)


def _as(client: FlaskClient, world: factories.World, role: str) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role != "anonymous":
        login(client, world.emails["other_delegate" if role == "committee" else role])
    return client


def _titles(html: str) -> list[str]:
    everything = ["Eau potable à Gafsa", "Jardins partagés", "Radio des jeunes", "Brouillon en cours",
                  "Projet retiré"]
    return sorted((t for t in everything if t in html), key=html.index)


# Roles ---------------------------------------------------------------------------------------------

def _urls(b: Built) -> list[tuple[str, str]]:
    return [("GET", f"/calls/{b.call_id}/proposals"),
            ("GET", f"/calls/{b.call_id}/proposals/export.xlsx"),
            ("GET", f"/calls/{b.call_id}/proposals/export.csv"),
            ("GET", f"/calls/{b.call_id}/proposals/export.csv?sheet=lines"),
            ("GET", f"/proposals/{b.a}/instruction"),
            ("POST", f"/proposals/{b.a}/instruction")]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_instructs_and_exports(client: FlaskClient, world: factories.World, built: Built,
                                                    role: str) -> None:
    _as(client, world, role)
    for method, url in _urls(built):
        response = client.open(url, method=method, data={"confirm": "1"} if method == "POST" else None)
        if role == "secretariat":
            assert response.status_code == (302 if method == "POST" else 200), url
        elif role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        else:
            assert response.status_code == 403, (role, url)


def test_a_delegate_cannot_instruct_its_own_proposal(client: FlaskClient, world: factories.World,
                                                     built: Built) -> None:
    _as(client, world, "delegate")
    assert client.get(f"/proposals/{built.a}/instruction").status_code == 403
    assert client.post(f"/proposals/{built.a}/instruction", data={"confirm": "1"}).status_code == 403


@pytest.mark.parametrize("url", ["/calls/999/proposals", "/calls/999/proposals/export.csv",
                                 "/calls/{call}/proposals/export.pdf", "/proposals/999/instruction",
                                 "/proposals/{draft}/instruction"])
def test_not_found(client: FlaskClient, world: factories.World, built: Built, url: str) -> None:
    _as(client, world, "secretariat")
    assert client.get(url.format(call=built.call_id, draft=built.draft)).status_code == 404


# The list -----------------------------------------------------------------------------------------

FILTERS = [
    ("", ["a", "b", "c"]),
    ("status=draft", ["draft"]),
    ("status=withdrawn", ["withdrawn"]),
    ("status=all", ["a", "b", "c", "withdrawn", "draft"]),  # by submission date, drafts (none) last
    ("status=bogus", ["a", "b", "c"]),
    ("eligibility=eligible", ["a"]),
    ("eligibility=ineligible", ["b"]),
    ("eligibility=overridden", ["c"]),
    ("eligibility=unchecked", []),
    ("challenge={d2}", ["b"]),
    ("challenge={d1}", ["a", "c"]),
    ("challenge=abc", ["a", "b", "c"]),
    ("country=TN", ["a"]),
    ("country=fr", ["b", "c"]),
    ("territory=REZ", ["b"]),
    ("territory=sfax", ["c"]),
    ("q=jardins", ["b"]),
    ("q=COLLEC", ["b", "c"]),  # the other member's acronym
    ("q=jeunes", ["a", "c"]),  # the lead "Association des Jeunes de Gafsa", the title "Radio des jeunes"
    ("q=%25", []),  # a literal percent sign matches nothing
    ("q=_", []),
    ("status=all&country=FR", ["b", "c", "withdrawn"]),
    ("country=FR&eligibility=eligible", []),
    ("dir=desc", ["c", "b", "a"]),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_filters_and_search(client: FlaskClient, world: factories.World, built: Built, query: str,
                            expected: list[str]) -> None:
    _as(client, world, "secretariat")
    response = client.get(f"/calls/{built.call_id}/proposals?" + query.format(d1=built.d1, d2=built.d2))
    assert response.status_code == 200
    names = {"a": "Eau potable à Gafsa", "b": "Jardins partagés", "c": "Radio des jeunes",
             "draft": "Brouillon en cours", "withdrawn": "Projet retiré"}
    assert _titles(response.get_data(as_text=True)) == [names[k] for k in expected]


def test_list_shows_counts_columns_and_effective_eligibility(client: FlaskClient, world: factories.World,
                                                             built: Built) -> None:
    _as(client, world, "secretariat")
    html = client.get(f"/calls/{built.call_id}/proposals").get_data(as_text=True)
    text = re.sub(r"\s+", " ", html)
    assert "3 (eligible: 1, not eligible: 1, overridden: 1)" in text
    assert "3 proposals match" in text
    assert "Association des Jeunes de Gafsa" in html and "90,115 €" in html and "58,575 €" in html
    row = text[text.index("Radio des jeunes"):text.index("</tr>", text.index("Radio des jeunes"))]
    assert "Eligible" in row and "After overrides:" in row and "Not eligible" in row
    assert "Overridden, not confirmed" in row
    assert f"/proposals/{built.a}/instruction" in html
    assert f"/calls/{built.call_id}/proposals/export.xlsx" in html


def test_list_paginates(app: Flask, client: FlaskClient, world: factories.World, built: Built) -> None:
    with app.app_context():
        call = db.session.get(Proposal, built.a).call
        builders.many_proposals(call, [db.session.get(Member, world.member_id)], 30)
        db.session.commit()
    _as(client, world, "secretariat")
    first = client.get(f"/calls/{built.call_id}/proposals").get_data(as_text=True)
    second = client.get(f"/calls/{built.call_id}/proposals?page=2").get_data(as_text=True)
    size = app.config["PAGE_SIZE"]
    assert first.count("<tr>") - 1 == size
    assert second.count("<tr>") - 1 == 3 + 30 - size
    assert "Page 2 of 2" in second


# The instruction page -------------------------------------------------------------------------------

def test_instruction_page_shows_the_snapshot_in_full(client: FlaskClient, world: factories.World,
                                                     built: Built) -> None:
    _as(client, world, "secretariat")
    html = client.get(f"/proposals/{built.b}/instruction").get_data(as_text=True)
    for expected in ("Jardins partagés", "Résumé du projet", "Nantes, Rezé", "Droits humains",
                     "Association de Sfax", "Tunisia", "Maison des jeunes de Rezé", "Coordination", "Ateliers",
                     "40,000 €", "50,115 €", "90,115 €", "58,575 €", "Région", "31,540 €", "Jeunes formés",
                     "Résultats attendus", "Activités principales", "48 months",
                     "The duration is 48 months; it must be between 12 and 36 months.",
                     "65 % of 90,115 € = 58,574.75 €, rounded to 58,575 €; under the 66,440 € ceiling.",
                     "Confirm the eligibility", "Override this rule"):
        assert expected in html, expected


def test_withdrawn_proposal_is_shown_without_forms(client: FlaskClient, world: factories.World,
                                                   built: Built) -> None:
    _as(client, world, "secretariat")
    html = client.get(f"/proposals/{built.withdrawn}/instruction").get_data(as_text=True)
    assert "This proposal was withdrawn" in html and "Override this rule" not in html
    assert client.post(f"/proposals/{built.withdrawn}/instruction", data={"confirm": "1"}).status_code == 302
    with client.application.app_context():
        assert db.session.get(Proposal, built.withdrawn).instructed_at is None


def test_confirm(client: FlaskClient, world: factories.World, built: Built) -> None:
    _as(client, world, "secretariat")
    response = client.post(f"/proposals/{built.a}/instruction", data={"confirm": "1"}, follow_redirects=True)
    assert "The eligibility is confirmed." in response.get_data(as_text=True)
    assert "Eligibility confirmed by" in response.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.get(Proposal, built.a).instructed_at is not None


def test_override(client: FlaskClient, world: factories.World, built: Built) -> None:
    _as(client, world, "secretariat")
    response = client.post(f"/proposals/{built.b}/instruction",
                           data={"kind": "duration_range", "passed": "pass", "reason": REASON, "override": "1"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert REASON in html and "After the secretariat's overrides:" in html
    with client.application.app_context():
        [item] = db.session.scalars(select(EligibilityOverride).where(EligibilityOverride.proposal_id == built.b))
        assert (item.kind, item.passed) == ("duration_range", True)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "proposal.eligibility_overridden")) == 1


@pytest.mark.parametrize(("data", "field_id", "message"), [
    ({"kind": "duration_range", "passed": "pass", "reason": "Trop court"}, "reason",
     "Explain the override in 20 to 4000 characters."),
    ({"kind": "duration_range", "passed": "pass", "reason": ""}, "reason", "Explain the override."),
    ({"kind": "", "passed": "pass", "reason": REASON}, "kind", "Choose the rule to override."),
    ({"kind": "duration_range", "reason": REASON}, "passed", "Choose whether the rule passes or fails."),
    ({"kind": "duration_range", "passed": "fail", "reason": REASON}, "passed",
     "The rule already has this outcome: there is nothing to override."),
    ({"kind": "duration_range", "passed": "pass", "reason": "                         "}, "reason",
     "Explain the override."),
])
def test_override_refused_at_the_field_keeps_what_was_typed(client: FlaskClient, world: factories.World,
                                                            built: Built, data: dict[str, str], field_id: str,
                                                            message: str) -> None:
    _as(client, world, "secretariat")
    response = client.post(f"/proposals/{built.b}/instruction", data={**data, "override": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'<p class="error" id="{field_id}-error">{re.escape(message)}</p>', html), html[-3000:]
    if data.get("reason", "").strip():
        assert data["reason"] in html
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(EligibilityOverride)
                                 .where(EligibilityOverride.proposal_id == built.b)) == 0


def test_pages_in_arabic_are_right_to_left(client: FlaskClient, world: factories.World, built: Built) -> None:
    _as(client, world, "secretariat")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    for url in (f"/calls/{built.call_id}/proposals", f"/proposals/{built.a}/instruction"):
        assert 'dir="rtl"' in client.get(url).get_data(as_text=True)


def test_attachments_are_listed_with_their_download_link(
        app: Flask, client: FlaskClient, world: factories.World, built: Built) -> None:
    with app.app_context():
        snapshot = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == built.a))
        snapshot.content = {**snapshot.content, "attachments": [
            {"id": 7, "filename": "budget-detaille.xlsx", "content_type": "application/vnd.ms-excel", "size": 2048,
             "sha256": "0" * 64}]}
        db.session.commit()
    _as(client, world, "secretariat")
    html = client.get(f"/proposals/{built.a}/instruction").get_data(as_text=True)
    assert "budget-detaille.xlsx" in html and "2048 bytes" in html
    assert f'href="/proposals/{built.a}/attachments/7"' in html
