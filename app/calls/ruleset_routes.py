"""Rule-set pages: list, create, the rule set and its versions, history and differences, amendments, freeze.

Routes load (404), check the permission, validate the form, call a service in
``rulesets.py``, commit once; a refusal is shown next to its field and what was
typed is kept. Adoption has no page: the counted resolution does it
(``adoption.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from app.assembly import services as assembly_services
from app.assembly import visibility
from app.assembly.labels import CHOICE_WORDS, OUTCOME_WORDS
from app.assembly.models import AgendaItem, Assembly, AssemblyStatus, Resolution, Vote, VoteStatus
from app.calls import content as rule_content
from app.calls import rules, rulesets, wording
from app.calls.models import (
    Amendment,
    AmendmentComment,
    AmendmentStatus,
    AmendmentSupport,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
)
from app.calls.money import euros
from app.calls.ruleset_forms import (
    CommentForm,
    ConfirmForm,
    DecideForm,
    FreezeForm,
    amendment_form,
    rebase_form,
    rule_set_form,
)
from app.core.bounds import bounded_int
from app.core.content_forms import interface_language
from app.core.content_i18n import localized_text
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import can, ensure, require
from app.extensions import db

bp = Blueprint("rulesets", __name__, template_folder="templates")


@bp.app_template_filter("ruleset_status")
def ruleset_status_label(value: str) -> str:
    return VersionStatus(value).label


@bp.app_template_filter("amendment_status")
def amendment_status_label(value: str) -> str:
    return AmendmentStatus(value).label


# Presentation helpers ------------------------------------------------------------------------

def _lang() -> str:
    return str(get_locale() or "fr")


def describe(content: dict[str, Any]) -> wording.RulesInWords:
    """A content in sentences, in the reader's language: the same words as the call page's."""
    return wording.rules_in_words(rulesets.normalise(content), _lang())


@dataclass(frozen=True)
class DiffRow:
    path: str
    label: str
    before: str
    after: str
    lang: str | None  # the language of a text leaf (…name.ar), for lang/dir on its cells


MONEY_PATHS = ("funding.ceiling", "funding.floor", "eligibility.budget_range.min", "eligibility.budget_range.max")


def show_value(path: str, value: Any) -> str:
    """A leaf's value for people."""
    if value is rule_content.ABSENT:
        return "—"
    parts = path.split(".")
    if isinstance(value, dict) and len(parts) == 2 and parts[0] == "eligibility" and parts[1] in rules.REGISTRY:
        return _sentence(parts[1], value) or ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, dict):
        return _("applies") if not value else ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        if path.endswith(".countries"):
            return ", ".join(wording.country_name(str(v)) for v in value) or "—"
        return ", ".join(str(v) for v in value) or "—"
    if value == "":
        return _("none") if path == "funding.ceiling" else "—"
    try:
        if path == "funding.rate":
            return f"{wording.percent_text(value)} %"
        if path in MONEY_PATHS:
            return euros(value)
        if path.endswith(".min_percent"):
            return f"{wording.share_text(value)} %"  # never "3E+1 %"
    except (InvalidOperation, ValueError):
        pass
    return str(value)


def _sentence(kind: str, params: dict[str, Any]) -> str | None:
    """A rule in its sentence (``rules.describe``), or None if its values do not make one."""
    try:
        return rules.describe(kind, params)
    except (InvalidOperation, ValueError, TypeError):
        return None


def _whole_rule(kind: str, changes: list[rule_content.Change]) -> DiffRow | None:
    """An eligibility rule added or removed as a whole, as one row with its sentence ("—" on the other side);
    None when only some of its values change."""
    added = all(c.old is rule_content.ABSENT for c in changes)
    if not added and not all(c.new is rule_content.ABSENT for c in changes):
        return None
    params: dict[str, Any] = {}
    for change in changes:
        value = change.new if added else change.old
        param = change.path.split(".")[2:]
        if not param and isinstance(value, dict):
            params.update(value)
        elif len(param) == 1:
            params[param[0]] = value
        else:
            return None
    whole = any(len(c.path.split(".")) == 2 for c in changes) or set(rules.REGISTRY[kind].params) <= set(params)
    sentence = _sentence(kind, params) if whole else None
    if sentence is None:
        return None
    path = f"eligibility.{kind}"
    return DiffRow(path, wording.path_label(path), "—" if added else sentence, sentence if added else "—", None)


def diff_rows(changes: list[rule_content.Change], *contents: dict[str, Any], compact: bool = True) -> list[DiffRow]:
    """Changes as table rows, labelled as the editor labels its fields (``wording.path_label``, with the criterion's
    name in the reader's language). ``compact`` (off where each change needs a row of its own): an eligibility
    rule added or removed is one row, its sentence, and a row whose two sides read the same (an empty Arabic
    name of a new criterion: "—" and "—") is left out."""
    names = wording.criterion_names(*contents, changes=changes, lang=_lang())
    by_kind: dict[str, list[rule_content.Change]] = {}
    for change in changes:
        parts = change.path.split(".")
        if compact and parts[0] == "eligibility" and len(parts) > 1 and parts[1] in rules.REGISTRY:
            by_kind.setdefault(parts[1], []).append(change)
    wholes = {kind: row for kind, its in by_kind.items() if (row := _whole_rule(kind, its)) is not None}
    rows: list[DiffRow] = []
    shown: set[str] = set()
    for change in changes:
        parts = change.path.split(".")
        kind = parts[1] if parts[0] == "eligibility" and len(parts) > 1 else ""
        if kind in wholes:
            if kind not in shown:
                shown.add(kind)
                rows.append(wholes[kind])
            continue
        before, after = show_value(change.path, change.old), show_value(change.path, change.new)
        if compact and before == after:
            continue
        text_lang = parts[-1] if parts[-1] in rules.LANGS and len(parts) > 2 else None
        rows.append(DiffRow(change.path, wording.path_label(change.path, names), before, after, text_lang))
    return rows


@dataclass(frozen=True)
class ConflictRow:
    label: str
    written: str   # the value the amendment was written against
    now: str       # the value in the current version
    proposed: str
    lang: str | None


def conflict_rows(changes: list[rule_content.Change], head_content: dict[str, Any], *contents: dict[str, Any]
                  ) -> list[ConflictRow]:
    """Conflicting changes with the value they expected, the value now, and the value proposed."""
    now = rule_content.flatten(rulesets.normalise(head_content))
    return [ConflictRow(row.label, row.before, show_value(change.path, now.get(change.path, rule_content.ABSENT)),
                        row.after, row.lang)
            for change, row in zip(changes, diff_rows(changes, head_content, *contents, compact=False),
                                   strict=True)]


def _changes_of(amendment: Amendment) -> list[rule_content.Change]:
    return [rule_content.Change.from_dict(c) for c in amendment.changes]


@dataclass(frozen=True)
class PutTo:
    """Where a version went: its resolution, the assembly, and the counted decision if any."""

    resolution: Resolution
    assembly: Assembly
    decision: dict[str, Any] | None

    @property
    def outcome(self) -> str:
        return str(OUTCOME_WORDS.get((self.decision or {}).get("outcome", ""), ""))

    @property
    def vote(self) -> Vote:
        return self.resolution.vote

    @property
    def may_open(self) -> bool:
        """The vote can be opened now: still pending, in a convened assembly (as ``voting.open_vote`` requires)."""
        return self.vote.status == VoteStatus.pending and self.assembly.status in (AssemblyStatus.convened,
                                                                                    AssemblyStatus.in_session)


def put_to(version: RuleSetVersion | None) -> PutTo | None:
    if version is None or version.resolution_id is None:
        return None
    resolution = db.session.scalar(
        select(Resolution).where(Resolution.id == version.resolution_id)
        .options(selectinload(Resolution.agenda_item).selectinload(AgendaItem.assembly),
                 selectinload(Resolution.vote)))
    if resolution is None or not visibility.assembly_visible(current_user, resolution.agenda_item.assembly):
        return None  # a draft assembly is hidden from all but the secretariat: the page does not name it
    return PutTo(resolution, resolution.agenda_item.assembly, version.decision)


def _rule_set_or_404(rule_set_id: int) -> RuleSet:
    return db.get_or_404(RuleSet, rule_set_id)


def _amendment_or_404(rule_set: RuleSet, amendment_id: int) -> Amendment:
    amendment = db.session.scalar(
        select(Amendment).where(Amendment.id == amendment_id)
        .options(selectinload(Amendment.proposer), selectinload(Amendment.proposer_member),
                 selectinload(Amendment.decided_by), selectinload(Amendment.base_version)))
    if amendment is None or amendment.rule_set_id != rule_set.id:
        abort(404)
    return amendment


def _to_detail(rule_set: RuleSet) -> Response:
    return redirect(url_for("rulesets.detail", rule_set_id=rule_set.id))


def _to_amendment(amendment: Amendment) -> Response:
    return redirect(url_for("rulesets.amendment", rule_set_id=amendment.rule_set_id, amendment_id=amendment.id))


def _fail(form: Any, exc: DomainError) -> None:
    """A content problem goes to its fields (and the rest on top); any other refusal to its field."""
    if isinstance(exc, rulesets.ContentInvalid):
        db.session.rollback()
        form.place(exc.problems)
        flash(str(exc.message), "error")
        for line in form.unplaced:
            flash(line, "error")
        return
    fail_at_field(form, exc)


def _base_version(rule_set: RuleSet, form: Any, fallback: RuleSetVersion) -> RuleSetVersion:
    """The version the editor was filled from (its number travels in a hidden field)."""
    number = request.form.get("base_number", type=bounded_int)
    if number is None or number == fallback.number:
        return fallback
    return rulesets.version(rule_set, number) or fallback


# List and creation -----------------------------------------------------------------------------

@bp.route("/rulesets")
@require("ruleset.view")
def index():
    page = db.paginate(select(RuleSet).order_by(RuleSet.created_at.desc(), RuleSet.id.desc()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False, max_per_page=100)
    ids = [rs.id for rs in page.items]
    heads: dict[int, RuleSetVersion] = {}
    adopted: dict[int, int] = {}
    if ids:
        heads = {v.rule_set_id: v for v in db.session.scalars(
            select(RuleSetVersion).join(RuleSet, RuleSet.id == RuleSetVersion.rule_set_id)
            .where(RuleSet.id.in_(ids), RuleSetVersion.number == RuleSet.head_number))}
        adopted = dict(db.session.execute(
            select(RuleSetVersion.rule_set_id, func.max(RuleSetVersion.number))
            .where(RuleSetVersion.rule_set_id.in_(ids), RuleSetVersion.status == VersionStatus.adopted)
            .group_by(RuleSetVersion.rule_set_id)).all())
    return render_template("calls/rulesets/index.html", page=page, heads=heads, adopted=adopted)


@bp.route("/rulesets/new", methods=["GET", "POST"])
@require("ruleset.create")
def create():
    form = rule_set_form()
    base = rule_content.empty_content()
    status = 200
    if request.method == "GET":
        form.load(base)
    elif form.add_rows.data:
        form.add_blank_rows()
    elif form.validate_on_submit():
        try:
            rule_set = rulesets.create_rule_set(actor=current_user, titles=form.titles(),
                                                content=form.build_content(base))
        except DomainError as exc:
            _fail(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Draft rule set created (version 1). Committee members can now propose amendments."),
                  "success")
            return _to_detail(rule_set)
    else:
        status = 422
    return render_template("calls/rulesets/form.html", form=form, rule_set=None), status


# The rule set, its versions and history -----------------------------------------------------------

def _latest_adopted(rule_set: RuleSet) -> RuleSetVersion | None:
    return db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == rule_set.id,
                                                          RuleSetVersion.status == VersionStatus.adopted)
                             .order_by(RuleSetVersion.number.desc()).limit(1))


@bp.route("/rulesets/<int:rule_set_id>")
@require("ruleset.view")
def detail(rule_set_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    current = rulesets.head(rule_set)
    proposed = list(db.session.scalars(
        select(Amendment).where(Amendment.rule_set_id == rule_set.id, Amendment.status == AmendmentStatus.proposed)
        .options(selectinload(Amendment.proposer), selectinload(Amendment.proposer_member),
                 selectinload(Amendment.base_version))
        .order_by(Amendment.created_at, Amendment.id)))
    supports = rulesets.support_counts([a.id for a in proposed])
    conflicting = {a.id for a in proposed
                   if a.base_version_id != current.id and rulesets.conflicts_of(a, current.content)}
    adopted = current if current.status == VersionStatus.adopted else _latest_adopted(rule_set)
    return render_template(
        "calls/rulesets/detail.html", rule_set=rule_set, current=current, described=describe(current.content),
        proposed=proposed, supports=supports, conflicting=conflicting, put_to=put_to(current),
        adopted=adopted, adopted_put_to=put_to(adopted) if adopted is not None and adopted is not current else None,
        made_by=_made_by(current), choice_words=CHOICE_WORDS)


def _made_by(version: RuleSetVersion) -> Amendment | None:
    if version.amendment_id is None:
        return None
    return db.session.scalar(select(Amendment).where(Amendment.id == version.amendment_id).options(
        selectinload(Amendment.proposer), selectinload(Amendment.proposer_member),
        selectinload(Amendment.decided_by)))


@bp.route("/rulesets/<int:rule_set_id>/versions/<int:number>")
@require("ruleset.view")
def version(rule_set_id: int, number: int):
    rule_set = _rule_set_or_404(rule_set_id)
    item = rulesets.version(rule_set, number)
    if item is None:
        abort(404)
    return render_template("calls/rulesets/version.html", rule_set=rule_set, version=item,
                           described=describe(item.content), made_by=_made_by(item), put_to=put_to(item),
                           choice_words=CHOICE_WORDS)


@bp.route("/rulesets/<int:rule_set_id>/history")
@require("ruleset.view")
def history(rule_set_id: int):
    """Every version with the amendment that made it, and the difference between any two versions."""
    rule_set = _rule_set_or_404(rule_set_id)
    page = db.paginate(select(RuleSetVersion).where(RuleSetVersion.rule_set_id == rule_set.id)
                       .order_by(RuleSetVersion.number.desc()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False, max_per_page=100)
    amendments = {a.id: a for a in db.session.scalars(
        select(Amendment).where(Amendment.id.in_([v.amendment_id for v in page.items if v.amendment_id]))
        .options(selectinload(Amendment.proposer), selectinload(Amendment.proposer_member),
                 selectinload(Amendment.decided_by)))}
    closed = list(db.session.scalars(
        select(Amendment).where(Amendment.rule_set_id == rule_set.id,
                                Amendment.status.in_((AmendmentStatus.declined, AmendmentStatus.withdrawn)))
        .options(selectinload(Amendment.proposer), selectinload(Amendment.proposer_member),
                 selectinload(Amendment.decided_by), selectinload(Amendment.base_version))
        .order_by(Amendment.decided_at.desc(), Amendment.id.desc())))
    numbers = list(range(1, rule_set.head_number + 1))
    to_n = request.args.get("to", type=bounded_int) or rule_set.head_number
    from_n = request.args.get("from", type=bounded_int) or max(1, to_n - 1)
    compared = None
    if from_n in numbers and to_n in numbers:
        before, after = rulesets.version(rule_set, from_n), rulesets.version(rule_set, to_n)
        if before is not None and after is not None:
            changes = rule_content.diff(rulesets.normalise(before.content), rulesets.normalise(after.content))
            compared = {"from": from_n, "to": to_n, "rows": diff_rows(changes, after.content, before.content)}
    elif "from" in request.args or "to" in request.args:
        flash(_("Choose two versions of this rule set."), "error")
    return render_template("calls/rulesets/history.html", rule_set=rule_set, page=page, amendments=amendments,
                           closed=closed, numbers=numbers, from_n=from_n, to_n=to_n, compared=compared)


# Amendments -------------------------------------------------------------------------------------

@bp.route("/rulesets/<int:rule_set_id>/amendments/new", methods=["GET", "POST"])
@require("amendment.propose")
def propose(rule_set_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    current = rulesets.head(rule_set)
    if current.status == VersionStatus.frozen:
        flash(_("This version is before the assembly: amendments can be proposed again once it has decided."),
              "error")
        return _to_detail(rule_set)
    form = amendment_form()
    base = _base_version(rule_set, form, current)
    status = 200
    if request.method == "GET":
        form.load(current.content)
    elif form.add_rows.data:
        form.add_blank_rows()
    elif form.validate_on_submit():
        try:
            amendment = rulesets.propose_amendment(
                rule_set, actor=current_user, title=form.title.data, rationale=form.rationale.data,
                new_content=form.build_content(base.content), base=base)
        except DomainError as exc:
            _fail(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Amendment proposed. Other committee members can now comment on it and support it."),
                  "success")
            return _to_amendment(amendment)
    else:
        status = 422
    return render_template("calls/rulesets/amendment_form.html", form=form, rule_set=rule_set, base=base,
                           amendment=None, view=None), status


def _amendment_page(rule_set: RuleSet, amendment: Amendment, comment_form: CommentForm | None = None,
                    status: int = 200) -> tuple[str, int]:
    current = rulesets.head(rule_set)
    supporters = list(db.session.scalars(
        select(AmendmentSupport).where(AmendmentSupport.amendment_id == amendment.id)
        .options(selectinload(AmendmentSupport.member)).order_by(AmendmentSupport.created_at)))
    comments = list(db.session.scalars(
        select(AmendmentComment).where(AmendmentComment.amendment_id == amendment.id)
        .options(selectinload(AmendmentComment.author)).order_by(AmendmentComment.id)))
    conflicts = []
    if amendment.status == AmendmentStatus.proposed and amendment.base_version_id != current.id:
        conflicts = rulesets.conflicts_of(amendment, current.content)
    member_id = getattr(current_user, "member_id", None)
    may_support = (amendment.status == AmendmentStatus.proposed and can(current_user, "amendment.support")
                   and member_id is not None and member_id != amendment.proposer_member_id
                   and all(s.member_id != member_id for s in supporters))
    rows = diff_rows(_changes_of(amendment), amendment.base_version.content, current.content)
    return render_template(
        "calls/rulesets/amendment.html", rule_set=rule_set, amendment=amendment, current=current, rows=rows,
        conflicts=conflict_rows(conflicts, current.content, amendment.base_version.content), supporters=supporters, comments=comments,
        comment_form=comment_form or CommentForm(formdata=None), may_support=may_support,
        is_proposer=current_user.id == amendment.proposer_id, may_decide=rulesets.may_decide(current_user, amendment),
        result_version=amendment.result_version), status


@bp.route("/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>")
@require("ruleset.view")
def amendment(rule_set_id: int, amendment_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    return _amendment_page(rule_set, _amendment_or_404(rule_set, amendment_id))


@bp.route("/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/comment", methods=["POST"])
@require("amendment.comment")
def comment(rule_set_id: int, amendment_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    item = _amendment_or_404(rule_set, amendment_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            rulesets.comment(item, actor=current_user, body=form.body.data)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Comment added."), "success")
            return _to_amendment(item)
    return _amendment_page(rule_set, item, form, 422)


@bp.route("/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/support", methods=["POST"])
@require("amendment.support")
def support(rule_set_id: int, amendment_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    item = _amendment_or_404(rule_set, amendment_id)
    if ConfirmForm().validate_on_submit():
        try:
            rulesets.support(item, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Your organisation supports this amendment."), "success")
    return _to_amendment(item)


@bp.route("/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/rebase", methods=["GET", "POST"])
@require("amendment.propose")
def rebase(rule_set_id: int, amendment_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    item = _amendment_or_404(rule_set, amendment_id)
    ensure(item.proposer_id == current_user.id)
    if item.status != AmendmentStatus.proposed:
        flash(_("This amendment has already been decided or withdrawn."), "error")
        return _to_amendment(item)
    view = rulesets.rebase_view(item)
    if view.head.status == VersionStatus.frozen:
        flash(_("This version is before the assembly: amendments can be rebased once it has decided."), "error")
        return _to_amendment(item)
    form = rebase_form()
    base = _base_version(rule_set, form, view.head)
    status = 200
    if request.method == "GET":
        form.load(view.content)
    elif form.add_rows.data:
        form.add_blank_rows()
    elif form.validate_on_submit():
        try:
            rulesets.rebase(item, actor=current_user, new_content=form.build_content(base.content), base=base)
        except DomainError as exc:
            _fail(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Amendment rebased on version %(n)s.", n=base.number), "success")
            return _to_amendment(item)
    else:
        status = 422
    return render_template("calls/rulesets/amendment_form.html", form=form, rule_set=rule_set, base=base,
                           amendment=item, view=view,
                           conflicts=conflict_rows(view.conflicts, view.head.content, item.base_version.content),
                           dropped=diff_rows(view.dropped, item.base_version.content)), status


@bp.route("/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/withdraw", methods=["POST"])
@require("amendment.propose")
def withdraw(rule_set_id: int, amendment_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    item = _amendment_or_404(rule_set, amendment_id)
    ensure(item.proposer_id == current_user.id)
    if ConfirmForm().validate_on_submit():
        try:
            rulesets.withdraw(item, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Amendment withdrawn."), "success")
    return _to_amendment(item)


@bp.route("/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/decide", methods=["GET", "POST"])
@require("amendment.decide")
def decide(rule_set_id: int, amendment_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    item = _amendment_or_404(rule_set, amendment_id)
    ensure(rulesets.may_decide(current_user, item))
    if item.status != AmendmentStatus.proposed:
        flash(_("This amendment has already been decided or withdrawn."), "error")
        return _to_amendment(item)
    form = DecideForm()
    status = 200
    if form.validate_on_submit():
        accept = form.decision.data == "accept"
        try:
            new = rulesets.decide_amendment(item, actor=current_user, accept=accept, reason=form.reason.data)
        except DomainError as exc:
            fail_at_field(form, exc)
            status = 422
        else:
            db.session.commit()
            if new is not None:
                flash(_("Amendment accepted: version %(n)s is written.", n=new.number), "success")
            else:
                flash(_("Amendment declined."), "success")
            return _to_amendment(item)
    elif request.method == "POST":
        status = 422
    current = rulesets.head(rule_set)
    conflicts = rulesets.conflicts_of(item, current.content) if item.base_version_id != current.id else []
    return render_template("calls/rulesets/decide.html", rule_set=rule_set, amendment=item, form=form,
                           current=current, rows=diff_rows(_changes_of(item), item.base_version.content),
                           conflicts=conflict_rows(conflicts, current.content, item.base_version.content)), status


# Putting a version to the assembly ------------------------------------------------------------

@bp.route("/rulesets/<int:rule_set_id>/freeze", methods=["GET", "POST"])
@require("ruleset.freeze")
def freeze(rule_set_id: int):
    rule_set = _rule_set_or_404(rule_set_id)
    current = rulesets.head(rule_set)
    if current.status not in rulesets.FREEZABLE:
        flash(_("Only a draft version, or one the assembly did not adopt, can be put to the assembly."), "error")
        return _to_detail(rule_set)
    items = rulesets.agenda_items_open()
    assemblies = list(db.session.scalars(select(Assembly).where(Assembly.status.in_(rulesets.OPEN_ASSEMBLIES))
                                         .order_by(Assembly.starts_at)))
    form = FreezeForm(items=items, assemblies=assemblies)
    if request.method == "GET":
        form.item_title.data = _("Rules of the call for projects: %(title)s", title=rule_set.title)
    status = 200
    if form.validate_on_submit():
        kind, _sep, raw_id = form.target.data.partition(":")
        try:
            if kind == "new":
                assembly = next(a for a in assemblies if str(a.id) == raw_id)
                item = assembly_services.add_agenda_item(assembly, actor=current_user, title=form.item_title.data,
                                                         source_locale=interface_language())
            else:
                item = next(i for i in items if str(i.id) == raw_id)
            resolution = rulesets.freeze(rule_set, actor=current_user, agenda_item=item)
        except DomainError as exc:
            fail_at_field(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Version %(n)s is frozen and put to the assembly “%(assembly)s” as the resolution "
                    "“%(resolution)s”.", n=rulesets.head(rule_set).number, assembly=localized_text(item.assembly, "title"),
                    resolution=resolution.title), "success")
            return _to_detail(rule_set)
    elif request.method == "POST":
        status = 422
    return render_template("calls/rulesets/freeze.html", rule_set=rule_set, current=current, form=form,
                           has_targets=bool(items or assemblies), text=rulesets.content_text(
                               rule_set.title, current.content, _lang())), status
