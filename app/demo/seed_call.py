"""Demo: the seed's call "Coopérer autrement en acteurs de changement" (seed 002) with its nine funded
projects under the "Règlement 2014", now decided through the selection services.

The nine maxima are computed by the rules; the load stops if one differs from the seed's grant. The 2015
decision is recorded and published through the selection (the nine were chosen before the platform kept
reviews: each grant is a departure with its reason), so the call reads as any decided call does.

A rule set is adopted only by its resolution's counted vote (``app/calls/adoption.py``), so the 2014 rules
too are put to an assembly (dated 2014): its frozen electorate is today's members, the only demo artefact
of that past vote.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from app.assembly.models import AssemblyKind
from app.auth.models import User
from app.calls import allocation, instruction, proposals, rules, rulesets, selection, services
from app.calls.models import Call, Challenge, Proposal
from app.calls.money import round_euro, to_cents
from app.core.timeutil import utcnow
from app.demo.call_helpers import (
    _adopt_by_assembly,
    _check,
    _date_assembly,
    _date_proposal,
    _delegates,
    _fill,
    _indicators,
    _lines_for,
    _members,
    _new_call,
)
from app.demo.calls_data import SEED_CALL, SEED_PROJECTS

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
        weights=(14, 1, 2), translated=("Plenary assembly of 14 June 2014", "الجمعية العامة ليوم 14 جوان 2014",
                                        "Rules of the call for projects “Cooperating differently as agents of change”",
                                        "نظام طلب المشاريع «التعاون بشكل مختلف كفاعلين في التغيير»"))
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
              indicators=_indicators(project, members),
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
