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
}


def committee_member_ids() -> set[int]:
    """Members holding a current committee seat, from the mandates (once per request)."""
    from flask import has_request_context, request

    from app.elections.services import committee_member_ids as from_mandates

    if not has_request_context():
        return from_mandates()
    cached = getattr(request, "_committee_member_ids", None)
    if cached is None:
        cached = request._committee_member_ids = from_mandates()  # type: ignore[attr-defined]
    return cached


def roles_of(user: Any) -> frozenset[Role]:
    """Every role the user holds right now, derived from data."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset({Role.anonymous})
    roles: set[Role] = set()
    kind = str(user.kind)
    if kind == "secretariat":
        roles.add(Role.secretariat)
    elif kind == "ex_officio":
        roles.add(Role.ex_officio)
    elif user.member_id is not None:
        roles.add(Role.delegate if user.is_delegate else Role.alternate)
        if user.member_id in committee_member_ids():
            roles.add(Role.committee)
    return frozenset(roles)


def can(user: Any, action: str) -> bool:
    """Whether any of the user's roles allows ``action``. Unknown actions are refused."""
    allowed = POLICY.get(action)
    if allowed is None:
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
