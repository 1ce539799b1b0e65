"""Graph-aware recommendations: stock-aware substitutes, store listings, alternate sourcing.

Import from the modules (``model``, ``recommender``, ``shelf_stock``, ``result``...):
the package itself loads nothing, so light callers do not pay for torch.
"""
