"""Table tests of the pure scoring rules: weighted score with n/a, aggregate and its flags, calibration,
display rounding (app/calls/scoring.py)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.calls import scoring
from app.calls.scoring import Criterion, Mark, ReviewFacts

CRITERIA = [Criterion("relevance", 3, 5), Criterion("impact", 2, 10), Criterion("partnership", 1, 5, na_allowed=True)]


def marks(rel: int | None, imp: int | None, part: int | None) -> dict[str, Mark]:
    return {"relevance": Mark(rel, "x" * 30), "impact": Mark(imp, "x" * 30), "partnership": Mark(part, "x" * 30)}


def facts(review_id: int, reviewer: int, proposal: int, score: tuple, eligible: bool | None = None) -> ReviewFacts:
    return ReviewFacts(review_id, reviewer, proposal, marks(*score), eligible)


@pytest.mark.parametrize(("score", "expected"), [
    ((5, 10, 5), Fraction(100)),
    ((0, 0, 0), Fraction(0)),
    ((5, 9, 4), Fraction(280, 3)),          # 100·(3 + 1.8 + 0.8)/6
    ((5, 10, None), Fraction(100)),         # n/a left out of both sums, never 0
    ((0, 10, None), Fraction(40)),          # 100·(0 + 2)/5
    ((None, None, None), None),             # nothing scored: no score
])
def test_weighted_score(score: tuple, expected: Fraction | None) -> None:
    assert scoring.weighted_score(CRITERIA, marks(*score)) == expected


@pytest.mark.parametrize(("mark", "key"), [
    (Mark(None, "x" * 30), "na_not_allowed"),
    (Mark(6, "x" * 30), "out_of_scale"),
    (Mark(-1, "x" * 30), "out_of_scale"),
    (Mark(3, "court"), "short_justification"),
])
def test_mark_problems(mark: Mark, key: str) -> None:
    criteria = [Criterion("relevance", 3, 5, min_justification=20)]
    assert [p[1] for p in scoring.mark_problems(criteria, {"relevance": mark})] == [key]


def test_missing_marks_and_all_na() -> None:
    assert scoring.mark_problems(CRITERIA, {}) == [(c.code, "missing", {}) for c in CRITERIA]
    only_na = [Criterion("a", 1, 5, na_allowed=True)]
    assert scoring.mark_problems(only_na, {"a": Mark(None)}) == [("", "all_na", {})]


def test_aggregate_of_three_reviews() -> None:
    agg = scoring.aggregate(CRITERIA, [facts(1, 1, 9, (5, 10, 5)), facts(2, 2, 9, (4, 8, None)),
                                       facts(3, 3, 9, (3, 6, 3))], threshold=25)
    assert agg.n == 3
    assert (agg.minimum, agg.maximum) == (Fraction(60), Fraction(100))
    assert agg.median == 80 and agg.mean == 80  # 100, 100·(2.4 + 1.6)/5 = 80, 60
    assert agg.range == 40 and agg.flags == ("range",)
    partnership = agg.criteria[2]
    assert (partnership.n, partnership.na, partnership.mean, partnership.spread) == (2, 1, Fraction(80), Fraction(40))
    assert agg.stdev == scoring.pstdev([Fraction(100), Fraction(80), Fraction(60)])


def test_all_reviewers_identical() -> None:
    agg = scoring.aggregate(CRITERIA, [facts(i, i, 9, (3, 6, 3)) for i in range(1, 4)], threshold=25)
    assert agg.stdev == 0 and agg.range == 0 and agg.flags == ()
    assert agg.mean == agg.median == agg.minimum == agg.maximum == 60


def test_one_reviewer_only() -> None:
    agg = scoring.aggregate(CRITERIA, [facts(1, 1, 9, (4, 8, 4))], threshold=25)
    assert agg.n == 1 and agg.stdev == 0 and agg.range == 0 and agg.mean == 80 and not agg.flagged


def test_no_review() -> None:
    agg = scoring.aggregate(CRITERIA, [], threshold=25)
    assert agg.n == 0 and agg.mean is None and agg.stdev is None and agg.flags == ()


@pytest.mark.parametrize(("threshold", "flagged"), [(41, False), (40, False), (39, True), (0, True)])
def test_range_flag_threshold_is_strict(threshold: int, flagged: bool) -> None:
    # 100 and 100·3/5 = 60 (impact 0, partnership n/a): 40 points apart, flagged only above the threshold
    pair = [facts(1, 1, 9, (5, 10, None)), facts(2, 2, 9, (5, 0, None))]
    agg = scoring.aggregate(CRITERIA, pair, threshold=threshold)
    assert agg.range == 40 and agg.flagged is flagged


def test_eligibility_disagreement_flag() -> None:
    agree = [facts(1, 1, 9, (3, 6, 3), True), facts(2, 2, 9, (3, 6, 3), None)]
    assert scoring.aggregate(CRITERIA, agree, threshold=25).flags == ()
    disagree = [facts(1, 1, 9, (3, 6, 3), True), facts(2, 2, 9, (3, 6, 3), False)]
    assert scoring.aggregate(CRITERIA, disagree, threshold=25).flags == ("eligibility",)
    both = [facts(1, 1, 9, (5, 10, 5), True), facts(2, 2, 9, (0, 0, 0), False)]
    assert scoring.aggregate(CRITERIA, both, threshold=25).flags == ("range", "eligibility")


def _calibration_set() -> list[ReviewFacts]:
    """Reviewer 1 harsh (scores 20, 40, 60), reviewer 2 generous (60, 80, 100), reviewer 3 flat (60 ×3),
    reviewer 4 only two reviews."""
    def r(rid: int, reviewer: int, proposal: int, rel: int) -> ReviewFacts:
        return ReviewFacts(rid, reviewer, proposal, {"relevance": Mark(rel)})
    return [r(1, 1, 1, 1), r(2, 1, 2, 2), r(3, 1, 3, 3),
            r(4, 2, 1, 3), r(5, 2, 2, 4), r(6, 2, 3, 5),
            r(7, 3, 1, 3), r(8, 3, 2, 3), r(9, 3, 3, 3),
            r(10, 4, 1, 5), r(11, 4, 2, 0)]


def test_calibration() -> None:
    criteria = [Criterion("relevance", 1, 5)]
    cal = scoring.calibrate(criteria, _calibration_set())
    scores = [20, 40, 60, 60, 80, 100, 60, 60, 60, 100, 0]
    assert cal.call_mean == Fraction(sum(scores), len(scores))
    assert cal.reviewers[1].note == "" and cal.reviewers[1].mean == 40
    assert cal.reviewers[3].note == "zero_spread" and cal.reviewers[3].stdev == 0
    assert cal.reviewers[4].note == "too_few" and cal.reviewers[4].n == 2
    # the harsh and the generous reviewer's best reviews calibrate to the same value (same z-score)
    assert cal.calibrated[3] == cal.calibrated[6] and cal.calibrated[1] == cal.calibrated[4]
    assert cal.calibrated[2] == cal.call_mean  # z = 0
    assert cal.calibrated[7] == cal.calibrated[8] == cal.call_mean  # zero spread → the call's mean
    assert (cal.calibrated[10], cal.calibrated[11]) == (Fraction(100), Fraction(0))  # too few: raw kept
    expected = cal.call_mean + Fraction(cal.call_stdev) * (60 - 40) / Fraction(cal.reviewers[1].stdev)
    assert cal.calibrated[3] == expected
    assert cal.proposal_means[2] == (cal.call_mean * 3 + 0) / 4


def test_calibration_with_one_reviewer_and_no_review() -> None:
    criteria = [Criterion("relevance", 1, 5)]
    one = scoring.calibrate(criteria, [ReviewFacts(1, 1, 1, {"relevance": Mark(4)})])
    assert one.reviewers[1].note == "too_few" and one.calibrated[1] == 80
    empty = scoring.calibrate(criteria, [])
    assert empty.call_mean is None and empty.calibrated == {} and empty.proposal_means == {}


@pytest.mark.parametrize(("value", "places", "text"), [
    (Fraction(1429, 20), 1, "71.5"),      # 71.45 → half up
    (Fraction(1427, 20), 1, "71.4"),      # 71.35 → 71.4 (half up, not half even)
    (Fraction(280, 3), 1, "93.3"),
    (Fraction(200, 3), 1, "66.7"),
    (Fraction(100), 1, "100.0"),
    (Decimal("0.05"), 1, "0.1"),
    (Fraction(1, 8), 2, "0.13"),
    (None, 1, ""),
])
def test_display(value: Fraction | Decimal | None, places: int, text: str) -> None:
    assert scoring.display(value, places) == text


def test_exact_and_threshold() -> None:
    assert scoring.exact(Fraction(143, 2)) == "143/2" and scoring.exact(None) == ""
    assert scoring.disagreement_threshold({}) == 25
    assert scoring.disagreement_threshold({"selection": {"disagreement_threshold": 30}}) == 30
