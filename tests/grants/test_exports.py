"""The exports: tables (XLSX/CSV) from the ledger, 360Giving JSON and CSV validated against the official
360Giving 1.4.3 schema (jsonschema), IATI 2.03 activity XML validated against the official XSD (lxml); the same
files as pages (secretariat only) and as ``flask grants export-…`` commands on standard output. The schemas
are the official files, unchanged, copied from ../shared/standards/ into tests/grants/data/."""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from openpyxl import load_workbook
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.extensions import db
from app.grants import exports
from app.grants.models import Grant
from tests import factories
from tests.conftest import login
from tests.grants import portfolio_scene

DATA = Path(__file__).resolve().parent / "data"
IATI = "{http://www.w3.org/XML/1998/namespace}"


#: RFC 3339 date-time (jsonschema checks "date-time" only when rfc3339-validator is installed; without it every
#: string passes, and 360Giving's ``oneOf`` [date-time, YYYY-MM-DD] would then refuse every plain date).
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("date-time")(lambda value: not isinstance(value, str) or bool(RFC3339.match(value)))
    return checker


@cache
def giving_validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    """(package validator, one-grant validator); the package's $ref to the grant schema resolved locally."""
    grant_schema = json.loads((DATA / "360-giving-schema.json").read_text())
    package_schema = json.loads((DATA / "360-giving-package-schema.json").read_text())
    resource = Resource(contents=grant_schema, specification=DRAFT202012)  # its $schema says http://
    registry = Registry().with_resources([
        (grant_schema["$id"], resource),
        (grant_schema["$id"].replace("1.4.3", "1.4.2"), resource),  # the package names the 1.4.2 URL
    ])
    return (Draft202012Validator(package_schema, registry=registry, format_checker=format_checker()),
            Draft202012Validator(grant_schema, format_checker=format_checker()))


@cache
def iati_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "iati-activities-schema.xsd")))


def assert_valid_giving(package: dict[str, Any]) -> None:
    package_validator, grant_validator = giving_validators()
    errors = [e.message for e in package_validator.iter_errors(package)]
    assert not errors, errors[:5]
    required = ("id", "title", "description", "currency", "amountAwarded", "awardDate", "recipientOrganization",
                "fundingOrganization")
    for grant in package["grants"]:
        assert not [e.message for e in grant_validator.iter_errors(grant)]
        assert all(grant.get(k) not in (None, "", []) for k in required), grant
        for org in grant["recipientOrganization"] + grant["fundingOrganization"]:
            assert org["id"] and org["name"]


def assert_valid_iati(body: bytes) -> etree._Element:
    document = etree.fromstring(body)
    schema = iati_schema()
    assert schema.validate(document), schema.error_log.filter_from_errors()[:5]
    return document


def unflatten(row: dict[str, str]) -> dict[str, Any]:
    """A 360Giving CSV row back to a grant object (the column titles' paths), amounts as numbers."""
    grant: dict[str, Any] = {}
    for title, path in exports.GIVING_CSV:
        value: Any = row.get(title, "")
        if value == "":
            continue
        if path[-1] in exports.GIVING_MONEY:
            value = float(Decimal(value))  # what a JSON reader would make of it
        elif path[-1] == "duration":
            value = int(value)
        target: Any = grant
        for step, nxt in zip(path, path[1:], strict=False):
            if isinstance(nxt, int):
                target = target.setdefault(step, [{}])
            elif isinstance(step, int):
                target = target[step]
            else:
                target = target.setdefault(step, {})
        last = path[-1]
        if isinstance(target, list):
            target = target[0]
        target[last] = value
    return grant


@pytest.fixture
def scene(app: Flask, world: factories.World) -> portfolio_scene.Scene:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        built = portfolio_scene.build(world)
        db.session.remove()
        return built


def test_360giving_json_validates_and_follows_the_ledger(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        body = exports.giving_json()
        number = db.session.get(Grant, scene.followed).number
    package = json.loads(body)
    assert_valid_giving(package)
    grants = {g["id"]: g for g in package["grants"]}
    assert len(grants) == 3  # the draft is not awarded yet
    followed = grants[f"360G-PCPA-{number}"]
    assert followed["amountAwarded"] == 50000 and followed["amountDisbursed"] == 20000
    assert followed["recipientOrganization"][0]["id"] == "TN-RNE-B0123456"  # org-id from the registration
    assert followed["fundingOrganization"][0]["id"] == "XI-PCPA"
    assert {loc["countryCode"] for loc in followed["beneficiaryLocation"]} == {"TN", "FR"}
    assert followed["plannedDates"][0]["duration"] == 24
    others = [g for g in package["grants"] if g is not followed]
    assert any(g["recipientOrganization"][0]["id"].startswith("360G-PCPA-ORG-") for g in others)  # no registration
    assert b'"amountAwarded": 50000.00' in body  # exact decimals, never a float's rounding


def test_360giving_csv_validates_once_unflattened(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        body = exports.giving_csv()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert rows[0]["Amount Awarded"] == "50000.00"
    assert_valid_giving({"grants": [unflatten(r) for r in rows]})


def test_the_funder_comes_from_the_configuration(app: Flask, scene: portfolio_scene.Scene) -> None:
    app.config.update(GRANTS_FUNDER_ORG_ID="FR-RNA-W751234567", GRANTS_FUNDER_NAME="Comité Français",
                      GRANTS_ID_PREFIX="360G-CF")
    try:
        with app.test_request_context():
            package = json.loads(exports.giving_json())
            xml = exports.iati_xml()
    finally:
        for key in ("GRANTS_FUNDER_ORG_ID", "GRANTS_FUNDER_NAME", "GRANTS_ID_PREFIX"):
            app.config.pop(key)
    assert_valid_giving(package)
    assert all(g["id"].startswith("360G-CF-") for g in package["grants"])
    assert package["grants"][0]["fundingOrganization"][0] == {"id": "FR-RNA-W751234567", "name": "Comité Français"}
    root = assert_valid_iati(xml)
    assert root.find("iati-activity/reporting-org").get("ref") == "FR-RNA-W751234567"


def test_iati_xml_validates_with_transactions_and_results(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        body = exports.iati_xml()
        number = db.session.get(Grant, scene.followed).number
    root = assert_valid_iati(body)
    assert root.get("version") == "2.03"
    activities = {a.findtext("iati-identifier"): a for a in root.findall("iati-activity")}
    assert len(activities) == 3
    activity = activities[f"XI-PCPA-{number}"]
    roles = sorted(p.get("role") for p in activity.findall("participating-org"))
    assert roles == ["1", "2", "3", "4", "4"]  # funder funds and extends; the lead accountable and implementing
    assert activity.find("activity-status").get("code") == "2"
    assert {d.get("type") for d in activity.findall("activity-date")} == {"1", "2", "3"}
    assert activity.find("recipient-country").get("code") == "TN"
    values: dict[str, Decimal] = {}
    for transaction in activity.findall("transaction"):
        code = transaction.find("transaction-type").get("code")
        values[code] = values.get(code, Decimal(0)) + Decimal(transaction.findtext("value"))
    assert values == {"2": Decimal("50000.00"), "3": Decimal("20000.00"), "4": Decimal("20000.00")}
    indicator = activity.find("result/indicator")
    assert indicator.find("baseline").get("value") == "0"
    period = indicator.find("period")
    assert period.find("target").get("value") == "100" and period.find("actual").get("value") == "60"
    closing = next(a for a in activities.values() if a.find("activity-status").get("code") == "3")
    assert closing is not None


def test_tables_csv_and_xlsx(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        portfolio = exports.export_table("csv", ["portfolio"]).decode("utf-8-sig")
        workbook = load_workbook(io.BytesIO(exports.export_table("xlsx", list(exports.TABLES))))
    rows = list(csv.DictReader(io.StringIO(portfolio)))
    assert [r for r in rows if r["title"] == "Jeunes et citoyenneté à Gafsa"][0]["paid"] == "20000.00"
    assert workbook.sheetnames == list(exports.TABLES)
    disbursements = list(workbook["disbursements"].values)
    assert disbursements[0][:4] == ("grant", "entry", "value_date", "amount")
    assert len(disbursements) == 1 + 3
    expenditure = list(workbook["expenditure"].values)
    assert {row[3] for row in expenditure[1:]} == {"L1", "L2"}
    assert sum(Decimal(str(row[4])) for row in expenditure[1:]) == Decimal("35000")


@pytest.mark.parametrize(("url", "kind"), [
    ("/grants/360giving.json", "application/json"), ("/grants/360giving.csv", "text/csv"),
    ("/grants/iati.xml", "application/xml"), ("/grants/export.xlsx", "spreadsheetml"),
    ("/grants/export.csv?table=instalments", "text/csv"),
])
def test_downloads_for_the_secretariat_only(client: FlaskClient, world: factories.World,
                                            scene: portfolio_scene.Scene, url: str, kind: str) -> None:
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for who in ("delegate", "ex_officio", "other_delegate"):
        other = client.application.test_client()
        login(other, world.emails[who])
        assert other.get(url).status_code == 403
        assert other.post(url).status_code in (403, 405)
    login(client, world.emails["secretariat"])
    response = client.get(url)
    assert response.status_code == 200 and kind in response.content_type
    assert "attachment" in response.headers["Content-Disposition"]
    if url.endswith("iati.xml"):
        assert_valid_iati(response.data)
    if url.endswith("360giving.json"):
        assert_valid_giving(json.loads(response.data))


def test_unknown_format_or_table(client: FlaskClient, world: factories.World, scene: portfolio_scene.Scene) -> None:
    login(client, world.emails["secretariat"])
    assert client.get("/grants/export.pdf").status_code == 404
    assert client.get("/grants/export.csv?table=secrets").status_code == 404
    assert client.get("/grants/360giving.xml").status_code == 404


def test_commands_write_to_standard_output(app: Flask, scene: portfolio_scene.Scene) -> None:
    runner = app.test_cli_runner()
    giving = runner.invoke(args=["grants", "export-360giving"])
    assert giving.exit_code == 0, giving.output
    assert_valid_giving(json.loads(giving.stdout_bytes))
    flat = runner.invoke(args=["grants", "export-360giving", "--format", "csv"])
    assert flat.exit_code == 0 and "Amount Awarded" in flat.output
    iati = runner.invoke(args=["grants", "export-iati"])
    assert iati.exit_code == 0
    assert_valid_iati(iati.stdout_bytes)
    for table in exports.TABLES:
        result = runner.invoke(args=["grants", "export-csv", "--table", table])
        assert result.exit_code == 0 and result.output.lstrip("\ufeff").startswith("grant,")
    assert runner.invoke(args=["grants", "export-csv", "--table", "nope"]).exit_code != 0


def test_an_empty_programme_exports_an_empty_iati_file_that_says_so(app: Flask, world: factories.World) -> None:
    """With no grant, 360Giving's package (which needs one grant) is empty and IATI has no activity."""
    with app.test_request_context():
        assert json.loads(exports.giving_json())["grants"] == []
        assert b"<iati-activities" in exports.iati_xml()


def test_exports_of_the_demo_validate(app: Flask) -> None:
    """``flask demo load``, then its grants (or, while the demo makes none, grants made through the agreement
    service from the demo's selected proposals, signed: partners, lines and indicators carried over) exported
    and validated against both official schemas."""
    from datetime import date

    from app.auth.models import User, UserKind
    from app.grants import agreements
    from tests.grants import builders

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.test_request_context():
        if not db.session.query(Grant).count():
            actor = db.session.query(User).filter_by(kind=UserKind.secretariat).first()
            for item in agreements.selected_without_grant():
                grant = agreements.create_grant(item, agreements.default_terms(item), actor=actor)
                builders.instalment(grant, grant.awarded)
                agreements.sign(grant, grantee_on=date.today(), programme_on=date.today(), actor=actor)
            db.session.commit()
        count = db.session.query(Grant).filter(Grant.status != "draft").count()
        assert count >= 1
        package = json.loads(exports.giving_json())
        root = assert_valid_iati(exports.iati_xml())
    assert_valid_giving(package)
    assert len(package["grants"]) == count == len(root.findall("iati-activity"))
