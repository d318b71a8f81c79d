"""Understanding customer messages (Egyptian Arabic, Franco-Arabic, English, MSA).

API::

    from bot.nlu import understand, parse_number

    u = understand("عايز تيشيرت اسود مقاس L", context="none")
    u.intent      # 'search'   (one of the 25 intents of schema.json)
    u.confidence  # 0.85       (0..1, deterministic; below 0.4 the intent is 'unknown')
    u.slots       # {'item': 't-shirt', 'color': 'black', 'size': 'L'}
    u.language    # 'ar'       ('ar' Arabic script, 'franco' Arabizi, 'en' English; majority)
    u.to_dict()   # {'intent': ..., 'confidence': ..., 'slots': {...}}
    u.analysis    # the words as analysed: understand(text, other_context, analysis=u.analysis)
                  # and bot.nlu.query.read_query(text, u.analysis) do not analyse them again

    understand("التالت بكام", context="after_results").slots   # {'product_ref': '3'}
    parse_number("الف وخمسمية")                                 # 1500

Contexts: ``none``, ``after_results`` (a list of products is on screen; ordinals become
positions ``"1"``..``"10"``), ``after_details`` (one product is on screen).

Modules: ``normalize`` (``normalize``, ``tokenize``), ``lexicon`` (``load_lexicon()``, the
vocabulary shared with the store search), ``vocab`` (phrase index and fuzzy lookup), ``near_words``
(the words a fuzzy look-up scores), ``phrases`` (the lexicon's phrases as one Aho–Corasick
automaton), ``numbers`` (``parse_number``, ``digits``), ``analysis``,
``senses`` (a shop word in another sense: an hour, a car boot, a car's colour), ``slots``,
``intents`` (precedence rules), ``topic`` (is it about the shop at all; other topics' nouns are
``lexicon/topics.json``), ``common_words``, ``word_features``, ``shopness`` (is it shopping at all, learned),
``intent_model`` (the intent, learned), ``learned`` (both over one table, settled with the rules),
``matcher`` (``understand``), ``cli`` (``python -m bot
nlu``).
"""

import gc

from bot.nlu.matcher import CONTEXTS, Understanding, understand
from bot.nlu.numbers import digits, parse_number

__all__ = ["understand", "Understanding", "CONTEXTS", "parse_number", "digits", "warm_up", "clear_caches"]


def warm_up() -> None:
    """Build the lexicon index, the common-word table and the learned readings' table now (a
    second or two), not on the first customer's message: a serving process calls it before its workers start.

    Then the collector sets aside what is built so far (``gc.collect`` then ``gc.freeze``): the
    tables (some 200,000 objects) are never garbage, and a full collection, which the words cached
    while messages are read set off now and then, would otherwise walk them all each time (about
    50 ms, 10 us a message over the first 5,000); forked workers share them without copying."""
    from bot.nlu.common_words import is_common_word
    from bot.nlu.learned import load_readings

    is_common_word("warm")
    load_readings()  # both learned models over one table (about a second)
    understand("عايز تيشيرت اسود و امسح المنبه snekers")
    gc.collect()
    gc.freeze()


def clear_caches() -> None:
    """Forget every message and word read so far (each cache is bounded and holds what a pure
    function gave, so this changes no answer, only the time of the next ones): for cold benchmarks."""
    from bot.nlu import intents, learned, matcher, normalize, numbers, topic, vocab

    for cached in (normalize.normalize, normalize._normalize_piece, normalize._piece_tokens,
                   vocab.get_vocabulary().key, topic._foreign, matcher._script_of, numbers.may_start_number,
                   numbers._word, intents._rules_for, learned._token_rows):
        cached.cache_clear()
