"""What the audit log says about assemblies, agendas, proxies, resolutions and votes (``app.core.audit_sentences``)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.assembly.models import AgendaItem, Assembly, Resolution
from app.core.audit_sentences import (
    AuditObject,
    int_ids,
    register_audit_kind,
    register_audit_object,
    register_audit_sentences,
)
from app.core.content_i18n import in_language
from app.extensions import db
from app.members.models import localised

SENTENCES = {
    "assembly.created": _l("%(actor)s created the assembly “%(object)s”"),
    "assembly.updated": _l("%(actor)s edited the assembly “%(object)s”"),
    "assembly.convened": _l("%(actor)s convened the assembly “%(object)s”"),
    "assembly.recorded_afterwards": _l("%(actor)s opened the assembly “%(object)s” to record a sitting held "
                                       "earlier"),
    "assembly.closed": _l("%(actor)s closed the assembly “%(object)s”"),
    "assembly.document_added": _l("%(actor)s added a document to the assembly “%(object)s”"),
    "assembly.document_updated": _l("%(actor)s edited a document of the assembly “%(object)s”"),
    "assembly.presence_set": _l("%(actor)s recorded a presence at the assembly “%(object)s”"),
    "assembly.attendance_confirmed": _l("%(actor)s confirmed attendance at the assembly “%(object)s”"),
    "agenda.item_added": _l("%(actor)s added an item to the agenda of “%(object)s”"),
    "agenda.item_updated": _l("%(actor)s edited an item of the agenda of “%(object)s”"),
    "agenda.item_moved": _l("%(actor)s moved an item of the agenda of “%(object)s”"),
    "agenda.item_removed": _l("%(actor)s removed an item from the agenda of “%(object)s”"),
    "proxy.given": _l("%(actor)s registered a proxy for the assembly “%(object)s”"),
    "proxy.revoked": _l("%(actor)s revoked a proxy for the assembly “%(object)s”"),
    "resolution.saved": _l("%(actor)s saved the resolution “%(object)s”"),
    "vote.opened": _l("%(actor)s opened the vote “%(object)s”"),
    "vote.reminded": _l("%(actor)s reminded the members who have not voted on “%(object)s”"),
    "vote.closed": _l("%(actor)s closed the vote “%(object)s”"),
}


def resolve_assemblies(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.scalars(select(Assembly).where(Assembly.id.in_(int_ids(ids))))
    return {str(a.id): AuditObject(str(in_language(a, "title")), url_for("assembly.detail", assembly_id=a.id))
            for a in rows}


def resolve_resolutions(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Resolution, AgendaItem.assembly_id).join(AgendaItem)
                              .where(Resolution.id.in_(int_ids(ids))))
    return {str(r.id): AuditObject(localised(r, "title"), url_for("assembly.detail", assembly_id=assembly_id))
            for r, assembly_id in rows}


def resolve_votes(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    """A resolution's vote by the resolution's title (an election's vote is named by ``elections``)."""
    rows = db.session.scalars(select(Resolution).where(Resolution.vote_id.in_(int_ids(ids))))
    return {str(r.vote_id): AuditObject(localised(r, "title"), url_for("votes.ballot", vote_id=r.vote_id))
            for r in rows}


def register() -> None:
    register_audit_object("assembly", _l("assembly"), resolve_assemblies)
    register_audit_object("resolution", _l("resolution"), resolve_resolutions)
    register_audit_object("vote", _l("vote"), resolve_votes)
    register_audit_kind("assembly", _l("Assemblies"))
    register_audit_kind("agenda", _l("Agendas"))
    register_audit_kind("proxy", _l("Proxies"))
    register_audit_kind("resolution", _l("Resolutions"))
    register_audit_kind("vote", _l("Votes"))
    register_audit_sentences(SENTENCES)
