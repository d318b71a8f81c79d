"""The product-file backend (``STORE_BACKEND=file``): the catalog from a CSV, XLSX or JSON file.

A shop with no store API keeps its catalog in a spreadsheet, or in the feed it already uploads to
Meta Commerce Manager; ``CATALOG_PATH`` points at it. The layouts and how feed variants become
products are in ``bot/store/file_layouts.py``; this module reads the file and keeps it current:

* **Formats.** ``.csv``/``.tsv``/``.txt``: the standard ``csv`` module, UTF-8 with or without
  Excel's BOM (``utf-8-sig``; a file Excel saved as "CSV" on an Arabic Windows, Windows-1256, is
  read too), the delimiter (``,``, ``;`` or a tab) sniffed from the header line. ``.xlsx``:
  openpyxl in read-only mode, the first sheet, the first non-empty row as the header.
  ``.json``: the demo catalog's layout, ``{"products": [...], "categories": [...]}`` (or a bare
  list of products).
* **Row numbers** are the ones a spreadsheet shows: the header is row 1 (in XLSX, the sheet's own
  row numbers; in JSON, product *n* of the list is row *n*).
* **Reloading.** :meth:`FileBackend.changed` compares the file's ``stat`` (modification time in
  nanoseconds, size, inode, change time) with the one last read; the :class:`~bot.store.Store`
  asks at most every ``change_check_s`` seconds on the snapshot path of a customer's request (no
  polling thread), and reloads off the customer's turn like any expired snapshot. A file that
  changed while it was read is read again at the next check.
* **Failures.** Bad rows are skipped and reported (log lines; ``python -m bot check-config``). A
  file that cannot be read at all (gone, unreadable, not a table, no usable product) raises
  :class:`~bot.errors.StoreUnavailable`: the store keeps serving the last good catalog, marked
  stale, and :meth:`FileBackend.status` says why; the same unreadable file is not read again until
  it changes.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import StoreUnavailable
from bot.store.catalog import LocalBackend
from bot.store.file_layouts import DUKKAN, META, Mapped, column_key, detect_layout, dukkan_columns, map_rows
from bot.store.info import StoreInfo
from bot.store.product import Category, Product

__all__ = ["CatalogFileError", "FileBackend", "read_catalog", "read_table"]

log = logging.getLogger(__name__)
LOGGED_PROBLEMS = 50          # bad rows logged one a line per load; the rest are counted
STATUS_PROBLEMS = 20          # bad rows the status (console) lists
REREAD_S = 24 * 3600.0        # an unchanged file is read again once a day all the same


class CatalogFileError(StoreUnavailable):
    """The catalog file cannot be read at all (its rows' problems are :class:`Problem` lines)."""


@dataclass(frozen=True)
class Table:
    """A file's cells: ``rows`` as (row number, header key → value), and the file's own sections."""

    keys: tuple[str, ...]
    rows: list[tuple[int, dict[str, Any]]]
    kind: str
    categories: tuple[Mapping[str, Any], ...] = ()


def read_catalog(path: str | Path, base_url: str, now: float | None = None) -> Mapped:
    """The products of the catalog file at ``path`` and its rows' problems.

    Raises:
        CatalogFileError: the file cannot be read, is not a table Dukkan knows, or gives no product.
    """
    table = read_table(Path(path))
    layout = detect_layout(table.keys)
    if layout is None:
        shown = ", ".join(key for key in table.keys if key)[:200] or "none"
        raise CatalogFileError(
            f"{Path(path).name}: the header has no product name column: expected Meta's catalog feed (id, title,"
            f" availability, price, ...) or Dukkan's layout (id, name_ar/name_en, price, ...); found: {shown}")
    rows = table.rows
    if layout == DUKKAN:
        names = dukkan_columns(table.keys)
        rows = [(number, {names[key]: value for key, value in row.items() if key in names}) for number, row in rows]
    mapped = map_rows(rows, layout, base_url, time.time() if now is None else now, table.categories)
    if not mapped.products:
        reason = f"; {mapped.problems[0]}" if mapped.problems else ""
        raise CatalogFileError(f"{Path(path).name}: no product could be read from {len(rows)} rows{reason}")
    return mapped


def read_table(path: Path) -> Table:
    """The header and rows of a CSV, XLSX or JSON file.

    Raises:
        CatalogFileError: the file is missing, unreadable or not in its format.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return _xlsx(path)
        data = path.read_bytes()
    except OSError as error:
        raise CatalogFileError(f"{path.name} cannot be read: {error.strerror or error}") from error
    if suffix == ".json":
        return _json(data, path.name)
    return _csv(data, path.name)


def _csv(data: bytes, name: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1256")     # Excel's "CSV" (not "CSV UTF-8") on an Arabic Windows
        except UnicodeDecodeError as error:
            raise CatalogFileError(f"{name} is not text in UTF-8: save it as \"CSV UTF-8\"") from error
    if "\x00" in text:
        raise CatalogFileError(f"{name} is not a CSV file (it holds binary data)")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for number, cells in enumerate(reader, 1):
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [column_key(cell) for cell in cells]
                continue
            rows.append((number, _row(header, cells)))
    except csv.Error as error:
        raise CatalogFileError(f"{name} is not a well-formed CSV file: {error}") from error
    if header is None:
        raise CatalogFileError(f"{name} is empty")
    return Table(tuple(header), rows, "csv")


def _xlsx(path: Path) -> Table:
    # imported when a shop uses XLSX; its stubs (types-openpyxl) are not a dependency
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise CatalogFileError(f"{path.name} cannot be read: {error.strerror or error}") from error
    except Exception as error:                 # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors
        raise CatalogFileError(f"{path.name} is not an Excel workbook (.xlsx): {type(error).__name__}") from error
    try:
        if not book.worksheets:
            raise CatalogFileError(f"{path.name} has no sheet")
        header: list[str] | None = None
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, cells in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            if not any(cell is not None and str(cell).strip() for cell in cells):
                continue
            if header is None:
                header = [column_key(cell) for cell in cells]
                continue
            rows.append((number, _row(header, cells)))
    except CatalogFileError:
        raise
    except Exception as error:
        raise CatalogFileError(f"{path.name} could not be read to the end: {type(error).__name__}") from error
    finally:
        book.close()
    if header is None:
        raise CatalogFileError(f"{path.name} is empty")
    return Table(tuple(header), rows, "xlsx")


def _json(data: bytes, name: str) -> Table:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise CatalogFileError(f"{name} is not valid JSON: {error}") from error
    products = document.get("products") if isinstance(document, dict) else document
    if not isinstance(products, list):
        raise CatalogFileError(f'{name} has no "products" list (the layout of the demo catalog file)')
    categories = document.get("categories", []) if isinstance(document, dict) else []
    keys: dict[str, None] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, product in enumerate(products, 1):
        row = {column_key(key): value for key, value in product.items()} if isinstance(product, dict) else {}
        keys.update(dict.fromkeys(row))
        rows.append((number, row))
    return Table(tuple(keys), rows, "json", tuple(c for c in categories if isinstance(c, dict)))


def _row(header: list[str], cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in zip(header, cells, strict=False):  # a short row leaves the last columns empty
        if key and key not in row:
            row[key] = value
    for key in header[len(cells):]:          # a short row: its last cells are empty
        if key:
            row.setdefault(key, None)
    return row


# ---- the backend --------------------------------------------------------------------------------


class FileBackend(LocalBackend):
    """The catalog file behind :class:`~bot.store.Store`; reloaded when the file changes.

    ``info`` is what the shop tells customers (shipping, payment, policies): the bundled store
    terms until a store profile exists. Thread-safe: loads run on the store's refresh thread while
    customers' requests ask :meth:`changed`.
    """

    name = "file"

    def __init__(self, path: str | Path, public_base_url: str, info: StoreInfo,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path).expanduser()
        self._base = public_base_url.rstrip("/")
        self._info = info
        self._clock = clock
        self._lock = threading.Lock()
        self._read: tuple[int, ...] | None = None      # the stat of the file as last read, good or not
        self._read_at = -math.inf
        self._report: Mapped | None = None             # the last good read
        self._loaded_at: float | None = None
        self._error: str | None = None                 # why the last read failed (None after a good one)
        self._failed_at: float | None = None
        self.loads = 0

    def signature(self) -> tuple[int, ...] | None:
        """The file's identity and version as ``stat`` tells them; None when it cannot be stat'ed."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)

    def changed(self) -> bool:
        """True when the file is not the one last read (or a day has passed since a good read)."""
        with self._lock:
            read, read_at, good = self._read, self._read_at, self._error is None
        if good and self._clock() - read_at >= REREAD_S:
            return True
        return self.signature() != read

    def load(self) -> tuple[list[Product], list[Category]]:
        """Read the file.

        Raises:
            CatalogFileError: it cannot be read at all; the last good catalog stays in use.
        """
        before = self.signature()
        with self._lock:
            self.loads += 1
            self._read, self._read_at = before, self._clock()
        try:
            if before is None:
                raise CatalogFileError(f"{self.path.name} cannot be read: it does not exist (CATALOG_PATH={self.path})")
            try:
                mapped = read_catalog(self.path, self._base, self._clock())
            except CatalogFileError:
                raise
            except Exception as error:         # never a crash: the last good catalog keeps answering
                log.exception("catalog file %s could not be read", self.path)
                raise CatalogFileError(f"{self.path.name} could not be read ({type(error).__name__})") from error
            if self.signature() != before:                 # written while we read: read it again next time
                with self._lock:
                    self._read = None
                raise CatalogFileError(f"{self.path.name} changed while it was read; it is read again shortly")
        except CatalogFileError as error:
            with self._lock:
                self._error, self._failed_at = str(error), self._clock()
                serving = self._report is not None
            log.error("catalog file %s: %s%s", self.path, error,
                      "; still serving the last good catalog" if serving else "")
            raise
        with self._lock:
            self._report, self._loaded_at, self._error, self._failed_at = mapped, self._clock(), None, None
        _log_read(self.path, mapped)
        return mapped.products, mapped.categories

    def status(self) -> dict[str, Any]:
        """The file, what its last good read gave, and why the last read failed, for the console."""
        with self._lock:
            report, error, loaded_at, failed_at = self._report, self._error, self._loaded_at, self._failed_at
        file: dict[str, Any] = {
            "path": str(self.path),
            "layout": report.layout if report else None,
            "rows": report.rows if report else 0,
            "products": len(report.products) if report else 0,
            "skipped_rows": report.skipped if report else 0,
            "problems": [str(problem) for problem in report.problems[:STATUS_PROBLEMS]] if report else [],
            "loaded_at": loaded_at,
            "error": error,
            "failed_at": failed_at,
            "serving_last_good": bool(error and report),
        }
        return {"api_calls": 0, "limiter": None, "breaker": None, "file": file}

    def report(self) -> Mapped | None:
        """The last good read (products, problems), or None before one."""
        with self._lock:
            return self._report

def _log_read(path: Path, mapped: Mapped) -> None:
    layout = "Meta catalog feed" if mapped.layout == META else "Dukkan layout"
    log.info("catalog file %s: %d products from %d rows (%s), %d rows skipped", path, len(mapped.products),
             mapped.rows, layout, mapped.skipped)
    for problem in mapped.problems[:LOGGED_PROBLEMS]:
        log.warning("catalog file %s: %s", path.name, problem)
    if len(mapped.problems) > LOGGED_PROBLEMS:
        log.warning("catalog file %s: %d more problems (python -m bot check-config lists them all)", path.name,
                    len(mapped.problems) - LOGGED_PROBLEMS)
