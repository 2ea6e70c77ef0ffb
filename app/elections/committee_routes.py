"""The steering committee: current and past compositions, appointed seats, vacancies."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("committee", __name__, template_folder="templates")
