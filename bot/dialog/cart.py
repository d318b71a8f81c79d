"""The cart in the session: add (asking size and colour), view, remove, change quantity.

Stock is read live from the store before anything goes into the cart; the order checks it again.
Lines are addressed in payloads by what they are (``REMOVE:<product id>:<size>:<colour>``,
:class:`bot.dialog.payloads.Remove`), never by position, so a button from an older cart view cannot
touch the wrong line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.dialog import texts
from bot.dialog.payloads import Add, CartEdit, Command, Options, Quantity, Related, Remove, encode
from bot.dialog.session import CartLine, Context, LineKey
from bot.dialog.turn import Turn
from bot.nlu.lexicon import load_lexicon
from bot.nlu.normalize import normalize, tokenize
from bot.nlu.numbers import read_number
from bot.notes import CART_ADD
from bot.replies import Buttons, Choice, QuickReplies, Reply, Text

MAX_QUANTITY = 20
EVERYTHING = frozenset({"كل", "كله", "all", "everything", "kol", "kolo", "koll", "فضي", "empty"})
# "شيل واحد", "remove one": one piece less, not the whole line.
ONE_WORDS = frozenset({"واحد", "واحده", "حته", "قطعه", "one", "1", "piece", "wa7ed", "wa7da", "wahed", "7eta"})
# "خليهم اتنين", "خلي الساعة ٣", "make it 3", "khaleehom 3": a verb that sets how many of a line.
SET_WORDS = frozenset({"خلي", "خليهم", "خليها", "خليه", "خليهملي", "خليهالي", "خليهولي", "خليلي", "خليهوم", "خلليهم",
                       "اجعلها", "اجعلهم", "make", "change", "set", "khaly", "khali", "khalli", "khalee", "khalih",
                       "khaleeh", "khaleehom", "khalihom", "khalehom", "khallihom", "khaleeha", "khaliha", "5aly",
                       "5ali", "5alihom", "5aleehom", "5alehom", "5aliha", "5aleeha", "5aleh"})
# "actually 2 of them", "لا ٢ منهم بس": a correction of how many pieces, without the verb.
CORRECTION_WORDS = frozenset({"actually", "no", "nope", "لا", "la", "la2", "بس", "only", "just", "bas"})
PIECES_WORDS = frozenset({"them", "منهم", "pieces", "piece", "قطع", "حتت", "حته", "قطعه", "menhom", "minhom", "pcs"})


def add(turn: Turn, product_id: int, size: str = "", color: str = "", quantity: int | None = None,
        page: int = 0) -> list[Reply]:
    """Put a product in the cart once its size and colour are known and the stock allows it.

    ``page`` is the page of sizes or colours to offer (``OPTIONS:<id>:<page>``) when they do not
    all fit in one message.
    """
    product = turn.deps.store.product(product_id, lang=turn.lang)
    session = turn.session
    pending = session.pending if session.pending.get("product_id") == product.id else {}
    asked = session.asked if session.asked.get("product_id") == product.id else {}   # "فيه اسود؟" then "ضيفه"
    quantity = max(1, min(MAX_QUANTITY, int(quantity or pending.get("quantity") or 1)))
    size = size or pending.get("size", "") or _one_of(asked.get("size"), product.sizes)
    color = color or pending.get("color", "") or _one_of(asked.get("color"), product.colors)
    session.focus = product.id
    if product.stock_quantity <= 0:
        session.pending = {}
        return [Buttons(turn.t("cart.out", name=product.name(turn.lang)),
                        (turn.button("choice.related", Related(product.id)),))]
    question = _ask_options(turn, product, size, color, quantity, page)
    if question:
        return question
    size = size or _only(product.sizes)
    color = color or _only(product.colors)
    return _put(turn, product, size, color, quantity)


def choose(turn: Turn) -> list[Reply] | None:
    """A typed size or colour answering an add in progress ("لارج", "الاسود", "32"), or a bare
    quantity ("٣"); None when it is none of them."""
    pending = turn.session.pending
    if not pending or pending.get("product_id") != turn.session.focus:   # another product opened since
        return None
    if turn.named and int(pending["product_id"]) not in turn.named:
        return None                        # "ضيفلي اتنين من رقم ٤٦٤": another product, not the answer
    size, color = str(turn.slots.get("size", "")), str(turn.slots.get("color", ""))
    if color and not size:                 # "رمادي ٤٦": the size the matcher left unread is still said
        product = turn.deps.store.product(int(pending["product_id"]), lang=turn.lang)
        size = size_in(turn.text, product.sizes, counted(turn))
    if not (size or color):
        product = turn.deps.store.product(int(pending["product_id"]), lang=turn.lang)
        size = typed_size(turn.text, product.sizes)
        amount = normalize(turn.text).strip(" .!?")
        if not size and amount.isascii() and amount.isdigit() and 0 < int(amount) <= MAX_QUANTITY:
            return add(turn, product.id, pending.get("size", ""), pending.get("color", ""), int(amount))
        if not size and product.sizes and SIZE_LIKE.fullmatch(amount):
            # "32" when S to XXL were offered: that size is not there; the sizes are offered again
            return add(turn, product.id, amount.upper(), pending.get("color", ""))
        if not size:
            return None
    return add(turn, int(pending["product_id"]), size or pending.get("size", ""), color or pending.get("color", ""))


# A message that is only a size of some product: "32", "٤٤", "xl", "3xl", "xxl", "10y".
SIZE_LIKE = re.compile(r"[0-9]{2,3}|[0-9]{1,2}y|[0-9]?x{0,3}[sl]|m|[0-9]xl", re.IGNORECASE)


def counted(turn: Turn) -> frozenset[str]:
    """The message's words that are no size: its count of pieces and the product numbers it names."""
    quantity = turn.slots.get("quantity")
    words = {str(number) for number in turn.named}
    return frozenset(words | ({str(quantity)} if isinstance(quantity, int) else set()))


def same_line(turn: Turn, product_id: int) -> CartLine | None:
    """The product's one line in the cart, when it has exactly one ("zawed wa7da kaman": one more of it)."""
    lines = [line for line in turn.session.cart if line.product_id == product_id]
    return lines[0] if len(lines) == 1 else None


def typed_size(text: str, sizes: tuple[str, ...] | list[str]) -> str:
    """The size ``text`` is, when it is only one of ``sizes`` ("l" → "L", "٣٢" → "32", "4 snin" → "4Y"); else ""."""
    typed = normalize(text).strip(" .!?").upper()
    found = next((size for size in sizes if size.upper() == typed), "")
    return found or age_size(tokenize(text), sizes)


def age_size(words: list[str], sizes: tuple[str, ...] | list[str]) -> str:
    """A kids' size by age: "٦ سنين", "4 snin", "4 years", "4y" → "6Y" / "4Y" when ``sizes`` has it."""
    wanted = ""
    if len(words) == 1 and words[0][:-1].isdigit() and words[0][-1:] in ("y", "Y"):
        wanted = words[0][:-1]
    elif len(words) == 2 and words[0].isdigit() and words[1] in _age_words():
        wanted = words[0]
    if not wanted or not wanted.isascii():
        return ""
    return next((size for size in sizes if size.upper() == f"{int(wanted)}Y"), "")


def size_in(text: str, sizes: tuple[str, ...] | list[str], taken: frozenset[str] = frozenset()) -> str:
    """A size of ``sizes`` named inside a longer message: an age ("هاتلي واحد مقاس ٦ سنين"), else a word
    that is one of them ("هاخده رمادي ٤٦", "ضيف ٢ كحلي 3XL", "7otly wa7ed zeity 34"); "" when none.

    A word in ``taken`` (the message's count, the product's own number) is never its size, nor a
    number right after a product-number cue ("رقم ٤٦")."""
    words = tokenize(text)
    for i in range(len(words) - 1):
        found = age_size(words[i:i + 2], sizes)
        if found:
            return found
    by_name = {normalize(size).upper(): size for size in sizes}
    for i, word in enumerate(words):
        if word in taken or (i and words[i - 1] in NUMBER_CUES):
            continue
        found = by_name.get(word.upper(), "")
        if found:
            return found
    return ""


# Words after which a number names a product, never its size.
NUMBER_CUES = frozenset({"رقم", "منتج", "المنتج", "كود", "موديل", "product", "item", "code", "model", "no", "id",
                         "number", "rakam", "ra2am", "montag", "el montag", "#"})


@lru_cache(maxsize=1)
def _age_words() -> frozenset[str]:
    """"سنين", "snin", "years": the words after a number that make it an age (the lexicon's)."""
    return frozenset(word for word in load_lexicon().markers["age"] if " " not in word) | {"y", "yrs", "yr", "year"}


def _ask_options(turn: Turn, product: Any, size: str, color: str, quantity: int, page: int = 0) -> list[Reply]:
    """Ask for the size, then the colour, when the product has several and none valid was given."""
    name = product.name(turn.lang)
    bad = ((size and product.sizes and size not in product.sizes)
           or (color and product.colors and color not in product.colors))
    size = size if size in product.sizes else ""
    color = color if color in product.colors else ""
    turn.session.pending = {"product_id": product.id, "quantity": quantity, "size": size, "color": color}
    if len(product.sizes) > 1 and not size:
        choices = [Choice(s, encode(Add(product.id, s, color))) for s in product.sizes]
        text = turn.t("cart.bad_option" if bad else "cart.ask_size", name=name)
        every = turn.t("details.sizes", sizes=texts.joined(turn.lang, list(product.sizes)))
        return [_options(turn, product.id, text, every, choices, page, "label.sizes")]
    if len(product.colors) > 1 and not color:
        size = size or _only(product.sizes)
        names = [texts.color(turn.lang, c) for c in product.colors]
        choices = [Choice(n, encode(Add(product.id, size, c))) for n, c in zip(names, product.colors, strict=True)]
        text = turn.t("cart.bad_option" if bad else "cart.ask_color", name=name)
        every = turn.t("details.colors", colors=texts.joined(turn.lang, names))
        return [_options(turn, product.id, text, every, choices, page, "label.colors")]
    return []


def _options(turn: Turn, product_id: int, text: str, every: str, choices: list[Choice], page: int,
             label: str) -> Reply:
    """Sizes or colours as choices, a page at a time when there are more than the platform shows;
    then the text names them all, so the customer can also type one."""
    shown = turn.paged(choices, page, lambda next_page: Options(product_id, next_page))
    if len(shown) < len(choices):
        text = f"{text}\n{every}"
    return QuickReplies(text, shown, button_label=turn.t(label))


def _put(turn: Turn, product: Any, size: str, color: str, quantity: int) -> list[Reply]:
    session = turn.session
    session.pending = {}
    in_cart = sum(line.quantity for line in session.cart if line.product_id == product.id)
    most = min(product.stock_quantity, MAX_QUANTITY)  # no more than 20 pieces of one product
    if in_cart + quantity > most:
        left = most - in_cart
        if left <= 0:
            all_in = turn.t("cart.all_in", name=product.name(turn.lang), count=turn.count(in_cart, "piece"))
            return [Text(all_in), _next(turn)]
        choice = turn.choice("choice.take", Add(product.id, size, color), count=turn.count(left, "piece"))
        session.pending = {"product_id": product.id, "quantity": left, "size": size, "color": color}
        return [QuickReplies(turn.t("cart.short", name=product.name(turn.lang), count=turn.count(left, "piece")),
                             (choice, turn.choice("choice.view_cart", Command.CART)))]
    line = _line(session.cart, product.id, size, color)
    if line:
        line.quantity += quantity
        line.unit_price = int(product.final_price)
    else:
        session.cart.append(CartLine(product.id, product.name_ar, product.name_en, int(product.final_price),
                                     quantity, size, color))
    turn.note(CART_ADD, ref=str(product.id), amount=int(product.final_price) * quantity, detail={"quantity": quantity})
    text = turn.t("cart.added", quantity=turn.number(quantity), name=product.name(turn.lang),
                  options=options(turn, size, color), subtotal=turn.price(session.subtotal()))
    return [QuickReplies(text, _next_choices(turn))]


def view(turn: Turn) -> list[Reply]:
    """The lines, quantities and subtotal, with checkout and edit."""
    session = turn.session
    session.context = Context.NONE
    if not session.cart:
        return [turn.menu(turn.t("cart.empty"))]
    lines = [turn.t("cart.title")] + [_describe(turn, i, line) for i, line in enumerate(session.cart, 1)]
    lines.append(turn.t("cart.subtotal", subtotal=turn.price(session.subtotal())))
    choices = (turn.choice("choice.checkout", Command.CHECKOUT), turn.choice("choice.edit_cart", CartEdit()),
               turn.choice("choice.continue", Command.MENU))
    return [QuickReplies("\n".join(lines), choices)]


def edit_menu(turn: Turn, prompt: str = "", page: int = 0) -> list[Reply]:
    """Per line: remove it, one more, one less; and empty the cart (``CART_EDIT:<page>`` for the rest)."""
    session = turn.session
    if not session.cart:
        return [turn.menu(turn.t("cart.empty"))]
    choices: list[Choice] = []
    for line in session.cart:
        name = line.name(turn.lang)
        choices.append(turn.choice("choice.remove", Remove(*line.key()), name=name))
        choices.append(turn.choice("choice.plus", Quantity(*line.key(), line.quantity + 1), name=name))
        if line.quantity > 1:
            choices.append(turn.choice("choice.minus", Quantity(*line.key(), line.quantity - 1), name=name))
    choices.append(turn.choice("choice.clear", Command.CLEAR_CART))
    shown = turn.paged(choices, page, CartEdit)
    return [QuickReplies(prompt or turn.t("cart.edit_prompt"), shown, button_label=turn.t("choice.edit_cart"))]


def remove(turn: Turn, key: LineKey) -> list[Reply]:
    """``REMOVE:<id>:<size>:<colour>``."""
    line = _by_key(turn.session.cart, key)
    if line is None:
        return [Text(turn.t("cart.not_in"))] + view(turn)
    turn.session.cart.remove(line)
    return [Text(turn.t("cart.removed", name=line.name(turn.lang)))] + view(turn)


def set_quantity(turn: Turn, key: LineKey, quantity: int) -> list[Reply]:
    """``QTY:<id>:<size>:<colour>:<n>``: 0 removes; more than the stock is refused kindly."""
    line = _by_key(turn.session.cart, key)
    if line is None:
        return [Text(turn.t("cart.not_in"))] + view(turn)
    if quantity <= 0:
        return remove(turn, key)
    product = turn.deps.store.product(line.product_id, lang=turn.lang)
    others = sum(x.quantity for x in turn.session.cart if x.product_id == line.product_id and x is not line)
    quantity = min(quantity, MAX_QUANTITY)
    if others + quantity > product.stock_quantity:
        left = max(0, product.stock_quantity - others)
        return [Text(turn.t("cart.short", name=line.name(turn.lang), count=turn.count(left, "piece")))] + view(turn)
    line.quantity = quantity
    done = turn.t("cart.qty_set", name=line.name(turn.lang), quantity=turn.count(quantity, "piece"))
    return [Text(done)] + view(turn)


def wanted_quantity(text: str) -> int | None:
    """How many pieces a "set quantity" message asks for ("خليهم اتنين" → 2, "make it 3" → 3,
    "actually 2 of them" → 2); None when the message is no such request or the count is implausible
    (a number above the per-product cap is a size or a price, never a count)."""
    words = tokenize(text)
    bag = set(words)
    if not (bag & SET_WORDS or (bag & CORRECTION_WORDS and bag & PIECES_WORDS)):
        return None
    for i in range(len(words)):
        found = read_number(words, i)
        if found is not None:
            value = found[0]
            return value if 0 <= value <= MAX_QUANTITY else None
    return None


def names_a_line(turn: Turn) -> bool:
    """True when the message names a line of the cart ("خلي الهودي اتنين" reads as a search otherwise)."""
    return any(_named(turn, line) for line in turn.session.cart)


def quantity_line(turn: Turn) -> CartLine | None:
    """The cart line a "set quantity" message is about: the one it names ("خلي الساعة اتنين"), else
    the line of the product just added or discussed, else the only line; None when unclear."""
    cart = turn.session.cart
    named = [line for line in cart if _named(turn, line)]
    if len(named) == 1:
        return named[0]
    if named:
        cart = named
    focused = [line for line in cart if line.product_id == turn.session.focus]
    if focused:
        return focused[-1]
    return cart[0] if len(cart) == 1 else None


def set_quantity_text(turn: Turn) -> list[Reply]:
    """A typed "set quantity" ("لا خليهم اتنين بس", "make it 3"): the line named or just added gets
    that many (0 removes it, never above the stock); the cart is shown after. Unclear line: ask which."""
    quantity = wanted_quantity(turn.text)
    line = quantity_line(turn)
    if quantity is None or line is None:
        return edit_menu(turn)
    return set_quantity(turn, line.key(), quantity)


def clear(turn: Turn) -> list[Reply]:
    turn.session.cart = []
    return [turn.menu(turn.t("cart.cleared"))]


def remove_text(turn: Turn) -> list[Reply]:
    """"شيل الهودي من السلة", "امسح كل اللي في السله": one clear match is removed, else ask."""
    cart = turn.session.cart
    if not cart:
        return [turn.menu(turn.t("cart.empty"))]
    if set(tokenize(turn.text)) & EVERYTHING:
        return clear(turn)
    matches = [line for line in cart if _fits(turn, line)]
    if not matches:                 # "remove the slides", "shel el cap": the line its name or item names
        matches = [line for line in cart if _named(turn, line)]
    one = bool(set(tokenize(turn.text)) & ONE_WORDS)
    if not matches and one:
        matches = [line for line in cart if line.product_id == turn.session.focus]
    if len(matches) == 1 or len(cart) == 1:
        line = matches[0] if matches else cart[0]
        quantity = turn.slots.get("quantity") or (1 if one else None)
        if isinstance(quantity, int) and 0 < quantity < line.quantity:
            return set_quantity(turn, line.key(), line.quantity - quantity)
        return remove(turn, line.key())
    return edit_menu(turn, turn.t("cart.which_remove"))


def _fits(turn: Turn, line: CartLine) -> bool:
    slots = turn.slots
    ref = slots.get("product_ref")
    if isinstance(ref, int) and not isinstance(ref, bool):
        return line.product_id == ref
    if "color" in slots and slots["color"] != line.color:
        return False
    if "size" in slots and str(slots["size"]) != line.size:
        return False
    item = slots.get("item")
    if item:
        return item.replace("-", "") in (line.name_en.lower().replace("-", "").replace(" ", ""))
    return "color" in slots or "size" in slots


def _named(turn: Turn, line: CartLine) -> bool:
    """The message names this line: a word of its name, or its catalogue item ("cap" for a bucket hat)."""
    from bot.dialog import browse, followup  # followup imports this module
    product = browse.known(turn, line.product_id)
    item = turn.slots.get("item")
    if item and followup._of_item(product, str(item)):
        return True
    if product is None:
        return False
    return followup._named_by(product, tokenize(turn.text), {})


def options(turn: Turn, size: str, color: str) -> str:
    """" (L، أسود)" after a product name; nothing when it has no options."""
    parts = [p for p in (size, texts.color(turn.lang, color) if color else "") if p and p != "One Size"]
    return f" ({texts.joined(turn.lang, parts)})" if parts else ""


def _describe(turn: Turn, index: int, line: CartLine) -> str:
    return turn.t("cart.line", index=turn.number(index), name=line.name(turn.lang),
                  options=options(turn, line.size, line.color), quantity=turn.number(line.quantity),
                  price=turn.price(line.unit_price))


def _next_choices(turn: Turn) -> tuple[Choice, ...]:
    return (turn.choice("choice.checkout", Command.CHECKOUT), turn.choice("choice.view_cart", Command.CART),
            turn.choice("choice.continue", Command.MENU))


def _next(turn: Turn) -> Reply:
    return QuickReplies(turn.t("results.footer"), _next_choices(turn))


def _line(cart: list[CartLine], product_id: int, size: str, color: str) -> CartLine | None:
    return next((x for x in cart if (x.product_id, x.size, x.color) == (product_id, size, color)), None)


def _by_key(cart: list[CartLine], key: LineKey) -> CartLine | None:
    return next((line for line in cart if line.key() == key), None)


def _one_of(value: Any, values: tuple[str, ...] | list[str]) -> str:
    """``value`` when it is one of ``values`` (a remembered option still on offer), else ""."""
    return value if isinstance(value, str) and value in values else ""


def _only(values: tuple[str, ...] | list[str]) -> str:
    return values[0] if len(values) == 1 else ""
