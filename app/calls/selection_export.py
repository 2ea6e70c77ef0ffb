"""Exports of a call's selection (XLSX with one sheet per table, or one table as CSV).

Tables: ``scores`` (one row per submitted review and criterion, with the reviewer: the secretariat only),
``aggregates`` (per proposal: n, mean, median, minimum, maximum, standard deviation, range, calibrated
mean, flags, the mean of each criterion) and ``decisions`` (the recorded decision, once there is one).
A committee member's export leaves out the proposals its organisation is conflicted with. Scores are
written to two decimals, half up, as numbers; headers are stable codes (a script reads them whatever the
exporter's language). Formulas are escaped by ``app.calls.export``.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls import conflicts, review_queries, scoring
from app.calls.export import to_csv, to_xlsx
from app.calls.models import Call, Proposal
from app.calls.money import from_cents
from app.calls.selection_models import Review, ReviewStatus, SelectionDecision
from app.calls.wording import reference
from app.extensions import db

TABLES = ("scores", "aggregates", "decisions")
SCORE_COLUMNS = ("reference", "reviewer_organisation", "reviewer", "review_id", "criterion", "weight", "scale_max",
                 "score", "not_applicable", "justification", "review_score", "eligible_opinion", "counted")
AGGREGATE_COLUMNS = ("reference", "title", "lead", "reviews", "mean", "median", "minimum", "maximum", "stdev",
                     "range", "calibrated_mean", "flags")
DECISION_COLUMNS = ("reference", "title", "lead", "rank", "score", "line_outcome", "outcome", "amount", "departure",
                    "reason")


def number(value: Fraction | Decimal | None) -> Decimal | None:
    """A score for a spreadsheet: two decimals, half up; None (empty cell) for none."""
    return None if value is None else Decimal(scoring.display(value, 2))


def _opinion(value: bool | None) -> str:
    return "" if value is None else ("eligible" if value else "ineligible")


def score_rows(call: Call, *, hidden: Collection[int] = ()) -> list[list[Any]]:
    """Every submitted review's marks, criterion by criterion, with its reviewer (secretariat only)."""
    criteria = review_queries.criteria_of(call)
    reviews = db.session.scalars(
        select(Review).where(Review.call_id == call.id, Review.status == ReviewStatus.submitted)
        .options(selectinload(Review.proposal), selectinload(Review.reviewer).selectinload(User.member))
        .order_by(Review.proposal_id, Review.id))
    known = conflicts.of_call(call.id)
    rows = []
    for r in reviews:
        # a review by an organisation conflicted with the proposal is kept for the record but never counted
        counts = r.reviewer_member_id is None or r.reviewer_member_id not in known.get(r.proposal_id, {})
        if r.proposal_id in hidden:
            continue
        marks = scoring.marks_from_dict(r.marks)
        total = number(scoring.weighted_score(criteria, marks))
        member = r.reviewer.member.name if r.reviewer is not None and r.reviewer.member is not None else ""
        for c in criteria:
            mark = marks.get(c.code)
            rows.append([reference(r.proposal), member, r.reviewer.full_name if r.reviewer else "", r.id, c.code,
                         c.weight, c.scale_max, mark.score if mark else None,
                         "yes" if mark is not None and mark.score is None else "",
                         mark.justification if mark else "", total, _opinion(r.eligible),
                         "yes" if counts else "no"])
    return rows


def aggregate_rows(call: Call, *, hidden: Collection[int] = ()) -> tuple[list[str], list[list[Any]]]:
    """Per proposal under review: the aggregate of its counted reviews and its calibrated mean."""
    criteria = review_queries.criteria_of(call)
    threshold = review_queries.threshold_of(call)
    facts = review_queries.review_facts(call.id)
    calibration = scoring.calibrate(criteria, [f for found in facts.values() for f in found])
    header = [*AGGREGATE_COLUMNS, *(f"mean_{c.code}" for c in criteria)]
    rows = []
    for p in review_queries.submitted_proposals(call.id):
        if p.id in hidden:
            continue
        agg = scoring.aggregate(criteria, facts.get(p.id, []), threshold=threshold)
        rows.append([reference(p), p.title, p.lead_member.name, agg.n, number(agg.mean), number(agg.median),
                     number(agg.minimum), number(agg.maximum), number(agg.stdev), number(agg.range),
                     number(calibration.proposal_means.get(p.id)), " ".join(agg.flags),
                     *(number(s.mean) for s in agg.criteria)])
    return header, rows


def decision_of_call(call: Call) -> SelectionDecision | None:
    return db.session.scalar(select(SelectionDecision).where(SelectionDecision.call_id == call.id))


def decision_rows(decision: SelectionDecision | None, *, hidden: Collection[int] = ()) -> list[list[Any]]:
    """The recorded decision, proposal by proposal in the line's order (empty before any decision)."""
    if decision is None:
        return []
    items = {i.proposal_id: i for i in decision.items}
    order = [p["proposal_id"] for p in (decision.allocation or {}).get("placements") or []]
    order += [pid for pid in sorted(items) if pid not in set(order)]
    proposals = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_(list(items))).options(selectinload(Proposal.lead_member)))}
    rows = []
    for pid in order:
        item = items.get(pid)
        if item is None or pid in hidden or pid not in proposals:
            continue
        p = proposals[pid]
        rows.append([reference(p), p.title, p.lead_member.name, item.rank,
                     number(Fraction(item.score)) if item.score else None, item.line_outcome, item.outcome,
                     from_cents(item.amount_cents), "yes" if item.departure else "", item.reason])
    return rows


def table(call: Call, name: str, *, hidden: Collection[int] = ()) -> tuple[Sequence[str], list[list[Any]]]:
    if name == "scores":
        return SCORE_COLUMNS, score_rows(call, hidden=hidden)
    if name == "aggregates":
        return aggregate_rows(call, hidden=hidden)
    if name == "decisions":
        return DECISION_COLUMNS, decision_rows(decision_of_call(call), hidden=hidden)
    raise ValueError(f"unknown table {name!r}")


def export(call: Call, fmt: str, tables: Sequence[str], *, hidden: Collection[int] = ()) -> bytes:
    """``tables`` as XLSX (one sheet each) or the first of them as CSV."""
    if fmt == "xlsx":
        sheets = []
        for name in tables:
            header, rows = table(call, name, hidden=hidden)
            sheets.append((name, header, rows))
        return to_xlsx(sheets)
    header, rows = table(call, tables[0], hidden=hidden)
    return to_csv(header, rows)
