"""The grants' desk lines (see ``app.core.home``).

Secretariat: reports submitted and waiting for review, instalments whose
condition is met and not fully paid, reports overdue. A grantee's
representatives: their reports returned for changes, overdue or due soon.
Both read the dashboards' figures (``dashboard.load``: a fixed number of
queries however many grants), and name at most ``NAMED`` lines of a kind.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.calls.money import euros, from_cents
from app.core.home import DeskItem, bidi, register_desk
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.grants import dashboard
from app.grants.models import ReportVersionStatus

#: Lines of one kind named on the desk; beyond, one line counts the rest and links to the dashboard.
NAMED = 5


def _capped(items: list[DeskItem], more_text: Callable[[int], str], url: str, action: str) -> list[DeskItem]:
    """The first ``NAMED`` lines, then one line counting the rest (``more_text(count)``)."""
    if len(items) <= NAMED:
        return items
    return [*items[:NAMED], DeskItem(more_text(len(items) - NAMED), url, action)]


def secretariat_items(user: Any) -> list[DeskItem]:
    """Secretariat: reports to review, instalments to pay (the first ``NAMED`` of each), reports overdue."""
    if not can(user, "report.review"):
        return []
    today = utcnow().date()
    waiting, due, overdue = [], [], 0
    for row in dashboard.load(today=today, with_indicators=False):  # the dashboard's rules, without its charts
        if row.status not in dashboard.FOLLOWED:
            continue
        waiting += [(row, report) for report in row.reports if report.waiting]
        overdue += sum(1 for report in row.reports if not report.done and report.due_on < today)
        if row.status in dashboard.PAYABLE:
            due += [(row, item) for item in row.instalments if item.open_and_due]
    board = url_for("grant_dashboards.secretariat")
    reviews = [DeskItem(Markup(_("Report %(number)s of grant %(grant)s submitted: to review.", number=report.number,
                                 grant=bidi(row.number))),
                        url_for("grant_reports.review", grant_id=row.id, report_id=report.id), _("Review the report"))
               for row, report in sorted(waiting, key=lambda pair: pair[1].due_on)]
    payments = [DeskItem(Markup(_("Instalment %(number)s of grant %(grant)s is due: %(amount)s to pay.",
                                  number=item.number, grant=bidi(row.number),
                                  amount=bidi(euros(from_cents(item.rest_cents))))),
                         url_for("grants.release", grant_id=row.id, instalment_id=item.id), _("Release the payment"))
                for row, item in due]
    items = _capped(reviews, lambda n: ngettext("And %(num)d more report to review.",
                                                "And %(num)d more reports to review.", n), board, _("Open the grants dashboard"))
    items += _capped(payments, lambda n: ngettext("And %(num)d more instalment due.",
                                                  "And %(num)d more instalments due.", n), board, _("Open the grants dashboard"))
    if overdue:
        items.append(DeskItem(ngettext("%(num)d report is overdue.", "%(num)d reports are overdue.", overdue),
                              board, _("See the late reports"), tone="warn"))
    return items


def grantee_items(user: Any) -> list[DeskItem]:
    """A representative: reports returned, overdue or due within the dashboard's horizon."""
    if not (user.member_id and can(user, "report.prepare")):
        return []
    today = utcnow().date()
    horizon = today + timedelta(days=dashboard.DUE_SOON_DAYS)
    items = []
    for row in dashboard.load(member_id=user.member_id, today=today, with_indicators=False):
        if row.status not in dashboard.FOLLOWED:
            continue
        for report in sorted(row.reports, key=lambda r: r.due_on):
            url = url_for("grant_reports.report", grant_id=row.id, report_id=report.id)
            if report.status == ReportVersionStatus.returned:
                items.append(DeskItem(Markup(_("Report %(number)s of grant %(grant)s was returned for changes.",
                                               number=report.number, grant=bidi(row.number))), url, _("Correct the report"),
                                      tone="warn"))
            elif not report.done and report.due_on < today:
                items.append(DeskItem(Markup(_("Report %(number)s of grant %(grant)s was due on %(due)s.",
                                               number=report.number, grant=bidi(row.number),
                                               due=bidi(format_date(report.due_on)))),
                                      url, _("Write the report"), tone="warn"))
            elif not report.done and report.due_on <= horizon:
                items.append(DeskItem(Markup(_("Report %(number)s of grant %(grant)s is due on %(due)s.",
                                               number=report.number, grant=bidi(row.number),
                                               due=bidi(format_date(report.due_on)))),
                                      url, _("Write the report")))
    return items


def register() -> None:
    register_desk("grants.secretariat", order=70, title=_l("Grants"), items=secretariat_items)
    register_desk("grants.grantee", order=71, title=_l("Grants"), items=grantee_items)
