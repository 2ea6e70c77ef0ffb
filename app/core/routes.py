"""Home page, language switch, audit log (and its public signing key) and outbox."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import select

from app.core import anchor
from app.core.audit_routes import audit_log
from app.core.home import render_panels
from app.core.mail import redact_links
from app.core.models import OutboxMessage
from app.core.permissions import require
from app.core.redirects import safe_next
from app.extensions import db

bp = Blueprint("core", __name__)
bp.add_url_rule("/audit", view_func=audit_log)  # the audit log as sentences (app/core/audit_routes.py)


@bp.route("/")
@require("home.view")
def home():
    """The panels the packages registered (``app.core.home``): core knows none of them."""
    return render_template("core/home.html", panels=render_panels(current_user))


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the language for this session only: another browser of the same account keeps its own.
    The account's default language (new sessions, e-mails) is chosen on the account page."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    return redirect(safe_next(request.form.get("next")))


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
