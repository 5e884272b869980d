"""gradcheck, check_op, gradcheck_graph and eps_sweep, against hand-computed derivatives."""

import inspect
import math
import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import (
    GradcheckError,
    GradcheckResult,
    Value,
    check_op,
    eps_sweep,
    gradcheck,
    gradcheck_graph,
    op,
    topological_order,
)
from tests.graphs import karpathy_example
from tests.references import sigmoid

# ---------------------------------------------------------------------------
# Every built-in op at random smooth points: (function of Values, true derivatives, domain per input).


SMOOTH = (-3.0, 3.0)
POSITIVE = (0.1, 3.0)
AWAY_FROM_ZERO = (0.2, 3.0)  # sign chosen separately by the strategy below
BUILT_INS = {
    "+": (lambda a, b: a + b, lambda a, b: (1, 1), [SMOOTH, SMOOTH]),
    "-": (lambda a, b: a - b, lambda a, b: (1, -1), [SMOOTH, SMOOTH]),
    "*": (lambda a, b: a * b, lambda a, b: (b, a), [SMOOTH, SMOOTH]),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2), [SMOOTH, AWAY_FROM_ZERO]),
    "**": (lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a)), [POSITIVE, SMOOTH]),
    "+2": (lambda x: x + 2, lambda x: (1,), [SMOOTH]),
    "-2": (lambda x: x - 2, lambda x: (1,), [SMOOTH]),
    "2-": (lambda x: 2 - x, lambda x: (-1,), [SMOOTH]),
    "*3": (lambda x: x * 3, lambda x: (3,), [SMOOTH]),
    "/4": (lambda x: x / 4, lambda x: (0.25,), [SMOOTH]),
    "2/": (lambda x: 2 / x, lambda x: (-2 / x**2,), [AWAY_FROM_ZERO]),
    "**3": (lambda x: x**3, lambda x: (3 * x**2,), [SMOOTH]),
    "**0.5": (lambda x: x**0.5, lambda x: (0.5 / math.sqrt(x),), [POSITIVE]),
    "2**": (lambda x: 2**x, lambda x: (2**x * math.log(2),), [SMOOTH]),
    "neg": (lambda x: -x, lambda x: (-1,), [SMOOTH]),
    "abs": (lambda x: x.abs(), lambda x: (math.copysign(1, x),), [AWAY_FROM_ZERO]),
    "exp": (lambda x: x.exp(), lambda x: (math.exp(x),), [SMOOTH]),
    "log": (lambda x: x.log(), lambda x: (1 / x,), [POSITIVE]),
    "sqrt": (lambda x: x.sqrt(), lambda x: (0.5 / math.sqrt(x),), [POSITIVE]),
    "tanh": (lambda x: x.tanh(), lambda x: (1 - math.tanh(x) ** 2,), [SMOOTH]),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: (sigmoid(x) * (1 - sigmoid(x)),), [SMOOTH]),
    "relu": (lambda x: x.relu(), lambda x: (1.0 if x > 0 else 0.0,), [AWAY_FROM_ZERO]),
    "leaky_relu": (lambda x: x.leaky_relu(0.1), lambda x: (1.0 if x > 0 else 0.1,), [AWAY_FROM_ZERO]),
    "elu": (lambda x: x.elu(0.5), lambda x: (1.0 if x > 0 else 0.5 * math.exp(x),), [AWAY_FROM_ZERO]),
    "softplus": (lambda x: x.softplus(), lambda x: (sigmoid(x),), [SMOOTH]),
    "sin": (lambda x: x.sin(), lambda x: (math.cos(x),), [SMOOTH]),
    "cos": (lambda x: x.cos(), lambda x: (-math.sin(x),), [SMOOTH]),
    "sum": (lambda a, b, c: autograd.sum([a, b, c, 1.5]), lambda a, b, c: (1, 1, 1), [SMOOTH] * 3),
    "dot": (lambda a, b, c, d: autograd.dot([a, b], [c, d]), lambda a, b, c, d: (c, d, a, b), [SMOOTH] * 4),
}


@settings(max_examples=15, deadline=None)
@pytest.mark.parametrize("name", sorted(BUILT_INS))
@given(data=st.data())
def test_every_built_in_op_passes_at_random_smooth_points(name, data):
    f, derivative, domains = BUILT_INS[name]
    xs = []
    for low, high in domains:
        x = data.draw(st.floats(low, high))
        sign = data.draw(st.sampled_from([-1.0, 1.0])) if (low, high) == AWAY_FROM_ZERO else 1.0
        xs.append(sign * x)
    result = gradcheck(f, xs)
    assert result, str(result)
    for row, expected in zip(result.rows, derivative(*xs)):
        assert row.differentiable, str(result)
        assert row.analytic == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert row.numeric == pytest.approx(expected, rel=1e-5, abs=1e-6)  # a central difference


def test_one_row_per_input_with_hand_computed_values():
    result = gradcheck(lambda x, y: x * y + y.exp(), [2.0, 0.0])  # d/dx = y, d/dy = x + e**y
    assert isinstance(result, GradcheckResult) and bool(result) is True
    assert [row.label for row in result.rows] == ["x", "y"]
    assert [row.value for row in result.rows] == [2.0, 0.0]
    assert [row.analytic for row in result.rows] == [0.0, 3.0]
    assert [row.numeric for row in result.rows] == pytest.approx([0.0, 3.0], abs=1e-8)
    for row in result.rows:
        assert row.passed and row.differentiable
        assert row.abs_error == abs(row.analytic - row.numeric) < 1e-8
    assert result.rows[1].rel_error == pytest.approx(result.rows[1].abs_error / 3.0)


def test_rows_are_labelled_by_value_label_then_parameter_name_then_position():
    result = gradcheck(lambda a, b: a * b, [Value(1.0, label="w"), 2.0])
    assert [row.label for row in result.rows] == ["w", "b"]

    def total(*xs):
        return autograd.sum(xs)

    assert [row.label for row in gradcheck(total, [1.0, 2.0]).rows] == ["input 0", "input 1"]


def test_a_single_float_or_value_is_accepted_as_the_inputs():
    assert gradcheck(lambda x: x * x, 3.0).rows[0].analytic == 6.0
    x = Value(3.0, label="x")
    assert gradcheck(lambda v: v * v, x).rows[0].node is x


@op("identity_off_by")
def identity_off_by(x, off):
    return x, (1.0 + off, 0.0)


@pytest.mark.parametrize("atol, rtol", [(1e-5, 1e-3), (1e-3, 0.0), (0.0, 1e-2)])
def test_the_pass_rule_is_pytorchs_atol_plus_rtol_times_numeric(atol, rtol):
    allowed = atol + rtol * 1.0  # |numeric| = 1 for the identity
    just_in = gradcheck(lambda x: identity_off_by(x, 0.9 * allowed), [0.5], atol=atol, rtol=rtol)
    just_out = gradcheck(lambda x: identity_off_by(x, 1.1 * allowed), [0.5], atol=atol, rtol=rtol)
    assert just_in and not just_out
    assert just_in.rows[0].error_ratio == pytest.approx(0.9, rel=1e-4)
    assert just_out.rows[0].error_ratio == pytest.approx(1.1, rel=1e-4)
    assert (just_out.atol, just_out.rtol, just_out.eps) == (atol, rtol, 1e-6)


def test_the_defaults_are_pytorchs():
    parameters = inspect.signature(gradcheck).parameters
    assert [parameters[name].default for name in ("eps", "atol", "rtol")] == [1e-6, 1e-5, 1e-3]


def test_eps_is_the_central_difference_step():
    result = gradcheck(lambda x: x**3, [1.0], eps=0.1)  # ((1.1)^3 - (0.9)^3) / 0.2 = 3 + 0.01
    assert result.rows[0].numeric == pytest.approx(3.01, rel=1e-12)
    assert result.rows[0].left_slope == pytest.approx((1 - 0.9**3) / 0.1)
    assert result.rows[0].right_slope == pytest.approx((1.1**3 - 1) / 0.1)


# ---------------------------------------------------------------------------
# Kinks


@pytest.mark.parametrize(
    "f, left, right, analytic",
    [
        (lambda x: x.relu(), 0.0, 1.0, 0.0),
        (lambda x: x.abs(), -1.0, 1.0, 0.0),
        (lambda x: x.leaky_relu(0.2), 0.2, 1.0, 0.2),
        (lambda x: x.elu(0.5), 0.5, 1.0, 0.5),
    ],
)
def test_kinks_at_zero_are_flagged_and_the_subgradient_passes(f, left, right, analytic):
    result = gradcheck(f, [0.0])
    row = result.rows[0]
    assert not row.differentiable
    assert (row.left_slope, row.right_slope) == (pytest.approx(left, abs=1e-6), pytest.approx(right))
    assert row.analytic == analytic and row.passed and result
    assert f"not differentiable here (left slope {left:.6g}, right slope {right:.6g})" in row.verdict


def test_abs_at_zero_is_flagged_although_its_central_difference_agrees():
    row = gradcheck(lambda x: x.abs(), [0.0]).rows[0]
    assert row.numeric == 0.0 == row.analytic
    assert not row.differentiable


@pytest.mark.parametrize(
    "claimed, passes", [(5.0, False), (1.0, True), (0.0, True), (0.5, True), (-0.1, False)]
)
def test_at_a_kink_a_derivative_passes_only_between_the_slopes(claimed, passes):
    kinked = op("kinked_relu")(lambda x: (max(x, 0.0), (claimed,)))
    result = gradcheck(kinked, [0.0])
    assert not result.rows[0].differentiable
    assert bool(result) is passes
    assert result.rows[0].verdict.startswith("pass" if passes else "FAIL")


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda x: 1 / x, 0.001),  # steep and curved: one-sided slopes differ by ~2000
        (lambda x: x.log(), 1e-4),
        (lambda x: 1000 * x * x, 0.0),  # slopes -1e-3 and 1e-3 around a minimum
        (lambda x: x.elu(1.0), 0.0),  # elu with alpha 1 is smooth at 0
        (lambda x: (50 * x).exp(), 0.3),
    ],
)
def test_smooth_points_with_strong_curvature_are_not_called_kinks(f, x):
    result = gradcheck(f, [x])
    assert result.rows[0].differentiable, str(result)
    assert result, str(result)


def test_kinks_away_from_zero_and_inside_compositions_are_found():
    row = gradcheck(lambda x: (x - 1.5).relu() * 2, [1.5]).rows[0]
    assert not row.differentiable and (row.left_slope, row.right_slope) == (0.0, pytest.approx(2.0))


# ---------------------------------------------------------------------------
# Failing, printing, raising


@op("broken_square")
def broken_square(x):
    return x * x, (x,)  # should be 2x


def test_a_broken_user_op_is_caught():
    result = gradcheck(broken_square, [1.5])
    row = result.rows[0]
    assert not result and not row.passed
    assert (row.analytic, row.numeric) == (1.5, pytest.approx(3.0))
    assert row.abs_error == pytest.approx(1.5) and row.rel_error == pytest.approx(0.5)
    assert result.failures == [row]


def test_the_table_is_aligned_and_says_pass_or_fail():
    result = gradcheck(lambda x, y: broken_square(x) + y, [Value(1.5, label="weight"), 2.0])
    lines = str(result).splitlines()
    assert lines[0].startswith("gradcheck: 1 of 2 inputs FAIL (eps=1e-06, atol=1e-05, rtol=0.001)")
    header, *rows = lines[1:]
    assert header == "input   value  analytic  numeric  abs error  rel error  result"
    assert [row.split()[0] for row in rows] == ["weight", "y"]
    assert rows[0].endswith("FAIL") and rows[1].endswith("pass")
    for column in ("value", "analytic", "numeric", "abs error", "rel error"):  # right-aligned numbers
        end = header.index(column) + len(column)
        assert all(row[end - 1] != " " and (len(row) == end or row[end] == " ") for row in rows)
    assert repr(result) == str(result)


def test_raise_if_failed_raises_a_gradcheck_error_carrying_the_table():
    gradcheck(lambda x: x * x, [1.5]).raise_if_failed()  # passes: no error
    result = gradcheck(broken_square, [1.5])
    with pytest.raises(GradcheckError) as raised:
        result.raise_if_failed()
    assert raised.value.result is result
    assert str(raised.value) == str(result) and "FAIL" in str(raised.value)
    assert isinstance(raised.value, RuntimeError)  # as PyTorch's GradcheckError


def test_non_finite_derivatives_fail_and_say_so():
    result = gradcheck(lambda x: x.log(), [-1.0])
    assert not result and "not finite" in result.rows[0].verdict


def test_gradcheck_leaves_the_users_values_as_they_were():
    x = Value(1.5, label="x")
    x.grad = 5.0
    w = Value(-2.0, label="w")  # closed over by f: backward reaches it too
    w.grad = 7.0
    result = gradcheck(lambda v: (v * w).tanh(), [x])
    assert result
    assert (x.data, x.grad, w.data, w.grad) == (1.5, 5.0, -2.0, 7.0)


@pytest.mark.parametrize(
    "inputs, kwargs, error, message",
    [
        ([], {}, ValueError, "at least one input"),
        (["1.0"], {}, TypeError, r"inputs\[0\] must be a float or a Value, got str"),
        ([1.0, None], {}, TypeError, r"inputs\[1\] must be a float or a Value, got NoneType"),
        ("12", {}, TypeError, "inputs must be a list"),
        ([1.0], {"eps": 0.0}, ValueError, "eps must be a finite number > 0, got 0.0"),
        ([1.0], {"eps": math.inf}, ValueError, "eps must be a finite number > 0"),
        ([1.0], {"atol": -1.0}, ValueError, "atol must be a finite number >= 0, got -1.0"),
        ([1.0], {"rtol": math.nan}, ValueError, "rtol must be a finite number >= 0"),
        ([1.0], {"eps": "small"}, TypeError, "eps must be a real number, got str"),
    ],
)
def test_bad_arguments_get_clear_errors(inputs, kwargs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(lambda x: x, inputs, **kwargs)


def test_a_function_that_does_not_return_a_value_is_named():
    with pytest.raises(TypeError, match=r"must return a Value, got float: 2\.0"):
        gradcheck(lambda x: x.data * 2, [1.0])


# ---------------------------------------------------------------------------
# check_op


@op("scaled_sin")
def scaled_sin(x, a):
    return a * math.sin(x), (a * math.cos(x), math.sin(x))


def test_check_op_passes_a_correct_op_at_a_hundred_points_by_default():
    result = check_op(scaled_sin)
    assert result and len(result.points) == 100 and not result.failures
    assert result.name == "scaled_sin" and result.domains == ((-3.0, 3.0), (-3.0, 3.0))
    assert all(-3.0 <= row.value <= 3.0 for point in result.points for row in point.rows)


def test_check_op_catches_a_broken_op_and_prints_the_worst_point():
    result = check_op(broken_square, domain=(0.5, 2.0), points=30)
    assert not result and len(result.failures) == 30
    worst = result.worst.rows[0]
    # The error is |x - 2x| = x of an allowed 1e-5 + 1e-3 * 2x: the ratio 1 / (1e-5/x + 2e-3) grows with x.
    assert worst.value == max(point.rows[0].value for point in result.points)
    assert worst.error_ratio == pytest.approx(1 / (1e-5 / worst.value + 2e-3))
    text = str(result)
    assert text.startswith("check_op(broken_square) on [0.5, 2]: 30 of 30 points FAIL; the worst point:")
    assert str(result.worst) in text
    with pytest.raises(GradcheckError):
        result.raise_if_failed()


def test_check_op_takes_one_domain_per_argument():
    result = check_op(scaled_sin, domain=[(0.0, 1.0), (10.0, 20.0)], points=20)
    assert result
    assert all(
        0.0 <= point.rows[0].value <= 1.0 and 10.0 <= point.rows[1].value <= 20.0 for point in result.points
    )


def test_check_op_is_deterministic_and_leaves_the_global_random_alone():
    state = random.getstate()
    first = check_op(scaled_sin, points=5, seed=3)
    again = check_op(scaled_sin, points=5, seed=3)
    other = check_op(scaled_sin, points=5, seed=4)
    assert random.getstate() == state

    def values(result):
        return [[row.value for row in point.rows] for point in result.points]

    assert values(first) == values(again) != values(other)
    expected = random.Random(3)
    assert values(first)[0] == [expected.uniform(-3, 3), expected.uniform(-3, 3)]
    assert values(check_op(scaled_sin, points=5, seed=random.Random(3))) == values(first)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"domain": (3, -3)}, ValueError, r"finite with low < high, got \(3, -3\)"),
        ({"domain": (0, math.inf)}, ValueError, "finite with low < high"),
        ({"domain": "wide"}, TypeError, "domain must be a"),
        ({"domain": [(0, 1)] * 3}, ValueError, r"'scaled_sin' takes 2 argument\(s\), got 3 domains"),
        ({"points": 0}, ValueError, "points must be a positive int, got 0"),
        ({"seed": "s"}, TypeError, "seed must be an int or a random.Random"),
    ],
)
def test_check_op_rejects_bad_arguments_clearly(kwargs, error, message):
    with pytest.raises(error, match=message):
        check_op(scaled_sin, **kwargs)


def test_an_op_of_any_number_of_arguments_needs_one_domain_each():
    varargs = op("varargs_sum")(lambda *xs: (sum(xs), (1.0,) * len(xs)))
    with pytest.raises(ValueError, match="takes any number of arguments: give one domain per argument"):
        check_op(varargs)
    assert check_op(varargs, domain=[(-1, 1)] * 3, points=5)


# ---------------------------------------------------------------------------
# gradcheck_graph


def test_gradcheck_graph_checks_every_node_against_hand_computed_gradients():
    loss, expected = karpathy_example()
    result = gradcheck_graph(loss)
    assert result and result.checked == "node"
    assert [row.node for row in result.rows] == topological_order(loss)
    assert {row.label: row.analytic for row in result.rows} == expected
    assert {row.label: row.numeric for row in result.rows} == pytest.approx(expected, abs=1e-8)
    assert str(result).startswith("gradcheck_graph: all 7 nodes pass")


def test_gradcheck_graph_finds_and_names_a_corrupted_local_derivative():
    loss, _ = karpathy_example()
    d = loss.parents[0]
    e = d.parents[0]
    e.local_grads = (-3.0, 5.0)  # de/db should be a = 2
    loss.backward()
    result = gradcheck_graph(loss)
    assert not result
    failing = {row.label: row for row in result.failures}
    assert set(failing) == {"b", "e"}
    assert failing["b"].analytic == 5.0 * -2.0 and failing["b"].numeric == pytest.approx(-4.0)
    assert failing["e"].local_errors == ("local derivative for parent 1 (b) is 5, numerically 2",)
    assert "e " in str(result) and "local derivative for parent 1 (b) is 5" in str(result)


def test_gradcheck_graph_leaves_data_and_grads_as_they_were():
    loss, _ = karpathy_example()
    loss.backward()
    loss.backward()  # leaves accumulate: the check must not reset that
    nodes = topological_order(loss)
    before = [(n.data, n.grad, n.local_grads) for n in nodes]
    gradcheck_graph(loss)
    assert [(n.data, n.grad, n.local_grads) for n in nodes] == before


def test_gradcheck_graph_handles_shared_parents_constants_kinks_and_user_ops():
    x = Value(0.0, label="x")
    y = autograd.sum([x * x, x.relu(), scaled_sin(x, 2.0), 3.0])  # relu has a kink at 0
    result = gradcheck_graph(y)
    assert result, str(result)
    row_x = result.rows[0]
    assert row_x.label == "x" and not row_x.differentiable  # relu's kink shows at x
    assert row_x.analytic == 0.0 + 0.0 + 2.0  # 2x + relu'(0) + 2 cos(0)


def test_gradcheck_graph_names_a_broken_user_op_in_a_graph():
    x = Value(1.5, label="x")
    out = broken_square(x).tanh()
    result = gradcheck_graph(out)
    (bad_x, bad_square) = result.failures
    assert bad_x.node is x and bad_square.node is out.parents[0]
    assert bad_square.label == "#1"  # named as drawings and the walkthrough name it
    assert bad_square.local_errors == ("local derivative for parent 0 (x) is 1.5, numerically 3",)


def test_gradcheck_graph_is_iterative():
    depth = len(inspect.stack()) + 60
    x = Value(0.5, label="x")
    y = x
    for _ in range(150):
        y = (y * 1.01).tanh()  # 300 nodes, deeper than the recursion limit below
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth)
    try:
        result = gradcheck_graph(y)
    finally:
        sys.setrecursionlimit(limit)
    assert result and len(result.rows) == 301


def test_gradcheck_graph_wants_a_value():
    with pytest.raises(TypeError, match="gradcheck_graph takes a Value, got float"):
        gradcheck_graph(1.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# eps_sweep


def test_eps_sweep_shows_the_u_curve_of_exp_at_zero():
    sweep = eps_sweep(lambda x: x.exp(), 0.0)
    assert [point.eps for point in sweep] == [float(f"1e-{k}") for k in range(1, 13)]
    # The central difference of exp at 0 is sinh(eps)/eps = 1 + eps**2/6 + ...: pure truncation at first.
    assert sweep[0].error == pytest.approx(math.sinh(0.1) / 0.1 - 1, rel=1e-9)
    assert sweep[1].error == pytest.approx(math.sinh(0.01) / 0.01 - 1, rel=1e-4)
    assert sweep.analytic == 1.0
    errors = [point.error for point in sweep]
    assert errors[0] > errors[1] > errors[2] > errors[3]  # truncation falls as eps**2
    assert errors[-1] > 100 * min(errors)  # round-off rises as 1/eps
    assert 1e-7 <= sweep.best.eps <= 1e-4


def test_eps_sweep_rows_plot_directly_and_print_readably():
    sweep = eps_sweep(lambda x: x.sin(), 1.0, steps=[1e-1, 1e-3])
    eps, error = zip(*sweep)
    assert eps == (1e-1, 1e-3)
    # sin's central difference is cos(x) sin(eps)/eps: its error is cos(1) (1 - sin(eps)/eps).
    assert error == pytest.approx([math.cos(1) * (1 - math.sin(h) / h) for h in eps], rel=1e-6)
    lines = str(sweep).splitlines()
    assert lines[0] == f"analytic {math.cos(1.0)!r}"
    assert lines[1].split() == ["eps", "error"] and lines[2].split()[0] == "1e-01"
    assert repr(sweep).startswith("EpsSweep([SweepPoint(eps=0.1, error=")


def test_eps_sweep_rejects_bad_steps():
    with pytest.raises(ValueError, match=r"eps must be a finite number > 0, got -0\.1"):
        eps_sweep(lambda x: x, 1.0, steps=[-0.1])
    with pytest.raises(ValueError, match="at least one step size"):
        eps_sweep(lambda x: x, 1.0, steps=[])
