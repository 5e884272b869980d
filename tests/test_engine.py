"""The engine's API and backward semantics, checked against hand-computed numbers."""

import gc
import math
import threading
import tracemalloc
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import autograd
from autograd import Value, detect_anomaly, no_grad, recompute, topological_order

# ---------------------------------------------------------------------------
# Making Values


@pytest.mark.parametrize(
    "data", [3, 3.0, np.float64(3.0), np.float32(3.0), np.int64(3), np.int8(3), Fraction(3, 1)]
)
def test_value_stores_any_real_number_as_float(data):
    v = Value(data)
    assert type(v.data) is float
    assert v.data == 3.0


@pytest.mark.parametrize("data", [True, np.bool_(True), "3", None, 1 + 2j, Decimal("3"), [3.0]])
def test_value_rejects_non_real_data_naming_type_and_value(data):
    with pytest.raises(TypeError) as error:
        Value(data)
    assert type(data).__name__ in str(error.value)
    assert repr(data) in str(error.value)


def test_value_rejects_an_int_too_large_for_a_float():
    with pytest.raises(ValueError, match="fits in a float"):
        Value(10**400)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label must be a str, got int: 3"):
        Value(1.0, label=3)


def test_a_new_value_is_a_leaf_with_zero_grad():
    v = Value(2.5, label="x")
    assert (v.data, v.grad, v.label, v.op, v.parents, v.local_grads) == (2.5, 0.0, "x", "", (), ())
    assert type(v.grad) is float


def test_values_hash_and_compare_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert a == a
    assert len({a, b, a}) == 2


def test_repr_shows_data_grad_and_label():
    assert repr(Value(1.5, label="w")) == "Value(data=1.5, grad=0.0, label='w')"
    assert repr(Value(-2.0)) == "Value(data=-2.0, grad=0.0)"


def test_item_float_and_detach():
    y = Value(3.0) * 2
    assert y.item() == 6.0
    assert float(y) == 6.0
    d = y.detach()
    assert (d.data, d.parents, d.op, d.grad) == (6.0, (), "", 0.0)
    assert d is not y


# ---------------------------------------------------------------------------
# Nodes: parents, local derivatives, op names, folded constants


def test_parents_are_ordered_and_keep_repeats():
    a, b = Value(2.0), Value(5.0)
    assert (a + a).parents == (a, a)
    assert (b * a).parents == (b, a)
    assert (b * a).local_grads == (2.0, 5.0)


@pytest.mark.parametrize(
    "make, op, local_grads, data",
    [
        (lambda v: v * 3, "*3", (3.0,), 6.0),
        (lambda v: 3 * v, "*3", (3.0,), 6.0),
        (lambda v: v + 2, "+2", (1.0,), 4.0),
        (lambda v: 2 + v, "+2", (1.0,), 4.0),
        (lambda v: v - 0.5, "-0.5", (1.0,), 1.5),
        (lambda v: 5 - v, "5-", (-1.0,), 3.0),
        (lambda v: v / 4, "/4", (0.25,), 0.5),
        (lambda v: 8 / v, "8/", (-2.0,), 4.0),
        (lambda v: v**2, "**2", (4.0,), 4.0),
        (lambda v: v**0.5, "**0.5", (0.5 / math.sqrt(2),), math.sqrt(2)),
        (lambda v: 3**v, "3**", (9 * math.log(3),), 9.0),
        (lambda v: -v, "neg", (-1.0,), -2.0),
        (lambda v: abs(v), "abs", (1.0,), 2.0),
    ],
)
def test_a_plain_number_is_folded_into_the_op(make, op, local_grads, data):
    v = Value(2.0)
    out = make(v)
    assert out.parents == (v,)
    assert out.op == op
    assert out.data == pytest.approx(data, rel=1e-15)
    assert out.local_grads == pytest.approx(local_grads, rel=1e-15)


@pytest.mark.parametrize(
    "name, args, op", [("leaky_relu", (0.2,), "leaky_relu"), ("elu", (0.5,), "elu"), ("tanh", (), "tanh")]
)
def test_function_ops_are_named(name, args, op):
    assert getattr(Value(1.0), name)(*args).op == op


def test_a_folded_constant_shows_exactly_in_the_op_name():
    v = Value(1.0)
    assert (v * 1.0001).op == "*1.0001"
    assert (v + 0.1).op == "+0.1"
    assert (v * -3).op == "*-3"
    assert (v * 1e20).op == "*1e+20"


@pytest.mark.parametrize("other", ["2", None, [1.0], 1 + 1j, True])
def test_arithmetic_with_an_unsupported_operand_is_a_type_error(other):
    v = Value(1.0)
    for apply in (
        lambda: v + other,
        lambda: other + v,
        lambda: v * other,
        lambda: v - other,
        lambda: other - v,
        lambda: v / other,
        lambda: v**other,
    ):
        with pytest.raises(TypeError):
            apply()


def test_numpy_scalars_work_as_operands():
    v = Value(2.0)
    assert (v * np.float64(3.0)).data == 6.0
    assert (v + np.int64(1)).data == 3.0


def test_parameters_of_leaky_relu_and_elu_must_be_real():
    with pytest.raises(TypeError, match="negative_slope"):
        Value(1.0).leaky_relu("0.1")
    with pytest.raises(TypeError, match="alpha"):
        Value(1.0).elu(None)


# ---------------------------------------------------------------------------
# backward: PyTorch's accumulation semantics


def test_backward_twice_doubles_leaf_grads_but_not_interior_ones():
    x = Value(3.0)
    x2 = x * x
    y = x2 * x
    y.backward()
    assert (x.grad, x2.grad, y.grad) == (27.0, 3.0, 1.0)
    y.backward()
    assert x.grad == 54.0  # micrograd's bug gives 72 here
    assert (x2.grad, y.grad) == (3.0, 1.0)


def test_backward_seeds_with_the_given_grad():
    x = Value(2.0)
    y = x * x
    y.backward(grad=0.5)
    assert x.grad == 2.0
    assert y.grad == 0.5


def test_backward_rejects_a_non_number_seed():
    with pytest.raises(TypeError, match="backward"):
        Value(1.0).backward("1")


def test_backward_on_a_leaf_adds_grad_to_it():
    x = Value(2.0)
    x.backward()
    x.backward(3.0)
    assert x.grad == 4.0


def test_a_leaf_not_reached_keeps_its_grad():
    x, unused = Value(1.0), Value(5.0)
    unused.grad = 7.0
    (x * 2).backward()
    assert unused.grad == 7.0
    assert x.grad == 2.0


def test_backward_from_an_intermediate_node():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    c.backward()
    assert (a.grad, b.grad, c.grad) == (-3.0, 2.0, 1.0)
    assert d.grad == 0.0


def test_interior_grads_hold_the_latest_call_from_a_different_root():
    a = Value(2.0)
    b = a * 3
    c = b * 5
    c.backward()
    assert b.grad == 5.0
    b.backward()
    assert b.grad == 1.0
    assert a.grad == 15.0 + 3.0


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda a: a + a, 2.0),
        (lambda a: a * a, 6.0),  # a = 3
        (lambda a: a - a, 0.0),
        (lambda a: a / a, 0.0),
        (lambda a: (a + a) + (a + a), 4.0),
        (lambda a: a**a, 27 * (math.log(3) + 1)),
    ],
)
def test_a_value_used_twice_gets_both_contributions(build, expected):
    a = Value(3.0)
    build(a).backward()
    assert a.grad == pytest.approx(expected, rel=1e-15)


def test_b_equals_a_plus_a_then_c_equals_b_plus_b():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)


def test_shared_subexpression():
    x = Value(2.0)
    s = x * x  # used by both branches
    y = s.tanh() + s * 3
    y.backward()
    t = math.tanh(4.0)
    assert s.grad == pytest.approx((1 - t * t) + 3, rel=1e-15)
    assert x.grad == pytest.approx(((1 - t * t) + 3) * 4, rel=1e-15)


def test_one_leaf_in_two_graphs_accumulates_from_each():
    w = Value(2.0)
    (w * 3).backward()
    (w * w).backward()
    assert w.grad == 3.0 + 4.0


def test_a_sum_of_ten_thousand_uses_of_one_value():
    x = Value(0.5)
    total = x
    for _ in range(9_999):
        total = total + x
    total.backward()
    assert x.grad == 10_000.0
    s = autograd.sum([x] * 10_000)
    x.grad = 0.0
    s.backward()
    assert x.grad == 10_000.0


def test_a_million_node_chain_backpropagates_and_frees():
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 1_000_001
    del y  # must not overflow the C stack while freeing


def test_a_dropped_graph_is_freed_by_reference_counting_alone():
    x = Value(1.0)
    gc.collect()
    gc.disable()  # only reference counting may free it
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = x
        for _ in range(10_000):
            y = (y * 0.5).tanh() + x
        y.backward()
        held = tracemalloc.get_traced_memory()[0] - before
        del y
        left = tracemalloc.get_traced_memory()[0] - before
        cycles = gc.collect()
    finally:
        tracemalloc.stop()
        gc.enable()
    assert held > 100 * 30_000  # the graph (30,000 nodes) really was allocated
    # All of it went back when dropped (CPython keeps a few freed tuples on its free lists),
    # and no reference cycle was left for the garbage collector.
    assert left < held / 20
    assert cycles == 0


# ---------------------------------------------------------------------------
# topological_order


def test_topological_order_puts_parents_first_and_root_last():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d.tanh() * c
    order = topological_order(e)
    position = {node: i for i, node in enumerate(order)}
    assert order[-1] is e
    assert len(order) == len(set(order)) == 6
    for node in order:
        for parent in node.parents:
            assert position[parent] < position[node]


def test_topological_order_is_deterministic_and_follows_parent_order():
    def build():
        a, b = Value(1.0, label="a"), Value(2.0, label="b")
        return (a * b + b).relu()

    first = [v.label or v.op for v in topological_order(build())]
    assert first == [v.label or v.op for v in topological_order(build())]
    assert first == ["a", "b", "*", "+", "relu"]


def test_topological_order_of_a_diamond_where_a_sibling_needs_the_other():
    # p2 depends on p1; both are parents of top. p1 must come before p2.
    x = Value(1.0, label="x")
    p1 = x + 1
    p2 = p1 * 2
    top = p1 + p2
    order = topological_order(top)
    assert order.index(p1) < order.index(p2) < order.index(top)


def test_topological_order_rejects_a_non_value():
    with pytest.raises(TypeError, match="takes a Value, got float"):
        topological_order(1.0)


# ---------------------------------------------------------------------------
# n-ary ops


def test_sum_is_one_node_with_unit_local_grads():
    xs = [Value(float(i)) for i in range(5)]
    s = autograd.sum(xs)
    assert (s.data, s.op, s.parents, s.local_grads) == (10.0, "sum", tuple(xs), (1.0,) * 5)
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_sum_turns_numbers_into_constant_leaves_and_handles_empty():
    s = autograd.sum([Value(1.0), 2])
    assert s.data == 3.0
    assert s.parents[1].op == ""
    empty = autograd.sum([])
    assert type(empty) is float and empty == 0.0  # issue 10: the empty sum is a float


def test_dot_is_one_node_with_parents_xs_then_ys():
    xs = [Value(1.0), Value(2.0), Value(3.0)]
    ys = [Value(4.0), Value(-5.0), Value(6.0)]
    d = autograd.dot(xs, ys)
    assert d.data == 12.0
    assert d.op == "dot"
    assert d.parents == tuple(xs + ys)
    assert d.local_grads == (4.0, -5.0, 6.0, 1.0, 2.0, 3.0)
    d.backward()
    assert [v.grad for v in xs + ys] == [4.0, -5.0, 6.0, 1.0, 2.0, 3.0]


def test_dot_with_the_same_value_on_both_sides():
    x = Value(3.0)
    d = autograd.dot([x], [x])
    d.backward()
    assert (d.data, x.grad) == (9.0, 6.0)


def test_dot_of_lists_of_different_lengths_is_a_value_error():
    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        autograd.dot([Value(1.0)] * 2, [1.0, 2.0, 3.0])


# ---------------------------------------------------------------------------
# no_grad


def test_no_grad_makes_leaves_and_restores_recording():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
    assert (y.data, y.parents, y.local_grads, y.op) == (5.0, (), (), "")
    assert (x * x).parents == (x, x)


def test_no_grad_nests():
    x = Value(2.0)
    with no_grad():
        with no_grad():
            pass
        assert (x * 2).parents == ()
    assert (x * 2).parents == (x,)


def test_no_grad_as_a_decorator():
    @no_grad()
    def double(v):
        return v * 2

    assert double(Value(1.0)).parents == ()


def test_no_grad_is_thread_local():
    x = Value(1.0)
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def other_thread():
        inside.wait()
        seen["parents"] = (x * 2).parents
        release.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with no_grad():
        inside.set()
        release.wait()
    t.join()
    assert seen["parents"] == (x,)


def test_no_grad_restores_recording_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("inside no_grad")
    assert (Value(1.0) * 2).parents != ()


# ---------------------------------------------------------------------------
# detect_anomaly


def test_detect_anomaly_names_the_op_inputs_and_labels_in_forward():
    x = Value(-1.0, label="x")
    with detect_anomaly(), pytest.raises(FloatingPointError) as error:
        x.sqrt()
    assert str(error.value) == "sqrt produced nan from input x=-1.0"


def test_detect_anomaly_for_a_binary_op():
    a, b = Value(1.0, label="a"), Value(0.0, label="b")
    with (
        detect_anomaly(),
        pytest.raises(FloatingPointError, match=r"/ produced inf from inputs a=1.0, b=0.0"),
    ):
        a / b


def test_detect_anomaly_in_backward_names_the_op_and_input():
    x = Value(0.0, label="x")
    y = x.sqrt()  # forward is fine (0.0); its local derivative is inf
    y.label = "y"
    with detect_anomaly(), pytest.raises(FloatingPointError) as error:
        y.backward()
    message = str(error.value)
    assert "backward through sqrt" in message
    assert "x=0.0" in message
    assert "inf" in message


def test_without_detect_anomaly_nan_flows_silently():
    assert math.isnan(Value(-1.0).sqrt().data)


def test_detect_anomaly_is_thread_local():
    found = {}

    def other():
        found["data"] = Value(-1.0).log().data

    with detect_anomaly():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert math.isnan(found["data"])


# ---------------------------------------------------------------------------
# recompute


def test_recompute_gives_an_ops_value_for_new_parent_values():
    x, y = Value(2.0), Value(3.0)
    assert recompute(x * y, [4.0, 5.0]) == 20.0
    assert recompute(x - 1, [10.0]) == 9.0
    assert recompute(7 - x, [10.0]) == -3.0
    assert recompute(x.leaky_relu(0.5), [-2.0]) == -1.0
    assert recompute(autograd.dot([x], [y])) == 6.0


def test_recompute_of_a_leaf_or_with_wrong_count_is_a_value_error():
    with pytest.raises(ValueError, match="is a leaf"):
        recompute(Value(1.0))
    with pytest.raises(ValueError, match="takes 2 parent values, got 1"):
        recompute(Value(1.0) * Value(2.0), [1.0])


# ---------------------------------------------------------------------------
# micrograd's published tests, with its numbers (which match PyTorch)


def test_micrograd_sanity_check():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert (y.data, x.grad) == (-20.0, 46.0)


def test_micrograd_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-14)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-14)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-14)
