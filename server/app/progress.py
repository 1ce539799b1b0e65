"""What long use cases report while they run: a bar on the CLI, an operation over gRPC."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """One progress report: ``fraction`` in [0, 1] and what it is doing."""

    fraction: float
    stage: str
    objective: float | None = None


Report = Callable[[Progress], None]


def ignore(_: Progress) -> None:
    """The report of a caller that shows no progress."""


def part(report: Report, start: float, end: float) -> Report:
    """A report for a stage that fills ``[start, end]`` of the caller's bar."""

    def scaled(progress: Progress) -> None:
        fraction = start + (end - start) * min(max(progress.fraction, 0.0), 1.0)
        report(Progress(fraction, progress.stage, progress.objective))

    return scaled
