"""The demo is coherent with the day it is loaded: its extraordinary assembly is in session today, was
convened with the statutory notice, has its attendance recorded and its quorum reached, and its open vote
opened this morning, closes later and already holds some of the room's ballots; the other assemblies are
in the past. "Today" is frozen (``app.demo.assemblies.demo_now``), at two times of the day."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.assembly import services, voting
from app.assembly.models import Assembly, AssemblyStatus, Vote, VoteStatus
from app.auth.models import User
from app.demo import assemblies
from app.demo.loader import load_demo
from app.extensions import db


@pytest.mark.parametrize("at", [time(10, 30), time(0, 10)], ids=["mid-morning", "just-after-midnight"])
def test_the_assembly_in_session_sits_today_with_its_quorum(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                              at: time) -> None:
    today = datetime.now(UTC).date()
    frozen = datetime.combine(today, at, tzinfo=UTC)
    monkeypatch.setattr(assemblies, "demo_now", lambda: frozen)
    with app.app_context():
        load_demo(demo_mode=False)
        db.session.commit()
        sitting = db.session.scalar(select(Assembly).where(Assembly.status == AssemblyStatus.in_session))
        assert sitting.starts_at.date() == today and sitting.starts_at <= frozen
        assert sitting.convened_at <= sitting.starts_at - timedelta(days=sitting.notice_days)

        summary = services.presence_summary(sitting)
        assert summary.quorum_reached
        assert summary.represented == 1  # the proxy given to the demo delegate's organisation
        assert summary.present + summary.represented >= summary.members / 2 and summary.present > summary.members / 2

        vote = db.session.scalar(select(Vote).where(Vote.status == VoteStatus.open, Vote.assembly_id == sitting.id))
        assert sitting.starts_at <= vote.opened_at <= frozen
        assert vote.closes_at > frozen
        turnout = voting.turnout(vote)
        assert 0 < turnout <= summary.present + summary.represented
        delegate = db.session.scalar(select(User).where(User.email == "delegate@demo.example.org"))
        assert [s.cast for s in voting.slots_for(delegate, vote)] == [False, False]  # left for the demo

        others = db.session.scalars(select(Assembly).where(Assembly.id != sitting.id)).all()
        assert others and all(a.status == AssemblyStatus.closed and a.starts_at < sitting.starts_at for a in others)
        db.session.rollback()


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2027, 3, 10, 10, 30, tzinfo=UTC), datetime(2027, 3, 10, 8, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 8, 30, tzinfo=UTC), datetime(2027, 3, 10, 8, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 8, 29, tzinfo=UTC), datetime(2027, 3, 10, 7, 59, tzinfo=UTC)),
    (datetime(2027, 3, 10, 0, 10, tzinfo=UTC), datetime(2027, 3, 10, 0, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 0, 0, tzinfo=UTC), datetime(2027, 3, 10, 0, 0, tzinfo=UTC)),
    (datetime(2027, 3, 10, 23, 59, tzinfo=UTC), datetime(2027, 3, 10, 8, 0, tzinfo=UTC)),
])
def test_session_start_is_today_and_never_after_now(now: datetime, expected: datetime) -> None:
    assert assemblies.session_start(now) == expected
