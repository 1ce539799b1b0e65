"""``PricingService``: designed now; answers UNIMPLEMENTED until its capability exists."""

from __future__ import annotations

import grpc

from supplynet.server.rpc.state import ServerState
from supplynet.server.rpc.unimplemented import register_unimplemented
from supplynet.v1 import pricing_pb2

CAPABILITY = "graph-aware pricing (optimizer/pricing)"


def register(server: grpc.aio.Server, state: ServerState) -> str:
    service = pricing_pb2.DESCRIPTOR.services_by_name["PricingService"]
    return register_unimplemented(server, service, CAPABILITY)
