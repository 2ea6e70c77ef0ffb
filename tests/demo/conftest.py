"""Every demo load attaches statements to the grants' reports: they go to a temporary folder, never instance/."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def _grant_attachments(app: Flask, tmp_path: Path) -> Iterator[None]:
    before = app.config.get("GRANTS_ATTACHMENTS_DIR")
    app.config["GRANTS_ATTACHMENTS_DIR"] = str(tmp_path / "grant-attachments")
    yield
    app.config["GRANTS_ATTACHMENTS_DIR"] = before
