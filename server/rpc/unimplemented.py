"""Serve a designed service whose capability does not exist yet: every method UNIMPLEMENTED.

The service is still registered (reflection lists it, auth applies), and the
status names the capability it waits for instead of gRPC's bare "Method not found".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from supplynet.server.rpc.status import abort, unimplemented_status


def _handler(method: MethodDescriptor, capability: str) -> grpc.RpcMethodHandler:
    status = unimplemented_status(f"{method.containing_service.name}.{method.name}", capability)
    request = message_factory.GetMessageClass(method.input_type)
    response = message_factory.GetMessageClass(method.output_type)
    codec = {
        "request_deserializer": request.FromString,
        "response_serializer": response.SerializeToString,
    }

    async def answer(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await abort(context, status)

    async def answer_stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        await abort(context, status)
        yield response()

    if method.server_streaming:
        if method.client_streaming:
            return grpc.stream_stream_rpc_method_handler(answer_stream, **codec)
        return grpc.unary_stream_rpc_method_handler(answer_stream, **codec)
    if method.client_streaming:
        return grpc.stream_unary_rpc_method_handler(answer, **codec)
    return grpc.unary_unary_rpc_method_handler(answer, **codec)


def register_unimplemented(
    server: grpc.aio.Server, service: ServiceDescriptor, capability: str
) -> str:
    """Register ``service`` with every method answering UNIMPLEMENTED; returns its full name."""
    handlers = {method.name: _handler(method, capability) for method in service.methods}
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(service.full_name, handlers),)
    )
    return str(service.full_name)
