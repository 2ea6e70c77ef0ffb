"""Why a representative has no ballot to cast, so that the ballot page says it and what to do.

``no_ballot_reason`` is the rule: facts in, one reason code out (None: a ballot is waiting),
in a fixed precedence a table test pins. ``facts_for`` reads those facts for one user and
one vote in a bounded number of queries; the page words each reason with its action link.

Nothing here reveals what was voted: only that the organisation took part, and which of
its own representatives cast (the participation already records it, never the ballot).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, select

from app.assembly.models import Participation, Proxy, Vote, VoteElector, VoteStatus
from app.auth.models import User
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import CharterSignature, Member, MemberStatus
from app.members.services import current_charter


class NoBallot(StrEnum):
    """Why the user's organisation has no ballot for this user, most decisive first."""

    not_representative = "not_representative"
    closed = "closed"
    member_not_active = "member_not_active"
    charter_not_signed = "charter_not_signed"
    proxy_given = "proxy_given"
    not_open_yet = "not_open_yet"
    not_in_electorate = "not_in_electorate"
    cast_by_you = "cast_by_you"
    cast_by_delegate = "cast_by_delegate"
    cast_by_alternate = "cast_by_alternate"


#: The reasons that mean the organisation took part (the page says it beside that ballot).
CAST = frozenset({NoBallot.cast_by_you, NoBallot.cast_by_delegate, NoBallot.cast_by_alternate})


@dataclass(frozen=True)
class BallotFacts:
    """What decides whether a representative has a ballot (all plain values: the rule is pure).

    ``proxy_holder``: the member holding the organisation's proxy (the frozen one once the vote
    is open; the assembly's live one before). ``cast_by``: "you", "delegate", "alternate" or
    None when nobody of the organisation cast."""

    represents_member: bool
    vote_status: str
    past_closing: bool = False
    member_active: bool = True
    charter_signed: bool = True
    in_electorate: bool = True
    proxy_holder: str | None = None
    cast_by: str | None = None


def no_ballot_reason(facts: BallotFacts) -> NoBallot | None:
    """The one reason to give, or None when a ballot waits for this user.

    Precedence: not a representative; the vote is over; then what keeps the organisation out of
    the electorate (status before charter: signing does not help a suspended member); a proxy;
    a vote not yet open; out of the frozen electorate for another cause (it joined after the
    opening); finally the ballot already cast, and by whom."""
    if not facts.represents_member:
        return NoBallot.not_representative
    if facts.vote_status == VoteStatus.closed or facts.past_closing:
        return NoBallot.closed
    pending = facts.vote_status == VoteStatus.pending
    if pending or not facts.in_electorate:
        if not facts.member_active:
            return NoBallot.member_not_active
        if not facts.charter_signed:
            return NoBallot.charter_not_signed
    if facts.proxy_holder:
        return NoBallot.proxy_given
    if pending:
        return NoBallot.not_open_yet
    if not facts.in_electorate:
        return NoBallot.not_in_electorate
    if facts.cast_by is not None:
        return NoBallot(f"cast_by_{facts.cast_by}")
    return None


#: Vote kind -> (vote) -> when the vote may open at the earliest (None: not known). Elections
#: register theirs (the candidacy window's close); a resolution opens during its assembly.
OPENING_TIMES: dict[str, Callable[[Vote], datetime | None]] = {}


def opens_after(vote: Vote) -> tuple[datetime | None, bool]:
    """When a pending vote may open, and whether that is its assembly's sitting (the secretariat
    opens a resolution's vote during it) rather than the earliest time the kind allows."""
    when = OPENING_TIMES.get(vote.kind)
    if when is not None:
        return when(vote), False
    return (vote.assembly.starts_at, True) if vote.assembly is not None else (None, False)


@dataclass(frozen=True)
class Explanation:
    """A reason with what its message names: the proxy holder, when the vote may open."""

    reason: NoBallot
    proxy_holder: str | None = None
    opens_after: datetime | None = None
    #: ``opens_after`` is the start of the assembly during which the vote is to open.
    at_sitting: bool = False
    #: The electorate is already frozen (the vote opened): what is done now counts for later votes.
    frozen: bool = False


def facts_for(user: User, vote: Vote) -> BallotFacts:
    """The facts of ``no_ballot_reason`` for ``user`` in ``vote`` (at most five small queries)."""
    past = vote.closes_at is not None and vote.is_open and vote.closes_at <= utcnow()
    if user.member_id is None:
        return BallotFacts(represents_member=False, vote_status=vote.status, past_closing=past)
    member_status = db.session.scalar(select(Member.status).where(Member.id == user.member_id))
    charter = current_charter()
    signed = charter is not None and db.session.scalar(select(CharterSignature.id).where(
        CharterSignature.member_id == user.member_id, CharterSignature.charter_id == charter.id).limit(1)) is not None
    in_electorate, holder, cast_by = False, None, None
    if vote.status == VoteStatus.pending:
        if vote.assembly_id is not None:
            holder = db.session.scalar(
                select(Member.name).join(Proxy, Proxy.holder_id == Member.id)
                .where(Proxy.assembly_id == vote.assembly_id, Proxy.giver_id == user.member_id,
                       Proxy.revoked_at.is_(None)))
    else:
        row = db.session.execute(
            select(VoteElector.id, Member.name, Participation.cast_by_id, User.is_delegate)
            .outerjoin(Member, Member.id == VoteElector.proxy_holder_id)
            .outerjoin(Participation, and_(Participation.vote_id == VoteElector.vote_id,
                                           Participation.member_id == VoteElector.member_id))
            .outerjoin(User, User.id == Participation.cast_by_id)
            .where(VoteElector.vote_id == vote.id, VoteElector.member_id == user.member_id)).first()
        if row is not None:
            in_electorate, holder = True, row[1]
            if row[2] is not None:
                cast_by = "you" if row[2] == user.id else "delegate" if row[3] else "alternate"
    return BallotFacts(represents_member=True, vote_status=vote.status, past_closing=past,
                       member_active=member_status == MemberStatus.active, charter_signed=signed,
                       in_electorate=in_electorate, proxy_holder=holder, cast_by=cast_by)


def explain(user: User, vote: Vote) -> Explanation | None:
    """Why ``user`` has no ballot of its own organisation in ``vote`` (None: one waits)."""
    facts = facts_for(user, vote)
    reason = no_ballot_reason(facts)
    if reason is None:
        return None
    when, at_sitting = opens_after(vote) if reason == NoBallot.not_open_yet else (None, False)
    return Explanation(reason, proxy_holder=facts.proxy_holder, opens_after=when, at_sitting=at_sitting,
                       frozen=vote.status != VoteStatus.pending)
