"""Issue 13: derivatives of derivatives (autograd.grad, create_graph, hessian, hvp, gradgradcheck).

References: PyTorch float64's second derivatives (tests/references/make_higher_order.py, stored
below), sympy for random expression trees, closed forms for tanh and sigmoid, and central
differences of gradients for Hessians.
"""

import math
import random

import mpmath
import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, engine, grad, gradgradcheck, hessian, hvp, op
from autograd.draw import _KINDS, draw
from tests.strategies import moderate, positive
from tests.test_engine_edges import nodes_of_every_op
from tests.test_gradients import SYMBOLS, symbolic_value, sympy_case, trees

inf, nan = math.inf, math.nan


def close(got: float, expected: float) -> bool:
    """Equal up to a few ulps; nan equals nan, an infinity only itself."""
    if math.isnan(expected) or math.isinf(expected):
        return (math.isnan(got) and math.isnan(expected)) or got == expected
    return got == pytest.approx(expected, rel=1e-14, abs=1e-300)


def first_and_second(build_, x: float) -> tuple[float, float]:
    v = Value(x)
    (first,) = grad(build_(v), v, create_graph=True)
    (second,) = grad(first, v)
    return first.data, second


# --- every op's second derivative against PyTorch float64 (make_higher_order.py's output) ----------

# name: (first derivative, second derivative), from torch.autograd.grad(..., create_graph=True) twice.
SECOND = {
    "exp at 0.7": (2.0137527074704766, 2.0137527074704766),
    "exp at 710": (inf, inf),
    "log at 0.7": (1.4285714285714286, -2.0408163265306123),
    "log at 0": (inf, -inf),
    "sqrt at 0.7": (0.5976143046671968, -0.4268673604765691),
    "sqrt at 0": (inf, -inf),
    "reciprocal at 0.7": (-2.0408163265306123, 5.830903790087464),
    "reciprocal at 0": (-inf, inf),
    "2/x at 0": (-inf, inf),
    "tanh at 0.7": (0.6347395899824586, -0.7672323100919166),
    "tanh at 1000": (0.0, -0.0),
    "tanh at -1000": (0.0, 0.0),
    "sigmoid at 0.7": (0.22171287329310904, -0.07457878844034183),
    "sigmoid at 1000": (0.0, -0.0),
    "sigmoid at -1000": (0.0, 0.0),
    "softplus at 0.7": (0.6681877721681662, 0.22171287329310904),
    "softplus at 1000": (1.0, 0.0),
    "softplus at -1000": (0.0, 0.0),
    "relu at 1.5": (1.0, 0.0),
    "relu at 0": (0.0, 0.0),
    "relu at -1.5": (0.0, 0.0),
    "leaky_relu at -1.5": (0.01, 0.0),
    "elu at 0": (1.0, 0.0),
    "elu at -0.7": (0.4965853037914095, 0.4965853037914095),
    "elu at 0.7": (1.0, 0.0),
    "abs at 0": (0.0, 0.0),
    "abs at -0.7": (-1.0, 0.0),
    "sin at 0.7": (0.7648421872844885, -0.644217687237691),
    "cos at 0.7": (-0.644217687237691, -0.7648421872844885),
    "x**3 at 0.7": (1.4699999999999998, 4.199999999999999),
    "x**2 at 0": (0.0, 2.0),
    "x**3 at 0": (0.0, 0.0),
    "x**1 at 0": (1.0, 0.0),
    "x**0.5 at 0": (inf, -inf),
    "x**1.5 at 0": (0.0, inf),
    "x**2.5 at 0": (0.0, 0.0),
    "x**-1 at 0": (-inf, inf),
    "x**0 at 0": (0.0, 0.0),
    "x**0 at 2": (0.0, 0.0),
    "2**x at 0.7": (1.1260209168747677, 0.7804982237832697),
    "x*x at 0.7": (1.4, 2.0),
    "x/(1+x*x) at 0.7": (0.22971938200981948, -1.062289654405192),
    "log at -1": (-1.0, -1.0),
    "sqrt at -1": (nan, nan),
    "reciprocal at -0.0": (-inf, -inf),
    "x**(1/3) at -8": (nan, nan),
    "x**400 at 10": (inf, inf),
    "x**3 at -2": (12.0, -12.0),
    "sqrt(relu(x)) at -1": (0.0, 0.0),
    "sqrt(x**0 - 1) at 3": (0.0, 0.0),
    "sqrt(x*0) at 1": (nan, nan),
    "leaky_relu at 0": (0.01, 0.0),
    "elu at nan": (1.0, 0.0),
    "relu at nan": (1.0, 0.0),
    "abs at nan": (0.0, 0.0),
    "sin at inf": (nan, nan),
    "cos at inf": (nan, nan),
}

BUILDERS = {
    "exp": lambda v: v.exp(),
    "log": lambda v: v.log(),
    "sqrt": lambda v: v.sqrt(),
    "reciprocal": lambda v: 1 / v,
    "2/x": lambda v: 2 / v,
    "tanh": lambda v: v.tanh(),
    "sigmoid": lambda v: v.sigmoid(),
    "softplus": lambda v: v.softplus(),
    "relu": lambda v: v.relu(),
    "leaky_relu": lambda v: v.leaky_relu(0.01),
    "elu": lambda v: v.elu(),
    "abs": lambda v: abs(v),
    "sin": lambda v: v.sin(),
    "cos": lambda v: v.cos(),
    "x**3": lambda v: v**3,
    "x**2": lambda v: v**2,
    "x**1": lambda v: v**1,
    "x**0.5": lambda v: v**0.5,
    "x**1.5": lambda v: v**1.5,
    "x**2.5": lambda v: v**2.5,
    "x**-1": lambda v: v**-1,
    "x**0": lambda v: v**0,
    "2**x": lambda v: 2**v,
    "x*x": lambda v: v * v,
    "x/(1+x*x)": lambda v: v / (1 + v * v),
    "x**(1/3)": lambda v: v ** (1 / 3),
    "x**400": lambda v: v**400,
    "sqrt(relu(x))": lambda v: v.relu().sqrt(),
    "sqrt(x**0 - 1)": lambda v: (v**0 - 1).sqrt(),
    "sqrt(x*0)": lambda v: (v * 0).sqrt(),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivatives_match_pytorch_float64(name):
    op_name, at = name.split(" at ")
    first, second = first_and_second(BUILDERS[op_name], float(at))
    expected_first, expected_second = SECOND[name]
    assert close(first, expected_first), first
    assert close(second, expected_second), second


@pytest.mark.parametrize("x", [15.0, 25.0, -19.5, 300.0])
def test_tanh_second_derivative_stays_exact_where_pytorchs_loses_its_digits(x):
    # PyTorch float64 gives -7.487344078069953e-13 at 15 (its 1 - tanh² is 1.7e-4 off) and -0.0
    # at 25; gradwalk's -2 tanh(x) sech²(x) is within a few ulps of the exact value everywhere.
    exact = -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2
    assert first_and_second(Value.tanh, x)[1] == pytest.approx(float(exact), rel=1e-14)


# (a, b): (d/da, d/db), Hessian rows d/da (d/da, d/db) and d/db (d/da, d/db); PyTorch float64.
POWER_HESSIANS = {
    (0.0, 2.0): ([0.0, 0.0], [[2.0, 0.0], [nan, nan]]),
    (0.0, 3.0): ([0.0, 0.0], [[0.0, 0.0], [nan, nan]]),
    (0.0, 0.5): ([inf, 0.0], [[-inf, nan], [nan, nan]]),
    (0.0, 0.0): ([0.0, 0.0], [[nan, nan], [nan, nan]]),
    (0.0, -1.0): ([-inf, -inf], [[inf, inf], [inf, inf]]),
    (1.5, 2.5): (
        [4.592793267718459, 1.1173304512883486],
        [[4.592793267718458, 3.699334725901298], [3.699334725901298, 0.45303851222417435]],
    ),
}


@pytest.mark.parametrize(("a", "b"), list(POWER_HESSIANS))
def test_power_of_two_values_second_derivatives(a, b):
    firsts, rows = POWER_HESSIANS[(a, b)]
    x, y = Value(a), Value(b)
    built = grad(x**y, [x, y], create_graph=True)
    assert all(close(g.data, e) for g, e in zip(built, firsts))
    got = hessian(x**y, [x, y])
    # Row d/da matches PyTorch everywhere, except where d/da has its own 0 ** 0 (b = 0: see below).
    if b != 0.0:
        assert all(close(g, e) for g, e in zip(got[0], rows[0])), got
    if a != 0.0 or b < 0.0:
        assert all(close(g, e) for g, e in zip(got[1], rows[1])), got


@pytest.mark.parametrize("b", [2.0, 3.0, 0.5, 0.0])
def test_power_at_zero_base_differentiates_the_constant_exponent_derivative_to_zero(b):
    # d/db a**b at a = 0, b >= 0 is the constant 0 (a**b is 0 for every b > 0, 1 at b = 0):
    # its derivatives are 0. PyTorch gives nan there (its where() sends 0 * inf = nan into the
    # branch not taken), and then a Hessian that is not even symmetric ((0, 2): 0 against nan).
    x, y = Value(0.0), Value(b)
    assert hessian(x**y, [x, y])[1] == [0.0, 0.0]
    # The closed form of the other row at a = 0, b = 2: d/db (b a**(b-1)) = a**(b-1) (1 + b ln a) -> 0.
    if b == 2.0:
        assert hessian(x**y, [x, y])[0] == [2.0, 0.0]


def test_every_op_builds_first_derivatives_holding_the_float_backwards_numbers():
    for node in nodes_of_every_op():
        leaves = list(node.parents)
        floats = grad(node, leaves)
        built = grad(node, leaves, create_graph=True)
        for f, b in zip(floats, built):
            assert (math.isnan(f) and math.isnan(b.data)) or f == b.data, (node.op, leaves)


# --- random expression trees against sympy -------------------------------------------------------


@given(tree=trees, point=st.tuples(positive, positive, positive))
def test_random_expressions_second_derivatives_match_sympy(tree, point):
    leaves, out, scale, expression, at = sympy_case(tree, point)
    firsts = grad(out, leaves, create_graph=True)
    for i, first in enumerate(firsts):
        # As at first order: an infinite local derivative (now in the gradient's graph) gives
        # inf - inf = nan, as in PyTorch, where sympy simplifies first.
        assume(all(math.isfinite(g) for node in autograd.topological_order(first) for g in node.local_grads))
        seconds = grad(first, leaves)
        for j, second in enumerate(seconds):
            exact = symbolic_value(sympy.diff(expression, SYMBOLS[i], SYMBOLS[j]), at)
            assume(exact is not None and abs(exact) < 1e6)
            assert second == pytest.approx(exact, rel=1e-6, abs=1e-9 * max(scale, 1.0))


# --- third derivatives against closed forms ------------------------------------------------------


def nth_derivative(build_, x: float, n: int) -> float:
    v = Value(x)
    g = build_(v)
    for _ in range(n):
        (g,) = grad(g, v, create_graph=True)
    return g.data


@given(x=moderate)
def test_third_derivative_of_tanh(x):
    t = mpmath.tanh(mpmath.mpf(x))
    s = 1 - t * t
    exact = float(-2 * s * (1 - 3 * t * t))  # d/dx (-2 t s), with t' = s
    assert nth_derivative(Value.tanh, x, 3) == pytest.approx(exact, rel=1e-9, abs=1e-12)


@given(x=moderate)
def test_third_derivative_of_sigmoid(x):
    s = 1 / (1 + mpmath.exp(-mpmath.mpf(x)))
    d1 = s * (1 - s)
    exact = float(d1 * (1 - 2 * s) ** 2 - 2 * d1 * d1)  # d/dx of s'(1 - 2s)
    assert nth_derivative(Value.sigmoid, x, 3) == pytest.approx(exact, rel=1e-9, abs=1e-12)


def test_fourth_derivative_of_tanh():
    x = 0.4
    t = math.tanh(x)
    exact = 8 * t * (1 - t * t) * (2 - 3 * t * t)  # d/dx of -2(1 - t^2)(1 - 3t^2)
    assert nth_derivative(Value.tanh, x, 4) == pytest.approx(exact, rel=1e-12)


# --- Hessians of nn losses against finite differences of gradients --------------------------------


def loss_of(kind: str, model: nn.MLP) -> Value:
    X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]]
    outputs = [model(x) for x in X]
    if kind == "mse":
        return nn.mse_loss(outputs, [1.0, -0.5, 0.25])
    if kind == "bce_with_logits":
        return nn.binary_cross_entropy_with_logits(outputs, [1.0, 0.0, 1.0])
    if kind == "bce":
        return nn.binary_cross_entropy([o.sigmoid() for o in outputs], [1.0, 0.0, 1.0])
    if kind == "l1 + l1_penalty":
        return nn.l1_loss(outputs, [1.0, -0.5, 0.25]) + 0.1 * nn.l1_penalty(model.parameters())
    if kind == "hinge + l2_penalty":
        return nn.hinge_loss(outputs, [1, -1, 1]) + 0.1 * nn.l2_penalty(model.parameters())
    return nn.cross_entropy(outputs, [0, 2, 1])


def numeric_hessian(kind: str, model: nn.MLP, h: float = 1e-5) -> list[list[float]]:
    params = model.parameters()
    rows = []
    for p in params:
        saved = p.data
        p.data = saved + h
        above = grad(loss_of(kind, model), params)
        p.data = saved - h
        below = grad(loss_of(kind, model), params)
        p.data = saved
        rows.append([(a - b) / (2 * h) for a, b in zip(above, below)])
    return rows


@pytest.mark.parametrize(
    ("kind", "outputs", "activation"),
    [
        ("mse", 1, "tanh"),
        ("bce_with_logits", 1, "sigmoid"),
        ("bce", 1, "softplus"),
        ("cross_entropy", 3, "tanh"),
        ("l1 + l1_penalty", 1, "elu"),
        ("hinge + l2_penalty", 1, "tanh"),
    ],
)
def test_hessians_of_small_mlp_losses_match_finite_differences(kind, outputs, activation):
    model = nn.MLP(2, [3, outputs], activation=activation, rng=random.Random(3))
    params = model.parameters()
    analytic = hessian(loss_of(kind, model), params)
    numeric = numeric_hessian(kind, model)
    for row, expected in zip(analytic, numeric):
        assert row == pytest.approx(expected, rel=1e-5, abs=1e-7)
    assert all(p.grad == 0.0 for p in params)  # hessian touches no .grad


def test_hvp_equals_hessian_times_vector():
    model = nn.MLP(2, [4, 3], activation="tanh", rng=random.Random(5))
    params = model.parameters()
    rng = random.Random(1)
    v = [rng.uniform(-1, 1) for _ in params]
    loss = loss_of("cross_entropy", model)
    full = hessian(loss, params)
    expected = [math.fsum(h * x for h, x in zip(row, v)) for row in full]
    assert hvp(loss, params, v) == pytest.approx(expected, rel=1e-10, abs=1e-13)


def test_cross_entropy_op_derivative_is_checked_to_second_order():
    result = autograd.check_op(nn.losses._cross_entropy_op(1), domain=[(-3, 3)] * 3, points=10)
    assert result and len(result.second_order) == 10
    assert result.second_order[0].rows[0].label == "d2/dinput 0 dinput 0"


# --- autograd.grad -----------------------------------------------------------------------------


def test_grad_touches_no_grad_and_scales_by_grad_output():
    x, y = Value(3.0, label="x"), Value(2.0, label="y")
    x.grad, y.grad = 5.0, -1.0
    assert grad(x * x * y, [x, y], grad_output=0.5) == (6.0, 4.5)
    assert grad(x * x * y, x, 2.0, True)[0].data == 24.0
    assert (x.grad, y.grad) == (5.0, -1.0)


def test_an_unused_input_gets_zero():
    x, unused = Value(1.0), Value(4.0)
    assert grad(x.exp(), [x, unused])[1] == 0.0
    built = grad(x.exp(), [x, unused], create_graph=True)[1]
    assert isinstance(built, Value) and built.data == 0.0 and not built.parents
    assert hessian(x.exp(), [x, unused]) == [[math.e, 0.0], [0.0, 0.0]]


def test_gradient_of_an_interior_node_and_of_the_output_itself():
    x = Value(2.0)
    y = x * x
    z = y * 3
    assert grad(z, [y, z]) == (3.0, 1.0)
    assert grad(z, z, create_graph=True)[0].data == 1.0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: grad(2.0, x), TypeError, "grad's output must be a Value, got float"),
        (lambda x: grad(x * 2, []), ValueError, "grad needs at least one input"),
        (lambda x: grad(x * 2, [x, 1.0]), TypeError, r"grad's inputs\[1\] must be a Value, got float"),
        (lambda x: grad(x * 2, "x"), TypeError, "inputs must be a Value or a list of Values, got str"),
        (lambda x: grad(x * 2, x, grad_output="1"), TypeError, "grad_output must be a real number"),
        (lambda x: grad(x * 2, x, create_graph=1), TypeError, "create_graph must be True or False"),
        (lambda x: hvp(x * x, [x], [1.0, 2.0]), ValueError, "hvp's v has 2 numbers for 1 inputs"),
        (lambda x: hvp(x * x, [x], ["a"]), TypeError, r"hvp's v\[0\] must be a real number"),
        (lambda x: hvp(x * x, [x], 1.0), TypeError, "hvp's v must be a list of numbers"),
        (lambda x: hessian(x, 3), TypeError, "hessian's inputs must be a Value or a list of Values"),
        (lambda x: (x * x).backward(create_graph="yes"), TypeError, "create_graph must be True or False"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(Value(1.0))


# --- backward(create_graph=True) and grad_value --------------------------------------------------


def test_create_graph_backward_gives_float_grads_and_grad_value_graphs():
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    y = (x * w).tanh()
    assert x.grad_value is None  # a new leaf
    y.backward(create_graph=True)
    plain_x, plain_w = Value(0.5), Value(-2.0)
    (plain_x * plain_w).tanh().backward()
    assert (x.grad, w.grad) == (plain_x.grad, plain_w.grad)
    assert type(x.grad) is float and isinstance(x.grad_value, Value)
    assert x.grad_value.data == x.grad
    assert y.grad == 1.0 and y.parents[0].grad == plain_x.grad / -2.0
    # d/dw of dy/dx = d/dw (w sech²(xw)) = sech²(xw) - 2 x w tanh(xw) sech²(xw)
    t = math.tanh(-1.0)
    s = 1 - t * t
    assert grad(x.grad_value, w)[0] == pytest.approx(s - 2 * 0.5 * -2.0 * t * s, rel=1e-14)


def test_grad_value_accumulates_and_an_ordinary_backward_resets_it():
    x = Value(3.0, label="x")
    y = x * x * x
    y.backward(create_graph=True)
    first = x.grad_value
    y.backward(create_graph=True)
    assert (x.grad, x.grad_value.data) == (54.0, 54.0)
    assert x.grad_value.parents == (first, first.parents[0]) or x.grad_value.op == "+"
    assert grad(x.grad_value, x)[0] == 36.0  # 2 * d/dx 3x² = 12x
    y.backward()
    assert x.grad == 81.0 and x.grad_value is None


def test_zero_grad_resets_grad_value():
    model = nn.MLP(1, [2, 1], activation="tanh", rng=random.Random(0))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    for zero in (model.zero_grad, optimizer.zero_grad):
        (model([0.5]) ** 2).backward(create_graph=True)
        assert all(p.grad_value is not None for p in model.parameters())
        zero()
        assert all(p.grad_value is None and p.grad == 0.0 for p in model.parameters())


def test_grad_value_can_be_reset_by_hand_on_a_leaf_only():
    x = Value(1.0)
    (x * x).backward(create_graph=True)
    x.grad_value = None
    assert x.grad_value is None
    with pytest.raises(TypeError, match="grad_value must be a Value or None, got float"):
        x.grad_value = 2.0
    interior = x * 2
    interior.grad_value = None  # nothing to reset: no error, no change
    assert interior.grad_value is None
    with pytest.raises(ValueError, match="only a leaf has a grad_value"):
        interior.grad_value = x


def test_a_plain_node_has_no_grad_value_slot_set():
    # The hot path never sets the slot: reading it falls back to the default.
    y = Value(1.0) * 2
    assert not hasattr(y, "_grad_value") and y.grad_value is None


# --- user ops ----------------------------------------------------------------------------------


@op("cube_floats")
def cube_floats(x):
    return x**3, (3 * x**2,)


@op("cube", derivative=lambda x, out: (3 * x**2,))
def cube(x):
    return x**3, (3 * x**2,)


def test_a_float_rule_op_cannot_be_differentiated_twice_and_says_how():
    x = Value(2.0)
    assert grad(cube_floats(x), x) == (12.0,)  # first order works
    with pytest.raises(RuntimeError, match=r"op 'cube_floats' was made from float rules.*derivative=d"):
        grad(cube_floats(x), x, create_graph=True)
    with pytest.raises(RuntimeError, match="cube_floats"):
        hessian(cube_floats(x) * 2, [x])


def test_an_op_with_a_derivative_differentiates_twice():
    x = Value(2.0)
    assert hessian(cube(x), [x]) == [[12.0]]
    assert nth_derivative(cube, 2.0, 3) == 6.0


def test_check_op_verifies_the_derivative_against_the_float_rule_and_to_second_order():
    assert autograd.check_op(cube, points=10)

    @op("off_by_one", derivative=lambda x, out: (3 * x**2 + 1,))
    def off_by_one(x):
        return x**3, (3 * x**2,)

    result = autograd.check_op(off_by_one, points=5)
    assert not result
    assert any("derivative gives" in error for row in result.points[0].rows for error in row.local_errors)

    @op("frozen", derivative=lambda x, out: (Value(3 * x.data**2),))  # right numbers, no graph
    def frozen(x):
        return x**3, (3 * x**2,)

    result = autograd.check_op(frozen, domain=(0.5, 2.0), points=5)
    assert all(result.points) and not all(result.second_order)
    assert "gradgradcheck: 1 of 1 pair FAIL" in str(result)


def test_a_derivative_returning_the_wrong_count_is_a_clear_error():
    @op("two_inputs", derivative=lambda x, y, out: (y,))
    def two_inputs(x, y):
        return x * y, (y, x)

    with pytest.raises(TypeError, match="'two_inputs': derivative must return a tuple of 2"):
        a = Value(1.0)
        grad(two_inputs(a, Value(2.0)), [a], create_graph=True)
    with pytest.raises(TypeError, match="derivative must be a function"):
        op("bad", derivative=3)


# --- gradgradcheck ------------------------------------------------------------------------------


def test_gradgradcheck_has_gradchecks_result_and_table():
    result = gradgradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.0])
    assert isinstance(result, autograd.GradcheckResult) and result
    assert [row.label for row in result.rows] == ["d2/dx dx", "d2/dx dy", "d2/dy dx", "d2/dy dy"]
    text = str(result)
    assert text.startswith("gradgradcheck: all 4 pairs pass (eps=1e-06, atol=1e-05, rtol=0.001)")
    assert text.splitlines()[1].split()[:3] == ["pair", "value", "analytic"]
    t = math.tanh(-0.5)
    assert result.rows[0].analytic == pytest.approx(-2 * t * (1 - t * t) * 1.0, rel=1e-12)  # y² tanh''


def test_gradgradcheck_catches_a_wrong_second_derivative():
    @op("square_frozen", derivative=lambda x, out: (Value(2 * x.data),))
    def square_frozen(x):
        return x * x, (2 * x,)

    result = gradgradcheck(square_frozen, [1.5])
    assert not result and result.rows[0].analytic == 0.0 and result.rows[0].numeric == pytest.approx(2.0)


def test_gradgradcheck_handles_a_kink_in_the_first_derivative():
    row = gradgradcheck(lambda x: x * abs(x), [0.0]).rows[0]  # f' = 2|x|: a kink at 0
    assert row.passed and not row.differentiable and "not differentiable here" in row.verdict


def test_checkers_work_on_functions_that_call_grad_themselves():
    def slope(x):
        return grad(x**3, x, create_graph=True)[0]

    result = autograd.gradcheck(slope, [2.0])
    assert result and result.rows[0].numeric == pytest.approx(12.0)
    assert gradgradcheck(slope, [2.0]).rows[0].analytic == 6.0


def test_gradcheck_no_longer_resets_a_closed_over_weights_grad_value():
    w = Value(1.5, label="w")
    (w * w).backward(create_graph=True)
    kept = w.grad_value
    assert autograd.gradcheck(lambda x: x * w, [2.0])
    assert autograd.gradcheck_graph(w * w * 3)
    assert w.grad_value is kept and w.grad == 3.0


# --- drawing and walking through a gradient's graph ---------------------------------------------


def test_drawing_a_gradient_marks_what_the_backward_pass_made():
    x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
    (g,) = grad((x * w + b).tanh(), x, create_graph=True)
    order = autograd.topological_order(g)
    made = [engine.made_by_backward(node) for node in order]
    assert [node.op for node, m in zip(order, made) if m] == ["sech2", "*"]
    source = draw(g, show_local_grads=True).source
    fill = _KINDS["backward"].node["fillcolor"]
    assert source.count(f'fillcolor="{fill}"') == 2
    forward_fills = {kind.node["fillcolor"] for name, kind in _KINDS.items() if name != "backward"}
    assert fill not in forward_fills
    assert "from the forward pass:" in source and "made by the backward pass" in source
    assert "label=-1.2]" in source  # local derivatives on the edges (4 significant digits), as for any graph
    assert "made by the backward pass" not in draw((x * w).tanh()).source


def test_walkthrough_works_on_a_gradient_graph():
    x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
    (g,) = grad((x * w + b).tanh(), x, create_graph=True)
    walk = autograd.walkthrough(g, digits=6)
    assert len(walk) == len(autograd.topological_order(g)) + 2
    expected = grad(g, [x, w, b])
    for label, value in zip("xwb", expected):
        assert f"{label}.grad = {value:.6g}" in str(walk[-1])
