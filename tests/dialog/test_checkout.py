"""bot/dialog/checkout.py: a name and a mobile given with their labels in one message."""

from __future__ import annotations

from tests.test_checkout import fill_cart, hoodie
from tests.test_conversation_kit import payloads


def test_a_name_and_a_mobile_with_their_labels_answer_two_steps(wa, services) -> None:
    fill_cart(wa, hoodie(services))
    wa.tap("CHECKOUT")
    asked = wa.say("الاسم: ليلى أحمد، الهاتف: ٠١١٢٣٤٥٦٧٨٩")
    assert "GOV:cairo" in payloads(asked)                         # the governorate is asked next
    checkout = services.pipeline.sessions.load("whatsapp", wa.customer)["checkout"]
    assert (checkout["name"], checkout["phone"]) == ("ليلى أحمد", "01123456789")
