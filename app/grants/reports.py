"""Reports of a grant: the schedule the secretariat sets, the versions the grantee prepares and submits,
the secretariat's return with comments per section or its approval.

A report's life: scheduled (no version, ``status`` "") → a draft version prepared by the grantee's
representatives (narrative sections, expenditure per budget line for the period, the actual of each
indicator, attachments) → submitted by the grantee's delegate → returned with comments per section (the
next draft is a new version that starts from the returned one) or approved. Approval freezes the report and
writes the period's expenditure to the ledger through ``ledger.record_expenditure`` (owner G-A, the only
writer of the ledger); an instalment whose condition was that approval (or a share of justified
expenditure) becomes due, which ``approve`` reports back so the page can say so.

Services take an explicit ``actor``, check the state, raise ``DomainError``, flush, never commit. Who may act
is the routes' business (``can_*`` below hold the object-level part).
"""
from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth.models import User, UserKind
from app.calls import attachments as call_attachments
from app.core import audit, mail, uploads
from app.core.errors import DomainError
from app.core.permissions import Role, can, roles_of
from app.core.storage import shared_dir
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants.models import (
    Grant,
    GrantIndicator,
    GrantStatus,
    Instalment,
    LedgerEntry,
    Report,
    ReportAttachment,
    ReportKind,
    ReportNature,
    ReportVersion,
    ReportVersionStatus,
)

#: Narrative sections of a report, in the order they are written.
SECTIONS: dict[str, Any] = {
    "activities": _l("Activities carried out"),
    "results": _l("Results achieved"),
    "difficulties": _l("Difficulties and changes"),
    "next_steps": _l("Next steps"),
}
#: What the secretariat may comment on when it returns a report: the sections and the other parts.
COMMENT_PARTS: dict[str, Any] = {
    **SECTIONS,
    "expenditure": _l("Expenditure"),
    "indicators": _l("Indicators"),
    "attachments": _l("Attachments"),
    "general": _l("General comment"),
}
MAX_SECTION = 20000
MAX_COMMENT = 5000
MAX_ACTUAL = 60
#: Grant statuses in which reports are prepared, submitted and reviewed.
REPORTING = frozenset({GrantStatus.signed, GrantStatus.active, GrantStatus.suspended, GrantStatus.closing})
#: Grant statuses in which the schedule may change.
SCHEDULING = REPORTING | {GrantStatus.draft}
#: Kinds accepted as a report's attachment (``app.core.uploads.KINDS``): the proposals' (PDF, DOCX, XLSX, ODT)
#: and scanned receipts.
ATTACHMENT_KINDS: tuple[str, ...] = (*call_attachments.ACCEPTED, "jpeg", "png")


# Who ----------------------------------------------------------------------------------------------------------

def is_secretariat(user: Any) -> bool:
    return Role.secretariat in roles_of(user)


def is_grantee(grant: Grant, user: Any) -> bool:
    """The user represents the grant's lead member (its delegate or an alternate)."""
    return (getattr(user, "is_authenticated", False) and user.member_id is not None
            and user.member_id == grant.lead_member_id and can(user, "report.prepare"))


def can_view(grant: Grant, user: Any) -> bool:
    """The secretariat, the grantee's representatives, and the portfolio's readers (committee, ex-officio)."""
    return is_secretariat(user) or is_grantee(grant, user) or can(user, "portfolio.view")


def can_read_attachments(grant: Grant, user: Any) -> bool:
    """Invoices and statements are the grantee's private documents: the secretariat and the grantee only."""
    return is_secretariat(user) or is_grantee(grant, user)


def can_prepare(grant: Grant, user: Any) -> bool:
    return is_grantee(grant, user)


def can_submit(grant: Grant, user: Any) -> bool:
    return is_grantee(grant, user) and can(user, "report.submit")


def can_review(user: Any) -> bool:
    return can(user, "report.review")


def can_schedule(user: Any) -> bool:
    return can(user, "grant.manage")


# Reading ------------------------------------------------------------------------------------------------------

def latest(report: Report) -> ReportVersion | None:
    return report.versions[-1] if report.versions else None


def approved_version(report: Report) -> ReportVersion | None:
    """The frozen version of an approved report (None otherwise)."""
    return next((v for v in reversed(report.versions) if v.status == ReportVersionStatus.approved), None)


def attachments_of(version: ReportVersion) -> list[ReportAttachment]:
    return list(db.session.scalars(select(ReportAttachment).where(ReportAttachment.version_id == version.id)
                                   .order_by(ReportAttachment.id)))


def sections_of(report: Report) -> dict[str, Any]:
    """The narrative sections a report asks for (none for a financial report)."""
    return {} if report.nature == ReportNature.financial else SECTIONS


def asks_expenditure(report: Report) -> bool:
    return report.nature != ReportNature.narrative


def asks_indicators(report: Report) -> bool:
    return report.nature != ReportNature.financial


def editable(report: Report) -> bool:
    """A draft can be written when there is none yet, the latest is a draft, or it came back returned."""
    current = latest(report)
    return report.grant.status in REPORTING and (current is None or current.status in (
        ReportVersionStatus.draft, ReportVersionStatus.returned))


# Schedule (secretariat) ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduleEntry:
    kind: str
    nature: str
    period_starts_on: date
    period_ends_on: date
    due_on: date


def _check_entry(grant: Grant, entry: ScheduleEntry, *, report: Report | None = None) -> None:
    if entry.kind not in {k.value for k in ReportKind}:
        raise DomainError(_l("Choose the kind of report."), field="kind")
    if entry.nature not in {n.value for n in ReportNature}:
        raise DomainError(_l("Choose what the report covers."), field="nature")
    if entry.period_ends_on < entry.period_starts_on:
        raise DomainError(_l("The period must end on or after the day it starts."), field="period_ends_on")
    if entry.period_starts_on < grant.starts_on:
        raise DomainError(_l("The period cannot start before the grant does (%(day)s).",
                             day=format_date(grant.starts_on)), field="period_starts_on")
    if entry.due_on < entry.period_ends_on:
        raise DomainError(_l("The report cannot be due before the end of its period."), field="due_on")
    if entry.kind == ReportKind.final:
        other = db.session.scalar(select(Report.id).where(Report.grant_id == grant.id,
                                                          Report.kind == ReportKind.final,
                                                          Report.id != (report.id if report else -1)))
        if other is not None:
            raise DomainError(_l("This grant already has a final report."), field="kind")


def add_report(grant: Grant, entry: ScheduleEntry, *, actor: Any) -> Report:
    """Add a report to the schedule (numbered after the last one)."""
    if grant.status not in SCHEDULING:
        raise DomainError(_l("The schedule of a closed or terminated grant cannot change."))
    _check_entry(grant, entry)
    number = 1 + (db.session.scalar(select(func.max(Report.number)).where(Report.grant_id == grant.id)) or 0)
    report = Report(grant_id=grant.id, number=number, kind=entry.kind, nature=entry.nature,
                    period_starts_on=entry.period_starts_on, period_ends_on=entry.period_ends_on,
                    due_on=entry.due_on, status="")
    db.session.add(report)
    db.session.flush()
    audit.record("grant.report_scheduled", "grant_report", report.id, actor=actor, after=_entry_dict(report))
    return report


def update_report(report: Report, entry: ScheduleEntry, *, actor: Any) -> Report:
    """Change a scheduled report; the period and kind only until a version is submitted, the due date until
    approval (a late grantee may be given more time)."""
    grant = report.grant
    if grant.status not in SCHEDULING:
        raise DomainError(_l("The schedule of a closed or terminated grant cannot change."))
    if report.status == ReportVersionStatus.approved:
        raise DomainError(_l("An approved report is frozen."))
    before = _entry_dict(report)
    submitted_once = any(v.submitted_at is not None for v in report.versions)
    if submitted_once and (entry.kind, entry.nature, entry.period_starts_on, entry.period_ends_on) != (
            report.kind, report.nature, report.period_starts_on, report.period_ends_on):
        raise DomainError(_l("Once a version was submitted only the due date can change."), field="due_on")
    _check_entry(grant, entry, report=report)
    report.kind, report.nature = entry.kind, entry.nature
    report.period_starts_on, report.period_ends_on, report.due_on = (entry.period_starts_on, entry.period_ends_on,
                                                                     entry.due_on)
    db.session.flush()
    audit.record("grant.report_rescheduled", "grant_report", report.id, actor=actor, before=before,
                 after=_entry_dict(report))
    return report


def remove_report(report: Report, *, actor: Any) -> None:
    """Take a report off the schedule: only before anything was written, and when no instalment waits on it."""
    if report.grant.status not in SCHEDULING:
        raise DomainError(_l("The schedule of a closed or terminated grant cannot change."))
    if report.versions:
        raise DomainError(_l("This report has been started: it stays on the schedule."))
    waiting = db.session.scalar(select(Instalment.number).where(Instalment.condition_report_id == report.id))
    if waiting is not None:
        raise DomainError(_l("Instalment %(n)s waits on this report's approval: change the instalment first.",
                             n=waiting))
    audit.record("grant.report_unscheduled", "grant_report", report.id, actor=actor, before=_entry_dict(report))
    db.session.delete(report)
    db.session.flush()


def _entry_dict(report: Report) -> dict[str, Any]:
    return {"grant_id": report.grant_id, "number": report.number, "kind": report.kind, "nature": report.nature,
            "period": [report.period_starts_on, report.period_ends_on], "due_on": report.due_on}


# Preparing (the grantee) --------------------------------------------------------------------------------------

def _ensure_reporting(report: Report) -> None:
    if report.grant.status not in REPORTING:
        raise DomainError(_l("Reports are written while the grant is signed, active, suspended or closing."))


def draft_of(report: Report, *, actor: Any) -> ReportVersion:
    """The version being written: the current draft, or a new one (the first, or the next after a return,
    starting from what the returned version said and carrying its attachments)."""
    _ensure_reporting(report)
    current = latest(report)
    if current is not None and current.status == ReportVersionStatus.draft:
        return current
    if current is not None and current.status != ReportVersionStatus.returned:
        raise DomainError(_l("This report has been submitted: it can no longer be changed."))
    version = ReportVersion(report_id=report.id, number=(current.number + 1) if current else 1,
                            status=ReportVersionStatus.draft, created_by_id=getattr(actor, "id", None),
                            narrative=dict(current.narrative) if current else {},
                            expenditure=dict(current.expenditure) if current else {},
                            indicators=dict(current.indicators) if current else {}, comments={})
    report.versions.append(version)
    report.status = ReportVersionStatus.draft
    db.session.flush()
    if current is not None:
        for item in attachments_of(current):
            _copy_attachment(item, version, actor=actor)
    audit.record("grant.report_version_started", "grant_report", report.id, actor=actor,
                 after={"version": version.number})
    return version


@dataclass(frozen=True)
class DraftContent:
    """What the grantee typed: text per section, cents per budget line code, text per indicator id."""

    narrative: Mapping[str, str]
    expenditure: Mapping[str, int]
    indicators: Mapping[str, str]


def budget_codes(grant: Grant) -> list[str]:
    from app.grants import budget

    version = budget.current_version(grant)
    return [line.code for line in version.lines] if version else []


def save_draft(report: Report, content: DraftContent, *, actor: Any) -> ReportVersion:
    """Save what was typed in the draft (creating the draft when needed)."""
    version = draft_of(report, actor=actor)
    grant = report.grant
    narrative = {}
    for key, text in content.narrative.items():
        if key not in sections_of(report):
            raise DomainError(_l("Unknown section."))
        text = (text or "").strip()
        if len(text) > MAX_SECTION:
            raise DomainError(_l("Write at most %(n)s characters.", n=MAX_SECTION), field=f"section_{key}")
        narrative[key] = text
    expenditure: dict[str, int] = {}
    if content.expenditure and not asks_expenditure(report):
        raise DomainError(_l("A narrative report has no expenditure."))
    codes = set(budget_codes(grant))
    for code, cents in content.expenditure.items():
        if code not in codes:
            raise DomainError(_l("Unknown budget line."))
        if not isinstance(cents, int) or isinstance(cents, bool) or cents < 0:
            raise DomainError(_l("Enter an amount of zero or more."), field=f"line_{code}")
        expenditure[code] = cents
    indicators: dict[str, str] = {}
    known = {str(i.id) for i in grant.indicators}
    for key, text in content.indicators.items():
        if str(key) not in known:
            raise DomainError(_l("Unknown indicator."))
        text = (text or "").strip()
        if len(text) > MAX_ACTUAL:
            raise DomainError(_l("Write at most %(n)s characters.", n=MAX_ACTUAL), field=f"indicator_{key}")
        indicators[str(key)] = text
    before = {"narrative": version.narrative, "expenditure": version.expenditure, "indicators": version.indicators}
    version.narrative, version.expenditure, version.indicators = narrative, expenditure, indicators
    db.session.flush()
    audit.record("grant.report_draft_saved", "grant_report", report.id, actor=actor, before=before,
                 after={"version": version.number, "narrative": narrative, "expenditure": expenditure,
                        "indicators": indicators})
    return version


# Attachments --------------------------------------------------------------------------------------------------

def storage_dir() -> Path:
    """``GRANTS_ATTACHMENTS_DIR``, by default ``<SHARED_DIR>/grant-attachments`` (never under ``static``)."""
    return shared_dir("GRANTS_ATTACHMENTS_DIR", "grant-attachments")


def path_of(item: ReportAttachment) -> Path:
    return storage_dir() / item.stored_name


def sniff(data: bytes) -> str | None:
    """The kind of a file from its content (never its name), None when a report does not take it."""
    kind = uploads.sniff(data)
    return kind if kind in ATTACHMENT_KINDS else None


def add_attachment(report: Report, *, actor: Any, filename: str, data: bytes) -> ReportAttachment:
    """Attach an invoice or a statement to the draft: name, size and content checked, file written first."""
    version = draft_of(report, actor=actor)
    checked = uploads.check(filename, data, accepted=ATTACHMENT_KINDS, max_bytes=call_attachments.max_bytes())
    name, mime = checked.filename, checked.mime
    stored = secrets.token_hex(16)
    (storage_dir() / stored).write_bytes(data)
    item = ReportAttachment(version_id=version.id, filename=name, stored_name=stored, content_type=mime,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            uploaded_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    audit.record("grant.report_attachment_added", "grant_report", report.id, actor=actor,
                 after={"version": version.number, "attachment_id": item.id, "filename": item.filename,
                        "content_type": mime, "size": item.size, "sha256": item.sha256})
    return item


def _copy_attachment(item: ReportAttachment, version: ReportVersion, *, actor: Any) -> ReportAttachment:
    """The next version starts with the returned one's files (a copy: each version keeps its own)."""
    stored = secrets.token_hex(16)
    source = path_of(item)
    if source.is_file():
        shutil.copyfile(source, storage_dir() / stored)
    copy = ReportAttachment(version_id=version.id, filename=item.filename, stored_name=stored,
                            content_type=item.content_type, size=item.size, sha256=item.sha256,
                            uploaded_by_id=item.uploaded_by_id)
    db.session.add(copy)
    db.session.flush()
    return copy


def remove_attachment(report: Report, item: ReportAttachment, *, actor: Any) -> str:
    """Remove a file from the draft; returns the stored name for the caller to ``discard`` after commit."""
    current = latest(report)
    if current is None or current.status != ReportVersionStatus.draft or item.version_id != current.id:
        raise DomainError(_l("Only a file of the draft can be removed."))
    stored = item.stored_name
    audit.record("grant.report_attachment_removed", "grant_report", report.id, actor=actor,
                 before={"version": current.number, "attachment_id": item.id, "filename": item.filename})
    db.session.delete(item)
    db.session.flush()
    return stored


def discard(stored_name: str) -> None:
    """Delete a removed attachment's file (after the removal is committed)."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or ".." in stored_name:
        return
    (storage_dir() / stored_name).unlink(missing_ok=True)


# Submitting (the grantee's delegate) --------------------------------------------------------------------------

def missing(report: Report, version: ReportVersion) -> list[tuple[str, str]]:
    """What the draft still lacks before it can be submitted: (field, message), in the page's order."""
    lacks: list[tuple[str, str]] = []
    for key, title in sections_of(report).items():
        if not (version.narrative.get(key) or "").strip():
            lacks.append((f"section_{key}", _("Write the section “%(title)s”.", title=title)))
    if asks_expenditure(report):
        for code in budget_codes(report.grant):
            if code not in version.expenditure:
                lacks.append((f"line_{code}", _("Enter the expenditure of line %(code)s (0 if none).", code=code)))
        if sum(int(c) for c in version.expenditure.values()) > 0 and not attachments_of(version):
            lacks.append(("file", _("Attach the invoices or statements that justify the expenditure.")))
    if asks_indicators(report):
        for indicator in report.grant.indicators:
            if not (version.indicators.get(str(indicator.id)) or "").strip():
                lacks.append((f"indicator_{indicator.id}",
                              _("Enter the value of “%(name)s” for the period.", name=indicator.name)))
    return lacks


def submit(report: Report, *, actor: Any) -> ReportVersion:
    """Submit the draft: complete, then frozen until the secretariat returns or approves it."""
    _ensure_reporting(report)
    version = latest(report)
    if version is None or version.status != ReportVersionStatus.draft:
        raise DomainError(_l("There is no draft to submit."))
    lacks = missing(report, version)
    if lacks:
        raise DomainError(lacks[0][1], field=lacks[0][0])
    now = utcnow()
    version.status = ReportVersionStatus.submitted
    version.submitted_at, version.submitted_by_id = now, getattr(actor, "id", None)
    report.status = ReportVersionStatus.submitted
    db.session.flush()
    audit.record("grant.report_submitted", "grant_report", report.id, actor=actor,
                 after={"version": version.number, "expenditure": version.expenditure})
    _tell_secretariat(report, version)
    return version


# Reviewing (the secretariat) ----------------------------------------------------------------------------------

def _submitted(report: Report) -> ReportVersion:
    _ensure_reporting(report)
    version = latest(report)
    if version is None or version.status != ReportVersionStatus.submitted:
        raise DomainError(_l("Only a submitted report can be reviewed."))
    return version


def return_report(report: Report, comments: Mapping[str, str], *, actor: Any) -> ReportVersion:
    """Send the report back with comments per section; the grantee prepares the next version from it."""
    version = _submitted(report)
    kept: dict[str, str] = {}
    for key, text in comments.items():
        if key not in COMMENT_PARTS:
            raise DomainError(_l("Unknown section."))
        text = (text or "").strip()
        if len(text) > MAX_COMMENT:
            raise DomainError(_l("Write at most %(n)s characters.", n=MAX_COMMENT), field=f"comment_{key}")
        if text:
            kept[key] = text
    if not kept:
        raise DomainError(_l("Write at least one comment saying what to change."), field="comment_general")
    version.status = ReportVersionStatus.returned
    version.comments = kept
    version.decided_at, version.decided_by_id = utcnow(), getattr(actor, "id", None)
    report.status = ReportVersionStatus.returned
    db.session.flush()
    audit.record("grant.report_returned", "grant_report", report.id, actor=actor,
                 after={"version": version.number, "comments": kept})
    _tell_grantee(report, "returned")
    return version


@dataclass(frozen=True)
class Approval:
    version: ReportVersion
    entries: list[LedgerEntry]
    now_due: list[Instalment]  # instalments that became due through this approval


def approve(report: Report, *, actor: Any) -> Approval:
    """Approve the submitted version: frozen, its expenditure written to the ledger (value date: the period's
    last day, so "spent this period" finds it), and the instalments it makes due listed."""
    from app.grants import ledger

    version = _submitted(report)
    grant = report.grant
    before = due_instalments(grant)
    now = utcnow()
    version.status = ReportVersionStatus.approved
    version.decided_at, version.decided_by_id = now, getattr(actor, "id", None)
    report.status = ReportVersionStatus.approved
    report.approved_at = now
    db.session.flush()
    lines = {code: int(cents) for code, cents in version.expenditure.items() if int(cents) != 0}
    entries = list(ledger.record_expenditure(grant, version=version, lines=lines, on=report.period_ends_on,
                                             actor=actor) or []) if lines else []
    db.session.flush()
    after = due_instalments(grant)
    now_due = [i for i in grant.instalments if i.id in after and i.id not in before]
    audit.record("grant.report_approved", "grant_report", report.id, actor=actor,
                 after={"version": version.number, "expenditure": lines,
                        "instalments_due": [i.number for i in now_due]})
    _tell_grantee(report, "approved")
    return Approval(version, entries, now_due)


def due_instalments(grant: Grant) -> set[int]:
    """Ids of the grant's instalments due now by their condition (``instalments.states``, owner G-A); those
    released early are due anyway and never "become" due through a report."""
    from app.grants import instalments

    return {state.instalment.id for state in instalments.states(grant)
            if state.due.due and not state.due.released_early}


# E-mails ------------------------------------------------------------------------------------------------------

def representatives(grant: Grant) -> list[User]:
    """The lead member's active delegate (first) and alternates."""
    return list(db.session.scalars(select(User).where(User.member_id == grant.lead_member_id, User.active.is_(True))
                                   .order_by(User.is_delegate.desc(), User.id)))


def _tell_grantee(report: Report, what: str) -> None:
    from app.auth.services import external_url

    grant = report.grant
    for user in representatives(grant):
        with force_locale(user.locale or grant.language or "fr"):
            link = external_url("grant_reports.report", grant_id=grant.id, report_id=report.id)
            if what == "approved":
                subject = _("Report %(n)s of grant %(number)s approved", n=report.number, number=grant.number)
            else:
                subject = _("Report %(n)s of grant %(number)s returned for changes", n=report.number,
                            number=grant.number)
            body = render_template("grants/reports/email/decided.txt", user=user, grant=grant, report=report,
                                   what=what, link=link)
            mail.queue(user.email, subject, body)


def _tell_secretariat(report: Report, version: ReportVersion) -> None:
    from app.auth.services import external_url

    grant = report.grant
    people = db.session.scalars(select(User).where(User.kind == UserKind.secretariat, User.active.is_(True))
                                .order_by(User.id))
    for user in people:
        with force_locale(user.locale or "fr"):
            link = external_url("grant_reports.review", grant_id=grant.id, report_id=report.id)
            subject = _("Report %(n)s of grant %(number)s submitted", n=report.number, number=grant.number)
            body = render_template("grants/reports/email/submitted.txt", user=user, grant=grant, report=report,
                                   version=version, link=link)
            mail.queue(user.email, subject, body)


def indicator_of(grant: Grant, indicator_id: int) -> GrantIndicator | None:
    return next((i for i in grant.indicators if i.id == indicator_id), None)
