"""`nn`'s own random generator, used when a module is given no ``rng``.

Python's global `random` state is never read or changed by `nn`: every random
choice draws from an ``rng`` passed in, or from `default_generator`.
"""

from __future__ import annotations

import random

from nn import _checks

DEFAULT_SEED = 0

default_generator = random.Random(DEFAULT_SEED)  # deterministic from import, like PyTorch's


def manual_seed(seed: int) -> None:
    """Seed `nn`'s default generator (PyTorch's name), e.g. to rebuild the same model.

    >>> import nn
    >>> nn.manual_seed(7); a = nn.Neuron(2).w[0].data
    >>> nn.manual_seed(7); b = nn.Neuron(2).w[0].data
    >>> a == b
    True
    """
    default_generator.seed(_checks.integer(seed, "seed", minimum=0))


def resolve(rng: random.Random | None) -> random.Random:
    """`rng` itself, or `nn`'s default generator for None."""
    if rng is None:
        return default_generator
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random or None, got {type(rng).__name__}: {rng!r}")
    return rng
