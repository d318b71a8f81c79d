"""Platform limits (platform_spec §5, §7, §9) as named constants, and the helpers that keep to them.

Lengths are measured in UTF-16 code units (:func:`units`), which is never less than the number of
code points, so a string within a limit here is within it however Meta counts (an emoji is one code
point but two units). Customer-facing strings are cut at a word boundary and end with "…";
identifiers and payloads are cut hard (no ellipsis) because they are matched, not read.
"""

from __future__ import annotations

import re

# Messenger (§5, §9)
MESSENGER_TEXT_MAX = 1999                 # "less than 2000 characters"
MESSENGER_QUICK_REPLIES_MAX = 13
MESSENGER_QUICK_REPLY_TITLE_MAX = 20
MESSENGER_QUICK_REPLY_PAYLOAD_MAX = 1000
MESSENGER_ELEMENTS_MAX = 10               # generic template elements
MESSENGER_ELEMENT_TITLE_MAX = 80
MESSENGER_ELEMENT_SUBTITLE_MAX = 80
MESSENGER_ELEMENT_BUTTONS_MAX = 3
MESSENGER_BUTTON_TITLE_MAX = 20
MESSENGER_POSTBACK_PAYLOAD_MAX = 1000
MESSENGER_BUTTON_TEMPLATE_TEXT_MAX = 640
MESSENGER_BUTTON_TEMPLATE_BUTTONS_MAX = 3
MESSENGER_HANDOVER_METADATA_MAX = 999     # like message.metadata: "less than 1000 characters"
#: Meta's Page Inbox app: the default target of pass_thread_control.
PAGE_INBOX_APP_ID = "263902037430900"

# WhatsApp (§7.2, §9)
WHATSAPP_TEXT_MAX = 4096
WHATSAPP_CAPTION_MAX = 1024
WHATSAPP_INTERACTIVE_BODY_MAX = 1024      # reply buttons; lists too (REC: keep ≤ 1024)
WHATSAPP_HEADER_TEXT_MAX = 60
WHATSAPP_FOOTER_MAX = 60
WHATSAPP_REPLY_BUTTONS_MAX = 3
WHATSAPP_BUTTON_TITLE_MAX = 20
WHATSAPP_BUTTON_ID_MAX = 256
WHATSAPP_LIST_BUTTON_MAX = 20
WHATSAPP_LIST_SECTIONS_MAX = 10
WHATSAPP_LIST_ROWS_MAX = 10               # in total, across sections
WHATSAPP_SECTION_TITLE_MAX = 24
WHATSAPP_ROW_ID_MAX = 200
WHATSAPP_ROW_TITLE_MAX = 24
WHATSAPP_ROW_DESCRIPTION_MAX = 72

ELLIPSIS = "…"
#: Used where the platform needs a non-empty string and the reply gave none.
FILLER = "…"

_SENTENCE_END = re.compile(r"[.!?؟۔…]+[\"')\]»]*\s+")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")


def units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (what the limits are checked against)."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` units (never splits a code point)."""
    if units(text) <= limit:
        return text
    total, end = 0, 0
    for index, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > limit:
            break
        end = index + 1
    return text[:end]


def cut(value: str, limit: int) -> str:
    """A hard cut for ids and payloads (no ellipsis)."""
    return _prefix(value, limit)


def truncate(text: str, limit: int) -> str:
    """``text`` within ``limit`` units, cut at a word boundary and ending with "…" when shortened."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if units(text) <= limit:
        return text
    room = _prefix(text, limit - units(ELLIPSIS))
    space = max(room.rfind(" "), room.rfind("\n"))
    if space >= len(room) // 2:
        room = room[:space]
    return room.rstrip(" \n\t,;:-–—،؛") + ELLIPSIS


def title(text: str, limit: int, fallback: str = FILLER) -> str:
    """A non-empty, truncated title: Meta rejects empty titles."""
    result = truncate(text or "", limit)
    return result if result else truncate(fallback or FILLER, limit)


def _cut_point(window: str) -> int:
    """Where to end a chunk within ``window``: a paragraph, line, sentence or word boundary."""
    floor = len(window) // 3
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at > floor:
            return at + len(separator)
    ends = [match.end() for match in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] > floor:
        return ends[-1]
    at = window.rfind(" ")
    if at > floor:
        return at + 1
    return len(window)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` as chunks within ``limit`` units, split at line, sentence or word boundaries.

    Empty chunks are dropped, so an empty or blank text gives an empty list.
    """
    chunks: list[str] = []
    rest = (text or "").strip()
    while rest:
        if units(rest) <= limit:
            chunks.append(rest)
            break
        window = _prefix(rest, limit)
        at = _cut_point(window)
        chunk = rest[:at].strip()
        if chunk:
            chunks.append(chunk)
        rest = rest[at:].strip()
    return chunks


def _tail_start(window: str) -> int:
    """Where the final chunk should start within ``window`` (the end of the text)."""
    ceiling = len(window) * 2 // 3
    for separator in ("\n\n", "\n"):
        at = window.find(separator)
        if 0 <= at < ceiling:
            return at + len(separator)
    match = _SENTENCE_END.search(window)
    if match and match.end() < ceiling:
        return match.end()
    at = window.find(" ")
    if 0 <= at < ceiling:
        return at + 1
    return 0


def split_tail(text: str, limit: int) -> tuple[str, str]:
    """``(head, last)``: ``last`` is the end of ``text`` within ``limit`` units, cut at a boundary.

    Used where only the final part can carry buttons (button template, interactive body): the
    head is sent first as plain text. ``head`` is "" when the whole text fits.
    """
    text = (text or "").strip()
    if units(text) <= limit:
        return "", text
    reversed_window = _prefix(text[::-1], limit)
    window = reversed_window[::-1]
    start = len(text) - len(window) + _tail_start(window)
    return text[:start].strip(), text[start:].strip()


def first(*values: str) -> str:
    """The first value that is not blank, or "" (choices fall back from payload to title)."""
    return next((value for value in values if value and value.strip()), "")


def is_arabic(text: str) -> bool:
    """True when ``text`` contains Arabic letters (picks default labels)."""
    return bool(_ARABIC.search(text or ""))


def unique(values: list[str], limit: int, *, ids: bool = False) -> list[str]:
    """``values`` made pairwise distinct by numbering repeats, each repeat kept within ``limit`` units.

    Titles (the default) get `` 2``, `` 3``, ... and are shortened with "…" to make room.
    Identifiers (``ids=True``) are cut to ``limit`` first, then get ``~2``, ``~3``, ... and are cut
    hard, because they are matched, not read.
    """
    result: list[str] = []
    for value in values:
        result.append(_first_unused(value, limit, result, ids))
    return result


def _first_unused(value: str, limit: int, taken: list[str], ids: bool) -> str:
    """``value`` (an id cut to ``limit``) or, when that is taken, its first free numbered form."""
    candidate, number = (cut(value, limit) if ids else value), 2
    while candidate in taken:
        candidate = _numbered(value, limit, number, ids)
        number += 1
    return candidate


def _numbered(value: str, limit: int, number: int, ids: bool) -> str:
    """``value`` shortened to leave room for its number, then numbered (``~n`` for ids)."""
    suffix = f"~{number}" if ids else f" {number}"
    shorten = cut if ids else truncate
    return shorten(value, limit - units(suffix)) + suffix


# Instagram Direct (Instagram API with Instagram Login, messaging): a text is at most 1000 UTF-8 bytes.
INSTAGRAM_TEXT_MAX_BYTES = 1000
INSTAGRAM_QUICK_REPLIES_MAX = 13
INSTAGRAM_QUICK_REPLY_TITLE_MAX = 20
INSTAGRAM_QUICK_REPLY_PAYLOAD_MAX = 1000
INSTAGRAM_ELEMENTS_MAX = 10
INSTAGRAM_ELEMENT_TITLE_MAX = 80
INSTAGRAM_ELEMENT_SUBTITLE_MAX = 80
INSTAGRAM_ELEMENT_BUTTONS_MAX = 3
INSTAGRAM_BUTTON_TITLE_MAX = 20
INSTAGRAM_POSTBACK_PAYLOAD_MAX = 1000
INSTAGRAM_BUTTON_TEMPLATE_TEXT_MAX = 640


def utf8_bytes(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes (Instagram's measure of a text)."""
    return len(text.encode("utf-8", errors="surrogatepass"))


def split_text_bytes(text: str, max_bytes: int) -> list[str]:
    """:func:`split_text` with every chunk also within ``max_bytes`` UTF-8 bytes.

    The unit limit shrinks until every chunk fits (Arabic takes two bytes a letter, emoji four),
    so the chunks are cut at the same kinds of boundaries as :func:`split_text`.
    """
    limit = max_bytes
    while True:
        chunks = split_text(text, limit)
        too_long = [chunk for chunk in chunks if utf8_bytes(chunk) > max_bytes]
        if not too_long or limit == 1:
            return chunks
        limit = _smaller_limit(limit, too_long, max_bytes)


def split_tail_bytes(text: str, limit: int, max_bytes: int) -> tuple[str, str]:
    """:func:`split_tail` with ``last`` also within ``max_bytes`` UTF-8 bytes."""
    while True:
        head, last = split_tail(text, limit)
        if utf8_bytes(last) <= max_bytes or limit == 1:
            return head, last
        limit = _smaller_limit(limit, [last], max_bytes)


def _smaller_limit(limit: int, too_long: list[str], max_bytes: int) -> int:
    """A unit limit below ``limit`` scaled by how many bytes a unit took in the chunks too long."""
    scaled = min(units(chunk) * max_bytes // utf8_bytes(chunk) for chunk in too_long)
    return max(1, min(limit - 1, scaled))
