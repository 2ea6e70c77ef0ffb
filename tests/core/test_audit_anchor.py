"""The audit log's anchor outside the database (issue 10, section 2).

Without a published head, a chain recomputed after a forged entry, or cut
short, verifies as intact: whoever writes the database can redo every hash.
These tests forge both ways through SQL, then check that a head taken before
(``flask audit verify --expect N:HASH``) catches them; that ``flask audit
anchor`` e-mails the signed head to the ex-officio members and the guarantor
through a real SMTP server; and that the signature checks with the public key
served at ``/audit/key`` (by the command, by Python alone and by openssl).
"""
from __future__ import annotations

import base64
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from app.auth.models import User, UserKind
from app.core import anchor, audit
from app.core.audit import GENESIS, Head, entry_digest, parse_head, verify_chain
from app.core.models import AuditEntry, OutboxMessage
from app.elections.models import Mandate, MandateKind
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.auth.helpers import Inbox, free_port, smtp_server

# Heads: the text form ----------------------------------------------------------------------------

H = "ab" * 32

PARSE_CASES = [
    ("12:" + H, Head(12, H)),
    ("  12:" + H.upper() + "\n", Head(12, H)),
    ("0:" + GENESIS, Head(0, GENESIS)),
    ("1:" + "0" * 64, Head(1, "0" * 64)),
]
BAD_HEADS = ["", "12", "12:", ":" + H, "-1:" + H, "x:" + H, "12:" + H[:-1], "12:" + H + "0", "12:" + "g" * 64,
             "0:" + H, "1.5:" + H]


@pytest.mark.parametrize(("raw", "expected"), PARSE_CASES)
def test_parse_head(raw: str, expected: Head) -> None:
    assert parse_head(raw) == expected
    assert parse_head(expected.text) == expected and str(expected) == expected.text


@pytest.mark.parametrize("raw", BAD_HEADS)
def test_parse_head_refuses(raw: str) -> None:
    with pytest.raises(ValueError, match="N:HASH|empty log"):
        parse_head(raw)


# verify_chain against anchors (pure) -----------------------------------------------------------------

def _chain(n: int) -> list[SimpleNamespace]:
    out: list[SimpleNamespace] = []
    prev = GENESIS
    for i in range(1, n + 1):
        item = SimpleNamespace(id=i, at=datetime(2026, 1, i, 12, tzinfo=UTC), actor_id=1, actor_label="s@example.org",
                               action=f"member.action{i}", object_type="member", object_id=str(i), before=None,
                               after={"n": i}, prev_hash=prev, hash="")
        item.hash = entry_digest(prev, audit.hashed_fields(item))  # type: ignore[arg-type]
        prev = item.hash
        out.append(item)
    return out


def _rehash_from(chain: list[SimpleNamespace], start: int) -> None:
    """What a forger with write access does: recompute every hash from ``start`` (0-based) to the end."""
    prev = chain[start - 1].hash if start else GENESIS
    for item in chain[start:]:
        item.prev_hash = prev
        item.hash = entry_digest(prev, audit.hashed_fields(item))  # type: ignore[arg-type]
        prev = item.hash


def _head(chain: list[SimpleNamespace], n: int | None = None) -> Head:
    n = len(chain) if n is None else n
    return Head(n, chain[n - 1].hash if n else GENESIS)


def _forge_and_rehash(chain: list[SimpleNamespace]) -> list[SimpleNamespace]:
    chain[2].after = {"n": 999}
    _rehash_from(chain, 2)
    return chain


def _truncate(chain: list[SimpleNamespace]) -> list[SimpleNamespace]:
    return chain[:3]


def _append_more(chain: list[SimpleNamespace]) -> list[SimpleNamespace]:
    longer = _chain(8)
    return longer  # the same first 5 entries (same content), then 3 more


def _replace_tail(chain: list[SimpleNamespace]) -> list[SimpleNamespace]:
    """Delete the last two entries and append two others: the count is back, the hash is not."""
    chain[3].action, chain[4].action = "member.other", "member.other"
    _rehash_from(chain, 3)
    return chain


#: (name, tamper, anchors as entry counts taken on the 5-entry chain before tampering, ok, reason fragment)
ANCHOR_CASES = [
    ("intact, anchor at the end", lambda c: c, (5,), True, ""),
    ("intact, anchor at a prefix", lambda c: c, (2,), True, ""),
    ("intact, anchor of the empty log", lambda c: c, (0,), True, ""),
    ("intact, several anchors", lambda c: c, (1, 3, 5), True, ""),
    ("grown since the anchor", _append_more, (5,), True, ""),
    ("forged and rehashed, anchor after the forgery", _forge_and_rehash, (5,), False, "entry 5 has hash"),
    ("forged and rehashed, anchor on the forged entry", _forge_and_rehash, (3,), False, "entry 3 has hash"),
    ("forged and rehashed, anchor before the forgery", _forge_and_rehash, (2,), True, ""),
    ("truncated below the anchor", _truncate, (5,), False, "truncated: only 3 entries"),
    ("truncated, anchor still inside", _truncate, (3,), True, ""),
    ("tail replaced, same count", _replace_tail, (5,), False, "(rewritten)"),
    ("emptied", lambda c: [], (1,), False, "truncated: only 0 entries"),
]


@pytest.mark.parametrize(("tamper", "anchor_at", "ok", "reason"), [c[1:] for c in ANCHOR_CASES],
                         ids=[c[0] for c in ANCHOR_CASES])
def test_verify_chain_against_anchors(tamper, anchor_at: tuple[int, ...], ok: bool, reason: str) -> None:  # noqa: ANN001
    chain = _chain(5)
    anchors = [_head(chain, n) for n in anchor_at]
    tampered = tamper(chain)
    assert verify_chain(tampered).ok, "the tampering keeps the chain intact on its own"
    report = verify_chain(tampered, anchors)
    assert report.ok is ok, report
    assert reason in report.reason
    if ok:
        assert report.anchors_met == len(anchors)


def test_a_rewritten_entry_names_both_hashes() -> None:
    chain = _chain(5)
    anchor_head = _head(chain)
    _forge_and_rehash(chain)
    report = verify_chain(chain, [anchor_head])
    assert report.reason == f"entry 5 has hash {chain[4].hash}, the anchor says {anchor_head.hash} (rewritten)"


def test_an_empty_logs_anchor_must_be_genesis() -> None:
    assert not verify_chain([], [Head(0, "1" * 64)]).ok


# The database, through SQL as a database administrator would -------------------------------------

def _append(app: Flask, n: int) -> None:
    with app.app_context():
        for i in range(n):
            audit.record(f"test.{i}", "thing", i, after={"i": i})
        db.session.commit()


def _current_head(app: Flask) -> Head:
    with app.app_context():
        return audit.head()


def _forge_and_rehash_in_sql(app: Flask, position: int) -> None:
    """Change the content of the ``position``-th entry (1-based) and recompute every hash after it, in SQL."""
    with app.app_context():
        rows = [SimpleNamespace(**{k: getattr(e, k) for k in ("id", "at", "actor_id", "actor_label", "action",
                                                              "object_type", "object_id", "before", "after",
                                                              "prev_hash", "hash")})
                for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        db.session.remove()
        rows[position - 1].action = "member.forged"
        _rehash_from(rows, position - 1)
        with db.engine.begin() as conn:
            for row in rows[position - 1:]:
                conn.execute(text("UPDATE audit_entries SET action = :action, prev_hash = :prev, hash = :hash "
                                  "WHERE id = :id"),
                             {"action": row.action, "prev": row.prev_hash, "hash": row.hash, "id": row.id})


def _delete_last_in_sql(app: Flask, count: int) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            ids = conn.execute(text("SELECT id FROM audit_entries ORDER BY id DESC LIMIT :n"), {"n": count}).scalars()
            for entry_id in list(ids):
                conn.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entry_id})
        db.session.remove()


def test_head_is_the_count_and_the_last_hash(app: Flask) -> None:
    assert _current_head(app) == Head(0, GENESIS)
    _append(app, 3)
    with app.app_context():
        last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert audit.head() == (3, last.hash)
        # Right after a record, in the same transaction, the head includes it.
        entry = audit.record("test.more", "thing", 9)
        assert audit.head() == Head(4, entry.hash)
        db.session.rollback()


def test_forge_and_rehash_passes_plain_verify_but_not_the_anchor(app: Flask, runner) -> None:  # noqa: ANN001
    _append(app, 5)
    published = _current_head(app)
    _append(app, 2)  # the log goes on after the head was published
    assert runner.invoke(args=["audit", "verify", "--expect", published.text]).exit_code == 0
    _forge_and_rehash_in_sql(app, 3)
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0 and "intact: 7 entries" in plain.output
    result = runner.invoke(args=["audit", "verify", "--expect", published.text])
    assert result.exit_code == 1
    assert f"entry 5 has hash {_nth_hash(app, 5)}, the anchor says {published.hash} (rewritten)" in result.output


def _nth_hash(app: Flask, n: int) -> str:
    with app.app_context():
        return db.session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id).offset(n - 1).limit(1)).one()


def test_truncation_passes_plain_verify_but_not_the_anchor(app: Flask, runner) -> None:  # noqa: ANN001
    _append(app, 6)
    early, published = Head(2, _nth_hash(app, 2)), _current_head(app)
    _delete_last_in_sql(app, 2)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--expect", early.text, "--expect", published.text])
    assert result.exit_code == 1
    assert f"truncated: only 4 entries, the anchor {published.text} needs 6" in result.output
    # The earlier anchor alone still holds: the prefix it names is untouched.
    ok = runner.invoke(args=["audit", "verify", "--expect", early.text])
    assert ok.exit_code == 0 and "1 published head(s) still in the chain" in ok.output


def test_verify_refuses_a_malformed_head(runner) -> None:  # noqa: ANN001
    result = runner.invoke(args=["audit", "verify", "--expect", "12:abc"])
    assert result.exit_code == 2 and "N:HASH" in result.output


# The signed e-mail ------------------------------------------------------------------------------------

@pytest.fixture
def key_file(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "audit-signing-key.pem"
    monkeypatch.setitem(app.config, "AUDIT_SIGNING_KEY_FILE", str(path))
    return path


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    with smtp_server(port) as inbox:
        yield inbox


@pytest.fixture
def keepers(app: Flask, world: factories.World) -> dict[str, str]:
    """Who must receive the anchor: the world's ex-officio account, the representatives of the member flagged
    as guarantor, and those of a member holding a current guarantor's seat. An inactive ex-officio account and a
    past guarantor's seat do not count."""
    with app.app_context():
        flagged = db.session.get(Member, world.other_member_id)
        flagged.is_guarantor = True
        seat_holder = factories.member("Fondation garante")
        factories.user("garant@example.org", member=seat_holder, delegate=True)
        past = factories.member("Ancienne garante")
        factories.user("ancienne@example.org", member=past, delegate=True)
        factories.user("retired-funder@example.org", kind=UserKind.ex_officio).active = False
        today = date.today()
        db.session.add_all([
            Mandate(kind=MandateKind.guarantor, member_id=seat_holder.id, starts_on=today - timedelta(days=10),
                    ends_on=today + timedelta(days=700)),
            Mandate(kind=MandateKind.guarantor, member_id=past.id, starts_on=today - timedelta(days=800),
                    ends_on=today - timedelta(days=10))])
        audit.record("test.setup", "thing", 1)
        db.session.commit()
    return {"funder@example.org": "ex-officio", "other@example.org": "guarantor", "garant@example.org": "guarantor"}


def _public_key(client: FlaskClient) -> bytes:
    response = client.get("/audit/key")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return response.data


def test_anchor_is_emailed_signed_to_the_keepers(app: Flask, client: FlaskClient, runner, key_file: Path,  # noqa: ANN001
                                                 smtp: Inbox, keepers: dict[str, str], tmp_path: Path) -> None:
    before = _current_head(app)
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    assert f"head {before.text}" in result.output
    sent_lines = [line for line in result.output.splitlines() if line.strip().startswith("sent: ")]
    assert sorted(line.split("<")[1].split(">")[0] for line in sent_lines) == sorted(keepers)
    assert "e-mailed to 3 recipient(s)" in result.output
    assert sorted(m["To"] for m in smtp.messages) == sorted(keepers)
    # The key: created on first use, owner-only, outside the repository; its public half is served.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    pem = _public_key(client)
    public = load_pem_public_key(pem)
    for message in smtp.messages:
        body = message.get_content().replace("\r\n", "\n")
        received = anchor.parse_received(body)
        assert received.head == before
        public.verify(base64.b64decode(received.signature), received.statement.encode())  # raises if invalid
        assert pem.decode().strip() in body and "flask audit verify --expect " + before.text in body
    # The anchoring itself is in the log, right after the head it sent.
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.action == "audit.anchored" and entry.after["head"] == before.text
        assert sorted(entry.after["recipients"]) == sorted(keepers)
        assert audit.head().entries == before.entries + 1
    # A recipient's saved message checks out; a doctored one does not.
    saved = tmp_path / "anchor.eml"
    saved.write_bytes(smtp.messages[0].get_content().encode())
    key_copy = tmp_path / "audit-key.pem"
    key_copy.write_bytes(pem)
    check = runner.invoke(args=["audit", "check-anchor", str(saved), "--public-key", str(key_copy)])
    assert check.exit_code == 0, check.output
    assert "signature valid" in check.output and "audit log intact" in check.output
    forged_head = Head(before.entries, "f" * 64)
    saved.write_text(saved.read_text().replace(before.text, forged_head.text), encoding="utf-8")
    check = runner.invoke(args=["audit", "check-anchor", str(saved), "--public-key", str(key_copy)])
    assert check.exit_code == 1 and "signature INVALID" in check.output


def test_a_received_anchor_catches_a_later_truncation(app: Flask, runner, key_file: Path, smtp: Inbox,  # noqa: ANN001
                                                      keepers: dict[str, str], tmp_path: Path) -> None:
    _append(app, 3)
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    saved = tmp_path / "anchor.eml"
    saved.write_bytes(smtp.messages[0].get_content().encode())
    _delete_last_in_sql(app, 3)  # the anchoring entry and two before it
    result = runner.invoke(args=["audit", "check-anchor", str(saved)])
    assert result.exit_code == 1
    assert "signature valid" in result.output and "truncated" in result.output


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_readme_openssl_check(app: Flask, client: FlaskClient, runner, key_file: Path, smtp: Inbox,  # noqa: ANN001
                                  keepers: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(args=["audit", "anchor"]).exit_code == 0
    received = anchor.parse_received(smtp.messages[0].get_content())
    (tmp_path / "audit-key.pem").write_bytes(_public_key(client))
    (tmp_path / "anchor.txt").write_text(received.statement, encoding="utf-8")
    (tmp_path / "anchor.sig").write_bytes(base64.b64decode(received.signature))
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "audit-key.pem", "-rawin", "-in", "anchor.txt",
               "-sigfile", "anchor.sig"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr
    (tmp_path / "anchor.txt").write_text(received.statement.replace("head=", "head=1"), encoding="utf-8")
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, check=False).returncode != 0


def test_anchor_without_a_recipient_fails_clearly(app: Flask, runner, key_file: Path, smtp: Inbox,  # noqa: ANN001
                                                  world: factories.World) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.kind == UserKind.ex_officio)).active = False
        db.session.commit()
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1 and "NOT sent: no recipient" in result.output
    assert smtp.messages == []
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.anchored")) is None


def test_anchor_without_smtp_fails_clearly(app: Flask, runner, key_file: Path, keepers: dict[str, str]) -> None:  # noqa: ANN001
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1 and "no SMTP server is configured" in result.output


def test_anchor_with_smtp_down_fails_and_keeps_the_messages(app: Flask, runner, key_file: Path,  # noqa: ANN001
                                                            keepers: dict[str, str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 1
    assert "SMTP delivery failed for 3 of 3 recipient(s)" in result.output
    assert "NOT SENT (kept in the outbox): " in result.output
    with app.app_context():
        kept = db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.sent_at.is_(None))).all()
        assert sorted(kept) == sorted(keepers)


def test_the_public_key_is_public_and_stable(app: Flask, client: FlaskClient, key_file: Path) -> None:
    first = _public_key(client)
    assert first.startswith(b"-----BEGIN PUBLIC KEY-----") and b"PRIVATE" not in first
    assert _public_key(client) == first
    assert b"PRIVATE KEY" in key_file.read_bytes()


def test_signature_valid_refuses_other_keys_and_lines(app: Flask, key_file: Path) -> None:
    with app.app_context():
        key = anchor.signing_key()
        other = anchor.load_or_create_key(key_file.with_name("other.pem"))
    line = anchor.statement("https://platform.example", datetime(2026, 12, 1, 4, tzinfo=UTC), Head(3, H))
    assert line == f"audit-anchor v1 site=https://platform.example at=2026-12-01T04:00:00Z head=3:{H}"
    signature = anchor.sign(key, line)
    assert anchor.signature_valid(anchor.public_pem(key), line, signature)
    assert not anchor.signature_valid(anchor.public_pem(other), line, signature)
    assert not anchor.signature_valid(anchor.public_pem(key), line + " ", signature)
    assert not anchor.signature_valid(anchor.public_pem(key), line, "not base64!")


def test_the_gitignore_keeps_the_default_key_out_of_the_repository(app: Flask) -> None:
    root = Path(__file__).resolve().parents[2]
    default = Path(app.instance_path) / anchor.DEFAULT_KEY_NAME
    done = subprocess.run(["git", "check-ignore", "-q", str(default.relative_to(root))], cwd=root, check=False)
    if done.returncode == 128:
        pytest.skip("not a git work tree")
    assert done.returncode == 0
