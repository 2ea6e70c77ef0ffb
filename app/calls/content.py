"""A rule set's content as plain data: validation, leaf-by-leaf diff and the three-way apply of amendments.

Why apart from ``app.calls.rules``: rules *judge a proposal* (funding,
eligibility kinds); this module handles *a rule set's versions* (what the
committee edits and amends). It reads the eligibility registry to validate
parameters; the registry never needs it. No database, no request.

A rule set's *content* is plain data (JSON in the database)::

    {"eligibility": {"<kind>": {<params>}, ...},          # the kinds that apply, with their values
     "funding": {"rate": "0.65", "ceiling": "66440", "floor": "0"},
     "criteria": {"<code>": {"name": {"fr","en","ar"}, "description": {"fr","en","ar"},
                             "weight": 3, "scale_max": 5, "na_allowed": false,
                             "min_justification": 50, "position": 1}},
     "selection": {"disagreement_threshold": 25},           # optional; 25 points when absent
     "grants": {"tolerance_percent": 10}}                   # optional; 10 % when absent

Amounts in content are decimal strings of euros (never floats). Versions are
compared leaf by leaf (``flatten``/``diff``) and an amendment is a list of leaf
changes ``(path, old, new)`` applied with a three-way check (``apply_changes``).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from app.calls.rules import REGISTRY, _countries, _dec, _int

ABSENT: Any = None  # a leaf that does not exist
#: The grants' tolerance of a budget line's variance when the rule set sets none (percent).
DEFAULT_TOLERANCE = 10


def empty_content() -> dict[str, Any]:
    return {"eligibility": {}, "funding": {"rate": "1", "ceiling": "", "floor": "0"}, "criteria": {}}


def validate(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of a rule set's content as (field path, translated message); empty when valid."""
    problems: list[tuple[str, str]] = []
    for kind, params in (content.get("eligibility") or {}).items():
        spec = REGISTRY.get(kind)
        if spec is None:
            problems.append((f"eligibility.{kind}", str(_l("Unknown eligibility rule."))))
            continue
        for name, type_ in spec.params.items():
            value = (params or {}).get(name)
            path = f"eligibility.{kind}.{name}"
            if type_ == "countries":
                if any(len(c) != 2 or not c.isalpha() for c in _countries(params or {})):
                    problems.append((path, str(_l("Give two-letter country codes separated by commas."))))
                continue
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                number = Decimal("NaN")
            if not number.is_finite():
                problems.append((path, str(_l("Enter a number."))))
                continue
            if number < 0 or (type_ == "int" and number != number.to_integral_value()):
                problems.append((path, str(_l("Enter a whole number, zero or more.")) if type_ == "int"
                                 else str(_l("Enter an amount, zero or more."))))
            if type_ == "percent" and number > 100:
                problems.append((path, str(_l("A percentage is at most 100."))))
        if any(p[0].startswith(f"eligibility.{kind}.") for p in problems):
            continue  # the bounds are compared only once each is a valid number
        if kind == "duration_range" and _int(params, "min_months") > _int(params, "max_months"):
            problems.append((f"eligibility.{kind}.max_months", str(_l("The maximum is below the minimum."))))
        if kind == "budget_range" and _dec(params, "min") > _dec(params, "max"):
            problems.append((f"eligibility.{kind}.max", str(_l("The maximum is below the minimum."))))
    funding = content.get("funding") or {}
    try:
        rate = Decimal(str(funding.get("rate")))
        if not Decimal(0) < rate <= Decimal(1):
            problems.append(("funding.rate", str(_l("The rate is a share of the budget above 0 % and at most 100 %."))))
    except (InvalidOperation, ValueError):
        problems.append(("funding.rate", str(_l("Enter a number."))))
    for name in ("ceiling", "floor"):
        raw = funding.get(name)
        if raw in (None, ""):
            continue
        try:
            if Decimal(str(raw)) < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append((f"funding.{name}", str(_l("Enter an amount, zero or more."))))
    if not any(p[0].startswith("funding.") for p in problems) and funding.get("ceiling") not in (None, ""):
        if Decimal(str(funding.get("floor") or 0)) > Decimal(str(funding["ceiling"])):
            problems.append(("funding.floor", str(_l("The floor is above the ceiling."))))
    for code, criterion in (content.get("criteria") or {}).items():
        path = f"criteria.{code}"
        if not (criterion.get("name") or {}).get("fr", "").strip():
            problems.append((f"{path}.name.fr", str(_l("A criterion needs a name in French."))))
        try:
            if int(criterion.get("weight", 0)) <= 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.weight", str(_l("The weight is a whole number above zero."))))
        try:
            if int(criterion.get("scale_max", 0)) < 1:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.scale_max", str(_l("The scale goes from 0 to a whole number above zero."))))
        try:
            if int(criterion.get("min_justification", 0)) < 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.min_justification", str(_l("Enter a whole number, zero or more."))))
    selection = content.get("selection") or {}
    if "disagreement_threshold" in selection:
        try:
            value = int(str(selection["disagreement_threshold"]))
            if not 0 <= value <= 100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(("selection.disagreement_threshold",
                             str(_l("Enter a whole number of points from 0 to 100."))))
    grants = content.get("grants") or {}
    if "tolerance_percent" in grants:
        try:
            value = int(str(grants["tolerance_percent"]))
            if not 0 <= value <= 100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(("grants.tolerance_percent", str(_l("Enter a whole percentage from 0 to 100."))))
    return problems


def flatten(content: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Leaves of nested dicts as ``{"a.b.c": value}``; an empty dict is a leaf of its own ({})."""
    flat: dict[str, Any] = {}
    for key, value in content.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = copy.deepcopy(value)
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``flatten`` (paths sorted so parents come first)."""
    content: dict[str, Any] = {}
    for path in sorted(flat):
        node = content
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        value = flat[path]
        if isinstance(value, Mapping) and not value and isinstance(node.get(parts[-1]), dict):
            continue  # an empty-dict leaf does not erase children set by another path
        node[parts[-1]] = copy.deepcopy(value)
    return content


@dataclass(frozen=True)
class Change:
    """One leaf changed: ``old`` is ABSENT (None) for an addition, ``new`` is ABSENT for a removal."""

    path: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        return cls(path=data["path"], old=data.get("old"), new=data.get("new"))


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Leaf changes from ``before`` to ``after``, sorted by path."""
    a, b = flatten(before), flatten(after)
    changes = []
    for path in sorted(set(a) | set(b)):
        old, new = a.get(path, ABSENT), b.get(path, ABSENT)
        if old != new:
            changes.append(Change(path, old, new))
    return changes


@dataclass(frozen=True)
class Merge:
    """The result of applying an amendment's changes to the current head."""

    content: dict[str, Any] | None
    conflicts: tuple[Change, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts


def apply_changes(head: Mapping[str, Any], changes: list[Change]) -> Merge:
    """Three-way apply: each change needs the head to still hold its ``old`` value at that path.

    A change whose path was changed by another accepted amendment since the
    amendment's base is a conflict; the amendment must then be rebased on the
    head (or declined). A change already present in the head is not a conflict.
    """
    flat = flatten(head)
    conflicts = []
    for change in changes:
        current = flat.get(change.path, ABSENT)
        if current == change.new:
            continue
        if current != change.old:
            conflicts.append(change)
            continue
        if change.new is ABSENT:
            flat.pop(change.path, None)
        else:
            flat[change.path] = copy.deepcopy(change.new)
    if conflicts:
        return Merge(None, tuple(conflicts))
    return Merge(_prune(unflatten(flat)), ())


def _prune(content: dict[str, Any]) -> dict[str, Any]:
    """Top-level sections always present; a removed criterion or rule leaves no empty shell behind."""
    base = empty_content()
    base["eligibility"] = {k: v for k, v in (content.get("eligibility") or {}).items() if v is not None}
    base["criteria"] = {k: v for k, v in (content.get("criteria") or {}).items() if v not in ({}, None)}
    base["funding"] = {**base["funding"], **(content.get("funding") or {})}
    return base

