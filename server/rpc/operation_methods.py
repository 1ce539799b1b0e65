"""GetOperation, WatchOperation and CancelOperation, once for every service whose work is
a long-running operation (planning, simulation): they share the server's ``Operations``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from supplynet.server.rpc.converters import name_id
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import operation_pb2, replenishment_pb2


class OperationMethods:
    """A mixin placed before the generated servicer base, whose methods answer UNIMPLEMENTED."""

    state: ServerState

    async def GetOperation(
        self, request: replenishment_pb2.GetOperationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        return self.state.operations.get(name_id(request.name, "operations")).snapshot()

    async def WatchOperation(
        self, request: replenishment_pb2.WatchOperationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[operation_pb2.Operation]:
        async for snapshot in self.state.operations.watch(name_id(request.name, "operations")):
            yield snapshot

    async def CancelOperation(
        self, request: replenishment_pb2.CancelOperationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        operation = await self.state.operations.cancel(name_id(request.name, "operations"))
        return operation.snapshot()
