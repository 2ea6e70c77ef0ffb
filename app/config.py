"""Configuration defaults.

Order of precedence (last wins): these defaults, ``instance/config.py``,
``APP_*`` environment variables (``APP_SECRET_KEY`` sets ``SECRET_KEY``),
``DATABASE_URL``, then the ``test_config`` mapping given to ``create_app``.
"""
from __future__ import annotations

import json
import math
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
    # Rate limits (Flask-Limiter); use redis://127.0.0.1:6379 with several workers. Redis unreachable:
    # the limits go on in each worker's memory, with a logged warning, instead of an error page.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STORAGE_OPTIONS: dict[str, Any] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    # "Forgot password" requests per client address (every request counts).
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Refused sign-ins per client address (successes cost nothing): 70 delegates behind one venue
    # address mistyping twice each still pass. Also applies to the code and password steps of e-mailed links.
    LOGIN_FAILURE_LIMIT = "150 per 10 minutes;600 per hour"
    # Per account: the first LOGIN_FREE_FAILURES wrong passwords since the last success cost nothing; each
    # next one doubles a wait before the password is checked, from LOGIN_DELAY_STEP up to LOGIN_DELAY_MAX
    # seconds (0 turns it off). The right password is never refused, only slowed.
    LOGIN_FREE_FAILURES = 3
    LOGIN_DELAY_STEP = 0.5
    LOGIN_DELAY_MAX = 4.0
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (werkzeug ProxyFix); 0 = trust
    # none (the default: a client could forge them). One nginx in front: PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    # Database: seconds to wait for a connection, and for one statement (PostgreSQL statement_timeout;
    # SQLite: how long to wait for a lock); 0 = no limit. Past them the page answers 503.
    DB_CONNECT_TIMEOUT = 5
    DB_STATEMENT_TIMEOUT = 15
    # E-mail. With no MAIL_SERVER the messages stay in the outbox only.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_SENDER = "secretariat@pcpa.example"
    MAIL_TIMEOUT = 10
    # Audit anchors (flask audit anchor): the Ed25519 private key that signs them, kept outside the repository.
    # None: <SHARED_DIR>/audit-signing-key.pem, created on first use with mode 0600.
    AUDIT_SIGNING_KEY_FILE: str | None = None
    # Files every app node needs (uploaded documents, attachments, pending imports, the audit signing key): a
    # directory shared by all nodes (app/core/storage.py). None: the instance folder (a single node).
    SHARED_DIR: str | None = None
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


def engine_options(uri: str, base: dict[str, Any], *, connect_timeout: float,
                   statement_timeout: float) -> dict[str, Any]:
    """SQLAlchemy engine options with the database timeouts for ``uri``'s driver.

    PostgreSQL (libpq): ``connect_timeout`` in whole seconds (at least 2, libpq's minimum) and
    ``statement_timeout`` in milliseconds through ``options``. SQLite: ``timeout`` is how long a write waits
    for the lock (the connect hook's ``busy_timeout`` pragma sets the same for the connection).
    A timeout of 0 adds nothing; options already in ``base`` win.
    """
    options = dict(base)
    connect_args = dict(options.get("connect_args") or {})
    if uri.startswith("postgresql"):
        if connect_timeout > 0:
            connect_args.setdefault("connect_timeout", max(2, math.ceil(connect_timeout)))
        if statement_timeout > 0:
            flag = f"-c statement_timeout={math.ceil(statement_timeout * 1000)}"
            existing = connect_args.get("options", "")
            if "statement_timeout" not in existing:
                connect_args["options"] = f"{existing} {flag}".strip()
    elif uri.startswith("sqlite") and statement_timeout > 0:
        connect_args.setdefault("timeout", statement_timeout)
    if connect_args:
        options["connect_args"] = connect_args
    return options


def normalise_db_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
