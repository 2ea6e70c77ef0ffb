"""Member pages as users see them: bad input kept and explained, nothing half-saved."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.core.models import OutboxMessage
from app.extensions import db
from app.members.models import College, Member
from tests import factories
from tests.conftest import login


def _form(app, **overrides):
    with app.app_context():
        college_id = db.session.scalar(select(College.id).where(College.code == "cs-tn"))
    data = {"name": "Union des Artisanes de Nabeul", "acronym": "UAN", "kind": "cooperative", "country": "TN",
            "college_id": str(college_id), "territory": "Nabeul", "admission_date": "", "email": "",
            "phone": "", "address": "", "website": ""}
    data.update(overrides)
    return data


def _count_members(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


def test_secretariat_creates_a_member(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/members/new", data=_form(app))
    assert response.status_code == 302
    assert "Union des Artisanes de Nabeul" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_duplicate_name_is_explained_at_the_field_and_input_kept(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    before = _count_members(app)
    html = client.post("/members/new", data=_form(app, name="association des jeunes de gafsa",
                                                  territory="Gafsa-Sud")).get_data(as_text=True)
    assert 'id="name-error"' in html
    assert 'value="association des jeunes de gafsa"' in html and 'value="Gafsa-Sud"' in html
    assert _count_members(app) == before


def test_invalid_fields_are_each_explained(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    html = client.post("/members/new", data=_form(app, name="", email="not-an-address", website="nowhere",
                                                  phone="call me", kind="bogus")).get_data(as_text=True)
    for field in ("name", "email", "website", "phone", "kind"):
        assert f'id="{field}-error"' in html, field
    assert 'value="not-an-address"' in html
    assert _count_members(app) == 2


def test_status_change_needs_reason_and_shows_history(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    url = f"/members/{world.member_id}/status"
    html = client.post(url, data={"status": "suspended", "reason": ""}).get_data(as_text=True)
    assert 'id="reason-error"' in html
    response = client.post(url, data={"status": "suspended", "reason": "Cotisation impayée",
                                      "effective_date": "2026-02-01"})
    assert response.status_code == 302
    page = client.get(f"/members/{world.member_id}").get_data(as_text=True)
    assert "Cotisation impayée" in page


def test_withdrawn_member_cannot_change_status_again(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    client.post(f"/members/{world.member_id}/status", data={"status": "withdrawn", "reason": "Dissolution"})
    html = client.post(f"/members/{world.member_id}/status", data={"status": "active", "reason": "x"},
                       follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Member, world.member_id).status == "withdrawn"
    assert "<h1>" in html


def test_invite_with_bad_email_keeps_the_name(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    html = client.post(f"/members/{world.member_id}/representatives/invite",
                       data={"full_name": "Sami Trabelsi", "email": "sami@", "gender": "male", "locale": "ar"}
                       ).get_data(as_text=True)
    assert 'id="email-error"' in html and 'value="Sami Trabelsi"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_invite_someone_already_representing_another_member(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    html = client.post(f"/members/{world.member_id}/representatives/invite",
                       data={"full_name": "Other", "email": world.emails["other_delegate"], "gender": "male",
                             "locale": "fr"}).get_data(as_text=True)
    assert 'id="email-error"' in html


def test_make_delegate_asks_for_confirmation_then_swaps(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    with app.app_context():
        alternate_id = db.session.scalar(select(User.id).where(User.email == world.emails["alternate"]))
    url = f"/members/{world.member_id}/representatives/{alternate_id}/delegate"
    assert client.get(url).status_code == 200
    with app.app_context():
        assert not db.session.get(User, alternate_id).is_delegate
    assert client.post(url, data={"submit": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, alternate_id).is_delegate
        assert not db.session.scalar(select(User).where(User.email == world.emails["delegate"])).is_delegate


def test_representative_of_another_member_is_404(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    with app.app_context():
        other_id = db.session.scalar(select(User.id).where(User.email == world.emails["other_delegate"]))
    assert client.get(f"/members/{world.member_id}/representatives/{other_id}/delegate").status_code == 404


def test_contacts_visible_to_secretariat_only(app, client, world) -> None:
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        member.email = "contact@ajg.example.tn"
        db.session.commit()
    login(client, world.emails["delegate"])
    assert "contact@ajg.example.tn" not in client.get(f"/members/{world.member_id}").get_data(as_text=True)
    client.post("/logout")
    login(client, world.emails["secretariat"])
    assert "contact@ajg.example.tn" in client.get(f"/members/{world.member_id}").get_data(as_text=True)


def test_delegate_signs_charter_and_directory_flags_the_others(app, client, world) -> None:
    login(client, world.emails["delegate"])
    html = client.post("/charter", data={}).get_data(as_text=True)
    assert 'id="agree-error"' in html
    assert client.post("/charter", data={"agree": "y"}).status_code == 302
    signed = client.get("/members?charter=signed").get_data(as_text=True)
    unsigned = client.get("/members?charter=unsigned").get_data(as_text=True)
    assert "Association des Jeunes de Gafsa" in signed and "Collectif Solidaire de Nantes" not in signed
    assert "Collectif Solidaire de Nantes" in unsigned


def test_alternate_cannot_sign(app, client, world) -> None:
    login(client, world.emails["alternate"])
    client.post("/charter", data={"agree": "y"})
    with app.app_context():
        assert db.session.get(Member, world.member_id).signatures == []


def test_directory_search_filters_sort_and_pages(app, client, world) -> None:
    with app.app_context():
        for index in range(30):
            factories.member(f"Réseau Fictif {index:02d}", country="TN", college_code="cs-tn")
        db.session.commit()
    login(client, world.emails["delegate"])
    page1 = client.get("/members?q=reseau fictif&sort=name").get_data(as_text=True)
    assert "Réseau Fictif 00" in page1 and "Réseau Fictif 29" not in page1 and 'rel="next"' in page1
    page2 = client.get("/members?q=reseau fictif&sort=name&page=2").get_data(as_text=True)
    assert "Réseau Fictif 29" in page2
    desc = client.get("/members?q=reseau fictif&sort=name&dir=desc").get_data(as_text=True)
    assert "Réseau Fictif 29" in desc
    france = client.get("/members?country=FR").get_data(as_text=True)
    assert "Collectif Solidaire de Nantes" in france and "Réseau Fictif" not in france
    assert "Collectif" not in client.get("/members?college=cs-tn").get_data(as_text=True)
    assert "Aucun" in client.get("/members?q=zzzz").get_data(as_text=True) or \
        "No member" in client.get("/members?q=zzzz").get_data(as_text=True)


def test_colleges_are_configurable(app, client, world) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/colleges/new", data={"code": "auth", "name_fr": "Collectivités territoriales",
                                                  "name_en": "Local authorities", "name_ar": "الجماعات المحلية"})
    assert response.status_code == 302
    html = client.post("/colleges/new", data={"code": "auth", "name_fr": "Doublon"}).get_data(as_text=True)
    assert 'id="code-error"' in html and 'value="Doublon"' in html


def test_a_member_records_its_registration_for_the_org_id(app, client, world) -> None:
    """The register and the number make the organisation's identifier in the grants exports."""
    login(client, world.emails["secretariat"])
    url = f"/members/{world.member_id}/edit"
    half = client.post(url, data=_form(app, name="Association des Jeunes de Gafsa", org_id_scheme="tn-rne",
                                        registration_number=""))
    assert half.status_code in (200, 422) and 'id="registration_number-error"' in half.get_data(as_text=True)
    bad = client.post(url, data=_form(app, name="Association des Jeunes de Gafsa", org_id_scheme="Tunisie",
                                       registration_number="123"))
    assert 'id="org_id_scheme-error"' in bad.get_data(as_text=True) and 'value="Tunisie"' in bad.get_data(as_text=True)
    good = client.post(url, data=_form(app, name="Association des Jeunes de Gafsa", org_id_scheme="tn-rne",
                                        registration_number=" 1234567A "))
    assert good.status_code == 302
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        assert (member.org_id_scheme, member.registration_number) == ("TN-RNE", "1234567A")
