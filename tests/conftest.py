"""Shared fixtures: small generated networks, reused across tests (they are immutable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.synthetic import SyntheticDataset, generate

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def tiny() -> SyntheticDataset:
    """The ``tiny`` preset with seed 7: 2 warehouses, 6 stores, 8 SKUs, two years daily."""
    return generate("tiny", seed=7)


@pytest.fixture(scope="session")
def demo() -> SyntheticDataset:
    """The ``demo`` preset with seed 0."""
    return generate("demo", seed=0)
