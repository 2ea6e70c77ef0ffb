"""Who may see an assembly, and so everything that hangs from it (its votes, boards, results, elections).

A draft assembly is the secretariat's work in progress: until it is convened, its agenda, resolutions
and their votes do not exist for anyone else. Every page that loads an assembly or a vote asks these
functions, so that the rule is written once (a vote page must not show what the assembly page hides).
"""
from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from app.assembly.models import Assembly, AssemblyStatus, Vote
from app.core.permissions import can
from app.extensions import db

#: Ids are 32-bit integers in the database: a larger one names nothing (and must not reach the driver).
_MAX_ID = 2**31 - 1


def assembly_status_visible(user: Any, status: str | None) -> bool:
    """An assembly in ``status`` is visible to ``user``: any status but draft, a draft to its managers.

    ``None`` (a vote attached to no assembly, e.g. a stand-alone election) is visible.
    """
    return status != AssemblyStatus.draft or can(user, "assembly.manage")


def assembly_visible(user: Any, assembly: Assembly | None) -> bool:
    return assembly_status_visible(user, assembly.status if assembly is not None else None)


def vote_visible(user: Any, vote: Vote) -> bool:
    """A vote is visible exactly when its assembly is (a vote in a draft assembly is hidden like it)."""
    return assembly_visible(user, vote.assembly)


def assembly_or_404(assembly_id: int) -> Assembly:
    """The assembly for the current user, or 404 (a hidden draft does not exist for them)."""
    if not 0 < assembly_id <= _MAX_ID:
        abort(404)
    assembly = db.get_or_404(Assembly, assembly_id)
    if not assembly_visible(current_user, assembly):
        abort(404)
    return assembly


def vote_or_404(vote_id: int) -> Vote:
    """The vote for the current user, or 404 when it does not exist or its assembly is hidden from them."""
    if not 0 < vote_id <= _MAX_ID:
        abort(404)
    vote = db.get_or_404(Vote, vote_id)
    if not vote_visible(current_user, vote):
        abort(404)
    return vote
