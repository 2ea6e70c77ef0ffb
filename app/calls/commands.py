"""``flask calls …``: reminders before a call closes, closing due calls."""
from __future__ import annotations

from flask.cli import AppGroup

calls_cli = AppGroup("calls", help="Calls for projects.")
