"""Multi-echelon replenishment planning: problem, safety stock, MIP, solve, plan."""

from supplynet.optimizer.replenishment.plan import Explanation, ReplenishmentPlan
from supplynet.optimizer.replenishment.problem import PlanningProblem, PlanSettings, build_problem
from supplynet.optimizer.replenishment.solve import Progress, plan_replenishment, solve

__all__ = [
    "Explanation",
    "PlanSettings",
    "PlanningProblem",
    "Progress",
    "ReplenishmentPlan",
    "build_problem",
    "plan_replenishment",
    "solve",
]
