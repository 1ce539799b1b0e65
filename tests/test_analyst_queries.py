"""The analysts' Cypher queries return exactly the pandas answers, on a real Neo4j."""

from __future__ import annotations

import pandas as pd
import pytest

from supplynet.graph.analyst_queries import QUERIES, agreement, answer_all
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.network import Network
from supplynet.graph.open_store import StoreSettings
from supplynet.graph.synthetic import SyntheticDataset


def test_embedded_answers_are_the_pandas_answers(tiny: SyntheticDataset) -> None:
    """Without NEO4J_URI every query is answered from the snapshot."""
    answers = answer_all(tiny.network, StoreSettings(neo4j_uri=None))
    assert list(answers) == [q.name for q in QUERIES]
    assert agreement(answers, tiny.network)["same_as_pandas"].all()
    assert len(answers["longest_lead_times"]) == 10


def test_agreement_spots_a_different_answer(tiny: SyntheticDataset) -> None:
    """A changed value or a missing row is reported as a disagreement."""
    answers = answer_all(tiny.network, StoreSettings(neo4j_uri=None))
    changed = answers["longest_lead_times"].copy()
    changed.loc[0, "lead_time_mean_days"] += 1
    shorter = answers["skus_without_substitute"].iloc[1:]
    broken = {**answers, "longest_lead_times": changed, "skus_without_substitute": shorter}
    check = agreement(broken, tiny.network).set_index("query")["same_as_pandas"]
    assert check.to_dict() == {
        "single_supplier_stores": True,
        "longest_lead_times": False,
        "skus_without_substitute": False,
    }


@pytest.mark.neo4j
def test_cypher_matches_pandas_on_neo4j(
    neo4j_store: Neo4jStore, neo4j_env: None, demo: SyntheticDataset
) -> None:
    """On the demo network in Neo4j, each query's rows equal the pandas answer, in order."""
    neo4j_store.upsert_network(demo.network)
    answers = answer_all(neo4j_store.snapshot(), StoreSettings())
    for query in QUERIES:
        expected = query.on_network(demo.network)
        assert len(expected) > 0, query.name
        pd.testing.assert_frame_equal(answers[query.name], expected, check_dtype=False)


@pytest.mark.neo4j
def test_an_empty_database_keeps_the_columns(neo4j_store: Neo4jStore, neo4j_env: None) -> None:
    """No rows still gives the pandas answer's columns, so notebooks can show the table."""
    answers = answer_all(Network(), StoreSettings())
    for query in QUERIES:
        assert answers[query.name].empty
        assert list(answers[query.name].columns) == list(query.on_network(Network()).columns)
