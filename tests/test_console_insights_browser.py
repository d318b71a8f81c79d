"""The Insights view and the staff's live news in a real browser (Debian's Chromium via Playwright).

A scripted set of conversations goes through the webhook, the inbox, the dialog and the outbox
(``Chat``: signed deliveries, the workers drained by the test, so nothing races); then the owner
reads the funnel and "what the bot did not understand", opens one conversation with a click, and
sees a new order arrive in the Orders view without reloading the page (Server-Sent Events read
from the storage). Phone numbers never appear in these views.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from bot import create_app
from bot.config import Settings
from tests.conftest import TEST_SECRET, seeded_order_numbers
from tests.test_checkout import to_summary
from tests.test_console_browser import ARTIFACTS, TIMEOUT_MS, browser, page  # noqa: F401 (fixtures; page uses this module's server)
from tests.test_conversation_kit import Chat, Script, Understood, payloads

TOKEN = "insights-admin-token"
PHONE_CUSTOMER, PHONE_SAID = "201001234567", "01119876543"
LINES = {
    "عايز تيشيرت اسود": Understood("search", {"item": "t-shirt", "color": "black"}),
    "عايز فستان بنفسجي بعشرة جنيه": Understood("search", {"item": "dress", "color": "purple", "price_max": 10}),
    "عايز اكلم حد": Understood("human_handoff"),
}
expect.set_options(timeout=TIMEOUT_MS)


class LiveServer:
    """The app on a free port of 127.0.0.1, its workers driven by the test (``Chat`` drains them)."""

    def __init__(self, tmp_path: Path) -> None:
        self._app = None
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        settings = Settings.from_env({}).with_overrides(
            meta_app_secret=TEST_SECRET, admin_token=TOKEN, admin_token_generated=False,
            database_path=str(tmp_path / "insights.sqlite3"), public_base_url=self.url, log_level="WARNING",
        )
        overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
        self._app = create_app(overrides, start_workers=False)
        self.services = self._app.extensions["dukkan"]
        self.services.orders.new_number = seeded_order_numbers()
        self.services.dialog.deps.understand = Script(LINES)
        self.thread = threading.Thread(target=self.server.serve_forever, name="insights-server", daemon=True)
        self.thread.start()

    def _dispatch(self, environ, start_response):
        return self._app(environ, start_response)

    def chat(self, platform: str, customer: str) -> Chat:
        """A customer writing through the webhook (signed deliveries; the test drains the workers)."""
        return Chat(self._app.test_client(), self.services, platform, customer)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("insights"))
    yield live
    live.stop()


def log_in(page: Page) -> None:  # noqa: F811 (the fixture, imported above)
    page.goto("/console")
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console$"))
    expect(page.locator("html[data-insights-ready=true]")).to_have_count(1)
    expect(page.locator("html[data-news=live]")).to_have_count(1)       # the news stream is open


def place_an_order(server, customer: str) -> str:
    """A whole order through the webhook: cart, checkout, confirm; its number."""
    chat = server.chat("messenger", customer)
    confirm = next(p for p in payloads(to_summary(chat, server.services)) if p.startswith("CONFIRM:"))
    chat.press(confirm)
    [order] = server.services.orders.by_customer("messenger", customer)
    return order.number


def no_phone_number(text: str) -> None:
    for digits in (PHONE_CUSTOMER, PHONE_SAID, "1234567", "9876543"):
        assert digits not in text


def test_the_funnel_and_what_the_bot_did_not_understand(page: Page, server) -> None:  # noqa: F811 (fixtures)
    server.chat("whatsapp", PHONE_CUSTOMER).say(f"ممكن حد يكلمني على {PHONE_SAID} بخصوص الفرع")
    server.chat("messenger", "psid-branch-1").say("الفرع بتاعكم فين")
    server.chat("messenger", "psid-branch-2").say("فين الفرع بتاعكم؟")
    server.chat("whatsapp", "201002223333").say("الفرع بتاعكو فين")
    shopper = server.chat("messenger", "psid-shopper")
    shopper.say("عايز تيشيرت اسود")
    shopper.say("عايز فستان بنفسجي بعشرة جنيه")
    server.chat("whatsapp", "201004445555").say("عايز اكلم حد")
    number = place_an_order(server, "psid-buyer")
    order = server.services.orders.get(number)

    log_in(page)
    page.click('.view-tab[data-view="insights"]')
    expect(page.locator('#view-insights[data-loaded="7"]')).to_have_count(1)
    funnel = page.locator("#funnel")
    expect(funnel.locator('[data-step="customers"] .funnel-count')).to_have_text("7")
    expect(funnel.locator('[data-step="searches"] .funnel-count')).to_have_text("2")
    expect(funnel.locator('[data-step="product_views"] .funnel-count')).to_have_text("1")
    expect(funnel.locator('[data-step="carts"] .funnel-count')).to_have_text("1")
    expect(funnel.locator('[data-step="orders"] .funnel-count')).to_have_text("1")
    expect(funnel.locator('[data-step="handoffs"] .funnel-count')).to_have_text("1")
    expect(funnel.locator('[data-step="revenue"] .funnel-count')).to_have_text(f"{order.total:,} EGP")

    branch = page.locator("#misses-not-understood .group").first
    expect(branch.locator(".group-count")).to_have_text("×3")
    expect(branch).to_contain_text("3 customers")
    expect(page.locator("#misses-no-results .group")).to_contain_text("عايز فستان بنفسجي بعشرة جنيه")
    expect(page.locator('#misses-handoffs [data-reason="asked"]')).to_contain_text("asked for a person")
    expect(page.locator('#misses-handoffs [data-reason="asked"]')).to_contain_text("عايز اكلم حد")

    phone_group = page.locator("#misses-not-understood .group", has_text="بخصوص الفرع")
    expect(phone_group).to_contain_text("[redacted]")
    phone_group.locator(".example").first.click()                      # one click: that conversation
    transcript = page.locator("#transcript")
    expect(transcript.locator(".line-customer.focus")).to_contain_text("بخصوص الفرع")
    expect(transcript).to_contain_text("whatsapp:…4567")
    expect(transcript.locator(".line-bot")).not_to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-insights.png"), full_page=True)

    page.click('#view-insights .period[data-days="30"]')
    expect(page.locator('#view-insights[data-loaded="30"]')).to_have_count(1)
    expect(funnel.locator('[data-step="customers"] .funnel-count')).to_have_text("7")
    no_phone_number(page.locator("#view-insights").inner_text())
    no_phone_number(page.locator("#staff-feed-panel").inner_text())


def test_a_new_order_appears_in_the_console_without_a_reload(page: Page, server) -> None:  # noqa: F811 (fixtures)
    log_in(page)
    page.click('.view-tab[data-view="orders"]')
    page.evaluate("window.__same_page = true")
    number = place_an_order(server, "psid-live-buyer")               # meanwhile, a customer orders
    expect(page.locator(f'#orders-body tr[data-number="{number}"]')).to_be_visible()
    expect(page.locator("#staff-feed-count")).to_have_text("1")
    page.click("#staff-feed-toggle")
    news = page.locator(f'#staff-feed-list .news[data-event="order.placed"][data-ref="{number}"]')
    expect(news).to_contain_text(f"New order {number}")
    assert page.evaluate("window.__same_page") is True                 # no reload happened
    page.screenshot(path=str(ARTIFACTS / "console-news.png"))
    news.get_by_role("button", name="Open order").click()
    expect(page.locator("#order-detail")).to_contain_text(number)
