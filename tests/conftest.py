"""Shared fixtures: an application on a fresh SQLite database in a temporary instance folder."""
from __future__ import annotations

import pytest

from compliance import create_app


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
