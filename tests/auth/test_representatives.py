"""A member's representatives (``app.auth.representatives``): the delegate is unique, a person
represents one member, invitations are mailed. Moved from tests/members/test_services.py with the code."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.auth import representatives
from app.auth.models import Gender, User
from app.core.errors import DomainError
from app.core.models import OutboxMessage
from app.extensions import db
from app.members.models import Member, MemberStatusChange
from tests import factories


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == "secretariat"))


def test_first_invited_representative_becomes_delegate_and_gets_mail(ctx, world) -> None:
    member = factories.member()
    user = representatives.invite_representative(member, actor=_secretariat(), email="Amel@Example.TN ",
                                          full_name="Amel Ben Salah", gender=Gender.female, as_delegate=False)
    assert user.email == "amel@example.tn" and user.is_delegate and user.password_hash is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == "amel@example.tn")) == 1


def test_changing_delegate_keeps_exactly_one(ctx, world) -> None:
    member = db.session.get(Member, world.member_id)
    alternate = next(u for u in member.representatives if not u.is_delegate)
    former = member.delegate
    representatives.make_delegate(member, alternate, actor=_secretariat())
    db.session.commit()
    db.session.expire_all()
    member = db.session.get(Member, world.member_id)
    delegates = [u for u in member.representatives if u.is_delegate]
    assert [u.id for u in delegates] == [alternate.id]
    assert db.session.get(User, former.id).is_delegate is False


def test_a_person_represents_at_most_one_member(ctx, world) -> None:
    other = db.session.get(Member, world.other_member_id)
    with pytest.raises(DomainError) as refused:
        representatives.invite_representative(other, actor=_secretariat(), email=world.emails["alternate"],
                                       full_name="X", gender=Gender.other, as_delegate=False)
    assert refused.value.field == "email"


def test_delegate_cannot_be_removed_before_replacement(ctx, world) -> None:
    member = db.session.get(Member, world.member_id)
    with pytest.raises(DomainError):
        representatives.remove_representative(member, member.delegate, actor=_secretariat())
    alternate = member.alternates[0]
    representatives.remove_representative(member, alternate, actor=_secretariat())
    assert alternate.member_id is None and alternate.active is False


def test_database_refuses_two_delegates(ctx, world) -> None:
    from sqlalchemy.exc import IntegrityError

    member = db.session.get(Member, world.member_id)
    member.alternates[0].is_delegate = True
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_concurrent_delegate_changes_leave_exactly_one_delegate(app, world) -> None:
    """Two secretaries designate two different alternates at the same moment."""
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        extra = factories.user("second.alternate@example.org", member=member)
        db.session.commit()
        candidates = [member.alternates[0].id, extra.id]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def designate(user_id: int) -> None:
        with app.app_context():
            try:
                actor = _secretariat()
                target_member = db.session.get(Member, world.member_id)
                target = db.session.get(User, user_id)
                barrier.wait(timeout=5)
                representatives.make_delegate(target_member, target, actor=actor)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - one of the two may lose
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=designate, args=(uid,)) for uid in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.app_context():
        delegates = db.session.scalars(select(User).where(User.member_id == world.member_id,
                                                          User.is_delegate.is_(True))).all()
        assert len(delegates) == 1
        assert db.session.scalar(select(func.count()).select_from(MemberStatusChange)) >= 0
