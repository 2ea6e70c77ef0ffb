"""Where the files every app node needs are kept: one setting, ``SHARED_DIR``, for all of them.

Several stateless app nodes behind one proxy must find, on each node, a document uploaded through
another one: the uploaded assembly documents, proposal and report attachments, member imports awaiting
confirmation and the audit signing key live under ``SHARED_DIR`` (a mount every node shares: NFS,
CephFS, a cloud file share), by default the instance folder (one node). Each kind of file keeps its own
setting (``ASSEMBLY_DOCUMENTS_DIR``...), which, when given, wins.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app


def shared_root() -> Path:
    """``SHARED_DIR``, or the instance folder when it is not set."""
    configured = current_app.config.get("SHARED_DIR")
    return Path(configured) if configured else Path(current_app.instance_path)


def shared_path(setting: str, default_name: str) -> Path:
    """The path a setting names, else ``<SHARED_DIR>/<default_name>`` (nothing is created)."""
    configured = current_app.config.get(setting)
    return Path(configured) if configured else shared_root() / default_name


def shared_dir(setting: str, default_name: str) -> Path:
    """``shared_path`` as a directory, created when missing."""
    path = shared_path(setting, default_name)
    path.mkdir(parents=True, exist_ok=True)
    return path
