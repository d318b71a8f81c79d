"""Store answers from the shop's profile: shipping, payment, returns, sizes, the shop itself, its FAQ."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.dialog import governorates, texts
from bot.dialog.checkout import days
from bot.dialog.payloads import Categories, Command, Sizes, encode
from bot.dialog.session import Context
from bot.dialog.turn import InvalidPayload, Turn
from bot.language import Lang
from bot.nlu.normalize import tokenize
from bot.replies import Choice, QuickReplies, Reply, Text
from bot.store.faq import FAQ_MIN, FAQ_SURE
from bot.store.hours import WeeklyHours, clock_time, day_key, day_name

HEIGHT_WORDS = frozenset({"طول", "طولي", "طوله", "طولها", "height", "tall", "tool", "toly", "cm", "سم", "سنتي"})
WEIGHT_WORDS = frozenset({"وزن", "وزني", "وزنه", "وزنها", "weight", "wazn", "wazny", "kg", "kilo", "كيلو", "كيلوجرام"})


def shipping(turn: Turn) -> list[Reply]:
    """The fee and days for the governorate named in the text, or every fee."""
    info = turn.deps.store.info()
    row = governorates.named(info, turn.text) if turn.text else None
    turn.session.context, turn.session.topic = Context.NONE, "shipping"
    least = info.free_shipping_min_order
    free = turn.t("shipping.free", amount=turn.price(least)) if least else ""
    if row is not None:
        return [turn.menu("\n".join(p for p in (shipping_line(turn, row), free) if p))]
    lines = "\n".join(
        f"- {_gov(turn, g)}: {turn.price(g.fee)} ({days(turn, g)})" for g in info.governorates
    )
    text = "\n".join(p for p in (turn.t("shipping.all", lines=lines), free, turn.t("shipping.ask")) if p)
    return [Text(text)]


def shipping_line(turn: Turn, row: Any) -> str:
    """"الشحن لمحافظة الجيزة بـ ٦٥ ج.م وبيوصل في ١ لـ ٢ يوم شغل."."""
    return turn.t("shipping.one", governorate=row.name(turn.lang), fee=turn.price(row.fee), days=days(turn, row))


def payment(turn: Turn) -> list[Reply]:
    info = turn.deps.store.info()
    lines = [turn.t("payment.title")] + [
        f"- {m.name(turn.lang)}: {m.details(turn.lang)}" if m.details(turn.lang) else f"- {m.name(turn.lang)}"
        for m in info.payment_methods]
    turn.session.context = Context.NONE
    return [turn.menu("\n".join(lines))]


def returns(turn: Turn) -> list[Reply]:
    info = turn.deps.store.info()
    turn.session.context = Context.NONE
    return [turn.menu("\n".join(p for p in (returns_line(turn, info), info.return_policy(turn.lang)) if p))]


def returns_line(turn: Turn, info: Any) -> str:
    """"الاستبدال خلال ١٤ يوم والاسترجاع خلال ١٤ يوم من الاستلام."."""
    return turn.t("returns.title", exchange=turn.count(info.exchange_days, "day"),
                  returns=turn.count(info.return_days, "day"))


def sizes(turn: Turn) -> list[Reply]:
    """A suggested size from height and weight when the chart allows it, else the chart and a question."""
    info = turn.deps.store.info()
    section = _section(turn)
    height, weight = body_measures(turn.text)
    if height or weight:
        size = info.suggest_size(section, height_cm=height, weight_kg=weight)
        if size:
            return [turn.menu(turn.t("sizes.suggest", size=size))]
    sections = tuple(Choice(texts.category(turn.lang, name), encode(Sizes(name))) for name in ("men", "women", "kids"))
    return [Text(_chart(turn, info, section)), QuickReplies(turn.t("sizes.ask"), sections)]


def size_chart(turn: Turn, section: str) -> list[Reply]:
    """``SIZES:<section>``: the chart of one section."""
    if section not in texts.CATEGORIES:
        raise InvalidPayload(section)
    info = turn.deps.store.info()
    return [Text(_chart(turn, info, section)), turn.menu(turn.t("sizes.ask"))]


def body_measures(text: str) -> tuple[float | None, float | None]:
    """(height cm, weight kg) from "طولي ١٧٨ ووزني ٨٥", "I'm 180cm and 90kg", "175 / 80"."""
    words = tokenize(text)
    height = weight = None
    for i, word in enumerate(words):
        if not re.fullmatch(r"\d{2,3}", word):
            continue
        near = set(words[max(0, i - 2):i]) | set(words[i + 1:i + 2])
        value = float(word)
        if near & WEIGHT_WORDS and weight is None:
            weight = value
        elif near & HEIGHT_WORDS and height is None:
            height = value
        elif value >= 120 and height is None:
            height = value
        elif 25 <= value < 120 and weight is None:
            weight = value
    return height, weight


def _section(turn: Turn) -> str:
    category = turn.slots.get("category")
    if category:
        return category
    focus = turn.session.focus
    if focus is not None:
        try:
            return turn.deps.store.product(focus, lang=turn.lang).category or "men"
        except Exception:  # a stale focus only loses the hint
            return "men"
    return "men"


# Items whose sizes are read on another chart than the section's tops.
FEET = frozenset({"sneakers", "shoes", "sandals", "slippers", "boots"})
BOTTOMS = frozenset({"jeans", "trousers", "shorts", "skirt"})


def _item_rows(chart: Any, section: str, item: str) -> list[dict] | None:
    """The chart of one item when the profile has one: named after it ("abaya"), its kind
    ("bottoms" for jeans) or, for footwear, the shoes chart; None: the section's usual chart."""
    if not item:
        return None
    charts = chart.get(section, {}) if isinstance(chart.get(section), dict) else {}
    candidates: list[Any] = [charts.get(item)]
    if item in BOTTOMS:
        candidates += [charts.get("bottoms"), charts.get("bottoms_waist")]
    if item in FEET:
        candidates += [charts.get("shoes"), chart.get("kids", {}).get("shoes") if section == "kids"
                       else chart.get("shoes", {}).get("sizes")]
    return next((rows for rows in candidates if isinstance(rows, list) and rows), None)


def _measures_line(turn: Turn, row: dict) -> str:
    """"32: وسط ٨١ سم", "42: foot 27 cm": every measure of a row, as the chart has them."""
    parts = []
    for key, value in row.items():
        if key == "size" or (key == "eu" and "size" not in row):   # the row's name, not a measure
            continue
        stem, _, unit = key.rpartition("_") if key.endswith(("_cm", "_kg", "_in")) else (key, "", "")
        names = texts.MEASURES.get(stem, (stem.replace("_", " "), stem.replace("_", " ")))
        label = names[1] if turn.lang == Lang.EN else names[0]
        units = texts.UNITS.get(unit, (unit, unit))
        shown_unit = units[1] if turn.lang == Lang.EN else units[0]
        if isinstance(value, list):
            parts.append(turn.t("sizes.measure_range", label=label, low=turn.number(value[0]),
                                high=turn.number(value[1]), unit=shown_unit).strip())
        else:
            shown = turn.number(value) if isinstance(value, (int, float)) else str(value)
            parts.append(turn.t("sizes.measure_one", label=label, value=shown, unit=shown_unit).strip())
    size = str(row.get("size") or row.get("eu") or "")
    return turn.t("sizes.row_measures", size=size, measures=texts.joined(turn.lang, parts))


def _chart(turn: Turn, info: Any, section: str) -> str:
    chart = info.size_chart
    named = turn.slots.get("item")
    rows = _item_rows(chart, section, named if isinstance(named, str) else "")
    if rows:
        lines = [_measures_line(turn, row) for row in rows]
        return turn.t("sizes.chart", section=texts.category(turn.lang, section), lines="\n".join(lines))
    if section == "kids":
        rows, key, label = chart.get("kids", {}).get("clothes", []), "height_cm", "sizes.row_height"
    else:
        side = "women" if section == "women" else "men"
        rows, key, label = chart.get(side, {}).get("tops", []), "weight_kg", "sizes.row_weight"
    lines = [turn.t(label, size=r["size"], low=turn.number(r[key][0]), high=turn.number(r[key][1]))
             for r in rows if isinstance(r.get(key), list)]
    return turn.t("sizes.chart", section=texts.category(turn.lang, section), lines="\n".join(lines))


def _gov(turn: Turn, row: Any) -> str:
    return row.name(turn.lang) if row.key != "other" else turn.t("checkout.other_governorate")


STORE_FIELDS = (("phone", "phone"), ("whatsapp", "whatsapp"), ("email", "email"), ("website", "website"))


def store(turn: Turn) -> list[Reply]:
    """``store_info``: hours (and whether the shop is open now), address, branches and every way
    to reach the shop, as the profile has them.

    What it does not hold (an address, branches, wholesale) is never guessed: the team tells it.
    """
    info = turn.deps.store.info()
    turn.session.context = Context.NONE
    lines = [turn.t("store_info.intro", store=turn.deps.name(turn.lang))]
    hours = info.working_hours(turn.lang)
    if hours:
        lines.append(turn.t("store_info.hours", value=hours))
    if info.opening_hours is not None:
        lines.append(open_now_line(turn, info.opening_hours))
    if info.address(turn.lang):
        lines.append(turn.t("store_info.address", value=info.address(turn.lang)))
    if info.branches:
        lines.append(turn.t("store_info.branches"))
        for branch in info.branches:
            extra = " · ".join(p for p in (branch.hours(turn.lang), branch.phone, branch.map_url) if p)
            address = f"{branch.address(turn.lang)} ({extra})" if extra else branch.address(turn.lang)
            lines.append(turn.t("store_info.branch", name=branch.name(turn.lang), address=address))
    for key, name in STORE_FIELDS:
        value = getattr(info, name, "")
        if value:
            lines.append(turn.t(f"store_info.{key}", value=value))
    has_place = bool(info.address(turn.lang) or info.branches)
    lines.append(turn.t("store_info.more_short" if has_place else "store_info.more"))
    choices = (turn.choice("menu.human", Command.HUMAN), turn.choice("menu.categories", Categories()),
               turn.choice("orders.menu", Command.MENU))
    return [QuickReplies("\n".join(lines), choices, button_label=turn.t("menu.button"))]


def open_now_line(turn: Turn, hours: WeeklyHours) -> str:
    """"إحنا فاتحين دلوقتي لحد ١٠ بالليل 👌" or "…قافلين دلوقتي، وهنفتح تاني بكرة الساعة ١٠ الصبح"."""
    now = turn.deps.clock()
    until = hours.open_until(now)
    if until is not None:
        return turn.t("store_info.open_now", time=clock_time(turn.lang, until.hour * 60 + until.minute))
    return turn.t("store_info.closed_now", when=when(turn, hours, now))


def when(turn: Turn, hours: WeeklyHours, now: float) -> str:
    """The next opening said from now: "النهارده الساعة ٥ العصر", "tomorrow at 10 am", "on Saturday at 10 am"."""
    opening = hours.next_opening(now)
    if opening is None:
        return ""
    return say_when(turn, hours.local(now), opening)


def say_when(turn: Turn, now: datetime, at: datetime) -> str:
    time = clock_time(turn.lang, at.hour * 60 + at.minute)
    if at.date() == now.date():
        return turn.t("when.today", time=time)
    if at.date() == (now + timedelta(days=1)).date():
        return turn.t("when.tomorrow", time=time)
    return turn.t("when.day", day=day_name(turn.lang, day_key(at)), time=time)


# ---- the shop's FAQ ---------------------------------------------------------------------------

# Intents that say nothing more specific than the FAQ can: an FAQ match of FAQ_MIN answers them.
# After any other intent the message must be one of the FAQ's wordings (FAQ_SURE).
FAQ_OPEN = frozenset({"unknown", "store_info", "help"})


def faq(turn: Turn, intent: str) -> list[Reply] | None:
    """The owner's answer, with the menu, when the message asks one of the profile's FAQ; else None."""
    answer = faq_answer(turn, intent)
    if not answer:
        return None
    turn.session.context = Context.NONE
    return [turn.menu(answer)]


def faq_answer(turn: Turn, intent: str) -> str:
    """The FAQ answer the message asks, in the customer's language, or ''.

    After ``unknown``, ``store_info`` or ``help`` a good match is enough (:data:`FAQ_MIN`). After
    any other intent the message must *be* one of the FAQ's wordings (:data:`FAQ_SURE`): the
    owner's "بتعملوا تغليف هدايا؟" is answered although "هدايا" reads as a request for gift ideas,
    while "الشحن لاسكندرية بكام" keeps the fee for Alexandria next to an FAQ "الشحن بكام؟".
    See :mod:`bot.store.faq`.
    """
    matcher = turn.deps.store.info().faq
    if not matcher or not turn.text.strip():
        return ""
    found = matcher.match(turn.text, FAQ_MIN) if intent in FAQ_OPEN else matcher.same(turn.text, FAQ_SURE)
    return found.entry.answer(turn.lang) if found is not None else ""
