"""Assemblies: convene, agenda, documents, presence, proxies and resolutions.

Services take an explicit ``actor``, check state, raise ``DomainError`` and
flush; the route commits once. Voting itself lives in ``voting.py``.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.assembly.models import (
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyStatus,
    Presence,
    PresenceStatus,
    Proxy,
    Resolution,
    Vote,
    VoteStatus,
)
from app.assembly.rules import MajorityBase, ProxyFacts, ProxyRefusal, QuorumRule, proxy_refusal, quorum_reached
from app.auth.models import User
from app.auth.services import external_url, send_mail
from app.core import audit, uploads
from app.core.content_i18n import Later, apply_translations
from app.core.errors import DomainError
from app.core.storage import shared_dir
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus

ASSEMBLY_FIELDS = ("kind", "title", "starts_at", "place", "online", "notice_days", "quorum_num", "quorum_den",
                   "second_convocation", "max_proxies", "minutes_notes", "recorded_afterwards")
#: Members that are convened: the ones that are members now (not applicants, not withdrawn).
CONVENED_STATUSES = (MemberStatus.active, MemberStatus.suspended)


def parse_ratio(raw: str) -> tuple[int, int]:
    """``"1/2"`` -> (1, 2); the statutes' quorum as an exact fraction."""
    ratio = Fraction(raw)
    if not 0 < ratio <= 1:
        raise ValueError(raw)
    return ratio.numerator, ratio.denominator


def snapshot(assembly: Assembly) -> dict[str, Any]:
    return {f: getattr(assembly, f) for f in ASSEMBLY_FIELDS} | {"status": assembly.status,
                                                                  "source_locale": assembly.source_locale,
                                                                  "translations": dict(assembly.translations or {})}


def _editable(assembly: Assembly) -> None:
    if assembly.status == AssemblyStatus.closed:
        raise DomainError(_l("This assembly is closed: it can no longer be changed."))


def create_assembly(*, actor: User, data: dict[str, Any]) -> Assembly:
    """A draft assembly carrying the statutes' defaults (notice, quorum, proxies)."""
    config = current_app.config
    num, den = parse_ratio(str(config["ASSEMBLY_QUORUM"]))
    assembly = Assembly(notice_days=config["ASSEMBLY_NOTICE_DAYS"], max_proxies=config["ASSEMBLY_MAX_PROXIES"],
                        quorum_num=num, quorum_den=den)
    for name, value in data.items():
        if name in ASSEMBLY_FIELDS:
            setattr(assembly, name, value)
    apply_translations(assembly, data.get("source_locale"), data.get("translations"))
    db.session.add(assembly)
    db.session.flush()
    audit.record("assembly.created", "assembly", assembly.id, actor=actor, after=snapshot(assembly))
    return assembly


def update_assembly(assembly: Assembly, *, actor: User, data: dict[str, Any]) -> Assembly:
    _editable(assembly)
    if any_vote_opened(assembly) and any(k in data and data[k] != getattr(assembly, k)
                                         for k in ("quorum_num", "quorum_den", "second_convocation", "max_proxies")):
        raise DomainError(_l("Quorum and proxy rules are frozen once a vote has opened."))
    before = snapshot(assembly)
    if assembly.status != AssemblyStatus.draft:  # recorded afterwards or convened: decided once, before it starts
        data = {k: v for k, v in data.items() if k != "recorded_afterwards"}
    for name, value in data.items():
        if name in ASSEMBLY_FIELDS:
            setattr(assembly, name, value)
    apply_translations(assembly, data.get("source_locale"), data.get("translations"))
    db.session.flush()
    audit.record("assembly.updated", "assembly", assembly.id, actor=actor, before=before, after=snapshot(assembly))
    return assembly


def notice_shortfall(assembly: Assembly, now: datetime | None = None) -> int:
    """Days missing to the statutory notice period if convened now (0 when it is met)."""
    now = now or utcnow()
    given = (assembly.starts_at - now) / timedelta(days=1)
    return max(0, int(-(-(assembly.notice_days - given) // 1))) if given < assembly.notice_days else 0


def convened_users(statuses: tuple[MemberStatus, ...] = CONVENED_STATUSES) -> list[User]:
    """Delegates and alternates of the members being convened (one query)."""
    return list(db.session.scalars(
        select(User).join(Member, User.member_id == Member.id)
        .where(Member.status.in_(statuses), User.active.is_(True)).order_by(User.id)))


def convened_users_count() -> int:
    """How many people a convocation would be sent to (the convene page asks before sending)."""
    return db.session.scalar(
        select(func.count(User.id)).join(Member, User.member_id == Member.id)
        .where(Member.status.in_(CONVENED_STATUSES), User.active.is_(True))) or 0


def convene(assembly: Assembly, *, actor: User, accept_short_notice: bool = False) -> int:
    """Send the convocation; refuses a short notice unless the secretariat accepted it.

    Returns how many e-mails were queued.
    """
    if assembly.status != AssemblyStatus.draft:
        raise DomainError(_l("This assembly has already been convened."))
    if not assembly.agenda:
        raise DomainError(_l("Add at least one agenda item before convening."))
    if assembly.recorded_afterwards:
        raise DomainError(_l("This sitting is recorded afterwards: it is not convened. Use “Record the sitting”."))
    if assembly.starts_at <= utcnow():
        raise DomainError(_l("The assembly date is in the past."), field="starts_at")
    short = notice_shortfall(assembly)
    if short and not accept_short_notice:
        raise DomainError(_l("The statutory notice of %(days)s days is not met (%(short)s days short). "
                             "Confirm to convene anyway.", days=assembly.notice_days, short=short))
    assembly.status = AssemblyStatus.convened
    assembly.convened_at = utcnow()
    link = external_url("assembly.detail", assembly_id=assembly.id)
    recipients = convened_users()
    for user in recipients:
        send_mail(user, "assembly/email/convocation.txt", _l("Convocation: %(title)s", title=Later(assembly, "title")),
                  assembly=assembly, link=link)
    db.session.flush()
    audit.record("assembly.convened", "assembly", assembly.id, actor=actor,
                 after={"convened_at": assembly.convened_at, "short_notice_days": short,
                        "recipients": len(recipients)})
    return len(recipients)


def close_assembly(assembly: Assembly, *, actor: User) -> None:
    """Close; record the audit head at the close in ``assembly.audit_head`` (the minutes print it)."""
    if assembly.status not in (AssemblyStatus.convened, AssemblyStatus.in_session):
        raise DomainError(_l("Only a convened assembly can be closed."))
    still_open = db.session.scalar(select(func.count(Vote.id)).where(
        Vote.assembly_id == assembly.id, Vote.status == VoteStatus.open))
    if still_open:
        raise DomainError(_l("Close every open vote before closing the assembly."))
    assembly.status = AssemblyStatus.closed
    db.session.flush()
    audit.record("assembly.closed", "assembly", assembly.id, actor=actor)
    # The head that includes the closing, printed in the minutes: a copy outside the database pins the log.
    assembly.audit_head = audit.head().text
    db.session.flush()


# Agenda and documents ----------------------------------------------------------

def add_agenda_item(assembly: Assembly, *, actor: User, title: str, description: str = "",
                    source_locale: str | None = None,
                    translations: dict[str, dict[str, str]] | None = None) -> AgendaItem:
    _editable(assembly)
    position = (db.session.scalar(select(func.max(AgendaItem.position))
                                  .where(AgendaItem.assembly_id == assembly.id)) or 0) + 1
    item = AgendaItem(assembly=assembly, position=position, title=title.strip(), description=description.strip())
    apply_translations(item, source_locale, translations)
    db.session.add(item)
    db.session.flush()
    audit.record("agenda.item_added", "assembly", assembly.id, actor=actor,
                 after={"position": position, "title": item.title, "source_locale": item.source_locale,
                        "translations": dict(item.translations or {})})
    return item


def update_agenda_item(item: AgendaItem, *, actor: User, title: str, description: str = "",
                       source_locale: str | None = None,
                       translations: dict[str, dict[str, str]] | None = None) -> AgendaItem:
    """Reword an item or add its translations (until the assembly is closed: the minutes then hold it)."""
    _editable(item.assembly)
    before = {"title": item.title, "description": item.description, "source_locale": item.source_locale,
              "translations": dict(item.translations or {})}
    item.title, item.description = title.strip(), description.strip()
    apply_translations(item, source_locale, translations)
    db.session.flush()
    audit.record("agenda.item_updated", "assembly", item.assembly_id, actor=actor, before=before,
                 after={"title": item.title, "description": item.description, "source_locale": item.source_locale,
                        "translations": dict(item.translations or {})})
    return item


def move_agenda_item(item: AgendaItem, *, actor: User, offset: int) -> None:
    """Swap with the neighbour above (-1) or below (+1)."""
    _editable(item.assembly)
    items = list(item.assembly.agenda)
    index = items.index(item)
    other_index = index + offset
    if not 0 <= other_index < len(items):
        return
    other = items[other_index]
    a, b = item.position, other.position
    # (assembly, position) is unique and the unit of work orders updates by key: one move per flush.
    item.position = -1
    db.session.flush()
    other.position = a
    db.session.flush()
    item.position = b
    db.session.flush()
    audit.record("agenda.item_moved", "assembly", item.assembly_id, actor=actor,
                 after={"title": item.title, "position": item.position})


def remove_agenda_item(item: AgendaItem, *, actor: User) -> None:
    _editable(item.assembly)
    if item.resolutions:
        raise DomainError(_l("Remove this item's resolutions first."))
    assembly = item.assembly
    db.session.delete(item)
    db.session.flush()
    audit.record("agenda.item_removed", "assembly", assembly.id, actor=actor, before={"title": item.title})


def documents_dir() -> Path:
    """Where uploaded documents are kept: ``ASSEMBLY_DOCUMENTS_DIR``, by default <SHARED_DIR>/documents."""
    return shared_dir("ASSEMBLY_DOCUMENTS_DIR", "documents")


def document_kinds() -> tuple[str, ...]:
    """The kinds of file (``app.core.uploads.KINDS``) whose extensions ``ASSEMBLY_DOCUMENT_EXTENSIONS`` lists."""
    extensions = {ext.lower() for ext in current_app.config["ASSEMBLY_DOCUMENT_EXTENSIONS"]}
    return tuple(kind for kind, item in uploads.KINDS.items() if extensions & set(item.extensions))


def add_document(assembly: Assembly, *, actor: User, title: str, filename: str, content: bytes,
                 source_locale: str | None = None,
                 translations: dict[str, dict[str, str]] | None = None) -> AssemblyDocument:
    """Store an uploaded file under a random name (the original name is only displayed), once its bytes show
    a kind the settings accept and its name does not claim another one (a PDF named .docx is refused)."""
    _editable(assembly)
    extension = uploads.extension_of(filename)
    if extension not in current_app.config["ASSEMBLY_DOCUMENT_EXTENSIONS"]:
        raise DomainError(_l("This kind of file is not accepted."), field="file")
    checked = uploads.check(filename, content, accepted=document_kinds(),
                            max_bytes=int(current_app.config.get("MAX_CONTENT_LENGTH") or 5 * 1024 * 1024))
    stored = f"{secrets.token_hex(16)}.{uploads.KINDS[checked.kind].extension}"
    (documents_dir() / stored).write_bytes(content)
    document = AssemblyDocument(assembly=assembly, title=title.strip() or checked.filename,
                                filename=checked.filename[:300], stored_name=stored)
    apply_translations(document, source_locale, translations)
    db.session.add(document)
    db.session.flush()
    audit.record("assembly.document_added", "assembly", assembly.id, actor=actor,
                 after={"title": document.title, "filename": document.filename})
    return document


def update_document(document: AssemblyDocument, *, actor: User, title: str, source_locale: str | None = None,
                    translations: dict[str, dict[str, str]] | None = None) -> AssemblyDocument:
    """Retitle a document or add its title's translations; the file itself is not replaced."""
    _editable(document.assembly)
    before = {"title": document.title, "source_locale": document.source_locale,
              "translations": dict(document.translations or {})}
    document.title = title.strip() or document.filename
    apply_translations(document, source_locale, translations)
    db.session.flush()
    audit.record("assembly.document_updated", "assembly", document.assembly_id, actor=actor, before=before,
                 after={"title": document.title, "source_locale": document.source_locale,
                        "translations": dict(document.translations or {})})
    return document


# Presence --------------------------------------------------------------------------

@dataclass(frozen=True)
class PresenceSummary:
    present: int
    represented: int
    absent: int
    members: int
    quorum_reached: bool

    @property
    def present_or_represented(self) -> int:
        return self.present + self.represented


def quorum_rule(assembly: Assembly) -> QuorumRule:
    return QuorumRule(Fraction(assembly.quorum_num, assembly.quorum_den),
                      second_convocation=assembly.second_convocation)


def voting_members_count() -> int:
    """Active members: the quorum's base before a vote freezes an electorate."""
    return db.session.scalar(select(func.count(Member.id)).where(Member.status == MemberStatus.active)) or 0


def presence_summary(assembly: Assembly) -> PresenceSummary:
    """Live counts for the assembly page (two queries whatever the size)."""
    counts = dict(db.session.execute(
        select(Presence.status, func.count()).join(Member, Presence.member_id == Member.id)
        .where(Presence.assembly_id == assembly.id, Member.status == MemberStatus.active)
        .group_by(Presence.status)).all())
    members = voting_members_count()
    present = counts.get(PresenceStatus.present, 0)
    represented = counts.get(PresenceStatus.represented, 0)
    return PresenceSummary(present, represented, members - present - represented, members,
                           quorum_reached(present + represented, members, quorum_rule(assembly)))


def _presence(assembly: Assembly, member_id: int) -> Presence:
    """The member's attendance row, made (absent) if missing.

    ``INSERT … ON CONFLICT DO NOTHING`` then a read: two desks checking the
    same member in at once make one row; the unique (assembly, member) decides.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    db.session.execute(module.insert(Presence).values(
        assembly_id=assembly.id, member_id=member_id, status=PresenceStatus.absent, confirmed_online=False,
        updated_at=utcnow()).on_conflict_do_nothing(index_elements=["assembly_id", "member_id"]))
    presence = db.session.scalar(select(Presence).where(Presence.assembly_id == assembly.id,
                                                        Presence.member_id == member_id)
                                 .execution_options(populate_existing=True))
    assert presence is not None
    return presence


def set_presence(assembly: Assembly, member: Member, *, actor: User, status: PresenceStatus) -> Presence:
    """Record one member's attendance; setting the status it already has changes nothing and logs nothing."""
    if assembly.status not in (AssemblyStatus.convened, AssemblyStatus.in_session):
        raise DomainError(_l("Attendance is recorded once the assembly is convened and until it closes."))
    if status == PresenceStatus.represented and live_proxy_of(assembly, member.id) is None:
        raise DomainError(_l("%(name)s has given no proxy: it cannot be represented.", name=member.name),
                          field="status")
    audit.serialise()  # the status read below is the one this change replaces, whatever another desk does
    presence = _presence(assembly, member.id)
    before = presence.status
    if before == status:
        return presence
    presence.status = status
    db.session.flush()
    audit.record("assembly.presence_set", "assembly", assembly.id, actor=actor,
                 before={"member": member.name, "status": before}, after={"member": member.name, "status": status})
    return presence


def confirm_attendance(assembly: Assembly, *, actor: User) -> Presence:
    """A representative confirms that its organisation attends online."""
    if actor.member_id is None:
        raise DomainError(_l("Only a member's representatives confirm its attendance."))
    if assembly.status not in (AssemblyStatus.convened, AssemblyStatus.in_session):
        raise DomainError(_l("Attendance can be confirmed once the assembly is convened and until it closes."))
    if not assembly.online:
        raise DomainError(_l("This assembly is not held online: the secretariat records attendance."))
    if live_proxy_of(assembly, actor.member_id) is not None:
        raise DomainError(_l("Your organisation gave its proxy: revoke it first to attend."))
    presence = _presence(assembly, actor.member_id)
    presence.status = PresenceStatus.present
    presence.confirmed_online = True
    db.session.flush()
    audit.record("assembly.attendance_confirmed", "assembly", assembly.id, actor=actor,
                 after={"member_id": actor.member_id})
    return presence


# Proxies ---------------------------------------------------------------------------

def any_vote_opened(assembly: Assembly) -> bool:
    """Proxies are frozen from the moment the first vote of the assembly opens."""
    return db.session.scalar(select(func.count(Vote.id)).where(
        Vote.assembly_id == assembly.id, Vote.opened_at.is_not(None))) > 0


def live_proxy_of(assembly: Assembly, giver_id: int) -> Proxy | None:
    return db.session.scalar(select(Proxy).where(Proxy.assembly_id == assembly.id, Proxy.giver_id == giver_id,
                                                 Proxy.revoked_at.is_(None)))


def live_proxies(assembly: Assembly) -> list[Proxy]:
    return list(db.session.scalars(
        select(Proxy).where(Proxy.assembly_id == assembly.id, Proxy.revoked_at.is_(None))
        .options(selectinload(Proxy.giver), selectinload(Proxy.holder)).order_by(Proxy.id)))


def give_proxy(assembly: Assembly, *, actor: User, giver: Member, holder: Member) -> Proxy:
    """Entrust ``giver``'s vote to ``holder`` for this assembly, within the statutes.

    Serialised (cap and chain checks must not race with another proxy).
    """
    audit.serialise()
    if assembly.status not in (AssemblyStatus.convened, AssemblyStatus.in_session):
        raise DomainError(_l("Proxies are given once the assembly is convened."))
    if any_vote_opened(assembly):
        raise DomainError(_l("Proxies can no longer change: the first vote of this assembly has opened."))
    def live_count(column: Any, member_id: int) -> int:
        return db.session.scalar(select(func.count(Proxy.id)).where(
            Proxy.assembly_id == assembly.id, column == member_id, Proxy.revoked_at.is_(None))) or 0

    refusal = proxy_refusal(ProxyFacts(
        same_member=giver.id == holder.id, giver_active=giver.status == MemberStatus.active,
        holder_active=holder.status == MemberStatus.active, giver_gave=live_count(Proxy.giver_id, giver.id) > 0,
        holder_gave=live_count(Proxy.giver_id, holder.id) > 0, giver_holds=live_count(Proxy.holder_id, giver.id),
        holder_carries=live_count(Proxy.holder_id, holder.id), max_proxies=assembly.max_proxies))
    if refusal is not None:
        raise DomainError(_proxy_refusal_message(refusal, giver, holder, assembly.max_proxies), field="holder_id")
    proxy = Proxy(assembly_id=assembly.id, giver_id=giver.id, holder_id=holder.id, created_by_id=actor.id)
    db.session.add(proxy)
    presence = _presence(assembly, giver.id)
    presence.status = PresenceStatus.represented
    presence.confirmed_online = False
    db.session.flush()
    audit.record("proxy.given", "assembly", assembly.id, actor=actor,
                 after={"giver": giver.name, "holder": holder.name})
    return proxy


def _proxy_refusal_message(refusal: ProxyRefusal, giver: Member, holder: Member, max_proxies: int) -> str:
    messages = {
        ProxyRefusal.to_itself: _l("A member cannot give its proxy to itself."),
        ProxyRefusal.giver_inactive: _l("%(name)s is not an active member.", name=giver.name),
        ProxyRefusal.holder_inactive: _l("%(name)s is not an active member.", name=holder.name),
        ProxyRefusal.already_given: _l("Your organisation has already given its proxy. Revoke it first."),
        ProxyRefusal.holder_gave: _l("%(name)s has itself given its proxy: proxies cannot be passed on.",
                                     name=holder.name),
        ProxyRefusal.giver_holds: _l("Your organisation holds proxies of other members: it cannot pass them on."),
        ProxyRefusal.cap_reached: _l("%(name)s already holds as many proxies as the statutes allow (%(max)s).",
                                     name=holder.name, max=max_proxies),
    }
    return str(messages[refusal])


def revoke_proxy(proxy: Proxy, *, actor: User) -> None:
    audit.serialise()
    assembly = db.session.get(Assembly, proxy.assembly_id)
    assert assembly is not None
    if proxy.revoked_at is not None:
        raise DomainError(_l("This proxy was already revoked."))
    if any_vote_opened(assembly):
        raise DomainError(_l("Proxies can no longer change: the first vote of this assembly has opened."))
    proxy.revoked_at = utcnow()
    presence = _presence(assembly, proxy.giver_id)
    if presence.status == PresenceStatus.represented:
        presence.status = PresenceStatus.absent
    db.session.flush()
    audit.record("proxy.revoked", "assembly", assembly.id, actor=actor,
                 before={"giver": proxy.giver.name, "holder": proxy.holder.name})


def can_manage_proxy_of(user: User, member: Member) -> bool:
    """A member's delegate gives or revokes its proxy; the secretariat may record a paper one."""
    from app.core.permissions import Role, roles_of

    roles = roles_of(user)
    return Role.secretariat in roles or (Role.delegate in roles and user.member_id == member.id)


# Resolutions --------------------------------------------------------------------------

RESOLUTION_TEXT_FIELDS = ("title_fr", "title_en", "title_ar", "text_fr", "text_en", "text_ar")


def save_resolution(item: AgendaItem, resolution: Resolution | None, *, actor: User, data: dict[str, Any]
                    ) -> Resolution:
    """Create or edit a resolution and its (not yet opened) vote."""
    _editable(item.assembly)
    if resolution is not None and resolution.vote.status != VoteStatus.pending:
        raise DomainError(_l("This resolution's vote has opened: it can no longer be changed."))
    MajorityBase(data["majority_base"])  # validated by the form; a wrong value is a bug
    if resolution is None:
        vote = Vote(assembly_id=item.assembly_id, kind="resolution")
        resolution = Resolution(agenda_item=item, vote=vote)
        db.session.add(resolution)
    before = None if resolution.id is None else resolution_snapshot(resolution)
    for name in (*RESOLUTION_TEXT_FIELDS, "majority_base", "threshold", "double_majority"):
        if name in data:
            setattr(resolution, name, data[name])
    resolution.vote.secret = bool(data.get("secret", True))
    resolution.vote.per_college = bool(resolution.double_majority)
    db.session.flush()
    audit.record("resolution.saved", "resolution", resolution.id, actor=actor, before=before,
                 after=resolution_snapshot(resolution))
    return resolution


def resolution_snapshot(resolution: Resolution) -> dict[str, Any]:
    return {"title_fr": resolution.title_fr, "majority_base": resolution.majority_base,
            "threshold": resolution.threshold, "double_majority": resolution.double_majority,
            "secret": resolution.vote.secret if resolution.vote else None}
