"""Builders for calls tests: rule sets, calls, proposals with their lines and snapshots, made directly
through the models (no service), so each test file can set up exactly the state it needs.

Kept small and stable: other test modules import these. Amounts are ``Decimal`` euros (or strings of
them); snapshots follow the agreed content format (see ``app/calls/snapshots.py`` ``snapshot_content``).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from sqlalchemy import insert, select

from app.calls import rules
from app.calls.models import (
    BudgetLine,
    Call,
    CallStatus,
    Challenge,
    CofinancingLine,
    Proposal,
    ProposalIndicator,
    ProposalPartner,
    ProposalSnapshot,
    ProposalStatus,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
    proposal_challenges,
)
from app.calls.money import from_cents, to_cents
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus

_seq = count(1)

#: Budget lines of a typical proposal: (category, description, total, requested).
LINES: tuple[tuple[str, str, str, str], ...] = (
    ("staff", "Coordination", "40000", "26000"),
    ("activities", "Ateliers", "50115", "32575"),
)
#: Co-financing lines: (source, amount, confirmed).
COFINANCING: tuple[tuple[str, str, bool], ...] = (("Région", "31540", True),)
#: Partners: (name, country, kind, role); one from each country, so a lead of either country passes.
PARTNERS: tuple[tuple[str, str, str, str], ...] = (("Association de Sfax", "TN", "association", "Animation"),
                                                   ("Maison des jeunes de Rezé", "FR", "association", "Accueil"))


def content(*, rate: str = "0.65", ceiling: str = "66440", eligibility: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """A rule set's content like the seed's call: 65 %, ceiling 66,440 €, the usual eligibility rules."""
    return {
        "eligibility": eligibility if eligibility is not None else {
            "lead_active_member": {},
            "min_partners": {"n": 1},
            "partner_other_country": {"countries": ""},
            "duration_range": {"min_months": 12, "max_months": 36},
            "budget_range": {"min": "10000", "max": "200000"},
            "cofinancing_share": {"min_percent": "30"},
            "requested_within_max": {},
            "challenge_addressed": {"n": 1},
        },
        "funding": {"rate": rate, "ceiling": ceiling, "floor": "0"},
        "criteria": {
            "relevance": {"name": {"fr": "Pertinence", "en": "Relevance", "ar": "الملاءمة"},
                          "description": {"fr": "", "en": "", "ar": ""}, "weight": 3, "scale_max": 5,
                          "na_allowed": False, "min_justification": 20, "position": 1},
        },
    }


def version(content_: dict[str, Any] | None = None, *, status: str = VersionStatus.adopted,
            title: str = "Règlement de l'appel") -> RuleSetVersion:
    """A rule set with one version (adopted unless told otherwise)."""
    rule_set = RuleSet(title_fr=title, title_en=title, title_ar=title, head_number=1)
    item = RuleSetVersion(rule_set=rule_set, number=1, content=content_ or content(), status=status)
    db.session.add_all([rule_set, item])
    db.session.flush()
    return item


def challenge(code: str | None = None, title: str | None = None) -> Challenge:
    code = code or f"D{next(_seq)}"
    item = db.session.scalar(select(Challenge).where(Challenge.code == code))
    if item is None:
        item = Challenge(code=code, title_fr=title or f"Défi {code}", title_en=title or f"Challenge {code}",
                         title_ar=title or f"Défi {code}",
                         position=next(_seq))
        db.session.add(item)
        db.session.flush()
    return item


def call(version_: RuleSetVersion | None = None, *, status: str = CallStatus.open, title: str = "Appel à projets",
         text: str = "Texte de l'appel", envelope: str = "600000",
         challenges: Sequence[Challenge] | None = None) -> Call:
    """A call under an adopted version, open by default (published calls get ``published_at``)."""
    now = utcnow()
    item = Call(title_fr=title, title_en=f"{title} (en)", title_ar=title, text_fr=text, text_en=text, text_ar=text,
                envelope_cents=to_cents(Decimal(envelope)), opens_at=now - timedelta(days=10),
                closes_at=now + timedelta(days=20), rule_set_version=version_ or version(), status=status,
                opened_at=now - timedelta(days=10),
                published_at=now if status == CallStatus.published else None)
    item.challenges = list(challenges) if challenges is not None else [challenge("D1"), challenge("D2")]
    db.session.add(item)
    db.session.flush()
    return item


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _facts(call_: Call, lead: Member, *, partners: Sequence[tuple[str, str, str, str]], duration: int | None,
           budget: Decimal, requested: Decimal, cofinancing: Decimal, challenges: int,
           signed: bool) -> rules.ProposalFacts:
    funding = rules.Funding.from_content(call_.rule_set_version.content["funding"])
    return rules.ProposalFacts(
        lead_active=lead.status == MemberStatus.active, lead_signed_current_charter=signed,
        lead_country=lead.country, partners=tuple(rules.Partner(p[1]) for p in partners),
        duration_months=duration, total_budget=budget, requested=requested, cofinancing=cofinancing,
        challenges=challenges, lead_open_elsewhere=0, grant=rules.max_grant(requested, budget, funding))


def proposal(call_: Call, lead: Member, *, status: str = ProposalStatus.submitted, title: str | None = None,
             summary: str = "Résumé du projet", territories: str = "Gafsa, Nantes",
             lines: Iterable[tuple[str, str, Any, Any]] = LINES,
             cofinancing: Iterable[tuple[str, Any, bool]] = COFINANCING,
             partners: Sequence[tuple[str, str, str, str]] = PARTNERS,
             challenges: Sequence[Challenge] | None = None, duration: int | None = 24,
             beneficiaries: tuple[int | None, int | None] = (100, 1000), signed: bool = True,
             indicators: Iterable[tuple[str, str, str, str]] = (("Jeunes formés", "personnes", "0", "100"),),
             awarded: Any = None, submitted_days_ago: int = 1) -> Proposal:
    """A proposal with its lines; submitted (or withdrawn) ones get snapshot 1 built from the same data."""
    lines = [(c, d, _money(t), _money(r)) for c, d, t, r in lines]
    cofinancing = [(s, _money(a), ok) for s, a, ok in cofinancing]
    challenges = list(challenges) if challenges is not None else list(call_.challenges[:1])
    budget = sum((t for _, _, t, _ in lines), Decimal("0.00"))
    requested = sum((r for _, _, _, r in lines), Decimal("0.00"))
    cofin = sum((a for _, a, _ in cofinancing), Decimal("0.00"))
    call_challenge_ids = {c.id for c in call_.challenges}
    facts = _facts(call_, lead, partners=partners, duration=duration, budget=budget, requested=requested,
                   cofinancing=cofin, challenges=sum(1 for c in challenges if c.id in call_challenge_ids),
                   signed=signed)
    outcomes = rules.evaluate(call_.rule_set_version.content["eligibility"], facts)
    eligible = rules.eligible(outcomes)
    submitted = status in (ProposalStatus.submitted, ProposalStatus.withdrawn)
    submitted_at = utcnow() - timedelta(days=submitted_days_ago) if submitted else None
    item = Proposal(call=call_, lead_member=lead, status=status, title=title or f"Projet {next(_seq)}",
                    summary=summary, territories=territories, beneficiaries_direct=beneficiaries[0],
                    beneficiaries_indirect=beneficiaries[1], women_percent=50, youth_percent=40,
                    starts_on=date(2027, 1, 1), duration_months=duration, expected_results="Résultats attendus",
                    main_activities="Activités principales", total_budget_cents=to_cents(budget),
                    requested_cents=to_cents(requested), cofinancing_cents=to_cents(cofin),
                    max_grant_cents=to_cents(facts.grant.maximum), eligible=eligible,
                    submitted_number=1 if submitted else 0, submitted_at=submitted_at,
                    awarded_cents=None if awarded is None else to_cents(_money(awarded)))
    item.challenges = challenges
    item.partners = [ProposalPartner(name=n, country=c, kind=k, role=r) for n, c, k, r in partners]
    item.budget_lines = [BudgetLine(category=c, description=d, total_cents=to_cents(t), requested_cents=to_cents(r))
                         for c, d, t, r in lines]
    item.cofinancing_lines = [CofinancingLine(source=s, amount_cents=to_cents(a), confirmed=ok)
                              for s, a, ok in cofinancing]
    item.indicators = [ProposalIndicator(name=n, unit=u, baseline=b, target=t) for n, u, b, t in indicators]
    db.session.add(item)
    db.session.flush()
    if submitted:
        db.session.add(ProposalSnapshot(
            proposal=item, number=1, submitted_at=submitted_at, content=snapshot_content(item, facts),
            eligibility=[{"kind": o.kind, "passed": o.passed} for o in outcomes],
            total_budget_cents=item.total_budget_cents, requested_cents=item.requested_cents,
            max_grant_cents=item.max_grant_cents or 0,
            withdrawn_at=utcnow() if status == ProposalStatus.withdrawn else None))
        db.session.flush()
    return item


def snapshot_content(item: Proposal, facts: rules.ProposalFacts) -> dict[str, Any]:
    """The agreed snapshot format, from a proposal's fields and lines."""
    grant = facts.grant
    lead = item.lead_member
    return {
        "title": item.title, "summary": item.summary, "territories": item.territories,
        "lead": {"id": lead.id, "name": lead.name, "acronym": lead.acronym, "country": lead.country},
        "challenges": [{"id": c.id, "code": c.code} for c in item.challenges],
        "beneficiaries_direct": item.beneficiaries_direct, "beneficiaries_indirect": item.beneficiaries_indirect,
        "women_percent": item.women_percent, "youth_percent": item.youth_percent,
        "starts_on": item.starts_on.isoformat() if item.starts_on else None,
        "duration_months": item.duration_months, "expected_results": item.expected_results,
        "main_activities": item.main_activities,
        "partners": [{"name": p.name, "member_id": p.member_id, "country": p.country, "kind": p.kind,
                      "role": p.role} for p in item.partners],
        "budget_lines": [{"category": b.category, "description": b.description, "total": str(b.total),
                          "requested": str(b.requested)} for b in item.budget_lines],
        "cofinancing_lines": [{"source": c.source, "amount": str(c.amount), "confirmed": c.confirmed}
                              for c in item.cofinancing_lines],
        "indicators": [{"name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target}
                       for i in item.indicators],
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256} for a in item.attachments],
        "totals": {"budget": str(item.total_budget), "requested": str(item.requested),
                   "cofinancing": str(item.cofinancing)},
        "grant": {"maximum": str(grant.maximum), "at_rate": str(grant.at_rate),
                  "at_rate_rounded": str(grant.at_rate_rounded), "rate": str(grant.rate),
                  "ceiling": None if grant.ceiling is None else str(grant.ceiling), "limited_by": grant.limited_by},
        "facts": rules.facts_to_dict(facts),
        "rule_set_version_id": item.call.rule_set_version_id,
    }


def many_proposals(call_: Call, leads: Sequence[Member], n: int, *, status: str = ProposalStatus.submitted,
                   template: Proposal | None = None) -> None:
    """``n`` more proposals in a few bulk INSERTs (bounded-queries tests): copies of ``template`` (a proposal
    built with ``proposal``; made here, and counted in the ``n``, when not given) spread over ``leads``, with
    its budget lines, its first challenge and its snapshot."""
    if template is None:
        template = proposal(call_, leads[0], status=status)
        n -= 1
    if n <= 0:
        return
    snapshot = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == template.id))
    now = utcnow()
    columns = ("summary", "territories", "beneficiaries_direct", "beneficiaries_indirect", "women_percent",
               "youth_percent", "starts_on", "duration_months", "expected_results", "main_activities",
               "total_budget_cents", "requested_cents", "cofinancing_cents", "max_grant_cents", "eligible",
               "submitted_number")
    base = {c: getattr(template, c) for c in columns}
    ids = list(db.session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), [
        {**base, "call_id": call_.id, "lead_member_id": leads[i % len(leads)].id, "status": status,
         "title": f"Projet en nombre {i}", "submitted_at": now - timedelta(minutes=i) if snapshot else None,
         "created_at": now, "updated_at": now, "sections_done": []}
        for i in range(n)]))
    if template.challenges:
        db.session.execute(insert(proposal_challenges),
                           [{"proposal_id": pid, "challenge_id": template.challenges[0].id} for pid in ids])
    db.session.execute(insert(BudgetLine), [
        {"proposal_id": pid, "category": b.category, "description": b.description, "total_cents": b.total_cents,
         "requested_cents": b.requested_cents} for pid in ids for b in template.budget_lines])
    if snapshot is not None:
        db.session.execute(insert(ProposalSnapshot), [
            {"proposal_id": pid, "number": 1, "submitted_at": now, "content": snapshot.content,
             "eligibility": snapshot.eligibility, "total_budget_cents": snapshot.total_budget_cents,
             "requested_cents": snapshot.requested_cents, "max_grant_cents": snapshot.max_grant_cents}
            for pid in ids])
    db.session.flush()


def euros(cents: int | None) -> Decimal:
    return from_cents(cents)
