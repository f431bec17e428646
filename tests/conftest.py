"""Shared fixtures: an application on a fresh SQLite database in a temporary instance folder."""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

from compliance import create_app

# In CI the property tests are derandomised: the same examples every run, so a submission's CI never fails on a
# case no one has seen. Locally they stay random and keep exploring; a failure found there is added as @example.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def make_app(tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE": str(tmp_path / "compliance.sqlite"),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()
