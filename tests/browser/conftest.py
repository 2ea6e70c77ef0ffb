"""Browser fixtures: the app served on 127.0.0.1 and one headless Chromium per session.

The tests drive Debian's Chromium (``apt-get install -y chromium``) through
Playwright; Playwright's own browser download is not used. Without Chromium
the tests are skipped on a developer machine, but when ``CI`` is set they fail:
CI must never pass by skipping them.

The live app keeps CSRF on (real forms are exercised), has no SERVER_NAME (it
answers on 127.0.0.1:<port>), no rate limit, and no SMTP server, so e-mails
stay in the outbox where the tests read the links. Its database is SQLite in a
temporary directory, or the ``TEST_DATABASE_URL`` database; every table is
emptied around each test.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.extensions import db
from tests.conftest import test_settings, wipe

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 5_000  # a page that needs longer than this is a bug here, not a slow machine


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium_path() -> str:
    """Debian's Chromium, or skip (fail in CI) when it is not installed."""
    candidates = [os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    message = "Chromium is not installed (apt-get install -y chromium)"
    if _in_ci():
        pytest.fail(message + "; CI must run the browser tests", pytrace=False)
    pytest.skip(message)


@dataclass
class LiveServer:
    """The running app: its base URL and the Flask app (for seeding and reading the outbox)."""

    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    application = create_app(test_settings(
        tmp_path_factory.mktemp("browser-db"),
        SERVER_NAME=None,  # "localhost" from the shared settings would not match 127.0.0.1:<port>
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        MAIL_SERVER=None,
        TESTING=False,  # let errors reach the browser as pages, like in production
    ))
    with application.app_context():
        db.create_all()  # no-op when the shared PostgreSQL database already has the schema
    server: BaseWSGIServer = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=application, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live(live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server with empty tables before and after the test."""
    wipe(live_server.app)
    yield live_server
    wipe(live_server.app)


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201 - playwright.sync_api.Browser, imported lazily
    executable = _chromium_path()
    if _in_ci():
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught exceptions of the page (CSP violations show up here)."""
    return []


@pytest.fixture
def page(browser, live: LiveServer, console_errors: list[str]):  # noqa: ANN001, ANN201 - playwright types
    """A fresh browser context (no cookies) in English, pointed at the live server."""
    context = browser.new_context(base_url=live.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: console_errors.append(str(exc)))
    yield tab
    context.close()
