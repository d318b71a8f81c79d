"""Weekly opening hours: is the shop open at a moment, until when, and when it opens next.

A week is one entry a weekday (``sat`` … ``fri``), each a tuple of ``(start, end)`` minutes after
midnight, local time of ``timezone`` (``Africa/Cairo`` unless the profile says otherwise). A range
may run past midnight (``18:00-02:00``: the end is on the next day). Moments are epoch seconds,
so a test injects a clock and nothing here reads the time itself.

:meth:`WeeklyHours.describe` says the week the way a person would ("يوميًا من ١٠ الصبح لـ ١٠
بالليل ما عدا الجمعة", "Daily 10 am to 10 pm except Friday"), and :func:`clock_time` one time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

__all__ = ["DAYS", "DEFAULT_TIMEZONE", "WeeklyHours", "clock_time", "day_key", "day_name", "parse_ranges"]

DEFAULT_TIMEZONE = "Africa/Cairo"
# The Egyptian week starts on Saturday; Python's weekday() is Monday = 0.
DAYS = ("sat", "sun", "mon", "tue", "wed", "thu", "fri")
_PY_WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_NAMES = {
    "ar": {"sat": "السبت", "sun": "الأحد", "mon": "الإثنين", "tue": "الثلاثاء", "wed": "الأربعاء",
           "thu": "الخميس", "fri": "الجمعة"},
    "en": {"sat": "Saturday", "sun": "Sunday", "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday",
           "thu": "Thursday", "fri": "Friday"},
}
_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
CLOSED = ("closed", "off", "مقفول", "اجازة", "إجازة")

Ranges = tuple[tuple[int, int], ...]


def parse_ranges(value: str) -> Ranges:
    """``"10:00-22:00"``, ``"10:00-14:00, 17:00-23:00"`` or ``"closed"`` as minute ranges.

    Raises ValueError with a sentence for the owner when the value is not one of those shapes.
    ``24:00`` is accepted as an end (midnight); an end before its start runs past midnight.
    """
    text = value.strip().lower()
    if text in CLOSED:
        return ()
    if text in ("24h", "24 hours", "24/7", "00:00-24:00"):
        return ((0, 24 * 60),)
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(f'"{part.strip()}" is not a time range like "10:00-22:00" (or write "closed")')
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f'"{part.strip()}" has an hour or minute out of range (00:00 to 24:00)')
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == end:
            raise ValueError(f'"{part.strip()}" starts and ends at the same time')
        ranges.append((start, end))
    ranges.sort()
    for (s1, e1), (s2, _) in pairwise(ranges):
        if e1 > s2 and e1 > s1:  # overlapping ranges on one day (ranges past midnight are not compared)
            raise ValueError(f'the time ranges "{value.strip()}" overlap')
    return tuple(ranges)


@dataclass(frozen=True)
class WeeklyHours:
    """Opening ranges per weekday, in ``timezone``; ``text_ar``/``text_en`` say them when given."""

    days: tuple[tuple[str, Ranges], ...]
    timezone: str = DEFAULT_TIMEZONE
    text_ar: str = ""
    text_en: str = ""

    @cached_property
    def _by_day(self) -> dict[str, Ranges]:
        found = dict(self.days)
        return {day: found.get(day, ()) for day in DAYS}

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ranges(self, day: str) -> Ranges:
        return self._by_day[day]

    # ---- now --------------------------------------------------------------------------------

    def local(self, at: float) -> datetime:
        """The wall-clock time at epoch ``at`` in the shop's time zone (naive)."""
        return datetime.fromtimestamp(at, self._zone).replace(tzinfo=None)

    def _spans(self, moment: datetime) -> list[tuple[datetime, datetime]]:
        """Every open span from the day before ``moment`` to eight days after, merged, in order."""
        midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        spans: list[tuple[datetime, datetime]] = []
        for offset in range(-1, 9):
            day_start = midnight + timedelta(days=offset)
            day = day_key(day_start)
            for opens, closes in self._by_day[day]:
                closes = closes if closes > opens else closes + 24 * 60
                spans.append((day_start + timedelta(minutes=opens), day_start + timedelta(minutes=closes)))
        spans.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def is_open(self, at: float) -> bool:
        return self.open_until(at) is not None

    def open_until(self, at: float) -> datetime | None:
        """When the current open span ends (local time), or None when closed at ``at``."""
        moment = self.local(at)
        for start, end in self._spans(moment):
            if start <= moment < end:
                return end
        return None

    def next_opening(self, at: float) -> datetime | None:
        """The next local time the shop opens after ``at`` (None for a week with no hours)."""
        moment = self.local(at)
        return next((start for start, _ in self._spans(moment) if start > moment), None)

    @property
    def always_closed(self) -> bool:
        return not any(self._by_day.values())

    # ---- words ------------------------------------------------------------------------------

    def describe(self, lang: str = "ar") -> str:
        """The week in one line, as the owner wrote it (``text_*``) or said from the ranges."""
        given = self.text_en if lang == "en" else self.text_ar
        if given:
            return given
        if self.always_closed:
            return "مقفول" if lang != "en" else "closed"
        groups: list[tuple[list[str], Ranges]] = []
        for day in DAYS:
            ranges = self._by_day[day]
            if groups and groups[-1][1] == ranges:
                groups[-1][0].append(day)
            else:
                groups.append(([day], ranges))
        distinct = {ranges for _, ranges in groups}
        if len(distinct) == 1:
            return _daily(lang, groups[0][1])
        counts = {ranges: sum(len(days) for days, r in groups if r == ranges) for ranges in distinct}
        usual = max(counts, key=lambda r: (counts[r], bool(r)))
        odd = [(day, self._by_day[day]) for day in DAYS if self._by_day[day] != usual]
        if usual and len(odd) == 1 and not odd[0][1]:
            name = day_name(lang, odd[0][0])
            return f"{_daily(lang, usual)} ما عدا {name}" if lang != "en" else f"{_daily(lang, usual)} except {name}"
        parts = [f"{_day_span(lang, days)}: {_ranges_text(lang, ranges)}" for days, ranges in groups]
        return ("، " if lang != "en" else "; ").join(parts)


def day_key(moment: datetime) -> str:
    """``sat`` … ``fri`` for a date."""
    return _BY_WEEKDAY[moment.weekday()]


_BY_WEEKDAY = {number: day for day, number in _PY_WEEKDAY.items()}


def day_name(lang: str, day: str) -> str:
    return _DAY_NAMES["en" if lang == "en" else "ar"][day]


def _daily(lang: str, ranges: Ranges) -> str:
    if not ranges:
        return "مقفول" if lang != "en" else "closed"
    if ranges == ((0, 24 * 60),):
        return "مفتوحين ٢٤ ساعة طول الأسبوع" if lang != "en" else "Open 24 hours, every day"
    return f"يوميًا {_ranges_text(lang, ranges)}" if lang != "en" else f"Daily {_ranges_text(lang, ranges)}"


def _day_span(lang: str, days: list[str]) -> str:
    if len(days) == 1:
        return day_name(lang, days[0])
    first, last = day_name(lang, days[0]), day_name(lang, days[-1])
    return f"من {first} لـ {last}" if lang != "en" else f"{first} to {last}"


def _ranges_text(lang: str, ranges: Ranges) -> str:
    if not ranges:
        return "مقفول" if lang != "en" else "closed"
    if lang == "en":
        return " and ".join(f"{clock_time(lang, s)} to {clock_time(lang, e)}" for s, e in ranges)
    return " و".join(f"من {clock_time(lang, s)} لـ {clock_time(lang, e)}" for s, e in ranges)


def clock_time(lang: str, minutes: int) -> str:
    """A time of day as people say it: "١٠ الصبح", "٢ ونص الضهر", "12 noon", "10:30 pm"."""
    hour, minute = divmod(minutes % (24 * 60), 60)
    twelve = hour % 12 or 12
    if lang == "en":
        if minute == 0 and hour == 0:
            return "midnight"
        if minute == 0 and hour == 12:
            return "noon"
        suffix = "am" if hour < 12 else "pm"
        return f"{twelve} {suffix}" if minute == 0 else f"{twelve}:{minute:02d} {suffix}"
    if 4 <= hour < 12:
        period = "الصبح"
    elif 12 <= hour < 15:
        period = "الضهر"
    elif 15 <= hour < 18:
        period = "العصر"
    else:
        period = "بالليل"
    number = str(twelve).translate(_AR_DIGITS)
    if minute == 0:
        return f"{number} {period}"
    if minute == 30:
        return f"{number} ونص {period}"
    if minute == 15:
        return f"{number} وربع {period}"
    return f"{number}:{minute:02d}".translate(_AR_DIGITS) + f" {period}"
