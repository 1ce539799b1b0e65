"""A learning arm for markdowns: a small DQN (plain torch) trained on simulated cohorts.

The request behind the service names DQN-based dynamic pricing, so this arm learns the
same decision the markdown DP makes (today's discount, given day, units left, current
discount and changes used; discounts only deepen, at most ``max_changes`` times) from
simulated episodes of the cohort's demand process instead of solving it. Its greedy
policy is read out as a ``MarkdownPolicy`` table, so ``markdown.evaluate`` scores it
exactly beside the DP. The bench reports it; it ships only if it wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from supplynet.optimizer.pricing.markdown import MarkdownPolicy, MarkdownProblem


@dataclass(frozen=True)
class DqnSettings:
    """Training knobs; every random choice follows ``seed``."""

    episodes: int = 3000
    hidden: int = 64
    learning_rate: float = 1e-3
    batch_size: int = 128
    buffer_size: int = 20_000
    target_every: int = 200
    epsilon_end: float = 0.05
    seed: int = 0


class DqnMarkdown:
    """Learn a markdown policy for one cohort problem (scikit-learn style: ``fit``, then use).

    Parameters
    ----------
    settings
        Training knobs (stored as given).
    """

    def __init__(self, settings: DqnSettings | None = None) -> None:
        self.settings = settings or DqnSettings()

    def fit(self, problem: MarkdownProblem) -> DqnMarkdown:
        """Train on episodes simulated from ``problem``'s demand process."""
        s = self.settings
        rng = np.random.default_rng(s.seed)
        generator = torch.Generator().manual_seed(s.seed)
        levels = len(problem.discounts)
        net = _network(_features(problem, 0, 0, 0, 0).shape[0], s.hidden, levels, generator)
        target = _network(_features(problem, 0, 0, 0, 0).shape[0], s.hidden, levels, generator)
        target.load_state_dict(net.state_dict())
        optimiser = torch.optim.Adam(net.parameters(), lr=s.learning_rate)
        scale = max(problem.price * problem.stock, 1e-9)
        prices = problem.price * (1 - np.asarray(problem.discounts))
        buffer: list[tuple[np.ndarray, int, float, np.ndarray, np.ndarray, bool]] = []
        steps = 0
        for episode in range(s.episodes):
            epsilon = max(s.epsilon_end, 1 - episode / (0.7 * s.episodes))
            left, level, used = problem.stock, 0, 0
            for day in range(problem.days):
                state = _features(problem, day, left, level, used)
                allowed = _allowed(problem, level, used)
                if rng.random() < epsilon:
                    action = int(rng.choice(np.flatnonzero(allowed)))
                else:
                    with torch.no_grad():
                        q = net(torch.as_tensor(state)[None])[0].numpy()
                    action = int(np.argmax(np.where(allowed, q, -np.inf)))
                used += int(action != level)
                level = action
                mean = problem.units_per_day[day] * (1 - problem.discounts[level]) ** -(
                    problem.elasticity
                )
                sold = min(left, int(_draw(rng, mean, problem.noise_shape)))
                left -= sold
                reward = prices[level] * sold
                done = day == problem.days - 1 or left == 0
                if done:
                    reward += (problem.salvage - problem.waste_penalty) * left
                after = _features(problem, min(day + 1, problem.days - 1), left, level, used)
                buffer.append(
                    (state, action, reward / scale, after, _allowed(problem, level, used), done)
                )
                if len(buffer) > s.buffer_size:
                    buffer.pop(0)
                if len(buffer) >= s.batch_size:
                    _learn(net, target, optimiser, buffer, rng, s.batch_size)
                steps += 1
                if steps % s.target_every == 0:
                    target.load_state_dict(net.state_dict())
                if done:
                    break
        self.problem_ = problem
        self.network_ = net
        return self

    def policy(self) -> MarkdownPolicy:
        """The greedy policy as a table over every state (allowed discounts only)."""
        p = self.problem_
        levels, changes = len(p.discounts), p.max_changes + 1
        choice = np.zeros((p.days, p.stock + 1, levels, changes), dtype=np.int16)
        grid = [
            (day, left, level, used)
            for day in range(p.days)
            for left in range(p.stock + 1)
            for level in range(levels)
            for used in range(changes)
        ]
        features = torch.as_tensor(np.stack([_features(p, *g) for g in grid]))
        with torch.no_grad():
            q = self.network_(features).numpy()
        for (day, left, level, used), values in zip(grid, q, strict=True):
            allowed = _allowed(p, level, used)
            choice[day, left, level, used] = int(np.argmax(np.where(allowed, values, -np.inf)))
        return MarkdownPolicy(p, choice, np.zeros((p.days + 1, *choice.shape[1:])))


def _network(inputs: int, hidden: int, outputs: int, generator: torch.Generator) -> nn.Module:
    net = nn.Sequential(
        nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, outputs),
    )  # fmt: skip
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.1)
    return net


def _features(problem: MarkdownProblem, day: int, left: int, level: int, used: int) -> np.ndarray:
    """Day and units left (scaled), the current discount one-hot, changes left."""
    onehot = np.zeros(len(problem.discounts), dtype=np.float32)
    onehot[level] = 1.0
    head = [
        day / problem.days,
        left / max(problem.stock, 1),
        (problem.max_changes - used) / max(problem.max_changes, 1),
    ]
    return np.concatenate([np.array(head, dtype=np.float32), onehot])


def _allowed(problem: MarkdownProblem, level: int, used: int) -> np.ndarray:
    levels = np.arange(len(problem.discounts))
    deeper = levels >= level if problem.monotone else np.ones(len(levels), dtype=bool)
    return np.asarray(deeper & ((levels == level) | (used < problem.max_changes)))


def _draw(rng: np.random.Generator, mean: float, shape: float | None) -> float:
    if shape is None:
        return float(rng.poisson(mean))
    return float(rng.poisson(mean * rng.gamma(shape, 1 / shape)))


def _learn(
    net: nn.Module,
    target: nn.Module,
    optimiser: torch.optim.Optimizer,
    buffer: list[tuple[np.ndarray, int, float, np.ndarray, np.ndarray, bool]],
    rng: np.random.Generator,
    batch_size: int,
) -> None:
    """One double-DQN step on a sampled batch (undiscounted: episodes are a few days)."""
    picked = [buffer[i] for i in rng.integers(0, len(buffer), batch_size)]
    states = torch.as_tensor(np.stack([b[0] for b in picked]))
    actions = torch.as_tensor([b[1] for b in picked])
    rewards = torch.as_tensor([b[2] for b in picked], dtype=torch.float32)
    after = torch.as_tensor(np.stack([b[3] for b in picked]))
    allowed = torch.as_tensor(np.stack([b[4] for b in picked]))
    done = torch.as_tensor([b[5] for b in picked], dtype=torch.float32)
    with torch.no_grad():
        online = net(after).masked_fill(~allowed, -1e9).argmax(dim=1, keepdim=True)
        future = target(after).gather(1, online).squeeze(1)
        goal = rewards + (1 - done) * future
    q = net(states).gather(1, actions[:, None]).squeeze(1)
    loss = nn.functional.smooth_l1_loss(q, goal)
    optimiser.zero_grad()
    loss.backward()  # type: ignore[no-untyped-call]
    optimiser.step()
