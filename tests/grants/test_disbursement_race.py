"""Two payments recorded at the same moment never add up to more than the award. Threads have their own
application context, session and connection, and commit or roll back like a request.

On PostgreSQL (``TEST_DATABASE_URL``) ``ledger.record_disbursement`` locks the grant row (``FOR UPDATE``) and
sums the payments again inside the transaction: the second payment waits, then sees the first and is
refused. On SQLite a no-op UPDATE of the grant takes the write lock first: the same, or "database is locked".
"""
from __future__ import annotations

import threading
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app.auth.models import User
from app.core.errors import DomainError
from app.extensions import db
from app.grants import ledger
from app.grants.models import Grant, Instalment, InstalmentCondition, LedgerEntry
from tests import factories
from tests.grants import builders

pytestmark = pytest.mark.postgres
JOIN_TIMEOUT = 60


@pytest.mark.parametrize("rounds", range(3))
def test_two_concurrent_payments_never_exceed_the_award(app: Flask, wide_app: Flask, world: factories.World,
                                                        rounds: int) -> None:
    """Two instalments both due, each 60 % of the award: either alone fits, both together do not."""
    with app.test_request_context():
        grant = builders.grant(awarded="10000", instalments=[("6000", InstalmentCondition.on_signature, None),
                                                            ("6000", InstalmentCondition.on_signature, None)])
        grant_id = grant.id
        ids = [i.id for i in grant.instalments]
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def work(key: int, instalment_id: int) -> None:
        with wide_app.test_request_context():
            try:
                target = db.session.get(Grant, grant_id)
                instalment = db.session.get(Instalment, instalment_id)
                actor = db.session.scalar(select(User).where(User.email == "secretariat@example.org"))
                barrier.wait(10)
                ledger.record_disbursement(target, instalment, amount_cents=6_000_00, on=date(2027, 1, 10),
                                           reference=f"VIR-{key}", actor=actor)
                db.session.commit()
                outcomes[key] = "paid"
            except DomainError:
                db.session.rollback()
                outcomes[key] = "refused"
            except DBAPIError as exc:  # SQLite: database is locked
                db.session.rollback()
                outcomes[key] = f"error: {type(exc.orig).__name__}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(k, i)) for k, i in enumerate(ids, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"
    assert list(outcomes.values()).count("paid") == 1, outcomes
    with app.app_context():
        paid = db.session.scalar(select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.grant_id == grant_id, LedgerEntry.type == "3"))
        assert paid == 6_000_00
        if db.engine.dialect.name == "postgresql":
            assert sorted(outcomes.values()) == ["paid", "refused"], outcomes


def test_many_concurrent_payments_on_one_instalment(app: Flask, wide_app: Flask, world: factories.World) -> None:
    """Eight threads pay 3,000 € each on one instalment of 10,000 €: three get through, never a fourth."""
    with app.test_request_context():
        grant = builders.grant(awarded="10000", instalments=[("10000", InstalmentCondition.on_signature, None)])
        grant_id, instalment_id = grant.id, grant.instalments[0].id
        db.session.commit()
    barrier = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def work(key: int) -> None:
        with wide_app.test_request_context():
            try:
                target = db.session.get(Grant, grant_id)
                instalment = db.session.get(Instalment, instalment_id)
                barrier.wait(10)
                ledger.record_disbursement(target, instalment, amount_cents=3_000_00, on=date(2027, 1, 10),
                                           reference=f"VIR-{key}", actor=None)
                db.session.commit()
                outcomes[key] = "paid"
            except (DomainError, DBAPIError):
                db.session.rollback()
                outcomes[key] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"
    with app.app_context():
        paid = db.session.scalar(select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.grant_id == grant_id, LedgerEntry.type == "3"))
        assert paid <= 10_000_00
        if db.engine.dialect.name == "postgresql":
            assert paid == 9_000_00 and list(outcomes.values()).count("paid") == 3, outcomes
