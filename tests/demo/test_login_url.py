"""The sign-in address printed with the demo logins follows where the app is served (`make run PORT=8080`).

It was a constant (http://127.0.0.1:5000/login) whatever HOST and PORT ``make run`` was given.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from app.demo.commands import login_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("base", "expected"), [
    (None, "http://127.0.0.1:5000/login"),  # flask run's default
    ("", "http://127.0.0.1:5000/login"),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5000/login"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/login"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/login"),
    ("http://localhost:1", "http://localhost:1/login"),
    ("http://192.168.1.20:65535", "http://192.168.1.20:65535/login"),
    # "Every interface" is reached from this machine at the loopback address.
    ("http://0.0.0.0:8080", "http://127.0.0.1:8080/login"),
    ("http://[::]:8080", "http://[::1]:8080/login"),
    ("http://0.0.0.0", "http://127.0.0.1/login"),
    # A public address with a path prefix (APP_EXTERNAL_URL).
    ("https://pcpa.example.org/platform/", "https://pcpa.example.org/platform/login"),
    ("https://pcpa.example.org", "https://pcpa.example.org/login"),
    # Not readable as a URL (an unbracketed IPv6 host): printed as given rather than failing the load.
    ("http://:::8080", "http://:::8080/login"),
])
def test_login_url(base: str | None, expected: str) -> None:
    assert login_url(base) == expected


def test_demo_load_prints_the_address_it_is_given(app: Flask, runner, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(app.config, "DEMO_MODE", True)
    result = runner.invoke(args=["demo", "load", "--url", "http://0.0.0.0:8080"])
    assert result.exit_code == 0, result.output
    assert "Demo logins on http://127.0.0.1:8080/login " in result.output
    assert ":5000" not in result.output


def test_demo_load_defaults_to_the_public_address(app: Flask, runner, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(app.config, "DEMO_MODE", True)
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://pcpa.example.org")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo logins on https://pcpa.example.org/login " in result.output


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("args", "url", "served"), [
    ([], "http://127.0.0.1:5000", "Serving on http://127.0.0.1:5000/"),
    (["PORT=8080", "HOST=0.0.0.0"], "http://0.0.0.0:8080",
     "Serving on http://0.0.0.0:8080/ (every interface; from this machine http://127.0.0.1:8080/)"),
])
def test_make_run_passes_host_and_port(args: list[str], url: str, served: str) -> None:
    """`make -n run` (print the commands, run none): the demo load and the served address use HOST and PORT."""
    planned = subprocess.run(["make", "-n", "-s", "-C", str(ROOT), "run", *args, "VENV=/nonexistent-venv"],
                             capture_output=True, text=True, check=True, timeout=60).stdout
    assert f"demo load --url {url}\n" in planned
    assert served in planned
    host, port = url.removeprefix("http://").split(":")
    assert f"run --host {host} --port {port}" in planned
