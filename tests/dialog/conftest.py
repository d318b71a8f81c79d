"""Fixtures of the dialog tests: one customer on each platform, through the webhook."""

from __future__ import annotations

import pytest

from tests.test_conversation_kit import Chat


@pytest.fixture
def fb(client, services) -> Chat:
    return Chat(client, services, "messenger", "psid-dialog")


@pytest.fixture
def wa(client, services) -> Chat:
    return Chat(client, services, "whatsapp", "201001234598")
