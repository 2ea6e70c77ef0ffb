"""Why a proposal fell where it did: the facts an applicant reads on its outcome page and in its letter.

Built from the recorded decision (outcome, rank, score, amount, the line) and the proposal's counted
reviews (submitted, not conflicted), never from who reviewed: justifications carry no reviewer's name
nor organisation, and are put in an order that does not reveal the reviewer (sha256 of the review and
criterion, stable from one reading to the next). Eligibility is the effective one (automatic outcomes
with the secretariat's overrides and their reasons). Worded in the request's language (or the one
``force_locale`` sets).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from app.calls import allocation as alloc
from app.calls import conflicts, decision_wording, instruction, proposals, rules, scoring, wording
from app.calls.models import EligibilityOverride, Proposal
from app.calls.money import from_cents
from app.calls.review_queries import counted
from app.calls.selection_models import (
    DecisionOutcome,
    ProposalDecision,
    RankingBasis,
    Review,
    ReviewStatus,
    SelectionDecision,
)
from app.extensions import db


@dataclass(frozen=True)
class RuleResult:
    """One eligibility rule as the applicant reads it: the rule, passed or not, why, and any override."""

    kind: str
    rule: str
    passed: bool
    reason: str
    override_reason: str = ""


@dataclass(frozen=True)
class CriterionResult:
    code: str
    name: str
    weight: int
    scale_max: int
    n: int
    na: int
    #: Mean of the scores on the criterion's own scale (e.g. 3.7 of 5); None when nobody scored it.
    mean: Fraction | None
    justifications: tuple[str, ...]

    @property
    def mean_text(self) -> str:
        return decision_wording.scale_text(self.mean)


@dataclass
class Explanation:
    proposal: Proposal
    decision: SelectionDecision
    item: ProposalDecision
    outcome: str
    outcome_label: str
    eligible: bool
    rules: list[RuleResult]
    criteria: list[CriterionResult]
    reviews: int
    ranking: str
    ranking_label: str
    score: Fraction | None
    #: The mean of the reviews' weighted scores (differs from ``score`` when the ranking is calibrated).
    raw_mean: Fraction | None
    rank: int | None
    ranked: int
    line_rank: int | None
    line_score: Fraction | None
    min_score: Fraction | None
    envelope_cents: int
    amount_cents: int
    max_grant_cents: int | None
    grant_lines: list[str]
    amount_lines: list[str]
    reserve_position: int | None
    sentences: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.passed]

    @property
    def sentence(self) -> str:
        return " ".join(self.sentences)

    @property
    def score_text(self) -> str:
        return decision_wording.score_text(self.score)

    @property
    def raw_mean_text(self) -> str:
        return decision_wording.score_text(self.raw_mean)

    @property
    def line_score_text(self) -> str:
        return decision_wording.score_text(self.line_score)

    @property
    def amount(self) -> Decimal:
        return from_cents(self.amount_cents)

    @property
    def envelope(self) -> Decimal:
        return from_cents(self.envelope_cents)


def parse_exact(text: str | None) -> Fraction | None:
    """A score as the decision stores it ("143/2"); None for ""."""
    if not text:
        return None
    return Fraction(text)


def justification_order(review_id: int, code: str) -> str:
    """The key that orders justifications: fixed for a review and criterion, unrelated to who wrote it."""
    return hashlib.sha256(f"justification|{review_id}|{code}".encode()).hexdigest()


def counted_reviews(proposal: Proposal) -> list[Review]:
    """The proposal's submitted reviews that count (a conflicted reviewer's review never does)."""
    found = list(db.session.scalars(select(Review).where(Review.proposal_id == proposal.id,
                                                         Review.status == ReviewStatus.submitted)
                                    .order_by(Review.id)))
    return counted(found, conflicts.of_proposals([proposal.id]))


def criteria_results(criteria: list[scoring.Criterion], reviews: list[Review], lang: str) -> list[CriterionResult]:
    """Per criterion: the mean on its scale over the reviews that scored it, and the anonymous justifications."""
    out = []
    for c in criteria:
        scores: list[int] = []
        na = 0
        texts: list[tuple[str, str]] = []
        for r in reviews:
            mark = scoring.marks_from_dict(r.marks).get(c.code)
            if mark is None:
                continue
            if mark.score is None:
                na += 1
            else:
                scores.append(mark.score)
            if mark.justification.strip():
                texts.append((justification_order(r.id, c.code), mark.justification.strip()))
        mean = Fraction(sum(scores), len(scores)) if scores else None
        out.append(CriterionResult(code=c.code, name=wording.text_in(c.name, lang) or c.code, weight=c.weight,
                                   scale_max=c.scale_max, n=len(scores), na=na, mean=mean,
                                   justifications=tuple(t for _key, t in sorted(texts))))
    return out


def rule_results(proposal: Proposal) -> tuple[list[RuleResult], bool]:
    """The effective eligibility, rule by rule, worded now (the reasons of failed rules included)."""
    outcomes, overrides, eligible = instruction.effective_eligibility(proposal)
    results = []
    for o in outcomes:
        override: EligibilityOverride | None = overrides.get(o.kind)
        passed = override.passed if override is not None else o.passed
        results.append(RuleResult(kind=o.kind, rule=str(o.rule), passed=passed, reason=str(o.reason),
                                  override_reason=override.reason if override is not None else ""))
    return results, eligible


def _grant_lines(proposal: Proposal) -> list[str]:
    snapshot = proposals.latest_snapshot(proposal)
    if snapshot is None or "facts" not in snapshot.content:
        return []
    return wording.explain_grant(rules.facts_from_dict(snapshot.content["facts"]).grant)


def _reserve_position(decision: SelectionDecision, item: ProposalDecision) -> int | None:
    if item.outcome != DecisionOutcome.reserve:
        return None
    reserve = sorted((i for i in decision.items if i.outcome == DecisionOutcome.reserve),
                     key=lambda i: (i.rank is None, i.rank or 0, i.proposal_id))
    return next((n for n, i in enumerate(reserve, 1) if i.id == item.id), None)


def explain(item: ProposalDecision, *, lang: str | None = None) -> Explanation:
    """Every fact the applicant reads about one proposal's outcome, and the sentence made of them."""
    from flask_babel import get_locale

    lang = lang or str(get_locale() or "fr")
    decision = item.decision
    proposal = item.proposal
    call = decision.call
    placements = (decision.allocation or {}).get("placements") or []
    ranked = sum(1 for p in placements if p.get("rank") is not None)
    line_rank = (decision.allocation or {}).get("line_rank")
    line_score = parse_exact((decision.allocation or {}).get("line_score"))
    min_score = Fraction(decision.min_score) if decision.min_score else None  # "62.5" or "125/2"
    criteria = scoring.criteria_of(call.rule_set_version.content)
    reviews = counted_reviews(proposal)
    raw_scores = [s for r in reviews if (s := scoring.weighted_score(criteria, scoring.marks_from_dict(r.marks)))
                  is not None]
    raw_mean = scoring.mean(raw_scores)
    rule_list, eligible = rule_results(proposal)
    score = parse_exact(item.score)
    ranking = decision.ranking
    amount_lines = (decision_wording.amount_lines(amount_cents=item.amount_cents,
                                                  max_grant_cents=proposal.max_grant_cents)
                    if item.outcome == DecisionOutcome.selected else [])
    ex = Explanation(
        proposal=proposal, decision=decision, item=item, outcome=item.outcome,
        outcome_label=DecisionOutcome(item.outcome).label, eligible=eligible, rules=rule_list,
        criteria=criteria_results(criteria, reviews, lang), reviews=len(raw_scores), ranking=ranking,
        ranking_label=RankingBasis(ranking).label if ranking in RankingBasis.__members__ else ranking,
        score=score, raw_mean=raw_mean, rank=item.rank, ranked=ranked, line_rank=line_rank, line_score=line_score,
        min_score=min_score, envelope_cents=decision.envelope_cents, amount_cents=item.amount_cents,
        max_grant_cents=proposal.max_grant_cents, grant_lines=_grant_lines(proposal), amount_lines=amount_lines,
        reserve_position=_reserve_position(decision, item))
    ex.sentences = sentences(ex)
    return ex


def sentences(ex: Explanation) -> list[str]:
    """The generated explanation: score and rank, where the line fell, and what was decided."""
    out: list[str] = []
    if ex.item.line_outcome == alloc.INELIGIBLE or (not ex.eligible and ex.rank is None):
        out.append(decision_wording.ineligible_sentence(len(ex.failed)))
    elif ex.rank is None or ex.score is None:
        out.append(decision_wording.unscored_sentence())
    else:
        out.append(decision_wording.scored_sentence(score=ex.score, rank=ex.rank, total=ex.ranked) + " "
                   + decision_wording.line_sentence(envelope_cents=ex.envelope_cents, line_rank=ex.line_rank,
                                                    line_score=ex.line_score))
        if ex.item.line_outcome == alloc.BELOW_MINIMUM and ex.min_score is not None:
            out.append(decision_wording.minimum_sentence(ex.min_score))
    out.append(decision_wording.outcome_sentence(ex.outcome, amount_cents=ex.amount_cents,
                                                 reserve_position=ex.reserve_position))
    if ex.item.departure and ex.item.reason.strip():
        out.append(decision_wording.departure_sentence(ex.item.reason.strip()))
    return out


def decision_of(proposal_id: int) -> ProposalDecision | None:
    """The proposal's recorded decision with its call's decision loaded (None before any decision)."""
    return db.session.scalar(select(ProposalDecision).where(ProposalDecision.proposal_id == proposal_id))
