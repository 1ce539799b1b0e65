"""The executor returns what a plain loop would, in order, with progress, on every engine."""

from __future__ import annotations

import gc
import operator
import os
from functools import partial

import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.executor import ParallelSettings, StartMethod, parallel_map

DOUBLE = partial(operator.mul, 2)


@pytest.mark.parametrize("workers", [1, 2])
def test_results_in_input_order_with_progress(workers: int) -> None:
    seen: list[tuple[int, int]] = []
    items = list(range(23))
    result = parallel_map(
        DOUBLE,
        items,
        ParallelSettings(workers=workers, chunk_size=4),
        lambda d, t: seen.append((d, t)),
    )
    assert result == [2 * i for i in items]
    assert seen[-1] == (23, 23)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def _pid(_: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("pilot", [True, False])
def test_pilot_runs_the_first_item_here_before_forking(pilot: bool) -> None:
    """Workers fork after the pilot, so they inherit what it loaded."""
    pids = parallel_map(_pid, list(range(6)), ParallelSettings(workers=2, pilot=pilot))
    assert len(pids) == 6
    assert (pids[0] == os.getpid()) is pilot
    assert os.getpid() not in pids[1:]


def _frozen(_: int) -> int:
    return gc.get_freeze_count()


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_forked_workers_leave_the_parents_objects_to_the_parent(
    start_method: StartMethod,
) -> None:
    """A forked worker's collector skips the inherited objects (so it shares their
    pages instead of copying them); the parent collects them again afterwards."""
    settings = ParallelSettings(workers=2, pilot=False, start_method=start_method)
    frozen = parallel_map(_frozen, list(range(4)), settings)
    assert all(count > 0 for count in frozen) is (start_method == "fork")
    assert gc.get_freeze_count() == 0


def test_empty_input() -> None:
    assert parallel_map(DOUBLE, [], ParallelSettings(workers=2)) == []


def test_settings_are_validated() -> None:
    with pytest.raises(ValidationFailed, match="workers"):
        ParallelSettings(workers=0)
    with pytest.raises(ValidationFailed, match="engine"):
        ParallelSettings(engine="spark")  # type: ignore[arg-type]


@pytest.mark.slow
def test_ray_fans_out_the_same_work() -> None:
    """On a local one-CPU Ray instance (Ray 2.x dropped ``local_mode``); kept tiny."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        seen: list[int] = []
        result = parallel_map(
            DOUBLE,
            list(range(7)),
            ParallelSettings(engine="ray", chunk_size=3),
            lambda d, t: seen.append(d),
        )
    finally:
        ray.shutdown()
    assert result == [2 * i for i in range(7)]
    assert sorted(seen)[-1] == 7
