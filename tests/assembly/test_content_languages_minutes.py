"""The minutes in Arabic read Arabic (titles, agenda, resolutions where given; the original marked otherwise),
and in the Arabic PDF acronyms, dates and Latin names keep their place and their own order (bidi isolation)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from tests import factories
from tests.conftest import login
from tests.pdf_text import assert_arabic_shaped, visual_lines

FRENCH_TITLE = "Assemblée générale 2026 (PCPA)"
ITEM_AR = "المصادقة على الميزانية"
RESOLUTION_AR = "اعتماد التقرير المالي"
#: A resolution given in French only: in the Arabic minutes it sits inside an Arabic sentence ("Resolution: …").
LATIN_RESOLUTION = "2027 : budget du PCPA"


def _reversed(arabic: str) -> str:
    """An Arabic run as :func:`visual_lines` gives it: drawn right to left, so read back reversed."""
    return arabic[::-1]


def _assembly(app: Flask) -> int:
    with app.app_context():
        assembly = factories.assembly(title=FRENCH_TITLE)
        assembly.starts_at = datetime(2027, 3, 14, 9, 30, tzinfo=UTC)
        item = assembly.agenda[0]
        item.title, item.description = "Approbation du budget", "Budget présenté par le CFSI."
        item.set_translation("title", "ar", ITEM_AR)
        resolution = factories.resolution(assembly, title="Adoption du rapport financier")
        resolution.title_ar, resolution.title_en = RESOLUTION_AR, ""
        latin = factories.resolution(assembly, title=LATIN_RESOLUTION)
        latin.title_en = latin.title_ar = ""
        db.session.commit()
        return assembly.id


def _minutes(app: Flask, client: FlaskClient, world: factories.World, locale: str, suffix: str = "") -> bytes:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    client.post("/language", data={"locale": locale, "next": "/"})
    response = client.get(f"/assemblies/{assembly_id}/minutes{suffix}")
    assert response.status_code == 200
    return response.data


def test_arabic_minutes_page_reads_arabic_and_marks_the_originals(app: Flask, client: FlaskClient,
                                                                   world: factories.World) -> None:
    html = _minutes(app, client, world, "ar").decode()
    assert '<html lang="ar" dir="rtl">' in html
    item_heading = re.search(r"<h3>(.*?)</h3>", html, re.S).group(1)
    assert f'<bdi lang="ar" dir="rtl">{ITEM_AR}</bdi>' in item_heading and "content-fallback" not in item_heading
    assert f'<bdi lang="ar" dir="rtl">{RESOLUTION_AR}</bdi>' in html
    # no Arabic for the assembly's title nor the item's description: the French original, marked
    title = html.split('<span class="assembly-title">')[1].split("</span></h1>")[0]
    assert f'<bdi lang="fr" dir="ltr">{FRENCH_TITLE}</bdi> <small class="content-fallback">' in title
    assert re.search(r'lang="fr" dir="ltr">Budget présenté par le CFSI.</div>\s*<small class="content-fallback">',
                     html)


def test_english_minutes_fall_back_to_the_french_resolution(app: Flask, client: FlaskClient,
                                                             world: factories.World) -> None:
    html = _minutes(app, client, world, "en").decode()
    assert '<bdi lang="fr" dir="ltr">Adoption du rapport financier</bdi> <small class="content-fallback">' in html
    assert "(original in French)" in html
    assert '<bdi lang="fr" dir="ltr">Approbation du budget</bdi> <small class="content-fallback">' in html


def test_arabic_minutes_pdf_keeps_acronyms_and_dates_in_order(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    pdf = _minutes(app, client, world, "ar", ".pdf")
    assert_arabic_shaped(pdf, [ITEM_AR, RESOLUTION_AR])
    lines = visual_lines(pdf)
    # The French title with its year and acronym stays whole, left to right, in the Arabic heading.
    assert any(FRENCH_TITLE in line for line in lines), lines
    # A French resolution title inside an Arabic sentence ("Resolution: …"): its year stays before its
    # acronym, left to right (without a left-to-right isolate the year, a number in an Arabic sentence,
    # is drawn after the Latin words: "budget du PCPA : 2027").
    sentence = next(line for line in lines if "PCPA" in line and "budget" in line)
    assert LATIN_RESOLUTION in sentence, sentence
    # The date line of an Arabic sentence: read from the right, the date comes first, then the time and
    # "UTC" as one left-to-right group ("09:30 UTC", not "UTC 09:30").
    date_line = next(line for line in lines if "UTC" in line and "2027" in line)
    assert "09:30 UTC" in date_line, date_line
    assert date_line.index("09:30 UTC") < date_line.index("2027"), date_line
    # The agenda item's number stays with its point ("1."), at the start (right) of the Arabic title.
    heading = next(line for line in lines if _reversed(ITEM_AR) in line)
    assert heading.endswith("1."), heading
