"""Dates read by people: one format per language (Babel), never ISO in a sentence; an impossible date in an
import is called impossible, not badly written.

Why: e-mails said "closes at 2026-03-31 17:00", flash messages "due 2026-04-30", and the import preview
told a person who typed 2026-02-30 to write the date as YYYY-MM-DD, which they had done.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask, render_template, render_template_string
from flask_babel import force_locale

from app.members import transfer
from app.members.transfer_read import NO_SUCH_DATE, NOT_ISO_DATE, parse_iso_date

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-02-28", (date(2026, 2, 28), None)),
    ("2024-02-29", (date(2024, 2, 29), None)),  # a leap year
    ("2026-02-29", (None, NO_SUCH_DATE)),
    ("2026-02-30", (None, NO_SUCH_DATE)),
    ("2026-04-31", (None, NO_SUCH_DATE)),
    ("2026-13-01", (None, NO_SUCH_DATE)),
    ("2026-00-10", (None, NO_SUCH_DATE)),
    ("2026-01-00", (None, NO_SUCH_DATE)),
    ("0000-01-01", (None, NO_SUCH_DATE)),
    ("2026-12-31", (date(2026, 12, 31), None)),
    ("31/12/2026", (None, NOT_ISO_DATE)),
    ("20260101", (None, NOT_ISO_DATE)),
    ("2026-1-01", (None, NOT_ISO_DATE)),
    ("2026-01-01T00:00", (None, NOT_ISO_DATE)),
    ("２０２６-０１-０１", (None, NOT_ISO_DATE)),  # full-width digits are not read as a date
    ("", (None, NOT_ISO_DATE)),
])
def test_parse_iso_date(text: str, expected: tuple[date | None, str | None]) -> None:
    assert parse_iso_date(text) == expected


COLLEGES = {"cs-fr": 1}


def _row(**overrides: str) -> dict[str, str]:
    values = {"name": "Association Exemple", "acronym": "", "kind": "association", "country": "FR",
              "college": "CS-FR", "territory": "", "status": "active", "admission_date": "", "email": "",
              "phone": "", "address": "", "website": ""}
    values.update(overrides)
    return values


@pytest.mark.parametrize(("value", "locale", "says"), [
    ("2026-02-30", "en", "There is no such day as “2026-02-30”: check the day and month."),
    ("2026-02-30", "fr", "Le jour «\u202f2026-02-30\u202f» n'existe pas\u202f: vérifiez le jour et le mois."),
    ("2026-02-30", "ar", "لا يوجد يوم «2026-02-30»: تحقّق من اليوم والشهر."),
    ("30/02/2026", "en", "“30/02/2026” is not a date written as YYYY-MM-DD."),
])
def test_import_row_says_whether_a_date_is_impossible_or_badly_written(app: Flask, value: str, locale: str,
                                                                        says: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        result = transfer.validate_row(3, _row(admission_date=value), colleges=COLLEGES)
        assert [(e.column, e.code) for e in result.errors] == [("admission_date", "bad_date")]
        assert str(result.errors[0].message) == says


# E-mails and messages: Babel's format, not ISO ---------------------------------------------------------------

class _Obj:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


WHEN = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("template", "context"), [
    ("assembly/email/convocation.txt", {"assembly": _Obj(title="AG", starts_at=WHEN, location="Tunis",
                                                          id=1, agenda_items=[], documents=[]),
                                        "link": "x", "user": _Obj(full_name="N")}),
    ("assembly/email/vote_opened.txt", {"vote": _Obj(closes_at=WHEN), "title": "T", "link": "x",
                                        "user": _Obj(full_name="N")}),
    ("assembly/email/vote_reminder.txt", {"vote": _Obj(closes_at=WHEN), "title": "T", "link": "x",
                                          "user": _Obj(full_name="N")}),
    ("calls/email/call_reminder.txt", {"call": _Obj(title="C", closes_at=WHEN), "link": "x",
                                       "user": _Obj(full_name="N")}),
])
@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_emails_write_dates_the_way_of_their_language(app: Flask, template: str, context: dict[str, object],
                                                      locale: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        try:
            body = render_template(template, **context)
        except Exception as exc:  # noqa: BLE001 - a template needing more context than this test gives
            pytest.skip(f"{template}: {exc}")
    assert not ISO.search(body), body
    assert "2026" in body or "26" in body


def test_no_template_formats_a_date_by_hand() -> None:
    """strftime and isoformat() in a template write ISO in front of people; only form values and <time datetime>
    attributes may carry ISO."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app"
    offenders = []
    for path in sorted(root.rglob("templates/**/*")):
        if path.suffix not in (".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in re.finditer(r"\.(strftime|isoformat)\(", line):
                before = line[:match.start()]
                if re.search(r'(value|datetime|data-[\w-]+)="[^"]*$', before):
                    continue  # an input's value or a <time datetime>: machine text
                offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []


@pytest.mark.parametrize(("locale", "expected"), [
    ("fr", "31 mars 2026, 17:00"),
    ("en", "Mar 31, 2026, 5:00\u202fPM"),
    ("ar", "31\u200f/03\u200f/2026، 5:00 م"),
])
def test_a_moment_is_its_day_as_the_date_filter_writes_it_then_its_time(app: Flask, locale: str,
                                                                         expected: str) -> None:
    from flask_babel import format_date

    from app.core.i18n import format_moment

    with app.test_request_context("/"), force_locale(locale):
        assert format_moment(WHEN) == expected
        assert format_moment(WHEN).startswith(format_date(WHEN))
        assert render_template_string("{{ when|datetime }} / {{ when|date }}", when=WHEN) == (
            f"{expected} / {format_date(WHEN)}")
