"""``RoutingService``: designed now; answers UNIMPLEMENTED until its capability exists."""

from __future__ import annotations

import grpc

from proto.supplynet.v1 import routing_pb2
from server.rpc.state import ServerState
from server.rpc.unimplemented import register_unimplemented

CAPABILITY = "the routing solver and exports (optimizer/routing, optimizer/exports)"


def register(server: grpc.aio.Server, state: ServerState) -> str:
    service = routing_pb2.DESCRIPTOR.services_by_name["RoutingService"]
    return register_unimplemented(server, service, CAPABILITY)
