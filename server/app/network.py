"""Use cases of the integrator and the analyst: generate, import, export, summarise.

Every write of a network with its histories goes through ``GraphStore.import_bundle``:
all of it becomes visible at once, or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from supplynet.graph.csv_layout import import_csv_dir, write_csv_dir
from supplynet.graph.network import Network
from supplynet.graph.plans import PlanInfo
from supplynet.graph.scope import Scope
from supplynet.graph.store import GraphStore
from supplynet.graph.supplygraph import load_supplygraph
from supplynet.graph.synthetic import SyntheticDataset, generate
from supplynet.server.app.validation import require, scope_problems

ImportFormat = Literal["csv", "supplygraph"]


@dataclass(frozen=True)
class NetworkView:
    """A scope of the stored network with its histories and saved plans."""

    network: Network
    demand: pd.DataFrame
    deliveries: pd.DataFrame
    plans: list[PlanInfo]


def store_dataset(store: GraphStore, dataset: SyntheticDataset) -> dict[str, int]:
    """Write a generated network and its histories as one import."""
    return store.import_bundle(dataset.network, dataset.demand, dataset.deliveries)


def generate_into(store: GraphStore, preset: str, seed: int) -> SyntheticDataset:
    """Generate a seeded synthetic network and store it."""
    dataset = generate(preset, seed=seed)
    store_dataset(store, dataset)
    return dataset


def import_directory(store: GraphStore, directory: Path, fmt: ImportFormat) -> dict[str, int]:
    """Validate and import a CSV folder or a SupplyGraph checkout; the counts written."""
    if fmt == "supplygraph":
        data = load_supplygraph(directory)
        store.import_bundle(data.network, data.demand, None)
        network, demand, deliveries = data.network, data.demand, None
    else:
        bundle = import_csv_dir(store, directory)
        network, demand, deliveries = bundle.network, bundle.demand, bundle.deliveries
    counts = {kind: count for kind, count in network.counts().items() if count}
    counts["demand"] = len(demand)
    if deliveries is not None:
        counts["deliveries"] = len(deliveries)
    return counts


def read_view(store: GraphStore, scope: Scope | None = None) -> NetworkView:
    """The scoped network, its histories and the saved plans' headers.

    Raises ``ValidationFailed`` naming every warehouse, SKU or region of ``scope``
    that the store does not have.
    """
    if scope is not None and not scope.is_everything():
        require(scope_problems(store.snapshot(), scope), "scope")
    return NetworkView(
        store.snapshot(scope),
        store.read_demand(scope),
        store.read_deliveries(scope),
        store.list_plans(),
    )


def export_directory(store: GraphStore, directory: Path, scope: Scope | None = None) -> list[Path]:
    """Write the scoped network and histories in the CSV layout."""
    view = read_view(store, scope)
    return write_csv_dir(directory, view.network, view.demand, view.deliveries)
