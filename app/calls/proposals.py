"""Proposals: a member's application to a call, written as a draft over several visits, checked, then
submitted as an immutable snapshot (the thing reviewed).

Services take an explicit ``actor``, raise ``DomainError`` at a field, audit every change, flush and never
commit. Who may look at or change a proposal is decided here (``can_view``/``can_edit``/``can_submit``): the
lead member's representatives, and the secretariat read-only.

Concurrency, in one place:

* Submitting and withdrawing first take the call row ``FOR SHARE`` (PostgreSQL; ``BEGIN IMMEDIATE`` on
  SQLite) and re-read its status and deadline: closing the call updates that row, so a submission racing the
  close either commits before the close can, or waits and then sees the call closed. Never half in.
* The status change itself is one conditional ``UPDATE … WHERE status IN (…) AND submitted_number = :seen``:
  of two concurrent submits, exactly one changes a row; the unique (proposal, number) of the snapshots backs it.
* Edits lock the proposal row (``FOR UPDATE``) and re-read its status, so an edit never lands on a submitted
  proposal; the snapshot is built from the row re-read after the status change.
* Row locks come before ``audit.record`` (which takes the audit chain's lock last), so lock orders never cross.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.calls import eligibility, snapshots
from app.calls.models import (
    Attachment,
    BudgetCategory,
    BudgetLine,
    Call,
    CofinancingLine,
    PartnerKind,
    Proposal,
    ProposalIndicator,
    ProposalPartner,
    ProposalSnapshot,
    ProposalStatus,
)
from app.calls.money import MAX_AMOUNT, to_cents
from app.calls.services import is_accepting, lock_call_for_submission
from app.calls.wording import AMOUNT_TOO_LARGE
from app.core import audit
from app.core.enums import LabelledEnum
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus

#: The task list's sections, in order.
SECTIONS: tuple[str, ...] = ("about", "partners", "beneficiaries", "dates", "budget", "cofinancing", "results",
                             "indicators", "attachments")
#: Sections made of lines (added one per POST, removed by a button).
LINE_SECTIONS: dict[str, type] = {"partners": ProposalPartner, "budget": BudgetLine, "cofinancing": CofinancingLine,
                                  "indicators": ProposalIndicator, "attachments": Attachment}
_COLLECTIONS = {"partners": "partners", "budget": "budget_lines", "cofinancing": "cofinancing_lines",
                "indicators": "indicators", "attachments": "attachments"}
#: Scalar sections: the fields each one saves.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "about": ("title", "summary", "territories", "challenge_ids"),
    "beneficiaries": ("beneficiaries_direct", "beneficiaries_indirect", "women_percent", "youth_percent"),
    "dates": ("starts_on", "duration_months"),
    "results": ("expected_results", "main_activities"),
}
#: What a scalar section needs before it can be marked complete (field, message).
_REQUIRED: dict[str, tuple[tuple[str, Any], ...]] = {
    "about": (("title", _l("Enter the title of the project.")), ("summary", _l("Enter a summary of the project."))),
    "beneficiaries": (("beneficiaries_direct", _l("Enter the number of direct beneficiaries.")),),
    "dates": (("starts_on", _l("Enter the start date.")), ("duration_months", _l("Enter the duration in months."))),
    "results": (("expected_results", _l("Describe the expected results.")),
                ("main_activities", _l("Describe the main activities."))),
}
_EDITABLE = (ProposalStatus.draft, ProposalStatus.withdrawn)


class SectionState(LabelledEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    complete = "complete"

    @classmethod
    def _labels(cls):
        return {cls.not_started: _l("Not started"), cls.in_progress: _l("In progress"),
                cls.complete: _l("Complete")}


SECTION_TITLES: dict[str, Any] = {
    "about": _l("About the project"),
    "partners": _l("Partners"),
    "beneficiaries": _l("Beneficiaries"),
    "dates": _l("Start date and duration"),
    "budget": _l("Budget"),
    "cofinancing": _l("Co-financing"),
    "results": _l("Expected results and activities"),
    "indicators": _l("Indicators"),
    "attachments": _l("Attachments"),
}


# Who may do what (object level) ----------------------------------------------------------------

def _is_secretariat(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and str(getattr(user, "kind", "")) == "secretariat"


def is_representative(proposal: Proposal, user: Any) -> bool:
    """The user acts for the lead member (its delegate or one of its alternates)."""
    return (bool(getattr(user, "is_authenticated", False)) and getattr(user, "member_id", None) is not None
            and user.member_id == proposal.lead_member_id)


def can_view(proposal: Proposal, user: Any) -> bool:
    """The lead's representatives, and the secretariat (read-only); nobody else."""
    return is_representative(proposal, user) or _is_secretariat(user)


def can_edit(proposal: Proposal, user: Any) -> bool:
    """The lead's representatives (whether the proposal is still editable is a state check, not a right)."""
    return is_representative(proposal, user)


def can_submit(proposal: Proposal, user: Any) -> bool:
    """Only the lead member's delegate submits or withdraws."""
    return is_representative(proposal, user) and bool(getattr(user, "is_delegate", False))


# Locks -------------------------------------------------------------------------------------------------

def _begin_immediate() -> None:
    """SQLite: take the write lock now, so what is read next cannot change before we write."""
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _dialect() -> str:
    return db.session.connection().dialect.name


def _lock_call(call_id: int) -> Call:
    """The call read fresh under ``FOR SHARE`` (``services.lock_call_for_submission``); on SQLite the write
    lock is taken first, so no close can commit between this read and our commit."""
    if _dialect() == "sqlite":
        _begin_immediate()
    call = lock_call_for_submission(call_id)
    assert call is not None
    return call


def _lock_proposal(proposal: Proposal) -> str:
    """The proposal's status, read under a row lock that a submit's UPDATE waits for."""
    stmt = select(Proposal.status).where(Proposal.id == proposal.id)
    dialect = _dialect()
    if dialect == "sqlite":
        _begin_immediate()
    elif dialect == "postgresql":
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalar_one()


def ensure_editable(proposal: Proposal, *, actor: Any, now: datetime | None = None) -> None:
    """Refuse a change unless the actor represents the lead, the proposal is a draft and the call still open."""
    if not can_edit(proposal, actor):
        raise DomainError(_l("Only the representatives of the lead organisation can change this proposal."))
    status = _lock_proposal(proposal)
    if status not in _EDITABLE:
        raise DomainError(_l("A submitted proposal cannot be changed. Withdraw it first to change it."))
    if not is_accepting(proposal.call, now):
        raise DomainError(_l("The call is closed: the proposal can no longer be changed."))


# Loading -----------------------------------------------------------------------------------------------

def _full_options() -> list[Any]:
    call = joinedload(Proposal.call)
    return [call.joinedload(Call.rule_set_version), call.selectinload(Call.challenges),
            joinedload(Proposal.lead_member),
            selectinload(Proposal.challenges), selectinload(Proposal.partners),
            selectinload(Proposal.budget_lines), selectinload(Proposal.cofinancing_lines),
            selectinload(Proposal.indicators), selectinload(Proposal.attachments)]


def load(proposal_id: int, *, fresh: bool = False) -> Proposal | None:
    """A proposal with everything its pages show, in a fixed number of queries."""
    stmt = select(Proposal).where(Proposal.id == proposal_id).options(*_full_options())
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return db.session.scalars(stmt).unique().one_or_none()


def draft_of(call_id: int, member_id: int) -> Proposal | None:
    """The member's draft in this call, if it has one (starting again goes back to it)."""
    return db.session.scalar(select(Proposal).where(
        Proposal.call_id == call_id, Proposal.lead_member_id == member_id,
        Proposal.status == ProposalStatus.draft).order_by(Proposal.id).limit(1))


def latest_snapshot(proposal: Proposal) -> ProposalSnapshot | None:
    """What was last submitted (``None`` before any submission, without a query): the snapshot numbered as the
    proposal's ``submitted_number``, found by the unique (proposal, number)."""
    if not proposal.submitted_number:
        return None
    return snapshot(proposal, proposal.submitted_number)


def snapshot(proposal: Proposal, number: int) -> ProposalSnapshot | None:
    return db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id,
                                                            ProposalSnapshot.number == number))


# Totals ------------------------------------------------------------------------------------------------------

def recompute(proposal: Proposal) -> eligibility.Check:
    """Keep the stored totals, maximum grant and eligibility flag in step with the lines (never typed)."""
    result = eligibility.check(proposal)
    facts = result.facts
    proposal.total_budget_cents = to_cents(facts.total_budget)
    proposal.requested_cents = to_cents(facts.requested)
    proposal.cofinancing_cents = to_cents(facts.cofinancing)
    proposal.max_grant_cents = to_cents(facts.grant.maximum)
    proposal.eligible = result.eligible
    return result


# Task list ---------------------------------------------------------------------------------------------------

def _has_content(proposal: Proposal, section: str) -> bool:
    if section in _COLLECTIONS:
        return bool(getattr(proposal, _COLLECTIONS[section]))
    if section == "about":
        return bool(proposal.title or proposal.summary or proposal.territories or proposal.challenges)
    values = [getattr(proposal, name) for name in SECTION_FIELDS[section]]
    return any(v not in (None, "") for v in values)


def section_state(proposal: Proposal, section: str) -> SectionState:
    if section in (proposal.sections_done or []):
        return SectionState.complete
    return SectionState.in_progress if _has_content(proposal, section) else SectionState.not_started


def task_list(proposal: Proposal) -> list[tuple[str, str, SectionState]]:
    """(section, title, state) for every section, in order."""
    return [(s, str(SECTION_TITLES[s]), section_state(proposal, s)) for s in SECTIONS]


# Creating and editing ---------------------------------------------------------------------------------------

def _insert_draft(call: Call, member_id: int, actor_id: int) -> int | None:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` against the one-draft-per-lead index: the new
    draft's id, or None when the member already has its draft in this call (committed by another request,
    which this insert waited for)."""
    module = postgresql if _dialect() == "postgresql" else sqlite
    statement = (module.insert(Proposal)
                 .values(call_id=call.id, lead_member_id=member_id, status=ProposalStatus.draft,
                         created_by_id=actor_id, sections_done=[], submitted_number=0)
                 .on_conflict_do_nothing(index_elements=["call_id", "lead_member_id"],
                                         index_where=text("status = 'draft'"))
                 .returning(Proposal.id))
    return db.session.execute(statement).scalar()


def open_draft(call: Call, *, actor: Any, now: datetime | None = None) -> tuple[Proposal, bool]:
    """The draft led by the actor's own member in this call, started now if it has none; the flag says
    whether this call started it.

    Never check-then-insert: two "start a proposal" clicks at the same moment insert one row (the partial
    unique index on (call, lead) of drafts decides); the other click gets that draft.
    """
    member = getattr(actor, "member", None)
    if member is None or not getattr(actor, "is_delegate", False):
        raise DomainError(_l("Only the delegate of a member organisation can start a proposal."))
    if member.status != MemberStatus.active:
        raise DomainError(_l("Only an active member can submit a proposal."))
    if not is_accepting(call, now):
        raise DomainError(_l("This call does not accept proposals."))
    for _attempt in range(3):  # a draft found by the insert may be submitted before it is read: look again
        existing = draft_of(call.id, member.id)
        if existing is not None:
            return existing, False
        new_id = _insert_draft(call, member.id, actor.id)
        if new_id is not None:
            break
    else:
        raise DomainError(_l("Your organisation's draft changed meanwhile. Try again."))
    proposal = db.session.get(Proposal, new_id)
    assert proposal is not None
    recompute(proposal)
    db.session.flush()
    audit.record("proposal.created", "proposal", proposal.id, actor=actor,
                 after={"call_id": call.id, "lead_member_id": member.id})
    return proposal, True


def create_proposal(call: Call, *, actor: Any, now: datetime | None = None) -> Proposal:
    """Start a proposal led by the actor's own member; its draft in this call if it already has one."""
    return open_draft(call, actor=actor, now=now)[0]


def _mark(proposal: Proposal, section: str, done: bool | None) -> None:
    if done is None:
        return
    current = [s for s in (proposal.sections_done or []) if s != section]
    if done:
        current.append(section)
    proposal.sections_done = [s for s in SECTIONS if s in current]  # a new list: the JSON column sees the change


def _required_missing(section: str, values: Mapping[str, Any]) -> None:
    for name, message in _REQUIRED.get(section, ()):
        if values.get(name) in (None, "", [], ()):
            raise DomainError(message, field=name)


def _check_values(proposal: Proposal, section: str, values: Mapping[str, Any]) -> None:
    """The service's own checks (forms check formats first; a service never trusts them)."""
    if section == "about":
        allowed = {c.id for c in proposal.call.challenges}
        if any(i not in allowed for i in values.get("challenge_ids") or ()):
            raise DomainError(_l("Choose among the challenges of this call."), field="challenges")
    for name in ("beneficiaries_direct", "beneficiaries_indirect"):
        if values.get(name) is not None and values[name] < 0:
            raise DomainError(_l("Enter a number, zero or more."), field=name)
    for name in ("women_percent", "youth_percent"):
        if values.get(name) is not None and not 0 <= values[name] <= 100:
            raise DomainError(_l("Enter a percentage from 0 to 100."), field=name)
    months = values.get("duration_months")
    if months is not None and not 1 <= months <= 120:
        raise DomainError(_l("Enter a duration from 1 to 120 months."), field="duration_months")


def save_section(proposal: Proposal, section: str, *, actor: Any, values: Mapping[str, Any],
                 done: bool | None = None, now: datetime | None = None) -> eligibility.Check:
    """Save one scalar section (about, beneficiaries, dates, results) as typed, and whether it is complete."""
    if section not in SECTION_FIELDS:
        raise DomainError(_l("This section has no such form."))
    ensure_editable(proposal, actor=actor, now=now)
    _check_values(proposal, section, values)
    if done:
        _required_missing(section, values)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in SECTION_FIELDS[section]:
        if name not in values:
            continue
        if name == "challenge_ids":
            ids = list(dict.fromkeys(values[name] or ()))
            before[name] = [c.id for c in proposal.challenges]
            proposal.challenges = [c for c in proposal.call.challenges if c.id in ids]
            after[name] = [c.id for c in proposal.challenges]
            continue
        value = values[name]
        if isinstance(value, str):
            value = value.strip()
        before[name], after[name] = getattr(proposal, name), value
        setattr(proposal, name, value)
    _mark(proposal, section, done)
    result = recompute(proposal)
    db.session.flush()
    audit.record("proposal.section_saved", "proposal", proposal.id, actor=actor,
                 before={"section": section, **before},
                 after={"section": section, **after, "complete": section in proposal.sections_done})
    return result


def mark_section(proposal: Proposal, section: str, *, actor: Any, done: bool, now: datetime | None = None) -> None:
    """A line section marked complete or not (budget needs one line at least)."""
    if section not in SECTIONS:
        raise DomainError(_l("Unknown section."))
    ensure_editable(proposal, actor=actor, now=now)
    if done and section == "budget" and not proposal.budget_lines:
        raise DomainError(_l("Add at least one budget line before marking this section complete."),
                          field="completed")
    _mark(proposal, section, done)
    db.session.flush()
    audit.record("proposal.section_marked", "proposal", proposal.id, actor=actor,
                 after={"section": section, "complete": done})


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
        to_cents(amount)
    except Exception as exc:  # noqa: BLE001 - any unreadable amount is the same refusal
        raise DomainError(_l("Enter an amount in euros, with at most two decimals."), field=field) from exc
    if amount < 0:
        raise DomainError(_l("Enter an amount, zero or more."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(AMOUNT_TOO_LARGE, field=field)
    return amount


def _text(values: Mapping[str, Any], name: str, message: Any | None = None, limit: int = 300) -> str:
    value = str(values.get(name) or "").strip()
    if message is not None and not value:
        raise DomainError(message, field=name)
    if len(value) > limit:
        raise DomainError(_l("Use %(n)s characters at most.", n=limit), field=name)
    return value


def _partner(proposal: Proposal, values: Mapping[str, Any]) -> ProposalPartner:
    kind = str(values.get("kind") or PartnerKind.association)
    if kind not in PartnerKind.__members__:
        raise DomainError(_l("Choose the kind of organisation."), field="kind")
    role = _text(values, "role", limit=2000)
    member_id = values.get("member_id")
    if member_id:
        member = db.session.get(Member, int(member_id))
        if member is None:
            raise DomainError(_l("Choose a member of the programme."), field="member_id")
        if member.id == proposal.lead_member_id:
            raise DomainError(_l("The lead organisation is not its own partner."), field="member_id")
        if any(p.member_id == member.id for p in proposal.partners):
            raise DomainError(_l("This member is already a partner."), field="member_id")
        return ProposalPartner(member_id=member.id, name=member.name, country=member.country, kind=kind, role=role)
    name = _text(values, "name", _l("Enter the name of the organisation."))
    country = str(values.get("country") or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise DomainError(_l("Choose the country of the organisation."), field="country")
    return ProposalPartner(member_id=None, name=name, country=country, kind=kind, role=role)


def _budget_line(values: Mapping[str, Any]) -> BudgetLine:
    category = str(values.get("category") or "")
    if category not in BudgetCategory.__members__:
        raise DomainError(_l("Choose a category."), field="category")
    total = _amount(values.get("total"), "total")
    if total <= 0:
        raise DomainError(_l("Enter the total of this line, above zero."), field="total")
    requested = _amount(values.get("requested") or "0", "requested")
    if requested > total:
        raise DomainError(_l("The amount requested cannot be more than the line's total."), field="requested")
    return BudgetLine(category=category, description=_text(values, "description", limit=500),
                      total_cents=to_cents(total), requested_cents=to_cents(requested))


def _cofinancing_line(values: Mapping[str, Any]) -> CofinancingLine:
    amount = _amount(values.get("amount"), "amount")
    if amount <= 0:
        raise DomainError(_l("Enter the amount, above zero."), field="amount")
    return CofinancingLine(source=_text(values, "source", _l("Enter the source of the co-financing.")),
                           amount_cents=to_cents(amount), confirmed=bool(values.get("confirmed")))


def _indicator(values: Mapping[str, Any]) -> ProposalIndicator:
    return ProposalIndicator(name=_text(values, "name", _l("Enter the name of the indicator.")),
                             unit=_text(values, "unit", limit=60), baseline=_text(values, "baseline", limit=60),
                             target=_text(values, "target", limit=60))


def _describe(line: Any) -> dict[str, Any]:
    """A line as plain values (audit before/after)."""
    return {c.key: getattr(line, c.key) for c in line.__table__.columns if c.key not in ("proposal_id",)}


def add_line(proposal: Proposal, section: str, *, actor: Any, values: Mapping[str, Any],
             now: datetime | None = None) -> Any:
    """Add one line to a line section (partners, budget, co-financing, indicators)."""
    builders: dict[str, Callable[[], Any]] = {
        "partners": lambda: _partner(proposal, values), "budget": lambda: _budget_line(values),
        "cofinancing": lambda: _cofinancing_line(values), "indicators": lambda: _indicator(values)}
    if section not in builders:
        raise DomainError(_l("Lines cannot be added to this section."))
    ensure_editable(proposal, actor=actor, now=now)
    line = builders[section]()
    getattr(proposal, _COLLECTIONS[section]).append(line)
    recompute(proposal)
    db.session.flush()
    audit.record("proposal.line_added", "proposal", proposal.id, actor=actor,
                 after={"section": section, **_describe(line)})
    return line


def remove_line(proposal: Proposal, section: str, line_id: int, *, actor: Any,
                now: datetime | None = None) -> Any:
    """Remove one line of a line section; returns the removed line (an attachment's file is the caller's)."""
    if section not in _COLLECTIONS:
        raise DomainError(_l("Lines cannot be removed from this section."))
    ensure_editable(proposal, actor=actor, now=now)
    collection = getattr(proposal, _COLLECTIONS[section])
    line = next((item for item in collection if item.id == line_id), None)
    if line is None:
        raise DomainError(_l("This line does not exist any more."))
    described = _describe(line)
    collection.remove(line)
    recompute(proposal)
    db.session.flush()
    audit.record("proposal.line_removed", "proposal", proposal.id, actor=actor,
                 before={"section": section, **described})
    return line


# Submitting and withdrawing -----------------------------------------------------------------------------------

class Ineligible(DomainError):
    """Submission refused because rules fail; ``check`` carries them (shown at their sections)."""

    def __init__(self, result: eligibility.Check) -> None:
        super().__init__(lazy_ngettext(
            "The proposal cannot be submitted while an eligibility rule fails: %(num)d rule fails.",
            "The proposal cannot be submitted while an eligibility rule fails: %(num)d rules fail.",
            len(result.failures)))
        self.check = result


def submit(proposal: Proposal, *, actor: Any, now: datetime | None = None) -> ProposalSnapshot:
    """Freeze the proposal into snapshot n + 1; refused after the deadline, while a rule fails, or twice.

    The caller rolls back on a refusal (the status change is made before the last checks).
    """
    now = now or utcnow()
    if not can_submit(proposal, actor):
        raise DomainError(_l("Only the delegate of the lead organisation can submit the proposal."))
    if proposal.status not in _EDITABLE:
        raise DomainError(_l("This proposal has already been submitted."))
    early = eligibility.check(proposal)
    if not early.eligible:
        raise Ineligible(early)
    if not is_accepting(_lock_call(proposal.call_id), now):
        raise DomainError(_l("The call is closed: proposals are no longer accepted."))
    seen = proposal.submitted_number
    changed = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.status.in_(list(_EDITABLE)),
                               Proposal.submitted_number == seen)
        .values(status=ProposalStatus.submitted, submitted_number=Proposal.submitted_number + 1,
                submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise DomainError(_l("This proposal has already been submitted."))
    fresh = load(proposal.id, fresh=True)
    assert fresh is not None
    result = recompute(fresh)
    if not result.eligible:
        raise Ineligible(result)
    item = ProposalSnapshot(
        proposal_id=fresh.id, number=seen + 1, submitted_at=now, submitted_by_id=actor.id,
        content=snapshots.snapshot_content(fresh, result),
        eligibility=[{"kind": o.kind, "passed": o.passed} for o in result.outcomes],
        total_budget_cents=fresh.total_budget_cents, requested_cents=fresh.requested_cents,
        max_grant_cents=fresh.max_grant_cents or 0)
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the unique (proposal, number): another submit won
        raise DomainError(_l("This proposal has already been submitted.")) from exc
    audit.record("proposal.submitted", "proposal", fresh.id, actor=actor,
                 after={"number": item.number, "max_grant": str(result.grant.maximum),
                        "total_budget": str(result.facts.total_budget)})
    return item


def withdraw(proposal: Proposal, *, actor: Any, now: datetime | None = None) -> None:
    """Take a submitted proposal back before the deadline: it becomes editable, its snapshot is marked withdrawn."""
    now = now or utcnow()
    if not can_submit(proposal, actor):
        raise DomainError(_l("Only the delegate of the lead organisation can withdraw the proposal."))
    if not is_accepting(_lock_call(proposal.call_id), now):
        raise DomainError(_l("The call is closed: the proposal can no longer be withdrawn."))
    changed = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.submitted)
        .values(status=ProposalStatus.withdrawn, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise DomainError(_l("Only a submitted proposal can be withdrawn."))
    db.session.refresh(proposal, ["status"])
    latest = latest_snapshot(proposal)
    if latest is not None:
        latest.withdrawn_at = now
    db.session.flush()
    audit.record("proposal.withdrawn", "proposal", proposal.id, actor=actor,
                 after={"number": latest.number if latest else None})


# Display helpers (pages read these; no state change) -----------------------------------------------------------

def member_choices(exclude: int | None = None) -> list[tuple[int, str]]:
    """Active members a partner may be picked from (one query)."""
    rows = db.session.execute(select(Member.id, Member.name, Member.acronym).where(
        Member.status == MemberStatus.active).order_by(Member.name)).all()
    return [(r.id, f"{r.name} ({r.acronym})" if r.acronym else r.name) for r in rows if r.id != exclude]


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
