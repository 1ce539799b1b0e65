"""Top-k ranking metrics (Recall@k, NDCG@k with binary relevance) and ranking helpers."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt


def top_k(
    scores: npt.NDArray[np.floating], k: int, exclude: Sequence[Collection[int]]
) -> list[list[int]]:
    """Per row, the ``k`` best column indices, best first, leaving ``exclude[row]`` out.

    Ties are broken by the lower index, so rankings are deterministic.
    """
    ranked: list[list[int]] = []
    for row, banned in zip(scores, exclude, strict=True):
        order = np.lexsort((np.arange(row.size), -row))
        ranked.append([int(i) for i in order if int(i) not in banned][:k])
    return ranked


def recall_at_k(
    ranked: Sequence[Sequence[int]], relevant: Sequence[Collection[int]], k: int
) -> float:
    """Mean over rows with any relevant item of the share of them found in the top ``k``."""
    values = [
        len(set(r[:k]) & set(rel)) / len(rel)
        for r, rel in zip(ranked, relevant, strict=True)
        if rel
    ]
    return float(np.mean(values)) if values else float("nan")


def ndcg_at_k(
    ranked: Sequence[Sequence[int]], relevant: Sequence[Collection[int]], k: int
) -> float:
    """Mean normalised discounted cumulative gain at ``k`` (binary gains, log2 discount)."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    values = []
    for r, rel in zip(ranked, relevant, strict=True):
        if not rel:
            continue
        gains = np.array([1.0 if item in rel else 0.0 for item in r[:k]])
        ideal = discount[: min(len(rel), k)].sum()
        values.append(float((gains * discount[: gains.size]).sum() / ideal))
    return float(np.mean(values)) if values else float("nan")


def ndcg_of_scores(
    scores: npt.NDArray[np.floating],
    exclude: npt.NDArray[np.bool_],
    relevant: Sequence[Collection[int]],
    k: int,
) -> float:
    """``ndcg_at_k`` straight from a score matrix, vectorised (validation runs it once per
    candidate blend weight).

    ``exclude`` is ``scores``-shaped and True where an item must not be ranked (seen).
    Within the top ``k`` ties go to the lower index; which of several items tied at the
    ``k``-th score gets in is deterministic but not by index (a partition, not a sort).
    """
    masked = np.where(exclude, -np.inf, scores)
    k = min(k, masked.shape[1])
    top = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(masked, top, axis=1)
    order = np.lexsort((top, -values), axis=1)
    ranked_top = np.take_along_axis(top, order, axis=1)
    ranked = [
        [int(i) for i in row if not np.isneginf(masked[r, i])] for r, row in enumerate(ranked_top)
    ]
    return ndcg_at_k(ranked, relevant, k)
