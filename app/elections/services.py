"""Elections: set-up, candidacies, the approval ballot, the count at the close, mandates.

The ballot goes through ``app.assembly.voting`` (one member one vote, proxies,
secrecy, tracker, board); this module has the election's choice rule
(``election_choice``: an approval ballot checked against the validated
candidacies), its count (``count_vote``: approvals, constrained allocation
seeded by the board's final hash, mandates) and the committee role
(``committee_roles``), which ``app/elections/hooks.py`` registers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.assembly import board as board_rules
from app.assembly import voting
from app.assembly.models import Vote
from app.auth.models import Gender, User
from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import Role, account_roles
from app.core.timeutil import add_years, utcnow
from app.elections import queries, rules, terms
from app.elections.models import Candidacy, CandidacyStatus, Election, Mandate, MandateKind
from app.extensions import add_unique, db
from app.members.models import CharterSignature, Member, MemberStatus
from app.members.rules import in_electorate
from app.members.services import current_charter

ELECTION_FIELDS = ("title", "seats", "term_starts_on", "term_years", "candidacy_opens_at", "candidacy_closes_at",
                   "assembly_id", "constraints", "infeasible_fallback")

PROBLEM_MESSAGES: dict[str, Any] = {
    "seats_not_positive": _l("The number of seats must be at least 1."),
    "negative_bound": _l("Seat bounds cannot be negative."),
    "min_above_max": _l("A minimum is larger than its maximum (%(scope)s %(group)s)."),
    "min_above_seats": _l("A minimum is larger than the number of seats (%(scope)s %(group)s)."),
    "minimums_above_seats": _l("The minimums add up to more seats than there are (%(scope)s)."),
    "negative_tolerance": _l("The parity tolerance cannot be negative."),
    "unknown_group": _l("Unknown group in the constraints (%(scope)s %(group)s)."),
    "maximums_below_seats": _l("The maximums leave seats that nobody could fill (%(scope)s)."),
}


SCOPE_WORDS: dict[str, Any] = {"college": _l("college"), "country": _l("country")}


def problem_text(problem: rules.Problem) -> str:
    message = PROBLEM_MESSAGES.get(problem.key)
    if message is None:
        return problem.key
    params = {k: v for k, v in problem.params.items() if isinstance(v, str | int)}
    params["scope"] = str(SCOPE_WORDS.get(str(params.get("scope", "")), params.get("scope", "")))
    params.setdefault("group", "")
    return str(message) % params if "%(" in str(message) else str(message)


def _check_setup(data: dict[str, Any]) -> None:
    from app.members.models import College, Country

    constraints = rules.Constraints.from_dict(data.get("constraints"))
    problems = rules.check_constraints(constraints, int(data["seats"]),
                                       colleges=list(db.session.scalars(select(College.code))),
                                       countries=[c.value for c in Country])
    if problems:
        raise DomainError(problem_text(problems[0]), field="constraints")
    if data["candidacy_closes_at"] <= data["candidacy_opens_at"]:
        raise DomainError(_l("The candidacy window must end after it opens."), field="candidacy_closes_at")
    if data.get("infeasible_fallback", rules.RELAX) not in rules.FALLBACKS:
        raise DomainError(_l("Choose what happens when no committee can meet the constraints."),
                          field="infeasible_fallback")


def check_term(data: dict[str, Any], *, exclude_id: int | None = None) -> None:
    """Refuse a term that overlaps another election's (``terms``): the committee would stack mandates.

    Takes the audit chain's lock first, so two elections saved at once cannot both pass the check."""
    if "term_starts_on" not in data or "term_years" not in data:
        return
    audit.serialise()
    start = data["term_starts_on"]
    clash = terms.first_overlap(start, add_years(start, int(data["term_years"])), terms.other_terms(exclude_id))
    if clash is not None:
        raise DomainError(_l("This term overlaps the term of the election “%(title)s” (%(start)s to %(end)s) "
                             "for the same seats. Start it on or after %(end)s, or shorten it so that it ends by "
                             "%(start)s. An election cannot be cancelled: only one counted with nobody elected "
                             "leaves its term free.", title=clash.title, start=format_date(clash.starts_on),
                             end=format_date(clash.ends_on)), field="term_starts_on")


def snapshot(election: Election) -> dict[str, Any]:
    return {f: getattr(election, f) for f in ELECTION_FIELDS}


def create_election(*, actor: User, data: dict[str, Any]) -> Election:
    """An election with its (pending) vote; the set-up is checked for feasibility in itself."""
    _check_setup(data)
    check_term(data)
    vote = Vote(kind="election", secret=True, assembly_id=data.get("assembly_id"))
    election = Election(vote=vote, **{k: data[k] for k in ELECTION_FIELDS if k in data})
    db.session.add(election)
    db.session.flush()
    audit.record("election.created", "election", election.id, actor=actor, after=snapshot(election))
    return election


def update_election(election: Election, *, actor: User, data: dict[str, Any]) -> Election:
    if election.frozen:
        raise DomainError(_l("The set-up is frozen: voting has opened."))
    _check_setup(data)
    check_term(data, exclude_id=election.id)
    before = snapshot(election)
    for name in ELECTION_FIELDS:
        if name in data:
            setattr(election, name, data[name])
    election.vote.assembly_id = election.assembly_id
    db.session.flush()
    audit.record("election.updated", "election", election.id, actor=actor, before=before, after=snapshot(election))
    return election


# Candidacies ---------------------------------------------------------------------------------

def candidacy_open(election: Election, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return election.candidacy_opens_at <= now < election.candidacy_closes_at and not election.frozen


def eligible(member: Member) -> str | None:
    """Why a member cannot stand (None if it can): the electorate's rule, ``members.rules.in_electorate``."""
    charter = current_charter()
    signed = charter is not None and db.session.scalar(select(CharterSignature.id).where(
        CharterSignature.member_id == member.id, CharterSignature.charter_id == charter.id)) is not None
    if in_electorate(member.status, signed):
        return None
    if member.status != MemberStatus.active:
        return str(_l("The member is not active."))
    return str(_l("The member has not signed the current charter."))


def declare_candidacy(election: Election, *, actor: User, representative_name: str, gender: str,
                      statements: dict[str, str]) -> Candidacy:
    """A delegate declares its own member's candidacy during the window."""
    if actor.member_id is None or not actor.is_delegate:
        raise DomainError(_l("Only a member's delegate declares its candidacy."))
    if not candidacy_open(election):
        raise DomainError(_l("Candidacies are not open for this election."))
    Gender(gender)
    if not representative_name.strip():
        raise DomainError(_l("Name the representative who would sit."), field="representative_name")
    if not any(v.strip() for v in statements.values()):
        raise DomainError(_l("Write a statement in at least one language."), field="statement_fr")
    candidacy = Candidacy(election_id=election.id, member_id=actor.member_id,
                          representative_name=representative_name.strip(), gender=gender,
                          submitted_by_id=actor.id, **{f"statement_{k}": v.strip() for k, v in statements.items()})
    if not add_unique(candidacy):
        raise DomainError(_l("Your organisation has already declared its candidacy."))
    audit.record("candidacy.declared", "election", election.id, actor=actor,
                 after={"member_id": actor.member_id, "representative": candidacy.representative_name,
                        "gender": gender})
    return candidacy


def decide_candidacy(candidacy: Candidacy, *, actor: User, validate: bool, reason: str = "") -> None:
    """The secretariat validates (an eligible member) or rejects (with a reason)."""
    if candidacy.election.frozen:
        raise DomainError(_l("The set-up is frozen: voting has opened."))
    if validate:
        why_not = eligible(candidacy.member)
        if why_not:
            raise DomainError(why_not, field="reason")
    elif not reason.strip():
        raise DomainError(_l("Give the reason for the rejection."), field="reason")
    candidacy.status = CandidacyStatus.validated if validate else CandidacyStatus.rejected
    candidacy.decision_reason = reason.strip()
    candidacy.decided_at = utcnow()
    db.session.flush()
    audit.record("candidacy.decided", "election", candidacy.election_id, actor=actor,
                 after={"member_id": candidacy.member_id, "status": candidacy.status, "reason": reason.strip()})


def validated_candidacies(election_id: int) -> list[Candidacy]:
    return list(db.session.scalars(
        select(Candidacy).where(Candidacy.election_id == election_id, Candidacy.status == CandidacyStatus.validated)
        .options(selectinload(Candidacy.member).selectinload(Member.college)).order_by(Candidacy.id)))


def as_candidates(candidacies: list[Candidacy], approvals: dict[str, int] | None = None) -> list[rules.Candidate]:
    gender = {"female": "female", "male": "male"}
    return [rules.Candidate(id=str(c.id), college=c.member.college.code, country=c.member.country,
                            gender=gender.get(c.gender, "undisclosed"), approvals=(approvals or {}).get(str(c.id), 0))
            for c in candidacies]


def feasibility(election: Election, candidacies: list[Candidacy] | None = None) -> rules.Feasibility:
    """Whether the validated candidates can meet the election's constraints (``rules.feasibility``)."""
    if candidacies is None:
        candidacies = validated_candidacies(election.id)
    return rules.feasibility(as_candidates(candidacies), rules.Constraints.from_dict(election.constraints),
                             election.seats)


def open_voting(election: Election, *, actor: User, closes_at: datetime) -> int:
    """Freeze the set-up and open the vote (its electorate and proxies are the assembly's).

    Refused while no committee can meet the constraints with the validated candidates: the
    secretariat adjusts the candidacies or the constraints first (the count's fallback is for a
    change after the opening)."""
    if utcnow() < election.candidacy_closes_at:
        raise DomainError(_l("Voting opens after the candidacy window closes."), field="closes_at")
    candidacies = validated_candidacies(election.id)
    if not candidacies:
        raise DomainError(_l("No candidacy has been validated."))
    check = feasibility(election, candidacies)
    if not check.ok:
        raise DomainError(no_committee_text(check.problems))
    return voting.open_vote(election.vote, actor=actor, closes_at=closes_at)


def no_committee_text(problems: tuple[rules.Problem, ...]) -> str:
    """Why opening is refused, in words (a set-up problem in itself is worded as on the form)."""
    structural = [p for p in problems if p.key in PROBLEM_MESSAGES]
    if structural:
        return problem_text(structural[0])
    return queries.no_committee_text([list(p) for p in problems], queries.college_names())


# The approval ballot -----------------------------------------------------------------------------

def parse_choice(raw: str) -> list[str]:
    return [part for part in (p.strip() for p in raw.split(",")) if part]


def election_choice(vote_id: int, raw: str) -> str:
    """Canonical approval ballot: sorted candidacy ids, comma-separated; blank is valid."""
    row = db.session.execute(select(Election.id, Election.seats).where(Election.vote_id == vote_id)).first()
    if row is None:
        raise DomainError(_l("This vote is not an election."))
    choices = parse_choice(raw)
    ids = {str(i) for i in db.session.scalars(select(Candidacy.id).where(
        Candidacy.election_id == row.id, Candidacy.status == CandidacyStatus.validated))}
    problem = rules.check_ballot(choices, ids, row.seats)
    if problem == "too_many_choices":
        raise DomainError(lazy_ngettext("Approve at most %(num)d candidate.", "Approve at most %(num)d candidates.",
                                        row.seats), field="choice")
    if problem is not None:
        raise DomainError(_l("Choose among the candidates listed."), field="choice")
    return ",".join(sorted(choices, key=int))


# The count and the mandates ---------------------------------------------------------------------

def count_election(election: Election, ballots: list[str], seed: str, candidacies: list[Candidacy]
                   ) -> dict[str, Any]:
    """Approvals per candidacy and the constrained allocation (pure once the data is loaded)."""
    ids = [str(c.id) for c in candidacies]
    approvals = rules.count_approvals((parse_choice(b) for b in ballots), ids, election.seats)
    constraints = rules.Constraints.from_dict(election.constraints)
    allocation = rules.allocate(as_candidates(candidacies, approvals), constraints, election.seats, seed,
                                fallback=election.infeasible_fallback or rules.RELAX)
    return {"approvals": approvals, "allocation": allocation.to_dict(),
            "explanations": [list(e) for e in rules.explain(allocation)]}


def count_vote(vote: Vote, entries: list[board_rules.BoardEntry], electorate_by_college: dict[str, int],
                participation: int) -> dict[str, Any]:
    election = db.session.scalar(select(Election).where(Election.vote_id == vote.id))
    assert election is not None
    candidacies = validated_candidacies(election.id)
    final = vote.final_hash or board_rules.GENESIS
    count = count_election(election, [e.choice for e in entries], final, candidacies)
    # The candidates as counted: an export stays true to the count if a member later changes college.
    count["candidates"] = [{"id": c.id, "college": c.college, "country": c.country, "gender": c.gender}
                           for c in as_candidates(candidacies)]
    election.count = count
    _create_mandates(election, candidacies, count["allocation"]["elected"])
    return {"kind": "election", "electorate": sum(electorate_by_college.values()), "participation": participation,
            "ballots": len(entries), "seats": election.seats, "approvals": count["approvals"],
            "elected": count["allocation"]["elected"], "substitutes": count["allocation"]["substitutes"],
            "vacant": count["allocation"]["vacant"], "seed": final, "final_hash": final}


def _create_mandates(election: Election, candidacies: list[Candidacy], elected: list[str]) -> None:
    by_id = {str(c.id): c for c in candidacies}
    for candidacy_id in elected:
        c = by_id[candidacy_id]
        db.session.add(Mandate(kind=MandateKind.elected, member_id=c.member_id, election_id=election.id,
                               candidacy_id=c.id, representative_name=c.representative_name, gender=c.gender,
                               starts_on=election.term_starts_on, ends_on=election.term_ends_on))
    db.session.flush()


# The committee -----------------------------------------------------------------------------------

def current_mandates(day: date | None = None) -> list[Mandate]:
    day = day or utcnow().date()
    rows = db.session.scalars(select(Mandate).where(Mandate.starts_on <= day, Mandate.ends_on > day,
                                                    (Mandate.ended_on.is_(None)) | (Mandate.ended_on > day))
                              .options(selectinload(Mandate.member).selectinload(Member.college))
                              .order_by(Mandate.kind, Mandate.id))
    return list(rows)


def committee_member_ids(day: date | None = None) -> set[int]:
    """Members holding a current seat (elected or guarantor): they get the committee role."""
    day = day or utcnow().date()
    return set(db.session.scalars(select(Mandate.member_id).where(
        Mandate.member_id.is_not(None), Mandate.kind != MandateKind.ex_officio, Mandate.starts_on <= day, Mandate.ends_on > day,
        (Mandate.ended_on.is_(None)) | (Mandate.ended_on > day))))


def committee_roles(user: Any) -> set[Role]:
    """The committee role of a delegate or an alternate whose member holds a current seat.

    Registered as a role provider (``app.core.permissions``): no query unless
    the account represents a member.
    """
    if not account_roles(user) & {Role.delegate, Role.alternate}:
        return set()
    return {Role.committee} if holds_seat(user.member_id) else set()


def holds_seat(member_id: int, day: date | None = None) -> bool:
    """Whether one member holds a current seat (the committee role's test)."""
    day = day or utcnow().date()
    return db.session.scalar(select(Mandate.id).where(
        Mandate.member_id == member_id, Mandate.kind != MandateKind.ex_officio, Mandate.starts_on <= day, Mandate.ends_on > day,
        (Mandate.ended_on.is_(None)) | (Mandate.ended_on > day)).limit(1)) is not None


def chair_member_id(day: date | None = None) -> int | None:
    """The member organisation whose current seat chairs the committee, if one was designated."""
    day = day or utcnow().date()
    return db.session.scalar(select(Mandate.member_id).where(
        Mandate.chair.is_(True), Mandate.member_id.is_not(None), Mandate.starts_on <= day, Mandate.ends_on > day,
        (Mandate.ended_on.is_(None)) | (Mandate.ended_on > day)).limit(1))


def designate_chair(mandate: Mandate, *, actor: User, day: date | None = None) -> None:
    """Make a current member seat the chair; the previous chair's seat stops being it (one chair at a time)."""
    day = day or utcnow().date()
    if mandate.member_id is None or mandate.kind == MandateKind.ex_officio or not mandate.current_on(day):
        raise DomainError(_l("Only a current seat held by a member organisation can chair the committee."))
    before = chair_member_id(day)
    db.session.execute(update(Mandate).where(Mandate.chair.is_(True), Mandate.id != mandate.id)
                       .values(chair=False).execution_options(synchronize_session="fetch"))
    mandate.chair = True
    db.session.flush()
    audit.record("mandate.chair", "mandate", mandate.id, actor=actor,
                 before={"chair_member_id": before}, after={"chair_member_id": mandate.member_id})


def appoint(*, actor: User, kind: MandateKind, starts_on: date, ends_on: date, organisation: str = "",
            member: Member | None = None, representative_name: str = "", gender: str = "undisclosed") -> Mandate:
    """An ex-officio seat (funder, ministry) or the guarantor's: appointed, not elected."""
    if kind == MandateKind.elected:
        raise DomainError(_l("Elected seats come from an election."))
    if ends_on <= starts_on:
        raise DomainError(_l("The mandate must end after it starts."), field="ends_on")
    if member is None and not organisation.strip():
        raise DomainError(_l("Name the organisation."), field="organisation")
    if kind == MandateKind.ex_officio and member is not None:
        raise DomainError(_l("Ex-officio seats are held by organisations outside the membership."),
                          field="organisation")
    mandate = Mandate(kind=kind, member_id=member.id if member else None, organisation=organisation.strip(),
                      representative_name=representative_name.strip(), gender=gender, starts_on=starts_on,
                      ends_on=ends_on)
    db.session.add(mandate)
    db.session.flush()
    audit.record("mandate.appointed", "mandate", mandate.id, actor=actor,
                 after={"kind": kind, "holder": mandate.holder, "starts_on": starts_on, "ends_on": ends_on})
    return mandate


@dataclass(frozen=True)
class VacancyOutcome:
    ended: Mandate
    successor: Mandate | None
    relaxed: tuple[str, ...]


def record_vacancy(mandate: Mandate, *, actor: User, ended_on: date, reason: str) -> VacancyOutcome:
    """End a mandate (resignation, withdrawal) and offer the seat to the next substitute that keeps the
    constraints, for the rest of the term."""
    if mandate.ended_on is not None:
        raise DomainError(_l("This mandate has already ended."))
    if not reason.strip():
        raise DomainError(_l("Give the reason."), field="reason")
    if not mandate.starts_on <= ended_on < mandate.ends_on:
        raise DomainError(_l("The date must fall within the mandate."), field="ended_on")
    mandate.ended_on = ended_on
    mandate.end_reason = reason.strip()
    successor = None
    relaxed: tuple[str, ...] = ()
    election = mandate.election
    if mandate.kind == MandateKind.elected and election is not None and election.count:
        successor, relaxed = _fill_from_substitutes(election, mandate, ended_on)
    db.session.flush()
    audit.record("mandate.ended", "mandate", mandate.id, actor=actor,
                 after={"holder": mandate.holder, "ended_on": ended_on, "reason": mandate.end_reason,
                        "successor": successor.holder if successor else None})
    return VacancyOutcome(mandate, successor, relaxed)


def _fill_from_substitutes(election: Election, leaver: Mandate, day: date) -> tuple[Mandate | None, tuple[str, ...]]:
    candidacies = {str(c.id): c for c in validated_candidacies(election.id)}
    approvals = election.count["approvals"]
    sitting = [m for m in db.session.scalars(select(Mandate).where(
        Mandate.election_id == election.id, Mandate.id != leaver.id, Mandate.ended_on.is_(None)))]
    ever_seated = {str(m.candidacy_id) for m in db.session.scalars(
        select(Mandate).where(Mandate.election_id == election.id))}
    sitting_candidates = as_candidates([candidacies[str(m.candidacy_id)] for m in sitting], approvals)
    substitutes = as_candidates([candidacies[i] for i in election.count["allocation"]["substitutes"]
                                 if i in candidacies and i not in ever_seated], approvals)
    choice = rules.next_substitute(sitting_candidates, substitutes, rules.Constraints.from_dict(election.constraints),
                                   election.seats)
    if choice.chosen is None:
        return None, tuple(choice.relaxed)
    c = candidacies[choice.chosen.id]
    successor = Mandate(kind=MandateKind.elected, member_id=c.member_id, election_id=election.id, candidacy_id=c.id,
                        representative_name=c.representative_name, gender=c.gender, starts_on=day,
                        ends_on=leaver.ends_on, replaces_id=leaver.id)
    db.session.add(successor)
    return successor, tuple(choice.relaxed)
