"""Assembly content in French, English and Arabic: forms keep the original's language and its translations,
pages show the reader's language or the original with a visible marker."""
from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly.models import AgendaItem, Assembly, AssemblyDocument
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.conftest import login

FORMAT = "%Y-%m-%dT%H:%M"
ARABIC_TITLE = "الجمعية العامة للربيع"


@pytest.fixture(autouse=True)
def documents_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "ASSEMBLY_DOCUMENTS_DIR", str(tmp_path / "documents"))
    return tmp_path / "documents"


def _speak(client: FlaskClient, locale: str) -> None:
    """The reader's language for this session (the header's language menu)."""
    client.post("/language", data={"locale": locale, "next": "/"})


def _form(**overrides: str) -> dict[str, str]:
    data = {"kind": "ordinary", "title": "Assemblée plénière de printemps", "source_locale": "fr",
            "starts_at": (utcnow() + timedelta(days=40)).strftime(FORMAT), "place": "Sfax",
            "online": "y", "notice_days": "15", "quorum": "1/2", "max_proxies": "1", "minutes_notes": ""}
    return data | overrides


def _html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _assembly(app: Flask) -> Assembly:
    with app.app_context():
        assembly = db.session.scalar(select(Assembly).order_by(Assembly.id.desc()))
        db.session.expunge_all()
        return assembly


def test_the_original_language_defaults_to_the_authors_interface(client: FlaskClient,
                                                                  world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    for locale in ("fr", "en", "ar"):
        _speak(client, locale)
        html = _html(client.get("/assemblies/new"))
        assert re.search(rf'<option selected value="{locale}">|<option value="{locale}" selected>', html), locale
        # the translation fields of the two other languages, labelled, Arabic typed right to left
        others = [code for code in ("fr", "en", "ar") if code != locale]
        for code in others:
            assert f'id="title_{code}"' in html and f'for="title_{code}"' in html
        assert f'id="title_{locale}"' not in html
        assert "<details" in html


def test_assembly_form_saves_and_shows_translations(app: Flask, client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/assemblies/new", data=_form(title_en="Spring plenary assembly", title_ar=ARABIC_TITLE))
    assert response.status_code == 302
    assembly = _assembly(app)
    assert assembly.source_locale == "fr"
    assert assembly.translations == {"title": {"en": "Spring plenary assembly", "ar": ARABIC_TITLE}}
    # The edit page shows them again; input with dir="rtl" for Arabic.
    html = _html(client.get(f"/assemblies/{assembly.id}/edit"))
    assert re.search(r'<input[^>]*dir="rtl"[^>]*id="title_ar"[^>]*lang="ar"[^>]*value="' + ARABIC_TITLE, html)
    # Each reader gets their language, without a marker.
    for locale, text in (("fr", "Assemblée plénière de printemps"), ("en", "Spring plenary assembly"),
                         ("ar", ARABIC_TITLE)):
        _speak(client, locale)
        page = _html(client.get(f"/assemblies/{assembly.id}"))
        direction = "rtl" if locale == "ar" else "ltr"
        assert f'<h1><bdi lang="{locale}" dir="{direction}">{text}</bdi></h1>' in page
        assert "content-fallback" not in page.split("<h1>")[1].split("</h1>")[0]
    # Removing the English translation: English readers get the French original, marked.
    _speak(client, "fr")
    data = _form(title_ar=ARABIC_TITLE, title_en="")
    assert client.post(f"/assemblies/{assembly.id}/edit", data=data).status_code == 302
    _speak(client, "en")
    page = _html(client.get(f"/assemblies/{assembly.id}"))
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert '<bdi lang="fr" dir="ltr">Assemblée plénière de printemps</bdi>' in heading
    assert '<small class="content-fallback">(original in French)</small>' in heading
    _speak(client, "ar")
    page = _html(client.get(f"/assemblies/{assembly.id}"))
    assert f'<h1><bdi lang="ar" dir="rtl">{ARABIC_TITLE}</bdi></h1>' in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title_ar": "ب" * 201}, "title_ar", "200"),
    ({"title_en": "x" * 201}, "title_en", "200"),
    ({"title": "", "title_en": "Spring"}, "title", "Enter a title."),
    ({"title_fr": "Assemblée"}, "title_fr", "This is the language of the original"),
    ({"source_locale": "xx"}, "source_locale", "Not a valid choice"),
])
def test_bad_translations_are_refused_at_the_field_and_kept(app: Flask, client: FlaskClient,
                                                             world: factories.World, overrides: dict[str, str],
                                                             field: str, message: str) -> None:
    login(client, world.emails["secretariat"])
    _speak(client, "en")
    response = client.post("/assemblies/new", data=_form(**overrides))
    html = _html(response)
    assert response.status_code in (200, 422)
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    for name, value in overrides.items():
        if value and name != "source_locale":
            assert f'value="{value}"' in html, name  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Assembly.id))) == 0


def test_an_arabic_original_read_in_french(app: Flask, client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    _speak(client, "ar")
    assert client.post("/assemblies/new", data=_form(title=ARABIC_TITLE, source_locale="ar")).status_code == 302
    assembly = _assembly(app)
    assert assembly.source_locale == "ar" and assembly.translations == {}
    _speak(client, "fr")
    page = _html(client.get(f"/assemblies/{assembly.id}"))
    heading = page.split("<h1>")[1].split("</h1>")[0]
    assert f'<bdi lang="ar" dir="rtl">{ARABIC_TITLE}</bdi>' in heading and "content-fallback" in heading


def test_agenda_item_in_three_languages(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        assembly_id = factories.assembly(convened=False).id
        db.session.commit()
    login(client, world.emails["secretariat"])
    _speak(client, "fr")
    response = client.post(f"/assemblies/{assembly_id}/agenda/new", data={
        "title": "Budget 2027", "description": "Présentation du budget.\nDébat.", "source_locale": "fr",
        "title_en": "2027 budget", "title_ar": "ميزانية 2027", "description_ar": "عرض الميزانية."})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Budget 2027"))
        item_id = item.id
        assert item.translations == {"title": {"en": "2027 budget", "ar": "ميزانية 2027"},
                                     "description": {"ar": "عرض الميزانية."}}
    _speak(client, "ar")
    page = _html(client.get(f"/assemblies/{assembly_id}"))
    assert '<strong><bdi lang="ar" dir="rtl">ميزانية 2027</bdi></strong>' in page
    assert 'lang="ar" dir="rtl">عرض الميزانية.</div>' in page
    _speak(client, "en")
    page = _html(client.get(f"/assemblies/{assembly_id}"))
    assert '<strong><bdi lang="en" dir="ltr">2027 budget</bdi></strong>' in page
    # the description has no English: the French original, marked
    assert re.search(r'lang="fr" dir="ltr">Présentation du budget.\nDébat.</div>\s*<small class="content-fallback">'
                     r"\(original in French\)</small>", page)
    # The edit page keeps the translations; a too long one is refused at its field, nothing saved.
    html = _html(client.get(f"/assemblies/{assembly_id}/agenda/{item_id}/edit"))
    assert 'value="2027 budget"' in html and "عرض الميزانية." in html
    response = client.post(f"/assemblies/{assembly_id}/agenda/{item_id}/edit", data={
        "title": "Budget 2027", "description": "", "source_locale": "fr", "title_en": "y" * 301, "title_ar": ""})
    html = _html(response)
    assert 'id="title_en-error"' in html and 'value="' + "y" * 301 + '"' in html
    with app.app_context():
        assert db.session.get(AgendaItem, item_id).translations["title"]["en"] == "2027 budget"
    response = client.post(f"/assemblies/{assembly_id}/agenda/{item_id}/edit", data={
        "title": "Budget 2027", "description": "Présentation.", "source_locale": "fr",
        "title_en": "Budget for 2027", "title_ar": ""})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item.description == "Présentation."
        assert item.translations == {"title": {"en": "Budget for 2027"}}


def test_document_title_in_three_languages(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        assembly_id = factories.assembly(convened=False).id
        db.session.commit()
    login(client, world.emails["secretariat"])
    _speak(client, "en")
    response = client.post(f"/assemblies/{assembly_id}/documents/new", content_type="multipart/form-data", data={
        "title": "Annual report", "source_locale": "en", "title_fr": "Rapport annuel",
        "file": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "report.pdf")})
    assert response.status_code == 302, _html(response)[:3000]
    with app.app_context():
        document = db.session.scalar(select(AssemblyDocument))
        document_id = document.id
        assert (document.source_locale, document.translations) == ("en", {"title": {"fr": "Rapport annuel"}})
    _speak(client, "fr")
    assert '<bdi lang="fr" dir="ltr">Rapport annuel</bdi></a>' in _html(client.get(f"/assemblies/{assembly_id}"))
    _speak(client, "ar")
    page = _html(client.get(f"/assemblies/{assembly_id}"))
    assert '<bdi lang="en" dir="ltr">Annual report</bdi> <small class="content-fallback">' in page
    # The title's edit page adds the Arabic title; the file is untouched.
    response = client.post(f"/assemblies/{assembly_id}/documents/{document_id}/edit", data={
        "title": "Annual report", "source_locale": "en", "title_fr": "Rapport annuel", "title_ar": "التقرير السنوي"})
    assert response.status_code == 302
    page = _html(client.get(f"/assemblies/{assembly_id}"))
    assert '<bdi lang="ar" dir="rtl">التقرير السنوي</bdi></a>' in page
    with app.app_context():
        assert db.session.get(AssemblyDocument, document_id).filename == "report.pdf"


def test_convocation_mail_in_each_recipients_language(app: Flask, client: FlaskClient,
                                                       world: factories.World) -> None:
    from app.auth.models import User
    from app.core.models import OutboxMessage

    with app.app_context():
        assembly = factories.assembly(convened=False, days_ahead=40, title="Assemblée de printemps")
        assembly.set_translation("title", "ar", ARABIC_TITLE)
        assembly.agenda[0].set_translation("title", "en", "Moral report")
        assembly_id = assembly.id
        for email, locale in ((world.emails["delegate"], "ar"), (world.emails["alternate"], "en")):
            db.session.scalar(select(User).where(User.email == email)).locale = locale
        db.session.commit()
    login(client, world.emails["secretariat"])
    assert client.post(f"/assemblies/{assembly_id}/convene", data={"accept_short_notice": "y"}).status_code == 302
    with app.app_context():
        mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    arabic, english = mails[world.emails["delegate"]], mails[world.emails["alternate"]]
    assert ARABIC_TITLE in arabic.subject and ARABIC_TITLE in arabic.body
    assert "1. Rapport moral (" in arabic.body  # no Arabic for the item: the original, marked
    assert "Assemblée de printemps" in english.subject
    assert "“Assemblée de printemps”. (original in French)" in english.body
    assert "1. Moral report\n" in english.body


def test_vote_mails_name_the_resolution_in_each_recipients_language(app: Flask) -> None:
    from app.assembly import voting
    from app.auth.models import UserKind
    from app.core.models import OutboxMessage

    with app.app_context():
        members = factories.voters(2)
        for member, locale in zip(members, ("ar", "en"), strict=True):
            member.representatives[0].locale = locale
        secretariat = factories.user("sec@example.org", kind=UserKind.secretariat)
        assembly = factories.assembly(convened=True)
        resolution = factories.resolution(assembly, title="Adoption du budget")
        resolution.title_en, resolution.title_ar = "", "اعتماد الميزانية"
        voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
        db.session.commit()
        mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    arabic, english = mails["voter-cs-fr-0@example.org"], mails["voter-cs-fr-1@example.org"]
    assert "اعتماد الميزانية" in arabic.subject and "«اعتماد الميزانية»" in arabic.body
    assert "Adoption du budget" in english.subject and "(original in French)" not in english.subject
    assert "“Adoption du budget (original in French)”" in english.body


def test_resolution_and_call_forms_take_every_language(app: Flask, client: FlaskClient,
                                                       world: factories.World) -> None:
    from app.assembly.models import Resolution

    with app.app_context():
        assembly = factories.assembly(convened=False)
        assembly_id, item_id = assembly.id, assembly.agenda[0].id
        db.session.commit()
    login(client, world.emails["secretariat"])
    _speak(client, "en")
    url = f"/assemblies/{assembly_id}/items/{item_id}/resolutions/new"
    html = _html(client.get(url))
    for name in ("title_ar", "text_ar"):
        assert re.search(rf'<(input|textarea)[^>]*dir="rtl"[^>]*id="{name}"[^>]*lang="ar"', html), name
    for name in ("title_fr", "title_en", "text_fr", "text_en"):
        assert f'id="{name}"' in html
    data = {"title_fr": "Adoption", "title_en": "Adoption (en)", "title_ar": "ب" * 301, "text_fr": "Texte",
            "text_en": "Text", "text_ar": "نص", "preset": "simple", "majority_base": "expressed",
            "threshold": "half", "secret": "y"}
    html = _html(client.post(url, data=data))
    assert 'id="title_ar-error"' in html and "ب" * 301 in html and 'value="Adoption (en)"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Resolution.id))) == 0
    assert client.post(url, data=data | {"title_ar": "اعتماد"}).status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Resolution))
        assert (saved.title_fr, saved.title_en, saved.title_ar, saved.text_fr, saved.text_en, saved.text_ar) == (
            "Adoption", "Adoption (en)", "اعتماد", "Texte", "Text", "نص")
    html = _html(client.get("/calls/new"))
    for name in ("title_ar", "text_ar"):
        assert re.search(rf'<(input|textarea)[^>]*dir="rtl"[^>]*id="{name}"[^>]*lang="ar"', html), name
