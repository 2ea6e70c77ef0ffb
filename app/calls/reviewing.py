"""The committee's reviews: reviewers assigned by hand or from the suggestion, e-mails and reminders,
the scoring form's drafts and submission, conflicts declared or recorded, and the discussion.

Services take an explicit ``actor``, check the state, raise ``DomainError`` (``ReviewRefused`` with
field errors for the scoring form), flush and never commit. Conflicts are checked here
(``conflicts.ensure_free``) as well as in the routes. No anchoring: ``visible_reviews`` shows a
reviewer the others' reviews only once their own is submitted.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.services import external_url, send_mail
from app.calls import assignment, conflicts, review_queries, scoring
from app.calls.models import Call, CallStatus, Proposal, ProposalStatus
from app.calls.selection_models import (
    Conflict,
    ConflictSource,
    Review,
    ReviewAssignment,
    ReviewComment,
    ReviewStatus,
    SelectionSettings,
)
from app.calls.wording import reference
from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import Role, roles_of
from app.core.timeutil import as_utc, utcnow
from app.extensions import add_unique, db

#: Call states in which reviewers may be assigned (from the close on, until the decision).
ASSIGNABLE = (CallStatus.closed, CallStatus.in_review)
#: Reviewers are reminded once, this many days before the review deadline (``flask calls remind``).
REMIND_DAYS = 7
MAX_REVIEWERS = 20
MIN_COMMENT = 2
MAX_COMMENT = 5000
MAX_JUSTIFICATION = 5000


class ReviewRefused(DomainError):
    """The review cannot be submitted: ``errors`` maps each form field to its messages."""

    def __init__(self, message: object, errors: Mapping[str, list[str]]) -> None:
        super().__init__(message)
        self.errors = dict(errors)


def _is_secretariat(user: Any) -> bool:
    return Role.secretariat in roles_of(user)


# Settings -------------------------------------------------------------------------------------------

def update_settings(call: Call, *, actor: User, reviewers_per_proposal: int,
                    review_deadline: datetime | None) -> SelectionSettings:
    """R and the review deadline; refused once the decision is recorded."""
    if call.status not in (CallStatus.closed, CallStatus.in_review, CallStatus.open, CallStatus.draft):
        raise DomainError(_l("The selection is decided: the review settings can no longer change."))
    if not 1 <= reviewers_per_proposal <= MAX_REVIEWERS:
        raise DomainError(_l("Enter a number of reviewers from 1 to %(max)d.", max=MAX_REVIEWERS),
                          field="reviewers_per_proposal")
    settings = review_queries.settings_of(call)
    before = {"reviewers_per_proposal": settings.reviewers_per_proposal,
              "review_deadline": settings.review_deadline.isoformat() if settings.review_deadline else None}
    settings.reviewers_per_proposal = reviewers_per_proposal
    settings.review_deadline = as_utc(review_deadline) if review_deadline else None
    if settings.review_deadline and settings.reminded_at and settings.review_deadline > settings.reminded_at:
        settings.reminded_at = None  # a new deadline: reviewers are reminded of it again
    db.session.flush()
    audit.record("review.settings", "call", call.id, actor=actor, before=before,
                 after={"reviewers_per_proposal": reviewers_per_proposal,
                        "review_deadline": settings.review_deadline.isoformat() if settings.review_deadline else None})
    return settings


def deadline_of(call: Call) -> datetime | None:
    row = db.session.get(SelectionSettings, call.id)
    return row.review_deadline if row else None


def deadline_passed(call: Call, now: datetime | None = None) -> bool:
    deadline = deadline_of(call)
    return deadline is not None and (now or utcnow()) >= deadline


# Assignments ----------------------------------------------------------------------------------------

def assignments_of(call_id: int) -> list[ReviewAssignment]:
    return list(db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.call_id == call_id)
                                   .options(selectinload(ReviewAssignment.reviewer))
                                   .order_by(ReviewAssignment.proposal_id, ReviewAssignment.id)))


def reviews_of(call_id: int) -> list[Review]:
    """Every review (drafts too) of a call, for the assignment table's states."""
    return list(db.session.scalars(select(Review).where(Review.call_id == call_id).order_by(Review.id)))


def _ensure_assignable(call: Call) -> None:
    if call.status not in ASSIGNABLE:
        raise DomainError(_l("Reviewers are assigned once the call is closed and until the decision."))


def assign(call: Call, proposal: Proposal, reviewer: User, *, actor: User, suggested: bool = False,
           known: Mapping[int, Mapping[int, Any]] | None = None) -> ReviewAssignment:
    """Ask a committee member to review a proposal; refused for a conflicted reviewer. Audited."""
    _ensure_assignable(call)
    if proposal.call_id != call.id or proposal.status != ProposalStatus.submitted:
        raise DomainError(_l("Only a submitted proposal of this call can be reviewed."), field="proposal_id")
    if reviewer.member_id is None or Role.committee not in roles_of(reviewer) or not reviewer.active:
        raise DomainError(_l("Choose a member of the steering committee."), field="reviewer_id")
    if conflicts.is_conflicted(reviewer, proposal.id, known=known):
        raise conflicts.ConflictOfInterest(
            _l("%(name)s has a conflict of interest with this proposal and cannot review it.",
               name=reviewer.full_name), field="reviewer_id")
    others = db.session.scalars(select(User.member_id).join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
                                .where(ReviewAssignment.proposal_id == proposal.id,
                                       ReviewAssignment.reviewer_id != reviewer.id)).all()
    if reviewer.member_id in others:
        raise DomainError(_l("Another representative of the same organisation already reviews this proposal."),
                          field="reviewer_id")
    row = ReviewAssignment(call_id=call.id, proposal_id=proposal.id, reviewer_id=reviewer.id,
                           assigned_by_id=actor.id, suggested=suggested)
    if not add_unique(row):
        raise DomainError(_l("This reviewer is already assigned to this proposal."), field="reviewer_id")
    audit.record("review.assigned", "proposal", proposal.id, actor=actor,
                 after={"reviewer_id": reviewer.id, "suggested": suggested})
    return row


def unassign(row: ReviewAssignment, *, actor: User) -> None:
    """Take a reviewer off a proposal; refused once their review is submitted (a draft goes with it)."""
    call = db.session.get(Call, row.call_id)
    assert call is not None
    _ensure_assignable(call)
    review = db.session.scalar(select(Review).where(Review.proposal_id == row.proposal_id,
                                                    Review.reviewer_id == row.reviewer_id))
    if review is not None and review.status == ReviewStatus.submitted:
        raise DomainError(_l("The reviewer has submitted the review: it can no longer be taken off."))
    if review is not None:
        db.session.delete(review)
    audit.record("review.unassigned", "proposal", row.proposal_id, actor=actor,
                 before={"reviewer_id": row.reviewer_id, "draft_deleted": review is not None})
    db.session.delete(row)
    db.session.flush()


@dataclass(frozen=True)
class SuggestionView:
    suggestion: assignment.Suggestion
    proposals: list[Proposal]
    reviewers: dict[int, User]
    per_proposal: int
    #: proposal id → reviewer ids left out because they are conflicted (for the preview).
    skipped: dict[int, list[int]]


def suggestion(call: Call) -> SuggestionView:
    """The suggestion for a call (saves nothing): additions, shortfalls, the conflicted reviewers skipped."""
    proposals = review_queries.submitted_proposals(call.id)
    people = review_queries.reviewers()
    known = conflicts.of_call(call.id)
    existing: dict[int, list[int]] = defaultdict(list)
    for row in assignments_of(call.id):
        existing[row.proposal_id].append(row.reviewer_id)
    blocked = {p.id: set(known.get(p.id, {})) for p in proposals}
    per_proposal = review_queries.settings_of(call).reviewers_per_proposal
    result = assignment.suggest([p.id for p in proposals],
                                [assignment.Reviewer(u.id, u.member_id) for u in people],
                                per_proposal=per_proposal, existing=existing, conflicts=blocked)
    skipped = {p.id: [u.id for u in people if u.member_id in blocked[p.id]] for p in proposals}
    return SuggestionView(result, proposals, {u.id: u for u in people}, per_proposal, skipped)


def apply_suggestion(call: Call, *, actor: User) -> int:
    """Make the suggested assignments (recomputed now, so it never adds a conflicted reviewer)."""
    _ensure_assignable(call)
    view = suggestion(call)
    known = conflicts.of_call(call.id)
    by_id = {p.id: p for p in view.proposals}
    for pid, rid in view.suggestion.additions:
        assign(call, by_id[pid], view.reviewers[rid], actor=actor, suggested=True, known=known)
    return len(view.suggestion.additions)


def notify(call: Call, *, actor: User) -> int:
    """E-mail each assigned reviewer their list of proposals and the deadline; returns the reviewers."""
    _ensure_assignable(call)
    rows = assignments_of(call.id)
    if not rows:
        raise DomainError(_l("No reviewer is assigned yet."))
    by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for row in rows:
        by_reviewer[row.reviewer_id].append(row)
    deadline = deadline_of(call)
    link = external_url("reviews.mine")
    now = utcnow()
    for items in by_reviewer.values():
        reviewer = items[0].reviewer
        send_mail(reviewer, "calls/email/review_assignments.txt",
                  _l("Proposals to review: %(title)s", title=LazyString(lambda: call.title)),
                  call=call, items=items, deadline=deadline, link=link, reference=reference)
        for row in items:
            row.notified_at = now
    db.session.flush()
    audit.record("review.notified", "call", call.id, actor=actor, after={"reviewers": len(by_reviewer)})
    return len(by_reviewer)


def unfinished(call_id: int) -> dict[int, list[ReviewAssignment]]:
    """Reviewer id → their assignments without a submitted review (two queries)."""
    done = set(db.session.execute(select(Review.proposal_id, Review.reviewer_id).where(
        Review.call_id == call_id, Review.status == ReviewStatus.submitted)).all())
    out: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for row in assignments_of(call_id):
        if (row.proposal_id, row.reviewer_id) not in done:
            out[row.reviewer_id].append(row)
    return dict(out)


def send_review_reminders(now: datetime | None = None) -> int:
    """Remind reviewers of unfinished reviews within ``REMIND_DAYS`` of the deadline; returns the reviewers.

    Once per call and deadline: ``reminded_at`` is claimed with a conditional UPDATE, so two overlapping
    runs never send twice.
    """
    now = now or utcnow()
    rows = db.session.scalars(select(SelectionSettings).join(Call, Call.id == SelectionSettings.call_id).where(
        Call.status == CallStatus.in_review, SelectionSettings.review_deadline.is_not(None),
        SelectionSettings.review_deadline > now, SelectionSettings.review_deadline <= now + timedelta(days=REMIND_DAYS),
        SelectionSettings.reminded_at.is_(None))).all()
    reminded = 0
    link = external_url("reviews.mine")
    for settings in rows:
        claimed = db.session.execute(
            update(SelectionSettings).where(SelectionSettings.call_id == settings.call_id,
                                            SelectionSettings.reminded_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        call = db.session.get(Call, settings.call_id)
        assert call is not None
        pending = unfinished(call.id)
        for items in pending.values():
            send_mail(items[0].reviewer, "calls/email/review_reminder.txt",
                      _l("Reminder: reviews to finish for %(title)s", title=LazyString(lambda c=call: c.title)),
                      call=call, items=items, deadline=settings.review_deadline, link=link, reference=reference)
        audit.record("review.reminded", "call", call.id, actor=None, after={"reviewers": len(pending)})
        reminded += len(pending)
    return reminded


# Scoring --------------------------------------------------------------------------------------------

def assignment_of(proposal: Proposal, user: Any) -> ReviewAssignment | None:
    return db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id,
                                                            ReviewAssignment.reviewer_id == user.id))


def review_of(proposal: Proposal, user: Any) -> Review | None:
    return db.session.scalar(select(Review).where(Review.proposal_id == proposal.id, Review.reviewer_id == user.id))


def ensure_may_score(proposal: Proposal, user: Any) -> None:
    """Refuse a conflicted or unassigned reviewer (``ConflictOfInterest`` first: routes answer 403)."""
    conflicts.ensure_free(user, proposal.id)
    if assignment_of(proposal, user) is None:
        raise DomainError(_l("You are not assigned to review this proposal."))


def _ensure_open(call: Call, now: datetime | None = None) -> None:
    if call.status != CallStatus.in_review:
        raise DomainError(_l("Reviews are written while the call is in review."))
    if deadline_passed(call, now):
        raise DomainError(_l("The review deadline has passed."))


PROBLEMS = {
    "missing": _l("Give a score or choose “not applicable”."),
    "na_not_allowed": _l("This criterion must be scored: “not applicable” is not allowed."),
    "out_of_scale": _l("Choose a score from 0 to %(max)d."),
    "short_justification": _l("Write at least %(min)d characters (you wrote %(length)d)."),
    "all_na": _l("Score at least one criterion: a review with every criterion “not applicable” has no score."),
}


def problem_message(key: str, params: Mapping[str, Any]) -> str:
    return str(PROBLEMS[key]) % dict(params) if params else str(PROBLEMS[key])


def problem_errors(problems: Sequence[tuple[str, str, Mapping[str, Any]]]) -> dict[str, list[str]]:
    """Scoring problems as form field errors: ``score-<code>``, ``justification-<code>``, ``marks``."""
    errors: dict[str, list[str]] = defaultdict(list)
    for code, key, params in problems:
        if key == "short_justification":
            name = f"justification-{code}"
        elif code:
            name = f"score-{code}"
        else:
            name = "marks"
        errors[name].append(problem_message(key, params))
    return dict(errors)


def save_review(proposal: Proposal, *, actor: User, marks: Mapping[str, scoring.Mark], eligible: bool | None,
                submit: bool, pending: Mapping[str, str] | None = None, now: datetime | None = None) -> Review:
    """Save the reviewer's draft, or submit it when complete (``ReviewRefused`` with field errors).

    ``pending``: justifications written before a score is chosen; a draft keeps them (``"pending": true``),
    a submission counts their criterion as missing.

    One review per proposal and reviewer: the unique constraint decides between two concurrent first
    saves, the second one then updates the row the first created.
    """
    call = proposal.call
    ensure_may_score(proposal, actor)
    _ensure_open(call, now)
    criteria = review_queries.criteria_of(call)
    codes = {c.code for c in criteria}
    clean = {code: scoring.Mark(m.score, m.justification.strip()[:MAX_JUSTIFICATION])
             for code, m in marks.items() if code in codes}
    if submit:
        problems = scoring.mark_problems(criteria, clean)
        if problems:
            raise ReviewRefused(_l("The review cannot be submitted yet: correct the criteria marked below."),
                                problem_errors(problems))
    else:
        out_of_scale = [(c.code, "out_of_scale", {"max": c.scale_max}) for c in criteria
                        if c.code in clean and clean[c.code].score is not None
                        and not 0 <= clean[c.code].score <= c.scale_max]  # type: ignore[operator]
        if out_of_scale:
            raise ReviewRefused(_l("The draft cannot be saved: correct the criteria marked below."),
                                problem_errors(out_of_scale))
    review = review_of(proposal, actor)
    if review is None:
        review = Review(call_id=call.id, proposal_id=proposal.id, reviewer_id=actor.id,
                        reviewer_member_id=actor.member_id, status=ReviewStatus.draft, marks={})
        if not add_unique(review):
            review = review_of(proposal, actor)
            assert review is not None
    else:
        # Serialise two saves of the same review (the second one sees the first's status).
        db.session.execute(update(Review).where(Review.id == review.id).values(updated_at=utcnow())
                           .execution_options(synchronize_session=False))
        db.session.refresh(review)
    if review.status == ReviewStatus.submitted:
        raise DomainError(_l("Your review is already submitted. Reopen it to change it."))
    stored = scoring.marks_to_dict(clean)
    if not submit:
        for code, text in (pending or {}).items():
            if code in codes and code not in stored:
                stored[code] = {"score": None, "justification": text.strip()[:MAX_JUSTIFICATION], "pending": True}
    review.marks = stored
    review.eligible = eligible
    review.reviewer_member_id = actor.member_id
    if submit:
        review.status = ReviewStatus.submitted
        review.submitted_at = now or utcnow()
        score = scoring.weighted_score(criteria, clean)
        audit.record("review.submitted", "proposal", proposal.id, actor=actor,
                     after={"review_id": review.id, "score": scoring.exact(score), "eligible": eligible})
    db.session.flush()
    return review


def reopen(review: Review, *, actor: User, now: datetime | None = None) -> Review:
    """The author reopens a submitted review (back to draft) until the review deadline."""
    if review.reviewer_id != actor.id:
        raise DomainError(_l("Only the author of a review can reopen it."))
    conflicts.ensure_free(actor, review.proposal_id)
    call = db.session.get(Call, review.call_id)
    assert call is not None
    _ensure_open(call, now)
    claimed = db.session.execute(update(Review).where(Review.id == review.id, Review.status == ReviewStatus.submitted)
                                 .values(status=ReviewStatus.draft, submitted_at=None,
                                         reopened_count=Review.reopened_count + 1)
                                 .execution_options(synchronize_session=False))
    db.session.refresh(review)
    if claimed.rowcount != 1:
        raise DomainError(_l("This review is not submitted: there is nothing to reopen."))
    audit.record("review.reopened", "proposal", review.proposal_id, actor=actor, after={"review_id": review.id})
    return review


def visible_reviews(proposal: Proposal, user: Any) -> list[Review]:
    """The others' submitted, counted reviews ``user`` may read: none while their own is not submitted (no
    anchoring), none when conflicted; the secretariat reads all of them."""
    if conflicts.is_conflicted(user, proposal.id):
        return []
    known = conflicts.of_proposals([proposal.id])
    rows = list(db.session.scalars(select(Review).where(Review.proposal_id == proposal.id,
                                                        Review.status == ReviewStatus.submitted)
                                   .options(selectinload(Review.reviewer)).order_by(Review.submitted_at, Review.id)))
    rows = review_queries.counted(rows, known)
    if _is_secretariat(user):
        return rows
    own = [r for r in rows if r.reviewer_id == user.id]
    if not own:
        return []
    return [r for r in rows if r.reviewer_id != user.id]


def may_see_aggregate(proposal: Proposal, user: Any) -> bool:
    """The aggregate anchors too: shown to the secretariat, and to a reviewer once theirs is submitted or
    when they are not assigned to the proposal."""
    if conflicts.is_conflicted(user, proposal.id):
        return False
    if _is_secretariat(user):
        return True
    review = review_of(proposal, user)
    if review is not None and review.status == ReviewStatus.submitted:
        return True
    return assignment_of(proposal, user) is None


# Conflicts ------------------------------------------------------------------------------------------

def declare_conflict(proposal: Proposal, *, actor: User, reason: str) -> Conflict:
    """A reviewer declares a conflict with a proposal (their organisation's). Their review, draft or
    submitted, is no longer counted (``review_queries.counted``)."""
    if actor.member_id is None:
        raise DomainError(_l("Only a member's representative can declare a conflict of interest."))
    if conflicts.is_conflicted(actor, proposal.id):
        raise DomainError(_l("A conflict of interest with this proposal is already on record for your organisation."),
                          field="reason")
    return conflicts.add(proposal, member_id=actor.member_id, source=ConflictSource.declared, reason=reason,
                         actor=actor)


def record_conflict(proposal: Proposal, *, actor: User, member_id: int, reason: str) -> Conflict:
    """The secretariat records another link between a member organisation and a proposal."""
    if member_id in conflicts.conflicted_member_ids(proposal.id):
        raise DomainError(_l("This organisation already has a conflict of interest with this proposal."),
                          field="member_id")
    return conflicts.add(proposal, member_id=member_id, source=ConflictSource.recorded, reason=reason, actor=actor)


def withdraw_conflict(row: Conflict, *, actor: User) -> None:
    conflicts.remove(row, actor=actor)


# Discussion -----------------------------------------------------------------------------------------

def comments_of(proposal: Proposal, user: Any) -> list[ReviewComment]:
    conflicts.ensure_free(user, proposal.id)
    return list(db.session.scalars(select(ReviewComment).where(ReviewComment.proposal_id == proposal.id)
                                   .options(selectinload(ReviewComment.author)).order_by(ReviewComment.id)))


def comment(proposal: Proposal, *, actor: User, body: str) -> ReviewComment:
    """Add to the proposal's discussion (non-conflicted committee members and the secretariat)."""
    conflicts.ensure_free(actor, proposal.id)
    if proposal.call.status not in (CallStatus.closed, CallStatus.in_review, CallStatus.decided):
        raise DomainError(_l("The discussion is open while the proposals are reviewed."), field="body")
    body = (body or "").strip()
    if not MIN_COMMENT <= len(body) <= MAX_COMMENT:
        raise DomainError(_l("Write a comment of %(min)d to %(max)d characters.", min=MIN_COMMENT, max=MAX_COMMENT),
                          field="body")
    row = ReviewComment(call_id=proposal.call_id, proposal_id=proposal.id, author_id=actor.id, body=body)
    db.session.add(row)
    db.session.flush()
    audit.record("review.commented", "proposal", proposal.id, actor=actor, after={"comment_id": row.id})
    return row


# "My reviews" and the home panel --------------------------------------------------------------------

@dataclass(frozen=True)
class MyItem:
    assignment: ReviewAssignment
    review: Review | None
    conflicted: bool
    deadline: datetime | None

    @property
    def state(self) -> str:
        if self.conflicted:
            return "conflict"
        if self.review is None:
            return "to_do"
        return str(self.review.status)


def my_reviews(user: Any) -> list[MyItem]:
    """The user's assignments across calls with their review's state (four queries, bounded)."""
    rows = list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id)
        .options(selectinload(ReviewAssignment.proposal).selectinload(Proposal.call))
        .order_by(ReviewAssignment.call_id.desc(), ReviewAssignment.proposal_id)))
    if not rows:
        return []
    reviews = {r.proposal_id: r for r in db.session.scalars(select(Review).where(Review.reviewer_id == user.id))}
    known = conflicts.of_proposals([r.proposal_id for r in rows])
    deadlines = {cid: when for cid, when in db.session.execute(
        select(SelectionSettings.call_id, SelectionSettings.review_deadline).where(
            SelectionSettings.call_id.in_({r.call_id for r in rows})))}
    return [MyItem(r, reviews.get(r.proposal_id), conflicts.is_conflicted(user, r.proposal_id, known=known),
                   deadlines.get(r.call_id)) for r in rows]


def home_panel(user: Any) -> dict[str, Any] | None:
    """Committee members: the reviews still to write in calls under review."""
    if user.member_id is None or Role.committee not in roles_of(user):
        return None
    items = [i for i in my_reviews(user) if i.assignment.proposal.call.status == CallStatus.in_review
             and i.state in ("to_do", ReviewStatus.draft)]
    return {"review_items": items} if items else None
