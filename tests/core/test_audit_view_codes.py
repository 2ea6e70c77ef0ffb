"""Every action code written to the audit log has a sentence in the log page.

The walk reads every ``app/**/*.py`` with ``ast`` and collects the first
argument of each ``audit.record(...)`` call: a literal (or both sides of a
conditional) is a code; an f-string or a variable must be listed in
``DYNAMIC`` with the codes it can produce, so a new one fails here until it is
both listed and given a sentence (in its package's ``audit_sentences.py``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from app.core import audit_sentences

APP = Path(__file__).resolve().parents[2] / "app"

#: Codes built at run time, by the expression written (``ast.unparse``), with every value it takes.
DYNAMIC: dict[str, set[str]] = {
    "action": {"auth.password_changed", "auth.password_set", "auth.password_reset"},  # auth.services.set_password
    "f'call.{target}'": {"call.in_review", "call.decided", "call.published"},  # calls.services.advance (NEXT)
    "f'conflict.{source}'": {"conflict.recorded", "conflict.declared"},
    "f'grant.ledger.{type_.name}'": {"grant.ledger.commitment", "grant.ledger.disbursement",
                                     "grant.ledger.expenditure"},
    "f\"ruleset.{('adopted' if status == VersionStatus.adopted else 'not_adopted')}\"": {"ruleset.adopted",
                                                                                         "ruleset.not_adopted"},
}


def _is_record(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit" and bool(node.args))


def written_codes(root: Path = APP) -> tuple[dict[str, str], dict[str, str]]:
    """(literal code -> where, unresolved expression -> where) over every ``audit.record`` call."""
    codes: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not _is_record(node):
                continue
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            first = node.args[0]  # type: ignore[attr-defined]
            sides = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for side in sides:
                if isinstance(side, ast.Constant) and isinstance(side.value, str):
                    codes.setdefault(side.value, where)
                else:
                    unresolved.setdefault(ast.unparse(side), where)
    return codes, unresolved


def test_the_scan_finds_the_codes() -> None:
    """The scan itself works: well-known codes and dynamic ones are found (else the test below proves nothing)."""
    codes, unresolved = written_codes()
    assert {"vote.opened", "auth.login", "member.created", "grant.created", "college.updated"} <= set(codes)
    assert "f'conflict.{source}'" in unresolved and len(codes) > 100


def test_every_dynamic_code_is_listed() -> None:
    _codes, unresolved = written_codes()
    unknown = {expr: where for expr, where in unresolved.items() if expr not in DYNAMIC}
    assert not unknown, f"list what these audit codes can be in DYNAMIC (and give each a sentence): {unknown}"


def test_every_written_code_has_a_sentence(app: Flask) -> None:  # noqa: ARG001 - create_app registers them
    codes, unresolved = written_codes()
    every = set(codes) | {code for expr in unresolved for code in DYNAMIC.get(expr, set())}
    missing = sorted(code for code in every if code not in audit_sentences.registered_sentences())
    assert not missing, ("these audit codes have no sentence: register one in the package's audit_sentences.py: "
                         + ", ".join(f"{c} ({codes.get(c, 'dynamic')})" for c in missing))


def test_a_missing_sentence_is_caught(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ARG001
    """Take one sentence away: the check above fails (so it is not vacuous)."""
    sentences = audit_sentences.registered_sentences()
    del sentences["vote.opened"]
    monkeypatch.setattr(audit_sentences, "registered_sentences", lambda: sentences)
    with pytest.raises(AssertionError, match="vote.opened"):
        test_every_written_code_has_a_sentence(app)


@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_every_sentence_takes_only_actor_and_object(app: Flask, locale: str) -> None:
    """A translation that names another placeholder (or drops a ``%``) would break the page: each renders."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        for action, message in audit_sentences.registered_sentences().items():
            text = str(message) % {"actor": "A", "object": "O", "action": action}
            assert "%(" not in text, (action, text)
