"""``SimulationService``: the digital twin as a long-running operation.

StartSimulation checks the request (``server.app.simulate``) and returns an operation
at once; the replications run in a worker process, reporting the share done; the KPI
table is saved as a plan of kind ``simulation`` that the operation names when done.
Cancelling ends the worker.
"""

from __future__ import annotations

import grpc

from supplynet.graph.deadline import Deadline
from supplynet.graph.plans import StoredPlan
from supplynet.server.app import simulate
from supplynet.server.rpc import tasks
from supplynet.server.rpc.converters import unset_if_zero
from supplynet.server.rpc.operation_methods import OperationMethods
from supplynet.server.rpc.operations import Operation
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import (
    operation_pb2,
    simulation_pb2,
    simulation_pb2_grpc,
)


class SimulationServicer(OperationMethods, simulation_pb2_grpc.SimulationServiceServicer):
    """Thin: check through ``server.app.simulate``, run it as an operation."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def StartSimulation(
        self, request: simulation_pb2.StartSimulationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        asked = simulate.simulate_request(
            self.state.app,
            preset=request.preset or None,
            days=unset_if_zero(request.days),
            policies=tuple(request.policies) or None,
            replications=unset_if_zero(request.replications),
            seed=request.seed,
            mode=request.mode or None,
            workers=1,
        )
        inputs = None
        if asked.preset is None:
            inputs = simulate.SimulationInputs(
                await self.state.network(), await self.state.demand()
            )
        deadline = Deadline.after(self.state.app.max_time_limit_s).earlier(context.time_remaining())

        async def work(operation: Operation) -> str:
            stored: StoredPlan = await self.state.jobs.run(
                tasks.simulate_twin, inputs, asked, on_progress=operation.report
            )
            await operation.update(stage="saving")
            await self.state.call(self.state.store.save_plan, stored)
            return stored.id

        return self.state.operations.start(work, deadline.remaining()).snapshot()


def register(server: grpc.aio.Server, state: ServerState) -> str:
    servicer = SimulationServicer(state)
    simulation_pb2_grpc.add_SimulationServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
    return str(simulation_pb2.DESCRIPTOR.services_by_name["SimulationService"].full_name)
