"""Shared fixtures: an app on a temporary database with the demo store and the console sender.

Every test that uses ``settings`` (and so ``app``, ``services``, ``client``) runs twice: on the
default SQLite backend and with ``REDIS_URL`` pointing at a throwaway redis-server.
"""

from __future__ import annotations

import random
import uuid

import pytest

from bot import create_app
from bot.config import Settings
from bot.order_numbers import new_number
from tests.redis_server import RedisServer

TEST_SECRET = "test-app-secret"
BACKENDS = ("sqlite", "redis")


@pytest.fixture(scope="session")
def redis_url():
    server = RedisServer()
    yield server.url
    server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def settings(tmp_path, backend, request) -> Settings:
    shared = {}
    if backend == "redis":
        shared = {"redis_url": request.getfixturevalue("redis_url"), "redis_prefix": f"t{uuid.uuid4().hex[:12]}:"}
    return Settings.from_env({}).with_overrides(
        meta_app_secret=TEST_SECRET,
        verify_token="verify-me",
        admin_token="admin-test-token",
        admin_token_generated=False,
        database_path=str(tmp_path / "dukkan.sqlite3"),
        public_base_url="http://bot.test",
        **shared,
    )


def seeded_order_numbers(seed: int = 7):
    """Order numbers from a seeded generator instead of :mod:`secrets`: tests see the same ones each run."""
    rng = random.Random(seed)
    return lambda: new_number(choice=rng.choice)


@pytest.fixture
def app(settings):
    """The real app; workers are not started: tests run them with ``services.workers.drain()``."""
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    application = create_app(overrides, start_workers=False)
    application.testing = True
    application.extensions["dukkan"].orders.new_number = seeded_order_numbers()  # same numbers every run
    yield application
    application.extensions["dukkan"].workers.stop()


@pytest.fixture
def services(app):
    return app.extensions["dukkan"]


@pytest.fixture
def client(app):
    return app.test_client()
