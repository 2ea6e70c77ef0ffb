"""A proposal's snapshot content: the agreed JSON format of what was submitted (the thing reviewed).

Why apart from ``app.calls.proposals``: building the content is a pure read of
the proposal and its check; submitting (locks, status, audit) stays with the
services that change state.
"""
from __future__ import annotations

from typing import Any

from app.calls import eligibility, rules
from app.calls.models import Proposal


def snapshot_content(proposal: Proposal, result: eligibility.Check | None = None) -> dict[str, Any]:
    """The agreed snapshot format (see the brief): what was submitted, amounts as decimal strings of euros."""
    result = result or eligibility.check(proposal)
    grant = result.grant
    lead = proposal.lead_member
    budget, requested, cofinancing = eligibility.totals(proposal)
    return {
        "title": proposal.title, "summary": proposal.summary, "territories": proposal.territories,
        "lead": {"id": lead.id, "name": lead.name, "acronym": lead.acronym, "country": lead.country},
        "challenges": [{"id": c.id, "code": c.code} for c in proposal.challenges],
        "beneficiaries_direct": proposal.beneficiaries_direct,
        "beneficiaries_indirect": proposal.beneficiaries_indirect,
        "women_percent": proposal.women_percent, "youth_percent": proposal.youth_percent,
        "starts_on": proposal.starts_on.isoformat() if proposal.starts_on else None,
        "duration_months": proposal.duration_months, "expected_results": proposal.expected_results,
        "main_activities": proposal.main_activities,
        "partners": [{"name": p.name, "member_id": p.member_id, "country": p.country, "kind": p.kind,
                      "role": p.role} for p in proposal.partners],
        "budget_lines": [{"category": b.category, "description": b.description, "total": str(b.total),
                          "requested": str(b.requested)} for b in proposal.budget_lines],
        "cofinancing_lines": [{"source": c.source, "amount": str(c.amount), "confirmed": c.confirmed}
                              for c in proposal.cofinancing_lines],
        "indicators": [{"name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target}
                       for i in proposal.indicators],
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256} for a in proposal.attachments],
        "totals": {"budget": str(budget), "requested": str(requested), "cofinancing": str(cofinancing)},
        "grant": {"maximum": str(grant.maximum), "at_rate": str(grant.at_rate),
                  "at_rate_rounded": str(grant.at_rate_rounded), "rate": str(grant.rate),
                  "ceiling": None if grant.ceiling is None else str(grant.ceiling),
                  "limited_by": grant.limited_by},
        "facts": rules.facts_to_dict(result.facts),
        "rule_set_version_id": proposal.call.rule_set_version_id,
    }
