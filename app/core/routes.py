"""Home page, language switch, audit log (and its public signing key) and outbox."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import select

from app.core import anchor
from app.core.home import render_panels
from app.core.mail import redact_links
from app.core.models import AuditEntry, OutboxMessage
from app.core.permissions import require
from app.core.redirects import safe_next
from app.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@require("home.view")
def home():
    """The panels the packages registered (``app.core.home``): core knows none of them."""
    return render_template("core/home.html", panels=render_panels(current_user))


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the language in the session and, when signed in, on the account."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))


def _parse_day(raw: str | None, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(raw or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@bp.route("/audit")
@require("audit.view")
def audit_log():
    """The audit log, newest first, filterable by action, object, actor and dates."""
    args = request.args
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if args.get("action"):
        query = query.where(AuditEntry.action.startswith(args["action"].strip(), autoescape=True))
    if args.get("object_type"):
        query = query.where(AuditEntry.object_type == args["object_type"])
    if args.get("object_id"):
        query = query.where(AuditEntry.object_id == args["object_id"].strip())
    if args.get("actor"):
        query = query.where(AuditEntry.actor_label.contains(args["actor"].strip().lower(), autoescape=True))
    start, end = _parse_day(args.get("from")), _parse_day(args.get("to"), end=True)
    if start:
        query = query.where(AuditEntry.at >= start)
    if end:
        query = query.where(AuditEntry.at <= end)
    page = db.paginate(query, per_page=50, error_out=False)
    object_types = db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type))
    return render_template("core/audit_log.html", page=page, object_types=list(object_types), args=args)


@bp.route("/audit/key")
def audit_key() -> Response:
    """The public key that signs the audit anchors (PEM, plain text, public): recipients check e-mails with it."""
    response = Response(anchor.public_pem(anchor.signing_key()), mimetype="text/plain")
    response.headers["Content-Disposition"] = 'inline; filename="audit-key.pem"'
    return response


@bp.route("/outbox")
@require("outbox.view")
def outbox():
    """E-mails sent by the platform (in development, the only delivery)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if request.args.get("recipient"):
        query = query.where(OutboxMessage.recipient.contains(request.args["recipient"].strip().lower(), autoescape=True))
    page = db.paginate(query, per_page=20, error_out=False)
    return render_template("core/outbox.html", page=page, redact=redact_links,
                           smtp=bool(current_app.config.get("MAIL_SERVER")))
