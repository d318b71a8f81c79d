"""Orders already placed (cancel, change), the shop's own details, and "I want to order" with nothing chosen.

Through the real webhook, inbox, dialog and renderers on both platforms and both backends; the
intent matcher is stood in for by ``Script`` (the intents ``order_cancel``, ``order_change`` and
``store_info`` of the shared schema), so these tests are about the dialog only.
"""

from __future__ import annotations

import json

import pytest

from tests.test_conversation_kit import Chat, Script, Understood, joined, payloads

PLATFORMS = ("messenger", "whatsapp")
BUYER = {"messenger": "psid-buyer", "whatsapp": "201001234567"}
STRANGER = {"messenger": "psid-stranger", "whatsapp": "201009999999"}
PHONE, NAME, ADDRESS = "01001234567", "منى حسن", "١٢ شارع التحرير، الدقي"
LINE = [{"product_id": 3, "name": "شنطة", "size": "One Size", "color": "black", "quantity": 1, "unit_price": 1299}]

LINES = {
    "الغي الاوردر": Understood("order_cancel"),
    "cancel my order please": Understood("order_cancel", language="en"),
    "عايز اغير العنوان في الطلب لمدينة نصر": Understood("order_change"),
    "عايز اغير المقاس في الطلب ل L": Understood("order_change", {"size": "L"}),
    "فاتحين لحد الساعة كام؟": Understood("store_info"),
    "where is your shop and what are your hours": Understood("store_info", language="en"),
    "ايوه": Understood("unknown", confidence=0.2),
    "لا خلاص": Understood("unknown", confidence=0.2),
    "عايزة اطلب": Understood("checkout"),
    "I want to order": Understood("checkout", language="en"),
}


@pytest.fixture
def script(services) -> Script:
    script = Script(LINES)
    services.dialog.deps.understand = script
    return script


def chat(client, services, platform: str, who: dict[str, str] = BUYER) -> Chat:
    return Chat(client, services, platform, who[platform])


def place(services, platform: str, key: str = "k1", status: str = "new", who: dict[str, str] = BUYER):
    order = services.orders.create(
        idempotency_key=f"{platform}-{key}", platform=platform, customer_id=who[platform], name=NAME, phone=PHONE,
        governorate="giza", address=ADDRESS, shipping_fee=65, items=LINE,
    )
    if status != "new":
        services.orders.set_status(order.number, status)
    return services.orders.get(order.number)


def status_of(services, order) -> str:
    return services.orders.get(order.number).status


# ---- cancel --------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cancel_asks_first_and_cancels_only_after_yes(client, services, script, platform) -> None:
    order = place(services, platform)
    customer = chat(client, services, platform)
    asked = customer.say("الغي الاوردر")
    assert order.number in joined(asked)
    assert f"CANCEL_ORDER:{order.number}" in payloads(asked) and "KEEP_ORDER" in payloads(asked)
    assert status_of(services, order) == "new"          # nothing happens before the yes
    done = customer.tap(f"CANCEL_ORDER:{order.number}")
    assert status_of(services, order) == "cancelled"
    assert order.number in joined(done) and "لغيت" in joined(done)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_typed_yes_cancels_and_a_typed_no_keeps(client, services, script, platform) -> None:
    first = place(services, platform)
    customer = chat(client, services, platform)
    customer.say("الغي الاوردر")
    assert "لغيت" in joined(customer.say("ايوه")) and status_of(services, first) == "cancelled"
    second = place(services, platform, "b")
    customer.say("الغي الاوردر")
    assert "زي ما هو" in joined(customer.say("لا خلاص")) and status_of(services, second) == "new"
    customer.say("ايوه")                                  # no question open any more: cancels nothing
    assert status_of(services, second) == "new"
    customer.say("الغي الاوردر")
    script.lines["لا مش عايز الغيه"] = Understood("order_cancel")
    customer.say("لا مش عايز الغيه")                      # a negated cancel is not a yes
    assert status_of(services, second) == "new"
    customer.say("الغي الاوردر")
    script.lines["اه"] = Understood("unknown", confidence=0.2)
    customer.say("اه")
    assert status_of(services, second) == "cancelled"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_keep_leaves_the_order_as_it_is(client, services, script, platform) -> None:
    order = place(services, platform, status="confirmed")
    customer = chat(client, services, platform)
    customer.say("cancel my order please")
    kept = customer.tap("KEEP_ORDER")
    assert "stays" in joined(kept)
    assert status_of(services, order) == "confirmed"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_several_open_orders_ask_which_one(client, services, script, platform) -> None:
    first, second = place(services, platform, "a"), place(services, platform, "b", status="confirmed")
    place(services, platform, "c", status="delivered")                     # not open: not offered
    customer = chat(client, services, platform)
    asked = payloads(customer.say("الغي الاوردر"))
    assert {f"CANCEL_ASK:{first.number}", f"CANCEL_ASK:{second.number}"} <= set(asked)
    assert not any(p.startswith("CANCEL_ORDER:") for p in asked)
    picked = customer.press(f"CANCEL_ASK:{second.number}")
    assert f"CANCEL_ORDER:{second.number}" in payloads(picked)
    customer.tap(f"CANCEL_ORDER:{second.number}")
    assert (status_of(services, first), status_of(services, second)) == ("new", "cancelled")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_shipped_order_goes_to_staff_with_its_number(client, services, script, platform) -> None:
    order = place(services, platform, status="shipped")
    customer = chat(client, services, platform)
    script.lines[f"الغي الاوردر {order.number}"] = Understood("order_cancel")
    told = joined(customer.say(f"الغي الاوردر {order.number}"))
    assert order.number in told and "اتشحن" in told
    handoff = services.handoffs.current(platform, BUYER[platform])
    assert handoff is not None and order.number in handoff["reason"]
    assert [o["number"] for o in handoff["context"]["orders"]] == [order.number]
    assert status_of(services, order) == "shipped"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_forged_cancel_button_for_a_shipped_order_cancels_nothing(client, services, script, platform) -> None:
    order = place(services, platform, status="shipped")
    chat(client, services, platform).tap(f"CANCEL_ORDER:{order.number}")
    assert status_of(services, order) == "shipped"
    assert services.handoffs.current(platform, BUYER[platform]) is not None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_one_acts_on_another_customers_order(client, services, script, platform) -> None:
    order = place(services, platform)
    stranger = chat(client, services, platform, STRANGER)
    for text, intent in ((f"الغي الاوردر {order.number}", "order_cancel"),
                         (f"عايز اغير العنوان في طلب {order.number}", "order_change")):
        script.lines[text] = Understood(intent)
        answer = stranger.say(text)
        assert "مش لاقي الطلب ده" in joined(answer)
        assert not any(order.number in p for p in payloads(answer))
    forged = stranger.tap(f"CANCEL_ORDER:{order.number}") + stranger.press(f"CANCEL_ASK:{order.number}")
    assert not any(p.startswith("CANCEL_ORDER:") for p in payloads(forged))
    assert status_of(services, order) == "new"
    assert services.handoffs.current(platform, STRANGER[platform]) is None
    # the buyer's own "cancel" is not about the stranger: nothing of theirs is open
    assert "مفيش طلب مفتوح" in joined(stranger.say("الغي الاوردر"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_order_is_said_warmly_with_the_menu(client, services, script, platform) -> None:
    place(services, platform, status="cancelled")
    answer = chat(client, services, platform).say("الغي الاوردر")
    assert "مفيش طلب مفتوح" in joined(answer) and "CATEGORIES" in payloads(answer)


# ---- change --------------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_change_goes_to_staff_with_the_order_and_the_message(client, services, script, platform) -> None:
    order = place(services, platform, status="confirmed")
    told = joined(chat(client, services, platform).say("عايز اغير العنوان في الطلب لمدينة نصر"))
    assert order.number in told and "الفريق" in told
    handoff = services.handoffs.current(platform, BUYER[platform])
    assert order.number in handoff["reason"]
    assert handoff["context"]["text"] == "عايز اغير العنوان في الطلب لمدينة نصر"
    assert handoff["context"]["orders"][0]["number"] == order.number
    assert status_of(services, order) == "confirmed"              # staff change it, not the bot


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_shipped_order_can_no_longer_change(client, services, script, platform) -> None:
    order = place(services, platform, status="shipped")
    answer = chat(client, services, platform).say("عايز اغير المقاس في الطلب ل L")
    assert order.number in joined(answer) and "مش هينفع يتعدل" in joined(answer)
    assert "RETURNS" in payloads(answer)
    assert services.handoffs.current(platform, BUYER[platform]) is None


# ---- the shop itself -----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_store_info_answers_from_the_store_information(client, services, script, platform) -> None:
    info = services.store.info()
    answer = joined(chat(client, services, platform).say("فاتحين لحد الساعة كام؟"))
    assert info.working_hours("ar") in answer and info.phone in answer and info.email in answer
    assert "الفروع" in answer                                   # what it does not know, the team tells
    english = chat(client, services, platform, STRANGER).say("where is your shop and what are your hours")
    assert info.working_hours("en") in joined(english) and info.website in joined(english)
    assert "HUMAN" in payloads(english)


# ---- "I want to order" with nothing chosen -------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_i_want_to_order_with_an_empty_cart_shows_how_to_start(client, services, script, platform) -> None:
    customer = chat(client, services, platform)
    answer = customer.say("عايزة اطلب")
    assert any(p.startswith("CAT:") for p in payloads(answer))
    assert "اختار القسم" in joined(answer) and "الاسم بالكامل" not in joined(answer)
    session = services.pipeline.sessions.load(platform, BUYER[platform])
    assert session.get("checkout") is None
    assert "Pick a section" in joined(chat(client, services, platform, STRANGER).say("I want to order"))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_cancel_question_left_for_a_button_is_closed(client, services, script, platform) -> None:
    """'ايوه' typed after pressing something else answers that, never the old 'cancel order X?'."""
    order = place(services, platform)
    customer = chat(client, services, platform)
    customer.say("الغي الاوردر")
    customer.tap("MENU")
    customer.say("ايوه")
    assert status_of(services, order) == "new"


# ---- a cancel racing staff ---------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_cancel_racing_staff_who_ship_the_order_never_overwrites_shipped(client, services, script, platform,
                                                                            monkeypatch) -> None:
    order = place(services, platform)
    customer = chat(client, services, platform)
    customer.say("الغي الاوردر")
    read = services.orders.get

    def read_then_staff_ship(number):
        """The bot reads the order (still new), then staff mark it shipped before the bot writes."""
        found = read(number)
        if found is not None and found.status == "new":
            services.orders.set_status(found.number, "shipped")
        return found

    monkeypatch.setattr(services.orders, "get", read_then_staff_ship)
    told = joined(customer.tap(f"CANCEL_ORDER:{order.number}"))
    monkeypatch.undo()
    assert status_of(services, order) == "shipped"                       # staff's change stands
    assert order.number in told and "اتغيرت" in told and "اتشحن" in told and "لغيت" not in told
    handoff = services.handoffs.current(platform, BUYER[platform])
    assert handoff is not None and order.number in handoff["reason"]
    assert [(o["number"], o["status"]) for o in handoff["context"]["orders"]] == [(order.number, "shipped")]


def test_the_conditional_update_changes_only_from_the_statuses_given(services, backend) -> None:
    orders = services.orders
    order = place(services, "whatsapp")
    assert orders.transition(order.number, "cancelled", only_from=("confirmed",)) == (False, orders.get(order.number))
    changed, now = orders.transition(order.number.lower().replace("-", ""), "cancelled", only_from=("new", "confirmed"))
    assert changed and now.status == "cancelled" and orders.get(order.number).status == "cancelled"
    assert orders.transition(order.number, "cancelled", only_from=("new", "confirmed"))[0] is False
    assert orders.transition("DK-22222", "cancelled", only_from=("new",)) == (False, None)
    with pytest.raises(ValueError):
        orders.transition(order.number, "lost", only_from=("new",))


@pytest.mark.parametrize("backend", ["redis"], indirect=True)   # SQLite does it in one UPDATE ... WHERE
def test_on_redis_a_status_written_between_the_read_and_the_write_is_seen(services, backend) -> None:
    orders = services.orders
    order = place(services, "messenger")
    clock, staff = orders.clock, {"shipped": False}

    def staff_ships_meanwhile() -> float:
        """Called by the cancel after its read: staff's write lands before the cancel's EXEC."""
        if not staff["shipped"]:
            staff["shipped"] = True
            key = f"{orders.p}order:{order.number}"
            fields = json.loads(orders.r.get(key)) | {"status": "shipped"}
            orders.r.set(key, json.dumps(fields, ensure_ascii=False))
        return clock()

    orders.clock = staff_ships_meanwhile
    changed, now = orders.transition(order.number, "cancelled", only_from=("new", "confirmed"))
    orders.clock = clock
    assert (changed, now.status) == (False, "shipped") and orders.get(order.number).status == "shipped"
