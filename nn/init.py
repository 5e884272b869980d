"""Initial weights and bias of a neuron, by scheme name (PyTorch's `torch.nn.init` formulas).

``fan_in`` is the neuron's number of inputs; ``fan_out`` is the width of its layer
(1 for a lone Neuron). Every scheme draws from the ``rng`` it is given, weights
first, then the bias.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

Initializer = Callable[[int, int, random.Random], tuple[list[float], float]]


def pytorch(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """PyTorch's `nn.Linear` default: weights and bias uniform in ±1/sqrt(fan_in)."""
    bound = 1.0 / math.sqrt(fan_in)
    return [rng.uniform(-bound, bound) for _ in range(fan_in)], rng.uniform(-bound, bound)


def uniform(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """micrograd's: weights uniform in [-1, 1], bias 0."""
    return [rng.uniform(-1.0, 1.0) for _ in range(fan_in)], 0.0


def xavier_uniform(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """Glorot: weights uniform in ±sqrt(6 / (fan_in + fan_out)), bias 0."""
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return [rng.uniform(-bound, bound) for _ in range(fan_in)], 0.0


def xavier_normal(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """Glorot: weights normal with std sqrt(2 / (fan_in + fan_out)), bias 0."""
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return [rng.gauss(0.0, std) for _ in range(fan_in)], 0.0


def kaiming_uniform(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """He (PyTorch's defaults, gain sqrt(2)): weights uniform in ±sqrt(6 / fan_in), bias 0."""
    bound = math.sqrt(6.0 / fan_in)
    return [rng.uniform(-bound, bound) for _ in range(fan_in)], 0.0


def kaiming_normal(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """He (PyTorch's defaults, gain sqrt(2)): weights normal with std sqrt(2 / fan_in), bias 0."""
    std = math.sqrt(2.0 / fan_in)
    return [rng.gauss(0.0, std) for _ in range(fan_in)], 0.0


def zeros(fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """All zeros (draws nothing). Every neuron of a layer then stays identical: for experiments only."""
    return [0.0] * fan_in, 0.0


INITS: dict[str, Initializer] = {
    "pytorch": pytorch,
    "uniform": uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "kaiming_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal,
    "zeros": zeros,
}


def get_init(init: str) -> Initializer:
    """The scheme called `init`, or a ValueError listing the valid names.

    >>> weights, bias = get_init("uniform")(3, 1, random.Random(0))
    >>> len(weights), bias
    (3, 0.0)
    """
    if not isinstance(init, str):
        raise TypeError(f"init must be a scheme name, got {type(init).__name__}: {init!r}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {sorted(INITS)}")
    return INITS[init]
