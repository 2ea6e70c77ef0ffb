"""Cleaning of user text: control and bidirectional-override characters never reach a form or the database.

Why: a NUL byte typed in a text field or a filter answered 500 (PostgreSQL
refuses NUL in text), and the other control characters and the bidirectional
embedding, override and isolate controls only serve to hide or flip what a
reader sees. They carry nothing a person means to type, so they are removed
from every query-string and form value before any route or form sees it.
Tab, line feed and carriage return stay (text areas); the marks a right-to-left
language needs (U+200E, U+200F, U+061C) stay too.
"""
from __future__ import annotations

from collections.abc import Iterable

#: C0 controls except tab, LF and CR; DEL; C1 controls.
CONTROL_CODEPOINTS: frozenset[int] = frozenset(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)])
#: Bidirectional embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROL_CODEPOINTS: frozenset[int] = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
REMOVED_CODEPOINTS: frozenset[int] = CONTROL_CODEPOINTS | BIDI_CONTROL_CODEPOINTS

_TABLE: dict[int, None] = dict.fromkeys(REMOVED_CODEPOINTS)


def strip_controls(text: str) -> str:
    """``text`` without control characters (but tab, LF, CR) and without bidirectional controls."""
    return text.translate(_TABLE)


def has_controls(text: str) -> bool:
    """True when ``strip_controls`` would change ``text``."""
    return any(ord(char) in REMOVED_CODEPOINTS for char in text)


def clean_pairs(pairs: Iterable[tuple[str, object]]) -> list[tuple[str, object]]:
    """Keys and text values cleaned; other values (uploaded files) kept as they are."""
    return [(strip_controls(key), strip_controls(value) if isinstance(value, str) else value)
            for key, value in pairs]
