"""Two secretariat members record the committee's decision at the same moment: one decision, never over the
envelope. Threads have their own application context, session and connection, and commit or roll back like
a request.

On PostgreSQL (``TEST_DATABASE_URL``) the call row's ``FOR UPDATE`` makes the second wait and then find the
call decided; on SQLite writers are serialised and the unique decision per call refuses the loser.
"""
from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app.auth.models import User
from app.calls import allocation, selection
from app.calls.models import Call, CallStatus
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.core.errors import DomainError
from app.extensions import db
from tests import factories
from tests.calls.selection_helpers import scene

pytestmark = pytest.mark.postgres
JOIN_TIMEOUT = 60


def _decisions(app: Flask, call_id: int) -> tuple[list[allocation.Decided], list[allocation.Decided]]:
    """Two different decisions, each within the envelope alone (the line, and the line with the third
    proposal funded instead of the second), together far above it."""
    with app.test_request_context():
        call = db.session.get(Call, call_id)
        data = selection.board(call)
        line = selection.trial(data, selection.saved_params(call, data.settings))
        follow = selection.line_decisions(line)
        second, third = line.placements[1], line.placements[2]
        other = [allocation.Decided(second.proposal_id, "reserve", 0, "Partenariat à consolider d'abord.")
                 if d.proposal_id == second.proposal_id else
                 allocation.Decided(third.proposal_id, "selected", third.requested_cents, "Priorité du comité.")
                 if d.proposal_id == third.proposal_id else d for d in follow]
        return follow, other


@pytest.mark.parametrize("rounds", range(3))
def test_two_concurrent_decisions_make_one(app: Flask, wide_app: Flask, world: factories.World, rounds: int) -> None:
    with app.test_request_context():
        s = scene()
    first, second = _decisions(app, s.call_id)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def work(key: int, decided: list[allocation.Decided]) -> None:
        with wide_app.test_request_context():
            try:
                call = db.session.get(Call, s.call_id)
                actor = db.session.scalar(select(User).where(User.email == "secretariat@example.org"))
                barrier.wait(10)
                selection.record_decision(call, actor=actor, decided=decided)
                db.session.commit()
                outcomes[key] = "in"
            except DomainError:
                db.session.rollback()
                outcomes[key] = "refused"
            except DBAPIError as exc:  # SQLite: database is locked / snapshot busy
                db.session.rollback()
                outcomes[key] = f"error: {type(exc.orig).__name__}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(1, first)), threading.Thread(target=work, args=(2, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"
    assert sorted(outcomes.values())[0] == "in" and list(outcomes.values()).count("in") == 1, outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(SelectionDecision.id))) == 1
        decision = db.session.scalar(select(SelectionDecision))
        committed = db.session.scalar(select(func.sum(ProposalDecision.amount_cents))
                                      .where(ProposalDecision.outcome == "selected"))
        assert committed == decision.committed_cents <= decision.envelope_cents
        assert db.session.scalar(select(func.count(ProposalDecision.id))) == 5
        assert db.session.get(Call, s.call_id).status == CallStatus.decided
        if db.engine.dialect.name == "postgresql":
            assert "refused" in outcomes.values()  # waited for the lock, then saw the call decided
