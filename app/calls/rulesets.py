"""Rule sets co-built by the committee: drafts, amendments, versions, and freezing one for the assembly.

Services take an explicit ``actor``, check state, raise ``DomainError``, write
an audit entry and flush; the route commits once.

Versions are immutable: an accepted amendment writes version ``head + 1``.
The rule set's ``head_number`` is bumped with a conditional UPDATE (``WHERE
head_number = expected``), which also locks the rule set's row: two accepts,
or an accept and a freeze, racing on the same head cannot both win.

Statuses of the head and what they allow (see ``models.VersionStatus``):

- ``draft``: amendments are proposed and accepted; the secretariat may freeze it.
- ``frozen``: put to the assembly; no amendment is proposed, rebased or
  accepted until the counted result comes back (the text under vote does not
  move). Amendments proposed before the freeze stay open and are decided after.
- ``adopted`` (only ever set by ``adoption.on_resolution_decided``): calls open
  under it. An amendment accepted afterwards starts a new draft version on top
  of it; the adopted version keeps its status, so calls keep it.
- ``rejected`` (the assembly did not adopt it, or had no quorum): open to
  amendments again, the next accepted one makes a new draft on top of it.
  Freezing a rejected head puts the same content to an assembly again as a
  new version (a version is put to one resolution only).
"""
from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.assembly import services as assembly_services
from app.assembly.models import AgendaItem, AssemblyStatus, Resolution
from app.auth.models import User
from app.calls import content as rule_content
from app.calls import rules, wording
from app.calls.models import (
    Amendment,
    AmendmentComment,
    AmendmentStatus,
    AmendmentSupport,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
)
from app.core import audit
from app.core.errors import DomainError
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.elections.services import chair_member_id
from app.extensions import db

#: Heads the secretariat may put to an assembly.
FREEZABLE = (VersionStatus.draft, VersionStatus.rejected)
#: Assemblies whose agenda may receive the resolution.
OPEN_ASSEMBLIES = (AssemblyStatus.draft, AssemblyStatus.convened)


class ContentInvalid(DomainError):
    """The content breaks ``content.validate``: ``problems`` are (content path, message) for the form's fields."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(_l("Some rules are not valid: correct the fields marked below."))
        self.problems = problems


# Reading ---------------------------------------------------------------------------------

def head(rule_set: RuleSet) -> RuleSetVersion:
    """The newest version, read from the database (not from a possibly stale ``head_number``)."""
    version = db.session.scalar(
        select(RuleSetVersion).join(RuleSet, RuleSet.id == RuleSetVersion.rule_set_id)
        .where(RuleSet.id == rule_set.id, RuleSetVersion.number == RuleSet.head_number)
        .execution_options(populate_existing=True))
    assert version is not None, "a rule set always has its head version"
    return version


def version(rule_set: RuleSet, number: int) -> RuleSetVersion | None:
    return db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == rule_set.id,
                                                          RuleSetVersion.number == number))


def adopted_versions() -> list[RuleSetVersion]:
    """Versions adopted by the assembly, newest decision first (what a call may open under)."""
    return list(db.session.scalars(
        select(RuleSetVersion).where(RuleSetVersion.status == VersionStatus.adopted)
        .options(selectinload(RuleSetVersion.rule_set))
        .order_by(RuleSetVersion.decided_at.desc(), RuleSetVersion.id.desc())))


def is_committee(user: User) -> bool:
    return can(user, "amendment.propose")


def may_decide(user: User, amendment: Amendment | None = None) -> bool:
    """The secretariat, or the committee's chair (designated on the committee page) except on an
    amendment of its own organisation."""
    if can(user, "ruleset.freeze"):  # the secretariat's own right
        return True
    if not is_committee(user) or user.member_id is None or user.member_id != chair_member_id():
        return False
    return amendment is None or amendment.proposer_member_id != user.member_id


# Content ----------------------------------------------------------------------------------

def normalise(content: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy with the three sections present (other top-level keys are kept as they are)."""
    result = copy.deepcopy(dict(content))
    result["eligibility"] = dict(result.get("eligibility") or {})
    result["funding"] = {**rule_content.empty_content()["funding"], **(result.get("funding") or {})}
    result["criteria"] = dict(result.get("criteria") or {})
    return result


def _check(content: Mapping[str, Any]) -> dict[str, Any]:
    content = normalise(content)
    problems = rule_content.validate(content)
    if problems:
        raise ContentInvalid(problems)
    return content


def criterion_code(name: str, taken: set[str]) -> str:
    """A readable, stable key for a new criterion, from its French name ("Innovation sociale" → innovation-sociale).

    Two amendments adding a criterion of the same name touch the same paths,
    so the second one shows a conflict instead of silently adding a duplicate.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "criterion"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def content_text(title: str, content: Mapping[str, Any], lang: str) -> str:
    """The rules as plain text in one language (the resolution's text put to the assembly), in the words of
    the rule-set and call pages (``wording.rules_in_words``)."""
    with force_locale(lang):
        words = wording.rules_in_words(content, lang)
        lines = [title, "", str(_l("Eligibility"))]
        lines += [f"- {sentence}" for sentence in words.eligibility] or ["- " + str(_l("No eligibility rule."))]
        lines += ["", str(_l("Funding")), *(f"- {sentence}" for sentence in words.funding), "",
                  str(_l("Selection criteria"))]
        for criterion in words.criteria:
            lines.append("- " + str(_l("%(name)s (weight %(weight)s, scored from 0 to %(scale)s)",
                                       name=criterion.name, weight=criterion.weight, scale=criterion.scale_max)))
            if criterion.description:
                lines.append(f"  {criterion.description}")
        return "\n".join(lines)


def _changes(amendment: Amendment) -> list[rule_content.Change]:
    return [rule_content.Change.from_dict(c) for c in amendment.changes]


def conflicts_of(amendment: Amendment, content: Mapping[str, Any]) -> list[rule_content.Change]:
    """The amendment's changes whose path no longer holds the value it was written against."""
    return list(rule_content.apply_changes(normalise(content), _changes(amendment)).conflicts)


@dataclass(frozen=True)
class RebaseView:
    """What the rebase form starts from: the head with the proposer's changes re-applied where possible."""

    head: RuleSetVersion
    content: dict[str, Any]
    conflicts: list[rule_content.Change]   # changed since the amendment's base: the form shows the proposer's value
    dropped: list[rule_content.Change]     # not re-applicable (the criterion or rule was removed meanwhile)


def rebase_view(amendment: Amendment) -> RebaseView:
    """Re-apply each change on the head: clean ones as they are, conflicting ones with the proposer's value.

    A change inside a criterion or an eligibility rule that the head no longer
    has (removed by another amendment) is dropped and listed: re-adding it
    would bring back a removed criterion by the back door.
    """
    current = head(amendment.rule_set)
    flat = rule_content.flatten(normalise(current.content))
    base_flat = rule_content.flatten(normalise(amendment.base_version.content))
    conflicts, dropped = [], []
    for change in _changes(amendment):
        present = flat.get(change.path, rule_content.ABSENT)
        if present == change.new:
            continue
        if present != change.old:
            if _container_removed(change.path, base_flat, flat):
                dropped.append(change)
                continue
            conflicts.append(change)
        if change.new is rule_content.ABSENT:
            flat.pop(change.path, None)
        else:
            flat[change.path] = copy.deepcopy(change.new)
    content = normalise(rule_content.unflatten(flat))
    content["criteria"] = {k: v for k, v in content["criteria"].items() if v not in ({}, None)}
    return RebaseView(current, content, conflicts, dropped)


def _container_removed(path: str, base_flat: Mapping[str, Any], head_flat: Mapping[str, Any]) -> bool:
    parts = path.split(".")
    if parts[0] not in ("criteria", "eligibility") or len(parts) < 2:
        return False
    prefix = ".".join(parts[:2])

    def has(flat: Mapping[str, Any]) -> bool:
        return any(p == prefix or p.startswith(prefix + ".") for p in flat)

    return has(base_flat) and not has(head_flat)


# Rule sets --------------------------------------------------------------------------------

def create_rule_set(*, actor: User, titles: Mapping[str, str], content: Mapping[str, Any]) -> RuleSet:
    """A new draft rule set with its version 1 (a current committee member or the secretariat)."""
    if not can(actor, "ruleset.create"):
        raise DomainError(_l("Only committee members and the secretariat open a rule set."))
    title_fr = (titles.get("fr") or "").strip()
    if not title_fr:
        raise DomainError(_l("Enter the title in French."), field="title_fr")
    content = _check(content)
    rule_set = RuleSet(title_fr=title_fr, title_en=(titles.get("en") or "").strip(),
                       title_ar=(titles.get("ar") or "").strip(), created_by_id=actor.id, head_number=1)
    db.session.add(rule_set)
    db.session.flush()
    first = RuleSetVersion(rule_set_id=rule_set.id, number=1, content=content, status=VersionStatus.draft,
                           created_by_id=actor.id)
    db.session.add(first)
    db.session.flush()
    audit.record("ruleset.created", "rule_set", rule_set.id, actor=actor,
                 after={"title": title_fr, "version": 1, "content": content})
    return rule_set


# Amendments -------------------------------------------------------------------------------

def _required(value: str, field: str, message: object) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    return value


def _open_to_amendments(current: RuleSetVersion) -> None:
    if current.status == VersionStatus.frozen:
        raise DomainError(_l("This version is before the assembly: amendments are proposed and accepted again "
                             "once it has decided."))


def _base_of(rule_set: RuleSet, base: RuleSetVersion | None) -> RuleSetVersion:
    if base is None:
        return head(rule_set)
    if base.rule_set_id != rule_set.id:
        raise DomainError(_l("This version belongs to another rule set."))
    return base


def propose_amendment(rule_set: RuleSet, *, actor: User, title: str, rationale: str,
                      new_content: Mapping[str, Any], base: RuleSetVersion | None = None) -> Amendment:
    """A committee member's change, kept as leaf changes against its base version.

    ``base`` is the version the editor was filled from (default: the head).
    When another amendment was accepted while the member was typing, the
    changes are still taken against what they saw, so accepting this one
    later cannot silently undo the other (the three-way check sees it).
    """
    if not is_committee(actor):
        raise DomainError(_l("Only members of the steering committee propose amendments."))
    title = _required(title, "title", _l("Give the amendment a title."))
    rationale = _required(rationale, "rationale", _l("Explain why the rules should change."))
    _open_to_amendments(head(rule_set))
    base = _base_of(rule_set, base)
    changes = rule_content.diff(normalise(base.content), _check(new_content))
    if not changes:
        raise DomainError(_l("This amendment changes nothing in the current version."))
    amendment = Amendment(rule_set_id=rule_set.id, base_version_id=base.id, proposer_id=actor.id,
                          proposer_member_id=actor.member_id, title=title[:300], rationale=rationale,
                          changes=[c.as_dict() for c in changes], status=AmendmentStatus.proposed)
    db.session.add(amendment)
    db.session.flush()
    audit.record("amendment.proposed", "amendment", amendment.id, actor=actor,
                 after={"rule_set_id": rule_set.id, "base_version": base.number, "title": amendment.title,
                        "changes": amendment.changes})
    return amendment


def _still_proposed(amendment: Amendment) -> None:
    if amendment.status != AmendmentStatus.proposed:
        raise DomainError(_l("This amendment has already been decided or withdrawn."))


def comment(amendment: Amendment, *, actor: User, body: str) -> AmendmentComment:
    """Committee members and the secretariat discuss an amendment while it is proposed."""
    if not can(actor, "amendment.comment"):
        raise DomainError(_l("Only committee members and the secretariat comment on amendments."))
    _still_proposed(amendment)
    body = _required(body, "body", _l("Write your comment."))
    item = AmendmentComment(amendment_id=amendment.id, author_id=actor.id, body=body)
    db.session.add(item)
    db.session.flush()
    audit.record("amendment.commented", "amendment", amendment.id, actor=actor, after={"comment_id": item.id})
    return item


def _insert_support(dialect: str) -> Any:
    """``INSERT … ON CONFLICT (amendment, member) DO NOTHING RETURNING id``: the unique constraint decides."""
    module = postgresql if dialect == "postgresql" else sqlite
    return (module.insert(AmendmentSupport).on_conflict_do_nothing(index_elements=["amendment_id", "member_id"])
            .returning(AmendmentSupport.id))


def support(amendment: Amendment, *, actor: User) -> AmendmentSupport:
    """A committee member supports an amendment for its organisation, once per organisation.

    Never check-then-insert: two representatives of the same member clicking
    at the same moment insert one row, the other is told it is already there.
    """
    if not can(actor, "amendment.support") or actor.member_id is None:
        raise DomainError(_l("Only members of the steering committee support amendments."))
    _still_proposed(amendment)
    if actor.member_id == amendment.proposer_member_id:
        raise DomainError(_l("Your organisation proposed this amendment: it cannot support it as well."))
    connection = db.session.connection()
    inserted = connection.execute(_insert_support(connection.dialect.name).values(
        amendment_id=amendment.id, member_id=actor.member_id, user_id=actor.id, created_at=utcnow())).scalar()
    if inserted is None:
        raise DomainError(_l("Your organisation already supports this amendment."))
    audit.record("amendment.supported", "amendment", amendment.id, actor=actor,
                 after={"member_id": actor.member_id})
    item = db.session.get(AmendmentSupport, inserted)
    assert item is not None
    return item


def support_counts(amendment_ids: list[int]) -> dict[int, int]:
    """Supports per amendment (one query)."""
    if not amendment_ids:
        return {}
    return dict(db.session.execute(
        select(AmendmentSupport.amendment_id, func.count()).where(AmendmentSupport.amendment_id.in_(amendment_ids))
        .group_by(AmendmentSupport.amendment_id)).all())


def rebase(amendment: Amendment, *, actor: User, new_content: Mapping[str, Any],
           base: RuleSetVersion | None = None) -> Amendment:
    """The proposer rewrites the amendment against the current head (after another one was accepted).

    ``base``: the head the rebase form was filled from (default: the head now).
    """
    if actor.id != amendment.proposer_id or not is_committee(actor):
        raise DomainError(_l("Only the committee member who proposed this amendment can rebase it."))
    _still_proposed(amendment)
    _open_to_amendments(head(amendment.rule_set))
    current = _base_of(amendment.rule_set, base)
    changes = rule_content.diff(normalise(current.content), _check(new_content))
    if not changes:
        raise DomainError(_l("Against the current version, this amendment changes nothing: withdraw it instead."))
    before = {"base_version_id": amendment.base_version_id, "changes": amendment.changes}
    amendment.base_version_id = current.id
    amendment.base_version = current
    amendment.changes = [c.as_dict() for c in changes]
    amendment.rebased_at = utcnow()
    db.session.flush()
    audit.record("amendment.rebased", "amendment", amendment.id, actor=actor, before=before,
                 after={"base_version": current.number, "changes": amendment.changes})
    return amendment


def withdraw(amendment: Amendment, *, actor: User) -> None:
    if actor.id != amendment.proposer_id:
        raise DomainError(_l("Only the committee member who proposed this amendment can withdraw it."))
    _still_proposed(amendment)
    amendment.status = AmendmentStatus.withdrawn
    amendment.decided_at = utcnow()
    db.session.flush()
    audit.record("amendment.withdrawn", "amendment", amendment.id, actor=actor)


def _bump_head(rule_set: RuleSet, expected: int, new: int) -> None:
    """The conditional UPDATE that lets one writer through (and locks the rule set's row until commit)."""
    result = db.session.execute(update(RuleSet).where(RuleSet.id == rule_set.id, RuleSet.head_number == expected)
                                .values(head_number=new).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DomainError(_l("The rule set changed in the meantime (another amendment was accepted or it was "
                             "frozen). Reload the page and try again."))
    set_committed_value(rule_set, "head_number", new)


def conflict_message(conflicts: list[rule_content.Change], *contents: Mapping[str, Any]) -> str:
    names = wording.criterion_names(*contents, changes=conflicts)
    paths = "; ".join(wording.path_label(c.path, names) for c in conflicts)
    return str(_l("This amendment conflicts with changes accepted since it was written (%(paths)s). Its proposer "
                  "must rebase it on the current version, or it can be declined.", paths=paths))


def decide_amendment(amendment: Amendment, *, actor: User, accept: bool, reason: str) -> RuleSetVersion | None:
    """The secretariat (or the committee's chair) accepts (a new version) or declines an amendment, with a reason.

    Accepting applies the changes to the head with a three-way check; a
    conflict refuses the accept and the amendment stays proposed.
    """
    if not may_decide(actor, amendment):
        raise DomainError(_l("Only the secretariat or the committee's chair decides on amendments, and the chair "
                             "not on its own organisation's."))
    _still_proposed(amendment)
    reason = _required(reason, "reason", _l("Give the reason for the decision."))
    if not accept:
        amendment.status = AmendmentStatus.declined
        amendment.decided_at, amendment.decided_by_id, amendment.decision_reason = utcnow(), actor.id, reason
        db.session.flush()
        audit.record("amendment.declined", "amendment", amendment.id, actor=actor, after={"reason": reason})
        return None
    rule_set = amendment.rule_set
    current = head(rule_set)
    _open_to_amendments(current)
    merge = rule_content.apply_changes(normalise(current.content), _changes(amendment))
    if not merge.ok:
        raise DomainError(conflict_message(list(merge.conflicts), current.content))
    assert merge.content is not None
    merged = normalise({**copy.deepcopy(current.content), **merge.content})
    problems = rule_content.validate(merged)
    if problems:
        raise DomainError(_l("Applied to the current version, this amendment gives invalid rules (%(problems)s). "
                             "Its proposer must rebase it.",
                             problems="; ".join(f"{wording.path_label(p, wording.criterion_names(merged))}: {m}"
                                                for p, m in problems)))
    _bump_head(rule_set, current.number, current.number + 1)
    current = head_version_locked(current)
    _open_to_amendments(current)
    if current.status == VersionStatus.draft:
        current.status = VersionStatus.superseded
    new = RuleSetVersion(rule_set_id=rule_set.id, number=current.number + 1, content=merged,
                         status=VersionStatus.draft, created_by_id=actor.id, amendment_id=amendment.id)
    db.session.add(new)
    db.session.flush()
    amendment.status = AmendmentStatus.accepted
    amendment.decided_at, amendment.decided_by_id, amendment.decision_reason = utcnow(), actor.id, reason
    amendment.result_version_id = new.id
    db.session.flush()
    audit.record("amendment.accepted", "amendment", amendment.id, actor=actor,
                 after={"reason": reason, "version": new.number, "changes": amendment.changes})
    return new


def head_version_locked(seen: RuleSetVersion) -> RuleSetVersion:
    """The version re-read once the rule set's row is locked (a freeze may have committed meanwhile)."""
    fresh = db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.id == seen.id)
                              .execution_options(populate_existing=True))
    assert fresh is not None
    return fresh


# Putting a version to the assembly -------------------------------------------------------

def agenda_items_open() -> list[AgendaItem]:
    """Agenda items of draft and convened assemblies, for the freeze page (one query)."""
    from app.assembly.models import Assembly

    return list(db.session.scalars(
        select(AgendaItem).join(Assembly, AgendaItem.assembly_id == Assembly.id)
        .where(Assembly.status.in_(OPEN_ASSEMBLIES)).options(selectinload(AgendaItem.assembly))
        .order_by(Assembly.starts_at, AgendaItem.position)))


def freeze(rule_set: RuleSet, *, actor: User, agenda_item: AgendaItem) -> Resolution:
    """Put the head to the assembly: a resolution (simple majority, secret ballot) on ``agenda_item``.

    The resolution is made by the assembly's own service; the counted result
    then adopts or rejects the version (``adoption.on_resolution_decided``).
    A rejected head is put again as a new version with the same content.
    """
    if not can(actor, "ruleset.freeze"):
        raise DomainError(_l("Only the secretariat puts a rule set to the assembly."))
    if agenda_item.assembly.status not in OPEN_ASSEMBLIES:
        raise DomainError(_l("Choose an assembly that is in preparation or convened."), field="target")
    current = head(rule_set)
    if current.status not in FREEZABLE:
        raise DomainError(_l("Only a draft version, or one the assembly did not adopt, can be put to the "
                             "assembly."))
    if current.status == VersionStatus.rejected:
        _bump_head(rule_set, current.number, current.number + 1)
        current = RuleSetVersion(rule_set_id=rule_set.id, number=current.number + 1,
                                 content=copy.deepcopy(current.content), status=VersionStatus.draft,
                                 created_by_id=actor.id)
        db.session.add(current)
        db.session.flush()
    else:
        _bump_head(rule_set, current.number, current.number)  # locks the row: no accept slips in meanwhile
        current = head_version_locked(current)
        if current.status != VersionStatus.draft:
            raise DomainError(_l("The rule set changed in the meantime. Reload the page and try again."))
    titles = {lang: str(getattr(rule_set, f"title_{lang}") or rule_set.title_fr) for lang in rules.LANGS}
    data: dict[str, Any] = {"majority_base": "expressed", "threshold": "half", "double_majority": False,
                            "secret": True}
    for lang in rules.LANGS:
        with force_locale(lang):
            data[f"title_{lang}"] = str(_l("Adoption of the rules: %(title)s, version %(n)s", title=titles[lang],
                                           n=current.number))[:300]
        data[f"text_{lang}"] = content_text(titles[lang], current.content, lang)
    resolution = assembly_services.save_resolution(agenda_item, None, actor=actor, data=data)
    current.status = VersionStatus.frozen
    current.frozen_at = utcnow()
    current.resolution_id = resolution.id
    db.session.flush()
    audit.record("ruleset.frozen", "rule_set", rule_set.id, actor=actor,
                 after={"version": current.number, "resolution_id": resolution.id,
                        "assembly_id": agenda_item.assembly_id})
    return resolution
