"""Demo grants: the seed's nine projects followed at every stage, and the demo delegate's grant.

The nine projects of the seed's call "Coopérer autrement en acteurs de changement" (decided and published by
``app/demo/seed_call.py``) become grants, each at its own stage (``app/demo/grants_data.PLANS``):

- Batik International: just signed; its first instalment (on signature) is due, not paid yet.
- Cap Solidarités: active, two reports approved; its travel line is spent beyond the tolerance and a budget
  amendment moving 3,000 € to it waits for the secretariat.
- CGT: active, report 1 approved, report 2 submitted and waiting for review; its first payment was typed
  wrong and corrected by a reversing entry.
- Coopération Atlantique – Guinée 44: its first report returned with comments per part.
- Essor: its first report overdue (never submitted): at risk.
- Geres: active, two reports approved, its third instalment due on justified expenditure and paid; a budget
  amendment (lines moved, three months more) approved into version 2 of the budget.
- Grdr: report 1 approved a few days ago, so instalment 2 is due and waits for payment.
- Gret: closed, every report approved, the unspent balance refunded.
- Secours populaire: closing, every report approved, the refund still to receive.

The demo delegate's member (UTSS) leads a selected proposal of the first 2026 call: its grant is active, paid
in Tunisian dinars (with the rate) and its first quarterly report is a draft its alternate started, so the
delegate sees its grant, what is due next and what was paid.

Everything goes through the services the pages use (agreements, instalments, ledger, reports, budget,
closure), then the dates are set to when it happened; periods are counted from the month of the load so the
dashboards read the same whenever it runs. Reports carry a small PDF statement as attachment (the services
require one with expenditure). The e-mails the services queue are removed afterwards, as ``load_calls`` does.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, select

from app.auth.models import User
from app.calls.models import Call
from app.calls.selection_models import ProposalDecision
from app.core import audit
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.demo.call_helpers import _check, _delegates, _members
from app.demo.grants_data import (
    AMENDMENT_APPROVED_REASON,
    AMENDMENT_PENDING_REASON,
    CORRECTION_REASON,
    NARRATIVE,
    PLANS,
    REGISTRATIONS,
    RETURN_COMMENTS,
    TND_RATE,
    UTSS_DRAFT,
    Plan,
)
from app.demo.selection import DECIDED_PUBLISHED, DECIDED_STARTS
from app.extensions import db
from app.grants import agreements, budget, closure, instalments, ledger, reports
from app.grants.models import (
    BudgetAmendment,
    BudgetVersion,
    Grant,
    GrantStatus,
    Instalment,
    LedgerEntry,
    Report,
    ReportAttachment,
    ReportKind,
    ReportNature,
)
from app.members.models import Member

INTERIM_DUE_DAYS, FINAL_DUE_DAYS = 30, 60
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the demo only adds months to the first of a month)."""
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


@dataclass
class _Story:
    """One grant being told: its plan, its people and the day before the load (nothing happens after it)."""

    plan: Plan
    grant: Grant
    delegate: User
    preparer: User
    secretariat: User
    yesterday: date
    rng: random.Random

    def past(self, day: date) -> date:
        return min(day, self.yesterday)


# Attachments: a one-page PDF statement ------------------------------------------------------------------

def _pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF (one page of Helvetica text) for a report's statement of expenditure."""
    def escape(text: str) -> bytes:
        raw = text.encode("cp1252", "replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    stream = b"BT /F1 11 Tf 56 780 Td 15 TL " + b" ".join(b"(" + escape(line) + b") '" for line in lines) + b" ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _statement(grant: Grant, report: Report, expenditure: dict[str, int]) -> bytes:
    lines = [f"Relevé des dépenses - convention {grant.number}", grant.lead_member.name,
             f"Rapport {report.number} : du {report.period_starts_on:%d/%m/%Y} au {report.period_ends_on:%d/%m/%Y}",
             ""]
    lines += [f"{code} : {Decimal(cents) / 100:.2f} EUR" for code, cents in sorted(expenditure.items())]
    lines += ["", f"Total : {Decimal(sum(expenditure.values())) / 100:.2f} EUR",
              "Factures et relevés bancaires conservés au siège (document de démonstration)."]
    return _pdf(lines)


# The agreement ---------------------------------------------------------------------------------------------

def _schedule(starts_on: date, months: int, period: int) -> list[reports.ScheduleEntry]:
    """Interim reports every ``period`` months, the last period's report being the final one."""
    ends_on = add_months(starts_on, months) - timedelta(days=1)
    entries = []
    start = starts_on
    while start <= ends_on:
        end = min(add_months(start, period) - timedelta(days=1), ends_on)
        final = end == ends_on
        entries.append(reports.ScheduleEntry(
            kind=ReportKind.final if final else ReportKind.interim, nature=ReportNature.combined,
            period_starts_on=start, period_ends_on=end,
            due_on=end + timedelta(days=FINAL_DUE_DAYS if final else INTERIM_DUE_DAYS)))
        start = end + timedelta(days=1)
    return entries


def _rows(plan: Plan, award_cents: int, made: list[Report]) -> list[instalments.Row]:
    """The schedule: each instalment its share of the award in whole euros, the last one the rest."""
    rows, left = [], award_cents
    for index, (percent, condition, value) in enumerate(plan.instalments):
        last = index == len(plan.instalments) - 1
        cents = left if last else int((Decimal(award_cents * percent) / 10000).quantize(Decimal(1))) * 100
        left -= cents
        rows.append(instalments.Row(
            amount_cents=cents, condition=condition,
            report_id=made[value - 1].id if condition == "report_approved" and value else None,
            share_percent=value if condition == "expenditure_share" else None))
    return rows


def _make(item: ProposalDecision, plan: Plan, *, secretariat: User, today: date) -> tuple[Grant, list[Report]]:
    """The agreement as the secretariat sets it: its dates, the report schedule, the instalments."""
    proposal = item.proposal
    first = today.replace(day=1)
    starts_on = add_months(first, plan.starts)
    if plan.lead == "UTSS":  # the 2026 call's projects start in October 2026 at the earliest
        starts_on = max(starts_on, DECIDED_STARTS)
    months = proposal.duration_months or 24
    terms = agreements.default_terms(item)
    terms = agreements.Terms(title=terms.title, summary=terms.summary, starts_on=starts_on,
                             ends_on=add_months(starts_on, months) - timedelta(days=1),
                             awarded_cents=item.amount_cents or 0,
                             local_currency="TND" if plan.extra == "tnd_draft" else "", language=terms.language)
    grant = agreements.create_grant(item, terms, actor=secretariat)
    made = [reports.add_report(grant, entry, actor=secretariat)
            for entry in _schedule(starts_on, months, plan.period_months)]
    instalments.save_schedule(grant, _rows(plan, grant.awarded_cents, made), actor=secretariat)
    return grant, made


def _sign(story: _Story, today: date) -> tuple[date, date]:
    """Both signatures: a few days ago for the one just signed, else the weeks before the start."""
    grant = story.grant
    if story.plan.stage == "signed":
        grantee_on, programme_on = today - timedelta(days=6), today - timedelta(days=3)
    else:
        programme_on = grant.starts_on - timedelta(days=story.rng.randint(4, 12))
        grantee_on = programme_on - timedelta(days=story.rng.randint(2, 9))
        if story.plan.lead == "UTSS":
            grantee_on = max(grantee_on, DECIDED_PUBLISHED.date() + timedelta(days=3))
            programme_on = max(programme_on, grantee_on + timedelta(days=1))
    agreements.sign(grant, grantee_on=grantee_on, programme_on=programme_on, actor=story.secretariat, today=today)
    for entry in ledger.entries_of(grant.id):  # the commitment
        entry.created_at = _at(entry.value_date, 12)
    grant.created_at = _at(grantee_on - timedelta(days=story.rng.randint(12, 25)), 9)
    for version in grant.budget_versions:
        version.created_at = grant.created_at
    return grantee_on, programme_on


# Money ----------------------------------------------------------------------------------------------------

def _reference(grant: Grant, on: date, instalment: int) -> str:
    return f"VIR-{on:%Y%m%d}-{grant.number.rsplit('-', 1)[-1]}{instalment}"


def _pay_due(story: _Story, on: date) -> list[LedgerEntry]:
    """Pay the instalments due and not fully paid, on ``on`` (the UTSS grant's in dinars, with the rate)."""
    grant = story.grant
    paid = []
    while True:  # one at a time: a payment changes what a share of expenditure makes due
        state = next((s for s in instalments.states(grant) if s.due.due and not s.settled), None)
        if state is None:
            break
        item = state.instalment
        extra: dict[str, str] = {}
        if grant.local_currency == "TND":
            local = (Decimal(state.remaining_cents) / 100 * Decimal(TND_RATE)).quantize(Decimal("0.001"),
                                                                                       rounding=ROUND_HALF_UP)
            extra = {"local_currency": "TND", "local_amount": f"{local:f}", "exchange_rate": TND_RATE}
        if story.plan.extra == "correction" and item.number == 1:
            paid.append(_mistyped_then_corrected(story, item, state.remaining_cents, on))
            continue
        paid.append(ledger.record_disbursement(grant, item, amount_cents=state.remaining_cents, on=on,
                                               reference=_reference(grant, on, item.number),
                                               actor=story.secretariat, **extra))
    for entry in paid:
        entry.created_at = _at(entry.value_date, 15)
    return paid


def _mistyped_then_corrected(story: _Story, item: Instalment, cents: int, on: date) -> LedgerEntry:
    """The first payment typed with two digits swapped, reversed two days later, then recorded right."""
    grant = story.grant
    digits = str(cents // 100)
    swaps = [int(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]) * 100 + cents % 100
             for i in range(len(digits) - 1)]
    wrong = next(amount for amount in swaps if 0 < amount < cents)
    reference = _reference(grant, on, item.number)
    typed = ledger.record_disbursement(grant, item, amount_cents=wrong, on=on, reference=reference,
                                       actor=story.secretariat)
    fixed_on = story.past(on + timedelta(days=2))
    amount = f"{Decimal(cents) / 100:,.2f}".replace(",", " ").replace(".", ",")
    reversal = ledger.reverse(grant, typed, reason=CORRECTION_REASON.format(amount=amount), on=fixed_on,
                              actor=story.secretariat)
    right = ledger.record_disbursement(grant, item, amount_cents=cents, on=fixed_on, reference=reference,
                                       actor=story.secretariat, note="Montant corrigé (voir l'écriture d'annulation)")
    typed.created_at = _at(on, 15)
    reversal.created_at = _at(fixed_on, 11)
    return right


def _expenditure(story: _Story, report: Report, *, last_lines: dict[str, int]) -> dict[str, int]:
    """What was spent on each line in the report's period: the grant's share of the line, pro rata of the period,
    more or less; a closing grant spent a little less than it received (the refund); Cap Solidarités' travel
    line runs far beyond its plan."""
    grant = story.grant
    version = budget.current_version(grant)
    assert version is not None
    share = Decimal((report.period_ends_on - report.period_starts_on).days + 1) / Decimal(
        (grant.ends_on - grant.starts_on).days + 1)
    low, high = (0.86, 0.97) if story.plan.stage in ("closed", "closing") else (0.8, 1.08)
    spent = {}
    for line in version.lines:
        factor = Decimal(str(round(story.rng.uniform(low, high), 3)))
        cents = int(Decimal(line.grant_cents) * share * factor)
        if story.plan.extra == "overspent_amendment_pending" and line.code == "L3":
            cents = int(Decimal(line.planned_cents) * Decimal("0.58"))  # twice 58 %: 16 % beyond the plan
        spent[line.code] = cents - cents % 100 + story.rng.randint(0, 99)
    last_lines.update(spent)
    return spent


def _actuals(story: _Story, report: Report, previous: dict[str, int]) -> dict[str, str]:
    """Each indicator's value at the end of the period (cumulated), about on track with time."""
    grant = story.grant
    elapsed = Decimal((report.period_ends_on - grant.starts_on).days + 1) / Decimal(
        (grant.ends_on - grant.starts_on).days + 1)
    values = {}
    for indicator in grant.indicators:
        target = int(indicator.target)
        value = int((Decimal(target) * min(elapsed, Decimal(1)) * Decimal(str(story.rng.uniform(0.85, 1.12))))
                    .quantize(Decimal(1)))
        value = max(value, previous.get(str(indicator.id), 0))
        previous[str(indicator.id)] = value
        values[str(indicator.id)] = str(value)
    return values


def _period_words(report: Report) -> str:
    start, end = report.period_starts_on, report.period_ends_on
    return f"de {MONTHS_FR[start.month - 1]} {start.year} à {MONTHS_FR[end.month - 1]} {end.year}"


def _narrative(story: _Story, report: Report) -> dict[str, str]:
    return {key: story.rng.choice(texts).format(period=_period_words(report)) for key, texts in NARRATIVE.items()}


# Reports ----------------------------------------------------------------------------------------------------

def _write(story: _Story, report: Report, previous: dict[str, int], spent_lines: dict[str, int]) -> date:
    """The grantee prepares the report (the alternate when there is one), attaches its statement and the
    delegate submits it a few days before it is due. Returns the day it was submitted."""
    expenditure = _expenditure(story, report, last_lines=spent_lines)
    content = reports.DraftContent(narrative=_narrative(story, report), expenditure=expenditure,
                                   indicators=_actuals(story, report, previous))
    version = reports.save_draft(report, content, actor=story.preparer)
    attachment = reports.add_attachment(report, actor=story.preparer, data=_statement(story.grant, report, expenditure),
                                        filename=f"releve-depenses-{story.grant.number}-R{report.number}.pdf")
    reports.submit(report, actor=story.delegate)
    submitted = story.past(report.due_on - timedelta(days=story.rng.randint(2, 6)))
    started = min(report.period_ends_on + timedelta(days=story.rng.randint(2, 8)), submitted - timedelta(days=1))
    version.created_at, attachment.uploaded_at = _at(started, 9), _at(started, 11)
    version.submitted_at = _at(submitted, 16)
    return submitted


def _decide(story: _Story, report: Report, submitted: date, *, approve: bool) -> date:
    """The secretariat approves the report (its expenditure goes to the ledger) or returns it with comments."""
    decided = max(story.past(submitted + timedelta(days=story.rng.randint(5, 12))), submitted)
    if approve:
        approval = reports.approve(report, actor=story.secretariat)
        for entry in approval.entries:
            entry.created_at = _at(decided, 14)
        report.approved_at = _at(decided, 14)
        approval.version.decided_at = _at(decided, 14)
    else:
        version = reports.return_report(report, RETURN_COMMENTS, actor=story.secretariat)
        version.decided_at = _at(decided, 14)
    return decided


def _reports(story: _Story, made: list[Report], first_paid: date) -> date:
    """The reports written so far, each approved then followed by the instalments it made due (paid some days
    later); the last one ends as the plan says. Returns the day of the last event."""
    plan = story.plan
    previous: dict[str, int] = {}
    spent: dict[str, int] = {}
    last_day = first_paid
    for index, report in enumerate(made[:plan.done]):
        is_last = index == plan.done - 1
        fate = plan.last if is_last else "approved"
        if fate == "overdue":
            break
        submitted = _write(story, report, previous, spent)
        last_day = submitted
        if fate == "submitted":
            break
        decided = _decide(story, report, submitted, approve=fate == "approved")
        last_day = decided
        if fate == "approved" and (plan.pay_due or not is_last):
            paid_on = story.past(decided + timedelta(days=story.rng.randint(6, 12)))
            if _pay_due(story, paid_on):
                last_day = paid_on
    return last_day


# Stages beyond the reports ---------------------------------------------------------------------------------------

def _amend(story: _Story, *, approved: bool, after: date) -> None:
    """A budget amendment asked by the delegate: Geres' approved (version 2, three months more), Cap
    Solidarités' waiting for the secretariat."""
    grant = story.grant
    version = budget.current_version(grant)
    assert version is not None
    planned = {line.code: line.planned_cents for line in version.lines}
    if approved:
        moved, source, target = 250000, "L5", "L2"
        new_end = add_months(grant.ends_on + timedelta(days=1), 3) - timedelta(days=1)
        reason = AMENDMENT_APPROVED_REASON
    else:
        moved, source, target, new_end = 300000, "L2", "L3", None
        reason = AMENDMENT_PENDING_REASON
    lines = {source: planned[source] - moved, target: planned[target] + moved}
    item = budget.request_amendment(grant, lines=lines, new_ends_on=new_end, reason=reason, actor=story.delegate)
    asked = story.past(after + timedelta(days=story.rng.randint(8, 15)))
    item.requested_at = _at(asked, 11)
    if approved:
        new_version = budget.approve_amendment(item, actor=story.secretariat)
        decided = story.past(asked + timedelta(days=story.rng.randint(6, 10)))
        item.decided_at = new_version.created_at = _at(decided, 15)


def _close(story: _Story, after: date, *, settle: bool) -> None:
    """Every report approved: the grant moves to closing; Gret's refund is received and the grant closed."""
    grant = story.grant
    agreements.change_status(grant, GrantStatus.closing, actor=story.secretariat,
                             reason="Rapport final approuvé : solde à régler.")
    if not settle:
        return
    state = closure.closing_of(grant)
    _check(state.balance.refund_cents > 0, f"{grant.number}: no refund to close with")
    on = story.past(after + timedelta(days=story.rng.randint(15, 25)))
    closure.close(grant, on=on, reference=f"REMB-{on:%Y%m%d}-{grant.number.rsplit('-', 1)[-1]}",
                  actor=story.secretariat)
    for entry in ledger.entries_of(grant.id):
        if entry.instalment_id is None and entry.type == "3":
            entry.created_at = _at(on, 16)
    grant.closed_at = _at(on, 17)


def _utss_draft(story: _Story, made: list[Report]) -> None:
    """The alternate began the first quarterly report (the delegate finishes and submits it)."""
    report = made[0]
    version = reports.save_draft(report, reports.DraftContent(narrative=UTSS_DRAFT, expenditure={}, indicators={}),
                                 actor=story.preparer)
    version.created_at = _at(story.yesterday, 18)


def _tell(story: _Story, made: list[Report]) -> None:
    plan = story.plan
    today = story.yesterday + timedelta(days=1)
    _grantee_on, programme_on = _sign(story, today)
    if plan.stage == "signed":
        return
    agreements.change_status(story.grant, GrantStatus.active, actor=story.secretariat)
    first_paid = story.past(programme_on + timedelta(days=story.rng.randint(8, 14)))
    _pay_due(story, first_paid)
    last = _reports(story, made, first_paid)
    if plan.extra == "overspent_amendment_pending":
        _amend(story, approved=False, after=last)
    elif plan.extra == "amendment_approved":
        _amend(story, approved=True, after=last)
    elif plan.extra == "tnd_draft":
        _utss_draft(story, made)
    if plan.stage in ("closing", "closed"):
        _close(story, last, settle=plan.stage == "closed")


# Registrations and loading --------------------------------------------------------------------------------------

def register_org_ids(secretariat: User) -> None:
    """org-id registrations of a few members (the member form has no such field yet: set here, audited)."""
    members = _members()
    for acronym, (scheme, number) in REGISTRATIONS.items():
        member = members[acronym]
        member.org_id_scheme, member.registration_number = scheme, number
        audit.record("member.updated", "member", member.id, actor=secretariat,
                     before={"org_id_scheme": "", "registration_number": ""},
                     after={"org_id_scheme": scheme, "registration_number": number})
    db.session.flush()


def _items(*calls: Call) -> dict[str, ProposalDecision]:
    """Selected proposals without a grant of the given calls, by their lead's acronym."""
    found: dict[str, ProposalDecision] = {}
    for call in calls:
        for item in agreements.selected_without_grant(call.id):
            found.setdefault(item.proposal.lead_member.acronym, item)
    return found


def _representatives(member: Member) -> tuple[User, User]:
    """The delegate, and who prepares reports: the first alternate, else the delegate."""
    delegate = _delegates()[member.acronym]
    alternate = db.session.scalar(select(User).where(User.member_id == member.id, User.is_delegate.is_(False),
                                                     User.active.is_(True)).order_by(User.id).limit(1))
    return delegate, alternate or delegate


def load_grants(*, secretariat: User, seed_call: Call, decided_call: Call, rng: random.Random) -> list[Grant]:
    """The grants of the seed's call and the demo delegate's (after ``load_selection``)."""
    outbox_before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    register_org_ids(secretariat)
    today = utcnow().date()
    items = _items(seed_call, decided_call)
    made_grants = []
    for plan in PLANS:
        item = items.get(plan.lead)
        _check(item is not None, f"no selected proposal led by {plan.lead} to make a grant of")
        assert item is not None
        grant, made = _make(item, plan, secretariat=secretariat, today=today)
        delegate, preparer = _representatives(grant.lead_member)
        story = _Story(plan, grant, delegate, preparer, secretariat, today - timedelta(days=1), rng)
        _tell(story, made)
        made_grants.append(grant)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    _check_stages(made_grants)
    return made_grants


def _check_stages(grants: list[Grant]) -> None:
    """The demo's promises: every stage is there."""
    statuses = {g.lead_member.acronym: g.status for g in grants}
    _check(statuses["BATIK"] == GrantStatus.signed and statuses["GRET"] == GrantStatus.closed
           and statuses["SPF"] == GrantStatus.closing, f"unexpected statuses {statuses}")
    states = set(db.session.scalars(select(Report.status).where(Report.grant_id.in_([g.id for g in grants]))))
    _check({"approved", "submitted", "returned", "draft", ""} <= states, f"report states {states}")
    _check(db.session.scalar(select(db.func.count(LedgerEntry.id)).where(LedgerEntry.reverses_id.is_not(None))) == 1,
           "one corrected payment expected")
    _check(db.session.scalar(select(db.func.count(BudgetAmendment.id))) == 2, "two amendments expected")
    _check(db.session.scalar(select(db.func.count(BudgetVersion.id)).where(BudgetVersion.number == 2)) == 1,
           "one approved amendment expected")
    _check(db.session.scalar(select(db.func.count(ReportAttachment.id))) > 0, "statements attached")
