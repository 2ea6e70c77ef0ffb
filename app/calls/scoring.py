"""Pure rules of the committee's scores: a review's weighted score, a proposal's aggregate, calibration.

No database, no Flask. Arithmetic is exact (``Fraction``); only the standard deviation needs a
square root, taken in ``Decimal`` at 28 significant digits. Display rounds half up to one decimal
(``display``). DESIGN.md §3 "Calls for projects" is the contract:

* A review's score on 0–100: ``100 · Σ wᵢ·sᵢ/maxᵢ ÷ Σ wᵢ`` over the criteria *scored*; a criterion
  marked "not applicable" is left out of both sums (never counted as 0). All criteria n/a: no score.
* A proposal's aggregate: n, mean, median, minimum, maximum, population standard deviation, and
  per criterion the mean of sᵢ/maxᵢ·100 and its spread (max − min). Flagged for discussion when
  ``max − min`` exceeds the rule set's threshold (strictly), or when reviewers disagree on eligibility.
* Calibration: a reviewer with at least ``MIN_CALIBRATION_REVIEWS`` scores has a mean ``μᵣ`` and a
  population standard deviation ``σᵣ``; a review's calibrated score is ``M + S · (s − μᵣ) / σᵣ``,
  where ``M`` and ``S`` are the mean and population standard deviation of every review score of the
  call. ``σᵣ = 0`` (the reviewer gave one score to everything): the review carries no ranking
  information and is calibrated to ``M``. Fewer reviews: the raw score is kept and the reason given.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from statistics import median
from typing import Any

#: Default threshold of disagreement (points of the 0–100 range) when the rule set sets none.
DEFAULT_DISAGREEMENT = 25
#: A reviewer's scores are calibrated only from this many reviews on.
MIN_CALIBRATION_REVIEWS = 3
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class Criterion:
    """One selection criterion of a rule set (content ``criteria.<code>``)."""

    code: str
    weight: int
    scale_max: int
    na_allowed: bool = False
    min_justification: int = 0
    position: int = 0
    name: Mapping[str, str] = field(default_factory=dict)


def criteria_of(content: Mapping[str, Any]) -> list[Criterion]:
    """The criteria of a rule set's content, in their position order."""
    out = []
    for code, raw in (content.get("criteria") or {}).items():
        out.append(Criterion(code=code, weight=int(raw.get("weight", 1)), scale_max=int(raw.get("scale_max", 5)),
                             na_allowed=bool(raw.get("na_allowed", False)),
                             min_justification=int(raw.get("min_justification", 0) or 0),
                             position=int(raw.get("position", 0) or 0), name=dict(raw.get("name") or {})))
    return sorted(out, key=lambda c: (c.position, c.code))


def disagreement_threshold(content: Mapping[str, Any]) -> int:
    """The rule set's threshold of disagreement (``selection.disagreement_threshold``), default 25 points."""
    raw = (content.get("selection") or {}).get("disagreement_threshold")
    try:
        return int(raw) if raw not in (None, "") else DEFAULT_DISAGREEMENT
    except (TypeError, ValueError):
        return DEFAULT_DISAGREEMENT


@dataclass(frozen=True)
class Mark:
    """A reviewer's mark on one criterion: a score on 0..scale_max, or ``None`` for "not applicable"."""

    score: int | None
    justification: str = ""


def marks_from_dict(data: Mapping[str, Any]) -> dict[str, Mark]:
    """Marks as stored (``{"code": {"score": 3 | None, "justification": "…"}}``)."""
    out = {}
    for code, raw in (data or {}).items():
        score = raw.get("score")
        out[code] = Mark(None if score in (None, "") else int(score), str(raw.get("justification") or ""))
    return out


def marks_to_dict(marks: Mapping[str, Mark]) -> dict[str, Any]:
    return {code: {"score": m.score, "justification": m.justification} for code, m in marks.items()}


def mark_problems(criteria: Sequence[Criterion], marks: Mapping[str, Mark]) -> list[tuple[str, str, dict[str, Any]]]:
    """What keeps a review from being submitted: ``(criterion code, problem key, parameters)``.

    Keys: ``missing`` (no mark), ``na_not_allowed``, ``out_of_scale`` (``max``), ``short_justification``
    (``min``, ``length``), ``all_na`` (code ``""``: nothing scored, so no score). The wording is the UI's.
    """
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for c in criteria:
        mark = marks.get(c.code)
        if mark is None:
            problems.append((c.code, "missing", {}))
            continue
        if mark.score is None and not c.na_allowed:
            problems.append((c.code, "na_not_allowed", {}))
        elif mark.score is not None and not 0 <= mark.score <= c.scale_max:
            problems.append((c.code, "out_of_scale", {"max": c.scale_max}))
        length = len(mark.justification.strip())
        if length < c.min_justification:
            problems.append((c.code, "short_justification", {"min": c.min_justification, "length": length}))
    if criteria and not problems and weighted_score(criteria, marks) is None:
        problems.append(("", "all_na", {}))
    return problems


def _plan(criteria: Sequence[Criterion]) -> tuple[tuple[tuple[str, int, int], ...], int]:
    """``((code, weight, L/maxᵢ), …), L`` with ``L`` the least common multiple of the scales."""
    scale = math.lcm(*(max(c.scale_max, 1) for c in criteria)) if criteria else 1
    return tuple((c.code, c.weight, scale // max(c.scale_max, 1)) for c in criteria), scale


def _weighted(plan: tuple[tuple[tuple[str, int, int], ...], int], marks: Mapping[str, Mark]) -> Fraction | None:
    items, scale = plan
    num = 0
    den = 0
    for code, weight, factor in items:
        mark = marks.get(code)
        if mark is None or mark.score is None:
            continue
        num += weight * mark.score * factor
        den += weight
    return None if den == 0 else Fraction(100 * num, den * scale)


def weighted_score(criteria: Sequence[Criterion], marks: Mapping[str, Mark]) -> Fraction | None:
    """``100 · Σ wᵢ·sᵢ/maxᵢ ÷ Σ wᵢ`` over the criteria scored; None when none is scored.

    Summed in integers over the scales' least common multiple ``L`` (``Σ wᵢ·sᵢ·L/maxᵢ``), then one
    ``Fraction``: the same exact value, without a fraction per criterion.
    """
    return _weighted(_plan(criteria), marks)


# --- aggregates -------------------------------------------------------------------------------

def _common(values: Sequence[Fraction]) -> tuple[list[int], int]:
    """The values as integer numerators over one common denominator (exact; no fraction arithmetic)."""
    den = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (den // v.denominator) for v in values], den


def mean(values: Sequence[Fraction]) -> Fraction | None:
    if not values:
        return None
    nums, den = _common(values)
    return Fraction(sum(nums), den * len(values))


def pstdev(values: Sequence[Fraction]) -> Decimal | None:
    """Population standard deviation (exact variance, square root in Decimal); None for no value.

    Variance ``(n·Σa² − (Σa)²) / (n²·d²)`` with ``vᵢ = aᵢ/d``: integers only until the square root.
    """
    if not values:
        return None
    nums, den = _common(values)
    n = len(nums)
    total = sum(nums)
    var_num = n * sum(a * a for a in nums) - total * total
    var_den = n * n * den * den
    with localcontext() as ctx:
        ctx.prec = 28
        return (Decimal(var_num) / Decimal(var_den)).sqrt()


def as_fraction(value: Decimal | Fraction | int) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


@dataclass(frozen=True)
class CriterionSummary:
    code: str
    n: int
    mean: Fraction | None  # of sᵢ/maxᵢ·100 over the reviews that scored it
    spread: Fraction | None  # max − min on the same 0–100 scale
    na: int  # reviews that marked it not applicable


@dataclass(frozen=True)
class Aggregate:
    n: int
    mean: Fraction | None
    median: Fraction | None
    minimum: Fraction | None
    maximum: Fraction | None
    stdev: Decimal | None
    range: Fraction | None
    criteria: tuple[CriterionSummary, ...]
    #: Why the proposal is flagged for discussion: "range" and/or "eligibility" (empty: not flagged).
    flags: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class ReviewFacts:
    """One submitted review as the aggregate needs it."""

    review_id: int
    reviewer_id: int
    proposal_id: int
    marks: Mapping[str, Mark]
    #: The reviewer's opinion on eligibility: True, False, or None (no opinion given).
    eligible: bool | None = None


def aggregate(criteria: Sequence[Criterion], reviews: Sequence[ReviewFacts], *, threshold: int) -> Aggregate:
    """One proposal's aggregate over its submitted reviews (reviews with no score at all are left out)."""
    plan = _plan(criteria)
    scored = [(r, s) for r in reviews if (s := _weighted(plan, r.marks)) is not None]
    scores = [s for _, s in scored]
    summaries = []
    for c in criteria:
        # sᵢ/maxᵢ·100 summed as integers: mean 100·Σs/(n·max), spread 100·(max − min)/max
        raw = [m.score for r, _ in scored if (m := r.marks.get(c.code)) is not None and m.score is not None]
        na = sum(1 for r, _ in scored if (m := r.marks.get(c.code)) is not None and m.score is None)
        scale = max(c.scale_max, 1)
        summaries.append(CriterionSummary(
            c.code, len(raw), Fraction(100 * sum(raw), len(raw) * scale) if raw else None,
            Fraction(100 * (max(raw) - min(raw)), scale) if raw else None, na))
    flags = []
    spread = (max(scores) - min(scores)) if scores else None
    if spread is not None and spread > threshold:
        flags.append("range")
    opinions = {r.eligible for r in reviews if r.eligible is not None}
    if len(opinions) > 1:
        flags.append("eligibility")
    ordered = sorted(scores)
    return Aggregate(n=len(scores), mean=mean(scores), median=Fraction(median(ordered)) if scores else None,
                     minimum=ordered[0] if scores else None, maximum=ordered[-1] if scores else None,
                     stdev=pstdev(scores), range=spread, criteria=tuple(summaries), flags=tuple(flags))


# --- calibration ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewerStats:
    reviewer_id: int
    n: int
    mean: Fraction | None
    stdev: Decimal | None
    #: Why this reviewer's scores are kept raw: "too_few" (fewer than 3 reviews), "" when calibrated.
    #: A reviewer with zero spread is calibrated (to the call's mean): "zero_spread" is a notice.
    note: str


@dataclass(frozen=True)
class Calibration:
    call_mean: Fraction | None
    call_stdev: Decimal | None
    reviewers: Mapping[int, ReviewerStats]
    #: review id → calibrated score (the raw one when its reviewer is not calibrated)
    calibrated: Mapping[int, Fraction]
    #: proposal id → mean of its reviews' calibrated scores
    proposal_means: Mapping[int, Fraction]


def _to_fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def calibrate(criteria: Sequence[Criterion], reviews: Iterable[ReviewFacts]) -> Calibration:
    """Every submitted review's calibrated score; see the module docstring for the formula."""
    plan = _plan(criteria)
    scored = [(r, s) for r in reviews if (s := _weighted(plan, r.marks)) is not None]
    by_reviewer: dict[int, list[Fraction]] = defaultdict(list)
    for r, s in scored:
        by_reviewer[r.reviewer_id].append(s)
    all_scores = [s for _, s in scored]
    m_all = mean(all_scores)
    s_all = pstdev(all_scores)
    stats: dict[int, ReviewerStats] = {}
    for reviewer_id, values in by_reviewer.items():
        sd = pstdev(values)
        if len(values) < MIN_CALIBRATION_REVIEWS:
            note = "too_few"
        elif sd == 0:
            note = "zero_spread"
        else:
            note = ""
        stats[reviewer_id] = ReviewerStats(reviewer_id, len(values), mean(values), sd, note)
    calibrated: dict[int, Fraction] = {}
    per_proposal: dict[int, list[Fraction]] = defaultdict(list)
    # per reviewer, S/σᵣ once (not per review): calibrated = M + (S/σᵣ)·(s − μᵣ)
    factor = {rid: _to_fraction(s_all) / _to_fraction(st.stdev) for rid, st in stats.items()
              if st.note == "" and s_all is not None and st.stdev}
    for r, s in scored:
        st = stats[r.reviewer_id]
        if st.note == "too_few" or m_all is None or s_all is None:
            value = s
        elif st.note == "zero_spread":
            value = m_all
        else:
            assert st.mean is not None
            value = m_all + factor[r.reviewer_id] * (s - st.mean)
        calibrated[r.review_id] = value
        per_proposal[r.proposal_id].append(value)
    means = {pid: mean(values) for pid, values in per_proposal.items()}
    return Calibration(call_mean=m_all, call_stdev=s_all, reviewers=stats, calibrated=calibrated,
                       proposal_means={k: v for k, v in means.items() if v is not None})


# --- display ----------------------------------------------------------------------------------

def display(value: Fraction | Decimal | None, places: int = 1) -> str:
    """A score for people: half up to ``places`` decimals (71.45 → "71.5"); "" for no value."""
    if value is None:
        return ""
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 40
            dec = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        dec = value
    return str(dec.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def exact(value: Fraction | None) -> str:
    """A score as an exact, stable string (``"143/2"``): what the seed of the draw hashes."""
    return "" if value is None else f"{value.numerator}/{value.denominator}"
