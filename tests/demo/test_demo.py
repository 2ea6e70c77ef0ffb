"""``flask demo load``: the demo programme, its logins, and the empty-database guard."""
from __future__ import annotations

import html
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import User, UserKind
from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.members.models import Charter, CharterSignature, Member, MemberStatus, MemberStatusChange

LOGINS = ("secretariat@demo.example.org", "exofficio@demo.example.org", "delegate@demo.example.org",
          "alternate@demo.example.org", "unsigned@demo.example.org")


def _load(runner) -> str:  # noqa: ANN001
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def test_load_builds_the_programme(app: Flask, runner) -> None:  # noqa: ANN001
    output = _load(runner)
    assert "Demo programme loaded" in output
    assert "Demo passwords are disabled" in output
    assert "demo-password" not in output
    with app.app_context():
        members = db.session.scalars(select(Member)).all()
        assert len(members) >= 70
        assert {m.country for m in members} == {"FR", "TN"}
        assert {m.college.code for m in members} == {"cs-tn", "cs-fr", "auth"}
        guarantors = [m for m in members if m.is_guarantor]
        assert [m.name for m in guarantors] == ["Solidarité Laïque"]
        fictitious = [m for m in members if m.is_fictitious]
        assert fictitious and all("(fictive)" in m.name for m in fictitious)
        assert all("(fictive)" not in m.name for m in members if not m.is_fictitious)
        statuses = Counter(m.status for m in members)
        assert statuses["active"] > 60 and statuses["applicant"] >= 1 and statuses["suspended"] >= 1
        for member in members:
            assert member.email.endswith(".example.org") and member.phone
            assert sum(1 for u in member.representatives if u.is_delegate) == 1
            assert len(member.representatives) <= 3
            history = member.status_changes
            assert history and history[0].to_status == member.status
        suspended = [m for m in members if m.status == MemberStatus.suspended]
        assert all(m.status_reason and m.status_since for m in suspended)
        admissions = [m.admission_date for m in members if m.status == MemberStatus.active]
        assert min(admissions).year == 2016 and max(admissions).year == 2019
        assert all(m.status == MemberStatus.active for m in members if not m.is_fictitious)

        users = db.session.scalars(select(User)).all()
        assert len({u.email for u in users}) == len(users)
        assert all(u.email.endswith("example.org") for u in users)
        assert all(u.password_hash is None for u in users)  # not in demo mode
        reps = [u for u in users if u.kind == UserKind.representative]
        assert all(u.member_id is not None for u in reps)
        assert len({u.gender for u in reps}) >= 2
        ex_officio = [u for u in users if u.kind == UserKind.ex_officio]
        assert len(ex_officio) == 3 and all(u.member_id is None and u.organisation_label for u in ex_officio)

        charter = db.session.scalar(select(Charter))
        assert charter.version == 1
        for code in ("fr", "en", "ar"):
            assert getattr(charter, f"title_{code}") and len(getattr(charter, f"text_{code}")) > 1500
        assert "Article 10" in charter.text_fr and "Article 10" in charter.text_en and "الفصل 10" in charter.text_ar
        signatures = db.session.scalars(select(CharterSignature)).all()
        signed = {s.member_id for s in signatures}
        active = [m for m in members if m.status == MemberStatus.active]
        unsigned = [m for m in active if m.id not in signed]
        assert 0.75 <= 1 - len(unsigned) / len(active) <= 0.92
        assert all(m.is_fictitious for m in unsigned)
        for signature in signatures:
            assert signature.signed_by.member_id == signature.member_id and signature.signed_by.is_delegate
            assert signature.signed_at > charter.published_at

        delegate = db.session.scalar(select(User).where(User.email == "delegate@demo.example.org"))
        alternate = db.session.scalar(select(User).where(User.email == "alternate@demo.example.org"))
        unsigned_delegate = db.session.scalar(select(User).where(User.email == "unsigned@demo.example.org"))
        assert delegate.is_delegate and not delegate.member.is_fictitious and delegate.member.country == "TN"
        assert delegate.member_id in signed
        assert alternate.member_id == delegate.member_id and not alternate.is_delegate
        assert unsigned_delegate.is_delegate and unsigned_delegate.member_id not in signed
        assert unsigned_delegate.member.status == MemberStatus.active


def test_second_run_loads_nothing_and_audit_chain_holds(app: Flask, runner) -> None:  # noqa: ANN001
    _load(runner)
    with app.app_context():
        counts = (db.session.scalar(select(func.count(Member.id))), db.session.scalar(select(func.count(User.id))),
                  db.session.scalar(select(func.count(MemberStatusChange.id))))
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "database not empty, demo data not loaded" in again.output
    with app.app_context():
        assert counts == (db.session.scalar(select(func.count(Member.id))),
                          db.session.scalar(select(func.count(User.id))),
                          db.session.scalar(select(func.count(MemberStatusChange.id))))
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output
    assert "intact" in verify.output


def test_load_is_deterministic(app: Flask) -> None:
    def snapshot() -> tuple:
        # Compare by names, not ids: PostgreSQL sequences do not roll back.
        users = db.session.execute(select(User.email, User.full_name, User.gender, Member.name)
                                   .outerjoin(Member, User.member_id == Member.id).order_by(User.email)).all()
        members = db.session.execute(select(Member.name, Member.status, Member.admission_date)
                                     .order_by(Member.name)).all()
        signed = db.session.scalars(select(Member.name).join(CharterSignature, CharterSignature.member_id == Member.id)
                                    .order_by(Member.name)).all()
        return [tuple(r) for r in users], [tuple(r) for r in members], list(signed), calls()

    def calls() -> tuple:
        from app.calls.models import Amendment, Call, Proposal, RuleSetVersion

        proposals = db.session.execute(
            select(Call.title_fr, Member.name, Proposal.title, Proposal.status, Proposal.total_budget_cents,
                   Proposal.requested_cents, Proposal.max_grant_cents, Proposal.eligible, Proposal.sections_done,
                   Proposal.created_at, Proposal.submitted_at)
            .join(Call, Proposal.call_id == Call.id).join(Member, Proposal.lead_member_id == Member.id)
            .order_by(Call.title_fr, Member.name)).all()
        versions = db.session.execute(select(RuleSetVersion.number, RuleSetVersion.status, RuleSetVersion.content)
                                      .order_by(RuleSetVersion.created_at, RuleSetVersion.number)).all()
        amendments = db.session.execute(select(Amendment.title, Amendment.status, User.email)
                                        .join(User, Amendment.proposer_id == User.id).order_by(Amendment.title)).all()
        return ([tuple(r) for r in proposals], [tuple(r) for r in versions], [tuple(r) for r in amendments],
                selection())

    def selection() -> tuple:
        from app.calls.models import Proposal
        from app.calls.selection_models import ProposalDecision, Review

        reviews = db.session.execute(select(Proposal.title, User.email, Review.status, Review.marks, Review.eligible)
                                     .join(Proposal, Review.proposal_id == Proposal.id)
                                     .join(User, Review.reviewer_id == User.id)
                                     .order_by(Proposal.title, User.email)).all()
        decisions = db.session.execute(select(Proposal.title, ProposalDecision.outcome, ProposalDecision.rank,
                                              ProposalDecision.amount_cents, ProposalDecision.departure)
                                       .join(Proposal, ProposalDecision.proposal_id == Proposal.id)
                                       .order_by(Proposal.title)).all()
        return [tuple(r) for r in reviews], [tuple(r) for r in decisions]

    with app.app_context():
        load_demo(demo_mode=False)
        first = snapshot()
        db.session.rollback()
        load_demo(demo_mode=False)
        assert snapshot() == first
        db.session.rollback()


def test_demo_logins_work_in_demo_mode(app: Flask, runner, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(app.config, "DEMO_MODE", True)
    output = _load(runner)
    assert DEMO_PASSWORD in output and "http://127.0.0.1:5000/login" in output
    for email in LOGINS:
        assert email in output
    with app.app_context():
        with_password = set(db.session.scalars(select(User.email).where(User.password_hash.is_not(None))))
    assert with_password == set(LOGINS)
    for email in LOGINS:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200


def test_demo_logins_refused_outside_demo_mode(app: Flask, runner) -> None:  # noqa: ANN001
    _load(runner)
    client = app.test_client()
    response = client.post("/login", data={"email": "secretariat@demo.example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 200  # the form again, with an error


def test_existing_account_blocks_the_load(app: Flask, runner) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(User(email="admin@example.org", full_name="Admin", kind=UserKind.secretariat))
        db.session.commit()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Member.id))) == 0


def test_demo_assemblies_show_results_a_proxy_and_an_open_vote(app: Flask) -> None:
    from app.assembly import voting
    from app.assembly.models import Assembly, Ballot, Participation, Proxy, Vote

    with app.app_context():
        load_demo(demo_mode=False)
        db.session.commit()
        statuses = sorted(db.session.scalars(select(Assembly.status)))
        # June's ordinary assembly, and the two that adopted the rules of the demo calls (app/demo/calls.py)
        assert statuses == ["closed", "closed", "closed", "in_session"]
        closed = db.session.scalars(select(Vote).where(Vote.status == "closed", Vote.kind == "resolution")).all()
        assert [v.result["outcome"] for v in closed] == ["adopted"] * 4
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == \
            db.session.scalar(select(func.count()).select_from(Participation))
        delegate = db.session.scalar(select(User).where(User.email == "delegate@demo.example.org"))
        proxy = db.session.scalar(select(Proxy))
        assert proxy.holder_id == delegate.member_id
        open_vote = db.session.scalar(select(Vote).where(Vote.status == "open"))
        assert [s.by_proxy for s in voting.slots_for(delegate, open_vote)] == [False, True]


def test_demo_committee_has_twelve_elected_seats_the_guarantor_and_the_ex_officio_seats(app: Flask) -> None:
    from app.core.models import OutboxMessage
    from app.core.permissions import Role, roles_of
    from app.demo.committee import ELECTION_TITLE
    from app.demo.organisations import EX_OFFICIO
    from app.elections import committee
    from app.elections.models import Election

    def elected_names() -> list[str]:
        return sorted(s.mandate.holder for s in committee.composition().elected)

    with app.app_context():
        load_demo(demo_mode=False)
        election = db.session.scalar(select(Election))
        assert election.title == ELECTION_TITLE and election.vote.status == "closed"
        assert election.assembly is not None and election.assembly.status == "closed"
        allocation = election.count["allocation"]
        assert len(allocation["elected"]) == 12 and not allocation["vacant"] and allocation["substitutes"]
        # No tie, hence no draw: the draw's seed (the board's final hash) changes with every load.
        assert not [e for e in election.count["explanations"] if e[1] == "draw.tie"]

        composition = committee.composition()
        assert len(composition.elected) == 12
        (balance,) = composition.balances
        assert balance.parity_ok and all(g.ok for g in balance.colleges + balance.countries)
        assert {g.code for g in balance.countries if g.count} == {"FR", "TN"}
        assert [s.mandate.holder for s in composition.guarantor] == ["Solidarité Laïque"]
        assert sorted(s.mandate.organisation for s in composition.ex_officio) == sorted(e["name"] for e in EX_OFFICIO)
        assert all(s.mandate.representative_name for s in composition.current)
        (history,) = composition.past  # one resignation during the term, filled by the next substitute
        (left,) = history.seats
        assert left.mandate.end_reason and left.replaced_by is not None
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

        with app.test_request_context():
            for email in ("delegate@demo.example.org", "alternate@demo.example.org"):
                user = db.session.scalar(select(User).where(User.email == email))
                assert Role.committee in roles_of(user), email
            funder = db.session.scalar(select(User).where(User.email == "exofficio@demo.example.org"))
            assert Role.committee not in roles_of(funder)

        first = elected_names()
        db.session.rollback()
        load_demo(demo_mode=False)
        assert elected_names() == first
        db.session.rollback()


def test_demo_calls_the_seed_call_with_its_nine_maxima_and_the_open_pcpa_call(app: Flask) -> None:
    """The seed's call (seed 002) published with its nine projects, whose maxima the rules compute; the
    PCPA call open under rules a committee amendment changed and a counted resolution adopted; one draft
    ineligible for a reason the check page gives."""
    from decimal import Decimal

    from flask_babel import force_locale

    from app.assembly.models import Vote
    from app.calls import eligibility, rules
    from app.calls.models import Amendment, Call, Challenge, Proposal, ProposalSnapshot, RuleSetVersion
    from app.core.models import OutboxMessage
    from app.demo.calls_data import SEED_PROJECTS

    with app.app_context():
        load_demo(demo_mode=False)
        db.session.commit()
        challenges = db.session.scalars(select(Challenge).order_by(Challenge.position)).all()
        assert [c.code for c in challenges] == ["EDU-1", "EDU-2", "EDU-3", "INS-1", "INS-2", "INS-3", "CON-1"]
        assert all(c.title_fr and c.title_en and c.title_ar and c.theme_ar for c in challenges)
        assert len({c.theme_fr for c in challenges}) == 3

        seed_call = db.session.scalar(select(Call).where(Call.title_fr == "Coopérer autrement en acteurs de changement"))
        assert seed_call.status == "published" and seed_call.closes_at.year == 2014
        version = seed_call.rule_set_version
        assert version.rule_set.title_fr == "Règlement 2014" and version.status == "adopted"
        assert version.content["funding"] == {"rate": "0.65", "ceiling": "66440", "floor": "0"}
        funding = rules.Funding.from_content(version.content["funding"])
        projects = {p.lead_member.acronym: p for p in db.session.scalars(
            select(Proposal).where(Proposal.call_id == seed_call.id))}
        assert sorted(projects) == sorted(p["lead"] for p in SEED_PROJECTS)
        for seed in SEED_PROJECTS:
            proposal = projects[seed["lead"]]
            budget = sum((line.total for line in proposal.budget_lines), Decimal(0))
            assert budget == Decimal(seed["budget"]) == proposal.total_budget
            maximum = rules.max_grant(proposal.requested, budget, funding).maximum
            assert maximum == Decimal(seed["grant"]) == proposal.max_grant, seed["lead"]
            assert proposal.awarded_cents == int(seed["grant"]) * 100
            assert proposal.duration_months == seed["months"] and proposal.beneficiaries_direct == seed["direct"]
            if seed["requested"] is not None:  # the seed's grant is below the maximum: what was asked
                assert proposal.requested == Decimal(seed["requested"])
            assert proposal.status == "submitted" and proposal.eligible and proposal.instructed_at is not None
            snapshot = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id))
            assert Decimal(snapshot.content["grant"]["maximum"]) == Decimal(seed["grant"])
            assert all(row["passed"] for row in snapshot.eligibility)
        essor = rules.max_grant(projects["ESSOR"].requested, projects["ESSOR"].total_budget, funding)
        assert (essor.at_rate, essor.maximum) == (Decimal("66332.50"), Decimal("66333"))
        assert len(projects["CGT"].partners) == 4 and {p.country for p in projects["CGT"].partners} >= {"HN", "GB"}

        # The PCPA call: rules amended by the committee and adopted by a counted resolution.
        pcpa = db.session.scalar(select(Call).where(Call.status == "open"))
        adopted = pcpa.rule_set_version
        assert adopted.status == "adopted" and adopted.number == 3 and adopted.amendment_id is not None
        assert "partner_other_country" in adopted.content["eligibility"] and "egalite" in adopted.content["criteria"]
        decision = adopted.decision
        assert decision["outcome"] == "adopted" and len(decision["final_hash"]) == 64
        vote = db.session.get(Vote, decision["vote_id"])
        assert vote.status == "closed" and vote.result["final_hash"] == decision["final_hash"]
        assert vote.resolution.id == adopted.resolution_id == decision["resolution_id"]
        amendments = db.session.scalars(select(Amendment).where(Amendment.rule_set_id == adopted.rule_set_id)
                                        .order_by(Amendment.id)).all()
        assert [a.status for a in amendments] == ["accepted", "declined", "accepted", "proposed"]
        assert amendments[0].proposer.email == "delegate@demo.example.org"  # the demo login sits on the committee
        history = db.session.scalars(select(RuleSetVersion.status).where(
            RuleSetVersion.rule_set_id == adopted.rule_set_id).order_by(RuleSetVersion.number)).all()
        assert history == ["superseded", "superseded", "adopted"]

        states = {p.lead_member.acronym: p for p in db.session.scalars(
            select(Proposal).where(Proposal.call_id == pcpa.id))}
        assert sorted(p.status for p in states.values()).count("submitted") == 3
        assert states["UTSS"].status == "draft"  # the demo delegate's own draft, to finish
        ineligible = states["LIANES"]
        assert ineligible.status == "draft" and ineligible.eligible is False
        with app.test_request_context(), force_locale("en"):
            (failure,) = eligibility.check(ineligible).failures
            assert failure.kind == "partner_other_country"
            assert failure.reason == "No partner is from Tunisia."
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_demo_selection_a_call_in_review_and_a_call_decided_and_published(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The call in review (conflicts of each kind, a flagged proposal with its discussion, the delegate's
    draft, its review not started and the proposal it cannot open) and the call decided and published (a
    departure with its reason, letters sent, the delegate's outcome page and letter), page by page for
    each demo login."""
    from app.calls import conflicts, reviewing, selection
    from app.calls.models import Call, Proposal
    from app.calls.selection_models import Conflict, ReviewComment, ReviewStatus
    from app.core.models import OutboxMessage
    from app.demo.selection_data import DECIDED_CALL, DEPARTURE_REASON, FLAGGED_KEY, REVIEW_CALL, REVIEW_PROJECTS

    monkeypatch.setitem(app.config, "DEMO_MODE", True)
    with app.app_context():
        load_demo(demo_mode=True)
        db.session.commit()
    with app.app_context(), app.test_request_context():
        delegate = db.session.scalar(select(User).where(User.email == "delegate@demo.example.org"))
        in_review = db.session.scalar(select(Call).where(Call.title_fr == REVIEW_CALL["title_fr"]))
        decided = db.session.scalar(select(Call).where(Call.title_fr == DECIDED_CALL["title_fr"]))
        assert in_review.status == "in_review" and decided.status == "published"
        titles = {p["key"]: p["title"] for p in REVIEW_PROJECTS}
        by_title = {p.title: p for p in db.session.scalars(select(Proposal).where(Proposal.call_id == in_review.id))}
        assert len(by_title) == 10 and all(p.status == "submitted" for p in by_title.values())

        # The call in review: about ten proposals, one ineligible, reviews mostly submitted, one flagged.
        board = selection.board(in_review)
        assert sum(1 for r in board.rows if not r.eligible) == 1
        flagged = by_title[titles[FLAGGED_KEY]]
        assert "range" in board.by_id[flagged.id].aggregate.flags
        assert board.by_id[flagged.id].aggregate.n == 3
        assert db.session.scalar(select(func.count(ReviewComment.id))
                                 .where(ReviewComment.proposal_id == flagged.id)) >= 3
        states = Counter(str(r.status) for r in reviewing.reviews_of(in_review.id))
        assignments = reviewing.assignments_of(in_review.id)
        assert states["submitted"] >= 0.8 * len(assignments) - 2 and states["draft"] == 2
        per_proposal = Counter(a.proposal_id for a in assignments)
        assert all(n >= 3 for n in per_proposal.values())
        assert sum(1 for a in assignments if a.suggested) >= 25 and all(a.notified_at for a in assignments)
        known = conflicts.of_call(in_review.id)
        sources = Counter(e.source for members in known.values() for entries in members.values() for e in entries)
        assert sources["recorded"] == 1 and sources["declared"] == 1 and sources["partner"] >= 10
        assert all(c.reason for c in db.session.scalars(select(Conflict)))
        # No review counts from a conflicted organisation, and nobody reviews a proposal it is conflicted with
        # (but the one who declared).
        declared = db.session.scalar(select(Conflict).where(Conflict.source == "declared"))
        for a in assignments:
            if (a.proposal_id, a.reviewer.member_id) != (declared.proposal_id, declared.member_id):
                assert not conflicts.is_conflicted(a.reviewer, a.proposal_id, known=known)

        # The demo delegate: a draft, a review not started, a proposal its member is a partner of.
        mine = {i.assignment.proposal.title: i.state for i in reviewing.my_reviews(delegate)}
        assert mine == {titles["ajasb-agroecologie"]: ReviewStatus.draft, titles["caers-cooperatives"]: "to_do"}
        partnered = by_title[titles["ljlge-citoyennete"]]
        assert [e.source for e in known[partnered.id][delegate.member_id]] == ["partner"]

        # The decided call: a line inside the envelope, one departure with its reason, letters sent.
        decision = selection.decision_of(decided.id)
        assert decision.published_at is not None and decision.committed_cents <= decision.envelope_cents
        assert decision.published_at.year == 2026 and decision.minutes
        outcomes = Counter(i.outcome for i in decision.items)
        assert outcomes["selected"] >= 3 and outcomes["reserve"] >= 1 and outcomes["rejected"] >= 1
        (departure,) = [i for i in decision.items if i.departure]
        assert departure.reason == DEPARTURE_REASON and departure.line_outcome == "funded"
        assert all(i.letter_sent_at is not None for i in decision.items)
        own = next(i for i in decision.items if i.proposal.lead_member_id == delegate.member_id)
        assert own.outcome == "selected" and own.amount_cents > 0
        assert all(r.reviewer is not None and r.stats.note == "" for r in selection.board(decided).reviewers)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        ids = {"review": in_review.id, "decided": decided.id, "flagged": flagged.id, "partnered": partnered.id,
               "draft": by_title[titles["ajasb-agroecologie"]].id, "own": own.proposal_id}

    def signed_in(email: str):  # noqa: ANN202
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        return client

    pages = {
        "secretariat@demo.example.org": {
            f"/calls/{ids['review']}/reviewers": 200, f"/calls/{ids['review']}/conflicts": 200,
            f"/calls/{ids['review']}/ranking": 200, f"/calls/{ids['review']}/allocation": 200,
            f"/proposals/{ids['flagged']}/reviews": 200, f"/calls/{ids['decided']}/decision": 200,
            f"/calls/{ids['decided']}/ranking": 200, f"/proposals/{ids['own']}/outcome": 200},
        "delegate@demo.example.org": {
            "/reviews": 200, f"/proposals/{ids['draft']}/my-review": 200,
            f"/proposals/{ids['partnered']}/reviews": 403, f"/proposals/{ids['partnered']}/my-review": 403,
            f"/calls/{ids['review']}/ranking": 200, f"/proposals/{ids['own']}/outcome": 200,
            f"/proposals/{ids['own']}/outcome/letter.pdf": 200},
        "alternate@demo.example.org": {"/reviews": 200, f"/proposals/{ids['own']}/outcome": 200},
        "exofficio@demo.example.org": {"/": 200, f"/proposals/{ids['own']}/outcome": 403},
        "unsigned@demo.example.org": {"/": 200, f"/proposals/{ids['own']}/outcome": 403},
    }
    for email, expected in pages.items():
        client = signed_in(email)
        for url, status in expected.items():
            response = client.get(url)
            assert response.status_code == status, (email, url, response.status_code)
    delegate_client = signed_in("delegate@demo.example.org")
    body = html.unescape(delegate_client.get("/reviews").get_data(as_text=True))
    assert titles["ajasb-agroecologie"] in body and titles["caers-cooperatives"] in body
    outcome = html.unescape(delegate_client.get(f"/proposals/{ids['own']}/outcome").get_data(as_text=True))
    assert "Jardins d'enfants solidaires" in outcome
    discussion = signed_in("secretariat@demo.example.org").get(f"/proposals/{ids['flagged']}/reviews")
    assert "convention de stage" in html.unescape(discussion.get_data(as_text=True))
