"""A single-use link used twice at the same moment: exactly one use wins.

Two threads, each with its own test client (so its own request, app context
and database session), having both opened the same link, post a password. Both are held until
each has checked the link (``token_user``), so both pass the check before
either spends it: only the conditional UPDATE (``used_at IS NULL``, rowcount
checked) can then stop the second one. A check-then-set implementation lets
both through and fails here, on SQLite as on PostgreSQL.
"""
from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth import services
from app.auth.models import Token, TokenPurpose, User, UserKind
from app.auth.passwords import verify_password
from app.extensions import db
from tests.auth.helpers import audit_actions, link_in_outbox, open_link, page_text, translated, user_by_email

PASSWORDS = {"first": "first person's passphrase", "second": "second person's passphrase"}


def _link(app: Flask, purpose: TokenPurpose, email: str) -> str:
    """Issue a link the normal way and read it from the outbox (no SMTP in this app)."""
    with app.test_request_context():
        if purpose == TokenPurpose.invitation:
            secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat))
            services.invite_user(actor=secretariat, email=email, full_name="Shared Link")
        else:
            services.request_password_reset(email)
        db.session.commit()
    return link_in_outbox(app, email)


@pytest.mark.parametrize(("purpose", "email"), [
    (TokenPurpose.invitation, "shared@example.org"),
    (TokenPurpose.reset, "delegate@example.org"),
], ids=["invitation", "reset"])
def test_same_link_used_twice_at_once_works_once(app: Flask, world, monkeypatch: pytest.MonkeyPatch,
                                                 purpose: TokenPurpose, email: str) -> None:
    link = _link(app, purpose, email)
    # Both people open the link first (the code goes into each one's session), then send a password.
    clients = {name: app.test_client() for name in PASSWORDS}
    pages = {name: open_link(client, link) for name, client in clients.items()}
    in_step = threading.Barrier(2, timeout=20)
    check = services.token_user

    def checked_together(secret: str, purpose_: TokenPurpose) -> User:
        user = check(secret, purpose_)
        in_step.wait()  # neither goes on before both have seen an unused link
        return user

    monkeypatch.setattr(services, "token_user", checked_together)
    outcomes: dict[str, tuple[int, str, str | None]] = {}
    failures: list[BaseException] = []

    def use(name: str) -> None:
        client = clients[name]
        try:
            response = client.post(pages[name], data={"password": PASSWORDS[name], "confirm": PASSWORDS[name]})
            with client.session_transaction() as sess:
                outcomes[name] = (response.status_code, page_text(response), sess.get("_user_id"))
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)
            in_step.abort()

    threads = [threading.Thread(target=use, args=(name,)) for name in PASSWORDS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(status for status, _, _ in outcomes.values()) == [302, 410], outcomes

    [winner] = [name for name, (status, _, _) in outcomes.items() if status == 302]
    [loser] = [name for name in outcomes if name != winner]
    user = user_by_email(app, email)
    assert outcomes[winner][2] == user.get_id()
    assert outcomes[loser][2] is None
    assert translated(app, "This link has already been used. Ask for a new one.") in outcomes[loser][1]
    assert verify_password(user.password_hash, PASSWORDS[winner])
    assert not verify_password(user.password_hash, PASSWORDS[loser])
    action = "auth.password_set" if purpose == TokenPurpose.invitation else "auth.password_reset"
    assert audit_actions(app, "auth.password") == [(action, str(user.id), None)]
    with app.app_context():
        spent = db.session.scalars(select(Token.used_at).where(Token.user_id == user.id)).all()
    assert len(spent) == 1 and spent[0] is not None
