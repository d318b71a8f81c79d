"""Understanding customer messages (Egyptian Arabic, Franco-Arabic, English, MSA).

- ``bot.nlu.normalize``: ``normalize(text)`` and ``tokenize(text)``.
- ``bot.nlu.lexicon``: ``load_lexicon()``, the shop vocabulary shared with the store search.
"""
