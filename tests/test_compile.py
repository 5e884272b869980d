"""autograd.compile: the source it writes, and the same numbers as backward(), bit for bit.

The reference for every number is the engine itself run the usual way (build the graph,
call backward): the compiled function must give exactly those bytes. The engine's own
numbers are checked against PyTorch elsewhere (test_engine_edges, test_numerics).
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, derivatives
from autograd.compile import Compiled

EDGES = [
    0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, math.inf, -math.inf, math.nan,
    709.0, 710.0, -709.0, -710.0, 1e-308, -1e-308, 5e-324, 1e308, -1e308, 20.0, 1e-16,
]  # fmt: skip


# Each edge with its two neighbouring floats: the values around every edge (keyed by their
# bytes, so that 0.0 and -0.0 both stay). exp overflows just past 709.782712893384.
AROUND = list(
    {
        struct.pack("<d", v): v
        for e in [*EDGES, 709.782712893384]
        for v in ([e, math.nextafter(e, -math.inf), math.nextafter(e, math.inf)] if math.isfinite(e) else [e])
    }.values()
)


def same(x: float, y: float) -> bool:
    """The same bytes, the sign of zero included; any nan matches any nan."""
    if x != x and y != y:
        return True
    return struct.pack("<d", x) == struct.pack("<d", y)


def engine_result(fn: Callable[..., Value], args: Sequence[Any]) -> tuple[float, list[Any]]:
    """Build the graph at `args` with fresh leaves and call backward: the reference."""
    leaves = [[Value(v) for v in a] if isinstance(a, list) else Value(a) for a in args]
    root = fn(*leaves)
    root.backward()
    grads = [[v.grad for v in leaf] if isinstance(leaf, list) else leaf.grad for leaf in leaves]
    return root.data, grads


def assert_same(compiled: Compiled, fn: Callable[..., Value], args: Sequence[Any]) -> None:
    value, grads = engine_result(fn, args)
    got_value, got_grads = compiled.grad(*args)
    assert same(got_value, value), (args, got_value, value, compiled.source)
    assert same(compiled(*args), value), (args, compiled.source)
    flat_expected = [g for item in grads for g in (item if isinstance(item, list) else [item])]
    flat_got = [g for item in got_grads for g in (item if isinstance(item, list) else [item])]
    assert len(flat_got) == len(flat_expected)
    for got, expected in zip(flat_got, flat_expected):
        assert same(got, expected), (args, got_grads, grads, compiled.source)


# ---------------------------------------------------------------------------
# The source reads as the issue shows it.


def tanh_neuron(x: Value, w: Value, b: Value) -> Value:
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def test_source_of_the_tanh_neuron_names_nodes_and_rules() -> None:
    f = autograd.compile(tanh_neuron)
    f.trace(2.0, -3.0, 6.8813735870195432)
    lines = [line.split("#", 1)[0].strip() for line in f.source.splitlines()]
    assert lines[0] == "def tanh_neuron(x, w, b):"
    assert lines[2:5] == ["n2 = x * w", "n = n2 + b", "o = tanh(n)"]
    assert lines[6:12] == [
        "g_o = 1.0",
        "g_n = g_o * sech2(n)",
        "g_n2 = g_n",
        "g_b = g_n",
        "g_x = g_n2 * w",
        "g_w = g_n2 * x",
    ]
    comments = [line.split("  # ", 1)[1] for line in f.source.splitlines() if "  # " in line]
    assert "#2  x * w" in comments
    assert "n  #2 + b" in comments
    assert "d tanh(n)/dn = sech2(n) = 1 - o ** 2" in comments
    assert "d(#2 + b)/d#2 = 1" in comments
    assert "d(x * w)/dw = x" in comments


def test_tanh_neuron_matches_the_readme_numbers() -> None:
    f = autograd.compile(tanh_neuron)
    value, grads = f.grad(2.0, -3.0, 6.8813735870195432)
    assert round(value, 4) == 0.7071
    assert [round(g, 4) for g in grads] == [-1.5, 1.0, 0.5]


def test_a_fork_is_summed_with_plus_equals_and_says_why() -> None:
    f = autograd.compile(lambda x: x * x + x)
    f.trace(3.0)
    forks = [line for line in f.source.splitlines() if "g_x +=" in line]
    assert len(forks) == 2
    assert all("their gradients add" in line for line in forks)
    assert f.grad(3.0) == (12.0, (7.0,))  # d(x² + x)/dx = 2x + 1


def test_names_follow_labels_else_the_drawing_index() -> None:
    def fn(x: Value) -> Value:
        a = x * 2
        a.label = "tanh"  # a name the source uses: falls back to n<k>
        b = a + 1
        b.label = "for"  # a keyword
        c = b.exp()
        c.label = "two words"
        d = c.log()
        d.label = "line\nbreak"  # escaped in the comment, so it stays on one line
        return d

    f = autograd.compile(fn)
    f.trace(0.5)
    order = autograd.topological_order(f.graph(0.5))
    assert [v.label for v in order] == ["x", "tanh", "for", "two words", "line\nbreak"]
    code = [line.split("#", 1)[0].strip() for line in f.source.splitlines()]
    assert "n1 = x * 2.0" in code
    assert "n2 = n1 + 1.0" in code
    assert "n3 = exp(n2)" in code
    assert "n4 = log(n3)" in code
    assert any(line.endswith("# line\\nbreak  log(two words)") for line in f.source.splitlines())
    assert len(f.source.splitlines()) == f.source.count("\n")


def test_shared_labels_use_the_index_and_unlabelled_nodes_hash_k() -> None:
    def fn(x: Value) -> Value:
        a, b = x * 2, x * 3
        a.label = b.label = "h"
        return a + b

    f = autograd.compile(fn)
    f.trace(1.0)
    assert "n1 = x * 2.0" in f.source and "# h#1  x * 2" in f.source
    assert "n2 = x * 3.0" in f.source and "# h#2  x * 3" in f.source


def test_sum_and_dot_are_single_lines() -> None:
    f = autograd.compile(lambda w, x: autograd.sum([autograd.dot(w, x), w[0]]))
    f.trace([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert "n6 = sum(map(mul, (w_0, w_1, w_2), (x_0, x_1, x_2)))" in f.source
    assert "n7 = sum((n6, w_0))" in f.source
    assert f.grad([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == (33.0, ([5.0, 5.0, 6.0], [1.0, 2.0, 3.0]))


def test_source_of_an_mlp_grows_with_its_parameters() -> None:
    import random

    import nn

    model = nn.MLP(2, [16, 16, 1], rng=random.Random(0))
    params = model.parameters()
    f = autograd.compile(autograd.dot([model([Value(0.5), Value(-1.0)])], [1.0]), inputs=[params])
    assert f.source.count("\n") < 4 * len(params)


def test_user_op_calls_its_rule_by_name() -> None:
    @autograd.op("cube")
    def cube(x: float) -> tuple[float, tuple[float, ...]]:
        return x**3, (3 * x**2,)

    f = autograd.compile(lambda x: cube(x) + x)
    assert f.grad(2.0) == (10.0, (13.0,))
    assert "cube_rule(x)" in f.source
    assert_same(f, lambda x: cube(x) + x, [-1.5])


def test_two_user_ops_with_one_name_get_two_rule_names() -> None:
    import nn

    def fn(a: Value, b: Value) -> Value:
        return nn.cross_entropy([[a, b], [b, a]], [0, 1], reduction="sum")

    f = autograd.compile(fn)
    assert_same(f, fn, [0.5, -1.0])
    assert "cross_entropy_rule(" in f.source and "cross_entropy_rule_2(" in f.source


# ---------------------------------------------------------------------------
# The API


def test_list_arguments_and_their_gradients() -> None:
    f = autograd.compile(lambda w, b: autograd.dot(w, [1.0, 2.0]) + b)
    assert f.grad([3.0, 4.0], 1) == (12.0, ([1.0, 2.0], 1.0))
    assert f([3.0, 4.0], 1.0) == 12.0
    with pytest.raises(TypeError, match="argument 'w' must be a list of 2, got a list of 3"):
        f([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(TypeError, match="argument 'b' must be a number, got a list of 1"):
        f([1.0, 2.0], [1.0])


def test_bad_arguments_are_type_errors_naming_them() -> None:
    f = autograd.compile(lambda x, y: x * y)
    f(1.0, 2.0)
    with pytest.raises(TypeError, match="argument 'y' is a Value"):
        f(1.0, Value(2.0))
    with pytest.raises(TypeError, match="compiled for 2 arguments, got 3"):
        f(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="argument 'x' must be a real number, got str"):
        f.grad("1", 2.0)
    with pytest.raises(TypeError, match="argument 'x' must be a number, got a list of 1"):
        f([1.0], 2.0)


def test_source_before_tracing_says_what_to_do() -> None:
    f = autograd.compile(lambda x: x.exp())
    with pytest.raises(AttributeError, match=r"call it or \.trace"):
        _ = f.source
    assert f.trace(1.0) is f
    assert "exp(x)" in f.source


def test_an_argument_the_result_ignores_gets_zero() -> None:
    f = autograd.compile(lambda x, y: x * 3)
    assert f.grad(2.0, 5.0) == (6.0, (3.0, 0.0))
    g = autograd.compile(lambda x: Value(4.0))  # not connected to its argument at all
    assert g.grad(1.0) == (4.0, (0.0,))
    h = autograd.compile(lambda xs: autograd.sum(xs))
    assert h.grad([]) == (0.0, ([],))  # the empty sum is the number 0.0


def test_the_root_may_be_an_argument() -> None:
    f = autograd.compile(lambda x, y: y)
    assert f.grad(2.0, 5.0) == (5.0, (0.0, 1.0))


def test_a_branch_on_data_is_traced_once() -> None:
    def fn(x: Value) -> Value:
        return x * 2 if x.data > 0 else -x

    f = autograd.compile(fn)
    assert f.grad(1.0) == (2.0, (2.0,))
    assert f.grad(-1.0) == (-2.0, (2.0,))  # the branch taken at 1.0, as documented


def test_graph_is_the_traced_graph_with_the_source_names() -> None:
    f = autograd.compile(tanh_neuron)
    y = f.graph(2.0, -3.0, 1.0)
    assert y.label == "o" and [v.label for v in autograd.topological_order(y)][:2] == ["x", "w"]
    with pytest.raises(AttributeError):
        _ = f.source  # graph() does not compile


def test_compile_a_built_graph_bakes_other_leaves() -> None:
    w, b, x, k = Value(2.0, "w"), Value(1.0, "b"), Value(3.0, "x"), Value(10.0, "k")
    root = (w * x + b) * k
    f = autograd.compile(root, inputs=[w, b, x])
    k.data = 100.0  # baked into the source: changes nothing
    assert f.grad(2.0, 1.0, 3.0) == (70.0, (30.0, 10.0, 20.0))
    assert "k = 10.0" in f.source
    copy = f.graph(1.0, 2.0, 5.0)  # the graph at other inputs: a recomputed copy
    assert copy.data == (1.0 * 5.0 + 2.0) * 10.0 and root.data == 70.0
    copy.backward()
    assert [leaf.grad for leaf in autograd.topological_order(copy) if leaf.label in ("w", "x", "b")] == [
        50.0,
        10.0,
        10.0,
    ]
    unused = Value(0.0, "u")
    assert autograd.compile(root, inputs=[w, unused]).grad(2.0, 7.0)[1] == (300.0, 0.0)  # k is 100.0 by now


def test_compile_a_built_graph_checks_its_inputs() -> None:
    w = Value(2.0, "w")
    root = w * w
    with pytest.raises(ValueError, match="distinct leaves"):
        autograd.compile(root, inputs=[w, w])
    with pytest.raises(ValueError, match="must be a leaf"):
        autograd.compile(root, inputs=[root])
    with pytest.raises(TypeError, match="needs the leaves"):
        autograd.compile(root)
    with pytest.raises(TypeError, match="a function returning a Value"):
        autograd.compile(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must return a Value"):
        autograd.compile(lambda x: "no")(1.0)


def test_substitute_leaves_the_cached_table_entry_alone() -> None:
    # substitute() once renamed the cached tree in place: the next reader saw the new names.
    x, y = Value(3.0), Value(4.0)
    assert derivatives.substitute("b * a", {"a": "p", "b": "q"}) == "q * p"
    assert derivatives.local_grads(x.log() * y) == (4.0, math.log(3.0))
    assert derivatives.substitute("b * a", {"a": "u", "b": "v"}) == "v * u"


# ---------------------------------------------------------------------------
# Bit for bit: every op, the README's table, random expressions.

UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda v: -v,
    "abs": abs,
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sech2": derivatives.sech2,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "leaky_relu": lambda v: v.leaky_relu(0.1),
    "elu": lambda v: v.elu(0.7),
    "softplus": Value.softplus,
    "sin": Value.sin,
    "cos": Value.cos,
}
BINARY: dict[str, Callable[[Any, Any], Value]] = {
    "+": lambda p, q: p + q,
    "-": lambda p, q: p - q,
    "*": lambda p, q: p * q,
    "/": lambda p, q: p / q,
    "**": lambda p, q: p**q,
}


@autograd.op("hypot")
def hypot(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    h = math.hypot(a, b)
    return h, (engine_div(a, h), engine_div(b, h))


def engine_div(p: float, q: float) -> float:
    from autograd.engine import _div

    return _div(p, q)


# A program: steps over a growing pool of values, the arguments first; each step picks its
# operands from the pool by index, so subexpressions are shared and reused.
edge = st.sampled_from(AROUND)
number = st.one_of(edge, st.floats(allow_nan=True, allow_infinity=True), st.floats(-4, 4))
step = st.one_of(
    st.tuples(st.just("unary"), st.sampled_from(sorted(UNARY)), st.integers(0, 99)),
    st.tuples(st.just("binary"), st.sampled_from(sorted(BINARY)), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("const right"), st.sampled_from(sorted(BINARY)), st.integers(0, 99), number),
    st.tuples(st.just("const left"), st.sampled_from(sorted(BINARY)), st.integers(0, 99), number),
    st.tuples(
        st.just("nary"),
        st.sampled_from(["sum", "dot", "max", "hypot"]),
        st.lists(st.integers(0, 99), min_size=1, max_size=6),
    ),
)  # fmt: skip


def run_program(program: list[tuple[Any, ...]], args: Sequence[Value]) -> Value:
    pool: list[Value] = list(args)

    def pick(i: int) -> Value:
        return pool[i % len(pool)]

    for kind, name, *rest in program:
        if kind == "unary":
            pool.append(UNARY[name](pick(rest[0])))
        elif kind == "binary":
            pool.append(BINARY[name](pick(rest[0]), pick(rest[1])))
        elif kind == "const right":
            pool.append(BINARY[name](pick(rest[0]), rest[1]))
        elif kind == "const left":
            pool.append(BINARY[name](rest[1], pick(rest[0])))
        else:
            picked = [pick(i) for i in rest[0]]
            if name == "sum":
                pool.append(autograd.sum(picked))
            elif name == "max":
                pool.append(autograd.max(picked))
            elif name == "hypot":
                pool.append(hypot(picked[0], picked[-1]))
            else:
                half = max(1, len(picked) // 2)
                pool.append(autograd.dot(picked[:half], (picked[half:] + picked)[:half]))
    return pool[-1] if len(pool) > len(args) else args[0] * 1.0


@settings(max_examples=2000)
@given(
    program=st.lists(step, min_size=1, max_size=8),
    arity=st.integers(1, 3),
    points=st.lists(st.lists(number, min_size=3, max_size=3), min_size=1, max_size=4),
)
def test_random_expressions_match_the_engine_bit_for_bit(
    program: list[tuple[Any, ...]], arity: int, points: list[list[float]]
) -> None:
    def fn(*args: Value) -> Value:
        return run_program(program, args)

    parameters = ", ".join(f"x{i}" for i in range(arity))
    f = autograd.compile(eval(f"lambda {parameters}: fn({parameters})", {"fn": fn}))
    for point in points:
        assert_same(f, fn, point[:arity])


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("x", AROUND)
def test_every_unary_op_at_every_edge(name: str, x: float) -> None:
    fn = UNARY[name]
    f = autograd.compile(fn)
    assert_same(f, fn, [x])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_every_binary_op_at_every_pair_of_edges(name: str) -> None:
    op = BINARY[name]

    def both(a: Value, b: Value) -> Value:
        return op(a, b)

    def twice(a: Value, b: Value) -> Value:
        return op(a, a) + op(b, b)  # one input on both sides

    compiled_both, compiled_twice = autograd.compile(both), autograd.compile(twice)
    for c in EDGES:
        right = functools.partial(lambda x, c: op(x, c), c=c)
        left = functools.partial(lambda x, c: op(c, x), c=c)
        compiled_right, compiled_left = autograd.compile(right), autograd.compile(left)
        for a in EDGES:
            assert_same(compiled_both, both, [a, c])
            assert_same(compiled_twice, twice, [a, c])
            assert_same(compiled_right, right, [a])
            assert_same(compiled_left, left, [a])


def test_max_ties_and_nans() -> None:
    def fn(a: Value, b: Value, c: Value) -> Value:
        return autograd.max([a, b, c, a]) * 3.0

    f = autograd.compile(fn)
    for point in [
        (1.0, 1.0, 0.0),
        (2.0, 1.0, 2.0),
        (math.nan, 1.0, math.nan),
        (-0.0, 0.0, -1.0),
        (math.inf, 1.0, math.inf),
    ]:
        assert_same(f, fn, point)


README_ROWS: list[tuple[str, Callable[..., Value], list[float]]] = [
    ("exp(710)", Value.exp, [710.0]),
    ("log(0)", Value.log, [0.0]),
    ("log(-1)", Value.log, [-1.0]),
    ("sqrt(-1)", Value.sqrt, [-1.0]),
    ("sqrt(x) at 0", Value.sqrt, [0.0]),
    ("1 / x at 0", lambda x: 1 / x, [0.0]),
    ("1 / x at -0.0", lambda x: 1 / x, [-0.0]),
    ("0 / 0", lambda x, y: x / y, [0.0, 0.0]),
    ("(-8) ** (1/3)", lambda x: x ** (1 / 3), [-8.0]),
    ("(-8) ** y", lambda x, y: x**y, [-8.0, 1 / 3]),
    ("0.0 ** -1", lambda x: x**-1, [0.0]),
    ("10.0 ** 400", lambda x: x**400, [10.0]),
    ("(-10) ** 401", lambda x: x**401, [-10.0]),
    ("10 ** x at 400", lambda x: 10.0**x, [400.0]),
    ("x ** 0 at 0", lambda x: x**0, [0.0]),
    ("x ** 0 at 2", lambda x: x**0, [2.0]),
    ("(-2) ** 3", lambda x: x**3, [-2.0]),
    ("a ** b at a = 0, b = 2", lambda a, b: a**b, [0.0, 2.0]),
    ("a ** b at a = 0, b = -1", lambda a, b: a**b, [0.0, -1.0]),
    ("a ** b at a = -2, b = 2", lambda a, b: a**b, [-2.0, 2.0]),
    ("a ** b at a = 3, b = 0.5", lambda a, b: a**b, [3.0, 0.5]),
    ("sigmoid(1000)", Value.sigmoid, [1000.0]),
    ("sigmoid(-1000)", Value.sigmoid, [-1000.0]),
    ("tanh(1000)", Value.tanh, [1000.0]),
    ("tanh(-1000)", Value.tanh, [-1000.0]),
    ("softplus(1000)", Value.softplus, [1000.0]),
    ("softplus(-1000)", Value.softplus, [-1000.0]),
    ("softplus(25)", Value.softplus, [25.0]),
    ("relu(x) at 0", Value.relu, [0.0]),
    ("sqrt(relu(x)) at -1", lambda x: x.relu().sqrt(), [-1.0]),
    ("sqrt(x ** 0 - 1) at 3", lambda x: (x**0 - 1).sqrt(), [3.0]),
    ("sqrt(x ** y - 1) at 3, 0", lambda x, y: (x**y - 1).sqrt(), [3.0, 0.0]),
    ("sqrt(x * 0) at 1", lambda x: (x * 0).sqrt(), [1.0]),
    (
        "sqrt(max) at non-max",
        lambda x, y: autograd.max([x, y]).sqrt() * 0 + autograd.max([x, y]),
        [-1.0, 0.0],
    ),
    ("abs(x) at 0", abs, [0.0]),
    ("leaky_relu(x) at 0", Value.leaky_relu, [0.0]),
    ("elu(x) at 0", Value.elu, [0.0]),
    ("elu(nan)", Value.elu, [math.nan]),
    ("tanh(x) at 15", Value.tanh, [15.0]),
    ("tanh(x) at 25", Value.tanh, [25.0]),
    ("relu(nan)", Value.relu, [math.nan]),
    ("abs(nan)", abs, [math.nan]),
    ("sin(inf)", Value.sin, [math.inf]),
    ("cos(inf)", Value.cos, [math.inf]),
]


@pytest.mark.parametrize(("row", "fn", "args"), README_ROWS, ids=[row for row, _, _ in README_ROWS])
def test_every_row_of_the_readme_table(row: str, fn: Callable[..., Value], args: list[float]) -> None:
    f = autograd.compile(fn)
    assert_same(f, fn, args)
    assert_same(f, fn, [1.5] * len(args))  # and the fast path at an ordinary point


def test_the_fast_path_falls_back_only_for_the_call_that_raises() -> None:
    f = autograd.compile(lambda x: 1.0 / x + x.log())
    assert f.grad(2.0) == (0.5 + math.log(2.0), (-0.25 + 0.5,))
    value, (grad,) = f.grad(0.0)
    assert value != value and grad != grad  # inf + -inf; -inf + inf
    assert f.grad(4.0) == (0.25 + math.log(4.0), (-0.0625 + 0.25,))
    assert "div(" not in f.source  # the source shown is the plain one


# ---------------------------------------------------------------------------
# nn: compile_step and fit(compile=True) against the uncompiled loop, step by step.


def relative_error(got: float, expected: float) -> float:
    if got == expected:
        return 0.0
    return abs(got - expected) / max(abs(expected), 1e-300)


def moons_task(classes: str) -> tuple[list[list[float]], list[Any]]:
    import nn

    X, y = nn.data.make_moons(40, noise=0.1, seed=3)
    if classes == "pm1":
        return X, [2.0 * t - 1.0 for t in y]
    if classes == "three":
        return X, [int(t) + (1 if x[0] > 1.0 else 0) for x, t in zip(X, y)]
    if classes == "regression":
        return X, [x[0] * 0.5 - x[1] for x in X]
    if classes == "two outputs":
        return X, [[x[0], x[1] * x[0]] for x in X]
    return X, [float(t) for t in y]


def make_case(name: str) -> tuple[Any, Any, Any, Any, Any]:
    import random

    import nn

    rng = random.Random(7)
    cases: dict[str, tuple[Any, ...]] = {
        "hinge + l2": (nn.MLP(2, [8, 8, 1], rng=rng), "pm1", None),
        "mse": (nn.MLP(2, [6, 1], activation="tanh", rng=rng), "regression", None),
        "l1 + l1_penalty": (nn.MLP(2, [6, 1], activation="elu", rng=rng), "regression", None),
        "bce": (nn.MLP(2, [6, 1], output_activation="sigmoid", rng=rng), "01", None),
        "bce with logits": (nn.MLP(2, [6, 1], activation="leaky_relu", rng=rng), "01", None),
        "cross entropy": (nn.MLP(2, [6, 3], activation="softplus", rng=rng), "three", None),
        "mse, two outputs": (nn.MLP(2, [5, 2], activation="sigmoid", rng=rng), "two outputs", None),
    }
    model, task, _ = cases[name]
    params = model.parameters()
    losses: dict[str, Callable[..., Value]] = {
        "hinge + l2": lambda o, t: nn.hinge_loss(o, t) + 1e-4 * nn.l2_penalty(params),
        "mse": nn.mse_loss,
        "l1 + l1_penalty": lambda o, t: nn.l1_loss(o, t) + nn.l1_penalty(params) * 1e-3,
        "bce": nn.binary_cross_entropy,
        "bce with logits": nn.binary_cross_entropy_with_logits,
        "cross entropy": nn.cross_entropy,
        "mse, two outputs": nn.mse_loss,
    }
    X, y = moons_task(task)
    optimizer = (
        nn.Adam(params, lr=0.01) if name in ("mse", "cross entropy") else nn.SGD(params, lr=0.1, momentum=0.9)
    )
    return model, losses[name], optimizer, X, y


CASES = [
    "hinge + l2",
    "mse",
    "l1 + l1_penalty",
    "bce",
    "bce with logits",
    "cross entropy",
    "mse, two outputs",
]


@pytest.mark.parametrize("name", CASES)
def test_fit_compiled_gives_the_same_history_and_weights(name: str) -> None:
    import nn

    runs = []
    for compiled in (False, True):
        model, loss, optimizer, X, y = make_case(name)
        history = nn.fit(
            model, X, y, loss=loss, optimizer=optimizer, epochs=15, batch_size=16, seed=2,
            validation=(X[:10], y[:10]), progress=False, compile=compiled,
            accuracy=None if name == "mse, two outputs" or "mse" in name or "l1" in name else nn.accuracy,
        )  # fmt: skip
        runs.append((history, [p.data for p in model.parameters()]))
    (plain, plain_weights), (fast, fast_weights) = runs
    for field in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        expected, got = getattr(plain, field), getattr(fast, field)
        assert len(got) == len(expected) == (15 if "loss" in field or expected else 0)
        assert max((relative_error(g, e) for g, e in zip(got, expected)), default=0.0) <= 1e-12, field
    assert max(relative_error(g, e) for g, e in zip(fast_weights, plain_weights)) <= 1e-12
    assert plain_weights != make_case(name)[0].state_dict()  # it trained


def test_compile_step_sets_the_gradients_of_every_step() -> None:
    import random

    import nn

    model = nn.MLP(2, [5, 1], rng=random.Random(1))
    X, y = moons_task("pm1")
    step = nn.compile_step(model, nn.hinge_loss)
    for p in model.parameters():
        p.grad = 123.0  # set, not added to
    for batch in range(3):
        X_batch, y_batch = X[batch * 8 : batch * 8 + 8], y[batch * 8 : batch * 8 + 8]
        value = step(X_batch, y_batch)
        loss = nn.hinge_loss([model(x) for x in X_batch], y_batch)
        compiled = [p.grad for p in model.parameters()]
        model.zero_grad()
        loss.backward()
        assert value == loss.data  # the loss is built by the engine on the compiled outputs
        assert all(relative_error(c, p.grad) <= 1e-12 for c, p in zip(compiled, model.parameters()))
        assert step.outputs == [model(x).data for x in X_batch]
        for p in model.parameters():
            p.data -= 0.1 * p.grad


def test_compile_step_refuses_what_it_does_not_support() -> None:
    import random

    import nn

    model = nn.MLP(2, [3, 1], rng=random.Random(1))
    X, y = [[0.0, 1.0], [1.0, 0.0]], [1.0, -1.0]
    with pytest.raises(ValueError, match=r"<lambda> uses mse_loss\(reduction='sum'\)"):
        nn.compile_step(model, lambda o, t: nn.mse_loss(o, t, reduction="sum"))(X, y)
    with pytest.raises(ValueError, match="custom_loss uses the model's outputs or parameters outside them"):

        def custom_loss(o: list[Value], t: list[float]) -> Value:
            return autograd.sum([(oi - ti) ** 2 for oi, ti in zip(o, t)])

        nn.compile_step(model, custom_loss)(X, y)
    with pytest.raises(ValueError, match="outside them"):
        nn.compile_step(model, lambda o, t: nn.mse_loss(o, t) + model.parameters()[0] ** 2)(X, y)
    with pytest.raises(ValueError, match="Dropout in training mode"):

        class Dropped(nn.Module):
            def __init__(self) -> None:
                self.inner = nn.Layer(2, 1)
                self.drop = nn.Dropout(0.5)

            def forward(self, x: list[Any]) -> Value:
                return self.drop(self.inner(x))[0]

        nn.compile_step(Dropped(), nn.mse_loss)(X, y)
    with pytest.raises(ValueError, match="as many targets as inputs"):
        nn.compile_step(model, nn.mse_loss)(X, y[:1])
    step = nn.compile_step(model, nn.mse_loss)
    step(X, y)
    with pytest.raises(ValueError, match="sample 0 has 3 inputs, the model was compiled for 2"):
        step([[1.0, 2.0, 3.0]], [1.0])
    with pytest.raises(TypeError, match=r"an nn\.Module"):
        nn.compile_step("model", nn.mse_loss)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="compile must be True or False"):
        nn.fit(model, X, y, loss=nn.mse_loss, optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=1,
               progress=False, compile="yes")  # type: ignore[arg-type]  # fmt: skip


def test_binary_cross_entropy_clamp_follows_each_sample() -> None:
    # The loss runs on the engine every step, so its data-dependent clamp (at p = 1) is right.
    import nn

    model = nn.Neuron(1, activation="sigmoid", init="zeros")
    model.load_state_dict({"w.0": 40.0, "b": 0.0})  # sigmoid(40) rounds to 1.0: log(1 - p) clamps
    X, y = [[1.0], [-0.01]], [0.0, 1.0]
    step = nn.compile_step(model, nn.binary_cross_entropy)
    value = step(X, y)
    loss = nn.binary_cross_entropy([model(x) for x in X], y)
    model_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    loss.backward()
    assert value == loss.data
    assert model_grads == [p.grad for p in model.parameters()]


def test_every_forward_comment_names_its_node_as_the_views_do() -> None:
    from autograd.naming import node_names

    def fn(x: Value, y: Value) -> Value:
        a, b = x * y, x + y
        a.label = b.label = "h"  # shared: h#k
        c = (a * b).tanh()
        c.label = "out"
        return c + x.exp()

    f = autograd.compile(fn)
    f.trace(0.5, -1.5)
    order = autograd.topological_order(f.graph(0.5, -1.5))
    forward = [line for line in f.source.split("# backward")[0].splitlines()[2:] if "  # " in line]
    commented = [line.split("  # ", 1)[1].split("  ", 1)[0] for line in forward]
    interior = [name for node, name in zip(order, node_names(order)) if node.parents]
    assert commented == interior
    walk = autograd.walkthrough(f.graph(0.5, -1.5))
    assert all(name in walk.frames[0].drawing.source for name in interior)
