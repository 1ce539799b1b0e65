"""The error tree survives the trip from a worker process (pickling) unchanged."""

from __future__ import annotations

import pickle

import pytest

from supplynet.graph.errors import (
    Cancelled,
    NotFound,
    Problem,
    StoreUnavailable,
    SupplynetError,
    ValidationFailed,
)


@pytest.mark.parametrize(
    "error",
    [
        ValidationFailed([Problem("stores[3].latitude", "must be <= 90")], "import"),
        NotFound("node", "W404"),
        StoreUnavailable("bolt://127.0.0.1:7687 refused the connection"),
        Cancelled("cancelled by request"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_errors_pickle_with_their_fields(error: SupplynetError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
