"""The steering committee as people read it: the current composition, its balance against the
election's constraints, the next and the past compositions, and reminders before a term ends.

Everything the committee page shows comes from one query over the mandates (plus their
members, colleges and elections loaded in bulk) and one over the colleges, so the page costs
the same number of queries whatever the number of mandates. Writes (appointing, ending a
mandate, filling a vacancy) stay in ``app.elections.services``.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Update, select, update
from sqlalchemy.orm import selectinload

from app.auth.models import User, UserKind
from app.auth.services import external_url, send_mail
from app.core import audit
from app.core.timeutil import add_days, add_years, utcnow
from app.elections import terms
from app.elections.models import Election, Mandate, MandateKind
from app.elections.rules import Constraints
from app.extensions import db
from app.members.models import College, Country, Member

#: Constraints ``record_vacancy`` may give up to fill a seat (``VacancyOutcome.relaxed``), in words.
RELAXED_LABELS = {"minimums": _l("the minimum seats per college and per country"),
                  "parity": _l("gender parity")}


@dataclass
class Seat:
    """One mandate with the mandate it took over and the one that took it over (if any)."""

    mandate: Mandate
    replaces: Mandate | None = None
    replaced_by: Mandate | None = None

    @property
    def end(self) -> date:
        """The day the seat was or will be left: its term's end, or earlier if it ended early."""
        m = self.mandate
        return min(m.ends_on, m.ended_on) if m.ended_on else m.ends_on


@dataclass(frozen=True)
class GroupCount:
    """Seats held by one college or country, against its bounds (None = no bound)."""

    code: str
    label: str
    count: int
    minimum: int | None
    maximum: int | None

    @property
    def ok(self) -> bool:
        return (self.minimum is None or self.count >= self.minimum) and (
            self.maximum is None or self.count <= self.maximum)


@dataclass(frozen=True)
class Balance:
    """The elected seats of one election against its constraints."""

    election: Election
    seats: int
    filled: int
    colleges: list[GroupCount]
    countries: list[GroupCount]
    women: int
    men: int
    others: int
    tolerance: int | None

    @property
    def vacant(self) -> int:
        return max(0, self.seats - self.filled)

    @property
    def parity_ok(self) -> bool:
        return self.tolerance is None or abs(self.women - self.men) <= self.tolerance


@dataclass
class Group:
    """Seats of one election (``election`` None: the appointed seats), for the history."""

    election: Election | None
    seats: list[Seat] = field(default_factory=list)


@dataclass
class Composition:
    """What the committee page shows, on ``day``."""

    day: date
    elected: list[Seat]
    ex_officio: list[Seat]
    guarantor: list[Seat]
    upcoming: list[Seat]
    balances: list[Balance]
    upcoming_balances: list[Balance]
    past: list[Group]

    @property
    def current(self) -> list[Seat]:
        return [*self.elected, *self.guarantor, *self.ex_officio]

    def seats_of(self, member_id: int | None) -> list[Seat]:
        """The current seats a member holds (elected or guarantor)."""
        if member_id is None:
            return []
        return [s for s in self.current if s.mandate.member_id == member_id]

    @property
    def term_ends_on(self) -> date | None:
        """End of the current elected term (the latest, if terms overlap)."""
        return max((s.mandate.ends_on for s in self.elected), default=None)


def _state(mandate: Mandate, day: date) -> str:
    if mandate.current_on(day):
        return "current"
    if mandate.starts_on > day and mandate.ended_on is None:
        return "upcoming"
    return "past"


def _bounds(constraints: dict | None) -> Constraints:
    return Constraints.from_dict(constraints)


def balance(election: Election, seats: list[Seat], colleges: dict[str, College]) -> Balance:
    """Counts per college, per country and per gender of ``seats`` against the election's constraints."""
    constraints = _bounds(election.constraints)
    members = [s.mandate.member for s in seats if s.mandate.member is not None]
    by_college = Counter(m.college.code for m in members)
    by_country = Counter(m.country for m in members)

    def groups(counts: Counter[str], bounds: dict, label) -> list[GroupCount]:  # noqa: ANN001
        codes = sorted(set(counts) | set(bounds))
        return [GroupCount(code, label(code), counts.get(code, 0), *(bounds.get(code) or (None, None)))
                for code in codes]

    def college_label(code: str) -> str:
        college = colleges.get(code)
        return college.name if college is not None else code

    def country_label(code: str) -> str:
        try:
            return Country(code).label
        except ValueError:
            return code

    genders = Counter(s.mandate.gender for s in seats)
    return Balance(
        election=election, seats=election.seats, filled=len(seats),
        colleges=groups(by_college, dict(constraints.college), college_label),
        countries=groups(by_country, dict(constraints.country), country_label),
        women=genders.get("female", 0), men=genders.get("male", 0),
        others=sum(n for g, n in genders.items() if g not in ("female", "male")),
        tolerance=constraints.parity_tolerance)


def _balances(seats: list[Seat], colleges: dict[str, College]) -> list[Balance]:
    by_election: dict[int, list[Seat]] = defaultdict(list)
    elections: dict[int, Election] = {}
    for seat in seats:
        election = seat.mandate.election
        if seat.mandate.kind == MandateKind.elected and election is not None:
            by_election[election.id].append(seat)
            elections[election.id] = election
    return [balance(elections[i], by_election[i], colleges)
            for i in sorted(elections, key=lambda i: (elections[i].term_starts_on, i), reverse=True)]


def _sort_key(seat: Seat) -> tuple:
    m = seat.mandate
    college = m.member.college.code if m.member is not None else ""
    return (college, m.holder.casefold(), m.starts_on, m.id)


def _term_key(seat: Seat) -> tuple[date, int] | None:
    election = seat.mandate.election
    return (election.term_starts_on, election.id) if election is not None else None


def _seats_of(key: tuple[date, int]) -> int:
    """Seats of the election ``key`` names (already loaded with the mandates: no query)."""
    election = db.session.get(Election, key[1])
    return election.seats if election is not None else 0


def composition(day: date | None = None) -> Composition:
    """The committee on ``day`` (today by default), its next composition and its history.

    Three bulk loads (mandates; their members with colleges and their elections) and the
    colleges: the same number of queries whatever the number of mandates.
    """
    day = day or utcnow().date()
    mandates = list(db.session.scalars(
        select(Mandate).options(selectinload(Mandate.member).selectinload(Member.college),
                                selectinload(Mandate.election))
        .order_by(Mandate.starts_on, Mandate.id)))
    colleges = {c.code: c for c in db.session.scalars(select(College))}
    seats = {m.id: Seat(m) for m in mandates}
    for seat in seats.values():
        predecessor = seats.get(seat.mandate.replaces_id) if seat.mandate.replaces_id else None
        if predecessor is not None:
            seat.replaces = predecessor.mandate
            predecessor.replaced_by = seat.mandate
    current: dict[str, list[Seat]] = defaultdict(list)
    upcoming: list[Seat] = []
    past: dict[int | None, Group] = {}
    for seat in seats.values():
        state = _state(seat.mandate, day)
        if state == "current":
            current[seat.mandate.kind].append(seat)
        elif state == "upcoming":
            upcoming.append(seat)
        else:
            key = seat.mandate.election_id if seat.mandate.kind == MandateKind.elected else None
            group = past.setdefault(key, Group(seat.mandate.election if key is not None else None))
            group.seats.append(seat)
    for group in past.values():
        group.seats.sort(key=lambda s: (s.end, s.mandate.id), reverse=True)
    history = sorted((g for k, g in past.items() if k is not None),
                     key=lambda g: (g.election.term_starts_on, g.election.id), reverse=True)  # type: ignore[union-attr]
    if None in past:
        history.append(past[None])
    # Terms never overlap now (``terms``); data saved before that rule may: show one election's seats.
    elected = sorted(terms.latest_seats(current[MandateKind.elected], _term_key, _seats_of), key=_sort_key)
    upcoming.sort(key=lambda s: (s.mandate.kind != MandateKind.elected, *_sort_key(s)))
    return Composition(
        day=day, elected=elected,
        ex_officio=sorted(current[MandateKind.ex_officio], key=_sort_key),
        guarantor=sorted(current[MandateKind.guarantor], key=_sort_key),
        upcoming=upcoming, balances=_balances(elected, colleges),
        upcoming_balances=_balances(upcoming, colleges), past=history)


def default_term(day: date | None = None) -> tuple[date, date]:
    """Dates offered for a new appointed seat: from today to the end of the current elected term
    (or two years when no term is running)."""
    day = day or utcnow().date()
    end = db.session.scalar(select(db.func.max(Mandate.ends_on)).where(
        Mandate.kind == MandateKind.elected, Mandate.starts_on <= day, Mandate.ends_on > day,
        Mandate.ended_on.is_(None)))
    if end is None:
        end = add_years(day, 2)
    return day, end


def guarantor_member() -> Member | None:
    """The member flagged as the programme's guarantor (offered first for the guarantor seat)."""
    return db.session.scalar(select(Member).where(Member.is_guarantor.is_(True)).order_by(Member.id).limit(1))


# Reminders before a term ends ------------------------------------------------------------------

def claim_statement(within_days: int, today: date) -> Update:
    """Mark as reminded the running mandates that end within ``within_days`` and were not reminded,
    returning their ids. Being one conditional UPDATE (``reminded_at IS NULL``), it both selects and
    claims: a second run, even a concurrent one, waits for the first and finds nothing left."""
    return (update(Mandate).where(Mandate.reminded_at.is_(None), Mandate.ended_on.is_(None), Mandate.ends_on > today,
                                  Mandate.ends_on <= add_days(today, within_days))
            .values(reminded_at=utcnow()).returning(Mandate.id).execution_options(synchronize_session=False))


def claim_due_mandates(within_days: int, *, today: date | None = None) -> list[int]:
    """Ids of the mandates this run reminds (see ``claim_statement``)."""
    return sorted(db.session.execute(claim_statement(within_days, today or utcnow().date())).scalars())


def send_term_reminders(within_days: int, *, today: date | None = None) -> tuple[int, int]:
    """E-mail the representatives of each member whose seat ends soon, and the secretariat (one
    message listing every such seat). Returns (mandates reminded, e-mails queued); flushes only."""
    ids = claim_due_mandates(within_days, today=today)
    if not ids:
        return 0, 0
    mandates = list(db.session.scalars(select(Mandate).where(Mandate.id.in_(ids))
                                       .options(selectinload(Mandate.member)).order_by(Mandate.ends_on, Mandate.id)))
    member_ids = {m.member_id for m in mandates if m.member_id is not None}
    representatives: dict[int, list[User]] = defaultdict(list)
    if member_ids:
        for user in db.session.scalars(select(User).where(User.member_id.in_(member_ids), User.active.is_(True))
                                       .order_by(User.id)):
            representatives[user.member_id].append(user)  # type: ignore[index]
    secretariat = list(db.session.scalars(select(User).where(User.kind == UserKind.secretariat,
                                                             User.active.is_(True)).order_by(User.id)))
    link = external_url("committee.index")
    sent = 0
    for mandate in mandates:
        recipients = representatives.get(mandate.member_id, []) if mandate.member_id else []
        for user in recipients:
            send_mail(user, "elections/email/committee_term_ending.txt",
                      _l("Your committee seat ends on %(date)s", date=LazyString(format_date, mandate.ends_on)),
                      mandate=mandate, link=link)
        sent += len(recipients)
        audit.record("mandate.reminded", "mandate", mandate.id, actor=None,
                     after={"holder": mandate.holder, "ends_on": mandate.ends_on,
                            "recipients": len(recipients) + len(secretariat)})
    for user in secretariat:
        send_mail(user, "elections/email/committee_terms_ending.txt",
                  _l("Committee seats ending soon: %(n)d", n=len(mandates)), mandates=mandates, link=link)
    sent += len(secretariat)
    return len(mandates), sent
