"""Results, the public bulletin board, its JSON export and tracker lookup."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("board", __name__, template_folder="templates")


@bp.route("/votes/<int:vote_id>/results")
def results(vote_id: int):
    return "TODO"


@bp.route("/votes/<int:vote_id>/board")
def board(vote_id: int):
    return "TODO"
