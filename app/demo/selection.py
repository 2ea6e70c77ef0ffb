"""Demo selection: a call decided and published with its reviews, and a call in review.

- The first 2026 call (``DECIDED_CALL``, under the 2014 rules still in force then): eight proposals, one
  ineligible after instruction; a panel of six committee delegates scores them (each reviews four, so the
  calibration applies); the committee's decision follows the line drawn in skip mode inside the envelope,
  except one proposal placed in reserve with its reason; the secretariat publishes it and the letters are
  queued. The demo delegate's member (UTSS) led one proposal: its outcome page and letter answer.
- The youth call (``REVIEW_CALL``, under the co-built 2026 rules), closed and in review: ten proposals, one
  ineligible after instruction; a conflict recorded by the secretariat before the reviewers are suggested
  (3 per proposal), a conflict declared by a reviewer (replaced by hand), most reviews submitted, one
  proposal flagged for discussion (scores far apart) with its thread; the demo delegate has one review in
  draft, one not started, and cannot open the proposal whose partner is its member (a derived conflict).

Everything goes through the services the pages use, then the dates are set to when it happened. The
e-mails the services queue (assignments, letters) are removed afterwards, as ``load_calls`` does.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import delete, select

from app.auth.models import User
from app.calls import (
    allocation,
    conflicts,
    eligibility,
    instruction,
    proposals,
    review_queries,
    reviewing,
    rules,
    scoring,
)
from app.calls import selection as selection_service
from app.calls import services as call_services
from app.calls.models import Call, Challenge, Proposal, RuleSetVersion
from app.calls.money import round_euro
from app.calls.selection_models import Conflict, Review, ReviewAssignment, ReviewComment, ReviewStatus
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.demo.call_helpers import (
    _check,
    _date_proposal,
    _delegates,
    _fill,
    _indicators,
    _lines_for,
    _members,
    _new_call,
)
from app.demo.selection_data import (
    BANDS,
    DECIDED_CALL,
    DECIDED_CHALLENGES,
    DECIDED_ENVELOPE,
    DECIDED_MINUTES,
    DECIDED_PROJECTS,
    DECLARED_CONFLICT,
    DEPARTURE_KEY,
    DEPARTURE_REASON,
    DISCUSSION,
    DRAFT_NOTE,
    FLAGGED_KEY,
    FLAGGED_SCORES,
    INELIGIBLE_DECIDED,
    INELIGIBLE_REVIEW,
    NOT_APPLICABLE,
    QUALITY,
    RECORDED_CONFLICT,
    REMARKS,
    REVIEW_CALL,
    REVIEW_CHALLENGES,
    REVIEW_ENVELOPE,
    REVIEW_PROJECTS,
)
from app.extensions import db

DEMO_DELEGATE = "delegate@demo.example.org"
DEMO_ALTERNATE = "alternate@demo.example.org"
#: The demo delegate's assignments in the call in review: its draft, and the one it has not started.
DELEGATE_DRAFT, DELEGATE_TO_DO = "ajasb-agroecologie", "caers-cooperatives"
#: The panel of the decided call (their delegates), with each reviewer's leaning (calibration corrects it).
PANEL = (("FV", 1), ("ANSA", 0), ("CONV", -1), ("ENDA", 0), ("COBT", 1), ("AMAR", -1))
#: Scores of one proposal's reviews stay within this range unless the proposal is meant to be flagged.
CALM_RANGE = 20

# The decided call, dated as it happened (reviewed by the committee elected in June 2026).
DECIDED_CREATED = datetime(2026, 1, 19, 9, 0, tzinfo=UTC)
DECIDED_OPENS = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
DECIDED_CLOSES = datetime(2026, 4, 30, 16, 0, tzinfo=UTC)
DECIDED_INSTRUCTED = datetime(2026, 5, 20, 15, 0, tzinfo=UTC)
DECIDED_REVIEW_STARTS = datetime(2026, 7, 6, 9, 0, tzinfo=UTC)
DECIDED_REVIEW_DEADLINE = datetime(2026, 8, 28, 17, 0, tzinfo=UTC)
DECIDED_AT = datetime(2026, 9, 10, 17, 0, tzinfo=UTC)
DECIDED_PUBLISHED = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
DECIDED_STARTS = date(2026, 10, 1)
# The call in review; its review deadline is a fortnight after the load.
REVIEW_CREATED = datetime(2026, 9, 28, 9, 0, tzinfo=UTC)
REVIEW_OPENS = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
REVIEW_CLOSES = datetime(2026, 11, 6, 16, 0, tzinfo=UTC)
REVIEW_INSTRUCTED = datetime(2026, 11, 12, 11, 0, tzinfo=UTC)
REVIEW_STARTS = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
REVIEW_DAYS_LEFT = 15
REVIEW_PROJECT_STARTS = date(2027, 3, 1)


# Proposals ---------------------------------------------------------------------------------------------

def _requested(project: dict[str, Any], funding: rules.Funding) -> Decimal:
    """What the project asks: its own figure, else the most the rules allow (whole euros)."""
    if project["requested"] is not None:
        return Decimal(project["requested"])
    at_rate = round_euro(Decimal(project["budget"]) * funding.rate)
    return min(at_rate, funding.ceiling) if funding.ceiling is not None else at_rate


def _submit_projects(call: Call, projects: list[dict[str, Any]], *, starts_on: date,
                     challenges: dict[str, Challenge]) -> dict[str, Proposal]:
    """Each project drafted and submitted by its lead's delegate; the rules give its maximum grant."""
    delegates, members = _delegates(), _members()
    funding = rules.Funding.from_content(call.rule_set_version.content["funding"])
    made: dict[str, Proposal] = {}
    for project in projects:
        delegate = delegates[project["lead"]]
        budget, requested = Decimal(project["budget"]), _requested(project, funding)
        rest = budget - requested
        own = (rest * 2 / 5).quantize(Decimal(1), rounding=ROUND_DOWN)
        proposal = proposals.create_proposal(call, actor=delegate)
        _fill(proposal, {**project, "starts_on": starts_on}, actor=delegate, challenges=challenges,
              members=members, budget_lines=_lines_for(budget, requested),
              cofinancing=[{"source": f"Fonds propres ({members[project['lead']].name})", "amount": str(own),
                            "confirmed": True},
                           {"source": project["cofunder"], "amount": str(rest - own), "confirmed": True}],
              indicators=_indicators(project, members),
              sections=list(proposals.SECTIONS))
        failing = [o.kind for o in eligibility.check(proposal).failures]
        _check(not failing, f"{project['key']} fails {failing}")
        proposals.submit(proposal, actor=delegate)
        _check(proposal.total_budget == budget, f"{project['key']}: budget lines add up to {proposal.total_budget}")
        made[project["key"]] = proposal
    return made


def _close_and_instruct(call: Call, made: dict[str, Proposal], ineligible: tuple[str, str, str], *,
                        secretariat: User) -> None:
    """Close the call, override the one rule the secretariat found failing, confirm every eligibility,
    and move the call into review."""
    call_services.close_call(call, actor=secretariat)
    key, kind, reason = ineligible
    instruction.override_rule(made[key], actor=secretariat, kind=kind, passed=False, reason=reason)
    for proposal in made.values():
        instruction.confirm_eligibility(proposal, actor=secretariat)
    call_services.advance(call, actor=secretariat)  # closed -> in review


def _date_projects(call: Call, made: dict[str, Proposal], *, created: datetime, opens: datetime,
                   closes: datetime, instructed: datetime, rng: random.Random) -> None:
    call.created_at = created
    call.opens_at = call.opened_at = opens
    call.closes_at = call.closed_at = closes
    span = (closes - opens).days - 20
    for index, proposal in enumerate(made.values()):
        started = opens + timedelta(days=3 + index * span // len(made), hours=rng.randint(0, 8))
        submitted = closes - timedelta(days=rng.randint(1, 12), hours=rng.randint(1, 8))
        _date_proposal(proposal, started, max(submitted, started + timedelta(days=8)))
        proposal.instructed_at = instructed


# Reviews -----------------------------------------------------------------------------------------------

def _justification(key: str, code: str, score: int | None, rng: random.Random) -> str:
    if score is None:
        return NOT_APPLICABLE
    band = 0 if score <= 2 else 1 if score == 3 else 2
    return f"{rng.choice(BANDS[code][band])} {REMARKS[key][code]}"


def _marks(key: str, scores: dict[str, int | None], rng: random.Random) -> dict[str, scoring.Mark]:
    return {code: scoring.Mark(score, _justification(key, code, score, rng)) for code, score in scores.items()}


def _drawn_scores(key: str, count: int, leanings: list[int], criteria: list[scoring.Criterion],
                  rng: random.Random) -> list[dict[str, int | None]]:
    """``count`` reviews of a project around its merit, each reviewer's leaning on one criterion, redrawn
    until their weighted scores lie within ``CALM_RANGE`` (not flagged for discussion)."""
    quality = QUALITY[key]
    drawn: list[dict[str, int | None]] = []
    for _ in range(50):
        drawn = []
        for leaning in leanings[:count]:
            leaned = rng.choice(list(quality))
            drawn.append({code: max(0, min(5, base + (leaning if code == leaned else 0)
                                           + rng.choices((-1, 0, 1), weights=(1, 4, 1))[0]))
                          for code, base in quality.items()})
        totals = [scoring.weighted_score(criteria, {c: scoring.Mark(s, "") for c, s in d.items()}) for d in drawn]
        known = [t for t in totals if t is not None]
        if not known or max(known) - min(known) <= CALM_RANGE:
            break
    return drawn


def _submit(proposal: Proposal, reviewer: User, key: str, scores: dict[str, int | None], *,
            eligible: bool | None, rng: random.Random) -> Review:
    return reviewing.save_review(proposal, actor=reviewer, marks=_marks(key, scores, rng), eligible=eligible,
                                 submit=True)


def _draft(proposal: Proposal, reviewer: User, key: str, scores: dict[str, int | None], *,
           rng: random.Random) -> Review:
    """A review begun: the first two criteria scored, the third's justification started, no score yet."""
    codes = list(scores)
    marks = _marks(key, {c: scores[c] for c in codes[:2]}, rng)
    return reviewing.save_review(proposal, actor=reviewer, marks=marks, eligible=None, submit=False,
                                 pending={codes[2]: DRAFT_NOTE})


# The decided call -----------------------------------------------------------------------------------------

def load_decided_call(*, secretariat: User, version: RuleSetVersion, challenges: dict[str, Challenge],
                      rng: random.Random) -> Call:
    """Submitted, instructed, reviewed by the panel, decided with one departure, published."""
    call = _new_call(secretariat, DECIDED_CALL, version=version, envelope=Decimal(DECIDED_ENVELOPE),
                     challenges=[challenges[c] for c in DECIDED_CHALLENGES], closes_at=utcnow() + timedelta(days=1))
    made = _submit_projects(call, DECIDED_PROJECTS, starts_on=DECIDED_STARTS, challenges=challenges)
    _close_and_instruct(call, made, INELIGIBLE_DECIDED, secretariat=secretariat)
    reviewing.update_settings(call, actor=secretariat, reviewers_per_proposal=3,
                              review_deadline=utcnow() + timedelta(days=30))

    delegates = _delegates()
    panel = [(delegates[acronym], leaning) for acronym, leaning in PANEL]
    known = conflicts.of_call(call.id)
    criteria = review_queries.criteria_of(call)
    reviews: list[Review] = []
    for index, (pkey, proposal) in enumerate(made.items()):
        chosen = [(u, lean) for u, lean in (panel[(index + k) % len(panel)] for k in range(len(panel)))
                  if not conflicts.is_conflicted(u, proposal.id, known=known)][:3]
        _check(len(chosen) == 3, f"{pkey}: the panel has fewer than three reviewers free of conflicts")
        for user, _lean in chosen:
            reviewing.assign(call, proposal, user, actor=secretariat, known=known)
        drawn = _drawn_scores(pkey, 3, [lean for _u, lean in chosen], criteria, rng)
        for (user, _lean), scores in zip(chosen, drawn, strict=True):
            reviews.append(_submit(proposal, user, pkey, scores, eligible=True, rng=rng))
    reviewing.notify(call, actor=secretariat)

    selection_service.update_settings(call, actor=secretariat, ranking="raw", min_score="", mode="skip",
                                      reserve_size=2)
    board = selection_service.board(call)
    line = selection_service.trial(board, selection_service.saved_params(call, board.settings))
    departing = made[DEPARTURE_KEY].id
    placement = line.placement(departing)
    _check(placement is not None and placement.outcome == allocation.FUNDED,
           f"the departure's proposal is not funded by the line: {placement}")
    lead = made[next(p["key"] for p in DECIDED_PROJECTS if p["lead"] == "UTSS")].id
    decided = [allocation.Decided(d.proposal_id, allocation.RESERVED, 0, DEPARTURE_REASON)
               if d.proposal_id == departing else d for d in selection_service.line_decisions(line)]
    _check(next(d for d in decided if d.proposal_id == lead).outcome == allocation.SELECTED,
           "the demo delegate's proposal is not selected")
    decision = selection_service.record_decision(call, actor=secretariat, decided=decided, minutes=DECIDED_MINUTES)
    selection_service.publish_decision(call, actor=secretariat)
    for item in decision.items:
        if item.outcome == allocation.SELECTED:
            item.proposal.awarded_cents = item.amount_cents  # ready to become a grant, as the seed's projects

    # Dated as it happened.
    _date_projects(call, made, created=DECIDED_CREATED, opens=DECIDED_OPENS, closes=DECIDED_CLOSES,
                   instructed=DECIDED_INSTRUCTED, rng=rng)
    settings = review_queries.settings_of(call)
    settings.review_deadline = DECIDED_REVIEW_DEADLINE
    for row in db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.call_id == call.id)):
        row.assigned_at = row.notified_at = DECIDED_REVIEW_STARTS
    window = (DECIDED_REVIEW_DEADLINE - DECIDED_REVIEW_STARTS).days - 3
    for review in reviews:
        submitted = DECIDED_REVIEW_STARTS + timedelta(days=rng.randint(2, window), hours=rng.randint(0, 9))
        review.created_at = submitted - timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 5))
        review.updated_at = review.submitted_at = submitted
    decision.decided_at = DECIDED_AT
    decision.published_at = call.published_at = DECIDED_PUBLISHED
    for item in decision.items:
        item.letter_sent_at = DECIDED_PUBLISHED
    return call


# The call in review -----------------------------------------------------------------------------------

def _replacement(call: Call, proposal: Proposal) -> User:
    """A reviewer for a proposal that lost one: the least loaded committee member free of conflicts whose
    organisation does not review it yet (what the secretariat picks from the assignment page)."""
    rows = reviewing.assignments_of(call.id)
    loads: dict[int, int] = defaultdict(int)
    for row in rows:
        loads[row.reviewer_id] += 1
    taken = {row.reviewer.member_id for row in rows if row.proposal_id == proposal.id}
    people = [u for u in review_queries.reviewers() if u.member_id not in taken
              and not conflicts.is_conflicted(u, proposal.id) and u.email not in (DEMO_DELEGATE, DEMO_ALTERNATE)]
    return min(people, key=lambda u: (loads[u.id], not u.is_delegate, u.id))


def load_review_call(*, secretariat: User, version: RuleSetVersion, challenges: dict[str, Challenge],
                     rng: random.Random) -> Call:
    """Closed and in review: conflicts, the suggested reviewers, reviews submitted or not, the discussion."""
    call = _new_call(secretariat, REVIEW_CALL, version=version, envelope=Decimal(REVIEW_ENVELOPE),
                     challenges=[challenges[c] for c in REVIEW_CHALLENGES], closes_at=utcnow() + timedelta(days=1))
    made = _submit_projects(call, REVIEW_PROJECTS, starts_on=REVIEW_PROJECT_STARTS, challenges=challenges)
    _close_and_instruct(call, made, INELIGIBLE_REVIEW, secretariat=secretariat)
    now = utcnow()
    reviewing.update_settings(call, actor=secretariat, reviewers_per_proposal=3,
                              review_deadline=(now + timedelta(days=REVIEW_DAYS_LEFT)).replace(
                                  hour=17, minute=0, second=0, microsecond=0))

    members = _members()
    member_acronym, pkey, reason = RECORDED_CONFLICT
    recorded = reviewing.record_conflict(made[pkey], actor=secretariat, member_id=members[member_acronym].id,
                                         reason=reason)
    delegate = db.session.scalar(select(User).where(User.email == DEMO_DELEGATE))
    assert delegate is not None
    for pkey in (DELEGATE_DRAFT, DELEGATE_TO_DO):
        reviewing.assign(call, made[pkey], delegate, actor=secretariat)
    added = reviewing.apply_suggestion(call, actor=secretariat)
    _check(added == 3 * len(made) - 2, f"the suggestion added {added} reviewers")
    reviewing.notify(call, actor=secretariat)

    declared_key, declared_reason = DECLARED_CONFLICT
    declarer = next(row.reviewer for row in reviewing.assignments_of(call.id)
                    if row.proposal_id == made[declared_key].id
                    and row.reviewer.email not in (DEMO_DELEGATE, DEMO_ALTERNATE))
    declared = reviewing.declare_conflict(made[declared_key], actor=declarer, reason=declared_reason)
    replacement = _replacement(call, made[declared_key])
    reviewing.assign(call, made[declared_key], replacement, actor=secretariat)

    # The reviews: the delegate's draft and its review not started, one more of each by others, the rest
    # submitted; the flagged proposal's reviews far apart; one reviewer doubts the ineligible one.
    by_key = {proposal.id: key for key, proposal in made.items()}
    rows = [row for row in reviewing.assignments_of(call.id) if row.reviewer_id != declarer.id
            or row.proposal_id != made[declared_key].id]
    per_proposal: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for row in rows:
        per_proposal[row.proposal_id].append(row)
    others = [row for row in rows if row.reviewer.email not in (DEMO_DELEGATE, DEMO_ALTERNATE)
              and by_key[row.proposal_id] not in (FLAGGED_KEY, declared_key)]
    other_draft, other_to_do = rng.sample(others, 2)
    criteria = review_queries.criteria_of(call)
    submitted: list[Review] = []
    drafts: list[Review] = []
    ineligible_key = INELIGIBLE_REVIEW[0]
    for pid, items in per_proposal.items():
        key = by_key[pid]
        proposal = made[key]
        drawn = FLAGGED_SCORES if key == FLAGGED_KEY else _drawn_scores(key, len(items), [0] * len(items),
                                                                         criteria, rng)
        for position, (row, scores) in enumerate(zip(items, drawn, strict=True)):
            mine = row.reviewer.email == DEMO_DELEGATE
            if row is other_to_do or (mine and key == DELEGATE_TO_DO):
                continue
            if row is other_draft or (mine and key == DELEGATE_DRAFT):
                drafts.append(_draft(proposal, row.reviewer, key, scores, rng=rng))
                continue
            doubts = key == ineligible_key and position == 0
            submitted.append(_submit(proposal, row.reviewer, key, scores, eligible=not doubts, rng=rng))

    flagged = made[FLAGGED_KEY]
    reviewers_of_flagged = [row.reviewer for row in per_proposal[flagged.id]]
    comments = [reviewing.comment(flagged, actor=secretariat if who == "secretariat"
                                  else reviewers_of_flagged[int(who.split(":")[1])], body=body)
                for who, body in DISCUSSION]

    # Dated as it happened; the reviews written since the start of the review, up to an hour ago.
    _date_projects(call, made, created=REVIEW_CREATED, opens=REVIEW_OPENS, closes=REVIEW_CLOSES,
                   instructed=REVIEW_INSTRUCTED, rng=rng)
    latest = now - timedelta(hours=1)

    def past(when: datetime) -> datetime:
        return min(when, latest)

    recorded.created_at = past(REVIEW_STARTS - timedelta(hours=20))
    for row in db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.call_id == call.id)):
        row.assigned_at = row.notified_at = past(REVIEW_STARTS)
        if row.reviewer_id == replacement.id and row.proposal_id == made[declared_key].id:
            row.assigned_at = row.notified_at = past(REVIEW_STARTS + timedelta(days=2, hours=4))
    declared.created_at = past(REVIEW_STARTS + timedelta(days=2, hours=1))
    span = max(1, (latest - REVIEW_STARTS).days - 1)
    for review in submitted:
        when = past(REVIEW_STARTS + timedelta(days=rng.randint(1, span), hours=rng.randint(0, 9)))
        review.created_at = when - timedelta(hours=rng.randint(1, 30))
        review.updated_at = review.submitted_at = when
    for review in drafts:
        begun = latest - timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
        review.created_at = review.updated_at = past(begun)
    last = max(r.submitted_at for r in submitted if r.proposal_id == flagged.id)
    for index, item in enumerate(comments):
        item.created_at = past(last + timedelta(hours=3 + 7 * index))
    return call


def load_selection(*, secretariat: User, rules_2014: RuleSetVersion, rules_2026: RuleSetVersion,
                   rng: random.Random) -> tuple[Call, Call]:
    """Both calls (after ``load_calls``: the challenges and the adopted rule sets exist)."""
    outbox_before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    challenges = {c.code: c for c in db.session.scalars(select(Challenge))}
    decided = load_decided_call(secretariat=secretariat, version=rules_2014, challenges=challenges, rng=rng)
    in_review = load_review_call(secretariat=secretariat, version=rules_2026, challenges=challenges, rng=rng)
    # The demo's mail history stays short (as for the calls and the assemblies).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    _check(db.session.scalar(select(db.func.count(Conflict.id)).where(Conflict.call_id == in_review.id)) == 2,
           "the call in review should hold one recorded and one declared conflict")
    _check(db.session.scalar(select(db.func.count(ReviewComment.id))) == len(DISCUSSION), "the discussion is missing")
    _check(db.session.scalar(select(db.func.count(Review.id)).where(Review.status == ReviewStatus.draft)) == 2,
           "two reviews in draft expected")
    return decided, in_review
