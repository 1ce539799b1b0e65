"""LightGCN ranker: PyG's ``LightGCN`` trained with BPR over a ``SalesGraph``.

LightGCN keeps only what collaborative filtering needs from a GCN: a free embedding per
node, smoothed by a few rounds of normalised neighbour averaging. Substitution,
category and supplier edges sit in the same graph, so SKUs that share them are pulled
together even where sales are thin. Training is full-graph (the graphs here are small)
with one sparse matrix product per layer and step.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

import supplynet.gnn.pyg  # noqa: F401  (imports torch-geometric without its import warning)

# isort: split
from torch_geometric.nn.models import LightGCN

from supplynet.optimizer.recommend.sales_graph import SalesGraph

FloatArray = npt.NDArray[np.float32]
EpochProgress = Callable[[int, int, float], None]
"""Called after each epoch with (epoch, epochs, mean BPR loss)."""


@dataclass(frozen=True)
class RankerParams:
    """Shape and training of the ranker; plain values, stored in checkpoints."""

    embedding_dim: int = 64
    layers: int = 3
    epochs: int = 50
    batch_size: int = 1024
    learning_rate: float = 5e-3
    l2: float = 1e-4
    seed: int = 0


class GraphRanker:
    """Scores users x items and items x items from LightGCN embeddings.

    Fitted attributes: ``user_vectors_`` ``[U, D]``, ``item_vectors_`` ``[I, D]`` (the
    propagated embeddings), ``losses_`` (mean BPR loss per epoch).
    """

    def __init__(self, params: RankerParams | None = None) -> None:
        self.params = params or RankerParams()

    def fit(self, graph: SalesGraph, progress: EpochProgress | None = None) -> GraphRanker:
        """Train on every interaction of ``graph`` (uniform negative sampling, seeded)."""
        p = self.params
        generator = torch.Generator().manual_seed(p.seed)
        net = LightGCN(graph.num_nodes, p.embedding_dim, p.layers, normalize=False)
        bound = float(np.sqrt(6.0 / (graph.num_nodes + p.embedding_dim)))
        with torch.no_grad():
            net.embedding.weight.uniform_(-bound, bound, generator=generator)
        adjacency = normalised_adjacency(graph)
        users = torch.from_numpy(graph.interactions[0])
        items = torch.from_numpy(graph.interactions[1])
        offset = len(graph.users)
        n_items = len(graph.items)
        seen = torch.zeros(len(graph.users), n_items, dtype=torch.bool)
        seen[users, items] = True
        optimiser = torch.optim.Adam(net.parameters(), lr=p.learning_rate)
        self.losses_: list[float] = []
        net.train()
        for epoch in range(p.epochs):
            order = torch.randperm(users.numel(), generator=generator)
            total = 0.0
            for start in range(0, order.numel(), p.batch_size):
                batch = order[start : start + p.batch_size]
                user, positive = users[batch], items[batch]
                negative = _negatives(seen, user, n_items, generator)
                emb = net.get_embedding(adjacency)
                u = emb[user]
                pos_rank = (u * emb[positive + offset]).sum(-1)
                neg_rank = (u * emb[negative + offset]).sum(-1)
                nodes = torch.unique(torch.cat([user, positive + offset, negative + offset]))
                loss = net.recommendation_loss(pos_rank, neg_rank, node_id=nodes, lambda_reg=p.l2)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * batch.numel()
            self.losses_.append(total / max(users.numel(), 1))
            if progress is not None:
                progress(epoch + 1, p.epochs, self.losses_[-1])
        net.eval()
        with torch.no_grad():
            emb = net.get_embedding(adjacency).numpy().astype(np.float32)
        self.user_vectors_ = emb[:offset]
        self.item_vectors_ = emb[offset : offset + n_items]
        return self

    def user_scores(self, users: npt.NDArray[np.int64]) -> FloatArray:
        """Shapes: ``[len(users), I]`` inner products (higher: more likely to sell)."""
        return np.asarray(self.user_vectors_[users] @ self.item_vectors_.T, dtype=np.float32)

    def item_similarity(self, items: npt.NDArray[np.int64]) -> FloatArray:
        """Shapes: ``[len(items), I]`` cosine similarities in [-1, 1]."""
        return cosine(self.item_vectors_[items], self.item_vectors_)


def cosine(a: FloatArray, b: FloatArray) -> FloatArray:
    """Pairwise cosine similarity of the rows of ``a`` and ``b`` (zero rows give 0)."""
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    return np.asarray((a / np.maximum(na, 1e-12)) @ (b / np.maximum(nb, 1e-12)).T, dtype=np.float32)


def normalised_adjacency(graph: SalesGraph) -> torch.Tensor:
    """``D^-1/2 A D^-1/2`` of the undirected graph as a sparse CSR matrix, built once."""
    edges = graph.edge_index()
    n = graph.num_nodes
    degree = torch.bincount(edges[0], minlength=n).to(torch.float32)
    scale = degree.clamp(min=1.0).pow(-0.5)
    values = scale[edges[0]] * scale[edges[1]]
    matrix = torch.sparse_coo_tensor(edges, values, (n, n), check_invariants=False).coalesce()
    with warnings.catch_warnings():
        # CSR is what PyG's spmm wants; torch only notes that its CSR support is "beta"
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support", category=UserWarning)
        return matrix.to_sparse_csr()


def _negatives(
    seen: torch.Tensor, user: torch.Tensor, n_items: int, generator: torch.Generator
) -> torch.Tensor:
    """Uniform items per user, drawn again (a few times) where the user already has them."""
    negative = torch.randint(n_items, user.shape, generator=generator)
    for _ in range(3):
        clash = seen[user, negative]
        if not bool(clash.any()):
            break
        negative[clash] = torch.randint(n_items, (int(clash.sum()),), generator=generator)
    return negative
