"""Member register services: invariants, refusals, audit, concurrency."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from app.members import services
from app.members.models import Member, MemberStatus
from tests import factories


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == "secretariat"))


def _data(**overrides):
    college = factories.college()
    data = {"name": "Maison des Femmes de Kairouan", "acronym": "MFK", "kind": "association", "country": "TN",
            "college_id": college.id, "territory": "Kairouan", "admission_date": None, "email": "",
            "phone": "", "address": "", "website": ""}
    data.update(overrides)
    return data


def test_create_member_starts_as_applicant_with_history_and_audit(ctx, world) -> None:
    member = services.create_member(actor=_secretariat(), data=_data())
    db.session.commit()
    assert member.status == MemberStatus.applicant
    assert [c.to_status for c in member.status_changes] == ["applicant"]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "member.created", AuditEntry.object_id == str(member.id))) == 1


@pytest.mark.parametrize("name", ["Association des Jeunes de Gafsa", "ASSOCIATION DES JEUNES DE GAFSA",
                                  "Association des Jeunes de Gafsa  ", "Association des jeunes de Gafsà"])
def test_duplicate_member_name_is_refused_at_the_name_field(ctx, world, name: str) -> None:
    with pytest.raises(DomainError) as refused:
        services.create_member(actor=_secretariat(), data=_data(name=name))
    assert refused.value.field == "name"


def test_rename_to_own_name_is_allowed_but_not_to_another(ctx, world) -> None:
    own = db.session.get(Member, world.member_id)
    services.update_member(own, actor=_secretariat(), data={"name": own.name.upper()})
    with pytest.raises(DomainError):
        services.update_member(own, actor=_secretariat(), data={"name": "Collectif Solidaire de Nantes"})


@pytest.mark.parametrize(("start", "target", "ok"), [
    (MemberStatus.active, MemberStatus.suspended, True),
    (MemberStatus.active, MemberStatus.applicant, False),
    (MemberStatus.withdrawn, MemberStatus.active, False),
    (MemberStatus.suspended, MemberStatus.active, True),
])
def test_change_status_follows_the_lifecycle(ctx, world, start, target, ok: bool) -> None:
    member = factories.member(status=start)
    if ok:
        services.change_status(member, actor=_secretariat(), target=target, reason="Décision du bureau",
                               effective=date(2026, 1, 15))
        assert member.status == target and member.status_since == date(2026, 1, 15)
        assert member.status_changes[0].reason == "Décision du bureau"
    else:
        with pytest.raises(DomainError):
            services.change_status(member, actor=_secretariat(), target=target, reason="x")
        assert member.status == start


def test_change_status_requires_a_reason(ctx, world) -> None:
    member = db.session.get(Member, world.member_id)
    with pytest.raises(DomainError) as refused:
        services.change_status(member, actor=_secretariat(), target=MemberStatus.suspended, reason="  ")
    assert refused.value.field == "reason"


def test_activation_sets_admission_date(ctx, world) -> None:
    member = factories.member(status=MemberStatus.applicant)
    services.change_status(member, actor=_secretariat(), target=MemberStatus.active, reason="Admise en AG",
                           effective=date(2026, 3, 1))
    assert member.admission_date == date(2026, 3, 1)


def test_charter_signature_rules(ctx, world) -> None:
    member = db.session.get(Member, world.member_id)
    charter = services.current_charter()
    with pytest.raises(DomainError):  # an alternate cannot sign
        services.sign_charter(member, actor=member.alternates[0], charter=charter)
    other = db.session.get(Member, world.other_member_id)
    with pytest.raises(DomainError):  # a delegate cannot sign for another member
        services.sign_charter(other, actor=member.delegate, charter=charter)
    signature = services.sign_charter(member, actor=member.delegate, charter=charter)
    assert signature.signed_by_id == member.delegate.id
    with pytest.raises(DomainError):  # no second signature
        services.sign_charter(member, actor=member.delegate, charter=charter)


def test_new_charter_version_requires_signing_again(ctx, world) -> None:
    member = db.session.get(Member, world.member_id)
    first = services.current_charter()
    services.sign_charter(member, actor=member.delegate, charter=first)
    assert services.electorate_member_ids() == [member.id]
    services.publish_charter(actor=_secretariat(), titles={"fr": "Charte", "en": "Charter", "ar": "الميثاق"},
                             texts={"fr": "v2", "en": "v2", "ar": "v2"})
    assert services.current_charter().version == 2
    assert services.electorate_member_ids() == []
    with pytest.raises(DomainError):  # signing the old version is refused
        services.sign_charter(member, actor=member.delegate, charter=first)


def test_publishing_needs_all_three_languages(ctx, world) -> None:
    with pytest.raises(DomainError) as refused:
        services.publish_charter(actor=_secretariat(), titles={"fr": "C", "en": "C", "ar": "C"},
                                 texts={"fr": "t", "en": "t", "ar": ""})
    assert refused.value.field == "text_ar"
