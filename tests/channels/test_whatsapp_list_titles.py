"""WhatsApp list rows and product details as the customer reads them (issue 14, part 5).

List rows: a title is at most 24 units, so long product names are shortened by leaving out the
words the products of one list share and keeping those that tell them apart; no row is cut
inside a word, every row of a list is distinct, and the description (72) carries the price and
the words left out. Checked on the demo catalog's real lists (t-shirts, sneakers, abayas, and
every item), rendered directly and through the webhook.

Details: the details text and the product's link are separate parts: the caption is the details,
the link is a line of its own, and the question the reply buttons answer is last, above them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from bot.channels import whatsapp
from bot.channels.whatsapp.list_titles import SEPARATOR, fit_titles, with_dropped
from bot.replies import Button, Buttons, Card, Cards
from bot.store.catalog import DemoBackend
from tests.test_conversation_kit import Chat, rows

ROOT = Path(__file__).resolve().parents[2]
WA_ID = "201001234567"
TITLE_MAX, DESCRIPTION_MAX, BODY_MAX, BUTTON_MAX = 24, 72, 1024, 20  # platform_spec.md §7.2
PRICE = re.compile(r"[\d,٬٠-٩]+ (EGP|ج\.م)( \(-[\d٠-٩]+[%٪]\))?")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def words(text: str) -> list[str]:
    return [w.rstrip(",;:،؛") for w in text.split()]


@pytest.fixture(scope="module")
def catalog():
    products, _ = DemoBackend("http://bot.test").load()
    return products


def demo_lists(catalog, item: str, lang: str) -> list[list]:
    """The item's products as the lists a customer scrolls: ten a page, in catalog and in price order."""
    found = [p for p in catalog if p.item == item]
    by_price = sorted(found, key=lambda p: (p.final_price, p.id))
    return [chunk for order in (found, by_price) for chunk in (order[i : i + 10] for i in range(0, len(order), 10))]


def render_list(products, lang: str) -> list[dict]:
    cards = tuple(
        Card(p.name(lang), f"{p.final_price:,} EGP · ⭐ {p.rating:g} · In stock", payload=f"DETAILS:{p.id}")
        for p in products
    )
    (out,) = whatsapp.render(Cards(cards, text="Results", button_label="Products"), WA_ID)
    return out.body["interactive"]["action"]["sections"][0]["rows"]


def check_list(names: list[str], shown: list[dict]) -> None:
    """Every rule of a list: limits, distinct rows, whole words, the distinguishing word, the price."""
    assert len(shown) == len(names)
    titles = [row["title"] for row in shown]
    assert len({t.casefold() for t in titles}) == len(titles), titles
    having: dict[str, int] = defaultdict(int)
    for name in names:
        for word in set(w.casefold() for w in words(name)):
            having[word] += 1
    for name, row in zip(names, shown, strict=True):
        title, description = row["title"], row.get("description", "")
        assert 1 <= units(title) <= TITLE_MAX and units(description) <= DESCRIPTION_MAX, row
        if units(name) <= TITLE_MAX:
            assert title == name
            continue
        assert "…" not in title, title  # never cut inside a word
        kept = words(title)
        assert set(kept) <= set(words(name)), (title, name)  # whole words of the name, in order
        assert [w for w in words(name) if w in kept] == kept
        own = [w for w in words(name) if having[w.casefold()] == 1]
        if own:
            assert any(w in kept for w in own), (title, own)  # what tells it apart is kept
        assert PRICE.fullmatch(description.split(SEPARATOR)[0]), description  # the price comes first
        left_out = [w for w in words(name) if w not in kept and w.strip("-&") and w.casefold() not in ("with", "و")]
        assert all(w in description for w in left_out), (left_out, description)  # what was left out follows


@pytest.mark.parametrize("item", ["t-shirt", "sneakers", "abaya"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_real_demo_lists_keep_rows_distinct_within_24(catalog, item, lang):
    for products in demo_lists(catalog, item, lang):
        check_list([p.name(lang) for p in products], render_list(products, lang))


def test_every_demo_item_list_keeps_the_rules(catalog):
    for item in sorted({p.item for p in catalog}):
        for lang in ("en", "ar"):
            for products in demo_lists(catalog, item, lang):
                check_list([p.name(lang) for p in products], render_list(products, lang))


def titles_of(catalog, lang: str, *ids: int) -> dict[int, str]:
    products = [next(p for p in catalog if p.id == i) for i in ids]
    return {p.id: row["title"] for p, row in zip(products, render_list(products, lang), strict=True)}


def test_the_distinguishing_words_are_the_ones_kept(catalog):
    tees = titles_of(catalog, "en", 261, 262, 63, 64, 274, 275)
    assert tees[262] == "Graphic - Cairo Edition"  # not "Men's Oversized…" twice
    assert tees[261] == "Men's Oversized Printed"
    assert "Slim Fit" in tees[64] and tees[63] == "Men's Cotton Polo"  # the two polos stay apart
    assert "Black Label" in tees[274]
    arabic = titles_of(catalog, "ar", 261, 262, 64)
    assert "القاهرة" in arabic[262] and "جرافيك" in arabic[262]
    assert "سليم فيت" in arabic[64] and not arabic[64].startswith("تيشيرت")  # the word they all share goes
    sneakers = titles_of(catalog, "en", 509, 686, 788, 405)
    assert "Black Label" in sneakers[509] and "Platform" in sneakers[686] and "High-Top" in sneakers[788]
    abayas = titles_of(catalog, "en", 297, 299, 311, 317, 328, 310)
    assert "Classic Black" in abayas[297] and "Kimono" in abayas[311] and "Linen Summer" in abayas[317]
    assert "Luxury" in abayas[328] and "Rhinestones" in abayas[328]
    shirts = titles_of(catalog, "en", 641, 353, 282, 642)
    assert "Cuban" in shirts[641] and "Short Sleeve" in shirts[641]  # a phrase the list repeats stays whole


def test_words_the_list_only_shows_together_stay_together(catalog):
    sweatshirts = [p for p in catalog if p.item == "sweatshirt"]
    for row in render_list(sweatshirts, "ar"):
        assert ("سويت" in row["title"]) == ("شيرت" in row["title"]), row["title"]


def test_the_description_carries_the_price_then_what_was_left_out(catalog):
    product = next(p for p in catalog if p.id == 262)
    other = next(p for p in catalog if p.id == 261)
    shown = render_list([other, product], "en")[1]
    assert shown["description"] == "322 EGP · Men's Oversized T-Shirt · ⭐ 4 · In stock"
    long = with_dropped("1,259 EGP (-10%) · ⭐ 4.7 · Only 3 pieces left", "Women's Luxury Rhinestone Evening", 72)
    assert long.startswith("1,259 EGP (-10%) · Women's Luxury Rhinestone Evening") and units(long) <= 72
    assert with_dropped("", "T-Shirt", 72) == "T-Shirt"
    assert with_dropped("350 ج.م · متاح", "", 72) == "350 ج.م · متاح"


def test_fitting_titles_are_untouched_and_a_lone_long_word_is_cut_as_a_last_resort():
    assert fit_titles(["Men's Polo", "Women's Polo"], 24) == [("Men's Polo", ""), ("Women's Polo", "")]
    [(title, dropped)] = fit_titles(["Supercalifragilisticexpialidocious shirt"], 24)
    assert title == "shirt" and dropped == "Supercalifragilisticexpialidocious"
    [(cut, rest)] = fit_titles(["Supercalifragilisticexpialidocious"], 24)
    assert units(cut) <= 24 and cut.endswith("…") and rest == "Supercalifragilisticexpialidocious"
    [(alone, _)] = fit_titles(["Plus Size Men's Cotton Lycra Summer Set"], 24)
    assert alone == "Plus Size Men's Cotton"  # one row: its first words


def test_identical_names_are_numbered_and_pathological_titles_stay_quick():
    same = render_list_of(["Men's Oversized Printed T-Shirt"] * 3)
    assert len({row["title"] for row in same}) == 3 and all(units(row["title"]) <= 24 for row in same)
    noisy = render_list_of([" ".join(f"w{(i * 7 + j) % 13}" for j in range(40)) for i in range(10)])
    assert len({row["title"] for row in noisy}) == 10 and all(units(row["title"]) <= 24 for row in noisy)


def render_list_of(names: list[str]) -> list[dict]:
    cards = tuple(Card(name, "100 EGP", payload=f"DETAILS:{i}") for i, name in enumerate(names))
    (out,) = whatsapp.render(Cards(cards, text="x"), WA_ID)
    return out.body["interactive"]["action"]["sections"][0]["rows"]


def test_the_same_list_gives_the_same_rows_in_any_process(catalog):
    names = [p.name("en") for p in catalog if p.item == "t-shirt"][:10]
    here = [list(row) for row in fit_titles(names, 24)]
    code = (
        "import json,sys; from bot.channels.whatsapp.list_titles import fit_titles; "
        "print(json.dumps([list(r) for r in fit_titles(json.loads(sys.argv[1]), 24)]))"
    )
    for seed in ("1", "4242"):
        result = subprocess.run(
            [sys.executable, "-c", code, json.dumps(names)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=os.environ | {"PYTHONHASHSEED": seed},
            check=True,
        )
        assert json.loads(result.stdout) == here


# ---- through the webhook ----------------------------------------------------------------------


@pytest.mark.parametrize("said", ["show me t-shirts", "عايز تيشيرت", "show me sneakers", "عايز عباية"])
def test_the_bot_s_own_lists_on_whatsapp(client, services, said):
    chat = Chat(client, services, "whatsapp", WA_ID)
    answer = chat.say(said)
    shown = rows(answer)
    assert shown, "no list"
    lang = "ar" if any("\u0600" <= ch <= "\u06ff" for ch in answer[0]["interactive"]["body"]["text"]) else "en"
    assert lang == ("ar" if any("\u0600" <= ch <= "\u06ff" for ch in said) else "en")
    names = [services.store.product(int(row["id"].split(":")[1])).name(lang) for row in shown]
    check_list(names, shown)


# ---- details and their link -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("greeting", "label", "question"),
    [("", "على الموقع", "تحب تضيفه للسلة؟"), ("hello", "View on site", "Would you like to add it to your cart?")],
)
def test_whatsapp_details_then_the_link_on_its_own_line(client, services, greeting, label, question):
    chat = Chat(client, services, "whatsapp", WA_ID)
    if greeting:
        chat.say(greeting)
    product = services.store.product(262)
    image, buttons = chat.press("DETAILS:262")
    caption = image["image"]["caption"]
    assert product.link not in caption and units(caption) <= BODY_MAX  # the details alone
    body = buttons["interactive"]["body"]["text"]
    assert units(body) <= BODY_MAX
    link_paragraph, asked = body.split("\n\n")
    assert link_paragraph == f"{label}: {product.link}"  # the link, a line of its own
    assert asked == question  # the question, above its buttons
    assert all(units(b["reply"]["title"]) <= BUTTON_MAX for b in buttons["interactive"]["action"]["buttons"])


def test_a_card_keeps_its_link_a_paragraph_under_the_details():
    card = Card(
        "Shirt",
        "350 EGP",
        "https://s/1.jpg",
        "https://s/p/1",
        (Button("Add", payload="ADD:1"), Button("Site", url="https://s/p/1")),
        "DETAILS:1",
    )
    image, buttons = whatsapp.render(card, WA_ID)
    assert image.body["image"]["caption"] == "Shirt\n350 EGP\n\nSite: https://s/p/1"
    assert buttons.body["interactive"]["body"]["text"] == "Shirt"
    (no_picture,) = whatsapp.render(Card("Shirt", "350 EGP", url="https://s/p/1"), WA_ID)
    assert no_picture.body["text"] == {"body": "Shirt\n350 EGP\n\nhttps://s/p/1", "preview_url": True}
    (links_only,) = whatsapp.render(Buttons("Have a look", (Button("Site", url="https://s/p/1"),)), WA_ID)
    assert links_only.body["text"]["body"] == "Have a look\n\nSite: https://s/p/1"
