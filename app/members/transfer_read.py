"""Reading an uploaded .csv or .xlsx into lines of text, within limits, without holding more than needed.

An upload is refused as soon as it breaks a limit, before the rest is read: its size in bytes, its size
once unpacked (an .xlsx is a zip: a small file can unpack to gigabytes), the length of any cell
(refused with its row and column), and the number of member rows (reading stops at the first row past
the limit; an .xlsx sheet is streamed row by row in openpyxl's read-only mode). Pure: no database, no
Flask; ``transfer.read_table`` maps the header to columns.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

#: Blank lines tolerated beyond the row limit (a sheet may end in empty formatted rows); past them,
#: reading stops, so a sheet of a million empty rows is not walked to its end.
BLANK_LINE_ALLOWANCE = 1000


@dataclass(frozen=True)
class Problem:
    """One reason a file or a row is refused: where, a stable code, a translated message."""

    row: int | None  # line in the spreadsheet (the header is line 1); None for the whole file
    column: str | None
    code: str
    message: Any  # a lazy translated string


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, empty, bad header, too long)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = list(problems)


def file_error(code: str, message: Any, row: int | None = None) -> ImportFileError:
    return ImportFileError([Problem(row, None, code, message)])


@dataclass(frozen=True)
class ReadLimits:
    """What an upload may hold besides its number of rows (settings ``IMPORT_MAX_*``)."""

    max_bytes: int = 2 * 1024 * 1024
    max_unpacked_bytes: int = 30 * 1024 * 1024
    max_cell_chars: int = 10_000

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReadLimits:
        default = cls()
        return cls(max_bytes=int(config.get("IMPORT_MAX_BYTES", default.max_bytes)),
                   max_unpacked_bytes=int(config.get("IMPORT_MAX_UNPACKED_BYTES", default.max_unpacked_bytes)),
                   max_cell_chars=int(config.get("IMPORT_MAX_CELL_CHARS", default.max_cell_chars)))


def size_text(size: int) -> Any:
    """A byte limit as people read it: "2 MB", "1.5 MB", "200 KB", "300 bytes"."""
    if size >= 1024 * 1024:
        return _l("%(size)s MB", size=f"{size / (1024 * 1024):.1f}".removesuffix(".0"))
    if size >= 1024:
        return _l("%(size)s KB", size=f"{size / 1024:.1f}".removesuffix(".0"))
    return _l("%(size)d bytes", size=size)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
NOT_ISO_DATE = "not_iso"
NO_SUCH_DATE = "no_such_date"


def parse_iso_date(text: str) -> tuple[date | None, str | None]:
    """A YYYY-MM-DD cell as a date, or why not: ``NOT_ISO_DATE`` when it is not written that way,
    ``NO_SUCH_DATE`` when it is but names no day of the calendar (2026-02-30, 2025-13-01), so that the
    person is not told to use a format they already used."""
    found = _ISO_DATE.match(text)
    if not found:
        return None, NOT_ISO_DATE
    year, month, day = (int(part) for part in found.groups())
    try:
        return date(year, month, day), None
    except ValueError:
        return None, NO_SUCH_DATE


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates as YYYY-MM-DD, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# CSV -------------------------------------------------------------------------------------------

def _sniff_delimiter(text: str) -> str:
    """Comma or semicolon: whichever splits the header line into more cells."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (",", ";")}
    return ";" if counts[";"] > counts[","] else ","


def _csv_rows(data: bytes, limits: ReadLimits) -> Iterator[Sequence[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error("encoding", _l("The file is not UTF-8 text. In your spreadsheet, save it as "
                                        "“CSV UTF-8” and try again.")) from None
    if "\x00" in text:
        raise file_error("unreadable", _l("The file could not be read as CSV text."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # the csv module's own cap (131 072 characters)
                raise file_error("cell_too_long", _l("A cell holds more than %(max)d characters.",
                                                     max=limits.max_cell_chars), row=reader.line_num) from None
            raise file_error("unreadable", _l("The file could not be read as CSV text.")) from None
        yield row


# XLSX ------------------------------------------------------------------------------------------

def _check_unpacked(data: bytes, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts add up to more than the limit once unpacked, before unpacking any.

    The sizes are the zip directory's; ``zipfile`` never inflates a part beyond its declared size
    (it fails instead), so a lying directory cannot get past this either.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise file_error("unreadable", _l("The file could not be read as an Excel workbook (.xlsx).")) from None
    if unpacked > limits.max_unpacked_bytes:
        raise file_error("too_large_unpacked", _l(
            "Once unpacked, this workbook holds more than %(max)s of data: it cannot be imported. Save only the "
            "members' sheet, or save it as CSV.", max=size_text(limits.max_unpacked_bytes)))


def _xlsx_rows(data: bytes, limits: ReadLimits) -> Iterator[Sequence[Any]]:
    """The first sheet, streamed one row at a time (openpyxl read-only mode); closed when abandoned."""
    from openpyxl import load_workbook

    _check_unpacked(data, limits)
    unreadable = _l("The file could not be read as an Excel workbook (.xlsx).")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged workbook raises many kinds of errors
        raise file_error("unreadable", unreadable) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:
                raise file_error("unreadable", unreadable) from None
            yield row
    except IndexError:
        raise file_error("unreadable", unreadable) from None
    finally:
        workbook.close()


# Lines -----------------------------------------------------------------------------------------

@dataclass
class Lines:
    """The non-empty lines of an upload: the header and the member rows under it, numbered as in the file."""

    header_line: int
    header: list[str]
    body: list[tuple[int, list[str]]]


def read_lines(filename: str, data: bytes, *, max_rows: int, limits: ReadLimits) -> Lines:
    """Read an uploaded .csv or .xlsx within ``limits``, or raise ``ImportFileError`` at the first breach."""
    extension = Path(filename or "").suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise file_error("extension", _l("Only .csv and .xlsx files can be imported."))
    if len(data) > limits.max_bytes:
        raise file_error("too_large", _l("The file is larger than %(max)s: split it into several files.",
                                         max=size_text(limits.max_bytes)))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise file_error("empty", _l("The file is empty."))
    cells = _csv_rows(data, limits) if extension == ".csv" else _xlsx_rows(data, limits)
    try:
        return _collect(cells, max_rows=max_rows, limits=limits)
    finally:
        cells.close()  # an .xlsx abandoned at a limit closes its workbook now


def _collect(cells: Iterator[Sequence[Any]], *, max_rows: int, limits: ReadLimits) -> Lines:
    header: list[str] | None = None
    header_line = 0
    body: list[tuple[int, list[str]]] = []
    last_line = max_rows + 1 + BLANK_LINE_ALLOWANCE
    for line, raw in enumerate(cells, start=1):
        if line > last_line:
            raise file_error("too_many_lines", _l(
                "The file has more than %(count)d lines, blank ones included; at most %(max)d member rows can "
                "be imported at once. Delete the empty rows at its end, or split it.", count=last_line,
                max=max_rows))
        row = [cell_text(c) for c in raw]
        for index, value in enumerate(row):
            if len(value) > limits.max_cell_chars:
                named = header[index] if header is not None and index < len(header) and header[index] else ""
                column = f"{column_letter(index)} ({named[:40]})" if named else column_letter(index)
                raise file_error("cell_too_long", _l(
                    "The cell in column %(column)s holds %(count)d characters; a cell may hold at most %(max)d.",
                    column=column, count=len(value), max=limits.max_cell_chars), row=line)
        if not any(row):
            continue
        if header is None:
            header, header_line = row, line
        elif len(body) == max_rows:
            raise file_error("too_many", _l(
                "The file has more than %(max)d member rows; at most %(max)d can be imported at once. "
                "Split it into several files.", max=max_rows))
        else:
            body.append((line, row))
    if header is None:
        raise file_error("empty", _l("The file is empty."))
    return Lines(header_line, header, body)
