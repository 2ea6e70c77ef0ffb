"""What the audit log says about elections, candidacies and committee seats (``app.core.audit_sentences``)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit_sentences import (
    AuditObject,
    extend_audit_object,
    int_ids,
    register_audit_kind,
    register_audit_object,
    register_audit_sentences,
)
from app.elections.models import Election, Mandate
from app.extensions import db
from app.members.models import Member

SENTENCES = {
    "election.created": _l("%(actor)s created the election “%(object)s”"),
    "election.updated": _l("%(actor)s edited the election “%(object)s”"),
    "candidacy.declared": _l("%(actor)s declared a candidacy to the election “%(object)s”"),
    "candidacy.decided": _l("%(actor)s decided on a candidacy to the election “%(object)s”"),
    "mandate.appointed": _l("%(actor)s appointed %(object)s to the steering committee"),
    "mandate.chair": _l("%(actor)s made %(object)s chair of the steering committee"),
    "mandate.ended": _l("%(actor)s ended the committee seat of %(object)s"),
    "mandate.reminded": _l("%(actor)s reminded %(object)s that its committee seat ends soon"),
}


def resolve_elections(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Election.id, Election.title).where(Election.id.in_(int_ids(ids))))
    return {str(i): AuditObject(title, url_for("elections.detail", election_id=i)) for i, title in rows}


def resolve_election_votes(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    """An election's vote, named by the election (the assembly's resolver names resolutions' votes)."""
    rows = db.session.execute(select(Election.id, Election.title, Election.vote_id)
                              .where(Election.vote_id.in_(int_ids(ids))))
    return {str(vote_id): AuditObject(title, url_for("elections.detail", election_id=i))
            for i, title, vote_id in rows}


def resolve_mandates(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Mandate.id, Mandate.organisation, Member.name)
                              .outerjoin(Member, Mandate.member_id == Member.id).where(Mandate.id.in_(int_ids(ids))))
    return {str(i): AuditObject(name or organisation, url_for("committee.index")) for i, organisation, name in rows}


def register() -> None:
    register_audit_object("election", _l("election"), resolve_elections)
    register_audit_object("mandate", _l("committee seat"), resolve_mandates)
    extend_audit_object("vote", resolve_election_votes)
    register_audit_kind("election", _l("Elections"))
    register_audit_kind("candidacy", _l("Candidacies"))
    register_audit_kind("mandate", _l("Committee seats"))
    register_audit_sentences(SENTENCES)
