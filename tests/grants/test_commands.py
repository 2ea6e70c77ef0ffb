"""``flask grants remind``: the grantee's representatives about reports due soon and overdue, the secretariat
about reports waiting and instalments due; each person in their language; twice sends nothing twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.core.models import OutboxMessage
from app.extensions import db
from app.grants import reminders
from app.grants.models import Report
from tests import factories
from tests.grants import builders, portfolio_scene


@pytest.fixture
def scene(app: Flask, world: factories.World) -> portfolio_scene.Scene:
    with app.test_request_context():
        for email, locale in ((world.emails["delegate"], "ar"), (world.emails["alternate"], "en"),
                              (world.emails["other_delegate"], "fr"), (world.emails["secretariat"], "en")):
            db.session.scalar(select(User).where(User.email == email)).locale = locale
        built = portfolio_scene.build(world)
        db.session.remove()
        return built


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def test_right_people_right_language_and_idempotent(app: Flask, world: factories.World,
                                                    scene: portfolio_scene.Scene) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grants", "remind"])
    assert result.exit_code == 0, result.output
    sent = outbox(app)
    by_person: dict[str, list[OutboxMessage]] = {}
    for message in sent:
        by_person.setdefault(message.recipient, []).append(message)
    # the followed grant's report 2 is due in 10 days: its delegate (Arabic) and alternate (English)
    delegate = by_person[world.emails["delegate"]]
    assert len(delegate) == 1 and "PCPA" in delegate[0].subject
    assert any("\u0600" <= ch <= "\u06ff" for ch in delegate[0].body.splitlines()[0])  # Arabic greeting
    alternate = by_person[world.emails["alternate"]]
    assert len(alternate) == 1 and "is due on" in alternate[0].subject
    # the late grant's report 1 is overdue: the other member's delegate, in French
    other = by_person[world.emails["other_delegate"]]
    assert len(other) == 1 and "/grants/" in other[0].body
    assert other[0].body.startswith("Bonjour")
    assert alternate[0].body.startswith("Hello")
    # the secretariat: one digest with the waiting report and the instalments due
    digest = by_person[world.emails["secretariat"]]
    assert len(digest) == 1 and "1 report to review" in digest[0].subject  # a count agrees with its noun
    assert "report 2" in digest[0].body and "instalment 2" in digest[0].body
    # nobody else: not the ex-officio member, not the draft's or closing grant's people for reports
    assert set(by_person) == {world.emails[k] for k in ("delegate", "alternate", "other_delegate", "secretariat")}

    again = runner.invoke(args=["grants", "remind"])
    assert again.exit_code == 0
    assert len(outbox(app)) == len(sent)  # nothing twice
    assert "0 reminders of reports due, 0 of reports overdue, 0 secretariat digests" in again.output


def test_a_new_due_date_or_a_new_version_is_reminded_again(app: Flask, world: factories.World,
                                                           scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        first = reminders.send_reminders(today=scene.today)
        db.session.commit()
        assert first.due == 2 and first.overdue == 1 and first.secretariat == 1
        report = db.session.get(Report, scene.followed_reports[1])
        report.due_on = scene.today + timedelta(days=12)  # the schedule moved: a new due date
        waiting = db.session.get(Report, scene.late_reports[1])
        builders.version(waiting, status="returned")
        builders.version(waiting, status="submitted")  # resubmitted: a new version to review
        db.session.commit()
        second = reminders.send_reminders(today=scene.today)
        db.session.commit()
        assert second.due == 2 and second.overdue == 0
        assert second.waiting == [waiting.id] and second.instalments == []
        # the report due soon becomes overdue: one more reminder, once
        third = reminders.send_reminders(today=scene.today + timedelta(days=13))
        db.session.commit()
        fourth = reminders.send_reminders(today=scene.today + timedelta(days=13))
        assert third.overdue >= 2 and fourth.total == 0


def test_the_horizon_is_a_parameter(app: Flask, scene: portfolio_scene.Scene) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["grants", "remind", "--days", "5"])
    assert result.exit_code == 0
    assert "0 reminders of reports due, 1 of reports overdue" in result.output  # due in 10 days: not yet


def test_no_representative_means_no_mark(app: Flask, world: factories.World, scene: portfolio_scene.Scene) -> None:
    """A report whose lead has nobody to write to is not marked: it is reminded once someone is there."""
    with app.test_request_context():
        for user in db.session.scalars(select(User).where(User.member_id == world.other_member_id)):
            user.active = False
        db.session.commit()
        sent = reminders.send_reminders(today=scene.today)
        db.session.commit()
        assert sent.overdue == 0
        assert db.session.get(Report, scene.late_reports[0]).reminded == {}
