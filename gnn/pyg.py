"""The one import of torch-geometric, without the warning its import prints.

torch-geometric 2.8 calls ``torch.jit.script`` at import time, which torch 2.9+ answers
with a ``FutureWarning`` that users can do nothing about. The filter is scoped to the
import (the package is cached afterwards), so the same warning from any other caller
still shows.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning
    )
    import torch_geometric  # noqa: F401
    from torch_geometric.data import HeteroData
    from torch_geometric.nn import HeteroConv, SAGEConv

__all__ = ["HeteroConv", "HeteroData", "SAGEConv"]
