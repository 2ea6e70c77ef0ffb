"""The instalment schedule (app/grants/instalments.py): amounts add up exactly to the award (one cent over or
under refused), conditions checked, editable while draft or signed, a paid instalment never below what was
paid; due states with what is missing (signature, a report approved then the instalment due, a share of
expenditure); early release only with a written reason, audited."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.extensions import db
from app.grants import instalments
from app.grants.instalments import Row
from app.grants.models import GrantStatus, InstalmentCondition, ReportVersionStatus
from tests.grants import builders

ON_SIGNATURE = InstalmentCondition.on_signature
REPORT = InstalmentCondition.report_approved
SHARE = InstalmentCondition.expenditure_share


def _actor() -> User:
    return db.session.scalar(select(User).where(User.email == "secretariat@example.org"))


@pytest.mark.parametrize(("amounts", "ok"), [
    ((30_000_00, 20_000_00), True), ((30_000_00, 20_000_01), False), ((30_000_00, 19_999_99), False),
    ((50_000_00,), True), ((), False)])
def test_the_schedule_adds_up_exactly_to_the_award(session, amounts, ok) -> None:  # noqa: ANN001
    grant = builders.grant(status=GrantStatus.draft, instalments=None, awarded="50000")
    rows = [Row(a, ON_SIGNATURE) for a in amounts]
    if ok:
        made = instalments.save_schedule(grant, rows, actor=_actor())
        assert [i.amount_cents for i in made] == list(amounts)
    else:
        with pytest.raises(DomainError) as refused:
            instalments.save_schedule(grant, rows, actor=_actor())
        assert refused.value.field == "schedule"


def test_conditions_are_checked(session) -> None:
    grant = builders.grant(status=GrantStatus.draft, instalments=None, awarded="50000")
    other = builders.grant(status=GrantStatus.draft, instalments=None)
    with pytest.raises(DomainError):
        instalments.save_schedule(grant, [Row(50_000_00, REPORT)], actor=_actor())
    with pytest.raises(DomainError):
        instalments.save_schedule(grant, [Row(50_000_00, REPORT, report_id=other.reports[0].id)], actor=_actor())
    with pytest.raises(DomainError):
        instalments.save_schedule(grant, [Row(50_000_00, SHARE, share_percent=120)], actor=_actor())
    made = instalments.save_schedule(grant, [Row(20_000_00, ON_SIGNATURE),
                                             Row(20_000_00, REPORT, report_id=grant.reports[0].id),
                                             Row(10_000_00, SHARE, share_percent=70)], actor=_actor())
    assert [(i.condition, i.condition_report_id, i.condition_share_percent) for i in made] == [
        (ON_SIGNATURE, None, None), (REPORT, grant.reports[0].id, None), (SHARE, None, 70)]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.schedule")) is not None
    shorter = instalments.save_schedule(grant, [Row(50_000_00, ON_SIGNATURE)], actor=_actor())
    assert len(shorter) == 1 and len(instalments.states(grant)) == 1


def test_schedule_frozen_once_active_and_paid_instalments_kept(session) -> None:
    active = builders.grant(status=GrantStatus.active)
    with pytest.raises(DomainError):
        instalments.save_schedule(active, [Row(50_000_00, ON_SIGNATURE)], actor=_actor())
    signed = builders.grant(status=GrantStatus.signed)
    builders.paid(signed, "15000")
    with pytest.raises(DomainError):
        instalments.save_schedule(signed, [Row(10_000_00, ON_SIGNATURE), Row(40_000_00, ON_SIGNATURE)],
                                  actor=_actor())
    made = instalments.save_schedule(signed, [Row(15_000_00, ON_SIGNATURE), Row(35_000_00, ON_SIGNATURE)],
                                     actor=_actor())
    assert [i.amount_cents for i in made] == [15_000_00, 35_000_00]


def test_due_states_and_what_is_missing(session) -> None:
    draft = builders.grant(status=GrantStatus.draft)
    first = instalments.states(draft)[0]
    assert not first.due.due and first.due.missing.key == "not_signed" and "signed" in first.missing

    grant = builders.grant(status=GrantStatus.active)
    states = instalments.states(grant)
    assert [s.due.due for s in states] == [True, False, False]
    assert states[1].due.missing.key == "report_not_approved" and "Report 1" in states[1].missing
    assert states[2].due.missing.key == "nothing_paid_yet"

    builders.paid(grant, "20000")
    builders.version(grant.reports[0], status=ReportVersionStatus.approved)
    builders.spent(grant, {"L1": "13999.99"})
    states = instalments.states(grant)
    assert states[0].settled and states[1].due.due  # a report approved, then the instalment is due
    assert not states[2].due.due and states[2].due.missing.params["shortfall_cents"] == 1
    assert "70 %" in states[2].missing
    builders.spent(grant, {"L2": "0.01"})  # exactly 70 % of what was paid
    assert instalments.states(grant)[2].due.due


def test_early_release_needs_a_reason_and_is_audited(session) -> None:
    grant = builders.grant(status=GrantStatus.active)
    second = instalments.states(grant)[1].instalment
    with pytest.raises(DomainError) as short:
        instalments.release_early(grant, second, reason="Urgent", actor=_actor())
    assert short.value.field == "reason"
    first = instalments.states(grant)[0].instalment
    with pytest.raises(DomainError):
        instalments.release_early(grant, first, reason="Déjà dû mais on essaie quand même", actor=_actor())
    instalments.release_early(grant, second, reason="Les ateliers d'été commencent avant le rapport.",
                              actor=_actor())
    state = instalments.states(grant)[1]
    assert state.due.due and state.due.released_early and state.due.missing.key == "report_not_approved"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.instalment.released_early"))
    assert entry.after["reason"].startswith("Les ateliers")
    with pytest.raises(DomainError):
        instalments.release_early(grant, second, reason="Une deuxième fois, pour voir ce qui se passe.",
                                  actor=_actor())
    suspended = builders.grant(status=GrantStatus.suspended)
    with pytest.raises(DomainError):
        instalments.release_early(suspended, instalments.states(suspended)[1].instalment,
                                  reason="Pendant la suspension, ce n'est pas possible.", actor=_actor())


def test_condition_text(session) -> None:
    grant = builders.grant(status=GrantStatus.active, reports=builders.REPORTS)
    texts = [instalments.condition_text(s.instalment) for s in instalments.states(grant)]
    assert texts == ["On signature", "After report 1 is approved",
                     "After justified expenditure reaches 70 % of what was paid"]
    assert date(2027, 1, 1) == grant.starts_on
