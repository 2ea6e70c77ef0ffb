"""Configuration defaults.

Order of precedence (last wins): these defaults, ``instance/config.py``,
``APP_*`` environment variables (``APP_SECRET_KEY`` sets ``SECRET_KEY``),
``DATABASE_URL``, then the ``test_config`` mapping given to ``create_app``.
"""
from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any


class Defaults:
    """Safe defaults for development; production overrides them."""

    SECRET_KEY: str | None = None  # generated into instance/ when missing
    SQLALCHEMY_DATABASE_URI: str | None = None  # SQLite in instance/ when missing
    # No pre-ping (one more round trip on every request); connections are recycled instead.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": False, "pool_recycle": 1800}
    LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")
    RTL_LANGUAGES: tuple[str, ...] = ("ar",)
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Sessions: HttpOnly, SameSite, expire after 30 minutes of inactivity.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    SESSION_REFRESH_EACH_REQUEST = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Login rate limit (Flask-Limiter); use redis://127.0.0.1:6379 with several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    # E-mail. With no MAIL_SERVER the messages stay in the outbox only.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_SENDER = "secretariat@pcpa.example"
    MAIL_TIMEOUT = 10
    # Audit anchors (flask audit anchor): the Ed25519 private key that signs them, kept outside the repository.
    # None: <instance>/audit-signing-key.pem, created on first use with mode 0600.
    AUDIT_SIGNING_KEY_FILE: str | None = None
    # Links in e-mails are built from this when set (no request context in commands).
    EXTERNAL_URL: str | None = None
    INVITATION_TTL = timedelta(days=7)
    PASSWORD_RESET_TTL = timedelta(hours=2)
    PASSWORD_MIN_LENGTH = 10
    DEMO_MODE = False
    PAGE_SIZE = 25
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    #: Proposal attachments: the largest file accepted, and where files go (None: <instance>/attachments).
    CALLS_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
    CALLS_ATTACHMENTS_DIR: str | None = None
    #: Member import: the most member rows, bytes uploaded, bytes once an .xlsx is unpacked, characters a cell.
    IMPORT_MAX_ROWS = 2000
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_MAX_UNPACKED_BYTES = 30 * 1024 * 1024
    IMPORT_MAX_CELL_CHARS = 10_000
    # Grants: agreement numbers, report attachments, and the funder's identity in the 360Giving/IATI exports.
    GRANT_NUMBER_PREFIX = "PCPA"
    GRANTS_ATTACHMENTS_DIR: str | None = None  # None: <instance>/grant-attachments
    GRANTS_FUNDER_ORG_ID = "XI-PCPA"
    GRANTS_FUNDER_NAME = "Programme concerté pluri-acteurs"
    GRANTS_FUNDER_ORG_TYPE = "90"  # IATI OrganisationType: other
    GRANTS_ID_PREFIX = "360G-PCPA"
    GRANTS_IATI_SECTOR = "15150"  # DAC 5: democratic participation and civil society
    # Plenary assembly statutes (copied into each new assembly, editable there).
    ASSEMBLY_NOTICE_DAYS = 15
    ASSEMBLY_MAX_PROXIES = 1
    ASSEMBLY_QUORUM = "1/2"  # present or represented members / electorate, "at least"
    ASSEMBLY_DOCUMENT_EXTENSIONS: tuple[str, ...] = ("pdf", "odt", "docx", "xlsx", "ods", "txt", "png", "jpg")


def _coerce(raw: str) -> Any:
    """Environment values are strings; accept JSON for numbers and booleans."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Collect ``APP_*`` variables and ``DATABASE_URL`` into config keys."""
    environ = dict(os.environ if environ is None else environ)
    out: dict[str, Any] = {}
    for key, raw in environ.items():
        if key.startswith("APP_") and len(key) > 4:
            out[key[4:]] = _coerce(raw)
    if environ.get("DATABASE_URL"):
        out["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(environ["DATABASE_URL"])
    return out


def normalise_db_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
