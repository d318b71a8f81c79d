"""The dialog on its own: the session document, payload validation, hand-over events, and the
platform limits of what it answers with when products have over-long names and too many options."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from bot.channels import messenger, whatsapp
from bot.channels.limits import units
from bot.config import Settings
from bot.dialog import Dialog
from bot.dialog.session import Session
from bot.dialog.texts import COLORS
from bot.errors import StorageError
from bot.events import Event, Kind, Platform
from bot.nlu.query import read_query
from bot.replies import QuickReplies
from bot.store import Comparison, SearchPage, build_store
from tests.test_conversation_kit import Script, Understood

LONG = "هودي قطن فليس تقيل بكتف نازل وقصة أوفر سايز مريحة جداً للشتا وللخروج وللجامعة " * 3


class CrowdedStore:
    """The demo store, but with 30 results of over-long names, 15 sizes and 14 colours each."""

    def __init__(self) -> None:
        self.demo = build_store(Settings())
        base = self.demo.search("هودي").products[0]
        self.products = [
            replace(base, id=900 + i, name_ar=f"{LONG} {i}", name_en=f"{'Very long hoodie name ' * 8} {i}",
                    sizes=tuple(str(36 + n) for n in range(15)), colors=tuple(COLORS)[:14], stock_quantity=50,
                    link=f"https://shop.example/{900 + i}")
            for i in range(30)
        ]

    def search(self, query="", *, filters=None, sort="relevance", limit=10, cursor=None, read=None):
        return SearchPage(products=tuple(self.products[:limit]), total=30, next_cursor="x" * 150)

    def budget(self):
        return self.demo.budget()

    def product(self, product_id, lang=None):
        return next(p for p in self.products if p.id == product_id)

    def compare(self, ids, lang=None):
        chosen = tuple(self.product(i) for i in ids)
        return Comparison(chosen, chosen[0], chosen[1], {"colors": tuple(p.colors for p in chosen)})

    def categories(self):
        return self.demo.categories()

    def recommend(self, kind="best_sellers", product_id=None, limit=10):
        return self.products[:limit]

    def info(self):
        return self.demo.info()


def _check_messenger(body: dict) -> None:
    message = body.get("message", {})
    if "text" in message:
        assert units(message["text"]) < 2000
    assert len(message.get("quick_replies", [])) <= 13
    assert all(units(q["title"]) <= 20 for q in message.get("quick_replies", []))
    template = message.get("attachment", {}).get("payload", {})
    assert len(template.get("elements", [])) <= 10
    for element in template.get("elements", []):
        assert units(element["title"]) <= 80 and units(element.get("subtitle", "")) <= 80
        assert len(element.get("buttons", [])) <= 3
        assert all(units(b["title"]) <= 20 for b in element.get("buttons", []))
    assert len(template.get("buttons", [])) <= 3


def _check_whatsapp(body: dict) -> None:
    interactive = body.get("interactive", {})
    action = interactive.get("action", {})
    assert len(action.get("buttons", [])) <= 3
    assert all(units(b["reply"]["title"]) <= 20 and len(b["reply"]["id"]) <= 256 for b in action.get("buttons", []))
    listed = [r for s in action.get("sections", []) for r in s["rows"]]
    assert len(listed) <= 10
    assert all(units(r["title"]) <= 24 and units(r.get("description", "")) <= 72 and len(r["id"]) <= 200
               for r in listed)
    if interactive:
        assert units(interactive["body"]["text"]) <= 1024


@pytest.mark.parametrize("platform", [Platform.MESSENGER, Platform.WHATSAPP])
def test_every_answer_keeps_to_the_platform_limits(platform) -> None:
    script = Script({"hoodie": Understood("search", {"item": "hoodie"}), "compare": Understood(
        "compare", {"product_refs": ["1", "2", "3", "4"]}), "which": Understood("price_inquiry")})
    dialog = Dialog(store=CrowdedStore(), understand=script)
    render = messenger.render if platform is Platform.MESSENGER else whatsapp.render
    check = _check_messenger if platform is Platform.MESSENGER else _check_whatsapp
    session: dict = {}
    steps = [(Kind.PAYLOAD, "GET_STARTED"), (Kind.TEXT, "hoodie"), (Kind.TEXT, "which"), (Kind.PAYLOAD, "FILTER"),
             (Kind.PAYLOAD, "DETAILS:900"), (Kind.PAYLOAD, "ADD:900"), (Kind.PAYLOAD, "ADD:900:36:"),
             (Kind.PAYLOAD, "ADD:900:36:black"), (Kind.PAYLOAD, "CART"), (Kind.PAYLOAD, "CART_EDIT"),
             (Kind.TEXT, "hoodie"), (Kind.TEXT, "compare"), (Kind.PAYLOAD, "CATEGORIES"), (Kind.PAYLOAD, "OFFERS"),
             (Kind.PAYLOAD, "SHIPPING"), (Kind.PAYLOAD, "CHECKOUT")]
    for number, (kind, value) in enumerate(steps):
        event = Event(platform=platform, customer_id="201001234567", kind=kind, message_id=f"m{number}",
                      text=value if kind is Kind.TEXT else "", payload=value if kind is Kind.PAYLOAD else "")
        replies, session = dialog.handle(event, session)
        assert replies, value
        for reply in replies:
            for out in render(reply, "201001234567"):
                check(out.body)


def test_a_session_document_of_any_shape_is_read_safely() -> None:
    assert Session.from_dict(None) == Session()
    assert Session.from_dict("garbage") == Session()
    odd = Session.from_dict({"lang": "fr", "results": [1, "2", "x", None], "focus": "7", "cart": [
        {"product_id": 5, "unit_price": 100, "quantity": 2}, {"product_id": "x"}, "junk",
        {"product_id": 6, "unit_price": 10, "quantity": 0}], "checkout": {"id": "abc", "step": "fly"},
        "context": "after_results", "filters": [1]})
    assert (odd.lang, odd.results, odd.focus, odd.context, odd.filters) == ("ar", [1, 2], 7, "after_results", {})
    assert [(line.product_id, line.quantity) for line in odd.cart] == [(5, 2)] and odd.checkout is None
    session = Session(lang="en", results=[3, 4], focus=3)
    assert Session.from_dict(session.to_dict()) == session


def test_events_that_are_not_customer_messages_get_no_reply() -> None:
    dialog = Dialog(store=CrowdedStore(), understand=Script())
    for kind in (Kind.READ, Kind.DELIVERY, Kind.ECHO, Kind.REACTION, Kind.HANDOVER):
        event = Event(platform=Platform.MESSENGER, customer_id="p", kind=kind, data={"action": "request"})
        assert dialog.handle(event, {"lang": "en"}) == ([], {"lang": "en"})


# ---- a handler that fails ---------------------------------------------------------------------

BUSY = "حصلت مشكلة صغيرة عندي 🙏 جرب تاني كمان شوية."


def _text(text: str, platform: Platform = Platform.MESSENGER) -> Event:
    return Event(platform=platform, customer_id="p-1", kind=Kind.TEXT, message_id="m-1", text=text)


def _press(payload: str) -> Event:
    return Event(platform=Platform.MESSENGER, customer_id="p-1", kind=Kind.PAYLOAD, message_id="m-2", payload=payload)


def test_a_failing_matcher_gets_the_busy_answer_and_a_logged_traceback(caplog) -> None:
    def broken(text, context="none"):
        raise RuntimeError("matcher bug")

    dialog = Dialog(store=CrowdedStore(), understand=broken)
    before = {"lang": "ar", "results": [901, 902], "context": "after_results"}
    with caplog.at_level(logging.ERROR, logger="bot.dialog"):
        replies, session = dialog.handle(_text("عايز هودي"), dict(before))
    [reply] = replies
    assert isinstance(reply, QuickReplies) and reply.text == BUSY
    assert "CATEGORIES" in [c.payload for c in reply.choices]
    assert session == before
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.name == "bot.dialog" and "Traceback" in caplog.text and "RuntimeError: matcher bug" in caplog.text


def test_a_bug_behind_a_valid_button_is_not_called_an_old_button(caplog) -> None:
    class BrokenStore(CrowdedStore):
        def product(self, product_id, lang=None):
            raise KeyError("price_final")                   # a bug, not a bad payload

    with caplog.at_level(logging.ERROR, logger="bot.dialog"):
        [reply], _ = Dialog(store=BrokenStore(), understand=Script()).handle(_press("DETAILS:901"), {"lang": "en"})
    assert reply.text == "Something went wrong on my side 🙏 Please try again in a moment."
    assert "Traceback" in caplog.text and "KeyError: 'price_final'" in caplog.text
    [old], _ = Dialog(store=CrowdedStore(), understand=Script()).handle(_press("SORT:sideways"), {"lang": "en"})
    assert old.text.startswith("That button is old")


def test_a_storage_failure_still_reaches_the_pipeline() -> None:
    class Down:
        def active(self, platform, customer):
            return False

        def open(self, *args):
            raise StorageError("database is locked")

    dialog = Dialog(store=CrowdedStore(), handoffs=Down(), understand=Script())
    with pytest.raises(StorageError):
        dialog.handle(_press("HUMAN"), {})


# ---- numbers agree with what they count -----------------------------------------------------------

COUNTS = (1, 2, 3, 10, 11, 15)


class CountedStore(CrowdedStore):
    """The crowded store with ``n`` results, ``n`` pieces left, and every delivery and policy taking ``n`` days."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.products = [replace(p, stock_quantity=n, count_rating=n, rating=4.5) for p in self.products]

    def search(self, query="", *, filters=None, sort="relevance", limit=10, cursor=None, read=None):
        return SearchPage(products=tuple(self.products[:min(limit, self.n)]), total=self.n)

    def info(self):
        info = self.demo.info()
        rows = {g.key: replace(g, days_min=self.n, days_max=self.n) if g.key == "cairo" else g
                for g in info.governorates}
        phrases = tuple((words, rows[g.key]) for words, g in info._phrases)   # the name index holds the rows too
        return replace(info, governorates=tuple(rows.values()), _phrases=phrases, exchange_days=self.n,
                       return_days=self.n)


def _said(n: int, lang: str, *steps: Event) -> list[str]:
    script = Script({"hoodie": Understood("search", {"item": "hoodie"}), "shipping cairo": Understood("shipping_info"),
                     "returns": Understood("returns_policy")})
    dialog, session, said = Dialog(store=CountedStore(n), understand=script), {"lang": lang, "lang_chosen": True}, []
    for event in steps:
        replies, session = dialog.handle(event, session)
        said += [getattr(r, "text", "") or getattr(r, "caption", "") for r in replies]
    return said


AR_COUNTS = {1: ("منتج واحد", "قطعة واحدة", "تقييم واحد", "يوم شغل واحد", "يوم واحد"),
             2: ("منتجين", "قطعتين", "تقييمين", "يومين شغل", "يومين"),
             3: ("٣ منتجات", "٣ قطع", "٣ تقييمات", "٣ أيام شغل", "٣ أيام"),
             10: ("١٠ منتجات", "١٠ قطع", "١٠ تقييمات", "١٠ أيام شغل", "١٠ أيام"),
             11: ("١١ منتج", "١١ قطعة", "١١ تقييم", "١١ يوم شغل", "١١ يوم"),
             15: ("١٥ منتج", "١٥ قطعة", "١٥ تقييم", "١٥ يوم شغل", "١٥ يوم")}


@pytest.mark.parametrize("n", COUNTS)
def test_arabic_counts_agree_with_their_nouns(n) -> None:
    products, pieces, reviews, working_days, days = AR_COUNTS[n]
    found, _, details, _, shipping, returns = _said(n, "ar", _text("hoodie"), _press("DETAILS:900"),
                                                    _text("shipping cairo"), _text("returns"))
    assert found == f"لقيتلك {products} 👇"
    assert f"({reviews})" in details
    assert (f"فاضل {pieces} بس ⚡" in details) is (n <= 5)
    assert shipping.startswith(f"الشحن لمحافظة القاهرة بـ ٦٥ ج.م وبيوصل في {working_days}.")
    assert returns.startswith(f"الاستبدال خلال {days} والاسترجاع خلال {days} من الاستلام.")


@pytest.mark.parametrize("n", COUNTS)
def test_english_counts_agree_with_their_nouns(n) -> None:
    s = "" if n == 1 else "s"
    found, _, details, _, shipping, returns = _said(n, "en", _text("hoodie"), _press("DETAILS:900"),
                                                    _text("shipping cairo"), _text("returns"))
    assert found == f"I found {n} product{s} 👇"
    assert f"({n} review{s})" in details
    assert (f"Only {n} piece{s} left ⚡" in details) is (n <= 5)
    assert shipping.startswith(f"Shipping to Cairo is 65 EGP and takes {n} working day{s}.")
    assert returns.startswith(f"Exchange within {n} day{s} and returns within {n} day{s} of delivery.")


def test_a_delivery_range_agrees_with_its_upper_bound() -> None:
    dialog = Dialog(store=CrowdedStore(), understand=Script({"alex": Understood("shipping_info"),
                                                             "aswan": Understood("shipping_info")}))
    said = [dialog.handle(_text(city), {"lang": lang, "lang_chosen": True})[0][0].text
            for lang in ("ar", "en") for city in ("alex", "aswan")]
    assert "وبيوصل في ٢ لـ ٣ أيام شغل." in said[0] and "وبيوصل في ٤ لـ ٦ أيام شغل." in said[1]
    assert "takes 2 to 3 working days." in said[2] and "takes 4 to 6 working days." in said[3]


# ---- long choice lists are paged, never cut ------------------------------------------------------


def _offered(dialog: Dialog, platform: Platform, payload: str, session: dict) -> tuple[list[str], str, dict]:
    """The payloads a customer can tap after pressing ``payload``, as rendered for ``platform``."""
    event = Event(platform=platform, customer_id="201001234567", kind=Kind.PAYLOAD, message_id=payload, payload=payload)
    replies, session = dialog.handle(event, session)
    render = messenger.render if platform is Platform.MESSENGER else whatsapp.render
    bodies = [out.body for reply in replies for out in render(reply, "201001234567")]
    check = _check_messenger if platform is Platform.MESSENGER else _check_whatsapp
    for body in bodies:
        check(body)
    tapped = [q["payload"] for b in bodies for q in b.get("message", {}).get("quick_replies", [])]
    actions = [b.get("interactive", {}).get("action", {}) for b in bodies]
    tapped += [r["id"] for a in actions for s in a.get("sections", []) for r in s["rows"]]
    tapped += [button["reply"]["id"] for a in actions for button in a.get("buttons", [])]
    text = "\n".join(b.get("message", {}).get("text", "") or b.get("interactive", {}).get("body", {}).get("text", "")
                     for b in bodies)
    return tapped, text, session


def _every_page(dialog: Dialog, platform: Platform, first: str, more: str, session: dict | None = None
                ) -> tuple[list[str], str, dict]:
    """Press ``first``, then "more" until it comes back round: every other payload offered, the first text."""
    offered, text, session = _offered(dialog, platform, first, session or {})
    seen, pages = [], 1
    while True:
        seen += [p for p in offered if not p.startswith(more)]
        following = next(p for p in offered if p.startswith(more))
        if following.endswith(":0"):
            break
        offered, _, session = _offered(dialog, platform, following, session)
        pages += 1
    assert pages > 1
    return seen, text, session


@pytest.mark.parametrize("platform", [Platform.WHATSAPP, Platform.MESSENGER])
def test_every_size_and_colour_of_a_product_with_many_is_reachable(platform) -> None:
    store = CrowdedStore()
    product = store.product(900)                            # 15 sizes, 14 colours
    dialog = Dialog(store=store, understand=Script())
    sizes, text, session = _every_page(dialog, platform, "ADD:900", "OPTIONS:900:")
    assert sizes == [f"ADD:900:{s}:" for s in product.sizes]
    assert "المقاسات: " + "، ".join(product.sizes) in text    # all of them named too, to be typed
    last = product.sizes[-1]                                  # a size only a later page offers
    colours, text, session = _every_page(dialog, platform, f"ADD:900:{last}:", "OPTIONS:900:", session)
    assert colours == [f"ADD:900:{last}:{c}" for c in product.colors]
    added, _, _ = _offered(dialog, platform, colours[-1], session)
    assert "CHECKOUT" in added


def test_every_section_and_the_offers_are_reachable_on_whatsapp() -> None:
    from bot.store import Category

    class ManySections(CrowdedStore):
        def categories(self):
            return [Category(slug=f"s{i}", name_ar=f"قسم {i}", name_en=f"Section {i}", count=3) for i in range(12)]

    sections, _, _ = _every_page(Dialog(store=ManySections(), understand=Script()), Platform.WHATSAPP,
                              "CATEGORIES", "CATEGORIES:")
    assert sections == [f"CAT:s{i}" for i in range(12)] + ["OFFERS"]


def test_every_cart_line_can_be_edited() -> None:
    store = CrowdedStore()
    lines = [{"product_id": 900 + i, "name_ar": "هودي", "name_en": "Hoodie", "unit_price": 100, "quantity": 2,
              "size": "40", "color": "black"} for i in range(6)]
    dialog = Dialog(store=store, understand=Script())
    offered, _, session = _offered(dialog, Platform.WHATSAPP, "CART_EDIT", {"cart": lines})
    removable = [p for p in offered if p.startswith("REMOVE:")]
    while (following := next(p for p in offered if p.startswith("CART_EDIT:"))) != "CART_EDIT:0":
        offered, _, session = _offered(dialog, Platform.WHATSAPP, following, session)
        removable += [p for p in offered if p.startswith("REMOVE:")]
    assert removable == [f"REMOVE:{900 + i}:40:black" for i in range(6)] and "CLEAR_CART" in offered


def test_compare_names_the_best_rated_and_who_each_is_for() -> None:
    store = CrowdedStore()
    store.products[0] = replace(store.products[0], gender="men", rating=4.8, count_rating=12)
    store.products[1] = replace(store.products[1], gender="women", rating=4.1, count_rating=3)
    store.compare = lambda ids, lang=None: Comparison(
        tuple(store.product(i) for i in ids), store.products[1], store.products[0], {"gender": ("men", "women")})
    for lang, best, differs in (("ar", "أعلى تقييم: {} (٤٫٨ من ٥)", "الفرق في: لمين"),
                                ("en", "Best rated: {} (4.8 of 5)", "They differ in: for")):
        replies, _ = Dialog(store=store, understand=Script()).handle(_press("COMPARE:900,901"), {"lang": lang})
        summary = replies[-1].text
        assert best.format(store.products[0].name(lang)) in summary and differs in summary


# ---- one store budget per customer message --------------------------------------------------


class BudgetedStore(CrowdedStore):
    """Records whether each product lookup happened inside the store's time budget."""

    def __init__(self) -> None:
        super().__init__()
        self.open_budgets = 0
        self.lookups: list[bool] = []

    def budget(self):
        store = self

        class Budget:
            def __enter__(self):
                store.open_budgets += 1

            def __exit__(self, *exc):
                store.open_budgets -= 1

        return Budget()

    def product(self, product_id, lang=None):
        self.lookups.append(self.open_budgets == 1)
        return self.demo.product(product_id)


def test_every_store_lookup_of_a_message_shares_one_time_budget() -> None:
    store = BudgetedStore()
    dialog = Dialog(store=store, understand=Script())
    session = {"lang": "en", "cart": [
        {"product_id": pid, "name_ar": "x", "name_en": "x", "unit_price": 100, "quantity": 1, "size": "", "color": ""}
        for pid in (3, 50, 53)
    ]}
    dialog.handle(_press("QTY:3:::2"), session)
    dialog.handle(_press("DETAILS:50"), session)
    assert store.lookups and all(store.lookups), "a lookup ran outside the message's budget"
    assert store.open_budgets == 0


def test_cards_show_the_colour_the_customer_asked_for() -> None:
    dialog = Dialog(store=build_store(Settings()), settings=Settings())
    replies, _ = dialog.handle(_text("عايز تيشيرت اسود"), {})
    [cards] = [reply for reply in replies if hasattr(reply, "cards")]
    assert cards.cards and all(card.image_url.endswith("?color=black") for card in cards.cards)


class ReadingStore(CrowdedStore):
    """Remembers how each search was asked, and reads the words it is handed once, as the real store."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, object]] = []

    def search(self, query="", *, filters=None, sort="relevance", limit=10, cursor=None, read=None):
        self.asked.append((query, read() if read is not None else None))
        return super().search(query, filters=filters, sort=sort, limit=limit, cursor=cursor)


def test_a_search_turn_hands_its_reading_of_the_message_to_the_store(monkeypatch) -> None:
    store = ReadingStore()
    dialog = Dialog(store=store)
    reads: list[str] = []
    read = dialog.deps.read
    analyses: list[object] = []

    def spy(text: str, analysis: object = None):
        reads.append(text)
        analyses.append(analysis)
        return read(text, analysis)

    monkeypatch.setattr(dialog.deps, "read", spy)
    event = Event(platform=Platform.MESSENGER, customer_id="psid-r", kind=Kind.TEXT, message_id="m1",
                  text="عايز هودي اسود")
    dialog.handle(event, {})
    assert store.asked and store.asked[0] == ("عايز هودي اسود", read_query("عايز هودي اسود"))
    assert reads == ["عايز هودي اسود"], "the message was read once in the turn"
    assert analyses and analyses[0] is not None, "the search got the matcher's analysis of the message"
