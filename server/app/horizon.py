"""One unit for every horizon: days on the way in, the history's periods at the core.

A request says how many days ahead it wants; the data says whether it is daily or
weekly. The conversion happens here only, so a weekly network asked for 28 days gets
4 weekly periods from the CLI, gRPC and the Python API alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplynet.forecasting.forecast import Freq

PERIOD_DAYS: dict[Freq, int] = {"D": 1, "W": 7}


@dataclass(frozen=True)
class Horizon:
    """``days`` ahead at frequency ``freq``; ``periods`` is what the cores are given."""

    days: int
    freq: Freq

    @property
    def periods(self) -> int:
        """Whole periods covering ``days`` (a partial week counts as a week)."""
        return -(-self.days // PERIOD_DAYS[self.freq])

    @property
    def covered_days(self) -> int:
        return self.periods * PERIOD_DAYS[self.freq]
