"""The scalar reverse-mode engine: `Value`, its ops, and `backward`.

Every op is a *rule*: a function of floats returning the op's value and its local
derivatives, one per input, e.g. ``_mul(a, b) -> (a * b, (b, a))``. A node records
its parents and those local derivatives when it is made; `backward` then only
multiplies and adds. The node also keeps its rule (and constant operand, if any),
so it can recompute its value from its parents (see `recompute`).

Floats follow IEEE semantics as PyTorch does in float64: no op raises on overflow
or a domain error, it returns ``inf`` or ``nan`` instead (see the README's table).
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import inspect
import math
import numbers
import operator
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias, cast

__all__ = [
    "Value",
    "detect_anomaly",
    "dot",
    "max",
    "no_grad",
    "op",
    "recompute",
    "sum",
    "topological_order",
]

Number: TypeAlias = int | float
Operand: TypeAlias = "Value | int | float"
Rule: TypeAlias = Callable[..., tuple[float, tuple[float, ...]]]

_INF = math.inf
_NAN = math.nan

# ---------------------------------------------------------------------------
# IEEE-safe float functions: Python's math raises where IEEE returns inf/nan.


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return _NAN
        return math.copysign(_INF, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return y.is_integer() and math.fmod(y, 2.0) != 0.0


def _pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        pass
    except ValueError:  # 0 to a negative power, or a negative base to a fraction
        if x != 0.0:
            return _NAN
    negative = math.copysign(1.0, x) < 0.0 and _is_odd_integer(y)
    return -_INF if negative else _INF


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -_INF if x == 0.0 else _NAN


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else _NAN


def _sin(x: float) -> float:
    return math.sin(x) if math.isfinite(x) else _NAN


def _cos(x: float) -> float:
    return math.cos(x) if math.isfinite(x) else _NAN


def _sech2(x: float) -> float:
    # sech(x)**2 = 4e / (1 + e)**2 with e = exp(-2|x|) <= 1: no cancellation, no overflow,
    # within a few ulps everywhere (1 - tanh(x)**2 loses all its digits past |x| = 19).
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


class _StrongZero(float):
    """A local derivative of exactly 0 that sends 0 whatever arrives, inf and nan included.

    Where a function is constant around a point (relu left of 0, the base of ``x ** 0``),
    PyTorch's backward sends 0 even for an inf or nan upstream gradient; a plain 0.0
    would give ``0 * inf = nan``. Every product with it is 0.0, in either order, so
    backward, gradient checking and the walkthrough all follow the rule by multiplying.
    """

    __slots__ = ()

    def __mul__(self, other: object) -> float:
        return 0.0

    __rmul__ = __mul__

    def __reduce__(self) -> tuple[type[_StrongZero], tuple[float]]:
        return _StrongZero, (0.0,)


STRONG_ZERO = _StrongZero(0.0)


def _sigmoid(x: float) -> float:
    # exp of a number <= 0 on either side: it cannot overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---------------------------------------------------------------------------
# The rules: each op's value and local derivatives, side by side.
# Binary rules with a constant take (x, c); the constant is folded into the op.

_ONE = (1.0,)
_MINUS_ONE = (-1.0,)


def _add(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    return a + b, (1.0, 1.0)


def _sub(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    return a - b, (1.0, -1.0)


def _mul(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    return a * b, (b, a)


def _truediv(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    q = _div(a, b)
    return q, (_div(1.0, b), _div(-q, b))  # d/db a/b = -(a/b)/b


def _power(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    p = _pow(a, b)
    return p, (_pow_base_grad(a, b), _pow_exponent_grad(a, b, p))


def _pow_base_grad(a: float, b: float) -> float:
    return STRONG_ZERO if b == 0.0 else b * _pow(a, b - 1.0)  # x**0 is constant: 0 whatever arrives


def _pow_exponent_grad(a: float, b: float, p: float) -> float:
    return 0.0 if a == 0.0 and b >= 0.0 else p * _log(a)  # d/db a**b = a**b ln a


def _add_const(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    return x + c, _ONE


def _sub_const(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    return x - c, _ONE


def _const_sub(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    return c - x, _MINUS_ONE


def _mul_const(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    return x * c, (c,)


def _div_const(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    return _div(x, c), (_div(1.0, c),)


def _const_div(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    q = _div(c, x)
    return q, (_div(-q, x),)


def _pow_const(x: float, k: float) -> tuple[float, tuple[float, ...]]:
    return _pow(x, k), (_pow_base_grad(x, k),)


def _const_pow(x: float, c: float) -> tuple[float, tuple[float, ...]]:
    p = _pow(c, x)
    return p, (_pow_exponent_grad(c, x, p),)


def _neg(x: float) -> tuple[float, tuple[float, ...]]:
    return -x, _MINUS_ONE


def _abs(x: float) -> tuple[float, tuple[float, ...]]:
    return abs(x), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,)  # abs'(0) = 0


def _exp_rule(x: float) -> tuple[float, tuple[float, ...]]:
    e = _exp(x)
    return e, (e,)


def _log_rule(x: float) -> tuple[float, tuple[float, ...]]:
    return _log(x), (_div(1.0, x),)


def _sqrt_rule(x: float) -> tuple[float, tuple[float, ...]]:
    s = _sqrt(x)
    return s, (_div(0.5, s),)  # sqrt'(0) = inf


def _tanh(x: float) -> tuple[float, tuple[float, ...]]:
    return math.tanh(x), (_sech2(x),)


def _sech2_rule(x: float) -> tuple[float, tuple[float, ...]]:
    s = _sech2(x)
    return s, (-2.0 * math.tanh(x) * s,)


def _sigmoid_rule(x: float) -> tuple[float, tuple[float, ...]]:
    s = _sigmoid(x)
    return s, (s * (1.0 - s),)


def _relu(x: float) -> tuple[float, tuple[float, ...]]:
    return (0.0, (STRONG_ZERO,)) if x <= 0.0 else (x, _ONE)  # relu'(0) = 0; nan passes


def _leaky_relu(x: float, slope: float) -> tuple[float, tuple[float, ...]]:
    return (x, _ONE) if x > 0.0 else (x * slope, (slope,))  # leaky_relu'(0) = slope


def _elu(x: float, alpha: float) -> tuple[float, tuple[float, ...]]:
    if x <= 0.0:
        return alpha * math.expm1(x), (alpha * math.exp(x),)  # elu'(0) = alpha
    return x, _ONE  # also for nan, as PyTorch: its test x <= 0 is false there


def _softplus(x: float) -> tuple[float, tuple[float, ...]]:
    # Exact and stable for any x: max(x, 0) + log1p(exp(-|x|)).
    return builtins.max(x, 0.0) + math.log1p(math.exp(-abs(x))), (_sigmoid(x),)


def _sin_rule(x: float) -> tuple[float, tuple[float, ...]]:
    return _sin(x), (_cos(x),)


def _cos_rule(x: float) -> tuple[float, tuple[float, ...]]:
    return _cos(x), (-_sin(x),)


def _sum_rule(*xs: float) -> tuple[float, tuple[float, ...]]:
    return builtins.sum(xs), _ONE * len(xs)


def _dot_rule(*xs_ys: float) -> tuple[float, tuple[float, ...]]:
    n = len(xs_ys) // 2
    xs, ys = xs_ys[:n], xs_ys[n:]
    return builtins.sum(map(operator.mul, xs, ys)), ys + xs  # parents xs + ys


def _max_rule(*xs: float) -> tuple[float, tuple[float, ...]]:
    # As torch.max of a whole tensor: a nan is the maximum; the gradient is split evenly
    # between the inputs equal to the maximum, the others get exactly 0.
    if any(x != x for x in xs):
        m, ties = _NAN, [x != x for x in xs]
    else:
        m = builtins.max(xs)
        ties = [x == m for x in xs]
    share = 1.0 / ties.count(True)
    return m, tuple(share if tie else STRONG_ZERO for tie in ties)


class _Op:
    """A kind of node: its name, its float rule, and its local derivatives stated as expressions.

    `value` is the op's output as an expression and `grads` one Python expression per
    input for d(output)/d(input), both in the names ``x`` (a unary op's input), ``a``
    and ``b`` (a binary op's), ``c`` (a folded constant) and ``out`` (the op's output),
    using the functions of `autograd.derivatives`. That statement is the one the
    walkthrough shows, compiled code runs and ``create_graph`` builds; the float rule
    beside it computes the same numbers fast, and the tests check the two agree bit for
    bit for every op. `shown` is the form a lesson writes, where it differs (tanh's
    ``1 - out**2``). The n-ary ops (sum, dot, max) have no expressions. A user-defined op
    has a float rule only, and `derivative` if it was given one.
    """

    __slots__ = ("derivative", "grads", "name", "rule", "shown", "shows_constant", "value")

    def __init__(
        self,
        name: str,
        rule: Rule,
        grads: tuple[str, ...] = (),
        shown: tuple[str, ...] | None = None,
        shows_constant: bool = False,
        derivative: Callable[..., Sequence[Value | float]] | None = None,
        value: str = "",
    ) -> None:
        self.name = name  # with a "{}" where the constant goes, when shows_constant
        self.value = value  # the rule's value as an expression in the same names (compiled source)
        self.rule = rule
        self.grads = grads
        self.shown = grads if shown is None else shown
        self.shows_constant = shows_constant
        self.derivative = derivative  # a user op's local derivatives built with Values (create_graph)

    def describe(self, constant: float | None) -> str:
        if self.shows_constant and constant is not None:
            return self.name.format(_format_constant(constant))
        return self.name

    def __reduce__(self) -> str:
        if self not in _BUILTIN_NAMES:
            raise TypeError(
                f"a graph made with the user-defined op {self.name!r} cannot be pickled (its rule is "
                "your function, not data): pickle the leaves' data, or detach() the result"
            )
        return _BUILTIN_NAMES[self]  # pickled by name: a built-in op is a module constant


def _format_constant(c: float) -> str:
    return str(int(c)) if c.is_integer() and abs(c) < 1e15 else repr(c)


_BASE_GRAD = "STRONG_ZERO if {k} == 0.0 else {k} * pow({x}, {k} - 1.0)"  # x**0 is constant
_EXPONENT_GRAD = "0.0 if {base} == 0.0 and {k} >= 0.0 else out * log({base})"  # d/dk base**k

ADD = _Op("+", _add, ("1.0", "1.0"), value="a + b")
SUB = _Op("-", _sub, ("1.0", "-1.0"), value="a - b")
MUL = _Op("*", _mul, ("b", "a"), value="a * b")
DIV = _Op("/", _truediv, ("1.0 / b", "-out / b"), value="a / b")
_POW_GRADS = (_BASE_GRAD.format(x="a", k="b"), _EXPONENT_GRAD.format(base="a", k="b"))
POW = _Op("**", _power, _POW_GRADS, value="pow(a, b)")
ADD_CONST = _Op("+{}", _add_const, ("1.0",), shows_constant=True, value="x + c")
SUB_CONST = _Op("-{}", _sub_const, ("1.0",), shows_constant=True, value="x - c")
CONST_SUB = _Op("{}-", _const_sub, ("-1.0",), shows_constant=True, value="c - x")
MUL_CONST = _Op("*{}", _mul_const, ("c",), shows_constant=True, value="x * c")
DIV_CONST = _Op("/{}", _div_const, ("1.0 / c",), shows_constant=True, value="x / c")
CONST_DIV = _Op("{}/", _const_div, ("-out / x",), shows_constant=True, value="c / x")
_POW_CONST_GRADS = (_BASE_GRAD.format(x="x", k="c"),)
POW_CONST = _Op("**{}", _pow_const, _POW_CONST_GRADS, shows_constant=True, value="pow(x, c)")
_CONST_POW_GRADS = (_EXPONENT_GRAD.format(base="c", k="x"),)
CONST_POW = _Op("{}**", _const_pow, _CONST_POW_GRADS, shows_constant=True, value="pow(c, x)")
NEG = _Op("neg", _neg, ("-1.0",), value="-x")
ABS = _Op("abs", _abs, ("1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0",), value="abs(x)")
EXP = _Op("exp", _exp_rule, ("out",), value="exp(x)")
LOG = _Op("log", _log_rule, ("1.0 / x",), value="log(x)")
SQRT = _Op("sqrt", _sqrt_rule, ("0.5 / out",), value="sqrt(x)")
TANH = _Op("tanh", _tanh, ("sech2(x)",), shown=("1 - out**2",), value="tanh(x)")
# tanh's derivative, as an op of its own (so that it can be differentiated again)
SECH2 = _Op("sech2", _sech2_rule, ("-2.0 * tanh(x) * out",), value="sech2(x)")
SIGMOID = _Op("sigmoid", _sigmoid_rule, ("out * (1.0 - out)",), value="sigmoid(x)")
RELU = _Op("relu", _relu, ("STRONG_ZERO if x <= 0.0 else 1.0",), value="0.0 if x <= 0.0 else x")
LEAKY_RELU = _Op("leaky_relu", _leaky_relu, ("1.0 if x > 0.0 else c",), value="leaky_relu(x, c)")
# elu'(0) = alpha as a constant: its own derivative there is 0, as PyTorch's elu'' at 0.
ELU = _Op(
    "elu",
    _elu,
    ("c * exp(x) if x < 0.0 else c if x == 0.0 else 1.0",),
    ("c * exp(x) if x <= 0.0 else 1.0",),
    value="elu(x, c)",
)
SOFTPLUS = _Op("softplus", _softplus, ("sigmoid(x)",), value="softplus(x)")
SIN = _Op("sin", _sin_rule, ("cos(x)",), value="sin(x)")
COS = _Op("cos", _cos_rule, ("-sin(x)",), value="cos(x)")
SUM = _Op("sum", _sum_rule)
DOT = _Op("dot", _dot_rule)
MAX = _Op("max", _max_rule)

_BUILTIN_NAMES = {op: name for name, op in list(globals().items()) if isinstance(op, _Op)}
BUILTIN_OPS: tuple[_Op, ...] = tuple(_BUILTIN_NAMES)


# ---------------------------------------------------------------------------
# Modes: no_grad and detect_anomaly are thread-local. The hot path reads one
# module global, `_modes_in_use`, and consults the thread-local state only
# while some thread is inside one of the context managers.


class _ThreadModes(threading.local):
    grad_enabled = True
    anomaly = False
    building_gradient = False  # inside a create_graph backward: new nodes are marked as its own


_modes = _ThreadModes()
_modes_in_use = 0
_modes_lock = threading.Lock()


@contextmanager
def _mode(name: str, setting: bool) -> Iterator[None]:
    global _modes_in_use
    previous = getattr(_modes, name)
    setattr(_modes, name, setting)
    with _modes_lock:
        _modes_in_use += 1
    try:
        yield
    finally:
        setattr(_modes, name, previous)
        with _modes_lock:
            _modes_in_use -= 1


class no_grad:
    """Record no graph inside this block: ops make leaves (thread-local, nestable).

    Also a decorator, like PyTorch's ``torch.no_grad``, with or without parentheses;
    on a generator function it covers the generator's body only, not the caller's code
    between two ``next()`` calls.

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (4.0, ())
    >>> @no_grad
    ... def square(v):
    ...     return v * v
    >>> square(x).parents
    ()
    """

    _entered: list[contextlib.AbstractContextManager[None]]  # one instance may nest

    def __new__(cls, function: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        self._entered = []
        if function is None:
            return self
        if not callable(function):
            raise TypeError(f"no_grad takes a function to decorate or nothing, got {function!r}")
        return self(function)

    def __enter__(self) -> None:
        entered = _mode("grad_enabled", False)
        entered.__enter__()
        self._entered.append(entered)

    def __exit__(self, *exc_info: object) -> None:
        self._entered.pop().__exit__(None, None, None)

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def generator(*args: Any, **kwargs: Any) -> Any:
                return (yield from _each_step_without_grad(function(*args, **kwargs)))

            return generator

        @functools.wraps(function)
        def plain(*args: Any, **kwargs: Any) -> Any:
            with _mode("grad_enabled", False):
                return function(*args, **kwargs)

        return plain


def _each_step_without_grad(steps: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Run `steps` with no graph recorded while its body runs, and only then."""
    send: Callable[[], Any] = functools.partial(steps.send, None)
    while True:
        try:
            with _mode("grad_enabled", False):
                yielded = send()
        except StopIteration as stop:
            return stop.value
        try:
            received = yield yielded
        except GeneratorExit:
            with _mode("grad_enabled", False):
                steps.close()
            raise
        except BaseException as error:  # thrown in by the caller: the body handles it
            send = functools.partial(steps.throw, error)
        else:
            send = functools.partial(steps.send, received)


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """Raise `FloatingPointError` at the first op that makes a nan or inf.

    Checks every op's output in the forward pass and every gradient it sends in
    `Value.backward`, naming the op, its input values and the labels involved
    (thread-local, nestable, like PyTorch's ``torch.autograd.detect_anomaly``).

    >>> x = Value(0.0, label="x")
    >>> with detect_anomaly():
    ...     x.log()
    Traceback (most recent call last):
    ...
    FloatingPointError: log produced -inf from input x=0.0
    """
    return _mode("anomaly", True)


def _describe_inputs(values: Sequence[Value]) -> str:
    return ", ".join(f"{v.label or '?'}={v.data!r}" for v in values)


def _apply_modes(out: Value) -> None:
    if _modes.anomaly and not math.isfinite(out.data):
        inputs = _describe_inputs(out.parents)
        plural = "s" if len(out.parents) != 1 else ""
        raise FloatingPointError(f"{out.op} produced {out.data!r} from input{plural} {inputs}")
    if not _modes.grad_enabled:
        out._parents = out._local_grads = ()
        out._op = out._constant = None
    if _modes.building_gradient:
        out._grad_value = MADE_BY_BACKWARD


MADE_BY_BACKWARD: Any = object()  # in `_grad_value`: a node a create_graph backward made (see Value)
# Set by the first create_graph backward; until then an ordinary backward has no grad_value to reset.
_grad_values_made = False


def made_by_backward(node: Value) -> bool:
    """Whether `node` was made by a ``create_graph`` backward pass (a node of a gradient's graph).

    >>> x = Value(0.5, label="x")
    >>> y = x.tanh()
    >>> y.backward(create_graph=True)
    >>> made_by_backward(y), made_by_backward(x.grad_value)
    (False, True)
    """
    return getattr(node, "_grad_value", None) is MADE_BY_BACKWARD


# ---------------------------------------------------------------------------
# Value


class Value:
    """One float in a computation graph, with its gradient.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-4.0, -2.0, 2.0)
    >>> c.op, c.parents[0].op, c.parents[0].local_grads
    ('+', '*', (-3.0, 2.0))
    """

    # A node with one parent (most nodes) keeps that parent and its local derivative
    # bare in `_parents` and `_local_grads`; other nodes keep tuples. Two 1-tuples per
    # node would double the objects the cyclic garbage collector tracks, and tracking
    # them was two thirds of the time spent building a long chain. `parents` and
    # `local_grads` always give tuples.
    #
    # `_grad_value` is never set by `_node`, so it costs ordinary nodes no time: it is read
    # with a default. A create_graph backward sets it on each leaf (the graph of its
    # gradient) and, to `MADE_BY_BACKWARD`, on each node it makes, so drawings can tell them.
    # `_calls` is the same kind of slot: nn module calls set it on the Values they return.
    __slots__ = (
        "data",
        "grad",
        "label",
        "_parents",
        "_local_grads",
        "_op",
        "_constant",
        "_grad_value",
        "_calls",
    )

    data: float
    grad: float
    label: str
    _parents: Value | tuple[Value, ...]
    _local_grads: float | tuple[float, ...]
    _op: _Op | None
    _constant: Any
    _calls: list[Any]  # the record of the nn module calls that returned it (autograd.groups); unset if none

    def __init__(self, data: float, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r}")
        self.data = as_real(data, "Value holds a real number")
        self.grad = 0.0
        self.label = label
        self._parents = ()
        self._local_grads = ()
        self._op = None
        self._constant = None

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in order, repeats kept (``()`` for a leaf)."""
        parents = self._parents
        return parents if type(parents) is tuple else (parents,)  # type: ignore[return-value]

    @parents.setter
    def parents(self, parents: Sequence[Value]) -> None:
        self._parents = parents[0] if len(parents) == 1 else tuple(parents)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(this node)/d(parent) for each parent, in the order of `parents`."""
        grads = self._local_grads
        return grads if type(grads) is tuple else (grads,)  # type: ignore[return-value]

    @local_grads.setter
    def local_grads(self, grads: Sequence[float]) -> None:
        self._local_grads = grads[0] if len(grads) == 1 else tuple(grads)

    @property
    def grad_value(self) -> Value | None:
        """The gradient as a graph of Values, after ``backward(create_graph=True)`` (a leaf's only).

        None on a new leaf; each create_graph backward adds to it, as ``.grad`` accumulates;
        an ordinary ``backward()`` that reaches the leaf, and ``zero_grad()``, set it back to None.

        >>> x = Value(3.0, label="x")
        >>> (x * x * x).backward(create_graph=True)
        >>> x.grad, x.grad_value.data
        (27.0, 27.0)
        """
        graph = getattr(self, "_grad_value", None)
        return None if graph is MADE_BY_BACKWARD else graph

    @grad_value.setter
    def grad_value(self, graph: Value | None) -> None:
        if graph is not None and not isinstance(graph, Value):
            raise TypeError(f"grad_value must be a Value or None, got {type(graph).__name__}: {graph!r}")
        if self._parents:
            if graph is None:  # nothing to reset (zero_grad may reach any parameter)
                return
            raise ValueError(f"only a leaf has a grad_value; {self!r} was made by {self.op}")
        self._grad_value = graph

    @property
    def op(self) -> str:
        """The op that made this node: ``""`` for a leaf, else e.g. ``"+"``, ``"*3"``, ``"tanh"``."""
        return "" if self._op is None else self._op.describe(self._constant)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # Arithmetic. A plain-number operand is folded into the op as a constant.

    def __add__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(ADD, (self, other), _add(self.data, other.data))
        c = _operand(other)
        return NotImplemented if c is None else _node(ADD_CONST, (self,), _add_const(self.data, c), c)

    __radd__ = __add__

    def __sub__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(SUB, (self, other), _sub(self.data, other.data))
        c = _operand(other)
        return NotImplemented if c is None else _node(SUB_CONST, (self,), _sub_const(self.data, c), c)

    def __rsub__(self, other: Number) -> Value:
        c = _operand(other)
        return NotImplemented if c is None else _node(CONST_SUB, (self,), _const_sub(self.data, c), c)

    def __mul__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(MUL, (self, other), _mul(self.data, other.data))
        c = _operand(other)
        return NotImplemented if c is None else _node(MUL_CONST, (self,), _mul_const(self.data, c), c)

    __rmul__ = __mul__

    def __truediv__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(DIV, (self, other), _truediv(self.data, other.data))
        c = _operand(other)
        return NotImplemented if c is None else _node(DIV_CONST, (self,), _div_const(self.data, c), c)

    def __rtruediv__(self, other: Number) -> Value:
        c = _operand(other)
        return NotImplemented if c is None else _node(CONST_DIV, (self,), _const_div(self.data, c), c)

    def __pow__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(POW, (self, other), _power(self.data, other.data))
        c = _operand(other)
        return NotImplemented if c is None else _node(POW_CONST, (self,), _pow_const(self.data, c), c)

    def __rpow__(self, other: Number) -> Value:
        c = _operand(other)
        return NotImplemented if c is None else _node(CONST_POW, (self,), _const_pow(self.data, c), c)

    def __neg__(self) -> Value:
        return _node(NEG, (self,), _neg(self.data))

    def __abs__(self) -> Value:
        return _node(ABS, (self,), _abs(self.data))

    # Functions.

    def abs(self) -> Value:
        """|x|, with abs'(0) = 0 (PyTorch's choice)."""
        return _node(ABS, (self,), _abs(self.data))

    def exp(self) -> Value:
        """e**x; ``exp(710)`` is inf."""
        return _node(EXP, (self,), _exp_rule(self.data))

    def log(self) -> Value:
        """Natural log; ``log(0)`` is -inf (gradient inf), ``log(-1)`` is nan."""
        return _node(LOG, (self,), _log_rule(self.data))

    def sqrt(self) -> Value:
        """Square root; ``sqrt(-1)`` is nan, sqrt'(0) is inf."""
        return _node(SQRT, (self,), _sqrt_rule(self.data))

    def tanh(self) -> Value:
        """Hyperbolic tangent, with derivative 1 - tanh(x)**2."""
        return _node(TANH, (self,), _tanh(self.data))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), stable for any x, with derivative s(1 - s)."""
        return _node(SIGMOID, (self,), _sigmoid_rule(self.data))

    def relu(self) -> Value:
        """max(x, 0), with relu'(0) = 0."""
        return _node(RELU, (self,), _relu(self.data))

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else negative_slope * x; the derivative at 0 is negative_slope."""
        slope = as_real(negative_slope, "negative_slope must be a real number")
        return _node(LEAKY_RELU, (self,), _leaky_relu(self.data, slope), slope)

    def elu(self, alpha: float = 1.0) -> Value:
        """x for x > 0, else alpha * (e**x - 1); the derivative at 0 is alpha."""
        a = as_real(alpha, "alpha must be a real number")
        return _node(ELU, (self,), _elu(self.data, a), a)

    def softplus(self) -> Value:
        """log(1 + e**x), computed exactly for any x; its derivative is sigmoid(x)."""
        return _node(SOFTPLUS, (self,), _softplus(self.data))

    def sin(self) -> Value:
        """Sine."""
        return _node(SIN, (self,), _sin_rule(self.data))

    def cos(self) -> Value:
        """Cosine."""
        return _node(COS, (self,), _cos_rule(self.data))

    # Conversions.

    def item(self) -> float:
        """The value as a Python float (PyTorch's name)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def detach(self) -> Value:
        """A new leaf holding the same data, cut off from this graph.

        >>> y = Value(3.0) * 2
        >>> y.detach().parents, y.detach().data
        ((), 6.0)
        """
        return Value(self.data)

    # Backpropagation.

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Apply the chain rule from this node back to every node it depends on.

        Leaves accumulate: each call adds to their ``.grad`` (call it twice and a
        leaf's gradient doubles, as in PyTorch). Every interior node's ``.grad`` is
        reset by each call, so afterwards it holds d(self)/d(node) times ``grad``.
        With ``create_graph=True`` each leaf's gradient is also built as a graph of
        Values and added to ``leaf.grad_value`` (see `autograd.higher`); ``.grad`` stays a float.

        >>> x = Value(3.0)
        >>> y = x * x * x
        >>> y.backward(); x.grad
        27.0
        >>> y.backward(); x.grad
        54.0
        """
        seed = as_real(grad, "backward(grad=...) takes a real number")
        if create_graph:
            _backward_with_graph(self, seed, create_graph)
            return
        # One backward at a time: two threads walking one graph would zero and add to the
        # same .grad fields at once. Each call then sees the graph as a single thread would.
        with _backward_lock:
            if _grad_values_made:  # only then can a leaf here hold a grad_value to reset
                _forget_grad_values(self)
            order = _walk(self, for_backward=True)  # interior nodes only, their grads zeroed
            self.grad += seed
            if _modes_in_use and _modes.anomaly:
                _backpropagate_checked(order, seed)
            else:
                _backpropagate(order)

    # Copying and pickling: iterative, so a graph of any depth works.

    def __copy__(self) -> Value:
        twin = _new(Value)
        for slot in _VALUE_SLOTS:
            if hasattr(self, slot):  # `_grad_value` is often unset
                setattr(twin, slot, getattr(self, slot))
        return twin

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        for node in _walk(self, for_backward=False):  # parents first, so each finds its copies in memo
            if id(node) not in memo:
                twin = node.__copy__()
                twin.parents = [memo[id(parent)] for parent in node.parents]
                memo[id(node)] = twin
        copied: Value = memo[id(self)]
        return copied

    def __reduce__(self) -> tuple[Any, ...]:
        if not self._parents:  # a leaf pickles as itself, so that leaves stay shared
            return _leaf, (self.data, self.grad, self.label)
        order = _walk(self, for_backward=False)
        index = {node: i for i, node in enumerate(order)}
        leaves = [node for node in order if not node._parents]
        interior = [
            (node.data, node.grad, node.label, node._op, node._constant,
             tuple(index[p] for p in node.parents), node.local_grads)
            for node in order if node._parents
        ]  # fmt: skip
        return _rebuild, ([index[leaf] for leaf in leaves], leaves, interior)


_backward_lock = threading.RLock()
_VALUE_SLOTS = tuple(slot for slot in Value.__slots__ if slot != "_calls")  # module calls are not copied


def _backward_with_graph(root: Value, seed: float, create_graph: object) -> None:
    global _grad_values_made
    if create_graph is not True:
        raise TypeError(f"create_graph must be True or False, got {create_graph!r}")
    from autograd import higher  # the create_graph path lives apart: the float path stays as it was

    with _backward_lock:
        _grad_values_made = True
        higher.backward_with_graph(root, seed)


def _forget_grad_values(root: Value) -> None:
    """An ordinary backward's reset: every leaf `root` depends on loses its grad_value."""
    for node in _walk(root, for_backward=False):
        if not node._parents and getattr(node, "_grad_value", None) is not MADE_BY_BACKWARD:
            node._grad_value = None


def _leaf(data: float, grad: float, label: str) -> Value:
    leaf = Value(data, label)
    leaf.grad = grad
    return leaf


def _rebuild(leaf_places: list[int], leaves: list[Value], interior: list[tuple[Any, ...]]) -> Value:
    """The graph `Value.__reduce__` flattened, rebuilt in its order; returns its root."""
    nodes: list[Value | None] = [None] * (len(leaves) + len(interior))
    for place, leaf in zip(leaf_places, leaves):
        nodes[place] = leaf
    rest = iter(interior)
    for place, node in enumerate(nodes):
        if node is None:
            data, grad, label, op_, constant, parent_places, local_grads = next(rest)
            parents = tuple(cast(Value, nodes[i]) for i in parent_places)
            node = _node(op_, parents, (data, local_grads), constant)
            node.grad, node.label = grad, label
            nodes[place] = node
    return cast(Value, nodes[-1])


def _backpropagate(order: list[Value]) -> None:
    for node in reversed(order):
        parents = node._parents
        g = node.grad
        # Unary and binary ops are nearly every node: unrolled, they skip the zip.
        if type(parents) is not tuple:  # one parent, kept bare
            parents.grad += node._local_grads * g  # type: ignore[operator, union-attr]
        elif len(parents) == 2:
            a, b = parents
            da, db = node._local_grads  # type: ignore[misc]
            a.grad += da * g
            b.grad += db * g  # for x * x (a is b) this adds to the updated grad, as it must
        else:
            for parent, local in zip(parents, node._local_grads):  # type: ignore[arg-type]
                parent.grad += local * g


def _backpropagate_checked(order: list[Value], seed: float) -> None:
    if not math.isfinite(seed):
        raise FloatingPointError(f"backward() was given grad={seed!r}")
    for node in reversed(order):
        g = node.grad
        for i, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            parent.grad += local * g
            if not math.isfinite(parent.grad):
                raise FloatingPointError(
                    f"backward through {node.op} (inputs {_describe_inputs(node.parents)}) "
                    f"made gradient {parent.grad!r} for input {i} "
                    f"({parent.label or '?'}): local derivative {local!r} x upstream gradient {g!r}"
                )


_new = object.__new__


def _node(
    op: _Op, parents: tuple[Value, ...], result: tuple[float, tuple[float, ...]], constant: Any = None
) -> Value:
    """Make the node `op` computed from `parents`: every op, built-in or user-defined, comes here."""
    out = _new(Value)
    out.data, grads = result
    out.grad = 0.0
    out.label = ""
    if len(parents) == 1:  # kept bare: see Value
        out._parents = parents[0]
        out._local_grads = grads[0]
    else:
        out._parents = parents
        out._local_grads = grads
    out._op = op
    out._constant = constant
    if _modes_in_use:
        _apply_modes(out)
    return out


def as_real(x: object, what: str) -> float:
    """`x` as a float if it is a real number (int, float, numpy scalar), else a TypeError.

    `what` starts the error message; `nn` and the checkers use this too, so every
    number a user passes is checked alike.

    >>> as_real(3, "lr must be a real number")
    3.0
    >>> as_real("3", "lr must be a real number")
    Traceback (most recent call last):
    ...
    TypeError: lr must be a real number, got str: '3'
    """
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what}, got {type(x).__name__}: {x!r}")
    try:
        return float(x)
    except OverflowError:
        raise ValueError(f"{what} that fits in a float, got {x!r}") from None


def _operand(x: object) -> float | None:
    """A plain-number operand as a float, or None for an operand we do not handle."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return as_real(x, "operand")


# ---------------------------------------------------------------------------
# Graph order, recomputation, n-ary ops and user-defined ops.

_EXPANDED = object()  # stack marker: the node beneath it has all its parents placed
_parents_of = operator.attrgetter("_parents")  # as a filter: true for interior nodes only


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, parents before children, `root` last.

    Iterative (no recursion), so any depth works; deterministic for the same graph.

    >>> a = Value(1.0, label="a")
    >>> b = a * 2
    >>> [v.label or v.op for v in topological_order(b + a)]
    ['a', '*2', '+']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order takes a Value, got {type(root).__name__}: {root!r}")
    return _walk(root, for_backward=False)


def _walk(root: Value, for_backward: bool) -> list[Value]:
    """The topological order: depth first, parents in order, a node placed after its parents.

    `for_backward` leaves the leaves out and zeroes each interior node's grad as it
    is placed: all that `backward` needs, in one pass over the graph.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    push, pop, place, mark = stack.append, stack.pop, order.append, seen.add
    while stack:
        node = pop()
        if node is _EXPANDED:
            node = pop()
            if for_backward:
                node.grad = 0.0
            place(node)
        elif node._parents:
            if node not in seen:  # a node pushed twice is expanded once
                mark(node)
                push(node)
                push(_EXPANDED)
                # Pushed last to first, so that the first parent is placed first;
                # unary and binary nodes (nearly all) are unrolled.
                parents = node._parents
                if type(parents) is not tuple:  # one parent, kept bare
                    push(parents)
                elif len(parents) == 2:
                    push(parents[1])
                    push(parents[0])
                elif for_backward:  # n-ary (sum, dot): their many leaves are not even pushed
                    stack.extend(filter(_parents_of, reversed(parents)))
                else:
                    stack.extend(reversed(parents))
        elif not for_backward and node not in seen:  # a leaf (backward needs none: no set lookups)
            mark(node)
            place(node)
    return order


def recompute(node: Value, parent_data: Sequence[float] | None = None) -> float:
    """The value `node`'s op gives for `parent_data` (default: its parents' current data).

    >>> x = Value(2.0)
    >>> recompute(x * 3, [5.0])
    15.0
    """
    if node._op is None:
        raise ValueError(f"{node!r} is a leaf: it has no op to recompute")
    data = [p.data for p in node.parents] if parent_data is None else list(parent_data)
    if len(data) != len(node.parents):
        raise ValueError(f"{node.op} takes {len(node.parents)} parent values, got {len(data)}")
    args = data if node._constant is None else [*data, node._constant]
    return float(node._op.rule(*args)[0])


def _as_value(x: Operand) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _as_values(xs: Iterable[Operand]) -> tuple[Value, ...]:
    values = tuple(xs)
    if set(map(type, values)) <= {Value}:  # all Values already: checked at C speed
        return cast("tuple[Value, ...]", values)
    return tuple(map(_as_value, values))


_data = operator.attrgetter("data")


def sum(values: Iterable[Operand]) -> Value:
    """The sum of many values as one node (n parents, each local derivative 1).

    Plain numbers become constant leaves. The sum of nothing is the float 0.0: there is
    no node to make and nothing to differentiate.

    >>> s = sum([Value(1.0), Value(2.0), 3])
    >>> s.data, s.op, s.local_grads
    (6.0, 'sum', (1.0, 1.0, 1.0))
    """
    parents = _as_values(values)
    if not parents:
        return 0.0  # type: ignore[return-value]  # the empty sum, as PyTorch's is 0; nothing to differentiate
    return _node(SUM, parents, _sum_rule(*map(_data, parents)))


def dot(xs: Sequence[Operand], ys: Sequence[Operand]) -> Value:
    """The dot product sum(x * y) as one node with parents ``xs + ys``.

    Its local derivatives are ``ys + xs``. Plain numbers become constant leaves.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> d = dot(w, [3.0, 4.0])
    >>> d.data, d.local_grads
    (2.0, (3.0, 4.0, 2.0, -1.0))
    """
    if len(xs) != len(ys):
        raise ValueError(f"dot needs two lists of the same length, got {len(xs)} and {len(ys)}")
    if not xs:
        return 0.0  # type: ignore[return-value]  # the empty sum, as in `sum`
    parents = _as_values((*xs, *ys))
    return _node(DOT, parents, _dot_rule(*map(_data, parents)))


def max(values: Iterable[Operand]) -> Value:
    """The largest of `values` as one node, as ``torch.max`` of a whole tensor.

    A nan is the largest (the result is nan). The gradient is split evenly between the
    inputs equal to the maximum (ties: 1/k each); every other input gets exactly 0,
    whatever the upstream gradient. Plain numbers become constant leaves.

    >>> m = max([Value(1.0), Value(3.0), Value(3.0)])
    >>> m.data, m.local_grads
    (3.0, (0.0, 0.5, 0.5))
    """
    parents = _as_values(values)
    if not parents:
        raise ValueError("max() of an empty sequence: give at least one value")
    return _node(MAX, parents, _max_rule(*map(_data, parents)))


def op(
    name: str, derivative: Callable[..., Sequence[Value | float]] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Value]]:
    """Turn a function of floats returning ``(value, local_derivatives)`` into an op on Values.

    The op's node has the function's arguments as parents (plain numbers become
    constant leaves) and its local derivatives as ``local_grads``. Such float rules
    cannot be differentiated twice; ``derivative(*inputs, output)``, given, returns the
    local derivatives built with Values from the op's input Values and output Value
    (their ``.data`` equal to the float rule's: `autograd.check_op` checks it), and then
    ``create_graph`` and higher-order gradients work through the op.

    >>> @op("cube", derivative=lambda x, out: (3 * x**2,))
    ... def cube(x):
    ...     return x**3, (3 * x**2,)
    >>> y = cube(Value(2.0))
    >>> y.data, y.op, y.local_grads
    (8.0, 'cube', (12.0,))
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"op needs a non-empty name, got {name!r}")
    if derivative is not None and not callable(derivative):
        raise TypeError(
            f"op {name!r}: derivative must be a function (inputs..., output) -> local derivatives "
            f"as Values, got {type(derivative).__name__}: {derivative!r}"
        )

    def decorate(function: Callable[..., Any]) -> Callable[..., Value]:
        signature = inspect.signature(function)
        keyword_only = [
            p.name for p in signature.parameters.values() if p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD)
        ]
        if keyword_only:  # every input must be a positional float to have a local derivative
            raise TypeError(
                f"op {name!r}: every argument must be positional (an input of the op), "
                f"but {function.__name__} has keyword-only {keyword_only}"
            )
        user_op = _Op(name, _checked_rule(name, function), derivative=derivative)

        @functools.wraps(function)
        def apply(*args: Operand, **kwargs: Operand) -> Value:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as error:
                raise TypeError(f"op {name!r}: {error}") from None
            bound.apply_defaults()  # a defaulted argument is an input too (a constant leaf)
            parents = _as_values(bound.args)
            return _node(user_op, parents, user_op.rule(*map(_data, parents)))

        return apply

    return decorate


def _checked_rule(name: str, function: Callable[..., Any]) -> Rule:
    """Wrap a user's rule so what it returns is checked and made floats."""

    def rule(*xs: float) -> tuple[float, tuple[float, ...]]:
        result = function(*xs)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"op {name!r} must return (value, local_derivatives), got {result!r}")
        value, grads = result
        if not isinstance(grads, (tuple, list)):
            raise TypeError(f"op {name!r} must return its local derivatives as a tuple, got {grads!r}")
        if len(grads) != len(xs):
            raise ValueError(
                f"op {name!r} takes {len(xs)} input(s) but returned "
                f"{len(grads)} local derivative(s): {tuple(grads)!r}"
            )
        value = as_real(value, f"op {name!r} must return a real number as its value")
        not_real = f"op {name!r} must return real numbers as local derivatives"
        return value, tuple(as_real(g, not_real) for g in grads)

    return rule
