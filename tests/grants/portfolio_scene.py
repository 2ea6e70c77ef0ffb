"""A small portfolio for the dashboards, exports, reminders and closure tests (G-C), dated around today.

- ``followed`` (the world's own member, Arabic): active, first instalment paid, report 1 approved with
  expenditure and indicator values (second instalment due), report 2 due in 10 days.
- ``late`` (the other member): active, report 1 overdue and never submitted, nothing justified (at risk),
  report 2 submitted and waiting for review.
- ``closing`` (the own member): closing, every report approved, 20,000 € paid and 15,000 € justified
  (a refund of 5,000 €).
- ``draft`` (a third member): a draft agreement (no commitment; left out of the 360Giving/IATI exports).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.core.timeutil import utcnow
from app.extensions import db
from app.grants.models import GrantStatus, InstalmentCondition, ReportKind, ReportNature, TransactionType
from app.members.models import Member
from tests import factories
from tests.grants import builders


@dataclass
class Scene:
    today: date
    followed: int
    late: int
    closing: int
    draft: int
    followed_reports: tuple[int, int]
    late_reports: tuple[int, int]
    due_instalment: int
    indicator: int


def _schedule(start: date) -> tuple:
    return (
        (ReportKind.interim, ReportNature.combined, start, start + timedelta(days=180), start + timedelta(days=200)),
        (ReportKind.final, ReportNature.combined, start + timedelta(days=181), start + timedelta(days=700),
         start + timedelta(days=730)),
    )


def build(world: factories.World) -> Scene:
    today = utcnow().date()
    own = db.session.get(Member, world.member_id)
    own.org_id_scheme, own.registration_number = "TN-RNE", "B0123456"
    other = db.session.get(Member, world.other_member_id)
    start = today - timedelta(days=210)
    end = start + timedelta(days=730)

    followed = builders.grant(own, language="ar", starts_on=start, ends_on=end, reports=_schedule(start),
                              title="Jeunes et citoyenneté à Gafsa")
    r1, r2 = sorted(followed.reports, key=lambda r: r.number)
    r2.due_on = today + timedelta(days=10)
    builders.paid(followed, "20000", on=start + timedelta(days=5))
    indicator = followed.indicators[0]
    version = builders.version(r1, status="approved", expenditure={"L1": 1500000, "L2": 500000},
                               indicators={str(indicator.id): "60", str(followed.indicators[1].id): "9"})
    builders.spent(followed, {"L1": "15000", "L2": "5000"}, on=start + timedelta(days=180), version=version)
    second = next(i for i in followed.instalments if i.condition == InstalmentCondition.report_approved)

    late = builders.grant(other, starts_on=start, ends_on=end, reports=_schedule(start), title="Solidarité Nantes")
    l1, l2 = sorted(late.reports, key=lambda r: r.number)
    l1.due_on = today - timedelta(days=9)
    builders.paid(late, "20000", on=start + timedelta(days=5))
    builders.version(l2, status="submitted")

    closing = builders.grant(own, status=GrantStatus.closing, starts_on=start - timedelta(days=800),
                             ends_on=today - timedelta(days=20), reports=_schedule(start - timedelta(days=800)),
                             title="Atelier clôturé", language="fr")
    for report in closing.reports:
        builders.version(report, status="approved")
    builders.paid(closing, "20000", on=start - timedelta(days=790))
    builders.spent(closing, {"L1": "10000", "L2": "5000"}, on=today - timedelta(days=30))

    draft = builders.grant(factories.member("Association en projet", country="MA", college_code="cs-tn"),
                           status=GrantStatus.draft, starts_on=today, ends_on=today + timedelta(days=365))
    db.session.commit()
    return Scene(today, followed.id, late.id, closing.id, draft.id, (r1.id, r2.id), (l1.id, l2.id), second.id,
                 indicator.id)


def commitment_total(*grant_ids: int) -> int:
    """Cents committed in the ledger for these grants (what the figures must add up to)."""
    from sqlalchemy import func, select

    from app.grants.models import LedgerEntry

    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                                 .where(LedgerEntry.grant_id.in_(grant_ids),
                                        LedgerEntry.type == TransactionType.commitment)))
