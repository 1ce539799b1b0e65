"""Ranking metrics agree with hand-computed Recall@k and NDCG@k; top-k skips seen items."""

from __future__ import annotations

import math

import numpy as np
import pytest

from supplynet.optimizer.recommend.metrics import ndcg_at_k, ndcg_of_scores, recall_at_k, top_k


def test_top_k_orders_by_score_breaks_ties_by_index_and_skips_excluded() -> None:
    scores = np.array([[0.1, 0.9, 0.5, 0.9], [1.0, 0.0, 0.0, 0.0]])
    assert top_k(scores, 2, [set(), {0}]) == [[1, 3], [1, 2]]


def test_recall_and_ndcg_match_hand_computation() -> None:
    ranked = [[3, 1, 2], [0, 5, 6]]
    relevant = [{1, 4}, {6}]
    assert recall_at_k(ranked, relevant, 3) == pytest.approx((0.5 + 1.0) / 2)
    first = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    second = (1 / math.log2(4)) / 1.0
    assert ndcg_at_k(ranked, relevant, 3) == pytest.approx((first + second) / 2)


def test_rows_without_relevant_items_are_left_out() -> None:
    assert recall_at_k([[1], [2]], [set(), {2}], 1) == 1.0
    assert math.isnan(ndcg_at_k([[1]], [set()], 1))


def test_ndcg_of_scores_agrees_with_ranking_then_scoring() -> None:
    rng = np.random.default_rng(3)
    scores = rng.random((20, 30)).round(1)  # many ties
    seen = rng.random((20, 30)) < 0.3
    relevant = [set(rng.choice(30, 4).tolist()) - set(np.flatnonzero(s)) for s in seen]
    exclude = [set(np.flatnonzero(s).tolist()) for s in seen]
    expected = ndcg_at_k(top_k(scores, 5, exclude), relevant, 5)
    assert ndcg_of_scores(scores, seen, relevant, 5) == pytest.approx(expected, abs=0.05)
    distinct = rng.permutation(600).reshape(20, 30).astype(float)
    assert ndcg_of_scores(distinct, seen, relevant, 5) == pytest.approx(
        ndcg_at_k(top_k(distinct, 5, exclude), relevant, 5)
    )
