"""GetOperation, WatchOperation and CancelOperation, once for every service whose work is
a long-running operation (planning, simulation): they share the server's ``Operations``.

With several server processes behind one port, an operation another process started is
asked of that process (``Peers.owner``), whichever service the call came in on: the
operations of both services are one set per process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from supplynet.server.rpc.converters import name_id
from supplynet.server.rpc.processes import forward, forward_stream, forwarded_metadata
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import operation_pb2, replenishment_pb2

OperationRequest = (
    replenishment_pb2.GetOperationRequest
    | replenishment_pb2.WatchOperationRequest
    | replenishment_pb2.CancelOperationRequest
)


class OperationMethods:
    """A mixin placed before the generated servicer base, whose methods answer UNIMPLEMENTED."""

    state: ServerState

    async def GetOperation(
        self, request: replenishment_pb2.GetOperationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        asked = self._ask_owner("GetOperation", request, context)
        if asked is not None:
            answer: operation_pb2.Operation = await forward(asked, context)
            return answer
        return self.state.operations.get(name_id(request.name, "operations")).snapshot()

    async def WatchOperation(
        self, request: replenishment_pb2.WatchOperationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[operation_pb2.Operation]:
        asked = self._ask_owner("WatchOperation", request, context)
        updates = (
            forward_stream(asked, context)
            if asked is not None
            else self.state.operations.watch(name_id(request.name, "operations"))
        )
        async for snapshot in updates:
            yield snapshot

    async def CancelOperation(
        self, request: replenishment_pb2.CancelOperationRequest, context: grpc.aio.ServicerContext
    ) -> operation_pb2.Operation:
        asked = self._ask_owner("CancelOperation", request, context)
        if asked is not None:
            answer: operation_pb2.Operation = await forward(asked, context)
            return answer
        operation = await self.state.operations.cancel(name_id(request.name, "operations"))
        return operation.snapshot()

    def _ask_owner(
        self, method: str, request: OperationRequest, context: grpc.aio.ServicerContext
    ) -> Any:
        """``method`` called on the process that started the named operation, when that is
        another one; ``None`` when this process answers."""
        owner = self.state.peers.owner(name_id(request.name, "operations"))
        if owner is None:
            return None
        return getattr(owner, method)(
            request, metadata=forwarded_metadata(context), timeout=context.time_remaining()
        )
