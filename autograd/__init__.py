"""gradwalk's scalar reverse-mode autograd engine.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x + 1).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.000726
"""

from autograd._clash import warn_if_hips_autograd_is_installed
from autograd.compile import Compiled, compile
from autograd.draw import Drawing, draw
from autograd.engine import (
    Value,
    detect_anomaly,
    dot,
    max,
    no_grad,
    op,
    recompute,
    sum,
    topological_order,
)
from autograd.gradcheck import (
    GradcheckError,
    GradcheckResult,
    check_op,
    eps_sweep,
    gradcheck,
    gradcheck_graph,
    gradgradcheck,
)
from autograd.higher import grad, hessian, hvp
from autograd.render import RenderError
from autograd.walkthrough import Walkthrough, walkthrough

__all__ = [
    "Compiled",
    "Drawing",
    "GradcheckError",
    "GradcheckResult",
    "RenderError",
    "Value",
    "Walkthrough",
    "check_op",
    "compile",
    "detect_anomaly",
    "dot",
    "draw",
    "eps_sweep",
    "grad",
    "gradcheck",
    "gradcheck_graph",
    "gradgradcheck",
    "hessian",
    "hvp",
    "max",
    "no_grad",
    "op",
    "recompute",
    "sum",
    "topological_order",
    "walkthrough",
]

warn_if_hips_autograd_is_installed()
