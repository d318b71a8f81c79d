"""The shop's profile: one TOML file the owner edits (``STORE_PROFILE``), read once at start-up.

Everything the bot says about the shop comes from it: names and greeting, opening hours and the
hours a person answers, address and branches, contact, shipping zones and the free-shipping
threshold, payment methods, returns, size charts and the FAQ. :func:`load_profile` gives the
:class:`~bot.store.info.StoreInfo` the dialog reads on every backend; without ``STORE_PROFILE``
the demo shop's profile (``data/demo_profile.toml``) is used.

Validation collects every problem before failing, each one line naming the file and the line
(``shop.toml line 12: shipping.zones[2].fee must be a whole number of pounds (got "65")``):
TOML syntax errors carry tomllib's line; schema errors are placed by scanning the text for the
key (``fee =``) or its table (``[[shipping.zones]]``). Unknown keys are reported (with the
nearest known key), required keys checked, types and ranges checked (fees whole pounds, days
min ≤ max, hours like ``10:00-22:00``, one ``other`` zone, unique keys...).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError
from bot.store.faq import FaqEntry, FaqMatcher
from bot.store.hours import DAYS, DEFAULT_TIMEZONE, WeeklyHours, parse_ranges
from bot.store.info import Branch, Governorate, PaymentMethod, StoreInfo

__all__ = ["DEMO_PROFILE", "ProfileError", "load_profile", "parse_profile", "profile_problems"]

DEMO_PROFILE = Path(__file__).resolve().parent / "data" / "demo_profile.toml"

TEXT_MAX = 1000          # an answer fits a WhatsApp interactive body (1,024) with room for its menu
NAME_MAX = 60
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_MOBILE = re.compile(r"^01[0125]\d{8}$")
_URL = re.compile(r"^https?://\S+$")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

SECTIONS = {
    "shop": "the shop's names and greeting",
    "contact": "phone, WhatsApp, email, website and address",
    "branches": "the shop's branches ([[branches]])",
    "hours": "opening hours",
    "handoff_hours": "the hours a person answers the chat",
    "shipping": "free-shipping threshold and zones ([[shipping.zones]])",
    "payment": "payment methods ([[payment]])",
    "returns": "exchange and returns policy",
    "size_chart": "size charts",
    "faq": "questions and answers ([[faq]])",
}
HOURS_KEYS = ("timezone", "daily", *DAYS, "text_ar", "text_en")
ROW_KEYS = frozenset({"size", "eu", "uk", "us", "age_years"})
ROW_SUFFIXES = ("_cm", "_kg", "_in")


class ProfileError(ConfigError):
    """The profile cannot be used; ``problems`` holds one line each, with the file and line."""


def load_profile(path: str | Path | None = None) -> StoreInfo:
    """The shop information of the profile at ``path`` (the demo profile when empty).

    Raises :class:`ProfileError` listing every problem. The same unchanged file is read once.
    """
    path = Path(path) if path else DEMO_PROFILE
    try:
        stat = path.stat()
    except OSError as exc:
        raise ProfileError([f"STORE_PROFILE {path}: cannot be read ({exc.strerror or exc})"]) from None
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> StoreInfo:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ProfileError([f"STORE_PROFILE {path}: cannot be read ({reason or exc})"]) from None
    info, problems = parse_profile(text, path)
    if problems or info is None:
        raise ProfileError(problems or [f"STORE_PROFILE {path}: no shop information"])
    return info


def profile_problems(path: str | Path) -> list[str]:
    """Every problem of the profile at ``path`` (none: it can be used)."""
    try:
        load_profile(path)
    except ProfileError as exc:
        return exc.problems
    return []


def parse_profile(text: str, name: str = "profile") -> tuple[StoreInfo | None, list[str]]:
    """Read and check a profile's text; the info is None when there is any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        where = f"line {found.group(1)}, column {found.group(2)}" if found else ""
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "not valid TOML"
        return None, [f"STORE_PROFILE {name}{' ' + where if where else ''}: not valid TOML: {what}"]
    check = _Check(name, text)
    info = _build(data, check)
    return (None if check.problems else info), check.problems


# ---- building --------------------------------------------------------------------------------


def _build(data: dict[str, Any], check: _Check) -> StoreInfo | None:
    root = _Table(data, (), check)
    root.unknown(SECTIONS)
    shop = root.table("shop", required=True)
    contact = root.table("contact")
    values: dict[str, Any] = {
        "name_ar": shop.text("name_ar", required=True, limit=NAME_MAX),
        "name_en": shop.text("name_en", required=True, limit=NAME_MAX),
        "greeting_ar": shop.text("greeting_ar", limit=TEXT_MAX),
        "greeting_en": shop.text("greeting_en", limit=TEXT_MAX),
        "phone": contact.text("phone"),
        "whatsapp": contact.text("whatsapp"),
        "email": contact.text("email"),
        "website": contact.url("website"),
        "address_ar": contact.text("address_ar", limit=TEXT_MAX),
        "address_en": contact.text("address_en", limit=TEXT_MAX),
    }
    shop.unknown(("name_ar", "name_en", "greeting_ar", "greeting_en"))
    contact.unknown(("phone", "whatsapp", "email", "website", "address_ar", "address_en"))
    for lang in ("ar", "en"):
        greeting = values[f"greeting_{lang}"]
        for field in _PLACEHOLDER.findall(greeting):
            if field != "store":
                shop.problem(f"greeting_{lang}", f"{shop.dotted(f'greeting_{lang}')} may hold {{store}} (the shop's "
                                                 f"name) only, not {{{field}}}")
    values["branches"] = tuple(_branch(row) for row in root.tables("branches"))

    hours = _hours(root, "hours")
    values["opening_hours"] = hours
    if hours is not None:
        values["working_hours_ar"], values["working_hours_en"] = hours.describe("ar"), hours.describe("en")
    values["staff_hours"] = _hours(root, "handoff_hours")

    values.update(_shipping(root.table("shipping", required=True)))
    values["payment_methods"] = _payments(root)
    values.update(_returns(root.table("returns", required=True)))
    values["size_chart"] = _size_chart(root.table("size_chart"))
    values["faq"] = FaqMatcher(tuple(_faq(row) for row in root.tables("faq")))
    if check.problems:
        return None
    governorates = values["governorates"]
    return StoreInfo.from_parts(**values) if governorates else None


def _branch(row: _Table) -> Branch:
    row.unknown(("name_ar", "name_en", "address_ar", "address_en", "phone", "hours_ar", "hours_en", "map_url"))
    return Branch(
        name_ar=row.text("name_ar", required=True, limit=NAME_MAX),
        name_en=row.text("name_en", required=True, limit=NAME_MAX),
        address_ar=row.text("address_ar", required=True, limit=TEXT_MAX),
        address_en=row.text("address_en", required=True, limit=TEXT_MAX),
        phone=row.text("phone"),
        hours_ar=row.text("hours_ar"),
        hours_en=row.text("hours_en"),
        map_url=row.url("map_url"),
    )


def _hours(root: _Table, key: str) -> WeeklyHours | None:
    if key not in root.data:
        return None
    table = root.table(key)
    table.unknown(HOURS_KEYS)
    zone = table.text("timezone") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        table.problem("timezone", f'{table.dotted("timezone")} "{zone}" is not a time zone (like "{DEFAULT_TIMEZONE}")')
        zone = DEFAULT_TIMEZONE
    daily = _ranges(table, "daily")
    days = []
    for day in DAYS:
        ranges = _ranges(table, day)
        if ranges is None:
            ranges = daily
        if ranges is None:
            table.problem(day, f'{table.dotted(day)} is missing: give every weekday (or daily = "10:00-22:00"), '
                               f'a closed day as {day} = "closed"')
            ranges = ()
        days.append((day, ranges))
    return WeeklyHours(tuple(days), zone, table.text("text_ar"), table.text("text_en"))


def _ranges(table: _Table, key: str) -> tuple | None:
    value = table.text(key)
    if not value:
        return None
    try:
        return parse_ranges(value)
    except ValueError as exc:
        table.problem(key, f"{table.dotted(key)}: {exc}")
        return ()


def _shipping(table: _Table) -> dict[str, Any]:
    table.unknown(("free_shipping_from", "note_ar", "note_en", "zones"))
    zones: list[Governorate] = []
    seen: dict[str, int] = {}
    for row in table.tables("zones", required=True):
        row.unknown(("key", "name_ar", "name_en", "fee", "days_min", "days_max", "aliases"))
        key = row.key("key")
        low = row.integer("days_min", required=True, minimum=0, unit="days")
        high = row.integer("days_max", required=True, minimum=0, unit="days")
        if low is not None and high is not None and low > high:
            row.problem("days_min", f"{row.dotted('days_min')} ({low}) is more than days_max ({high})")
        if key in seen:
            row.problem("key", f'{row.dotted("key")} "{key}" is already the key of zone #{seen[key]}')
        seen.setdefault(key, len(zones) + 1)
        zones.append(Governorate(
            key=key,
            name_ar=row.text("name_ar", required=True, limit=NAME_MAX),
            name_en=row.text("name_en", required=True, limit=NAME_MAX),
            fee=row.integer("fee", required=True, minimum=0, unit="pounds") or 0,
            days_min=low or 0,
            days_max=high or 0,
            aliases=tuple(row.texts("aliases")),
        ))
    if table.present("zones") and zones and "other" not in seen:
        table.problem("zones", 'shipping.zones needs a zone with key = "other": the fee and days for every '
                               "governorate that has no zone of its own")
    return {
        "free_shipping_min_order": table.integer("free_shipping_from", minimum=0, unit="pounds") or 0,
        "shipping_note_ar": table.text("note_ar", limit=TEXT_MAX),
        "shipping_note_en": table.text("note_en", limit=TEXT_MAX),
        "governorates": tuple(zones),
    }


def _payments(root: _Table) -> tuple[PaymentMethod, ...]:
    methods = []
    seen: set[str] = set()
    for row in root.tables("payment", required=True):
        row.unknown(("key", "name_ar", "name_en", "details_ar", "details_en", "number", "handle", "link"))
        key = row.key("key")
        if key in seen:
            row.problem("key", f'{row.dotted("key")} "{key}" is already the key of another payment method')
        seen.add(key)
        number = row.text("number")
        if number and not _MOBILE.match(re.sub(r"[\s-]", "", number)):
            row.problem("number", f'{row.dotted("number")} "{number}" is not an 11-digit Egyptian mobile number '
                                  "(010, 011, 012 or 015)")
        fields = {"number": number, "handle": row.text("handle"), "link": row.url("link")}
        details = {}
        for lang in ("ar", "en"):
            given = row.text(f"details_{lang}", limit=TEXT_MAX)
            template = given or _default_details(lang, fields)
            for name in _PLACEHOLDER.findall(template):
                if name not in fields:
                    row.problem(f"details_{lang}", f"{row.dotted(f'details_{lang}')} may hold {{number}}, {{handle}} "
                                                   f"and {{link}}, not {{{name}}}")
                elif not fields[name]:
                    row.problem(f"details_{lang}", f"{row.dotted(f'details_{lang}')} says {{{name}}} but the "
                                                   f"method has no {name} = ...")
            details[lang] = _filled(template, fields)
        methods.append(PaymentMethod(
            key=key,
            name_ar=row.text("name_ar", required=True, limit=NAME_MAX),
            name_en=row.text("name_en", required=True, limit=NAME_MAX),
            details_ar=details["ar"],
            details_en=details["en"],
            number=number,
            handle=fields["handle"],
            link=fields["link"],
        ))
    return tuple(methods)


def _filled(template: str, fields: dict[str, str]) -> str:
    """``template`` with each ``{name}`` replaced by its field; an unknown or empty one stays as written."""
    return _PLACEHOLDER.sub(lambda m: fields.get(m.group(1)) or m.group(0), template)


def _default_details(lang: str, fields: dict[str, str]) -> str:
    """What a method says when the owner wrote no details: how to use its number, handle or link."""
    if fields["number"]:
        return ("حوّل على الرقم {number} وابعتلنا صورة التحويل هنا في الشات." if lang != "en"
                else "Transfer to {number} and send us the receipt here in the chat.")
    if fields["handle"]:
        return ("حوّل على {handle} وابعتلنا صورة التحويل هنا في الشات." if lang != "en"
                else "Send to {handle} and share the receipt here in the chat.")
    if fields["link"]:
        return "ادفع من اللينك ده: {link}" if lang != "en" else "Pay through this link: {link}"
    return ""


def _returns(table: _Table) -> dict[str, Any]:
    table.unknown(("exchange_days", "return_days", "refund_days", "policy_ar", "policy_en", "non_returnable"))
    refund = table.value("refund_days")
    if refund is not None and (isinstance(refund, bool) or not isinstance(refund, (str, int))):
        table.problem("refund_days", f'{table.dotted("refund_days")} must be a number of days or a range like "5-7"')
        refund = ""
    return {
        "exchange_days": table.integer("exchange_days", required=True, minimum=0, unit="days") or 0,
        "return_days": table.integer("return_days", required=True, minimum=0, unit="days") or 0,
        "refund_working_days": str(refund or ""),
        "return_policy_ar": table.text("policy_ar", limit=TEXT_MAX),
        "return_policy_en": table.text("policy_en", limit=TEXT_MAX),
        "non_returnable_items": tuple(table.texts("non_returnable")),
    }


def _size_chart(table: _Table) -> dict[str, Any]:
    chart: dict[str, Any] = {}
    for key, value in table.data.items():
        if key in ("note_ar", "note_en"):
            chart[key] = table.text(key, limit=TEXT_MAX)
        elif isinstance(value, dict):
            chart[key] = _chart_section(table.table(key))
        else:
            table.problem(key, f"{table.dotted(key)} must be a section of charts ([size_chart.{key}]) "
                               "or note_ar / note_en")
    return chart


def _chart_section(section: _Table) -> dict[str, Any]:
    charts: dict[str, Any] = {}
    for key, value in section.data.items():
        if isinstance(value, str):
            charts[key] = value                                 # a note or the size system ("EU")
            continue
        if isinstance(value, dict):                             # [size_chart.kids.shoes] under [size_chart.kids]
            charts[key] = _chart_section(section.table(key))
            continue
        rows = section.tables(key, inline=True)
        if not rows and not isinstance(value, list):
            section.problem(key, f"{section.dotted(key)} must be a list of rows like "
                                 '{ size = "M", chest_cm = [97, 102] } or a text')
            continue
        charts[key] = [_chart_row(row) for row in rows]
    return charts


def _chart_row(row: _Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    size = row.value("size")
    if size is None and "eu" in row.data:
        pass                                                    # a shoe row: its EU number is its size
    elif isinstance(size, bool) or not isinstance(size, (str, int)) or str(size).strip() == "":
        row.problem("size", f'{row.dotted("size")} is required: the size\'s name, like size = "M"')
    else:
        out["size"] = str(size)
    for key, value in row.data.items():
        if key == "size":
            continue
        if key.endswith(ROW_SUFFIXES):
            measure = _measure(row, key, value)
            if measure is not None:
                out[key] = measure
        elif key in ROW_KEYS:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                row.problem(key, f"{row.dotted(key)} must be a text or a number")
            else:
                out[key] = value if isinstance(value, str) else str(value)
        else:
            row.problem(key, f"unknown key {row.dotted(key)}: a row has size, measures ending in _cm or _kg "
                             "(chest_cm = [97, 102]), age_years or eu")
    return out


def _measure(row: _Table, key: str, value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return value
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in value)):
        if value[0] > value[1]:
            row.problem(key, f"{row.dotted(key)} goes from {value[0]} down to {value[1]}: write [low, high]")
            return None
        return list(value)
    row.problem(key, f"{row.dotted(key)} must be a positive number or [low, high] (got {_shown(value)})")
    return None


def _faq(row: _Table) -> FaqEntry:
    row.unknown(("questions_ar", "questions_en", "answer_ar", "answer_en"))
    questions = {}
    for lang in ("ar", "en"):
        found = row.texts(f"questions_{lang}", required=True)
        if row.present(f"questions_{lang}") and not found:
            row.problem(f"questions_{lang}", f"{row.dotted(f'questions_{lang}')} needs at least one wording")
        questions[lang] = tuple(found)
    return FaqEntry(
        questions_ar=questions["ar"],
        questions_en=questions["en"],
        answer_ar=row.text("answer_ar", required=True, limit=TEXT_MAX),
        answer_en=row.text("answer_en", required=True, limit=TEXT_MAX),
    )


# ---- checking --------------------------------------------------------------------------------


class _Check:
    """The problems found so far, and where each key is in the text."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self._found: list[tuple[int, int, str]] = []
        self.lines = _key_lines(text)

    @property
    def problems(self) -> list[str]:
        """Every problem, in the order of the file's lines."""
        return [message for _, _, message in sorted(self._found)]

    def add(self, path: tuple, message: str) -> None:
        line = self.line(path)
        where = f"STORE_PROFILE {self.name}" + (f" line {line}" if line else "")
        self._found.append((line or 0, len(self._found), f"{where}: {message}"))

    def line(self, path: tuple) -> int | None:
        """The line of ``path`` or, when it is not written, of the nearest table that holds it."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(tuple(path[:end]))
            if found:
                return found
        return None


class _Table:
    """One TOML table being read: typed getters that report what is wrong, where."""

    def __init__(self, data: Any, path: tuple, check: _Check) -> None:
        self.data = data if isinstance(data, dict) else {}
        self.path = path
        self.check = check

    def dotted(self, key: str | None = None) -> str:
        parts: list[str] = []
        for part in (*self.path, *([key] if key is not None else [])):
            if isinstance(part, int):
                parts[-1] += f"[{part + 1}]"
            else:
                parts.append(part)
        return ".".join(parts)

    def problem(self, key: str, message: str) -> None:
        self.check.add((*self.path, key), message)

    def present(self, key: str) -> bool:
        return key in self.data

    def value(self, key: str) -> Any:
        return self.data.get(key)

    def missing(self, key: str, what: str = "") -> None:
        self.problem(key, f"{self.dotted(key)} is required{': ' + what if what else ''}")

    def unknown(self, known: Iterable[str]) -> None:
        known = tuple(known)
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
                self.problem(key, f"unknown key {self.dotted(key)}{hint}")

    def table(self, key: str, required: bool = False) -> _Table:
        value = self.data.get(key)
        if value is None:
            if required:
                what = SECTIONS.get(key, "") if not self.path else ""
                self.problem(key, f"[{self.dotted(key)}] is required{': ' + what if what else ''}")
            return _Table({}, (*self.path, key), self.check)
        if not isinstance(value, dict):
            self.problem(key, f"{self.dotted(key)} must be a table ([{self.dotted(key)}]), not {_kind(value)}")
            return _Table({}, (*self.path, key), self.check)
        return _Table(value, (*self.path, key), self.check)

    def tables(self, key: str, required: bool = False, inline: bool = False) -> list[_Table]:
        value = self.data.get(key)
        header = f"[[{self.dotted(key)}]]"
        if value is None:
            if required:
                what = SECTIONS.get(key, "") if not self.path else ""
                self.problem(key, f"{header} is required{': ' + what if what else ''}")
            return []
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            shape = "a list of { ... } rows" if inline else f"tables written {header}"
            self.problem(key, f"{self.dotted(key)} must be {shape}, not {_kind(value)}")
            return []
        if required and not value:
            self.problem(key, f"{header} needs at least one entry")
        return [_Table(row, (*self.path, key, i), self.check) for i, row in enumerate(value)]

    def text(self, key: str, required: bool = False, limit: int = 0) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return ""
        if not isinstance(value, str):
            self.problem(key, f'{self.dotted(key)} must be a text in quotes, like {key} = "..." (got {_shown(value)})')
            return ""
        value = value.strip()
        if required and not value:
            self.problem(key, f"{self.dotted(key)} is empty")
        if limit and len(value) > limit:
            self.problem(key, f"{self.dotted(key)} is {len(value)} characters long; at most {limit} fit in a message")
        return value

    def texts(self, key: str, required: bool = False) -> list[str]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f'{self.dotted(key)} must be a list of texts, like {key} = ["...", "..."]')
            return []
        return [v.strip() for v in value if v.strip()]

    def integer(self, key: str, required: bool = False, minimum: int = 0, unit: str = "") -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.missing(key)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            what = f"a whole number of {unit}" if unit else "a whole number"
            self.problem(key, f"{self.dotted(key)} must be {what}, like {key} = 65, without quotes "
                              f"(got {_shown(value)})")
            return None
        if value < minimum:
            self.problem(key, f"{self.dotted(key)} must be at least {minimum} (got {value})")
            return None
        return value

    def key(self, key: str) -> str:
        value = self.text(key, required=True)
        if value and not _KEY.match(value):
            self.problem(key, f'{self.dotted(key)} "{value}" must be small English letters, digits and _ '
                              '(like "cairo")')
        return value

    def url(self, key: str) -> str:
        value = self.text(key)
        if value and not _URL.match(value):
            self.problem(key, f'{self.dotted(key)} "{value}" must be a link starting with https://')
        return value


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "a text", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if len(str(value)) <= 40 else _kind(value)


# ---- where keys are --------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(r'^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
                     r'(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\'))*)\s*=')
_STRINGS = re.compile(r'"""|\'\'\'|"(?:[^"\\]|\\.)*"|\'[^\']*\'')


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', dotted))


def _key_lines(text: str) -> dict[tuple, int]:
    """Where each key and table is written: path → first line (1-based).

    Paths are those of the parsed data: ``("shipping", "zones", 2, "fee")`` for the ``fee =`` of
    the third ``[[shipping.zones]]``; rows of an inline list (``tops = [ {...}, {...} ]``) get
    ``(..., "tops", i)`` when each starts its own line. Multi-line strings are skipped.
    """
    lines: dict[tuple, int] = {}
    table: tuple = ()
    counts: dict[tuple, int] = {}
    open_string = ""                  # the delimiter of a multi-line string we are in
    depth = 0                         # open brackets of a multi-line array or inline table
    array: tuple | None = None        # the key whose multi-line array we are in
    rows = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw
        if open_string:
            if open_string in line:
                line = line.split(open_string, 1)[1]
                open_string = ""
            else:
                continue
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                path = _parts(header.group(2))
                if header.group(1) == "[[":
                    counts[path] = counts.get(path, 0) + 1
                    table = (*path, counts[path] - 1)
                    lines.setdefault(path, number)
                else:
                    table = path
                lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                key = (*table, *_parts(assign.group(1)))
                lines.setdefault(key, number)
                array, rows = key, 0
        elif array is not None and line.lstrip().startswith("{") and depth == 1:
            lines.setdefault((*array, rows), number)
            rows += 1
        triple = ""
        for found in _STRINGS.finditer(line):
            if found.group(0) in ('"""', "'''"):
                triple = "" if triple == found.group(0) else (triple or found.group(0))
        open_string = triple
        code = _STRINGS.sub('""', line).split("#", 1)[0]
        depth = max(0, depth + code.count("[") + code.count("{") - code.count("]") - code.count("}"))
        if depth == 0:
            array = None
    return lines
