"""Public pages of published calls: anyone, signed in or not, reads the call and its funded projects
(lead, partners, territories, beneficiaries, duration, budget, grant), like the seed's call page.

Nothing but a call with status ``published`` is shown; any other id is a 404, so a draft's existence
does not leak.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from app.calls import queries
from app.calls.money import from_cents

bp = Blueprint("public_calls", __name__, template_folder="templates")


@bp.route("/public/calls")
def index():
    return render_template("calls/public/index.html", calls=queries.published_calls())


@bp.route("/public/calls/<int:call_id>")
def detail(call_id: int):
    call = queries.published_call(call_id)
    if call is None:
        abort(404)
    projects = queries.funded_projects(call.id)
    return render_template("calls/public/detail.html", call=call, projects=projects,
                           totals=queries.funded_totals(projects),
                           countries_of=queries.countries_of, cents=from_cents, number=queries.number)
