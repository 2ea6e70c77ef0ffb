"""Agreements (app/grants/agreements.py): a grant from a selected proposal carries its lead, partners, budget
lines, co-financing and indicators; the award never above the maximum grant; editing while a draft; the
signatures commit the award; statuses and termination with a reason; all audited; the agreement PDF in the
grantee's language (Arabic right to left)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.extensions import db
from app.grants import agreement_pdf, agreements, ledger
from app.grants.models import GrantStatus, InstalmentCondition, LedgerEntry
from app.members.models import Member
from tests.grants import builders
from tests.pdf_text import assert_arabic_shaped, pdf_text


def _actor() -> User:
    return db.session.scalar(select(User).where(User.email == "secretariat@example.org"))


def _terms(item, **changes) -> agreements.Terms:  # noqa: ANN001
    base = agreements.default_terms(item)
    return agreements.Terms(**{**base.__dict__, **changes})


def test_a_grant_carries_the_proposal_over(session) -> None:
    own = db.session.get(Member, session.member_id)
    proposal, item = builders.selected_proposal(
        own, amount="50000", partners=(("Association de Sfax", "TN", "association", "Animation"),
                                       ("Maison des jeunes de Rezé", "FR", "association", "Accueil")),
        indicators=(("Jeunes formés", "personnes", "0", "100"),
                    ("Ateliers tenus par Maison des jeunes de Rezé", "ateliers", "0", "12")))
    grant = agreements.create_grant(item, agreements.default_terms(item), actor=_actor())
    assert grant.number == f"PCPA-{proposal.call_id}-01"
    assert grant.status == GrantStatus.draft and grant.awarded_cents == 50_000_00
    assert grant.lead_member_id == own.id and grant.title == proposal.title
    assert [p.name for p in grant.partners] == ["Association de Sfax", "Maison des jeunes de Rezé"]
    lines = grant.budget_versions[0].lines
    assert [(line.code, line.planned_cents, line.grant_cents) for line in lines] == [
        ("L1", 40_000_00, 26_000_00), ("L2", 50_115_00, 32_575_00)]
    sides = {i.name: (i.partner.name if i.partner else None) for i in grant.indicators}
    assert sides == {"Jeunes formés": None, "Ateliers tenus par Maison des jeunes de Rezé": "Maison des jeunes de Rezé"}
    assert grant.language == "fr" and grant.ends_on == date(2028, 12, 31)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.created")) is not None
    second_proposal, second = builders.selected_proposal(call=proposal.call)
    assert agreements.create_grant(second, agreements.default_terms(second), actor=_actor()).number.endswith("-02")
    with pytest.raises(DomainError):
        agreements.create_grant(item, agreements.default_terms(item), actor=_actor())


def test_the_award_is_never_above_the_maximum_grant(session) -> None:
    proposal, item = builders.selected_proposal()
    maximum = proposal.max_grant_cents
    with pytest.raises(DomainError) as refused:
        agreements.create_grant(item, _terms(item, awarded_cents=maximum + 1), actor=_actor())
    assert refused.value.field == "awarded"
    grant = agreements.create_grant(item, _terms(item, awarded_cents=maximum), actor=_actor())
    assert grant.awarded_cents == maximum


def test_only_selected_proposals_of_a_decided_call(session) -> None:
    proposal, item = builders.selected_proposal()
    item.outcome = "reserve"
    db.session.flush()
    assert agreements.selected_item(proposal.id) is None
    with pytest.raises(DomainError):
        agreements.create_grant(item, agreements.default_terms(item), actor=_actor())


def test_dates_and_language_checked(session) -> None:
    _, item = builders.selected_proposal()
    with pytest.raises(DomainError) as refused:
        agreements.create_grant(item, _terms(item, ends_on=date(2026, 1, 1), starts_on=date(2026, 1, 1)),
                                actor=_actor())
    assert refused.value.field == "ends_on"
    with pytest.raises(DomainError):
        agreements.create_grant(item, _terms(item, language="de"), actor=_actor())


def test_edit_only_while_draft(session) -> None:
    grant = builders.grant(status=GrantStatus.draft, instalments=None)
    item = agreements.selected_item(grant.proposal_id)
    agreements.update_terms(grant, _terms(item, title="Nouveau titre", local_currency="tnd"), actor=_actor())
    assert grant.title == "Nouveau titre" and grant.local_currency == "TND"
    signed = builders.grant()
    with pytest.raises(DomainError):
        agreements.update_terms(signed, _terms(agreements.selected_item(signed.proposal_id)), actor=_actor())


def test_signing_needs_a_schedule_then_commits_the_award(session) -> None:
    grant = builders.grant(status=GrantStatus.draft, instalments=None, awarded="50000")
    with pytest.raises(DomainError):
        agreements.sign(grant, grantee_on=date(2027, 1, 2), programme_on=date(2027, 1, 3), actor=_actor(),
                        today=date(2027, 1, 10))
    builders.instalment(grant, "50000", condition=InstalmentCondition.on_signature)
    with pytest.raises(DomainError) as future:
        agreements.sign(grant, grantee_on=date(2027, 1, 11), programme_on=date(2027, 1, 3), actor=_actor(),
                        today=date(2027, 1, 10))
    assert future.value.field == "grantee_on"
    agreements.sign(grant, grantee_on=date(2027, 1, 2), programme_on=date(2027, 1, 3), actor=_actor(),
                    today=date(2027, 1, 10))
    assert grant.status == GrantStatus.signed
    commitment = db.session.scalar(select(LedgerEntry).where(LedgerEntry.grant_id == grant.id))
    assert (commitment.type, commitment.amount_cents, commitment.value_date) == ("2", 50_000_00, date(2027, 1, 3))
    assert ledger.totals(grant).committed_cents == 50_000_00
    with pytest.raises(DomainError):
        agreements.sign(grant, grantee_on=date(2027, 1, 2), programme_on=date(2027, 1, 3), actor=_actor(),
                        today=date(2027, 1, 10))


def test_statuses_and_termination_with_a_reason(session) -> None:
    grant = builders.grant(status=GrantStatus.signed)
    assert agreements.moves(grant) == [GrantStatus.active, GrantStatus.terminated]
    agreements.change_status(grant, GrantStatus.active, actor=_actor())
    agreements.change_status(grant, GrantStatus.suspended, actor=_actor(), reason="Rapport en retard")
    assert grant.status == GrantStatus.suspended and grant.status_reason == "Rapport en retard"
    agreements.change_status(grant, GrantStatus.active, actor=_actor())
    with pytest.raises(DomainError):
        agreements.change_status(grant, GrantStatus.closed, actor=_actor())
    with pytest.raises(DomainError) as no_reason:
        agreements.change_status(grant, GrantStatus.terminated, actor=_actor())
    assert no_reason.value.field == "reason"
    agreements.change_status(grant, GrantStatus.terminated, actor=_actor(), reason="Le partenariat est dissous.")
    assert grant.status == GrantStatus.terminated
    with pytest.raises(DomainError):
        agreements.change_status(grant, GrantStatus.active, actor=_actor())
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "grant.status")))
    assert len(actions) == 4


def test_closing_goes_through_the_closing_page_only(session) -> None:
    """The status page never offers "closed": the balance is settled on the closing page first."""
    grant = builders.grant(status=GrantStatus.signed)
    agreements.change_status(grant, GrantStatus.active, actor=_actor())
    agreements.change_status(grant, GrantStatus.closing, actor=_actor())
    assert GrantStatus.closed not in agreements.moves(grant)
    with pytest.raises(DomainError, match="closing page"):
        agreements.change_status(grant, GrantStatus.closed, actor=_actor())
    assert grant.status == GrantStatus.closing


def test_who_may_see_a_grant(session) -> None:
    own = db.session.get(Member, session.member_id)
    grant = builders.grant(own)
    users = {u.email: u for u in db.session.scalars(select(User))}
    e = session.emails
    assert agreements.can_view(grant, users[e["secretariat"]])
    assert agreements.can_view(grant, users[e["delegate"]]) and agreements.can_view(grant, users[e["alternate"]])
    assert not agreements.can_view(grant, users[e["other_delegate"]])
    assert not agreements.can_view(grant, users[e["ex_officio"]])


@pytest.mark.parametrize(("language", "words", "direction"), [
    ("fr", "Convention", "ltr"), ("en", "Grant agreement", "ltr"), ("ar", "", "rtl")])
def test_agreement_pdf_in_the_grantees_language(session, language: str, words: str, direction: str) -> None:
    grant = builders.grant(language=language, title="مشروع الشباب" if language == "ar" else "Jeunes et numérique")
    html = agreement_pdf.agreement_html(grant)
    assert f'dir="{direction}"' in html and f'lang="{language}"' in html
    body = agreement_pdf.agreement_pdf(grant)
    assert body.startswith(b"%PDF")
    if language == "ar":
        text = assert_arabic_shaped(body, ["مشروع", "الشباب"])
    else:
        text, _ = pdf_text(body)
    assert grant.number in text
    if language == "en":
        assert words in text
