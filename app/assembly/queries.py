"""Read queries of the assembly pages: each loads what a page shows in a bounded number of statements.

State changes are in ``services.py``; this module only reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.assembly import voting
from app.assembly.labels import rule_in_words
from app.assembly.models import (
    AgendaItem,
    Assembly,
    AssemblyStatus,
    Participation,
    Presence,
    Proxy,
    Resolution,
    Vote,
    VoteElector,
    VoteStatus,
)
from app.assembly.services import CONVENED_STATUSES
from app.auth.models import User
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus
from app.members.rules import name_key


def upcoming_assemblies(limit: int = 5) -> list[Assembly]:
    """Convened or sitting assemblies, soonest first (home page)."""
    return list(db.session.scalars(
        select(Assembly).where(Assembly.status.in_((AssemblyStatus.convened, AssemblyStatus.in_session)))
        .order_by(Assembly.starts_at).limit(limit)))


def visible_assemblies(user: User) -> Select[tuple[Assembly]]:
    """Newest first; drafts only for the secretariat."""
    query = select(Assembly).order_by(Assembly.starts_at.desc(), Assembly.id.desc())
    if not can(user, "assembly.manage"):
        query = query.where(Assembly.status != AssemblyStatus.draft)
    return query


def assembly_page(assembly_id: int) -> Assembly | None:
    """An assembly with its agenda, resolutions, votes and documents (a fixed number of queries)."""
    return db.session.scalar(
        select(Assembly).where(Assembly.id == assembly_id)
        .options(selectinload(Assembly.agenda).selectinload(AgendaItem.resolutions).selectinload(Resolution.vote),
                 selectinload(Assembly.documents))
        .execution_options(populate_existing=True))


def majority_in_words(resolution: Resolution) -> str:
    """The resolution's majority rule as a sentence for members."""
    return rule_in_words(resolution.majority_base, resolution.threshold, resolution.double_majority)


def proxy_holder_choices(giver: Member) -> list[tuple[int, str]]:
    """Active members that could hold ``giver``'s proxy (the service checks cap and chains)."""
    return [(row.id, row.name) for row in db.session.execute(
        select(Member.id, Member.name).where(Member.status == MemberStatus.active, Member.id != giver.id)
        .order_by(Member.name))]


def presence_rows(assembly: Assembly, member_ids: list[int]) -> tuple[dict[int, Presence], dict[int, str]]:
    """For a page of members: their presence and the holder of their live proxy (two queries)."""
    if not member_ids:
        return {}, {}
    presences = {p.member_id: p for p in db.session.scalars(
        select(Presence).where(Presence.assembly_id == assembly.id, Presence.member_id.in_(member_ids)))}
    holders = dict(db.session.execute(
        select(Proxy.giver_id, Member.name).join(Member, Proxy.holder_id == Member.id)
        .where(Proxy.assembly_id == assembly.id, Proxy.revoked_at.is_(None), Proxy.giver_id.in_(member_ids))).all())
    return presences, holders


def convened_members_query(search: str = "") -> Select[tuple[Member]]:
    """Members whose attendance is recorded (active or suspended), by name, optionally searched."""
    query = select(Member).where(Member.status.in_(CONVENED_STATUSES)).order_by(Member.name, Member.id)
    if search.strip():
        query = query.where(or_(Member.name_key.contains(name_key(search), autoescape=True),
                                func.lower(Member.acronym).contains(search.strip().lower(), autoescape=True)))
    return query


@dataclass(frozen=True)
class PendingBallot:
    """A ballot the user may still cast in an open vote (home page)."""

    vote_id: int
    title: str
    member_name: str
    by_proxy: bool
    closes_at: datetime | None


def pending_ballots(user: User) -> list[PendingBallot]:
    """Open votes where the user may still cast, one row per ballot (one query).

    Mirrors ``voting.slots_for``: own member unless it gave its proxy; for a
    delegate, also the members whose proxy its member holds.
    """
    if user.member_id is None:
        return []
    own = and_(VoteElector.member_id == user.member_id, VoteElector.proxy_holder_id.is_(None))
    condition = or_(own, VoteElector.proxy_holder_id == user.member_id) if user.is_delegate else own
    rows = db.session.execute(
        select(Vote.id, Vote.closes_at, Resolution, Member.name, VoteElector.proxy_holder_id, voting.title_column())
        .join(VoteElector, VoteElector.vote_id == Vote.id)
        .join(Member, VoteElector.member_id == Member.id)
        .outerjoin(Resolution, Resolution.vote_id == Vote.id)
        .outerjoin(Participation, and_(Participation.vote_id == Vote.id,
                                       Participation.member_id == VoteElector.member_id))
        .where(Vote.status == VoteStatus.open, or_(Vote.closes_at.is_(None), Vote.closes_at > utcnow()),
               Participation.id.is_(None), condition)
        .order_by(Vote.closes_at, Vote.id, VoteElector.proxy_holder_id.is_not(None), Member.name)).all()
    return [PendingBallot(vote_id, resolution.title if resolution is not None
                          else kind_title or str(_l("Vote %(id)s", id=vote_id)),
                          name, holder is not None, closes_at)
            for vote_id, closes_at, resolution, name, holder, kind_title in rows]
