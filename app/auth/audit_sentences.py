"""What the audit log says about accounts, sign-ins and representatives (``app.core.audit_sentences``)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app.auth.models import User
from app.core.audit_sentences import (
    AuditObject,
    int_ids,
    register_actor_search,
    register_audit_kind,
    register_audit_object,
    register_audit_sentences,
)
from app.extensions import db

SENTENCES = {
    "auth.login": _l("%(actor)s signed in"),
    "auth.logout": _l("%(actor)s signed out"),
    "auth.login_failed": _l("Failed sign-in to the account of %(object)s"),
    "auth.sessions_ended": _l("%(actor)s signed out of every other device"),
    "auth.locale_changed": _l("%(actor)s changed the language of the account of %(object)s"),
    "auth.reset_requested": _l("A password reset link was sent to %(object)s"),
    "auth.password_changed": _l("%(actor)s changed the password of %(object)s"),
    "auth.password_set": _l("%(actor)s accepted the invitation and chose a password"),
    "auth.password_reset": _l("%(actor)s reset the password of %(object)s"),
    "user.invited": _l("%(actor)s invited %(object)s"),
    "user.created": _l("%(actor)s created the account of %(object)s"),
    "user.updated": _l("%(actor)s changed the account of %(object)s"),
    "representative.added": _l("%(actor)s added a representative to %(object)s"),
    "representative.removed": _l("%(actor)s removed a representative of %(object)s"),
    "member.delegate_changed": _l("%(actor)s changed the delegate of %(object)s"),
}


def resolve_users(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    """People by name; a representative links to their organisation's page (accounts have no page of their own)."""
    rows = db.session.execute(select(User.id, User.full_name, User.email, User.member_id)
                              .where(User.id.in_(int_ids(ids))))
    return {str(uid): AuditObject(name or email, url_for("members.detail", member_id=member_id) if member_id else None)
            for uid, name, email, member_id in rows}


def search_actors(text: str) -> Select[Any]:
    return select(User.id).where(User.full_name.icontains(text, autoescape=True))


def register() -> None:
    register_audit_object("user", _l("account"), resolve_users)
    register_actor_search(search_actors)
    register_audit_kind("auth", _l("Sign-ins and passwords"))
    register_audit_kind("user", _l("Accounts"))
    register_audit_kind("representative", _l("Representatives"))
    register_audit_sentences(SENTENCES)
