"""Decision letters: one PDF per proposal, in the lead's language, e-mailed to the lead's representatives.

``send_letters`` is what publishing a decision calls (``selection.publish_decision``). Each letter is the
outcome page's facts (``explanation.explain``) rendered with the minutes' stylesheet by
``app.assembly.minutes.html_to_pdf`` (Arabic shaped, right to left). The lead's language is its
delegate's, else French. A proposal whose letter went out already (``letter_sent_at``) is not sent twice.
The letter names no reviewer and no reviewer's organisation. Flushes, never commits.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.assembly.minutes import html_to_pdf, when
from app.auth.models import User
from app.auth.services import external_url
from app.calls import explanation
from app.calls.models import Proposal
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.calls.wording import reference
from app.core import audit, mail
from app.core.i18n import text_direction
from app.core.timeutil import utcnow
from app.extensions import db

PDF = "application/pdf"


def representatives(proposal: Proposal) -> list[User]:
    """The lead member's active delegate (first) and alternates: who receives the letter."""
    return list(db.session.scalars(
        select(User).where(User.member_id == proposal.lead_member_id, User.active.is_(True))
        .order_by(User.is_delegate.desc(), User.id)))


def letter_locale(proposal: Proposal, people: list[User] | None = None) -> str:
    """The lead's language: its delegate's locale, else French (the programme's default)."""
    people = representatives(proposal) if people is None else people
    delegate = next((u for u in people if u.is_delegate), None)
    default = current_app.config.get("BABEL_DEFAULT_LOCALE") or "fr"
    return (delegate.locale if delegate is not None and delegate.locale else None) or default


def letter_html(item: ProposalDecision, locale: str) -> str:
    """The letter as an HTML document in ``locale`` (what the PDF is made of)."""
    with force_locale(locale):
        ex = explanation.explain(item, lang=locale)
        return render_template(
            "calls/decisions/letter.html", ex=ex, proposal=item.proposal, call=item.decision.call, locale=locale,
            direction=text_direction(locale), when=when, generated_at=utcnow(),
            programme=current_app.config.get("PROGRAMME_NAME") or _("Programme platform"))


def letter_pdf(item: ProposalDecision, locale: str) -> bytes:
    """The decision letter of one proposal as a PDF in ``locale``."""
    return html_to_pdf(letter_html(item, locale))


def letter_filename(item: ProposalDecision) -> str:
    return f"decision-{reference(item.proposal)}.pdf"


def send_letters(decision: SelectionDecision, *, actor: Any) -> int:
    """Queue each proposal's letter (PDF attached) to its lead's representatives; returns the letters queued.

    A proposal already sent (``letter_sent_at``) or whose lead has nobody to write to is skipped; the
    latter is audited so the secretariat can send it by other means.
    """
    sent = 0
    now = utcnow()
    for item in decision.items:
        if item.letter_sent_at is not None:
            continue
        proposal = item.proposal
        people = representatives(proposal)
        if not people:
            audit.record("decision.letter_unsent", "proposal", proposal.id, actor=actor,
                         after={"reason": "no representative"})
            continue
        locale = letter_locale(proposal, people)
        pdf = letter_pdf(item, locale)
        with force_locale(locale):
            link = external_url("decisions.outcome", proposal_id=proposal.id)
            subject = _("Decision on your proposal %(ref)s", ref=reference(proposal))
            for user in people:
                body = render_template("calls/email/decision_letter.txt", user=user, proposal=proposal,
                                       call=decision.call, link=link)
                mail.queue(user.email, subject, body, attachment=(letter_filename(item), PDF, pdf))
        item.letter_sent_at = now
        sent += 1
        audit.record("decision.letter_sent", "proposal", proposal.id, actor=actor,
                     after={"locale": locale, "recipients": [u.id for u in people], "outcome": item.outcome})
    db.session.flush()
    return sent
