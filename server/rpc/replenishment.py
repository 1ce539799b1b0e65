"""``ReplenishmentService``: designed now; answers UNIMPLEMENTED until its capability exists."""

from __future__ import annotations

import grpc

from proto.supplynet.v1 import replenishment_pb2
from server.rpc.state import ServerState
from server.rpc.unimplemented import register_unimplemented

CAPABILITY = "the replenishment planner (optimizer/replenishment)"


def register(server: grpc.aio.Server, state: ServerState) -> str:
    service = replenishment_pb2.DESCRIPTOR.services_by_name["ReplenishmentService"]
    return register_unimplemented(server, service, CAPABILITY)
