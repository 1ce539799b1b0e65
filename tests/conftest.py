"""Shared fixtures: small generated networks, reused across tests (they are immutable)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from supplynet.graph.neo4j_launcher import ServerConfig
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.synthetic import SyntheticDataset, generate

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def tiny() -> SyntheticDataset:
    """The ``tiny`` preset with seed 7: 2 warehouses, 6 stores, 8 SKUs, two years daily."""
    return generate("tiny", seed=7)


@pytest.fixture(scope="session")
def demo() -> SyntheticDataset:
    """The ``demo`` preset with seed 0."""
    return generate("demo", seed=0)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerConfig | None]:
    """A small Neo4j (auth on) started once per test session and stopped at its end.

    None when ``NEO4J_URI`` points at a running server instead (then nothing starts).
    """
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    from supplynet.graph.neo4j_launcher import free_port, start, stop

    config = ServerConfig(
        home=tmp_path_factory.mktemp("neo4j"),
        port=free_port(),
        password="supplynet-tests",
        heap="512m",
        pagecache="64m",
    )
    start(config, timeout_s=600)
    try:
        yield config
    finally:
        stop(config)


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: ServerConfig | None) -> str:
    """The Bolt URI of the session's Neo4j (``NEO4J_URI`` when set)."""
    return os.environ.get("NEO4J_URI") or (neo4j_server.uri if neo4j_server else "")


@pytest.fixture
def neo4j_env(
    neo4j_uri: str, neo4j_server: ServerConfig | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point ``open_store`` (and so every CLI command) at the session's Neo4j."""
    monkeypatch.setenv("NEO4J_URI", neo4j_uri)
    if neo4j_server is not None and neo4j_server.password is not None:
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server.password)


@pytest.fixture
def neo4j_connect(neo4j_uri: str, neo4j_server: ServerConfig | None) -> Callable[..., Neo4jStore]:
    """Connects a ``Neo4jStore`` to the session's server with ``Neo4jStore.connect`` options."""
    password = os.environ.get("NEO4J_PASSWORD", "")
    if neo4j_server is not None:
        password = neo4j_server.password or ""

    def connect(**options: Any) -> Neo4jStore:
        return Neo4jStore.connect(
            neo4j_uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=password,
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
            **options,
        )

    return connect


@pytest.fixture
def neo4j_store(neo4j_connect: Callable[..., Neo4jStore]) -> Iterator[Neo4jStore]:
    """An empty ``Neo4jStore`` on the session's server (wiped before each test)."""
    store = neo4j_connect()
    store.clear()
    try:
        yield store
    finally:
        store.close()
