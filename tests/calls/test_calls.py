"""Call services: challenges, a draft call's set-up, every transition allowed and refused, the opening
e-mails, is_accepting and the submission lock, the rule set in sentences."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from app.auth.models import User, UserKind
from app.calls import services, wording
from app.calls.models import Call, CallStatus, Challenge, VersionStatus
from app.core.errors import DomainError
from app.core.models import AuditEntry, OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus
from tests import factories
from tests.calls import builders


def secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == UserKind.secretariat))


def call_data(version_id: int, challenge_ids: list[int], **overrides: Any) -> dict[str, Any]:
    """What the call form hands to the services."""
    now = utcnow()
    data: dict[str, Any] = {
        "title_fr": "Coopérer autrement", "title_en": "Cooperating differently", "title_ar": "",
        "text_fr": "Texte", "text_en": "Text", "text_ar": "", "envelope": Decimal("150000.50"),
        "opens_at": now + timedelta(days=1), "closes_at": now + timedelta(days=30),
        "rule_set_version_id": version_id, "challenge_ids": challenge_ids, "reminder_days": 7}
    data.update(overrides)
    return data


def draft_call(status: str = VersionStatus.adopted, *, challenges: bool = True, **overrides: Any) -> Call:
    version = builders.version(status=status)
    ids = [builders.challenge("D1").id, builders.challenge("D2").id] if challenges else []
    return services.create_call(actor=secretariat(), data=call_data(version.id, ids, **overrides))


def actions(call_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "call",
                                                                   AuditEntry.object_id == str(call_id))
                                   .order_by(AuditEntry.id)))


# Challenges ------------------------------------------------------------------------------------

CHALLENGE = {"code": "D1", "position": 1, "theme_fr": "Jeunesse", "theme_en": "Youth", "theme_ar": "",
             "title_fr": "Favoriser l'engagement des jeunes", "title_en": "Youth engagement", "title_ar": "",
             "active": True}


def test_a_challenge_is_created_edited_and_audited(session: factories.World) -> None:
    challenge = services.create_challenge(actor=secretariat(), data=CHALLENGE)
    services.update_challenge(challenge, actor=secretariat(), data={**CHALLENGE, "active": False, "position": 3})
    assert (challenge.active, challenge.position) == (False, 3)
    assert [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "challenge"))] \
        == ["challenge.created", "challenge.updated"]


@pytest.mark.parametrize(("data", "field"), [
    ({"code": "d1"}, "code"),             # taken, whatever the case
    ({"code": "  "}, "code"),
    ({"code": "D9", "title_fr": " "}, "title_fr"),
])
def test_a_bad_challenge_is_refused_at_its_field(session: factories.World, data: dict[str, Any], field: str) -> None:
    services.create_challenge(actor=secretariat(), data=CHALLENGE)
    with pytest.raises(DomainError) as caught:
        services.create_challenge(actor=secretariat(), data={**CHALLENGE, **data})
    assert caught.value.field == field


def test_a_challenge_keeps_its_own_code(session: factories.World) -> None:
    challenge = services.create_challenge(actor=secretariat(), data=CHALLENGE)
    services.update_challenge(challenge, actor=secretariat(), data={**CHALLENGE, "code": "d1"})
    assert challenge.code == "d1"


def test_inactive_challenges_are_offered_only_to_the_calls_that_have_them(session: factories.World) -> None:
    kept, dropped = builders.challenge("D1"), builders.challenge("D2")
    dropped.active = False
    assert [c.code for c in services.challenge_choices()] == ["D1"]
    assert {c.code for c in services.challenge_choices([dropped.id])} == {"D1", "D2"}
    assert kept.active


# A draft call ------------------------------------------------------------------------------------

def test_create_call_makes_an_audited_draft(session: factories.World) -> None:
    call = draft_call()
    assert call.status == CallStatus.draft
    assert call.envelope == Decimal("150000.50") and call.envelope_cents == 15000050
    assert [c.code for c in call.challenges] == ["D1", "D2"]
    assert actions(call.id) == ["call.created"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title_fr": "  "}, "title_fr"),
    ({"envelope": Decimal("0")}, "envelope"),
    ({"envelope": Decimal("-5")}, "envelope"),
    ({"envelope": Decimal("1.005")}, "envelope"),
    ({"envelope": Decimal("1000000000.01")}, "envelope"),
    ({"closes_at": "opens"}, "closes_at"),           # equal to the opening: refused
    ({"closes_at": "before"}, "closes_at"),
    ({"rule_set_version_id": 999_999}, "rule_set_version_id"),
    ({"challenge_ids": [999_999]}, "challenge_ids"),
    ({"reminder_days": -1}, "reminder_days"),
])
def test_a_bad_call_is_refused_at_its_field_and_nothing_is_saved(session: factories.World,
                                                                   overrides: dict[str, Any], field: str) -> None:
    version = builders.version()
    data = call_data(version.id, [builders.challenge("D1").id])
    if overrides.get("closes_at") == "opens":
        overrides = {"closes_at": data["opens_at"]}
    elif overrides.get("closes_at") == "before":
        overrides = {"closes_at": data["opens_at"] - timedelta(minutes=1)}
    with pytest.raises(DomainError) as caught:
        services.create_call(actor=secretariat(), data={**data, **overrides})
    assert caught.value.field == field
    assert db.session.scalar(select(Call.id)) is None


def test_a_draft_is_edited_but_nothing_after_it_opens(session: factories.World) -> None:
    call = draft_call()
    version_id = call.rule_set_version_id
    services.update_call(call, actor=secretariat(), data=call_data(version_id, [call.challenges[0].id],
                                                                    title_fr="Nouveau titre"))
    assert call.title_fr == "Nouveau titre" and len(call.challenges) == 1
    call.opens_at = utcnow()
    services.open_call(call, actor=secretariat())
    with pytest.raises(DomainError):
        services.update_call(call, actor=secretariat(), data=call_data(version_id, []))
    assert actions(call.id) == ["call.created", "call.updated", "call.opened"]


# Transitions ----------------------------------------------------------------------------------

def test_the_whole_life_of_a_call(session: factories.World) -> None:
    call = draft_call()
    services.open_call(call, actor=secretariat())
    assert call.status == CallStatus.open and call.opened_at is not None
    assert call.opens_at == call.opened_at  # the planned opening becomes the actual one
    services.close_call(call, actor=secretariat())
    assert call.status == CallStatus.closed and call.closed_at is not None
    assert services.advance(call, actor=secretariat()) == CallStatus.in_review
    # Decided and published go through the selection (record_decision, publish_decision), not advance.
    with pytest.raises(DomainError, match="trial allocation"):
        services.advance(call, actor=secretariat(), expected=CallStatus.decided)
    assert call.status == CallStatus.in_review
    assert actions(call.id) == ["call.created", "call.opened", "call.closed", "call.in_review"]


@pytest.mark.parametrize("status", [VersionStatus.draft, VersionStatus.frozen, VersionStatus.rejected,
                                    VersionStatus.superseded])
def test_a_call_cannot_open_under_a_version_not_adopted(session: factories.World, status: str) -> None:
    call = draft_call(status)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.open_call(call, actor=secretariat())
    assert caught.value.field == "rule_set_version_id"
    assert "not adopted" in str(caught.value.message)
    db.session.rollback()
    assert db.session.get(Call, call.id).status == CallStatus.draft
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_call_with_no_challenge_cannot_open(session: factories.World) -> None:
    call = draft_call(challenges=False)
    with pytest.raises(DomainError) as caught:
        services.open_call(call, actor=secretariat())
    assert caught.value.field == "challenge_ids"


def test_a_call_whose_closing_date_passed_cannot_open(session: factories.World) -> None:
    call = draft_call(opens_at=utcnow() - timedelta(days=10), closes_at=utcnow() - timedelta(minutes=1))
    with pytest.raises(DomainError) as caught:
        services.open_call(call, actor=secretariat())
    assert caught.value.field == "closes_at"


def test_opening_problems_lists_every_reason(session: factories.World) -> None:
    call = draft_call(VersionStatus.frozen, challenges=False, opens_at=utcnow() - timedelta(days=2),
                      closes_at=utcnow() - timedelta(days=1))
    assert [field for field, _message in services.opening_problems(call)] == [
        "rule_set_version_id", "challenge_ids", "closes_at"]


#: Which service may run from which status (True: allowed).
TRANSITIONS = {
    "open": {CallStatus.draft},
    "close": {CallStatus.open},
    "advance": {CallStatus.closed},  # in review → decided → published: the selection's decision and publication
}


def _run(step: str, call: Call) -> None:
    if step == "open":
        services.open_call(call, actor=secretariat())
    elif step == "close":
        services.close_call(call, actor=secretariat())
    else:
        services.advance(call, actor=secretariat())


@pytest.mark.parametrize("step", sorted(TRANSITIONS))
@pytest.mark.parametrize("status", list(CallStatus))
def test_every_transition_from_every_status(session: factories.World, step: str, status: CallStatus) -> None:
    call = builders.call(status=status)
    if status == CallStatus.draft:
        call.opened_at = None
    db.session.commit()
    if step in TRANSITIONS and status in TRANSITIONS[step]:
        _run(step, call)
        assert call.status == (CallStatus.open if step == "open" else services.NEXT[status])
    else:
        with pytest.raises(DomainError):
            _run(step, call)
        db.session.rollback()
        assert db.session.get(Call, call.id).status == status


def test_a_stale_confirmation_page_does_not_advance_twice(session: factories.World) -> None:
    call = builders.call(status=CallStatus.closed)
    services.advance(call, actor=secretariat(), expected=CallStatus.in_review)
    with pytest.raises(DomainError):
        services.advance(call, actor=secretariat(), expected=CallStatus.in_review)
    assert call.status == CallStatus.in_review


def test_closing_twice_closes_once(session: factories.World) -> None:
    """The conditional UPDATE decides: a second close of the same call (another tab) is refused."""
    call = builders.call()
    services.close_call(call, actor=secretariat())
    with pytest.raises(DomainError):
        services.close_call(call, actor=secretariat())
    assert actions(call.id).count("call.closed") == 1


# Opening e-mails ---------------------------------------------------------------------------------

def test_opening_emails_every_representative_of_active_members_in_their_language(session: factories.World) -> None:
    world = session
    alternate = db.session.scalar(select(User).where(User.email == world.emails["alternate"]))
    alternate.locale = "ar"
    delegate = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
    delegate.locale = "en"
    gone = factories.member("Association partie", status=MemberStatus.withdrawn)
    factories.user("gone@example.org", member=gone, delegate=True)
    suspended = factories.member("Association suspendue", status=MemberStatus.suspended)
    factories.user("suspended@example.org", member=suspended, delegate=True)
    applicant = factories.member("Association candidate", status=MemberStatus.applicant)
    factories.user("applicant@example.org", member=applicant, delegate=True)
    inactive = factories.user("inactive@example.org", member=db.session.get(Member, world.member_id))
    inactive.active = False
    call = draft_call()
    call.title_ar = "دعوة"
    sent = services.open_call(call, actor=secretariat())
    mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(mails) == {world.emails["delegate"], world.emails["alternate"], world.emails["other_delegate"]}
    assert sent == 3
    assert mails[world.emails["delegate"]].subject == "Call for projects open: Cooperating differently"
    assert "Cooperating differently" in mails[world.emails["delegate"]].body
    assert "دعوة" in mails[world.emails["alternate"]].subject and "دعوة" in mails[world.emails["alternate"]].body
    assert "Coopérer autrement" in mails[world.emails["other_delegate"]].subject  # no locale: French
    assert f"/calls/{call.id}" in mails[world.emails["delegate"]].body
    assert "150" in mails[world.emails["delegate"]].body  # the envelope


def test_a_refused_opening_sends_nothing(session: factories.World) -> None:
    call = draft_call(VersionStatus.frozen)
    db.session.commit()
    with pytest.raises(DomainError):
        services.open_call(call, actor=secretariat())
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.id)) is None


# For the proposals ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "closes_in", "accepting"), [
    (CallStatus.open, timedelta(hours=1), True),
    (CallStatus.open, timedelta(seconds=1), True),
    (CallStatus.open, timedelta(0), False),              # exactly at the closing time: closed
    (CallStatus.open, -timedelta(seconds=1), False),
    (CallStatus.draft, timedelta(days=1), False),
    (CallStatus.closed, timedelta(days=1), False),       # closed early by the secretariat
    (CallStatus.in_review, timedelta(days=1), False),
    (CallStatus.published, timedelta(days=1), False),
])
def test_is_accepting(session: factories.World, status: str, closes_in: timedelta, accepting: bool) -> None:
    call = builders.call(status=status)
    now = utcnow()
    call.closes_at = now + closes_in
    assert services.is_accepting(call, now) is accepting


def test_lock_call_for_submission_reads_the_row_afresh(session: factories.World) -> None:
    call = builders.call()
    db.session.commit()
    with db.engine.begin() as other:  # another connection closes it behind the session's back
        other.execute(text("UPDATE calls SET status = 'closed' WHERE id = :id"), {"id": call.id})
    locked = services.lock_call_for_submission(call.id)
    assert locked is call and locked.status == CallStatus.closed
    assert not services.is_accepting(locked)
    assert services.lock_call_for_submission(999_999) is None


# Pages' reads --------------------------------------------------------------------------------------

def test_the_rule_set_in_sentences(session: factories.World) -> None:
    content = builders.content()
    content["funding"]["floor"] = "5000"
    content["criteria"]["impact"] = {"name": {"fr": "Impact", "en": "Impact", "ar": ""}, "description": {},
                                     "weight": 2, "scale_max": 20, "na_allowed": True, "min_justification": 0,
                                     "position": 0}
    words = wording.rules_in_words(content)
    assert "At least 1 partner." in words.eligibility
    assert words.eligibility[0].startswith("The lead applicant is an active member")
    assert words.funding[0].startswith("The grant is at most 65 % of the proposal's total budget")
    assert words.funding[1] == "Ceiling: 66,440 € per proposal."
    assert "5,000 €" in words.funding[2]
    assert [(c.name, c.weight, c.scale_max, c.na_allowed) for c in words.criteria] == [
        ("Impact", 2, 20, True), ("Relevance", 3, 5, False)]
    assert words.total_weight == 5


def test_members_list_only_open_and_published_calls(session: factories.World) -> None:
    for status in CallStatus:
        builders.call(status=status, title=f"Appel {status}")
    shown = {c.status for c in db.session.scalars(services.calls_query(manage=False))}
    assert shown == {CallStatus.open, CallStatus.published}
    assert len(db.session.scalars(services.calls_query(manage=True)).all()) == len(CallStatus)
    assert [c.status for c in db.session.scalars(services.calls_query(manage=True, status="closed"))] == ["closed"]


def test_open_calls_of_the_home_page(session: factories.World) -> None:
    soon = builders.call(title="Bientôt")
    soon.closes_at = utcnow() + timedelta(days=2)
    builders.call(title="Plus tard")
    builders.call(status=CallStatus.draft, title="Brouillon")
    past = builders.call(title="Échu")
    past.closes_at = utcnow() - timedelta(minutes=1)
    assert [c.title_fr for c in services.open_calls()] == ["Bientôt", "Plus tard"]
    user = secretariat()
    panel = services.open_calls_panel(user)
    assert panel is not None and len(panel["calls"]) == 2


def test_may_propose_is_a_delegate_of_an_active_member(session: factories.World) -> None:
    world = session
    by_email = {u.email: u for u in db.session.scalars(select(User))}
    assert services.member_may_propose(by_email[world.emails["delegate"]])
    assert not services.member_may_propose(by_email[world.emails["alternate"]])
    assert not services.member_may_propose(by_email[world.emails["secretariat"]])
    db.session.get(Member, world.member_id).status = MemberStatus.suspended
    assert not services.member_may_propose(by_email[world.emails["delegate"]])


def test_challenge_model_is_untouched_by_reads(session: factories.World) -> None:
    """Listing challenges orders by position then code."""
    b = Challenge(code="B", title_fr="B", position=1)
    a = Challenge(code="A", title_fr="A", position=1)
    first = Challenge(code="Z", title_fr="Z", position=0)
    db.session.add_all([b, a, first])
    db.session.flush()
    assert [c.code for c in services.challenges_list()] == ["Z", "A", "B"]
