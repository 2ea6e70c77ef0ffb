"""CLI: ``flask votes recount FILE`` (and reminders)."""
from __future__ import annotations

from flask.cli import AppGroup

votes_cli = AppGroup("votes", help="Vote tools: recount a bulletin board, send reminders.")
