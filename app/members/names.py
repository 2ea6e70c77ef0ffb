"""The comparison key of member names: two names that read the same get the same key.

``Member.name_key`` is unique, so the key decides what counts as "the same organisation": a name that
only differs by case, accents, punctuation or spacing — or by tricks that change the characters but not
what a reader sees — must not register a second member. The key is, in order:

1. NFKC: compatibility forms are folded (fullwidth ``Ａ``, ligatures ``ﬁ``, mathematical ``𝐀``).
2. A run under a right-to-left override (U+202E, up to U+202C or the end) is put in the order it is shown:
   "\u202enoitaicossA" is seen as "Association" and gets its key (Arabic letters in the run, already
   shown right to left, keep their order).
3. Invisible characters removed: format characters (Unicode category Cf: zero-width space and joiners,
   the bidirectional controls, the soft hyphen), the other default-ignorable ones (combining grapheme
   joiner, Hangul fillers…) and the Arabic tatweel (U+0640, which only stretches a word).
4. NFKD, and combining marks dropped: accents (``é`` → ``e``), Arabic vowel marks (harakat) and
   variation selectors.
5. Skeleton: Cyrillic and Greek letters that look like Latin ones become those Latin letters (``CONFUSABLES``,
   from the Cyrillic and Greek → Latin entries of Unicode TR39's confusables.txt, with case kept, plus
   ``к``, ``κ`` and ``χ``). Arabic letters are never mapped: distinct Arabic names stay distinct.
6. casefold; anything but letters and digits becomes a space; spaces collapsed.

Pure; table-tested in tests/members/test_names.py. A change here changes keys: existing rows are recomputed
by a data migration (see 20261201_0430_*_member_name_keys_normalised.py).
"""
from __future__ import annotations

import unicodedata
from itertools import groupby

#: Cyrillic and Greek letters that a reader takes for a Latin letter (TR39 confusables.txt, the entries of
#: those scripts whose prototype is one Latin letter; capitals map to capitals so case folding comes after).
CONFUSABLES: dict[str, str] = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y", "Ѵ": "V", "Ԍ": "G", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I", "Һ": "H", "Ь": "b",
    # Cyrillic small letters
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
    "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ѡ": "w", "ѵ": "v", "ү": "y", "ҽ": "e", "ӏ": "l", "г": "r",
    "к": "k", "ꙇ": "i",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J", "Ϝ": "F", "Ϻ": "M", "ϒ": "Y",
    # Greek small letters
    "α": "a", "ι": "i", "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "υ": "u", "γ": "y", "ϲ": "c", "ϳ": "j",
    "ϱ": "p", "κ": "k", "χ": "x",
}
_SKELETON = str.maketrans(CONFUSABLES)
#: Default-ignorable characters outside category Cf: combining grapheme joiner, Hangul fillers, Khmer
#: inherent vowels, Mongolian free variation selectors (variation selectors are combining marks: step 4);
#: and the Arabic tatweel, which stretches a word without changing it.
_IGNORABLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0\u0640")
RLO = "\u202e"
#: What ends a right-to-left override run: pop directional formatting, a left-to-right override, and
#: the isolates' pop.
_OVERRIDE_ENDS = frozenset("\u202c\u202d\u2069")


def _rtl_flags(run: list[str]) -> list[bool]:
    """Which characters of the run are shown right to left anyway: Arabic and Hebrew letters, and the spaces
    and punctuation between two of them (Unicode's bidi rule N1, for names)."""
    strong = [unicodedata.bidirectional(ch) in ("R", "AL") if unicodedata.bidirectional(ch) in ("L", "R", "AL")
              else None for ch in run]
    flags = []
    for index, value in enumerate(strong):
        if value is None:
            before = next((v for v in reversed(strong[:index]) if v is not None), False)
            after = next((v for v in strong[index + 1:] if v is not None), False)
            value = before and after
        flags.append(value)
    return flags


def _shown(run: list[str]) -> str:
    """An overridden run in the order a reader sees it, written left to right: the run is shown reversed,
    so its left-to-right pieces are reversed; its right-to-left pieces (Arabic, Hebrew), which are shown
    reversed anyway, keep their logical order."""
    pieces = ["".join(ch for ch, _flag in group) if rtl else "".join(ch for ch, _flag in group)[::-1]
              for rtl, group in groupby(zip(run, _rtl_flags(run), strict=True), key=lambda pair: pair[1])]
    return "".join(reversed(pieces))


def undo_overrides(text: str) -> str:
    """``text`` with every right-to-left override run put in the order it is shown (the controls stay)."""
    if RLO not in text:
        return text
    out: list[str] = []
    run: list[str] | None = None
    for ch in text:
        if ch == RLO or (ch in _OVERRIDE_ENDS and run is not None):
            if run is not None:
                out.append(_shown(run))
            run = [] if ch == RLO else None
            out.append(ch)
        elif run is not None:
            run.append(ch)
        else:
            out.append(ch)
    if run is not None:
        out.append(_shown(run))
    return "".join(out)


def invisible(ch: str) -> bool:
    """Whether ``ch`` changes nothing a reader sees (format characters and default-ignorable ones)."""
    return unicodedata.category(ch) == "Cf" or ch in _IGNORABLE


def name_key(name: str) -> str:
    """Comparison key for names: case, accents, punctuation, spacing, invisible characters, right-to-left
    overrides and Cyrillic or Greek look-alikes of Latin letters ignored."""
    text = undo_overrides(unicodedata.normalize("NFKC", name))
    text = "".join(ch for ch in text if not invisible(ch))
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch) not in ("Mn", "Me"))
    text = text.translate(_SKELETON).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in text if not unicodedata.combining(ch))
    return " ".join(kept.split())
