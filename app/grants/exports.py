"""Exports of the grants: tables (XLSX/CSV), 360Giving (JSON package and CSV) and IATI 2.03 activity XML.

Every amount comes from the ledger: the tables list its entries or the totals ``rules.totals`` makes of
them (``dashboard.load``); 360Giving's ``amountDisbursed`` is the paid total, IATI's transactions are the
ledger's entries themselves (2 commitment, 3 disbursement, 4 expenditure; a correction is a negative
value). Each export reads a fixed number of statements whatever the number of grants.

Identifiers. Organisations follow org-id (``<scheme>-<registration number>``, e.g. ``TN-RNE-…``) when a
member records its registration; otherwise an internal identifier ``<GRANTS_ID_PREFIX>-ORG-<member id>``
(partners outside the programme: ``…-PARTNER-<id>``). Grants are ``<GRANTS_ID_PREFIX>-<number>`` in
360Giving and ``<GRANTS_FUNDER_ORG_ID>-<number>`` in IATI. The funder's identifier, name and type, the
prefix and the IATI sector come from the configuration (defaults below).

Tables' headers are stable codes (a script reads them whatever the exporter's language); cells are
escaped against spreadsheet formulas by ``app.calls.export``.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from flask import current_app
from lxml import etree
from sqlalchemy import select

from app.calls.export import to_csv, to_xlsx
from app.calls.money import from_cents
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import dashboard
from app.grants.models import (
    BudgetVersion,
    Grant,
    GrantBudgetLine,
    GrantPartner,
    GrantStatus,
    Instalment,
    LedgerEntry,
    Report,
    ReportVersion,
    ReportVersionStatus,
    TransactionType,
)
from app.members.models import Member

DEFAULTS: dict[str, str] = {
    "GRANTS_FUNDER_ORG_ID": "XI-PCPA",
    "GRANTS_FUNDER_NAME": "Programme concerté pluri-acteurs",
    "GRANTS_FUNDER_ORG_TYPE": "90",  # IATI OrganisationType: other
    "GRANTS_ID_PREFIX": "360G-PCPA",
    "GRANTS_IATI_SECTOR": "15150",  # DAC 5: democratic participation and civil society
}
TABLES = ("portfolio", "instalments", "disbursements", "expenditure")
PORTFOLIO_COLUMNS = ("grant", "call", "title", "lead", "lead_country", "status", "starts_on", "ends_on", "awarded",
                     "committed", "paid", "justified", "remaining_to_pay", "remaining_to_justify")
INSTALMENT_COLUMNS = ("grant", "instalment", "amount", "condition", "condition_report", "condition_share_percent",
                      "paid", "rest", "due", "missing", "released_early_reason")
DISBURSEMENT_COLUMNS = ("grant", "entry", "value_date", "amount", "instalment", "reference", "local_currency",
                        "local_amount", "exchange_rate", "reverses", "note")
EXPENDITURE_COLUMNS = ("grant", "entry", "value_date", "budget_line", "amount", "report", "report_version",
                       "reference", "reverses", "note")
#: IATI ActivityStatus of each grant status.
ACTIVITY_STATUS = {GrantStatus.draft: "1", GrantStatus.signed: "2", GrantStatus.active: "2",
                   GrantStatus.suspended: "6", GrantStatus.closing: "3", GrantStatus.closed: "4",
                   GrantStatus.terminated: "5"}
#: 360Giving's flattened CSV: column title -> path in a grant (the 360Giving spreadsheet template's titles).
GIVING_CSV = (
    ("Identifier", ("id",)), ("Title", ("title",)), ("Description", ("description",)),
    ("Currency", ("currency",)), ("Amount Awarded", ("amountAwarded",)), ("Award Date", ("awardDate",)),
    ("Amount Disbursed", ("amountDisbursed",)),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Recipient Org:Country", ("recipientOrganization", 0, "addressCountry")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Planned Dates:Start Date", ("plannedDates", 0, "startDate")),
    ("Planned Dates:End Date", ("plannedDates", 0, "endDate")),
    ("Planned Dates:Duration (months)", ("plannedDates", 0, "duration")),
    ("Beneficiary Location:Name", ("beneficiaryLocation", 0, "name")),
    ("Beneficiary Location:Country Code", ("beneficiaryLocation", 0, "countryCode")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Last Modified", ("dateModified",)),
)
#: Money fields of a 360Giving grant (numbers in JSON, decimal text in CSV).
GIVING_MONEY = frozenset({"amountAwarded", "amountDisbursed"})


def setting(key: str) -> str:
    return str(current_app.config.get(key) or DEFAULTS[key])


def org_id(scheme: str, number: str, fallback: str) -> str:
    """org-id when the registration is known (``TN-RNE-B0123``), else the internal identifier."""
    scheme, number = (scheme or "").strip().upper(), re.sub(r"\s+", "", number or "")
    return f"{scheme}-{number}" if scheme and number else fallback


def member_org_id(member_id: int, scheme: str, number: str) -> str:
    return org_id(scheme, number, f"{setting('GRANTS_ID_PREFIX')}-ORG-{member_id}")


def money(cents: int) -> Decimal:
    return from_cents(cents)


# --- what the exports read ----------------------------------------------------------------------

@dataclass
class Facts:
    """Every grant (not a draft) with what the exports need, read in a fixed number of statements."""

    rows: list[dashboard.GrantRow]
    leads: dict[int, tuple[str, str, str, str]]  # member id -> (name, country, scheme, registration number)
    partners: dict[int, list[tuple[int, str, str, str, str, str]]]  # grant -> (id, name, country, member scheme…)
    award_dates: dict[int, datetime]
    summaries: dict[int, str]
    closed_at: dict[int, datetime | None]
    entries: dict[int, list[tuple[int, str, int, date, str, str, int | None]]]
    budgets: dict[int, list[tuple[int, date, int]]]  # grant -> (version number, ends_on, grant cents)
    periods: dict[int, list[tuple[date, date, dict[str, Any]]]]  # grant -> approved reports' periods and values


def facts(*, with_entries: bool = True, with_indicators: bool = True) -> Facts:
    rows = [r for r in dashboard.load(with_indicators=with_indicators) if r.status != GrantStatus.draft]
    ids = select(Grant.id).where(Grant.status != GrantStatus.draft).scalar_subquery()
    leads = {r[0]: tuple(r[1:]) for r in db.session.execute(
        select(Member.id, Member.name, Member.country, Member.org_id_scheme, Member.registration_number)
        .where(Member.id.in_(select(Grant.lead_member_id).where(Grant.id.in_(ids)))))}
    partners: dict[int, list[Any]] = defaultdict(list)
    for r in db.session.execute(
            select(GrantPartner.grant_id, GrantPartner.id, GrantPartner.name, GrantPartner.country,
                   GrantPartner.member_id, Member.org_id_scheme, Member.registration_number)
            .outerjoin(Member, Member.id == GrantPartner.member_id).where(GrantPartner.grant_id.in_(ids))
            .order_by(GrantPartner.id)):
        partners[r[0]].append(tuple(r[1:]))
    award_dates = {r[0]: r[1] for r in db.session.execute(
        select(Grant.id, SelectionDecision.decided_at)
        .join(ProposalDecision, ProposalDecision.proposal_id == Grant.proposal_id)
        .join(SelectionDecision, SelectionDecision.id == ProposalDecision.decision_id).where(Grant.id.in_(ids)))}
    extra = {r[0]: (r[1], r[2], r[3]) for r in db.session.execute(
        select(Grant.id, Grant.summary, Grant.closed_at, Grant.created_at).where(Grant.id.in_(ids)))}
    entries: dict[int, list[Any]] = defaultdict(list)
    if with_entries:
        for r in db.session.execute(
                select(LedgerEntry.grant_id, LedgerEntry.id, LedgerEntry.type, LedgerEntry.amount_cents,
                       LedgerEntry.value_date, LedgerEntry.reference, LedgerEntry.budget_line_code,
                       LedgerEntry.reverses_id).where(LedgerEntry.grant_id.in_(ids))
                .order_by(LedgerEntry.grant_id, LedgerEntry.value_date, LedgerEntry.id)):
            entries[r[0]].append(tuple(r[1:]))
    budgets: dict[int, list[Any]] = defaultdict(list)
    for r in db.session.execute(
            select(BudgetVersion.grant_id, BudgetVersion.number, BudgetVersion.ends_on,
                   GrantBudgetLine.grant_cents)
            .join(GrantBudgetLine, GrantBudgetLine.version_id == BudgetVersion.id)
            .where(BudgetVersion.grant_id.in_(ids)).order_by(BudgetVersion.grant_id, BudgetVersion.number)):
        versions = budgets[r[0]]
        if versions and versions[-1][0] == r[1]:
            versions[-1] = (r[1], r[2], versions[-1][2] + r[3])
        else:
            versions.append((r[1], r[2], r[3]))
    periods: dict[int, list[Any]] = defaultdict(list)
    for r in db.session.execute(
            select(Report.grant_id, Report.period_starts_on, Report.period_ends_on, ReportVersion.indicators)
            .join(ReportVersion, ReportVersion.report_id == Report.id)
            .where(Report.grant_id.in_(ids), ReportVersion.status == ReportVersionStatus.approved)
            .order_by(Report.grant_id, Report.period_ends_on)):
        periods[r[0]].append((r[1], r[2], r[3] or {}))
    return Facts(rows, leads, partners, {k: v or extra[k][2] for k, v in award_dates.items()},
                 {k: v[0] for k, v in extra.items()}, {k: v[1] for k, v in extra.items()}, entries, budgets,
                 periods)


# --- tables ------------------------------------------------------------------------------------

def portfolio_rows(rows: Iterable[dashboard.GrantRow], leads: dict[int, Any]) -> list[list[Any]]:
    out = []
    for g in rows:
        t = g.totals
        out.append([g.number, g.call_title, g.title, g.lead_name, leads.get(g.lead_member_id, ("", ""))[1], g.status,
                    g.starts_on, g.ends_on, money(g.awarded_cents), money(t.committed_cents), money(t.paid_cents),
                    money(t.justified_cents), money(t.remaining_to_pay_cents), money(t.remaining_to_justify_cents)])
    return out


def instalment_rows(rows: Iterable[dashboard.GrantRow]) -> list[list[Any]]:
    out = []
    for g in rows:
        numbers = {r.id: r.number for r in g.reports}
        for i in g.instalments:
            out.append([g.number, i.number, money(i.amount_cents), i.condition,
                        numbers.get(i.report_id, "") if i.report_id else "", i.share_percent,
                        money(i.paid_cents), money(i.rest_cents), "yes" if i.open_and_due else "no",
                        i.due.missing.key if i.due and i.due.missing else "", i.early_reason])
    return out


def entry_rows(kind: str) -> list[list[Any]]:
    """Disbursements or expenditure, every entry (corrections included, with the entry they reverse)."""
    type_ = TransactionType.disbursement if kind == "disbursements" else TransactionType.expenditure
    query = (select(Grant.number, LedgerEntry.id, LedgerEntry.value_date, LedgerEntry.amount_cents,
                    Instalment.number, LedgerEntry.reference, LedgerEntry.local_currency, LedgerEntry.local_amount,
                    LedgerEntry.exchange_rate, LedgerEntry.reverses_id, LedgerEntry.note,
                    LedgerEntry.budget_line_code, Report.number, ReportVersion.number)
             .join(Grant, Grant.id == LedgerEntry.grant_id)
             .outerjoin(Instalment, Instalment.id == LedgerEntry.instalment_id)
             .outerjoin(ReportVersion, ReportVersion.id == LedgerEntry.report_version_id)
             .outerjoin(Report, Report.id == ReportVersion.report_id)
             .where(LedgerEntry.type == type_).order_by(Grant.number, LedgerEntry.value_date, LedgerEntry.id))
    out = []
    for r in db.session.execute(query):
        if kind == "disbursements":
            out.append([r[0], r[1], r[2], money(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10]])
        else:
            out.append([r[0], r[1], r[2], r[11], money(r[3]), r[12], r[13], r[5], r[9], r[10]])
    return out


def table(name: str) -> tuple[Sequence[str], list[list[Any]]]:
    if name == "portfolio":
        rows = dashboard.load(with_indicators=False)
        leads = {r[0]: tuple(r[1:]) for r in db.session.execute(select(Member.id, Member.name, Member.country)
                                                                 .where(Member.id.in_(select(Grant.lead_member_id))))}
        return PORTFOLIO_COLUMNS, portfolio_rows(rows, leads)
    if name == "instalments":
        return INSTALMENT_COLUMNS, instalment_rows(dashboard.load(with_indicators=False))
    if name == "disbursements":
        return DISBURSEMENT_COLUMNS, entry_rows(name)
    if name == "expenditure":
        return EXPENDITURE_COLUMNS, entry_rows(name)
    raise ValueError(f"unknown table {name!r}")


def export_table(fmt: str, tables: Sequence[str]) -> bytes:
    """``tables`` as XLSX (one sheet each) or the first as CSV."""
    if fmt == "xlsx":
        return to_xlsx([(name, *table(name)) for name in tables])
    header, rows = table(tables[0])
    return to_csv(header, rows)


# --- 360Giving ---------------------------------------------------------------------------------

def _months(start: date, end: date) -> int:
    return max(1, (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0))


def _country_name(code: str) -> str:
    return Locale("en").territories.get(code.upper(), code.upper())


def giving_grants(data: Facts | None = None) -> list[dict[str, Any]]:
    """Awarded grants (every grant past its draft) as 360Giving grant objects; amounts are ``Decimal``."""
    data = data or facts(with_entries=False, with_indicators=False)
    funder = {"id": setting("GRANTS_FUNDER_ORG_ID"), "name": setting("GRANTS_FUNDER_NAME")}
    prefix = setting("GRANTS_ID_PREFIX")
    now = utcnow().astimezone(UTC).replace(microsecond=0).isoformat()
    out = []
    for g in data.rows:
        name, country, scheme, number = data.leads[g.lead_member_id]
        countries = [country] + [p[2] for p in data.partners.get(g.id, []) if p[2] and p[2] != country]
        award = data.award_dates.get(g.id)
        item: dict[str, Any] = {
            "id": f"{prefix}-{g.number}",
            "title": g.title,
            "description": data.summaries.get(g.id) or g.title,
            "currency": "EUR",
            "amountAwarded": money(g.totals.committed_cents or g.awarded_cents),
            "awardDate": (award.date() if award else g.starts_on).isoformat(),
            "amountDisbursed": money(g.totals.paid_cents),
            "recipientOrganization": [{"id": member_org_id(g.lead_member_id, scheme, number), "name": name,
                                       "addressCountry": country}],
            "fundingOrganization": [funder],
            "plannedDates": [{"startDate": g.starts_on.isoformat(), "endDate": g.ends_on.isoformat(),
                              "duration": _months(g.starts_on, g.ends_on)}],
            "beneficiaryLocation": [{"name": _country_name(c), "countryCode": c.upper()}
                                    for c in dict.fromkeys(countries)],
            "grantProgramme": [{"code": f"{prefix}-CALL-{g.call_id}", "title": g.call_title}],
            "dateModified": now,
        }
        out.append(item)
    return out


_DECIMAL = re.compile(r'"\\u0000DEC:(-?[0-9]+(?:\.[0-9]+)?)"')


def _json_ready(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\x00DEC:{value}"
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


def giving_json(grants: list[dict[str, Any]] | None = None) -> bytes:
    """The 360Giving package ``{"grants": [...]}``; amounts written as exact decimal numbers (no float)."""
    grants = giving_grants() if grants is None else grants
    package = {"version": "1.4", "grants": grants}
    text = json.dumps(_json_ready(package), ensure_ascii=False, indent=1)
    return _DECIMAL.sub(r"\1", text).encode("utf-8")


def _path(item: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        try:
            item = item[step]
        except (KeyError, IndexError, TypeError):
            return None
    return item


def giving_csv(grants: list[dict[str, Any]] | None = None) -> bytes:
    """The same grants flattened with the 360Giving spreadsheet template's column titles."""
    grants = giving_grants() if grants is None else grants
    return to_csv([title for title, _ in GIVING_CSV], [[_path(g, path) for _, path in GIVING_CSV] for g in grants])


# --- IATI 2.03 ---------------------------------------------------------------------------------

def _narrative(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, **attrs)
    etree.SubElement(element, "narrative").text = text or "—"
    return element


def _value(parent: etree._Element, cents: int, on: date) -> None:
    etree.SubElement(parent, "value", currency="EUR", **{"value-date": on.isoformat()}).text = str(money(cents))


def _numeric(text: str) -> bool:
    try:
        return Decimal(str(text).strip()).is_finite()
    except InvalidOperation:
        return False


def iati_xml(data: Facts | None = None) -> bytes:
    """Every grant past its draft as an IATI 2.03 ``iati-activity`` of the funder."""
    data = data or facts()
    funder_id, funder_name = setting("GRANTS_FUNDER_ORG_ID"), setting("GRANTS_FUNDER_NAME")
    funder_type, sector = setting("GRANTS_FUNDER_ORG_TYPE"), setting("GRANTS_IATI_SECTOR")
    now = utcnow().astimezone(UTC).replace(microsecond=0).isoformat()
    root = etree.Element("iati-activities", version="2.03", **{"generated-datetime": now})
    for g in data.rows:
        name, country, scheme, number = data.leads[g.lead_member_id]
        lead_id = member_org_id(g.lead_member_id, scheme, number)
        activity = etree.SubElement(root, "iati-activity", **{"last-updated-datetime": now, "default-currency": "EUR",
                                                              "{http://www.w3.org/XML/1998/namespace}lang": "fr"})
        etree.SubElement(activity, "iati-identifier").text = f"{funder_id}-{g.number}"
        _narrative(activity, "reporting-org", funder_name, ref=funder_id, type=funder_type)
        _narrative(activity, "title", g.title)
        _narrative(activity, "description", data.summaries.get(g.id) or g.title, type="1")
        _narrative(activity, "participating-org", funder_name, ref=funder_id, type=funder_type, role="1")
        _narrative(activity, "participating-org", name, ref=lead_id, type="22", role="2")
        _narrative(activity, "participating-org", funder_name, ref=funder_id, type=funder_type, role="3")
        _narrative(activity, "participating-org", name, ref=lead_id, type="22", role="4")
        for pid, pname, _pcountry, pmember, pscheme, pnumber in data.partners.get(g.id, []):
            ref = (member_org_id(pmember, pscheme or "", pnumber or "") if pmember
                   else f"{setting('GRANTS_ID_PREFIX')}-PARTNER-{pid}")
            _narrative(activity, "participating-org", pname, ref=ref, type="22", role="4")
        etree.SubElement(activity, "activity-status", code=ACTIVITY_STATUS.get(g.status, "2"))
        etree.SubElement(activity, "activity-date", type="1", **{"iso-date": g.starts_on.isoformat()})
        if g.signed:
            first = min((e[3] for e in data.entries.get(g.id, []) if e[1] == TransactionType.commitment),
                        default=g.starts_on)
            etree.SubElement(activity, "activity-date", type="2", **{"iso-date": max(first, g.starts_on).isoformat()})
        etree.SubElement(activity, "activity-date", type="3", **{"iso-date": g.ends_on.isoformat()})
        closed = data.closed_at.get(g.id)
        if closed is not None:
            etree.SubElement(activity, "activity-date", type="4", **{"iso-date": closed.date().isoformat()})
        etree.SubElement(activity, "recipient-country", code=country.upper(), percentage="100")
        etree.SubElement(activity, "sector", code=sector, vocabulary="1", percentage="100")
        for index, (_version, ends_on, cents) in enumerate(data.budgets.get(g.id, [])):
            budget = etree.SubElement(activity, "budget", type="1" if index == 0 else "2", status="2")
            etree.SubElement(budget, "period-start", **{"iso-date": g.starts_on.isoformat()})
            etree.SubElement(budget, "period-end", **{"iso-date": ends_on.isoformat()})
            _value(budget, cents, g.starts_on)
        for _eid, type_, cents, on, reference, line, _reverses in data.entries.get(g.id, []):
            transaction = etree.SubElement(activity, "transaction", ref=reference) if reference else \
                etree.SubElement(activity, "transaction")
            etree.SubElement(transaction, "transaction-type", code=str(type_))
            etree.SubElement(transaction, "transaction-date", **{"iso-date": on.isoformat()})
            _value(transaction, cents, on)
            if line:
                _narrative(transaction, "description", line)
            if str(type_) == TransactionType.expenditure:
                _narrative(transaction, "provider-org", name, ref=lead_id)
            else:
                _narrative(transaction, "provider-org", funder_name, ref=funder_id)
                _narrative(transaction, "receiver-org", name, ref=lead_id)
        _results(activity, g, data.periods.get(g.id, []))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _results(activity: etree._Element, g: dashboard.GrantRow, periods: list[tuple[date, date, dict[str, Any]]]
             ) -> None:
    """One output result holding every indicator: baseline, then per approved report its target and actual."""
    if not g.indicators:
        return
    result = etree.SubElement(activity, "result", type="1", **{"aggregation-status": "0"})
    _narrative(result, "title", g.title)
    for item in g.indicators:
        numeric = _numeric(item.baseline) and _numeric(item.target)
        ascending = "1"
        if numeric and Decimal(item.target) < Decimal(item.baseline):
            ascending = "0"
        indicator = etree.SubElement(result, "indicator", measure="1" if numeric else "5", ascending=ascending)
        _narrative(indicator, "title", f"{item.name} ({item.side})")
        if item.unit:
            _narrative(indicator, "description", item.unit)
        baseline = etree.SubElement(indicator, "baseline", year=str(g.starts_on.year),
                                    **{"iso-date": g.starts_on.isoformat()})
        if item.baseline:
            baseline.set("value", item.baseline)
        reported = [(s, e, v[str(item.id)]) for s, e, v in periods if v.get(str(item.id)) not in (None, "")]
        if not reported:
            reported = [(g.starts_on, g.ends_on, None)]
        for start, end, actual in reported:
            period = etree.SubElement(indicator, "period")
            etree.SubElement(period, "period-start", **{"iso-date": start.isoformat()})
            etree.SubElement(period, "period-end", **{"iso-date": end.isoformat()})
            etree.SubElement(period, "target", value=item.target or "")
            if actual is not None:
                etree.SubElement(period, "actual", value=str(actual))

