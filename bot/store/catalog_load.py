"""Loading a whole BWW catalog, page by page in both languages, off any customer's turn.

A catalog of 10,000 products is 100 pages a language at 100 a page: 200 calls, more than three
minutes of a 60/minute budget. So a load

- waits for permits instead of failing (:meth:`BwwClient.catalog_page`: background calls that
  leave a reserve of every minute to live details);
- keeps every page it fetched in the shared map, under the current *cycle* (one pass over the
  catalog, at most ``ttl_s`` old): a load that fails at page 57 resumes at page 57, in this
  process or another, and the processes of one host (or, with Redis, every host) read the pages
  one of them fetched instead of fetching them again; a page being fetched by another process is
  *claimed* (for ``claim_s``), and read once it is there;
- takes the number of pages from the answers themselves: ``total_pages`` (or ``meta.last_page``),
  else ``total`` divided by the products a page really holds (a server that ignores ``page_size``
  and sends 10 a page is paged 10 at a time), else pages until one comes back empty or short;
- reports its progress (``on_progress``) after 1, 2, 4, 8... pages a language, so the store can
  serve a first, partial snapshot within seconds instead of "store down" for minutes.

The API offers no "changed since" filter, so a refresh is a new cycle: the same pages again, at
the background share of the budget, with the last good snapshot answering meanwhile. Products
that move between pages while a cycle runs may be missed until the next one; duplicates are
dropped by id.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tenacity

from bot.errors import StoreError
from bot.store import bww_fields as f

__all__ = ["CatalogLoader", "LoadReport", "pages_in"]

log = logging.getLogger(__name__)
Progress = Callable[[dict[str, list[dict]], int, "int | None"], None]
MAX_PAGES = 2000           # a language; 200,000 products at 100 a page


@dataclass
class LoadReport:
    """What the last (or current) load did, for the console."""

    cycle: str = ""
    started: float = 0.0
    finished: float | None = None
    pages_total: int | None = None      # pages a language, once known
    pages_done: int = 0                 # pages a language read so far (fetched or reused)
    fetched: int = 0                    # calls made by this process for this load
    reused: int = 0                     # pages read from the shared map (resumed, or another process's)
    products: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _NotThereYet(StoreError):
    """A page another process claimed has not been written yet."""


class CatalogLoader:
    """Pages a catalog through ``client.catalog_page`` into ``client.state``; one load at a time per caller."""

    def __init__(self, client: Any, *, languages: tuple[str, ...] = ("ar", "en"), ttl_s: float = 3600.0,
                 claim_s: float = 120.0, poll_s: float = 5.0, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.languages = languages
        self.ttl_s = ttl_s
        self.claim_s = claim_s
        self.poll_s = poll_s
        self._clock = clock
        self._sleep = sleep
        self._owner = uuid.uuid4().hex[:10]
        self.report = LoadReport()

    @property
    def state(self) -> Any:
        return self.client.state

    def load(self, on_progress: Progress | None = None) -> dict[str, list[dict]]:
        """Every product row of the catalog, per language; raises the first page's failure."""
        cycle = self._cycle()
        size = self.client.config.page_size
        report = self.report = LoadReport(cycle=cycle, started=self._clock())
        rows: dict[str, dict[str, dict]] = {lang: {} for lang in self.languages}
        plans: dict[str, int | None] = {}
        done: dict[str, bool] = {lang: False for lang in self.languages}
        deferred: list[tuple[str, int]] = []
        first_len: dict[str, int] = {}
        number = 0
        try:
            while not all(done.values()) and number < MAX_PAGES:
                number += 1
                for lang in self.languages:
                    if done[lang]:
                        continue
                    data = self._page(cycle, lang, number, size, claim=number > 1)
                    if data is None:
                        deferred.append((lang, number))
                        planned = plans.get(lang)
                        done[lang] = planned is not None and number >= planned
                        continue
                    products = data["products"]
                    _keep(rows[lang], products)
                    if number == 1:
                        first_len[lang] = len(products)
                        plans[lang] = pages_in(data)
                    plan = plans.get(lang)
                    done[lang] = (number >= plan) if plan is not None else (
                        not products or len(products) < first_len.get(lang, 0))
                report.pages_total = max((p for p in plans.values() if p is not None), default=None)
                report.pages_done = number
                if on_progress is not None and _is_power_of_two(number) and not all(done.values()):
                    on_progress(_rows(rows), number, report.pages_total)
            if number >= MAX_PAGES:
                log.warning("catalog load stopped at %d pages a language (the most it reads)", MAX_PAGES)
            for lang, page in deferred:
                _keep(rows[lang], self._wait_for(cycle, lang, page, size)["products"])
        except StoreError as error:
            report.error = str(error)
            log.warning("catalog load stopped at page %d (pages kept, the next load resumes): %s", number, error)
            raise
        report.finished = self._clock()
        report.products = len(set().union(*(set(r) for r in rows.values())))
        log.info("catalog loaded: %d products, %s pages a language (%d fetched, %d reused) in %.0f s",
                 report.products, report.pages_total, report.fetched, report.reused, report.finished - report.started)
        if self.state.scope == "process":
            self._forget(cycle, number, size)
        return _rows(rows)

    # ---- one page ------------------------------------------------------------------------------

    def _page(self, cycle: str, lang: str, number: int, size: int, *, claim: bool) -> dict | None:
        """The page from the shared map, else fetched; None when another process is fetching it."""
        key = _key(cycle, lang, size, number)
        kept = self._get(key)
        if kept is not None:
            self.report.reused += 1
            return kept
        if claim and not self._claim(key):
            return None
        try:
            data = self.client.catalog_page(lang, number, size)
        except StoreError:
            if claim:
                self._safe(self.state.delete, "claim:" + key)
            raise
        self.report.fetched += 1
        page = {key: data.get(key) for key in ("total", "total_pages", "page_size", "per_page", "last_page",
                                               "meta", "pagination", "page") if key in data}
        page["products"] = [row for row in data["products"] if isinstance(row, dict) and row.get("id") is not None]
        self._set(key, page)
        return page

    def _wait_for(self, cycle: str, lang: str, number: int, size: int) -> dict:
        """A page another process claimed: read it once written (up to ``claim_s``), else fetch it."""
        key = _key(cycle, lang, size, number)

        def read() -> dict:
            found = self._get(key)
            if found is None:
                raise _NotThereYet(key)
            return found

        started = self._clock()
        waiting = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_NotThereYet),
            wait=tenacity.wait_fixed(self.poll_s),
            stop=lambda state: self._clock() - started + self.poll_s > self.claim_s,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            found = waiting(read)
            self.report.reused += 1
            return found
        except _NotThereYet:
            page = self._page(cycle, lang, number, size, claim=False)
            assert page is not None
            return page

    # ---- the shared map ------------------------------------------------------------------------

    def _cycle(self) -> str:
        """The current pass over the catalog: resumed while younger than ``ttl_s`` (the map forgets
        it then), else a new one; when two processes start one together, the first write wins."""
        now = self._clock()
        fresh_id = f"{int(now)}-{uuid.uuid4().hex[:6]}"
        fresh = {"id": fresh_id, "started": now}
        current = self._safe(self.state.get, "cycle")
        if not isinstance(current, dict) or now - float(current.get("started", 0)) >= self.ttl_s:
            self._safe(self.state.add, "cycle", fresh, self.ttl_s)
            current = self._safe(self.state.get, "cycle")
        return str(current["id"]) if isinstance(current, dict) and current.get("id") else fresh_id

    def _claim(self, key: str) -> bool:
        """Claim a page to fetch it; False while another process's claim on it holds."""
        if self._safe(self.state.add, "claim:" + key, self._owner, self.claim_s) is not False:
            return True
        return self._safe(self.state.get, "claim:" + key) in (self._owner, None)

    def _get(self, key: str) -> dict | None:
        found = self._safe(self.state.get, key)
        return found if isinstance(found, dict) and isinstance(found.get("products"), list) else None

    def _set(self, key: str, page: dict) -> None:
        self._safe(self.state.set, key, page, 2 * self.ttl_s)

    def _forget(self, cycle: str, pages: int, size: int) -> None:
        """Drop this process's own copies once the snapshot holds them (no other process needs them)."""
        for lang in self.languages:
            for number in range(1, pages + 1):
                self._safe(self.state.delete, _key(cycle, lang, size, number))

    @staticmethod
    def _safe(action: Callable[..., Any], *args: Any) -> Any:
        try:
            return action(*args)
        except StoreError as error:   # the shared map failing costs pages fetched again, not the load
            log.warning("store shared state unavailable during a catalog load: %s", error)
            return None


def pages_in(data: dict) -> int | None:
    """Pages a language, from a first page: its ``total_pages`` (or ``meta.last_page``), raised to
    ``total`` / products really sent when the server sent fewer a page than asked; None when the
    answer says neither (then pages are read until one comes back empty or short)."""
    meta: dict[str, Any] = next((data[key] for key in ("meta", "pagination") if isinstance(data.get(key), dict)), {})
    pages = _count(data.get("total_pages", data.get("last_page", meta.get("total_pages", meta.get("last_page")))))
    total = _count(data.get("total", meta.get("total")))
    sent = len(data.get("products") or ())
    if total is not None:
        by_total = math.ceil(total / sent) if sent else 1
        pages = max(pages or 0, by_total)
    if pages is not None:
        return max(pages, 1)
    return None


def _count(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    number = f.whole(value)
    return number if number >= 0 and (isinstance(value, (int, float)) or str(value).strip()) else None


def _keep(rows: dict[str, dict], products: list[dict]) -> None:
    for row in products:
        rows.setdefault(str(row.get("id")), row)


def _rows(rows: dict[str, dict[str, dict]]) -> dict[str, list[dict]]:
    return {lang: list(found.values()) for lang, found in rows.items()}


def _key(cycle: str, lang: str, size: int, number: int) -> str:
    return f"page:{cycle}:{lang}:{size}:{number}"


def _is_power_of_two(number: int) -> bool:
    return number & (number - 1) == 0

