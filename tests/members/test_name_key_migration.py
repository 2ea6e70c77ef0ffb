"""The data migration 625c48af3d4d recomputes existing members' name keys with the look-alike-proof key, and
stops, changing nothing, when two existing members would share one (SQLite, and PostgreSQL when configured)."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.members.models import Member
from app.members.names import name_key
from tests import factories
from tests.conftest import test_settings as settings_for
from tests.pg_scratch import scratch_postgres

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
BEFORE = "00e794f05d47"
PATH = next((MIGRATIONS / "versions").glob("*_625c48af3d4d_*.py"))
spec = importlib.util.spec_from_file_location("name_key_migration", PATH)
migration = importlib.util.module_from_spec(spec)
spec.loader.exec_module(migration)  # type: ignore[union-attr]

NAMES = ["Association des Jeunes de Gafsa", "Collectif\u200b Solidaire", "Солидарность Nantes", "جمعية تونس",
         "Ｒéseau ＡＢＣ"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'keys.sqlite'}"
        return
    with scratch_postgres("keys") as url:
        yield url


def _at_previous_revision(tmp_path: Path, url: str, names: list[str]) -> Flask:
    """A database at the revision before, holding members keyed the old way."""
    app = create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision=BEFORE)
        college = factories.college()
        for name in names:
            db.session.add(Member(name=name, name_key=migration.previous_name_key(name), country="FR",
                                  college=college, territory="Paris"))
            db.session.flush()
        db.session.commit()
    return app


def _keys(app: Flask) -> dict[str, str]:
    with app.app_context():
        keys = dict(db.session.execute(select(Member.name, Member.name_key)).all())
        db.session.remove()
        return keys


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_upgrade_recomputes_every_key_and_downgrade_restores_them(tmp_path: Path, database: str) -> None:
    app = _at_previous_revision(tmp_path, database, NAMES)
    before = _keys(app)
    assert before["Collectif\u200b Solidaire"] == "collectif solidaire"  # the old key split the word
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    after = _keys(app)
    assert after == {name: name_key(name) for name in NAMES}
    assert after["Collectif\u200b Solidaire"] == "collectif solidaire"
    assert after["Ｒéseau ＡＢＣ"] == "reseau abc" and after["جمعية تونس"] == "جمعية تونس"
    with app.app_context():
        downgrade(directory=str(MIGRATIONS), revision=BEFORE)
    assert _keys(app) == before
    _close(app)


def test_a_key_taken_over_from_another_row_does_not_trip_the_unique_index(tmp_path: Path, database: str) -> None:
    """Old keys swapped by the new function: the two-step update never has two equal keys at once."""
    app = _at_previous_revision(tmp_path, database, ["Alpha", "Beta"])
    with app.app_context():  # keys as a previous function could have left them: each holds the other's new key
        alpha, beta = (db.session.scalar(select(Member).where(Member.name == n)) for n in ("Alpha", "Beta"))
        alpha.name_key, beta.name_key = "tmp", "alpha"
        db.session.flush()
        alpha.name_key = "beta"
        db.session.commit()
        upgrade(directory=str(MIGRATIONS))
    assert _keys(app) == {"Alpha": "alpha", "Beta": "beta"}
    _close(app)


def test_a_collision_stops_the_upgrade_and_changes_nothing(tmp_path: Path, database: str) -> None:
    spoof = "Аssociation des Jeunes de Gafsa"  # a Cyrillic А: a different key before this revision
    app = _at_previous_revision(tmp_path, database, [*NAMES, spoof])
    before = _keys(app)
    assert len(set(before.values())) == len(NAMES) + 1
    with app.app_context(), pytest.raises(SystemExit):  # flask-migrate logs the message and exits 1
        upgrade(directory=str(MIGRATIONS))
    assert _keys(app) == before
    _close(app)


def test_the_collision_message_names_each_group() -> None:
    message = migration.collision_message([[(1, "Association X"), (6, "Аssociation X")], [(2, "a\u200bb"), (3, "ab")]])
    assert "#1 'Association X' / #6 'Аssociation X'" in message and "#2 'a\\u200bb' / #3 'ab'" in message
    assert "Nothing was changed. Rename one member of each group" in message


@pytest.mark.parametrize(("rows", "groups"), [
    ([], []),
    ([(1, "A"), (2, "B")], []),
    ([(2, "Аb"), (1, "Ab"), (3, "C")], [[(1, "Ab"), (2, "Аb")]]),
    ([(1, "x\u200by"), (2, "xy"), (3, "X Y"), (4, "x y")], [[(1, "x\u200by"), (2, "xy")], [(3, "X Y"), (4, "x y")]]),
])
def test_collisions(rows: list[tuple[int, str]], groups: list[list[tuple[int, str]]]) -> None:
    assert migration.collisions(rows, name_key) == groups
