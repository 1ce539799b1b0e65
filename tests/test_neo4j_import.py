"""``supplynet import --format supplygraph`` into Neo4j (a real server)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.history import DEMAND
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.supplygraph import load_supplygraph
from supplynet.server.cli import main

SUPPLYGRAPH = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "supplygraph"

pytestmark = pytest.mark.neo4j


@pytest.mark.skipif(not SUPPLYGRAPH.exists(), reason="shared SupplyGraph data not present")
@pytest.mark.usefixtures("neo4j_env")
def test_supplygraph_import_lands_in_neo4j(neo4j_store: Neo4jStore) -> None:
    """The CLI import stores the mapped network and its demand; importing twice changes nothing."""
    data = load_supplygraph(SUPPLYGRAPH)
    for _ in range(2):
        assert main(["import", "--format", "supplygraph", str(SUPPLYGRAPH)]) == 0
        assert neo4j_store.snapshot() == data.network
        demand = neo4j_store.read_demand()
        pd.testing.assert_frame_equal(
            demand.sort_values(list(DEMAND.key)).reset_index(drop=True),
            data.demand.sort_values(list(DEMAND.key)).reset_index(drop=True),
        )
