"""Results, the public bulletin board, its JSON export and tracker lookup.

The board and its export are public (no sign-in): anyone can check a closed
vote. Nothing is shown before the close but the turnout, a count. On a secret
vote no page pairs a member with a choice: members who took part are listed
apart from the ballots, by name only.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.assembly import kinds, secrecy, visibility, voting
from app.assembly.board_export import export_board
from app.assembly.labels import CHOICE_WORDS, OUTCOME_WORDS, rule_in_words
from app.assembly.models import Ballot, Vote, VoteStatus
from app.assembly.rules import THRESHOLDS, Outcome
from app.assembly.vote_forms import TrackerLookupForm
from app.core.bounds import bounded_int
from app.core.permissions import require
from app.extensions import db
from app.members.models import College

bp = Blueprint("board", __name__, template_folder="templates")

#: Board rows per page unless ``BOARD_PAGE_SIZE`` says otherwise.
DEFAULT_PAGE_SIZE = 100
#: What a tracker typed by a voter must look like once spaces and dashes are dropped.
TRACKER_PATTERN = secrecy.TRACKER

CHOICE_LABELS = CHOICE_WORDS
OUTCOME_LABELS = OUTCOME_WORDS


def _vote_or_404(vote_id: int) -> Vote:
    """The vote, or 404 when its assembly is hidden from the user (a draft: the secretariat's alone)."""
    return visibility.vote_or_404(vote_id)


def _public_vote_or_404(vote_id: int) -> Vote:
    """A vote as the public pages show it: hidden with its draft assembly, and a vote never opened is
    not announced to visitors (404)."""
    vote = _vote_or_404(vote_id)
    if vote.status == VoteStatus.pending and not current_user.is_authenticated:
        abort(404)
    return vote


def _published(vote: Vote) -> bool:
    return vote.is_closed and vote.result is not None


def _college_names(codes: set[str]) -> dict[str, str]:
    """Code -> name in the reader's language, for the colleges shown (one query)."""
    if not codes:
        return {}
    return {c.code: c.name for c in db.session.scalars(select(College).where(College.code.in_(codes)))}


# Results ------------------------------------------------------------------------------

def rule_text(rule: dict[str, Any]) -> str:
    """The majority rule of a published result, in words."""
    return rule_in_words(rule["base"], rule["threshold"], bool(rule.get("double_majority")))


def quorum_text(quorum: dict[str, Any]) -> str:
    if quorum["second_convocation"]:
        return _("Second convocation: no quorum required")
    ratio = Fraction(quorum["ratio"])
    if quorum["strict"]:
        return _("More than %(ratio)s of the electorate must take part", ratio=f"{ratio.numerator}/{ratio.denominator}")
    return _("At least %(ratio)s of the electorate must take part", ratio=f"{ratio.numerator}/{ratio.denominator}")


def minimum_needed(share: Fraction, strict: bool, base: int) -> int | None:
    """The fewest votes reaching ``share`` of ``base`` (exact), or None when the base is empty."""
    if base <= 0:
        return None
    exact = share * base
    return math.floor(exact) + 1 if strict else math.ceil(exact)


def base_count(counts: dict[str, int], base: str, electorate: int) -> int:
    return {"expressed": counts["for"] + counts["against"],
            "cast": counts["for"] + counts["against"] + counts["abstain"],
            "electorate": electorate}[base]


@bp.route("/votes/<int:vote_id>/results")
@require("vote.results")
def results(vote_id: int):
    vote = _vote_or_404(vote_id)
    elsewhere = kinds.own_page(vote, "results")  # an election's results page explains its count
    if elsewhere is not None:
        return redirect(elsewhere)
    if not _published(vote):
        return render_template("assembly/results.html", vote=vote, resolution=vote.resolution, result=None,
                               turnout=voting.turnout(vote) if vote.is_open else None)
    result = vote.result
    threshold = THRESHOLDS[result["rule"]["threshold"]]
    base = base_count(result["counts"], result["rule"]["base"], result["electorate"])
    quorum = result["quorum"]
    quorum_needed = (None if quorum["second_convocation"] else
                     minimum_needed(Fraction(quorum["ratio"]), quorum["strict"], result["electorate"]))
    by_college = [
        {"code": code, **row, "base": base_count(row, result["rule"]["base"], row["electorate"]),
         "needed": minimum_needed(threshold.ratio, threshold.strict,
                                  base_count(row, result["rule"]["base"], row["electorate"]))}
        for code, row in result["by_college"].items()]
    participants = voting.participants(vote)
    names = _college_names({row["code"] for row in by_college} | {p[1] for p in participants})
    return render_template(
        "assembly/results.html", vote=vote, resolution=vote.resolution, result=result,
        rule_text=rule_text(result["rule"]), quorum_text=quorum_text(quorum), quorum_needed=quorum_needed,
        base=base, needed=minimum_needed(threshold.ratio, threshold.strict, base),
        outcome_label=OUTCOME_LABELS[Outcome(result["outcome"])], by_college=by_college, college_names=names,
        participants=participants, choice_labels=CHOICE_LABELS)


# The bulletin board ---------------------------------------------------------------------

@dataclass(frozen=True)
class BoardPage:
    """What the ``pager`` macro needs."""

    page: int
    pages: int
    per_page: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first_position(self) -> int:
        return (self.page - 1) * self.per_page + 1


def page_size() -> int:
    return max(1, int(current_app.config.get("BOARD_PAGE_SIZE", DEFAULT_PAGE_SIZE)))


def normalise_tracker(raw: str) -> str:
    """A tracker as typed (spaces, dashes, capitals) in its canonical form."""
    return re.sub(r"[\s\-]", "", raw).lower()


@bp.route("/votes/<int:vote_id>/board", methods=["GET", "POST"])
def board(vote_id: int):
    """Public: the sealed board, page by page (GET ``?page=``), and the tracker lookup (POST).

    The lookup is posted (CSRF-protected, signed in or not) and answered on the spot with the
    tracker's page and row: no tracker ever travels in a URL, so no access log pairs a client
    address with one. A GET carrying ``?tracker=`` looks nothing up and does not echo it.
    """
    vote = _public_vote_or_404(vote_id)
    if not _published(vote):
        return render_template("assembly/board.html", vote=vote, resolution=vote.resolution, sealed=False,
                               turnout=voting.turnout(vote) if vote.is_open else None)
    per_page = page_size()
    total = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) or 0
    pages = max(1, math.ceil(total / per_page))
    form = TrackerLookupForm()
    current = min(max(request.args.get("page", 1, type=bounded_int), 1), pages)
    found = ""
    position: int | None = None
    status = 200
    if request.method == "POST":
        current, found, position, status = _look_up(vote, form, per_page, current)
    else:
        form.tracker.data = ""  # a tracker sent in the URL is never echoed
    page = BoardPage(current, pages, per_page)
    entries = voting.board_slice(vote, current, per_page) if total else []
    members = [p[0] for p in voting.participants(vote)]
    return render_template("assembly/board.html", vote=vote, resolution=vote.resolution, sealed=True,
                           entries=entries, page=page, total=total, members=members, form=form,
                           tracker=found, position=position, choice_labels=CHOICE_LABELS,
                           final_hash=vote.final_hash,
                           tracker_in_url=request.method == "GET" and "tracker" in request.args), status


def _look_up(vote: Vote, form: TrackerLookupForm, per_page: int, current: int) -> tuple[int, str, int | None, int]:
    """(page to show, tracker found or "", its position, status) for a posted lookup; a tracker
    malformed or not on the board is a field error on the form (what was typed is kept)."""
    if not form.validate_on_submit():
        return current, "", None, 422
    tracker = normalise_tracker(form.tracker.data or "")
    if not TRACKER_PATTERN.fullmatch(tracker):
        form.tracker.errors = [_("A tracker has 32 characters, digits and letters a to f.")]
        return current, "", None, 422
    position = voting.tracker_position(vote, tracker)
    if position is None:
        form.tracker.errors = [_("No ballot with this tracker on this board. Check that you typed it exactly "
                                 "as it was shown (32 characters, digits and letters a to f).")]
        return current, "", None, 200
    return (position - 1) // per_page + 1, tracker, position, 200


# The JSON export ------------------------------------------------------------------------

@bp.route("/votes/<int:vote_id>/board.json")
def board_json(vote_id: int):
    """Public: the board as a file, once the vote is closed (409 before)."""
    vote = _public_vote_or_404(vote_id)
    if not _published(vote):
        return jsonify(error=_("The bulletin board is published when the vote closes.")), 409
    body = json.dumps(export_board(vote), ensure_ascii=False, indent=1)
    return Response(body + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="vote-{vote.id}-board.json"'})
