"""Calls read in the reader's language with the original marked (pages, the call's e-mail)."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from app.calls.models import CallStatus
from app.extensions import db
from tests import factories
from tests.calls import builders
from tests.conftest import login

ARABIC = "التعاون بشكل مختلف"


def _call(app: Flask, **texts: str) -> int:
    with app.app_context():
        call = builders.call(status=CallStatus.published, title="Coopérer autrement", text="Texte en français.")
        for name, value in texts.items():
            setattr(call, name, value)
        db.session.commit()
        return call.id


def _page(client: FlaskClient, locale: str, url: str) -> str:
    client.post("/language", data={"locale": locale, "next": "/"})
    return client.get(url).get_data(as_text=True)


def test_public_call_in_each_language_with_the_marker_on_fallback(app: Flask, client: FlaskClient) -> None:
    call_id = _call(app, title_en="", title_ar=ARABIC, text_en="", text_ar="")
    url = f"/public/calls/{call_id}"
    arabic = _page(client, "ar", url)
    assert f'<h1><bdi lang="ar" dir="rtl">{ARABIC}</bdi></h1>' in arabic
    # the text has no Arabic: the French original, tagged and marked
    assert '<div class="user-text content-text charter-text" lang="fr" dir="ltr">Texte en français.</div>' in arabic
    assert arabic.count('class="content-fallback"') == 1
    english = _page(client, "en", url)
    assert '<h1><bdi lang="fr" dir="ltr">Coopérer autrement</bdi> <small class="content-fallback">(original in French)</small>' \
           '</h1>' in english
    assert "<title>Coopérer autrement" in english  # the page title stays plain text
    french = _page(client, "fr", url)
    assert '<h1><bdi lang="fr" dir="ltr">Coopérer autrement</bdi></h1>' in french and "content-fallback" not in french


def test_call_pages_for_the_secretariat_mark_the_fallback(app: Flask, client: FlaskClient,
                                                          world: factories.World) -> None:
    call_id = _call(app, title_en="")
    login(client, world.emails["secretariat"])
    html = _page(client, "en", f"/calls/{call_id}")
    assert '<h1><bdi lang="fr" dir="ltr">Coopérer autrement</bdi> <small class="content-fallback">' in html
    listing = _page(client, "en", "/calls")
    assert '<bdi lang="fr" dir="ltr">Coopérer autrement</bdi> <small class="content-fallback">' in listing


def test_call_mail_text_reads_the_recipients_language(app: Flask) -> None:
    from flask import render_template

    with app.test_request_context():
        call = builders.call(title="Coopérer autrement")
        call.title_en, call.title_ar = "", ARABIC
        with force_locale("ar"):
            arabic = render_template("calls/email/call_opened.txt", call=call, user=None, link="x")
        with force_locale("en"):
            english = render_template("calls/email/call_opened.txt", call=call, user=None, link="x")
        db.session.rollback()
    assert ARABIC in arabic and "(original in" not in arabic
    assert "“Coopérer autrement (original in French)”" in english
