"""The one permission policy.

Roles are derived from data, never stored as a flag to keep in sync:
a user's kind (secretariat, ex-officio, representative), whether the user is
its member's delegate or an alternate, and (later) current committee mandates.
Routes ask ``can(user, action)`` / ``@require(action)``; object-level checks
are ``can_<verb>(user)`` methods on models that call back into this module.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


class Role(StrEnum):
    anonymous = "anonymous"
    delegate = "delegate"
    alternate = "alternate"
    committee = "committee"
    ex_officio = "ex_officio"
    secretariat = "secretariat"


SIGNED_IN = frozenset({Role.delegate, Role.alternate, Role.committee, Role.ex_officio, Role.secretariat})
SECRETARIAT = frozenset({Role.secretariat})
REPRESENTATIVES = frozenset({Role.delegate, Role.alternate})

#: action -> roles allowed to perform it (before any object-level check).
POLICY: dict[str, frozenset[Role]] = {
    "home.view": SIGNED_IN,
    "member.list": SIGNED_IN,
    "member.view": SIGNED_IN,
    "member.export": SIGNED_IN,
    "member.view_contacts": SECRETARIAT,
    "member.create": SECRETARIAT,
    "member.edit": SECRETARIAT,
    "member.change_status": SECRETARIAT,
    "member.import": SECRETARIAT,
    "college.manage": SECRETARIAT,
    "representative.invite": SECRETARIAT,
    "representative.manage": SECRETARIAT,
    "charter.view": SIGNED_IN,
    "charter.publish": SECRETARIAT,
    "charter.sign": frozenset({Role.delegate}),
    "audit.view": SECRETARIAT,
    "outbox.view": SECRETARIAT,
    "account.edit": SIGNED_IN,
    # Plenary assembly
    "assembly.view": SIGNED_IN,
    "assembly.manage": SECRETARIAT,
    "assembly.attend": REPRESENTATIVES,
    "proxy.give": frozenset({Role.delegate, Role.secretariat}),
    "minutes.download": SIGNED_IN,
    "vote.view": SIGNED_IN,
    "vote.cast": REPRESENTATIVES,
    "vote.manage": SECRETARIAT,
    "vote.results": SIGNED_IN,
    # Steering-committee elections and mandates
    "election.view": SIGNED_IN,
    "election.manage": SECRETARIAT,
    "candidacy.declare": frozenset({Role.delegate}),
    "committee.view": SIGNED_IN,
    "committee.manage": SECRETARIAT,
    # Calls for projects: rule sets (co-built by the committee), calls, proposals, instruction
    "ruleset.view": SIGNED_IN,
    "ruleset.create": frozenset({Role.committee, Role.secretariat}),
    "ruleset.freeze": SECRETARIAT,
    "amendment.propose": frozenset({Role.committee}),
    "amendment.comment": frozenset({Role.committee, Role.secretariat}),
    "amendment.support": frozenset({Role.committee}),
    "amendment.decide": SECRETARIAT,
    "call.view": SIGNED_IN,
    "call.manage": SECRETARIAT,
    "proposal.view": frozenset({Role.delegate, Role.alternate, Role.secretariat}),
    "proposal.create": frozenset({Role.delegate}),
    "proposal.edit": REPRESENTATIVES,
    "proposal.submit": frozenset({Role.delegate}),
    "proposal.instruct": SECRETARIAT,
}


def committee_member_ids() -> set[int]:
    """Members holding a current committee seat, from the mandates."""
    from app.elections.services import committee_member_ids as from_mandates

    return from_mandates()


def _sits_on_committee(member_id: int) -> bool:
    """Whether this member holds a current seat (one small query, once per request)."""
    from flask import has_request_context, request

    from app.elections.services import holds_seat

    if not has_request_context():
        return holds_seat(member_id)
    cache: dict[int, bool] = request.__dict__.setdefault("_committee_seats", {})
    if member_id not in cache:
        cache[member_id] = holds_seat(member_id)
    return cache[member_id]


def _base_roles(user: Any) -> set[Role]:
    """The roles the account itself says (no query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {Role.anonymous}
    kind = str(user.kind)
    if kind == "secretariat":
        return {Role.secretariat}
    if kind == "ex_officio":
        return {Role.ex_officio}
    if user.member_id is not None:
        return {Role.delegate if user.is_delegate else Role.alternate}
    return set()


def roles_of(user: Any) -> frozenset[Role]:
    """Every role the user holds right now, derived from data (committee: from current mandates)."""
    roles = _base_roles(user)
    if roles & {Role.delegate, Role.alternate} and _sits_on_committee(user.member_id):
        roles.add(Role.committee)
    return frozenset(roles)


def can(user: Any, action: str) -> bool:
    """Whether any of the user's roles allows ``action``. Unknown actions are refused.

    The committee role costs a query: it is looked up only when the account's
    own roles do not already decide.
    """
    allowed = POLICY.get(action)
    if allowed is None:
        return False
    base = _base_roles(user)
    if base & allowed:
        return True
    if Role.committee not in allowed:
        return False
    return bool(roles_of(user) & allowed)


def require(action: str) -> Callable[[F], F]:
    """Route decorator: anonymous users go to the login page, others get 403."""
    if action not in POLICY:
        raise KeyError(f"unknown action {action!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def ensure(allowed: bool) -> None:
    """Abort with 403 when an object-level check fails."""
    if not allowed:
        abort(403)
