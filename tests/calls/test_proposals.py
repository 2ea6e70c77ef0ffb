"""Proposal services: drafts over several visits, lines and computed totals, the facts the eligibility rules
look at, the maximum grant in words, submission (refused while a rule fails, after the deadline, twice),
snapshots, withdrawal and resubmission.

``scene`` (also used by the route, attachment and race tests) builds an open call like the seed's
(65 %, ceiling 66,440 €) and the world's member (Tunisian, charter signed); ``fill`` makes a proposal eligible.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from app.auth.models import User
from app.calls import eligibility, proposals, rules, wording
from app.calls.models import Call, CallStatus, Proposal, ProposalSnapshot, ProposalStatus
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Charter, Member, MemberStatus
from tests import factories
from tests.calls import builders

D = Decimal


@dataclass(frozen=True)
class Scene:
    call_id: int
    challenge_ids: tuple[int, ...]
    member_id: int
    other_member_id: int
    french_member_id: int  # an active French member a partner can be picked from
    emails: dict[str, str]


def scene(app: Flask, world: factories.World, *, eligibility: dict[str, Any] | None = None) -> Scene:
    """An open call (the seed's funding rules) and the world's Tunisian member, which signed the charter."""
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        delegate = user(world.emails["delegate"])
        factories.sign(own, db.session.get(Charter, world.charter_id), delegate)
        french = factories.member("Cités Unies Nantes")
        call = builders.call(builders.version(builders.content(eligibility=eligibility)))
        db.session.commit()
        return Scene(call_id=call.id, challenge_ids=tuple(c.id for c in call.challenges), member_id=own.id,
                     other_member_id=world.other_member_id, french_member_id=french.id, emails=world.emails)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def start(s: Scene, email: str = "delegate@example.org") -> Proposal:
    return proposals.create_proposal(db.session.get(Call, s.call_id), actor=user(email))


def fill(proposal: Proposal, s: Scene, actor: User, *, budget: tuple[str, str] = ("102050", "66333")) -> None:
    """Every section answered so that each rule of ``builders.content`` passes (budget: total, requested)."""
    proposals.save_section(proposal, "about", actor=actor, done=True, values={
        "title": "Essor des jeunes", "summary": "Un projet.", "territories": "Gafsa",
        "challenge_ids": [s.challenge_ids[0]]})
    proposals.save_section(proposal, "beneficiaries", actor=actor, done=True, values={
        "beneficiaries_direct": 300, "beneficiaries_indirect": 3000, "women_percent": 50, "youth_percent": 60})
    proposals.save_section(proposal, "dates", actor=actor, done=True,
                           values={"starts_on": date(2027, 1, 1), "duration_months": 24})
    proposals.save_section(proposal, "results", actor=actor, done=True,
                           values={"expected_results": "Des résultats.", "main_activities": "Des ateliers."})
    proposals.add_line(proposal, "partners", actor=actor, values={"member_id": s.french_member_id,
                                                                   "kind": "local_authority", "role": "Accueil"})
    proposals.add_line(proposal, "partners", actor=actor, values={"name": "Association de Sfax", "country": "TN",
                                                                   "kind": "association", "role": "Animation"})
    proposals.add_line(proposal, "budget", actor=actor, values={
        "category": "activities", "description": "Ateliers", "total": D(budget[0]), "requested": D(budget[1])})
    proposals.add_line(proposal, "cofinancing", actor=actor, values={
        "source": "Région", "amount": D(budget[0]) - D(budget[1]), "confirmed": True})
    proposals.add_line(proposal, "indicators", actor=actor, values={
        "name": "Jeunes formés", "unit": "personnes", "baseline": "0", "target": "300"})


@pytest.fixture
def s(app: Flask, world: factories.World) -> Scene:
    return scene(app, world)


# Starting ---------------------------------------------------------------------------------------------------


def test_a_delegate_starts_one_draft_and_comes_back_to_it(app: Flask, s: Scene) -> None:
    with app.app_context():
        first = start(s)
        db.session.commit()
        again = start(s)
        assert again.id == first.id
        assert first.lead_member_id == s.member_id and first.status == ProposalStatus.draft
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "proposal.created")) == 1


@pytest.mark.parametrize("case", ["alternate", "secretariat", "inactive member", "closed call", "past deadline"])
def test_starting_is_refused(app: Flask, s: Scene, case: str) -> None:
    with app.app_context():
        call = db.session.get(Call, s.call_id)
        email = {"alternate": "alternate@example.org", "secretariat": "secretariat@example.org"}.get(
            case, "delegate@example.org")
        if case == "inactive member":
            db.session.get(Member, s.member_id).status = MemberStatus.suspended
        if case == "closed call":
            call.status = CallStatus.closed
        if case == "past deadline":
            call.closes_at = utcnow() - timedelta(seconds=1)
        db.session.flush()
        with pytest.raises(DomainError):
            proposals.create_proposal(call, actor=user(email))


# Sections and lines -----------------------------------------------------------------------------------------------


def test_sections_go_from_not_started_to_complete(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        db.session.commit()
        states = dict((k, v) for k, _t, v in proposals.task_list(proposal))
        assert set(states.values()) == {proposals.SectionState.not_started}
        proposals.save_section(proposal, "about", actor=user(s.emails["alternate"]),
                               values={"title": "Brouillon", "summary": "", "territories": "", "challenge_ids": []})
        assert proposals.section_state(proposal, "about") == proposals.SectionState.in_progress
        with pytest.raises(DomainError) as refused:  # complete needs a summary
            proposals.save_section(proposal, "about", actor=user(s.emails["alternate"]), done=True,
                                   values={"title": "Brouillon", "summary": "", "territories": "",
                                           "challenge_ids": []})
        assert refused.value.field == "summary"
        db.session.rollback()
        proposal = proposals.load(proposal.id)
        proposals.save_section(proposal, "about", actor=user(s.emails["alternate"]), done=True,
                               values={"title": "Brouillon", "summary": "Résumé", "territories": "",
                                       "challenge_ids": [s.challenge_ids[1]]})
        db.session.commit()
        proposal = proposals.load(proposal.id)
        assert proposal.sections_done == ["about"]
        assert proposals.section_state(proposal, "about") == proposals.SectionState.complete
        assert [c.id for c in proposal.challenges] == [s.challenge_ids[1]]
        proposals.mark_section(proposal, "about", actor=user(s.emails["delegate"]), done=False)
        assert proposals.section_state(proposal, "about") == proposals.SectionState.in_progress


def test_a_challenge_outside_the_call_is_refused(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        other = builders.challenge("D9")
        with pytest.raises(DomainError) as refused:
            proposals.save_section(proposal, "about", actor=user(s.emails["delegate"]),
                                   values={"title": "T", "summary": "", "territories": "", "challenge_ids": [other.id]})
        assert refused.value.field == "challenges"


def test_totals_are_computed_from_the_lines(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        actor = user(s.emails["delegate"])
        a = proposals.add_line(proposal, "budget", actor=actor, values={
            "category": "staff", "description": "Coordination", "total": D("40000"), "requested": D("26000")})
        proposals.add_line(proposal, "budget", actor=actor, values={
            "category": "activities", "description": "Ateliers", "total": D("62050.50"), "requested": D("40000")})
        proposals.add_line(proposal, "cofinancing", actor=actor, values={"source": "Ville", "amount": D("1000"),
                                                                          "confirmed": False})
        db.session.commit()
        proposal = proposals.load(proposal.id)
        assert (proposal.total_budget, proposal.requested, proposal.cofinancing) == (
            D("102050.50"), D("66000.00"), D("1000.00"))
        assert proposal.max_grant == D("66000")
        proposals.remove_line(proposal, "budget", a.id, actor=actor)
        db.session.commit()
        proposal = proposals.load(proposal.id)
        assert (proposal.total_budget, proposal.requested) == (D("62050.50"), D("40000.00"))
        assert len(proposal.budget_lines) == 1


def test_amounts_beyond_a_32_bit_integer_are_stored_exactly(app: Flask, s: Scene) -> None:
    """21,474,836.48 € is 2^31 cents: the cents columns are BIGINT (PostgreSQL's INTEGER would overflow)."""
    with app.app_context():
        proposal = start(s)
        actor = user(s.emails["delegate"])
        for total in (D("999999999.99"), D("21474836.48")):
            proposals.add_line(proposal, "budget", actor=actor, values={
                "category": "equipment", "description": "", "total": total, "requested": D("0.01")})
        proposals.add_line(proposal, "cofinancing", actor=actor, values={"source": "Banque", "amount": D("30000000"),
                                                                          "confirmed": True})
        db.session.commit()
        db.session.expire_all()
        proposal = proposals.load(proposal.id)
        assert proposal.total_budget_cents == 102_147_483_647 and proposal.total_budget == D("1021474836.47")
        assert [line.total_cents for line in proposal.budget_lines] == [99_999_999_999, 2_147_483_648]
        assert proposal.cofinancing == D("30000000.00")


@pytest.mark.parametrize(("values", "field"), [
    ({"category": "staff", "total": D("100"), "requested": D("101")}, "requested"),
    ({"category": "staff", "total": D("0"), "requested": D("0")}, "total"),
    ({"category": "nope", "total": D("100"), "requested": D("1")}, "category"),
    ({"category": "staff", "total": D("100.001"), "requested": D("1")}, "total"),
    ({"category": "staff", "total": D("1000000000.01"), "requested": D("1")}, "total"),
])
def test_bad_budget_lines_are_refused_at_their_field(app: Flask, s: Scene, values: dict[str, Any],
                                                     field: str) -> None:
    with app.app_context():
        proposal = start(s)
        with pytest.raises(DomainError) as refused:
            proposals.add_line(proposal, "budget", actor=user(s.emails["delegate"]), values=values)
        assert refused.value.field == field


def test_partners_members_or_outside(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        actor = user(s.emails["delegate"])
        member_line = proposals.add_line(proposal, "partners", actor=actor, values={
            "member_id": s.french_member_id, "kind": "association", "role": ""})
        assert (member_line.name, member_line.country) == ("Cités Unies Nantes", "FR")
        outside = proposals.add_line(proposal, "partners", actor=actor, values={
            "name": "Université de Sfax", "country": "tn", "kind": "research", "role": "Évaluation"})
        assert outside.country == "TN" and outside.member_id is None
        for values, field in (({"member_id": s.member_id, "kind": "association"}, "member_id"),
                              ({"member_id": s.french_member_id, "kind": "association"}, "member_id"),
                              ({"name": "Sans pays", "country": "", "kind": "association"}, "country"),
                              ({"name": "", "country": "FR", "kind": "association"}, "name"),
                              ({"name": "X", "country": "FR", "kind": "pirate"}, "kind")):
            with pytest.raises(DomainError) as refused:
                proposals.add_line(proposal, "partners", actor=actor, values=values)
            assert refused.value.field == field


def test_only_the_lead_representatives_edit(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        for email in (s.emails["other_delegate"], s.emails["secretariat"], s.emails["ex_officio"]):
            with pytest.raises(DomainError):
                proposals.save_section(proposal, "results", actor=user(email),
                                       values={"expected_results": "x", "main_activities": ""})
        proposals.save_section(proposal, "results", actor=user(s.emails["alternate"]),
                               values={"expected_results": "x", "main_activities": ""})
        assert proposal.expected_results == "x"


# Facts and check ------------------------------------------------------------------------------------------------


def test_facts_of_a_proposal(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        fill(proposal, s, user(s.emails["delegate"]))
        outside = builders.challenge("D9")
        proposal.challenges.append(outside)  # not one of the call's: not counted
        facts = eligibility.facts_of(proposal)
        assert facts.lead_active and facts.lead_signed_current_charter and facts.lead_country == "TN"
        assert facts.partners == (rules.Partner("FR", True), rules.Partner("TN", False))
        assert (facts.total_budget, facts.requested, facts.cofinancing) == (D("102050"), D("66333"), D("35717"))
        assert facts.duration_months == 24 and facts.challenges == 1 and facts.lead_open_elsewhere == 0
        assert facts.grant.maximum == D("66333")


def test_open_elsewhere_counts_draft_and_submitted_not_withdrawn_plus_open_grants(app: Flask, s: Scene) -> None:
    with app.app_context():
        call = db.session.get(Call, s.call_id)
        lead = db.session.get(Member, s.member_id)
        proposal = builders.proposal(call, lead, status=ProposalStatus.submitted)
        start(s)  # the lead's draft in this call (one at most)
        for status in (ProposalStatus.submitted, ProposalStatus.withdrawn):
            builders.proposal(call, lead, status=status)
        other_call = builders.call(builders.version())
        builders.proposal(other_call, lead, status=ProposalStatus.submitted)  # another call: not counted
        assert eligibility.open_elsewhere(proposal) == 2
        eligibility.OPEN_GRANT_COUNTERS.append(lambda member_id: 3 if member_id == lead.id else 0)
        try:
            assert eligibility.facts_of(proposal).lead_open_elsewhere == 5
        finally:
            eligibility.OPEN_GRANT_COUNTERS.clear()


def test_unsigned_current_charter_fails_the_lead_rule(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        factories.charter(version=2)  # a new charter nobody signed yet
        result = eligibility.check(proposal)
        lead = next(o for o in result.outcomes if o.kind == "lead_active_member")
        assert not lead.passed and eligibility.section_of(lead) == "about"


# The maximum grant in words ---------------------------------------------------------------------------------------

SEED_FUNDING = rules.Funding(rate=D("0.65"), ceiling=D("66440"))


@pytest.mark.parametrize(("budget", "requested", "expected"), [
    ("102050", "66333", ["65 % of 102,050 € = 66,332.50 €, rounded to 66,333 €; under the 66,440 € ceiling.",
                         "The amount requested, 66,333 €, is not above that: the maximum grant is 66,333 €."]),
    ("90115", "58575", ["65 % of 90,115 € = 58,574.75 €, rounded to 58,575 €; under the 66,440 € ceiling.",
                        "The amount requested, 58,575 €, is not above that: the maximum grant is 58,575 €."]),
    ("108548", "70000", ["65 % of 108,548 € = 70,556.20 €, rounded to 70,556 €; above the 66,440 € ceiling, so "
                         "the ceiling applies.",
                         "The maximum grant is 66,440 €; the amount requested, 70,000 €, is above it."]),
    ("100000", "64040", ["65 % of 100,000 € = 65,000 €; under the 66,440 € ceiling.",
                         "The amount requested, 64,040 €, is not above that: the maximum grant is 64,040 €."]),
    ("100000", "70000", ["65 % of 100,000 € = 65,000 €; under the 66,440 € ceiling.",
                         "The maximum grant is 65,000 €; the amount requested, 70,000 €, is above it."]),
    ("102050", "66332.50", ["65 % of 102,050 € = 66,332.50 €, rounded to 66,333 €; under the 66,440 € ceiling.",
                            "The amount requested, 66,332.50 €, rounded down to the euro, is not above that: the "
                            "maximum grant is 66,332 €."]),
])
def test_explain_grant_in_english(app: Flask, budget: str, requested: str, expected: list[str]) -> None:
    with app.test_request_context(), force_locale("en"):
        calc = rules.max_grant(D(requested), D(budget), SEED_FUNDING)
        assert wording.explain_grant(calc) == expected


def test_explain_grant_without_ceiling_and_below_floor(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        calc = rules.max_grant(D("3000"), D("5000"), rules.Funding(rate=D("0.5"), ceiling=None, floor=D("5000")))
        assert wording.explain_grant(calc) == [
            "50 % of 5,000 € = 2,500 €.",
            "The maximum grant is 2,500 €; the amount requested, 3,000 €, is above it.",
            "This is below the call's floor of 5,000 €."]


def test_explain_grant_is_translated(app: Flask) -> None:
    with app.test_request_context(), force_locale("fr"):
        lines = wording.explain_grant(rules.max_grant(D("66333"), D("102050"), SEED_FUNDING))
    assert "102\u202f050" in lines[0] or "102\xa0050" in lines[0] or "102 050" in lines[0]


# Submission --------------------------------------------------------------------------------------------------------


def test_submit_freezes_a_snapshot_in_the_agreed_format(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        delegate = user(s.emails["delegate"])
        fill(proposal, s, delegate)
        snap = proposals.submit(proposal, actor=delegate)
        db.session.commit()
        proposal = proposals.load(proposal.id)
        assert proposal.status == ProposalStatus.submitted and proposal.submitted_number == 1
        assert snap.number == 1 and proposals.latest_snapshot(proposal).id == snap.id
        c = snap.content
        assert c["title"] == "Essor des jeunes" and c["lead"]["country"] == "TN"
        assert c["totals"] == {"budget": "102050.00", "requested": "66333.00", "cofinancing": "35717.00"}
        assert c["grant"]["maximum"] == "66333" and c["grant"]["limited_by"] == "requested"
        assert c["partners"] == [{"name": "Cités Unies Nantes", "member_id": s.french_member_id, "country": "FR",
                                  "kind": "local_authority", "role": "Accueil"},
                                 {"name": "Association de Sfax", "member_id": None, "country": "TN",
                                  "kind": "association", "role": "Animation"}]
        assert c["budget_lines"] == [{"category": "activities", "description": "Ateliers", "total": "102050.00",
                                      "requested": "66333.00"}]
        assert c["starts_on"] == "2027-01-01" and c["rule_set_version_id"] == proposal.call.rule_set_version_id
        assert c["facts"] == rules.facts_to_dict(eligibility.facts_of(proposal))
        assert all(e["passed"] for e in snap.eligibility)
        assert snap.max_grant_cents == 6633300 and snap.total_budget_cents == 10205000


def test_editing_after_submission_is_refused(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        delegate = user(s.emails["delegate"])
        fill(proposal, s, delegate)
        proposals.submit(proposal, actor=delegate)
        db.session.commit()
        proposal = proposals.load(proposal.id)
        line = proposal.budget_lines[0]
        attempts = [
            lambda: proposals.save_section(proposal, "results", actor=delegate,
                                           values={"expected_results": "changed", "main_activities": "x"}),
            lambda: proposals.add_line(proposal, "indicators", actor=delegate, values={"name": "x"}),
            lambda: proposals.remove_line(proposal, "budget", line.id, actor=delegate),
            lambda: proposals.mark_section(proposal, "budget", actor=delegate, done=False),
            lambda: proposals.submit(proposal, actor=delegate),
        ]
        for attempt in attempts:
            with pytest.raises(DomainError):
                attempt()
            db.session.rollback()
        proposal = proposals.load(proposal.id)
        assert proposal.expected_results == "Des résultats." and len(proposal.budget_lines) == 1
        assert db.session.scalar(select(func.count(ProposalSnapshot.id))) == 1


def test_withdraw_then_resubmit_makes_snapshot_two(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        delegate = user(s.emails["delegate"])
        fill(proposal, s, delegate)
        proposals.submit(proposal, actor=delegate)
        db.session.commit()
        with pytest.raises(DomainError):
            proposals.withdraw(proposal, actor=user(s.emails["alternate"]))
        db.session.rollback()
        proposals.withdraw(proposals.load(proposal.id), actor=delegate)
        db.session.commit()
        proposal = proposals.load(proposal.id)
        assert proposal.status == ProposalStatus.withdrawn and proposal.is_editable
        assert proposals.snapshot(proposal, 1).withdrawn_at is not None
        proposals.save_section(proposal, "about", actor=user(s.emails["alternate"]), values={
            "title": "Essor des jeunes, version 2", "summary": "Un projet.", "territories": "Gafsa",
            "challenge_ids": [s.challenge_ids[0]]})
        db.session.commit()
        with pytest.raises(DomainError):  # the alternate edits, only the delegate submits
            proposals.submit(proposals.load(proposal.id), actor=user(s.emails["alternate"]))
        second = proposals.submit(proposals.load(proposal.id), actor=delegate)
        db.session.commit()
        assert second.number == 2 and second.content["title"] == "Essor des jeunes, version 2"
        assert proposals.snapshot(proposal, 1).content["title"] == "Essor des jeunes"
        proposals.withdraw(proposals.load(proposal.id), actor=delegate)
        db.session.commit()
        with pytest.raises(DomainError):  # withdrawing needs a submitted proposal
            proposals.withdraw(proposals.load(proposal.id), actor=delegate)


@pytest.mark.parametrize("case", ["after the deadline", "call closed"])
def test_submit_and_withdraw_refused_once_the_call_is_closed(app: Flask, s: Scene, case: str) -> None:
    with app.app_context():
        proposal = start(s)
        delegate = user(s.emails["delegate"])
        fill(proposal, s, delegate)
        db.session.commit()
        call = db.session.get(Call, s.call_id)
        later = None
        if case == "after the deadline":
            later = call.closes_at  # exactly at the deadline: too late
        else:
            call.status = CallStatus.closed
            db.session.commit()
        with pytest.raises(DomainError):
            proposals.submit(proposals.load(proposal.id), actor=delegate, now=later)
        db.session.rollback()
        assert proposals.load(proposal.id).status == ProposalStatus.draft
        assert db.session.scalar(select(func.count(ProposalSnapshot.id))) == 0


def test_submit_just_before_the_deadline_is_in(app: Flask, s: Scene) -> None:
    with app.app_context():
        proposal = start(s)
        delegate = user(s.emails["delegate"])
        fill(proposal, s, delegate)
        call = db.session.get(Call, s.call_id)
        proposals.submit(proposal, actor=delegate, now=call.closes_at - timedelta(microseconds=1))
        db.session.commit()
        assert proposals.load(proposal.id).status == ProposalStatus.submitted


# Every eligibility failure, with its reason, blocks submission ------------------------------------------------------

RULES = {**builders.content()["eligibility"], "min_partners": {"n": 2}, "max_open_per_lead": {"k": 1}}


def _break(kind: str, proposal: Proposal, s: Scene, actor: User) -> None:
    """Make exactly one rule fail on an eligible proposal."""
    if kind == "lead_active_member":
        db.session.get(Member, s.member_id).status = MemberStatus.suspended
    elif kind == "min_partners":
        proposals.remove_line(proposal, "partners", proposal.partners[1].id, actor=actor)
    elif kind == "partner_other_country":
        proposals.remove_line(proposal, "partners", proposal.partners[0].id, actor=actor)
        proposals.add_line(proposal, "partners", actor=actor, values={
            "name": "Union de Gabès", "country": "TN", "kind": "union", "role": ""})
    elif kind == "duration_range":
        proposals.save_section(proposal, "dates", actor=actor, values={"starts_on": date(2027, 1, 1),
                                                                       "duration_months": 48})
    elif kind == "budget_range":
        proposals.add_line(proposal, "budget", actor=actor, values={
            "category": "equipment", "description": "Véhicule", "total": D("150000"), "requested": D("0")})
        proposals.add_line(proposal, "cofinancing", actor=actor, values={
            "source": "Fondation", "amount": D("150000"), "confirmed": False})
    elif kind == "cofinancing_share":
        proposals.remove_line(proposal, "cofinancing", proposal.cofinancing_lines[0].id, actor=actor)
    elif kind == "requested_within_max":
        proposals.remove_line(proposal, "budget", proposal.budget_lines[0].id, actor=actor)
        proposals.add_line(proposal, "budget", actor=actor, values={
            "category": "activities", "description": "Ateliers", "total": D("102050"), "requested": D("70000")})
    elif kind == "challenge_addressed":
        proposals.save_section(proposal, "about", actor=actor, values={
            "title": "Essor des jeunes", "summary": "Un projet.", "territories": "Gafsa", "challenge_ids": []})
    elif kind == "max_open_per_lead":
        builders.proposal(proposal.call, proposal.lead_member, status=ProposalStatus.submitted)
    db.session.flush()


REASONS = {
    "lead_active_member": "The lead organisation is not an active member of the programme.",
    "min_partners": "At least 2 partners are required; the proposal names 1.",
    "partner_other_country": "No partner is from France.",
    "duration_range": "The duration is 48 months; it must be between 12 and 36 months.",
    "budget_range": "The total budget is 252,050 €; it must be between 10,000 € and 200,000 €.",
    "cofinancing_share": "Co-financing is 0 % of the budget; at least 30 % is required.",
    "requested_within_max": "The amount requested, 70,000 €, is above the maximum grant of 66,333 €.",
    "challenge_addressed": "The proposal addresses 0 of the call's challenges; at least 1 required.",
    "max_open_per_lead": "At most 1 open proposal or grant is allowed per lead; the lead organisation already holds 1.",
}
SECTIONS = {"lead_active_member": "about", "min_partners": "partners", "partner_other_country": "partners",
            "duration_range": "dates", "budget_range": "budget", "cofinancing_share": "cofinancing",
            "requested_within_max": "budget", "challenge_addressed": "about", "max_open_per_lead": "about"}


@pytest.mark.parametrize("kind", sorted(REASONS))
def test_each_failing_rule_has_its_reason_and_blocks_submission(app: Flask, world: factories.World,
                                                                kind: str) -> None:
    s = scene(app, world, eligibility=RULES)
    with app.test_request_context(), force_locale("en"):
        proposal = start(s)
        delegate = user(s.emails["delegate"])
        fill(proposal, s, delegate)
        assert eligibility.check(proposal).eligible
        _break(kind, proposal, s, delegate)
        db.session.commit()
        proposal = proposals.load(proposal.id)
        result = eligibility.check(proposal)
        assert [(o.kind, o.reason) for o in result.failures] == [(kind, REASONS[kind])]
        assert [o.kind for o in result.failures_at(SECTIONS[kind])] == [kind]
        with pytest.raises(proposals.Ineligible) as refused:
            proposals.submit(proposal, actor=delegate)
        assert [o.kind for o in refused.value.check.failures] == [kind]
        assert str(refused.value.message) == ("The proposal cannot be submitted while an eligibility rule fails: "
                                              "1 rule fails.")
        db.session.rollback()
        assert db.session.scalar(select(func.count(ProposalSnapshot.id)).where(
            ProposalSnapshot.proposal_id == proposal.id)) == 0
        assert db.session.scalar(select(Proposal.status).where(Proposal.id == proposal.id)) == ProposalStatus.draft
