"""What a recommendation request answers: ranked items, each with a reason and its numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Use = Literal["substitute", "listing", "alternate-supplier"]
USES: tuple[str, ...] = get_args(Use)
DATED_USES = frozenset({"substitute"})
"""Uses whose answer depends on the need date (a substitute must be on the shelf then);
a listing or an alternate supplier is the same on any date."""


@dataclass(frozen=True)
class Recommendation:
    """One recommended SKU (and, for ``alternate-supplier``, the supplier to buy it from).

    ``score`` is comparable within one response only; ``numbers`` are the figures the
    ``reason`` quotes (similarity, units on the shelf, risk, lead time, cost...).
    """

    sku_id: str
    score: float
    reason: str
    supplier_id: str = ""
    numbers: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendations:
    """A ranked answer; ``fallback`` is set when the model could not answer for this id
    and category popularity did instead (``note`` says why)."""

    use: Use
    sku_id: str
    store_id: str
    need_date: dt.date
    model_version: str
    items: tuple[Recommendation, ...]
    fallback: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain values, as the CLI prints them."""
        return {
            "use": self.use,
            "sku_id": self.sku_id,
            "store_id": self.store_id,
            "need_date": self.need_date.isoformat(),
            "model_version": self.model_version,
            "fallback": self.fallback,
            "note": self.note,
            "items": [
                {
                    "sku_id": r.sku_id,
                    "supplier_id": r.supplier_id,
                    "score": r.score,
                    "reason": r.reason,
                    "numbers": dict(r.numbers),
                }
                for r in self.items
            ],
        }
