"""The Orders view in a real browser shows governorate and colour names, never their keys
(issue 14, part 5). Same server and Chromium as tests/test_console_browser.py."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.test_console_browser import browser, log_in, page, server  # noqa: F401 (fixtures)


def test_orders_view_shows_labels_not_keys(page: Page, server) -> None:  # noqa: F811 (fixtures)
    order = server.services.orders.create(
        idempotency_key="browser-labels", platform="whatsapp", customer_id="201000000777", name="Mona",
        phone="01001234567", governorate="giza", address="12 Pyramids Street", shipping_fee=45,
        items=[{"product_id": 53, "name": "Boys' Hoodie", "size": "XL", "color": "light blue", "quantity": 1,
                "unit_price": 250}],
    )
    log_in(page, "browser-labels")
    page.click('.view-tab[data-view="orders"]')
    row = page.locator(f'#orders-body tr[data-number="{order.number}"]')
    expect(row.locator("td").nth(2)).to_have_text("Giza")
    row.click()
    detail = page.locator("#order-detail")
    expect(detail).to_contain_text("Giza")
    item = detail.locator("table.items tbody tr").first
    expect(item.locator("td").nth(1)).to_have_text("XL")
    expect(item.locator("td").nth(2)).to_have_text("Light blue")
