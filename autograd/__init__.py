"""gradwalk's scalar reverse-mode autograd engine.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x + 1).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.000726
"""

from autograd.engine import (
    Value,
    detect_anomaly,
    dot,
    no_grad,
    op,
    recompute,
    sum,
    topological_order,
)

__all__ = [
    "Value",
    "detect_anomaly",
    "dot",
    "no_grad",
    "op",
    "recompute",
    "sum",
    "topological_order",
]
