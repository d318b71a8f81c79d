"""The console's status panel during a Graph API outage and a paused channel, in a real browser.

Reuses the live server and Chromium of :mod:`tests.test_console_browser`: the sender's alarms
and the inbox's waiting customers are set as an outage and an expired token would set them.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.test_console_browser import browser, log_in, page, server  # noqa: F401 (fixtures)


def test_the_status_panel_shows_the_outage_the_pause_and_the_waiting_customers_masked(page: Page, server):  # noqa: F811 (fixtures)
    services = server.services
    waiting = {"customers": 2, "sample": [
        {"customer_key": "whatsapp:201001234567", "since": 1_700_000_000.0, "events": 2},
        {"customer_key": "messenger:24681357913", "since": 1_700_000_060.0, "events": 1},
    ]}
    services.inbox.waiting = lambda limit=20: waiting
    services.alarms.raise_("messenger.unavailable", "Graph API answered HTTP 503 without an error object")
    services.alarms.raise_("whatsapp.invalid_token", "Error validating access token: Session has expired.")
    try:
        log_in(page, "browser-outage")
        page.click("#status-refresh")
        outage = page.locator('#status-inbox [data-outage="messenger"]')
        expect(outage).to_contain_text("Graph API unreachable for messenger since")
        expect(outage).to_contain_text("2 customers waiting")
        expect(page.locator('#status-inbox [data-paused="whatsapp"]')).to_contain_text("Session has expired")
        listed = page.locator("#waiting-customers li")
        expect(listed).to_have_count(2)
        expect(listed.first).to_contain_text("whatsapp:…4567")
        expect(listed.first).to_contain_text("2 events")
        expect(page.locator("#status")).not_to_contain_text("201001234567")
        expect(page.locator("#health-pill")).not_to_have_text("all good")
    finally:
        del services.inbox.waiting
        services.alarms.clear("messenger.unavailable")
        services.alarms.clear("whatsapp.invalid_token")
