"""What the audit log says about grants, their payments and reports (``app.core.audit_sentences``)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit_sentences import (
    AuditObject,
    int_ids,
    register_audit_kind,
    register_audit_object,
    register_audit_sentences,
)
from app.extensions import db
from app.grants.models import Grant, Report

SENTENCES = {
    "grant.created": _l("%(actor)s drew up the grant agreement %(object)s"),
    "grant.edited": _l("%(actor)s edited the terms of the grant %(object)s"),
    "grant.signed": _l("%(actor)s recorded the signature of the grant %(object)s"),
    "grant.status": _l("%(actor)s changed the status of the grant %(object)s"),
    "grant.closed": _l("%(actor)s closed the grant %(object)s"),
    "grant.schedule": _l("%(actor)s changed the instalment schedule of the grant %(object)s"),
    "grant.instalment.released_early": _l("%(actor)s released an instalment of the grant %(object)s early"),
    "grant.ledger.commitment": _l("%(actor)s recorded a commitment on the grant %(object)s"),
    "grant.ledger.disbursement": _l("%(actor)s recorded a payment on the grant %(object)s"),
    "grant.ledger.expenditure": _l("%(actor)s recorded justified expenditure on the grant %(object)s"),
    "grant.indicator_sides": _l("%(actor)s changed the indicators of the grant %(object)s"),
    "grant.amendment_requested": _l("%(actor)s asked for a budget amendment to the grant %(object)s"),
    "grant.amendment_approved": _l("%(actor)s approved a budget amendment to the grant %(object)s"),
    "grant.amendment_declined": _l("%(actor)s declined a budget amendment to the grant %(object)s"),
    "grant.report_scheduled": _l("%(actor)s scheduled the report %(object)s"),
    "grant.report_rescheduled": _l("%(actor)s rescheduled the report %(object)s"),
    "grant.report_unscheduled": _l("%(actor)s removed the report %(object)s from the schedule"),
    "grant.report_version_started": _l("%(actor)s started a new version of the report %(object)s"),
    "grant.report_draft_saved": _l("%(actor)s saved the draft of the report %(object)s"),
    "grant.report_attachment_added": _l("%(actor)s attached a file to the report %(object)s"),
    "grant.report_attachment_removed": _l("%(actor)s removed a file from the report %(object)s"),
    "grant.report_submitted": _l("%(actor)s submitted the report %(object)s"),
    "grant.report_returned": _l("%(actor)s returned the report %(object)s for changes"),
    "grant.report_approved": _l("%(actor)s approved the report %(object)s"),
}


def resolve_grants(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Grant.id, Grant.number, Grant.title).where(Grant.id.in_(int_ids(ids))))
    return {str(i): AuditObject(f"{number} “{title}”", url_for("grants.detail", grant_id=i))
            for i, number, title in rows}


def resolve_reports(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Report.id, Report.number, Report.grant_id, Grant.number).join(Grant)
                              .where(Report.id.in_(int_ids(ids))))
    return {str(i): AuditObject(str(_l("no. %(n)s of the grant %(grant)s", n=n, grant=grant_number)),
                                url_for("grant_reports.report", grant_id=grant_id, report_id=i))
            for i, n, grant_id, grant_number in rows}


def register() -> None:
    register_audit_object("grant", _l("grant"), resolve_grants)
    register_audit_object("grant_report", _l("grant report"), resolve_reports)
    register_audit_kind("grant", _l("Grants"))
    register_audit_sentences(SENTENCES)
