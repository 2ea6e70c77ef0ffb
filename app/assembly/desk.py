"""The assembly's desk lines (see ``app.core.home``).

Secretariat: open votes with their live turnout, assemblies to convene or
record, convened ones, sittings in session with their quorum. A member's
representatives: the ballots still to cast, the assemblies where their
organisation has not said whether it attends, and the proxies given or held.
Each group is one or two queries whatever the number of votes, members and ballots.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.assembly import voting
from app.assembly.checkin import missing_for_quorum
from app.assembly.models import (
    Assembly,
    AssemblyStatus,
    Participation,
    Presence,
    PresenceStatus,
    Proxy,
    Resolution,
    Vote,
    VoteStatus,
)
from app.assembly.queries import pending_ballots
from app.assembly.rules import quorum_reached
from app.assembly.services import quorum_rule, voting_members_count
from app.core.content_i18n import localized_text
from app.core.home import DeskItem, Turnout, bidi, register_desk
from app.core.i18n import format_moment
from app.core.permissions import can
from app.extensions import db
from app.members.models import Member, MemberStatus

#: Assemblies the desk follows: to prepare, convened, sitting.
FOLLOWED = (AssemblyStatus.draft, AssemblyStatus.convened, AssemblyStatus.in_session)


def _when(value: Any) -> Markup:
    """Short date and time in the reader's language, in UTC like the rest of the pages (isolated)."""
    return bidi(f'{format_moment(value)} (UTC)') if value else Markup("")


def quorum_note(present_or_represented: int, members: int, missing: int | None, reached: bool) -> str:
    """The quorum state of a sitting in one sentence (counts through ngettext)."""
    counted = ngettext("%(present)d of %(num)d member present or represented",
                       "%(present)d of %(num)d members present or represented",
                       members, present=present_or_represented)
    if reached:
        return _("Quorum reached: %(counted)s.", counted=counted)
    if missing is None:
        return _("Quorum cannot be reached: %(counted)s.", counted=counted)
    return ngettext("Quorum not reached: %(counted)s; %(num)d more member needed.",
                    "Quorum not reached: %(counted)s; %(num)d more members needed.", missing, counted=counted)


# Secretariat ----------------------------------------------------------------------------------

def vote_items(user: Any) -> list[DeskItem]:
    """Open votes, closing soonest first, with their live turnout (one query)."""
    if not can(user, "vote.manage"):
        return []
    cast = (select(func.count(Participation.id)).where(Participation.vote_id == Vote.id)
            .correlate(Vote).scalar_subquery())
    rows = db.session.execute(
        select(Vote.id, Vote.closes_at, Vote.electorate_size, Resolution, voting.title_column(), cast)
        .outerjoin(Resolution, Resolution.vote_id == Vote.id)
        .where(Vote.status == VoteStatus.open)
        .order_by(Vote.closes_at.is_(None), Vote.closes_at, Vote.id)).all()
    items = []
    for vote_id, closes_at, electorate, resolution, kind_title, count in rows:
        title = resolution.title if resolution is not None else kind_title or _("Vote %(id)s", id=vote_id)
        items.append(DeskItem(
            Markup(_("Vote open: %(title)s", title=bidi(title))), url_for("votes.close_vote", vote_id=vote_id),
            _("Follow or close the vote"),
            note=Markup(_("Closes %(when)s.", when=_when(closes_at))) if closes_at else _("No closing time set."),
            turnout=Turnout(count or 0, electorate, url_for("votes.turnout", vote_id=vote_id))))
    return items


def assembly_items(user: Any) -> list[DeskItem]:
    """Assemblies to convene or record, convened, in session with the quorum (at most three queries)."""
    if not can(user, "assembly.manage"):
        return []
    assemblies = list(db.session.scalars(select(Assembly).where(Assembly.status.in_(FOLLOWED))
                                         .order_by(Assembly.starts_at, Assembly.id)))
    sitting = [a.id for a in assemblies if a.status == AssemblyStatus.in_session]
    counts: dict[int, int] = defaultdict(int)
    members = 0
    if sitting:
        counts.update(db.session.execute(
            select(Presence.assembly_id, func.count(Presence.id)).join(Member, Presence.member_id == Member.id)
            .where(Presence.assembly_id.in_(sitting), Member.status == MemberStatus.active,
                   Presence.status.in_((PresenceStatus.present, PresenceStatus.represented)))
            .group_by(Presence.assembly_id)).all())
        members = voting_members_count()
    items = []
    for assembly in assemblies:
        title = bidi(localized_text(assembly, "title"))
        detail = url_for("assembly.detail", assembly_id=assembly.id)
        when = _when(assembly.starts_at)
        if assembly.status == AssemblyStatus.draft and assembly.recorded_afterwards:
            items.append(DeskItem(Markup(_("Sitting held on %(when)s to record: %(title)s", when=when, title=title)),
                                  url_for("assembly.record_sitting", assembly_id=assembly.id),
                                  _("Record the sitting")))
        elif assembly.status == AssemblyStatus.draft:
            items.append(DeskItem(Markup(_("Assembly to convene: %(title)s, %(when)s", title=title, when=when)),
                                  url_for("assembly.convene", assembly_id=assembly.id), _("Convene")))
        elif assembly.status == AssemblyStatus.convened:
            items.append(DeskItem(Markup(_("Convened: %(title)s, %(when)s", title=title, when=when)), detail,
                                  _("Prepare the agenda and votes")))
        else:
            present = counts[assembly.id]
            rule = quorum_rule(assembly)
            reached = quorum_reached(present, members, rule)
            items.append(DeskItem(
                Markup(_("In session: %(title)s", title=title)),
                url_for("assembly.presence", assembly_id=assembly.id), _("Check members in"),
                note=quorum_note(present, members, missing_for_quorum(present, members, rule), reached),
                tone="ok" if reached else "warn"))
    return items


# A member's representatives ------------------------------------------------------------------

def ballot_items(user: Any) -> list[DeskItem]:
    """Ballots the user may still cast, for the organisation or by proxy (one query)."""
    items = []
    for ballot in pending_ballots(user):
        note = Markup(_("Cast by proxy for %(name)s.", name=bidi(ballot.member_name)) if ballot.by_proxy
                      else _("Cast for your organisation."))
        if ballot.closes_at:
            note = note + " " + Markup(_("Closes %(when)s.", when=_when(ballot.closes_at)))
        title = bidi(ballot.title)
        items.append(DeskItem(Markup(_("Ballot to cast: %(title)s", title=title)),
                              url_for("votes.ballot", vote_id=ballot.vote_id),
                              Markup(_("Cast the ballot: %(title)s", title=title)), note=note))
    return items


def attendance_items(user: Any) -> list[DeskItem]:
    """Convened assemblies: proxies given or held by the organisation, and, for its delegate, the online
    ones where it has neither confirmed attendance nor given its proxy (two queries). An assembly held in
    person is left out: attendance is recorded at the door, there is nothing to confirm beforehand."""
    if not user.member_id:
        return []
    giver, holder = aliased(Member), aliased(Member)
    proxies = db.session.execute(
        select(Proxy.assembly_id, Proxy.giver_id, giver.name, holder.name, Assembly)
        .join(Assembly, Assembly.id == Proxy.assembly_id)
        .join(giver, giver.id == Proxy.giver_id).join(holder, holder.id == Proxy.holder_id)
        .where(Proxy.revoked_at.is_(None), Assembly.status.in_((AssemblyStatus.convened, AssemblyStatus.in_session)),
               or_(Proxy.giver_id == user.member_id, Proxy.holder_id == user.member_id))
        .order_by(Assembly.starts_at, giver.name)).all()
    items = []
    gave = set()
    for assembly_id, giver_id, giver_name, holder_name, assembly in proxies:
        detail = url_for("assembly.detail", assembly_id=assembly_id)
        title = bidi(localized_text(assembly, "title"))
        if giver_id == user.member_id:
            gave.add(assembly_id)
            items.append(DeskItem(Markup(_("Your organisation gave its proxy to %(holder)s for %(title)s.",
                                           holder=bidi(holder_name), title=title)), detail, _("See the assembly")))
        else:
            items.append(DeskItem(Markup(_("Your organisation holds the proxy of %(giver)s for %(title)s: "
                                           "cast its ballots too.", giver=bidi(giver_name), title=title)), detail,
                                  _("See the assembly")))
    if user.is_delegate:
        undecided = db.session.execute(
            select(Assembly).outerjoin(Presence, and_(Presence.assembly_id == Assembly.id,
                                                      Presence.member_id == user.member_id))
            .where(Assembly.status == AssemblyStatus.convened, Assembly.online.is_(True),
                   or_(Presence.id.is_(None), and_(Presence.status == PresenceStatus.absent,
                                                   Presence.confirmed_online.is_(False))))
            .order_by(Assembly.starts_at)).scalars().all()
        items[:0] = [DeskItem(Markup(_("%(title)s, %(when)s: confirm your organisation's attendance or give its "
                                       "proxy.", title=bidi(localized_text(a, "title")), when=_when(a.starts_at))),
                              url_for("assembly.detail", assembly_id=a.id), _("Attend or give a proxy"))
                     for a in undecided if a.id not in gave]
    return items


def register() -> None:
    register_desk("assembly.votes", order=10, title=_l("Open votes"), items=vote_items)
    register_desk("assembly.ballots", order=11, title=_l("Votes waiting for your ballot"), items=ballot_items)
    register_desk("assembly.assemblies", order=20, title=_l("Assemblies"), items=assembly_items)
    register_desk("assembly.attendance", order=30, title=_l("Assemblies and proxies"), items=attendance_items)
