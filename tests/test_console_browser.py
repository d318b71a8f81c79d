"""The console in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

The app runs in a thread behind werkzeug's server on a free port of 127.0.0.1 with its inbox
workers started and a temporary database, so every click goes through /admin/api/simulate,
/webhook, the inbox, the dialog and the outbox exactly as in production (console send mode).
Chromium comes from the ``chromium`` package (``.ci/run`` installs it); Playwright never
downloads a browser. Without Chromium these tests fail: they are the console's acceptance tests.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from bot import create_app
from bot.config import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "browser-admin-token"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


class LiveServer:
    """The app on 127.0.0.1:<free port>, served from a thread."""

    def __init__(self, tmp_path: Path) -> None:
        self._app = None
        # Bind first to learn the port, so the app's public base URL (product pictures) is right.
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        settings = Settings.from_env({}).with_overrides(
            meta_app_secret="browser-secret",
            admin_token=TOKEN,
            admin_token_generated=False,
            database_path=str(tmp_path / "console.sqlite3"),
            public_base_url=self.url,
            log_level="WARNING",
        )
        overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
        self._app = create_app(overrides, start_workers=True)
        self.services = self._app.extensions["dukkan"]
        self.thread = threading.Thread(target=self.server.serve_forever, name="console-server", daemon=True)
        self.thread.start()

    def _dispatch(self, environ, start_response):
        return self._app(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.services.workers.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("console"))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium); "
            "the console's browser tests cannot run without it",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the console: {errors}"


def log_in(page: Page, customer: str) -> None:
    """Sign in and pick a fresh Messenger customer."""
    page.goto("/console")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.fill("#token", TOKEN)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console$"))
    use_customer(page, customer)


def use_customer(page: Page, customer: str) -> None:
    expect(page.locator("html[data-ready=true]")).to_have_count(1)  # console.js has set the page up
    page.fill("#customer-id", customer)
    page.locator("#customer-id").dispatch_event("change")
    expect(page.locator("#chat .msg")).to_have_count(0)


def say(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def bot_messages(page: Page):
    return page.locator("#chat .msg.in")


def test_the_console_needs_a_login(page: Page):
    page.goto("/console")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console$"))
    page.fill("#token", "not the token")
    page.click("button[type=submit]")
    expect(page.locator(".form-error")).to_contain_text("not right")
    response = page.request.get("/admin/api/status")
    assert response.status == 401


def test_messenger_cards_details_and_cart(page: Page, server):
    log_in(page, "browser-messenger-1")
    say(page, "عايز تيشيرت اسود")
    expect(page.locator("#chat .msg.out .bubble").first).to_have_text("عايز تيشيرت اسود")
    cards = page.locator("#chat .carousel .m-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 2
    first_image = cards.first.locator("img.m-card-image")
    expect(first_image).to_be_visible()
    first_image.evaluate("img => img.decode()")
    assert first_image.evaluate("img => img.naturalWidth") > 0
    expect(cards.first.locator(".m-card-title")).not_to_be_empty()
    expect(page.locator("#understanding .intent-name")).to_have_text("search")
    expect(page.locator("#understanding .slot").filter(has_text="item")).to_contain_text("t-shirt")
    expect(page.locator("#delivery")).to_contain_text('"object": "page"')
    expect(page.locator("#payloads")).to_contain_text('"template_type": "generic"')
    expect(page.locator("#typing")).to_be_hidden()
    expect(page.locator('#status-inbox [data-counter="done"] strong')).not_to_have_text("0")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console.png"))

    before = bot_messages(page).count()
    cards.first.locator('button[data-payload^="DETAILS:"]').click()
    expect(page.locator("#understanding")).to_contain_text("DETAILS:")
    expect(bot_messages(page)).not_to_have_count(before)
    add = page.locator('#chat [data-payload^="ADD:"]').last
    expect(add).to_be_visible()
    product = add.get_attribute("data-payload").split(":")[1]
    add.click()
    expect(page.locator("#understanding")).to_contain_text("ADD:" + product)
    choose_until_the_cart_has(page, product)
    expect(page.locator("#session")).to_contain_text('"cart"')


def choose_until_the_cart_has(page: Page, product: str) -> None:
    """Answer the size/colour questions with the first choice until the session's cart holds it."""
    session = page.locator("#session")
    for _ in range(4):
        expect(page.locator("#typing")).to_be_hidden()
        if re.search(rf'"product_id":\s*{product}\b', session.inner_text()):
            return
        page.locator("#chat .quick-replies .chip, #chat .msg.in:last-child .m-button").first.click()
    expect(session).to_contain_text(re.compile(rf'"product_id":\s*{product}\b'))


def test_whatsapp_list_sheet(page: Page):
    log_in(page, "browser-messenger-2")
    page.click('.platform-tab[data-platform="whatsapp"]')
    expect(page.locator("#phone")).to_have_attribute("data-platform", "whatsapp")
    use_customer(page, "201000000777")
    say(page, "عايز تيشيرت اسود")
    list_button = page.locator("#chat .wa-list-button").last
    expect(list_button).to_be_visible()
    list_button.click()
    rows = page.locator("#sheet .wa-row")
    expect(rows.first).to_be_visible()
    title = rows.first.locator(".wa-row-title").inner_text()
    payload = rows.first.get_attribute("data-payload")
    rows.first.click()
    page.click("#sheet-send")
    expect(page.locator("#sheet")).to_be_hidden()
    expect(page.locator("#chat .msg.out.press .bubble").last).to_have_text(title)
    expect(page.locator("#understanding")).to_contain_text(payload)
    expect(page.locator("#delivery")).to_contain_text('"list_reply"')
    reply = page.locator("#chat .wa-reply").last
    expect(reply).to_be_visible()
    reply_id = reply.get_attribute("data-payload")
    reply.click()
    expect(page.locator("#delivery")).to_contain_text('"button_reply"')
    expect(page.locator("#understanding")).to_contain_text(reply_id)


def test_customer_html_is_shown_as_text(page: Page):
    log_in(page, "browser-xss")
    attack = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>'
    say(page, attack)
    bubble = page.locator("#chat .msg.out .bubble").last
    expect(bubble).to_have_text(attack)
    expect(page.locator("#typing")).to_be_hidden()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#chat script, #chat img[src='x'], #chat b").count() == 0
    assert page.locator("#delivery").inner_text().count("<script>") == 1


def test_orders_and_handoffs_views(page: Page, server):
    order = server.services.orders.create(
        idempotency_key="browser-order", platform="messenger", customer_id="browser-buyer", name="سارة",
        phone="01001234567", governorate="الجيزة", address="شارع الهرم", shipping_fee=45,
        items=[{"product_id": 53, "name": "تيشيرت قطن", "size": "M", "quantity": 1, "unit_price": 250}],
    )
    server.services.handoffs.open("whatsapp", "201000000999", "asked for a person", {"last_text": "عايز اكلم حد"})
    log_in(page, "browser-admin")
    page.click('.view-tab[data-view="orders"]')
    row = page.locator(f'#orders-body tr[data-number="{order.number}"]')
    expect(row).to_contain_text("سارة")
    row.click()
    expect(page.locator("#order-detail")).to_contain_text("شارع الهرم")
    page.select_option("#order-status", "shipped")
    page.click("#order-status-save")
    expect(row.locator(".status-tag")).to_have_text("shipped")
    assert server.services.orders.get(order.number).status == "shipped"

    page.click('.view-tab[data-view="handoffs"]')
    handoff = page.locator('.handoff[data-customer="whatsapp:201000000999"]')
    expect(handoff).to_contain_text("عايز اكلم حد")
    handoff.get_by_role("button", name="Release to the bot").click()
    expect(handoff).to_have_count(0)
    assert not server.services.handoffs.active("whatsapp", "201000000999")


def test_quick_reply_chips_send_quick_replies(page: Page):
    log_in(page, "browser-chips")
    say(page, "اهلا")
    chip = page.locator("#chat .quick-replies .chip").first
    expect(chip).to_be_visible()
    title, payload = chip.inner_text(), chip.get_attribute("data-payload")
    chip.click()
    expect(page.locator("#delivery")).to_contain_text('"quick_reply"')
    expect(page.locator("#understanding")).to_contain_text(payload)
    expect(page.locator("#chat .msg.out.press .bubble").last).to_have_text(title)


def test_a_customer_asking_for_a_person_shows_the_handoff_and_staff_release_it(page: Page, server):
    log_in(page, "browser-handoff")
    say(page, "عايز اكلم حد من خدمة العملاء")
    expect(page.locator("#handoff-banner")).to_be_visible()
    assert server.services.handoffs.active("messenger", "browser-handoff")
    page.click("#banner-release")
    expect(page.locator("#handoff-banner")).to_be_hidden()
    assert not server.services.handoffs.active("messenger", "browser-handoff")
