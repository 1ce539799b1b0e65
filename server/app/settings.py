"""Every default of every use case, in one object, read once from the environment.

The CLI, the gRPC server and the demo all take their defaults from here, so a request
that leaves a field unset gets the same answer through either door. Environment
variables carry the ``SUPPLYNET_`` prefix (``SUPPLYNET_COUNTRY=BD``,
``SUPPLYNET_RAY_ADDRESS=...``); flags and request fields override them per call.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplynet.graph.executor import ParallelSettings
from supplynet.graph.model import CountryCode
from supplynet.graph.network import Network


class AppSettings(BaseSettings):
    """Defaults and limits of the use cases; stored as given, bounds declared as data."""

    model_config = SettingsConfigDict(env_prefix="SUPPLYNET_", extra="ignore", frozen=True)

    country: CountryCode | None = Field(
        default=None,
        description="holiday calendar (ISO country code) for every model; None: the "
        "network's (``Network.country``, e.g. BD for a SupplyGraph import), else none",
    )
    forecast_model: str = Field(default="auto", description="forecaster when none is named")
    forecast_horizon_days: int = Field(default=28, ge=1, le=366)
    plan_horizon_days: int = Field(default=56, ge=1, le=366)
    period_days: int = Field(default=7, ge=1, le=28, description="planning period length")
    service_level: float = Field(default=0.95, gt=0, lt=1)
    plan_time_limit_s: float = Field(default=60.0, gt=0)
    route_time_limit_s: float = Field(default=10.0, gt=0)
    route_road_factor: float | None = Field(
        default=None,
        ge=1,
        le=5,
        description="road km per great-circle km on this deployment's network; None: what "
        "its warehouse -> store lanes show (median lane km / great-circle km), else 1.3",
    )
    route_speed_kmh: float | None = Field(
        default=None, gt=0, le=200, description="average road speed; None: 50 km/h"
    )
    max_time_limit_s: float = Field(
        default=3600.0, gt=0, description="longest time limit any request may ask for"
    )
    max_horizon_days: int = Field(default=366, ge=1)
    relative_gap: float = Field(default=0.01, ge=0)
    solver: Literal["scip", "highs"] = "scip"
    workers: int | None = Field(default=None, ge=1, le=256, description="None: every core")
    ray_address: str | None = Field(
        default=None, description="a Ray cluster for every fan-out; None: local processes"
    )
    seed: int = 0

    @field_validator("country", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``SUPPLYNET_COUNTRY=`` (empty) leaves the calendar to the network."""
        return value or None

    def parallel(self, workers: int | None = None) -> ParallelSettings:
        """How fan-outs run: on Ray when an address is configured, else local processes."""
        if self.ray_address:
            return ParallelSettings(engine="ray", ray_address=self.ray_address)
        return ParallelSettings(workers=workers if workers is not None else self.workers)


def holiday_country(configured: str | None, network: Network) -> str | None:
    """The calendar of every model of a call: ``configured`` (the request's flag or field,
    else ``AppSettings.country``), else the country the network lies in
    (``Network.country``: BD for a SupplyGraph import, DE for a generated one), else none."""
    return configured or network.country
