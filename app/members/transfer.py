"""Import of members from CSV/XLSX and export of the directory.

Three layers: reading a file into a ``RawTable`` (within limits: ``transfer_read``)
and validating it into a ``Preview`` are pure (table-tested without a database); ``check`` and
``import_table`` add the register's state and write; ``export_table`` and the
writers turn directory rows into CSV or XLSX bytes.
"""
from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import audit
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import College, Country, Member, MemberKind, MemberStatus
from app.members.rules import name_key
from app.members.transfer_read import (  # noqa: F401  (cell_text, Problem: part of this module's interface)
    NO_SUCH_DATE,
    ImportFileError,
    Problem,
    ReadLimits,
    cell_text,
    file_error,
    parse_iso_date,
    read_lines,
)

# Columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One importable column: its header, the other accepted headers, its rule."""

    key: str
    aliases: tuple[str, ...]
    required: bool
    description: Any  # a lazy translated string
    max_length: int | None = None


KIND_WORDS: dict[MemberKind, tuple[str, ...]] = {
    MemberKind.association: ("association",),
    MemberKind.union: ("union", "trade union", "syndicat"),
    MemberKind.cooperative: ("cooperative", "coopérative"),
    MemberKind.local_authority: ("local_authority", "local authority", "collectivité locale",
                                 "collectivité territoriale", "collectivité"),
    MemberKind.network: ("network", "réseau"),
    MemberKind.foundation: ("foundation", "fondation"),
    MemberKind.other: ("other", "autre"),
}
COUNTRY_WORDS: dict[Country, tuple[str, ...]] = {
    Country.FR: ("FR", "France"),
    Country.TN: ("TN", "Tunisia", "Tunisie"),
}
#: Only these statuses can be given in an import; suspension and withdrawal need a reason.
STATUS_WORDS: dict[MemberStatus, tuple[str, ...]] = {
    MemberStatus.applicant: ("applicant", "candidate", "candidat", "candidature"),
    MemberStatus.active: ("active", "actif", "active member", "membre actif"),
}

COLUMNS: tuple[Column, ...] = (
    Column("name", ("nom", "organisation", "organization", "nom de l'organisation"), True,
           _l("Name of the organisation; unique in the file and in the register."), 200),
    Column("acronym", ("sigle", "acronyme"), False, _l("Short name."), 40),
    Column("kind", ("type", "nature", "type d'organisation"), True,
           _l("One of: %(values)s (French names such as “syndicat” or “réseau” are accepted).",
              values=", ".join(k.value for k in MemberKind))),
    Column("country", ("pays",), True, _l("FR (France) or TN (Tunisia).")),
    Column("college", ("collège", "college code", "code collège", "code du collège"), True,
           _l("Code of an existing college.")),
    Column("territory", ("territoire", "city", "ville", "city or territory", "ville ou territoire"), False,
           _l("City or territory."), 200),
    Column("status", ("statut",), False, _l("applicant (the default when empty) or active.")),
    Column("admission_date", ("admission date", "date d'admission", "date admission"), False,
           _l("Date as YYYY-MM-DD, e.g. 2024-03-31. An active member without one is admitted today.")),
    Column("email", ("e-mail", "courriel", "mail", "adresse e-mail"), False, _l("Contact e-mail address."), 254),
    Column("phone", ("telephone", "téléphone", "tel", "tél"), False, _l("Digits, spaces and + ( ) - only."), 50),
    Column("address", ("adresse", "postal address", "adresse postale"), False, _l("Postal address."), 1000),
    Column("website", ("site web", "site internet", "site"), False,
           _l("Full address such as https://example.org."), 300),
)
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.required)
_BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}


def _word_map(words: Mapping[Any, Iterable[str]]) -> dict[str, Any]:
    return {name_key(word): value for value, group in words.items() for word in group}


_HEADERS = _word_map({c.key: (c.key, *c.aliases) for c in COLUMNS})
_KINDS = _word_map(KIND_WORDS)
_COUNTRIES = _word_map(COUNTRY_WORDS)
_STATUSES = _word_map(STATUS_WORDS)
_PHONE = re.compile(r"^[0-9+() .-]*$")
#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def column_for_header(header: str) -> str | None:
    """Canonical column for a header cell (case, accents, spaces, _ and - ignored)."""
    return _HEADERS.get(name_key(header))


# Reading ---------------------------------------------------------------------


@dataclass
class RawTable:
    """The cells of an upload under canonical column names, before validation."""

    columns: list[str]
    ignored: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "ignored": self.ignored, "rows": [[line, v] for line, v in self.rows]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RawTable:
        rows = [(int(line), {str(k): str(v) for k, v in values.items() if k in COLUMN_KEYS})
                for line, values in data["rows"]]
        return cls(columns=[c for c in data["columns"] if c in COLUMN_KEYS],
                   ignored=[str(c) for c in data.get("ignored", [])], rows=rows)


def read_table(filename: str, data: bytes, *, max_rows: int, limits: ReadLimits | None = None) -> RawTable:
    """Read an uploaded .csv or .xlsx into canonical columns, or raise ``ImportFileError``.

    Reading stops at the first limit broken (``transfer_read``): size, unpacked size, a cell's length,
    the number of member rows.
    """
    lines = read_lines(filename, data, max_rows=max_rows, limits=limits or ReadLimits())
    positions, ignored, problems = _read_header(lines.header, lines.header_line)
    if problems:
        raise ImportFileError(problems)
    if not lines.body:
        raise file_error("no_rows", _l("The file has a header row but no member below it."))
    rows = [(line, {key: (row[i] if i < len(row) else "") for key, i in positions.items()})
            for line, row in lines.body]
    return RawTable(columns=list(positions), ignored=ignored, rows=rows)


def _read_header(header: Sequence[str], line: int) -> tuple[dict[str, int], list[str], list[Problem]]:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        key = column_for_header(cell)
        if key is None:
            if cell:
                ignored.append(cell)
        elif key in positions:
            problems.append(Problem(line, key, "duplicate_column",
                                    _l("The column “%(column)s” appears twice in the header.", column=key)))
        else:
            positions[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        problems.insert(0, Problem(line, None, "missing_columns",
                                   _l("Required columns are missing from the header row: %(columns)s.",
                                      columns=", ".join(missing))))
    return positions, ignored, problems


# Validation (pure) -----------------------------------------------------------


@dataclass
class RowResult:
    """One data row: what was read, the member data it gives, and its problems."""

    line: int
    values: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    status: MemberStatus = MemberStatus.applicant
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_for(self, column: str) -> list[Problem]:
        return [p for p in self.errors if p.column == column]


@dataclass
class Preview:
    """A validated upload: every row, with its errors; importable only when ``ok``."""

    columns: list[str]
    ignored: list[str]
    rows: list[RowResult]

    @property
    def problems(self) -> list[Problem]:
        return [p for row in self.rows for p in row.errors]

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def error_count(self) -> int:
        return len(self.rows) - self.valid_count

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0


def unescape(value: str) -> str:
    """Undo the export's formula guard ("'=x" → "=x") so an export re-imports as it was."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:].strip()
    return value


def _choice(raw: str, words: Mapping[str, Any]) -> Any | None:
    return words.get(name_key(raw)) if raw else None


def validate_row(line: int, values: Mapping[str, str], *, colleges: Mapping[str, int]) -> RowResult:
    """Check one row on its own (no look at other rows or the register)."""
    clean = {key: unescape(values.get(key, "")) for key in COLUMN_KEYS}
    result = RowResult(line=line, values=dict(values))
    errors = result.errors

    def fail(column: str, code: str, message: Any) -> None:
        errors.append(Problem(line, column, code, message))

    for key, value in clean.items():
        limit = _BY_KEY[key].max_length
        if limit and len(value) > limit:
            fail(key, "too_long", _l("This value is longer than %(max)d characters.", max=limit))
    if not name_key(clean["name"]):
        fail("name", "missing", _l("The name is missing."))
    kind = _choice(clean["kind"], _KINDS)
    if not clean["kind"]:
        fail("kind", "missing", _l("The kind of organisation is missing."))
    elif kind is None:
        fail("kind", "unknown_kind", _l("Unknown kind “%(value)s”. Use one of: %(allowed)s.", value=clean["kind"],
                                         allowed=", ".join(k.value for k in MemberKind)))
    country = _choice(clean["country"], _COUNTRIES)
    if not clean["country"]:
        fail("country", "missing", _l("The country is missing."))
    elif country is None:
        fail("country", "unknown_country", _l("Unknown country “%(value)s”. Use FR or TN.", value=clean["country"]))
    college_id = colleges.get(clean["college"].lower()) if clean["college"] else None
    if not clean["college"]:
        fail("college", "missing", _l("The college code is missing."))
    elif college_id is None:
        fail("college", "unknown_college", _l("Unknown college code “%(value)s”. Known codes: %(allowed)s.",
                                               value=clean["college"], allowed=", ".join(sorted(colleges)) or "—"))
    status = _choice(clean["status"], _STATUSES) if clean["status"] else MemberStatus.applicant
    if status is None:
        fail("status", "unknown_status", _l("The status “%(value)s” cannot be imported. Use applicant or active.",
                                            value=clean["status"]))
    admission: date | None = None
    if clean["admission_date"]:
        admission, why = parse_iso_date(clean["admission_date"])
        if why == NO_SUCH_DATE:
            fail("admission_date", "bad_date", _l("There is no such day as “%(value)s”: check the day and month.",
                                                  value=clean["admission_date"]))
        elif why is not None:
            fail("admission_date", "bad_date", _l("“%(value)s” is not a date written as YYYY-MM-DD.",
                                                  value=clean["admission_date"]))
    if clean["email"]:
        try:
            validate_email(clean["email"], check_deliverability=False)
        except EmailNotValidError:
            fail("email", "bad_email", _l("“%(value)s” is not a valid e-mail address.", value=clean["email"]))
    if clean["phone"] and not _PHONE.match(clean["phone"]):
        fail("phone", "bad_phone", _l("Use digits, spaces and + ( ) - only."))
    if clean["website"]:
        parts = urlsplit(clean["website"])
        if parts.scheme not in ("http", "https") or "." not in parts.netloc:
            fail("website", "bad_website", _l("Enter a full address such as https://example.org."))
    if not errors:
        result.status = status
        result.data = {"name": clean["name"], "acronym": clean["acronym"], "kind": kind.value, "country": country.value,
                       "college_id": college_id, "territory": clean["territory"], "admission_date": admission,
                       "email": clean["email"], "phone": clean["phone"], "address": clean["address"],
                       "website": clean["website"]}
    return result


def validate(table: RawTable, *, colleges: Mapping[str, int], existing_keys: Collection[str]) -> Preview:
    """Check every row, duplicates inside the file, and names already in the register.

    ``colleges`` maps lower-case college codes to ids; ``existing_keys`` holds the
    ``name_key`` of members already registered.
    """
    colleges = {code.lower(): college_id for code, college_id in colleges.items()}
    rows: list[RowResult] = []
    first_line: dict[str, int] = {}
    for line, values in table.rows:
        result = validate_row(line, values, colleges=colleges)
        key = name_key(unescape(values.get("name", "")))
        if key:
            if key in first_line:
                result.errors.append(Problem(line, "name", "duplicate",
                                             _l("The same name is already on row %(row)d of the file.",
                                                row=first_line[key])))
            else:
                first_line[key] = line
            if key in existing_keys:
                result.errors.append(Problem(line, "name", "exists",
                                             _l("A member with this name is already in the register.")))
        if result.errors:
            result.data = {}
        rows.append(result)
    return Preview(columns=list(table.columns), ignored=list(table.ignored), rows=rows)


# With the database -----------------------------------------------------------


class ImportRejected(DomainError):
    """Some row is invalid against the register as it is now: nothing was imported."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(_l("Nothing was imported: some rows have errors."))
        self.preview = preview


def check(table: RawTable) -> Preview:
    """Validate against the register as it is now (two queries)."""
    colleges = {code.lower(): cid for cid, code in db.session.execute(select(College.id, College.code))}
    keys = {name_key(unescape(values.get("name", ""))) for _, values in table.rows} - {""}
    existing: set[str] = set()
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start:start + 500]
        existing.update(db.session.scalars(select(Member.name_key).where(Member.name_key.in_(chunk))))
    return validate(table, colleges=colleges, existing_keys=existing)


def import_table(table: RawTable, *, actor: Any, filename: str) -> list[Member]:
    """Create every member of the table, or none: re-validates first, flushes, never commits."""
    from app.members.services import create_member

    preview = check(table)
    if not preview.ok:
        raise ImportRejected(preview)
    reason = str(_l("Imported from the file %(filename)s.", filename=filename))
    members = [create_member(actor=actor, data=row.data, status=row.status, reason=reason) for row in preview.rows]
    audit.record("member.imported", "member", None, actor=actor,
                 after={"filename": filename, "count": len(members), "member_ids": [m.id for m in members]})
    return members


# Pending uploads between preview and confirmation ------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,80}$")
PENDING_TTL_SECONDS = 24 * 3600


def save_pending(directory: Path, *, user_id: int, filename: str, table: RawTable) -> str:
    """Keep a parsed upload server-side; returns the random token that names it."""
    directory.mkdir(parents=True, exist_ok=True)
    _purge_old(directory)
    token = secrets.token_urlsafe(24)
    payload = {"user_id": user_id, "filename": filename, "created": time.time(), "table": table.to_json()}
    path = directory / f"{token}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)
    return token


def load_pending(directory: Path, token: str | None, *, user_id: int) -> tuple[str, RawTable] | None:
    """The (filename, table) kept under ``token`` if it exists and belongs to ``user_id``."""
    if not token or not _TOKEN.match(token):
        return None
    path = directory / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user_id") != user_id:
        return None
    return str(payload.get("filename", "")), RawTable.from_json(payload["table"])


def drop_pending(directory: Path, token: str | None) -> None:
    if token and _TOKEN.match(token):
        (directory / f"{token}.json").unlink(missing_ok=True)


def _purge_old(directory: Path) -> None:
    """Forget uploads nobody confirmed within a day."""
    limit = time.time() - PENDING_TTL_SECONDS
    for path in directory.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


# Export ----------------------------------------------------------------------

EXPORT_COLUMNS: tuple[str, ...] = ("name", "acronym", "kind", "country", "college", "territory", "status",
                                   "admission_date", "charter_signed", "delegate")
CONTACT_COLUMNS: tuple[str, ...] = ("email", "phone", "address", "website", "delegate_email")


def export_table(members: Iterable[Member], signed: Collection[int], *,
                 with_contacts: bool) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the directory export; codes (not labels) so the file re-imports."""
    header = list(EXPORT_COLUMNS) + (list(CONTACT_COLUMNS) if with_contacts else [])
    rows: list[list[Any]] = []
    for member in members:
        delegate = member.delegate
        row: list[Any] = [member.name, member.acronym, member.kind, member.country, member.college.code,
                          member.territory, member.status, member.admission_date,
                          "yes" if member.id in signed else "no", delegate.full_name if delegate else ""]
        if with_contacts:
            row += [member.email, member.phone, member.address, member.website, delegate.email if delegate else ""]
        rows.append(row)
    return header, rows


def escape_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _export_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads accents), comma-separated, dates as YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else _export_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Members") -> bytes:
    """One sheet, bold frozen header, real date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(h) for h in header]
    for row in rows:
        values = [_CONTROL.sub("", v) if isinstance(v, str) else v for v in map(_export_cell, row)]
        sheet.append(values)
        for index, value in enumerate(values):
            widths[index] = max(widths[index], min(len(str(value)), 60))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """An empty import file: just the header row."""
    return write_csv(COLUMN_KEYS, [])
