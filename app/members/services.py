"""Member register operations. They check, flush and audit; the route commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, func, or_, select, update
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core.accounts import Account
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Charter, CharterSignature, College, Member, MemberStatus, MemberStatusChange
from app.members.rules import can_transition, name_key

#: Fields of a member the secretariat edits in one form.
MEMBER_FIELDS = ("name", "acronym", "kind", "country", "college_id", "territory", "admission_date",
                 "email", "phone", "address", "website", "org_id_scheme", "registration_number")


def snapshot(member: Member) -> dict[str, Any]:
    """What the audit log keeps of a member."""
    return {f: getattr(member, f) for f in MEMBER_FIELDS} | {"status": member.status}


def _check_unique_name(name: str, member_id: int | None = None) -> str:
    key = name_key(name)
    if not key:
        raise DomainError(_l("Enter the organisation's name."), field="name")
    clash = db.session.scalar(select(Member.id).where(Member.name_key == key))
    if clash is not None and clash != member_id:
        raise DomainError(_l("A member with this name already exists."), field="name")
    return key


def create_member(*, actor: Account | None, data: dict[str, Any], status: MemberStatus = MemberStatus.applicant,
                  reason: str = "") -> Member:
    """Register a member organisation; it starts as an applicant unless told otherwise."""
    values = {f: data[f] for f in MEMBER_FIELDS if f in data}
    values["name"] = values["name"].strip()
    key = _check_unique_name(values["name"])
    if db.session.get(College, values["college_id"]) is None:
        raise DomainError(_l("Choose a college."), field="college_id")
    today = utcnow().date()
    member = Member(**values, name_key=key, status=status, status_since=today,
                    is_guarantor=bool(data.get("is_guarantor")), is_fictitious=bool(data.get("is_fictitious")))
    if status == MemberStatus.active and member.admission_date is None:
        member.admission_date = today
    db.session.add(member)
    db.session.flush()
    db.session.add(MemberStatusChange(member=member, from_status=None, to_status=status, reason=reason,
                                      effective_date=today, changed_by_id=getattr(actor, "id", None)))
    audit.record("member.created", "member", member.id, actor=actor, after=snapshot(member))
    return member


def update_member(member: Member, *, actor: Account, data: dict[str, Any]) -> Member:
    """Edit a member's details (not its status: see ``change_status``)."""
    before = snapshot(member)
    values = {f: data[f] for f in MEMBER_FIELDS if f in data}
    if "name" in values:
        values["name"] = values["name"].strip()
        member.name_key = _check_unique_name(values["name"], member.id)
    for key, value in values.items():
        setattr(member, key, value)
    db.session.flush()
    after = snapshot(member)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.record("member.updated", "member", member.id, actor=actor,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return member


def change_status(member: Member, *, actor: Account, target: MemberStatus, reason: str,
                  effective: date | None = None) -> MemberStatusChange:
    """Move a member along its status lifecycle, with a dated reason."""
    if not can_transition(member.status, target):
        raise DomainError(
            _l("A member cannot go from “%(current)s” to “%(target)s”.",
               current=MemberStatus(member.status).label, target=target.label), field="status")
    if not reason.strip():
        raise DomainError(_l("Give the reason for this change."), field="reason")
    effective = effective or utcnow().date()
    # Conditional update: two secretaries changing the status at once cannot both succeed.
    result = db.session.execute(
        update(Member).where(Member.id == member.id, Member.status == member.status)
        .values(status=target, status_reason=reason.strip(), status_since=effective)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(_l("The status was changed by someone else meanwhile. Reload the page."), field="status")
    previous = member.status
    db.session.refresh(member)
    if target == MemberStatus.active and member.admission_date is None:
        member.admission_date = effective
    change = MemberStatusChange(member=member, from_status=previous, to_status=target, reason=reason.strip(),
                                effective_date=effective, changed_by_id=actor.id)
    db.session.add(change)
    db.session.flush()
    audit.record("member.status_changed", "member", member.id, actor=actor,
                 before={"status": previous}, after={"status": str(target), "reason": reason.strip(),
                                                     "effective_date": effective})
    return change


# Colleges -------------------------------------------------------------------

def save_college(college: College | None, *, actor: Account, data: dict[str, Any]) -> College:
    """Create or edit a college; codes are unique."""
    code = data["code"].strip().lower()
    clash = db.session.scalar(select(College.id).where(College.code == code))
    if clash is not None and (college is None or clash != college.id):
        raise DomainError(_l("A college with this code already exists."), field="code")
    before = None
    if college is None:
        college = College(code=code)
        db.session.add(college)
    else:
        before = {"code": college.code, "name_fr": college.name_fr}
    college.code = code
    for key in ("name_fr", "name_en", "name_ar", "description"):
        setattr(college, key, (data.get(key) or "").strip())
    db.session.flush()
    audit.record("college.created" if before is None else "college.updated", "college", college.id, actor=actor,
                 before=before, after={"code": college.code, "name_fr": college.name_fr})
    return college


# Charter --------------------------------------------------------------------

def current_charter() -> Charter | None:
    """The latest published version: the one members must have signed."""
    return db.session.scalar(select(Charter).order_by(Charter.version.desc()).limit(1))


def publish_charter(*, actor: Account | None, titles: dict[str, str], texts: dict[str, str]) -> Charter:
    """Publish a new version; every member then has to sign it again."""
    for code in ("fr", "en", "ar"):
        if not texts.get(code, "").strip():
            raise DomainError(_l("The charter text is required in the three languages."), field=f"text_{code}")
        if not titles.get(code, "").strip():
            raise DomainError(_l("The title is required in the three languages."), field=f"title_{code}")
    latest = db.session.scalar(select(func.max(Charter.version))) or 0
    charter = Charter(version=latest + 1, published_by_id=getattr(actor, "id", None),
                      **{f"title_{c}": titles[c].strip() for c in ("fr", "en", "ar")},
                      **{f"text_{c}": texts[c].strip() for c in ("fr", "en", "ar")})
    db.session.add(charter)
    db.session.flush()
    audit.record("charter.published", "charter", charter.id, actor=actor, after={"version": charter.version})
    return charter


def sign_charter(member: Member, *, actor: Account, charter: Charter) -> CharterSignature:
    """Record the delegate's signature of ``charter`` for ``member``; signing twice is refused."""
    if not member.can_sign_charter(actor):
        raise DomainError(_l("Only the delegate of this member can sign the charter."))
    current = current_charter()
    if current is None or current.id != charter.id:
        raise DomainError(_l("This is not the current version of the charter. Reload the page."))
    if member.signature_of(charter) is not None:
        raise DomainError(_l("Your organisation has already signed this version."))
    signature = CharterSignature(member=member, charter=charter, signed_by=actor, signed_at=utcnow())
    db.session.add(signature)
    db.session.flush()
    audit.record("charter.signed", "member", member.id, actor=actor,
                 after={"charter_version": charter.version, "signed_by": actor.email})
    return signature


# Reading --------------------------------------------------------------------

SORTS = {
    "name": Member.name_key,
    "acronym": Member.acronym,
    "country": Member.country,
    "college": College.code,
    "kind": Member.kind,
    "status": Member.status,
    "admission": Member.admission_date,
}


@dataclass
class DirectoryFilters:
    """What the directory is narrowed and ordered by (from the query string)."""

    q: str = ""
    country: str = ""
    college: str = ""
    kind: str = ""
    status: str = ""
    charter: str = ""  # "signed" | "unsigned" | ""
    sort: str = "name"
    desc: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Any) -> DirectoryFilters:
        sort = args.get("sort", "name")
        return cls(q=args.get("q", "").strip(), country=args.get("country", ""), college=args.get("college", ""),
                   kind=args.get("kind", ""), status=args.get("status", ""), charter=args.get("charter", ""),
                   sort=sort if sort in SORTS else "name", desc=args.get("dir") == "desc")


def _signed_current_subquery(charter: Charter | None):
    if charter is None:
        return None
    return select(CharterSignature.member_id).where(CharterSignature.charter_id == charter.id)


def directory_query(filters: DirectoryFilters, charter: Charter | None) -> Select[tuple[Member]]:
    """The filtered, sorted directory as one SELECT (colleges and delegates loaded with it)."""
    query = select(Member).join(Member.college).options(selectinload(Member.college),
                                                        selectinload(Member.representatives))
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        query = query.where(or_(Member.name_key.like(f"%{name_key(filters.q)}%"),
                                func.lower(Member.acronym).like(pattern), func.lower(Member.territory).like(pattern)))
    if filters.country:
        query = query.where(Member.country == filters.country)
    if filters.college:
        query = query.where(College.code == filters.college)
    if filters.kind:
        query = query.where(Member.kind == filters.kind)
    if filters.status:
        query = query.where(Member.status == filters.status)
    signed = _signed_current_subquery(charter)
    if filters.charter == "signed":
        query = query.where(Member.id.in_(signed)) if signed is not None else query.where(False)
    elif filters.charter == "unsigned" and signed is not None:
        query = query.where(Member.id.not_in(signed))
    column = SORTS[filters.sort]
    query = query.order_by(column.desc() if filters.desc else column.asc(), Member.id)
    return query


def member_page(member_id: int) -> Member:
    """A member with everything its page shows, in a fixed number of queries."""
    member = db.session.scalar(
        select(Member).where(Member.id == member_id).options(
            selectinload(Member.college),
            selectinload(Member.representatives),
            selectinload(Member.status_changes).selectinload(MemberStatusChange.changed_by),
            selectinload(Member.signatures).selectinload(CharterSignature.charter),
            selectinload(Member.signatures).selectinload(CharterSignature.signed_by),
        )
    )
    if member is None:
        abort(404)
    return member


def signed_member_ids(charter: Charter | None, member_ids: list[int]) -> set[int]:
    """Which of these members signed ``charter`` (one query for a whole page)."""
    if charter is None or not member_ids:
        return set()
    return set(db.session.scalars(select(CharterSignature.member_id).where(
        CharterSignature.charter_id == charter.id, CharterSignature.member_id.in_(member_ids))))


def register_counts(charter: Charter | None) -> dict[str, int]:
    """Active members, applicants, and active members without ``charter``'s signature (two queries)."""
    counts = dict(db.session.execute(select(Member.status, func.count()).group_by(Member.status)).all())
    unsigned = 0
    if charter is not None:
        unsigned = db.session.scalar(select(func.count(Member.id)).where(
            Member.status == MemberStatus.active,
            Member.id.not_in(select(CharterSignature.member_id).where(CharterSignature.charter_id == charter.id))))
    return {"active": counts.get("active", 0), "applicant": counts.get("applicant", 0), "unsigned": unsigned or 0}


def electorate_condition(charter: Charter | None) -> Any:
    """SQL form of ``rules.in_electorate``: active members that signed ``charter`` (one place for every query)."""
    if charter is None:
        return false()
    return and_(Member.status == MemberStatus.active,
                Member.id.in_(select(CharterSignature.member_id).where(CharterSignature.charter_id == charter.id)))


def electorate_member_ids() -> list[int]:
    """Active members that signed the current charter: the ones who vote."""
    return list(db.session.scalars(select(Member.id).where(electorate_condition(current_charter()))
                                   .order_by(Member.id)))
