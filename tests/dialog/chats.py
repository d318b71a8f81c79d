"""Shared helpers of the dialog tests: a scripted matcher, products of the demo store, what a customer got."""

from __future__ import annotations

from bot.store import SearchFilters
from tests.conversation_judge import Answer
from tests.test_conversation_kit import Chat, Script, Understood


def scripted(services, lines: dict[str, Understood]) -> Script:
    """The matcher replaced by fixed answers (anything else is ``unknown``)."""
    script = Script(lines)
    services.dialog.deps.understand = script
    return script


def of_item(services, item: str, *, colours: int = 2):
    """An in-stock product of ``item`` in at least ``colours`` colours and several sizes."""
    page = services.store.search("", filters=SearchFilters(item=item, in_stock=True), limit=50)
    return next(p for p in page.products if len(p.colors) >= colours and len(p.sizes) > 1 and p.stock_quantity > 3)


def cart_of(chat: Chat) -> list[dict]:
    return chat.services.pipeline.sessions.load(chat.platform, chat.customer).get("cart", [])


def answer(chat: Chat, text: str) -> Answer:
    return Answer(chat.say(text))
