"""The audit log told as sentences: "Nadia B. opened the vote “Adoption of the call rules”".

``core`` writes the log but knows none of the objects it names, so each package
registers, from its ``init_app`` (its own ``audit_sentences.register()``):

- a sentence per action code it writes (``register_audit_sentence``), a lazy
  message with ``%(actor)s`` and ``%(object)s`` placeholders::

      register_audit_sentence("vote.opened", _l("%(actor)s opened the vote “%(object)s”"))

- a kind of action per code prefix, offered by the log's filter
  (``register_audit_kind("vote", _l("Votes"))``);
- its object types (``register_audit_object``): a translated name and a
  resolver ``resolve(ids) -> {id: AuditObject(label, url)}`` that answers for
  a whole page of ids in a fixed number of queries (the log page calls each
  resolver once per page, whatever the number of entries);
- (``auth``) the search of actors by name (``register_actor_search``).

A code with no sentence is still shown, with a generic sentence and the code;
``tests/core/test_audit_view_codes.py`` fails when a code written in ``app/``
has none. Registering again replaces, so ``create_app`` may run many times.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import Select

from app.core.audit import hashed_fields
from app.core.i18n import format_moment
from app.core.models import AuditEntry


@dataclass(frozen=True)
class AuditObject:
    """What the log shows of an object: its name and, when it has a page, the page's address."""

    label: str
    url: str | None = None


Resolver = Callable[[Sequence[str]], Mapping[str, AuditObject]]


@dataclass(frozen=True)
class ObjectType:
    name: str
    label: Any  # lazy string: the type's name in the reader's language
    resolve: Resolver | None


_SENTENCES: dict[str, Any] = {}
_KINDS: dict[str, Any] = {}
_OBJECT_TYPES: dict[str, ObjectType] = {}
_ACTOR_SEARCH: list[Callable[[str], Select[Any]]] = []
_FIELDS: dict[str, Any] = {}


def register_audit_sentence(action: str, message: Any) -> None:
    """The sentence for ``action``: a lazy message with ``%(actor)s`` and optionally ``%(object)s``."""
    _SENTENCES[action] = message


def register_audit_sentences(sentences: Mapping[str, Any]) -> None:
    """Several sentences at once (``{action: message}``)."""
    for action, message in sentences.items():
        register_audit_sentence(action, message)


def register_audit_kind(prefix: str, label: Any) -> None:
    """A kind of action for the filter: the codes that start with ``prefix.``."""
    _KINDS[prefix] = label


def register_audit_object(object_type: str, label: Any, resolve: Resolver | None = None) -> None:
    """An object type's translated name and its batched resolver (see the module docstring)."""
    _OBJECT_TYPES[object_type] = ObjectType(object_type, label, resolve)


def extend_audit_object(object_type: str, resolve: Resolver) -> None:
    """Add a resolver for the ids the type's resolver leaves out (a vote's election, known to ``elections``)."""
    registered = _OBJECT_TYPES.get(object_type)
    first = registered.resolve if registered else None
    if first is None or getattr(first, "_extended_by", None) is resolve:
        register_audit_object(object_type, registered.label if registered else object_type, resolve)
        return

    def both(ids: Sequence[str]) -> Mapping[str, AuditObject]:
        found = dict(first(ids))
        rest = [i for i in ids if i not in found]
        return found | dict(resolve(rest)) if rest else found

    both._extended_by = resolve  # type: ignore[attr-defined]  (registering twice does not stack)
    register_audit_object(object_type, registered.label if registered else object_type, both)


def int_ids(ids: Iterable[str]) -> list[int]:
    """The numeric ids among ``ids`` (object ids are stored as text)."""
    return [int(i) for i in ids if i.isdigit() and len(i) < 19]


def register_actor_search(search: Callable[[str], Select[Any]]) -> None:
    """``search(text)``: a SELECT of the ids of the users whose name matches ``text``."""
    _ACTOR_SEARCH[:] = [search]


def register_audit_fields(labels: Mapping[str, Any]) -> None:
    """Translated names of before/after fields (``{"starts_at": _l("starts")}``); others show their key."""
    _FIELDS.update(labels)


def field_label(key: str) -> str:
    return str(_FIELDS[key]) if key in _FIELDS else key


def registered_sentences() -> dict[str, Any]:
    return dict(_SENTENCES)


def kinds() -> list[tuple[str, str]]:
    """(value for the filter, label) sorted by label in the reader's language."""
    return sorted(((f"{prefix}.", str(label)) for prefix, label in _KINDS.items()), key=lambda kv: kv[1].lower())


def object_types(present: Iterable[str]) -> list[tuple[str, str]]:
    """(type, translated name) of the types in ``present``, sorted by name."""
    return sorted(((t, type_label(t)) for t in present), key=lambda kv: kv[1].lower())


def type_label(object_type: str) -> str:
    registered = _OBJECT_TYPES.get(object_type)
    return str(registered.label) if registered else object_type


def actor_search(text: str) -> Select[Any] | None:
    return _ACTOR_SEARCH[0](text) if _ACTOR_SEARCH else None


# Before/after as a difference ----------------------------------------------------------------

#: Longest value shown in the difference; the raw entry keeps it whole.
MAX_VALUE = 200


@dataclass(frozen=True)
class Change:
    """One field's change; ``old``/``new`` is None when that side has no such field (created, removed)."""

    field: str
    old: str | None
    new: str | None


_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def _as_date_text(value: str) -> str | None:
    """An ISO date or date-time (as the log stores them) in the reader's format, else None."""
    try:
        if _ISO_DATE.match(value):
            return format_date(date.fromisoformat(value), "medium")
        if _ISO_DATETIME.match(value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return format_moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError:
        return None
    return None


def show_value(value: Any) -> str:
    """A stored JSON value as a person reads it: text as characters (never ``\\u00e8``), dates in the
    reader's format, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        text = _as_date_text(value) or value
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    return value if isinstance(value, Mapping) else {"value": value}


def diff(before: Any, after: Any) -> list[Change]:
    """The fields that differ between ``before`` and ``after`` (pure), in the order they were written.

    A field only in ``after`` is set, one only in ``before`` is removed; equal values are left out.
    """
    old, new = _as_mapping(before), _as_mapping(after)
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        if key in old and key in new:
            if old[key] != new[key]:
                changes.append(Change(str(key), show_value(old[key]), show_value(new[key])))
        elif key in old:
            changes.append(Change(str(key), show_value(old[key]), None))
        else:
            changes.append(Change(str(key), None, show_value(new[key])))
    return changes


def raw_json(entry: AuditEntry) -> str:
    """The entry as stored (what the hash covers), pretty-printed with characters as characters."""
    fields = hashed_fields(entry) | {"id": entry.id, "prev_hash": entry.prev_hash, "hash": entry.hash}
    return json.dumps(fields, ensure_ascii=False, indent=2, sort_keys=True)


# Sentences ---------------------------------------------------------------------------------------


def resolve_objects(wanted: Mapping[str, set[str]]) -> dict[tuple[str, str], AuditObject]:
    """Every wanted object, one resolver call per type (so a page issues a bounded number of queries)."""
    found: dict[tuple[str, str], AuditObject] = {}
    for object_type, ids in wanted.items():
        registered = _OBJECT_TYPES.get(object_type)
        if not ids or registered is None or registered.resolve is None:
            continue
        for object_id, obj in registered.resolve(sorted(ids)).items():
            found[(object_type, str(object_id))] = obj
    return found


def _link(obj: AuditObject) -> Markup:
    if obj.url:
        return Markup('<a href="{}"><bdi>{}</bdi></a>').format(obj.url, obj.label)
    return Markup("<bdi>{}</bdi>").format(obj.label)


@dataclass(frozen=True)
class ShownEntry:
    """An entry ready for the page: its sentence (safe HTML), its difference and the entry itself."""

    entry: AuditEntry
    sentence: Markup
    changes: list[Change]
    known: bool  # False: no sentence is registered for the code (the generic one is used)


def describe(entries: Sequence[AuditEntry]) -> list[ShownEntry]:
    """The page's entries as sentences; objects and actors resolved in one batch per type."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        if e.object_id is not None:
            wanted[e.object_type].add(e.object_id)
        if e.actor_id is not None:
            wanted["user"].add(str(e.actor_id))
    found = resolve_objects(wanted)
    return [_shown(e, found) for e in entries]


def _actor(entry: AuditEntry, found: Mapping[tuple[str, str], AuditObject]) -> Markup:
    if entry.actor_id is not None:
        obj = found.get(("user", str(entry.actor_id)))
        if obj is not None:
            return _link(obj)
        return escape(entry.actor_label or _("Account #%(id)s", id=entry.actor_id))
    return escape(_("The platform"))


def _shown(entry: AuditEntry, found: Mapping[tuple[str, str], AuditObject]) -> ShownEntry:
    message = _SENTENCES.get(entry.action)
    obj = found.get((entry.object_type, entry.object_id or ""))
    if entry.object_id is None:
        obj_html = escape(type_label(entry.object_type) if message is None else _("unknown"))
    elif obj is not None:
        obj_html = _link(obj)
    elif message is not None:
        obj_html = escape(f"#{entry.object_id}")  # deleted or unknown: the sentence already names the type
    else:
        obj_html = escape(f"{type_label(entry.object_type)} #{entry.object_id}")
    values = {"actor": _actor(entry, found), "object": obj_html, "action": entry.action}
    text = escape(str(message) if message is not None
                  else _("%(actor)s recorded the action “%(action)s” on %(object)s"))
    return ShownEntry(entry, Markup(text) % values, diff(entry.before, entry.after), message is not None)


def _register_core() -> None:
    """Core's own codes: the anchoring of the log, and the demonstration data (``app.demo`` has no init_app)."""
    from flask_babel import lazy_gettext as _l

    register_audit_object("audit", _l("audit log"), lambda ids: {i: AuditObject(i) for i in ids})
    register_audit_object("programme", _l("programme"))
    register_audit_kind("audit", _l("Audit log"))
    register_audit_kind("demo", _l("Demonstration data"))
    register_audit_fields({
        "status": _l("status"), "title": _l("title"), "name": _l("name"), "reason": _l("reason"),
        "email": _l("e-mail"), "locale": _l("language"), "version": _l("version"), "kind": _l("kind"),
        "starts_at": _l("starts"), "starts_on": _l("starts"), "ends_on": _l("ends"), "closes_at": _l("closes"),
        "place": _l("place"), "recipients": _l("recipients"), "count": _l("number"), "filename": _l("file"),
        "holder": _l("holder"), "head": _l("head of the log"), "statement": _l("statement"),
    })
    register_audit_sentences({
        "audit.anchored": _l("%(actor)s published the audit log's head (%(object)s entries)"),
        "demo.loaded": _l("%(actor)s loaded the demonstration data"),
    })


_register_core()
