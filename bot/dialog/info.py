"""Store answers from the store information: shipping, payment, returns, sizes and the shop itself."""

from __future__ import annotations

import re
from typing import Any

from bot.dialog import texts
from bot.dialog.checkout import days
from bot.dialog.turn import InvalidPayload, Turn
from bot.nlu.normalize import tokenize
from bot.replies import Choice, QuickReplies, Reply, Text

HEIGHT_WORDS = frozenset({"طول", "طولي", "طوله", "طولها", "height", "tall", "tool", "toly", "cm", "سم", "سنتي"})
WEIGHT_WORDS = frozenset({"وزن", "وزني", "وزنه", "وزنها", "weight", "wazn", "wazny", "kg", "kilo", "كيلو", "كيلوجرام"})


def shipping(turn: Turn) -> list[Reply]:
    """The fee and days for the governorate named in the text, or every fee."""
    info = turn.deps.store.info()
    row = info.governorate(turn.text) if turn.text else None
    turn.session.context, turn.session.topic = "none", "shipping"
    free = turn.t("shipping.free", amount=turn.price(info.free_shipping_min_order)) if info.free_shipping_min_order else ""
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
    lines = [turn.t("payment.title")] + [f"- {m.name(turn.lang)}: {m.details(turn.lang)}" for m in info.payment_methods]
    turn.session.context = "none"
    return [turn.menu("\n".join(lines))]


def returns(turn: Turn) -> list[Reply]:
    info = turn.deps.store.info()
    turn.session.context = "none"
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
    return [Text(_chart(turn, info, section)), QuickReplies(turn.t("sizes.ask"), (
        Choice(texts.category(turn.lang, "men"), "SIZES:men"), Choice(texts.category(turn.lang, "women"), "SIZES:women"),
        Choice(texts.category(turn.lang, "kids"), "SIZES:kids")))]


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
            return turn.deps.store.product(focus).category or "men"
        except Exception:  # a stale focus only loses the hint
            return "men"
    return "men"


def _chart(turn: Turn, info: Any, section: str) -> str:
    chart = info.size_chart
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


STORE_FIELDS = (("hours", "working_hours"), ("phone", "phone"), ("whatsapp", "whatsapp"), ("email", "email"),
                ("website", "website"))


def store(turn: Turn) -> list[Reply]:
    """``store_info``: hours and every way to reach the shop, as the store information has them.

    What it does not hold (an address, branches, wholesale) is never guessed: the team tells it.
    """
    info = turn.deps.store.info()
    turn.session.context = "none"
    lines = [turn.t("store_info.intro", store=turn.deps.name(turn.lang))]
    for key, name in STORE_FIELDS:
        value = info.working_hours(turn.lang) if name == "working_hours" else getattr(info, name, "")
        if value:
            lines.append(turn.t(f"store_info.{key}", value=value))
    lines.append(turn.t("store_info.more"))
    choices = (turn.choice("menu.human", "HUMAN"), turn.choice("menu.categories", "CATEGORIES"),
               turn.choice("orders.menu", "MENU"))
    return [QuickReplies("\n".join(lines), choices, button_label=turn.t("menu.button"))]
