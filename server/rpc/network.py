"""``NetworkService``: integrators push the network in and read it back."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterable

import grpc

from supplynet.graph.errors import NotFound, Problem, ValidationFailed
from supplynet.graph.model import Record
from supplynet.graph.network import NODE_TABLES, Network, parse_network
from supplynet.server.app.validation import require, scope_problems
from supplynet.server.rpc.converters import NetworkRows, name_id, node_to_proto, scope_from_proto
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import network_pb2, network_pb2_grpc

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_TOKEN_CHARS = 64
"""Longer than any page token this service issues."""


class NetworkServicer(network_pb2_grpc.NetworkServiceServicer):
    """Thin adapter over the store; writes are validated as a whole before they are stored."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def _upsert(self, rows: NetworkRows) -> network_pb2.BatchUpsertNetworkResponse:
        """Write the batch whole, or nothing: one bad or kindless record rejects all of it."""
        if not rows.rows and not rows.problems:
            raise ValidationFailed([Problem("nodes", "nothing to upsert")], "network")
        stored = await self.state.network()
        network, problems = parse_network(rows.rows, context=stored)
        if problems or rows.problems:
            raise ValidationFailed(rows.problems + rows.locate(problems), "network")
        written = await self.state.upsert(network)
        return network_pb2.BatchUpsertNetworkResponse(
            written={k: v for k, v in written.items() if v}
        )

    async def BatchUpsertNetwork(
        self, request: network_pb2.BatchUpsertNetworkRequest, context: grpc.aio.ServicerContext
    ) -> network_pb2.BatchUpsertNetworkResponse:
        rows = NetworkRows()
        _add(rows, request, "")
        return await self._upsert(rows)

    async def StreamUpsertNetwork(
        self,
        request_iterator: AsyncIterator[network_pb2.StreamUpsertNetworkRequest],
        context: grpc.aio.ServicerContext,
    ) -> network_pb2.BatchUpsertNetworkResponse:
        rows = NetworkRows()
        index = received = 0
        limit = self.state.settings.max_stream_bytes
        async for chunk in request_iterator:
            received += chunk.ByteSize()
            if received > limit:
                raise ValidationFailed(
                    [Problem(f"requests[{index}]", f"the stream exceeds {limit} bytes")], "network"
                )
            _add(rows, chunk, f"requests[{index}].")
            index += 1
        return await self._upsert(rows)

    async def GetNode(
        self, request: network_pb2.GetNodeRequest, context: grpc.aio.ServicerContext
    ) -> network_pb2.Node:
        key = name_id(request.name, "nodes")
        network = await self.state.network()
        record = network.locations.get(key) or network.skus_by_id.get(key)
        if record is None:
            raise NotFound("node", key)
        return node_to_proto(record)

    async def ListNodes(
        self, request: network_pb2.ListNodesRequest, context: grpc.aio.ServicerContext
    ) -> network_pb2.ListNodesResponse:
        problems = []
        if request.page_size < 0:
            problems.append(Problem("page_size", "must not be negative"))
        offset = _offset(request.page_token)
        if offset is None:
            problems.append(Problem("page_token", "not a token this service issued"))
        if problems:
            raise ValidationFailed(problems, "request")
        assert offset is not None
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        nodes = list(_nodes(await self.state.network()))
        page = nodes[offset : offset + size]
        following = offset + len(page)
        return network_pb2.ListNodesResponse(
            nodes=[node_to_proto(node) for node in page],
            next_page_token=_token(following) if following < len(nodes) else "",
            total_size=len(nodes),
        )

    async def GetNetworkSummary(
        self, request: network_pb2.GetNetworkSummaryRequest, context: grpc.aio.ServicerContext
    ) -> network_pb2.NetworkSummary:
        network = await self.state.network()
        scope = scope_from_proto(request.scope)
        require(scope_problems(network, scope), "scope")
        part = await self.state.call(network.scoped, scope) if scope else network
        summary = part.summary()
        return network_pb2.NetworkSummary(
            counts={k: v for k, v in summary.items() if k in network.counts()},
            categories=summary["categories"],
            regions=summary["regions"],
            units_on_hand=summary["units_on_hand"],
            country=summary["country"] or "",
        )


def _add(
    rows: NetworkRows,
    request: network_pb2.BatchUpsertNetworkRequest | network_pb2.StreamUpsertNetworkRequest,
    prefix: str,
) -> None:
    for index, node in enumerate(request.nodes):
        rows.add(f"{prefix}nodes[{index}]", node)
    for index, edge in enumerate(request.edges):
        rows.add(f"{prefix}edges[{index}]", edge)


def _nodes(network: Network) -> Iterable[Record]:
    for table in NODE_TABLES:
        yield from sorted(network.table(table), key=Record.key)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str) -> int | None:
    """The offset a token of ours carries; None for anything else (never an exception)."""
    if not token:
        return 0
    if len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        prefix, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except ValueError:
        return None
    valid = prefix == "offset" and number.isascii() and number.isdigit() and len(number) <= 12
    return int(number) if valid else None


def register(server: grpc.aio.Server, state: ServerState) -> str:
    network_pb2_grpc.add_NetworkServiceServicer_to_server(NetworkServicer(state), server)  # type: ignore[no-untyped-call]
    return str(network_pb2.DESCRIPTOR.services_by_name["NetworkService"].full_name)
