"""Shared fixtures: an app on a temporary database with the demo store and the console sender."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.config import Settings

TEST_SECRET = "test-app-secret"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({}).with_overrides(
        meta_app_secret=TEST_SECRET,
        verify_token="verify-me",
        admin_token="admin-test-token",
        admin_token_generated=False,
        database_path=str(tmp_path / "dukkan.sqlite3"),
        public_base_url="http://bot.test",
    )


@pytest.fixture
def app(settings):
    """The real app; workers are not started: tests run them with ``services.workers.drain()``."""
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    application = create_app(overrides, start_workers=False)
    application.testing = True
    yield application
    application.extensions["dukkan"].workers.stop()


@pytest.fixture
def services(app):
    return app.extensions["dukkan"]


@pytest.fixture
def client(app):
    return app.test_client()
