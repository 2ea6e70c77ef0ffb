"""Calls for projects and the programme's challenges: state changes, and the reads of the call pages.

A call goes ``draft → open → closed → in_review → decided → published``; each
step is one service that checks the state, records an audit entry and
flushes (never commits). Every transition is a conditional ``UPDATE … WHERE
status = <the status it leaves>``, so two clicks or two cron runs change a
call once. Closing first takes ``SELECT … FOR UPDATE`` on the call row
(PostgreSQL): a proposal being submitted holds ``FOR SHARE`` on the same row
(``lock_call_for_submission``), so a submission racing the close is either
in, or sees the call closed and is refused.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.auth.services import external_url, send_mail
from app.calls import rulesets
from app.calls.models import (
    Call,
    CallStatus,
    Challenge,
    Proposal,
    ProposalStatus,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
)
from app.calls.money import MAX_AMOUNT, to_cents
from app.calls.wording import AMOUNT_TOO_LARGE
from app.core import audit
from app.core.errors import DomainError
from app.core.timeutil import add_days, utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus

CALL_TEXT_FIELDS = ("title_fr", "title_en", "title_ar", "text_fr", "text_en", "text_ar")
CALL_FIELDS = (*CALL_TEXT_FIELDS, "envelope", "opens_at", "closes_at", "rule_set_version_id", "challenge_ids",
               "reminder_days")
CHALLENGE_FIELDS = ("code", "position", "theme_fr", "theme_en", "theme_ar", "title_fr", "title_en", "title_ar",
                    "active")

#: The step after each status (the secretariat's "advance" button), and what it is called.
NEXT: dict[str, str] = {
    CallStatus.draft: CallStatus.open,
    CallStatus.open: CallStatus.closed,
    CallStatus.closed: CallStatus.in_review,
    CallStatus.in_review: CallStatus.decided,
    CallStatus.decided: CallStatus.published,
}
#: Statuses members (not the secretariat) find in the list of calls.
LISTED_FOR_MEMBERS = (CallStatus.open, CallStatus.published)


# Challenges -------------------------------------------------------------------------------------

def challenge_snapshot(challenge: Challenge) -> dict[str, Any]:
    return {name: getattr(challenge, name) for name in CHALLENGE_FIELDS}


def _check_challenge(data: Mapping[str, Any], challenge_id: int | None) -> dict[str, Any]:
    clean = dict(data)
    clean["code"] = (data.get("code") or "").strip()
    if not clean["code"]:
        raise DomainError(_l("Enter a code."), field="code")
    if not (data.get("title_fr") or "").strip():
        raise DomainError(_l("Enter the title in French."), field="title_fr")
    # Compared in Python: SQLite's lower() (and PostgreSQL's under a C locale) folds ASCII only, so "É" and "é"
    # slipped past a lower() in SQL and reached the unique index (a 500). The programme has a handful of challenges.
    key = clean["code"].casefold()
    taken = next((c.id for c in db.session.execute(select(Challenge.id, Challenge.code)) if c.code.casefold() == key),
                 None)
    if taken is not None and taken != challenge_id:
        raise DomainError(_l("Another challenge already uses this code."), field="code")
    return clean


def create_challenge(*, actor: User, data: Mapping[str, Any]) -> Challenge:
    """A new challenge (défi); its code is unique, whatever the case."""
    clean = _check_challenge(data, None)
    challenge = Challenge(**{k: clean[k] for k in CHALLENGE_FIELDS if k in clean})
    db.session.add(challenge)
    db.session.flush()
    audit.record("challenge.created", "challenge", challenge.id, actor=actor, after=challenge_snapshot(challenge))
    return challenge


def update_challenge(challenge: Challenge, *, actor: User, data: Mapping[str, Any]) -> Challenge:
    """Edit a challenge; a challenge no longer active is only hidden from new calls (calls keep theirs)."""
    clean = _check_challenge(data, challenge.id)
    before = challenge_snapshot(challenge)
    for name in CHALLENGE_FIELDS:
        if name in clean:
            setattr(challenge, name, clean[name])
    db.session.flush()
    audit.record("challenge.updated", "challenge", challenge.id, actor=actor, before=before,
                 after=challenge_snapshot(challenge))
    return challenge


def challenges_list() -> list[Challenge]:
    return list(db.session.scalars(select(Challenge).order_by(Challenge.position, Challenge.code)))


def challenge_choices(keep: Iterable[int] = ()) -> list[Challenge]:
    """Active challenges, plus those a call already addresses (so editing it does not drop them)."""
    keep = list(keep)
    condition = Challenge.active.is_(True) if not keep else (Challenge.active.is_(True) | Challenge.id.in_(keep))
    return list(db.session.scalars(select(Challenge).where(condition).order_by(Challenge.position, Challenge.code)))


# Rule-set versions offered to a call --------------------------------------------------------------

def version_choices(keep: int | None = None) -> list[RuleSetVersion]:
    """Adopted versions, plus the one a draft call already names (kept selectable when editing it)."""
    versions = rulesets.adopted_versions()
    if keep is not None and all(v.id != keep for v in versions):
        current = db.session.get(RuleSetVersion, keep)
        if current is not None:
            versions.append(current)
    return versions


# Calls: creating and editing a draft ----------------------------------------------------------

def call_snapshot(call: Call) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(call, name) for name in CALL_TEXT_FIELDS}
    data.update(envelope=str(call.envelope), opens_at=call.opens_at, closes_at=call.closes_at,
                rule_set_version_id=call.rule_set_version_id, reminder_days=call.reminder_days,
                challenges=sorted(c.code for c in call.challenges), status=call.status)
    return data


def _check_call(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Challenge]]:
    """The call's fields checked (the form checks them too; the service is the rule)."""
    if not (data.get("title_fr") or "").strip():
        raise DomainError(_l("Enter the title in French."), field="title_fr")
    envelope = data.get("envelope")
    if not isinstance(envelope, Decimal) or envelope <= 0:
        raise DomainError(_l("The envelope is an amount in euros above zero."), field="envelope")
    if envelope > MAX_AMOUNT:
        raise DomainError(AMOUNT_TOO_LARGE, field="envelope")
    try:
        envelope_cents = to_cents(envelope)
    except ValueError as exc:
        raise DomainError(_l("Enter an amount with at most two decimals."), field="envelope") from exc
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens_at, datetime) or opens_at.tzinfo is None:
        raise DomainError(_l("Enter when the call opens."), field="opens_at")
    if not isinstance(closes_at, datetime) or closes_at.tzinfo is None:
        raise DomainError(_l("Enter when the call closes."), field="closes_at")
    if closes_at <= opens_at:
        raise DomainError(_l("The call must close after it opens."), field="closes_at")
    version_id = data.get("rule_set_version_id")
    if not version_id or db.session.get(RuleSetVersion, version_id) is None:
        raise DomainError(_l("Choose the version of the rule set the call applies."), field="rule_set_version_id")
    reminder_days = data.get("reminder_days", 7)
    if not isinstance(reminder_days, int) or not 0 <= reminder_days <= 90:
        raise DomainError(_l("Enter a number of days from 0 to 90."), field="reminder_days")
    wanted = set(data.get("challenge_ids") or ())
    challenges = list(db.session.scalars(select(Challenge).where(Challenge.id.in_(wanted)))) if wanted else []
    if len(challenges) != len(wanted):
        raise DomainError(_l("Choose among the challenges listed."), field="challenge_ids")
    fields = {name: (data.get(name) or "").strip() if name.startswith("title") else data.get(name) or ""
              for name in CALL_TEXT_FIELDS}
    fields.update(envelope_cents=envelope_cents, opens_at=opens_at, closes_at=closes_at,
                  rule_set_version_id=version_id, reminder_days=reminder_days)
    return fields, challenges


def create_call(*, actor: User, data: Mapping[str, Any]) -> Call:
    """A draft call. Its rule-set version may be any version; only an adopted one lets it open."""
    fields, challenges = _check_call(data)
    call = Call(status=CallStatus.draft, created_by_id=getattr(actor, "id", None), **fields)
    call.challenges = challenges
    db.session.add(call)
    db.session.flush()
    audit.record("call.created", "call", call.id, actor=actor, after=call_snapshot(call))
    return call


def update_call(call: Call, *, actor: User, data: Mapping[str, Any]) -> Call:
    """Edit a call while it is a draft; once open, what members answered stays what it was."""
    if call.status != CallStatus.draft:
        raise DomainError(_l("Only a draft call can be edited."))
    fields, challenges = _check_call(data)
    before = call_snapshot(call)
    for name, value in fields.items():
        setattr(call, name, value)
    call.challenges = challenges
    db.session.flush()
    audit.record("call.updated", "call", call.id, actor=actor, before=before, after=call_snapshot(call))
    return call


# Transitions ------------------------------------------------------------------------------------

def _move(call: Call, source: str, target: str, **values: Any) -> bool:
    """``UPDATE calls SET status=target … WHERE id=… AND status=source``: true when this request moved it."""
    result = db.session.execute(
        update(Call).where(Call.id == call.id, Call.status == source).values(status=target, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(call)
    return True


def opening_problems(call: Call, now: datetime | None = None) -> list[tuple[str, str]]:
    """Why the call cannot open now, as (field, message); empty when it can (the confirmation page lists them)."""
    now = now or utcnow()
    problems: list[tuple[str, str]] = []
    if call.status != CallStatus.draft:
        problems.append(("", str(_l("Only a draft call can be opened."))))
        return problems
    version = call.rule_set_version
    if version is None or version.status != VersionStatus.adopted:
        status = VersionStatus(version.status).label if version is not None else "—"
        problems.append(("rule_set_version_id", str(_l(
            "The rule set version is not adopted by the assembly (it is: %(status)s). "
            "Only an adopted version can open a call.", status=status))))
    if not call.challenges:
        problems.append(("challenge_ids", str(_l("Choose at least one challenge the call addresses."))))
    if call.closes_at <= now:
        problems.append(("closes_at", str(_l("The closing date has passed: move it to the future first."))))
    return problems


def open_call(call: Call, *, actor: User | None, now: datetime | None = None) -> int:
    """Open the call now and e-mail every active member's representatives; returns how many were e-mailed.

    Refused unless its rule-set version is adopted, it addresses a challenge and
    it closes in the future. The planned opening date becomes the actual one.
    """
    now = now or utcnow()
    problems = opening_problems(call, now)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field or None)
    before = call_snapshot(call)
    if not _move(call, CallStatus.draft, CallStatus.open, opened_at=now, opens_at=now):
        raise DomainError(_l("Only a draft call can be opened."))
    sent = notify_representatives(call, "calls/email/call_opened.txt",
                                  _l("Call for projects open: %(title)s", title=_title_in_recipient_language(call)))
    audit.record("call.opened", "call", call.id, actor=actor, before={"status": before["status"]},
                 after={"status": call.status, "opened_at": now, "recipients": sent,
                        "rule_set_version_id": call.rule_set_version_id})
    return sent


def close_call(call: Call, *, actor: User | None, now: datetime | None = None) -> None:
    """Close the call: no submission after this commits.

    Takes the row ``FOR UPDATE`` first (PostgreSQL): it waits for submissions
    holding ``FOR SHARE`` to commit, and submissions that come after wait for
    the close and then see the call closed.
    """
    now = now or utcnow()
    _locked(call.id, share=False)
    if not _move(call, CallStatus.open, CallStatus.closed, closed_at=now):
        raise DomainError(_l("Only an open call can be closed."))
    audit.record("call.closed", "call", call.id, actor=actor, before={"status": CallStatus.open},
                 after={"status": call.status, "closed_at": now, "closes_at": call.closes_at})


def advance(call: Call, *, actor: User, expected: str | None = None) -> str:
    """The next step after the close: closed → in review; returns the new status.

    In review → decided and decided → published are refused here: they go through the selection's
    ``record_decision`` and ``publish_decision`` (the decision and its letters).

    ``expected`` is the status the confirmation page announced: a second click
    (or a stale page) is refused instead of moving the call one step further.
    """
    source = str(call.status)
    target = NEXT.get(source)
    if source in (CallStatus.draft, CallStatus.open) or target is None:
        raise DomainError(_l("This call has no further step to take here."))
    if expected is not None and expected != target:
        raise DomainError(_l("The call has moved on since this page was shown."))
    if target == CallStatus.decided:
        raise DomainError(_l("The decision is recorded from the trial allocation page of the selection, "
                             "with each proposal's outcome."))
    if target == CallStatus.published:
        raise DomainError(_l("The decision is published from the decision page, which sends each applicant "
                             "its letter."))
    values: dict[str, Any] = {"published_at": utcnow()} if target == CallStatus.published else {}
    if not _move(call, source, target, **values):
        raise DomainError(_l("The call has moved on since this page was shown."))
    audit.record(f"call.{target}", "call", call.id, actor=actor, before={"status": source},
                 after={"status": target, **values})
    return target


def next_status(call: Call) -> str | None:
    """The status the "advance" step leads to, if the call is past its close."""
    return NEXT.get(str(call.status)) if call.status not in (CallStatus.draft, CallStatus.open) else None


# For the proposals ------------------------------------------------------------------------------

def is_accepting(call: Call, now: datetime | None = None) -> bool:
    """Whether proposals may be started or submitted: the call is open and its closing time not reached."""
    now = now or utcnow()
    return call.status == CallStatus.open and now < call.closes_at


def _locked(call_id: int, *, share: bool) -> Call | None:
    """The call row, read again from the database under a row lock (PostgreSQL; SQLite has one writer)."""
    query = select(Call).where(Call.id == call_id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=share)
    return db.session.scalar(query)


def lock_call_for_submission(call_id: int) -> Call | None:
    """The call, read fresh under ``FOR SHARE`` (PostgreSQL; a plain read on SQLite) until the transaction ends.

    A submission calls this, then ``is_accepting``, then writes its snapshot:
    the close (``FOR UPDATE``) waits for it, or it waits for the close and
    sees the call closed.
    """
    return _locked(call_id, share=True)


# E-mails and the commands ----------------------------------------------------------------------

def _title_in_recipient_language(call: Call) -> LazyString:
    """The call's title, worded when the subject is rendered (in the recipient's language)."""
    return LazyString(lambda: call.title)


def representatives_of_active_members() -> list[User]:
    """Delegates and alternates of every active member (withdrawn, suspended and applicants left out)."""
    return list(db.session.scalars(
        select(User).join(Member, User.member_id == Member.id)
        .where(Member.status == MemberStatus.active, User.active.is_(True)).order_by(User.id)))


def notify_representatives(call: Call, template: str, subject: object) -> int:
    """Queue one e-mail per representative of an active member, each in its own language."""
    link = external_url("calls.detail", call_id=call.id)
    users = representatives_of_active_members()
    for user in users:
        send_mail(user, template, subject, call=call, link=link)
    return len(users)


def reminder_due(call: Call, now: datetime) -> bool:
    """Open, not reminded yet, and within its ``reminder_days`` of closing (0 days: never)."""
    return (call.status == CallStatus.open and call.reminded_at is None and call.reminder_days > 0
            and now < call.closes_at <= add_days(now, call.reminder_days))


def send_reminders(now: datetime | None = None) -> int:
    """Remind the representatives of active members of calls closing soon; returns the calls reminded.

    Once per call: ``reminded_at`` is claimed with a conditional UPDATE, so two
    overlapping runs never send twice.
    """
    now = now or utcnow()
    candidates = db.session.scalars(select(Call).where(
        Call.status == CallStatus.open, Call.reminded_at.is_(None), Call.closes_at > now).order_by(Call.closes_at))
    reminded = 0
    for call in [c for c in candidates if reminder_due(c, now)]:
        claimed = db.session.execute(
            update(Call).where(Call.id == call.id, Call.reminded_at.is_(None), Call.status == CallStatus.open)
            .values(reminded_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        db.session.refresh(call)
        sent = notify_representatives(call, "calls/email/call_reminder.txt", _l(
            "Reminder: the call %(title)s closes soon", title=_title_in_recipient_language(call)))
        audit.record("call.reminded", "call", call.id, actor=None, after={"recipients": sent, "at": now})
        reminded += 1
    return reminded


def close_due(now: datetime | None = None) -> int:
    """Close every open call whose closing time has passed; returns how many were closed (for cron)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Call.id).where(Call.status == CallStatus.open, Call.closes_at <= now)
                                  .order_by(Call.id)))
    closed = 0
    for call_id in due:
        call = db.session.get(Call, call_id)
        try:
            close_call(call, actor=None, now=now)
        except DomainError:  # closed by someone else meanwhile
            continue
        closed += 1
    return closed


# Reads of the pages ----------------------------------------------------------------------------

def calls_query(*, manage: bool, status: str | None = None) -> Select[tuple[Call]]:
    """The list of calls: the secretariat sees all (filterable by status), others open and published ones.

    Eager loads keep the page at a fixed number of queries whatever its size.
    """
    query = (select(Call).options(selectinload(Call.challenges),
                                  joinedload(Call.rule_set_version).joinedload(RuleSetVersion.rule_set))
             .order_by(Call.closes_at.desc(), Call.id.desc()))
    if not manage:
        query = query.where(Call.status.in_(LISTED_FOR_MEMBERS))
    if status:
        query = query.where(Call.status == status)
    return query


def submitted_counts(call_ids: Sequence[int]) -> dict[int, int]:
    """Submitted proposals per call (one grouped query for a page of calls)."""
    if not call_ids:
        return {}
    return dict(db.session.execute(
        select(Proposal.call_id, func.count(Proposal.id))
        .where(Proposal.call_id.in_(call_ids), Proposal.status == ProposalStatus.submitted)
        .group_by(Proposal.call_id)).all())


def call_page(call_id: int) -> Call | None:
    return db.session.scalar(
        select(Call).options(selectinload(Call.challenges),
                             joinedload(Call.rule_set_version).joinedload(RuleSetVersion.rule_set))
        .where(Call.id == call_id))


def visible_to_members(call: Call) -> bool:
    """Members see a call once it has opened (drafts are the secretariat's work in progress)."""
    return call.status != CallStatus.draft


def own_proposals(call: Call, member_id: int | None) -> list[Proposal]:
    if member_id is None:
        return []
    return list(db.session.scalars(select(Proposal).where(Proposal.call_id == call.id,
                                                          Proposal.lead_member_id == member_id)
                                   .order_by(Proposal.id)))


def member_may_propose(user: User) -> bool:
    """A delegate of an active member (the member's status is read once)."""
    if user.member_id is None or not user.is_delegate:
        return False
    return db.session.scalar(select(Member.status).where(Member.id == user.member_id)) == MemberStatus.active


def open_calls(now: datetime | None = None, limit: int = 10) -> list[Call]:
    """Calls accepting proposals now, closing soonest first (the home page panel)."""
    now = now or utcnow()
    return list(db.session.scalars(select(Call).where(Call.status == CallStatus.open, Call.closes_at > now)
                                   .order_by(Call.closes_at, Call.id).limit(limit)))


def open_calls_panel(user: User) -> dict[str, Any] | None:
    """The "open calls" panel of the home page: None when there is nothing to show."""
    if not getattr(user, "is_authenticated", False):
        return None
    calls = open_calls()
    return {"calls": calls} if calls else None


def version_label(version: RuleSetVersion) -> str:
    """"Title, version n (status)" for the select of versions."""
    rule_set: RuleSet = version.rule_set
    return str(_l("%(title)s, version %(n)s (%(status)s)", title=rule_set.title, n=version.number,
                  status=VersionStatus(version.status).label))
