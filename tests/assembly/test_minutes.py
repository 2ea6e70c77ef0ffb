"""The minutes of an assembly: content, PDF (with Arabic shaped), roles and bounded queries.

A sitting is built through the services: members present, one represented by
proxy, absent ones with and without a presence row, a suspended member; a
secret double-majority resolution and an open one, both voted and closed, and
a resolution whose vote never opened.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.assembly import services, voting
from app.assembly.models import AssemblyStatus, PresenceStatus
from app.auth.models import User
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus
from tests import factories
from tests.conftest import login
from tests.members.test_directory_queries import counting
from tests.pdf_text import assert_arabic_shaped, pdf_text

ARABIC_TITLE = "الجمعية العامة العادية للبرنامج"
ARABIC_RESOLUTION = "المصادقة على التقرير الأدبي"


def _delegate(member: Member) -> User:
    return next(u for u in member.representatives if u.is_delegate)


def sitting(app: Flask, size: int, *, prefix: str = "Voter", title: str = "Assemblée plénière ordinaire",
            resolution_title: str = "Approbation du rapport moral") -> dict:
    """An assembly of ``size`` voting members (half French, half Tunisian) with its votes closed."""
    assert size >= 4
    with app.app_context():
        secretariat = db.session.scalar(select(User).where(User.kind == "secretariat"))
        half = size - size // 2
        fr = factories.voters(half, college_code="cs-fr", prefix=prefix)
        tn = factories.voters(size - half, college_code="cs-tn", country="TN", prefix=prefix)
        suspended = factories.member(f"{prefix} suspended member", status=MemberStatus.suspended)
        factories.member(f"{prefix} applicant member", status=MemberStatus.applicant)
        assembly = factories.assembly(title=title)
        assembly.minutes_notes = "The chair thanked the members for their work."
        secret = factories.resolution(assembly, title=resolution_title, double=True, secret=True)
        secret.title_ar = ARABIC_RESOLUTION
        named = factories.resolution(assembly, title="Budget prévisionnel", base="expressed", threshold="two_thirds",
                                     secret=False)
        later = services.add_agenda_item(assembly, actor=secretariat, title="Questions diverses")
        services.save_resolution(later, None, actor=secretariat, data={
            "title_fr": "Motion reportée", "title_en": "Postponed motion", "majority_base": "expressed",
            "threshold": "half", "double_majority": False, "secret": True})
        # fr[1] gives its proxy to fr[0]; fr[0] and tn[0] attend; tn[1] is recorded absent; the rest have no row.
        services.give_proxy(assembly, actor=secretariat, giver=fr[1], holder=fr[0])
        services.set_presence(assembly, fr[0], actor=secretariat, status=PresenceStatus.present)
        services.confirm_attendance(assembly, actor=_delegate(tn[0]))
        services.set_presence(assembly, tn[1], actor=secretariat, status=PresenceStatus.absent)
        db.session.commit()
        closes = utcnow() + timedelta(hours=1)
        for resolution in (secret, named):
            vote = resolution.vote
            voting.open_vote(vote, actor=secretariat, closes_at=closes)
            voting.cast(vote.id, fr[0].id, "for", actor=_delegate(fr[0]))
            voting.cast(vote.id, fr[1].id, "for", actor=_delegate(fr[0]))  # by proxy
            voting.cast(vote.id, tn[0].id, "against", actor=_delegate(tn[0]))
            for member in fr[2:] + tn[2:]:
                voting.cast(vote.id, member.id, "abstain" if member is tn[-1] else "for", actor=_delegate(member))
            voting.close_vote(vote, actor=secretariat)
        db.session.commit()
        return {
            "assembly_id": assembly.id,
            "names": [m.name for m in fr + tn] + [suspended.name],
            "fr": [m.name for m in fr], "tn": [m.name for m in tn], "suspended": suspended.name,
            "hashes": [secret.vote.final_hash, named.vote.final_hash],
            "results": [secret.vote.result, named.vote.result],
        }


def _speaks(app: Flask, email: str, locale: str) -> None:
    """The minutes come in the reader's language: fix it for the assertions."""
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).locale = locale
        db.session.commit()


def _squash(text: str) -> str:
    """Text without line breaks or spaces (a long hash wraps across lines in the PDF)."""
    return "".join(text.split())


# Content ---------------------------------------------------------------------------------

def test_preview_shows_attendance_proxies_quorum_resolutions_and_notes(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = sitting(app, 6)
    _speaks(app, world.emails["delegate"], "en")
    login(client, world.emails["delegate"])
    response = client.get(f"/assemblies/{data['assembly_id']}/minutes")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Assemblée plénière ordinaire" in html and "Ordinary" in html
    for name in data["names"]:
        assert name in html
    assert "applicant member" not in html  # applicants are not convened
    fr = data["fr"]
    # names inside a sentence are isolated (bidi): an Arabic page keeps them in place
    assert f"Represented by <bdi>{fr[0]}</bdi>" in html
    assert f"<bdi>{fr[1]}</bdi> gave its proxy to <bdi>{fr[0]}</bdi>" in html
    assert "Present (confirmed online)" in html  # tn[0] confirmed online
    # Quorum: 3 of the 8 active members (the world's two count too) present or represented: not reached.
    assert "Present or represented: 3 of 8 active members." in html
    assert "at least 1/2" in html and "The quorum is not reached." in html
    # Both closed votes: counts, outcome, rule, per-college counts, named choices, final hash.
    assert "More than half of the votes cast, abstentions excluded" in html
    assert "Double majority: the same majority is also required within each college." in html
    assert "At least two thirds of the votes cast, abstentions excluded" in html
    for result, final_hash in zip(data["results"], data["hashes"], strict=True):
        assert final_hash and final_hash in html
        assert result["counts"] == {"for": 3, "against": 1, "abstain": 1}
        assert f"<td>{result['counts']['for']}</td><td>1</td><td>1</td>" in html
    # The secret vote fails the majority in the Tunisian college; the open one passes two thirds (3 of 4).
    assert [r["outcome"] for r in data["results"]] == ["rejected", "adopted"]
    assert "Outcome: Rejected" in html and "Outcome: Adopted" in html
    assert "Per college (double majority)" in html and "Secret ballot" in html and "Open (named) vote" in html
    assert "Choices of the members (open vote)" in html
    assert "This vote is not closed (Not opened): no result is recorded." in html
    assert "Questions diverses" in html and "Postponed motion" in html
    assert "The chair thanked the members for their work." in html
    assert "Generated on" in html


def test_pdf_has_the_title_members_and_final_hashes(app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = sitting(app, 5)
    login(client, world.emails["secretariat"])
    response = client.get(f"/assemblies/{data['assembly_id']}/minutes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="minutes-{data["assembly_id"]}.pdf"'
    assert response.data.startswith(b"%PDF")
    text, fonts = pdf_text(response.data)
    assert "Assemblée plénière ordinaire" in text
    for name in data["names"]:
        assert name in text
    squashed = _squash(text)
    for final_hash in data["hashes"]:
        assert final_hash in squashed
    assert any("DejaVu" in f for f in fonts)


def test_arabic_minutes_are_right_to_left_and_shaped_with_dejavu(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    data = sitting(app, 4, title=ARABIC_TITLE)
    _speaks(app, world.emails["delegate"], "ar")
    login(client, world.emails["delegate"])
    html = client.get(f"/assemblies/{data['assembly_id']}/minutes").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert ARABIC_RESOLUTION in html  # the resolution's Arabic title in an Arabic reader's minutes
    response = client.get(f"/assemblies/{data['assembly_id']}/minutes.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = assert_arabic_shaped(response.data, ARABIC_TITLE.split() + ARABIC_RESOLUTION.split())
    for final_hash in data["hashes"]:
        assert final_hash in _squash(text)


# Roles -----------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["minutes", "minutes.pdf"])
def test_anonymous_is_sent_to_sign_in(app: Flask, client: FlaskClient, world: factories.World, suffix: str) -> None:
    with app.app_context():
        assembly = factories.assembly()
        db.session.commit()
        assembly_id = assembly.id
    response = client.get(f"/assemblies/{assembly_id}/{suffix}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["delegate", "alternate", "ex_officio", "secretariat"])
def test_every_signed_in_role_downloads_the_pdf(app: Flask, client: FlaskClient, world: factories.World,
                                                role: str) -> None:
    with app.app_context():
        assembly = factories.assembly()
        factories.resolution(assembly)
        db.session.commit()
        assembly_id = assembly.id
    login(client, world.emails[role])
    response = client.get(f"/assemblies/{assembly_id}/minutes.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/assemblies/{assembly_id}/minutes").status_code == 200


def test_a_draft_is_shown_to_the_secretariat_only(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        assembly = factories.assembly(convened=False)
        db.session.commit()
        assert assembly.status == AssemblyStatus.draft
        assembly_id = assembly.id
    login(client, world.emails["delegate"])
    assert client.get(f"/assemblies/{assembly_id}/minutes.pdf").status_code == 404
    assert client.get(f"/assemblies/{assembly_id}/minutes").status_code == 404
    client.post("/logout")
    login(client, world.emails["secretariat"])
    assert client.get(f"/assemblies/{assembly_id}/minutes").status_code == 200


def test_unknown_assembly_is_404(client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["delegate"])
    assert client.get("/assemblies/999999/minutes.pdf").status_code == 404


# Bounded queries --------------------------------------------------------------------------

def _statements(app: Flask, client: FlaskClient, url: str) -> int:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_minutes_queries_do_not_grow_with_members(app: Flask, client: FlaskClient, world: factories.World) -> None:
    small = sitting(app, 5, prefix="Small")
    login(client, world.emails["delegate"])
    small_counts = [_statements(app, client, f"/assemblies/{small['assembly_id']}/{suffix}")
                    for suffix in ("minutes", "minutes.pdf")]
    large = sitting(app, 40, prefix="Large")
    large_counts = [_statements(app, client, f"/assemblies/{large['assembly_id']}/{suffix}")
                    for suffix in ("minutes", "minutes.pdf")]
    assert large_counts == small_counts
