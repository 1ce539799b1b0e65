"""Delivery routing: problem model, integer scaling, engines, portfolio, evaluator, schedule."""
