"""The gRPC API: settings, server assembly, interceptors, converters and one module per service.

Named ``rpc`` rather than ``grpc`` so that it never shadows the ``grpc`` package.
"""
