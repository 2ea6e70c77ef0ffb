"""Review services: assignment, suggestion, e-mails and reminders, drafts/submit/reopen until the deadline,
no anchoring, conflicts declared after a review, the discussion, and a double submission."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import User
from app.calls import review_queries, reviewing, scoring
from app.calls.models import Call, CallStatus, Proposal
from app.calls.selection_models import Review, ReviewAssignment, ReviewStatus, SelectionSettings
from app.core.errors import DomainError
from app.core.models import AuditEntry, OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.calls import review_builders, reviews_setup
from tests.calls.reviews_setup import GOOD, JUST


@pytest.fixture
def built(session: factories.World) -> reviews_setup.Setup:
    return reviews_setup.build()


def _u(i: int) -> User:
    return db.session.get(User, i)


def _p(i: int) -> Proposal:
    return db.session.get(Proposal, i)


def _marks(scores):  # noqa: ANN001, ANN202
    return {k: scoring.Mark(v, JUST) for k, v in scores.items()}


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.email == "secretariat@example.org"))


def test_assign_by_hand_refuses_conflicted_and_duplicates(built: reviews_setup.Setup) -> None:
    call = db.session.get(Call, built.call_id)
    a, _b, c = (_u(i) for i in built.reviewers)
    with pytest.raises(DomainError) as refused:
        reviewing.assign(call, _p(built.p1), c, actor=_secretariat())
    assert refused.value.field == "reviewer_id"
    reviewing.assign(call, _p(built.p1), a, actor=_secretariat())
    with pytest.raises(DomainError):
        reviewing.assign(call, _p(built.p1), a, actor=_secretariat())
    # not a committee member
    with pytest.raises(DomainError):
        reviewing.assign(call, _p(built.p1), db.session.scalar(select(User).where(
            User.email == "delegate@example.org")), actor=_secretariat())


def test_suggestion_never_proposes_the_conflicted_reviewer(built: reviews_setup.Setup) -> None:
    call = db.session.get(Call, built.call_id)
    view = reviewing.suggestion(call)
    assert built.reviewers[2] not in view.suggestion.added_to(built.p1)
    assert view.skipped[built.p1] == [built.reviewers[2]]
    added = reviewing.apply_suggestion(call, actor=_secretariat())
    assert added == 4  # two per proposal
    rows = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.proposal_id == built.p1)).all()
    assert built.reviewers[2] not in {r.reviewer_id for r in rows}
    assert all(r.suggested for r in rows)


def test_assignment_needs_a_closed_call(session: factories.World) -> None:
    built = reviews_setup.build(status=CallStatus.open)
    call = db.session.get(Call, built.call_id)
    with pytest.raises(DomainError):
        reviewing.assign(call, _p(built.p2), _u(built.reviewers[0]), actor=_secretariat())


def test_notify_sends_each_reviewer_their_list_and_deadline(built: reviews_setup.Setup) -> None:
    call = db.session.get(Call, built.call_id)
    with pytest.raises(DomainError):
        reviewing.notify(call, actor=_secretariat())
    reviewing.apply_suggestion(call, actor=_secretariat())
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    sent = reviewing.notify(call, actor=_secretariat())
    assert sent == 3
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(3)).all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 3
    c_mail = next(m for m in mails if m.recipient == built.emails[2])
    assert "Jardins partagés" in c_mail.body and "Eau potable" not in c_mail.body
    assert all(r.notified_at for r in reviewing.assignments_of(call.id))


def test_reminders_once_for_unfinished_reviews(built: reviews_setup.Setup) -> None:
    settings = db.session.get(SelectionSettings, built.call_id)
    settings.review_deadline = utcnow() + timedelta(days=3)
    a, b, _c = (_u(i) for i in built.reviewers)
    review_builders.review(_p(built.p1), a, GOOD)  # a has finished
    review_builders.assign(_p(built.p1), b)  # b has not
    db.session.flush()
    assert reviewing.send_review_reminders() == 1
    assert db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc())).recipient == b.email
    assert reviewing.send_review_reminders() == 0


def test_no_reminder_far_from_the_deadline(built: reviews_setup.Setup) -> None:
    review_builders.assign(_p(built.p1), _u(built.reviewers[1]))
    assert reviewing.send_review_reminders() == 0  # deadline in 10 days


def test_draft_then_submit_with_problems_as_field_errors(built: reviews_setup.Setup) -> None:
    a = _u(built.reviewers[0])
    review_builders.assign(_p(built.p1), a)
    draft = reviewing.save_review(_p(built.p1), actor=a, marks={"relevance": scoring.Mark(3, "short")},
                                  pending={"impact": "thinking about it"}, eligible=None, submit=False)
    assert draft.status == ReviewStatus.draft
    assert draft.marks["impact"]["pending"] is True
    with pytest.raises(reviewing.ReviewRefused) as refused:
        reviewing.save_review(_p(built.p1), actor=a, marks={"relevance": scoring.Mark(3, "short"),
                                                            "partnership": scoring.Mark(None, "")},
                              eligible=True, submit=True)
    errors = refused.value.errors
    assert "justification-relevance" in errors and "score-impact" in errors
    assert "Write at least 20 characters (you wrote 5)." in errors["justification-relevance"]
    review = reviewing.save_review(_p(built.p1), actor=a, marks=_marks(GOOD), eligible=True, submit=True)
    assert review.status == ReviewStatus.submitted and review.submitted_at is not None
    assert db.session.scalar(select(func.count(Review.id))) == 1
    with pytest.raises(DomainError):  # submitted: reopen first
        reviewing.save_review(_p(built.p1), actor=a, marks=_marks(GOOD), eligible=True, submit=False)


def test_na_only_where_allowed_and_not_everywhere(built: reviews_setup.Setup) -> None:
    a = _u(built.reviewers[0])
    review_builders.assign(_p(built.p1), a)
    with pytest.raises(reviewing.ReviewRefused) as refused:
        reviewing.save_review(_p(built.p1), actor=a, marks=_marks({"relevance": None, "impact": 3,
                                                                   "partnership": None}),
                              eligible=None, submit=True)
    assert list(refused.value.errors) == ["score-relevance"]
    with pytest.raises(reviewing.ReviewRefused):  # out of scale, even for a draft
        reviewing.save_review(_p(built.p1), actor=a, marks=_marks({"relevance": 9}), eligible=None, submit=False)


def test_unassigned_reviewer_cannot_score(built: reviews_setup.Setup) -> None:
    with pytest.raises(DomainError):
        reviewing.save_review(_p(built.p2), actor=_u(built.reviewers[0]), marks=_marks(GOOD), eligible=None,
                              submit=False)


def test_reopen_until_the_deadline(built: reviews_setup.Setup) -> None:
    a = _u(built.reviewers[0])
    review = review_builders.review(_p(built.p1), a, GOOD)
    with pytest.raises(DomainError):  # only its author
        reviewing.reopen(review, actor=_u(built.reviewers[1]))
    reviewing.reopen(review, actor=a)
    assert review.status == ReviewStatus.draft and review.reopened_count == 1
    with pytest.raises(DomainError):  # not submitted any more
        reviewing.reopen(review, actor=a)
    reviewing.save_review(_p(built.p1), actor=a, marks=_marks(GOOD), eligible=None, submit=True)
    db.session.get(SelectionSettings, built.call_id).review_deadline = utcnow() - timedelta(minutes=1)
    db.session.flush()
    with pytest.raises(DomainError):
        reviewing.reopen(review, actor=a)
    with pytest.raises(DomainError):
        reviewing.save_review(_p(built.p2), actor=a, marks=_marks(GOOD), eligible=None, submit=False)


def test_reviews_are_written_while_in_review(session: factories.World) -> None:
    built = reviews_setup.build(status=CallStatus.closed)
    a = _u(built.reviewers[0])
    review_builders.assign(_p(built.p1), a)
    with pytest.raises(DomainError):
        reviewing.save_review(_p(built.p1), actor=a, marks=_marks(GOOD), eligible=None, submit=False)


def test_no_anchoring_others_reviews_only_after_ones_own(built: reviews_setup.Setup) -> None:
    a, b, c = (_u(i) for i in built.reviewers)
    p2 = _p(built.p2)
    review_builders.review(p2, b, GOOD)
    review_builders.assign(p2, a)
    assert reviewing.visible_reviews(p2, a) == []
    assert not reviewing.may_see_aggregate(p2, a)
    draft = review_builders.review(p2, c, GOOD, submitted=False)
    assert draft not in reviewing.visible_reviews(p2, b)  # drafts never shown
    reviewing.save_review(p2, actor=a, marks=_marks(GOOD), eligible=None, submit=True)
    assert [r.reviewer_id for r in reviewing.visible_reviews(p2, a)] == [b.id]
    assert reviewing.may_see_aggregate(p2, a)
    assert len(reviewing.visible_reviews(p2, _secretariat())) == 2


def test_declared_conflict_drops_the_review_and_is_audited(built: reviews_setup.Setup) -> None:
    a, b, _c = (_u(i) for i in built.reviewers)
    p2 = _p(built.p2)
    review_builders.review(p2, a, GOOD)
    review_builders.review(p2, b, {"relevance": 1, "impact": 1, "partnership": 1})
    assert len(review_queries.review_facts(built.call_id)[p2.id]) == 2
    with pytest.raises(DomainError):
        reviewing.declare_conflict(p2, actor=a, reason="no")
    reviewing.declare_conflict(p2, actor=a, reason="Notre directrice siège au conseil du porteur.")
    assert [f.reviewer_id for f in review_queries.review_facts(built.call_id)[p2.id]] == [b.id]
    assert reviewing.visible_reviews(p2, a) == []
    assert [r.reviewer_id for r in reviewing.visible_reviews(p2, _secretariat())] == [b.id]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "conflict.declared")) is not None
    with pytest.raises(DomainError):  # already on record
        reviewing.declare_conflict(p2, actor=a, reason="Une deuxième fois, pour voir.")


def test_record_and_withdraw_a_conflict(built: reviews_setup.Setup) -> None:
    a = _u(built.reviewers[0])
    row = reviewing.record_conflict(_p(built.p2), actor=_secretariat(), member_id=a.member_id,
                                    reason="Même fédération régionale.")
    call = db.session.get(Call, built.call_id)
    with pytest.raises(DomainError):
        reviewing.assign(call, _p(built.p2), a, actor=_secretariat())
    with pytest.raises(DomainError):
        reviewing.record_conflict(_p(built.p2), actor=_secretariat(), member_id=a.member_id, reason="Encore une fois")
    reviewing.withdraw_conflict(row, actor=_secretariat())
    reviewing.assign(call, _p(built.p2), a, actor=_secretariat())
    # a derived one (c is partner of p1) cannot be recorded again
    with pytest.raises(DomainError):
        reviewing.record_conflict(_p(built.p1), actor=_secretariat(), member_id=built.conflicted_member_id,
                                  reason="Partenaire du projet")


def test_unassign_keeps_submitted_reviews(built: reviews_setup.Setup) -> None:
    a, b, _c = (_u(i) for i in built.reviewers)
    review_builders.review(_p(built.p2), a, GOOD)
    review_builders.review(_p(built.p2), b, GOOD, submitted=False)
    rows = {r.reviewer_id: r for r in reviewing.assignments_of(built.call_id)}
    with pytest.raises(DomainError):
        reviewing.unassign(rows[a.id], actor=_secretariat())
    reviewing.unassign(rows[b.id], actor=_secretariat())
    assert db.session.scalar(select(func.count(Review.id))) == 1


def test_discussion(built: reviews_setup.Setup) -> None:
    a, _b, c = (_u(i) for i in built.reviewers)
    reviewing.comment(_p(built.p1), actor=a, body="Le budget des ateliers paraît élevé.")
    with pytest.raises(DomainError):
        reviewing.comment(_p(built.p1), actor=c, body="Je suis partenaire, mais je commente.")
    with pytest.raises(DomainError):
        reviewing.comments_of(_p(built.p1), c)
    with pytest.raises(DomainError):
        reviewing.comment(_p(built.p1), actor=a, body=" ")
    assert [x.body for x in reviewing.comments_of(_p(built.p1), _secretariat())] == [
        "Le budget des ateliers paraît élevé."]


def test_my_reviews_and_home_panel(built: reviews_setup.Setup) -> None:
    a = _u(built.reviewers[0])
    assert reviewing.home_panel(a) is None
    review_builders.assign(_p(built.p1), a)
    review_builders.review(_p(built.p2), a, GOOD)
    items = reviewing.my_reviews(a)
    assert [i.state for i in items] == ["to_do", "submitted"]
    panel = reviewing.home_panel(a)
    assert panel is not None and len(panel["review_items"]) == 1
    assert reviewing.home_panel(_secretariat()) is None


def test_double_submission_makes_one_review(wide_app: Flask, world: factories.World) -> None:
    """Two threads submit the same first review at once: one row, submitted."""
    with wide_app.app_context():
        built = reviews_setup.build()
        review_builders.assign(db.session.get(Proposal, built.p1), db.session.get(User, built.reviewers[0]))
        db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        with wide_app.test_request_context(headers={"Accept-Language": "en"}):
            user = db.session.get(User, built.reviewers[0])
            proposal = db.session.get(Proposal, built.p1)
            barrier.wait()
            try:
                reviewing.save_review(proposal, actor=user, marks=_marks(GOOD), eligible=None, submit=True)
                db.session.commit()
                outcomes.append("ok")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001  (SQLite: "database is locked" for the loser)
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "ok" in outcomes
    with wide_app.app_context():
        rows = db.session.scalars(select(Review).where(Review.proposal_id == built.p1)).all()
        assert len(rows) == 1 and rows[0].status == ReviewStatus.submitted
        db.session.remove()


def test_the_remind_command_reminds_reviewers_once(app: Flask, world: factories.World) -> None:
    with app.app_context():
        built = reviews_setup.build(deadline_days=2)
        review_builders.assign(db.session.get(Proposal, built.p1), db.session.get(User, built.reviewers[0]))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["calls", "remind"])
    assert result.exit_code == 0, result.output
    assert "0 calls reminded." in result.output and "1 reviewer reminded of unfinished reviews." in result.output
    assert "0 reviewers reminded" in runner.invoke(args=["calls", "remind"]).output
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.recipient)) == built.emails[0]
