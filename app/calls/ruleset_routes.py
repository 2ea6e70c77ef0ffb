"""(being written)"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rulesets", __name__, template_folder="templates")
