"""The home page is made of panels the packages register (``app.core.home``).

Core imports none of them; the page shows, in order, the desk (what is
waiting: ``tests/core/test_desk.py``; the ballots waiting are its lines), the
user's organisation, the upcoming assemblies and (secretariat) the register's
counts, each panel only when it has something to show, in a fixed number of
SQL statements however many votes, ballots and members there are.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.assembly import voting
from app.assembly.models import Proxy
from app.auth.models import User, UserKind
from app.core import home
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.conftest import counting, login

#: The panels of the home page, in page order (the desk first; the ballots waiting moved into it).
PANELS = ["core.desk", "members.organisation", "assembly.upcoming", "members.register"]
#: The panels counted below (the desk's statements are counted in tests/core/test_desk.py).
COUNTED = PANELS[1:]
#: Statements of one home page (the session's user, then each panel's queries): as before the panels,
#: but one fewer for the ex-officio account (the charter used to be read for no panel) and one fewer
#: for the delegate (the ballots waiting are read by the desk).
STATEMENTS = {"delegate": 6, "secretariat": 5, "ex_officio": 2}


def _html(client: FlaskClient) -> tuple[int, str]:
    with counting(client.application) as statements:
        response = client.get("/")
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def _open_votes(app: Flask, world: factories.World, votes: int, extra_members: int, version: int = 2) -> None:
    """``votes`` open resolutions in a convened assembly, the world's delegate holding the other's proxy
    (a new charter ``version``, signed by the world's members and the extra ones)."""
    with app.app_context():
        charter = factories.charter(version)
        for member_id in (world.member_id, world.other_member_id):
            member = db.session.get(Member, member_id)
            factories.sign(member, charter, member.delegate)
        factories.voters(extra_members, charter_=charter, prefix=f"Extra{votes}")
        assembly = factories.assembly(title=f"Assemblée {votes}")
        db.session.add(Proxy(assembly_id=assembly.id, giver_id=world.other_member_id, holder_id=world.member_id))
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
        for i in range(votes):
            resolution = factories.resolution(assembly, title=f"Résolution {i}")
            voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
        db.session.commit()


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email)
    return client


def test_packages_register_the_home_panels_in_page_order(app: Flask) -> None:
    assert [p.name for p in home.home_panels() if p.name in PANELS] == PANELS


def test_home_shows_each_panel_in_order_only_when_it_has_content(app: Flask, world: factories.World) -> None:
    _open_votes(app, world, votes=1, extra_members=2)
    _count, html = _html(_client(app, world.emails["delegate"]))
    headings = ["Waiting for your organisation", "Votes waiting for your ballot", "Your organisation</h2>", "Upcoming assemblies"]
    assert all(h in html for h in headings) and "Member register" not in html
    assert [html.index(h) for h in headings] == sorted(html.index(h) for h in headings)
    assert "Résolution 0" in html and "Cast by proxy for <bdi>Collectif Solidaire de Nantes</bdi>" in html
    assert "Charter version 2 signed on" in html
    _count, html = _html(_client(app, world.emails["secretariat"]))
    assert "Member register" in html and "Active members: 4" in html and "Your organisation" not in html
    assert html.index("Upcoming assemblies") < html.index("Member register")
    _count, html = _html(_client(app, world.emails["ex_officio"]))
    assert "Upcoming assemblies" in html
    assert not any(h in html for h in ("Your organisation", "Votes waiting for your ballot", "Member register"))
    assert "Nothing is waiting for you." in html


@pytest.mark.parametrize("role", sorted(STATEMENTS))
def test_home_issues_as_many_statements_as_before_for_one_vote_or_many(app: Flask, world: factories.World,
                                                                        role: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted with the panels the page had before the registry (other packages add their own)."""
    monkeypatch.setattr(home, "_PANELS", {name: panel for name, panel in home._PANELS.items() if name in COUNTED})
    _open_votes(app, world, votes=1, extra_members=2)
    client = _client(app, world.emails[role])
    few, _ = _html(client)
    _open_votes(app, world, votes=6, extra_members=30, version=3)
    many, _ = _html(client)
    assert few == many == STATEMENTS[role]
