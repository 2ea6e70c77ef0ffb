"""The ledger (app/grants/ledger.py): payments only against a due instalment, never above its rest nor the
award (exactly the award is fine, one cent over is not), only while payable; local currency and rate kept;
expenditure of an approved report once per version on known lines; corrections as reversing entries; totals."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.errors import DomainError
from app.extensions import db
from app.grants import instalments, ledger
from app.grants.models import GrantStatus, InstalmentCondition, LedgerEntry, ReportVersionStatus
from tests.grants import builders


def _actor() -> User:
    return db.session.scalar(select(User).where(User.email == "secretariat@example.org"))


def _pay(grant, number: int, cents: int, **options):  # noqa: ANN001, ANN202
    item = instalments.states(grant)[number - 1].instalment
    return ledger.record_disbursement(grant, item, amount_cents=cents, on=date(2027, 2, 1),
                                      reference=options.pop("reference", "VIR-1"), actor=_actor(), **options)


def test_a_payment_against_a_due_instalment(session) -> None:
    grant = builders.grant(local_currency="TND")
    entry = _pay(grant, 1, 20_000_00, local_currency="TND", local_amount="67000.000", exchange_rate="3.35")
    assert (entry.type, entry.amount_cents, entry.local_amount, entry.exchange_rate) == ("3", 20_000_00,
                                                                                        "67000.000", "3.35")
    sums = ledger.totals(grant)
    assert (sums.committed_cents, sums.paid_cents, sums.justified_cents) == (50_000_00, 20_000_00, 0)
    assert ledger.totals_of([grant.id])[grant.id] == sums


def test_never_above_the_instalment_nor_when_not_due(session) -> None:
    grant = builders.grant()
    with pytest.raises(DomainError) as above:
        _pay(grant, 1, 20_000_01)
    assert above.value.field == "amount" and "remains of this instalment" in str(above.value.message)
    with pytest.raises(DomainError) as not_due:
        _pay(grant, 2, 1_00)
    assert not_due.value.field == "instalment"
    with pytest.raises(DomainError):
        _pay(grant, 1, 0)
    with pytest.raises(DomainError):
        _pay(grant, 1, 1_00, reference=" ")


def test_exactly_the_award_and_one_cent_over(session) -> None:
    grant = builders.grant(awarded="50000", instalments=[("50000", InstalmentCondition.on_signature, None)])
    _pay(grant, 1, 49_999_99)
    with pytest.raises(DomainError):
        _pay(grant, 1, 2)
    _pay(grant, 1, 1)
    assert ledger.totals(grant).paid_cents == grant.awarded_cents


def test_the_award_is_a_ceiling_even_when_instalments_exceed_it(session) -> None:
    """A schedule made directly above the award (data repaired by hand): the award still holds."""
    grant = builders.grant(awarded="100", instalments=[("100", InstalmentCondition.on_signature, None),
                                                        ("50", InstalmentCondition.on_signature, None)])
    _pay(grant, 1, 100_00)
    with pytest.raises(DomainError) as refused:
        _pay(grant, 2, 1)
    assert "exceed the award" in str(refused.value.message)


@pytest.mark.parametrize("status", [GrantStatus.draft, GrantStatus.suspended, GrantStatus.closed,
                                    GrantStatus.terminated])
def test_no_payment_unless_payable(session, status: str) -> None:
    grant = builders.grant(status=status)
    builders.instalment(grant, "1", early_reason="Libéré pour les besoins du test, avec un motif.")
    with pytest.raises(DomainError):
        _pay(grant, 1, 1_00)


def test_expenditure_of_an_approved_report(session) -> None:
    grant = builders.grant()
    version = builders.version(grant.reports[0], status=ReportVersionStatus.approved)
    made = ledger.record_expenditure(grant, version=version, lines={"L1": 1_000_00, "L2": 0}, on=date(2027, 7, 1),
                                     actor=_actor())
    assert [(e.type, e.budget_line_code, e.amount_cents, e.report_version_id) for e in made] == [
        ("4", "L1", 1_000_00, version.id)]
    assert ledger.totals(grant).justified_cents == 1_000_00
    with pytest.raises(DomainError):
        ledger.record_expenditure(grant, version=version, lines={"L1": 5}, on=date(2027, 7, 1), actor=_actor())
    other = builders.version(grant.reports[0], status=ReportVersionStatus.approved)
    with pytest.raises(DomainError):
        ledger.record_expenditure(grant, version=other, lines={"L9": 5}, on=date(2027, 7, 1), actor=_actor())
    with pytest.raises(DomainError):
        ledger.record_expenditure(grant, version=other, lines={"L1": -5}, on=date(2027, 7, 1), actor=_actor())


def test_corrections_are_reversing_entries(session) -> None:
    grant = builders.grant()
    payment = _pay(grant, 1, 20_000_00)
    with pytest.raises(DomainError) as short:
        ledger.reverse(grant, payment, reason="Erreur", on=date(2027, 2, 2), actor=_actor())
    assert short.value.field == "reason"
    with pytest.raises(DomainError):
        ledger.reverse(grant, payment, reason="Montant saisi deux fois", on=date(2027, 2, 2), actor=_actor(),
                       amount_cents=20_000_01)
    fix = ledger.reverse(grant, payment, reason="Virement rejeté par la banque", on=date(2027, 2, 2),
                         actor=_actor(), amount_cents=5_000_00)
    assert (fix.amount_cents, fix.reverses_id, fix.instalment_id) == (-5_000_00, payment.id, payment.instalment_id)
    assert db.session.get(LedgerEntry, payment.id).amount_cents == 20_000_00  # never edited
    assert ledger.totals(grant).paid_cents == 15_000_00
    assert instalments.states(grant)[0].remaining_cents == 5_000_00
    with pytest.raises(DomainError):
        ledger.reverse(grant, payment, reason="Une deuxième correction", on=date(2027, 2, 2), actor=_actor())
    with pytest.raises(DomainError):
        ledger.reverse(grant, fix, reason="Corriger la correction", on=date(2027, 2, 2), actor=_actor())
    commitment = db.session.scalar(select(LedgerEntry).where(LedgerEntry.grant_id == grant.id,
                                                             LedgerEntry.type == "2"))
    with pytest.raises(DomainError):
        ledger.reverse(grant, commitment, reason="On ne corrige pas l'engagement ici", on=date(2027, 2, 2),
                       actor=_actor())
    _pay(grant, 1, 5_000_00)  # the cancelled part can be paid again
    assert ledger.totals(grant).paid_cents == 20_000_00


def test_settlement_while_closing(session) -> None:
    grant = builders.grant(status=GrantStatus.closing)
    builders.paid(grant, "20000")
    with pytest.raises(DomainError):
        ledger.record_settlement(grant, amount_cents=-20_000_01, on=date(2028, 12, 31), reference="R", actor=_actor())
    with pytest.raises(DomainError):
        ledger.record_settlement(grant, amount_cents=30_000_01, on=date(2028, 12, 31), reference="R", actor=_actor())
    ledger.record_settlement(grant, amount_cents=-2_000_00, on=date(2028, 12, 31), reference="REMB", actor=_actor())
    assert ledger.totals(grant).paid_cents == 18_000_00
    active = builders.grant()
    with pytest.raises(DomainError):
        ledger.record_settlement(active, amount_cents=1, on=date(2028, 12, 31), reference="R", actor=_actor())
