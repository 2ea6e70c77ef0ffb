"""Election pages: set-up, candidacies, ballot, results, proclamation."""
from __future__ import annotations

from flask import Blueprint

from app.elections import models, services  # noqa: F401  (tables; the ballot and count rules register)

bp = Blueprint("elections", __name__, template_folder="templates")
