"""What the audit log says about member organisations, colleges and the charter (``app.core.audit_sentences``)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit_sentences import (
    AuditObject,
    int_ids,
    register_audit_kind,
    register_audit_object,
    register_audit_sentences,
)
from app.extensions import db
from app.members.models import Charter, College, Member, localised

SENTENCES = {
    "member.created": _l("%(actor)s registered the member %(object)s"),
    "member.updated": _l("%(actor)s edited the member %(object)s"),
    "member.status_changed": _l("%(actor)s changed the status of the member %(object)s"),
    "member.imported": _l("%(actor)s imported members from a file"),
    "college.created": _l("%(actor)s created the college “%(object)s”"),
    "college.updated": _l("%(actor)s edited the college “%(object)s”"),
    "charter.published": _l("%(actor)s published the charter “%(object)s”"),
    "charter.signed": _l("%(actor)s signed the charter for %(object)s"),
}


def resolve_members(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Member.id, Member.name).where(Member.id.in_(int_ids(ids))))
    return {str(i): AuditObject(name, url_for("members.detail", member_id=i)) for i, name in rows}


def resolve_colleges(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.scalars(select(College).where(College.id.in_(int_ids(ids))))
    return {str(c.id): AuditObject(localised(c, "name"), url_for("members.edit_college", college_id=c.id))
            for c in rows}


def resolve_charters(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.scalars(select(Charter).where(Charter.id.in_(int_ids(ids))))
    return {str(c.id): AuditObject(str(_l("%(title)s, version %(n)s", title=c.title, n=c.version)),
                                   url_for("members.charter_version", version=c.version)) for c in rows}


def register() -> None:
    register_audit_object("member", _l("member"), resolve_members)
    register_audit_object("college", _l("college"), resolve_colleges)
    register_audit_object("charter", _l("charter"), resolve_charters)
    register_audit_kind("member", _l("Members"))
    register_audit_kind("college", _l("Colleges"))
    register_audit_kind("charter", _l("Charter"))
    register_audit_sentences(SENTENCES)
