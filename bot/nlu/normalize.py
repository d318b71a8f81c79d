"""Text normalisation for Egyptian Arabic, Franco-Arabic (Arabizi) and English.

``normalize(text)`` is idempotent (``normalize(normalize(t)) == normalize(t)``) and cheap: it
is a handful of ``str.translate`` tables and regular expressions, in this order:

1. NFKC (presentation forms and full-width Latin), then drop invisible and bidi marks;
2. strip tashkeel and tatweel; fold letter variants (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و,
   ئ → ي, ء dropped, Persian/Urdu ک ی ھ ڤ چ → ك ي ه ف ج);
3. Eastern Arabic and Persian digits → ASCII; Arabic punctuation → ASCII;
4. lowercase; Franco digraphs ``3'`` → ``gh`` and ``7'`` → ``kh``; apostrophes inside Latin
   words go (``men's`` → ``mens``);
5. a letter repeated three times or more becomes one (``بكاااام`` → ``بكام``, ``plzzz`` →
   ``plz``); digits are never collapsed (``1000`` stays);
6. digits or Latin letters glued to Arabic letters, or runs of two or more digits glued to
   Latin letters, are split (``ال٣٠٠`` → ``ال 300``, ``لXL`` → ``ل xl``, ``الshipping`` →
   ``ال shipping``, ``70kg`` → ``70 kg``; ``2xl`` and ``3ayez`` stay whole);
7. whitespace collapsed.

``tokenize(text)`` normalises and returns the word tokens (Arabic letters, Latin letters and
digits, and ``#``); punctuation and emoji separate tokens and are dropped.

``franco_fold(token)`` and ``skeleton(token)`` are the looser keys used to look Latin tokens up
in the lexicon (``ch`` → ``sh``, doubled letters single; consonant skeleton ``eswed`` → ``swd``).

Example::

    >>> from bot.nlu.normalize import normalize, tokenize
    >>> normalize("عايزززز  تيشيرت أسوَد مقاس ٤٢؟")
    'عايز تيشيرت اسود مقاس 42?'
    >>> tokenize("3ayez T-Shirt ال٣٠٠")
    ['3ayez', 't', 'shirt', 'ال', '300']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

__all__ = ["normalize", "tokenize", "franco_fold", "skeleton", "is_arabic", "is_latin"]

_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e" \
    "\u2066\u2067\u2068\u2069\ufeff\u00ad"
_TASHKEEL = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670" + \
    "".join(chr(c) for c in range(0x06D6, 0x06EE)) + "\u0640"
_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ی": "ي", "ھ": "ه", "ۀ": "ه", "ڤ": "ف", "چ": "ج", "پ": "ب", "گ": "ك",
    "ء": None,
}
_DIGITS = {**{chr(0x0660 + i): str(i) for i in range(10)},
           **{chr(0x06F0 + i): str(i) for i in range(10)}}
_PUNCT = {"،": ",", "؛": ";", "؟": "?", "٪": "%", "«": '"', "»": '"', "٫": ".", "٬": None,
          "\u2019": "'", "\u2018": "'", "`": "'", "\u00a0": " "}

_TABLE = str.maketrans({**{c: None for c in _INVISIBLE}, **{c: None for c in _TASHKEEL},
                        **_LETTERS, **_DIGITS, **_PUNCT})

_FRANCO_APOS = re.compile(r"(?<=[37])'")
_REPEATS = re.compile(r"([^\d\s])\1{2,}")
_AR_DIGIT = re.compile(r"(?<=[\u0621-\u064a])(?=[\da-z])|(?<=[\da-z])(?=[\u0621-\u064a])")
_DIGITS_LATIN = re.compile(r"(?<=\d\d)(?=[a-z])|(?<=[a-z])(?=\d\d)")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z0-9\u0621-\u063a\u0641-\u064a]+|#")
_ARABIC = re.compile(r"[\u0621-\u064a]")
_LATIN = re.compile(r"[a-z]")


def _franco_digraphs(text: str) -> str:
    """Turn ``3'`` into ``gh`` and ``7'`` into ``kh`` (the apostrophe forms of Arabizi)."""
    if "'" not in text:
        return text
    return _FRANCO_APOS.sub("", text.replace("3'", "gh").replace("7'", "kh"))


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (idempotent; see the module docstring).

    Every step is local to a run of characters between two spaces (NFKC composes nothing with a
    space, the folding tables and lower case act on characters, and each pattern looks at neighbours
    that a space would stop), so the text is normalised a space-separated piece at a time, each
    piece once (:func:`_normalize_piece`, bounded): a customer's next message reuses the words of
    the last ones. ``tests/nlu/test_normalize_pieces.py`` checks this against the whole text."""
    if not text:
        return ""
    return " ".join([piece for piece in map(_normalize_piece, text.split(" ")) if piece])


@lru_cache(maxsize=65536)
def _normalize_piece(text: str) -> str:
    """Steps 1 to 7 on ``text`` as one string (a piece of a message, or a whole one)."""
    if not text:
        return ""
    out = _fold(text)
    out = _franco_digraphs(out).replace("'", "")
    out = _REPEATS.sub(r"\1", out)
    out = _DIGITS_LATIN.sub(" ", _AR_DIGIT.sub(" ", out))
    out = _SPACES.sub(" ", out).strip()
    # NFKC and folding can expose a new run or digit boundary; a second pass settles it.
    return out if _settled(out) else _normalize_piece(out)


def _fold(text: str) -> str:
    """NFKC, then the letter, digit and punctuation table, then lower case (steps 1 to 4)."""
    return unicodedata.normalize("NFKC", text).translate(_TABLE).lower()


# Characters that NFKC, the table and lower case all leave as they are: ASCII except capitals, the
# backquote and the apostrophe; the Arabic letters the table does not fold (ا ب ت..غ ف..و ي).
_PLAIN = re.compile(r"[\x00-\x26\x28-\x40\x5b-\x5f\x61-\x7f\u0627\u0628\u062a-\u063a\u0641-\u0648\u064a]*")


def _settled(text: str) -> bool:
    """True when one more pass would not change ``text``, the output of one pass.

    Steps 5 to 7 leave nothing for themselves to do (a run is collapsed whole; splitting and
    collapsing spaces only add or merge spaces, which neither makes a run nor joins a boundary),
    so only folding again (steps 1 to 4) could change it; text of :data:`_PLAIN` characters only,
    nearly every message, is not folded again to know that."""
    return _PLAIN.fullmatch(text) is not None or text == _fold(text)


def tokenize(text: str) -> list[str]:
    """Normalise ``text`` and return its tokens (words, numbers and ``#``).

    No token spans a space, so these are the tokens of each space-separated piece normalised
    (:func:`normalize`'s own pieces), one after the other: each piece's are found once (bounded)."""
    if not text:
        return []
    return list(chain.from_iterable(map(_piece_tokens, text.split(" "))))


@lru_cache(maxsize=65536)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    """The tokens of one space-separated piece of a message, normalised."""
    return tuple(_TOKEN.findall(_normalize_piece(piece)))


def is_arabic(token: str) -> bool:
    """True when ``token`` holds Arabic letters."""
    return _ARABIC.search(token) is not None


def is_latin(token: str) -> bool:
    """True when ``token`` holds Latin letters."""
    return _LATIN.search(token) is not None


_DOUBLE = re.compile(r"([a-z])\1")


def franco_fold(token: str) -> str:
    """Looser key for a Latin token: ``ch`` → ``sh``, ``ee``/``oo`` and doubled letters single."""
    return _DOUBLE.sub(r"\1", token.replace("ch", "sh"))


_VOWELS = re.compile(r"[aeiou]")


def skeleton(token: str) -> str:
    """Consonant skeleton of a folded Latin token (``eswed``/``iswed``/``aswad`` → ``swd``)."""
    return _VOWELS.sub("", franco_fold(token))
