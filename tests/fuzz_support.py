"""Generated requests for every RPC, from the proto descriptors, and how a call may end.

Shared by ``tests/test_hardening_fuzz.py`` (a bounded number of cases in CI) and
``bench/fault_injection.py`` (>= 10,000). Messages are drawn by hypothesis field by
field from each method's input descriptor: strings mixing real ids of the ``tiny``
network with the inputs that once broke the server (``offset:²``, 5,000 digits,
300-character ids, ``03/04/2024``), numbers at and beyond their bounds, NaN and
infinities, unknown enum values, at most one member of each oneof. Raw bytes go to
every method too. A call may fail any way but INTERNAL or UNKNOWN.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from supplynet.v1 import (
    forecast_pb2,
    network_pb2,
    pricing_pb2,
    recommendation_pb2,
    replenishment_pb2,
    risk_pb2,
    routing_pb2,
)

FORBIDDEN = frozenset({grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN})
CALL_TIMEOUT_S = 5.0
"""Client deadline per call: a generated request that starts real work may run out of it."""
MAX_DEPTH = 3
NASTY_TEXT = (
    "",
    " ",
    "²",
    "9" * 5000,
    "x" * 300,
    "03/04/2024",
    "2024-03-04",
    "2024-02-30",
    "-1",
    "\x00",
    "../../etc/passwd",
    "nodes/",
    "plans/",
    "operations/",
    "plans/" + "p" * 300,
    "=HYPERLINK(1)",
    base64.urlsafe_b64encode(b"offset:\xc2\xb2").decode(),
    base64.urlsafe_b64encode(b"offset:" + b"9" * 5000).decode(),
    base64.urlsafe_b64encode(b"offset:3").decode(),
)
NASTY_INTS = (0, 1, -1, 7, 28, 366, 367, 100_000, 3_000_000, 99_999_999, 2**31 - 1, -(2**31))
_INT_RANGES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}


@dataclass(frozen=True)
class Rpc:
    """One method: its path and how its requests and responses flow."""

    service: str
    descriptor: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.descriptor.name}"

    @property
    def input(self) -> Descriptor:
        return self.descriptor.input_type

    @property
    def client_streaming(self) -> bool:
        return bool(self.descriptor.client_streaming)

    @property
    def server_streaming(self) -> bool:
        return bool(self.descriptor.server_streaming)


def every_rpc() -> list[Rpc]:
    """Every method of every supplynet service."""
    modules = (
        network_pb2,
        forecast_pb2,
        risk_pb2,
        replenishment_pb2,
        routing_pb2,
        pricing_pb2,
        recommendation_pb2,
    )
    return [
        Rpc(service.full_name, method)
        for module in modules
        for service in module.DESCRIPTOR.services_by_name.values()
        for method in service.methods
    ]


def text(ids: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Strings: real ids (bare and as resource names), nasty inputs, anything."""
    real = st.sampled_from(ids) if ids else st.nothing()
    named = st.tuples(st.sampled_from(("nodes/", "plans/", "operations/")), real).map("".join)
    return st.one_of(real, named, st.sampled_from(NASTY_TEXT), st.text(max_size=12))


def messages(
    descriptor: Descriptor, ids: tuple[str, ...], depth: int = 0
) -> st.SearchStrategy[Message]:
    """Messages of ``descriptor``'s type with every field drawn independently."""
    cls = message_factory.GetMessageClass(descriptor)

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        message = cls()
        chosen = {
            oneof.name: draw(st.sampled_from([None, *oneof.fields])) for oneof in descriptor.oneofs
        }
        for field in descriptor.fields:
            oneof = field.containing_oneof
            if oneof is not None and chosen[oneof.name] is not field:
                continue
            if depth >= MAX_DEPTH and field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
                continue
            if not draw(st.booleans()):
                continue
            _set(message, field, draw, ids, depth)
        return message

    return build()


def _set(
    message: Message, field: FieldDescriptor, draw: st.DrawFn, ids: tuple[str, ...], depth: int
) -> None:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        key_field, value_field = (
            field.message_type.fields_by_name["key"],
            field.message_type.fields_by_name["value"],
        )
        target = getattr(message, field.name)
        for _ in range(draw(st.integers(0, 3))):
            key = draw(_scalar(key_field, ids))
            if value_field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
                target[key].CopyFrom(draw(messages(value_field.message_type, ids, depth + 1)))
            else:
                target[key] = draw(_scalar(value_field, ids))
        return
    if field.is_repeated:
        count = draw(st.integers(0, 3))
        target = getattr(message, field.name)
        for _ in range(count):
            if field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
                target.add().CopyFrom(draw(messages(field.message_type, ids, depth + 1)))
            else:
                target.append(draw(_scalar(field, ids)))
        return
    if field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        getattr(message, field.name).CopyFrom(draw(messages(field.message_type, ids, depth + 1)))
    else:
        setattr(message, field.name, draw(_scalar(field, ids)))


def _scalar(field: FieldDescriptor, ids: tuple[str, ...]) -> st.SearchStrategy[Any]:
    kind = field.cpp_type
    if kind == FieldDescriptor.CPPTYPE_STRING:
        if field.type == FieldDescriptor.TYPE_BYTES:
            return st.binary(max_size=64)
        return text(ids)
    if kind in _INT_RANGES:
        low, high = _INT_RANGES[kind]
        nasty = st.sampled_from([n for n in NASTY_INTS if low <= n <= high])
        return st.one_of(nasty, st.integers(low, high))
    if kind in (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT):
        width = 64 if kind == FieldDescriptor.CPPTYPE_DOUBLE else 32
        nasty = st.sampled_from([0.0, -1.0, 0.45, 0.5, 0.95, 1.0 - 1e-13, 1.0, 1e308])
        return st.one_of(nasty, st.floats(width=width))
    if kind == FieldDescriptor.CPPTYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.CPPTYPE_ENUM:
        return st.integers(-1, len(field.enum_type.values) + 1)
    raise TypeError(f"unexpected field type {kind} of {field.full_name}")


def call(
    channel: grpc.Channel,
    rpc: Rpc,
    request: Message | bytes,
    metadata: tuple[tuple[str, str], ...] = (),
) -> grpc.StatusCode:
    """Send ``request`` (a message, or raw bytes) to ``rpc``; the status code it ended with."""
    serialize = None if isinstance(request, bytes) else _serialize
    kind = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }[(rpc.client_streaming, rpc.server_streaming)]
    method = kind(rpc.path, request_serializer=serialize, response_deserializer=None)
    sent: Any = iter([request]) if rpc.client_streaming else request
    try:
        answer = method(sent, timeout=CALL_TIMEOUT_S, metadata=metadata)
        if rpc.server_streaming:
            _drain(answer)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def _drain(stream: Iterator[Any]) -> None:
    for _ in stream:
        pass
