"""The funding line (app/calls/allocation.py): tables, and a property test (hypothesis) -- never over the
envelope, greedy down the ranking in skip mode, a prefix in stop mode, ties ordered by the draw only."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calls import allocation
from app.calls.allocation import Candidate, Decided
from app.elections.rules import draw_key


def c(pid: int, score: int | Fraction | None, amount: int, eligible: bool = True) -> Candidate:
    return Candidate(pid, None if score is None else Fraction(score), eligible, amount, amount)


POOL = [c(1, 90, 50), c(2, 80, 40), c(3, 70, 30), c(4, 60, 20), c(5, 50, 10)]


@pytest.mark.parametrize(("envelope", "mode", "outcomes"), [
    (150, "skip", ["funded"] * 5),
    (100, "skip", ["funded", "funded", "reserve", "reserve", "funded"]),   # 90 spent: 30 and 20 skipped, 10 fits
    (95, "skip", ["funded", "funded", "reserve", "reserve", "reserve"]),
    (100, "stop", ["funded", "funded", "reserve", "reserve", "reserve"]),
    (0, "skip", ["reserve", "reserve", "reserve", "not_funded", "not_funded"]),
])
def test_line_table(envelope: int, mode: str, outcomes: list[str]) -> None:
    line = allocation.allocate(POOL, envelope, mode=mode, reserve_size=3)
    assert [p.outcome for p in line.placements] == outcomes
    assert line.funded_cents == sum(p.amount_cents for p in line.placements) <= envelope


def test_skip_funds_the_next_that_fits_and_stop_does_not() -> None:
    pool = [c(1, 90, 60), c(2, 80, 50), c(3, 70, 30)]
    skip = allocation.allocate(pool, 100, mode="skip")
    assert [p.outcome for p in skip.placements] == ["funded", "reserve", "funded"]
    assert skip.placement(2).skipped and skip.placement(2).remaining_before_cents == 40
    stop = allocation.allocate(pool, 100, mode="stop")
    assert [p.outcome for p in stop.placements] == ["funded", "reserve", "reserve"]
    assert stop.placement(3).stopped and stop.line.rank == 1


def test_minimum_ineligible_unscored() -> None:
    pool = [c(1, 90, 10), c(2, 40, 10), c(3, 95, 10, eligible=False), c(4, None, 10)]
    line = allocation.allocate(pool, 1000, min_score=Fraction(50))
    assert {p.proposal_id: p.outcome for p in line.placements} == {
        1: "funded", 2: "below_minimum", 3: "ineligible", 4: "unscored"}
    assert [p.rank for p in line.placements] == [1, 2, None, None]


def test_reserve_size() -> None:
    line = allocation.allocate(POOL, 50, reserve_size=2)
    assert [p.outcome for p in line.placements] == ["funded", "reserve", "reserve", "not_funded", "not_funded"]


def test_a_tie_at_the_line_is_drawn_and_published() -> None:
    pool = [c(1, 80, 50), c(2, 80, 50), c(3, 80, 50), c(4, 70, 10)]
    line = allocation.allocate(pool, 100)
    assert line.seed == allocation.seed_of({p.proposal_id: p.score for p in pool})
    keys = {pid: draw_key(line.seed, str(pid)) for pid in (1, 2, 3)}
    drawn = sorted(keys, key=keys.get)
    assert [p.proposal_id for p in line.placements[:3]] == drawn
    (tie,) = line.ties
    assert tie.at_line and list(tie.order) == drawn and list(tie.keys) == [keys[p] for p in drawn]
    assert line.to_dict()["ties"][0]["at_line"] is True


def test_decision_problems_table() -> None:
    line = allocation.allocate(POOL, 95)
    follow = [Decided(p.proposal_id, allocation.line_decision(p.outcome), p.amount_cents) for p in line.placements]
    assert allocation.decision_problems(line, follow, max_grants={}) == []
    assert allocation.departures(line, follow) == []
    refuse_first = [Decided(1, "rejected", 0)] + follow[1:]
    assert allocation.decision_problems(line, refuse_first, max_grants={}) == [(1, "reason_required", {"line": "selected"})]
    over = [Decided(p.proposal_id, "selected", p.requested_cents, "raison suffisante") for p in line.placements]
    keys = [k for _pid, k, _ in allocation.decision_problems(line, over, max_grants={})]
    assert "over_envelope" in keys
    above = [Decided(1, "selected", 60)] + follow[1:]
    assert (1, "amount_above_max", {"max_cents": 50}) in allocation.decision_problems(line, above, max_grants={1: 50})
    twice = follow + [follow[0]]
    assert (1, "duplicate", {}) in allocation.decision_problems(line, twice, max_grants={})
    assert (5, "missing", {}) in allocation.decision_problems(line, follow[:4], max_grants={})
    ineligible = allocation.allocate([c(1, 90, 10, eligible=False)], 100)
    assert (1, "ineligible_selected", {}) in allocation.decision_problems(
        ineligible, [Decided(1, "selected", 10, "raison")], max_grants={})


# --- property ----------------------------------------------------------------------------------------

candidates_st = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 20)),  # score on a coarse scale: many ties
              st.sampled_from([True, True, True, False]),  # eligible, mostly
              st.integers(0, 100)),
    min_size=0, max_size=25)


@settings(max_examples=300, deadline=None)
@given(raw=candidates_st, envelope=st.integers(0, 600), mode=st.sampled_from(allocation.MODES),
       minimum=st.one_of(st.none(), st.integers(0, 20)), reserve=st.integers(0, 5), seed=st.integers(0, 2**32))
def test_allocation_properties(raw: list, envelope: int, mode: str, minimum: int | None, reserve: int,
                               seed: int) -> None:
    pool = [Candidate(i + 1, None if s is None else Fraction(s, 2), ok, amount, amount)
            for i, (s, ok, amount) in enumerate(raw)]
    min_score = None if minimum is None else Fraction(minimum, 2)
    line = allocation.allocate(pool, envelope, mode=mode, min_score=min_score, reserve_size=reserve)
    funded = [p for p in line.placements if p.outcome == allocation.FUNDED]
    # never over the envelope, nothing cut
    assert line.funded_cents == sum(p.amount_cents for p in funded) <= envelope
    assert all(p.amount_cents == p.requested_cents for p in funded)
    ranked = [p for p in line.placements if p.rank is not None]
    assert [p.rank for p in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.score >= b.score for a, b in zip(ranked, ranked[1:], strict=False))
    above = [p for p in ranked if p.outcome != allocation.BELOW_MINIMUM]
    if mode == allocation.SKIP:
        # greedy: an unfunded proposal above the minimum did not fit what the better-ranked left
        for p in above:
            if p.outcome != allocation.FUNDED:
                spent = sum(q.amount_cents for q in funded if q.rank < p.rank)
                assert spent + p.requested_cents > envelope
    else:
        # stop: the funded are a prefix of the ranking above the minimum
        outcomes = [p.outcome == allocation.FUNDED for p in above]
        assert outcomes == sorted(outcomes, reverse=True)
    # reserve: the first unfunded above the minimum, in order
    unfunded = [p for p in above if p.outcome != allocation.FUNDED]
    assert [p.outcome for p in unfunded] == [allocation.RESERVE] * min(reserve, len(unfunded)) + \
        [allocation.NOT_FUNDED] * max(0, len(unfunded) - reserve)
    # ties by the draw only: the input order changes nothing; equal scores follow their draw keys
    shuffled = list(pool)
    random.Random(seed).shuffle(shuffled)
    again = allocation.allocate(shuffled, envelope, mode=mode, min_score=min_score, reserve_size=reserve)
    assert again == line
    for a, b in zip(ranked, ranked[1:], strict=False):
        if a.score == b.score:
            assert draw_key(line.seed, str(a.proposal_id)) < draw_key(line.seed, str(b.proposal_id))
    # the line's decision is always acceptable as it stands
    follow = [Decided(p.proposal_id, allocation.line_decision(p.outcome), p.amount_cents) for p in line.placements]
    problems = allocation.decision_problems(line, follow, max_grants={p.proposal_id: p.max_grant_cents for p in pool})
    assert problems == []
