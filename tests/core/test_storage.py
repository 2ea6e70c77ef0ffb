"""One setting, ``SHARED_DIR``, puts every file another app node needs on shared storage; each kind's own
setting still wins, and without either the instance folder keeps them (a single node, as before)."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app.assembly.services import documents_dir
from app.calls.attachments import storage_dir as call_attachments_dir
from app.core.anchor import key_path
from app.grants.reports import storage_dir as report_attachments_dir
from app.members.transfer_routes import _pending_dir

PLACES = [
    (documents_dir, "ASSEMBLY_DOCUMENTS_DIR", "documents"),
    (call_attachments_dir, "CALLS_ATTACHMENTS_DIR", "attachments"),
    (report_attachments_dir, "GRANTS_ATTACHMENTS_DIR", "grant-attachments"),
    (_pending_dir, "IMPORT_DIR", "imports"),
    (key_path, "AUDIT_SIGNING_KEY_FILE", "audit-signing-key.pem"),
]


@pytest.mark.parametrize(("where", "setting", "name"), PLACES)
@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("own", [False, True])
def test_where_files_go(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where, setting: str,  # noqa: ANN001
                        name: str, shared: bool, own: bool) -> None:
    monkeypatch.setitem(app.config, "SHARED_DIR", str(tmp_path / "shared") if shared else None)
    monkeypatch.setitem(app.config, setting, str(tmp_path / "own") if own else None)
    with app.app_context():
        found = where()
        if own:
            assert found == tmp_path / "own"
        elif shared:
            assert found == tmp_path / "shared" / name
        else:
            assert found == Path(app.instance_path) / name


def test_without_a_secret_key_every_node_signs_with_the_shared_one(tmp_path: Path) -> None:
    """APP_SECRET_KEY forgotten: the key made on first start goes to SHARED_DIR, and another node reads it."""
    from app import create_app

    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SHARED_DIR": str(tmp_path / "shared")}
    first, second = create_app(dict(settings)), create_app(dict(settings))
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    key = tmp_path / "shared" / "secret_key"
    assert key.read_text() == first.config["SECRET_KEY"] and key.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in key.parent.iterdir()) == ["secret_key"]  # no draft left behind
