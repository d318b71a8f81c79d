"""Position sets as integers (bot/store/bitsets.py): built from positions, read back, priced ranges."""

from __future__ import annotations

import random

import numpy as np

from bot.store.bitsets import PriceIndex, lowest, mask_of, positions


def test_a_set_reads_back_as_its_positions() -> None:
    rng = random.Random(3)
    for size in (0, 1, 7, 8, 9, 1000):
        found = sorted(rng.sample(range(size), size // 3))
        mask = mask_of(found, size)
        assert positions(mask) == found == positions(mask_of(np.array(found, dtype=np.intp), size))
        assert lowest(mask, 2) == found[:2] and mask.bit_count() == len(found)


def test_price_ranges_are_the_products_in_them() -> None:
    rng = random.Random(5)
    prices = [rng.choice((99, 150, 199, 250, 499, 999, 1500)) for _ in range(1000)]
    index = PriceIndex(prices, block=64)
    for low, high in ((None, None), (None, 199), (200, None), (150, 499), (500, 998), (2000, None), (199, 199)):
        expected = [i for i, price in enumerate(prices)
                    if (low is None or price >= low) and (high is None or price <= high)]
        assert positions(index.between(low, high)) == expected
