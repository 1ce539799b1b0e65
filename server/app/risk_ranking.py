"""The one supplier and supply-lane risk ranking, with the model version it came from.

The CLI (``supplynet risk``), the demo and notebook 03 all rank with ``rank_risk``:
most likely late first, then the longer expected delay, then the id, so ties never
depend on row order, and every ranking names its model (a digest of the checkpoint's
bytes), so two rankings that disagree show whether the model or the data differed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from supplynet.gnn.risk_scores import RiskScores

SUPPLIER_COLUMNS = ["supplier_id", "late_probability", "expected_delay_days"]
LANE_COLUMNS = ["supplier_id", "warehouse_id", "sku_id", "late_probability",
                "expected_delay_days"]  # fmt: skip


def model_version(checkpoint: bytes) -> str:
    """A short, stable name of a trained risk model: ``risk-`` and its bytes' digest."""
    return "risk-" + hashlib.blake2b(checkpoint, digest_size=6).hexdigest()


@dataclass(frozen=True)
class RiskRanking:
    """Suppliers and supply lanes, riskiest first, and the model that scored them."""

    model_version: str
    suppliers: pd.DataFrame
    lanes: pd.DataFrame

    @property
    def riskiest_supplier(self) -> str | None:
        return None if self.suppliers.empty else str(self.suppliers["supplier_id"].iloc[0])


def _ranked(frame: pd.DataFrame, columns: list[str], ids: list[str]) -> pd.DataFrame:
    order = ["late_probability", "expected_delay_days", *ids]
    ascending = [False, False, *([True] * len(ids))]
    return frame[columns].sort_values(order, ascending=ascending, ignore_index=True)


def rank_risk(scores: RiskScores, version: str) -> RiskRanking:
    """Rank every scored supplier and supply lane (see the module docstring)."""
    frame = scores.frame
    suppliers = frame[frame["entity_type"] == "supplier"]
    lanes = frame[frame["entity_type"] == "supply_lane"]
    return RiskRanking(
        model_version=version,
        suppliers=_ranked(suppliers, SUPPLIER_COLUMNS, ["supplier_id"]),
        lanes=_ranked(lanes, LANE_COLUMNS, ["supplier_id", "warehouse_id", "sku_id"]),
    )
