"""The committee's selection of a call: the ranking with aggregates and calibration, the trial allocation,
the recorded decision and its publication.

Services flush and never commit; they take an explicit ``actor`` and refuse with ``DomainError``. The
pages read through ``board`` (a fixed number of queries whatever the number of proposals or reviews);
the trial page and ``record_decision`` call the same ``allocation.allocate`` on the same candidates.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls import allocation, conflicts, queries, review_queries, scoring
from app.calls.models import Call, CallStatus, Proposal
from app.calls.selection_models import (
    DecisionOutcome,
    LineMode,
    ProposalDecision,
    RankingBasis,
    Review,
    ReviewStatus,
    SelectionDecision,
    SelectionSettings,
)
from app.core import audit
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import add_unique, db

#: A proposal whose rank moves by at least this many places between raw and calibrated is highlighted.
MOVE_HIGHLIGHT = 3
#: The longest reserve list a call may ask for.
MAX_RESERVE = 50
#: A departure from the line needs a reason of at least this many characters.
MIN_REASON = 10


# --- the board: every figure of the ranking and trial pages -----------------------------------------

@dataclass(frozen=True)
class Row:
    """One submitted proposal on the ranking page."""

    proposal: Proposal
    eligible: bool
    aggregate: scoring.Aggregate
    calibrated: Fraction | None
    raw_rank: int | None
    calibrated_rank: int | None

    @property
    def move(self) -> int | None:
        """Places gained by calibration (positive: up the ranking); None when not ranked both ways."""
        if self.raw_rank is None or self.calibrated_rank is None:
            return None
        return self.raw_rank - self.calibrated_rank

    @property
    def moved(self) -> bool:
        return self.move is not None and abs(self.move) >= MOVE_HIGHLIGHT

    def score(self, basis: str) -> Fraction | None:
        return self.calibrated if basis == RankingBasis.calibrated else self.aggregate.mean

    def rank(self, basis: str) -> int | None:
        return self.calibrated_rank if basis == RankingBasis.calibrated else self.raw_rank


@dataclass(frozen=True)
class ReviewerLine:
    reviewer: User | None
    stats: scoring.ReviewerStats


@dataclass
class Board:
    """A call's proposals with their aggregates, calibration and both ranks (built by ``board``)."""

    call: Call
    settings: SelectionSettings
    criteria: list[scoring.Criterion]
    threshold: int
    rows: list[Row]
    calibration: scoring.Calibration
    reviewers: list[ReviewerLine]
    conflicts: Mapping[int, Mapping[int, Any]]
    by_id: dict[int, Row] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {r.proposal.id: r for r in self.rows}

    def conflicted(self, user: Any, proposal_id: int) -> bool:
        return conflicts.is_conflicted(user, proposal_id, known=self.conflicts)

    def ordered(self, basis: str) -> list[Row]:
        """Rows by rank on ``basis`` (ranked first), then the unranked by proposal id."""
        return sorted(self.rows, key=lambda r: (r.rank(basis) is None, r.rank(basis) or 0, r.proposal.id))

    @property
    def flagged(self) -> list[Row]:
        return [r for r in self.rows if r.aggregate.flagged]

    @property
    def moved(self) -> list[Row]:
        return [r for r in self.rows if r.moved]


def _ranks(scores: Mapping[int, Fraction | None], eligible: Mapping[int, bool]) -> dict[int, int]:
    """Proposal id → rank (1 = best) among eligible scored proposals, ties ordered by the published draw."""
    candidates = [allocation.Candidate(pid, score, eligible[pid], 0) for pid, score in scores.items()]
    order, _ties = allocation.ranking(candidates, allocation.seed_of(scores))
    return {c.proposal_id: i for i, c in enumerate(order, 1)}


def settings_read(call: Call) -> SelectionSettings:
    """The call's settings, or the defaults (not added to the session: a page that only reads writes nothing)."""
    row = db.session.get(SelectionSettings, call.id)
    return row if row is not None else SelectionSettings(
        call_id=call.id, reviewers_per_proposal=3, ranking=RankingBasis.raw.value, min_score="",
        mode=LineMode.skip.value, reserve_size=allocation.DEFAULT_RESERVE)


def _review_facts(call_id: int, known: Mapping[int, Mapping[int, Any]]) -> dict[int, list[scoring.ReviewFacts]]:
    """Counted submitted reviews by proposal, as ``review_queries.review_facts`` but read as plain rows (one
    query, no ORM entity per review: the ranking of 500 proposals reads 6,000 reviews)."""
    out: dict[int, list[scoring.ReviewFacts]] = {}
    rows = db.session.execute(
        select(Review.id, Review.reviewer_id, Review.proposal_id, Review.reviewer_member_id, Review.marks,
               Review.eligible)
        .where(Review.call_id == call_id, Review.status == ReviewStatus.submitted)
        .order_by(Review.proposal_id, Review.id))
    for rid, reviewer_id, pid, member_id, marks, eligible in rows:
        if member_id is not None and member_id in known.get(pid, {}):
            continue  # a conflicted member's review is never counted
        out.setdefault(pid, []).append(scoring.ReviewFacts(rid, reviewer_id, pid, scoring.marks_from_dict(marks),
                                                           eligible))
    return out


def board(call: Call) -> Board:
    """Aggregates, calibration, raw and calibrated ranks of every submitted proposal (bounded queries)."""
    settings = settings_read(call)
    criteria = review_queries.criteria_of(call)
    threshold = review_queries.threshold_of(call)
    proposals = review_queries.submitted_proposals(call.id)
    known = conflicts.of_proposals([p.id for p in proposals])
    facts = _review_facts(call.id, known)
    eligibility = queries.eligibility_of(proposals)
    calibration = scoring.calibrate(criteria, [f for rows in facts.values() for f in rows])
    aggregates = {p.id: scoring.aggregate(criteria, facts.get(p.id, []), threshold=threshold) for p in proposals}
    eligible = {p.id: bool(eligibility[p.id].effective) for p in proposals}
    raw = _ranks({p.id: aggregates[p.id].mean for p in proposals}, eligible)
    calibrated_means = {p.id: calibration.proposal_means.get(p.id) for p in proposals}
    calibrated = _ranks(calibrated_means, eligible)
    rows = [Row(p, eligible[p.id], aggregates[p.id], calibrated_means[p.id], raw.get(p.id), calibrated.get(p.id))
            for p in proposals]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(calibration.reviewers)))
                                                  .options(selectinload(User.member)))} \
        if calibration.reviewers else {}
    lines = sorted((ReviewerLine(people.get(rid), stats) for rid, stats in calibration.reviewers.items()),
                   key=lambda line: (line.reviewer.full_name if line.reviewer else "", line.stats.reviewer_id))
    return Board(call=call, settings=settings, criteria=criteria, threshold=threshold, rows=rows,
                 calibration=calibration, reviewers=lines, conflicts=known)


# --- the trial allocation -------------------------------------------------------------------------

@dataclass(frozen=True)
class TrialParams:
    """What the trial page varies: nothing here is saved."""

    envelope_cents: int
    ranking: str
    mode: str
    reserve_size: int
    min_score: Fraction | None = None
    #: Amounts the committee sets below a proposal's maximum grant (proposal id → cents).
    amounts: Mapping[int, int] = field(default_factory=dict)

    @property
    def min_score_text(self) -> str:
        return "" if self.min_score is None else scoring.display(self.min_score, 2).rstrip("0").rstrip(".")


def parse_min_score(text: str | None) -> Fraction | None:
    """A minimum score typed as decimal text on 0–100 ("62.5", "62,5"); None when blank; ValueError otherwise."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(text)
    return Fraction(value)


def saved_params(call: Call, settings: SelectionSettings, amounts: Mapping[int, int] | None = None) -> TrialParams:
    """The parameters of the recorded decision: the call's envelope and the saved settings."""
    try:
        minimum = parse_min_score(settings.min_score)
    except ValueError:
        minimum = None
    return TrialParams(envelope_cents=call.envelope_cents, ranking=str(settings.ranking), mode=str(settings.mode),
                       reserve_size=settings.reserve_size, min_score=minimum, amounts=dict(amounts or {}))


def candidates(data: Board, params: TrialParams) -> list[allocation.Candidate]:
    """One candidate per submitted proposal: the chosen ranking's score, the effective eligibility, and its
    amount (the committee's when set, else the maximum grant)."""
    out = []
    for row in data.rows:
        maximum = row.proposal.max_grant_cents
        amount = params.amounts.get(row.proposal.id, maximum or 0)
        out.append(allocation.Candidate(row.proposal.id, row.score(params.ranking), row.eligible, amount, maximum))
    return out


def trial(data: Board, params: TrialParams) -> allocation.Allocation:
    """The funding line for these parameters; the recorded decision runs exactly this."""
    return allocation.allocate(candidates(data, params), params.envelope_cents, min_score=params.min_score,
                               mode=params.mode, reserve_size=params.reserve_size)


def amount_problems(data: Board, amounts: Mapping[int, int]) -> dict[int, str]:
    """Committee amounts that cannot be used: proposal id → why (unknown, not positive, above the maximum)."""
    problems: dict[int, str] = {}
    for pid, cents in amounts.items():
        row = data.by_id.get(pid)
        if row is None:
            problems[pid] = "unknown"
        elif cents <= 0:
            problems[pid] = "not_positive"
        elif row.proposal.max_grant_cents is not None and cents > row.proposal.max_grant_cents:
            problems[pid] = "above_max"
    return problems


# --- settings -------------------------------------------------------------------------------------

def update_settings(call: Call, *, actor: User, ranking: str, min_score: str, mode: str,
                    reserve_size: int) -> SelectionSettings:
    """The line's settings (ranking basis, minimum score, mode, reserve); audited; refused once decided."""
    if call.status in (CallStatus.decided, CallStatus.published):
        raise DomainError(_l("The decision is recorded: the selection settings can no longer change."))
    if ranking not in {b.value for b in RankingBasis}:
        raise DomainError(_l("Choose the ranking."), field="ranking")
    if mode not in {m.value for m in LineMode}:
        raise DomainError(_l("Choose what happens when a proposal does not fit."), field="mode")
    try:
        minimum = parse_min_score(min_score)
    except ValueError:
        raise DomainError(_l("Enter a minimum score between 0 and 100, such as 60 or 62.5, or leave it blank."),
                          field="min_score") from None
    if not 0 <= reserve_size <= MAX_RESERVE:
        raise DomainError(_l("The reserve list holds 0 to %(max)d proposals.", max=MAX_RESERVE), field="reserve_size")
    row = review_queries.settings_of(call)
    before = {"ranking": row.ranking, "min_score": row.min_score, "mode": row.mode, "reserve_size": row.reserve_size}
    row.ranking = ranking
    row.min_score = "" if minimum is None else str((min_score or "").strip().replace(",", "."))
    row.mode = mode
    row.reserve_size = reserve_size
    db.session.flush()
    after = {"ranking": row.ranking, "min_score": row.min_score, "mode": row.mode, "reserve_size": row.reserve_size}
    if before != after:
        audit.record("selection.settings", "call", call.id, actor=actor, before=before, after=after)
    return row


# --- the decision ---------------------------------------------------------------------------------

class DecisionRefused(DomainError):
    """The decision cannot be recorded; ``problems`` are ``allocation.decision_problems`` entries."""

    def __init__(self, message: Any, problems: Sequence[tuple[int | None, str, dict[str, Any]]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def _locked_call(call_id: int) -> Call | None:
    """The call read again under ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers) until the commit."""
    query = select(Call).where(Call.id == call_id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def _move(call: Call, source: str, target: str, **values: Any) -> bool:
    result = db.session.execute(update(Call).where(Call.id == call.id, Call.status == source)
                                .values(status=target, **values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def decision_of(call_id: int) -> SelectionDecision | None:
    return db.session.scalar(select(SelectionDecision).where(SelectionDecision.call_id == call_id))


def _scores_record(data: Board) -> dict[str, Any]:
    """Per proposal, the scores as decided (exact text) for the record and the letters."""
    out: dict[str, Any] = {}
    for row in data.rows:
        agg = row.aggregate
        out[str(row.proposal.id)] = {
            "n": agg.n, "mean": scoring.exact(agg.mean), "median": scoring.exact(agg.median),
            "minimum": scoring.exact(agg.minimum), "maximum": scoring.exact(agg.maximum),
            "stdev": "" if agg.stdev is None else str(agg.stdev), "calibrated": scoring.exact(row.calibrated),
            "raw_rank": row.raw_rank, "calibrated_rank": row.calibrated_rank, "flags": list(agg.flags),
            "criteria": {c.code: {"n": c.n, "mean": scoring.exact(c.mean), "spread": scoring.exact(c.spread),
                                  "na": c.na} for c in agg.criteria}}
    return out


def record_decision(call: Call, *, actor: User, decided: Sequence[allocation.Decided], minutes: str = "",
                    amounts: Mapping[int, int] | None = None) -> SelectionDecision:
    """Record the committee's decision: the line re-drawn with the saved settings, each outcome, every
    departure with its reason (audited); the call moves in review → decided. Flush, no commit.

    The call row is locked first, so of two concurrent records the second sees the call decided; the
    committed total is read back from the database inside the same transaction before it ends.
    """
    locked = _locked_call(call.id)
    if locked is None or locked.status != CallStatus.in_review:
        raise DecisionRefused(_l("The decision can be recorded only while the call is in review."))
    if decision_of(call.id) is not None:
        raise DecisionRefused(_l("A decision is already recorded for this call."))
    data = board(locked)
    params = saved_params(locked, data.settings, amounts)
    if amount_problems(data, params.amounts):
        raise DecisionRefused(_l("An amount set by the committee is not possible: check the amounts."))
    line = trial(data, params)
    max_grants = {r.proposal.id: r.proposal.max_grant_cents for r in data.rows}
    problems = allocation.decision_problems(line, decided, max_grants=max_grants)
    short = [(d.proposal_id, "short_reason", {"min": MIN_REASON}) for d in allocation.departures(line, decided)
             if d.reason.strip() and len(d.reason.strip()) < MIN_REASON]
    if problems or short:
        raise DecisionRefused(_l("The decision cannot be recorded as it stands."), [*problems, *short])
    committed = sum(d.amount_cents for d in decided if d.outcome == allocation.SELECTED)
    record = SelectionDecision(call_id=locked.id, decided_by_id=actor.id, ranking=params.ranking, mode=params.mode,
                               min_score=data.settings.min_score or "", envelope_cents=params.envelope_cents,
                               committed_cents=committed, allocation=line.to_dict(), scores=_scores_record(data),
                               minutes=(minutes or "").strip())
    if not add_unique(record):
        raise DecisionRefused(_l("A decision is already recorded for this call."))
    departed = {d.proposal_id for d in allocation.departures(line, decided)}
    for d in decided:
        placement = line.placement(d.proposal_id)
        assert placement is not None
        db.session.add(ProposalDecision(
            decision_id=record.id, call_id=locked.id, proposal_id=d.proposal_id, outcome=d.outcome,
            line_outcome=placement.outcome, rank=placement.rank, score=_score_text(placement.score),
            amount_cents=d.amount_cents if d.outcome == allocation.SELECTED else 0,
            departure=d.proposal_id in departed, reason=d.reason.strip()))
    db.session.flush()
    total = db.session.scalar(select(func.coalesce(func.sum(ProposalDecision.amount_cents), 0))
                              .where(ProposalDecision.call_id == locked.id,
                                     ProposalDecision.outcome == DecisionOutcome.selected))
    if int(total or 0) > locked.envelope_cents:
        raise DecisionRefused(_l("The selected amounts exceed the envelope."))
    if not _move(locked, CallStatus.in_review, CallStatus.decided):
        raise DecisionRefused(_l("The call has moved on since this page was shown."))
    db.session.refresh(locked)
    audit.record("call.decided", "call", locked.id, actor=actor, before={"status": CallStatus.in_review.value},
                 after={"status": CallStatus.decided.value, "decision_id": record.id, "ranking": params.ranking,
                        "mode": params.mode, "committed_cents": committed, "envelope_cents": params.envelope_cents,
                        "seed": line.seed})
    for d in decided:
        if d.proposal_id in departed:
            placement = line.placement(d.proposal_id)
            audit.record("selection.departure", "proposal", d.proposal_id, actor=actor,
                         before={"line": allocation.line_decision(placement.outcome) if placement else None},
                         after={"outcome": d.outcome, "amount_cents": d.amount_cents, "reason": d.reason.strip()})
    return record


def _score_text(value: Fraction | None) -> str:
    """The score for ``ProposalDecision.score``: exact ("143/2"), read back with ``Fraction``."""
    return scoring.exact(value)


def line_decisions(line: allocation.Allocation) -> list[allocation.Decided]:
    """The decision that follows the line exactly (the form's starting point)."""
    return [allocation.Decided(p.proposal_id, allocation.line_decision(p.outcome), p.amount_cents)
            for p in line.placements]


# --- publication ----------------------------------------------------------------------------------

def publish_decision(call: Call, *, actor: User) -> int:
    """Publish the recorded decision: the call moves decided → published and every lead gets its letter.

    Returns the number of letters queued (``app.calls.letters.send_letters``). Flush, no commit.
    """
    from app.calls.letters import send_letters

    locked = _locked_call(call.id)
    if locked is None or locked.status != CallStatus.decided:
        raise DomainError(_l("Only a recorded decision that is not yet published can be published."))
    decision = decision_of(locked.id)
    if decision is None or decision.published_at is not None:
        raise DomainError(_l("Only a recorded decision that is not yet published can be published."))
    now = utcnow()
    if not _move(locked, CallStatus.decided, CallStatus.published, published_at=now):
        raise DomainError(_l("The call has moved on since this page was shown."))
    db.session.refresh(locked)
    decision.published_at = now
    decision.published_by_id = actor.id
    # The grants awarded become public with the decision (the call's public page lists them).
    for item in decision.items:
        if item.outcome == DecisionOutcome.selected:
            item.proposal.awarded_cents = item.amount_cents
    db.session.flush()
    sent = send_letters(decision, actor=actor)
    audit.record("call.published", "call", locked.id, actor=actor, before={"status": CallStatus.decided.value},
                 after={"status": CallStatus.published.value, "decision_id": decision.id, "letters": sent})
    return sent
