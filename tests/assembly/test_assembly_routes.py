"""Assembly pages as users see them: create, agenda, documents, convene, attendance,
proxies, resolutions; who may do what; and a bounded number of queries per page."""
from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

from app.assembly import voting
from app.assembly.models import (
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyStatus,
    Presence,
    PresenceStatus,
    Proxy,
    Resolution,
)
from app.auth.models import User, UserKind
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus
from tests import factories
from tests.conftest import counting, login


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    """These tests read the English messages (French is the default language)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture(autouse=True)
def documents_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploaded files go to a temporary folder, never to the instance folder."""
    monkeypatch.setitem(app.config, "ASSEMBLY_DOCUMENTS_DIR", str(tmp_path / "documents"))
    return tmp_path / "documents"


def _form(**overrides: str) -> dict[str, str]:
    data = {"kind": "ordinary", "title": "Assemblée plénière de printemps",
            "starts_at": (utcnow() + timedelta(days=40)).strftime(FORMAT), "place": "Sfax, maison des associations",
            "online": "y", "notice_days": "15", "quorum": "1/2", "max_proxies": "1", "minutes_notes": ""}
    data.update(overrides)
    return data


def _make_assembly(app: Flask, **kwargs: object) -> int:
    with app.app_context():
        assembly = factories.assembly(**kwargs)
        db.session.commit()
        return assembly.id


def _get(app: Flask, model: type, ident: int):  # noqa: ANN202
    with app.app_context():
        obj = db.session.get(model, ident)
        db.session.expunge_all()
        return obj


def _count(app: Flask, column) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


def _html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


# Create and edit ------------------------------------------------------------------------------

def test_secretariat_creates_an_assembly_as_a_draft(app: Flask, client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    assert 'value="1/2"' in _html(client.get("/assemblies/new"))  # the statutes' defaults are offered
    response = client.post("/assemblies/new", data=_form(quorum="2/3", max_proxies="2"))
    assert response.status_code == 302
    html = _html(client.get(response.headers["Location"]))
    assert "Assemblée plénière de printemps" in html
    with app.app_context():
        assembly = db.session.scalar(select(Assembly))
        assert assembly.status == AssemblyStatus.draft
        assert (assembly.quorum_num, assembly.quorum_den, assembly.max_proxies) == (2, 3, 2)
        assert assembly.starts_at.tzinfo is not None and assembly.online
    # Drafts are listed for the secretariat only.
    assert "Assemblée plénière de printemps" in _html(client.get("/assemblies"))


def test_bad_input_is_explained_at_each_field_and_kept(app: Flask, client: FlaskClient,
                                                       world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    past = (utcnow() - timedelta(days=1)).strftime(FORMAT)
    response = client.post("/assemblies/new", data=_form(title="", starts_at=past, quorum="three", notice_days="-1",
                                                         place="Salle des fêtes de Kairouan"))
    html = _html(response)
    for field in ("title", "starts_at", "quorum", "notice_days"):
        assert f'id="{field}-error"' in html, field
    assert "The date is in the past. If this sitting has already taken place" in html
    assert 'value="Salle des fêtes de Kairouan"' in html and f'value="{past}"' in html and 'value="three"' in html
    assert _count(app, Assembly.id) == 0
    # Neither a place nor online: where would members go?
    html = _html(client.post("/assemblies/new", data={k: v for k, v in _form(place="").items() if k != "online"}))
    assert 'id="place-error"' in html
    assert _count(app, Assembly.id) == 0


def test_edit_keeps_a_past_date_that_was_not_changed(app: Flask, client: FlaskClient,
                                                     world: factories.World) -> None:
    assembly_id = _make_assembly(app, days_ahead=-1)  # sitting since yesterday
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/assemblies/{assembly_id}/edit"))
    starts = re.search(r'name="starts_at"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(f"/assemblies/{assembly_id}/edit",
                           data=_form(title="Assemblée renommée", starts_at=starts, quorum="1/3"))
    assert response.status_code == 302
    assembly = _get(app, Assembly, assembly_id)
    assert assembly.title == "Assemblée renommée" and (assembly.quorum_num, assembly.quorum_den) == (1, 3)


# Agenda and documents ------------------------------------------------------------------------------

def _agenda_titles(app: Flask, assembly_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AgendaItem.title).where(AgendaItem.assembly_id == assembly_id)
                                       .order_by(AgendaItem.position)))


def test_agenda_items_are_added_reordered_and_removed(app: Flask, client: FlaskClient,
                                                      world: factories.World) -> None:
    assembly_id = _make_assembly(app, convened=False)  # comes with "Rapport moral"
    login(client, world.emails["secretariat"])
    for title in ("Rapport financier", "Élection du comité"):
        assert client.post(f"/assemblies/{assembly_id}/agenda/new", data={"title": title}).status_code == 302
    assert 'id="title-error"' in _html(client.post(f"/assemblies/{assembly_id}/agenda/new", data={"title": ""}))
    assert _agenda_titles(app, assembly_id) == ["Rapport moral", "Rapport financier", "Élection du comité"]
    with app.app_context():
        last = db.session.scalar(select(AgendaItem.id).where(AgendaItem.title == "Élection du comité"))
        first = db.session.scalar(select(AgendaItem.id).where(AgendaItem.title == "Rapport moral"))
    client.post(f"/assemblies/{assembly_id}/agenda/{last}/move", data={"direction": "up"})
    assert _agenda_titles(app, assembly_id) == ["Rapport moral", "Élection du comité", "Rapport financier"]
    client.post(f"/assemblies/{assembly_id}/agenda/{first}/move", data={"direction": "down"})
    assert _agenda_titles(app, assembly_id) == ["Élection du comité", "Rapport moral", "Rapport financier"]
    client.post(f"/assemblies/{assembly_id}/agenda/{last}/move", data={"direction": "up"})  # already first
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert html.index("Élection du comité") < html.index("Rapport moral") < html.index("Rapport financier")
    # Removing asks first, then removes.
    assert "Remove “Rapport moral” from the agenda?" in _html(
        client.get(f"/assemblies/{assembly_id}/agenda/{first}/remove"))
    assert client.post(f"/assemblies/{assembly_id}/agenda/{first}/remove").status_code == 302
    assert _agenda_titles(app, assembly_id) == ["Élection du comité", "Rapport financier"]


def test_document_upload_and_download(app: Flask, client: FlaskClient, world: factories.World,
                                      documents_dir: Path) -> None:
    assembly_id = _make_assembly(app)
    login(client, world.emails["secretariat"])
    content = b"%PDF-1.4 rapport moral"
    response = client.post(f"/assemblies/{assembly_id}/documents/new", content_type="multipart/form-data",
                           data={"title": "Rapport moral 2025", "file": (BytesIO(content), "rapport-moral.pdf")})
    assert response.status_code == 302
    with app.app_context():
        document = db.session.scalar(select(AssemblyDocument))
        document_id, stored = document.id, document.stored_name
    assert (documents_dir / stored).read_bytes() == content
    # A bad extension is refused at the field; nothing is stored.
    html = _html(client.post(f"/assemblies/{assembly_id}/documents/new", content_type="multipart/form-data",
                             data={"title": "Outil", "file": (BytesIO(b"MZ"), "outil.exe")}))
    assert 'id="file-error"' in html and 'value="Outil"' in html
    assert _count(app, AssemblyDocument.id) == 1 and len(list(documents_dir.iterdir())) == 1
    # Any signed-in user downloads it under its original name.
    client.post("/logout")
    login(client, world.emails["alternate"])
    assert "Rapport moral 2025" in _html(client.get(f"/assemblies/{assembly_id}"))
    response = client.get(f"/assemblies/{assembly_id}/documents/{document_id}")
    assert response.status_code == 200 and response.data == content
    assert "attachment" in response.headers["Content-Disposition"]
    assert "rapport-moral.pdf" in response.headers["Content-Disposition"]
    other = _make_assembly(app, title="Autre assemblée")
    assert client.get(f"/assemblies/{other}/documents/{document_id}").status_code == 404


# Convene -------------------------------------------------------------------------------------------

def test_convene_with_short_notice_needs_the_checkbox(app: Flask, client: FlaskClient,
                                                      world: factories.World) -> None:
    assembly_id = _make_assembly(app, convened=False, days_ahead=5)
    with app.app_context():  # a withdrawn member's representative is not convened
        gone = factories.member("Association dissoute", status=MemberStatus.withdrawn)
        factories.user("gone@example.org", member=gone, delegate=True)
        db.session.commit()
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/assemblies/{assembly_id}/convene"))
    assert "The statutory notice is not met." in html and "3 people" in html
    assert 'name="accept_short_notice"' in html
    response = client.post(f"/assemblies/{assembly_id}/convene", data={})
    assert 'id="accept_short_notice-error"' in _html(response)
    assert _get(app, Assembly, assembly_id).status == AssemblyStatus.draft
    assert _count(app, OutboxMessage.id) == 0
    response = client.post(f"/assemblies/{assembly_id}/convene", data={"accept_short_notice": "y"})
    assert response.status_code == 302
    assembly = _get(app, Assembly, assembly_id)
    assert assembly.status == AssemblyStatus.convened and assembly.convened_at is not None
    with app.app_context():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {world.emails["delegate"], world.emails["alternate"], world.emails["other_delegate"]}
    # Convening twice is not possible.
    client.post(f"/assemblies/{assembly_id}/convene", data={"accept_short_notice": "y"})
    assert _count(app, OutboxMessage.id) == 3


def test_convene_with_enough_notice_asks_no_checkbox(app: Flask, client: FlaskClient,
                                                     world: factories.World) -> None:
    assembly_id = _make_assembly(app, convened=False, days_ahead=30)
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/assemblies/{assembly_id}/convene"))
    assert "The statutory notice is not met." not in html and 'name="accept_short_notice"' not in html
    assert client.post(f"/assemblies/{assembly_id}/convene", data={}).status_code == 302
    assert _get(app, Assembly, assembly_id).status == AssemblyStatus.convened


def test_drafts_are_hidden_from_members(app: Flask, client: FlaskClient, world: factories.World) -> None:
    draft = _make_assembly(app, convened=False, title="Brouillon secret")
    convened = _make_assembly(app, title="Assemblée convoquée")
    login(client, world.emails["delegate"])
    html = _html(client.get("/assemblies"))
    assert "Assemblée convoquée" in html and "Brouillon secret" not in html
    assert client.get(f"/assemblies/{draft}").status_code == 404
    assert client.get(f"/assemblies/{convened}").status_code == 200
    assert "Assemblée convoquée" in _html(client.get("/"))  # upcoming, on the home page


# Attendance ---------------------------------------------------------------------------------------

def test_secretariat_records_attendance_and_quorum_is_shown(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    login(client, world.emails["secretariat"])
    assert "Quorum not reached" in _html(client.get(f"/assemblies/{assembly_id}"))
    html = _html(client.get(f"/assemblies/{assembly_id}/presence"))
    assert "Association des Jeunes de Gafsa" in html and "Collectif Solidaire de Nantes" in html
    response = client.post(f"/assemblies/{assembly_id}/presence", data={"one": f"{world.member_id}:present"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Presence.status).where(Presence.member_id == world.member_id)) == "present"
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "Quorum reached: 1 of 2 members present or represented." in html
    # Search by name narrows the page.
    html = _html(client.get(f"/assemblies/{assembly_id}/presence?q=nantes"))
    assert "Collectif Solidaire de Nantes" in html and "Association des Jeunes de Gafsa" not in html


def test_attendance_is_all_or_nothing(app: Flask, client: FlaskClient, world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    login(client, world.emails["secretariat"])
    response = client.post(f"/assemblies/{assembly_id}/presence",
                           data={"one": f"{world.other_member_id}:represented"})
    html = _html(response)
    assert response.status_code == 422
    assert f'id="m-{world.other_member_id}-error"' in html and "has given no proxy" in html
    assert _count(app, Presence.id) == 0  # nothing half-saved, not even the row made to hold the status


def test_delegate_confirms_online_attendance(app: Flask, client: FlaskClient, world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    login(client, world.emails["delegate"])
    assert "Confirm our online attendance" in _html(client.get(f"/assemblies/{assembly_id}"))
    assert client.post(f"/assemblies/{assembly_id}/attend").status_code == 302
    with app.app_context():
        presence = db.session.scalar(select(Presence).where(Presence.member_id == world.member_id))
        assert presence.status == PresenceStatus.present and presence.confirmed_online
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "online attendance confirmed" in html and "Quorum reached" in html


# Proxies -----------------------------------------------------------------------------------------

def _third_member(app: Flask) -> tuple[int, str]:
    with app.app_context():
        member = factories.member("Coopérative des Oasis de Tozeur", country="TN", college_code="cs-tn")
        factories.user("third@example.org", member=member, delegate=True)
        db.session.commit()
        return member.id, "third@example.org"


def _live_proxies(app: Flask) -> list[tuple[int, int]]:
    with app.app_context():
        return list(db.session.execute(select(Proxy.giver_id, Proxy.holder_id).where(Proxy.revoked_at.is_(None))))


def test_delegate_gives_and_revokes_its_proxy_within_the_statutes(app: Flask, client: FlaskClient,
                                                                  world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    third_id, third_email = _third_member(app)
    login(client, world.emails["delegate"])
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "Give your proxy" in html and "Coopérative des Oasis de Tozeur" in html
    url = f"/assemblies/{assembly_id}/members/{world.member_id}/proxy"
    assert client.post(url, data={"holder_id": str(world.other_member_id)}).status_code == 302
    assert _live_proxies(app) == [(world.member_id, world.other_member_id)]
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "Your organisation gave its proxy to Collectif Solidaire de Nantes" in html
    # The delegate of another member may not act for it.
    assert client.post(f"/assemblies/{assembly_id}/members/{third_id}/proxy",
                       data={"holder_id": str(world.other_member_id)}).status_code == 403
    client.post("/logout")

    # The holder's delegate sees the proxy it holds.
    login(client, world.emails["other_delegate"])
    assert "holds the proxy of Association des Jeunes de Gafsa" in _html(client.get(f"/assemblies/{assembly_id}"))
    client.post("/logout")

    login(client, third_email)
    third_url = f"/assemblies/{assembly_id}/members/{third_id}/proxy"
    # Cap (1): the holder already carries one proxy.
    response = client.post(third_url, data={"holder_id": str(world.other_member_id)})
    assert response.status_code == 422
    html = _html(response)
    assert 'id="holder_id-error"' in html and "already holds as many proxies as the statutes allow (1)" in html
    assert f'<option selected value="{world.other_member_id}">' in html  # the choice is kept
    # No chains: the member that gave its proxy cannot hold one.
    html = _html(client.post(third_url, data={"holder_id": str(world.member_id)}))
    assert 'id="holder_id-error"' in html and "proxies cannot be passed on" in html
    # No choice at all.
    assert 'id="holder_id-error"' in _html(client.post(third_url, data={"holder_id": "0"}))
    assert _live_proxies(app) == [(world.member_id, world.other_member_id)]
    client.post("/logout")

    # An alternate cannot give the proxy.
    login(client, world.emails["alternate"])
    assert client.post(url, data={"holder_id": str(third_id)}).status_code == 403
    client.post("/logout")

    # The delegate revokes it; then the holder is free again.
    login(client, world.emails["delegate"])
    with app.app_context():
        proxy_id = db.session.scalar(select(Proxy.id))
    assert client.post(f"/assemblies/{assembly_id}/proxies/{proxy_id}/revoke").status_code == 302
    assert _live_proxies(app) == []
    client.post("/logout")
    login(client, third_email)
    assert client.post(third_url, data={"holder_id": str(world.other_member_id)}).status_code == 302
    assert _live_proxies(app) == [(third_id, world.other_member_id)]
    # The delegate cannot revoke another member's proxy.
    client.post("/logout")
    login(client, world.emails["delegate"])
    with app.app_context():
        live_id = db.session.scalar(select(Proxy.id).where(Proxy.revoked_at.is_(None)))
    assert client.post(f"/assemblies/{assembly_id}/proxies/{live_id}/revoke").status_code == 403


def test_secretariat_records_a_paper_proxy_and_the_giver_is_represented(app: Flask, client: FlaskClient,
                                                                         world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    login(client, world.emails["secretariat"])
    assert "Record a proxy" in _html(client.get(f"/assemblies/{assembly_id}/presence"))
    response = client.post(f"/assemblies/{assembly_id}/members/{world.other_member_id}/proxy",
                           data={"holder_id": str(world.member_id)})
    assert response.status_code == 302
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "Represented by proxy: 1" in html and "Quorum reached" in html
    assert "Held by Association des Jeunes de Gafsa" in _html(client.get(f"/assemblies/{assembly_id}/presence"))


# Resolutions -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("preset", "extra", "expected"), [
    ("simple", {}, ("expressed", "half")),
    ("absolute", {}, ("electorate", "half")),
    ("two_thirds", {}, ("expressed", "two_thirds")),
    ("custom", {"majority_base": "cast", "threshold": "two_thirds"}, ("cast", "two_thirds")),
])
def test_resolution_is_created_with_each_majority(app: Flask, client: FlaskClient, world: factories.World,
                                                  preset: str, extra: dict[str, str],
                                                  expected: tuple[str, str]) -> None:
    assembly_id = _make_assembly(app)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    login(client, world.emails["secretariat"])
    url = f"/assemblies/{assembly_id}/items/{item_id}/resolutions/new"
    assert '<input checked id="secret"' in _html(client.get(url))  # secret by default
    data = {"title_fr": "Adoption du budget", "title_en": "Budget adoption", "title_ar": "", "text_fr": "Le budget…",
            "preset": preset, "majority_base": "expressed", "threshold": "half", "secret": "y", **extra}
    if preset == "two_thirds":
        data["double_majority"] = "y"
        del data["secret"]
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        resolution = db.session.scalar(select(Resolution))
        assert (resolution.majority_base, resolution.threshold) == expected
        assert resolution.double_majority is (preset == "two_thirds")
        assert resolution.vote.secret is (preset != "two_thirds")
        assert resolution.vote.per_college is (preset == "two_thirds")
        resolution_id, vote_id = resolution.id, resolution.vote_id
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "Budget adoption" in html and f"/votes/{vote_id}" in html
    # Editing shows the rule chosen.
    html = _html(client.get(f"/assemblies/{assembly_id}/resolutions/{resolution_id}/edit"))
    assert f'<option selected value="{preset}">' in html


def test_resolution_needs_a_french_title_and_explains_the_rule(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    login(client, world.emails["secretariat"])
    url = f"/assemblies/{assembly_id}/items/{item_id}/resolutions/new"
    html = _html(client.post(url, data={"title_fr": "", "title_en": "Budget adoption", "preset": "simple",
                                        "majority_base": "expressed", "threshold": "half"}))
    assert 'id="title_fr-error"' in html and 'value="Budget adoption"' in html
    assert _count(app, Resolution.id) == 0
    client.post(url, data={"title_fr": "Modification des statuts", "preset": "two_thirds", "double_majority": "y",
                           "majority_base": "expressed", "threshold": "half"})
    html = _html(client.get(f"/assemblies/{assembly_id}"))
    assert "At least two thirds of the votes cast, abstentions excluded, overall and within each college" in html
    assert "Open (named)" in html  # the secret box was not ticked


# Close ---------------------------------------------------------------------------------------------

def test_close_asks_for_confirmation_then_freezes_the_assembly(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    login(client, world.emails["secretariat"])
    assert "Nothing can be changed afterwards" in _html(client.get(f"/assemblies/{assembly_id}/close"))
    assert _get(app, Assembly, assembly_id).status == AssemblyStatus.convened
    assert client.post(f"/assemblies/{assembly_id}/close").status_code == 302
    assert _get(app, Assembly, assembly_id).status == AssemblyStatus.closed
    client.post(f"/assemblies/{assembly_id}/agenda/new", data={"title": "Trop tard"})
    assert "Trop tard" not in _agenda_titles(app, assembly_id)


# Home page ---------------------------------------------------------------------------------------

def test_home_lists_the_ballots_a_delegate_may_still_cast(app: Flask, client: FlaskClient,
                                                          world: factories.World) -> None:
    with app.app_context():
        charter = factories.charter(2)
        for member_id in (world.member_id, world.other_member_id):
            member = db.session.get(Member, member_id)
            factories.sign(member, charter, member.delegate)
        assembly = factories.assembly()
        resolution = factories.resolution(assembly, title="Approbation des comptes")
        db.session.add(Proxy(assembly_id=assembly.id, giver_id=world.other_member_id, holder_id=world.member_id))
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
        voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
        db.session.commit()
        vote_id = resolution.vote_id
    login(client, world.emails["delegate"])
    html = _html(client.get("/"))
    assert "Approbation des comptes" in html and "for your organisation" in html
    assert "by proxy for <bdi>Collectif Solidaire de Nantes</bdi>" in html
    with app.app_context():
        delegate = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
        voting.cast(vote_id, world.member_id, "for", actor=delegate)
        db.session.commit()
    html = _html(client.get("/"))
    assert "Cast for your organisation" not in html and "by proxy for <bdi>Collectif Solidaire de Nantes</bdi>" in html
    client.post("/logout")
    login(client, world.emails["alternate"])  # the delegate has cast: nothing left for the alternate
    assert "Votes waiting for your ballot" not in _html(client.get("/"))


# Roles -------------------------------------------------------------------------------------------

def _secretariat_urls(app: Flask) -> list[str]:
    with app.app_context():
        assembly = db.session.scalar(select(Assembly))
        item = assembly.agenda[0]
        resolution = factories.resolution(assembly)
        db.session.commit()
        a, i, r = assembly.id, item.id, resolution.id
    return ["/assemblies/new", f"/assemblies/{a}/edit", f"/assemblies/{a}/convene", f"/assemblies/{a}/close",
            f"/assemblies/{a}/agenda/new", f"/assemblies/{a}/agenda/{i}/remove", f"/assemblies/{a}/documents/new",
            f"/assemblies/{a}/presence", f"/assemblies/{a}/items/{i}/resolutions/new",
            f"/assemblies/{a}/resolutions/{r}/edit"]


@pytest.mark.parametrize("role", ["delegate", "alternate", "ex_officio"])
def test_secretariat_pages_are_refused_to_other_roles(app: Flask, client: FlaskClient, world: factories.World,
                                                      role: str) -> None:
    assembly_id = _make_assembly(app)
    urls = _secretariat_urls(app)
    login(client, world.emails[role])
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={}).status_code == 403, url
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    assert client.post(f"/assemblies/{assembly_id}/agenda/{item_id}/move", data={"direction": "up"}).status_code == 403
    assert client.get(f"/assemblies/{assembly_id}").status_code == 200
    assert client.get("/assemblies").status_code == 200
    expected_attend = 403 if role == "ex_officio" else 302
    assert client.post(f"/assemblies/{assembly_id}/attend").status_code == expected_attend


def test_anonymous_visitors_are_sent_to_the_login_page(app: Flask, client: FlaskClient,
                                                       world: factories.World) -> None:
    assembly_id = _make_assembly(app)
    urls = [*_secretariat_urls(app), "/assemblies", f"/assemblies/{assembly_id}",
            f"/assemblies/{assembly_id}/members/{world.member_id}/proxy"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    response = client.post(f"/assemblies/{assembly_id}/attend")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Bounded queries ---------------------------------------------------------------------------------



def _count_get(app: Flask, client: FlaskClient, url: str) -> tuple[int, str]:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements), response.get_data(as_text=True)


def _populate(app: Flask, assembly_id: int, start: int, count: int) -> None:
    """``count`` more members with a delegate, each present or represented; every other one gave its
    proxy to the next; each with a document and a resolution on a new agenda item."""
    with app.app_context():
        members = factories.voters(count, prefix=f"Bulk{start}")
        for i, member in enumerate(members):
            gives = i % 2 == 0 and i + 1 < len(members)
            db.session.add(Presence(assembly_id=assembly_id, member_id=member.id,
                                    status=PresenceStatus.represented if gives else PresenceStatus.present))
        db.session.flush()
        db.session.execute(insert(Proxy), [
            {"assembly_id": assembly_id, "giver_id": members[i].id, "holder_id": members[i + 1].id,
             "created_at": utcnow()} for i in range(0, len(members) - 1, 2)])
        assembly = db.session.get(Assembly, assembly_id)
        for i in range(count // 5):
            item = AgendaItem(assembly=assembly, position=start + i + 10, title=f"Point {start + i}")
            db.session.add(item)
            db.session.add(AssemblyDocument(assembly=assembly, title=f"Document {start + i}",
                                            filename=f"doc{start + i}.pdf", stored_name=f"stored-{start + i}.pdf"))
            db.session.flush()
            factories.resolution(assembly, title=f"Résolution {start + i}")
        db.session.commit()


@pytest.mark.parametrize("role", ["secretariat", "delegate", "other_delegate"])
def test_detail_and_presence_pages_issue_a_fixed_number_of_queries(app: Flask, client: FlaskClient,
                                                                   world: factories.World, role: str) -> None:
    assembly_id = _make_assembly(app)
    if role == "other_delegate":  # the world's other member holds a proxy: its page says so
        with app.app_context():
            db.session.add(Proxy(assembly_id=assembly_id, giver_id=world.member_id, holder_id=world.other_member_id))
            db.session.commit()
    _populate(app, assembly_id, 100, 5)
    login(client, world.emails[role])
    urls = [f"/assemblies/{assembly_id}", "/assemblies", "/"]
    if role == "secretariat":
        urls += [f"/assemblies/{assembly_id}/presence", f"/assemblies/{assembly_id}/presence?q=bulk"]
    small = {url: _count_get(app, client, url)[0] for url in urls}
    _populate(app, assembly_id, 200, 45)  # 50 more members in all
    large = {}
    for url in urls:
        large[url], html = _count_get(app, client, url)
        if "presence" in url:
            assert "Bulk200" in html
    assert large == small
    if role == "secretariat":
        # The check-in page holds up to 100 members: a page past the end issues no more statements.
        assert _count_get(app, client, f"/assemblies/{assembly_id}/presence?page=2")[0] <= small[urls[3]]
    html = _count_get(app, client, f"/assemblies/{assembly_id}")[1]
    assert "Résolution 208" in html and "Document 208" in html and "Bulk200 cs-fr 43" in html
