"""Demo calls for projects: the programme's seven challenges; the seed's call "Coopérer autrement en acteurs
de changement" (seed 002) with its nine funded projects under the "Règlement 2014"; and the current PCPA
call, open, under a rule set the steering committee amended and the assembly adopted by a counted vote.

Everything goes through the services the pages use (rule sets, amendments, freeze, the assembly's votes
and their adoption hook, calls, proposals, submission, instruction), then the dates are set to when it
happened. The nine maxima are computed by the rules; the load stops if one differs from the seed's grant.

A rule set is adopted only by its resolution's counted vote (``app/calls/adoption.py``), so the 2014 rules
too are put to an assembly (dated 2014): its frozen electorate is today's members, the only demo artefact
of that past vote.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import delete, select

from app.assembly import services as assembly_services
from app.assembly import voting
from app.assembly.models import Assembly, AssemblyKind, Vote, VoteElector
from app.auth.models import User
from app.calls import allocation, eligibility, instruction, proposals, rules, rulesets, selection, services
from app.calls import content as rule_content
from app.calls.models import (
    AmendmentComment,
    AmendmentSupport,
    Call,
    Challenge,
    Proposal,
    ProposalSnapshot,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
)
from app.calls.money import round_euro, to_cents
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.demo.calls_data import CHALLENGES, PCPA_PROJECTS, SEED_CALL, SEED_PROJECTS, THEMES
from app.elections.services import committee_member_ids
from app.extensions import db
from app.members.models import Member

CENT = Decimal("0.01")

# The seed's call (2014) ---------------------------------------------------------------------------------
RULES_2014_TITLES = {"fr": "Règlement 2014", "en": "2014 rules", "ar": "نظام 2014"}
RULES_2014 = {
    "eligibility": {
        "lead_active_member": {},
        "min_partners": {"n": 1},
        "duration_range": {"min_months": 12, "max_months": 36},
        "budget_range": {"min": "50000", "max": "600000"},
        "cofinancing_share": {"min_percent": "30"},
        "requested_within_max": {},
        "challenge_addressed": {"n": 1},
        "max_open_per_lead": {"k": 1},
    },
    "funding": {"rate": "0.65", "ceiling": "66440", "floor": "0"},
    "criteria": {
        "pertinence": {"name": {"fr": "Pertinence", "en": "Relevance", "ar": "الملاءمة"},
                       "description": {"fr": "Réponse aux enjeux communs d'ici et de là-bas.",
                                       "en": "Answers the issues shared here and there.",
                                       "ar": "الاستجابة للرهانات المشتركة هنا وهناك."},
                       "weight": 3, "scale_max": 5, "na_allowed": False, "min_justification": 50, "position": 1},
        "changement": {"name": {"fr": "Changement visé", "en": "Intended change", "ar": "التغيير المنشود"},
                       "description": {"fr": "Les acteurs de changement et les chemins de changement décrits.",
                                       "en": "The agents and paths of change described.",
                                       "ar": "فاعلو التغيير ومساراته الموصوفة."},
                       "weight": 2, "scale_max": 5, "na_allowed": False, "min_justification": 50, "position": 2},
    },
}
HELD_2014 = datetime(2014, 6, 14, 9, 0, tzinfo=UTC)
CALL_2014_OPENS = datetime(2014, 9, 1, 8, 0, tzinfo=UTC)
CALL_2014_CLOSES = datetime(2014, 11, 28, 16, 0, tzinfo=UTC)
CALL_2014_PUBLISHED = datetime(2015, 3, 2, 10, 0, tzinfo=UTC)
CALL_2014_DECIDED = datetime(2015, 2, 12, 17, 0, tzinfo=UTC)
SEED_DECISION_REASON = ("Projet retenu par le comité de pilotage du 12 février 2015, avant la notation en ligne : "
                        "subvention de la convention signée.")
SEED_DECISION_MINUTES = ("Comité de pilotage du 12 février 2015 : les neuf actions pilotes sont retenues au montant "
                         "maximal du Règlement 2014 ; les évaluations de l'époque sont conservées au secrétariat.")
STARTS_2015 = date(2015, 3, 1)
#: How the demo spreads a seed budget over budget lines: (category, description, share in %).
BUDGET_SPLIT = [("staff", "Personnel et coordination", 32), ("activities", "Activités et ateliers", 24),
                ("travel", "Missions et échanges", 14), ("training", "Formations", 12),
                ("communication", "Capitalisation et publications", 6), ("evaluation", "Suivi-évaluation et audit", 5),
                ("overheads", "Frais de structure", 7)]

# The PCPA call (now) -----------------------------------------------------------------------------------
PCPA_TITLES = {"fr": "Règlement de l'appel à projets PCPA 2026", "en": "Rules of the 2026 PCPA call for projects",
               "ar": "نظام طلب المشاريع للبرنامج المشترك 2026"}


def _criterion(fr: str, en: str, ar: str, description: tuple[str, str, str], weight: int, position: int, *,
               na: bool = False) -> dict[str, Any]:
    return {"name": {"fr": fr, "en": en, "ar": ar},
            "description": dict(zip(("fr", "en", "ar"), description, strict=True)),
            "weight": weight, "scale_max": 5, "na_allowed": na, "min_justification": 80, "position": position}


PCPA_V1 = {
    "eligibility": {
        "lead_active_member": {},
        "min_partners": {"n": 1},
        "duration_range": {"min_months": 12, "max_months": 36},
        "budget_range": {"min": "20000", "max": "150000"},
        "cofinancing_share": {"min_percent": "20"},
        "requested_within_max": {},
        "challenge_addressed": {"n": 1},
        "max_open_per_lead": {"k": 1},
    },
    "funding": {"rate": "0.7", "ceiling": "60000", "floor": "10000"},
    "criteria": {
        "pertinence": _criterion("Pertinence au regard des défis", "Relevance to the challenges", "الملاءمة مع التحديات",
                                 ("Le projet répond à un ou plusieurs défis communs du programme.",
                                  "The project answers one or more of the programme's shared challenges.",
                                  "يستجيب المشروع لتحدٍّ أو أكثر من تحديات البرنامج المشتركة."), 3, 1),
        "partenariat": _criterion("Qualité du partenariat", "Quality of the partnership", "جودة الشراكة",
                                  ("Un partenariat équilibré entre acteurs des deux rives.",
                                   "A balanced partnership between actors of both shores.",
                                   "شراكة متوازنة بين فاعلين من الضفتين."), 2, 2),
        "faisabilite": _criterion("Faisabilité", "Feasibility", "قابلية الإنجاز",
                                  ("Moyens, calendrier et budget cohérents avec les activités.",
                                   "Means, timetable and budget consistent with the activities.",
                                   "وسائل وروزنامة وميزانية متناسقة مع الأنشطة."), 2, 3),
        "durabilite": _criterion("Durabilité", "Sustainability", "الاستدامة",
                                 ("Ce qui restera après le projet.", "What will remain after the project.",
                                  "ما سيبقى بعد انتهاء المشروع."), 1, 4, na=True),
    },
}
GENDER_CRITERION = _criterion("Égalité femmes-hommes", "Gender equality", "المساواة بين النساء والرجال",
                              ("La place des femmes dans le projet et dans sa gouvernance.",
                               "The place of women in the project and in its governance.",
                               "مكانة النساء في المشروع وفي حوكمته."), 2, 5)
AMENDED = datetime(2026, 9, 2, 14, 0, tzinfo=UTC)  # the committee's first amendments
HELD_PCPA = datetime(2026, 9, 26, 9, 0, tzinfo=UTC)
PCPA_OPENED = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)
PCPA_CALL = {
    "title_fr": "Appel à projets PCPA 2026 : agir ensemble sur les défis communs",
    "title_en": "2026 PCPA call for projects: acting together on the shared challenges",
    "title_ar": "طلب المشاريع للبرنامج المشترك 2026: العمل معًا على التحديات المشتركة",
    "text_fr": "Le programme soutient des projets portés par ses membres, en partenariat entre la France et la "
               "Tunisie, qui répondent à un ou plusieurs des sept défis communs adoptés par l'Assemblée des "
               "membres. Les règles d'éligibilité, de financement et de sélection sont celles du règlement "
               "co-construit par le comité de pilotage et adopté par l'Assemblée plénière du 26 septembre 2026.",
    "text_en": "The programme supports projects led by its members, in partnership between France and Tunisia, "
               "that answer one or more of the seven shared challenges adopted by the assembly of members. The "
               "eligibility, funding and selection rules are those co-built by the steering committee and "
               "adopted by the plenary assembly of 26 September 2026.",
    "text_ar": "يدعم البرنامج مشاريع يحملها أعضاؤه، في شراكة بين فرنسا وتونس، تستجيب لتحدٍّ أو أكثر من التحديات "
               "السبعة المشتركة التي اعتمدتها جمعية الأعضاء. وتخضع لقواعد الأهلية والتمويل والاختيار التي "
               "بنتها لجنة القيادة بشكل تشاركي واعتمدتها الجلسة العامة المنعقدة في 26 سبتمبر 2026.",
}
PCPA_ENVELOPE = Decimal("600000")
PCPA_OPEN_DAYS = 30  # the call closes this many days after the load


# Helpers -------------------------------------------------------------------------------------------------

def _delegates() -> dict[str, User]:
    """Each member's delegate, by the member's acronym."""
    rows = db.session.execute(select(Member.acronym, User).join(User, User.member_id == Member.id)
                              .where(User.is_delegate.is_(True))).all()
    return {acronym: user for acronym, user in rows}


def _members() -> dict[str, Member]:
    return {m.acronym: m for m in db.session.scalars(select(Member))}


def _check(condition: bool, message: str) -> None:
    """The demo's own consistency checks (a failure is a bug in the demo, not bad input)."""
    if not condition:
        raise RuntimeError(message)


def load_challenges(actor: User) -> dict[str, Challenge]:
    """The seven challenges, through the secretariat's service (codes EDU-1 … CON-1)."""
    found: dict[str, Challenge] = {}
    for position, (code, theme, fr, en, ar) in enumerate(CHALLENGES, start=1):
        theme_fr, theme_en, theme_ar = THEMES[theme]
        found[code] = services.create_challenge(actor=actor, data={
            "code": code, "position": position, "theme_fr": theme_fr, "theme_en": theme_en, "theme_ar": theme_ar,
            "title_fr": fr, "title_en": en, "title_ar": ar, "active": True})
    return found


def _adopt_by_assembly(rule_set: RuleSet, *, secretariat: User, title: str, kind: AssemblyKind, place: str,
                       item: str, rng: random.Random, weights: tuple[int, int, int]) -> Assembly:
    """Freeze the rule set's head onto a new assembly's agenda, hold the vote (delegates cast) and close it:
    the adoption hook adopts the version from the counted result."""
    now = utcnow()
    assembly = assembly_services.create_assembly(actor=secretariat, data={
        "title": title, "kind": kind, "starts_at": now + timedelta(days=16), "place": place,
        "online": True})
    agenda_item = assembly_services.add_agenda_item(assembly, actor=secretariat, title=item)
    resolution = rulesets.freeze(rule_set, actor=secretariat, agenda_item=agenda_item)
    assembly_services.convene(assembly, actor=secretariat, accept_short_notice=True)
    voting.open_vote(resolution.vote, actor=secretariat, closes_at=now + timedelta(hours=2))
    delegates = {u.member_id: u for u in db.session.scalars(select(User).where(User.is_delegate.is_(True)))}
    electors = db.session.execute(select(VoteElector.member_id, VoteElector.proxy_holder_id)
                                  .where(VoteElector.vote_id == resolution.vote_id)
                                  .order_by(VoteElector.member_id)).all()
    for member_id, holder in electors:
        actor = delegates.get(holder or member_id)
        if actor is None or rng.random() > 0.8:
            continue
        voting.cast(resolution.vote_id, member_id, rng.choices(("for", "against", "abstain"), weights=weights)[0],
                    actor=actor)
    result = voting.close_vote(resolution.vote, actor=secretariat)
    _check(result["outcome"] == "adopted", f"the demo vote on {rule_set.title_fr} was not adopted: {result}")
    assembly_services.close_assembly(assembly, actor=secretariat)
    version = rulesets.head(rule_set)
    _check(version.status == VersionStatus.adopted, "the adoption hook did not adopt the demo rule set")
    return assembly


def _date_assembly(assembly: Assembly, held: datetime) -> None:
    """Dated as it happened (the services stamp "now"): convened three weeks before, vote in the morning."""
    assembly.starts_at, assembly.convened_at = held, held - timedelta(days=21)
    assembly.created_at = held - timedelta(days=30)
    for vote in db.session.scalars(select(Vote).where(Vote.assembly_id == assembly.id)):
        vote.opened_at = held + timedelta(hours=1)
        vote.closes_at = vote.closed_at = held + timedelta(hours=2)


def _lines_for(budget: Decimal, requested: Decimal) -> list[dict[str, Any]]:
    """Budget lines adding up exactly to ``budget``, each asking its share of ``requested`` (to the cent)."""
    lines = []
    left_total, left_requested = budget, requested
    for index, (category, description, share) in enumerate(BUDGET_SPLIT):
        last = index == len(BUDGET_SPLIT) - 1
        total = left_total if last else (budget * share / 100).quantize(Decimal(1), rounding=ROUND_DOWN)
        asked = left_requested if last else (total * requested / budget).quantize(CENT, rounding=ROUND_DOWN)
        lines.append({"category": category, "description": description, "total": str(total), "requested": str(asked)})
        left_total -= total
        left_requested -= asked
    return lines


def _add_partner(proposal: Proposal, spec: tuple[Any, ...], members: dict[str, Member], actor: User) -> None:
    if spec[0] == "member":
        _, acronym, kind, role = spec
        values = {"member_id": members[acronym].id, "kind": kind, "role": role}
    else:
        _, name, country, kind, role = spec
        values = {"name": name, "country": country, "kind": kind, "role": role}
    proposals.add_line(proposal, "partners", actor=actor, values=values)


def _fill(proposal: Proposal, data: dict[str, Any], *, actor: User, challenges: dict[str, Challenge],
          members: dict[str, Member], budget_lines: list[dict[str, Any]], cofinancing: list[dict[str, Any]],
          indicators: list[dict[str, Any]], sections: list[str]) -> None:
    """Fill the sections listed, as a delegate would over several visits, marking each one complete."""
    if "about" in sections:
        proposals.save_section(proposal, "about", actor=actor, done=True, values={
            "title": data["title"], "summary": data["summary"], "territories": data["territories"],
            "challenge_ids": [challenges[c].id for c in data["challenges"]]})
    if "partners" in sections:
        for spec in data["partners"]:
            _add_partner(proposal, spec, members, actor)
        proposals.mark_section(proposal, "partners", actor=actor, done=True)
    if "beneficiaries" in sections:
        proposals.save_section(proposal, "beneficiaries", actor=actor, done=True, values={
            "beneficiaries_direct": data["direct"], "beneficiaries_indirect": data["indirect"],
            "women_percent": data.get("women"), "youth_percent": data.get("youth")})
    if "dates" in sections:
        proposals.save_section(proposal, "dates", actor=actor, done=True, values={
            "starts_on": data["starts_on"], "duration_months": data["months"]})
    if "budget" in sections:
        for line in budget_lines:
            proposals.add_line(proposal, "budget", actor=actor, values=line)
        proposals.mark_section(proposal, "budget", actor=actor, done=True)
    if "cofinancing" in sections:
        for line in cofinancing:
            proposals.add_line(proposal, "cofinancing", actor=actor, values=line)
        proposals.mark_section(proposal, "cofinancing", actor=actor, done=True)
    if "results" in sections:
        proposals.save_section(proposal, "results", actor=actor, done=True, values={
            "expected_results": data["results"], "main_activities": data["activities"]})
    if "indicators" in sections:
        for line in indicators:
            proposals.add_line(proposal, "indicators", actor=actor, values=line)
        proposals.mark_section(proposal, "indicators", actor=actor, done=True)
    if "attachments" in sections:
        proposals.mark_section(proposal, "attachments", actor=actor, done=True)


def _date_proposal(proposal: Proposal, created: datetime, submitted: datetime | None) -> None:
    proposal.created_at = created
    proposal.updated_at = submitted or created
    if submitted is not None:
        proposal.submitted_at = submitted
        for snapshot in db.session.scalars(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id)):
            snapshot.submitted_at = submitted


def _new_call(secretariat: User, texts: dict[str, str], *, version: RuleSetVersion, envelope: Decimal,
              challenges: list[Challenge], closes_at: datetime) -> Call:
    now = utcnow()
    call = services.create_call(actor=secretariat, data={
        **texts, "envelope": envelope, "opens_at": now, "closes_at": closes_at, "rule_set_version_id": version.id,
        "reminder_days": 7, "challenge_ids": [c.id for c in challenges]})
    services.open_call(call, actor=secretariat, now=now)
    return call


# The seed's call -----------------------------------------------------------------------------------------

def _requested_2014(project: dict[str, Any]) -> Decimal:
    """What the project asked: the seed's grant where it is below what the rules allow; otherwise its budget's
    share at the rate rounded to the euro, capped at the ceiling, in whole euros (asking more would fail
    "requested within the maximum"; asking cents would be rounded down: Essor asks 66,333 €, its 65 % share
    of 66,332.50 € rounded, so its maximum is the seed's 66,333 €)."""
    budget = Decimal(project["budget"])
    if project["requested"] is not None:
        return Decimal(project["requested"])
    funding = rules.Funding.from_content(RULES_2014["funding"])
    at_rate = round_euro(budget * funding.rate)
    return min(at_rate, funding.ceiling) if funding.ceiling is not None else at_rate


def load_seed_call(*, secretariat: User, challenges: dict[str, Challenge], rng: random.Random) -> Call:
    """The 2014 rules adopted by an assembly, the call, the nine projects submitted, then closed, decided and
    published with the seed's grants (``awarded_cents``)."""
    rule_set = rulesets.create_rule_set(actor=secretariat, titles=RULES_2014_TITLES, content=RULES_2014)
    assembly = _adopt_by_assembly(
        rule_set, secretariat=secretariat, title="Assemblée plénière du 14 juin 2014", kind=AssemblyKind.ordinary,
        place="Paris",
        item="Règlement de l'appel à projets « Coopérer autrement en acteurs de changement »", rng=rng,
        weights=(14, 1, 2))
    version = rulesets.head(rule_set)
    call_challenges = [challenges[c] for c in ("INS-1", "INS-2", "INS-3", "CON-1")]
    envelope = sum((Decimal(p["grant"]) for p in SEED_PROJECTS), Decimal(0))
    call = _new_call(secretariat, SEED_CALL, version=version, envelope=envelope, challenges=call_challenges,
                     closes_at=utcnow() + timedelta(days=1))
    delegates, members = _delegates(), _members()
    funding = rules.Funding.from_content(RULES_2014["funding"])
    made: list[tuple[Proposal, dict[str, Any]]] = []
    for project in SEED_PROJECTS:
        delegate = delegates[project["lead"]]
        budget, requested = Decimal(project["budget"]), _requested_2014(project)
        rest = budget - requested
        own = (rest / 4).quantize(Decimal(1), rounding=ROUND_DOWN)
        proposal = proposals.create_proposal(call, actor=delegate)
        data = {**project, "starts_on": STARTS_2015}
        _fill(proposal, data, actor=delegate, challenges=challenges, members=members,
              budget_lines=_lines_for(budget, requested),
              cofinancing=[{"source": f"Fonds propres ({members[project['lead']].name})", "amount": str(own),
                            "confirmed": True},
                           {"source": "Autres bailleurs (collectivités, fondations)", "amount": str(rest - own),
                            "confirmed": True}],
              indicators=[{"name": "Bénéficiaires directs touchés", "unit": "personnes", "baseline": "0",
                           "target": str(project["direct"])}],
              sections=list(proposals.SECTIONS))
        proposals.submit(proposal, actor=delegate)
        made.append((proposal, project))
        # The rules give the seed's grant (the page shows the same calculation).
        calculation = rules.max_grant(proposal.requested, proposal.total_budget, funding)
        _check(proposal.total_budget == budget, f"{project['lead']}: budget lines add up to {proposal.total_budget}")
        _check(calculation.maximum == Decimal(project["grant"]) and proposal.max_grant == calculation.maximum,
               f"{project['lead']}: maximum {calculation.maximum}, the seed's grant is {project['grant']}")
    services.close_call(call, actor=secretariat)
    for proposal, _ in made:
        instruction.confirm_eligibility(proposal, actor=secretariat)
    services.advance(call, actor=secretariat)  # closed -> in review
    _decide_seed_call(call, made, secretariat=secretariat)  # -> decided -> published
    for proposal, project in made:
        proposal.awarded_cents = to_cents(Decimal(project["grant"]))

    # Dated as it happened.
    _date_assembly(assembly, HELD_2014)
    rule_set.created_at = HELD_2014 - timedelta(days=60)
    version.created_at, version.frozen_at = rule_set.created_at, HELD_2014 - timedelta(days=21)
    version.decided_at = HELD_2014 + timedelta(hours=2)
    call.created_at = CALL_2014_OPENS - timedelta(days=20)
    call.opens_at = call.opened_at = CALL_2014_OPENS
    call.closes_at = call.closed_at = CALL_2014_CLOSES
    call.published_at = CALL_2014_PUBLISHED
    for index, (proposal, _) in enumerate(made):
        submitted = CALL_2014_CLOSES - timedelta(days=9 - index, hours=rng.randint(1, 8))
        _date_proposal(proposal, CALL_2014_OPENS + timedelta(days=10 + 3 * index), submitted)
        proposal.instructed_at = CALL_2014_CLOSES + timedelta(days=12)
    decision = selection.decision_of(call.id)
    assert decision is not None
    decision.decided_at = CALL_2014_DECIDED
    decision.published_at = CALL_2014_PUBLISHED
    for item in decision.items:
        item.letter_sent_at = CALL_2014_PUBLISHED
    return call


def _decide_seed_call(call: Call, made: list[tuple[Proposal, dict[str, Any]]], *, secretariat: User) -> None:
    """The 2015 decision recorded through the selection: the nine projects were chosen before the platform
    kept reviews, so none is scored, the line funds none and each grant is a departure with its reason;
    publishing queues the letters (``load_calls`` removes the demo's e-mails)."""
    decided = [allocation.Decided(proposal.id, allocation.SELECTED, to_cents(Decimal(project["grant"])),
                                  SEED_DECISION_REASON) for proposal, project in made]
    selection.record_decision(call, actor=secretariat, decided=decided, minutes=SEED_DECISION_MINUTES)
    selection.publish_decision(call, actor=secretariat)


# The PCPA call --------------------------------------------------------------------------------------------

def _with(content: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``content`` with one leaf set (``content.ABSENT`` removes it)."""
    flat = rule_content.flatten(content)
    prefix = path + "."
    flat = {k: v for k, v in flat.items() if k != path and not k.startswith(prefix)}
    if value is not rule_content.ABSENT:
        flat.update(rule_content.flatten({path: value}) if isinstance(value, dict) and value else {path: value})
    return rulesets.normalise(rule_content.unflatten(flat))


def _committee(delegates: dict[str, User], members: dict[str, Member]) -> list[User]:
    """Delegates of the members holding a current committee seat, the demo delegate's member first."""
    seated = committee_member_ids()
    by_id = {m.id: a for a, m in members.items()}
    users = [delegates[by_id[i]] for i in sorted(seated) if by_id.get(i) in delegates]
    users.sort(key=lambda u: (u.email != "delegate@demo.example.org", u.member_id))
    _check(len(users) >= 4 and rulesets.is_committee(users[0]), "the demo committee is missing")
    return users


def co_build_rules(*, secretariat: User, rng: random.Random) -> tuple[RuleSet, Assembly]:
    """Version 1 by the secretariat; the committee's amendments (two accepted, one declined); version 3 adopted
    by an extraordinary assembly; one amendment proposed since, for the next version."""
    delegates, members = _delegates(), _members()
    committee = _committee(delegates, members)
    tunisian = committee[0]
    french = next(u for u in committee[1:] if u.member.country == "FR" and not u.member.is_guarantor)
    others = [u for u in committee if u not in (tunisian, french)]
    rule_set = rulesets.create_rule_set(actor=secretariat, titles=PCPA_TITLES, content=PCPA_V1)
    v1 = rulesets.head(rule_set)

    shores = rulesets.propose_amendment(
        rule_set, actor=tunisian, title="Au moins un partenaire de l'autre rive",
        rationale="Le programme est franco-tunisien : chaque projet doit associer au moins un partenaire de "
                  "l'autre pays, sinon l'appel finance des projets nationaux.",
        new_content=_with(v1.content, "eligibility.partner_other_country", {"countries": ""}))
    ceiling = rulesets.propose_amendment(
        rule_set, actor=french, title="Relever le plafond à 70 000 €",
        rationale="Les projets à deux pays coûtent plus cher en déplacements ; 60 000 € limitent leur ambition.",
        new_content=_with(v1.content, "funding.ceiling", "70000"))
    gender = rulesets.propose_amendment(
        rule_set, actor=others[0], title="Ajouter un critère « Égalité femmes-hommes »",
        rationale="La charte engage les membres sur l'égalité : la sélection doit en tenir compte.",
        new_content=_with(v1.content, "criteria.egalite", GENDER_CRITERION))
    rulesets.comment(shores, actor=french, body="D'accord, à condition que le partenaire soit réellement impliqué "
                                                "dans le projet et pas seulement cité.")
    rulesets.support(shores, actor=others[0])
    rulesets.support(shores, actor=others[1])
    rulesets.support(gender, actor=tunisian)
    rulesets.comment(ceiling, actor=others[1], body="Avec 600 000 €, un plafond à 70 000 € réduirait le nombre de "
                                                    "projets soutenus.")
    v2 = rulesets.decide_amendment(shores, actor=secretariat, accept=True,
                                   reason="Conforme au caractère binational du programme ; soutenu par le comité.")
    rulesets.decide_amendment(ceiling, actor=secretariat, accept=False,
                              reason="L'enveloppe de 600 000 € ne financerait plus que huit projets : le comité "
                                     "préfère en soutenir dix au moins.")
    v3 = rulesets.decide_amendment(gender, actor=secretariat, accept=True,
                                   reason="Critère demandé par la charte ; pondération 2 acceptée en réunion.")
    assembly = _adopt_by_assembly(
        rule_set, secretariat=secretariat, title="Assemblée plénière extraordinaire de septembre 2026",
        kind=AssemblyKind.extraordinary, place="Sousse", item="Règlement de l'appel à projets PCPA 2026", rng=rng, weights=(12, 2, 3))
    later = rulesets.propose_amendment(
        rule_set, actor=others[1], title="Durée maximale portée à 48 mois",
        rationale="Les projets d'insertion ont besoin de suivre les jeunes plus longtemps que trois ans.",
        new_content=_with(rulesets.head(rule_set).content, "eligibility.duration_range.max_months", 48))
    rulesets.support(later, actor=french)

    # Dated as it happened.
    _date_assembly(assembly, HELD_PCPA)
    rule_set.created_at = v1.created_at = AMENDED - timedelta(days=10)
    for offset, amendment in enumerate((shores, ceiling, gender)):
        amendment.created_at = AMENDED + timedelta(days=offset, hours=offset)
        amendment.decided_at = AMENDED + timedelta(days=12, hours=offset)
    for version in (v2, v3):
        assert version is not None
        version.created_at = AMENDED + timedelta(days=12)
    v3.frozen_at = HELD_PCPA - timedelta(days=21)
    v3.decided_at = HELD_PCPA + timedelta(hours=2)
    later.created_at = HELD_PCPA + timedelta(days=40)
    ids = [a.id for a in (shores, ceiling, gender, later)]
    for item in db.session.scalars(select(AmendmentComment).where(AmendmentComment.amendment_id.in_(ids))):
        item.created_at = AMENDED + timedelta(days=4, hours=rng.randint(1, 48))
    for item in db.session.scalars(select(AmendmentSupport).where(AmendmentSupport.amendment_id.in_(ids))):
        item.created_at = AMENDED + timedelta(days=5, hours=rng.randint(1, 48))
    later_supports = db.session.scalars(select(AmendmentSupport).where(AmendmentSupport.amendment_id == later.id))
    for item in later_supports:
        item.created_at = later.created_at + timedelta(days=2)
    return rule_set, assembly


def _pcpa_lines(project: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    budget = [{"category": c, "description": d, "total": t, "requested": r} for c, d, t, r in project["lines"]]
    cofinancing = [{"source": s, "amount": a, "confirmed": ok} for s, a, ok in project["cofinancing"]]
    indicators = [{"name": n, "unit": u, "baseline": b, "target": t} for n, u, b, t in project.get("indicators", ())]
    return budget, cofinancing, indicators


def load_pcpa_call(*, secretariat: User, challenges: dict[str, Challenge], rng: random.Random) -> Call:
    """The open PCPA call under the adopted version 3, with proposals submitted, in progress and one ineligible."""
    rule_set, _ = co_build_rules(secretariat=secretariat, rng=rng)
    adopted = db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == rule_set.id,
                                                             RuleSetVersion.status == VersionStatus.adopted))
    assert adopted is not None
    call = _new_call(secretariat, PCPA_CALL, version=adopted, envelope=PCPA_ENVELOPE,
                     challenges=list(challenges.values()), closes_at=utcnow() + timedelta(days=PCPA_OPEN_DAYS))
    delegates, members = _delegates(), _members()
    made: list[tuple[Proposal, str]] = []
    for project in PCPA_PROJECTS:
        delegate = delegates[project["lead"]]
        proposal = proposals.create_proposal(call, actor=delegate)
        budget, cofinancing, indicators = _pcpa_lines(project)
        state = project["state"]
        sections = list(proposals.SECTIONS) if state in ("submitted", "draft") else project["done"]
        data = {**project, "starts_on": date(*project["starts"]) if "starts" in project else None}
        if state == "partial":  # the budget started but not finished
            _fill(proposal, data, actor=delegate, challenges=challenges, members=members, budget_lines=budget,
                  cofinancing=cofinancing, indicators=indicators, sections=sections)
            for line in budget:
                proposals.add_line(proposal, "budget", actor=delegate, values=line)
        elif state == "started":
            proposals.save_section(proposal, "about", actor=delegate, values={
                "title": project["title"], "territories": project["territories"],
                "challenge_ids": [challenges[c].id for c in project["challenges"]]})
        else:
            _fill(proposal, data, actor=delegate, challenges=challenges, members=members, budget_lines=budget,
                  cofinancing=cofinancing, indicators=indicators, sections=sections)
        if state == "submitted":
            proposals.submit(proposal, actor=delegate)
        made.append((proposal, state))
    ineligible = next(p for p, state in made if state == "draft")
    failing = [o.kind for o in eligibility.check(ineligible).failures]
    _check(failing == ["partner_other_country"], f"the ineligible demo proposal fails {failing}")
    instruction.confirm_eligibility(next(p for p, state in made if state == "submitted"), actor=secretariat)

    # Dated as it happened.
    call.created_at = PCPA_OPENED - timedelta(days=5)
    call.opens_at = call.opened_at = PCPA_OPENED
    for index, (proposal, state) in enumerate(made):
        created = PCPA_OPENED + timedelta(days=3 + 4 * index, hours=rng.randint(0, 8))
        _date_proposal(proposal, created, created + timedelta(days=10) if state == "submitted" else None)
        if proposal.instructed_at is not None:
            proposal.instructed_at = created + timedelta(days=12)
    return call


def load_calls(*, secretariat: User, rng: random.Random) -> tuple[Call, Call]:
    """The challenges, the seed's call and the PCPA call (after the committee and the assemblies exist)."""
    outbox_before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    challenges = load_challenges(secretariat)
    seed_call = load_seed_call(secretariat=secretariat, challenges=challenges, rng=rng)
    pcpa_call = load_pcpa_call(secretariat=secretariat, challenges=challenges, rng=rng)
    # The demo's mail history stays short (as for the assemblies).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    return seed_call, pcpa_call
