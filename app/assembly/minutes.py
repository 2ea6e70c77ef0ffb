"""The minutes of an assembly: gathered in a fixed number of queries, rendered to HTML and PDF.

The PDF is rendered from the same HTML by WeasyPrint, whose Pango/HarfBuzz text
stack shapes Arabic (joined letters, right to left) as long as a font with
Arabic glyphs is installed: the stylesheet asks for DejaVu Sans
(Debian ``fonts-dejavu-core``). Nothing is fetched while rendering: every
resource URL is refused, so text typed by users cannot make the server fetch
anything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import format_date, format_time, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased, selectinload

from app.assembly import services
from app.assembly.labels import OUTCOME_WORDS, rule_in_words
from app.assembly.models import (
    AgendaItem,
    Assembly,
    AssemblyKind,
    Participation,
    Presence,
    PresenceStatus,
    Proxy,
    Resolution,
    Vote,
)
from app.assembly.vote_forms import choice_labels
from app.core.content_i18n import localized
from app.core.i18n import text_direction
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import College, Member, MemberStatus

#: The stylesheet shared by the HTML preview (served as static) and the PDF.
STYLESHEET = "minutes.css"



@dataclass(frozen=True)
class AttendanceRow:
    """One convened member and how it attended."""

    name: str
    acronym: str
    suspended: bool
    attendance: PresenceStatus
    confirmed_online: bool
    holder: str | None


@dataclass(frozen=True)
class CollegeCounts:
    name: str
    electorate: int
    votes_for: int
    against: int
    abstain: int
    #: None for a college without electors: it is not counted.
    met: bool | None


@dataclass
class ResolutionMinutes:
    #: In the minutes' language where given, else the original marked (``content_i18n.localized``).
    title: Markup
    text: Markup
    rule: str
    double_majority: bool
    secret: bool
    status_label: str
    closed: bool
    result: dict[str, Any] | None = None
    outcome: str = ""
    final_hash: str = ""
    #: The audit log's head recorded when the vote closed ("N:HASH"), printed with its result.
    audit_head: str = ""
    colleges: list[CollegeCounts] = field(default_factory=list)
    #: Open (named) votes only: (member name, choice label).
    named_choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ItemMinutes:
    position: int
    title: Markup
    description: Markup
    resolutions: list[ResolutionMinutes]


@dataclass
class Minutes:
    """Everything the template shows, already gathered: rendering issues no query."""

    assembly: Assembly
    programme: str
    kind: str
    attendance: list[AttendanceRow]
    proxies: list[tuple[str, str]]
    summary: services.PresenceSummary
    quorum_ratio: str
    items: list[ItemMinutes]
    generated_at: datetime
    locale: str
    direction: str

    @property
    def notes(self) -> str:
        return self.assembly.minutes_notes or ""


def when(value: datetime | None) -> Markup:
    """A date and time in the reader's language (times are UTC on the platform).

    Each part is isolated: in an Arabic sentence the time and "UTC" stay one left-to-right group and the date
    keeps its own order, whatever the text around them (HTML pages and the PDFs rendered from them)."""
    if value is None:
        return Markup("")
    return Markup('<bdi class="date">{}</bdi>, <bdi class="time" dir="ltr">{} UTC</bdi>').format(
        format_date(value, "long"), format_time(value, "HH:mm"))


def resolution_rule(resolution: Resolution) -> str:
    return rule_in_words(resolution.majority_base, resolution.threshold, resolution.double_majority)


def _attendance(assembly: Assembly) -> list[AttendanceRow]:
    """Active and suspended members with their presence and proxy holder (one query).

    A member without a presence row is absent.
    """
    holder = aliased(Member)
    rows = db.session.execute(
        select(Member.name, Member.acronym, Member.status, Presence.status, Presence.confirmed_online, holder.name)
        .outerjoin(Presence, and_(Presence.member_id == Member.id, Presence.assembly_id == assembly.id))
        .outerjoin(Proxy, and_(Proxy.giver_id == Member.id, Proxy.assembly_id == assembly.id,
                               Proxy.revoked_at.is_(None)))
        .outerjoin(holder, holder.id == Proxy.holder_id)
        .where(Member.status.in_(services.CONVENED_STATUSES))
        .order_by(Member.name_key)).all()
    return [AttendanceRow(name, acronym or "", status == MemberStatus.suspended,
                          PresenceStatus(presence or PresenceStatus.absent), bool(online), holder_name)
            for name, acronym, status, presence, online, holder_name in rows]


def _proxies(assembly: Assembly) -> list[tuple[str, str]]:
    """Live proxies as (giver, holder) names (one query)."""
    giver, holder = aliased(Member), aliased(Member)
    return [(g, h) for g, h in db.session.execute(
        select(giver.name, holder.name).select_from(Proxy)
        .join(giver, giver.id == Proxy.giver_id).join(holder, holder.id == Proxy.holder_id)
        .where(Proxy.assembly_id == assembly.id, Proxy.revoked_at.is_(None)).order_by(giver.name_key)).all()]


def _agenda(assembly: Assembly) -> list[AgendaItem]:
    """Agenda items with their resolutions and votes (three queries)."""
    return list(db.session.scalars(
        select(AgendaItem).where(AgendaItem.assembly_id == assembly.id).order_by(AgendaItem.position)
        .options(selectinload(AgendaItem.resolutions).selectinload(Resolution.vote))))


def _named_choices(votes: list[Vote]) -> dict[int, list[tuple[str, str]]]:
    """Each member's choice in the closed open (named) votes, by vote (one query for all of them)."""
    ids = [v.id for v in votes if v.is_closed and not v.secret]
    if not ids:
        return {}
    labels = dict(choice_labels())
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for vote_id, name, choice in db.session.execute(
            select(Participation.vote_id, Member.name, Participation.open_choice)
            .join(Member, Member.id == Participation.member_id)
            .where(Participation.vote_id.in_(ids)).order_by(Participation.vote_id, Member.name_key)):
        out[vote_id].append((name, labels.get(choice or "", choice or "")))
    return out


def _college_names(votes: list[Vote]) -> dict[str, str]:
    """Names of the colleges, needed only when a closed vote has per-college counts (one query)."""
    if not any(v.is_closed and (v.result or {}).get("by_college") for v in votes):
        return {}
    return {c.code: c.name for c in db.session.scalars(select(College))}


def _resolution(resolution: Resolution, named: dict[int, list[tuple[str, str]]],
                colleges: dict[str, str], locale: str) -> ResolutionMinutes:
    vote = resolution.vote
    entry = ResolutionMinutes(title=localized(resolution, "title", locale),
                              text=localized(resolution, "text", locale, block=True, cls="resolution-text"),
                              rule=resolution_rule(resolution),
                              double_majority=resolution.double_majority, secret=vote.secret,
                              status_label=vote.status_enum.label, closed=vote.is_closed)
    if vote.is_closed and vote.result:
        result = vote.result
        entry.result = result
        outcome = OUTCOME_WORDS.get(result.get("outcome", ""))
        entry.outcome = str(outcome) if outcome is not None else str(result.get("outcome", ""))
        entry.final_hash = vote.final_hash or result.get("final_hash", "")
        entry.audit_head = vote.audit_head or ""
        entry.colleges = [
            CollegeCounts(colleges.get(code, code), c["electorate"], c["for"], c["against"], c["abstain"], c["met"])
            for code, c in sorted(result.get("by_college", {}).items())]
        entry.named_choices = named.get(vote.id, [])
    return entry


def gather(assembly: Assembly) -> Minutes:
    """Everything the minutes show, in a number of queries that does not grow with the members."""
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    agenda = _agenda(assembly)
    votes = [r.vote for item in agenda for r in item.resolutions]
    named = _named_choices(votes)
    colleges = _college_names(votes)
    items = [ItemMinutes(item.position, localized(item, "title", locale),
                         localized(item, "description", locale, block=True, cls="description"),
                         [_resolution(r, named, colleges, locale) for r in item.resolutions]) for item in agenda]
    return Minutes(
        assembly=assembly,
        programme=current_app.config.get("PROGRAMME_NAME") or str(_l("Programme platform")),
        kind=AssemblyKind(assembly.kind).label,
        attendance=_attendance(assembly),
        proxies=_proxies(assembly),
        summary=services.presence_summary(assembly),
        quorum_ratio=str(Fraction(assembly.quorum_num, assembly.quorum_den)),
        items=items,
        generated_at=utcnow(),
        locale=locale,
        direction=text_direction(locale),
    )


def render_html(minutes: Minutes, *, pdf: bool = False) -> str:
    """The minutes as an HTML document (``pdf``: without links to the stylesheet and pages)."""
    return render_template("assembly/minutes.html", m=minutes, a=minutes.assembly, pdf=pdf, when=when)


def stylesheet_path() -> Path:
    return Path(current_app.static_folder or "") / STYLESHEET


def html_to_pdf(html: str) -> bytes:
    """A document of the platform as a PDF with the minutes' stylesheet (Arabic shaped by Pango/HarfBuzz).

    Nothing is fetched: user-typed text cannot make the server load a URL.
    """
    from weasyprint import CSS, HTML  # imported here: loading Pango costs time at import
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=())
    css = CSS(filename=str(stylesheet_path()), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf(stylesheets=[css])


def render_pdf(minutes: Minutes) -> bytes:
    """The minutes as a PDF, rendered from the HTML."""
    return html_to_pdf(render_html(minutes, pdf=True))
