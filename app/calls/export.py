"""Export of a call's submitted proposals and their budget lines (XLSX with two sheets, or two CSV files).

Amounts are ``Decimal`` with two decimals, written as numbers (openpyxl takes ``Decimal``; CSV shows
"1234.50"), never floats. Text that a spreadsheet would run as a formula is escaped the way the member
register's export does it (``app.members.transfer.escape_formula``). Headers are stable codes, so a
script can read the file whatever the language of the person who exported it.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from app.calls import queries
from app.calls.models import EligibilityOverride, Proposal
from app.calls.money import from_cents
from app.calls.wording import reference
from app.members.transfer import escape_formula, write_csv

PROPOSAL_COLUMNS: tuple[str, ...] = (
    "reference", "lead", "lead_country", "title", "challenges", "duration_months", "total_budget", "requested",
    "cofinancing", "max_grant", "eligibility", "override")
LINE_COLUMNS: tuple[str, ...] = ("reference", "category", "description", "total", "requested")
MONEY_COLUMNS = frozenset({"total_budget", "requested", "cofinancing", "max_grant", "total"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _override_text(overrides: Mapping[str, EligibilityOverride]) -> str:
    """Every override of a proposal in one cell: ``kind: pass — reason``, separated by " | "."""
    return " | ".join(f"{kind}: {'pass' if o.passed else 'fail'} — {o.reason}" for kind, o in overrides.items())


def _eligibility_code(row: queries.RowEligibility) -> str:
    if row.effective is None:
        return "unchecked"
    return "eligible" if row.effective else "ineligible"


def proposal_rows(proposals: Sequence[Proposal], eligibility: Mapping[int, queries.RowEligibility],
                  overrides: Mapping[int, Mapping[str, EligibilityOverride]]) -> list[list[Any]]:
    """One row per proposal (``PROPOSAL_COLUMNS``); eligibility is the effective one, after overrides."""
    rows = []
    for p in proposals:
        rows.append([
            reference(p), p.lead_member.name, p.lead_member.country, p.title,
            ", ".join(c.code for c in p.challenges), p.duration_months, p.total_budget, p.requested, p.cofinancing,
            from_cents(p.max_grant_cents) if p.max_grant_cents is not None else None,
            _eligibility_code(eligibility[p.id]), _override_text(overrides.get(p.id, {}))])
    return rows


def line_rows(proposals: Sequence[Proposal]) -> list[list[Any]]:
    """One row per budget line (``LINE_COLUMNS``), in proposal order."""
    return [[reference(p), line.category, line.description, line.total, line.requested]
            for p in proposals for line in p.budget_lines]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(_CONTROL.sub("", value))
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM; ``Decimal`` amounts read "1234.50" (they carry their two decimals)."""
    return write_csv(header, ([_cell(v) for v in row] for row in rows))


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows): bold frozen header, amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        money = [i for i, name in enumerate(header) if name in MONEY_COLUMNS]
        widths = [len(h) for h in header]
        for row in rows:
            values = [_cell(v) for v in row]
            sheet.append(values)
            for index, value in enumerate(values):
                widths[index] = max(widths[index], min(len(str(value)), 60))
        for cells in sheet.iter_rows(min_row=2):
            for index in money:
                if isinstance(cells[index].value, Decimal):
                    cells[index].number_format = "#,##0.00"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export(proposals: Sequence[Proposal], fmt: str, *, sheet: str = "proposals") -> bytes:
    """The proposals as ``xlsx`` (sheets "proposals" and "budget lines") or ``csv`` (one of them)."""
    overrides = queries.overrides_of([p.id for p in proposals])
    eligibility = queries.eligibility_of(proposals, overrides)
    if fmt == "xlsx":
        return to_xlsx([("proposals", PROPOSAL_COLUMNS, proposal_rows(proposals, eligibility, overrides)),
                        ("budget lines", LINE_COLUMNS, line_rows(proposals))])
    if sheet == "lines":
        return to_csv(LINE_COLUMNS, line_rows(proposals))
    return to_csv(PROPOSAL_COLUMNS, proposal_rows(proposals, eligibility, overrides))
