"""The one permission policy.

Roles are derived from data, never stored as a flag to keep in sync:
a user's kind (secretariat, ex-officio, representative), whether the user is
its member's delegate or an alternate (``account_roles``), and roles that
higher packages derive from their own data through registered role providers
(``register_role_provider``; elections: the committee, from current mandates).
Routes ask ``can(user, action)`` / ``@require(action)``; object-level checks
are ``can_<verb>(user)`` methods on models that call back into this module.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
    "amendment.decide": frozenset({Role.committee, Role.secretariat}),  # committee: its chair only (object level)
    "call.view": SIGNED_IN,
    "call.manage": SECRETARIAT,
    "proposal.view": frozenset({Role.delegate, Role.alternate, Role.secretariat}),
    "proposal.create": frozenset({Role.delegate}),
    "proposal.edit": REPRESENTATIVES,
    "proposal.submit": frozenset({Role.delegate}),
    "proposal.instruct": SECRETARIAT,
    # Selection: reviews (committee members; conflicts checked per proposal), the line, the decision
    "review.assign": SECRETARIAT,
    "review.score": frozenset({Role.committee}),
    "review.view": frozenset({Role.committee, Role.secretariat}),  # conflicted: never (object level)
    "review.discuss": frozenset({Role.committee, Role.secretariat}),  # conflicted: never (object level)
    "conflict.declare": frozenset({Role.committee}),
    "conflict.record": SECRETARIAT,
    "selection.view": frozenset({Role.committee, Role.secretariat}),  # conflicted rows masked
    "selection.decide": SECRETARIAT,  # records the committee's decision
    "selection.publish": SECRETARIAT,
    "selection.export": frozenset({Role.committee, Role.secretariat}),  # per reviewer: secretariat only
    "decision.read": REPRESENTATIVES,  # the lead applicant's own outcome, once published (object level)
    # Grants: the secretariat runs them; the grantee's representatives see and report on their own (object
    # level); the committee and ex-officio members see the portfolio, never a grantee's private documents.
    "grant.view": frozenset({Role.delegate, Role.alternate, Role.secretariat}),  # own grants (object level)
    "grant.manage": SECRETARIAT,
    "grant.pay": SECRETARIAT,
    "report.prepare": REPRESENTATIVES,  # the grantee's delegate and alternates write drafts (object level)
    "report.submit": frozenset({Role.delegate}),  # the grantee's delegate submits (object level)
    "report.review": SECRETARIAT,
    "budget.amend": REPRESENTATIVES,  # the grantee asks (object level); the secretariat decides (grant.manage)
    "portfolio.view": frozenset({Role.committee, Role.ex_officio, Role.secretariat}),
    "grant.export": SECRETARIAT,
}


# Roles derived from other packages' data --------------------------------------------------------

#: A role provider: (user) -> the roles it derives for that signed-in user (may query).
RoleProviderFn = Callable[[Any], Iterable[Role]]


@dataclass(frozen=True)
class RoleProvider:
    name: str
    grants: frozenset[Role]
    fn: RoleProviderFn


_ROLE_PROVIDERS: dict[str, RoleProvider] = {}


def register_role_provider(fn: RoleProviderFn, *, grants: Iterable[Role], name: str | None = None) -> RoleProviderFn:
    """Let a higher package derive roles from its own data (elections: the committee, from mandates).

    ``fn(user)`` is called for signed-in users only and returns a subset of
    ``grants``; ``grants`` lets ``can`` skip it when the action allows none of
    them. It should decide without a query when it can (e.g. from
    ``account_roles(user)``). Its answer is kept for the rest of the request.
    Register from the package's ``init_app``; the same ``name`` (default: the
    function's module and name) replaces the earlier one. Returns ``fn``.
    """
    key = name or f"{fn.__module__}.{fn.__qualname__}"
    _ROLE_PROVIDERS[key] = RoleProvider(key, frozenset(grants), fn)
    return fn


def role_providers() -> list[RoleProvider]:
    return list(_ROLE_PROVIDERS.values())


def _provided(provider: RoleProvider, user: Any) -> frozenset[Role]:
    """What ``provider`` says of ``user``, asked once per request and user."""
    from flask import has_request_context, request

    if not has_request_context() or getattr(user, "id", None) is None:
        return frozenset(provider.fn(user)) & provider.grants
    cache: dict[tuple[str, int], frozenset[Role]] = request.__dict__.setdefault("_provided_roles", {})
    key = (provider.name, user.id)
    if key not in cache:
        cache[key] = frozenset(provider.fn(user)) & provider.grants
    return cache[key]


def account_roles(user: Any) -> set[Role]:
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


def _provided_roles(user: Any, base: set[Role], wanted: frozenset[Role] | None = None) -> set[Role]:
    """Roles the registered providers derive (only those that may grant something in ``wanted``)."""
    if Role.anonymous in base:
        return set()
    roles: set[Role] = set()
    for provider in _ROLE_PROVIDERS.values():
        if wanted is None or provider.grants & wanted:
            roles |= _provided(provider, user)
    return roles


def roles_of(user: Any) -> frozenset[Role]:
    """Every role the user holds right now: the account's own, and those the providers derive."""
    base = account_roles(user)
    return frozenset(base | _provided_roles(user, base))


def can(user: Any, action: str) -> bool:
    """Whether any of the user's roles allows ``action``. Unknown actions are refused.

    A provided role (the committee) may cost a query: providers are asked only
    when the account's own roles do not already decide, and only those that
    can grant a role the action allows.
    """
    allowed = POLICY.get(action)
    if allowed is None:
        return False
    base = account_roles(user)
    if base & allowed:
        return True
    return bool(_provided_roles(user, base, allowed) & allowed)


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
