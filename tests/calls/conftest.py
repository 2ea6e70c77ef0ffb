"""Fixtures of the calls tests."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from tests import factories
from tests.conftest import test_settings as settings_for


@pytest.fixture
def session(app: Flask, world: factories.World) -> Iterator[factories.World]:
    """A request context (url_for, gettext) on top of the world; English messages."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield world
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def wide_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The test database behind a pool wide enough for every thread of a race to hold a connection.

    Threads have their own application context, session and connection, and commit or roll back like a
    request.
    """
    settings = settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 30, "max_overflow": 10,
                                                       "pool_timeout": 60})
    wide = create_app(settings)
    yield wide
    with wide.app_context():
        db.session.remove()
        db.engine.dispose()
