"""Application factory."""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask.logging import default_handler
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(directory: str) -> str:
    """The key used when APP_SECRET_KEY is not set, kept in ``directory`` (``SHARED_DIR`` when set, so every
    app node signs with the same key; else instance/; never in the repository). Written under a temporary
    name then linked into place: two nodes starting together never read half a key, and keep the first."""
    path = Path(directory) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``test_config`` overrides every other source."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        static_folder="core/static",
        template_folder="core/templates",
    )
    app.config.from_object(config_module.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(config_module.from_environment())
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "pcpa.sqlite")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.config.get("SHARED_DIR") or app.instance_path)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {},
        connect_timeout=float(app.config.get("DB_CONNECT_TIMEOUT") or 0),
        statement_timeout=float(app.config.get("DB_STATEMENT_TIMEOUT") or 0))
    _trust_proxies(app)

    from app.core import inputs

    inputs.init_app(app)  # clean parameters and bounded converters, before any blueprint
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address (and scheme, host...) from the X-Forwarded-*
    headers set by the ``PROXY_FIX_*`` trusted hops; with 0 everywhere (the default) they are ignored,
    since any client could write them."""
    hops = {name: int(app.config.get(f"PROXY_FIX_{name.upper()}") or 0)
            for name in ("x_for", "x_proto", "x_host", "x_port", "x_prefix")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)  # type: ignore[method-assign]


def _log_limiter_warnings() -> None:
    """Flask-Limiter's own logger has no handler: send its warnings (Redis unreachable, falling back to
    memory) where the application's go."""
    limiter_logger = logging.getLogger("flask-limiter")
    if default_handler not in limiter_logger.handlers:
        limiter_logger.addHandler(default_handler)
    if limiter_logger.level == logging.NOTSET:
        limiter_logger.setLevel(logging.WARNING)


def _init_extensions(app: Flask) -> None:
    from app.core import sqlite as sqlite_setup
    from app.core.i18n import select_locale

    db.init_app(app)
    sqlite_setup.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    _log_limiter_warnings()
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"


def _register_blueprints(app: Flask) -> None:
    from app import assembly, auth, elections, members
    from app.core import errors, layout
    from app.core.routes import bp as core_bp

    app.register_blueprint(core_bp)
    from app.core import desk

    desk.register()  # the home page desk's e-mail line (app/core/home.py)
    auth.init_app(app)
    members.init_app(app)
    assembly.init_app(app)
    elections.init_app(app)
    from app import calls, grants

    calls.init_app(app)
    grants.init_app(app)
    errors.init_app(app)
    layout.init_app(app)


def _register_commands(app: Flask) -> None:
    from app.assembly.commands import votes_cli
    from app.core.commands import audit_cli, translate_cli
    from app.core.ops_commands import ops_cli
    from app.demo.commands import demo_cli
    from app.elections.commands import committee_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(ops_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(votes_cli)
    app.cli.add_command(committee_cli)
