"""Builders for the grants tests: a selected proposal ready for a grant, a grant made directly through the
models (budget lines, partners, co-financing, indicators, instalments, a report schedule), and ledger entries.

Written straight to the tables (no service) so each test sets up exactly the state it needs; amounts are
euros given as strings or ``Decimal`` (``"40000"``), stored in cents. Kept small and stable: G-A, G-B and
G-C tests import it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from app.calls.models import Call, CallStatus, Proposal
from app.calls.money import to_cents
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants.models import (
    BudgetVersion,
    Grant,
    GrantBudgetLine,
    GrantCofinancing,
    GrantIndicator,
    GrantPartner,
    GrantStatus,
    Instalment,
    InstalmentCondition,
    LedgerEntry,
    Report,
    ReportKind,
    ReportNature,
    ReportVersion,
    ReportVersionStatus,
    TransactionType,
)
from app.members.models import Member
from tests.calls import builders as call_builders

_seq = count(1)

#: Budget lines of a grant: (category, description, planned, of which the grant).
LINES: tuple[tuple[str, str, str, str], ...] = (
    ("staff", "Coordination", "40000", "26000"),
    ("activities", "Ateliers", "50115", "32575"),
)
#: Partners: (name, country, kind, role).
PARTNERS: tuple[tuple[str, str, str, str], ...] = (("Maison des jeunes de Rezé", "FR", "association", "Accueil"),)
#: Indicators: (name, unit, baseline, target, index of the partner it measures or None for the lead).
INDICATORS: tuple[tuple[str, str, str, str, int | None], ...] = (
    ("Jeunes formés", "personnes", "0", "100", None),
    ("Ateliers tenus", "ateliers", "0", "12", 0),
)
#: Instalments: (amount, condition, report number for report_approved or share percent for expenditure_share).
INSTALMENTS: tuple[tuple[str, str, int | None], ...] = (
    ("20000", InstalmentCondition.on_signature, None),
    ("20000", InstalmentCondition.report_approved, 1),
    ("10000", InstalmentCondition.expenditure_share, 70),
)
#: Reports: (kind, nature, period start, period end, due).
REPORTS: tuple[tuple[str, str, date, date, date], ...] = (
    (ReportKind.interim, ReportNature.combined, date(2027, 1, 1), date(2027, 6, 30), date(2027, 7, 31)),
    (ReportKind.final, ReportNature.combined, date(2027, 7, 1), date(2028, 12, 31), date(2029, 2, 28)),
)


def cents(value: Any) -> int:
    """Euros (str, int or Decimal) in cents."""
    return to_cents(Decimal(str(value)))


def selected_proposal(lead: Member | None = None, *, call: Call | None = None, amount: Any = None,
                      published: bool = False, title: str | None = None, **proposal_options: Any
                      ) -> tuple[Proposal, ProposalDecision]:
    """A submitted proposal of ``lead`` (a new member when None) selected in a recorded decision of its call
    (decided, or published), for ``amount`` euros (default: the proposal's maximum grant)."""
    lead = lead or _member()
    if call is None:
        call = call_builders.call(status=CallStatus.decided)
    proposal = call_builders.proposal(call, lead, title=title, **proposal_options)
    decision = db.session.query(SelectionDecision).filter_by(call_id=call.id).one_or_none()
    if decision is None:
        decision = SelectionDecision(call_id=call.id, ranking="raw", mode="skip", min_score="",
                                     envelope_cents=call.envelope_cents, committed_cents=0, allocation={},
                                     scores={}, minutes="", published_at=utcnow() if published else None)
        db.session.add(decision)
    amount_cents = (proposal.max_grant_cents or 0) if amount is None else cents(amount)
    item = ProposalDecision(decision=decision, call_id=call.id, proposal_id=proposal.id, outcome="selected",
                            line_outcome="funded", rank=next(_seq), score="70", amount_cents=amount_cents)
    db.session.add(item)
    decision.committed_cents += amount_cents
    call.status = CallStatus.published if published else CallStatus.decided
    db.session.flush()
    return proposal, item


def _member() -> Member:
    from tests import factories

    return factories.member(f"Organisation {next(_seq)}", country="TN", college_code="cs-tn")


def grant(lead: Member | None = None, *, status: str = GrantStatus.active, awarded: Any = "50000",
          proposal: Proposal | None = None, title: str | None = None, number: str | None = None,
          starts_on: date = date(2027, 1, 1), ends_on: date = date(2028, 12, 31), language: str = "fr",
          local_currency: str = "", lines: Iterable[tuple[str, str, Any, Any]] = LINES,
          partners: Sequence[tuple[str, str, str, str]] = PARTNERS,
          indicators: Iterable[tuple[str, str, str, str, int | None]] = INDICATORS,
          cofinancing: Iterable[tuple[str, Any, bool]] = (("Région", "31540", True),),
          instalments: Iterable[tuple[Any, str, int | None]] | None = INSTALMENTS,
          reports: Iterable[tuple[str, str, date, date, date]] = REPORTS, commitment: bool | None = None,
          signed_on: date | None = date(2026, 12, 15), tolerance_percent: int = 10) -> Grant:
    """A grant with budget version 1 (codes L1, L2…), partners, co-financing, indicators, a report schedule
    and instalments; its proposal is a selected one of the lead (made when not given).

    ``instalments=None`` leaves the schedule empty; the default schedule adds up to the default award (50,000 €).
    ``commitment`` writes the award's commitment entry (type 2); by default when the grant is signed or later.
    """
    if proposal is None:
        proposal, _ = selected_proposal(lead, amount=awarded)
    lead = proposal.lead_member
    seq = next(_seq)
    signed = status != GrantStatus.draft
    item = Grant(number=number or f"PCPA-{proposal.call_id}-{seq:03d}", call_id=proposal.call_id,
                 proposal_id=proposal.id, lead_member_id=lead.id, title=title or proposal.title,
                 summary=proposal.summary, starts_on=starts_on, ends_on=ends_on, awarded_cents=cents(awarded),
                 currency="EUR", local_currency=local_currency, language=language, status=status,
                 signed_by_grantee_on=signed_on if signed else None,
                 signed_by_programme_on=signed_on if signed else None, tolerance_percent=tolerance_percent)
    db.session.add(item)
    db.session.flush()
    made_partners = [GrantPartner(grant_id=item.id, name=n, country=c, kind=k, role=r) for n, c, k, r in partners]
    db.session.add_all(made_partners)
    version = BudgetVersion(grant_id=item.id, number=1, ends_on=ends_on)
    db.session.add(version)
    db.session.flush()
    db.session.add_all([GrantBudgetLine(version_id=version.id, code=f"L{i}", position=i, category=c, description=d,
                                        planned_cents=cents(p), grant_cents=cents(g))
                        for i, (c, d, p, g) in enumerate(lines, start=1)])
    db.session.add_all([GrantCofinancing(grant_id=item.id, source=s, amount_cents=cents(a), confirmed=ok)
                        for s, a, ok in cofinancing])
    db.session.add_all([GrantIndicator(grant_id=item.id, name=n, unit=u, baseline=b, target=t,
                                       partner_id=None if side is None else made_partners[side].id)
                        for n, u, b, t, side in indicators])
    made_reports = {}
    for number_, (kind, nature, start, end, due) in enumerate(reports, start=1):
        made_reports[number_] = report(item, kind=kind, nature=nature, period=(start, end), due_on=due,
                                       number=number_)
    for number_, (amount, condition, detail) in enumerate(instalments or (), start=1):
        instalment(item, amount, condition=condition, number=number_,
                   report=made_reports.get(detail) if condition == InstalmentCondition.report_approved else None,
                   share=detail if condition == InstalmentCondition.expenditure_share else None)
    if commitment is None:
        commitment = signed
    if commitment:
        entry(item, TransactionType.commitment, awarded, on=signed_on or starts_on)
    db.session.flush()
    db.session.refresh(item)
    return item


def report(grant_: Grant, *, kind: str = ReportKind.interim, nature: str = ReportNature.combined,
           period: tuple[date, date] = (date(2027, 1, 1), date(2027, 6, 30)), due_on: date = date(2027, 7, 31),
           number: int | None = None, status: str = "") -> Report:
    """A scheduled report; ``status`` other than "" also writes version 1 in that status."""
    if number is None:
        number = 1 + max((r.number for r in db.session.query(Report).filter_by(grant_id=grant_.id)), default=0)
    item = Report(grant_id=grant_.id, number=number, kind=kind, nature=nature, period_starts_on=period[0],
                  period_ends_on=period[1], due_on=due_on, status=status)
    db.session.add(item)
    db.session.flush()
    if status:
        version(item, status=status)
    return item


def version(report_: Report, *, status: str = ReportVersionStatus.submitted,
            expenditure: dict[str, int] | None = None, indicators: dict[str, str] | None = None,
            narrative: dict[str, str] | None = None) -> ReportVersion:
    """A new version of a report (number = last + 1) and the report's status kept in step."""
    last = max((v.number for v in db.session.query(ReportVersion).filter_by(report_id=report_.id)), default=0)
    now = utcnow()
    item = ReportVersion(report_id=report_.id, number=last + 1, status=status,
                         narrative=narrative or {"activities": "Ce qui a été fait"},
                         expenditure=expenditure or {}, indicators=indicators or {},
                         submitted_at=now if status != ReportVersionStatus.draft else None,
                         decided_at=now if status in (ReportVersionStatus.approved,
                                                      ReportVersionStatus.returned) else None)
    db.session.add(item)
    report_.status = status
    if status == ReportVersionStatus.approved:
        report_.approved_at = now
    db.session.flush()
    return item


def instalment(grant_: Grant, amount: Any, *, condition: str = InstalmentCondition.on_signature,
               number: int | None = None, report: Report | None = None, share: int | None = None,
               early_reason: str = "") -> Instalment:
    """An instalment of ``amount`` euros with its condition (and an early release when a reason is given)."""
    if number is None:
        number = 1 + max((i.number for i in db.session.query(Instalment).filter_by(grant_id=grant_.id)), default=0)
    item = Instalment(grant_id=grant_.id, number=number, amount_cents=cents(amount), condition=condition,
                      condition_report_id=report.id if report else None, condition_share_percent=share,
                      released_early_reason=early_reason, released_early_at=utcnow() if early_reason else None)
    db.session.add(item)
    db.session.flush()
    return item


def entry(grant_: Grant, type_: str, amount: Any, *, on: date = date(2027, 1, 15),
          instalment: Instalment | None = None, line: str = "", reference: str = "",
          version: ReportVersion | None = None, reverses: LedgerEntry | None = None, note: str = "",
          local: tuple[str, str, str] | None = None) -> LedgerEntry:
    """A ledger entry written directly (signed euros: a negative amount for a reversal).

    ``local`` = (currency, amount, rate) as decimal text, for a disbursement paid in a local currency.
    """
    item = LedgerEntry(grant_id=grant_.id, type=str(type_), amount_cents=cents(amount), value_date=on,
                       instalment_id=instalment.id if instalment else None,
                       report_version_id=version.id if version else None, budget_line_code=line,
                       reference=reference or f"REF-{next(_seq)}", note=note,
                       reverses_id=reverses.id if reverses else None,
                       local_currency=local[0] if local else "", local_amount=local[1] if local else "",
                       exchange_rate=local[2] if local else "")
    db.session.add(item)
    db.session.flush()
    return item


def paid(grant_: Grant, amount: Any, *, instalment_number: int = 1, on: date = date(2027, 1, 15)) -> LedgerEntry:
    """A disbursement against the grant's instalment ``instalment_number``."""
    target = db.session.query(Instalment).filter_by(grant_id=grant_.id, number=instalment_number).one()
    return entry(grant_, TransactionType.disbursement, amount, on=on, instalment=target)


def spent(grant_: Grant, lines: dict[str, Any], *, on: date = date(2027, 6, 30),
          version: ReportVersion | None = None) -> list[LedgerEntry]:
    """Justified expenditure per budget line code (euros), as an approved report writes it."""
    return [entry(grant_, TransactionType.expenditure, amount, on=on, line=code, version=version)
            for code, amount in lines.items()]
