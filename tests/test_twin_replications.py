"""Twin replications: paired A/B statistics, validation, and results independent of workers.

Properties: the paired difference and its 95% t interval match a hand computation; the
KPI table is identical for one and two worker processes; bad settings name their field;
an arm that fails is reported and the other arms still run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.twin import replications
from supplynet.optimizer.twin.baseline import BaselinePolicy
from supplynet.optimizer.twin.kpis import KPI_NAMES
from supplynet.optimizer.twin.policy import Decision, Observation
from supplynet.optimizer.twin.replications import TwinResult, TwinSettings, run_twin
from supplynet.optimizer.twin.world import build_world


def test_paired_interval_by_hand() -> None:
    rows = []
    for r, (a, b) in enumerate([(0.05, 0.01), (0.06, 0.03), (0.04, 0.02)]):
        for policy, value in (("baseline", a), ("supplynet", b)):
            rows.append({"replication": r, "policy": policy, **dict.fromkeys(KPI_NAMES, value)})
    paired = TwinResult(pd.DataFrame(rows), pd.DataFrame()).paired()
    row = paired[paired["kpi"] == "stockout_rate"].iloc[0]
    diff = np.array([-0.04, -0.03, -0.02])
    half = stats.t.ppf(0.975, 2) * diff.std(ddof=1) / np.sqrt(3)
    assert row["mean_difference"] == pytest.approx(-0.03)
    assert row["ci_low"] == pytest.approx(-0.03 - half)
    assert row["ci_high"] == pytest.approx(-0.03 + half)
    assert row["relative"] == pytest.approx(-0.03 / 0.05)


def test_same_results_for_any_worker_count(tiny: SyntheticDataset) -> None:
    world = build_world(tiny.network, tiny.demand)
    settings = TwinSettings(("baseline",), days=10, replications=2, seed=5)
    one = run_twin(world, settings, tiny.truth)
    two = run_twin(world, TwinSettings(("baseline",), 10, 2, 5, workers=2), tiny.truth)
    pd.testing.assert_frame_equal(one.kpis, two.kpis)
    assert one.kpis["seed"].nunique() == 2 and one.failures.empty


def test_bad_settings_name_their_fields(tiny: SyntheticDataset) -> None:
    world = build_world(tiny.network, tiny.demand)
    with pytest.raises(ValidationFailed) as caught:
        run_twin(world, TwinSettings(("baseline", "magic"), days=0, replications=0))
    assert {p.path for p in caught.value.problems} == {"policies", "days", "replications"}


class Broken(BaselinePolicy):
    """Orders on a lane that does not exist."""

    def decide(self, observation: Observation) -> Decision:
        return Decision(order_lane=np.array([-1]), order_quantity=np.array([1.0]))


def test_a_failing_arm_is_reported(tiny: SyntheticDataset, monkeypatch: pytest.MonkeyPatch) -> None:
    world = build_world(tiny.network, tiny.demand)
    monkeypatch.setitem(replications.POLICIES, "broken", Broken)
    result = run_twin(
        world, TwinSettings(("baseline", "broken"), days=5, replications=1), tiny.truth
    )
    assert result.kpis["policy"].tolist() == ["baseline"]
    assert result.failures["policy"].tolist() == ["broken"]
    assert "ValidationFailed" in result.failures["error"].iloc[0]
