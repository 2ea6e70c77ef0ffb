"""The call's selection report (PDF, in the reader's language): the record of how the committee selected.

What it holds: the rule-set version and the resolution that adopted it, the organisations that reviewed and
the conflicts of interest (organisation names, never a reviewer's scores), the ranking, the funding line,
the draw when equal scores met, and every decision with its reason. Built from the recorded decision
(``SelectionDecision.allocation`` is the line as it was drawn), in a fixed number of queries. A committee
member reads "conflict of interest" instead of the score of a proposal its organisation is conflicted with.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.assembly.minutes import html_to_pdf, when
from app.assembly.models import AgendaItem, Resolution
from app.calls import allocation as alloc
from app.calls import conflicts as conflict_queries
from app.calls.decision_wording import score_text
from app.calls.models import Call, Proposal
from app.calls.money import from_cents
from app.calls.selection_models import (
    ConflictSource,
    DecisionOutcome,
    RankingBasis,
    Review,
    ReviewStatus,
    SelectionDecision,
)
from app.calls.wording import reference
from app.core.content_i18n import localized_text
from app.core.i18n import text_direction
from app.core.timeutil import utcnow
from app.elections.services import committee_member_ids
from app.extensions import db
from app.members.models import Member

#: A proposal's place on the line, in words.
LINE_OUTCOMES = {
    alloc.FUNDED: _l("Funded"), alloc.RESERVE: _l("Reserve"), alloc.NOT_FUNDED: _l("Not funded"),
    alloc.BELOW_MINIMUM: _l("Below the minimum score"), alloc.INELIGIBLE: _l("Not eligible"),
    alloc.UNSCORED: _l("Not scored"),
}


def line_outcome_label(code: str) -> str:
    return str(LINE_OUTCOMES.get(code, code))


@dataclass(frozen=True)
class Row:
    proposal_id: int
    reference: str
    title: str
    lead: str
    rank: int | None
    score: str  # "71.5", "" when unscored, or the masked text
    masked: bool
    line_outcome: str
    outcome: str
    amount: Decimal
    departure: bool
    reason: str


@dataclass(frozen=True)
class ConflictRow:
    organisation: str
    reference: str
    source: str


@dataclass(frozen=True)
class Tie:
    score: str
    references: list[str]
    keys: list[str]
    at_line: bool


@dataclass
class Report:
    call: Call
    decision: SelectionDecision
    version_label: str
    resolution: str
    adopted_on: str
    reviewers: list[str]
    conflicts: list[ConflictRow]
    rows: list[Row]
    ranking_label: str
    mode_label: str
    min_score: str
    line_rank: int | None
    line_score: str
    envelope: Decimal
    funded: Decimal
    committed: Decimal
    seed: str
    ties: list[Tie] = field(default_factory=list)
    generated_at: datetime = field(default_factory=utcnow)
    locale: str = "fr"

    @property
    def departures(self) -> list[Row]:
        return [r for r in self.rows if r.departure]

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.committed


def _resolution(call: Call) -> tuple[str, str]:
    version = call.rule_set_version
    adopted_on = when(version.decided_at) if version.decided_at is not None else ""
    if version.resolution_id is None:
        return "", adopted_on
    resolution = db.session.scalar(select(Resolution).where(Resolution.id == version.resolution_id)
                                   .options(selectinload(Resolution.agenda_item).selectinload(AgendaItem.assembly)))
    if resolution is None:
        return "", adopted_on
    assembly = resolution.agenda_item.assembly if resolution.agenda_item else None
    if assembly is None:
        return resolution.title, adopted_on
    return _("“%(resolution)s”, assembly “%(assembly)s”", resolution=resolution.title,
             assembly=localized_text(assembly, "title")), adopted_on


def _score(text: str | None) -> str:
    return score_text(Fraction(text)) if text else ""


def gather(decision: SelectionDecision, *, masked: Collection[int] = ()) -> Report:
    """Everything the report shows (``masked``: proposals whose score the reader may not see)."""
    call = decision.call
    data = decision.allocation or {}
    placements = data.get("placements") or []
    items = {i.proposal_id: i for i in decision.items}
    ids = sorted({p["proposal_id"] for p in placements} | set(items))
    proposals = {p.id: p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_(ids)).options(selectinload(Proposal.lead_member)))} if ids else {}
    rows = []
    ordered = [p["proposal_id"] for p in placements] + [pid for pid in sorted(items) if pid not in
                                                         {p["proposal_id"] for p in placements}]
    by_id = {p["proposal_id"]: p for p in placements}
    for pid in ordered:
        placement = by_id.get(pid, {})
        item = items.get(pid)
        proposal = proposals.get(pid)
        hidden = pid in masked
        rows.append(Row(
            proposal_id=pid, reference=reference(proposal) if proposal else str(pid),
            title=proposal.title if proposal else "", lead=proposal.lead_member.name if proposal else "",
            rank=placement.get("rank"), score=_("conflict of interest") if hidden else _score(placement.get("score")),
            masked=hidden, line_outcome=line_outcome_label(placement.get("outcome", "")),
            outcome=DecisionOutcome(item.outcome).label if item else "",
            amount=from_cents(item.amount_cents) if item else Decimal(0), departure=bool(item and item.departure),
            reason=item.reason if item else ""))
    reviewer_members = set(db.session.scalars(
        select(Review.reviewer_member_id).where(Review.call_id == call.id, Review.status == ReviewStatus.submitted,
                                                Review.reviewer_member_id.is_not(None)).distinct()))
    known = conflict_queries.of_proposals(ids)
    committee = committee_member_ids() | reviewer_members
    conflict_members: set[int] = set()
    entries: list[tuple[int, int, str]] = []
    for pid, members in known.items():
        for member_id, found in members.items():
            for entry in found:
                if entry.source in (ConflictSource.recorded, ConflictSource.declared) or member_id in committee:
                    entries.append((member_id, pid, entry.source))
                    conflict_members.add(member_id)
    names = dict(db.session.execute(select(Member.id, Member.name).where(
        Member.id.in_(reviewer_members | conflict_members))).all()) if (reviewer_members | conflict_members) else {}
    conflict_rows = sorted(
        (ConflictRow(names.get(m, str(m)), reference(proposals[pid]) if pid in proposals else str(pid),
                     ConflictSource(source).label) for m, pid, source in entries),
        key=lambda r: (r.reference, r.organisation))
    resolution, adopted_on = _resolution(call)
    ties = []
    for t in data.get("ties") or []:
        refs = [reference(proposals[pid]) if pid in proposals else str(pid) for pid in t.get("order", [])]
        hidden = any(pid in masked for pid in t.get("order", []))
        ties.append(Tie(score=_("conflict of interest") if hidden else _score(t.get("score")), references=refs,
                        keys=list(t.get("keys", [])), at_line=bool(t.get("at_line"))))
    ranking = decision.ranking
    return Report(
        call=call, decision=decision, version_label=call.rule_set_version.label, resolution=resolution,
        adopted_on=adopted_on, reviewers=sorted(names[m] for m in reviewer_members if m in names),
        conflicts=conflict_rows, rows=rows,
        ranking_label=RankingBasis(ranking).label if ranking in RankingBasis.__members__ else ranking,
        mode_label=str(_l("Skip a proposal that does not fit") if decision.mode == alloc.SKIP
                       else _l("Stop at the first proposal that does not fit")),
        min_score=_score(decision.min_score) if decision.min_score else "",
        line_rank=data.get("line_rank"), line_score=_score(data.get("line_score")),
        envelope=from_cents(decision.envelope_cents), funded=from_cents(int(data.get("funded_cents") or 0)),
        committed=from_cents(decision.committed_cents), seed=str(data.get("seed") or ""), ties=ties,
        locale=str(get_locale() or "fr"))


def render_html(report: Report) -> str:
    return render_template(
        "calls/decisions/report.html", r=report, call=report.call, locale=report.locale,
        direction=text_direction(report.locale), when=when,
        programme=current_app.config.get("PROGRAMME_NAME") or _("Programme platform"))


def render_pdf(decision: SelectionDecision, *, masked: Collection[int] = ()) -> bytes:
    """The selection report as a PDF in the request's language."""
    return html_to_pdf(render_html(gather(decision, masked=masked)))

