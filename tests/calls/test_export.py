"""Exports of a call's proposals: XLSX (two sheets) and CSV (proposals, or budget lines), parsed back with
openpyxl and the csv module; exact amounts, formula cells escaped, only submitted proposals."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.calls import export
from app.calls.models import EligibilityOverride, ProposalStatus
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.conftest import login

D = Decimal


@dataclass(frozen=True)
class Built:
    call_id: int
    clean: int
    formula: int
    ineligible: int


@pytest.fixture
def built(app: Flask, world: factories.World) -> Built:
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        other = db.session.get(Member, world.other_member_id)
        d1, d2 = builders.challenge("D1"), builders.challenge("D2")
        call = builders.call(challenges=[d1, d2])
        clean = builders.proposal(call, own, title="Eau potable", challenges=[d1, d2], submitted_days_ago=3,
                                  lines=[("staff", "Coordination", "1234.50", "800.25"),
                                         ("activities", "Ateliers", "98765.43", "50000")],
                                  cofinancing=[("Région", "35000.10", True)])
        formula = builders.proposal(call, other, title="=HYPERLINK(\"http://evil\")", submitted_days_ago=2,
                                    lines=[("other", "+cmd|' /C calc'!A0", "10000", "6500"),
                                           ("travel", "-2+3", "20000", "13000"),
                                           ("equipment", "@SUM(A1)", "30000", "19500")],
                                    cofinancing=[("Fondation", "20000", False)])
        ineligible = builders.proposal(call, other, title="Trop long", duration=48, submitted_days_ago=1)
        db.session.add(EligibilityOverride(proposal_id=ineligible.id, kind="duration_range", passed=True,
                                           reason="=Accord du comité du 3 mars pour 48 mois."))
        builders.proposal(call, own, title="Brouillon", status=ProposalStatus.draft)
        builders.proposal(call, own, title="Retiré", status=ProposalStatus.withdrawn)
        db.session.commit()
        return Built(call.id, clean.id, formula.id, ineligible.id)


@pytest.fixture
def secretariat(client: FlaskClient, world: factories.World) -> FlaskClient:
    login(client, world.emails["secretariat"])
    return client


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_of_the_proposals(secretariat: FlaskClient, built: Built) -> None:
    response = secretariat.get(f"/calls/{built.call_id}/proposals/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response.data)
    assert list(rows[0]) == list(export.PROPOSAL_COLUMNS)
    assert [r["title"] for r in rows] == ["Eau potable", "'=HYPERLINK(\"http://evil\")", "Trop long"]
    clean = rows[0]
    assert clean["reference"] == f"C{built.call_id}-P{built.clean:04d}"
    assert clean["lead"] == "Association des Jeunes de Gafsa" and clean["lead_country"] == "TN"
    assert clean["challenges"] == "D1, D2" and clean["duration_months"] == "24"
    assert (clean["total_budget"], clean["requested"], clean["cofinancing"]) == ("99999.93", "50800.25", "35000.10")
    assert clean["max_grant"] == "50800.00"  # the amount requested, to the euro
    assert (clean["eligibility"], clean["override"]) == ("eligible", "")
    overridden = rows[2]
    assert overridden["eligibility"] == "eligible"  # effective, after the override
    assert overridden["override"] == "duration_range: pass — =Accord du comité du 3 mars pour 48 mois."


def test_csv_of_the_budget_lines(secretariat: FlaskClient, built: Built) -> None:
    rows = _csv(secretariat.get(f"/calls/{built.call_id}/proposals/export.csv?sheet=lines").data)
    assert list(rows[0]) == list(export.LINE_COLUMNS)
    ref = f"C{built.call_id}-P{built.clean:04d}"
    assert [(r["reference"], r["category"], r["total"], r["requested"]) for r in rows[:2]] == [
        (ref, "staff", "1234.50", "800.25"), (ref, "activities", "98765.43", "50000.00")]
    descriptions = [r["description"] for r in rows if r["reference"].endswith(f"{built.formula:04d}")]
    assert descriptions == ["'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)"]
    assert len(rows) == 2 + 3 + 2  # drafts and withdrawn proposals left out
    assert sum((D(r["total"]) for r in rows), D(0)) == D("99999.93") + D("60000") + D("90115")


def test_xlsx_has_two_sheets_with_exact_amounts(secretariat: FlaskClient, built: Built) -> None:
    response = secretariat.get(f"/calls/{built.call_id}/proposals/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["proposals", "budget lines"]
    proposals = list(workbook["proposals"].iter_rows(values_only=True))
    assert proposals[0] == export.PROPOSAL_COLUMNS
    header = {name: i for i, name in enumerate(proposals[0])}
    clean = proposals[1]
    for column, expected in (("total_budget", "99999.93"), ("requested", "50800.25"), ("cofinancing", "35000.10"),
                             ("max_grant", "50800")):
        value = clean[header[column]]
        assert isinstance(value, (int, float)) and not isinstance(value, bool), column  # a number, not text
        assert D(str(value)) == D(expected), column
    assert workbook["proposals"].cell(row=2, column=header["total_budget"] + 1).number_format == "#,##0.00"
    assert proposals[2][header["title"]] == "'=HYPERLINK(\"http://evil\")"
    assert proposals[3][header["override"]].startswith("duration_range: pass — =Accord")
    lines = list(workbook["budget lines"].iter_rows(values_only=True))
    assert lines[0] == export.LINE_COLUMNS
    assert D(str(lines[1][3])) == D("1234.50") and D(str(lines[1][4])) == D("800.25")
    assert [row[2] for row in lines[3:6]] == ["'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)"]
    assert len(lines) == 1 + 7


def test_export_follows_the_lists_filters(secretariat: FlaskClient, built: Built) -> None:
    rows = _csv(secretariat.get(f"/calls/{built.call_id}/proposals/export.csv?country=FR&status=all").data)
    assert [r["title"] for r in rows] == ["'=HYPERLINK(\"http://evil\")", "Trop long"]  # still submitted only


def test_unknown_format_is_404(secretariat: FlaskClient, built: Built) -> None:
    assert secretariat.get(f"/calls/{built.call_id}/proposals/export.json").status_code == 404


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+33 1 23", "'+33 1 23"), ("-x", "'-x"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("plain", "plain"), ("a=b", "a=b"), ("", ""), (None, ""), (D("1.50"), D("1.50")), (12, 12),
    ("bell\x07", "bell"),
])
def test_cell_escaping(value: object, expected: object) -> None:
    assert export._cell(value) == expected
