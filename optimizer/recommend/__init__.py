"""Graph-aware recommendations: stock-aware substitutes, store listings, alternate sourcing."""

from supplynet.optimizer.recommend.model import (
    DEFAULT_PARAMS,
    RecommendModel,
    train_recommend_model,
)
from supplynet.optimizer.recommend.recommender import Recommender
from supplynet.optimizer.recommend.result import USES, Recommendation, Recommendations, Use
from supplynet.optimizer.recommend.shelf_stock import ShelfStock

__all__ = [
    "DEFAULT_PARAMS",
    "USES",
    "RecommendModel",
    "Recommendation",
    "Recommendations",
    "Recommender",
    "ShelfStock",
    "Use",
    "train_recommend_model",
]
