"""The home page's desk: what is waiting for the user, each line saying what to do and linking to it.

Each package contributes its lines (``app/<package>/desk.py``); a line appears
when its condition holds and disappears once it is done. The secretariat sees
the programme's work; a delegate and an alternate what is waiting for their
organisation; a committee member its reviews; the ex-officio account has
nothing to do and is told so. The desk reads a fixed number of statements
whatever the number of votes, assemblies, members, proposals or grants.
"""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.assembly import voting
from app.assembly.models import (
    Assembly,
    AssemblyStatus,
    Participation,
    Presence,
    PresenceStatus,
    Proxy,
    Vote,
    VoteStatus,
)
from app.auth.models import Token, TokenPurpose, User, UserKind
from app.auth.services import issue_token
from app.calls.models import CallStatus, ProposalStatus
from app.core import home
from app.core.desk import outbox_lines
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.elections import services as elections
from app.elections.models import Candidacy, CandidacyStatus, Election
from app.extensions import db
from app.grants.models import Report, ReportVersionStatus
from app.members.models import Charter, Member, MemberStatus
from tests import factories
from tests.calls import builders as calls
from tests.calls import review_builders
from tests.conftest import counting, login
from tests.grants import builders as grants


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email)
    return client


def _desk_of(client: FlaskClient, *, isolated: bool = False) -> str:
    """The desk's HTML; the values' isolation (``<bdi>``) removed unless ``isolated``."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('<div class="card desk"')
    desk = html[start:html.index("<!-- end of the desk -->", start)]
    return desk if isolated else desk.replace("<bdi>", "").replace("</bdi>", "")


def _desk(app: Flask, email: str) -> str:
    return _desk_of(_client(app, email))


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == UserKind.secretariat))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _sign_all(world: factories.World) -> None:
    """Both members of the world sign the current charter (the secretariat's desk is then empty)."""
    charter = db.session.get(Charter, world.charter_id)
    for member_id in (world.member_id, world.other_member_id):
        member = db.session.get(Member, member_id)
        factories.sign(member, charter, member.delegate)


# Rules ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("waiting", "failed", "smtp", "expected"), [
    (0, 0, True, []),
    (0, 0, False, []),
    (1, 0, True, [("waiting", "1 e-mail is waiting to be sent.")]),
    (2, 0, True, [("waiting", "2 e-mails are waiting to be sent.")]),
    (1, 0, False, [("no_server", "No mail server is configured: 1 e-mail is kept in the outbox only.")]),
    (0, 1, True, [("failed", "1 e-mail was refused by the mail server.")]),
    (3, 2, True, [("failed", "2 e-mails were refused by the mail server."),
                  ("waiting", "3 e-mails are waiting to be sent.")]),
])
def test_outbox_lines(app: Flask, waiting: int, failed: int, smtp: bool, expected: list[tuple[str, str]]) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert outbox_lines(waiting, failed, smtp=smtp) == expected


@pytest.mark.parametrize(("present", "members", "missing", "reached", "expected"), [
    (2, 4, 0, True, "Quorum reached: 2 of 4 members present or represented."),
    (1, 4, 1, False, "Quorum not reached: 1 of 4 members present or represented; 1 more member needed."),
    (0, 4, 2, False, "Quorum not reached: 0 of 4 members present or represented; 2 more members needed."),
    (0, 0, None, False, "Quorum cannot be reached: 0 of 0 members present or represented."),
])
def test_quorum_note(app: Flask, present: int, members: int, missing: int | None, reached: bool,
                     expected: str) -> None:
    from app.assembly.desk import quorum_note

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert quorum_note(present, members, missing, reached) == expected


def test_sources_with_one_heading_share_one_group(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home, "_DESK", {})
    line = home.DeskItem("a", "/a", "Do a")
    home.register_desk("x.first", order=1, title="Calls", items=lambda user: [line])
    home.register_desk("x.empty", order=2, title="Votes", items=lambda user: [])
    home.register_desk("x.second", order=3, title="Calls", items=lambda user: [line, line])
    groups = home.desk_for(object())
    assert [(g.title, len(g.items)) for g in groups] == [("Calls", 3)]


# Every role ---------------------------------------------------------------------------------------

def test_ex_officio_and_a_done_secretariat_are_told_nothing_is_waiting(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        db.session.commit()
    for role in ("ex_officio", "secretariat"):
        desk = _desk(app, world.emails[role])
        assert "Your desk" in desk and "Nothing is waiting for you." in desk and "<li" not in desk
        assert "turnout.js" not in desk


def test_titles_names_and_dates_are_escaped_and_isolated_in_an_arabic_sentence(app: Flask,
                                                                                world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        factories.assembly(title="<b>AG</b> & co", convened=False)
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    desk = _desk_of(client, isolated=True)
    assert "<bdi>&lt;b&gt;AG&lt;/b&gt; &amp; co</bdi>" in desk and "<b>AG" not in desk
    assert desk.count("<bdi>") == 2 and "(UTC)</bdi>" in desk  # the title and the date


# Secretariat --------------------------------------------------------------------------------------

def test_charter_and_applications_lines_come_and_go(app: Flask, world: factories.World) -> None:
    email = world.emails["secretariat"]
    desk = _desk(app, email)
    assert "2 active members have not signed the current charter and cannot vote." in desk
    assert 'href="/members?status=active&amp;charter=unsigned"' in desk and "See who has not signed" in desk
    with app.app_context():
        factories.sign(db.session.get(Member, world.member_id), db.session.get(Charter, world.charter_id),
                       _user(world.emails["delegate"]))
        factories.member("Nouvelle association", status=MemberStatus.applicant)
        db.session.commit()
    desk = _desk(app, email)
    assert "1 active member has not signed the current charter and cannot vote." in desk
    assert "1 membership application to decide." in desk and 'href="/members?status=applicant"' in desk
    with app.app_context():
        factories.sign(db.session.get(Member, world.other_member_id), db.session.get(Charter, world.charter_id),
                       _user(world.emails["other_delegate"]))
        db.session.scalar(select(Member).where(Member.name == "Nouvelle association")).status = MemberStatus.active
        factories.sign(db.session.scalar(select(Member).where(Member.name == "Nouvelle association")),
                       db.session.get(Charter, world.charter_id), _secretariat())
        db.session.commit()
    desk = _desk(app, email)
    assert "charter" not in desk and "application" not in desk


def test_no_charter_published_is_the_first_thing_to_do(app: Flask, world: factories.World) -> None:
    with app.app_context():
        db.session.delete(db.session.get(Charter, world.charter_id))
        db.session.commit()
    desk = _desk(app, world.emails["secretariat"])
    assert "No charter is published" in desk and 'href="/charter/publish"' in desk


def _open_vote(title: str = "Adoption des règles de l'appel", *, days_ahead: int = 0) -> tuple[int, int]:
    """A convened assembly with one open vote; (assembly id, vote id)."""
    assembly = factories.assembly(title=f"Assemblée {title}", days_ahead=days_ahead)
    resolution = factories.resolution(assembly, title=title)
    voting.open_vote(resolution.vote, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=2))
    return assembly.id, resolution.vote.id


def test_open_votes_show_their_live_turnout_until_closed(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        factories.voters(2)
        _assembly_id, vote_id = _open_vote()
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "Vote open: Adoption des règles de l&#39;appel" in desk
    assert f'href="/votes/{vote_id}/close"' in desk and "Follow or close the vote" in desk
    assert f'data-turnout-url="/votes/{vote_id}/turnout.json"' in desk
    assert "<span data-turnout-count>0</span> / 4" in desk and "turnout.js" in desk
    assert "Closes " in desk and "(UTC)" in desk
    with app.app_context():
        db.session.add(Participation(vote_id=vote_id, member_id=world.member_id))
        db.session.commit()
    assert "<span data-turnout-count>1</span> / 4" in _desk_of(client)
    assert client.get(f"/votes/{vote_id}/turnout.json").get_json()["turnout"] == 1
    with app.app_context():
        db.session.get(Vote, vote_id).status = VoteStatus.closed
        db.session.commit()
    desk = _desk_of(client)
    assert "Vote open" not in desk and "turnout.js" not in desk


def test_assemblies_to_convene_record_and_check_in_with_their_quorum(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        draft = factories.assembly(title="AG de printemps", convened=False)
        paper = factories.assembly(title="AG tenue sur papier", convened=False, days_ahead=-20)
        paper.recorded_afterwards = True
        convened = factories.assembly(title="AG extraordinaire")
        sitting = factories.assembly(title="AG en séance", days_ahead=0)
        sitting.status = AssemblyStatus.in_session
        ids = {"draft": draft.id, "paper": paper.id, "convened": convened.id, "sitting": sitting.id}
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "Assembly to convene: AG de printemps" in desk and f'href="/assemblies/{ids["draft"]}/convene"' in desk
    assert "Sitting held on" in desk and "to record: AG tenue sur papier" in desk
    assert f'href="/assemblies/{ids["paper"]}/record"' in desk
    assert "Convened: AG extraordinaire" in desk and f'href="/assemblies/{ids["convened"]}"' in desk
    assert "In session: AG en séance" in desk and f'href="/assemblies/{ids["sitting"]}/presence"' in desk
    assert "Quorum not reached: 0 of 2 members present or represented; 1 more member needed." in desk
    assert "desk-warn" in desk
    with app.app_context():
        db.session.add(Presence(assembly_id=ids["sitting"], member_id=world.member_id, status=PresenceStatus.present))
        db.session.commit()
    desk = _desk_of(client)
    assert "Quorum reached: 1 of 2 members present or represented." in desk and "desk-ok" in desk
    with app.app_context():
        for key in ids:
            db.session.get(Assembly, ids[key]).status = AssemblyStatus.closed
        db.session.commit()
    assert "Assemblies" not in _desk_of(client)


def test_invitations_pending_expired_and_accepted(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        member = db.session.get(Member, world.member_id)
        waiting = factories.user("nouvelle@example.org", member=member, name="Nadia Nouvelle")
        late = factories.user("tardif@example.org", member=member, name="Tarek Tardif")
        waiting.password_hash = late.password_hash = None
        issue_token(waiting, TokenPurpose.invitation, timedelta(days=7))
        issue_token(late, TokenPurpose.invitation, timedelta(days=7))
        for token in db.session.scalars(select(Token).where(Token.user_id == late.id)):
            token.expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "1 invitation sent and not yet accepted." in desk
    assert "The invitation of Tarek Tardif has expired without being accepted." in desk
    assert f'href="/members/{world.member_id}"' in desk and "Send the invitation again" in desk
    with app.app_context():
        for user in (_user("nouvelle@example.org"), _user("tardif@example.org")):
            user.password_hash = "set"
            for token in db.session.scalars(select(Token).where(Token.user_id == user.id)):
                token.used_at = utcnow()
        db.session.commit()
    assert "invitation" not in _desk_of(client).lower()


def test_outbox_waiting_and_failed_e_mails(app: Flask, world: factories.World, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        _sign_all(world)
        db.session.add_all([OutboxMessage(recipient="a@example.org", subject="s", body="b"),
                            OutboxMessage(recipient="b@example.org", subject="s", body="b", error="550 refused"),
                            OutboxMessage(recipient="c@example.org", subject="s", body="b", sent_at=utcnow())])
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "No mail server is configured: 2 e-mails are kept in the outbox only." not in desk
    assert "No mail server is configured: 1 e-mail is kept in the outbox only." in desk
    assert "1 e-mail was refused by the mail server." in desk and 'href="/outbox"' in desk
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.invalid")
    monkeypatch.setattr("app.core.mail.deliver_pending", lambda limit=100: 0)
    desk = _desk_of(client)
    assert "1 e-mail is waiting to be sent." in desk
    with app.app_context():
        for message in db.session.scalars(select(OutboxMessage)):
            message.sent_at, message.error = utcnow(), None
        db.session.commit()
    assert "E-mails" not in _desk_of(client)


_terms = count(1)  # one term after the other: overlapping terms are refused


def _election(title: str = "Élection du comité", *, opens: int = -1, closes: int = 1) -> Election:
    now = utcnow()
    return elections.create_election(actor=_secretariat(), data={
        "title": title, "seats": 2, "term_starts_on": date.today() + timedelta(days=800 * next(_terms)),
        "term_years": 2, "candidacy_opens_at": now + timedelta(days=opens),
        "candidacy_closes_at": now + timedelta(days=closes), "constraints": {}})


def _candidacy(election: Election, member_id: int, status: str = CandidacyStatus.submitted) -> Candidacy:
    item = Candidacy(election_id=election.id, member_id=member_id, representative_name="Amina B.",
                     gender="female", status=status)
    db.session.add(item)
    db.session.flush()
    return item


def test_candidacies_to_decide_then_the_vote_to_open(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        election = _election()
        election_id = election.id
        candidacy = _candidacy(election, world.member_id)
        candidacy_id = candidacy.id
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "1 candidacy to decide for Élection du comité." in desk
    assert f'href="/elections/{election_id}"' in desk and "Decide on the candidacies" in desk
    with app.app_context():
        db.session.get(Candidacy, candidacy_id).status = CandidacyStatus.validated
        db.session.get(Election, election_id).candidacy_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    desk = _desk_of(client)
    assert "candidacy to decide" not in desk
    assert "Candidacies for Élection du comité are closed and decided: the vote can open." in desk
    assert f'href="/elections/{election_id}/open"' in desk
    with app.app_context():
        db.session.get(Election, election_id).vote.status = VoteStatus.open
        db.session.commit()
    desk = _desk_of(client)  # once open, it is followed with the other votes
    assert "the vote can open" not in desk and "Vote open: Élection du comité" in desk


def test_proposals_to_instruct_per_call(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        call = calls.call(status=CallStatus.closed, title="Appel jeunesse")
        lead = db.session.get(Member, world.member_id)
        first = calls.proposal(call, lead)
        calls.proposal(call, db.session.get(Member, world.other_member_id))
        calls.proposal(call, lead, status=ProposalStatus.draft)
        ids = (call.id, first.id)
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "2 proposals to instruct in Appel jeunesse (en)." in desk
    assert f'href="/calls/{ids[0]}/proposals"' in desk
    with app.app_context():
        from app.calls.models import Proposal

        for proposal in db.session.scalars(select(Proposal).where(Proposal.status == ProposalStatus.submitted)):
            proposal.instructed_at = utcnow()
        db.session.commit()
    assert "to instruct" not in _desk_of(client)


def test_grant_reports_to_review_instalments_due_and_reports_overdue(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        grant = grants.grant(db.session.get(Member, world.member_id), number="PCPA-1-001")
        report = db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.number == 1))
        grants.version(report, status=ReportVersionStatus.submitted)
        late = db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.number == 2))
        late.due_on = utcnow().date() - timedelta(days=3)
        ids = (grant.id, report.id)
        db.session.commit()
    client = _client(app, world.emails["secretariat"])
    desk = _desk_of(client)
    assert "Report 1 of grant PCPA-1-001 submitted: to review." in desk
    assert f'href="/grants/{ids[0]}/reports/{ids[1]}/review"' in desk
    assert "Instalment 1 of grant PCPA-1-001 is due:" in desk and "Release the payment" in desk
    assert "1 report is overdue." in desk
    with app.app_context():
        grants.paid(db.session.get(type(grant), ids[0]), "20000")
        grants.version(db.session.get(Report, ids[1]), status=ReportVersionStatus.approved)
        db.session.scalar(select(Report).where(Report.grant_id == ids[0], Report.number == 2)).due_on = \
            date(2029, 2, 28)
        db.session.commit()
    desk = _desk_of(client)
    assert "Instalment 1 " not in desk and "to review" not in desk and "overdue" not in desk
    # the approved report makes instalment 2 due
    assert "Instalment 2 of grant PCPA-1-001 is due:" in desk


# A member's delegate and alternate -----------------------------------------------------------------

def test_charter_to_sign_for_the_delegate_and_to_ask_for_the_alternate(app: Flask, world: factories.World) -> None:
    delegate = _desk(app, world.emails["delegate"])
    assert "Waiting for your organisation" in delegate
    assert "has not signed version 1 of the charter" in delegate and "Read and sign the charter" in delegate
    assert 'href="/charter"' in delegate
    alternate = _desk(app, world.emails["alternate"])
    assert "Only your delegate can sign it." in alternate and "Read the charter" in alternate
    page = _client(app, world.emails["delegate"]).get("/").get_data(as_text=True)
    assert page.count("Read and sign the charter") == 1  # said once, on the desk, not again in the panel below
    with app.app_context():
        _sign_all(world)
        db.session.commit()
    for role in ("delegate", "alternate"):
        desk = _desk(app, world.emails[role])
        assert "charter" not in desk and "Nothing is waiting for you." in desk


def test_ballots_to_cast_by_the_delegate_and_the_alternate(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        _assembly_id, vote_id = _open_vote_after_proxy(world)
        db.session.commit()
    delegate = _desk(app, world.emails["delegate"])
    assert delegate.count("Ballot to cast: Budget 2028") == 2
    assert "Cast for your organisation." in delegate and "Cast by proxy for Collectif Solidaire de Nantes." in delegate
    assert f'href="/votes/{vote_id}"' in delegate and "Cast the ballot: Budget 2028" in delegate
    assert "Votes waiting for your ballot" in delegate
    assert "Your organisation holds the proxy of Collectif Solidaire de Nantes" in delegate
    alternate = _desk(app, world.emails["alternate"])
    assert alternate.count("Ballot to cast: Budget 2028") == 1 and "By proxy" not in alternate
    with app.app_context():
        db.session.add(Participation(vote_id=vote_id, member_id=world.member_id))
        db.session.commit()
    assert "Votes waiting for your ballot" not in _desk(app, world.emails["alternate"])
    assert "Cast by proxy for Collectif Solidaire de Nantes." in _desk(app, world.emails["delegate"])


def _open_vote_after_proxy(world: factories.World) -> tuple[int, int]:
    assembly = factories.assembly(title="Assemblée Budget 2028")
    db.session.add(Proxy(assembly_id=assembly.id, giver_id=world.other_member_id, holder_id=world.member_id))
    db.session.flush()
    resolution = factories.resolution(assembly, title="Budget 2028")
    voting.open_vote(resolution.vote, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=2))
    return assembly.id, resolution.vote.id


def test_attendance_to_confirm_or_proxy_given(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        assembly = factories.assembly(title="AG de juin")
        assembly_id = assembly.id
        db.session.commit()
    client = _client(app, world.emails["delegate"])
    desk = _desk_of(client)
    assert "AG de juin" in desk and "confirm your organisation's attendance or give its proxy" in desk
    assert f'href="/assemblies/{assembly_id}"' in desk and "Attend or give a proxy" in desk
    assert "AG de juin" not in _desk(app, world.emails["alternate"])  # only the delegate decides
    with app.app_context():
        in_person = factories.assembly(title="AG en salle")
        in_person.online = False
        db.session.commit()
    assert "AG en salle" not in _desk_of(client)  # attendance is recorded at the door
    with app.app_context():
        db.session.add(Proxy(assembly_id=assembly_id, giver_id=world.member_id, holder_id=world.other_member_id))
        db.session.commit()
    desk = _desk_of(client)
    assert "confirm your organisation" not in desk
    assert "Your organisation gave its proxy to Collectif Solidaire de Nantes for AG de juin." in desk
    with app.app_context():
        db.session.scalar(select(Proxy)).revoked_at = utcnow()
        db.session.add(Presence(assembly_id=assembly_id, member_id=world.member_id, status=PresenceStatus.present,
                                confirmed_online=True))
        db.session.commit()
    assert "AG de juin" not in _desk_of(client)


def test_proposals_in_draft_while_the_call_is_open(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        call = calls.call(title="Appel climat")
        draft = calls.proposal(call, db.session.get(Member, world.member_id), status=ProposalStatus.draft,
                               title="Jardins partagés")
        ids = (call.id, draft.id)
        db.session.commit()
    delegate = _desk(app, world.emails["delegate"])
    assert "Proposal in draft: Jardins partagés (Appel climat (en))." in delegate
    assert f'href="/proposals/{ids[1]}"' in delegate and "Complete and submit" in delegate
    alternate = _desk(app, world.emails["alternate"])
    assert "Complete the proposal" in alternate and "only your delegate can submit" in alternate
    assert "Jardins" not in _desk(app, world.emails["other_delegate"])
    with app.app_context():
        from app.calls.models import Call

        db.session.get(Call, ids[0]).status = CallStatus.closed
        db.session.commit()
    assert "Jardins" not in _desk(app, world.emails["delegate"])


def test_grant_reports_due_returned_or_late_for_the_grantee(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        grant = grants.grant(db.session.get(Member, world.member_id), number="PCPA-1-007")
        first = db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.number == 1))
        first.due_on = utcnow().date() + timedelta(days=10)
        ids = (grant.id, first.id)
        db.session.commit()
    desk = _desk(app, world.emails["alternate"])
    assert "Report 1 of grant PCPA-1-007 is due on" in desk and f'href="/grants/{ids[0]}/reports/{ids[1]}"' in desk
    assert "Report 2" not in desk  # due in 2029: not yet
    with app.app_context():
        db.session.get(Report, ids[1]).due_on = utcnow().date() - timedelta(days=1)
        db.session.commit()
    assert "Report 1 of grant PCPA-1-007 was due on" in _desk(app, world.emails["delegate"])
    with app.app_context():
        grants.version(db.session.get(Report, ids[1]), status=ReportVersionStatus.returned)
        db.session.commit()
    assert "Report 1 of grant PCPA-1-007 was returned for changes." in _desk(app, world.emails["delegate"])
    with app.app_context():
        grants.version(db.session.get(Report, ids[1]), status=ReportVersionStatus.submitted)
        db.session.commit()
    assert "PCPA-1-007" not in _desk(app, world.emails["delegate"])


def test_candidacies_open_for_the_delegate(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        election_id = _election("Élection 2027").id
        db.session.commit()
    desk = _desk(app, world.emails["delegate"])
    assert "Candidacies are open for Élection 2027 until" in desk
    assert f'href="/elections/{election_id}/candidacy"' in desk and "Stand for election" in desk
    assert "Élection 2027" not in _desk(app, world.emails["alternate"])
    with app.app_context():
        _candidacy(db.session.get(Election, election_id), world.member_id)
        db.session.commit()
    assert "Élection 2027" not in _desk(app, world.emails["delegate"])


# Committee ------------------------------------------------------------------------------------------

def test_reviews_to_write_for_a_committee_member(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _sign_all(world)
        reviewer = review_builders.committee(1, prefix="desk")[0]
        factories.sign(reviewer.member, db.session.get(Charter, world.charter_id), reviewer)
        call = calls.call(status=CallStatus.in_review, title="Appel revu")
        proposal = calls.proposal(call, db.session.get(Member, world.member_id))
        review_builders.assign(proposal, reviewer)
        email = reviewer.email
        db.session.commit()
    desk = _desk(app, email)
    assert "1 review to write." in desk and 'href="/reviews"' in desk and "Write the reviews" in desk


# Bounded queries -------------------------------------------------------------------------------------

def _scene(world: factories.World, n: int, tag: str) -> None:
    """``n`` of everything the desk lists, for the secretariat and for the world's delegate."""
    charter = db.session.get(Charter, world.charter_id)
    own = db.session.get(Member, world.member_id)
    for i in range(n):
        factories.member(f"Candidate {tag} {i}", status=MemberStatus.applicant)
        factories.member(f"Unsigned {tag} {i}")
        voters = factories.voters(1, charter_=charter, prefix=f"V{tag}{i}")
        assembly = factories.assembly(title=f"AG {tag} {i}", days_ahead=0)
        db.session.add(Proxy(assembly_id=assembly.id, giver_id=voters[0].id, holder_id=world.member_id))
        db.session.flush()
        resolution = factories.resolution(assembly, title=f"Résolution {tag} {i}")
        voting.open_vote(resolution.vote, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=2))
        factories.assembly(title=f"AG brouillon {tag} {i}", convened=False)
        factories.assembly(title=f"AG convoquée {tag} {i}")
        person = factories.user(f"invite-{tag}-{i}@example.org", member=own)
        person.password_hash = None
        issue_token(person, TokenPurpose.invitation, timedelta(days=7 if i % 2 else -1))
        db.session.add(OutboxMessage(recipient=f"x{tag}{i}@example.org", subject="s", body="b",
                                     error="refused" if i % 2 else None))
        election = _election(f"Élection {tag} {i}")
        _candidacy(election, voters[0].id)
        call = calls.call(status=CallStatus.open, title=f"Appel {tag} {i}")
        calls.proposal(call, voters[0])
        calls.proposal(call, own, status=ProposalStatus.draft)
        grant = grants.grant(own)
        report = db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.number == 1))
        grants.version(report, status=ReportVersionStatus.submitted)
        late = db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.number == 2))
        late.due_on = utcnow().date() - timedelta(days=1)
    sitting = factories.assembly(title=f"AG en séance {tag}", days_ahead=0)
    sitting.status = AssemblyStatus.in_session
    db.session.add(Presence(assembly_id=sitting.id, member_id=world.other_member_id, status=PresenceStatus.present))


@pytest.mark.parametrize("role", ["secretariat", "delegate", "alternate", "ex_officio"])
def test_the_desk_reads_a_fixed_number_of_statements(app: Flask, world: factories.World, role: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home, "_PANELS", {"core.desk": home._PANELS["core.desk"]})
    counts = []
    client = _client(app, world.emails[role])
    for n, tag in ((1, "a"), (5, "b")):
        with app.app_context():
            _scene(world, n, tag)
            db.session.commit()
        with counting(app) as statements:
            desk = _desk_of(client)
        counts.append(len(statements))
        if role != "ex_officio":
            assert desk.count("<li") >= n
    if role == "secretariat":  # six grants: five reports named, the sixth counted
        assert desk.count("submitted: to review.") == 5 and "And 1 more report to review." in desk
    assert counts[0] == counts[1], counts


def test_quorum_uses_the_assemblys_own_rule(app: Flask, world: factories.World) -> None:
    """A two-thirds quorum needs both members of the world, not one."""
    with app.app_context():
        _sign_all(world)
        sitting = factories.assembly(title="AG statutaire", days_ahead=0, quorum=(2, 3))
        sitting.status = AssemblyStatus.in_session
        db.session.add(Presence(assembly_id=sitting.id, member_id=world.member_id, status=PresenceStatus.present))
        db.session.commit()
    desk = _desk(app, world.emails["secretariat"])
    assert "Quorum not reached: 1 of 2 members present or represented; 1 more member needed." in desk


def test_a_committee_members_desk_reads_a_fixed_number_of_statements(app: Flask, world: factories.World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home, "_PANELS", {"core.desk": home._PANELS["core.desk"]})
    with app.app_context():
        reviewer = review_builders.committee(1, prefix="bound")[0]
        factories.sign(reviewer.member, db.session.get(Charter, world.charter_id), reviewer)
        email = reviewer.email
        db.session.commit()
    client = _client(app, email)
    counts = []
    for n, tag in ((1, "a"), (6, "b")):
        with app.app_context():
            reviewer = _user(email)
            call = calls.call(status=CallStatus.in_review, title=f"Appel {tag}")
            for _ in range(n):
                review_builders.assign(calls.proposal(call, db.session.get(Member, world.member_id)), reviewer)
            db.session.commit()
        with counting(app) as statements:
            desk = _desk_of(client)
        counts.append(len(statements))
    assert "7 reviews to write." in desk
    assert counts[0] == counts[1], counts
