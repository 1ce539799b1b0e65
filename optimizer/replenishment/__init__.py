"""Multi-echelon replenishment planning: problem, safety stock, MIP, solve, plan."""

from optimizer.replenishment.plan import Explanation, ReplenishmentPlan
from optimizer.replenishment.problem import PlanningProblem, PlanSettings, build_problem
from optimizer.replenishment.solve import Progress, plan_replenishment, solve

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
