"""Where to send the browser after a form: only back to this site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes home (no open redirect). Browsers read a backslash as
    a slash and drop tabs and newlines, so ``/\\evil.example`` or ``/<TAB>/evil.example`` would leave the site."""
    if (target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc
            and "\\" not in target and not any(ord(c) < 0x20 or c == "\x7f" for c in target)):
        return target
    return url_for("core.home")
