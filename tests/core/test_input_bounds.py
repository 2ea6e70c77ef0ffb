"""No input gives a 500: the cleaning and bounds rules (tables) and each finding of the fuzzing, reproduced.

Findings: NUL bytes in text fields and filters; integers of 2**31 and more in
path ids, ``page=`` and ``member_id`` (anonymously on ``/votes/<id>/board``);
an election whose term starts 9999-12-31 broke ``/elections`` for everyone;
and, found by ``test_fuzz_forms``, a challenge code differing from another only
by the case of a non-ASCII letter reached the unique index.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import DateField, DateTimeLocalField, DecimalField, IntegerField, StringField

from app.assembly.models import Vote
from app.calls.models import Challenge
from app.calls.selection import TrialParams
from app.calls.selection_forms import read_trial
from app.core import bounds
from app.core.forms import BaseForm
from app.core.inputs import CleanParameters
from app.core.text import has_controls, strip_controls
from app.core.timeutil import add_days, add_months, add_years, utcnow
from app.elections.models import Election
from app.extensions import db
from app.members.models import College
from tests import factories
from tests.conftest import login

# The pure rules ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [
    ("plain text", "plain text"),
    ("a\x00b", "ab"),
    ("\x01\x02\x03\x04\x05\x06\x07\x08", ""),
    ("tab\there\nline\r\nend", "tab\there\nline\r\nend"),  # tab, LF, CR stay
    ("\x0b\x0c\x0e\x1f", ""),
    ("del\x7f", "del"),
    ("c1\x80\x85\x9f", "c1"),
    ("\xa0non-breaking", "\xa0non-breaking"),  # U+00A0 is text, not a control
    ("abc\u202edcba", "abcdcba"),  # right-to-left override
    ("\u202a\u202b\u202c\u202d\u202e", ""),
    ("\u2066\u2067\u2068\u2069", ""),
    ("\u2065\u206a", "\u2065\u206a"),  # the neighbours of the isolates stay
    ("مرحبا\u200f", "مرحبا\u200f"),  # the right-to-left mark an Arabic text needs stays
    ("Gafsa 😀", "Gafsa 😀"),
    ("", ""),
])
def test_strip_controls(typed: str, kept: str) -> None:
    assert strip_controls(typed) == kept
    assert has_controls(typed) == (typed != kept)


@pytest.mark.parametrize(("text", "value"), [
    ("0", 0), ("12", 12), (" 7 ", 7), ("-3", -3), (str(2**31 - 1), 2**31 - 1), (str(-(2**31)), -(2**31)),
    (str(2**31), None), (str(-(2**31) - 1), None), (str(2**63), None), ("9" * 5000, None), ("", None),
    ("abc", None), ("1.5", None), ("1e3", None),
])
def test_bounded_int(text: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(ValueError):
            bounds.bounded_int(text)
    else:
        assert bounds.bounded_int(text) == value


@pytest.mark.parametrize(("text", "ok"), [("1", True), (str(2**31 - 1), True), ("0", False), ("-1", False),
                                          (str(2**31), False)])
def test_positive_id(text: str, ok: bool) -> None:
    if ok:
        assert bounds.positive_id(text) == int(text)
    else:
        with pytest.raises(ValueError):
            bounds.positive_id(text)


@pytest.mark.parametrize(("text", "low", "high", "value"), [
    ("12", 0, 100, 12), (" 0 ", 0, 100, 0), ("100", 0, 100, 100), ("101", 0, 100, None), ("-1", 0, 100, None),
    ("-5", -10, 10, -5), ("٣", 0, 100, 3),  # Arabic-Indic digits are decimal digits
    ("²", 0, 100, None), ("9" * 5000, 0, bounds.INT_MAX, None), (str(2**31), 0, bounds.INT_MAX, None),
    ("", 0, 100, None), (None, 0, 100, None), ("1.5", 0, 100, None), ("+3", 0, 100, None), ("-", 0, 100, None),
])
def test_int_or_none(text: str | None, low: int, high: int, value: int | None) -> None:
    assert bounds.int_or_none(text, low, high) == value


@pytest.mark.parametrize("typed", ["²", "9" * 5000, str(2**63)])
def test_a_typed_reserve_that_isdigit_accepts_but_int_refuses_is_explained(ctx: None, typed: str) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises: the trial page answered 500."""
    default = TrialParams(envelope_cents=100, ranking="score", mode="skip", reserve_size=2)
    entered = read_trial({"reserve": typed}, default=default, proposal_ids=[])
    assert "reserve" in entered.errors


@pytest.mark.parametrize(("day", "ok"), [
    (date(1900, 1, 1), True), (date(2200, 12, 31), True), (date(1899, 12, 31), False), (date(2201, 1, 1), False),
    (date(9999, 12, 31), False), (date(1, 1, 1), False), (datetime(2200, 12, 31, 23, 59, tzinfo=UTC), True),
])
def test_date_in_range(day: date, ok: bool) -> None:
    assert bounds.date_in_range(day) is ok


@pytest.mark.parametrize(("value", "ok"), [
    (0, True), (2**31 - 1, True), (2**31, False), (-(2**31), True), (-(2**31) - 1, False),
    (Decimal("12.5"), True), (Decimal("NaN"), False), (Decimal("sNaN"), False), (Decimal("Infinity"), False),
    (Decimal("1e999"), False), (float("nan"), False), (float("inf"), False), (1.5, True), (True, True),
])
def test_number_in_range(value: object, ok: bool) -> None:
    assert bounds.number_in_range(value) is ok


@pytest.mark.parametrize(("day", "years", "expected"), [
    (date(2026, 1, 1), 2, date(2028, 1, 1)),
    (date(2024, 2, 29), 2, date(2026, 2, 28)),  # 29 February: 28 February in a common year
    (date(2024, 2, 29), 4, date(2028, 2, 29)),
    (date(9999, 12, 31), 2, date(9999, 12, 31)),  # clamped, not an error
    (date(9998, 6, 15), 10, date(9999, 12, 31)),
    (date(1, 1, 1), -1, date(1, 1, 1)),
])
def test_add_years(day: date, years: int, expected: date) -> None:
    assert add_years(day, years) == expected


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 12, 1), 1, date(2027, 1, 1)),
    (date(2026, 3, 1), -3, date(2025, 12, 1)), (date(9999, 12, 1), 1, date(9999, 12, 31)),
    (date(2026, 1, 1), 2**31, date(9999, 12, 31)),
])
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("day", "days", "expected"), [
    (date(2026, 1, 1), 30, date(2026, 1, 31)), (date(9999, 12, 30), 5, date(9999, 12, 31)),
    (date(1, 1, 2), -5, date(1, 1, 1)), (date(2026, 1, 1), 10**12, date(9999, 12, 31)),
    (datetime(9999, 12, 31, 12, tzinfo=UTC), 1, datetime(9999, 12, 31, 12, tzinfo=UTC)),
])
def test_add_days(day: date, days: int, expected: date) -> None:
    assert add_days(day, days) == expected


# The form base -------------------------------------------------------------------------------------------------

class _Sample(BaseForm):
    class Meta:
        csrf = False

    name = StringField()
    on = DateField()
    at = DateTimeLocalField(format="%Y-%m-%dT%H:%M")
    count = IntegerField()
    amount = DecimalField()

    def validate_on(self, field: DateField) -> None:
        """A form's own check computes with the date: it must never see an out-of-range one."""
        field.data + timedelta(days=365 * 10)


@pytest.mark.parametrize(("name", "typed", "ok"), [
    ("on", "1900-01-01", True), ("on", "2200-12-31", True), ("on", "1899-12-31", False), ("on", "2201-01-01", False),
    ("on", "9999-12-31", False), ("on", "0001-01-01", False),
    ("at", "2200-12-31T23:59", True), ("at", "9999-12-31T23:59", False), ("at", "0001-01-01T00:00", False),
    ("count", str(2**31 - 1), True), ("count", str(2**31), False), ("count", str(-(2**31) - 1), False),
    ("count", str(2**63), False),
    ("amount", "12.50", True), ("amount", "NaN", False), ("amount", "Infinity", False), ("amount", "1e999", False),
])
def test_every_date_and_number_field_is_bounded(app: Flask, name: str, typed: str, ok: bool) -> None:
    data = {"on": "2026-01-01", "at": "2026-01-01T10:00", "count": "1", "amount": "1", name: typed}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = _Sample(formdata=MultiDict(data))
        assert form.validate() is ok, form.errors
        if not ok:
            assert form.errors[name][0].startswith(("Enter a date between the years 1900 and 2200",
                                                    "Enter a number between"))
            assert form[name]._value() == typed  # what was typed stays in the field


def test_request_parameters_are_cleaned_and_files_untouched() -> None:
    upload = FileStorage(BytesIO(b"\x00\x01binary"), filename="a.pdf")
    params = CleanParameters([("q", "a\x00b\u202ec"), ("q", "ok"), ("n\x00ame", "x"), ("file", upload)])
    assert params.getlist("q") == ["abc", "ok"] and params["name"] == "x"
    assert params["file"] is upload and upload.stream.read() == b"\x00\x01binary"


# The findings, over HTTP ---------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_a_nul_in_a_text_field_is_dropped_before_the_form(app: Flask, client: FlaskClient,
                                                          world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/colleges/new", data={"code": "cs-\x00ma", "name_fr": "Société\x00 civile\u202e marocaine",
                                                  "name_en": "Moroccan civil society", "name_ar": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        college = db.session.scalar(select(College).where(College.code == "cs-ma"))
        assert college is not None and college.name_fr == "Société civile marocaine"


@pytest.mark.parametrize("url", ["/members?q=a%00b", "/assemblies?q=%00", "/calls?status=%00open",
                                 "/grants?q=%00&status=%00", "/audit?q=%00"])
def test_a_nul_in_a_filter_is_dropped(client: FlaskClient, world: factories.World, url: str) -> None:
    login(client, world.emails["secretariat"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/members/2147483648", "/members/9223372036854775808", "/members/" + "9" * 5000,
                                 "/assemblies/2147483648", "/grants/2147483648/reports/1",
                                 "/rulesets/1/versions/2147483648"])
def test_a_path_id_beyond_the_integer_range_is_not_found(client: FlaskClient, world: factories.World,
                                                         url: str) -> None:
    login(client, world.emails["secretariat"])
    assert client.get(url).status_code == 404


def test_the_public_board_refuses_huge_ids_and_pages_anonymously(app: Flask, client: FlaskClient,
                                                                  world: factories.World) -> None:
    with app.app_context():
        resolution = factories.resolution(factories.assembly())
        resolution.vote.status = "closed"
        db.session.commit()
        vote_id = resolution.vote_id
    assert client.get("/votes/2147483648/board").status_code == 404
    assert client.get(f"/votes/{vote_id}/board?page=2147483648").status_code in (200, 404)
    assert client.get(f"/votes/{vote_id}/board?page=99999999999999999999&member_id=2147483648").status_code in (
        200, 404)


def test_a_huge_member_id_in_a_cast_is_refused(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        resolution = factories.resolution(factories.assembly())
        resolution.vote.status = "open"
        resolution.vote.closes_at = utcnow() + timedelta(hours=1)
        db.session.commit()
        vote_id = resolution.vote_id
    login(client, world.emails["delegate"])
    for member_id in (str(2**31), str(2**63), "-" + str(2**63)):
        response = client.post(f"/votes/{vote_id}/cast", data={"member_id": member_id, "choice": "for"})
        assert response.status_code in (302, 400, 403, 404, 422)


def test_a_page_number_beyond_the_integer_range_falls_back(client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    assert client.get("/grants/portfolio?page=9223372036854775808").status_code == 200


def _election_form(**overrides: str) -> dict[str, str]:
    now = utcnow()
    data = {"title": "Élection du comité", "seats": "3", "term_starts_on": "2027-01-01", "term_years": "2",
            "candidacy_opens_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "candidacy_closes_at": (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"), "assembly_id": "0",
            "parity_tolerance": ""}
    for prefix in ("colleges", "countries"):
        for i in range(2):
            data[f"{prefix}-{i}-minimum"] = data[f"{prefix}-{i}-maximum"] = ""
    return {**data, **overrides}


def test_a_term_start_of_9999_is_refused_at_its_field_and_kept(app: Flask, client: FlaskClient,
                                                                world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/elections/new", data=_election_form(term_starts_on="9999-12-31"))
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert 'id="term_starts_on-error"' in html and "Enter a date between the years 1900 and 2200." in html
    assert 'value="9999-12-31"' in html
    with app.app_context():
        assert db.session.scalar(select(Election)) is None
    assert client.get("/elections").status_code == 200


def test_an_election_already_stored_with_a_term_start_of_9999_still_renders(app: Flask, client: FlaskClient,
                                                                           world: factories.World) -> None:
    with app.app_context():
        election = Election(title="Élection mal saisie", seats=3, term_starts_on=date(9999, 12, 31), term_years=2,
                            candidacy_opens_at=utcnow() - timedelta(days=1),
                            candidacy_closes_at=utcnow() + timedelta(days=1), constraints={})
        election.vote = Vote(kind="election", secret=True)
        db.session.add(election)
        db.session.commit()
        election_id = election.id
        assert election.term_ends_on == date(9999, 12, 31)
    for role in ("secretariat", "delegate"):
        login(client, world.emails[role])
        for url in ("/elections", f"/elections/{election_id}", "/committee"):
            assert client.get(url).status_code == 200, (role, url)


def test_a_challenge_code_differing_only_by_non_ascii_case_is_refused_at_its_field(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    """Found by the fuzz test: SQLite's lower() folds ASCII only, so the check let "É" past "é" (a 500)."""
    login(client, world.emails["secretariat"])
    fields = {"position": "1", "title_fr": "Défi", "active": "y"}
    assert client.post("/challenges/new", data={"code": "ÉCO", **fields}).status_code == 302
    for code in ("ÉCO", "éco"):
        response = client.post("/challenges/new", data={"code": code, **fields})
        assert response.status_code == 422 and "Another challenge already uses this code." in response.get_data(
            as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(Challenge)).all()) == 1
