"""Demo steering committee: the election held at last June's ordinary assembly (twelve seats,
college and country minimums, parity), its mandates for the 2026–2028 term, one resignation
filled by the next substitute, the ex-officio seats of the funders and ministries, and the
guarantor's seat (Solidarité Laïque).

Everything goes through the services the pages use (declare, validate, open, cast, close,
record a vacancy, appoint), then the dates are set to when it happened.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select

from app.assembly import voting
from app.assembly.models import Assembly, AssemblyStatus, VoteElector
from app.auth.models import User, UserKind
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.demo.organisations import EX_OFFICIO
from app.elections import services
from app.elections.models import Candidacy, Election, Mandate, MandateKind
from app.extensions import db
from app.members.models import CharterSignature, Member, MemberStatus

ELECTION_TITLE = "Élection du comité de pilotage 2026"
TERM_STARTS_ON = date(2026, 7, 1)
TERM_YEARS = 2
SEATS = 12
#: Both countries and every college sit on the committee; parity within two seats.
CONSTRAINTS = {"college": {"cs-fr": [3, 5], "cs-tn": [3, 5], "auth": [1, 3]},
               "country": {"FR": [5, 7], "TN": [5, 7]}, "parity_tolerance": 2}
#: Candidacies per college (18 in all).
CANDIDATES = {"cs-fr": 7, "cs-tn": 7, "auth": 4}
#: The demo delegate's member stands (and, being well supported, sits: its logins show the committee role).
DELEGATE_ACRONYM = "UTSS"
HELD = datetime(2026, 6, 13, 9, 0, tzinfo=UTC)  # the ordinary assembly (app/demo/assemblies.py)
CANDIDACY_OPENS = datetime(2026, 4, 15, 8, 0, tzinfo=UTC)
CANDIDACY_CLOSES = datetime(2026, 5, 29, 16, 0, tzinfo=UTC)
RESIGNED_ON = date(2026, 10, 15)
RESIGNATION = ("Démission du comité de pilotage (courrier du 2 octobre 2026) : l'organisation ne peut plus "
               "assurer une présence régulière aux réunions.")

STATEMENTS = [
    "Nous voulons porter au comité la voix des associations de terrain et veiller à ce que les appels à projets "
    "restent accessibles aux petites structures.",
    "Notre organisation s'engage à suivre de près l'emploi des jeunes et l'économie sociale et solidaire, "
    "au cœur des défis communs du programme.",
    "Nous proposons de renforcer le lien entre collectivités et société civile des deux rives dans le suivi des "
    "projets soutenus.",
    "Nous souhaitons contribuer à des règles de sélection transparentes et à l'évaluation partagée des projets.",
]


def _ballots(rng: random.Random, candidacies: list[Candidacy], voters: int) -> list[list[int]]:
    """Approval ballots (at most ``SEATS`` each, a few blank) giving every candidate a different number
    of approvals: no tie, hence no draw, so every load elects the same committee (the draw's seed,
    the board's final hash, depends on random trackers)."""
    order = sorted(candidacies, key=lambda c: (c.member.acronym != DELEGATE_ACRONYM, rng.random()))
    target = max(2 * len(order), voters * 7 // 10)
    capacity = [0 if rng.random() < 0.04 else rng.randint(6, SEATS) for _ in range(voters)]
    ballots: list[list[int]] = [[] for _ in range(voters)]
    for candidacy in order:
        room = sorted((i for i in range(voters) if len(ballots[i]) < capacity[i]),
                      key=lambda i: (len(ballots[i]) - capacity[i], rng.random()))
        for i in room[:target]:
            ballots[i].append(candidacy.id)
        target -= rng.randint(1, 2)
    return ballots


def _candidates(rng: random.Random) -> list[Member]:
    """Active members that signed the charter, per college, the demo delegate's member included."""
    signed = select(CharterSignature.member_id)
    pool = list(db.session.scalars(select(Member).where(Member.status == MemberStatus.active, Member.id.in_(signed),
                                                        Member.is_guarantor.is_(False)).order_by(Member.id)))
    chosen: list[Member] = []
    for code, wanted in CANDIDATES.items():
        group = [m for m in pool if m.college.code == code]
        forced = [m for m in group if m.acronym == DELEGATE_ACRONYM]
        rest = [m for m in group if m.acronym != DELEGATE_ACRONYM]
        if code == "auth":  # local authorities of both countries
            fr = [m for m in rest if m.country == "FR"]
            tn = [m for m in rest if m.country == "TN"]
            picked = rng.sample(fr, min(2, len(fr))) + rng.sample(tn, min(2, len(tn)))
        else:
            picked = rng.sample(rest, wanted - len(forced))
        chosen += forced + picked
    return sorted(chosen, key=lambda m: m.id)


def _delegates() -> dict[int, User]:
    return {u.member_id: u for u in db.session.scalars(select(User).where(User.is_delegate.is_(True)))}  # type: ignore[misc]


def load_committee(*, secretariat: User, rng: random.Random) -> Election:
    """The 2026 election and the committee it produced, with the appointed seats."""
    now = utcnow()
    outbox_before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    assembly = db.session.scalar(select(Assembly).where(Assembly.status == AssemblyStatus.closed)
                                 .order_by(Assembly.starts_at, Assembly.id).limit(1))
    election = services.create_election(actor=secretariat, data={
        "title": ELECTION_TITLE, "seats": SEATS, "term_starts_on": TERM_STARTS_ON, "term_years": TERM_YEARS,
        "candidacy_opens_at": now - timedelta(days=1), "candidacy_closes_at": now + timedelta(days=1),
        "assembly_id": assembly.id if assembly is not None else None, "constraints": CONSTRAINTS})

    delegates = _delegates()
    members = _candidates(rng)
    candidacies: list[Candidacy] = []
    for member in members:
        delegate = delegates[member.id]
        candidacy = services.declare_candidacy(
            election, actor=delegate, representative_name=delegate.full_name, gender=delegate.gender,
            statements={"fr": rng.choice(STATEMENTS), "en": "", "ar": ""})
        services.decide_candidacy(candidacy, actor=secretariat, validate=True)
        candidacies.append(candidacy)

    # The vote took place during the ordinary assembly (closed since): reopen it for the time of the vote.
    if assembly is not None:
        assembly.status = AssemblyStatus.in_session
    election.candidacy_closes_at = now - timedelta(seconds=1)
    services.open_voting(election, actor=secretariat, closes_at=now + timedelta(hours=2))
    electors = db.session.execute(select(VoteElector.member_id, VoteElector.proxy_holder_id)
                                  .where(VoteElector.vote_id == election.vote_id).order_by(VoteElector.member_id)).all()
    voters = [(member_id, delegates[holder or member_id]) for member_id, holder in electors
              if (holder or member_id) in delegates and rng.random() < 0.85]
    for (member_id, actor), approved in zip(voters, _ballots(rng, candidacies, len(voters)), strict=True):
        voting.cast(election.vote_id, member_id, ",".join(str(i) for i in approved), actor=actor)
    voting.close_vote(election.vote, actor=secretariat)
    if assembly is not None:
        assembly.status = AssemblyStatus.closed

    # One resignation during the term: the next substitute that keeps the constraints takes the seat.
    elected = list(db.session.scalars(select(Mandate).where(Mandate.election_id == election.id)
                                      .order_by(Mandate.id)))
    leaver = next(m for m in reversed(elected) if m.member is not None and m.member.acronym != DELEGATE_ACRONYM)
    services.record_vacancy(leaver, actor=secretariat, ended_on=RESIGNED_ON, reason=RESIGNATION)

    # Appointed seats for the term: the funders and ministries, and the guarantor.
    term_ends_on = election.term_ends_on
    staff = {u.organisation_label: u for u in db.session.scalars(select(User).where(
        User.kind == UserKind.ex_officio).order_by(User.id))}
    for entry in EX_OFFICIO:
        person = staff.get(entry["name"])
        services.appoint(actor=secretariat, kind=MandateKind.ex_officio, organisation=entry["name"],
                         representative_name=person.full_name if person else "", starts_on=TERM_STARTS_ON,
                         gender=person.gender if person else "undisclosed", ends_on=term_ends_on)
    guarantor = db.session.scalar(select(Member).where(Member.is_guarantor.is_(True)).order_by(Member.id).limit(1))
    if guarantor is not None:
        representative = delegates.get(guarantor.id)
        services.appoint(actor=secretariat, kind=MandateKind.guarantor, member=guarantor,
                         representative_name=representative.full_name if representative else "",
                         gender=representative.gender if representative else "undisclosed",
                         starts_on=TERM_STARTS_ON, ends_on=term_ends_on)

    # Dated as it happened (the services stamp "now").
    election.created_at = CANDIDACY_OPENS - timedelta(days=14)
    election.candidacy_opens_at, election.candidacy_closes_at = CANDIDACY_OPENS, CANDIDACY_CLOSES
    window = int((CANDIDACY_CLOSES - CANDIDACY_OPENS).total_seconds() // 3600)
    for candidacy in candidacies:
        candidacy.submitted_at = CANDIDACY_OPENS + timedelta(hours=rng.randint(1, window - 1))
        candidacy.decided_at = CANDIDACY_CLOSES + timedelta(days=3)
    vote = election.vote
    vote.opened_at = HELD + timedelta(hours=3, minutes=30)
    vote.closes_at = vote.closed_at = HELD + timedelta(hours=5)
    # The demo's mail history stays short (as for the assemblies).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    return election
