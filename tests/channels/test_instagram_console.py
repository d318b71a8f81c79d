"""The console's Instagram view in a real browser (the channel's ``console`` part: its tab, its
simulated deliveries, its phone): an Instagram customer asks, the bot answers with cards and quick
replies drawn from Instagram's Send API bodies. Uses the console browser tests' server and Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.test_console_browser import ARTIFACTS, browser, log_in, page, say, server  # noqa: F401  # fixtures

__all__ = ["browser", "page", "server"]


def test_an_instagram_customer_gets_cards_and_quick_replies(page: Page):
    log_in(page, "browser-messenger-ig")
    page.click('.platform-tab[data-platform="instagram"]')
    expect(page.locator("#phone")).to_have_attribute("data-platform", "instagram")
    expect(page.locator("#phone-sub")).to_have_text("Instagram · Direct")
    expect(page.locator("#customer-id")).to_have_value(re.compile(r"^console-ig-\d{6}$"))
    say(page, "عايز تيشيرت اسود")
    expect(page.locator("#chat .msg.out .bubble").first).to_have_text("عايز تيشيرت اسود")
    cards = page.locator("#chat .carousel .m-card")
    expect(cards.first).to_be_visible()
    expect(page.locator("#delivery")).to_contain_text('"object": "instagram"')
    expect(page.locator("#payloads")).to_contain_text('"template_type": "generic"')
    expect(page.locator("#payloads")).not_to_contain_text("image_aspect_ratio")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-instagram.png"))
    cards.first.locator('button[data-payload^="DETAILS:"]').click()
    expect(page.locator("#understanding")).to_contain_text("DETAILS:")
    expect(page.locator("#delivery")).to_contain_text('"postback"')
