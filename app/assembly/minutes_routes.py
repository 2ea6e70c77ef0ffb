"""The minutes of an assembly as a PDF."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("minutes", __name__, template_folder="templates")
