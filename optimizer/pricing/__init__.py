"""Graph-aware pricing: elasticities on the substitution graph, portfolio prices, markdowns."""

from supplynet.optimizer.pricing.elasticity import (
    CrossEstimate,
    DemandModel,
    ElasticityEstimator,
    SkuEstimate,
)

__all__ = ["CrossEstimate", "DemandModel", "ElasticityEstimator", "SkuEstimate"]
