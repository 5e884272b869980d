"""Issue 10's engine cases: strong zeros, elu at nan, an exact tanh', max, threads, copies, no_grad.

References: PyTorch float64's numbers as the issue quotes them, mpmath for sech², closed forms.
"""

import copy
import math
import pickle
import struct
import sys
import threading

import mpmath
import pytest

import autograd
from autograd import Value, derivatives, engine, no_grad


def bits(x: float) -> bytes:
    return b"nan" if x != x else struct.pack("<d", x)


# --- strong zeros: relu left of 0 and the base of x ** 0 send 0 whatever arrives (PyTorch) -----------


def grad_at(f, x: float) -> float:
    v = Value(x)
    f(v).backward()
    return v.grad


@pytest.mark.parametrize(
    ("f", "x"),
    [
        (lambda v: v.relu().sqrt(), -1.0),  # PyTorch: 0 (sqrt'(0) = inf arrives at relu)
        (lambda v: v.relu().sqrt(), 0.0),
        (lambda v: (v**0 - 1).sqrt(), 3.0),  # PyTorch: 0
        (lambda v: (v ** Value(0.0) - 1).sqrt(), 3.0),  # a Value exponent that is 0
        (lambda v: v.relu() * math.inf, -2.0),
        (lambda v: v.relu() * math.nan, -2.0),
    ],
)
def test_relu_and_power_zero_send_zero_whatever_arrives(f, x):
    assert bits(grad_at(f, x)) == bits(0.0)


def test_other_ops_keep_zero_times_inf_as_nan():
    # PyTorch float64: d/dx sqrt(x * 0) at 1 is 0 * inf = nan; gradwalk keeps it so.
    assert math.isnan(grad_at(lambda v: (v * 0.0).sqrt(), 1.0))


def test_strong_zero_products_in_either_order():
    for upstream in (math.inf, -math.inf, math.nan, 2.0):
        assert bits(engine.STRONG_ZERO * upstream) == bits(0.0)
        assert bits(upstream * engine.STRONG_ZERO) == bits(0.0)
    assert repr(engine.STRONG_ZERO) == "0.0"
    assert pickle.loads(pickle.dumps(engine.STRONG_ZERO)) * math.inf == 0.0


# --- elu at nan: PyTorch's gradient is 1 -----------------------------------------------------------


def test_elu_gradient_at_nan_is_one_as_pytorch():
    v = Value(math.nan)
    y = v.elu()
    y.backward()
    assert math.isnan(y.data) and v.grad == 1.0


# --- tanh': at most 4 ulps of sech² everywhere (1 - tanh² loses everything past |x| = 19) -----------


def ulps(got: float, exact: mpmath.mpf) -> float:
    exact_float = float(exact)
    if exact_float == 0.0:
        return 0.0 if got == 0.0 else math.inf
    return abs(mpmath.mpf(got) - exact) / math.ulp(exact_float)


@pytest.mark.parametrize("x", [0.0, 1e-8, 0.3, 1.0, 2.5, 10.0, 15.0, 19.5, 25.0, 100.0, 300.0, 700.0])
def test_tanh_derivative_is_within_4_ulps_of_sech_squared(x):
    mpmath.mp.dps = 50
    for point in (x, -x):
        exact = mpmath.sech(mpmath.mpf(point)) ** 2
        assert ulps(grad_at(Value.tanh, point), exact) <= 4, point


def test_tanh_derivative_sweep_within_4_ulps():
    mpmath.mp.dps = 50
    points = (k / 37.0 for k in range(-26000, 26000, 7))
    worst = max(ulps(engine._sech2(x), mpmath.sech(mpmath.mpf(x)) ** 2) for x in points)
    assert worst <= 4


def test_tanh_derivative_at_the_ends():
    assert grad_at(Value.tanh, 1000.0) == 0.0 and grad_at(Value.tanh, math.inf) == 0.0
    assert math.isnan(grad_at(Value.tanh, math.nan))


# --- autograd.max: one node, torch.max's rules ---------------------------------------------------


def test_max_splits_ties_evenly_and_sends_exact_zero_elsewhere():
    xs = [Value(1.0), Value(3.0), Value(-2.0), Value(3.0)]
    m = autograd.max(xs)
    (m * math.inf).backward()  # inf arrives: non-maxima still get exactly 0, as PyTorch's masked_fill
    assert m.data == 3.0
    assert [x.grad for x in xs] == [0.0, math.inf, 0.0, math.inf]
    xs = [Value(1.0), Value(3.0), Value(3.0), Value(3.0)]
    autograd.max(xs).backward()
    assert [x.grad for x in xs] == [0.0, 1 / 3, 1 / 3, 1 / 3]


def test_max_with_nan_is_nan_and_the_nans_share_the_gradient():
    xs = [Value(1.0), Value(math.nan), Value(5.0)]
    m = autograd.max(xs)
    m.backward()
    assert math.isnan(m.data) and [x.grad for x in xs] == [0.0, 1.0, 0.0]


def test_max_of_nothing_is_refused_and_numbers_become_leaves():
    with pytest.raises(ValueError, match="empty"):
        autograd.max([])
    assert autograd.max([Value(1.0), 4]).data == 4.0


# --- the derivative table states what the float rules compute, bit for bit ------------------------

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-300, -1e-300, 19.5, -25.0, 709.0, 710.0, -1000.0]
EDGES += [math.inf, -math.inf, math.nan]
CONSTANTS = [0.0, 1.0, -1.0, 2.0, 0.5, -3.0, math.inf, math.nan]

UNARY = ["__neg__", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos"]
BINARY = ["__add__", "__sub__", "__mul__", "__truediv__", "__pow__"]
WITH_CONSTANT = [*BINARY, "__rsub__", "__rtruediv__", "__rpow__"]


def nodes_of_every_op():
    for x in EDGES:
        for name in UNARY:
            yield getattr(Value(x), name)()
        yield derivatives.sech2(Value(x))
        for c in CONSTANTS:
            yield Value(x).leaky_relu(c)
            yield Value(x).elu(c)
            for name in WITH_CONSTANT:
                yield getattr(Value(x), name)(c)
        for y in EDGES:
            for name in BINARY:
                yield getattr(Value(x), name)(Value(y))


def test_every_op_has_expressions_and_its_float_rule_agrees_bit_for_bit():
    covered = set()
    for node in nodes_of_every_op():
        covered.add(node._op)
        stated = derivatives.local_grads(node)
        assert [bits(g) for g in stated] == [bits(g) for g in node.local_grads], (node.op, node.parents)
        for from_table, from_rule in zip(stated, node.local_grads):  # strong zeros stay strong
            assert (type(from_table) is engine._StrongZero) == (type(from_rule) is engine._StrongZero)
    n_ary = {engine.SUM, engine.DOT, engine.MAX}
    assert covered == set(engine.BUILTIN_OPS) - n_ary


def test_derivative_graphs_hold_the_float_rules_numbers():
    for node in nodes_of_every_op():
        for built, from_rule in zip(derivatives.local_grad_values(node), node.local_grads):
            data = built.data if isinstance(built, Value) else built
            assert bits(data) == bits(from_rule), (node.op, node.parents)


# --- threads: one graph, many backward calls at once ---------------------------------------------


@pytest.mark.slow
def test_backward_on_one_graph_from_many_threads_adds_up():
    x = Value(2.0)
    y = x
    for _ in range(2000):
        y = y * 1.0 + 0.0
    y = y * x  # d/dx x*x = 2x = 4
    start = threading.Barrier(8)

    def run():
        start.wait()
        for _ in range(5):
            y.backward()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert x.grad == 8 * 5 * 4.0


# --- empty sums, deep copies and pickles ---------------------------------------------------------


def test_empty_sum_and_dot_are_the_float_zero():
    for empty in (autograd.sum([]), autograd.dot([], [])):
        assert type(empty) is float and empty == 0.0


def chain(depth: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    y = x
    for _ in range(depth):
        y = y * 1.0 + 0.0
    return x, y.tanh()


@pytest.mark.parametrize("copier", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))])
def test_deep_graphs_copy_and_pickle_without_recursion(copier):
    depth = 4 * sys.getrecursionlimit() + 10
    x, y = chain(depth)
    twin = copier(y)
    twin.backward()
    y.backward()
    order = autograd.topological_order(twin)
    assert len(order) == len(autograd.topological_order(y)) and order[0].label == "x"
    assert order[0] is not x and order[0].grad == x.grad
    assert repr(twin) == repr(y)


def test_copies_keep_shared_nodes_shared():
    x = Value(3.0, label="x")
    h = x * x
    y = h + h
    twin_x, twin_y = copy.deepcopy([x, y])
    assert twin_y.parents[0] is twin_y.parents[1] and twin_y.parents[0].parents[0] is twin_x
    loaded_x, loaded_y = pickle.loads(pickle.dumps([x, y]))
    loaded_y.backward()
    assert loaded_x.grad == 12.0 and x.grad == 0.0


def test_pickling_a_user_op_graph_is_refused_clearly():
    @autograd.op("cube")
    def cube(x):
        return x**3, (3 * x**2,)

    with pytest.raises(TypeError, match="user-defined op 'cube'"):
        pickle.dumps(cube(Value(2.0)))
    assert copy.deepcopy(cube(Value(2.0))).data == 8.0


# --- no_grad as PyTorch's: bare decorator, generators covered in their body only ----------------


def test_no_grad_without_parentheses():
    @no_grad
    def square(v):
        return v * v

    assert square(Value(3.0)).parents == ()
    assert (Value(1.0) * 2).parents != ()


def test_no_grad_on_a_generator_covers_its_body_only():
    @no_grad()
    def squares(v):
        for _ in range(2):
            yield v * v

    v = Value(2.0)
    outside = []
    for inside in squares(v):
        outside.append(v * v)  # the caller's code between next() calls records a graph
        assert inside.parents == ()
    assert all(o.parents for o in outside)


def test_no_grad_rejects_a_non_function():
    with pytest.raises(TypeError, match="no_grad takes a function"):
        no_grad(3)
