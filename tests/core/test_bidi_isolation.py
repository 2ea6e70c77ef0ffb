"""User text is isolated where pages list it (issue 10, §7): a name holding a right-to-left override (stored
before input was cleaned, or mixing scripts) is wrapped in ``<bdi>``, so it cannot reverse what follows it on
the line: the members list and page, a vote's board and results, an election's candidates."""
from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from markupsafe import Markup

from app.core.layout import bdi
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.assembly.test_board_routes import build_vote
from tests.conftest import login

SPOOF = "\u202eAssociation fantôme"


@pytest.mark.parametrize(("value", "html"), [
    ("Gafsa", "<bdi>Gafsa</bdi>"),
    (SPOOF, f"<bdi>{SPOOF}</bdi>"),
    ("<script>x</script>", "<bdi>&lt;script&gt;x&lt;/script&gt;</bdi>"),
    ("جمعية تونس", "<bdi>جمعية تونس</bdi>"),
    (None, "<bdi></bdi>"),
])
def test_the_bdi_filter_isolates_and_escapes(value: str | None, html: str) -> None:
    assert bdi(value) == Markup(html)


def test_a_name_inside_a_translated_sentence_is_isolated_once(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        out = render_template_string('{{ _("Representative: %(name)s", name=who|bdi) }}', who="<b>Ali</b>")
    assert out == "Representative: <bdi>&lt;b&gt;Ali&lt;/b&gt;</bdi>"


def test_members_list_and_page_isolate_names(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        member = factories.member(SPOOF)
        factories.user("spoof@example.org", member=member, delegate=True, name="\u202eNom inversé")
        db.session.commit()
        member_id = member.id
    login(client, world.emails["secretariat"])
    directory = client.get("/members").get_data(as_text=True)
    assert f"<bdi>{SPOOF}</bdi>" in directory and "<bdi>\u202eNom inversé</bdi>" in directory
    page = client.get(f"/members/{member_id}").get_data(as_text=True)
    assert f"<h1><bdi>{SPOOF}</bdi>" in page and "<bdi>\u202eNom inversé</bdi>" in page


def test_board_and_results_isolate_participants(app: Flask, client: FlaskClient, world: factories.World) -> None:
    built = build_vote(app, prefix="\u202eRLO", fr=2, tn=1)
    board = client.get(f"/votes/{built.vote_id}/board").get_data(as_text=True)
    login(client, world.emails["delegate"])
    results = client.get(f"/votes/{built.vote_id}/results").get_data(as_text=True)
    for name in built.names:
        assert f"<li><bdi>{name}</bdi></li>" in board
        assert f"<bdi>{name}</bdi>" in results


def test_election_candidates_are_isolated(app: Flask, client: FlaskClient, world: factories.World) -> None:
    from datetime import timedelta

    from app.auth.models import User, UserKind
    from app.core.timeutil import utcnow
    from app.elections import services
    from app.elections.models import Candidacy

    with app.test_request_context():
        secretariat = db.session.query(User).filter_by(kind=UserKind.secretariat).one()
        now = utcnow()
        election = services.create_election(actor=secretariat, data={
            "title": "Élection", "seats": 3, "term_starts_on": (now + timedelta(days=60)).date(), "term_years": 2,
            "candidacy_opens_at": now - timedelta(days=1), "candidacy_closes_at": now + timedelta(days=1),
            "constraints": {}})
        member = db.session.get(Member, world.member_id)
        db.session.add(Candidacy(election=election, member=member, representative_name="\u202eAli Ben Salah",
                                 gender="m", status="validated"))
        member.name = SPOOF
        db.session.commit()
        election_id = election.id
    login(client, world.emails["secretariat"])
    page = client.get(f"/elections/{election_id}").get_data(as_text=True)
    assert f"<bdi>{SPOOF}</bdi>" in page and "<bdi>\u202eAli Ben Salah</bdi>" in page
