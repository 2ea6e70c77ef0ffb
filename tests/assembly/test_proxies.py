"""Proxies (DESIGN §3): the cap, no chains, the giver cannot cast, frozen when the first vote opens.

Service level (``app.assembly.services`` and ``voting``), on a real database.
The concurrent cases run threads with their own app contexts and sessions,
on SQLite and on PostgreSQL alike.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.assembly import services, voting
from app.assembly.models import Assembly, AssemblyStatus, Presence, Proxy, Vote, VoteElector
from app.auth.models import User, UserKind
from app.core import audit
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus
from tests import factories

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
TIMEOUT = 30


def _delegate(member: Member) -> User:
    return next(u for u in member.representatives if u.is_delegate)


@dataclass
class Setting:
    assembly: Assembly
    members: list[Member]
    secretariat: User

    def __getitem__(self, index: int) -> Member:
        return self.members[index]


def _setting(size: int = 6, *, max_proxies: int = 1) -> Setting:
    members = factories.voters(size, prefix="Proxy")
    secretariat = factories.user("sec-proxy@example.org", kind=UserKind.secretariat)
    assembly = factories.assembly(max_proxies=max_proxies)
    db.session.commit()
    return Setting(assembly, members, secretariat)


def _give(s: Setting, giver: Member, holder: Member) -> Proxy:
    return services.give_proxy(s.assembly, actor=_delegate(giver), giver=giver, holder=holder)


def _open(s: Setting, *, title: str = "Motion") -> Vote:
    resolution = factories.resolution(s.assembly, title=title)
    voting.open_vote(resolution.vote, actor=s.secretariat, closes_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    return resolution.vote


def _live(assembly: Assembly) -> list[tuple[int, int]]:
    return [(p.giver_id, p.holder_id) for p in services.live_proxies(assembly)]


def _refused(call: Callable[[], object], field: str | None = "holder_id") -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    db.session.rollback()
    assert refused.value.field == field, (refused.value.field, str(refused.value.message))
    return refused.value


# The cap ----------------------------------------------------------------------------------

@pytest.mark.parametrize("cap", [1, 2])
def test_a_holder_carries_at_most_the_statutory_number_of_proxies(app: Flask, ctx: None, cap: int) -> None:
    s = _setting(cap + 3, max_proxies=cap)
    holder, givers = s[0], s.members[1:cap + 2]
    proxies = {}
    for giver in givers[:cap]:
        proxies[giver.id] = _give(s, giver, holder)
    db.session.commit()
    _refused(lambda: _give(s, givers[cap], holder))
    assert sorted(_live(s.assembly)) == sorted((g.id, holder.id) for g in givers[:cap])
    # It was the cap: once one of the holder's proxies is revoked, the same proxy is accepted.
    services.revoke_proxy(proxies[givers[0].id], actor=_delegate(givers[0]))
    _give(s, givers[cap], holder)
    db.session.commit()
    carried = givers[1:]
    assert sorted(_live(s.assembly)) == sorted((g.id, holder.id) for g in carried)
    _refused(lambda: _give(s, givers[0], holder))
    vote = _open(s)
    slots = voting.slots_for(_delegate(holder), vote)
    assert [(slot.member_id, slot.by_proxy) for slot in slots][0] == (holder.id, False)
    assert sorted(slot.member_id for slot in slots if slot.by_proxy) == sorted(g.id for g in carried)
    for slot in slots:
        voting.cast(vote.id, slot.member_id, "for", actor=_delegate(holder))
    db.session.commit()
    assert voting.turnout(vote) == cap + 1


# Refusals, table-driven ----------------------------------------------------------------------

def _self(s: Setting) -> tuple[Member, Member]:
    return s[0], s[0]


def _giver_holds_a_proxy(s: Setting) -> tuple[Member, Member]:
    _give(s, s[1], s[0])  # 0 holds 1's proxy; 0 now tries to pass its vote on
    return s[0], s[2]


def _holder_gave_its_own(s: Setting) -> tuple[Member, Member]:
    _give(s, s[1], s[2])  # 1 gave to 2; 0 now tries to give to 1
    return s[0], s[1]


def _giver_gave_already(s: Setting) -> tuple[Member, Member]:
    _give(s, s[0], s[1])
    return s[0], s[2]


def _status(side: str, status: MemberStatus) -> Callable[[Setting], tuple[Member, Member]]:
    def prepare(s: Setting) -> tuple[Member, Member]:
        target = s[0] if side == "giver" else s[1]
        target.status = status
        return s[0], s[1]
    return prepare


def _assembly_status(status: AssemblyStatus) -> Callable[[Setting], tuple[Member, Member]]:
    def prepare(s: Setting) -> tuple[Member, Member]:
        s.assembly.status = status
        return s[0], s[1]
    return prepare


def _after_first_vote_opened(s: Setting) -> tuple[Member, Member]:
    _open(s)
    return s[0], s[1]


REFUSALS: list[tuple[str, Callable[[Setting], tuple[Member, Member]], str | None]] = [
    ("to-itself", _self, "holder_id"),
    ("giver-holds-a-proxy", _giver_holds_a_proxy, "holder_id"),
    ("holder-gave-its-own", _holder_gave_its_own, "holder_id"),
    ("giver-already-gave", _giver_gave_already, "holder_id"),
    *[(f"{side}-{status.value}", _status(side, status), "holder_id")
      for side in ("giver", "holder")
      for status in (MemberStatus.applicant, MemberStatus.suspended, MemberStatus.withdrawn)],
    ("assembly-draft", _assembly_status(AssemblyStatus.draft), None),
    ("assembly-closed", _assembly_status(AssemblyStatus.closed), None),
    ("after-the-first-vote-opened", _after_first_vote_opened, None),
]


@pytest.mark.parametrize(("prepare", "field"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_proxy_refused(app: Flask, ctx: None, prepare: Callable[[Setting], tuple[Member, Member]],
                       field: str | None) -> None:
    s = _setting()
    giver, holder = prepare(s)
    db.session.commit()
    before = sorted(_live(s.assembly))
    proxies = db.session.scalar(select(func.count(Proxy.id)))
    error = _refused(lambda: _give(s, giver, holder), field)
    assert str(error.message).strip()
    assert sorted(_live(s.assembly)) == before
    assert db.session.scalar(select(func.count(Proxy.id))) == proxies  # nothing half-saved


# Casting with a proxy --------------------------------------------------------------------------

def test_giver_cannot_cast_holder_delegate_casts_both_holder_alternate_only_its_own(app: Flask, ctx: None) -> None:
    s = _setting()
    giver, holder = s[0], s[1]
    giver_alternate = factories.user("giver-alt@example.org", member=giver)
    holder_alternate = factories.user("holder-alt@example.org", member=holder)
    _give(s, giver, holder)
    db.session.commit()
    vote = _open(s)

    assert voting.slots_for(_delegate(giver), vote) == []
    assert voting.slots_for(giver_alternate, vote) == []
    assert voting.gave_proxy_in(_delegate(giver), vote) == holder.name
    for actor in (_delegate(giver), giver_alternate, holder_alternate):
        _refused(lambda actor=actor: voting.cast(vote.id, giver.id, "for", actor=actor), None)
    assert [s_.member_id for s_ in voting.slots_for(holder_alternate, vote)] == [holder.id]
    assert [(s_.member_id, s_.by_proxy) for s_ in voting.slots_for(_delegate(holder), vote)] == [
        (holder.id, False), (giver.id, True)]

    voting.cast(vote.id, giver.id, "against", actor=_delegate(holder))
    voting.cast(vote.id, holder.id, "for", actor=holder_alternate)
    db.session.commit()
    assert voting.turnout(vote) == 2
    assert all(slot.cast for slot in voting.slots_for(_delegate(holder), vote))


@pytest.mark.parametrize("outside", ["holder-not-signed", "holder-suspended-after-giving", "giver-not-signed"])
def test_a_proxy_across_the_electorate_boundary_is_void_at_the_freeze(app: Flask, ctx: None, outside: str) -> None:
    s = _setting()
    if outside == "holder-not-signed":
        giver = s[0]
        holder = factories.member("Organisation sans charte")
        factories.user("unsigned-delegate@example.org", member=holder, delegate=True)
    elif outside == "giver-not-signed":
        giver = factories.member("Donneur sans charte")
        factories.user("unsigned-giver@example.org", member=giver, delegate=True)
        holder = s[1]
    else:
        giver, holder = s[0], s[1]
    _give(s, giver, holder)
    if outside == "holder-suspended-after-giving":
        holder.status = MemberStatus.suspended
    db.session.commit()
    vote = _open(s)

    electors = dict(db.session.execute(select(VoteElector.member_id, VoteElector.proxy_holder_id)
                                       .where(VoteElector.vote_id == vote.id)).all())
    assert holder.id not in electors.values()
    if outside == "giver-not-signed":
        assert giver.id not in electors
        assert [slot.member_id for slot in voting.slots_for(_delegate(holder), vote)] == [holder.id]
        _refused(lambda: voting.cast(vote.id, giver.id, "for", actor=_delegate(holder)), None)
        return
    # The giver keeps its own vote.
    assert electors[giver.id] is None
    assert [(slot.member_id, slot.by_proxy) for slot in voting.slots_for(_delegate(giver), vote)] == [
        (giver.id, False)]
    assert voting.gave_proxy_in(_delegate(giver), vote) is None
    assert voting.slots_for(_delegate(holder), vote) == []
    _refused(lambda: voting.cast(vote.id, giver.id, "for", actor=_delegate(holder)), None)
    voting.cast(vote.id, giver.id, "for", actor=_delegate(giver))
    db.session.commit()
    assert voting.turnout(vote) == 1


# Revocation and its deadline ---------------------------------------------------------------------

def test_revocation_before_the_first_vote_opens_and_not_after(app: Flask, ctx: None) -> None:
    s = _setting()
    giver, holder, other = s[0], s[1], s[2]
    proxy = _give(s, giver, holder)
    db.session.commit()
    assert db.session.scalar(select(Presence.status).where(
        Presence.assembly_id == s.assembly.id, Presence.member_id == giver.id)) == "represented"

    services.revoke_proxy(proxy, actor=_delegate(giver))
    db.session.commit()
    assert _live(s.assembly) == []
    assert db.session.scalar(select(Presence.status).where(
        Presence.assembly_id == s.assembly.id, Presence.member_id == giver.id)) == "absent"
    _refused(lambda: services.revoke_proxy(proxy, actor=_delegate(giver)), None)  # already revoked

    # Revoked, it can be given again (to someone else), and revoked again up to the opening.
    second = _give(s, giver, other)
    db.session.commit()
    vote = _open(s)
    assert db.session.scalar(select(VoteElector.proxy_holder_id).where(
        VoteElector.vote_id == vote.id, VoteElector.member_id == giver.id)) == other.id

    _refused(lambda: services.revoke_proxy(db.session.get(Proxy, second.id), actor=_delegate(giver)), None)
    _refused(lambda: _give(s, s[3], s[4]), None)
    assert _live(s.assembly) == [(giver.id, other.id)]
    # A second vote of the same assembly uses the same proxies.
    later = _open(s, title="Second motion")
    assert [(slot.member_id, slot.by_proxy) for slot in voting.slots_for(_delegate(other), later)] == [
        (other.id, False), (giver.id, True)]


def test_giving_and_revoking_are_in_the_audit_log(app: Flask, ctx: None) -> None:
    s = _setting()
    giver, holder = s[0], s[1]
    proxy = _give(s, giver, holder)
    db.session.commit()
    services.revoke_proxy(proxy, actor=s.secretariat)
    db.session.commit()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("proxy.given", "proxy.revoked")))
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.object_id) for e in entries] == [
        ("proxy.given", _delegate(giver).id, str(s.assembly.id)),
        ("proxy.revoked", s.secretariat.id, str(s.assembly.id))]
    assert entries[0].after == {"giver": giver.name, "holder": holder.name}
    assert entries[1].before == {"giver": giver.name, "holder": holder.name}
    assert audit.verify_chain(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))).ok


# Concurrency ------------------------------------------------------------------------------------

def _ids(s: Setting) -> dict[str, Any]:
    return {"assembly": s.assembly.id, "members": [m.id for m in s.members],
            "delegates": {m.id: _delegate(m).id for m in s.members}, "secretariat": s.secretariat.id}


def _in_thread(app: Flask, results: dict[str, Any], key: str, job: Callable[[], object]) -> None:
    with app.app_context():
        try:
            job()
            db.session.commit()
            results[key] = "ok"
        except DomainError as exc:
            db.session.rollback()
            results[key] = exc
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            db.session.rollback()
            results[key] = ("error", exc)
        finally:
            db.session.remove()


def _slow_presence(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each give_proxy between its checks and its insert, so an unserialised twin would pass the checks too."""
    presence = services._presence

    def slow(assembly: Assembly, member_id: int):  # noqa: ANN202
        time.sleep(0.3)
        return presence(assembly, member_id)

    monkeypatch.setattr(services, "_presence", slow)


@pytest.mark.parametrize("case", ["two-givers-one-holder-cap-1", "one-giver-two-holders", "crossed-chain"])
def test_concurrent_gives_keep_the_cap_and_the_rules(app: Flask, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    with app.app_context():
        ids = _ids(_setting(4, max_proxies=1))
        db.session.remove()
    a, b, c = ids["members"][:3]
    pairs = {"two-givers-one-holder-cap-1": [(a, c), (b, c)],
             "one-giver-two-holders": [(a, b), (a, c)],
             "crossed-chain": [(a, b), (b, c)]}[case]  # b cannot both give and hold
    _slow_presence(monkeypatch)
    start = threading.Barrier(len(pairs), timeout=TIMEOUT)
    results: dict[str, Any] = {}

    def give(giver_id: int, holder_id: int) -> Callable[[], object]:
        def job() -> object:
            assembly = db.session.get(Assembly, ids["assembly"])
            giver, holder = db.session.get(Member, giver_id), db.session.get(Member, holder_id)
            actor = db.session.get(User, ids["delegates"][giver_id])
            start.wait()
            return services.give_proxy(assembly, actor=actor, giver=giver, holder=holder)
        return job

    threads = [threading.Thread(target=_in_thread, args=(app, results, f"{g}->{h}", give(g, h))) for g, h in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert not any(t.is_alive() for t in threads)
    assert not [r for r in results.values() if isinstance(r, tuple)], results
    assert sorted(r == "ok" for r in results.values()) == [False, True], results
    with app.app_context():
        live = _live(db.session.get(Assembly, ids["assembly"]))
        chain_ok = audit.verify_chain(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))).ok
        db.session.remove()
    assert len(live) == 1, live
    assert chain_ok


@pytest.mark.parametrize("change", ["give", "revoke"])
def test_a_proxy_changed_while_the_first_vote_opens_is_frozen_as_it_ends_up(
        app: Flask, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """Either the change lands before the freeze (and is in the electorate) or it is refused."""
    with app.app_context():
        s = _setting(4)
        resolution = factories.resolution(s.assembly)
        if change == "revoke":
            _give(s, s[0], s[1])
        db.session.commit()
        ids = _ids(s) | {"vote": resolution.vote_id}
        db.session.remove()
    giver_id, holder_id = ids["members"][:2]
    frozen, changed = threading.Event(), threading.Event()
    freeze = voting.freeze_electorate

    def freeze_then_wait(vote: Vote) -> int:
        size = freeze(vote)
        frozen.set()
        changed.wait(timeout=3)  # on SQLite the change waits for this transaction instead
        return size

    monkeypatch.setattr(voting, "freeze_electorate", freeze_then_wait)
    results: dict[str, Any] = {}

    def open_it() -> object:
        vote = db.session.get(Vote, ids["vote"])
        return voting.open_vote(vote, actor=db.session.get(User, ids["secretariat"]),
                                closes_at=utcnow() + timedelta(hours=1))

    def change_it() -> object:
        frozen.wait(timeout=TIMEOUT)
        assembly = db.session.get(Assembly, ids["assembly"])
        actor = db.session.get(User, ids["delegates"][giver_id])
        if change == "revoke":
            return services.revoke_proxy(services.live_proxy_of(assembly, giver_id), actor=actor)
        return services.give_proxy(assembly, actor=actor, giver=db.session.get(Member, giver_id),
                                   holder=db.session.get(Member, holder_id))

    def change_and_commit() -> None:
        try:
            _in_thread(app, results, "change", change_it)
        finally:
            changed.set()  # committed (PostgreSQL) or refused once the opening committed (SQLite)

    threads = [threading.Thread(target=_in_thread, args=(app, results, "open", open_it)),
               threading.Thread(target=change_and_commit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert results["open"] == "ok", results
    assert not isinstance(results["change"], tuple), results
    with app.app_context():
        live = _live(db.session.get(Assembly, ids["assembly"]))
        frozen_holder = db.session.scalar(select(VoteElector.proxy_holder_id).where(
            VoteElector.vote_id == ids["vote"], VoteElector.member_id == giver_id))
        db.session.remove()
    expected = [(giver_id, holder_id)] if live else []
    assert live == expected
    assert frozen_holder == (holder_id if live else None), (
        f"{change}: live proxies {live} but the frozen electorate says holder {frozen_holder}")
