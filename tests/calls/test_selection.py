"""Selection services: the board (aggregates, calibration, both ranks), the trial allocation, the recorded
decision (line re-drawn with the saved settings, departures with reasons, envelope, status), publication."""
from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.calls import allocation, queries, selection, services
from app.calls.models import Call, CallStatus
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.calls.selection_helpers import fake_letters, scene


def secretariat() -> User:
    return db.session.scalar(select(User).where(User.email == "secretariat@example.org"))


def call_of(s) -> Call:  # noqa: ANN001
    return db.session.get(Call, s.call_id)


def follow_line(line: allocation.Allocation) -> list[allocation.Decided]:
    return selection.line_decisions(line)


def test_board_ranks_by_raw_and_calibrated_mean(session: factories.World) -> None:
    s = scene()
    data = selection.board(call_of(s))
    assert [r.proposal.id for r in data.ordered("raw")] == s.proposal_ids
    first = data.by_id[s.proposal_ids[0]]
    assert first.raw_rank == 1 and first.aggregate.n == 3
    # (5, 9, 4) → 100·(3 + 1.8 + 0.8)/6 = 280/3; (4, 8, 5) → 250/3; (5, 10, n/a) → 100·5/5 = 100 (n/a left out)
    assert (first.aggregate.minimum, first.aggregate.maximum) == (Fraction(250, 3), Fraction(100))
    assert first.aggregate.mean == (Fraction(280, 3) + Fraction(250, 3) + 100) / 3
    assert all(r.calibrated_rank is not None for r in data.rows)
    assert {line.stats.note for line in data.reviewers} == {""}  # five reviews each: calibrated


def test_a_reviewer_with_too_few_reviews_is_not_calibrated(session: factories.World) -> None:
    s = scene()
    from app.calls.selection_models import Review

    reviewer = s.reviewer_ids[0]
    for row in db.session.scalars(select(Review).where(Review.reviewer_id == reviewer)).all()[2:]:
        db.session.delete(row)
    db.session.flush()
    data = selection.board(call_of(s))
    notes = {line.stats.reviewer_id: line.stats.note for line in data.reviewers}
    assert notes[reviewer] == "too_few"


def test_trial_moves_the_line_with_the_envelope_and_saves_nothing(session: factories.World) -> None:
    s = scene()
    call = call_of(s)
    data = selection.board(call)
    saved = selection.saved_params(call, data.settings)
    small = selection.trial(data, saved)
    assert [p.outcome for p in small.placements[:3]] == ["funded", "funded", "reserve"]
    bigger = selection.trial(data, selection.TrialParams(saved.envelope_cents * 2, "raw", "skip", 3))
    assert [p.outcome for p in bigger.placements].count("funded") == 5
    assert db.session.scalar(select(SelectionDecision.id)) is None
    with_minimum = selection.trial(data, selection.TrialParams(saved.envelope_cents * 2, "raw", "skip", 3,
                                                               min_score=Fraction(50)))
    assert "below_minimum" in [p.outcome for p in with_minimum.placements]


def test_committee_amounts_let_one_more_proposal_in(session: factories.World) -> None:
    s = scene()
    data = selection.board(call_of(s))
    saved = selection.saved_params(call_of(s), data.settings)
    amounts = {pid: 30000_00 for pid in s.proposal_ids[:3]}
    line = selection.trial(data, selection.TrialParams(saved.envelope_cents, "raw", "skip", 3, None, amounts))
    assert [p.outcome for p in line.placements[:3]] == ["funded"] * 3
    assert selection.amount_problems(data, {s.proposal_ids[0]: s.max_grant_cents + 1}) == {s.proposal_ids[0]: "above_max"}


def test_record_decision_follows_the_line_and_moves_the_call(session: factories.World) -> None:
    s = scene()
    call = call_of(s)
    line = selection.trial(selection.board(call), selection.saved_params(call, selection.board(call).settings))
    record = selection.record_decision(call, actor=secretariat(), decided=follow_line(line), minutes="Séance du 3")
    db.session.commit()
    assert call.status == CallStatus.decided
    assert record.committed_cents == 2 * s.max_grant_cents <= record.envelope_cents
    items = db.session.scalars(select(ProposalDecision).order_by(ProposalDecision.rank)).all()
    assert [i.outcome for i in items] == ["selected", "selected", "reserve", "reserve", "reserve"]
    assert not any(i.departure for i in items)
    assert record.allocation["seed"] == line.seed and record.scores[str(s.proposal_ids[0])]["n"] == 3
    with pytest.raises(DomainError):
        selection.record_decision(call, actor=secretariat(), decided=follow_line(line))


def test_a_departure_needs_its_reason_and_is_audited(session: factories.World) -> None:
    s = scene()
    call = call_of(s)
    data = selection.board(call)
    line = selection.trial(data, selection.saved_params(call, data.settings))
    decided = follow_line(line)
    first, third = s.proposal_ids[0], s.proposal_ids[2]
    changed = [allocation.Decided(d.proposal_id, "rejected", 0, "") if d.proposal_id == first else d for d in decided]
    with pytest.raises(selection.DecisionRefused) as caught:
        selection.record_decision(call, actor=secretariat(), decided=changed)
    assert (first, "reason_required") in [(p[0], p[1]) for p in caught.value.problems]
    db.session.rollback()
    short = [allocation.Decided(first, "rejected", 0, "trop") if d.proposal_id == first else d for d in decided]
    with pytest.raises(selection.DecisionRefused) as caught:
        selection.record_decision(call_of(s), actor=secretariat(), decided=short)
    assert "short_reason" in [p[1] for p in caught.value.problems]
    db.session.rollback()
    good = [allocation.Decided(first, "rejected", 0, "Le porteur a retiré son cofinancement.")
            if d.proposal_id == first else
            allocation.Decided(third, "selected", s.max_grant_cents, "") if d.proposal_id == third else d
            for d in decided]
    with pytest.raises(selection.DecisionRefused) as caught:  # the third is reserve on the line: a departure too
        selection.record_decision(call_of(s), actor=secretariat(), decided=good)
    db.session.rollback()
    good = [allocation.Decided(third, "selected", s.max_grant_cents, "Priorité au défi D2 selon le comité.")
            if d.proposal_id == third else d for d in good]
    selection.record_decision(call_of(s), actor=secretariat(), decided=good)
    db.session.commit()
    items = {i.proposal_id: i for i in db.session.scalars(select(ProposalDecision))}
    assert items[first].departure and items[first].reason.startswith("Le porteur")
    assert items[third].departure and items[third].outcome == "selected"
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "selection.departure")).all()
    assert sorted(a.object_id for a in audited) == sorted([str(first), str(third)])


def test_a_decision_over_the_envelope_is_refused(session: factories.World) -> None:
    s = scene()
    call = call_of(s)
    data = selection.board(call)
    line = selection.trial(data, selection.saved_params(call, data.settings))
    everything = [allocation.Decided(p.proposal_id, "selected", s.max_grant_cents, "Tout le monde, par principe.")
                  for p in line.placements]
    with pytest.raises(selection.DecisionRefused) as caught:
        selection.record_decision(call, actor=secretariat(), decided=everything)
    assert "over_envelope" in [p[1] for p in caught.value.problems]
    db.session.rollback()
    assert call_of(s).status == CallStatus.in_review


def test_decision_only_while_in_review(session: factories.World) -> None:
    s = scene()
    call = call_of(s)
    call.status = CallStatus.closed
    db.session.commit()
    with pytest.raises(DomainError):
        selection.record_decision(call, actor=secretariat(), decided=[])


def test_settings_are_validated_audited_and_used_by_the_decision(session: factories.World) -> None:
    s = scene()
    call = call_of(s)
    with pytest.raises(DomainError) as caught:
        selection.update_settings(call, actor=secretariat(), ranking="raw", min_score="cent", mode="skip",
                                  reserve_size=3)
    assert caught.value.field == "min_score"
    selection.update_settings(call, actor=secretariat(), ranking="calibrated", min_score="40,5", mode="stop",
                              reserve_size=1)
    db.session.commit()
    data = selection.board(call)
    params = selection.saved_params(call, data.settings)
    assert params.min_score == Fraction(81, 2) and params.mode == "stop" and params.ranking == "calibrated"
    line = selection.trial(data, params)
    record = selection.record_decision(call, actor=secretariat(), decided=follow_line(line))
    assert (record.ranking, record.mode, record.min_score) == ("calibrated", "stop", "40.5")
    db.session.commit()
    with pytest.raises(DomainError):
        selection.update_settings(call, actor=secretariat(), ranking="raw", min_score="", mode="skip", reserve_size=3)


def test_publish_sends_the_letters_and_moves_the_call(session: factories.World, monkeypatch) -> None:  # noqa: ANN001
    made = fake_letters(monkeypatch)
    s = scene()
    call = call_of(s)
    with pytest.raises(DomainError):
        selection.publish_decision(call, actor=secretariat())
    data = selection.board(call)
    selection.record_decision(call, actor=secretariat(),
                              decided=follow_line(selection.trial(data, selection.saved_params(call, data.settings))))
    db.session.commit()
    assert selection.publish_decision(call, actor=secretariat()) == 5
    db.session.commit()
    assert call.status == CallStatus.published and call.published_at is not None
    assert len(made) == 1 and selection.decision_of(call.id).published_at is not None
    # the grants awarded become public: exactly the selected proposals, at their granted amounts
    items = selection.decision_of(call.id).items
    awarded = {item.proposal_id: item.proposal.awarded_cents for item in items}
    assert awarded == {item.proposal_id: (item.amount_cents if item.outcome == "selected" else None) for item in items}
    assert {p.id for p in queries.funded_projects(call.id)} == {i.proposal_id for i in items if i.outcome == "selected"}
    with pytest.raises(DomainError):
        selection.publish_decision(call, actor=secretariat())


def test_advance_refuses_the_steps_of_the_selection(session: factories.World) -> None:
    s = scene()
    with pytest.raises(DomainError, match="trial allocation"):
        services.advance(call_of(s), actor=secretariat())
