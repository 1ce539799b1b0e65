"""Open the configured store for a notebook, filling an empty one with a synthetic network.

Notebooks must run top to bottom on a fresh machine (and in CI) without a manual
``supplynet generate`` first, and must use whatever store is configured
(``NEO4J_URI`` -> Neo4j, otherwise the embedded store in ``SUPPLYNET_DATA``).
"""

from __future__ import annotations

import os

from supplynet.graph.open_store import StoreSettings, open_store
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import generate

PRESET_ENV = "SUPPLYNET_NOTEBOOK_PRESET"
"""Environment variable naming the preset to generate into an empty store (CI: ``tiny``)."""

DEFAULT_PRESET = "demo"


def notebook_preset() -> str:
    """The preset a notebook generates when its store is empty."""
    return os.environ.get(PRESET_ENV) or DEFAULT_PRESET


def open_analyst_store(
    preset: str | None = None, seed: int = 0, settings: StoreSettings | None = None
) -> GraphStore:
    """The configured store, holding a network: generated when the store is empty.

    Parameters
    ----------
    preset
        Synthetic preset for an empty store; ``notebook_preset()`` when omitted.
    seed
        Generator seed, so every run of a notebook sees the same data.
    settings
        Store settings; read from the environment when omitted.

    Returns
    -------
    The open store; the caller closes it.
    """
    store = open_store(settings)
    try:
        if not any(store.snapshot().counts().values()):
            dataset = generate(preset or notebook_preset(), seed)
            store.upsert_network(dataset.network)
            store.append_demand(dataset.demand)
            store.append_deliveries(dataset.deliveries)
    except BaseException:
        store.close()
        raise
    return store
