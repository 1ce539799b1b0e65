"""``RiskScores``: late-delivery risk per supplier and supply lane.

Produced by the GNN risk model (or any baseline) and consumed by the replenishment
planner to widen lead-time uncertainty. Kept free of torch so consumers stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed


@dataclass(frozen=True)
class RiskScores:
    """One row per scored entity.

    ``frame`` columns: ``entity_type`` (``supplier`` or ``supply_lane``), ``supplier_id``,
    ``warehouse_id`` and ``sku_id`` (empty strings for suppliers), ``late_probability``
    in [0, 1] (that the next delivery is late), ``expected_delay_days`` (>= 0, the
    unconditional expected delay of the next delivery), ``model``.
    """

    frame: pd.DataFrame

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "entity_type",
        "supplier_id",
        "warehouse_id",
        "sku_id",
        "late_probability",
        "expected_delay_days",
        "model",
    )

    def __post_init__(self) -> None:
        missing = [c for c in self.COLUMNS if c not in self.frame.columns]
        if missing:
            raise ValidationFailed(
                [Problem(f"risk.{c}", "missing column") for c in missing], "risk scores"
            )
        p = self.frame["late_probability"].to_numpy(dtype=float)
        d = self.frame["expected_delay_days"].to_numpy(dtype=float)
        problems = []
        if not (np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()):
            problems.append(Problem("risk.late_probability", "must be within [0, 1]"))
        if not (np.isfinite(d).all() and (d >= 0).all()):
            problems.append(Problem("risk.expected_delay_days", "must be finite and >= 0"))
        if problems:
            raise ValidationFailed(problems, "risk scores")

    def for_lane(self, supplier_id: str, warehouse_id: str, sku_id: str) -> tuple[float, float]:
        """(late probability, expected delay days) of a lane, else its supplier's, else 0."""
        f = self.frame
        lane = f[
            (f["entity_type"] == "supply_lane")
            & (f["supplier_id"] == supplier_id)
            & (f["warehouse_id"] == warehouse_id)
            & (f["sku_id"] == sku_id)
        ]
        if lane.empty:
            lane = f[(f["entity_type"] == "supplier") & (f["supplier_id"] == supplier_id)]
        if lane.empty:
            return 0.0, 0.0
        row = lane.iloc[0]
        return float(row["late_probability"]), float(row["expected_delay_days"])
