"""Where elections plug into the packages below them, which never import elections.

An election is a vote of kind ``"election"`` run by the assembly, and its
mandates give the committee role. ``register()`` fills the registries that
``app.assembly`` and ``app.core`` own; ``app.elections.init_app`` calls it
when the app is created, so the hooks never depend on which module happened
to be imported first. Idempotent (``create_app`` may run many times).
A script that recounts boards without an app calls ``register()`` itself.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from app.assembly import ballot_reasons, kinds, recount, voting
from app.assembly.models import Vote
from app.core.permissions import Role, register_role_provider
from app.elections import export, queries, services
from app.elections import recount as election_recount
from app.elections.models import Election
from app.extensions import db

KIND = election_recount.ELECTION

#: The page of the election that replaces the assembly's generic vote page.
_PAGES = {"open": "elections.open_voting", "results": "elections.results"}


def election_title() -> Any:
    """The election's title for a row of ``votes`` (correlated subquery)."""
    return select(Election.title).where(Election.vote_id == Vote.id).scalar_subquery()


def election_page(vote: Vote, page: str) -> str | None:
    """An election is opened from its own page (which checks the candidacies) and explains its count there."""
    endpoint = _PAGES.get(page)
    election = queries.election_of_vote(vote.id) if endpoint else None
    return url_for(endpoint, election_id=election.id) if election is not None else None


def voting_opens_after(vote: Vote) -> Any:
    """An election's ballot opens once its candidacy window has closed (the ballot page says when)."""
    return db.session.scalar(select(Election.candidacy_closes_at).where(Election.vote_id == vote.id))


def register() -> None:
    voting.CHOICE_RULES[KIND] = services.election_choice
    voting.COUNT_RULES[KIND] = services.count_vote
    voting.VOTE_TITLES[KIND] = election_title
    kinds.APPROVAL_BALLOTS[KIND] = queries.election_ballot
    kinds.VOTE_PAGES[KIND] = election_page
    ballot_reasons.OPENING_TIMES[KIND] = voting_opens_after
    kinds.BOARD_EXPORTS[KIND] = export.board_part
    kinds.BOARD_HEADERS[KIND] = export.header_part
    recount.BOARD_KINDS[KIND] = election_recount.BOARD_KIND
    register_role_provider(services.committee_roles, grants={Role.committee}, name="elections.committee")
