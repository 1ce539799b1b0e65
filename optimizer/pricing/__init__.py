"""Graph-aware pricing: elasticities on the substitution graph, portfolio prices, markdowns."""

from supplynet.optimizer.pricing.elasticity import (
    CrossEstimate,
    DemandModel,
    ElasticityEstimator,
    SkuEstimate,
)
from supplynet.optimizer.pricing.explain import NeighbourEffect, PriceRecommendation
from supplynet.optimizer.pricing.ladder import Ladder, PriceRules, build_ladder
from supplynet.optimizer.pricing.markdown import (
    MarkdownOutcome,
    MarkdownPolicy,
    MarkdownProblem,
    MarkdownStep,
    evaluate,
    fresh_order,
    margin_safe_markdown,
    margin_safe_order,
    rule_policy,
    solve_markdown,
)
from supplynet.optimizer.pricing.portfolio import PortfolioProblem, solve_portfolio
from supplynet.optimizer.pricing.recommend import (
    PriceRecommendations,
    portfolio_problem,
    recommend_prices,
)
from supplynet.optimizer.pricing.simulator import ArmOutcome, PricingArm, PricingSimulator

__all__ = [
    "ArmOutcome",
    "CrossEstimate",
    "DemandModel",
    "ElasticityEstimator",
    "Ladder",
    "MarkdownOutcome",
    "MarkdownPolicy",
    "MarkdownProblem",
    "MarkdownStep",
    "NeighbourEffect",
    "PortfolioProblem",
    "PriceRecommendation",
    "PriceRecommendations",
    "PriceRules",
    "PricingArm",
    "PricingSimulator",
    "SkuEstimate",
    "build_ladder",
    "evaluate",
    "fresh_order",
    "margin_safe_markdown",
    "margin_safe_order",
    "portfolio_problem",
    "recommend_prices",
    "rule_policy",
    "solve_markdown",
    "solve_portfolio",
]
