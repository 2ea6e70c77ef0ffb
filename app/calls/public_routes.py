"""(being written)"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public_calls", __name__, template_folder="templates")
