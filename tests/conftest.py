"""Shared fixtures: an application on a fresh SQLite database, one on a copy of the demo, a real mail server."""
from __future__ import annotations

import os
import subprocess

import pytest
from hypothesis import settings

from tests import builders
from tests.builders import make_app
from tests.mailserver import MailServer

# In CI the property tests are derandomised: the same examples every run, so a submission's CI never fails on a
# case no one has seen. Locally they stay random and keep exploring; a failure found there is added as @example.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_app(tmp_path):
    return builders.demo_app(tmp_path)


@pytest.fixture
def mail_server():
    with MailServer() as server:
        yield server


@pytest.fixture
def mail_app(tmp_path, mail_server):
    return make_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KB filesystem of its own (tmpfs) that fills up quickly, or the test is skipped with the reason."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip() or 'not allowed'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)
