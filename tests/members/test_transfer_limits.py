"""The member import refuses an oversized upload as soon as it breaks a limit, without reading the rest:
the file's bytes, an .xlsx's unpacked size (a small zip can unpack to gigabytes), a cell's length (named
by row and column), the number of member rows (reading stops at the first row past the limit) (issue 10,
§7). The limits are set low here so that the generated files stay small."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from openpyxl import Workbook

from app.members import transfer, transfer_read
from app.members.transfer_read import ReadLimits
from tests.conftest import login

HEADER = ["name", "kind", "country", "college", "address"]


def row(i: int, address: str = "") -> list[str]:
    return [f"Organisation {i}", "union", "FR", "cs-fr", address]


def xlsx_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


MAKERS = {"csv": csv_bytes, "xlsx": xlsx_bytes}
SMALL = ReadLimits(max_bytes=1024 * 1024, max_unpacked_bytes=1024 * 1024, max_cell_chars=50)


def refused(kind: str, data: bytes, *, max_rows: int = 5, limits: ReadLimits = SMALL) -> transfer_read.Problem:
    with pytest.raises(transfer.ImportFileError) as caught:
        transfer.read_table(f"members.{kind}", data, max_rows=max_rows, limits=limits)
    return caught.value.problems[0]


# Rows ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("count", "accepted"), [(4, True), (5, True), (6, False), (40, False)])
def test_member_rows_up_to_the_limit(kind: str, count: int, accepted: bool) -> None:
    data = MAKERS[kind]([row(i) for i in range(count)])
    if accepted:
        assert len(transfer.read_table(f"m.{kind}", data, max_rows=5, limits=SMALL).rows) == count
    else:
        problem = refused(kind, data)
        assert problem.code == "too_many"
        assert "more than 5 member rows" in str(problem.message)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_reading_stops_at_the_first_row_past_the_limit(kind: str) -> None:
    """A cell far too long after the limit is never read: the refusal is the row limit's."""
    data = MAKERS[kind]([row(i) for i in range(6)] + [row(99, "x" * 500)])
    assert refused(kind, data).code == "too_many"


def test_an_xlsx_is_streamed_and_closed_when_abandoned(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[dict] = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        opened.append(kwargs)
        workbook = real(*args, **kwargs)
        closing = workbook.close

        def close() -> None:
            opened[-1]["closed"] = True
            closing()

        workbook.close = close
        return workbook

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    refused("xlsx", xlsx_bytes([row(i) for i in range(30)]))
    assert opened == [{"read_only": True, "data_only": True, "closed": True}]


def test_blank_lines_past_the_allowance_stop_the_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer_read, "BLANK_LINE_ALLOWANCE", 3)
    data = csv_bytes([row(1)] + [[""] * 5] * 20 + [row(2)])
    problem = refused("csv", data, max_rows=2)
    assert problem.code == "too_many_lines"
    ok = csv_bytes([row(1)] + [[""] * 5] * 2 + [row(2)])
    assert len(transfer.read_table("m.csv", ok, max_rows=2, limits=SMALL).rows) == 2


# Cells ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("length", "accepted"), [(49, True), (50, True), (51, False), (400, False)])
def test_cell_length_up_to_the_limit(kind: str, length: int, accepted: bool) -> None:
    data = MAKERS[kind]([row(1), row(2, "a" * length)])
    if accepted:
        assert transfer.read_table(f"m.{kind}", data, max_rows=5, limits=SMALL).rows[1][1]["address"] == "a" * length
    else:
        problem = refused(kind, data)
        assert (problem.code, problem.row) == ("cell_too_long", 3)
        assert "column E (address)" in str(problem.message) and "at most 50" in str(problem.message)


def test_a_long_header_cell_is_named_by_its_letter() -> None:
    problem = refused("xlsx", xlsx_bytes([row(1)], header=[*HEADER, "n" * 80]))
    assert (problem.code, problem.row) == ("cell_too_long", 1)
    assert "column F holds 80 characters" in str(problem.message)


def test_a_csv_cell_beyond_the_csv_modules_own_cap_is_a_cell_error() -> None:
    data = csv_bytes([row(1, "b" * 140_000)])
    problem = refused("csv", data, limits=ReadLimits(max_bytes=1024 * 1024, max_cell_chars=200_000))
    assert (problem.code, problem.row) == ("cell_too_long", 2)


# Bytes ---------------------------------------------------------------------------------------------

def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_opened(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = xlsx_bytes([row(i, "z" * 30_000) for i in range(10)])  # about 300 KB unpacked, a few KB packed
    assert len(data) < 20_000

    def never(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    problem = refused("xlsx", data, limits=ReadLimits(max_unpacked_bytes=200 * 1024, max_cell_chars=10**6))
    assert problem.code == "too_large_unpacked"
    assert "200 KB" in str(problem.message)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_larger_than_the_limit_is_refused(kind: str) -> None:
    data = MAKERS[kind]([row(i) for i in range(3)])
    problem = refused(kind, data, limits=ReadLimits(max_bytes=len(data) - 1))
    assert problem.code == "too_large"
    assert transfer.read_table(f"m.{kind}", data, max_rows=5, limits=ReadLimits(max_bytes=len(data))).rows


@pytest.mark.parametrize(("size", "text"), [(300, "300 bytes"), (2048, "2 KB"), (1536 * 1024, "1.5 MB"),
                                            (2 * 1024 * 1024, "2 MB")])
def test_size_text(size: int, text: str) -> None:
    assert str(transfer_read.size_text(size)) == text


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (4, "E"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(index: int, letter: str) -> None:
    assert transfer_read.column_letter(index) == letter


def test_limits_come_from_the_settings() -> None:
    limits = ReadLimits.from_config({"IMPORT_MAX_BYTES": 10, "IMPORT_MAX_UNPACKED_BYTES": 20,
                                     "IMPORT_MAX_CELL_CHARS": 30})
    assert limits == ReadLimits(max_bytes=10, max_unpacked_bytes=20, max_cell_chars=30)
    assert ReadLimits.from_config({}) == ReadLimits()


# On the form ---------------------------------------------------------------------------------------

@pytest.fixture
def en(client, app, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setitem(app.config, "IMPORT_DIR", str(tmp_path / "imports"))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize(("setting", "value", "data", "message"), [
    ("IMPORT_MAX_CELL_CHARS", 20, xlsx_bytes([row(1), row(2, "y" * 21)]),
     "Row 3: The cell in column E (address) holds 21 characters; a cell may hold at most 20."),
    ("IMPORT_MAX_ROWS", 2, xlsx_bytes([row(i) for i in range(3)]),
     "The file has more than 2 member rows; at most 2 can be imported at once."),
    ("IMPORT_MAX_BYTES", 1024, xlsx_bytes([row(1)]), "The file is larger than 1 KB"),
    ("IMPORT_MAX_UNPACKED_BYTES", 2048, xlsx_bytes([row(1)]), "Once unpacked, this workbook holds more than 2 KB"),
])
def test_the_form_names_the_limit(app, en, world, monkeypatch, setting, value, data, message) -> None:  # noqa: ANN001
    monkeypatch.setitem(app.config, setting, value)
    login(en, world.emails["secretariat"])
    response = en.post("/members/import", data={"file": (io.BytesIO(data), "members.xlsx")},
                       content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
