"""Reminders of the grants (``flask grants remind``): what the grantees and the secretariat must not miss.

- The grantee's representatives (active users of the lead member, delegate first): a report due within
  ``days`` (default 14) and not yet submitted, once per report and due date; the same report once overdue,
  once more per due date. A report returned for changes is awaited again, so it counts.
- The secretariat (active secretariat users): one digest listing the reports waiting for review (once per
  submitted version) and the instalments that became due (once per instalment).

Each person reads the e-mail in their language (their account's locale; else the grant's language for
the grantee, the programme's default for the secretariat). Idempotent: what was sent is marked in the same
transaction (``Report.reminded``, ``Instalment.reminded_due_at``), so a second run sends nothing again;
rows are locked while marked on PostgreSQL (``FOR UPDATE SKIP LOCKED``), so two overlapping runs do not
both send. Flushes, never commits (the command commits once, then delivers).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User, UserKind
from app.auth.services import external_url
from app.core import mail
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import dashboard
from app.grants.models import Grant, Instalment, Report, ReportVersion, ReportVersionStatus

DEFAULT_DAYS = 14
AWAITED = ("", ReportVersionStatus.draft, ReportVersionStatus.returned)


@dataclass
class Sent:
    """What one run sent: e-mails per kind, and the reports/instalments concerned."""

    due: int = 0
    overdue: int = 0
    secretariat: int = 0
    waiting: list[int] = field(default_factory=list)
    instalments: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.due + self.overdue + self.secretariat


def _locked(query: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True, of=query.column_descriptions[0]["entity"])
    return query


def _link(endpoint: str, fallback: str, **values: Any) -> str:
    """An absolute link to another owner's page when it is registered, else to ``fallback``."""
    if endpoint in current_app.view_functions:
        try:
            return external_url(endpoint, **values)
        except Exception:  # noqa: BLE001  (a page whose parameters changed: the dashboard still helps)
            pass
    return external_url(fallback)


def representatives(member_ids: Sequence[int]) -> dict[int, list[User]]:
    """Active representatives of each member, its delegate first."""
    people: dict[int, list[User]] = {}
    for user in db.session.scalars(select(User).where(User.member_id.in_(list(member_ids)), User.active.is_(True))
                                   .order_by(User.is_delegate.desc(), User.id)):
        people.setdefault(user.member_id, []).append(user)
    return people


def _grantee_reminders(today: date, days: int, sent: Sent) -> None:
    horizon = today + timedelta(days=days)
    query = (select(Report, Grant).join(Grant, Grant.id == Report.grant_id)
             .where(Grant.status.in_(list(dashboard.FOLLOWED)), Report.status.in_(AWAITED), Report.due_on <= horizon)
             .order_by(Report.due_on, Report.id))
    pairs = list(db.session.execute(_locked(query)))
    people = representatives(sorted({g.lead_member_id for _, g in pairs}))
    now = utcnow().isoformat()
    for report, grant in pairs:
        kind = "overdue" if report.due_on < today else "due"
        key = f"{kind}:{report.due_on.isoformat()}"
        if key in (report.reminded or {}):
            continue
        recipients = people.get(grant.lead_member_id, [])
        for user in recipients:
            locale = user.locale or grant.language or current_app.config["BABEL_DEFAULT_LOCALE"]
            with force_locale(locale):
                link = _link("grant_reports.report", "grant_dashboards.mine", grant_id=grant.id, report_id=report.id)
                if kind == "overdue":
                    subject = _("Report %(number)s of grant %(grant)s is overdue", number=report.number,
                                grant=grant.number)
                else:
                    subject = _("Report %(number)s of grant %(grant)s is due on %(due)s", number=report.number,
                                grant=grant.number, due=format_date(report.due_on))
                body = render_template("grants/dashboards/email/report_reminder.txt", user=user, grant=grant,
                                       report=report, kind=kind, days_late=(today - report.due_on).days,
                                       link=link)
            mail.queue(user.email, subject, body)
        if recipients:
            report.reminded = {**(report.reminded or {}), key: now}
            if kind == "overdue":
                sent.overdue += len(recipients)
            else:
                sent.due += len(recipients)
    db.session.flush()


def _secretariat_digest(today: date, sent: Sent) -> None:
    latest = (select(ReportVersion.report_id, func.max(ReportVersion.id).label("version_id"))
              .group_by(ReportVersion.report_id).subquery())
    query = (select(Report, Grant, latest.c.version_id).join(Grant, Grant.id == Report.grant_id)
             .join(latest, latest.c.report_id == Report.id)
             .where(Report.status == ReportVersionStatus.submitted, Grant.status.in_(list(dashboard.FOLLOWED)))
             .order_by(Report.due_on, Report.id))
    waiting = []
    for report, grant, version_id in db.session.execute(_locked(query)):
        key = f"waiting:{version_id}"
        if key not in (report.reminded or {}):
            waiting.append((report, grant, key))
    due_rows = [(g, i) for g in dashboard.load(today=today, with_indicators=False) if g.status in dashboard.PAYABLE
                for i in g.instalments if i.open_and_due]
    fresh: dict[int, Instalment] = {}
    if due_rows:
        ids = [i.id for _, i in due_rows]
        query = select(Instalment).where(Instalment.id.in_(ids), Instalment.reminded_due_at.is_(None))
        fresh = {i.id: i for i in db.session.scalars(_locked(query))}
    instalments = [(g, i) for g, i in due_rows if i.id in fresh]
    if not waiting and not instalments:
        return
    staff = list(db.session.scalars(select(User).where(User.kind == UserKind.secretariat, User.active.is_(True))
                                    .order_by(User.id)))
    if not staff:
        return
    for user in staff:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("Grants: %(reports)s, %(instalments)s",
                        reports=ngettext("%(num)d report to review", "%(num)d reports to review", len(waiting)),
                        instalments=ngettext("%(num)d instalment due", "%(num)d instalments due", len(instalments)))
            body = render_template("grants/dashboards/email/secretariat_digest.txt", user=user, waiting=waiting,
                                   instalments=instalments, link=external_url("grant_dashboards.secretariat"),
                                   euros_of=lambda cents: dashboard.euros(dashboard.from_cents(cents)))
        mail.queue(user.email, subject, body)
        sent.secretariat += 1
    now = utcnow()
    for report, _grant, key in waiting:
        report.reminded = {**(report.reminded or {}), key: now.isoformat()}
        sent.waiting.append(report.id)
    for _grant, item in instalments:
        fresh[item.id].reminded_due_at = now
        sent.instalments.append(item.id)
    db.session.flush()


def send_reminders(*, today: date | None = None, days: int = DEFAULT_DAYS) -> Sent:
    """Queue every reminder not sent yet (see the module's docstring); returns what was sent."""
    today = today or utcnow().date()
    sent = Sent()
    _grantee_reminders(today, days, sent)
    _secretariat_digest(today, sent)
    return sent
