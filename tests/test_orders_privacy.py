"""Orders belong to their customer: numbers nobody can guess, and status only for the buyer.

A customer sees the orders placed from their own chat; any other order only with its number and
the phone number it was placed with, together, within a limit of failed checks that holds on
SQLite and on Redis. Everything below runs on both backends (the ``services`` fixture), and the
conversations go through the real webhook, inbox, intent matcher and dialog.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.dialog.checkout import egyptian_mobile
from bot.dialog.orders import find_reference, names_an_order
from bot.order_numbers import ALPHABET, NumberTaken, canonical, check_character, is_valid_code, new_number
from bot.storage.orders import CHECK_LIMIT, CHECK_WINDOW_S, PHONE_CHECK_LIMIT, OrderStore
from tests.conftest import seeded_order_numbers
from tests.test_conversation_kit import Chat, joined, payloads

BUYER = ("whatsapp", "201001234567")
PHONE = "01001234567"
LINE = [{"product_id": 53, "name": "تيشيرت", "size": "L", "color": "اسود", "quantity": 2, "unit_price": 300}]
NAME, ADDRESS = "منى حسن", "١٢ شارع التحرير، الدقي"
START = 1_800_000_000.0


def fixed_numbers(*numbers: str):
    """An order-number generator that hands out ``numbers`` in turn (tests stay deterministic)."""
    return iter(numbers).__next__


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(services) -> Clock:
    """The order store's clock, injected: the check window passes without sleeping."""
    clock = Clock()
    services.orders.clock = clock
    services.orders.new_number = seeded_order_numbers(11)
    return clock


def place(services, key: str = "k1", customer: tuple[str, str] = BUYER, phone: str = PHONE, number: str = ""):
    if number:
        services.orders.new_number = fixed_numbers(number)
    return services.orders.create(
        idempotency_key=key, platform=customer[0], customer_id=customer[1], name=NAME, phone=phone,
        governorate="giza", address=ADDRESS, shipping_fee=50, items=LINE,
    )


def stranger_chat(client, services, platform: str) -> Chat:
    return Chat(client, services, platform, "psid-stranger" if platform == "messenger" else "201009999999")


def private_parts_absent(text: str, order) -> bool:
    """None of what only the buyer and staff may see is in ``text``."""
    return all(part not in text for part in (order.number, NAME, ADDRESS, order.phone, "٦٥٠", "650"))


# ---- the numbers ---------------------------------------------------------------------------------


def test_new_numbers_are_dk_and_six_unambiguous_characters_with_a_check_character() -> None:
    rng = random.Random(3)
    numbers = [new_number(choice=rng.choice) for _ in range(500)]
    assert len(set(numbers)) == 500
    for number in numbers:
        assert number.startswith("DK-") and len(number) == 9
        code = number[3:]
        assert set(code) <= set(ALPHABET) and not set(code) & set("0O1IL")
        assert code[-1] == check_character(code[:-1]) and is_valid_code(code)


def test_the_default_generator_draws_from_secrets() -> None:
    import inspect
    import secrets

    assert inspect.signature(new_number).parameters["choice"].default is secrets.choice
    assert inspect.signature(OrderStore).parameters["new_number"].default is new_number


def test_every_single_typo_and_every_swap_is_caught_by_the_check_character() -> None:
    rng = random.Random(5)
    for number in (new_number(choice=rng.choice) for _ in range(40)):
        code = number[3:]
        for i in range(len(code)):
            for wrong in ALPHABET:
                if wrong != code[i]:
                    assert not is_valid_code(code[:i] + wrong + code[i + 1:])
            for j in range(i + 1, len(code)):
                if code[i] != code[j]:
                    swapped = list(code)
                    swapped[i], swapped[j] = swapped[j], swapped[i]
                    assert not is_valid_code("".join(swapped))


@pytest.mark.parametrize(
    "typed", ["DK-7K4QXE", "dk-7k4qxe", "DK7K4QXE", "7k4qxe", "dk 7k4 qxe", " DK - 7K4QXE ", "dk-٧k٤qxe"])
def test_a_number_is_read_however_it_is_typed(typed) -> None:
    assert canonical(typed) == "DK-7K4QXE"


@pytest.mark.parametrize(
    "typed", ["DK-7K4QXF", "DK-7K4QX", "DK-7K4QXEE", "DK-0K4QXE", "DK-OK4QXE", "01001", "hoodie", ""])
def test_a_mistyped_or_foreign_number_is_not_a_number(typed) -> None:
    assert canonical(typed) is None


@pytest.mark.parametrize("typed, number", [("DK-10001", "DK-10001"), ("dk10001", "DK-10001"), ("١٠٠٤٢", "DK-10042"),
                                           ("DK-100001", "DK-100001")])
def test_old_sequential_numbers_still_read(typed, number) -> None:
    assert canonical(typed) == number


@pytest.mark.parametrize("text, number, phone", [
    ("DK-7K4QXE", "DK-7K4QXE", ""),
    ("dk7k4qxe ٠١٠٠ ١٢٣ ٤٥٦٧", "DK-7K4QXE", "01001234567"),
    ("رقم الطلب DK-7K4QXE والموبايل 01001234567", "DK-7K4QXE", "01001234567"),
    ("dk ٧k٤ qxe", "DK-7K4QXE", ""),
    ("اوردر رقم 7k4qxe فين", "DK-7K4QXE", ""),
    ("طلبي رقم ١٠٠٠١", "DK-10001", ""),
    ("order no. 7K4QXE +20 100 123 4567", "DK-7K4QXE", "01001234567"),
    ("el talab rakam 7k4qxe", "DK-7K4QXE", ""),
    ("7k4qxe 00201001234567", "DK-7K4QXE", "01001234567"),
])
def test_the_dialog_finds_numbers_and_phones_in_what_customers_write(text, number, phone) -> None:
    found = find_reference(text)
    assert (found.number, found.phone, found.typo) == (number, phone, False)
    assert names_an_order(text)


@pytest.mark.parametrize("text", ["DK-7K4QXF", "dk 7k4qx", "7k4qxf 01001234567"])
def test_a_mistyped_number_is_recognised_as_one(text) -> None:
    assert find_reference(text).typo and not find_reference(text).number


@pytest.mark.parametrize("text", [
    "hoodie", "jacket", "3ayez jeans azra2", "عايز تيشيرت اسود تحت ٥٠٠", "order status", "talab 3ashan eh",
    "dk keda", "عايز هودي مقاس 42 ب 500", "صندل 39 ب 350 جنيه", "عايز اعرف طلبي",
])
def test_ordinary_words_are_not_order_numbers(text) -> None:
    found = find_reference(text)
    assert found is None or not (found.number or found.typo)
    assert not names_an_order(text)


ORDERISH = ["dk", "DK-", "order", "رقم", "الطلب", "اوردر", "7K4QXE", "7k4qxf", "10001", "١٠٠٠١", "01001234567",
            "+20", "100", "123", "4567", "hoodie", "3ashan", "-", " "]


@hypothesis_settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=80) | st.lists(st.sampled_from(ORDERISH), max_size=8).map(" ".join))
def test_whatever_is_written_a_found_number_is_valid_and_a_found_phone_is_a_mobile(text) -> None:
    found = find_reference(text)
    if found is not None:
        assert not found.number or canonical(found.number) == found.number
        assert not found.phone or egyptian_mobile(found.phone) == found.phone
        assert found.number or found.phone or found.typo
    assert names_an_order(text) <= bool(found and (found.number or found.typo))


def test_no_message_of_the_nlu_corpora_is_taken_for_an_order_number_unless_it_names_one() -> None:
    named = []
    for name in ("nlu_dev.jsonl", "nlu_holdout.jsonl"):
        for line in open(f"tests/data/{name}", encoding="utf-8"):
            row = json.loads(line)
            if names_an_order(row["text"]):
                named.append(row)
    assert named and all(row["intent"] == "order_status" for row in named)


# ---- the store: numbers, collisions, old numbers, the limit of checks (SQLite and Redis) -----------


def test_orders_get_random_valid_numbers_and_stay_idempotent(services, clock) -> None:
    first, second = place(services, "k1"), place(services, "k2")
    assert first.number != second.number
    assert all(is_valid_code(order.number[3:]) for order in (first, second))
    assert place(services, "k1").number == first.number
    assert services.orders.get(first.number.lower().replace("-", " ")) == first


def test_a_number_drawn_twice_is_drawn_again(services, clock) -> None:
    taken = place(services, "k1", number="DK-7K4QXE")
    services.orders.new_number = fixed_numbers("DK-7K4QXE", "DK-7K4QXE", "DK-SU3KCB")
    again = place(services, "k2", customer=("messenger", "psid-2"))
    assert (taken.number, again.number) == ("DK-7K4QXE", "DK-SU3KCB")
    assert services.orders.get("DK-7K4QXE").customer_id == BUYER[1]
    assert services.orders.get("DK-SU3KCB").customer_id == "psid-2"


def test_a_generator_that_keeps_colliding_fails_without_touching_the_order_it_collides_with(services, clock) -> None:
    taken = place(services, "k1", number="DK-7K4QXE")
    drawn = []
    services.orders.new_number = lambda: drawn.append(1) or "DK-7K4QXE"
    with pytest.raises(NumberTaken):
        place(services, "k2", customer=("messenger", "psid-2"))
    assert len(drawn) == 5                                    # a few fresh draws, then it gives up
    assert services.orders.get("DK-7K4QXE") == taken
    assert [o.number for o in services.orders.list()] == ["DK-7K4QXE"]


def test_old_sequential_numbers_still_resolve(services, clock) -> None:
    old = place(services, "k-old", number="DK-10001")        # as saved before random numbers
    assert services.orders.get("dk 10001") == old
    assert services.orders.get("10001") == old
    assert services.orders.set_status("DK10001", "shipped").status == "shipped"


def test_an_old_sqlite_database_keeps_its_numbers(tmp_path) -> None:
    from bot.storage.db import Database

    db = Database(tmp_path / "old.sqlite3")
    OrderStore(db)
    with db.transaction() as conn:                            # how the old code saved an order
        cursor = conn.execute(
            "INSERT INTO orders (idempotency_key, platform, customer_id, name, phone, governorate, address, items,"
            " subtotal, shipping_fee, total, created_at, updated_at) VALUES ('k', 'whatsapp', '2010', 'x', ?,"
            " 'giza', 'y', '[]', 100, 50, 150, 1, 1)", (PHONE,))
        conn.execute("UPDATE orders SET number = ? WHERE id = ?", (f"DK-{10_000 + cursor.lastrowid}", cursor.lastrowid))
    reopened = OrderStore(db, new_number=fixed_numbers("DK-7K4QXE"))
    assert reopened.get("DK-10001").total == 150
    new = reopened.create(idempotency_key="k2", platform="whatsapp", customer_id="2010", name="x", phone=PHONE,
                          governorate="giza", address="y", items=[], shipping_fee=50)
    assert new.number == "DK-7K4QXE"
    assert [o.number for o in reopened.by_customer("whatsapp", "2010")] == ["DK-7K4QXE", "DK-10001"]


def test_failed_checks_are_counted_per_customer_within_the_window(services, clock) -> None:
    orders = services.orders
    assert orders.checks_left("whatsapp", "2011") == CHECK_LIMIT
    for left in range(CHECK_LIMIT - 1, -1, -1):
        assert orders.fail_check("whatsapp", "2011") == left
        clock.now += 60
    assert orders.checks_left("whatsapp", "2011") == 0
    assert orders.checks_left("messenger", "2011") == CHECK_LIMIT      # another account is not affected
    clock.now = START + CHECK_WINDOW_S                                   # the first failure is an hour old
    assert orders.checks_left("whatsapp", "2011") == 1
    clock.now = START + CHECK_WINDOW_S + 60 * CHECK_LIMIT
    assert orders.checks_left("whatsapp", "2011") == CHECK_LIMIT


def test_failed_checks_naming_a_phone_are_counted_for_that_phone_across_accounts(services, clock) -> None:
    orders = services.orders
    for n in range(PHONE_CHECK_LIMIT):
        assert orders.checks_left("messenger", f"acct-{n}", PHONE) == PHONE_CHECK_LIMIT - n
        assert orders.fail_check("messenger", f"acct-{n}", PHONE) == PHONE_CHECK_LIMIT - n - 1
        clock.now += 60
    assert orders.checks_left("whatsapp", "a-fresh-account", PHONE) == 0           # every account, that phone
    assert orders.checks_left("whatsapp", "a-fresh-account", "01112223334") == CHECK_LIMIT  # another phone
    assert orders.checks_left("whatsapp", "a-fresh-account") == CHECK_LIMIT
    assert orders.checks_left("messenger", "acct-0") == CHECK_LIMIT - 1             # the account's own count
    clock.now = START + CHECK_WINDOW_S                                               # the first is an hour old
    assert orders.checks_left("whatsapp", "a-fresh-account", PHONE) == 1


def test_failed_checks_hold_across_a_restart(settings, services, clock) -> None:
    from bot import create_app

    for _ in range(CHECK_LIMIT):
        services.orders.fail_check("messenger", "psid-9")
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    restarted = create_app(overrides, start_workers=False)
    try:
        again = restarted.extensions["dukkan"].orders
        again.clock = clock
        assert again.checks_left("messenger", "psid-9") == 0
    finally:
        restarted.extensions["dukkan"].workers.stop()


# ---- the conversation, through the real webhook, on both platforms --------------------------------


@pytest.mark.parametrize("platform", ["whatsapp", "messenger"])
def test_another_accounts_phone_number_reveals_nothing(client, services, clock, platform) -> None:
    order = place(services)
    stranger = stranger_chat(client, services, platform)
    asked = joined(stranger.say("عايز اعرف طلبي"))
    assert "ابعتلي رقم الطلب ومعاه رقم الموبايل" in asked
    answer = joined(stranger.say("01001234567"))
    assert answer.startswith("معلش، أقدر أوريك بس الطلبات اللي اتعملت من المحادثة دي")
    assert private_parts_absent(answer, order)


@pytest.mark.parametrize("platform", ["whatsapp", "messenger"])
def test_another_accounts_order_number_reveals_nothing(client, services, clock, platform) -> None:
    order = place(services)
    stranger = stranger_chat(client, services, platform)
    for said in (order.number, f"اوردر رقم {order.number[3:]} فين", f"where is my order {order.number.lower()}"):
        answer = joined(stranger.say(said))
        assert "من المحادثة دي" in answer or "from this chat" in answer, said
        assert private_parts_absent(answer, order), said
    # a valid number of no order gets the very same answer as another customer's real number
    assert joined(stranger.say("DK-SU3KCB")) == joined(stranger.say(order.number))
    assert services.orders.checks_left(platform, stranger.customer) == CHECK_LIMIT


@pytest.mark.parametrize("platform", ["whatsapp", "messenger"])
def test_the_number_with_its_phone_shows_the_order_to_another_account(client, services, clock, platform) -> None:
    order = place(services)
    services.orders.set_status(order.number, "shipped")
    stranger = stranger_chat(client, services, platform)
    answer = joined(stranger.say(f"رقم الطلب {order.number} والموبايل +20 100 123 4567"))
    assert answer.startswith(f"طلب {order.number}: اتشحن وفي الطريق 🚚 (٦٥٠ ج.م، ")
    assert all(part not in answer for part in (NAME, ADDRESS, PHONE))   # number, status, total, date only


@pytest.mark.parametrize("platform", ["whatsapp", "messenger"])
def test_the_limit_of_checks_stops_enumeration_until_the_window_passes(client, services, clock, platform) -> None:
    order = place(services)
    stranger = stranger_chat(client, services, platform)
    wrong = [f"{order.number} 0100123456{d}" for d in range(CHECK_LIMIT) if f"0100123456{d}" != PHONE]
    wrong += ["DK-SU3KCB 01001234567"] * (CHECK_LIMIT - len(wrong))          # a guessed number, the right phone
    for said in wrong[:-1]:
        answer = joined(stranger.say(said))
        assert answer.startswith("البيانات دي مش ماشية مع بعض") and private_parts_absent(answer, order)
    limited = stranger.say(wrong[-1])
    assert joined(limited).startswith("حاولنا كذا مرة والبيانات مش مظبوطة")
    assert payloads(limited) == ["HUMAN", "MENU"]
    refused = joined(stranger.say(f"{order.number} {PHONE}"))                # even the right pair, now
    assert refused.startswith("حاولنا كذا مرة") and order.number not in refused
    clock.now += CHECK_WINDOW_S + 1
    assert joined(stranger.say(f"{order.number} {PHONE}")).startswith(f"طلب {order.number}: ")


def test_many_accounts_cannot_walk_old_sequential_numbers_with_a_known_phone(client, services, clock) -> None:
    """Old numbers (DK-10001 ...) are sequential: the limit per phone stops a walk spread over accounts."""
    victim = place(services, number="DK-10042")
    attackers = [Chat(client, services, "messenger", f"psid-walker-{n}") for n in range(8)]
    guesses = iter(f"رقم الطلب DK-{10001 + n} والموبايل {PHONE}" for n in range(41))  # the numbers before hers
    replies = [joined(attacker.say(next(guesses))) for attacker in attackers[:PHONE_CHECK_LIMIT]]
    assert all(reply.startswith("البيانات دي مش ماشية مع بعض") for reply in replies[:-1])
    asked = f"رقم الطلب DK-10042 والموبايل {PHONE}"
    by_phone = [joined(attacker.say(asked)) for attacker in attackers[PHONE_CHECK_LIMIT:]]
    assert all(private_parts_absent(reply, victim) and "DK-10042" not in reply for reply in by_phone)
    # the same answer whichever limit is reached: this phone's here, one account's below
    tired = Chat(client, services, "whatsapp", "201005550000")
    for n in range(CHECK_LIMIT):
        last = joined(tired.say(f"رقم الطلب DK-SU3KCB والموبايل 0122333444{n}"))
    assert by_phone == [last] * len(by_phone) and last.startswith("حاولنا كذا مرة والبيانات مش مظبوطة")
    assert replies[-1] == last                                                  # the fifth failure says so too
    assert joined(Chat(client, services, *BUYER).say("DK-10042")).startswith("طلب DK-10042: ")  # the buyer's own chat
    assert joined(tired.say("رقم الطلب DK-10042 والموبايل 01112223334")) == last  # the account limit, another phone
    clock.now += CHECK_WINDOW_S + 1
    assert joined(attackers[-1].say(f"رقم الطلب DK-10042 والموبايل {PHONE}")).startswith("طلب DK-10042: ")


def test_a_failed_check_never_tells_which_half_was_wrong(client, services, clock) -> None:
    order, other = place(services, "k1"), place(services, "k2", customer=("messenger", "psid-3"), phone="01112223334")
    stranger = stranger_chat(client, services, "whatsapp")
    replies = {joined(stranger.say(said)) for said in (
        f"{order.number} 01223334445",            # right number, wrong phone
        f"DK-SU3KCB {PHONE}",                     # no such number, a real phone
        f"{other.number} {PHONE}",                # a real number with another order's phone
    )}
    assert len(replies) == 1 and next(iter(replies)).startswith("البيانات دي مش ماشية مع بعض")


@pytest.mark.parametrize("platform", ["whatsapp", "messenger"])
def test_a_mistyped_number_is_refused_before_any_lookup(client, services, clock, monkeypatch, platform) -> None:
    looked_up = []
    monkeypatch.setattr(services.orders, "get", lambda number: looked_up.append(number))
    stranger = stranger_chat(client, services, platform)
    answer = joined(stranger.say("DK-7K4QXF"))
    assert answer.startswith("رقم الطلب ده فيه حرف مش مظبوط") and "DK-7K4QXE" in answer
    assert joined(stranger.say("7k4qxf 01001234567")).startswith("رقم الطلب ده فيه حرف مش مظبوط")
    assert looked_up == []
    assert services.orders.checks_left(platform, stranger.customer) == CHECK_LIMIT


def test_the_buyer_sees_their_orders_old_and_new_from_their_own_chat(client, services, clock) -> None:
    old = place(services, "k-old", number="DK-10001")
    new = place(services, "k-new", number="DK-7K4QXE")
    buyer = Chat(client, services, *BUYER)
    listed = joined(buyer.tap("ORDER_STATUS"))
    assert listed.startswith("طلباتك:") and old.number in listed and new.number in listed
    assert joined(buyer.say("اوردر رقم ١٠٠٠١ فين")).startswith("طلب DK-10001: اتسجل")
    assert joined(buyer.say("dk 7k4 qxe")).startswith("طلب DK-7K4QXE: اتسجل")
    assert joined(buyer.say("عايز اعرف طلبي 01001234567")).startswith("طلباتك:")   # own phone, own chat
    stranger = stranger_chat(client, services, "whatsapp")
    assert "DK-10001" not in joined(stranger.say("اوردر رقم ١٠٠٠١ فين"))
    assert services.orders.checks_left(*BUYER) == CHECK_LIMIT


def test_the_conversation_in_english_and_franco(client, services, clock) -> None:
    order = place(services)
    stranger = stranger_chat(client, services, "messenger")
    stranger.say("hello, where is my order?")
    answer = joined(stranger.say(order.number))
    assert answer.startswith("Sorry, I can only show orders placed from this chat") and order.number not in answer
    shown = joined(stranger.say(f"my order number is {order.number[3:].lower()} and my phone is 01001234567"))
    assert shown.startswith(f"Order {order.number}: received, to be confirmed soon (650 EGP, ")
    franco = Chat(client, services, "whatsapp", "201005555555")
    assert order.number not in joined(franco.say(f"fen el order bta3i {order.number}"))
    shown = joined(franco.say(f"el order {order.number} w rakam el mobile 01001234567"))
    assert shown.startswith(f"طلب {order.number}: اتسجل وهيتأكد قريب (٦٥٠ ج.م، ")


# ---- the console: order details for staff only ----------------------------------------------------


def test_the_admin_api_gives_unauthenticated_callers_nothing(client, services, clock) -> None:
    order = place(services)
    for url in ("/admin/api/orders", f"/admin/api/orders/{order.number}"):
        response = client.get(url)
        assert response.status_code == 401 and response.get_json() == {"error": "login required"}
    response = client.post(f"/admin/api/orders/{order.number}/status", json={"status": "cancelled"})
    assert response.status_code == 401 and services.orders.get(order.number).status == "new"
    admin = {"Authorization": "Bearer admin-test-token"}
    staff = client.get(f"/admin/api/orders/{order.number.lower()}", headers=admin)
    assert (staff.get_json()["name"], staff.get_json()["phone"], staff.get_json()["address"]) == (NAME, PHONE, ADDRESS)
    assert staff.headers["Cache-Control"] == "no-store"                  # full details are never cached
