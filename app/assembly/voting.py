"""One member, one vote: open (freeze the electorate), cast, close (seal and count).

Casting writes ``Participation`` and ``Ballot`` in the request's transaction.
The unique (vote, member) constraint decides who was first: the participation
insert is ``ON CONFLICT DO NOTHING RETURNING``, so a second cast inserts
nothing and is refused, with no check-then-insert race and no global lock.
The ballot gets a random tracker and carries nothing else but its choice (and
its college when a double majority needs per-college counts).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, func, insert, null, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from app.assembly import board as board_rules
from app.assembly import board_header, secrecy, signals
from app.assembly.models import (
    Assembly,
    AssemblyStatus,
    Ballot,
    Participation,
    Proxy,
    Resolution,
    Vote,
    VoteElector,
    VoteStatus,
)
from app.assembly.rules import OPTIONS, Counts, MajorityBase, MajorityRule, QuorumRule, decide, quorum_reached, tally
from app.auth.models import User
from app.auth.services import external_url, send_mail
from app.core import audit
from app.core.content_i18n import Later
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import College, Member
from app.members.services import current_charter, electorate_condition

#: A chain hash is kept before every CHECKPOINT-th board entry (see ``board_page``).
CHECKPOINT = 256


class AlreadyCast(DomainError):
    """A ballot already exists for this member in this vote."""


# Opening ---------------------------------------------------------------------------

def freeze_electorate(vote: Vote) -> int:
    """Snapshot who may vote: active members that signed the current charter, with their proxies.

    A proxy counts when both sides are in the electorate; a proxy to a member
    outside it is void and the giver keeps its vote.
    """
    rows = db.session.execute(
        select(Member.id, College.code, Member.country).join(College, Member.college_id == College.id)
        .where(electorate_condition(current_charter())).order_by(Member.id)).all()
    eligible = {row.id for row in rows}
    holders: dict[int, int] = {}
    if vote.assembly_id is not None:
        holders = {giver: holder for giver, holder in db.session.execute(
            select(Proxy.giver_id, Proxy.holder_id).where(Proxy.assembly_id == vote.assembly_id,
                                                          Proxy.revoked_at.is_(None)))
            if giver in eligible and holder in eligible}
    if rows:
        db.session.execute(insert(VoteElector), [
            {"vote_id": vote.id, "member_id": row.id, "college_code": row.code, "country": row.country,
             "proxy_holder_id": holders.get(row.id)} for row in rows])
    vote.electorate_size = len(rows)
    return len(rows)


def open_vote(vote: Vote, *, actor: User, closes_at: datetime) -> int:
    """Open the vote until ``closes_at``; freezes the electorate and e-mails the voters."""
    audit.serialise()  # proxies change under the same lock: the frozen electorate sees them settled
    if vote.status != VoteStatus.pending:
        raise DomainError(_l("This vote has already been opened."))
    assembly = vote.assembly
    if assembly is not None and assembly.status not in (AssemblyStatus.convened, AssemblyStatus.in_session):
        raise DomainError(_l("A vote opens only in a convened assembly."))
    if assembly is not None and assembly.recorded_afterwards:
        raise DomainError(_l("This sitting is recorded afterwards: its votes took place on paper. Write their "
                             "results, read from its minutes, in the notes for the minutes."))
    if closes_at <= utcnow():
        raise DomainError(_l("The closing time must be in the future."), field="closes_at")
    vote.status = VoteStatus.open
    vote.opened_at = utcnow()
    vote.closes_at = closes_at
    if assembly is not None:
        assembly.status = AssemblyStatus.in_session
    db.session.flush()
    size = freeze_electorate(vote)
    db.session.flush()
    audit.record("vote.opened", "vote", vote.id, actor=actor,
                 after={"closes_at": closes_at, "electorate": size, "secret": vote.secret})
    notify_voters(vote, "assembly/email/vote_opened.txt", _l("Vote open: %(title)s", title=mail_title(vote)))
    return size


#: Vote kind -> () -> SQL expression of a vote's title, correlated on ``Vote.id`` (NULL when it has none).
#: A resolution's title is read from the resolution (it is localised); elections register theirs.
#: SQL, so that a list of votes (the home page's ballots) reads every title in its one query.
VOTE_TITLES: dict[str, Callable[[], Any]] = {}


def title_column() -> Any:
    """The registered titles as one column of a query on ``Vote`` (NULL for other kinds)."""
    if not VOTE_TITLES:
        return null()
    return case(*((Vote.kind == kind, title()) for kind, title in VOTE_TITLES.items()), else_=null())


def vote_title(vote: Vote) -> str:
    """What e-mails and pages call the vote: its resolution's title, or the one its kind registered."""
    if vote.resolution is not None:
        return vote.resolution.title
    title_of = VOTE_TITLES.get(vote.kind)
    if title_of is not None:
        title = db.session.scalar(select(title_of()).where(Vote.id == vote.id))
        if title:
            return title
    return str(_l("Vote %(id)s", id=vote.id))


def mail_title(vote: Vote, *, note: bool = False) -> object:
    """The vote's title for an e-mail, read in each recipient's language when the mail is rendered (a
    resolution's; ``note``: with the "(original in …)" marker when it stands in for a missing translation)."""
    if vote.resolution is not None:
        return Later(vote.resolution, "title", note=note)
    return vote_title(vote)


def voter_users(vote: Vote, *, only_missing: bool = False) -> list[User]:
    """Representatives who cast in this vote: of each elector, or of its proxy holder's delegate.

    One query with subqueries (no parameter per elector: electorates may be large).
    """
    electors = select(VoteElector.member_id, VoteElector.proxy_holder_id).where(VoteElector.vote_id == vote.id)
    if only_missing:
        electors = electors.where(VoteElector.member_id.not_in(
            select(Participation.member_id).where(Participation.vote_id == vote.id)))
    electors_sq = electors.subquery()
    own = select(electors_sq.c.member_id).where(electors_sq.c.proxy_holder_id.is_(None))
    holders = select(electors_sq.c.proxy_holder_id).where(electors_sq.c.proxy_holder_id.is_not(None))
    return list(db.session.scalars(select(User).where(User.active.is_(True), or_(
        User.member_id.in_(own), and_(User.member_id.in_(holders), User.is_delegate.is_(True)))).order_by(User.id)))


def notify_voters(vote: Vote, template: str, subject: object, *, only_missing: bool = False) -> int:
    link = external_url("votes.ballot", vote_id=vote.id)
    users = voter_users(vote, only_missing=only_missing)
    for user in users:
        send_mail(user, template, subject, vote=vote, title=mail_title(vote, note=True), link=link)
    return len(users)


def send_reminders(vote: Vote, *, actor: User | None) -> int:
    """Remind the representatives of members that have not voted yet."""
    if vote.status != VoteStatus.open:
        raise DomainError(_l("Reminders are sent only while the vote is open."))
    sent = notify_voters(vote, "assembly/email/vote_reminder.txt",
                         _l("Reminder: vote on %(title)s", title=mail_title(vote)), only_missing=True)
    vote.reminded_at = utcnow()
    db.session.flush()
    audit.record("vote.reminded", "vote", vote.id, actor=actor, after={"recipients": sent})
    return sent


# Casting -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """One ballot a user may cast: for its own member or by proxy."""

    member_id: int
    member_name: str
    by_proxy: bool
    cast: bool


def slots_for(user: User, vote: Vote) -> list[Slot]:
    """The ballots this user may cast in this vote, with whether each is already cast (one query)."""
    if user.member_id is None:
        return []
    own = and_(VoteElector.member_id == user.member_id, VoteElector.proxy_holder_id.is_(None))
    condition = or_(own, VoteElector.proxy_holder_id == user.member_id) if user.is_delegate else own
    rows = db.session.execute(
        select(VoteElector.member_id, Member.name, VoteElector.proxy_holder_id, Participation.id)
        .join(Member, VoteElector.member_id == Member.id)
        .outerjoin(Participation, and_(Participation.vote_id == vote.id,
                                       Participation.member_id == VoteElector.member_id))
        .where(VoteElector.vote_id == vote.id, condition)
        .order_by(VoteElector.proxy_holder_id.is_not(None), Member.name)).all()
    return [Slot(member_id, name, holder is not None, participation is not None)
            for member_id, name, holder, participation in rows]


def gave_proxy_in(user: User, vote: Vote) -> str | None:
    """Name of the member holding the proxy of the user's member in this vote, if any."""
    if user.member_id is None:
        return None
    return db.session.scalar(
        select(Member.name).join(VoteElector, VoteElector.proxy_holder_id == Member.id)
        .where(VoteElector.vote_id == vote.id, VoteElector.member_id == user.member_id))


def _resolution_choice(vote_id: int, choice: str) -> str:
    if choice not in OPTIONS:
        raise DomainError(_l("Choose one of the options."), field="choice")
    return choice


#: Vote kind -> function(vote_id, raw choice) returning the canonical choice or raising DomainError.
#: Elections register theirs (an approval ballot checked against the validated candidates).
CHOICE_RULES: dict[str, Callable[[int, str], str]] = {"resolution": _resolution_choice}

# The cast's statements are built once: the cast is the hot path (tests/bench).
_ELECTOR_ROW = (
    select(Vote.status, Vote.closes_at, Vote.secret, Vote.per_college, Vote.kind,
           VoteElector.proxy_holder_id, VoteElector.college_code)
    .join(VoteElector, and_(VoteElector.vote_id == Vote.id, VoteElector.member_id == bindparam("member_id")))
    .where(Vote.id == bindparam("vote_id")))
_VOTE_STATUS = select(Vote.status).where(Vote.id == bindparam("vote_id"))
_PARTICIPATION_COLUMNS = ("vote_id", "member_id", "cast_at", "cast_by_id", "open_choice")
_INSERT_BALLOT = insert(Ballot)


@lru_cache(maxsize=2)
def _insert_participation_statement(dialect: str) -> Any:
    """``INSERT … SELECT … WHERE the vote is open ON CONFLICT (vote, member) DO NOTHING RETURNING id``.

    The unique constraint decides who was first; the status test inside the
    same statement means a cast that waited for ``close_vote``'s lock sees the
    vote closed and inserts nothing.
    """
    module = postgresql if dialect == "postgresql" else sqlite
    table = Participation.__table__
    source = (select(*(bindparam(f"p_{c}", type_=table.c[c].type).label(c) for c in _PARTICIPATION_COLUMNS))
              .where(select(Vote.id).where(Vote.id == bindparam("p_vote_id"),
                                           Vote.status == VoteStatus.open).exists()))
    return (module.insert(Participation).from_select(list(_PARTICIPATION_COLUMNS), source)
            .on_conflict_do_nothing(index_elements=["vote_id", "member_id"]).returning(Participation.id))


def _lock_out_casts() -> None:
    """Wait for casts in flight and hold new ones until the close commits (PostgreSQL).

    SHARE mode conflicts with the ROW EXCLUSIVE lock every INSERT takes, so the
    seal that follows sees every ballot of a committed cast and no other.
    SQLite has a single writer: the close's write transaction already excludes casts.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE participations IN SHARE MODE"))


def cast(vote_id: int, member_id: int, choice: str, *, actor: User, tracker: str | None = None) -> str:
    """Cast ``choice`` for ``member_id``; returns the ballot's tracker.

    ``tracker``: the one the voter was shown at the confirm step (its MAC checked by the route,
    ``secrecy.checked_tracker``); a fresh one is drawn when none is given.

    Refused unless the vote is open, the member is in its frozen electorate and
    ``actor`` casts for it (its delegate or alternate, or the delegate of the
    member holding its proxy). Exactly one ballot per member, even under
    concurrent requests: the participation insert is conditional (see
    ``_insert_participation_statement``), never check-then-insert.
    """
    connection = db.session.connection()  # Core statements, the request's transaction
    row = connection.execute(_ELECTOR_ROW, {"vote_id": vote_id, "member_id": member_id}).first()
    if row is None:
        raise DomainError(_l("This organisation is not in the electorate of this vote."))
    if row.status != VoteStatus.open or (row.closes_at is not None and row.closes_at <= utcnow()):
        raise DomainError(_l("This vote is not open."))
    if not may_cast_for(actor, member_id, row.proxy_holder_id):
        raise DomainError(_l("You cannot cast a ballot for this organisation."))
    choice = CHOICE_RULES[row.kind](vote_id, choice)
    tracker = secrecy.new_tracker() if tracker is None else secrecy.well_formed(tracker)
    participation = connection.execute(_insert_participation_statement(connection.dialect.name), {
        "p_vote_id": vote_id, "p_member_id": member_id, "p_cast_at": utcnow(), "p_cast_by_id": actor.id,
        "p_open_choice": None if row.secret else choice}).scalar()
    if participation is None:
        if connection.execute(_VOTE_STATUS, {"vote_id": vote_id}).scalar() != VoteStatus.open:
            raise DomainError(_l("This vote is not open."))
        raise AlreadyCast(_l("A ballot has already been cast for this organisation: it counts once, as cast."))
    connection.execute(_INSERT_BALLOT, {"vote_id": vote_id, "tracker": tracker, "choice": choice,
                                        "college": row.college_code if row.per_college else ""})
    return tracker


def may_cast_for(user: User, member_id: int, proxy_holder_id: int | None) -> bool:
    """The cast rule (DESIGN §3): own member unless it gave its proxy; or the holder's delegate."""
    if user.member_id is None or not user.active:
        return False
    if proxy_holder_id is not None:
        return user.member_id == proxy_holder_id and user.is_delegate
    return user.member_id == member_id


def turnout(vote: Vote) -> int:
    """How many members have voted (a count only, live)."""
    return db.session.scalar(select(func.count(Participation.id)).where(Participation.vote_id == vote.id)) or 0


# Closing: seal and count ---------------------------------------------------------------

def majority_rule(vote: Vote) -> MajorityRule:
    resolution = vote.resolution
    if resolution is None:
        return MajorityRule()
    return MajorityRule(MajorityBase(resolution.majority_base), resolution.threshold, resolution.double_majority)


def quorum_rule_of(vote: Vote) -> QuorumRule:
    assembly = vote.assembly
    if assembly is None:
        return QuorumRule()
    return QuorumRule(Fraction(assembly.quorum_num, assembly.quorum_den),
                      second_convocation=assembly.second_convocation)


def compute_result(*, choices_by_college: list[tuple[str, str]], electorate_by_college: dict[str, int],
                   participation: int, rule: MajorityRule, quorum: QuorumRule, final_hash: str) -> dict[str, Any]:
    """The published result, from the sealed ballots alone (also used by the recount)."""
    electorate = sum(electorate_by_college.values())
    overall = tally((choice for _, choice in choices_by_college), electorate)
    by_college: dict[str, Counts] = {}
    if rule.double:
        for code, size in electorate_by_college.items():
            by_college[code] = tally((c for college, c in choices_by_college if college == code), size)
    reached = quorum_reached(participation, electorate, quorum)
    decision = decide(overall, rule, reached, by_college)
    return {
        "electorate": electorate,
        "participation": participation,
        "ballots": len(choices_by_college),
        "quorum": {"ratio": str(quorum.ratio), "strict": quorum.strict,
                   "second_convocation": quorum.second_convocation, "reached": reached},
        "counts": {"for": overall.votes_for, "against": overall.against, "abstain": overall.abstain},
        "rule": {"base": str(rule.base), "threshold": rule.threshold, "double_majority": rule.double},
        "outcome": str(decision.outcome),
        "overall_met": decision.overall_met,
        "by_college": {code: {"electorate": c.electorate, "for": c.votes_for, "against": c.against,
                              "abstain": c.abstain, "met": decision.colleges_met.get(code)}
                       for code, c in sorted(by_college.items())},
        "final_hash": final_hash,
    }


def _rewrite_in_tracker_order(vote_id: int) -> list[tuple[str, str, str]] | None:
    """Cut the last physical link between a ballot and its participation (PostgreSQL).

    A ballot written in the cast's transaction shares that transaction's id
    (``xmin``) with the participation, and rows lie in casting order. Rewriting
    the vote's ballots at the close, sorted by tracker, gives them all the
    close's transaction id and the tracker order. (Dead row versions remain in
    PostgreSQL's files until reused: see the README on what secrecy rests on.)
    Returns the rewritten (tracker, choice, college) rows, so the seal reads them once.
    SQLite stores ballots in a WITHOUT ROWID table, ordered by key: nothing to do (None).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    params = {"vote": vote_id}
    db.session.execute(text("CREATE TEMPORARY TABLE sealing_ballots ON COMMIT DROP AS "
                            "SELECT vote_id, tracker, college, choice FROM ballots WHERE vote_id = :vote"), params)
    db.session.execute(text("DELETE FROM ballots WHERE vote_id = :vote"), params)
    rows = db.session.execute(text(
        "INSERT INTO ballots (vote_id, tracker, college, choice) "
        "SELECT vote_id, tracker, college, choice FROM sealing_ballots ORDER BY tracker "
        "RETURNING tracker, choice, college")).all()
    db.session.execute(text("DROP TABLE sealing_ballots"))
    return [(r[0], r[1], r[2]) for r in rows]


def seal_board(vote: Vote, rows: list[tuple[str, str, str]] | None = None) -> list[board_rules.BoardEntry]:
    """Sort the ballots by tracker and chain them from the vote's chain start (its header hash in
    format 2); keep the final hash and the checkpoints."""
    if rows is None:
        rows = [(t, c, col) for t, c, col in db.session.execute(
            select(Ballot.tracker, Ballot.choice, Ballot.college).where(Ballot.vote_id == vote.id))]
    start = board_header.chain_start(vote)
    entries = board_rules.seal(rows, previous=start)
    vote.final_hash = board_rules.final_hash(entries, start)
    vote.board_checkpoints = [start if i == 0 else entries[i - 1].hash for i in range(0, len(entries), CHECKPOINT)]
    return entries


def build_board_header(vote: Vote) -> dict[str, Any] | None:
    """The format-2 header of the vote's board, as the count will apply it (see ``board_header``)."""
    return board_header.build_header(vote, rule=majority_rule(vote), quorum=quorum_rule_of(vote))


def _count_resolution(vote: Vote, entries: list[board_rules.BoardEntry], electorate_by_college: dict[str, int],
                      participation: int) -> dict[str, Any]:
    return compute_result(
        choices_by_college=[(e.college, e.choice) for e in entries], electorate_by_college=electorate_by_college,
        participation=participation, rule=majority_rule(vote), quorum=quorum_rule_of(vote),
        final_hash=vote.final_hash or board_rules.GENESIS)


#: Vote kind -> count at the close (sealed entries, electorate by college, participation) -> published result.
#: Elections register theirs (approvals, constrained allocation, mandates).
COUNT_RULES: dict[str, Callable[[Vote, list[board_rules.BoardEntry], dict[str, int], int], dict[str, Any]]] = {
    "resolution": _count_resolution}


def close_vote(vote: Vote, *, actor: User | None) -> dict[str, Any]:
    """Close, seal the board, count, publish; e-mails the voters that results are out."""
    _lock_out_casts()
    closed = db.session.execute(update(Vote).where(Vote.id == vote.id, Vote.status == VoteStatus.open)
                                .values(status=VoteStatus.closed, closed_at=utcnow())
                                .execution_options(synchronize_session=False))
    if closed.rowcount != 1:
        raise DomainError(_l("This vote is not open."))
    db.session.refresh(vote)
    rows = _rewrite_in_tracker_order(vote.id)
    # The header is built once, stored as sealed, and starts the chain: the final hash commits to it.
    vote.board_header = build_board_header(vote)
    vote.board_format = board_header.FORMAT_NUMBER if vote.board_header is not None else 1
    entries = seal_board(vote, rows)
    electorate_by_college = dict(db.session.execute(
        select(VoteElector.college_code, func.count()).where(VoteElector.vote_id == vote.id)
        .group_by(VoteElector.college_code)).all())
    count = COUNT_RULES.get(vote.kind, _count_resolution)
    vote.result = count(vote, entries, electorate_by_college, turnout(vote))
    db.session.flush()
    summary = {k: vote.result.get(k) for k in ("electorate", "participation", "counts", "outcome", "final_hash")}
    audit.record("vote.closed", "vote", vote.id, actor=actor, after=summary)
    vote.audit_head = audit.head().text  # published in the minutes and the proclamation: `flask audit verify --expect`
    resolution = vote.resolution
    if resolution is not None:
        signals.resolution_decided.send(vote, resolution=resolution, result=vote.result, actor=actor)
    notify_voters(vote, "assembly/email/results.txt", _l("Results: %(title)s", title=vote_title(vote)))
    return vote.result


# Reading the results and the board -------------------------------------------------------

def participants(vote: Vote) -> list[tuple[str, str, str | None, bool]]:
    """(member name, college, open choice, by proxy) of members that took part, by name."""
    return [tuple(r) for r in db.session.execute(
        select(Member.name, VoteElector.college_code, Participation.open_choice,
               VoteElector.proxy_holder_id.is_not(None))
        .join(Participation, Participation.member_id == Member.id)
        .join(VoteElector, and_(VoteElector.vote_id == Participation.vote_id,
                                VoteElector.member_id == Participation.member_id))
        .where(Participation.vote_id == vote.id).order_by(Member.name)).all()]


def electorate_by_college(vote: Vote) -> dict[str, int]:
    return dict(db.session.execute(select(VoteElector.college_code, func.count())
                                   .where(VoteElector.vote_id == vote.id).group_by(VoteElector.college_code)).all())


def board_slice(vote: Vote, page: int, per_page: int) -> list[board_rules.BoardEntry]:
    """Entries of one board page, chained from the nearest checkpoint (bounded work per page)."""
    start = (page - 1) * per_page
    checkpoint = start // CHECKPOINT
    checkpoints = vote.board_checkpoints or [board_header.chain_start(vote)]
    checkpoint = min(checkpoint, len(checkpoints) - 1)
    skip = start - checkpoint * CHECKPOINT
    rows = db.session.execute(select(Ballot.tracker, Ballot.choice, Ballot.college)
                              .where(Ballot.vote_id == vote.id).order_by(Ballot.tracker)
                              .offset(checkpoint * CHECKPOINT).limit(skip + per_page)).all()
    entries = board_rules.seal(((t, c, col) for t, c, col in rows), previous=checkpoints[checkpoint])
    return entries[skip:]


def tracker_position(vote: Vote, tracker: str) -> int | None:
    """1-based position of a tracker on the board, or None."""
    exists = db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.vote_id == vote.id, Ballot.tracker == tracker))
    if not exists:
        return None
    before = db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.vote_id == vote.id, Ballot.tracker < tracker)) or 0
    return before + 1


def resolution_of(vote_id: int) -> Resolution | None:
    return db.session.scalar(select(Resolution).where(Resolution.vote_id == vote_id))


def assembly_of(vote: Vote) -> Assembly | None:
    return vote.assembly
