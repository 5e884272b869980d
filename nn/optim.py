"""Optimizers with PyTorch's update rules, names and defaults, step for step.

Each `step` reads every parameter's ``.grad`` and updates its ``.data``, doing
the float operations in the order PyTorch does them in float64, so trajectories
match PyTorch's. ``optimizer.lr`` is a plain attribute a training loop (or a
scheduler from `nn.schedulers`) may set between steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from autograd import Value
from nn import _checks


def _lerp(start: float, end: float, weight: float) -> float:
    # PyTorch's lerp: from the nearer end, so weight 0 gives start and weight 1 gives end exactly.
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _divide(a: float, b: float) -> float:
    """a / b with IEEE's nan or ±inf where Python raises (e.g. a zero gradient with eps=0), as in PyTorch."""
    try:
        return a / b
    except ZeroDivisionError:
        return math.nan if a == 0.0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else math.nan  # rounding can leave a centered variance at -tiny


# State entries that accumulate squared gradients: a negative one would make sqrt nan.
_SUMS_OF_SQUARES = ("exp_avg_sq", "square_avg", "sum")


def _finite(value: object, name: str) -> float:
    """`value` as a finite float, or a ValueError naming it (a TypeError if it is no number)."""
    number = _checks.real(value, name)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number!r}")
    return number


def _betas(betas: object) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair of numbers, got {betas!r}")
    checked = tuple(_checks.real(beta, f"betas[{i}]") for i, beta in enumerate(betas))
    for i, beta in enumerate(checked):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"betas[{i}] must be in [0, 1), got {beta!r}")
    return checked[0], checked[1]


class Optimizer:
    """Base class: the parameters, the learning rate, the step count and per-parameter state.

    Subclasses name their hyperparameters (constructor arguments after ``params``)
    in ``_HYPERPARAMETERS`` and their per-parameter state, one float per parameter,
    in ``_STATE``.
    """

    _HYPERPARAMETERS: tuple[str, ...] = ("lr",)
    _STATE: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _checks.values(params, type(self).__name__)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty list of parameters")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError(f"{type(self).__name__} got a parameter twice; it would be stepped twice")
        self.lr = _checks.non_negative(lr, "lr")
        self.steps = 0
        self.state: dict[str, list[float]] = {name: [0.0] * len(self.params) for name in self._STATE}

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0, its ``grad_value`` to None (call it before ``backward``)."""
        for p in self.params:
            p.grad = 0.0
            p.grad_value = None

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters, step count and state as plain JSON-friendly data.

        >>> state = Adam([Value(1.0), Value(2.0)], lr=0.1).state_dict()
        >>> state["hyperparameters"]
        {'lr': 0.1, 'betas': [0.9, 0.999], 'eps': 1e-08, 'weight_decay': 0.0}
        >>> state["steps"], state["state"]
        (0, {'exp_avg': [0.0, 0.0], 'exp_avg_sq': [0.0, 0.0]})
        """
        hyperparameters = {name: getattr(self, name) for name in self._HYPERPARAMETERS}
        if "betas" in hyperparameters:
            hyperparameters["betas"] = list(hyperparameters["betas"])
        return {
            "hyperparameters": hyperparameters,
            "steps": self.steps,
            "state": {name: list(values) for name, values in self.state.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what `state_dict` returned, checking all of it before changing anything.

        Refused with a ValueError naming the entry: wrong keys or counts, settings the
        constructor refuses, nan or inf anywhere, and negative sums of squares
        (``exp_avg_sq``, ``square_avg``, Adagrad's ``sum``).

        >>> optimizer = Adam([Value(1.0)])
        >>> state = optimizer.state_dict()
        >>> state["state"]["exp_avg_sq"] = [-1.0]
        >>> optimizer.load_state_dict(state)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Adam.load_state_dict: state 'exp_avg_sq'[0] is a running sum of squares ..., got -1.0
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"hyperparameters", "steps", "state"}:
            raise ValueError(f"{where}: expected a dict with keys 'hyperparameters', 'steps', 'state'")
        hyperparameters = state_dict["hyperparameters"]
        if not isinstance(hyperparameters, Mapping) or set(hyperparameters) != set(self._HYPERPARAMETERS):
            raise ValueError(f"{where}: hyperparameters must be exactly {list(self._HYPERPARAMETERS)}")
        for name, setting in hyperparameters.items():
            if name == "betas" and isinstance(setting, (list, tuple)):
                for i, beta in enumerate(setting):
                    _finite(beta, f"{where}: hyperparameter 'betas'[{i}]")
            elif not isinstance(setting, (bool, list, tuple)):  # flags and bad betas: the constructor says
                _finite(setting, f"{where}: hyperparameter {name!r}")
        checked = type(self)(self.params, **hyperparameters)  # the constructor's checks
        steps = _checks.integer(state_dict["steps"], f"{where}: steps", minimum=0)
        state = state_dict["state"]
        if not isinstance(state, Mapping) or set(state) != set(self._STATE):
            raise ValueError(f"{where}: state must have exactly the entries {list(self._STATE)}")
        for name in self._STATE:
            values = state[name]
            if not isinstance(values, (list, tuple)) or len(values) != len(self.params):
                raise ValueError(f"{where}: state {name!r} must hold one number per parameter")
            entries = [_finite(v, f"{where}: state {name!r}[{i}]") for i, v in enumerate(values)]
            if name in _SUMS_OF_SQUARES:
                for i, entry in enumerate(entries):
                    if entry < 0.0:
                        raise ValueError(
                            f"{where}: state {name!r}[{i}] is a running sum of squares and must be >= 0, "
                            f"got {entry!r}"
                        )
            checked.state[name] = entries
        for name in self._HYPERPARAMETERS:
            setattr(self, name, getattr(checked, name))
        self.steps = steps
        self.state = checked.state

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._HYPERPARAMETERS)
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.

    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).backward(); opt.step()
    >>> round(w.data, 12)
    0.46
    """

    _HYPERPARAMETERS = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    _STATE = ("momentum_buffer",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _checks.non_negative(momentum, "momentum")
        self.dampening = _checks.real(dampening, "dampening")
        self.weight_decay = _checks.non_negative(weight_decay, "weight_decay")
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be a bool, got {type(nesterov).__name__}: {nesterov!r}")
        if nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening 0")
        self.nesterov = nesterov

    def step(self) -> None:
        """``g = grad + weight_decay * p``; with momentum ``b = momentum * b + (1 - dampening) * g``
        (``b = g`` on the first step) and ``g = b``, or ``g + momentum * b`` for Nesterov;
        then ``p -= lr * g``."""
        self.steps += 1
        buffers = self.state["momentum_buffer"]
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            if self.momentum != 0.0:
                if self.steps == 1:
                    buffers[i] = g
                else:
                    buffers[i] = buffers[i] * self.momentum + (1.0 - self.dampening) * g
                g = g + self.momentum * buffers[i] if self.nesterov else buffers[i]
            p.data = p.data - self.lr * g


class Adam(Optimizer):
    """Adam: step by bias-corrected moment estimates, ``lr * m̂ / (sqrt(v̂) + eps)``.

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2); see `AdamW` for decoupled decay.

    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).backward(); opt.step()
    >>> w.data
    0.8004122286917927
    """

    _HYPERPARAMETERS = ("lr", "betas", "eps", "weight_decay")
    _STATE = ("exp_avg", "exp_avg_sq")
    _DECOUPLED_WEIGHT_DECAY = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas = _betas(betas)
        self.eps = _checks.non_negative(eps, "eps")
        self.weight_decay = _checks.non_negative(weight_decay, "weight_decay")

    def step(self) -> None:
        """``m = lerp(m, g, 1 - beta1)``, ``v = beta2 * v + (1 - beta2) * g²``, then
        ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``."""
        self.steps += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1.0 - beta1**self.steps)
        bias_correction2_sqrt = math.sqrt(1.0 - beta2**self.steps)
        exp_avg, exp_avg_sq = self.state["exp_avg"], self.state["exp_avg_sq"]
        for i, p in enumerate(self.params):
            g = p.grad
            if self._DECOUPLED_WEIGHT_DECAY:
                p.data = p.data * (1.0 - self.lr * self.weight_decay)
            elif self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            exp_avg[i] = _lerp(exp_avg[i], g, 1.0 - beta1)
            exp_avg_sq[i] = exp_avg_sq[i] * beta2 + (1.0 - beta2) * g * g
            denominator = math.sqrt(exp_avg_sq[i]) / bias_correction2_sqrt + self.eps
            p.data = p.data - _divide(step_size * exp_avg[i], denominator)


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first shrinks ``p *= 1 - lr * weight_decay``.

    >>> w = Value(1.0)
    >>> opt = AdamW([w], lr=0.1)
    >>> opt.zero_grad(); (w * w).backward(); opt.step()
    >>> w.data
    0.8990000005
    """

    _DECOUPLED_WEIGHT_DECAY = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root mean square, ``sqrt(v) + eps``.

    >>> w = Value(1.0)
    >>> opt = RMSprop([w], lr=0.01)
    >>> opt.zero_grad(); (w * w).backward(); opt.step()
    >>> w.data
    0.9000000049999998
    """

    _HYPERPARAMETERS = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")
    _STATE = ("square_avg", "momentum_buffer", "grad_avg")

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _checks.non_negative(alpha, "alpha")
        self.eps = _checks.non_negative(eps, "eps")
        self.weight_decay = _checks.non_negative(weight_decay, "weight_decay")
        self.momentum = _checks.non_negative(momentum, "momentum")
        if not isinstance(centered, bool):
            raise TypeError(f"centered must be a bool, got {type(centered).__name__}: {centered!r}")
        self.centered = centered

    def step(self) -> None:
        """``v = alpha * v + (1 - alpha) * g²`` (minus the squared mean gradient when centered);
        ``p -= lr * g / (sqrt(v) + eps)``, through a momentum buffer if momentum > 0."""
        self.steps += 1
        square_avg, buffers, grad_avg = (self.state[name] for name in self._STATE)
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            square_avg[i] = square_avg[i] * self.alpha + (1.0 - self.alpha) * g * g
            if self.centered:
                grad_avg[i] = _lerp(grad_avg[i], g, 1.0 - self.alpha)
                average = _sqrt(square_avg[i] - grad_avg[i] * grad_avg[i]) + self.eps
            else:
                average = math.sqrt(square_avg[i]) + self.eps
            if self.momentum > 0.0:
                buffers[i] = buffers[i] * self.momentum + _divide(g, average)
                p.data = p.data - self.lr * buffers[i]
            else:
                p.data = p.data - _divide(self.lr * g, average)


class Adagrad(Optimizer):
    """Adagrad: divide the gradient by the root of the sum of all its squares so far.

    >>> w = Value(1.0)
    >>> opt = Adagrad([w], lr=0.1)
    >>> opt.zero_grad(); (w * w).backward(); opt.step()
    >>> w.data
    0.900000000005
    """

    _HYPERPARAMETERS = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    _STATE = ("sum",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        self.lr_decay = _checks.non_negative(lr_decay, "lr_decay")
        self.weight_decay = _checks.non_negative(weight_decay, "weight_decay")
        self.initial_accumulator_value = _checks.non_negative(
            initial_accumulator_value, "initial_accumulator_value"
        )
        self.eps = _checks.non_negative(eps, "eps")
        self.state["sum"] = [self.initial_accumulator_value] * len(self.params)

    def step(self) -> None:
        """``s += g²``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)``."""
        self.steps += 1
        clr = self.lr / (1.0 + (self.steps - 1) * self.lr_decay)
        sums = self.state["sum"]
        for i, p in enumerate(self.params):
            g = p.grad
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p.data
            sums[i] = sums[i] + g * g
            p.data = p.data - _divide(clr * g, math.sqrt(sums[i]) + self.eps)
