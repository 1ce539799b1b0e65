"""Killing ``import`` at random points of its write leaves the old or the new state.

The importing process is a real child killed with SIGKILL (seeded random points inside
its write); on both stores the state read afterwards must be the one before that import
or the one it makes, and running the import again gives the new state. The bench
(``bench/fault_injection.py``) runs the same check with >= 50 kills.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from import_crash_support import kill_imports, two_bundles

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.neo4j_launcher import ServerConfig
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.synthetic import SyntheticDataset

KILLS = 2
DAYS = 60
STAGED_ROWS = 500
"""Staging threshold of the staged variant: the 60-day bundle goes in several parts."""


def test_killed_imports_leave_old_or_new_state_embedded(
    tmp_path: Path, tiny: SyntheticDataset
) -> None:
    """Embedded store: every kill leaves the previous or the imported state."""
    bundles = two_bundles(tiny, tmp_path, DAYS)
    store = EmbeddedStore(tmp_path / "store")
    report = kill_imports(store, bundles, {"SUPPLYNET_DATA": str(store.root)}, KILLS, seed=1)
    assert report.inconsistent == 0
    assert report.resumed_ok


@pytest.mark.neo4j
@pytest.mark.parametrize("staged_rows", [None, STAGED_ROWS], ids=["one-transaction", "staged"])
def test_killed_imports_leave_old_or_new_state_neo4j(
    tmp_path: Path,
    tiny: SyntheticDataset,
    neo4j_store: Neo4jStore,
    neo4j_uri: str,
    neo4j_server: ServerConfig | None,
    staged_rows: int | None,
) -> None:
    """Neo4j store: every kill leaves the previous or the imported state, whether the
    import is one transaction or staged in several (the kills land between them too)."""
    env = {"NEO4J_URI": neo4j_uri}  # neo4j_store has wiped the database
    password = os.environ.get("NEO4J_PASSWORD", "")
    if neo4j_server is not None and neo4j_server.password is not None:
        env["NEO4J_PASSWORD"] = password = neo4j_server.password
    if staged_rows is not None:
        env["NEO4J_STAGED_IMPORT_ROWS"] = str(staged_rows)
    store = Neo4jStore.connect(neo4j_uri, password=password, staged_rows=staged_rows)
    try:
        report = kill_imports(store, two_bundles(tiny, tmp_path, DAYS), env, KILLS, seed=2)
    finally:
        store.close()
    assert report.inconsistent == 0
    assert report.resumed_ok
