"""Demo: the current PCPA call, open, under a rule set co-built by the steering committee: version 1 by the
secretariat, the committee's amendments (two accepted, one declined), version 3 adopted by an extraordinary
assembly's counted vote, one amendment proposed since for the next version. The call's proposals are
submitted, in progress, and one ineligible (no partner from the other shore, the first accepted amendment).

It goes through the services the pages use (rule sets, amendments, freeze, the assembly's vote and its
adoption hook, calls, proposals, submission, instruction), so the pages show the co-building as it would
happen, then the dates are set to when it happened.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.assembly.models import Assembly, AssemblyKind
from app.auth.models import User
from app.calls import content as rule_content
from app.calls import eligibility, instruction, proposals, rulesets
from app.calls.models import (
    AmendmentComment,
    AmendmentSupport,
    Call,
    Challenge,
    Proposal,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
)
from app.core.timeutil import utcnow
from app.demo.call_helpers import (
    _adopt_by_assembly,
    _check,
    _date_assembly,
    _date_proposal,
    _delegates,
    _fill,
    _members,
    _new_call,
)
from app.demo.calls_data import PCPA_PROJECTS
from app.elections.services import committee_member_ids
from app.extensions import db
from app.members.models import Member

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
        kind=AssemblyKind.extraordinary, place="Sousse", item="Règlement de l'appel à projets PCPA 2026", rng=rng,
        weights=(12, 2, 3), translated=("Extraordinary plenary assembly of September 2026",
                                        "الجمعية العامة الاستثنائية لشهر سبتمبر 2026",
                                        PCPA_TITLES["en"], PCPA_TITLES["ar"]))
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
