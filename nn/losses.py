"""Loss functions and penalties, each returning one Value (PyTorch's names and formulas).

A loss takes one sample or a batch: ``mse_loss(output, 1.0)`` or
``mse_loss([out1, out2], [1.0, 0.0])``; outputs may be Values or plain numbers,
targets are plain numbers, and nested lists (several outputs per sample) are
compared element by element. ``reduction="mean"`` (the default) averages the
per-element terms, ``"sum"`` adds them. Sums are built with `autograd.sum`: one
node, however large the batch.
"""

from __future__ import annotations

import builtins
import functools
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import autograd
from autograd import Value
from nn import _checks

REDUCTIONS = ("mean", "sum")

_CLAMP = -100.0  # PyTorch clamps each log in binary_cross_entropy at -100


# While `nn.compile_step` checks a loss, each loss and penalty made notes here what it made:
# (node, function name, reduction or None for a penalty).
_recording: list[tuple[Value, str, str | None]] | None = None


def _made(node: Value, function: str, reduction: str | None) -> Value:
    if _recording is not None:
        _recording.append((node, function, reduction))
    return node


def _reduce(terms: list[Value], reduction: str, loss: str) -> Value:
    if len(terms) == 1:
        return _made(terms[0], loss, reduction)
    total = autograd.sum(terms)
    return _made(total / len(terms) if reduction == "mean" else total, loss, reduction)


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; expected one of {list(REDUCTIONS)}")


def _as_value(x: object, loss: str) -> Value:
    if isinstance(x, Value):
        return x
    return Value(_checks.real(x, f"{loss}: an output"))


def _pairs(output: Any, target: Any, loss: str) -> list[tuple[Value, float]]:
    """(output, target) element pairs of two equally nested lists, or of one output and one target."""
    output_is_list, target_is_list = isinstance(output, (list, tuple)), isinstance(target, (list, tuple))
    if output_is_list != target_is_list:
        raise ValueError(f"{loss}: output {_describe(output)} and target {_describe(target)} differ in shape")
    if not output_is_list:
        return [(_as_value(output, loss), _checks.real(target, f"{loss}: a target"))]
    if len(output) != len(target):
        raise ValueError(f"{loss}: {len(output)} outputs but {len(target)} targets")
    pairs = [pair for o, t in zip(output, target) for pair in _pairs(o, t, loss)]
    if not pairs:
        raise ValueError(f"{loss}: an empty batch has no loss")
    return pairs


def _describe(x: object) -> str:
    return f"a list of {len(x)}" if isinstance(x, (list, tuple)) else repr(x)


def _elementwise(
    term: Callable[[Value, float], Value], output: Any, target: Any, reduction: str, loss: str
) -> Value:
    _check_reduction(reduction)
    return _reduce([term(o, t) for o, t in _pairs(output, target, loss)], reduction, loss)


def mse_loss(output: Any, target: Any, reduction: str = "mean") -> Value:
    """Mean squared error: the mean of ``(output - target) ** 2``.

    >>> mse_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    return _elementwise(lambda o, t: (o - t) ** 2, output, target, reduction, "mse_loss")


def l1_loss(output: Any, target: Any, reduction: str = "mean") -> Value:
    """Mean absolute error: the mean of ``|output - target|`` (gradient 0 where they are equal).

    >>> l1_loss([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    1.5
    """
    return _elementwise(lambda o, t: abs(o - t), output, target, reduction, "l1_loss")


@autograd.op("log1p(-p)", derivative=lambda p, out: (-1.0 / (1.0 - p),))
def _log_of_one_minus(p: float) -> tuple[float, tuple[float, ...]]:
    """log(1 - p) without rounding 1 - p first: exact for tiny p, where log(1 - p) loses every digit."""
    if p == 1.0:  # math.log1p(-1) and 1 / 0 raise; IEEE gives -inf for both
        return -math.inf, (-math.inf,)
    return math.log1p(-p), (-1.0 / (1.0 - p),)


def _clamped(log: Value) -> Value:
    # Below the clamp the term is the constant -100, so its gradient is 0; nan passes through.
    return Value(_CLAMP) if log.data < _CLAMP else log


def _bce_term(p: Value, t: float) -> Value:
    if p.data < 0.0 or p.data > 1.0:
        raise ValueError(
            f"binary_cross_entropy takes probabilities in [0, 1], got {p.data!r}; "
            "for logits use binary_cross_entropy_with_logits"
        )
    return (t - 1.0) * _clamped(_log_of_one_minus(p)) - t * _clamped(p.log())


def binary_cross_entropy(output: Any, target: Any, reduction: str = "mean") -> Value:
    """Cross-entropy of probabilities: ``-(t log p + (1 - t) log(1 - p))``.

    ``log(1 - p)`` is computed as ``log1p(-p)``, exact for tiny p. Each log is
    clamped at -100 as in PyTorch, so p = 1 with t = 0 costs 100 (finite) and has
    gradient 0 there. Probabilities outside [0, 1] are a ValueError.

    >>> round(binary_cross_entropy(Value(0.8), 1.0).data, 6)
    0.223144
    >>> binary_cross_entropy(Value(1.0), 0.0).data
    100.0
    >>> binary_cross_entropy(Value(1e-10), 0.0).data  # log(1 - 1e-10) would give 1.000000082e-10
    1.00000000005e-10
    """
    return _elementwise(_bce_term, output, target, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(output: Any, target: Any, reduction: str = "mean") -> Value:
    """Cross-entropy of ``sigmoid(logit)``: ``t * softplus(-x) + (1 - t) * softplus(x)``.

    Both terms are >= 0, so nothing cancels: the loss is exact to a few ulps for every
    logit (a confidently right x = 40, t = 1 costs 4.2e-18, not 0), and the gradient is
    ``sigmoid(x) - t``. Logit 0 with target 1 gives ln 2 with gradient -0.5.

    >>> x = Value(0.0)
    >>> loss = binary_cross_entropy_with_logits(x, 1.0)
    >>> loss.backward()
    >>> round(loss.data, 6), x.grad
    (0.693147, -0.5)
    >>> binary_cross_entropy_with_logits(Value(40.0), 1.0).data
    4.248354255291589e-18
    """
    loss = "binary_cross_entropy_with_logits"
    return _elementwise(
        lambda x, t: t * (-x).softplus() + (1.0 - t) * x.softplus(), output, target, reduction, loss
    )


def _hinge_term(score: Value, label: float) -> Value:
    if label not in (1.0, -1.0):
        raise ValueError(f"hinge_loss labels must be +1 or -1, got {label!r}")
    return (1.0 - label * score).relu()


def hinge_loss(score: Any, label: Any, reduction: str = "mean") -> Value:
    """micrograd's max-margin loss: the mean of ``relu(1 - label * score)``, labels ±1.

    >>> hinge_loss([Value(2.0), Value(0.5)], [1, -1]).data
    0.75
    """
    return _elementwise(_hinge_term, score, label, reduction, "hinge_loss")


def _class_index(target: object, classes: int) -> int:
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(f"cross_entropy: a target is a class index, got {type(target).__name__}: {target!r}")
    if not 0 <= int(target) < classes:
        raise ValueError(
            f"cross_entropy: target class {target!r} is out of range for {classes} logits "
            f"(expected 0 to {classes - 1})"
        )
    return int(target)


@functools.cache
def _cross_entropy_op(target: int) -> Callable[..., Value]:
    """The op "cross_entropy" of one sample's logits for class `target`: one node whose
    local derivatives are ``softmax - one_hot``, computed in PyTorch's order."""

    def softmax_minus_one_hot(*logits_and_loss: Value) -> tuple[Value, ...]:
        # The same derivatives built with Values, so that they can be differentiated again
        # (Hessians of a loss): softmax_i = exp(z_i - logsumexp) and logsumexp = z_t + loss.
        *logits, loss = logits_and_loss
        chosen = logits[target]
        return tuple(
            (-loss).exp() - 1.0 if i == target else (z - chosen - loss).exp() for i, z in enumerate(logits)
        )

    @autograd.op("cross_entropy", derivative=softmax_minus_one_hot)
    def cross_entropy(*logits: float) -> tuple[float, tuple[float, ...]]:
        # log_softmax by log-sum-exp with the max taken out: no exp overflows.
        top = max(logits)
        log_sum = math.log(builtins.sum(math.exp(z - top) for z in logits))
        log_probabilities = [(z - top) - log_sum for z in logits]
        gradient = tuple(math.exp(lp) - (i == target) for i, lp in enumerate(log_probabilities))
        return -log_probabilities[target], gradient

    return cross_entropy


def _softmax_cross_entropy(logits: Sequence[Any], target: object) -> Value:
    values = [_as_value(z, "cross_entropy") for z in logits]
    if not values:
        raise ValueError("cross_entropy: a sample needs at least one logit")
    return _cross_entropy_op(_class_index(target, len(values)))(*values)


def cross_entropy(logits: Any, target_index: Any, reduction: str = "mean") -> Value:
    """Softmax cross-entropy of logits and a target class index, or of a batch of each.

    ``logits`` is one sample's list of logits with an int ``target_index``, or a list
    of such lists with a list of indices; the mean is over samples. Each sample is one
    node, op ``"cross_entropy"``, whose local derivatives are ``softmax(logits) -
    one_hot(target_index)``; it is stable for any finite logits (log-sum-exp).

    >>> round(cross_entropy([1.0, 2.0, 3.0], 2).data, 10)
    0.4076059644
    >>> cross_entropy([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]], [0, 1], reduction="sum").data
    1.0986122886681098
    """
    _check_reduction(reduction)
    if not isinstance(logits, (list, tuple)):
        raise TypeError(f"cross_entropy takes a list of logits, got {type(logits).__name__}: {logits!r}")
    if logits and isinstance(logits[0], (list, tuple)):
        if not isinstance(target_index, (list, tuple)) or len(target_index) != len(logits):
            raise ValueError(
                f"cross_entropy: {len(logits)} samples need {len(logits)} targets, got {target_index!r}"
            )
        return _reduce(
            [_softmax_cross_entropy(z, t) for z, t in zip(logits, target_index)], reduction, "cross_entropy"
        )
    return _reduce([_softmax_cross_entropy(logits, target_index)], reduction, "cross_entropy")


def l1_penalty(params: Iterable[Value]) -> Value:
    """Σ|p| over the parameters (L1 regularisation); the float 0.0 for none, as `autograd.sum`.

    >>> l1_penalty([Value(-2.0), Value(3.0)]).data
    5.0
    """
    return _made(autograd.sum([abs(p) for p in _checks.values(params, "l1_penalty")]), "l1_penalty", None)


def l2_penalty(params: Iterable[Value]) -> Value:
    """Σp² over the parameters (L2 regularisation), as one dot-product node; the float 0.0 for none.

    >>> l2_penalty([Value(-2.0), Value(3.0)]).data
    13.0
    """
    listed = _checks.values(params, "l2_penalty")
    return _made(autograd.dot(listed, listed), "l2_penalty", None)
