"""The agreement as a PDF, in the grantee's language (the grant's ``language``; Arabic right to left).

Rendered from ``grants/agreement_pdf.html`` with the minutes' stylesheet by
``app.assembly.minutes.html_to_pdf`` (Pango shapes Arabic); nothing is fetched from outside.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.assembly.minutes import html_to_pdf, when
from app.core.i18n import text_direction
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import instalments
from app.grants.models import BudgetVersion, Grant, GrantCofinancing

LANGUAGES = ("fr", "en", "ar")


def agreement_locale(grant: Grant) -> str:
    return grant.language if grant.language in LANGUAGES else "fr"


def agreement_html(grant: Grant, locale: str | None = None) -> str:
    """The agreement as an HTML document in ``locale`` (default: the grantee's language)."""
    locale = locale or agreement_locale(grant)
    version = db.session.scalar(select(BudgetVersion).where(BudgetVersion.grant_id == grant.id)
                                .order_by(BudgetVersion.number.desc()).limit(1))
    cofinancing = list(db.session.scalars(select(GrantCofinancing).where(GrantCofinancing.grant_id == grant.id)
                                          .order_by(GrantCofinancing.id)))
    with force_locale(locale):
        return render_template(
            "grants/agreement_pdf.html", grant=grant, version=version, cofinancing=cofinancing,
            states=instalments.states(grant), condition_text=instalments.condition_text, locale=locale,
            direction=text_direction(locale), when=when, generated_at=utcnow(),
            programme=current_app.config.get("PROGRAMME_NAME") or _("Programme platform"))


def agreement_pdf(grant: Grant, locale: str | None = None) -> bytes:
    return html_to_pdf(agreement_html(grant, locale))


def agreement_filename(grant: Grant) -> str:
    return f"agreement-{grant.number}.pdf"
