"""The platform-neutral incoming event.

A webhook delivery becomes a list of :class:`Event`; everything after the parser (inbox, dialog,
console) works with events only and never looks at platform JSON again, except through ``raw``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    MESSENGER = "messenger"
    WHATSAPP = "whatsapp"
    INSTAGRAM = "instagram"


class Kind(StrEnum):
    """What an event is. The first group is customer input the dialog answers."""

    TEXT = "text"                  # typed text (also WhatsApp text with a forwarded/context flag)
    PAYLOAD = "payload"            # a button press: postback, quick reply, WA button/list reply, template button
    ATTACHMENT = "attachment"      # image, audio, video, file, sticker, fallback; data["type"] says which
    LOCATION = "location"          # data: latitude, longitude, name, address
    CONTACTS = "contacts"          # shared contact cards
    ORDER = "order"                # a cart sent from a catalogue (Messenger Shops / WhatsApp order)
    REFERRAL = "referral"          # ad / m.me link re-opening a thread; data["ref"]
    UNSUPPORTED = "unsupported"    # a message type the platform itself could not give us

    OPTIN = "optin"                # recorded, never answered
    ACCOUNT_LINKING = "account_linking"
    REACTION = "reaction"
    REVOKE = "revoke"              # the customer deleted a message
    EDIT = "edit"                  # the customer edited a message: recorded, not answered again
    MENTION = "mention"            # the customer mentioned the shop (an Instagram story mention)
    DELIVERY = "delivery"          # Messenger delivery receipt (watermark)
    READ = "read"                  # Messenger read receipt (watermark)
    STATUS = "status"              # WhatsApp sent/delivered/read/failed of a message we sent
    ECHO = "echo"                  # a message the page itself sent: never answered
    HANDOVER = "handover"          # pass/take/request thread control; data["action"]
    STANDBY = "standby"            # Messenger standby channel: another app owns the thread
    POLICY = "policy"              # policy enforcement notice: an alarm in the logs
    SYSTEM = "system"              # WhatsApp system message (user changed number, ...)
    ERROR = "error"                # value-level platform errors
    UNKNOWN = "unknown"            # anything we do not recognise: acknowledged and logged


#: Kinds the dialog answers. Everything else is recorded or ignored.
ANSWERABLE: frozenset[Kind] = frozenset(
    {
        Kind.TEXT,
        Kind.PAYLOAD,
        Kind.ATTACHMENT,
        Kind.LOCATION,
        Kind.CONTACTS,
        Kind.ORDER,
        Kind.REFERRAL,
        Kind.UNSUPPORTED,
    }
)


#: The longest platform id we read (PSIDs, wa_ids, message ids are far shorter); longer is garbage.
MAX_ID_CHARS = 256
#: Customer text is kept up to WhatsApp's own limit for a text body; the rest is cut, not dropped.
MAX_TEXT_CHARS = 4096
#: A payload is at most a Messenger postback payload (1,000) or an m.me ``ref`` (2,083).
MAX_PAYLOAD_CHARS = 2083
_SURROGATE = re.compile("[\ud800-\udfff]")
_ID_SHAPE = re.compile(rf"[!-~]{{1,{MAX_ID_CHARS}}}")  # printable ASCII, no spaces


def clean_text(value: str) -> str:
    """``value`` with each lone UTF-16 surrogate (valid JSON, but no text: no database can store
    it) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def clean_json(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings, keys included) with lone surrogates replaced."""
    dumped = json.dumps(value, ensure_ascii=False, default=str)
    return json.loads(clean_text(dumped)) if _SURROGATE.search(dumped) else value


def is_platform_id(value: str) -> bool:
    """True for a plausible platform id: 1 to ``MAX_ID_CHARS`` printable ASCII characters."""
    return _ID_SHAPE.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened on a platform, for one customer.

    ``customer_id`` is the id we reply to (PSID, wa_id or business-scoped user id), always a string.
    ``timestamp`` is epoch seconds (platform milliseconds are converted). ``data`` holds what is
    specific to the kind (attachment type and url, status value and errors, watermark, referral).
    ``raw`` is the platform item the event came from, kept for the inbox and the console.

    Every string in an event is text: lone surrogates are replaced by U+FFFD when it is made,
    and ``text`` / ``payload`` are cut to ``MAX_TEXT_CHARS`` / ``MAX_PAYLOAD_CHARS``.
    """

    platform: Platform
    customer_id: str
    kind: Kind
    text: str = ""
    payload: str = ""
    message_id: str = ""
    timestamp: float = 0.0
    recipient_id: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("customer_id", "message_id", "recipient_id"):
            _set_clean(self, name, 0)
        _set_clean(self, "text", MAX_TEXT_CHARS)
        _set_clean(self, "payload", MAX_PAYLOAD_CHARS)
        object.__setattr__(self, "data", clean_json(self.data))
        object.__setattr__(self, "raw", clean_json(self.raw))

    @property
    def answerable(self) -> bool:
        """True when the dialog should reply to this event."""
        return self.kind in ANSWERABLE and bool(self.customer_id)

    @property
    def dedupe_key(self) -> str:
        """A key equal for every delivery of the same event and different for different events.

        The platform message id when there is one (with the status value for WhatsApp statuses,
        which share the id of the message they describe); otherwise a digest of the raw item.
        """
        if self.kind is Kind.STATUS and self.message_id:
            return f"{self.platform}:status:{self.message_id}:{self.data.get('status', '')}"
        if self.message_id:
            return f"{self.platform}:{self.kind}:{self.message_id}"
        digest = hashlib.sha256(
            json.dumps(self.raw, sort_keys=True, default=str).encode()  # ASCII: any string digests
        ).hexdigest()[:32]
        return f"{self.platform}:{self.kind}:{self.customer_id}:{digest}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the inbox and the console."""
        return {
            "platform": str(self.platform),
            "customer_id": self.customer_id,
            "kind": str(self.kind),
            "text": self.text,
            "payload": self.payload,
            "message_id": self.message_id,
            "timestamp": self.timestamp,
            "recipient_id": self.recipient_id,
            "data": dict(self.data),
            "raw": dict(self.raw),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, known_clean: bool = False) -> Event:
        """The inverse of :meth:`to_dict`.

        ``known_clean`` when no string in ``data`` can hold a lone surrogate (the inbox reads back
        JSON with no surrogate escape, :func:`bot.storage.inbox.decode`): the fields are then taken
        as they are instead of cleaned again (a worker's claim), unless a text is over its limit.
        """
        text, payload = data.get("text", ""), data.get("payload", "")
        if known_clean and len(text) <= MAX_TEXT_CHARS and len(payload) <= MAX_PAYLOAD_CHARS:
            event = object.__new__(cls)
            for name, value in (
                ("platform", Platform(data["platform"])), ("customer_id", str(data.get("customer_id", ""))),
                ("kind", Kind(data["kind"])), ("text", text), ("payload", payload),
                ("message_id", data.get("message_id", "")), ("timestamp", float(data.get("timestamp", 0.0))),
                ("recipient_id", data.get("recipient_id", "")), ("data", dict(data.get("data", {}))),
                ("raw", dict(data.get("raw", {}))),
            ):
                object.__setattr__(event, name, value)
            return event
        return cls(
            platform=Platform(data["platform"]),
            customer_id=str(data.get("customer_id", "")),
            kind=Kind(data["kind"]),
            text=text,
            payload=payload,
            message_id=data.get("message_id", ""),
            timestamp=float(data.get("timestamp", 0.0)),
            recipient_id=data.get("recipient_id", ""),
            data=dict(data.get("data", {})),
            raw=dict(data.get("raw", {})),
        )


def _set_clean(event: Event, name: str, limit: int) -> None:
    """Replace the string field ``name`` of a (frozen) event by its clean form, cut to ``limit``."""
    value = getattr(event, name)
    if isinstance(value, str):
        value = clean_text(value[:limit] if limit else value)
        object.__setattr__(event, name, value)


def epoch_seconds(value: Any, default: float = 0.0) -> float:
    """Platform timestamps as epoch seconds: ints, floats or numeric strings; ms when >= 1e12."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if number != number or number < 0:  # NaN or negative
        return default
    return number / 1000.0 if number >= 1e12 else number
