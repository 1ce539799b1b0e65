"""The Ray engine gives what local processes give, on a real two-node Ray cluster."""

from __future__ import annotations

import operator
import os
from collections.abc import Iterator
from functools import partial

import pandas as pd
import pytest

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import FORECASTERS
from supplynet.graph.executor import ParallelSettings, parallel_map
from supplynet.graph.synthetic import SyntheticDataset

# Ray reads this when it is imported: it then takes the loopback address as every node's
# address, so the test cluster's traffic stays on 127.0.0.1 (by default Ray picks the
# machine's outward address). Only Ray reads it, and only this module uses Ray.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    """A head and a worker node, one CPU each, on this machine's loopback address."""
    cluster = cluster_utils.Cluster(
        initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
    )
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    assert str(cluster.address).startswith("127.0.0.1:")
    try:
        yield str(cluster.address)
    finally:
        ray.shutdown()
        cluster.shutdown()


TRIPLE = partial(operator.mul, 3)
"""Picklable by reference on every node (a function of this test module would not be)."""


def test_map_on_the_cluster_equals_the_local_pool(cluster_address: str) -> None:
    """Both nodes take part; results come back in input order, as locally."""
    items = list(range(40))
    on_ray = parallel_map(
        TRIPLE, items, ParallelSettings(engine="ray", ray_address=cluster_address, chunk_size=3)
    )
    local = parallel_map(TRIPLE, items, ParallelSettings(workers=2, chunk_size=3))
    assert on_ray == local == [3 * i for i in items]


def test_forecasts_on_the_cluster_equal_local_ones(
    cluster_address: str, tiny: SyntheticDataset
) -> None:
    """A real use of the fan-out: every series' forecast is identical on either engine."""
    cleaned = clean_demand(tiny.demand, freq="D").frame
    model = FORECASTERS["seasonal_naive"]
    ray_settings = ParallelSettings(engine="ray", ray_address=cluster_address)
    on_ray = forecast_demand(cleaned, model, 14, "D", ray_settings)
    local = forecast_demand(cleaned, model, 14, "D", ParallelSettings(workers=2))
    assert len(on_ray.frame) > 0
    pd.testing.assert_frame_equal(on_ray.frame, local.frame)
