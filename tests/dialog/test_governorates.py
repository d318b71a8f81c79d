"""bot/dialog/governorates.py: a real governorate the shop lists no fee for is its "other" zone."""

from __future__ import annotations

from bot.dialog.governorates import names_one
from tests.test_checkout import fill_cart, hoodie
from tests.test_conversation_kit import joined, payloads


def test_egypts_governorates_and_their_capitals_are_known_in_every_writing() -> None:
    for text in ("بني سويف", "ساكنة في الفيوم", "beni suef", "Kafr El Sheikh", "العريش", "دمياط الجديدة"):
        assert names_one(text), text
    for text in ("بني", "سويفل", "شارع التحرير", "kafr", "عمارة ٩"):
        assert not names_one(text), text


def test_a_governorate_without_its_own_fee_is_the_other_zone_in_a_checkout(wa, services) -> None:
    info = services.store.info()
    assert info.governorate("بني سويف") is None and info.other_governorate() is not None   # the demo shop
    fill_cart(wa, hoodie(services))
    wa.tap("CHECKOUT")
    wa.say("سلمى حسن")
    assert "GOV:other" in payloads(wa.say("01001234567"))
    asked = joined(wa.say("بني سويف"))
    assert "مش لاقي" not in asked and "العنوان" in asked                 # the address is asked next
    assert not any(p.startswith("GOV:") for p in payloads(wa.say("الحي الاول عماره ٩")))   # then the summary
