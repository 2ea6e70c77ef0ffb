"""Forms of the rule-set pages: one content editor (eligibility, funding, criteria) for creation, amendment and rebase.

The editor keeps what was typed: numbers are text fields, turned into typed
values only when they parse; anything else goes into the content as typed so
that ``content.validate`` words the problem, and ``place`` puts it at its field.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.calls import rules, scoring
from app.calls.content import DEFAULT_TOLERANCE
from app.calls.money import parse_amount
from app.calls.rulesets import criterion_code, normalise
from app.calls.wording import KIND_LABELS, PARAM_LABELS, ordered_criteria, path_label
from app.core.content_i18n import localized_text
from app.core.forms import BaseForm as FlaskForm
from app.core.forms import BaseRow as Form

BLANK_ROWS = 3
NUMERIC = {"inputmode": "numeric"}
ARABIC = {"lang": "ar", "dir": "rtl"}
DECIMAL = {"inputmode": "decimal"}
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

def _field_name(kind: str, param: str | None = None) -> str:
    return f"elig_{kind}" if param is None else f"elig_{kind}__{param}"


# Typed values: kept as typed when they do not parse (content.validate words the problem) ---------------

def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _as_int(raw: str) -> Any:
    try:
        return int(raw.strip())
    except ValueError:
        return raw


def _as_amount(raw: str) -> Any:
    try:
        return _decimal_text(parse_amount(raw))
    except ValueError:
        return raw


def _as_rate(raw: str) -> Any:
    """A percentage typed by a person ("65", "65 %", "62,5") as a share ("0.65")."""
    cleaned = raw.replace("%", "").strip()
    try:
        return _decimal_text(parse_amount(cleaned) / 100)
    except ValueError:
        return raw


def _as_countries(raw: str) -> list[str]:
    return [c.upper() for c in re.split(r"[,;\s]+", raw) if c]


def _typed(raw: str, type_: str) -> Any:
    raw = (raw or "").strip()
    if type_ == "int":
        return _as_int(raw)
    if type_ in ("money", "percent"):
        return _as_amount(raw)
    if type_ == "countries":
        return _as_countries(raw)
    return raw


def _text_of(value: Any, type_: str = "") -> str:
    if value is None:
        return ""
    if type_ == "countries" or isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]))
    return str(value)


def _same(old: Any, new: Any) -> bool:
    """Equal as values (66440 and "66440.00", 3 and "3"): the base's spelling is then kept, so no false change."""
    if old == new:
        return True
    if isinstance(old, bool) or isinstance(new, bool):
        return False
    if isinstance(old, (list, tuple)) or isinstance(new, (list, tuple)):
        return _as_countries(_text_of(old)) == _as_countries(_text_of(new))
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except (InvalidOperation, ValueError):
        return False


def _keep(old: Any, new: Any) -> Any:
    return old if old is not None and _same(old, new) else new


# The editor -------------------------------------------------------------------------------

class CriterionRow(Form):
    """One selection criterion (a row of the editor; a blank row adds one)."""

    code = HiddenField()
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_ar = StringField(_l("Name in Arabic"), validators=[Optional(), Length(max=200)], render_kw=ARABIC)
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=5000)])
    description_ar = TextAreaField(_l("Description in Arabic"), validators=[Optional(), Length(max=5000)],
                                   render_kw=ARABIC)
    weight = StringField(_l("Weight"), render_kw=NUMERIC)
    scale_max = StringField(_l("Scored from 0 to"), render_kw=NUMERIC)
    na_allowed = BooleanField(_l("“Not applicable” is allowed (left out of the mean, never counted as 0)"))
    min_justification = StringField(_l("Minimum length of the written justification (characters)"),
                                    render_kw=NUMERIC)
    remove = BooleanField(_l("Remove this criterion"))

    TEXTS = ("name_fr", "name_en", "name_ar", "description_fr", "description_en", "description_ar")

    def is_blank(self) -> bool:
        return not any((self[name].data or "").strip() for name in self.TEXTS)


class ContentEditor(FlaskForm):
    """Eligibility fields are added per registered kind by ``_editor_class`` (the registry may grow)."""

    rate = StringField(_l("Maximum rate of the total budget (%)"), render_kw=DECIMAL)
    ceiling = StringField(_l("Ceiling (€)"), render_kw=DECIMAL)
    floor = StringField(_l("Floor (€)"), render_kw=DECIMAL)
    disagreement = StringField(_l("Disagreement threshold (points out of 100)"), render_kw=NUMERIC)
    tolerance = StringField(_l("Tolerance of a budget line's variance (%)"), render_kw=NUMERIC)
    criteria = FieldList(FormField(CriterionRow))
    add_rows = SubmitField(_l("Add blank criteria"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows_by_code: dict[str, Any] = {}
        self.unplaced: list[str] = []

    # Showing a content -------------------------------------------------------------------

    def load(self, content: Mapping[str, Any]) -> None:
        """Fill the editor from a content (GET), then add blank criterion rows."""
        content = normalise(content)
        eligibility = content["eligibility"]
        for kind, spec in rules.REGISTRY.items():
            self[_field_name(kind)].data = kind in eligibility
            params = {**spec.defaults, **(eligibility.get(kind) or {})}
            for name, type_ in spec.params.items():
                self[_field_name(kind, name)].data = _text_of(params.get(name), type_)
        funding = content["funding"]
        try:
            self.rate.data = _decimal_text(rules.percent(Decimal(str(funding.get("rate")))))
        except (InvalidOperation, ValueError):
            self.rate.data = _text_of(funding.get("rate"))
        self.ceiling.data = _text_of(funding.get("ceiling"))
        self.floor.data = _text_of(funding.get("floor"))
        self.disagreement.data = _text_of((content.get("selection") or {}).get(
            "disagreement_threshold", scoring.DEFAULT_DISAGREEMENT))
        self.tolerance.data = _text_of((content.get("grants") or {}).get("tolerance_percent", DEFAULT_TOLERANCE))
        while self.criteria.entries:
            self.criteria.pop_entry()
        for code, criterion in ordered_criteria(content):
            row = self.criteria.append_entry().form
            row.code.data = code
            for lang in rules.LANGS:
                row[f"name_{lang}"].data = (criterion.get("name") or {}).get(lang, "")
                row[f"description_{lang}"].data = (criterion.get("description") or {}).get(lang, "")
            for name in ("weight", "scale_max", "min_justification"):
                row[name].data = _text_of(criterion.get(name))
            row.na_allowed.data = bool(criterion.get("na_allowed"))
        self.add_blank_rows()

    def add_blank_rows(self, count: int = BLANK_ROWS) -> None:
        for _ in range(count):
            row = self.criteria.append_entry().form
            row.weight.data, row.scale_max.data, row.min_justification.data = "1", "5", "0"

    def eligibility_groups(self) -> list[tuple[str, Field, list[Field]]]:
        """(kind, its on/off box, its parameter fields), in registry order, for the template."""
        return [(kind, self[_field_name(kind)], [self[_field_name(kind, p)] for p in spec.params])
                for kind, spec in rules.REGISTRY.items()]

    # Reading what was typed -----------------------------------------------------------------

    def build_content(self, base: Mapping[str, Any]) -> dict[str, Any]:
        """The content typed in the editor, on top of ``base`` (keys the editor does not show are kept)."""
        base = normalise(base)
        content = normalise(base)
        eligibility: dict[str, Any] = {k: v for k, v in base["eligibility"].items() if k not in rules.REGISTRY}
        for kind, spec in rules.REGISTRY.items():
            if not self[_field_name(kind)].data:
                continue
            old = dict(base["eligibility"].get(kind) or {})
            params = dict(old)
            for name, type_ in spec.params.items():
                params[name] = _keep(old.get(name), _typed(self[_field_name(kind, name)].data, type_))
            eligibility[kind] = params
        content["eligibility"] = eligibility
        funding = dict(base["funding"])
        funding["rate"] = _keep(funding.get("rate"), _as_rate((self.rate.data or "").strip()))
        ceiling = (self.ceiling.data or "").strip()
        funding["ceiling"] = _keep(funding.get("ceiling"), _as_amount(ceiling) if ceiling else "")
        floor = (self.floor.data or "").strip()
        funding["floor"] = _keep(funding.get("floor"), _as_amount(floor) if floor else "0")
        content["funding"] = funding
        content["criteria"] = self._criteria(base["criteria"])
        self._selection(content, base)
        return content

    def _selection(self, content: dict[str, Any], base: Mapping[str, Any]) -> None:
        """The disagreement threshold and the grants' tolerance; each left out while it is the default and the
        base has none (no difference shown for a value nobody set)."""
        _optional(content, base, "selection", "disagreement_threshold", self.disagreement.data,
                  scoring.DEFAULT_DISAGREEMENT)
        _optional(content, base, "grants", "tolerance_percent", self.tolerance.data, DEFAULT_TOLERANCE)

    def _criteria(self, old_criteria: Mapping[str, Any]) -> dict[str, Any]:
        criteria: dict[str, Any] = {}
        taken = set(old_criteria)
        position = max((int(c.get("position") or 0) for c in old_criteria.values()), default=0)
        self._rows_by_code = {}
        for entry in self.criteria.entries:
            row = entry.form
            code = (row.code.data or "").strip()
            existing = code in old_criteria
            if not existing and row.is_blank():
                continue
            if row.remove.data:
                continue
            if not existing:
                code = code if CODE.match(code) and code not in taken else criterion_code(
                    (row.name_fr.data or row.name_en.data or "").strip(), taken)
                taken.add(code)
            old = dict(old_criteria.get(code) or {})
            criterion = dict(old)
            criterion["name"] = {lang: (row[f"name_{lang}"].data or "").strip() for lang in rules.LANGS}
            criterion["description"] = {lang: (row[f"description_{lang}"].data or "").strip()
                                        for lang in rules.LANGS}
            for name in ("weight", "scale_max", "min_justification"):
                criterion[name] = _keep(old.get(name), _as_int(row[name].data or ""))
            criterion["na_allowed"] = bool(row.na_allowed.data)
            if not existing:
                position += 1
                criterion["position"] = position
            criteria[code] = criterion
            self._rows_by_code[code] = row
        return criteria

    def place(self, problems: list[tuple[str, str]]) -> None:
        """Put each (content path, message) next to its field; the rest go to ``unplaced``."""
        self.unplaced = []
        for path, message in problems:
            target = self._target(path)
            if target is None:
                self.unplaced.append(f"{path_label(path)}: {message}")
                continue
            target.errors = [*target.errors, message]

    def _target(self, path: str) -> Field | None:
        parts = path.split(".")
        if parts[0] == "eligibility" and len(parts) >= 2:
            name = _field_name(parts[1], parts[2] if len(parts) > 2 else None)
            return self._fields.get(name)
        if parts[0] == "funding" and len(parts) == 2:
            return self._fields.get(parts[1])
        if path == "selection.disagreement_threshold":
            return self.disagreement
        if path == "grants.tolerance_percent":
            return self.tolerance
        if parts[0] == "criteria" and len(parts) >= 3 and parts[1] in self._rows_by_code:
            row = self._rows_by_code[parts[1]]
            name = f"{parts[2]}_{parts[3]}" if len(parts) > 3 else parts[2]
            return row._fields.get(name)
        return None

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) of every error, for the error summary at the top of the page."""
        found: list[tuple[str, str]] = []

        def walk(fields: Any) -> None:
            for f in fields:
                if isinstance(f, FieldList):
                    for entry in f.entries:
                        walk(entry.form)
                elif isinstance(f, FormField):
                    walk(f.form)
                else:
                    found.extend((f.id, str(message)) for message in (f.errors or ()))

        walk(self)
        return found


def _optional(content: dict[str, Any], base: Mapping[str, Any], section: str, key: str, raw: str | None,
              default: int) -> None:
    """Set ``content[section][key]`` from a typed whole number, unless it is the default and the base has none."""
    old = dict(base.get(section) or {})
    text = (raw or "").strip()
    typed = _as_int(text) if text else default
    if key not in old and typed == default:
        return
    old[key] = _keep(old.get(key), typed)
    content[section] = old


@lru_cache(maxsize=8)
def _editor_class(base: type[ContentEditor], kinds: tuple[str, ...]) -> type[ContentEditor]:
    attrs: dict[str, Any] = {}
    for kind in kinds:
        spec = rules.REGISTRY[kind]
        attrs[_field_name(kind)] = BooleanField(KIND_LABELS.get(kind, kind.replace("_", " ")))
        for name, type_ in spec.params.items():
            attrs[_field_name(kind, name)] = StringField(
                PARAM_LABELS.get((kind, name), name.replace("_", " ")),
                render_kw=None if type_ == "countries" else NUMERIC if type_ == "int" else DECIMAL)
    return type(base.__name__, (base,), attrs)


def _make(base: type[ContentEditor], **kwargs: Any) -> Any:
    return _editor_class(base, tuple(rules.REGISTRY))(**kwargs)


class _RuleSetForm(ContentEditor):
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(_l("Enter the title in French.")),
                                                              Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    title_ar = StringField(_l("Title in Arabic"), validators=[Optional(), Length(max=300)], render_kw=ARABIC)
    submit = SubmitField(_l("Create the draft"))

    def titles(self) -> dict[str, str]:
        return {lang: (self[f"title_{lang}"].data or "").strip() for lang in rules.LANGS}


class _AmendmentForm(ContentEditor):
    title = StringField(_l("Title of the amendment"), validators=[DataRequired(_l("Give the amendment a title.")),
                                                                  Length(max=300)])
    rationale = TextAreaField(_l("Rationale"), validators=[DataRequired(_l("Explain why the rules should change.")),
                                                           Length(max=20000)])
    submit = SubmitField(_l("Propose the amendment"))


class _RebaseForm(ContentEditor):
    submit = SubmitField(_l("Rebase the amendment"))


def rule_set_form(**kwargs: Any) -> Any:
    return _make(_RuleSetForm, **kwargs)


def amendment_form(**kwargs: Any) -> Any:
    return _make(_AmendmentForm, **kwargs)


def rebase_form(**kwargs: Any) -> Any:
    return _make(_RebaseForm, **kwargs)


# Small forms ------------------------------------------------------------------------------

class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(_l("Write your comment.")),
                                                         Length(max=10000)])
    submit = SubmitField(_l("Comment"))


class ConfirmForm(FlaskForm):
    """An explicit POST (CSRF-protected) for support and withdrawal."""

    submit = SubmitField(_l("Confirm"))


class DecideForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("accept", _l("Accept: a new version is written")),
                                                   ("decline", _l("Decline"))],
                          validators=[InputRequired(_l("Choose to accept or decline."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the decision.")),
                                                     Length(max=10000)])
    submit = SubmitField(_l("Record the decision"))


class FreezeForm(FlaskForm):
    """Where the version goes: an existing agenda item, or a new item of an assembly."""

    target = SelectField(_l("Agenda item"), validators=[InputRequired(_l("Choose an agenda item."))])
    item_title = StringField(_l("Title of the new agenda item"), validators=[Length(max=300)])
    submit = SubmitField(_l("Freeze and put to the assembly"))

    def __init__(self, *args: Any, items: list[Any] = (), assemblies: list[Any] = (),  # type: ignore[assignment]
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", str(_l("Choose an agenda item")))]
        choices += [(f"item:{i.id}", f"{localized_text(i.assembly, 'title')} · {i.position}. "
                                     f"{localized_text(i, 'title')}") for i in items]
        choices += [(f"new:{a.id}", str(_l("%(assembly)s · a new agenda item", assembly=localized_text(a, "title"))))
                    for a in assemblies]
        self.target.choices = choices

    def validate_target(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose an agenda item."))

    def validate_item_title(self, field: Field) -> None:
        if (self.target.data or "").startswith("new:") and not (field.data or "").strip():
            raise ValidationError(_l("Enter the title of the new agenda item."))
