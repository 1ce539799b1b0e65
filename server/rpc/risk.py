"""``RiskService``: late-delivery risk per supplier and supply lane from the saved risk GNN.

The model is the one ``supplynet train risk`` saved in the model store beside the graph
store (``server.app.models``); scoring runs in a worker process on the scoped network and its
delivery history.
"""

from __future__ import annotations

import asyncio

import grpc

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.server.app.risk_ranking import model_version
from supplynet.server.app.validation import require, scope_problems
from supplynet.server.rpc import tasks
from supplynet.server.rpc.converters import risk_to_proto, scope_from_proto
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import risk_pb2, risk_pb2_grpc

MODELS = ("gnn",)


class RiskServicer(risk_pb2_grpc.RiskServiceServicer):
    """Thin: check, read the scoped network and deliveries, score in a job."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def ScoreRisk(
        self, request: risk_pb2.ScoreRiskRequest, context: grpc.aio.ServicerContext
    ) -> risk_pb2.ScoreRiskResponse:
        if request.model not in ("", *MODELS):
            raise ValidationFailed(
                [Problem("model", f"unknown model {request.model!r}; known: {', '.join(MODELS)}")],
                "risk request",
            )
        checkpoint = await asyncio.to_thread(self.state.models.load_bytes, "risk")
        scope = scope_from_proto(request.scope)
        network = await self.state.network()
        require(scope_problems(network, scope), "risk request")
        if scope is not None:
            network = await self.state.call(network.scoped, scope)
        if not network.supply_lanes:
            raise ValidationFailed([Problem("scope", "selects no supply lane")], "risk request")
        deliveries = await self.state.call(self.state.store.read_deliveries, scope)
        scores = await self.state.jobs.run(tasks.score_risk, checkpoint, network, deliveries)
        return await asyncio.to_thread(risk_to_proto, scores, model_version(checkpoint))


def register(server: grpc.aio.Server, state: ServerState) -> str:
    risk_pb2_grpc.add_RiskServiceServicer_to_server(RiskServicer(state), server)  # type: ignore[no-untyped-call]
    return str(risk_pb2.DESCRIPTOR.services_by_name["RiskService"].full_name)
