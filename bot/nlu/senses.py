"""Shop words in another sense, settled from their neighbours before slots and intents are read.

The phrase index tags every word with every meaning it has; here the neighbours pick one:

* a watch word is an *hour* with a time after it or a duration word before it (GUIDE §8):
  ``الساعه ٦ الصبح``, ``بعد ساعه``, ``بقالي ساعه``, ``كم ساعه``, ``ساعتين ولا تلاته``;
* an item with a second meaning that heads another topic's noun is that other thing
  (``شنطه العربيه`` a car boot, ``ساعه الحيطه`` a wall clock, ``شراب الكحه`` a syrup), while a
  noun of another family only says what the item is for (``شنطه لابتوب`` stays a bag);
* ``gym`` is the sportswear section for clothes (``لبس للجيم``, ``gym clothes``, ``for the
  gym``) and a place otherwise (``الجيم بيفتح امتى``, ``اشتراك ال gym``); Franco ``men`` is
  'from' unless it names clothes (``men ramsis``);
* ``كارت`` is the cart (``اللي في الكارت``, ``وريني الكارت``) unless it pays (``بالكارت``, ``كارت
  فيزا``, a pay verb or another payment cue);
* ``بدل`` before a noun with its article or ``ما`` is 'instead of' (``بدل الفستان``), not suits;
* a watch word with its article is the watch (``شيلها، الساعه``), an hour only with a time or
  a duration (``بعد ساعه``);
* ``مقاسي`` followed by a size states the customer's size (``ومقاسي اكس لارج``), no request
  for size help;
* a colour, section or list position right after a topic noun describes it (``العربيه الحمرا``,
  ``el 3arabeya el 7amra``, ``الجون التاني``, ``cough syrup for kids``), as does an English
  colour right before one (``red car``).

Topic nouns are ``lexicon/topics.json``'s families; a noun right after ``لون``/``color`` without
an article is a colour's name (``لون قهوه``), not a topic. :func:`reread` returns the spans with
those meanings dropped, so the slot extractor and the intent rules never see them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from bot.nlu.lexicon import load_lexicon
from bot.nlu.slots import category_named
from bot.nlu.vocab import Span, Tag

if TYPE_CHECKING:  # pragma: no cover
    from bot.nlu.analysis import Analysis

__all__ = ["reread", "topic_spans", "families", "in_construct", "previous_word", "topic_words"]

# Words that make the next noun a colour's name (``لون قهوه``, ``color coffee``), not a topic.
_COLOUR_NAMED = frozenset({"لون", "الوان", "بلون", "color", "colour", "colors", "colours", "lon",
                           "alwan", "lone"})
# Articles standing alone between a noun and its adjective (Franco ``el 3arabeya el 7amra``).
_LONE_ARTICLES = frozenset({"el", "al", "il", "l", "the", "ال"})
# 'of'/'for' before the head noun (``size of a king bed``), or between a noun and what it is for;
# the possessive بتاع/bta3 too (``el shanta bta3et el 3arabeya``: the car's boot).
_OF = frozenset({"of", "for", "بتاع", "بتاعه", "بتاعت", "بتوع", "bta3", "bta3et", "bta3t", "beta3",
                 "betaa3", "btaa3"})
_DETERMINERS = frozenset({"a", "an", "my", "the", "your"})
_OR = frozenset({"ولا", "او", "wala", "aw", "or"})
_DESCRIBING = frozenset({"color", "category", "ordinal"})
_GOODS_HEADS = frozenset({"item", "shop_words", "category"})


@lru_cache(maxsize=1)
def topic_words() -> dict[str, frozenset[str]]:
    """``child_words``, ``hour_before``, ``hour_after``, ``hour_coming``, ``pay_verbs``,
    ``gift_words`` from ``topics.json``."""
    return dict(load_lexicon().topic_words)


def families(span: Span) -> list[str]:
    """The topic families a span names."""
    return [t.value for t in span.tags if t.kind == "topic"]


def _colour_name(an: Analysis, i: int) -> bool:
    """``لون قهوه``: a noun without an article right after a colour word names a colour."""
    token = an.tokens[i]
    return an.key_in(i - 1, _COLOUR_NAMED) and not token.startswith("ال") and \
        an.tokens[i - 1] not in _LONE_ARTICLES


_GOODS_BEFORE_COLOUR = frozenset({"item", "category", "shop_words", "sizecue", "size"})


def _colour_here(an: Analysis, span: Span) -> bool:
    """For a word that is both a colour and another topic's noun (``بيض`` eggs or white,
    ``chocolate``): a colour right after an item or clothing word, or after ``لون``."""
    prev = an.span_at(previous_word(an, span.start - 1))
    return _colour_name(an, span.start) or an.key_in(span.start - 1, _COLOUR_NAMED) or \
        (prev is not None and bool(prev.kind_set & _GOODS_BEFORE_COLOUR)) or an.key_in(span.start - 1, _OF_IT)


# 'Of it' before a colour (``3 menha soda``, ``اتنين منه بني``): pieces of the product, in that colour.
_OF_IT = frozenset({"منه", "منها", "منهم", "menno", "menha", "minno", "minha", "menhom", "mnha", "mno"})


def _topic_sense(an: Analysis, span: Span) -> bool:
    """True when a span tagged as a topic noun means it here."""
    if "topic" not in span.kind_set or _colour_name(an, span.start):
        return False
    return "color" not in span.kind_set or not _colour_here(an, span)


def topic_spans(an: Analysis) -> list[Span]:
    """Spans naming another topic's thing (not a colour's name: ``لون قهوه``)."""
    if "topic" not in an.all_kinds:
        return []
    return [s for s in an.spans_of("topic") if _topic_sense(an, s)]


def _topic_at(an: Analysis, i: int, wanted: frozenset[str] | None = None) -> bool:
    """True when token ``i`` starts a topic noun (of one of ``wanted`` families, when given)."""
    span = an.span_at(i)
    if span is None or not _topic_sense(an, span) or \
            any(an.tokens[j] not in _LONE_ARTICLES for j in range(span.start, i)):
        return False  # a topic noun starts here (after its own article: 'el 3arabeya')
    return wanted is None or any(f in wanted for f in families(span))


def _next_word(an: Analysis, i: int) -> int:
    """The next token from ``i`` that is not a lone article."""
    while i < len(an.tokens) and an.tokens[i] in _LONE_ARTICLES:
        i += 1
    return i


def previous_word(an: Analysis, i: int) -> int:
    """The previous token from ``i`` that is not a lone article."""
    while i >= 0 and an.tokens[i] in _LONE_ARTICLES:
        i -= 1
    return i


def _head_after(an: Analysis, span: Span) -> int:
    """Where the noun a word heads starts: the next word, or the one after 'of (a)'."""
    nxt = _next_word(an, span.end)
    if an.key_in(nxt, _OF):
        nxt = _next_word(an, nxt + 1)
        if an.key_in(nxt, _DETERMINERS):
            nxt += 1
    return nxt


def _for_clitic(an: Analysis, i: int) -> bool:
    """True when Arabic token ``i`` carries a glued ل/لل ('for'): ``للمدرسه``, ``لعربيتي``."""
    if i >= len(an.tokens):
        return False
    token = an.tokens[i]
    return token.startswith("ل") and token != an.keys[i] and not an.keys[i].startswith("ل")


def in_construct(an: Analysis, span: Span) -> bool:
    """True when a shop word heads a topic noun and so belongs to it.

    ``مقاس الشاشه``, ``سعر الموبايل``, ``محل موبايلات``, ``size of a king bed``, a size right after a
    topic noun (``تلاجه مقاس ١٤ قدم``): any topic; an item
    only when it has a second meaning and the noun is of a family that gives it (``_construct``:
    a bag of a car is its boot, a watch of a wall a clock), so that ``شنطه لابتوب`` and ``شنط
    مدرسه`` stay bags.
    """
    if "topic" not in an.all_kinds:
        return False
    nxt = _head_after(an, span)
    if _for_clitic(an, nxt):
        return False  # هدوم للمدرسه, شنطه للعربيه: what it is for, not whose part
    if "item" not in span.kind_set:
        if "sizecue" in span.kind_set and _topic_at(an, previous_word(an, span.start - 1)):
            return True  # تلاجه مقاس ١٤ قدم, بامبرز مقاس ٤: the size of the noun before it
        # English puts modifiers first: 'size of a king bed', 'price of gold bars'
        return _topic_at(an, nxt) or (an.tokens[span.start].isascii() and _topic_at(an, nxt + 1))
    wanted = load_lexicon().topic_construct.get(span.value("item") or "")
    return wanted is not None and _topic_at(an, nxt, wanted)


def _describes_topic(an: Analysis, span: Span) -> bool:
    """A colour, section or position word right after a topic noun (or 'for' one), or an
    English colour right before one; unless a clothing word heads the topic noun."""
    prev = previous_word(an, span.start - 1)
    if an.key_in(prev, _OF):
        prev = previous_word(an, prev - 1)
    before = an.span_at(prev) if prev >= 0 else None
    if before is not None and _topic_at(an, before.start):
        head = an.span_at(previous_word(an, before.start - 1))
        # تيشيرتات الزمالك البيضا, هدوم للمدرسه لبنتي: the topic noun only says whose or what
        # for; the colour or the section is the clothes'
        return head is None or not head.kind_set & _GOODS_HEADS or in_construct(an, head)
    return an.tokens[span.start].isascii() and _topic_at(an, span.end)


def is_hour(an: Analysis, span: Span) -> bool:
    """True for a watch word that means an hour: a time after it (``الساعه ٦``, ``ساعه الا
    ربع``), a duration word before it (``بعد ساعه``, ``بقالي ساعه``, ``كم ساعه``), a count after
    it (``ساعتين ولا تلاته``) or a coming (``ساعه وجايلك``). ``watch`` itself is always a watch."""
    token = an.tokens[span.start]
    if span.value("item") != "watch" or token.startswith("watch"):
        return False
    words = topic_words()
    nxt = span.end
    if _number_ends_at(an, span.start - 1):
        return True  # صيدليه ٢٤ ساعه, 3 sa3at: a count of hours
    if an.key_in(nxt, _OR) and an.number_at(nxt + 1) is not None:
        return True
    if _watches_described(an, span, token):
        return False  # fe sa3at rgaly, ساعات دهبي: watches of a section or a colour
    if an.number_at(nxt) is not None or an.key_in(nxt, words["hour_after"]):
        return True
    if _and_coming(an, nxt):
        return True
    if token.startswith(("ال", "بال", "وال", "فال")) or an.key_in(span.start - 1, _ARTICLE_WORDS):
        return False  # في الساعه, شيل الساعه: 'the watch'; an hour takes no article (بعد ساعه)
    return an.key_in(previous_word(an, span.start - 1), words["hour_before"])


_AND = frozenset({"و", "w", "we", "wa", "and"})
# Watch words in the plural: after 'in' (``في ساعات``, ``fe sa3at``) they are watches asked for, not hours.
_WATCHES = frozenset({"ساعات", "sa3at", "sa3aat"})
_IN = frozenset({"في", "فى", "fe", "fi", "f"})
_WATCH_KINDS = frozenset({"category", "color"})


def _number_ends_at(an: Analysis, i: int) -> bool:
    """A number whose last token is ``i`` (``٢٤ ساعه``: the count before a watch word)."""
    return i >= 0 and any(number.end == i + 1 for number in an.numbers)


def _watches_described(an: Analysis, span: Span, token: str) -> bool:
    """``ساعات رجالي``, ``sa3a dahaby``, ``fe sa3at``: a watch word followed by a section or a colour,
    or a plural one after 'in', is the watch."""
    if an.kinds_at(span.end) & _WATCH_KINDS:
        return True
    return token in _WATCHES and an.key_in(span.start - 1, _IN)
_ARTICLE_WORDS = frozenset({"el", "al", "il", "the", "ال"})


def _and_coming(an: Analysis, i: int) -> bool:
    """``ساعه وجايلك``, ``sa3a w gaylak``, ``an hour and I'm coming``: an hour, and a coming."""
    if i >= len(an.tokens):
        return False
    coming = topic_words()["hour_coming"]
    token = an.tokens[i]
    if token.startswith("و") and token[1:] in coming:
        return True
    return an.key_in(i, _AND) and an.key_in(i + 1, coming)


# The gym as a place: the sportswear section only for clothes (``للجيم``, ``gym clothes``).
_GYM = frozenset({"جيم", "الجيم", "gym", "جم"})
_FOR_WORDS = frozenset({"for", "le", "lel", "l", "li", "to", "ل", "لل", "عشان", "3ashan", "3shan"})
_CLOTHES = frozenset({"item", "shop_words", "category", "sizecue"})


def _gym_place(an: Analysis, span: Span) -> bool:
    """``الجيم اللي في شارعنا``, ``el gym bey2fel``: the gym, not gym clothes."""
    if span.end - span.start != 1 or an.tokens[span.start] not in _GYM:
        return False
    prev = previous_word(an, span.start - 1)
    if an.key_in(prev, _FOR_WORDS):
        return False
    neighbours = an.kinds_at(prev) | an.kinds_at(_next_word(an, span.end))
    return not neighbours & _CLOTHES


_MY_SIZE = frozenset({"مقاسي", "ma2asy", "ma2asi", "my size"})
_MY_SIZE_FIRST = frozenset(words.split()[0] for words in _MY_SIZE)


def _states_own_size(an: Analysis, span: Span) -> bool:
    """``ومقاسي اكس لارج``, ``my size is M``: 'my size' followed by a size states it."""
    if " ".join(an.keys[span.start:span.end]) not in _MY_SIZE:
        return False
    nxt = span.end + (1 if an.key_in(span.end, frozenset({"is", "هو", "هي"})) else 0)
    number = an.number_at(nxt)
    return "size" in an.kinds_at(nxt) or (number is not None and 26 <= number.value <= 60)


# Words after ``كارت`` that make it a bank card: ``كارت فيزا``, ``كارت ائتمان``, ``كارت ميزه``.
_CARD_KINDS = frozenset({"فيزا", "الفيزا", "ائتمان", "ائتماني", "الائتمان", "بنك", "بنكي", "البنك",
                         "ميزه", "كريدت", "ديبيت", "مدفوع", "بنكى", "مسبق", "visa", "credit", "debit",
                         "meeza", "bank"})


_CART_CUE = frozenset({"cart_nouns", "cue"})


def _card_not_cart(an: Analysis, span: Span) -> bool | None:
    """``كارت`` is the shop's cart and a bank card. It pays with ``ب`` (``بالكارت``), before a card
    kind (``كارت فيزا``) or with a pay verb (``ادفع كارت``); else it is the cart (``اللي في الكارت``,
    ``وريني الكارت``). None when the span is not that word."""
    if not _CART_CUE <= span.kind_set or span.end - span.start != 1 or \
            not any(t.kind == "cue" and t.value == "payment_info" for t in span.tags):
        return None
    token = an.tokens[span.start]
    return token.startswith("ب") or an.key_in(span.end, _CARD_KINDS) or \
        an.any_key_in(topic_words()["pay_verbs"]) or any(
        s is not span and t.value == "payment_info" for s, t in an.cue_spans)


# ``بدل`` is suits and 'instead of': before a noun with its article or ``ما`` it is 'instead of'
# (``على عنوان الشغل بدل البيت``, ``بدل ما يوصل``), another thing asked for.
_INSTEAD = frozenset({"بدل", "بدال"})


def _instead_of(an: Analysis, span: Span) -> bool:
    if span.end - span.start != 1 or an.tokens[span.start] not in _INSTEAD or span.end >= len(an.tokens):
        return False
    nxt = an.tokens[span.end]
    return nxt in {"ما", "مني", "منه", "منها", "من"} or (nxt.startswith("ال") and
                                                       "category" not in an.kinds_at(span.end))


# ``بقاله ٦ ايام``, ``بقالها اسبوع``: 'it has been' before a span of time, not a grocery (بقالة).
_SINCE = frozenset({"بقاله", "بقالها", "بقالي", "بقالنا", "بقالك", "بقالكم", "بقالهم"})
_SPANS_OF_TIME = frozenset({"يوم", "ايام", "يومين", "اسبوع", "اسبوعين", "اسابيع", "شهر", "شهرين", "شهور",
                            "ساعه", "ساعتين", "ساعات", "كتير", "مده", "فتره", "سنه", "اكتر", "قد", "حوالي",
                            "تقريبا", "من"})


def _since(an: Analysis, span: Span) -> bool:
    """``الاوردر بقاله اسبوع``: a since-word before a count or a span of time."""
    if an.keys[span.start] not in _SINCE and an.tokens[span.start] not in _SINCE:
        return False
    nxt = span.end
    return an.number_at(nxt) is not None or an.key_in(nxt, _SPANS_OF_TIME) or \
        "measure" in an.kinds_at(nxt)


_SOMETIMES = frozenset({"ساعات", "وساعات", "sa3at", "sa3aat"})
_SOMETIMES_AFTER = frozenset({"مش", "لا", "كمان", "بردو", "برضه", "تانيه", "msh", "mesh", "kaman"})


def _sometimes(an: Analysis, span: Span) -> bool:
    """``ساعات بيبقى ضيق``, ``sa3at bykoon wase3``: 'sometimes' before a verb, not watches."""
    if span.end - span.start != 1 or an.tokens[span.start] not in _SOMETIMES:
        return False
    nxt = an.tokens[span.end] if span.end < len(an.tokens) else ""
    verb = len(nxt) > 3 and (nxt.startswith(("بي", "بت", "بن", "با")) or
                            (nxt.isascii() and nxt.startswith(("bey", "bet", "by", "bt", "ba"))))
    if an.kinds_at(span.end) & {"item", "category", "color", "size", "price_max", "price_min", "cue"} or \
            nxt.startswith(("بتاع", "بال", "bta3", "beta3")):
        return False  # ساعات بناتي, ساعات بتاعه رجالي, ساعات بكام: the watches
    return verb or an.key_in(span.end, _SOMETIMES_AFTER)


# Franco ``hat`` is 'bring': before a count, 'of it' or 'me' it puts the product in the cart (``hat 3
# menno``, ``tamam hat wa7ed L``, like ``هاتلي واحد``); before another topic's noun it brings that thing.
_BRING_NEXT = frozenset({"wa7ed", "wa7da", "etnen", "itnen", "menno", "menha", "menhom", "minno", "minha", "ly", "li",
                         "lya", "leya", "lena", "lina"})
_ADD_TAGS = (Tag("cue", "cart_add", 3),)
_BRING_TAGS = (Tag("known", ""),)


def _brings(an: Analysis, span: Span) -> tuple[Tag, ...] | None:
    """For a lone ``hat``: the tags of the verb 'bring' (a cart cue, or a plain word before another
    topic's noun), or None when it is the cap."""
    if span.end - span.start != 1:
        return None
    nxt = _next_word(an, span.end)
    if an.number_at(span.end) is not None or an.key_in(span.end, _BRING_NEXT):
        return _ADD_TAGS
    return _BRING_TAGS if _topic_at(an, nxt) else None


_REREAD_KINDS = frozenset({"item", "topic", "category", "cart_nouns"})
_COLOUR_TOPIC = frozenset({"color", "topic"})


def reread(an: Analysis) -> list[Span]:
    """``an.spans`` with the meanings their neighbours rule out dropped (see the module doc)."""
    if an.all_kinds.isdisjoint(_REREAD_KINDS) and not any(
            t.value == "size_help" for _, t in an.cue_spans):
        return an.spans
    out: list[Span] = []
    changed = False
    topics = "topic" in an.all_kinds
    for span in an.spans:
        tags = span.tags
        first = an.tokens[span.start]
        # each test below first asks for its word (or a topic noun in the message): ask that here
        bring = _brings(an, span) if first == "hat" and "item" in span.kind_set else None
        if bring is not None:
            tags = bring
        elif "item" in span.kind_set and (topics or first in _SOMETIMES or first in _INSTEAD or
                                          span.value("item") == "watch"):
            if _sometimes(an, span):
                tags = (Tag("known", ""),)
            elif is_hour(an, span):
                tags = (Tag("hour", ""),)
            elif _instead_of(an, span):
                tags = (Tag("instead_words", ""), Tag("other_words", ""))
            elif in_construct(an, span):
                nxt = an.span_at(_head_after(an, span))
                family = families(nxt)[0] if nxt is not None else "household"
                tags = (Tag("topic", family),)
        card = _card_not_cart(an, span) if "cart_nouns" in span.kind_set else None
        if card is not None:
            tags = tuple(t for t in tags if (t.kind == "cue" and t.value == "payment_info") == card
                         or (t.kind != "cue" and t.kind != "cart_nouns"))
        if "cue" in span.kind_set and an.keys[span.start] in _MY_SIZE_FIRST and _states_own_size(an, span):
            tags = (Tag("sizecue", ""),)  # مقاسي اكس لارج: says the size, asks for no help
        if "category" in span.kind_set and (first in _GYM or first == "men"):
            if _gym_place(an, span):
                tags = (Tag("topic", "sport"),)
            elif not category_named(an, span):
                tags = tuple(t for t in tags if t.kind != "category") or (Tag("known", ""),)
        if "topic" in span.kind_set and _since(an, span):
            tags = tuple(t for t in tags if t.kind != "topic") or (Tag("known", ""),)
        if _COLOUR_TOPIC <= span.kind_set:
            dropped = "color" if _topic_sense(an, span) else "topic"
            tags = tuple(t for t in tags if t.kind != dropped)
        elif topics and not span.kind_set.isdisjoint(_DESCRIBING) and _describes_topic(an, span):
            tags = tuple(t for t in tags if t.kind not in _DESCRIBING) or (Tag("known", ""),)
        if tags is span.tags:
            out.append(span)
            continue
        changed = True
        out.append(Span(span.start, span.end, tags, frozenset(t.kind for t in tags), span.fuzzy))
    return out if changed else an.spans
