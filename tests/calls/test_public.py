"""Public pages of published calls: anyone reads them, signed in or not; nothing else is shown (404)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.calls.models import CallStatus
from app.core.timeutil import utcnow
from app.elections.models import Mandate
from app.extensions import db
from tests import factories
from tests.calls import builders
from tests.conftest import login

ROLES = ("anonymous", "delegate", "alternate", "committee", "ex_officio", "secretariat")
UNPUBLISHED = [s for s in CallStatus if s != CallStatus.published]


@dataclass(frozen=True)
class Built:
    published: int
    others: dict[str, int]


@pytest.fixture
def built(app: Flask, world: factories.World) -> Built:
    """A published call with two of the seed's projects (exactly as on its page), one proposal that got no
    grant, and one call in each other status."""
    with app.app_context():
        today = utcnow().date()
        db.session.add(Mandate(kind="elected", member_id=world.other_member_id, starts_on=today,
                               ends_on=today + timedelta(days=730), representative_name="Other delegate"))
        batik = factories.member("Batik International")
        cap = factories.member("Cap Solidarités")
        call = builders.call(status=CallStatus.published, title="Coopérer autrement en acteurs de changement",
                             text="Comment adapter nos pratiques et actions de solidarité ?", envelope="600000")
        builders.proposal(
            call, batik, title="Échangeons : pour l'insertion économique et professionnelle des femmes",
            territories="Provinces de Fès et Meknès (Maroc), Le Caire (Egypte)",
            partners=[("Centre Hubertine Auclert", "FR", "association", ""),
                      ("Mission Egalité de la Région Ile-de-France", "FR", "local_authority", ""),
                      ("Association marocaine", "MA", "association", "")],
            lines=[("activities", "Projet", "98525", "64040")], beneficiaries=(35, 800), duration=25,
            awarded="64040")
        builders.proposal(
            call, cap, title="Jeunes : esprit d'entreprendre et développement solidaire des territoires",
            territories="Nord-Pas-de-Calais, France",
            partners=[("Service Civil International", "FR", "association", "")],
            lines=[("activities", "Projet", "90115", "58575")], beneficiaries=(190, 240), duration=36,
            awarded="58575")
        builders.proposal(call, factories.member("Sans subvention"), title="Projet non retenu")
        others = {str(s): builders.call(status=s, title=f"Appel {s}").id for s in UNPUBLISHED}
        db.session.commit()
        return Built(call.id, others)


def _as(client: FlaskClient, world: factories.World, role: str) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role != "anonymous":
        login(client, world.emails["other_delegate" if role == "committee" else role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_published_call(client: FlaskClient, world: factories.World, built: Built,
                                           role: str) -> None:
    _as(client, world, role)
    listing = client.get("/public/calls")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "Coopérer autrement en acteurs de changement" in html
    assert not any(f"Appel {s}" in html for s in UNPUBLISHED)
    assert client.get(f"/public/calls/{built.published}").status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", [str(s) for s in UNPUBLISHED])
def test_unpublished_calls_are_not_found(client: FlaskClient, world: factories.World, built: Built, role: str,
                                         status: str) -> None:
    _as(client, world, role)
    assert client.get(f"/public/calls/{built.others[status]}").status_code == 404


def test_unknown_call_is_not_found(client: FlaskClient, built: Built) -> None:
    assert client.get("/public/calls/9999").status_code == 404


def test_the_call_page_shows_the_funded_projects_like_the_seed(client: FlaskClient, world: factories.World,
                                                               built: Built) -> None:
    _as(client, world, "anonymous")
    html = client.get(f"/public/calls/{built.published}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Comment adapter nos pratiques et actions de solidarité ?" in text
    assert "Envelope 600,000 €" in text
    assert "Projects funded 2" in text
    assert "Total budget of the projects 188,640 €" in text
    assert "Total grants awarded 122,615 €" in text
    assert "Direct beneficiaries 225" in text and "Indirect beneficiaries 1,040" in text
    batik = text[text.index("Échangeons"):text.index("Jeunes : esprit")]
    for expected in ("Lead organisation Batik International", "Centre Hubertine Auclert",
                     "Mission Egalité de la Région Ile-de-France", "Provinces de Fès et Meknès (Maroc)",
                     "Direct: 35", "Indirect: 800", "Duration 25 months", "Budget 98,525 €",
                     "Grant awarded 64,040 €"):
        assert expected in batik, expected
    assert "France / Morocco" in text  # the project's countries, lead's first
    cap = text[text.index("Jeunes : esprit"):]
    for expected in ("Cap Solidarités", "Service Civil International", "Nord-Pas-de-Calais", "Direct: 190",
                     "Indirect: 240", "36 months", "90,115 €", "58,575 €"):
        assert expected in cap, expected
    assert "Projet non retenu" not in html


def test_no_published_call(client: FlaskClient, app: Flask) -> None:
    assert "No call has been published yet." in client.get("/public/calls",
                                                           headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_public_page_in_arabic_is_right_to_left(client: FlaskClient, built: Built) -> None:
    html = client.get(f"/public/calls/{built.published}", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in html
