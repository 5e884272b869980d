"""Argument checks shared across `nn`: each names the bad value and what was expected."""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Mapping

from autograd import Value
from autograd.engine import as_real


def real(value: object, name: str) -> float:
    """`value` as a float, or a TypeError for a bool or anything that is not a real number."""
    return as_real(value, f"{name} must be a real number")


def non_negative(value: object, name: str) -> float:
    """`value` as a float that is >= 0 (nan is refused too)."""
    number = real(value, name)
    if not number >= 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return number


def integer(value: object, name: str, minimum: int) -> int:
    """`value` as an int that is at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


def values(items: Iterable[Value], who: str) -> list[Value]:
    """`items` as a list, checking that each one is a Value (e.g. ``model.parameters()``)."""
    if isinstance(items, Value) or not isinstance(items, Iterable):
        raise TypeError(f"{who} takes a list of Values such as model.parameters(), got {items!r}")
    listed = list(items)
    for i, item in enumerate(listed):
        if not isinstance(item, Value):
            raise TypeError(f"{who}: item {i} is not a Value, got {type(item).__name__}: {item!r}")
    return listed


def state(mapping: object, where: str) -> dict[str, float]:
    """A state dict checked to map str names to finite real numbers, with the numbers as floats."""
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{where}: a state dict maps names to numbers, got {type(mapping).__name__}")
    checked: dict[str, float] = {}
    for name, number in mapping.items():
        if not isinstance(name, str):
            raise TypeError(f"{where}: names must be str, got {type(name).__name__}: {name!r}")
        as_float = as_real(number, f"{where}: {name!r} must be a number")
        if not math.isfinite(as_float):
            raise ValueError(f"{where}: {name!r} must be a finite number, got {as_float!r}")
        checked[name] = as_float
    return checked


def rng_from_seed(seed: int | random.Random, name: str = "seed") -> random.Random:
    """A generator for `seed`: a fresh ``random.Random(seed)`` for an int, the generator itself otherwise."""
    if isinstance(seed, random.Random):
        return seed
    return random.Random(integer(seed, name, minimum=0))
