"""Gradient checking: compare the gradients backward computes with finite differences.

Every check here comes down to one comparison, made in float64 as PyTorch's
``gradcheck`` does. For an input x, with the function g of that input alone:

- ``numeric`` is the central difference ``(g(x + eps) - g(x - eps)) / (2 eps)``;
- ``analytic`` is what `Value.backward` gives;
- the row passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.

The left and right one-sided differences are compared too. Where they disagree
and keep disagreeing at a ten times smaller step, g has a kink at x (relu or abs
at 0): the row says "not differentiable here" and passes when ``analytic`` lies
between the two slopes, i.e. is a valid subgradient. (A smooth curve's two slopes
also differ, by about g''(x) * eps, but that gap shrinks tenfold with the step.)

Checks never change the user's graph: gradients are computed on the side (as
`backward` would, with `autograd.higher.gradients`), touching no ``.grad``, and perturbed
values are computed on the side too. `gradgradcheck` checks second derivatives the same
way, against central differences of the first.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import numbers
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple, TypeGuard, cast

from autograd import higher
from autograd.engine import Value, _Op, as_real, recompute
from autograd.higher import _user_derivative, grad
from autograd.naming import node_names, number

__all__ = [
    "EpsSweep",
    "GradcheckError",
    "GradcheckResult",
    "GradcheckRow",
    "OpCheckResult",
    "SweepPoint",
    "check_op",
    "eps_sweep",
    "format_table",
    "gradcheck",
    "gradcheck_graph",
    "gradgradcheck",
]

# A kink's two one-sided slopes keep their gap when the step shrinks tenfold; a smooth
# curve's gap shrinks tenfold too. A gap that keeps more than this share is a kink.
_KINK_GAP_KEPT = 1 / 3


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class GradcheckRow:
    """One checked derivative: of the output with respect to one input or node."""

    label: str
    node: Value  # the input or graph node whose derivative this row checks
    value: float  # that input's value
    analytic: float  # from backward
    numeric: float  # central difference
    left_slope: float  # one-sided differences, compared to find kinks
    right_slope: float
    differentiable: bool  # False where the one-sided slopes disagree (a kink)
    error_ratio: float  # the error over the error the tolerances allow: at most 1 passes
    local_errors: tuple[str, ...] = ()  # gradcheck_graph: this node's own local derivatives that are off

    @property
    def abs_error(self) -> float:
        """``|analytic - numeric|``."""
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        """``|analytic - numeric| / |numeric|`` (inf when only numeric is 0)."""
        return _ratio(self.abs_error, abs(self.numeric))

    @property
    def agrees(self) -> bool:
        """Whether the derivative agrees with the numeric one (within the tolerances)."""
        return self.error_ratio <= 1.0

    @property
    def passed(self) -> bool:
        """Whether the derivative agrees (and, in a graph, the node's own local derivatives do)."""
        return self.agrees and not self.local_errors

    @property
    def verdict(self) -> str:
        """``pass`` or ``FAIL``, saying why where it is not plain."""
        outcome = "pass" if self.passed else "FAIL"
        notes = []
        if not self.differentiable:
            slopes = f"left slope {number(self.left_slope)}, right slope {number(self.right_slope)}"
            notes.append(f"not differentiable here ({slopes})")
        elif not (math.isfinite(self.analytic) and math.isfinite(self.numeric)):
            notes.append("not finite")
        notes.extend(self.local_errors)
        return f"{outcome}: {'; '.join(notes)}" if notes else outcome


@dataclass(frozen=True)
class GradcheckResult:
    """The rows of a gradient check: truthy when every row passes; prints as a table.

    >>> result = gradcheck(lambda x, y: x * y, [2.0, 3.0])
    >>> bool(result), result.rows[1].analytic
    (True, 2.0)
    >>> print(result)
    gradcheck: all 2 inputs pass (eps=1e-06, atol=1e-05, rtol=0.001)
    input  value  analytic  numeric  abs error  rel error  result
    x          2         3        3    2.5e-11    8.3e-12  pass
    y          3         2        2    2.8e-10    1.4e-10  pass
    >>> print(gradcheck(lambda x: x.exp(), [1.0]).report(digits=8).splitlines()[-1])
    x          1  2.7182818  2.7182818    1.6e-10    6.0e-11  pass
    """

    rows: list[GradcheckRow]
    eps: float
    atol: float
    rtol: float
    checked: str = "input"  # what a row is: "input", "node" or "pair" (of inputs: gradgradcheck)

    def __bool__(self) -> bool:
        return all(row.passed for row in self.rows)

    @property
    def failures(self) -> list[GradcheckRow]:
        """The rows that fail."""
        return [row for row in self.rows if not row.passed]

    @property
    def worst(self) -> GradcheckRow:
        """The row furthest outside its tolerance (nan counts as worst)."""
        return max(self.rows, key=_badness)

    def raise_if_failed(self) -> None:
        """Raise `GradcheckError`, carrying this table, unless every row passes."""
        if not self:
            raise GradcheckError(self)

    def __str__(self) -> str:
        return self.report()

    def report(self, digits: int | None = 4) -> str:
        """The table, numbers with `digits` significant digits (``None``: repr); errors always 2."""
        failed, total = len(self.failures), len(self.rows)
        name = _CHECKER_NAMES[self.checked]
        outcome = (
            f"{failed} of {_count(total, self.checked)} FAIL" if failed else _all_pass(total, self.checked)
        )
        header = f"{name}: {outcome} (eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})"
        table = format_table(
            [self.checked, "value", "analytic", "numeric", "abs error", "rel error", "result"],
            [
                [
                    row.label,
                    number(row.value, digits),
                    number(row.analytic, digits),
                    number(row.numeric, digits),
                    f"{row.abs_error:.1e}",
                    f"{row.rel_error:.1e}",
                    row.verdict,
                ]
                for row in self.rows
            ],
        )
        return f"{header}\n{table}"

    __repr__ = __str__


_gradients = higher.gradients  # d(root)/d(node) for every node, on the side (the exercises use it too)
_CHECKER_NAMES = {"input": "gradcheck", "node": "gradcheck_graph", "pair": "gradgradcheck"}


@dataclass(frozen=True)
class OpCheckResult:
    """`check_op`'s result: one `GradcheckResult` per random point; prints the worst point.

    >>> from autograd import op
    >>> @op("square")
    ... def square(x):
    ...     return x * x, (2 * x,)
    >>> result = check_op(square, points=20)
    >>> bool(result), len(result.points)
    (True, 20)
    """

    name: str
    domains: tuple[tuple[float, float], ...]
    points: list[GradcheckResult]
    second_order: list[GradcheckResult] = dataclasses.field(default_factory=list)  # gradgradcheck per point

    def __bool__(self) -> bool:
        return all(self.points) and all(self.second_order)

    @property
    def failures(self) -> list[GradcheckResult]:
        """The checks (first order, then second order) that fail, one per point and order."""
        return [point for point in self.points + self.second_order if not point]

    @property
    def worst(self) -> GradcheckResult:
        """The check whose worst derivative is furthest outside its tolerance."""
        return max(self.points + self.second_order, key=lambda point: _badness(point.worst))

    def raise_if_failed(self) -> None:
        """Raise `GradcheckError`, carrying the worst point's table, unless every point passes."""
        if not self:
            raise GradcheckError(self)

    def __str__(self) -> str:
        domains = ", ".join(f"[{lo:g}, {hi:g}]" for lo, hi in self.domains)
        total = len(self.points)
        second_order = self.second_order or self.points  # an op without a derivative: first order only
        failed = sum(not (first and second) for first, second in zip(self.points, second_order))
        outcome = f"{failed} of {_count(total, 'point')} FAIL" if failed else _all_pass(total, "point")
        return f"check_op({self.name}) on {domains}: {outcome}; the worst point:\n{self.worst}"

    __repr__ = __str__


class GradcheckError(RuntimeError):
    """A gradient check failed; ``.result`` is the failed result, and the message its table."""

    def __init__(self, result: GradcheckResult | OpCheckResult) -> None:
        super().__init__(str(result))
        self.result = result


class SweepPoint(NamedTuple):
    """The central difference's error at one step size."""

    eps: float
    error: float


class EpsSweep(list[SweepPoint]):
    """`eps_sweep`'s (eps, error) rows, largest step first; prints as a table."""

    def __init__(self, points: Sequence[SweepPoint], analytic: float) -> None:
        super().__init__(points)
        self.analytic = analytic

    @property
    def best(self) -> SweepPoint:
        """The step with the smallest error (nan counts as worst)."""
        return min(self, key=lambda point: _nan_to_inf(point.error))

    def __str__(self) -> str:
        rows = [[f"{eps:.0e}", f"{error:.2e}"] for eps, error in self]
        return f"analytic {self.analytic!r}\n" + format_table(["eps", "error"], rows)

    def __repr__(self) -> str:
        return f"EpsSweep({list(self)!r}, analytic={self.analytic!r})"


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align columns: numbers to the right, text to the left.

    >>> print(format_table(["name", "x"], [["a", "1.5"], ["bb", "-10"]]))
    name    x
    a     1.5
    bb    -10
    """
    columns = list(zip(header, *rows))
    widths = [max(map(len, column)) for column in columns]
    numeric = [all(_looks_numeric(cell) for cell in column[1:]) for column in columns]
    lines = []
    for cells in [header, *rows]:
        padded = [
            cell.rjust(width) if is_number else cell.ljust(width)
            for cell, width, is_number in zip(cells, widths, numeric)
        ]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _all_pass(n: int, thing: str) -> str:
    return f"the {thing} passes" if n == 1 else f"all {n} {thing}s pass"


def _looks_numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------
# The one comparison every check makes.


class _Comparison(NamedTuple):
    numeric: float
    left_slope: float
    right_slope: float
    differentiable: bool
    error_ratio: float


def _compare(
    value_at: Callable[[float], float],
    x: float,
    value: float,
    analytic: float,
    tolerances: _Tolerances,
) -> _Comparison:
    """Compare `analytic` with the numeric derivative of `value_at` at `x`.

    `value` is ``value_at(x)``, already known to the caller.
    """
    eps, atol, rtol = tolerances
    below, above = value_at(x - eps), value_at(x + eps)
    numeric = (above - below) / (2.0 * eps)
    left, right = (value - below) / eps, (above - value) / eps
    gap = right - left
    kink = abs(gap) > atol + rtol * max(abs(left), abs(right))
    if kink:
        small = eps / 10.0
        small_gap = (value_at(x + small) - value) / small - (value - value_at(x - small)) / small
        kink = abs(small_gap) > abs(gap) * _KINK_GAP_KEPT
    if not kink:
        error_ratio = _error_ratio(analytic, numeric, atol, rtol)
    else:  # a valid subgradient lies between the slopes
        low, high = min(left, right), max(left, right)
        if low <= analytic <= high:
            error_ratio = 0.0
        elif analytic < low:
            error_ratio = _error_ratio(analytic, low, atol, rtol)
        elif analytic > high:
            error_ratio = _error_ratio(analytic, high, atol, rtol)
        else:  # nan
            error_ratio = math.nan
    return _Comparison(numeric, left, right, not kink, error_ratio)


class _Tolerances(NamedTuple):
    eps: float
    atol: float
    rtol: float


def _tolerances(eps: float, atol: float, rtol: float) -> _Tolerances:
    return _Tolerances(_step(eps), _tolerance(atol, "atol"), _tolerance(rtol, "rtol"))


def _step(eps: object) -> float:
    """A finite-difference step, checked: a finite number > 0."""
    step = as_real(eps, "eps must be a real number")
    if not (math.isfinite(step) and step > 0.0):
        raise ValueError(f"eps must be a finite number > 0, got {step!r}")
    return step


def _tolerance(x: object, name: str) -> float:
    """An atol or rtol, checked: a finite number >= 0."""
    tolerance = as_real(x, f"{name} must be a real number")
    if not (math.isfinite(tolerance) and tolerance >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {tolerance!r}")
    return tolerance


def _error_ratio(value: float, reference: float, atol: float, rtol: float) -> float:
    """``|value - reference|`` over what the tolerances allow, ``atol + rtol * |reference|``: <= 1 passes."""
    return _ratio(abs(value - reference), atol + rtol * abs(reference))


def _ratio(excess: float, allowed: float) -> float:
    """``excess / allowed``, where nothing allowed admits only no excess."""
    if allowed > 0.0:
        return excess / allowed
    if math.isnan(excess):
        return math.nan
    return 0.0 if excess == 0.0 else math.inf


def _nan_to_inf(x: float) -> float:
    return math.inf if math.isnan(x) else x


def _badness(row: GradcheckRow) -> tuple[bool, float]:
    return (not row.passed, _nan_to_inf(row.error_ratio))


# ---------------------------------------------------------------------------
# Checking a function of Values.


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float] | Value | float,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckResult:
    """Check the gradient of ``f(*inputs)`` against central differences, one row per input.

    `f` takes Values and returns a Value; `inputs` are floats or Values (or one of
    them). A row passes when ``|analytic - numeric| <= atol + rtol * |numeric|``
    (PyTorch's rule and defaults, in float64); at a kink, when the analytic value
    lies between the left and right slopes. Nothing of the user's is changed:
    `f` is called on new leaves holding the inputs' values, and no ``.grad`` is touched.

    >>> result = gradcheck(lambda x, y: x * y + y.exp(), [2.0, 0.0])
    >>> bool(result), [row.analytic for row in result.rows]
    (True, [0.0, 3.0])
    >>> gradcheck(lambda x: x.abs(), [0.0]).rows[0].verdict
    'pass: not differentiable here (left slope -1, right slope 1)'
    """
    tolerances = _tolerances(eps, atol, rtol)
    given = _inputs(inputs)
    names = _parameter_names(f, len(given))
    value, analytic = _analytic(f, given)
    xs = [v.data for v in given]
    rows = [
        _row(v.label or names[i], v, analytic[i], _varying(f, xs, i), value, tolerances)
        for i, v in enumerate(given)
    ]
    return GradcheckResult(rows, *tolerances)


def _analytic(f: Callable[..., Value], given: list[Value]) -> tuple[float, list[float]]:
    """``f(*given)``'s value and its derivative in each input, by backward on new leaves."""
    leaves = [Value(v.data, v.label) for v in given]
    out = _call(f, leaves)
    grads = _gradients(out)
    return out.data, [grads.get(leaf, 0.0) for leaf in leaves]


def _varying(f: Callable[..., Value], xs: list[float], i: int) -> Callable[[float], float]:
    """``f`` as a function of input `i` alone, the others held at `xs`.

    Graph building stays on: `f` may itself call `autograd.grad`.
    """

    def value_at(t: float) -> float:
        return _call(f, [Value(t if j == i else x) for j, x in enumerate(xs)]).data

    return value_at


def _row(
    label: str,
    node: Value,
    analytic: float,
    value_at: Callable[[float], float],
    value: float,
    tolerances: _Tolerances,
    local_errors: tuple[str, ...] = (),
) -> GradcheckRow:
    comparison = _compare(value_at, node.data, value, analytic, tolerances)
    return GradcheckRow(label, node, node.data, analytic, *comparison, local_errors)


def _inputs(inputs: object) -> list[Value]:
    if isinstance(inputs, Value) or _is_real(inputs):
        inputs = [inputs]
    if not isinstance(inputs, Sequence) or isinstance(inputs, str):
        raise TypeError(f"inputs must be a list of floats or Values, got {type(inputs).__name__}: {inputs!r}")
    if not inputs:
        raise ValueError("gradcheck needs at least one input, got none")
    return [
        x if isinstance(x, Value) else Value(as_real(x, f"inputs[{i}] must be a float or a Value"))
        for i, x in enumerate(inputs)
    ]


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _parameter_names(f: Callable[..., Any], count: int) -> list[str]:
    """The names of `f`'s first `count` positional parameters, for labelling rows."""
    fallback = [f"input {i}" for i in range(count)]
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature
        return fallback
    names = [p.name for p in parameters if p.kind in _POSITIONAL][:count]
    return names + fallback[len(names) :]


def _call(f: Callable[..., Value], args: list[Value]) -> Value:
    out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(f"the function checked must return a Value, got {type(out).__name__}: {out!r}")
    return out


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float] | Value | float,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckResult:
    """Check the second derivatives of ``f(*inputs)`` against central differences of the first.

    One row per pair (i, j), labelled ``d2/dx_i dx_j``: d/dx_j of d f/dx_i, from
    `autograd.higher.grad` with ``create_graph``, against the central difference in x_j
    of d f/dx_i; a row's ``value`` is x_j's. The same rule, defaults, kink handling and
    result as `gradcheck`. `f` may call `autograd.grad` itself.

    >>> result = gradgradcheck(lambda x, y: x * x * y, [3.0, 2.0])
    >>> bool(result), [row.analytic for row in result.rows]
    (True, [4.0, 6.0, 6.0, 0.0])
    >>> result.rows[1].label
    'd2/dx dy'
    """
    tolerances = _tolerances(eps, atol, rtol)
    given = _inputs(inputs)
    names = _parameter_names(f, len(given))
    labels = [v.label or names[i] for i, v in enumerate(given)]
    leaves = [Value(v.data, v.label) for v in given]
    firsts = grad(_call(f, leaves), leaves, create_graph=True)
    xs = [v.data for v in given]
    rows = []
    for i, first in enumerate(firsts):
        seconds = grad(first, leaves)
        for j, v in enumerate(given):
            label = f"d2/d{labels[i]} d{labels[j]}"
            rows.append(_row(label, v, seconds[j], _varying_gradient(f, xs, i, j), first.data, tolerances))
    return GradcheckResult(rows, *tolerances, checked="pair")


def _varying_gradient(f: Callable[..., Value], xs: list[float], i: int, j: int) -> Callable[[float], float]:
    """d f/dx_i as a function of input `j` alone, the others held at `xs`."""

    def gradient_at(t: float) -> float:
        leaves = [Value(t if k == j else x) for k, x in enumerate(xs)]
        return grad(_call(f, leaves), leaves[i])[0]

    return gradient_at


# ---------------------------------------------------------------------------
# Checking a user-defined op at random points.


def check_op(
    op: Callable[..., Value],
    domain: tuple[float, float] | Sequence[tuple[float, float]] = (-3.0, 3.0),
    points: int = 100,
    seed: int | random.Random = 0,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> OpCheckResult:
    """Check an op's local derivatives with `gradcheck` at random points of a domain.

    `domain` is one ``(low, high)`` for every argument, or one per argument. The
    points come from ``random.Random(seed)``, never the global generator. For an op
    made with ``@op(name, derivative=d)``, each point also checks that ``d``'s values
    equal the float rule's (to 1e-12, relatively) and, with `gradgradcheck`, that the
    second derivatives ``d`` gives agree with finite differences.

    >>> from autograd import op
    >>> @op("wrong_cube")
    ... def wrong_cube(x):
    ...     return x**3, (3 * x,)  # should be 3 * x**2
    >>> result = check_op(wrong_cube, domain=(0.5, 2), points=10)
    >>> bool(result), len(result.failures)
    (False, 10)
    >>> result.worst.rows[0].label
    'x'
    """
    domains = _domains(op, domain)
    tolerances = _tolerances(eps, atol, rtol)
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise ValueError(f"points must be a positive int, got {points!r}")
    if isinstance(seed, random.Random):
        rng = seed
    elif isinstance(seed, int) and not isinstance(seed, bool):
        rng = random.Random(seed)
    else:
        raise TypeError(f"seed must be an int or a random.Random, got {type(seed).__name__}: {seed!r}")
    results, second_order = [], []
    for _ in range(points):
        point = [rng.uniform(low, high) for low, high in domains]
        result = gradcheck(op, point, **tolerances._asdict())
        node = _call(op, [Value(x) for x in point])
        if node._op is not None and node._op.derivative is not None:
            result = _with_derivative_errors(result, node)
            second_order.append(gradgradcheck(op, point, **tolerances._asdict()))
        results.append(result)
    return OpCheckResult(_name(op), domains, results, second_order)


# A user op's derivative built with Values must give its float rule's numbers, up to rounding.
_SAME_DERIVATIVE = 1e-12


def _with_derivative_errors(result: GradcheckResult, node: Value) -> GradcheckResult:
    """`result` with each input's row noting where the op's ``derivative`` differs from its float rule."""
    op = cast("_Op", node._op)  # the caller checked it is a user op with a derivative
    built = _user_derivative(node, op.name, op.derivative)
    rows = []
    for row, local, from_rule in zip(result.rows, built, node.local_grads):
        data = local.data if isinstance(local, Value) else local
        same = data == from_rule or (data != data and from_rule != from_rule)
        if not same and not math.isclose(data, from_rule, rel_tol=_SAME_DERIVATIVE, abs_tol=_SAME_DERIVATIVE):
            note = f"derivative gives {data!r}, the float rule {from_rule!r}"
            row = dataclasses.replace(row, local_errors=(*row.local_errors, note))
        rows.append(row)
    return dataclasses.replace(result, rows=rows)


def _domains(op: Callable[..., Any], domain: object) -> tuple[tuple[float, float], ...]:
    """One ``(low, high)`` per argument of `op`, from one domain for all or one for each."""
    if _is_interval(domain):
        arity = _arity(op)
        if arity is None:
            raise ValueError(
                f"{_name(op)!r} takes any number of arguments: "
                "give one domain per argument, e.g. [(-3, 3), (-3, 3)]"
            )
        domains: list[Sequence[float]] = [domain] * arity
    elif isinstance(domain, Sequence) and domain and all(_is_interval(d) for d in domain):
        domains = list(domain)
        arity = _arity(op)
        if arity is not None and arity != len(domains):
            raise ValueError(f"{_name(op)!r} takes {arity} argument(s), got {len(domains)} domains")
    else:
        raise TypeError(
            f"domain must be a (low, high) pair or a list of them, one per argument, got {domain!r}"
        )
    checked = []
    for low, high in domains:
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"a domain must be finite with low < high, got ({low!r}, {high!r})")
        checked.append((float(low), float(high)))
    return tuple(checked)


def _name(op: Callable[..., Any]) -> str:
    return getattr(op, "__name__", repr(op))


def _is_interval(x: object) -> TypeGuard[Sequence[float]]:
    return isinstance(x, Sequence) and len(x) == 2 and all(_is_real(end) for end in x)


def _arity(op: Callable[..., Any]) -> int | None:
    """How many positional arguments `op` takes, or None when any number."""
    try:
        parameters = inspect.signature(op).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in _POSITIONAL for p in parameters)


# ---------------------------------------------------------------------------
# Checking every node of a built graph.


def gradcheck_graph(
    root: Value, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> GradcheckResult:
    """Check d(root)/d(node) for every node of a built graph, one row per node.

    Each node is perturbed on the side: the nodes downstream of it are re-evaluated
    from their parents with `recompute`, so the graph and its ``.grad`` values are
    left as they were. Each node's own local derivatives are checked as well; a
    node whose op gives a wrong local derivative fails and its row names the
    parent, which is where to look (the gradients upstream of it fail too).

    Cost: about two re-evaluations of the graph per node, O(nodes x edges); a graph
    of 1000 nodes takes a second or two.

    >>> x, w = Value(0.5, label="x"), Value(-1.0, label="w")
    >>> y = x * w
    >>> y.label = "y"
    >>> y.local_grads = (-1.0, 5.0)  # a bug: dy/dw is x = 0.5, not 5
    >>> result = gradcheck_graph(y.tanh())
    >>> [(row.label, row.passed) for row in result.rows]
    [('x', True), ('w', False), ('y', False), ('#3', True)]
    >>> result.rows[2].local_errors
    ('local derivative for parent 1 (w) is 5, numerically 0.5',)
    """
    tolerances = _tolerances(eps, atol, rtol)
    if not isinstance(root, Value):
        raise TypeError(f"gradcheck_graph takes a Value, got {type(root).__name__}: {root!r}")
    grads = _gradients(root)
    order = list(grads)
    names = node_names(order)
    position = {node: i for i, node in enumerate(order)}
    rows = []
    for index, node in enumerate(order):

        def root_value_at(t: float, index: int = index) -> float:
            return _root_value_with(order, index, t)

        rows.append(
            _row(
                names[index],
                node,
                grads[node],
                root_value_at,
                root.data,
                tolerances,
                _local_errors(node, [names[position[p]] for p in node.parents], tolerances),
            )
        )
    return GradcheckResult(rows, *tolerances, checked="node")


def _root_value_with(order: list[Value], index: int, value: float) -> float:
    """The root's value if ``order[index]`` held `value`: its downstream re-evaluated on the side."""
    changed = {order[index]: value}
    for node in islice(order, index + 1, None):
        parents = node.parents
        if not changed.keys().isdisjoint(parents):
            changed[node] = recompute(node, [changed.get(p, p.data) for p in parents])
    return changed.get(order[-1], order[-1].data)


def _local_errors(node: Value, parent_names: Sequence[str], tolerances: _Tolerances) -> tuple[str, ...]:
    """Descriptions of `node`'s local derivatives that disagree with its op's numeric ones."""
    errors = []
    data = [p.data for p in node.parents]
    for k, (parent, local) in enumerate(zip(node.parents, node.local_grads)):

        def value_at(t: float, k: int = k) -> float:
            return recompute(node, [t if j == k else x for j, x in enumerate(data)])

        comparison = _compare(value_at, parent.data, node.data, local, tolerances)
        if not comparison.error_ratio <= 1.0:
            name = f"{k} ({parent_names[k]})"
            numeric = comparison.numeric
            errors.append(
                f"local derivative for parent {name} is {number(local)}, numerically {number(numeric)}"
            )
    return tuple(errors)


# ---------------------------------------------------------------------------
# The step-size U-curve.


def eps_sweep(
    f: Callable[[Value], Value], x: Value | float, *, steps: Sequence[float] | None = None
) -> EpsSweep:
    """The central difference's error ``|numeric - analytic|`` for each step size.

    Steps default to 1e-1, 1e-2, ..., 1e-12: the error first falls with the step
    (truncation error, about f''' eps**2 / 6) and then rises again (round-off, about
    1e-16 |f| / eps), the U-curve. The rows are ``(eps, error)`` pairs, ready to plot:
    ``plt.loglog(*zip(*sweep))``.

    >>> sweep = eps_sweep(lambda x: x.exp(), 0.0)
    >>> len(sweep), sweep[0].eps, round(sweep[0].error, 8)
    (12, 0.1, 0.0016675)
    >>> 1e-7 <= sweep.best.eps <= 1e-4
    True
    """
    if steps is None:
        steps = [float(f"1e-{k}") for k in range(1, 13)]
    steps = [_step(step) for step in steps]
    if not steps:
        raise ValueError("eps_sweep needs at least one step size in steps")
    (given,) = _inputs([x])
    _, (analytic,) = _analytic(f, [given])
    value_at = _varying(f, [given.data], 0)
    points = []
    for eps in steps:
        numeric = (value_at(given.data + eps) - value_at(given.data - eps)) / (2.0 * eps)
        points.append(SweepPoint(eps, abs(numeric - analytic)))
    return EpsSweep(points, analytic)
