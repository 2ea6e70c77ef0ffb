"""The elections' desk lines (see ``app.core.home``): candidacies to decide and elections ready to open
for the secretariat; open candidacy periods for a member's delegate."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import and_, case, func, select

from app.assembly.models import Vote, VoteStatus
from app.core.home import DeskItem, bidi, register_desk
from app.core.i18n import format_moment
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.elections.models import Candidacy, CandidacyStatus, Election
from app.extensions import db


def secretariat_items(user: Any) -> list[DeskItem]:
    """Elections not yet voted on: candidacies to decide, then the ones ready to open (one query)."""
    if not can(user, "election.manage"):
        return []
    submitted = func.count(case((Candidacy.status == CandidacyStatus.submitted, 1)))
    validated = func.count(case((Candidacy.status == CandidacyStatus.validated, 1)))
    rows = db.session.execute(
        select(Election.id, Election.title, Election.candidacy_closes_at, submitted, validated)
        .join(Vote, Vote.id == Election.vote_id)
        .outerjoin(Candidacy, Candidacy.election_id == Election.id)
        .where(Vote.status == VoteStatus.pending)
        .group_by(Election.id, Election.title, Election.candidacy_closes_at)
        .order_by(Election.candidacy_closes_at, Election.id)).all()
    now = utcnow()
    items = []
    for election_id, title, closes_at, to_decide, valid in rows:
        detail = url_for("elections.detail", election_id=election_id)
        if to_decide:
            items.append(DeskItem(Markup(ngettext("%(num)d candidacy to decide for %(title)s.",
                                                  "%(num)d candidacies to decide for %(title)s.", to_decide,
                                                  title=bidi(title))),
                                  detail, _("Decide on the candidacies")))
        elif closes_at <= now and valid:
            items.append(DeskItem(Markup(_("Candidacies for %(title)s are closed and decided: the vote can open.",
                                           title=bidi(title))),
                                  url_for("elections.open_voting", election_id=election_id), _("Open the vote")))
    return items


def delegate_items(user: Any) -> list[DeskItem]:
    """A delegate: elections taking candidacies now where its organisation has not stood (one query)."""
    if not (user.member_id and can(user, "candidacy.declare")):
        return []
    now = utcnow()
    rows = db.session.execute(
        select(Election.id, Election.title, Election.candidacy_closes_at)
        .outerjoin(Candidacy, and_(Candidacy.election_id == Election.id, Candidacy.member_id == user.member_id))
        .where(Election.candidacy_opens_at <= now, Election.candidacy_closes_at > now, Candidacy.id.is_(None))
        .order_by(Election.candidacy_closes_at)).all()
    return [DeskItem(Markup(_("Candidacies are open for %(title)s until %(when)s.", title=bidi(title),
                              when=bidi(format_moment(closes_at) + " (UTC)"))),
                     url_for("elections.declare", election_id=election_id), _("Stand for election"))
            for election_id, title, closes_at in rows]


def register() -> None:
    register_desk("elections.secretariat", order=50, title=_l("Elections"), items=secretariat_items)
    register_desk("elections.candidacies", order=51, title=_l("Elections"), items=delegate_items)
