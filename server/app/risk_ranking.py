"""The one supplier and supply-lane risk ranking, with the model version it came from.

The CLI (``supplynet risk``), ``ScoreRisk``, the demo and notebook 03 all rank this way:
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


RANK_ORDER = ["late_probability", "expected_delay_days", "supplier_id", "warehouse_id", "sku_id"]
RANK_ASCENDING = [False, False, True, True, True]


def ranked_scores(scores: RiskScores) -> pd.DataFrame:
    """Every score with all its columns: suppliers, then supply lanes, each riskiest first."""
    frame = scores.frame
    parts = [
        frame[frame["entity_type"] == kind].sort_values(
            RANK_ORDER, ascending=RANK_ASCENDING, ignore_index=True
        )
        for kind in ("supplier", "supply_lane")
    ]
    return pd.concat(parts, ignore_index=True)


def rank_risk(scores: RiskScores, version: str) -> RiskRanking:
    """Rank every scored supplier and supply lane (see the module docstring)."""
    frame = ranked_scores(scores)
    is_supplier = frame["entity_type"] == "supplier"
    return RiskRanking(
        model_version=version,
        suppliers=frame.loc[is_supplier, SUPPLIER_COLUMNS].reset_index(drop=True),
        lanes=frame.loc[~is_supplier, LANE_COLUMNS].reset_index(drop=True),
    )
