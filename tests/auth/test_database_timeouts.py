"""A database that does not answer gives a clear 503 page in seconds (issue 10, section 4).

The connect and statement timeouts come from the settings (``DB_CONNECT_TIMEOUT``,
``DB_STATEMENT_TIMEOUT``) and reach the driver; an ``OperationalError`` (the database down, a timeout, a
lock wait given up) answers a translated 503 page without a stack trace.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.config import engine_options
from app.extensions import db
from tests.auth.helpers import extra_app, free_port, page_text, translated
from tests.conftest import login
from tests.conftest import test_settings as settings_for

TITLE = "Service unavailable"
EXPLANATION = "The database does not answer right now. Nothing was saved by this request: try again in a moment."
PG = "postgresql+psycopg://u@h/db"

# (case, URI, options already set, connect timeout, statement timeout, engine options expected)
OPTIONS = [
    ("PostgreSQL", PG, {"pool_recycle": 1800}, 5, 15,
     {"pool_recycle": 1800, "connect_args": {"connect_timeout": 5, "options": "-c statement_timeout=15000"}}),
    ("PostgreSQL, fractions", PG, {}, 0.5, 0.2,
     {"connect_args": {"connect_timeout": 2, "options": "-c statement_timeout=200"}}),  # libpq: 2 s at least
    ("PostgreSQL, off", PG, {"pool_recycle": 1800}, 0, 0, {"pool_recycle": 1800}),
    ("PostgreSQL, other options kept", PG, {"connect_args": {"options": "-c search_path=app"}}, 0, 3,
     {"connect_args": {"options": "-c search_path=app -c statement_timeout=3000"}}),
    ("PostgreSQL, an explicit statement_timeout wins", PG,
     {"connect_args": {"options": "-c statement_timeout=100", "connect_timeout": 9}}, 5, 15,
     {"connect_args": {"options": "-c statement_timeout=100", "connect_timeout": 9}}),
    ("SQLite", "sqlite:///x.sqlite", {}, 5, 15, {"connect_args": {"timeout": 15}}),
    ("SQLite, off", "sqlite:///x.sqlite", {}, 5, 0, {}),
]


@pytest.mark.parametrize(("case", "uri", "base", "connect", "statement", "expected"), OPTIONS,
                         ids=[o[0] for o in OPTIONS])
def test_engine_options(case: str, uri: str, base: dict[str, Any], connect: float, statement: float,
                        expected: dict[str, Any]) -> None:
    before = repr(base)
    assert engine_options(uri, base, connect_timeout=connect, statement_timeout=statement) == expected
    assert repr(base) == before  # the defaults are not changed in place


def test_the_settings_reach_the_driver(tmp_path: Path) -> None:
    with extra_app(tmp_path, DB_CONNECT_TIMEOUT=3, DB_STATEMENT_TIMEOUT=1.5) as application:
        seen: dict[str, Any] = {}
        with application.app_context():
            engine = db.engine

            def on_connect(dialect, record, cargs, cparams) -> None:  # noqa: ANN001 - SQLAlchemy's hook
                seen.update(cparams)

            event.listen(engine, "do_connect", on_connect)
            engine.dispose()
            try:
                with engine.connect() as conn:
                    if engine.dialect.name == "postgresql":
                        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1500ms"
            finally:
                event.remove(engine, "do_connect", on_connect)
            dialect = engine.dialect.name
    if dialect == "postgresql":
        assert seen["connect_timeout"] == 3 and "-c statement_timeout=1500" in seen["options"]
    else:
        assert seen["timeout"] == 1.5


@pytest.fixture
def failing_app(tmp_path: Path) -> Iterator[Flask]:
    """The test database, with a page whose query fails as a lost connection does."""
    with extra_app(tmp_path) as application:
        @application.route("/_test/lost")
        def lost() -> str:
            db.session.execute(text("SELECT 1"))
            raise OperationalError("SELECT secret_column FROM users", {}, Exception("server closed the connection"))

        with application.app_context():
            from tests import factories

            factories.build_world()
            db.session.commit()
        yield application


@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_a_database_error_answers_a_translated_503_page(failing_app: Flask, locale: str) -> None:
    client = failing_app.test_client()
    login(client, "delegate@example.org")
    response = client.get("/_test/lost", headers={"Accept-Language": locale})
    html = page_text(response)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert f'lang="{locale}"' in html
    assert translated(failing_app, TITLE, locale) in html
    assert translated(failing_app, EXPLANATION, locale) in html
    for leak in ("Traceback", "OperationalError", "secret_column", "server closed"):
        assert leak not in html
    assert client.get("/members").status_code == 200  # the next request finds the database again


def test_a_statement_past_the_timeout_answers_503_in_seconds(tmp_path: Path) -> None:
    """PostgreSQL cancels a statement past DB_STATEMENT_TIMEOUT; the worker is free again at once."""
    # Not ``extra_app``: emptying the tables afterwards would itself take longer than 0.3 s.
    application = create_app(settings_for(tmp_path, DB_STATEMENT_TIMEOUT=0.3))
    with application.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("statement_timeout is PostgreSQL's (SQLite has the lock wait only)")

    @application.route("/_test/slow")
    def slow() -> str:
        db.session.execute(text("SELECT pg_sleep(5)"))
        return "finished"

    try:
        started = time.monotonic()
        response = application.test_client().get("/_test/slow")
        elapsed = time.monotonic() - started
    finally:
        with application.app_context():
            db.engine.dispose()
    assert response.status_code == 503 and "finished" not in page_text(response)
    assert translated(application, TITLE) in page_text(response)
    assert elapsed < 3


def _unreachable_app(tmp_path: Path, port: int, **overrides: Any) -> Flask:
    uri = f"postgresql+psycopg://postgres@127.0.0.1:{port}/nothing"
    return create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=uri, **overrides))


def test_a_database_that_refuses_connections_answers_503(tmp_path: Path) -> None:
    application = _unreachable_app(tmp_path, free_port())
    started = time.monotonic()
    response = application.test_client().post("/login", data={"email": "someone@example.org", "password": "x"})
    assert response.status_code == 503
    assert translated(application, EXPLANATION) in page_text(response)
    assert time.monotonic() - started < 5


def test_a_database_that_never_answers_gives_up_after_the_connect_timeout(tmp_path: Path) -> None:
    """A server that accepts the connection and then says nothing (a hung host): libpq gives up after
    DB_CONNECT_TIMEOUT seconds instead of pinning the worker."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the handshake completes in the backlog; nothing ever reads or answers
        application = _unreachable_app(tmp_path, silent.getsockname()[1], DB_CONNECT_TIMEOUT=2)
        started = time.monotonic()
        response = application.test_client().post("/login", data={"email": "someone@example.org", "password": "x"})
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert 1.5 < elapsed < 8
