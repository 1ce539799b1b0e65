"""The three questions analysts ask of the network, in Cypher and in pandas.

On Neo4j the Cypher runs on the server; on the embedded store the same answer is
computed from the snapshot with ``graph.analysis``. Both return the same columns in
the same order, so a notebook (and a test) can show or compare either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, LiteralString, Protocol

import pandas as pd
from neo4j import GraphDatabase

from supplynet.graph.analysis import (
    longest_lead_times,
    single_supplier_stores,
    skus_without_substitute,
)
from supplynet.graph.network import Network
from supplynet.graph.open_store import StoreSettings

SINGLE_SUPPLIER_STORES = """
MATCH (st:Store)-[:STOCKS]->(k:Sku)
MATCH (w:Warehouse)-[:SHIPS_TO]->(st)
MATCH (p:Supplier)-[lane:SUPPLIES]->(w)
WHERE lane.sku_id = k.id
WITH st, k, collect(DISTINCT p.id) AS sources
WHERE size(sources) = 1
WITH st.id AS store_id, k.category AS category, sources[0] AS supplier_id,
     count(DISTINCT k) AS dependent_skus
MATCH (s2:Store {id: store_id})-[:STOCKS]->(k2:Sku {category: category})
WITH store_id, category, supplier_id, dependent_skus, count(DISTINCT k2) AS category_skus
WITH store_id, category, supplier_id, dependent_skus, category_skus,
     toFloat(dependent_skus) / category_skus AS share
WHERE share >= $min_share - 1e-12
RETURN store_id, category, supplier_id, dependent_skus, category_skus, share
ORDER BY share DESC, store_id, category, supplier_id
"""
"""Stores where one supplier is the only source of at least ``$min_share`` of a category."""

LONGEST_LEAD_TIMES = """
MATCH (p:Supplier)-[lane:SUPPLIES]->(w:Warehouse)
RETURN p.id AS supplier_id, w.id AS warehouse_id, lane.sku_id AS sku_id,
       lane.lead_time_mean_days AS lead_time_mean_days,
       lane.lead_time_std_days AS lead_time_std_days
ORDER BY lead_time_mean_days DESC, lead_time_std_days DESC, supplier_id, warehouse_id, sku_id
LIMIT $limit
"""
"""The ``$limit`` supply lanes with the longest mean lead time."""

SKUS_WITHOUT_SUBSTITUTE = """
MATCH (k:Sku)
WHERE NOT EXISTS {
  MATCH (k)-[sub:SUBSTITUTED_BY]->(:Sku) WHERE sub.strength >= $min_strength
}
OPTIONAL MATCH (p:Supplier)-[lane:SUPPLIES]->(:Warehouse) WHERE lane.sku_id = k.id
RETURN k.id AS sku_id, k.name AS name, k.category AS category,
       count(DISTINCT p) AS suppliers
ORDER BY sku_id
"""
"""SKUs with no substitute of at least ``$min_strength``."""


@dataclass(frozen=True)
class AnalystQuery:
    """One question, its Cypher, its parameters and the pandas function that answers it."""

    name: str
    question: str
    cypher: LiteralString
    answer: Callable[..., pd.DataFrame]
    params: Mapping[str, Any] = field(default_factory=dict)

    def on_network(self, network: Network) -> pd.DataFrame:
        """The answer computed from a snapshot (any store)."""
        return self.answer(network, **self.params)


QUERIES: tuple[AnalystQuery, ...] = (
    AnalystQuery(
        "single_supplier_stores",
        "Which stores depend on one supplier for most of a category?",
        SINGLE_SUPPLIER_STORES,
        single_supplier_stores,
        {"min_share": 0.5},
    ),
    AnalystQuery(
        "longest_lead_times",
        "Which supply lanes have the longest lead times?",
        LONGEST_LEAD_TIMES,
        longest_lead_times,
        {"limit": 10},
    ),
    AnalystQuery(
        "skus_without_substitute",
        "Which SKUs have no good substitute (strength >= 0.3)?",
        SKUS_WITHOUT_SUBSTITUTE,
        skus_without_substitute,
        {"min_strength": 0.3},
    ),
)
"""The notebook's questions, in the order it asks them."""


class CypherSession(Protocol):
    """What ``run_cypher`` needs: a ``neo4j.Session`` (or anything with the same ``run``)."""

    def run(self, query: LiteralString, parameters: dict[str, Any] | None = None) -> Any: ...


def run_cypher(session: CypherSession, query: AnalystQuery) -> pd.DataFrame:
    """Run a query's Cypher on a Neo4j session; columns as in ``query.on_network``."""
    columns = list(query.on_network(Network()).columns)
    records = [record.data() for record in session.run(query.cypher, dict(query.params))]
    return pd.DataFrame(records, columns=columns)


def answer_all(network: Network, settings: StoreSettings | None = None) -> dict[str, pd.DataFrame]:
    """Every query's answer from the configured store, by query name.

    With ``NEO4J_URI`` set (the store ``open_store`` picks) the Cypher runs on that
    server; otherwise the answers are computed from ``network``, the snapshot.
    """
    settings = settings or StoreSettings()
    if not settings.neo4j_uri:
        return {query.name: query.on_network(network) for query in QUERIES}
    auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
    with (
        GraphDatabase.driver(settings.neo4j_uri, auth=auth) as driver,
        driver.session(database=settings.neo4j_database) as session,
    ):
        return {query.name: run_cypher(session, query) for query in QUERIES}


def agreement(answers: Mapping[str, pd.DataFrame], network: Network) -> pd.DataFrame:
    """Per query: rows returned and whether they equal the pandas answer on ``network``.

    On Neo4j this checks the server's Cypher against the snapshot it served.
    """
    rows = []
    for query in QUERIES:
        got, expected = answers[query.name], query.on_network(network)
        try:
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True), expected, check_dtype=False, check_exact=False
            )
            same = True
        except AssertionError:
            same = False
        rows.append({"query": query.name, "rows": len(got), "same_as_pandas": same})
    return pd.DataFrame(rows)
