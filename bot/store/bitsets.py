"""Sets of catalog positions as Python integers (bit ``i`` set: product ``i`` is in the set).

Intersections, unions and counts over 100,000 products are then a few C-level word operations
instead of hashing every member, which keeps a search's p95 well under 20 ms at that size.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

__all__ = ["mask_of", "positions", "lowest", "PriceIndex"]


def mask_of(found: Iterable[int], size: int) -> int:
    """The set of ``found`` positions (each below ``size``) as an integer."""
    buffer = bytearray((size + 7) // 8)
    for position in found:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


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

    def __init__(self, prices: Sequence[int], block: int = 512) -> None:
        self.size = len(prices)
        self.order = sorted(range(self.size), key=prices.__getitem__)
        self.sorted = [prices[i] for i in self.order]
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
