"""Reading the PDFs the app renders (minutes, decision letters, selection report) in tests."""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    """Extracted text (NFKC: Arabic presentation forms back to letters) and the fonts' names."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return unicodedata.normalize("NFKC", text), fonts


def assert_arabic_shaped(content: bytes, words: Iterable[str]) -> str:
    """The PDF is set in DejaVu (which has the Arabic glyphs) and every Arabic word reads back whole (shaped,
    in logical order); returns the extracted text."""
    text, fonts = pdf_text(content)
    assert any("DejaVu" in f for f in fonts), fonts
    for word in words:
        assert word in text, word
    return text


def _to_unicode(font: Any) -> dict[int, str]:
    """A font's ToUnicode map (code -> characters) as WeasyPrint writes it (bfchar and bfrange blocks)."""
    data = font["/ToUnicode"].get_object().get_data().decode("latin1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int.from_bytes(bytes.fromhex(dst), "big")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                out[code] = chr(start + offset)
    return out


def visual_lines(content: bytes) -> list[str]:
    """Each line of the PDF as drawn, from left to right (the order the eye meets the glyphs, whatever the
    writing direction): bidi tests read where an acronym or a date landed in an Arabic line.

    Text extraction gives the order of drawing, which is not the visual order once runs of both directions
    mix; here every run's characters are decoded in the order drawn (an Arabic run comes out reversed,
    a Latin one reads normally) and the runs of a line are sorted by their x position."""
    reader = PdfReader(io.BytesIO(content))
    lines: dict[tuple[int, float], list[tuple[float, str]]] = {}
    for number, page in enumerate(reader.pages):
        fonts = {name: _to_unicode(f.get_object()) for name, f in page["/Resources"].get("/Font", {}).items()}
        cmap: dict[int, str] = {}
        x = y = 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                cmap = fonts.get(operands[0], {})
            elif operator == b"Tm":
                x, y = float(operands[4]), float(operands[5])
            elif operator in (b"TJ", b"Tj"):
                parts = operands[0] if operator == b"TJ" else [operands[0]]
                raw = b"".join(p.get_original_bytes() for p in parts if hasattr(p, "get_original_bytes"))
                codes = (int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw) - 1, 2))
                text = "".join(cmap.get(code, "") for code in codes)
                lines.setdefault((number, round(y, 1)), []).append((x, text))
    return [unicodedata.normalize("NFKC", "".join(text for _, text in sorted(runs)))
            for _, runs in sorted(lines.items())]
