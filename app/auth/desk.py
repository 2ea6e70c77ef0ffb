"""The accounts' desk lines (see ``app.core.home``): invitations not yet accepted.

An invitation is pending while its person has set no password and holds an
unused invitation link; once every link has expired, it has to be sent again.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import func, select

from app.auth.models import Token, TokenPurpose, User
from app.core.home import DeskItem, bidi, register_desk
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.extensions import db

#: Expired invitations named one by one on the desk; beyond, one line counts the rest.
NAMED = 5


def invitation_items(user: Any) -> list[DeskItem]:
    """Secretariat: invitations waiting for their person, expired ones named first (one query)."""
    if not can(user, "representative.invite"):
        return []
    rows = db.session.execute(
        select(User.id, User.full_name, User.member_id, func.max(Token.expires_at))
        .join(Token, Token.user_id == User.id)
        .where(Token.purpose == TokenPurpose.invitation, Token.used_at.is_(None), User.password_hash.is_(None),
               User.active.is_(True))
        .group_by(User.id, User.full_name, User.member_id).order_by(User.full_name, User.id)).all()
    now = utcnow()
    expired = [row for row in rows if row[3] is not None and row[3] <= now]
    waiting = len(rows) - len(expired)
    items = []
    for _id, name, member_id, _expires in expired[:NAMED]:
        url = (url_for("members.detail", member_id=member_id) if member_id
               else url_for("members.directory"))
        items.append(DeskItem(Markup(_("The invitation of %(name)s has expired without being accepted.",
                                       name=bidi(name))),
                              url, _("Send the invitation again"), tone="warn"))
    if len(expired) > NAMED:
        more = len(expired) - NAMED
        items.append(DeskItem(ngettext("%(num)d more expired invitation.", "%(num)d more expired invitations.", more),
                              url_for("members.directory"), _("Open the directory"), tone="warn"))
    if waiting:
        items.append(DeskItem(ngettext("%(num)d invitation sent and not yet accepted.",
                                       "%(num)d invitations sent and not yet accepted.", waiting),
                              url_for("members.directory"), _("Open the directory")))
    return items


def register() -> None:
    register_desk("auth.invitations", order=45, title=_l("Invitations"), items=invitation_items)
