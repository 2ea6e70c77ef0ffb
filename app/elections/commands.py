"""CLI: ``flask committee remind`` (terms ending soon)."""
from __future__ import annotations

from flask.cli import AppGroup

committee_cli = AppGroup("committee", help="Steering committee tools.")
