"""Sets of catalog positions as Python integers (bit ``i`` set: product ``i`` is in the set).

Intersections, unions and counts over 100,000 products are then a few C-level word operations
instead of hashing every member, which keeps a search's p95 well under 20 ms at that size.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["mask_of", "positions", "lowest", "PriceIndex"]


def mask_of(found: Iterable[int], size: int) -> int:
    """The set of ``found`` positions (each below ``size``) as an integer."""
    flags = np.zeros(size, dtype=bool)
    flags[found if isinstance(found, np.ndarray) else np.fromiter(found, dtype=np.intp)] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def positions(mask: int) -> list[int]:
    """Every position in ``mask``, ascending."""
    bits = bin(mask)[:1:-1]          # bit i at index i
    found: list[int] = []
    at = bits.find("1")
    while at >= 0:
        found.append(at)
        at = bits.find("1", at + 1)
    return found


def lowest(mask: int, count: int) -> list[int]:
    """The ``count`` lowest positions of ``mask``, ascending."""
    found: list[int] = []
    while mask and len(found) < count:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


class PriceIndex:
    """Positions by price, with a prefix mask every ``block`` positions, for price-range masks."""

    def __init__(self, prices: Sequence[int], block: int = 4096) -> None:
        self.size = len(prices)
        order = sorted(range(self.size), key=prices.__getitem__)
        self.sorted = array("d", (prices[i] for i in order))      # compact: 8 bytes a product, not a list of numbers
        self.order = np.array(order, dtype=np.intp)
        self.block = block
        self.prefixes = [0]
        for start in range(0, self.size, block):
            chunk = mask_of(self.order[start:start + block], self.size)
            self.prefixes.append(self.prefixes[-1] | chunk)

    def between(self, low: int | None, high: int | None) -> int:
        """Products priced ``low <= price <= high`` (either bound may be None)."""
        start = bisect_left(self.sorted, low) if low is not None else 0
        end = bisect_right(self.sorted, high) if high is not None else self.size
        if start >= end:
            return 0
        return self._first(end) & ~self._first(start)

    def _first(self, count: int) -> int:
        """The ``count`` cheapest products."""
        blocks, rest = divmod(count, self.block)
        head = self.prefixes[blocks]
        if not rest:
            return head
        start = blocks * self.block
        return head | mask_of(self.order[start:start + rest], self.size)
