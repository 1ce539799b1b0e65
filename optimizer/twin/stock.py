"""Stock that ages: units per position and remaining shelf life, sold first in first out.

Column ``r`` of a stock matrix holds units that may still be sold on ``r`` more days
after today; the last column holds durable units, which never age. Each morning every
perishable column moves one to the left and what was in column 0 expires. Sales and
shipments take the units closest to expiry first (FIFO for a single shelf life), and a
shipment carries its units' remaining lives to the receiving position.
"""

from __future__ import annotations

import numpy as np

from supplynet.optimizer.twin.world import FloatArray


def life_columns(shelf_life: FloatArray) -> int:
    """Columns a stock matrix needs: the longest finite shelf life plus the durable column."""
    finite = shelf_life[np.isfinite(shelf_life)]
    return int(finite.max()) + 1 if len(finite) else 1


def arrival_column(shelf_life: FloatArray, columns: int) -> np.ndarray:
    """Column where fresh units of each position land: ``life - 1``, or durable (last)."""
    fresh = np.where(np.isfinite(shelf_life), shelf_life - 1, columns - 1)
    return np.clip(fresh, 0, columns - 1).astype(np.int64)


def age(stock: FloatArray, perishable: np.ndarray, days: int = 1) -> FloatArray:
    """Move perishable rows ``days`` columns left in place; return the expired units per row."""
    expired = np.zeros(stock.shape[0])
    if days <= 0:
        return expired
    rows = np.flatnonzero(perishable)
    block = stock[rows, :-1]
    expired[rows] = block[:, :days].sum(axis=1)
    shifted = np.zeros_like(block)
    shifted[:, : max(0, block.shape[1] - days)] = block[:, days:]
    stock[rows, :-1] = shifted
    return expired


def take(stock: FloatArray, quantity: FloatArray) -> FloatArray:
    """Units to remove per row and column to take ``quantity`` (at most on hand), oldest first."""
    before = np.cumsum(stock, axis=1) - stock
    return np.clip(quantity[:, None] - before, 0.0, stock)
