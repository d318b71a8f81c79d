"""Store information for the dialog: shipping by governorate, payment, policies, size chart, contact.

Built from the shop's profile (:mod:`bot.store.profile`, the owner's TOML file) by
:meth:`StoreInfo.from_parts`, or from a catalog file's ``store`` section by
:meth:`StoreInfo.from_dict`. Everything is immutable
and thread-safe; :meth:`StoreInfo.governorate` finds a governorate in free customer text
("ساكن في مدينة نصر", "alex", "el mansoura") by whole normalised words, then by typo-tolerant
comparison of word n-grams with rapidfuzz.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from bot.store.faq import FaqMatcher
from bot.store.hours import WeeklyHours
from bot.store.text import tokens

__all__ = ["Branch", "Governorate", "PaymentMethod", "StoreInfo"]

_FUZZY_CUTOFF = 85.0


@dataclass(frozen=True, slots=True)
class Governorate:
    """A shipping zone: fee in EGP and delivery days (working days from confirmation)."""

    key: str
    name_ar: str
    name_en: str
    fee: int
    days_min: int
    days_max: int
    aliases: tuple[str, ...] = ()

    def name(self, lang: str = "ar") -> str:
        return self.name_en if lang == "en" else self.name_ar


@dataclass(frozen=True, slots=True)
class PaymentMethod:
    """One way to pay (``cod``, ``vodafone_cash``, ``instapay``, ``card``), with the wallet number,
    InstaPay handle or payment link it needs (already written into its details)."""

    key: str
    name_ar: str
    name_en: str
    details_ar: str = ""
    details_en: str = ""
    number: str = ""
    handle: str = ""
    link: str = ""

    def name(self, lang: str = "ar") -> str:
        return self.name_en if lang == "en" else self.name_ar

    def details(self, lang: str = "ar") -> str:
        return self.details_en if lang == "en" else self.details_ar


@dataclass(frozen=True, slots=True)
class Branch:
    """A shop customers can walk into."""

    name_ar: str
    name_en: str
    address_ar: str
    address_en: str
    phone: str = ""
    hours_ar: str = ""
    hours_en: str = ""
    map_url: str = ""

    def name(self, lang: str = "ar") -> str:
        return self.name_en if lang == "en" else self.name_ar

    def address(self, lang: str = "ar") -> str:
        return self.address_en if lang == "en" else self.address_ar

    def hours(self, lang: str = "ar") -> str:
        return self.hours_en if lang == "en" else self.hours_ar


@dataclass(frozen=True)
class StoreInfo:
    """What the shop tells customers about itself. Texts come in ``*_ar`` / ``*_en`` pairs."""

    name_ar: str
    name_en: str
    currency: str = "EGP"
    website: str = ""
    phone: str = ""
    whatsapp: str = ""
    email: str = ""
    working_hours_ar: str = ""
    working_hours_en: str = ""
    free_shipping_min_order: int = 0
    shipping_note_ar: str = ""
    shipping_note_en: str = ""
    governorates: tuple[Governorate, ...] = ()
    payment_methods: tuple[PaymentMethod, ...] = ()
    exchange_days: int = 14
    return_days: int = 14
    refund_working_days: str = ""
    return_policy_ar: str = ""
    return_policy_en: str = ""
    non_returnable_items: tuple[str, ...] = ()
    size_chart: Mapping[str, Any] = field(default_factory=dict)
    greeting_ar: str = ""           # the welcome; "{store}" is the shop's name; empty: the bot's own
    greeting_en: str = ""
    address_ar: str = ""
    address_en: str = ""
    branches: tuple[Branch, ...] = ()
    opening_hours: WeeklyHours | None = None
    staff_hours: WeeklyHours | None = None   # when a person answers a hand-off; None: no promise of a time
    faq: FaqMatcher = field(default_factory=FaqMatcher)
    _phrases: tuple[tuple[tuple[str, ...], Governorate], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_dict(cls, store: Mapping[str, Any], **overrides: Any) -> StoreInfo:
        """Build from the catalog file's ``store`` object (README of the demo catalog)."""
        shipping = store.get("shipping", {})
        policies = store.get("policies", {})
        governorates = tuple(_governorate(row) for row in shipping.get("governorates", []))
        values: dict[str, Any] = {
            key: store.get(key, "")
            for key in ("name_ar", "name_en", "website", "phone", "whatsapp", "email",
                        "working_hours_ar", "working_hours_en")
        }
        values.update(
            currency=store.get("currency", "EGP"),
            free_shipping_min_order=int(shipping.get("free_shipping_min_order", 0)),
            shipping_note_ar=shipping.get("note_ar", ""),
            shipping_note_en=shipping.get("note_en", ""),
            governorates=governorates,
            payment_methods=tuple(PaymentMethod(**_pick(row, PaymentMethod))
                                  for row in store.get("payment_methods", [])),
            exchange_days=int(policies.get("exchange_days", 14)),
            return_days=int(policies.get("return_days", 14)),
            refund_working_days=str(policies.get("refund_working_days", "")),
            return_policy_ar=policies.get("return_policy_ar", ""),
            return_policy_en=policies.get("return_policy_en", ""),
            non_returnable_items=tuple(policies.get("non_returnable_items", ())),
            size_chart=store.get("size_chart", {}),
            _phrases=_phrase_table(governorates),
        )
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_parts(cls, **values: Any) -> StoreInfo:
        """Build from ready values (the profile's); the governorate look-up table is made here."""
        return cls(**values, _phrases=_phrase_table(tuple(values.get("governorates", ()))))

    # ---- texts ------------------------------------------------------------------------------

    def greeting(self, lang: str = "ar") -> str:
        """The owner's welcome with the shop's name in, or '' for the bot's own."""
        text = self.greeting_en if lang == "en" else self.greeting_ar
        return text.replace("{store}", self.name(lang)) if text else ""

    def address(self, lang: str = "ar") -> str:
        return self.address_en if lang == "en" else self.address_ar

    def staff_hours_text(self, lang: str = "ar") -> str:
        """The hours to quote on a hand-off: the staff's when the profile has them, else opening hours."""
        return self.staff_hours.describe(lang) if self.staff_hours is not None else self.working_hours(lang)

    def name(self, lang: str = "ar") -> str:
        return self.name_en if lang == "en" else self.name_ar

    def working_hours(self, lang: str = "ar") -> str:
        return self.working_hours_en if lang == "en" else self.working_hours_ar

    def shipping_note(self, lang: str = "ar") -> str:
        return self.shipping_note_en if lang == "en" else self.shipping_note_ar

    def return_policy(self, lang: str = "ar") -> str:
        return self.return_policy_en if lang == "en" else self.return_policy_ar

    def payment(self, key: str) -> PaymentMethod | None:
        return next((method for method in self.payment_methods if method.key == key), None)

    # ---- shipping -----------------------------------------------------------------------------

    def governorate(self, text: str) -> Governorate | None:
        """The governorate named in ``text`` (name, alias or main city; Arabic, English, Franco)."""
        words = tokens(text)
        if not words:
            return None
        exact = self._exact(words)
        return exact if exact is not None else self._fuzzy(words)

    def other_governorate(self) -> Governorate | None:
        """The catch-all row (key ``other``) for governorates without their own fee."""
        return next((row for row in self.governorates if row.key == "other"), None)

    def shipping_fee(self, governorate: Governorate | str | None, order_total: int = 0) -> int:
        """The fee for an order of ``order_total`` EGP: 0 at or above the free-shipping threshold."""
        row = self._row(governorate)
        if self.free_shipping_min_order and order_total >= self.free_shipping_min_order:
            return 0
        return row.fee if row else 0

    def _row(self, governorate: Governorate | str | None) -> Governorate | None:
        if isinstance(governorate, Governorate):
            return governorate
        if governorate:
            for row in self.governorates:
                if row.key == governorate:
                    return row
            found = self.governorate(governorate)
            if found:
                return found
        return self.other_governorate()

    def _exact(self, words: list[str]) -> Governorate | None:
        for phrase, row in self._phrases:            # longest phrases first
            size = len(phrase)
            for start in range(len(words) - size + 1):
                if tuple(words[start:start + size]) == phrase:
                    return row
        return None

    def _fuzzy(self, words: list[str]) -> Governorate | None:
        best: tuple[float, Governorate | None] = (0.0, None)
        grams = {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
        for phrase, row in self._phrases:
            target = " ".join(phrase)
            if len(target) < 4:
                continue
            for gram in grams:
                score = fuzz.ratio(gram, target)
                if score > best[0]:
                    best = (score, row)
        return best[1] if best[0] >= _FUZZY_CUTOFF else None

    # ---- sizes --------------------------------------------------------------------------------

    def suggest_size(
        self, category: str, height_cm: float | None = None, weight_kg: float | None = None, gender: str | None = None
    ) -> str | None:
        """A size from the chart: adults by weight, kids by height; ``None`` when the chart can't tell.

        Between two sizes the larger one wins (the chart's own advice); below or above the chart
        the nearest end is given.
        """
        rows, key, value = self._chart_rows(category, height_cm, weight_kg, gender)
        if not rows or value is None:
            return None
        chosen = rows[0]["size"]
        for row in rows:
            if value >= row[key][0]:
                chosen = row["size"]
        return chosen

    def _chart_rows(
        self, category: str, height_cm: float | None, weight_kg: float | None, gender: str | None
    ) -> tuple[list[dict], str, float | None]:
        chart = self.size_chart
        if category == "kids" or gender in ("boys", "girls"):
            return chart.get("kids", {}).get("clothes", []), "height_cm", height_cm
        if category == "sportswear":
            side = "women" if gender == "women" else "men"
            return chart.get("sportswear", {}).get(side, []), "weight_kg", weight_kg
        side = "women" if (category == "women" or gender == "women") else "men"
        return chart.get(side, {}).get("tops", []), "weight_kg", weight_kg


def _governorate(row: Mapping[str, Any]) -> Governorate:
    return Governorate(
        key=row["key"],
        name_ar=row.get("name_ar", ""),
        name_en=row.get("name_en", ""),
        fee=int(row.get("fee", 0)),
        days_min=int(row.get("delivery_days_min", 0)),
        days_max=int(row.get("delivery_days_max", 0)),
        aliases=tuple(row.get("aliases", ())),
    )


def _phrase_table(governorates: tuple[Governorate, ...]) -> tuple[tuple[tuple[str, ...], Governorate], ...]:
    """Every spelling of every governorate as normalised word tuples, longest first."""
    table: dict[tuple[str, ...], Governorate] = {}
    for row in governorates:
        if row.key == "other":
            continue
        for spelling in (row.name_ar, row.name_en, row.key.replace("_", " "), *row.aliases):
            phrase = tuple(tokens(spelling))
            if phrase:
                table.setdefault(phrase, row)
    return tuple(sorted(table.items(), key=lambda item: -len(" ".join(item[0]))))


def _pick(row: Mapping[str, Any], kind: type) -> dict[str, Any]:
    names = kind.__dataclass_fields__  # type: ignore[attr-defined]
    return {key: value for key, value in row.items() if key in names}


