"""The calls' desk lines (see ``app.core.home``): proposals to instruct for the secretariat; for a
member's representatives, their proposals still in draft while the call is open."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import func, select

from app.calls import reviewing
from app.calls.models import Call, CallStatus, Proposal, ProposalStatus
from app.core.home import DeskItem, bidi, register_desk
from app.core.i18n import format_moment
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.extensions import db


def _when(value: Any) -> Markup:
    return bidi(f'{format_moment(value)} (UTC)')


def instruction_items(user: Any) -> list[DeskItem]:
    """Secretariat: submitted proposals not yet instructed, per call (one query)."""
    if not can(user, "proposal.instruct"):
        return []
    rows = db.session.execute(
        select(Call, func.count(Proposal.id)).join(Proposal, Proposal.call_id == Call.id)
        .where(Proposal.status == ProposalStatus.submitted, Proposal.instructed_at.is_(None))
        .group_by(Call).order_by(Call.closes_at, Call.id)).all()
    return [DeskItem(Markup(ngettext("%(num)d proposal to instruct in %(call)s.",
                                     "%(num)d proposals to instruct in %(call)s.", count, call=bidi(call.title))),
                     url_for("instruction.proposal_list", call_id=call.id), _("Instruct the proposals"))
            for call, count in rows]


def draft_items(user: Any) -> list[DeskItem]:
    """A representative: the organisation's draft proposals in calls still open (one query)."""
    if not (user.member_id and can(user, "proposal.edit")):
        return []
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Call)
        .join(Call, Call.id == Proposal.call_id)
        .where(Proposal.lead_member_id == user.member_id, Proposal.status == ProposalStatus.draft,
               Call.status == CallStatus.open, Call.closes_at > utcnow())
        .order_by(Call.closes_at, Proposal.id)).all()
    action = _("Complete and submit") if user.is_delegate else _("Complete the proposal")
    return [DeskItem(Markup(_("Proposal in draft: %(title)s (%(call)s).", title=bidi(title or _("untitled")),
                              call=bidi(call.title))),
                     url_for("proposals.detail", proposal_id=proposal_id), action,
                     note=Markup(_("The call closes %(when)s; only your delegate can submit.", when=_when(call.closes_at))
                                 if not user.is_delegate else _("The call closes %(when)s.", when=_when(call.closes_at))),
                     tone="warn")
            for proposal_id, title, call in rows]


def review_items(user: Any) -> list[DeskItem]:
    """A committee member: reviews still to write in calls under review (the reviews panel lists them)."""
    panel = reviewing.home_panel(user)
    if not panel:
        return []
    count = len(panel["review_items"])
    return [DeskItem(ngettext("%(num)d review to write.", "%(num)d reviews to write.", count),
                     url_for("reviews.mine"), _("Write the reviews"))]


def register() -> None:
    register_desk("calls.instruction", order=60, title=_l("Calls for projects"), items=instruction_items)
    register_desk("calls.drafts", order=61, title=_l("Calls for projects"), items=draft_items)
    register_desk("calls.reviews", order=62, title=_l("Calls for projects"), items=review_items)
