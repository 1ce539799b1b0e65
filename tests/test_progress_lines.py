"""Long fan-outs show their progress in a log too: a line at the start and at each tenth,
where a terminal gets a bar (``server/cli/output.py``)."""

from __future__ import annotations

import io
from itertools import count

from rich.console import Console

from supplynet.server.cli.output import count_progress, logged_counts


def log_console() -> tuple[Console, io.StringIO]:
    text = io.StringIO()
    return Console(file=text, force_terminal=False, width=200), text


def test_a_log_gets_a_line_at_the_first_report_and_each_tenth() -> None:
    out, text = log_console()
    ticks = count()
    update = logged_counts(out, "forecasting series", clock=lambda: float(next(ticks)))
    for done in range(1, 1001):
        update(done, 1000)
    lines = text.getvalue().splitlines()
    assert len(lines) == 11
    assert lines[0] == "forecasting series: 1/1,000 (0%) in 1 s"
    assert lines[1].startswith("forecasting series: 100/1,000 (10%)")
    assert lines[-1].startswith("forecasting series: 1,000/1,000 (100%)")


def test_count_progress_logs_lines_when_not_on_a_terminal() -> None:
    out, text = log_console()
    with count_progress(out, "forecasting (auto) series") as update:
        update(3, 3)
    assert text.getvalue().startswith("forecasting (auto) series: 3/3 (100%) in ")
