"""Migrations: one head, dated file names, and ``upgrade`` on an empty database
yields exactly the models' schema (SQLite, and PostgreSQL when configured).

The databases here are fresh ones made by the test itself, never the shared
test database: the suite's own schema comes from ``create_all``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.conftest import test_settings as settings_for
from tests.pg_scratch import scratch_postgres

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"


def _script() -> ScriptDirectory:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_exactly_one_head() -> None:
    heads = _script().get_heads()
    assert len(heads) == 1, f"several Alembic heads, merge them: {heads}"


def test_migration_files_are_dated() -> None:
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    assert files, "no migration"
    undated = [name for name in files if not re.match(r"^\d{8}_", name)]
    assert not undated, f"migration files must start with YYYYMMDD_: {undated}"


def test_every_revision_reaches_base() -> None:
    """A single linear history: walking down from the head visits every file."""
    script = _script()
    walked = list(script.walk_revisions())
    assert len(walked) == len(list((MIGRATIONS / "versions").glob("*.py")))
    assert walked[-1].down_revision is None


def _schema_differences(app: Flask) -> list[object]:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def _check_round_trip(app: Flask) -> None:
    """upgrade -> same schema as the models; downgrade -> nothing left; upgrade again."""
    model_tables = set(db.metadata.tables)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    assert model_tables <= _tables(app)
    differences = _schema_differences(app)
    assert differences == [], "migrations and models differ:\n" + "\n".join(map(repr, differences))
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision="base")
    assert _tables(app) - {"alembic_version"} == set()
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    assert _schema_differences(app) == []
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrade_matches_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    _check_round_trip(create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=url)))


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A database created for this test next to TEST_DATABASE_URL, dropped after."""
    with scratch_postgres("mig") as url:
        yield url


@pytest.mark.postgres
def test_upgrade_matches_models_on_postgres(tmp_path: Path, fresh_postgres: str) -> None:
    _check_round_trip(create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_postgres)))
