"""Read helpers of the instruction and public pages: what a page shows, in a fixed number of queries.

The secretariat's proposal list pages through one filtered SELECT and then loads, for the page's rows
only, their latest snapshot's eligibility and their overrides; it never loops a query per row, so the
same number of statements runs at 10 and at 1,000 proposals (tests/calls/test_bounded_queries.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.calls.models import (
    Call,
    CallStatus,
    Challenge,
    EligibilityOverride,
    Proposal,
    ProposalSnapshot,
    ProposalStatus,
    proposal_challenges,
)
from app.calls.money import from_cents
from app.calls.wording import country_name
from app.extensions import db
from app.members.models import Member
from app.members.rules import name_key

# Numbers -------------------------------------------------------------------------------------------


def number(value: int | None) -> str:
    """A count in the viewer's language (1 040 in French, 1,040 in English); "—" when absent."""
    return "—" if value is None else format_decimal(value)


# The secretariat's proposal list -------------------------------------------------------------------

STATUS_CHOICES = ("submitted", "draft", "withdrawn", "all")
ELIGIBILITY_CHOICES = ("eligible", "ineligible", "overridden", "unchecked")


@dataclass(frozen=True)
class ProposalFilters:
    """What the list is narrowed and ordered by (from the query string); unknown values are ignored."""

    status: str = "submitted"
    eligibility: str = ""
    challenge: int | None = None
    country: str = ""
    territory: str = ""
    q: str = ""
    desc: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> ProposalFilters:
        status = args.get("status") or "submitted"
        eligibility = args.get("eligibility") or ""
        try:
            challenge = int(args.get("challenge") or 0) or None
        except (TypeError, ValueError):
            challenge = None
        return cls(status=status if status in STATUS_CHOICES else "submitted",
                   eligibility=eligibility if eligibility in ELIGIBILITY_CHOICES else "",
                   challenge=challenge, country=(args.get("country") or "").strip().upper()[:2],
                   territory=(args.get("territory") or "").strip()[:200], q=(args.get("q") or "").strip()[:200],
                   desc=args.get("dir") == "desc")

    def args(self, **changes: Any) -> dict[str, Any]:
        """The filters as query arguments (for the export links), empty ones left out."""
        values = {"status": self.status, "eligibility": self.eligibility, "challenge": self.challenge,
                  "country": self.country, "territory": self.territory, "q": self.q,
                  "dir": "desc" if self.desc else None, **changes}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _has_override() -> Any:
    return exists().where(EligibilityOverride.proposal_id == Proposal.id)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def proposals_query(call_id: int, filters: ProposalFilters) -> Select[tuple[Proposal]]:
    """The call's proposals as one filtered SELECT, lead member joined, challenges loaded with them."""
    query = (select(Proposal).join(Proposal.lead_member).where(Proposal.call_id == call_id)
             .options(contains_eager(Proposal.lead_member), selectinload(Proposal.challenges)))
    if filters.status != "all":
        query = query.where(Proposal.status == filters.status)
    if filters.eligibility == "overridden":
        query = query.where(_has_override())
    elif filters.eligibility in ("eligible", "ineligible"):
        query = query.where(Proposal.eligible.is_(filters.eligibility == "eligible"), ~_has_override())
    elif filters.eligibility == "unchecked":
        query = query.where(Proposal.eligible.is_(None))
    if filters.challenge is not None:
        query = query.where(exists().where(proposal_challenges.c.proposal_id == Proposal.id,
                                           proposal_challenges.c.challenge_id == filters.challenge))
    if filters.country:
        query = query.where(Member.country == filters.country)
    if filters.territory:
        query = query.where(func.lower(Proposal.territories).like(_like(filters.territory), escape="\\"))
    if filters.q:
        matches = [func.lower(Proposal.title).like(_like(filters.q), escape="\\"),
                   func.lower(Member.acronym).like(_like(filters.q), escape="\\")]
        if name_key(filters.q):  # accents and case ignored in the lead's name; punctuation alone matches none
            matches.append(Member.name_key.like(_like(name_key(filters.q)), escape="\\"))
        query = query.where(or_(*matches))
    submitted = Proposal.submitted_at.desc() if filters.desc else Proposal.submitted_at.asc()
    # Drafts (no submission date) last either way, on every engine.
    return query.order_by(case((Proposal.submitted_at.is_(None), 1), else_=0), submitted, Proposal.id)


@dataclass(frozen=True)
class RowEligibility:
    """A proposal's eligibility as the list shows it: automatic, and effective after the overrides."""

    automatic: bool | None
    effective: bool | None
    overridden: bool

    @property
    def state(self) -> str:
        """``eligible``, ``ineligible``, ``overridden`` or ``unchecked`` (the filter's values)."""
        if self.overridden:
            return "overridden"
        if self.automatic is None:
            return "unchecked"
        return "eligible" if self.automatic else "ineligible"


def row_eligibility(automatic: bool | None, outcomes: Sequence[Mapping[str, Any]] | None,
                    overrides: Mapping[str, EligibilityOverride]) -> RowEligibility:
    """Effective eligibility from the snapshot's [{kind, passed}] and the overrides (kind → override)."""
    if outcomes is None:
        return RowEligibility(automatic, automatic if not overrides else None, bool(overrides))
    passed = {o["kind"]: bool(o["passed"]) for o in outcomes}
    auto = all(passed.values())
    effective = all(overrides[k].passed if k in overrides else v for k, v in passed.items())
    return RowEligibility(auto, effective, bool(overrides))


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    """Ids in slices, so an export of thousands stays under every engine's bound-parameter limit."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def latest_eligibility(proposal_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The latest snapshot's [{kind, passed}] of each proposal (one query)."""
    found: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(proposal_ids):
        rows = db.session.execute(
            select(ProposalSnapshot.proposal_id, ProposalSnapshot.eligibility)
            .join(Proposal, and_(Proposal.id == ProposalSnapshot.proposal_id,
                                 Proposal.submitted_number == ProposalSnapshot.number))
            .where(ProposalSnapshot.proposal_id.in_(chunk)))
        found.update({pid: list(eligibility or []) for pid, eligibility in rows})
    return found


def overrides_of(proposal_ids: Sequence[int]) -> dict[int, dict[str, EligibilityOverride]]:
    """Every override of these proposals, by proposal and rule kind (one query)."""
    found: dict[int, dict[str, EligibilityOverride]] = defaultdict(dict)
    for chunk in _chunks(proposal_ids):
        for item in db.session.scalars(select(EligibilityOverride)
                                       .where(EligibilityOverride.proposal_id.in_(chunk))
                                       .options(joinedload(EligibilityOverride.created_by))
                                       .order_by(EligibilityOverride.id)):
            found[item.proposal_id][item.kind] = item
    return dict(found)


def eligibility_of(proposals: Sequence[Proposal],
                   overrides: Mapping[int, Mapping[str, EligibilityOverride]] | None = None
                   ) -> dict[int, RowEligibility]:
    """Each proposal's automatic and effective eligibility (two queries, whatever the number; one when the
    overrides, from ``overrides_of``, are given)."""
    ids = [p.id for p in proposals]
    outcomes = latest_eligibility(ids)
    overrides = overrides_of(ids) if overrides is None else overrides
    return {p.id: row_eligibility(p.eligible, outcomes.get(p.id), overrides.get(p.id, {})) for p in proposals}


@dataclass
class Counts:
    """The figures at the top of the list: proposals per status, and the submitted ones per eligibility."""

    by_status: dict[str, int] = field(default_factory=dict)
    submitted_by_eligibility: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def counts(call_id: int) -> Counts:
    """Per status and, for submitted proposals, per eligibility state (one query)."""
    overridden = case((_has_override(), 1), else_=0).label("overridden")
    result = Counts(by_status={s.value: 0 for s in ProposalStatus},
                    submitted_by_eligibility={k: 0 for k in ELIGIBILITY_CHOICES})
    rows = db.session.execute(select(Proposal.status, Proposal.eligible, overridden, func.count())
                              .where(Proposal.call_id == call_id)
                              .group_by(Proposal.status, Proposal.eligible, overridden))
    for status, eligible, is_overridden, number in rows:
        result.by_status[status] = result.by_status.get(status, 0) + number
        if status == ProposalStatus.submitted:
            state = RowEligibility(eligible, None, bool(is_overridden)).state
            result.submitted_by_eligibility[state] += number
    return result


def call_or_none(call_id: int) -> Call | None:
    """The call with its challenges (two queries)."""
    return db.session.scalar(select(Call).where(Call.id == call_id).options(selectinload(Call.challenges)))


# The instruction page --------------------------------------------------------------------------------


def proposal_for_instruction(proposal_id: int) -> Proposal | None:
    """The proposal with its call, the call's rule-set version and its lead (one query)."""
    return db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(joinedload(Proposal.call).joinedload(Call.rule_set_version), joinedload(Proposal.lead_member)))


def challenges_by_id(ids: Iterable[int]) -> dict[int, Challenge]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {c.id: c for c in db.session.scalars(select(Challenge).where(Challenge.id.in_(wanted)))}


@dataclass(frozen=True)
class SnapshotLines:
    """A snapshot's lines with amounts as ``Decimal`` and their totals (computed again, never trusted)."""

    budget: list[dict[str, Any]]
    cofinancing: list[dict[str, Any]]
    budget_total: Decimal
    requested_total: Decimal
    cofinancing_total: Decimal
    cofinancing_confirmed: Decimal


def snapshot_lines(content: Mapping[str, Any]) -> SnapshotLines:
    budget = [{**line, "total": Decimal(str(line.get("total") or "0")),
               "requested": Decimal(str(line.get("requested") or "0"))} for line in content.get("budget_lines") or []]
    cofinancing = [{**line, "amount": Decimal(str(line.get("amount") or "0"))}
                   for line in content.get("cofinancing_lines") or []]
    zero = Decimal("0.00")
    return SnapshotLines(
        budget=budget, cofinancing=cofinancing,
        budget_total=sum((b["total"] for b in budget), zero),
        requested_total=sum((b["requested"] for b in budget), zero),
        cofinancing_total=sum((c["amount"] for c in cofinancing), zero),
        cofinancing_confirmed=sum((c["amount"] for c in cofinancing if c.get("confirmed")), zero))


# Exports ---------------------------------------------------------------------------------------------


def submitted_for_export(call_id: int, filters: ProposalFilters) -> list[Proposal]:
    """Every submitted proposal matching the filters, with lead, challenges and budget lines (three queries)."""
    query = proposals_query(call_id, replace(filters, status="submitted"))
    return list(db.session.scalars(query.options(selectinload(Proposal.budget_lines))))


# Public pages ----------------------------------------------------------------------------------------


def published_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).where(Call.status == CallStatus.published)
                                   .order_by(Call.published_at.desc(), Call.id.desc())))


def published_call(call_id: int) -> Call | None:
    """A call only if it is published (the public pages show nothing else)."""
    return db.session.scalar(select(Call).where(Call.id == call_id, Call.status == CallStatus.published))


@dataclass(frozen=True)
class FundedTotals:
    projects: int
    budget: Decimal
    awarded: Decimal
    beneficiaries_direct: int
    beneficiaries_indirect: int


def funded_projects(call_id: int) -> list[Proposal]:
    """The call's funded projects (a grant awarded) with lead and partners, by lead name (two queries)."""
    return list(db.session.scalars(
        select(Proposal).join(Proposal.lead_member)
        .where(Proposal.call_id == call_id, Proposal.awarded_cents.is_not(None),
               Proposal.status == ProposalStatus.submitted)
        .options(contains_eager(Proposal.lead_member), selectinload(Proposal.partners))
        .order_by(Member.name, Proposal.id)))


def countries_of(project: Proposal) -> str:
    """The project's countries, lead's first, as the seed's page heads each project ("Tunisie / France")."""
    codes = [project.lead_member.country, *(p.country for p in project.partners)]
    return " / ".join(country_name(code) for code in dict.fromkeys(c.upper() for c in codes if c))


def funded_totals(projects: Sequence[Proposal]) -> FundedTotals:
    return FundedTotals(projects=len(projects),
                        budget=from_cents(sum(p.total_budget_cents for p in projects)),
                        awarded=from_cents(sum(p.awarded_cents or 0 for p in projects)),
                        beneficiaries_direct=sum(p.beneficiaries_direct or 0 for p in projects),
                        beneficiaries_indirect=sum(p.beneficiaries_indirect or 0 for p in projects))
