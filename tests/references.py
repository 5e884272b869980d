"""Independent references for tests: finite differences and textbook formulas.

Nothing here imports the code under test.
"""

import math
from collections.abc import Callable


def central_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """(f(x + h) - f(x - h)) / 2h, scaled to x so large inputs keep precision."""
    step = h * max(1.0, abs(x))
    return (f(x + step) - f(x - step)) / (2 * step)


def partial_difference(f: Callable[..., float], args: list[float], i: int, h: float = 1e-6) -> float:
    """Central difference of f in its i-th argument."""

    def along(t: float) -> float:
        moved = list(args)
        moved[i] = t
        return f(*moved)

    return central_difference(along, args[i], h)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


def softplus(x: float) -> float:
    return math.log1p(math.exp(x)) if x < 30 else x + math.exp(-x)


def relu(x: float) -> float:
    return x if x > 0 else 0.0


def leaky_relu(x: float, slope: float = 0.01) -> float:
    return x if x > 0 else slope * x


def elu(x: float, alpha: float = 1.0) -> float:
    return x if x > 0 else alpha * (math.exp(x) - 1)
