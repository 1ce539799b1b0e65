"""A Neo4j import above the staging threshold: invisible until one commit, then all at once.

A real server; the threshold is set tiny so that a small bundle is staged in several
transactions (the default stages only imports of more than 500,000 history rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
import pytest

from supplynet.graph.errors import StoreError
from supplynet.graph.history import DELIVERIES, DEMAND
from supplynet.graph.model import Store, Warehouse
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.network import Network
from supplynet.graph.synthetic import SyntheticDataset

pytestmark = pytest.mark.neo4j

STAGED_ROWS = 200
DAYS = 30


@pytest.fixture
def staged(
    neo4j_store: Neo4jStore, neo4j_connect: Callable[..., Neo4jStore]
) -> Iterator[Neo4jStore]:
    """The session's (wiped) database, staging every import of more than 200 rows."""
    store = neo4j_connect(staged_rows=STAGED_ROWS)
    try:
        yield store
    finally:
        store.close()


def recent(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame[frame[column] < frame[column].min() + pd.Timedelta(days=DAYS)]


def state(store: Neo4jStore) -> tuple[Network, pd.DataFrame, pd.DataFrame]:
    return store.snapshot(), store.read_demand(), store.read_deliveries()


def same_state(
    one: tuple[Network, pd.DataFrame, pd.DataFrame], two: tuple[Network, pd.DataFrame, pd.DataFrame]
) -> bool:
    return (
        one[0] == two[0]
        and one[1].equals(two[1].sort_values(list(DEMAND.key)).reset_index(drop=True))
        and one[2].equals(two[2].sort_values(list(DELIVERIES.key)).reset_index(drop=True))
    )


def grown(tiny: SyntheticDataset) -> tuple[Network, pd.DataFrame, pd.DataFrame]:
    """The tiny bundle with a new warehouse and a new store that has demand, values changed."""
    first = tiny.network.stores[0]
    store = first.model_copy(update={"id": "S-NEW", "name": "new store"})
    warehouse = tiny.network.warehouses[0].model_copy(update={"id": "W-NEW", "name": "new"})
    added = Network.build(
        check_references=False,
        stores=[store],
        warehouses=[warehouse],
    )
    demand = recent(tiny.demand, "date")
    extra = demand[demand["store_id"] == first.id].assign(store_id="S-NEW")
    demand = pd.concat([demand, extra]).assign(quantity=lambda f: f["quantity"] + 1)
    deliveries = recent(tiny.deliveries, "order_date").assign(quantity=lambda f: f["quantity"] + 1)
    return tiny.network.merge(added), demand.reset_index(drop=True), deliveries


def staged_leftovers(store: Neo4jStore) -> int:
    """Relationships, placeholders and markers a staged import left behind."""
    rows = store.query(
        "CALL () { MATCH ()-[d:DEMAND|DELIVERIES]->() WHERE d.import_id IS NOT NULL "
        "RETURN count(d) AS r } "
        "CALL () { MATCH (n) WHERE n:StagedLocation OR n:StagedSku OR n:StagedImport "
        "RETURN count(n) AS n } "
        "RETURN r + n AS left"
    )
    return int(rows[0]["left"])


def test_staged_import_reads_back_like_one_transaction(
    staged: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """Imported twice (the second over stored buckets): the store holds exactly the bundle."""
    demand, deliveries = recent(tiny.demand, "date"), recent(tiny.deliveries, "order_date")
    assert len(demand) > 2 * STAGED_ROWS
    staged.import_bundle(tiny.network, demand, deliveries)
    network, new_demand, new_deliveries = grown(tiny)
    written = staged.import_bundle(network, new_demand, new_deliveries)
    assert written["demand"] == len(new_demand)
    assert same_state(state(staged), (network, new_demand, new_deliveries))
    assert staged_leftovers(staged) == 0


def test_readers_see_the_old_state_until_the_commit(
    staged: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """Staged buckets and placeholder nodes are invisible; the commit shows all of it."""
    staged.import_bundle(tiny.network, recent(tiny.demand, "date"), None)
    before, version = state(staged), staged.version()
    bundle = grown(tiny)
    pending = staged.stage_bundle(*bundle)
    assert pending.buckets["demand"] > 0
    assert staged_leftovers(staged) > 0
    assert same_state(state(staged), before)
    assert staged.version() == version
    staged.commit_staged(pending)
    assert same_state(state(staged), bundle)
    assert staged.version() != version
    assert staged_leftovers(staged) == 0


def test_the_next_import_deletes_an_abandoned_staging(
    staged: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """A staging never committed (a killed import) is gone after the next import, and its
    late commit fails without changing anything."""
    demand = recent(tiny.demand, "date")
    abandoned = staged.stage_bundle(*grown(tiny))
    staged.import_bundle(tiny.network, demand, None)
    after = state(staged)
    assert same_state(after, (tiny.network, demand, after[2]))
    assert after[2].empty
    assert staged_leftovers(staged) == 0
    with pytest.raises(StoreError, match="run the import again"):
        staged.commit_staged(abandoned)
    assert same_state(state(staged), after)


def test_a_write_during_staging_fails_the_commit_and_a_retry_applies(
    staged: Neo4jStore, tiny: SyntheticDataset
) -> None:
    """The staged buckets merged the rows stored when staging began: a write since then
    fails the commit (nothing changes); running the import again gives the new state."""
    staged.import_bundle(tiny.network, recent(tiny.demand, "date"), None)
    bundle = grown(tiny)
    pending = staged.stage_bundle(*bundle)
    later = tiny.demand[tiny.demand["date"] == tiny.demand["date"].max()]
    staged.append_demand(later)
    between = state(staged)
    with pytest.raises(StoreError, match="changed while it was staged"):
        staged.commit_staged(pending)
    assert same_state(state(staged), between)
    staged.import_bundle(*bundle)
    expected = pd.concat([bundle[1], later]).reset_index(drop=True)
    assert same_state(state(staged), (bundle[0], expected, bundle[2]))
    assert staged_leftovers(staged) == 0


def test_a_retry_resumes_the_staged_parts(staged: Neo4jStore, tiny: SyntheticDataset) -> None:
    """Staging the same bundle again (a retry after a kill) stages nothing twice: the
    marker lists the parts done, and the first staging's commit still applies."""
    staged.import_bundle(tiny.network, recent(tiny.demand, "date"), None)
    bundle = grown(tiny)
    first = staged.stage_bundle(*bundle)
    left = staged_leftovers(staged)
    again = staged.stage_bundle(*bundle)
    assert again == first
    assert staged_leftovers(staged) == left
    staged.commit_staged(first)
    assert same_state(state(staged), bundle)
    assert staged_leftovers(staged) == 0


def test_new_ids_keep_their_kind(staged: Neo4jStore, tiny: SyntheticDataset) -> None:
    """Placeholders become the kind the network says (a warehouse stays a warehouse)."""
    network, demand, deliveries = grown(tiny)
    staged.import_bundle(network, demand, deliveries)
    stored = staged.snapshot()
    assert isinstance(next(w for w in stored.warehouses if w.id == "W-NEW"), Warehouse)
    assert isinstance(next(s for s in stored.stores if s.id == "S-NEW"), Store)
