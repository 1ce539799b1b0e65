"""Ranking metrics agree with hand-computed Recall@k and NDCG@k; top-k skips seen items."""

from __future__ import annotations

import math

import numpy as np
import pytest

from supplynet.optimizer.recommend.metrics import ndcg_at_k, recall_at_k, top_k


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
