"""The audit log page: one sentence per entry, its difference, the raw entry on demand, filters and pages.

``app.core.routes`` puts the view on ``core``'s blueprint (``core.audit_log``); the
sentences and the objects' names come from the packages (``app.core.audit_sentences``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from app.core import audit_sentences
from app.core.models import AuditEntry
from app.core.permissions import require
from app.extensions import db

PER_PAGE = 50


@dataclass
class AuditFilters:
    """The log's filters as typed (kept in the form) and as understood; ``errors`` by field name."""

    raw: dict[str, str]
    start: date | None = None
    end: date | None = None
    errors: dict[str, str] = field(default_factory=dict)


FILTER_NAMES = ("actor", "action", "object_type", "object_id", "from", "to")


def _day(raw: str) -> date | None:
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    """Read the GET filters; a date that is not one, or a range that ends before it starts, is an error
    at its field (and that bound is not applied) rather than a silently empty or full list."""
    raw = {name: (args.get(name) or "").strip()[:200] for name in FILTER_NAMES}
    filters = AuditFilters(raw)
    for name, attr in (("from", "start"), ("to", "end")):
        if raw[name]:
            day = _day(raw[name])
            if day is None:
                filters.errors[name] = _("Enter a date as year-month-day, for example 2026-03-31.")
            setattr(filters, attr, day)
    if filters.start and filters.end and filters.end < filters.start:
        filters.errors["to"] = _("The end date must be on or after the start date.")
        filters.end = None
    return filters


def filtered(filters: AuditFilters) -> Select[tuple[AuditEntry]]:
    """The entries the filters keep, newest first."""
    raw = filters.raw
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if raw["action"]:
        query = query.where(AuditEntry.action.startswith(raw["action"], autoescape=True))
    if raw["object_type"]:
        query = query.where(AuditEntry.object_type == raw["object_type"])
    if raw["object_id"]:
        query = query.where(AuditEntry.object_id == raw["object_id"])
    if raw["actor"]:
        who = AuditEntry.actor_label.contains(raw["actor"].lower(), autoescape=True)
        by_name = audit_sentences.actor_search(raw["actor"])
        query = query.where(or_(who, AuditEntry.actor_id.in_(by_name)) if by_name is not None else who)
    if filters.start:
        query = query.where(AuditEntry.at >= datetime.combine(filters.start, time.min, tzinfo=UTC))
    if filters.end:
        query = query.where(AuditEntry.at <= datetime.combine(filters.end, time.max, tzinfo=UTC))
    return query


@require("audit.view")
def audit_log():
    """The audit log, newest first, as sentences; filterable by who, kind of action, object and dates."""
    filters = parse_filters(request.args)
    page = db.paginate(filtered(filters), per_page=PER_PAGE, error_out=False)
    present = db.session.scalars(select(AuditEntry.object_type).distinct())
    kinds = audit_sentences.kinds()
    if filters.raw["action"] and filters.raw["action"] not in {value for value, _label in kinds}:
        kinds.append((filters.raw["action"], filters.raw["action"]))  # a code prefix typed in the address
    return render_template("core/audit_log.html", page=page, entries=audit_sentences.describe(page.items),
                           filters=filters, kinds=kinds, object_types=audit_sentences.object_types(present),
                           raw_json=audit_sentences.raw_json, field_label=audit_sentences.field_label)
