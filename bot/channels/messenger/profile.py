"""The Page's Messenger profile: Get Started, greeting, persistent menu and ice breakers.

``python -m bot messenger-profile [--dry-run] [--store-name NAME] [--site-url URL]`` builds the
profile and POSTs it to ``{graph_base}/me/messenger_profile`` (Messenger Profile API). Limits
respected here: greeting ≤ 160 characters, menu item titles ≤ 30, ≤ 20 menu items, ≤ 4 ice
breakers per locale; locale ``default`` (Arabic) is always present, English is ``en_US``.

Postback payloads the dialog router must answer: ``GET_STARTED``, ``MENU``, ``CART``,
``ORDERS``, ``HUMAN`` (menu) and ``SEARCH``, ``SHIPPING``, ``ORDER_STATUS``, ``HUMAN`` (ice
breakers). Note Meta's precedence: when ice breakers are set through the API they are shown
instead of the Get Started button; ``--no-ice-breakers`` leaves them out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from bot.channels.meta.graph import GraphSender, SendResult
from bot.config import Settings
from bot.errors import ConfigError

__all__ = ["DEFAULT_TEXTS", "add_arguments", "apply_profile", "build_profile", "run"]

GREETING_MAX = 160
MENU_TITLE_MAX = 30
MENU_ITEMS_MAX = 20
ICE_BREAKERS_MAX = 4
QUESTION_MAX = 80
LOCALES = {"ar": "default", "en": "en_US"}

# "{store}" is replaced by the store name; Messenger itself fills {{user_first_name}}.
DEFAULT_TEXTS: dict[str, dict[str, Any]] = {
    "ar": {
        "greeting": (
            "أهلاً {{user_first_name}}، نوّرت {store}! 🛍️ "
            "اسألنا عن أي منتج أو مقاس أو سعر أو طلب، وإحنا معاك."
        ),
        "menu": {
            "MENU": "🛍️ تصفّح المنتجات",
            "CART": "🛒 السلة بتاعتي",
            "ORDERS": "📦 طلباتي",
            "HUMAN": "🙋 كلّم حد من الفريق",
        },
        "site": "🌐 زور موقعنا",
        "ice_breakers": [
            ("عايز أشوف المنتجات اللي عندكم", "SEARCH"),
            ("الشحن بكام وبياخد قد إيه؟", "SHIPPING"),
            ("طلبي وصل لفين؟", "ORDER_STATUS"),
            ("عايز أكلّم حد من خدمة العملاء", "HUMAN"),
        ],
    },
    "en": {
        "greeting": (
            "Hi {{user_first_name}}, welcome to {store}! 🛍️ "
            "Ask us about any product, size, price or order."
        ),
        "menu": {
            "MENU": "🛍️ Browse products",
            "CART": "🛒 My cart",
            "ORDERS": "📦 My orders",
            "HUMAN": "🙋 Talk to a person",
        },
        "site": "🌐 Visit our website",
        "ice_breakers": [
            ("Show me your products", "SEARCH"),
            ("How much is shipping and how long?", "SHIPPING"),
            ("Where is my order?", "ORDER_STATUS"),
            ("I'd like to talk to a person", "HUMAN"),
        ],
    },
}


def build_profile(
    lang_texts: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    store_name: str | Mapping[str, str] = "Dukkan",
    site_url: str = "",
    ice_breakers: bool = True,
) -> dict[str, Any]:
    """Build the Messenger Profile API body.

    Args:
        lang_texts: per language (``ar``, ``en``) overrides of :data:`DEFAULT_TEXTS` keys
            ``greeting``, ``menu`` (payload -> title), ``site`` and ``ice_breakers``
            (``[(question, payload), ...]``).
        store_name: replaces ``{store}`` in the texts: one name, or one per language
            (``{"ar": "دولاب", "en": "Dolab"}``, the shop's profile).
        site_url: the store's website; the menu gets a web_url item only when it is set.
        ice_breakers: include ice breakers (they hide the Get Started button).
    """
    texts = {lang: _merged(lang, lang_texts) for lang in LOCALES}
    names = {lang: _name(store_name, lang) for lang in LOCALES}
    body: dict[str, Any] = {
        "get_started": {"payload": "GET_STARTED"},
        "greeting": [_greeting(LOCALES[lang], t, names[lang]) for lang, t in texts.items()],
        "persistent_menu": [_menu(LOCALES[lang], t, names[lang], site_url) for lang, t in texts.items()],
    }
    if ice_breakers:
        body["ice_breakers"] = [_ice_breakers(LOCALES[lang], t, names[lang]) for lang, t in texts.items()]
    return body


def _name(store_name: str | Mapping[str, str], lang: str) -> str:
    """The shop's name in ``lang`` (the other language's when it has none)."""
    if isinstance(store_name, str):
        return store_name
    return store_name.get(lang) or next((name for name in store_name.values() if name), "Dukkan")


def apply_profile(sender: GraphSender, body: Mapping[str, Any]) -> SendResult:
    """POST ``body`` to ``{graph_base}/me/messenger_profile`` with the Page token."""
    return sender.post("me/messenger_profile", dict(body), platform="messenger")


def _merged(lang: str, lang_texts: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """The default texts of ``lang`` with the caller's overrides on top."""
    texts = dict(DEFAULT_TEXTS[lang])
    texts.update((lang_texts or {}).get(lang, {}))
    return texts


def _fill(text: str, store_name: str, limit: int) -> str:
    """Put the store name in and clip to ``limit`` characters (with an ellipsis)."""
    text = text.replace("{{store}}", store_name).replace("{store}", store_name)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _greeting(locale: str, texts: Mapping[str, Any], store_name: str) -> dict[str, str]:
    return {"locale": locale, "text": _fill(texts["greeting"], store_name, GREETING_MAX)}


def _menu(locale: str, texts: Mapping[str, Any], store_name: str, site_url: str) -> dict[str, Any]:
    """One locale's persistent menu: the postbacks, then the website link when known."""
    items: list[dict[str, str]] = [
        {"type": "postback", "title": _fill(title, store_name, MENU_TITLE_MAX), "payload": payload}
        for payload, title in texts["menu"].items()
    ]
    if site_url:
        title = _fill(texts["site"], store_name, MENU_TITLE_MAX)
        items.append({"type": "web_url", "title": title, "url": site_url, "webview_height_ratio": "full"})
    return {"locale": locale, "composer_input_disabled": False, "call_to_actions": items[:MENU_ITEMS_MAX]}


def _ice_breakers(locale: str, texts: Mapping[str, Any], store_name: str) -> dict[str, Any]:
    questions = [
        {"question": _fill(question, store_name, QUESTION_MAX), "payload": payload}
        for question, payload in list(texts["ice_breakers"])[:ICE_BREAKERS_MAX]
    ]
    return {"locale": locale, "call_to_actions": questions}


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m bot messenger-profile``."""
    parser.add_argument("--dry-run", action="store_true", help="print the profile JSON; send nothing")
    parser.add_argument(
        "--store-name", default="", help="store name shown in the greeting (default: the shop's profile)"
    )
    parser.add_argument(
        "--site-url", default="",
        help="store website for the menu (default: the website of STORE_PROFILE, else PUBLIC_BASE_URL if https)",
    )
    parser.add_argument(
        "--no-ice-breakers", action="store_true", help="leave ice breakers out (show Get Started)"
    )


def run(
    args: argparse.Namespace,
    *,
    settings: Settings | None = None,
    sender: GraphSender | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print (``--dry-run``) or apply the Messenger profile; return the exit status."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        settings = settings or Settings.from_env()
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        return 2
    try:
        info = _shop(settings)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        return 2
    body = build_profile(
        store_name=args.store_name or {"ar": info.name_ar, "en": info.name_en},
        site_url=_site_url(args.site_url, settings, info.website),
        ice_breakers=not args.no_ice_breakers,
    )
    if args.dry_run:
        print(json.dumps(body, ensure_ascii=False, indent=2), file=out)
        return 0
    if not settings.messenger_page_access_token:
        print("MESSENGER_PAGE_ACCESS_TOKEN is required to set the Messenger profile", file=err)
        return 2
    result = apply_profile(sender or GraphSender(settings), body)
    if result.ok:
        print("Messenger profile updated (Page-level changes can take up to 24 hours to show).", file=out)
        return 0
    print(f"Messenger profile not updated: {result.error}", file=err)
    return 1


def _shop(settings: Settings) -> Any:
    """The shop's information from its profile (STORE_PROFILE, else the demo shop's)."""
    from bot.store import profile_info

    return profile_info(settings)


def _site_url(given: str, settings: Settings, website: str = "") -> str:
    """The website for the menu: ``--site-url``, else the website of the shop's own profile
    (STORE_PROFILE; the demo shop's is an example address), else PUBLIC_BASE_URL when it is https."""
    if given:
        return given
    if website and getattr(settings, "store_profile", ""):
        return website
    return settings.public_base_url if settings.public_base_url.startswith("https://") else ""
