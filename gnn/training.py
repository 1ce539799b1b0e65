"""The training loop both GNNs share: seeded, early-stopped, CPU by default.

Splitting is the caller's job (by time: training origins strictly before validation
origins); this module only fits and keeps the weights of the best validation epoch.
"""

from __future__ import annotations

import copy
import io
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from supplynet.gnn.pyg import HeteroData
from supplynet.graph.errors import Problem, ValidationFailed

LossFn = Callable[[nn.Module, Any], Tensor]
Progress = Callable[["EpochReport"], None]


@dataclass(frozen=True)
class TrainConfig:
    """How to fit: optimiser, stopping rule, seed and device (``auto``: CUDA if present)."""

    epochs: int = 60
    batch_size: int = 16
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    patience: int = 8
    seed: int = 0
    device: str = "cpu"


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    epochs: int
    train_loss: float
    val_loss: float
    best_epoch: int


@dataclass(frozen=True)
class TrainReport:
    """What fitting did: losses per epoch, the epoch whose weights were kept, time."""

    train_loss: tuple[float, ...]
    val_loss: tuple[float, ...]
    best_epoch: int
    seconds: float
    device: str

    @property
    def best_val_loss(self) -> float:
        return self.val_loss[self.best_epoch]


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """torch's generator seeded for a block and restored after it.

    Weight initialisation and dropout draw from torch's global generator; forking it keeps
    training reproducible without leaving process-wide state behind. Thread counts and
    deterministic kernels stay the caller's choice (the CLI's, a bench's).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def pick_device(name: str) -> torch.device:
    """``auto`` picks CUDA when present; otherwise the named device."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def collate(samples: Sequence[HeteroData]) -> HeteroData:
    """The disjoint union of snapshots: node tensors stacked, edge indices offset.

    A lean ``Batch.from_data_list`` for snapshots that share one node and edge layout,
    which is many times faster when every epoch reshuffles thousands of snapshots.
    """
    first = samples[0]
    out = HeteroData()
    offsets: dict[str, Tensor] = {}
    for node_type in first.node_types:
        counts = torch.tensor([s[node_type].num_nodes for s in samples])
        offsets[node_type] = torch.cumsum(counts, 0) - counts
        store = out[node_type]
        store.num_nodes = int(counts.sum())
        for key, value in first[node_type].items():
            if isinstance(value, Tensor):
                store[key] = torch.cat([s[node_type][key] for s in samples])
    for edge_type in first.edge_types:
        src, _, dst = edge_type
        shift = torch.stack([offsets[src], offsets[dst]], 1)
        out[edge_type].edge_index = torch.cat(
            [s[edge_type].edge_index + shift[i][:, None] for i, s in enumerate(samples)], 1
        )
    return out


def batches(samples: Sequence[HeteroData], size: int, order: Sequence[int]) -> Iterator[HeteroData]:
    """Group snapshots into disjoint-union batches in the given order, one at a time (a
    batch is a copy of its snapshots: all of them at once would double the memory)."""
    picked = [samples[i] for i in order]
    return (collate(picked[i : i + size]) for i in range(0, len(picked), size))


def fit(
    model: nn.Module,
    train: Sequence[HeteroData],
    val: Sequence[HeteroData],
    loss_fn: LossFn,
    config: TrainConfig,
    progress: Progress | None = None,
) -> TrainReport:
    """Train ``model`` in place with Adam; keep the weights of the best validation epoch.

    Stops after ``patience`` epochs without a better validation loss (without validation
    snapshots, the training loss stands in). ``progress`` is called after every epoch
    (the CLI draws a bar with it).
    """
    # Dropout draws from torch's generator: seed it; callers scope it (``fork_rng``).
    torch.manual_seed(config.seed)
    device = pick_device(config.device)
    model.to(device)
    optimiser = torch.optim.Adam(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    shuffle = np.random.default_rng(config.seed)
    val_batches = [b.to(device) for b in batches(val, config.batch_size, range(len(val)))]
    best_state = copy.deepcopy(model.state_dict())
    train_losses: list[float] = []
    val_losses: list[float] = []
    best = 0
    started = time.perf_counter()
    for epoch in range(config.epochs):
        model.train()
        losses: list[float] = []
        order = shuffle.permutation(len(train))
        for batch in batches(train, config.batch_size, order.tolist()):
            optimiser.zero_grad()
            loss = loss_fn(model, batch.to(device))
            loss.backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            losses.append(float(loss.detach()))
        train_losses.append(sum(losses) / max(len(losses), 1))
        val_losses.append(
            evaluate(model, val_batches, loss_fn) if val_batches else train_losses[-1]
        )
        if val_losses[-1] < val_losses[best]:
            best = epoch
            best_state = copy.deepcopy(model.state_dict())
        if progress is not None:
            progress(
                EpochReport(epoch + 1, config.epochs, train_losses[-1], val_losses[-1], best + 1)
            )
        if epoch - best >= config.patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    return TrainReport(
        tuple(train_losses), tuple(val_losses), best, time.perf_counter() - started, str(device)
    )


def evaluate(model: nn.Module, data: Sequence[HeteroData], loss_fn: LossFn) -> float:
    """Mean loss over batches without gradients (the model is left in eval mode)."""
    model.eval()
    with torch.no_grad():
        losses = [float(loss_fn(model, b)) for b in data]
    return float(np.mean(losses)) if losses else float("nan")


@dataclass(frozen=True)
class Checkpoint:
    """A model's config and weights: what is needed to rebuild identical predictions."""

    kind: str
    config: dict[str, Any]
    state: dict[str, Tensor]

    def require_kind(self, kind: str) -> None:
        """Raise ``ValidationFailed`` (path ``checkpoint.kind``) unless this is a ``kind``
        checkpoint: weights of another model would load into the wrong network."""
        if self.kind != kind:
            raise ValidationFailed(
                [Problem("checkpoint.kind", f"expected {kind!r}, got {self.kind!r}")],
                "checkpoint",
            )

    def to_bytes(self) -> bytes:
        """Serialise for a caller to store (the gnn package itself does no I/O)."""
        buffer = io.BytesIO()
        cpu_state = {k: v.detach().cpu() for k, v in self.state.items()}
        torch.save({"kind": self.kind, "config": self.config, "state": cpu_state}, buffer)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Checkpoint:
        loaded = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
        return cls(loaded["kind"], loaded["config"], loaded["state"])
