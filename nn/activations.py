"""Activation functions by name: a neuron applies one to its weighted sum."""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value

Activation = Callable[[Value], Value]


def linear(x: Value) -> Value:
    """The identity: no activation (adds no node to the graph)."""
    return x


ACTIVATIONS: dict[str, Activation] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,  # negative_slope 0.01, PyTorch's default
    "elu": Value.elu,  # alpha 1.0
    "softplus": Value.softplus,
    "linear": linear,
}


def get_activation(activation: str | Activation | None) -> tuple[str, Activation]:
    """The (name, function) for an activation given by name or as a callable; None means "linear".

    >>> name, f = get_activation("tanh")
    >>> name, f(Value(0.0)).data
    ('tanh', 0.0)
    >>> get_activation("swish")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'swish'; expected one of ['elu', ..., 'tanh'] or a function of a Value
    """
    if activation is None:
        return "linear", linear
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)} "
                "or a function of a Value"
            )
        return activation, ACTIVATIONS[activation]
    if callable(activation):
        return getattr(activation, "__name__", repr(activation)), activation
    raise TypeError(
        f"activation must be a name or a function of a Value, got {type(activation).__name__}: {activation!r}"
    )
