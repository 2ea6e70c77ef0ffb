"""(being written)"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("instruction", __name__, template_folder="templates")
