"""Finding products: search and refinement, details, prices, comparisons, categories, suggestions.

Every store call goes through the store's own cache and snapshot; this module only decides what to
ask and how to show it. Products on screen are remembered in the session (ids, query, filters,
cursor) so "التاني", "ارخص" or "في اسود؟" refer to them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from bot.dialog import texts
from bot.dialog.payloads import (
    SORTS,
    Add,
    Categories,
    Category,
    ClearFilters,
    Command,
    Details,
    FilterMenu,
    More,
    PayloadFieldError,
    Refine,
    Related,
    Sort,
    encode,
)
from bot.dialog.session import Context
from bot.dialog.turn import InvalidPayload, Turn
from bot.errors import ProductNotFound
from bot.events import Kind
from bot.language import Lang
from bot.nlu.lexicon import load_lexicon
from bot.nlu.normalize import tokenize
from bot.notes import NO_RESULTS, PRODUCT_VIEW, SEARCH
from bot.replies import Button, Buttons, Card, Cards, Choice, Image, QuickReplies, Reply, Text

log = logging.getLogger(__name__)

FILTER_SLOTS = ("category", "item", "color", "size", "price_min", "price_max")
REFINING = frozenset({"color", "size", "price_min", "price_max"})
PAGE = 10
LOW_STOCK = 5
# Sort words are the only words read here: the NLU has no slot for an order of results.
CHEAPER = frozenset({"ارخص", "الارخص", "cheaper", "cheapest", "cheap", "arkhas", "ar5as", "rkhes"})
DEARER = frozenset({"اغلي", "الاغلي", "priciest", "expensive", "aghla", "a8la"})
LISTS_KEPT = 5
SHOWN_MAX = 60                  # the most products of a list read back to leave them out of "similar ones"
# A price question may ask for more in the same message ("السعر والالوان ايه؟").
COLOUR_WORDS = frozenset({"الوان", "الالوان", "والالوان", "والوان", "لون", "اللون", "واللون", "colors", "colours",
                          "color", "colour", "alwan", "el alwan", "lon", "loon"})
SIZE_WORDS = frozenset({"مقاسات", "المقاسات", "والمقاسات", "مقاس", "المقاس", "والمقاس", "sizes", "size",
                        "ma2asat", "ma2as", "mqas"})
PRICE_WORDS = frozenset({"سعر", "السعر", "سعره", "سعرها", "بكام", "price", "cost", "bkam", "kam", "se3r", "se3ro",
                         "s3r"})
HOW_MANY = frozenset({"بكام", "كام", "bkam", "kam"})        # "بكام لون؟": in how many colours, no price


# ---- search ---------------------------------------------------------------------------------


def search(turn: Turn) -> list[Reply]:
    """A new search, or a refinement of the list on screen ("في اسود؟", "ارخص", "تحت 500")."""
    filters = {k: v for k, v in turn.slots.items() if k in FILTER_SLOTS}
    sort = requested_sort(turn.text)
    session = turn.session
    shown = on_screen(turn) if filters and set(filters) <= {"color", "size"} and not sort else None
    if shown is not None and asks_about_this(turn.text):
        return details(turn, shown.id)     # "fe ramady?" after its price: does the one just priced come in it
    listed = session.context == Context.AFTER_RESULTS and session.results
    if listed and (filters or sort) and set(filters) <= REFINING:
        if not session.query and not session.filters:
            return _sorted_on_screen(turn, sort) if not filters else run_search(turn, "", filters, sort or "relevance")
        return run_search(turn, session.query, session.filters | filters, sort or session.sort)
    kind = _kind_on_screen(turn) if filters and set(filters) <= REFINING else {}
    focus = session.focus
    if kind and focus is not None and set(filters) <= {"color", "size"} and not sort and asks_about_this(turn.text):
        return details(turn, focus)   # "فيه اسود؟", "fe eswed?": does the one on screen come in it
    if kind:                               # "فيه منها اسود؟" after a blouse's details: blouses in black
        return run_search(turn, "", kind | filters, sort or "relevance")
    if not filters and not sort:
        return _words_search(turn)
    return run_search(turn, turn.text if filters else session.query, filters, sort or "relevance")


# "منها", "غيره", "others": the customer asks for more of that kind, not about the product on screen.
OF_THE_KIND = frozenset({"منها", "منه", "منهم", "منهن", "زيه", "زيها", "غيره", "غيرها", "غيرهم", "تانيه", "تاني",
                         "تانية", "minha", "menha", "meno", "menhom", "zayo", "zayaha", "other", "others", "similar",
                         "another", "ones"})
ASKING = frozenset({"فيه", "في", "فى", "عندك", "عندكم", "متاح", "متوفر", "موجود", "fe", "fi", "fih", "feh", "3andak",
                    "3andko", "3ndk", "any", "is", "do", "does", "available", "have"})


def asks_about_this(text: str) -> bool:
    """"فيه اسود؟", "fe eswed?", "is there black?": a question whether the product on screen comes in a
    colour or size; not "فيه منها اسود؟" (more of that kind) nor a bare "اسود بس" (a search)."""
    words = set(tokenize(text))
    question = "?" in text or "؟" in text or bool(words & ASKING)
    return question and not words & OF_THE_KIND


def on_screen(turn: Turn) -> Any:
    """The one product the last answer was about (its details, its price, or its add), else None."""
    session = turn.session
    if session.topic != "product" or session.focus is None:
        return None
    return known(turn, session.focus)


def _kind_on_screen(turn: Turn) -> dict[str, Any]:
    """The item (else the section) of the product whose details are on screen, as search filters;
    {} when no product is: a colour, size or price alone then qualifies that kind of product."""
    session = turn.session
    if session.context != Context.AFTER_DETAILS or session.focus is None:
        return {}
    product = known(turn, session.focus)
    if product is None:
        return {}
    entry = load_lexicon().items.get(product.item)
    if entry is not None and entry.slot:
        return {"item": entry.slot}
    return {"category": product.category} if product.category in texts.CATEGORIES else {}


def _words_search(turn: Turn) -> list[Reply]:
    """A search with no known filter: a new search for its words, never the last list again."""
    if not any(len(word) > 2 and not word.isdigit() for word in tokenize(turn.text)):
        return [turn.menu(turn.t("search.prompt"))]
    return run_search(turn, turn.text, {})


def _sorted_on_screen(turn: Turn, sort: str) -> list[Reply]:
    """"ارخص" on a list that came from no search (suggestions, a comparison): the same products re-sorted."""
    products = [p for p in (known(turn, pid) for pid in turn.session.results) if p is not None]
    if not products:
        return [turn.menu(turn.t("results.expired"))]
    sign = -1 if sort == "price_desc" else 1
    products.sort(key=lambda p: (not p.in_stock, sign * p.final_price))         # in stock first, as a search sorts
    turn.session.show_results([p.id for p in products])
    turn.session.sort, turn.session.cursor = sort, ""
    return [cards(turn, products, turn.t("results.sorted")), _after_results(turn)]


def requested_sort(text: str) -> str:
    """"ارخص" / "cheapest" asks for the cheapest first; "اغلى" for the dearest."""
    words = set(tokenize(text)) if text else set()
    if words & CHEAPER:
        return "price_asc"
    if words & DEARER:
        return "price_desc"
    return ""


def run_search(turn: Turn, query: str, filters: dict[str, Any], sort: str = "relevance",
               cursor: str = "") -> list[Reply]:
    """Search the store and show one page of results (or a way on when there are none)."""
    page = turn.deps.store.search(query, filters=make_filters(filters), sort=sort, limit=PAGE, cursor=cursor or None,
                                  read=turn.reading(query))
    products = list(page.products)
    if not products and query and filters and not cursor:
        # The words found nothing the filters did not: what the filters find ("لبس لابني عنده ٦ سنين").
        return run_search(turn, "", filters, sort)
    if not cursor:                         # a first page: a search, noted once (after the fallback above)
        _note_search(turn, query, filters, found=len(products))
    if not products:
        return no_results(turn, filters) if not cursor else [turn.menu(turn.t("results.no_more"))]
    session = turn.session
    session.query, session.filters, session.sort = query, dict(filters), sort
    session.cursor, session.total = page.next_cursor or "", int(page.total or len(products))
    session.show_results([p.id for p in products])
    _remember_list(session, query, filters, sort)
    intro = turn.t("results.more_intro") if cursor else _intro(turn, session.total)
    return _stale(turn, page) + [cards(turn, products, intro), _after_results(turn)]


def _note_search(turn: Turn, query: str, filters: dict[str, Any], *, found: int) -> None:
    """Note a search for the owner; one that found nothing with the customer's words (or, for a
    button, what it filtered on)."""
    said = turn.text if turn.event.kind is Kind.TEXT else ""
    asked = ", ".join(f"{name}={value}" for name, value in sorted(filters.items()) if value not in (None, ""))
    turn.note(SEARCH, reason=asked, amount=found)
    if not found:
        turn.note(NO_RESULTS, text=said or query or asked, reason=asked)


def make_filters(filters: dict[str, Any]) -> Any:
    """The store's SearchFilters from slot-named values (unknown names are left out)."""
    from bot.store import SearchFilters

    known = getattr(SearchFilters, "__dataclass_fields__", {})
    return SearchFilters(**{k: v for k, v in filters.items() if k in known and v not in (None, "")})


def more(turn: Turn, cursor: str, tag: str = "") -> list[Reply]:
    """The next page of the list the button belongs to (``MORE:<cursor>:<tag>``).

    The tag names one of the last lists shown (:data:`LISTS_KEPT`), so an older "more" button
    pages its own list, not the newest one; a button without a tag (older versions) pages the last.
    """
    session = turn.session
    if tag:
        kept = session.lists.get(tag)
        if not isinstance(kept, list) or len(kept) != 3 or not isinstance(kept[1], dict):
            return [turn.menu(turn.t("results.expired"))]
        return run_search(turn, str(kept[0]), kept[1], str(kept[2]), cursor)
    if not session.query and not session.filters:
        return [turn.menu(turn.t("results.expired"))]
    return run_search(turn, session.query, session.filters, session.sort, cursor)


def similar(turn: Turn) -> list[Reply]:
    """"في غيرهم؟" when every product of the last list was shown: similar ones, never a dead end.

    The last search without its colour, size and price, then with its section alone; a search of
    words alone ("tar7a chiffon") or of one item or section ("كاب") widens to the item, then the
    section, of the first product it showed. The products already shown are left out. A list from no
    search ends with "that's all".
    """
    session = turn.session
    widened = _wider(session.filters) if session.filters else []
    if not widened and (session.query or session.filters):
        widened = [kind for kind in _kinds_shown(turn) if kind != session.filters]    # all the caps: accessories
    if not widened:
        return [turn.menu(turn.t("results.no_more"))]
    store = turn.deps.store
    shown_page = store.search(session.query, filters=make_filters(session.filters), sort=session.sort,
                              limit=min(max(session.total, PAGE), SHOWN_MAX))
    shown = {p.id for p in shown_page.products} | set(session.results)
    for wider in widened:
        page = store.search("", filters=make_filters(wider), limit=PAGE + len(shown))
        fresh = [p for p in page.products if p.id not in shown][:PAGE]
        if not fresh:
            continue
        read = [p.id for p in page.products].index(fresh[-1].id) + 1       # where "more" goes on from
        following = store.search("", filters=make_filters(wider), limit=read).next_cursor or ""
        session.query, session.filters, session.sort, session.cursor = "", wider, "relevance", following
        session.total = int(page.total or len(fresh))
        session.show_results([p.id for p in fresh])
        _remember_list(session, "", wider, "relevance")
        return _stale(turn, page) + [cards(turn, fresh, turn.t("recommend.similar")), _after_results(turn)]
    return [turn.menu(turn.t("results.no_more"))]


def _kinds_shown(turn: Turn) -> list[dict[str, Any]]:
    """The item, then the section, of the first product on screen, as searches (a list of words had no filter)."""
    product = next((p for p in (known(turn, pid) for pid in turn.session.results[:1]) if p is not None), None)
    if product is None:
        return []
    entry = load_lexicon().items.get(product.item)
    item = entry.slot if entry is not None and entry.slot else product.item
    kinds = [{"item": item}] if item else []
    return kinds + ([{"category": product.category}] if product.category in texts.CATEGORIES else [])


def _wider(filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Wider searches than ``filters``, narrowest first: without colour, size and price; the section alone."""
    widened: list[dict[str, Any]] = []
    kinds = {k: v for k, v in filters.items() if k in ("category", "item")}
    if kinds and kinds != filters:
        widened.append(kinds)
    if "category" in filters and "item" in filters:
        widened.append({"category": filters["category"]})
    return widened


def list_tag(query: str, filters: dict[str, Any], sort: str) -> str:
    """A short stable name of one search (its words, filters and order)."""
    document = json.dumps([query, filters, sort], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()[:8]


def _remember_list(session: Any, query: str, filters: dict[str, Any], sort: str) -> None:
    """Keep the search behind the list on screen among the last :data:`LISTS_KEPT`."""
    tag = list_tag(query, filters, sort)
    session.lists.pop(tag, None)
    session.lists[tag] = [query, dict(filters), sort]
    while len(session.lists) > LISTS_KEPT:
        session.lists.pop(next(iter(session.lists)))


def resort(turn: Turn, sort: str) -> list[Reply]:
    """The last search again in another order (``SORT:price_asc``)."""
    if sort not in SORTS:
        raise InvalidPayload(sort)
    session = turn.session
    if not session.query and not session.filters:
        return [turn.menu(turn.t("results.expired"))]
    return run_search(turn, session.query, session.filters, sort)


def filter_menu(turn: Turn) -> list[Reply]:
    """Colours found on screen as quick replies, and how to type a size or a price."""
    colours = _colours_on_screen(turn)
    choices = [Choice(texts.color(turn.lang, c), encode(Refine("color", c))) for c in colours[:8]]
    choices.append(turn.choice("choice.all", ClearFilters()))
    return [QuickReplies(turn.t("filters.prompt"), tuple(choices), button_label=turn.t("choice.filters"))]


def clear_filters(turn: Turn) -> list[Reply]:
    """``FILTER:clear`` drops every filter of the last search but the section."""
    session = turn.session
    if not session.query and not session.filters:
        return [turn.menu(turn.t("results.expired"))]
    kept = {k: v for k, v in session.filters.items() if k in ("category", "item")}
    return run_search(turn, session.query, kept, session.sort)


def apply_filter(turn: Turn, name: str, value: str) -> list[Reply]:
    """``FILTER:color=black`` narrows the last search."""
    session = turn.session
    if not session.query and not session.filters:
        return [turn.menu(turn.t("results.expired"))]
    if name not in REFINING or not value or (name.startswith("price") and not (value.isascii() and value.isdigit())):
        raise InvalidPayload(f"{name}={value}")
    value_typed: Any = int(value) if name.startswith("price") else value
    return run_search(turn, session.query, session.filters | {name: value_typed}, session.sort)


def category(turn: Turn, slug: str) -> list[Reply]:
    """Everything in a section (``CAT:men``)."""
    if slug not in texts.CATEGORIES:
        raise InvalidPayload(slug)
    return run_search(turn, "", {"category": slug})


def no_results(turn: Turn, filters: dict[str, Any]) -> list[Reply]:
    """Never a dead end: offer the wider search, the sections and the offers."""
    wider = {k: v for k, v in filters.items() if k in ("category", "item")}
    choices: list[Choice] = []
    if wider and wider != filters:
        what = texts.category(turn.lang, wider.get("category", "")) if "category" in wider else wider.get("item", "")
        text = turn.t("results.none_filters", what=what)
        turn.session.filters, turn.session.query = filters, turn.text
        choices.append(turn.choice("choice.all", ClearFilters()))
    else:
        text = turn.t("results.none")
    choices += [turn.choice("menu.categories", Categories()), turn.choice("menu.offers", Command.OFFERS),
                turn.choice("menu.human", Command.HUMAN)]
    turn.session.context = Context.NONE
    return [QuickReplies(text, tuple(choices), button_label=turn.t("menu.button"))]


def _more(cursor: str, tag: str) -> More | None:
    """The "more" button's payload; None without a next page, or for a store cursor no button can carry
    (the customer can still type "more")."""
    if not cursor:
        return None
    try:
        return More(cursor, tag)
    except PayloadFieldError:
        log.warning("the store's page cursor (%d characters) does not fit a button", len(cursor))
        return None


def _intro(turn: Turn, total: int) -> str:
    return turn.t("results.intro", count=turn.count(total, "product"))


def _stale(turn: Turn, answer: Any) -> list[Reply]:
    """The "possibly outdated" note, when ``answer`` (a page or a product) came from the last snapshot."""
    return [Text(turn.t("results.stale"))] if getattr(answer, "stale", False) else []


def _after_results(turn: Turn) -> Reply:
    session = turn.session
    choices = []
    more = _more(session.cursor, list_tag(session.query, session.filters, session.sort))
    if more is not None:
        choices.append(turn.choice("choice.more", more))
    if session.sort != "price_asc":
        choices.append(turn.choice("choice.cheapest", Sort("price_asc")))
    choices.append(turn.choice("choice.filters", FilterMenu()))
    if len(choices) < 3:
        choices.append(turn.choice("menu.cart", Command.CART))
    return QuickReplies(turn.t("results.footer"), tuple(choices), button_label=turn.t("menu.button"))


def _colours_on_screen(turn: Turn) -> list[str]:
    seen: list[str] = []
    for product_id in turn.session.results:
        product = known(turn, product_id)
        for colour in getattr(product, "colors", ()):
            if colour not in seen:
                seen.append(colour)
    return seen or list(texts.COLORS)


def known(turn: Turn, product_id: int) -> Any:
    """A product from the catalogue snapshot when the store offers one, else from the store."""
    cached = getattr(turn.deps.store, "cached_product", None)
    try:
        return cached(product_id, lang=turn.lang) if cached else turn.deps.store.product(product_id, lang=turn.lang)
    except ProductNotFound:
        return None


# ---- cards ----------------------------------------------------------------------------------


def cards(turn: Turn, products: Iterable[Any], intro: str) -> Cards:
    """A carousel (Messenger) / list (WhatsApp) of products."""
    return Cards(tuple(card(turn, p) for p in products), text=intro, button_label=turn.t("results.button"))


def card(turn: Turn, product: Any) -> Card:
    """One product card: price, rating and stock in the subtitle; details, add, site."""
    buttons = [turn.button("choice.details", Details(product.id))]
    if product.stock_quantity > 0:
        buttons.append(turn.button("choice.add", Add(product.id)))
    if product.link_for(turn.lang):
        buttons.append(Button(turn.t("choice.site"), url=product.link_for(turn.lang)))
    return Card(
        title=product.name(turn.lang), subtitle=subtitle(turn, product), image_url=_picture(turn, product),
        url=product.link_for(turn.lang), buttons=tuple(buttons), payload=encode(Details(product.id)),
    )


def _picture(turn: Turn, product: Any) -> str:
    """The product's picture, in the colour the customer asked for when it comes in it."""
    return product.image_for(turn.session.filters.get("color", ""))


def subtitle(turn: Turn, product: Any) -> str:
    """"٤٥٠ ج.م (-٢٥٪) · ⭐ ٤٫٥ · متاح": price first, it is what fits on every platform."""
    price = turn.price(product.final_price)
    if product.discount_percent and product.final_price < product.price:
        percent = "%" if turn.lang == Lang.EN else "٪"
        price += f" (-{turn.number(product.discount_percent)}{percent})"
    rating = f"⭐ {turn.number(product.rating)}" if product.count_rating else turn.t("card.reviews.none")
    return " · ".join((price, rating, _stock(turn, product, "card")))


def _stock(turn: Turn, product: Any, prefix: str) -> str:
    count = product.stock_quantity
    if count <= 0:
        return turn.t(f"{prefix}.stock.out")
    if count <= LOW_STOCK:
        return turn.t(f"{prefix}.stock.low", count=turn.count(count, "piece"))
    return turn.t(f"{prefix}.stock.in")


# ---- one product ------------------------------------------------------------------------------


def details(turn: Turn, product_id: int) -> list[Reply]:
    """The picture with a caption (price, sizes, colours, stock), then what to do with it."""
    product = turn.deps.store.product(product_id, lang=turn.lang)
    turn.session.show_product(product.id)
    turn.note(PRODUCT_VIEW, ref=str(product.id))
    remember_asked(turn, product)
    caption = details_text(turn, product)
    replies = _stale(turn, product)
    replies.append(Image(_picture(turn, product), caption) if product.image_url else Text(caption))
    buttons = []
    if product.stock_quantity > 0:
        buttons.append(turn.button("choice.add", _add_asked(turn, product)))
    buttons.append(turn.button("choice.related", Related(product.id)))
    if product.link_for(turn.lang):
        buttons.append(Button(turn.t("choice.site"), url=product.link_for(turn.lang)))
    actions = turn.t("details.actions") if product.stock_quantity > 0 else turn.t("results.footer")
    replies.append(Buttons(actions, tuple(buttons)))
    return replies


def remember_asked(turn: Turn, product: Any) -> None:
    """Keep the size and colour a question about ``product`` named ("فيه اسود؟"), when it comes in them,
    so "ضيفه" next adds it in them; a question naming none forgets the last one's."""
    size, color = str(turn.slots.get("size", "")), str(turn.slots.get("color", ""))
    asked = {"product_id": product.id}
    if size in product.sizes:
        asked["size"] = size
    if color in product.colors:
        asked["color"] = color
    turn.session.asked = asked if len(asked) > 1 else {}


def _add_asked(turn: Turn, product: Any) -> Add:
    """The add button of ``product``, carrying the size and colour the message named ("the first one
    لبني please": its details, and adding them asks only the size)."""
    asked = turn.session.asked if turn.session.asked.get("product_id") == product.id else {}
    size, color = str(asked.get("size", "")), str(asked.get("color", ""))
    if not (size or color):
        return Add(product.id)                      # ADD:<id>, as ever
    return Add(product.id, size, color or None)     # ADD:<id>:<size>[:<colour>]; an empty size asks it


def details_text(turn: Turn, product: Any) -> str:
    lang = turn.lang
    lines = [product.name(lang), _price_line(turn, product)]
    if product.sizes:
        lines.append(turn.t("details.sizes", sizes=texts.joined(lang, list(product.sizes))))
    if product.colors:
        colors = texts.joined(lang, [texts.color(lang, c) for c in product.colors])
        lines.append(turn.t("details.colors", colors=colors))
    if product.count_rating:
        lines.append(turn.t("details.rating", rating=turn.number(product.rating),
                            count=turn.count(product.count_rating, "review")))
    lines.append(_stock(turn, product, "details"))
    description = product.description(lang)
    return "\n".join(lines + ([description] if description else []))


def _price_line(turn: Turn, product: Any) -> str:
    if product.discount_percent and product.final_price < product.price:
        return turn.t("details.discount", price=turn.price(product.final_price), old=turn.price(product.price),
                      percent=turn.number(product.discount_percent))
    return turn.t("details.price", price=turn.price(product.final_price))


def price(turn: Turn, product_id: int) -> list[Reply]:
    """The price of one product, with its discount, and the buttons to go on."""
    product = turn.deps.store.product(product_id, lang=turn.lang)
    turn.session.focus = product.id
    remember_asked(turn, product)
    name = product.name(turn.lang)
    if product.discount_percent and product.final_price < product.price:
        line = turn.t("price.discount", name=name, price=turn.price(product.final_price),
                      old=turn.price(product.price), percent=turn.number(product.discount_percent))
    else:
        line = turn.t("price.one", name=name, price=turn.price(product.final_price))
    turn.session.topic = "product"
    line = "\n".join([line, *_also_asked(turn, product)])
    if product.stock_quantity <= 0:
        answer = Buttons(f"{line}\n{turn.t('price.out')}", (turn.button("choice.related", Related(product.id)),))
    else:
        answer = Buttons(line, (turn.button("choice.add", _add_asked(turn, product)),
                                turn.button("choice.details", Details(product.id))))
    return _stale(turn, product) + [answer]


def asks_price_and_more(text: str) -> bool:
    """"السعر والمقاسات ايه؟", "price and colours?": two questions, the price and the sizes or colours;
    not "بيجي بكام لون؟" ("in how many colours"), where "بكام" goes with the colour."""
    words = tokenize(text)
    options = COLOUR_WORDS | SIZE_WORDS
    priced = [i for i, word in enumerate(words) if word in PRICE_WORDS
              and not (word in HOW_MANY and i + 1 < len(words) and words[i + 1] in options
                       and not words[i + 1].startswith("و"))]
    return bool(priced) and bool(set(words) & options)


def _also_asked(turn: Turn, product: Any) -> list[str]:
    """The colours and sizes, when the price question asked for them too."""
    words = set(tokenize(turn.text)) if turn.text else set()
    lines = []
    if words & COLOUR_WORDS and product.colors:
        names = [texts.color(turn.lang, c) for c in product.colors]
        lines.append(turn.t("details.colors", colors=texts.joined(turn.lang, names)))
    if words & SIZE_WORDS and product.sizes:
        lines.append(turn.t("details.sizes", sizes=texts.joined(turn.lang, list(product.sizes))))
    return lines


# ---- several products ---------------------------------------------------------------------


def compare(turn: Turn, ids: list[int]) -> list[Reply]:
    """2–4 products as cards, then the cheapest, the best rated and what differs."""
    ids = list(dict.fromkeys(ids))[:4]
    if len(ids) < 2:
        return [Text(turn.t("compare.need_two"))]
    comparison = turn.deps.store.compare(ids, lang=turn.lang)
    products = list(comparison.products)
    if len(products) < 2:
        raise ProductNotFound(",".join(map(str, ids)))
    listed = turn.session.results
    turn.session.show_results([p.id for p in products])
    if set(ids) <= set(listed) and len(listed) > len(ids):
        turn.session.compared_from = list(listed)     # "قارن الاول والتاني" then "هاخد التالت": the list's third
    return [cards(turn, products, turn.t("compare.intro")), Text(compare_summary(turn, comparison))]


def compare_summary(turn: Turn, comparison: Any) -> str:
    lang = turn.lang
    cheapest, best = comparison.cheapest, comparison.best_rated
    lines = [turn.t("compare.cheapest", name=cheapest.name(lang), price=turn.price(cheapest.final_price))]
    if best.count_rating:
        lines.append(turn.t("compare.best_rated", name=best.name(lang), rating=turn.number(best.rating)))
    fields = [turn.t(f"field.{name}") for name in comparison.differences if f"field.{name}" in texts.TEXTS["ar"]]
    if fields:
        lines.append(turn.t("compare.differs", fields=texts.joined(lang, fields)))
    return "\n".join(lines)


def categories(turn: Turn, page: int = 0) -> list[Reply]:
    """The store's sections as quick replies (a list on WhatsApp), a page at a time (``CATEGORIES:<page>``)."""
    sections = list(turn.deps.store.categories())
    choices = [Choice(c.name(turn.lang), encode(Category(c.slug))) for c in sections if getattr(c, "count", 1)]
    choices.append(turn.choice("menu.offers", Command.OFFERS))
    turn.session.context = Context.NONE
    shown = turn.paged(choices, page, Categories)
    return [QuickReplies(turn.t("categories.prompt"), shown, button_label=turn.t("menu.categories"))]


def recommend(turn: Turn, kind: str, product_id: int | None = None) -> list[Reply]:
    """Best sellers, new arrivals, offers, or items that go with the product in focus."""
    found = turn.deps.store.recommend(kind=kind, product_id=product_id)
    products = list(getattr(found, "products", found))
    products = _matching(products, turn.slots)[:PAGE]
    if not products:
        return [turn.menu(turn.t("recommend.none"))]
    turn.session.show_results([p.id for p in products])
    turn.session.query, turn.session.filters, turn.session.cursor = "", {}, ""
    if kind == "related" and product_id is not None:
        intro = turn.t("recommend.related", name=turn.deps.store.product(product_id, lang=turn.lang).name(turn.lang))
    else:
        intro = turn.t(f"recommend.{kind}")
    return _stale(turn, found) + [cards(turn, products, intro)]


def _matching(products: list[Any], slots: dict[str, Any]) -> list[Any]:
    """Keep suggestions that fit what the customer named ("عروض على الكوتشيات")."""
    wanted = {k: v for k, v in slots.items() if k in ("category", "item", "color")}
    if not wanted:
        return products
    def fits(p: Any) -> bool:
        return all(v in p.colors if k == "color" else getattr(p, k, None) == v for k, v in wanted.items())
    return [p for p in products if fits(p)] or products
