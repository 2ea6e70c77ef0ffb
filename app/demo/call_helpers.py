"""Steps shared by the demo's calls (``app/demo/seed_call.py``, ``app/demo/pcpa_call.py``) and by the demo
selection (``app/demo/selection.py``): the members and their delegates, opening a call, filling a proposal
as its delegate would over several visits, budget lines adding up to the cent, adopting a rule set by an
assembly's counted vote, and dating all this to when it happened (the services stamp "now").

They live apart from ``app/demo/calls.py``: ``load_calls`` there imports the call modules, which import
these steps, with no import cycle. A failed ``_check`` is a bug in the demo, not bad input.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select

from app.assembly import services as assembly_services
from app.assembly import voting
from app.assembly.models import Assembly, AssemblyKind, Vote, VoteElector
from app.auth.models import User
from app.calls import proposals, rulesets, services
from app.calls.models import Call, Challenge, Proposal, ProposalSnapshot, RuleSet, RuleSetVersion, VersionStatus
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member

CENT = Decimal("0.01")
#: How the demo spreads a seed budget over budget lines: (category, description, share in %).
BUDGET_SPLIT = [("staff", "Personnel et coordination", 32), ("activities", "Activités et ateliers", 24),
                ("travel", "Missions et échanges", 14), ("training", "Formations", 12),
                ("communication", "Capitalisation et publications", 6), ("evaluation", "Suivi-évaluation et audit", 5),
                ("overheads", "Frais de structure", 7)]


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


def _adopt_by_assembly(rule_set: RuleSet, *, secretariat: User, title: str, kind: AssemblyKind, place: str,
                       item: str, rng: random.Random, weights: tuple[int, int, int],
                       translated: tuple[str, str, str, str] = ("", "", "", "")) -> Assembly:
    """Freeze the rule set's head onto a new assembly's agenda, hold the vote (delegates cast) and close it:
    the adoption hook adopts the version from the counted result. ``translated``: the title, then the item,
    in English and Arabic."""
    now = utcnow()
    title_en, title_ar, item_en, item_ar = translated
    assembly = assembly_services.create_assembly(actor=secretariat, data={
        "title": title, "kind": kind, "starts_at": now + timedelta(days=16), "place": place,
        "online": True, "source_locale": "fr", "translations": {"title": {"en": title_en, "ar": title_ar}}})
    agenda_item = assembly_services.add_agenda_item(assembly, actor=secretariat, title=item, source_locale="fr",
                                                    translations={"title": {"en": item_en, "ar": item_ar}})
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


def _indicators(project: dict[str, Any], members: dict[str, Member]) -> list[dict[str, Any]]:
    """The project's indicators: its direct beneficiaries (the lead's side) and, when the data gives one, an
    indicator naming its first partner, so the grant made from it measures both sides of the partnership."""
    found = [{"name": "Bénéficiaires directs touchés", "unit": "personnes", "baseline": "0",
              "target": str(project["direct"])}]
    if project.get("partner_indicator"):
        name, unit, target = project["partner_indicator"]
        spec = project["partners"][0]
        partner = members[spec[1]].name if spec[0] == "member" else spec[1]
        found.append({"name": name.format(partner=partner), "unit": unit, "baseline": "0", "target": target})
    return found


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

