"""Use case: roll policies forward on the digital twin and compare them (A/B with intervals).

``simulate_request`` checks and defaults what was asked; ``simulation_inputs`` gets the
network, its demand history and, for a synthetic preset, the truth behind it (a
network from the store has none: the twin then bootstraps its history); ``simulate``
runs the replications through the project's executor, pure and picklable so the server
can run it in a worker process; ``stored`` keeps the KPI table as a saved plan of kind
``simulation`` (one line per replication and policy, one per paired difference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from supplynet.graph.errors import Problem
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.network import Network
from supplynet.graph.plans import PlanId, Scalar, StoredPlan
from supplynet.graph.synthetic import PRESETS, SyntheticTruth, generate
from supplynet.optimizer.twin.replications import POLICIES, TwinResult, TwinSettings, run_twin
from supplynet.optimizer.twin.world import build_world
from supplynet.server.app.plan import new_plan_id
from supplynet.server.app.progress import Progress, Report, ignore
from supplynet.server.app.settings import AppSettings
from supplynet.server.app.validation import checked

KIND = "simulation"


class SimulateRequest(BaseModel):
    """What to simulate, checked; ``simulate_request`` fills the defaults."""

    model_config = ConfigDict(frozen=True)

    policies: tuple[str, ...] = Field(min_length=1, max_length=8)
    days: int = Field(ge=1, le=730)
    replications: int = Field(ge=1, le=200)
    seed: int = 0
    mode: Literal["lost_sales", "backorders"] = "lost_sales"
    preset: str | None = None
    workers: int = Field(default=1, ge=1, le=64)
    result_id: PlanId

    @field_validator("policies")
    @classmethod
    def _known_policies(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in names if name not in POLICIES]
        if unknown:
            raise ValueError(f"unknown policy {unknown[0]!r} (known: {', '.join(POLICIES)})")
        return names

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, name: str | None) -> str | None:
        if name is not None and name not in PRESETS:
            raise ValueError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
        return name

    def twin(self) -> TwinSettings:
        return TwinSettings(
            self.policies, self.days, self.replications, self.seed, self.mode, self.workers
        )


def simulate_request(
    settings: AppSettings, found: Sequence[Problem] = (), /, **fields: object
) -> SimulateRequest:
    """A checked request; fields left ``None`` take the defaults (182 days, 5 replications,
    ``baseline`` against ``supplynet``, the settings' seed)."""
    return checked(
        SimulateRequest,
        "simulation request",
        found,
        **{
            "policies": ("baseline", "supplynet"),
            "days": 182,
            "replications": 5,
            "seed": settings.seed,
            "result_id": new_plan_id("simulation"),
            **{name: value for name, value in fields.items() if value is not None},
        },
    )


@dataclass(frozen=True)
class SimulationInputs:
    """The network, its demand history and, for a synthetic preset, its truth."""

    network: Network
    demand: pd.DataFrame
    truth: SyntheticTruth | None = None


def preset_inputs(preset: str, seed: int) -> SimulationInputs:
    """A generated network with its history and truth (what ``--preset`` simulates)."""
    data = generate(preset, seed)
    return SimulationInputs(data.network, data.demand, data.truth)


def simulate(
    inputs: SimulationInputs,
    request: SimulateRequest,
    parallel: ParallelSettings | None = None,
    report: Report = ignore,
) -> TwinResult:
    """Run the request's replications; a network without history is ``ValidationFailed``."""
    report(Progress(0.0, "building the twin"))
    world = build_world(inputs.network, inputs.demand)

    def counted(done: int, total: int) -> None:
        report(Progress(done / max(total, 1), f"replication {done}/{total}"))

    report(Progress(0.0, f"replication 0/{request.replications}"))
    return run_twin(world, request.twin(), inputs.truth, counted, parallel)


def stored(result: TwinResult, request: SimulateRequest) -> StoredPlan:
    """The KPI table as a saved plan: headline means as attributes, rows as lines."""
    attributes: dict[str, Scalar] = {
        "policies": ",".join(request.policies),
        "days": request.days,
        "replications": request.replications,
        "seed": request.seed,
        "mode": request.mode,
        "preset": request.preset,
        "failed_runs": len(result.failures),
    }
    for policy, row in result.table().iterrows():
        for kpi in ("stockout_rate", "fill_rate", "inventory_turns", "gross_margin", "profit"):
            attributes[f"{policy}.{kpi}"] = _scalar(row[kpi])
    lines: list[dict[str, Scalar]] = []
    for row in result.kpis.to_dict("records"):
        lines.append({"line_type": "kpis", **{k: _scalar(v) for k, v in row.items()}})
    for row in result.paired().to_dict("records"):
        lines.append({"line_type": "paired", **{k: _scalar(v) for k, v in row.items()}})
    for row in result.failures.to_dict("records"):
        lines.append({"line_type": "failure", **{k: _scalar(v) for k, v in row.items()}})
    return StoredPlan(
        id=request.result_id,
        kind=KIND,
        created_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
        attributes=attributes,
        lines=tuple(lines),
    )


def _scalar(value: object) -> Scalar:
    if isinstance(value, str | bool | int) or value is None:
        return value
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number
