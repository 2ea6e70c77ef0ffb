"""Member import (CSV/XLSX, preview, all-or-nothing) and directory export (CSV/XLSX)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from app.auth.models import UserKind
from app.core.models import AuditEntry
from app.extensions import db
from app.members import transfer
from app.members.models import Member, MemberStatus
from tests import factories
from tests.conftest import login

HEADER = ["name", "acronym", "kind", "country", "college", "territory", "status", "admission_date", "email",
          "phone", "address", "website"]
GOOD_ROWS = [
    ["Union des Travailleurs de Sfax", "UTS", "union", "TN", "cs-tn", "Sfax", "active", "2023-05-01",
     "contact@uts.example.org", "+216 74 000 000", "1 rue de la Paix, Sfax", "https://uts.example.org"],
    ["Réseau Solidarité Lyon", "RSL", "network", "FR", "cs-fr", "Lyon", "", "", "", "", "", ""],
]
COLLEGES = {"cs-tn": 1, "cs-fr": 2}


# Helpers ---------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _import_dir(app, tmp_path, monkeypatch):
    """Keep pending uploads out of the repository's instance folder."""
    monkeypatch.setitem(app.config, "IMPORT_DIR", str(tmp_path / "imports"))


@pytest.fixture
def en(client):
    """A client that reads the pages in English (the default is French)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def csv_bytes(rows, *, delimiter=",", bom=False, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, filename: str = "members.csv"):
    return client.post("/members/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def token_from(html: str) -> str:
    match = re.search(r'name="token"[^>]*value="([^"]+)"', html)
    assert match, "no confirmation token in the preview"
    return match.group(1)


def count_members(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


def row(**overrides: str) -> dict[str, str]:
    values = dict(zip(HEADER, GOOD_ROWS[0], strict=True))
    values.update(overrides)
    return values


def codes(result: transfer.RowResult) -> list[tuple[str | None, str]]:
    return [(p.column, p.code) for p in result.errors]


# Pure: headers, rows, files ------------------------------------------------------

@pytest.mark.parametrize(("header", "key"), [
    ("name", "name"), ("Nom", "name"), ("NAME", "name"), ("Organisation", "name"),
    ("Sigle", "acronym"), ("type", "kind"), ("Pays", "country"), ("COLLÈGE", "college"),
    ("code collège", "college"), ("Ville", "territory"), ("Statut", "status"),
    ("admission_date", "admission_date"), ("Date d'admission", "admission_date"), ("Admission date", "admission_date"),
    ("E-mail", "email"), ("Courriel", "email"), ("Téléphone", "phone"), ("Adresse", "address"),
    ("Site web", "website"), ("charter_signed", None), ("delegate", None), ("whatever", None),
])
def test_header_names_in_english_and_french(header, key):
    assert transfer.column_for_header(header) == key


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"name": ""}, ("name", "missing")),
    ({"name": "  -- "}, ("name", "missing")),
    ({"name": "N" * 201}, ("name", "too_long")),
    ({"acronym": "A" * 41}, ("acronym", "too_long")),
    ({"kind": ""}, ("kind", "missing")),
    ({"kind": "ngo"}, ("kind", "unknown_kind")),
    ({"country": ""}, ("country", "missing")),
    ({"country": "DZ"}, ("country", "unknown_country")),
    ({"college": ""}, ("college", "missing")),
    ({"college": "nowhere"}, ("college", "unknown_college")),
    ({"status": "suspended"}, ("status", "unknown_status")),
    ({"status": "withdrawn"}, ("status", "unknown_status")),
    ({"status": "maybe"}, ("status", "unknown_status")),
    ({"admission_date": "31/12/2024"}, ("admission_date", "bad_date")),
    ({"admission_date": "2024-02-30"}, ("admission_date", "bad_date")),
    ({"admission_date": "20240101"}, ("admission_date", "bad_date")),
    ({"email": "not-an-email"}, ("email", "bad_email")),
    ({"email": "a@b"}, ("email", "bad_email")),
    ({"phone": "call me"}, ("phone", "bad_phone")),
    ({"website": "example.org"}, ("website", "bad_website")),
    ({"website": "javascript:alert(1)"}, ("website", "bad_website")),
])
def test_each_row_error_is_reported_with_its_column(overrides, expected):
    result = transfer.validate_row(7, row(**overrides), colleges=COLLEGES)
    assert codes(result) == [expected]
    assert result.errors[0].row == 7
    assert str(result.errors[0].message)
    assert result.data == {}


def test_valid_row_gives_member_data(ctx):
    result = transfer.validate_row(2, row(kind="Syndicat", country="Tunisie", college="CS-TN", status="Actif"),
                                   colleges=COLLEGES)
    assert result.ok
    assert result.status == MemberStatus.active
    assert result.data["kind"] == "union" and result.data["country"] == "TN"
    assert result.data["college_id"] == 1
    assert result.data["admission_date"] == date(2023, 5, 1)


@pytest.mark.parametrize(("status", "expected"), [
    ("", MemberStatus.applicant), ("applicant", MemberStatus.applicant), ("Candidat", MemberStatus.applicant),
    ("ACTIVE", MemberStatus.active), ("actif", MemberStatus.active),
])
def test_status_defaults_to_applicant(status, expected):
    assert transfer.validate_row(2, row(status=status), colleges=COLLEGES).status == expected


@pytest.mark.parametrize(("kind", "expected"), [
    ("association", "association"), ("Coopérative", "cooperative"), ("local authority", "local_authority"),
    ("local_authority", "local_authority"), ("Collectivité locale", "local_authority"), ("réseau", "network"),
    ("Fondation", "foundation"), ("autre", "other"),
])
def test_kind_accepts_codes_and_french_names(kind, expected):
    assert transfer.validate_row(2, row(kind=kind), colleges=COLLEGES).data["kind"] == expected


def test_duplicates_in_file_and_names_in_register():
    table = transfer.RawTable(columns=HEADER, ignored=[], rows=[
        (2, row(name="Alpha")), (3, row(name="Beta")), (4, row(name="ALPHA ")), (5, row(name="Déjà là")),
    ])
    preview = transfer.validate(table, colleges=COLLEGES, existing_keys={"deja la"})
    assert [codes(r) for r in preview.rows] == [[], [], [("name", "duplicate")], [("name", "exists")]]
    assert preview.valid_count == 2 and preview.error_count == 2 and not preview.ok
    assert "2" in str(preview.rows[2].errors[0].message)  # points at the first occurrence


def test_preview_ok_only_when_every_row_is_valid():
    table = transfer.RawTable(columns=HEADER, ignored=[], rows=[(2, row(name="Alpha")), (3, row(name="Beta"))])
    assert transfer.validate(table, colleges=COLLEGES, existing_keys=set()).ok


def _too_many() -> bytes:
    return csv_bytes([row(name=f"Org {i}").values() for i in range(3)])


@pytest.mark.parametrize(("filename", "data", "code"), [
    ("members.txt", b"name\nx\n", "extension"),
    ("members", b"name\nx\n", "extension"),
    ("members.xls", b"name\nx\n", "extension"),
    ("members.csv", b"", "empty"),
    ("members.csv", b"\xef\xbb\xbf\r\n\r\n", "empty"),
    ("members.csv", b"name,kind,country,college\n", "no_rows"),
    ("members.csv", "name;kind\nSociété;union\n".encode("latin-1"), "encoding"),
    ("members.csv", b"name,kind\nAlpha,union\n", "missing_columns"),
    ("members.csv", b"name,nom,kind,country,college\nA,B,union,FR,cs-fr\n", "duplicate_column"),
    ("members.xlsx", b"this is not a workbook", "unreadable"),
    ("members.xlsx", b"PK\x03\x04broken zip", "unreadable"),
    ("members.csv", _too_many(), "too_many"),
])
def test_file_level_errors(filename, data, code):
    with pytest.raises(transfer.ImportFileError) as caught:
        transfer.read_table(filename, data, max_rows=2)
    assert caught.value.problems[0].code == code
    assert str(caught.value.problems[0].message)


def test_missing_columns_are_all_named():
    with pytest.raises(transfer.ImportFileError) as caught:
        transfer.read_table("m.csv", b"name,acronym\nA,B\n", max_rows=10)
    problem = caught.value.problems[0]
    assert problem.row == 1
    assert "kind, country, college" in str(problem.message)


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_delimiter_sniffed_and_bom_dropped(delimiter, bom):
    data = csv_bytes([["Alpha, Beta et Cie", "AB", "union", "FR", "cs-fr", "Lyon; Rhône"]], delimiter=delimiter,
                     bom=bom, header=["Nom", "Sigle", "Type", "Pays", "Collège", "Ville"])
    table = transfer.read_table("m.csv", data, max_rows=10)
    assert table.columns == ["name", "acronym", "kind", "country", "college", "territory"]
    assert table.rows == [(2, {"name": "Alpha, Beta et Cie", "acronym": "AB", "kind": "union", "country": "FR",
                               "college": "cs-fr", "territory": "Lyon; Rhône"})]


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers():
    data = b"name,kind,country,college,extra\n\nAlpha,union,FR,cs-fr,x\n,,,,\nBeta,union,FR,cs-fr\n"
    table = transfer.read_table("m.csv", data, max_rows=2)
    assert [line for line, _ in table.rows] == [3, 5]
    assert table.rows[1][1]["name"] == "Beta"
    assert table.ignored == ["extra"]


def test_xlsx_cells_become_text():
    data = xlsx_bytes([["Alpha", "union", "FR", "cs-fr", date(2024, 3, 31), 21671000000]],
                      header=["name", "kind", "country", "college", "admission_date", "phone"])
    table = transfer.read_table("m.XLSX", data, max_rows=10)
    values = table.rows[0][1]
    assert values["admission_date"] == "2024-03-31"
    assert values["phone"] == "21671000000"


def test_raw_table_survives_json():
    table = transfer.read_table("m.csv", csv_bytes(GOOD_ROWS), max_rows=10)
    assert transfer.RawTable.from_json(table.to_json()) == table


@pytest.mark.parametrize(("value", "escaped"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+216 71", "'+216 71"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("plain", "plain"), ("", ""), (None, None), (3, 3),
])
def test_formula_escaping(value, escaped):
    assert transfer.escape_formula(value) == escaped
    if isinstance(value, str):
        assert transfer.unescape(transfer.escape_formula(value)) == value.strip()


def test_writers_escape_formulas_in_both_formats():
    header, rows = ["name", "phone"], [["=1+1", "+33 1 23"], ["'quoted", "12"]]
    text = transfer.write_csv(header, rows).decode("utf-8")
    assert text.startswith("\ufeffname,phone\r\n")
    assert list(csv.reader(io.StringIO(text[1:])))[1:] == [["'=1+1", "'+33 1 23"], ["'quoted", "12"]]
    sheet = load_workbook(io.BytesIO(transfer.write_xlsx(header, rows))).active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "'+33 1 23"


def test_pending_upload_belongs_to_its_user(tmp_path):
    table = transfer.RawTable(columns=["name"], ignored=[], rows=[(2, {"name": "A"})])
    token = transfer.save_pending(tmp_path, user_id=1, filename="a.csv", table=table)
    assert transfer.load_pending(tmp_path, token, user_id=1) == ("a.csv", table)
    assert transfer.load_pending(tmp_path, token, user_id=2) is None
    assert transfer.load_pending(tmp_path, "../../etc/passwd", user_id=1) is None
    assert transfer.load_pending(tmp_path, None, user_id=1) is None
    transfer.drop_pending(tmp_path, token)
    assert transfer.load_pending(tmp_path, token, user_id=1) is None


# Import through the routes -------------------------------------------------------

def _confirm(client, html: str):
    return client.post("/members/import/confirm", data={"token": token_from(html)})


def test_valid_csv_import_end_to_end(app, en, world, tmp_path):
    login(en, world.emails["secretariat"])
    response = upload(en, csv_bytes(GOOD_ROWS))
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/import/preview")
    assert len(list((tmp_path / "imports").glob("*.json"))) == 1
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "2 rows valid" in html and "0 rows with errors" in html
    assert "Union des Travailleurs de Sfax" in html and "Réseau Solidarité Lyon" in html
    assert "Confirm the import" in html
    response = _confirm(en, html)
    assert response.status_code == 302 and response.headers["Location"].endswith("/members")
    assert "2 members imported." in en.get("/members").get_data(as_text=True)
    with app.app_context():
        sfax = db.session.scalar(select(Member).where(Member.acronym == "UTS"))
        lyon = db.session.scalar(select(Member).where(Member.acronym == "RSL"))
        assert sfax.status == MemberStatus.active and sfax.admission_date == date(2023, 5, 1)
        assert sfax.college.code == "cs-tn" and sfax.kind == "union" and sfax.phone == "+216 74 000 000"
        assert lyon.status == MemberStatus.applicant and lyon.admission_date is None
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions.count("member.created") == 2 and actions.count("member.imported") == 1
        imported = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "member.imported"))
        assert imported.after["count"] == 2 and imported.after["filename"] == "members.csv"
    assert list((tmp_path / "imports").glob("*.json")) == []
    assert en.get("/members/import/preview").status_code == 302  # nothing pending any more


def test_valid_xlsx_import_end_to_end(app, en, world):
    login(en, world.emails["secretariat"])
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][7] = date(2023, 5, 1)  # a real date cell
    response = upload(en, xlsx_bytes(rows), "Members.xlsx")
    assert response.status_code == 302
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "2 rows valid" in html
    assert _confirm(en, html).status_code == 302
    assert count_members(app) == 4
    with app.app_context():
        assert db.session.scalar(select(Member.admission_date).where(Member.acronym == "UTS")) == date(2023, 5, 1)


def test_semicolon_csv_with_bom_in_french_headers(app, en, world):
    login(en, world.emails["secretariat"])
    data = csv_bytes([["Coopérative d'Échirolles", "coopérative", "France", "cs-fr", "2024-01-15"]], delimiter=";",
                     bom=True, header=["Nom", "Type", "Pays", "Collège", "Date d'admission"])
    assert upload(en, data).status_code == 302
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "1 row valid" in html
    _confirm(en, html)
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.name == "Coopérative d'Échirolles"))
        assert member is not None and member.kind == "cooperative"


def test_one_bad_row_imports_nothing(app, en, world):
    login(en, world.emails["secretariat"])
    bad = list(GOOD_ROWS[1])
    bad[2] = "ngo"
    upload(en, csv_bytes([GOOD_ROWS[0], bad]))
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "1 row valid" in html and "1 row with errors" in html
    assert "Row 3" in html and "column kind" in html and "Unknown kind “ngo”" in html
    assert "Nothing will be imported" in html
    assert "Confirm the import" not in html
    # Even a forced confirmation imports nothing.
    with en.session_transaction() as sess:
        pending = sess["member_import"]
    response = en.post("/members/import/confirm", data={"token": pending})
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/import/preview")
    assert count_members(app) == 2


def test_duplicate_name_in_file_is_reported(app, en, world):
    login(en, world.emails["secretariat"])
    twin = list(GOOD_ROWS[0])
    twin[0] = "UNION des travailleurs de SFAX"
    upload(en, csv_bytes([GOOD_ROWS[0], twin]))
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "Row 3" in html and "The same name is already on row 2 of the file." in html
    assert count_members(app) == 2


def test_name_already_in_register_is_reported(en, world):
    login(en, world.emails["secretariat"])
    clash = list(GOOD_ROWS[1])
    clash[0] = "Collectif solidaire de NANTES"
    upload(en, csv_bytes([clash]))
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "A member with this name is already in the register." in html


def test_confirm_revalidates_against_the_register(app, en, world):
    login(en, world.emails["secretariat"])
    upload(en, csv_bytes(GOOD_ROWS))
    html = en.get("/members/import/preview").get_data(as_text=True)
    assert "Confirm the import" in html
    with app.app_context():  # someone registers the same organisation meanwhile
        factories.member("Réseau Solidarité Lyon")
        db.session.commit()
    response = _confirm(en, html)
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/import/preview")
    page = en.get("/members/import/preview").get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "A member with this name is already in the register." in page
    assert count_members(app) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "member.imported")) == 0


def test_confirm_refuses_a_token_that_is_not_the_current_one(app, en, world):
    login(en, world.emails["secretariat"])
    upload(en, csv_bytes(GOOD_ROWS))
    old = en.get("/members/import/preview").get_data(as_text=True)
    upload(en, csv_bytes(GOOD_ROWS[:1]))  # a second upload replaces the first
    assert _confirm(en, old).status_code == 302
    assert count_members(app) == 2
    assert en.post("/members/import/confirm", data={"token": "x" * 32}).status_code == 302
    assert count_members(app) == 2


def test_another_user_cannot_confirm_my_upload(app, en, world):
    login(en, world.emails["secretariat"])
    upload(en, csv_bytes(GOOD_ROWS))
    html = en.get("/members/import/preview").get_data(as_text=True)
    with app.app_context():
        factories.user("colleague@example.org", kind=UserKind.secretariat)
        db.session.commit()
    other = app.test_client()
    login(other, "colleague@example.org")
    response = _confirm(other, html)
    assert response.status_code == 302 and response.headers["Location"].endswith("/members/import")
    assert count_members(app) == 2


def test_cancel_forgets_the_upload(app, en, world, tmp_path):
    login(en, world.emails["secretariat"])
    upload(en, csv_bytes(GOOD_ROWS))
    assert en.post("/members/import/cancel").status_code == 302
    assert list((tmp_path / "imports").glob("*.json")) == []
    assert en.get("/members/import/preview").status_code == 302
    assert count_members(app) == 2


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("members.pdf", b"%PDF", "Only .csv and .xlsx files can be imported."),
    ("members.csv", b"", "The file is empty."),
    ("members.csv", b"name,acronym\nA,B\n", "Required columns are missing from the header row"),
    ("members.xlsx", b"nope", "could not be read as an Excel workbook"),
    ("members.csv", "nom,type,pays,collège\nSociété,union,FR,cs-fr\n".encode("cp1252"), "not UTF-8"),
])
def test_unreadable_uploads_are_refused_on_the_form(app, en, world, filename, data, message):
    login(en, world.emails["secretariat"])
    response = upload(en, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_members(app) == 2


def test_too_many_rows(app, en, world, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1)
    login(en, world.emails["secretariat"])
    response = upload(en, csv_bytes(GOOD_ROWS))
    assert response.status_code == 422
    assert "at most 1 can be imported" in response.get_data(as_text=True)


def test_no_file_chosen(en, world):
    login(en, world.emails["secretariat"])
    response = en.post("/members/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file to import." in response.get_data(as_text=True)


def test_import_page_documents_the_format(en, world):
    login(en, world.emails["secretariat"])
    html = en.get("/members/import").get_data(as_text=True)
    for key in HEADER:
        assert f"<code>{key}</code>" in html
    assert "cs-tn" in html and 'enctype="multipart/form-data"' in html
    assert "/members/import/template.csv" in html


def test_template_csv(app, en, world):
    login(en, world.emails["secretariat"])
    response = en.get("/members/import/template.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data == ("\ufeff" + ",".join(HEADER) + "\r\n").encode("utf-8")
    table_error = pytest.raises(transfer.ImportFileError, transfer.read_table, "t.csv", response.data, max_rows=5)
    assert table_error.value.problems[0].code == "no_rows"


# Permissions ---------------------------------------------------------------------

IMPORT_URLS = [("get", "/members/import"), ("post", "/members/import"), ("get", "/members/import/preview"),
               ("post", "/members/import/confirm"), ("post", "/members/import/cancel"),
               ("get", "/members/import/template.csv")]


@pytest.mark.parametrize(("method", "url"), IMPORT_URLS)
@pytest.mark.parametrize("role", ["delegate", "alternate", "ex_officio"])
def test_only_the_secretariat_imports(client, world, method, url, role):
    login(client, world.emails[role])
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), IMPORT_URLS + [("get", "/members/export.csv"),
                                                           ("get", "/members/export.xlsx")])
def test_anonymous_is_sent_to_login(client, world, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_delegate_upload_is_refused_and_creates_nothing(app, client, world):
    login(client, world.emails["delegate"])
    assert upload(client, csv_bytes(GOOD_ROWS)).status_code == 403
    assert count_members(app) == 2


# Export --------------------------------------------------------------------------

@pytest.fixture
def exportable(app, world):
    """Sign the charter for the first member and give it contacts and a risky name."""
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        own.email, own.phone, own.website = "gafsa@example.org", "+216 76 000 000", "https://gafsa.example.org"
        own.admission_date = date(2022, 6, 1)
        own.address = "=cmd|' /C calc'!A0"
        delegate = next(u for u in own.representatives if u.is_delegate)
        factories.sign(own, db.session.get(factories.Charter, world.charter_id), delegate)
        db.session.commit()
    return world


def read_csv(response) -> list[dict[str, str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_csv_for_the_secretariat(client, exportable):
    login(client, exportable.emails["secretariat"])
    response = client.get("/members/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.search(r'attachment; filename="?members-\d{4}-\d{2}-\d{2}\.csv', disposition)
    assert response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert list(rows[0]) == list(transfer.EXPORT_COLUMNS + transfer.CONTACT_COLUMNS)
    by_name = {r["name"]: r for r in rows}
    gafsa = by_name["Association des Jeunes de Gafsa"]
    assert gafsa["country"] == "TN" and gafsa["college"] == "cs-tn" and gafsa["status"] == "active"
    assert gafsa["kind"] == "association" and gafsa["admission_date"] == "2022-06-01"
    assert gafsa["charter_signed"] == "yes" and gafsa["delegate"] == "Delegate"
    assert gafsa["email"] == "gafsa@example.org" and gafsa["delegate_email"] == "delegate@example.org"
    assert gafsa["phone"] == "'+216 76 000 000"  # guarded against formula injection
    assert gafsa["address"] == "'=cmd|' /C calc'!A0"
    assert by_name["Collectif Solidaire de Nantes"]["charter_signed"] == "no"


def test_export_csv_hides_contacts_from_a_delegate(client, exportable):
    login(client, exportable.emails["delegate"])
    response = client.get("/members/export.csv")
    assert response.status_code == 200
    rows = read_csv(response)
    assert list(rows[0]) == list(transfer.EXPORT_COLUMNS)
    text = response.data.decode("utf-8")
    for secret in ("gafsa@example.org", "+216 76", "delegate@example.org", "calc"):
        assert secret not in text


def test_export_xlsx(client, exportable):
    login(client, exportable.emails["secretariat"])
    response = client.get("/members/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert header == list(transfer.EXPORT_COLUMNS + transfer.CONTACT_COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    gafsa = rows["Association des Jeunes de Gafsa"]
    assert gafsa["admission_date"].date() == date(2022, 6, 1)
    assert gafsa["charter_signed"] == "yes"
    assert gafsa["address"] == "'=cmd|' /C calc'!A0"
    assert gafsa["phone"] == "'+216 76 000 000"


def test_export_xlsx_hides_contacts_from_a_delegate(client, exportable):
    login(client, exportable.emails["delegate"])
    sheet = load_workbook(io.BytesIO(client.get("/members/export.xlsx").data)).active
    assert [c.value for c in sheet[1]] == list(transfer.EXPORT_COLUMNS)
    values = {str(v) for r in sheet.iter_rows(values_only=True) for v in r}
    assert "gafsa@example.org" not in values and "delegate@example.org" not in values


def test_export_applies_the_directory_filters_and_sort(app, client, exportable):
    with app.app_context():
        factories.member("Zeta Tunis", country="TN", college_code="cs-tn", status=MemberStatus.applicant)
        factories.member("Alpha Sousse", country="TN", college_code="cs-tn")
        db.session.commit()
    login(client, exportable.emails["secretariat"])
    names = [r["name"] for r in read_csv(client.get("/members/export.csv?country=TN&sort=name&dir=desc"))]
    assert names == ["Zeta Tunis", "Association des Jeunes de Gafsa", "Alpha Sousse"]
    names = [r["name"] for r in read_csv(client.get("/members/export.csv?status=applicant"))]
    assert names == ["Zeta Tunis"]
    names = [r["name"] for r in read_csv(client.get("/members/export.csv?charter=signed"))]
    assert names == ["Association des Jeunes de Gafsa"]
    names = [r["name"] for r in read_csv(client.get("/members/export.csv?q=sousse"))]
    assert names == ["Alpha Sousse"]


def test_export_is_not_paginated(app, client, world):
    with app.app_context():
        for i in range(app.config["PAGE_SIZE"] + 5):
            factories.member(f"Organisation {i:03d}")
        db.session.commit()
    login(client, world.emails["delegate"])
    assert len(read_csv(client.get("/members/export.csv"))) == app.config["PAGE_SIZE"] + 7


def test_export_runs_a_bounded_number_of_queries(app, client, world):
    login(client, world.emails["secretariat"])

    def queries_for_export() -> int:
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def listen(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", listen)
        try:
            assert client.get("/members/export.xlsx").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(statements)

    few = queries_for_export()
    assert few >= 4  # the listener does see the request's queries
    with app.app_context():
        for i in range(20):
            owner = factories.member(f"Organisation {i:03d}")
            factories.user(f"d{i}@example.org", member=owner, delegate=True)
        db.session.commit()
    assert queries_for_export() == few


def test_exported_csv_reimports(app, client, exportable):
    login(client, exportable.emails["secretariat"])
    data = client.get("/members/export.csv").data
    table = transfer.read_table("members.csv", data, max_rows=100)
    assert set(table.columns) == set(transfer.COLUMN_KEYS)
    assert table.ignored == ["charter_signed", "delegate", "delegate_email"]
    with app.app_context():
        colleges = {c.code: c.id for c in db.session.scalars(select(factories.College))}
    preview = transfer.validate(table, colleges=colleges, existing_keys=set())
    assert preview.ok, [(p.row, p.column, p.code) for p in preview.problems]
    gafsa = next(r for r in preview.rows if r.data["name"] == "Association des Jeunes de Gafsa")
    assert gafsa.data["phone"] == "+216 76 000 000"
    assert gafsa.data["address"] == "=cmd|' /C calc'!A0"
    assert gafsa.status == MemberStatus.active


def test_unknown_export_format(client, world):
    login(client, world.emails["delegate"])
    assert client.get("/members/export.pdf").status_code == 404
