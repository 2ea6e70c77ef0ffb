"""Validate a board document against the published JSON Schema of its format
(``app/assembly/schemas/board-<n>.schema.json``); used by every test helper that exports a board."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).resolve().parents[2] / "app" / "assembly" / "schemas"


@cache
def validator(version: int) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"board-{version}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(document: dict[str, Any]) -> list[str]:
    """Every schema error of the document (its format picks the schema; an unknown one, the latest)."""
    known = {f"pcpa-board/{n}": n for n in (1, 2)}
    version = known.get(document.get("format"), max(known.values()))  # type: ignore[arg-type]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(version).iter_errors(document)]


def validated(document: dict[str, Any]) -> dict[str, Any]:
    """The document, once it is known to match its format's schema."""
    found = errors(document)
    assert not found, found[:5]
    return document
