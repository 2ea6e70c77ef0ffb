"""Shared fixtures (flaskr style: app, client, runner) and role users.

The database is SQLite in a temporary file unless ``TEST_DATABASE_URL`` names
a PostgreSQL database (``.ci/run`` runs the suite both ways). The schema is
created once per session; every test starts from empty tables.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from app import create_app
from app.config import normalise_db_url
from app.extensions import db
from tests import factories


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_db_url(url) if url else f"sqlite:///{tmp_dir / 'test.sqlite'}"


def test_settings(tmp_dir: Path, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_dir),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "MAIL_SERVER": None,
        "ASSEMBLY_DOCUMENTS_DIR": str(tmp_dir / "documents"),
        "GRANTS_ATTACHMENTS_DIR": str(tmp_dir / "grant-attachments"),
    }
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(test_settings(tmp_path_factory.mktemp("db")))
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def wipe(application: Flask) -> None:
    """Empty every table (fast TRUNCATE on PostgreSQL)."""
    with application.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                # Foreign keys that form a cycle (rule_set_versions <-> amendments) are checked at commit.
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        wipe(request.getfixturevalue("app"))


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context with a request context (for url_for and gettext)."""
    with app.test_request_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask) -> factories.World:
    """One user per role around a small register (see ``factories.build_world``)."""
    with app.app_context():
        built = factories.build_world()
        db.session.commit()
        return built


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block (bounded-queries tests)."""
    statements: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def page_statements(app: Flask, client: FlaskClient, url: str) -> int:
    """How many SQL statements a GET of ``url`` sends (bounded-queries tests), after a warm-up request:
    the first request may load what later ones find cached. The page must answer 200."""
    client.get(url)
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
