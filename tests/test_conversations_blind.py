"""Scripted conversations by people who never saw the code, run through the real pipeline (issue 12).

Every conversation of tests/data/conversations_blind.jsonl is typed by its own customer on the
platform it names, through signed webhook deliveries, the inbox, the dialog with the real intent
matcher, and the renderers (``Chat``). Each turn's ``expect`` is judged against the Send API bodies
the bot staged and the session it kept (tests/conversation_judge.py). The test prints the turns
right per conversation, per expected answer kind, per platform and overall, and every wrong turn
with what was expected and what the bot sent (run with ``-s`` to see it when the test passes).

One backend is enough here (SQLite): the storage backends are tested elsewhere.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import create_app
from bot.channels import render
from bot.dialog import texts as T
from bot.replies import Button, Buttons, Card, Cards, Choice, HandOff, Image, QuickReplies, Text
from tests.conftest import seeded_order_numbers
from tests.conversation_judge import SHOWS, Answer, judge, keys_in, kinds_of_key, shown_list
from tests.test_conversation_kit import Chat

DATA = Path(__file__).parent / "data"


def conversations(name: str) -> list[dict]:
    """The conversations of a set: a file, or one half of it (``<file>:tuned`` / ``<file>:held``)."""
    file, _, half = name.partition(":")
    rows = [json.loads(line) for line in (DATA / file).read_text("utf-8").splitlines() if line.strip()]
    return [row for row in rows if not half or in_half(row["id"], half)]


def in_half(conversation_id: str, half: str) -> bool:
    """Set 4 is split by its number: 1 and 2 modulo 4 are tuned on, 3 and 0 held out (both platforms each)."""
    tuned = int(conversation_id.rsplit("-", 1)[1]) % 4 in (1, 2)
    return tuned if half == "tuned" else not tuned


CONVERSATIONS = conversations("conversations_blind.jsonl")
INBOX_APP_ID = "263902037430900"          # so a Messenger hand-off also sends pass_thread_control

# The goal is 0.97 of turns right. Measured on 2026-12-03: 144/247 = 0.583 when the runner
# was written, 167/247 = 0.676 after the context and new-intent dialog work, 223/247 = 0.903 after
# products named by their number, kept options, similar products after the last page and answer
# keys named after their kind, 234/247 = 0.947 after the matcher learnt the wordings those turns
# showed, by rule, 243/247 = 0.984 after a typed "اكمل" with a cart starts the checkout and "cancel
# it" after an order is shown cancels that order (SQLite, real matcher; these conversations have
# been looked at, so they are tuned-on data: tests/data/conversations_blind_2.jsonl is the held-out
# set); still 243/247 after the dialog rounds on set 4 below. The floor is the last figure minus 2
# points, rounded down.
GOAL = 0.97
FLOOR = 0.96
# conversations_blind_2.jsonl: 40 conversations (289 turns) by another writer, HELD OUT: run, never
# read turn by turn while fixing. Measured when it arrived, 2026-12-03: 244/289 = 0.844 (the tuned-on
# set above was at 0.947 then: the gap is what the fixes memorised); 249/289 = 0.862 after the NLU
# rounds on sets e and f and the dialog fixes above, 259/289 = 0.896 after the cart-and-checkout
# work on set 3 below, 268/289 = 0.927 after the dialog round on set 4 below (a size or count said
# after a product's price chooses it, a colour question after a price is about that product, a size
# said inside an add). Floor: the last figure minus 2 points, rounded down.
HELD_OUT_FLOOR = 0.90
# conversations_blind_3.jsonl: 30 conversations (286 turns) by a third writer, weighted to adding to
# the cart, changing it and checking out; tuned on (its wrong turns are printed): 162/286 = 0.566 on
# arrival, 258/286 = 0.902 after "also X" adds, products named by a word of their name, free-shipping
# checkout keys and colour questions about the product on screen, 266/286 = 0.930 after quantities
# set by text ("خليهم اتنين"), spoken ordinals and "el shanta 30" as a product, 275/286 = 0.962 after
# the dialog round on set 4 below ("the first one, size M, two of them" for a one-colour product is an
# add; "الاسم: ...، الهاتف: ..." answers the name and the mobile). Floor: the last figure minus 2 points.
THIRD_FLOOR = 0.94
# conversations_blind_4.jsonl: 40 conversations (364 turns) by a fourth writer, all kinds of flows with
# chatter in the middle; 291/364 = 0.799 on arrival (2026-12-03). Split in two halves by number (in_half):
# the tuned half (20 conversations, 193 turns) was 137/193 = 0.710 on arrival, the held-out half (20
# conversations, 171 turns, never read turn by turn) 154/171 = 0.901. After the dialog round on the
# tuned half (2026-12-03): a size said inside an add ("هاخده رمادي ٤٦", "ضيف ٢ كحلي 3XL"); an answer to
# "which size?" that names another product is no answer; one more of a product in the cart is one more of
# its line; a statement of size or count after a product's price or details chooses that product
# ("عايزه منه اسود S", "عايز منه اتنين كحلي") and a colour question there is about it ("fe ramady?");
# a product named with its size and colour is an add; "عايز اطلب" with a cart checks out; "more" after a
# list of words shows more of its first product's kind; a governorate the shop lists no fee for ("بني
# سويف") is its "other" zone in a checkout: tuned half 174/193 = 0.902, held-out half 157/171 = 0.918.
# Floors: the last figures minus 2 points, rounded down.
# After the second dialog round (context kept across lists, options said with an ordinal, order
# changes, sizes a product lacks, two questions at once, courtesy inside a checkout) and the second
# NLU round (2026-12-03): set 1 244/247 = 0.988, set 3 277/286 = 0.969, set 4 tuned half 186/193 =
# 0.964; held out: set 2 268/289 = 0.927, set 4 held half 158/171 = 0.924.
FOURTH_TUNED_FLOOR = 0.94
FOURTH_HELD_OUT_FLOOR = 0.90
# conversations_blind_5.jsonl: 50 conversations (324 turns) by a fifth writer, HELD OUT (never read
# turn by turn): 248/324 = 0.765 on arrival (2026-12-03), 277/324 = 0.855 once the judge counted an
# add confirmation, which states the cart's total, as showing the cart (this writer labels add turns
# "shows: cart"); 281/324 = 0.867 after the rounds above. Floor: the last figure minus 2 points.
FIFTH_HELD_OUT_FLOOR = 0.84
# conversations_blind_6.jsonl: 56 conversations (365 turns) by a sixth writer, tuned on (its wrong
# turns are printed): 338/365 = 0.926 on arrival (2026-12-03). Floor: the last figure minus 2 points, rounded down.
SIXTH_FLOOR = 0.90
# conversations_blind_7.jsonl: 52 conversations (334 turns) by a seventh writer, HELD OUT (never read
# turn by turn): 227/334 = 0.680 on arrival (2026-12-03; messenger 0.72, whatsapp 0.64: most wrong
# turns are checkout answers not understood, products for a price question and the product talked
# about). Floor: the last figure minus 2 points, rounded down.
SEVENTH_HELD_OUT_FLOOR = 0.66
SETS = {"conversations_blind.jsonl": FLOOR, "conversations_blind_2.jsonl": HELD_OUT_FLOOR,
        "conversations_blind_3.jsonl": THIRD_FLOOR, "conversations_blind_4.jsonl:tuned": FOURTH_TUNED_FLOOR,
        "conversations_blind_4.jsonl:held": FOURTH_HELD_OUT_FLOOR, "conversations_blind_5.jsonl": FIFTH_HELD_OUT_FLOOR,
        "conversations_blind_6.jsonl": SIXTH_FLOOR, "conversations_blind_7.jsonl": SEVENTH_HELD_OUT_FLOOR}
HELD_OUT = ("conversations_blind_2.jsonl", "conversations_blind_4.jsonl:held", "conversations_blind_5.jsonl",
            "conversations_blind_7.jsonl")


@pytest.fixture
def backend() -> str:
    """SQLite only (overrides conftest's sqlite/redis parametrisation)."""
    return "sqlite"


@pytest.fixture
def blind_app(settings):
    overrides = {name: getattr(settings, name) for name in settings.__dataclass_fields__}
    application = create_app(overrides | {"messenger_inbox_app_id": INBOX_APP_ID}, start_workers=False)
    application.testing = True
    application.extensions["dukkan"].orders.new_number = seeded_order_numbers()
    yield application
    application.extensions["dukkan"].workers.stop()


@dataclass
class TurnResult:
    conversation: str
    platform: str
    index: int
    say: str
    expect: dict
    answer: Answer
    wrong: list[str]


def customer_of(conversation: dict, number: int) -> str:
    if conversation["platform"] == "whatsapp":
        return f"2010{number:08d}"
    return f"psid-blind-{conversation['id']}"


def run_conversation(app, conversation: dict, number: int) -> list[TurnResult]:
    services = app.extensions["dukkan"]
    heard: list[str] = []
    from bot.nlu import understand  # the real matcher; its intent is recorded per turn

    def recording(text: str, context: str = "none"):
        result = understand(text, context=context)
        heard.append(f"{result.intent}@{context} {result.slots or ''}".strip())
        return result

    services.dialog.deps.understand = recording
    try:
        platform, customer = conversation["platform"], customer_of(conversation, number)
        chat = Chat(app.test_client(), services, platform, customer)
        results = []
        for index, turn in enumerate(conversation["turns"], 1):
            before = services.pipeline.sessions.load(platform, customer).get("cart", [])
            heard.clear()
            bodies = chat.say(turn["say"])
            session = services.pipeline.sessions.load(platform, customer)
            answer = Answer(bodies, before, session.get("cart", []), understood="; ".join(heard),
                            focus_after=session.get("focus"))
            results.append(TurnResult(conversation["id"], platform, index, turn["say"], turn["expect"], answer,
                                      judge(turn["expect"], answer)))
        return results
    finally:
        services.dialog.deps.understand = None


def rate(results: list[TurnResult]) -> float:
    return sum(not r.wrong for r in results) / len(results) if results else 1.0


def report(results: list[TurnResult], floor: float = FLOOR, wrong_turns: bool = True) -> str:
    lines = ["", "== blind conversations: turns right =="]
    by_conv: dict[str, list[TurnResult]] = defaultdict(list)
    by_kind: dict[str, list[TurnResult]] = defaultdict(list)
    by_platform: dict[str, list[TurnResult]] = defaultdict(list)
    by_key: dict[str, list[TurnResult]] = defaultdict(list)
    for r in results:
        by_conv[r.conversation].append(r)
        by_kind[r.expect.get("shows", "(no shows)")].append(r)
        by_platform[r.platform].append(r)
        for key in r.expect:
            by_key[key].append(r)
    for name, group in by_conv.items():
        right = sum(not r.wrong for r in group)
        lines.append(f"{name} {group[0].platform:9} {right}/{len(group)}" + ("" if right == len(group) else "  ✗"))
    lines.append("-- per expected answer kind --")
    for name, group in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{name:16} {sum(not r.wrong for r in group):3}/{len(group):<3} {rate(group):.0%}")
    lines.append("-- per platform --")
    for name, group in sorted(by_platform.items()):
        lines.append(f"{name:16} {sum(not r.wrong for r in group):3}/{len(group):<3} {rate(group):.0%}")
    lines.append("-- per expectation key (that key holding) --")
    for name, group in sorted(by_key.items()):
        held = sum(not any(w.startswith(_WORDING.get(name, name)) for w in r.wrong) for r in group)
        lines.append(f"{name:16} {held:3}/{len(group):<3}")
    lines.append(f"== overall {sum(not r.wrong for r in results)}/{len(results)} = {rate(results):.1%}"
                 f" (floor {floor:.0%}, goal {GOAL:.0%}) ==")
    if not wrong_turns:
        why: Counter[str] = Counter()
        for r in results:
            for reason in r.wrong:       # the reason's kind only (expected vs shown kinds), never the turn's text
                kind = re.sub(r"\d+", "#", reason.split(" (")[0])
                why[kind if reason.startswith("shows") else kind.split(" ")[0]] += 1
        lines.append("-- why turns were wrong (kinds only: the held-out turns stay unread) --")
        lines += [f"{count:3} {kind}" for kind, count in why.most_common()]
        return "\n".join(lines)
    lines.append("-- wrong turns --")
    for r in results:
        if r.wrong:
            lines.append(f"{r.conversation} #{r.index} {r.platform} «{r.say}»")
            lines.append(f"    expected {json.dumps(r.expect, ensure_ascii=False)}")
            lines.append(f"    wrong: {'; '.join(r.wrong)}")
            lines.append(f"    bot: {r.answer.summary()}")
    return "\n".join(lines)


_WORDING = {"product": "about product", "products_include": "list lacks", "products_exclude": "list has excluded",
            "color": "colour"}


@pytest.mark.parametrize("name", sorted(SETS))
def test_blind_conversations_through_the_webhook(blind_app, name: str) -> None:
    """Every turn through the webhook; the held-out set prints its figures, not its wrong turns."""
    scripted, floor = conversations(name), SETS[name]
    results = []
    for number, conversation in enumerate(scripted, 1):
        results += run_conversation(blind_app, conversation, number)
    text = report(results, floor, wrong_turns=name not in HELD_OUT)
    print(text)
    assert len(results) == sum(len(c["turns"]) for c in scripted)
    assert rate(results) >= floor, f"turns right {rate(results):.1%} < floor {floor:.0%} (goal {GOAL:.0%})\n{text}"


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_data_names_known_kinds_and_platforms(name: str) -> None:
    for conversation in conversations(name):
        assert conversation["platform"] in ("messenger", "whatsapp"), conversation["id"]
        for turn in conversation["turns"]:
            assert turn["say"].strip() and turn["expect"], conversation["id"]
            assert turn["expect"].get("shows", "products") in SHOWS, (conversation["id"], turn["expect"])


# ---- the judge itself, on bodies rendered from hand-made replies --------------------------------


def rendered(platform: str, *replies) -> list[dict]:
    recipient = "2010000001" if platform == "whatsapp" else "psid"
    return [out.body for reply in replies for out in render(platform, reply, recipient)]


def menu(lang: str, text: str) -> QuickReplies:
    return QuickReplies(text, (Choice(T.t(lang, "menu.categories"), "CATEGORIES"),
                               Choice(T.t(lang, "menu.cart"), "CART"),
                               Choice(T.t(lang, "menu.human"), "HUMAN"),
                               Choice(T.t(lang, "menu.orders"), "ORDER_STATUS")))


def product_list(lang: str, ids: list[int]) -> Cards:
    cards = tuple(Card(f"Item {i}", "450 EGP", buttons=(Button("Details", f"DETAILS:{i}"), Button("Add", f"ADD:{i}")),
                       payload=f"DETAILS:{i}") for i in ids)
    return Cards(cards, text=T.t(lang, "results.intro", count=T.plural(lang, len(ids), "product")))


@pytest.mark.parametrize("platform", ["messenger", "whatsapp"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_judge_classifies_answers_from_the_text_keys(platform: str, lang: str) -> None:
    price = T.price(lang, 450)
    cases = {
        "greeting": [menu(lang, T.t(lang, "welcome", store="Dolab"))],
        "not_understood": [menu(lang, T.t(lang, "unknown"))],
        "thanks": [Text(T.t(lang, "thanks"))],
        "goodbye": [Text(T.t(lang, "goodbye"))],
        "products": [product_list(lang, [5, 7, 9])],
        "price": [Buttons(T.t(lang, "price.one", name="Hoodie", price=price),
                          (Button("Add", "ADD:53"), Button("Details", "DETAILS:53")))],
        "product": [Image("http://x/p.jpg", "Hoodie\n" + T.t(lang, "details.price", price=price)),
                    Buttons(T.t(lang, "details.actions"), (Button("Add", "ADD:53"), Button("Matches", "RELATED:53")))],
        "cart": [Text(T.t(lang, "cart.title") + "\n" + T.t(lang, "cart.subtotal", subtotal=price))],
        "shipping": [menu(lang, T.t(lang, "shipping.one", governorate="Giza", fee=T.price(lang, 65), days="2"))],
        "checkout_step": [Text(T.t(lang, "checkout.ask_governorate"))],
        "order_placed": [Text(T.t(lang, "checkout.confirmed", number="DK-7K4QXE", total=price, days="2",
                                  phone="0101"))],
        "handoff": [Text(T.t(lang, "handoff.opened_short"))],
        "categories": [QuickReplies(T.t(lang, "categories.prompt"),
                                    (Choice("Men", "CAT:men"), Choice("Women", "CAT:women")))],
        "size_help": [menu(lang, T.t(lang, "sizes.suggest", size="L"))],
        "returns": [menu(lang, T.t(lang, "returns.title", exchange="14", returns="14"))],
    }
    for kind, replies in cases.items():
        answer = Answer(rendered(platform, *replies))
        assert kind in answer.kinds, (kind, answer.summary())
        others = set(cases) - {kind}
        assert not (answer.kinds & others), (kind, answer.summary())


def test_judge_reads_the_most_specific_sentence() -> None:
    # The address question starts like the shipping answer: it is a checkout step that tells the fee.
    asked = T.t("ar", "checkout.ask_address", governorate="الجيزة", fee=T.price("ar", 65), days="٢ يوم")
    assert keys_in(asked) == ["checkout.ask_address"]
    shipping = T.t("ar", "shipping.one", governorate="الجيزة", fee=T.price("ar", 65), days="٢ يوم")
    free = T.t("ar", "shipping.free", amount=T.price("ar", 1500))
    assert keys_in(shipping + "\n" + free) == ["shipping.one", "shipping.free"]
    assert keys_in("هودي قطن") == []                       # a product name alone is nothing
    assert kinds_of_key("order_cancel.ask") == ("order_cancel",)   # new families are found by their names
    assert kinds_of_key("menu.cart") == ()


def test_judge_sees_a_messenger_hand_off_by_its_pass_thread_control() -> None:
    answer = Answer(rendered("messenger", HandOff(target_app_id=INBOX_APP_ID, metadata="x")))
    assert answer.kinds == {"handoff"}
    assert judge({"shows": "handoff"}, answer) == []
    assert judge({"shows": "handoff"}, Answer([])) != []          # silence is not a hand-off


def test_judge_checks_ids_cart_size_and_colour() -> None:
    listed = Answer(rendered("whatsapp", product_list("ar", [73, 77, 78])))
    assert shown_list(listed.bodies) == [73, 77, 78]
    assert judge({"shows": "products", "products_include": [73, 77], "products_exclude": [76]}, listed) == []
    assert judge({"shows": "products", "products_include": [76]}, listed) != []
    assert judge({"shows": "products", "products_exclude": [77]}, listed) != []
    assert judge({"product": 73}, listed) != []       # a list of cards is not "about" one of them
    assert judge({"shows": "price"}, listed) != []

    line = {"product_id": 73, "name_ar": "x", "name_en": "x", "unit_price": 450, "quantity": 1, "size": "M",
            "color": "navy"}
    added = Answer(rendered("messenger", Text(T.t("en", "cart.added", quantity="1", name="Dress", options=" (M, Navy)",
                                                           subtotal="450 EGP"))), [], [line])
    assert judge({"product": 73, "size": "M", "color": "navy", "cart": [{"id": 73, "qty": 1}]}, added) == []
    assert judge({"size": "L"}, added) != []
    assert judge({"color": "black"}, added) != []
    assert judge({"cart": [{"id": 73, "qty": 2}]}, added) != []
    assert judge({"cart": []}, added) != []
    assert judge({"product": 74}, added) != []
    # Two lines of one product in two sizes are one (id, qty) entry.
    two = Answer([], [line], [line, line | {"size": "L"}])
    assert judge({"cart": [{"id": 73, "qty": 2}], "size": "L"}, two) == []

    # Asked for the colour with the size carried: the size is applied, the product is the one asked about.
    ask = QuickReplies(T.t("ar", "cart.ask_color", name="فستان"),
                       (Choice("كحلي", "ADD:73:M:navy"), Choice("أسود", "ADD:73:M:black")))
    asking = Answer(rendered("whatsapp", ask))
    assert judge({"product": 73, "size": "M"}, asking) == []
    assert judge({"color": "navy"}, asking) != []   # offered, not chosen
