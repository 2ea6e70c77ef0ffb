"""Reading the PDFs the app renders (minutes, decision letters, selection report) in tests."""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable

from pypdf import PdfReader


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
