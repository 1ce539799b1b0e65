"""The DQN markdown arm: schedules a store can run, and the same seed learns the same policy.

Properties: every state's greedy discount is allowed (never shallower than the current
one, no change once the change budget is spent); training is deterministic given its seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from supplynet.optimizer.pricing import MarkdownProblem
from supplynet.optimizer.pricing.dqn import DqnMarkdown, DqnSettings

COHORT = MarkdownProblem(
    stock=12,
    price=3.0,
    unit_cost=1.5,
    units_per_day=np.array([3.0, 2.5, 2.0]),
    elasticity=2.0,
    discounts=(0.0, 0.2, 0.4),
    max_changes=1,
)
SETTINGS = DqnSettings(episodes=25, batch_size=16, hidden=8, seed=4)


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """Torch's thread count is the caller's choice: one, as the bench uses (tiny nets)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def choice(one_thread: None) -> np.ndarray:
    return DqnMarkdown(SETTINGS).fit(COHORT).policy().choice


def test_greedy_policy_only_deepens_within_the_change_budget(choice: np.ndarray) -> None:
    for level in range(len(COHORT.discounts)):
        assert (choice[:, :, level, :] >= level).all()
        assert (choice[:, :, level, COHORT.max_changes] == level).all()


def test_same_seed_same_policy(choice: np.ndarray) -> None:
    assert np.array_equal(DqnMarkdown(SETTINGS).fit(COHORT).policy().choice, choice)
