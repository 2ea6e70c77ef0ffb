"""``flask demo load``: the seed's nine projects and the demo delegate's project as grants at every stage, the
dashboards for each role, and the demo's 360Giving and IATI exports valid against the official schemas."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.grants import budget, closure, exports, instalments, ledger
from app.grants.models import (
    AmendmentState,
    BudgetAmendment,
    BudgetVersion,
    Grant,
    InstalmentCondition,
    LedgerEntry,
    Report,
    ReportAttachment,
    TransactionType,
)
from tests.grants.test_exports import assert_valid_giving, assert_valid_iati


def _grants() -> dict[str, Grant]:
    return {g.lead_member.acronym: g for g in db.session.scalars(select(Grant).order_by(Grant.id))}


def _reports(grant: Grant) -> list[str]:
    return [r.status for r in sorted(grant.reports, key=lambda r: r.number)]


def test_the_demo_grants_are_at_every_stage(app: Flask) -> None:
    with app.test_request_context():
        load_demo(demo_mode=False)
        db.session.commit()
        grants = _grants()
        assert set(grants) == {"BATIK", "CAPSOL", "CGT", "CA-G44", "ESSOR", "GERES", "GRDR", "GRET", "SPF", "UTSS"}
        assert Counter(g.status for g in grants.values()) == {"active": 7, "signed": 1, "closing": 1, "closed": 1}
        seed_call = grants["BATIK"].call_id
        assert all(g.call_id == seed_call for k, g in grants.items() if k != "UTSS")
        assert grants["UTSS"].call_id != seed_call
        for grant in grants.values():
            assert sum(i.amount_cents for i in grant.instalments) == grant.awarded_cents
            assert ledger.totals(grant).committed_cents == grant.awarded_cents
            assert ledger.totals(grant).paid_cents <= grant.awarded_cents
            sides = {i.partner_id is None for i in grant.indicators}
            assert sides == {True, False}, grant.number  # both sides of the partnership

        # Just signed: the first instalment due, nothing paid.
        batik = grants["BATIK"]
        assert batik.signed_by_grantee_on and batik.signed_by_programme_on
        assert [(s.due.due, s.paid_cents) for s in instalments.states(batik)][0] == (True, 0)
        assert ledger.totals(batik).paid_cents == 0
        # Active with reports approved; a returned one, an overdue one, one waiting for review.
        assert _reports(grants["CAPSOL"])[:3] == ["approved", "approved", ""]
        assert _reports(grants["CGT"])[:2] == ["approved", "submitted"]
        assert _reports(grants["CA-G44"])[0] == "returned"
        returned = grants["CA-G44"].reports[0].versions[-1]
        assert {"expenditure", "general"} <= set(returned.comments)
        essor = grants["ESSOR"].reports[0]
        assert essor.status == "" and essor.due_on < utcnow().date()
        assert set(_reports(grants["GRET"])) == {"approved"} and set(_reports(grants["SPF"])) == {"approved"}
        # Instalments of each kind of condition; one due and unpaid after a recent approval.
        conditions = {i.condition for g in grants.values() for i in g.instalments}
        assert conditions == {c.value for c in InstalmentCondition}
        grdr = {s.instalment.number: s for s in instalments.states(grants["GRDR"])}
        assert grdr[2].due.due and grdr[2].paid_cents == 0
        geres = {s.instalment.number: s for s in instalments.states(grants["GERES"])}
        assert geres[3].instalment.condition == "expenditure_share" and geres[3].settled

        # Disbursements: one in TND with its rate, one corrected by a reversing entry.
        tnd = db.session.scalars(select(LedgerEntry).where(LedgerEntry.local_currency == "TND")).all()
        assert len(tnd) == 1 and tnd[0].exchange_rate and tnd[0].local_amount and tnd[0].grant_id == grants["UTSS"].id
        (reversal,) = db.session.scalars(select(LedgerEntry).where(LedgerEntry.reverses_id.is_not(None))).all()
        original = db.session.get(LedgerEntry, reversal.reverses_id)
        assert reversal.amount_cents == -original.amount_cents and reversal.grant_id == grants["CGT"].id
        assert reversal.type == TransactionType.disbursement and reversal.note

        # Expenditure per budget line, one line overspent beyond the tolerance; amendments approved and pending.
        overspent = {(g.lead_member.acronym, row.code) for g in grants.values()
                     for row in budget.statement(g).rows if row.figures.flag == "overspent"}
        assert overspent == {("CAPSOL", "L3")}
        assert db.session.scalar(select(db.func.count(LedgerEntry.id)).where(
            LedgerEntry.type == TransactionType.expenditure, LedgerEntry.budget_line_code == "")) == 0
        amendments = {a.grant_id: a.state for a in db.session.scalars(select(BudgetAmendment))}
        assert amendments == {grants["GERES"].id: AmendmentState.approved, grants["CAPSOL"].id: AmendmentState.requested}
        (second,) = db.session.scalars(select(BudgetVersion).where(BudgetVersion.number == 2)).all()
        assert second.grant_id == grants["GERES"].id and grants["GERES"].ends_on == second.ends_on

        # Closed with a refund; the other closing, its refund still to receive.
        gret = closure.closing_of(grants["GRET"])
        assert gret.settlement is not None and gret.settlement.amount_cents < 0 and gret.balance.settled
        spf = closure.closing_of(grants["SPF"])
        assert spf.can_close and spf.balance.refund_cents > 0

        # The delegate's grant: paid in dinars, its first report a draft started by the alternate.
        utss = grants["UTSS"]
        alternate = db.session.scalar(select(User).where(User.email == "alternate@demo.example.org"))
        first = sorted(utss.reports, key=lambda r: r.number)[0]
        assert utss.local_currency == "TND" and first.status == "draft"
        assert first.versions[0].created_by_id == alternate.id
        # Statements attached to the reports; every date in the past; no e-mail left queued.
        assert db.session.scalar(select(db.func.count(ReportAttachment.id))) >= 10
        now = utcnow()
        assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 0
        assert all(e.value_date < now.date() for e in db.session.scalars(select(LedgerEntry)))
        assert all(r.approved_at is None or r.approved_at < now for r in db.session.scalars(select(Report)))


def test_the_demo_exports_validate_and_carry_org_ids(app: Flask) -> None:
    with app.test_request_context():
        load_demo(demo_mode=False)
        db.session.commit()
        package = json.loads(exports.giving_json())
        root = assert_valid_iati(exports.iati_xml())
        count = db.session.scalar(select(db.func.count(Grant.id)))
    assert_valid_giving(package)
    assert len(package["grants"]) == count == len(root.findall("iati-activity")) == 10
    recipients = {g["recipientOrganization"][0]["id"] for g in package["grants"]}
    assert "TN-RNE-0000318A" in recipients and "FR-RNA-W750000202" in recipients
    assert any(not r.startswith(("TN-", "FR-")) for r in recipients)  # the others keep the internal identifier
    refs = {o.get("ref") for o in root.iter("participating-org")}
    assert "FR-RNA-W750000101" in refs  # Solidarité Laïque, the UTSS grant's partner
    types = {t.get("code") for t in root.iter("transaction-type")}
    assert types == {"2", "3", "4"}


@pytest.mark.parametrize(("email", "allowed", "refused"), [
    ("secretariat@demo.example.org", ["/grants/dashboard", "/grants/portfolio", "/grants"], []),
    ("exofficio@demo.example.org", ["/grants/portfolio"], ["/grants/dashboard", "/grants/mine"]),
    ("delegate@demo.example.org", ["/grants/mine", "/grants"], ["/grants/dashboard"]),
    ("alternate@demo.example.org", ["/grants/mine"], ["/grants/dashboard"]),
])
def test_the_dashboards_answer_for_the_right_roles(app: Flask, monkeypatch: pytest.MonkeyPatch, email: str,
                                                     allowed: list[str], refused: list[str]) -> None:
    monkeypatch.setitem(app.config, "DEMO_MODE", True)
    with app.app_context():
        load_demo(demo_mode=True)
        db.session.commit()
        grants = {k: (g.id, g.number) for k, g in _grants().items()}
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    for url in allowed:
        response = client.get(url)
        assert response.status_code == 200, (email, url)
    for url in refused:
        assert client.get(url).status_code in (403, 404), (email, url)
    if email.startswith("delegate"):
        page = client.get("/grants/mine").get_data(as_text=True)
        assert grants["UTSS"][1] in page and grants["GRET"][1] not in page
        utss_id = grants["UTSS"][0]
        for url in (f"/grants/{utss_id}", f"/grants/{utss_id}/reports", f"/grants/{utss_id}/budget",
                    f"/grants/{utss_id}/indicators"):
            assert client.get(url).status_code == 200, url
        assert client.get(f"/grants/{grants['CGT'][0]}").status_code in (403, 404)
    if email.startswith("secretariat"):
        page = client.get("/grants/dashboard").get_data(as_text=True)
        # What needs the secretariat: instalments due, a report waiting, reports overdue (at risk).
        for lead in ("BATIK", "GRDR", "CGT", "CA-G44", "ESSOR"):
            assert grants[lead][1] in page, lead
        listed = client.get("/grants").get_data(as_text=True)
        assert all(number in listed for _id, number in grants.values())
        for grant_id, _number in grants.values():
            for url in (f"/grants/{grant_id}", f"/grants/{grant_id}/reports", f"/grants/{grant_id}/budget",
                        f"/grants/{grant_id}/indicators"):
                assert client.get(url).status_code == 200, url
        spf, gret = grants["SPF"][0], grants["GRET"][0]
        assert client.get(f"/grants/{spf}/closing").status_code == 200
        statement = client.get(f"/grants/{gret}/closing-statement.pdf")
        assert statement.status_code == 200 and statement.data.startswith(b"%PDF")
