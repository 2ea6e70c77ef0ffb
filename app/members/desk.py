"""The member register's desk lines (see ``app.core.home``): applications to decide and members without
the current charter for the secretariat; the charter to sign for a member's representatives."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from app.core.home import DeskItem, register_desk
from app.core.permissions import can
from app.extensions import db
from app.members import services
from app.members.models import CharterSignature, Member, MemberStatus


def register_items(user: Any) -> list[DeskItem]:
    """Secretariat: no charter yet, applications, active members without the current charter (three queries)."""
    if not can(user, "member.create"):
        return []
    charter = services.current_charter()
    counts = services.register_counts(charter)
    items = []
    if charter is None:
        items.append(DeskItem(_("No charter is published: members cannot sign it, so nobody can vote."),
                              url_for("members.publish_charter"), _("Publish the charter"), tone="warn"))
    if counts["applicant"]:
        items.append(DeskItem(ngettext("%(num)d membership application to decide.",
                                       "%(num)d membership applications to decide.", counts["applicant"]),
                              url_for("members.directory", status=MemberStatus.applicant.value),
                              _("See the applicants")))
    if counts["unsigned"]:
        items.append(DeskItem(ngettext("%(num)d active member has not signed the current charter and cannot vote.",
                                       "%(num)d active members have not signed the current charter and cannot vote.",
                                       counts["unsigned"]),
                              url_for("members.directory", status=MemberStatus.active.value, charter="unsigned"),
                              _("See who has not signed"), tone="warn"))
    return items


def charter_items(user: Any) -> list[DeskItem]:
    """A representative's organisation: the current charter to sign (two queries)."""
    if not user.member_id:
        return []
    charter = services.current_charter()
    if charter is None:
        return []
    row = db.session.execute(
        select(Member.status, CharterSignature.id).outerjoin(
            CharterSignature, (CharterSignature.member_id == Member.id) & (CharterSignature.charter_id == charter.id))
        .where(Member.id == user.member_id)).first()
    if row is None or row[1] is not None or row[0] == MemberStatus.withdrawn:
        return []
    if user.is_delegate:
        return [DeskItem(_("Your organisation has not signed version %(v)d of the charter: "
                           "until it does, it cannot vote.", v=charter.version),
                         url_for("members.charter"), _("Read and sign the charter"), tone="warn")]
    return [DeskItem(_("Your organisation has not signed version %(v)d of the charter: "
                       "until it does, it cannot vote. Only your delegate can sign it.", v=charter.version),
                     url_for("members.charter"), _("Read the charter"), tone="warn")]


def register() -> None:
    register_desk("members.charter", order=40, title=_l("Charter"), items=charter_items)
    register_desk("members.register", order=41, title=_l("Members"), items=register_items)
