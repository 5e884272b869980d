"""Losses and penalties: PyTorch float64 constants, hand-computed values, finite differences."""

import math

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value
from tests import references as ref
from tests.strategies import moderate


def gradients(loss_fn, xs, *args, **kwargs):
    """The loss value and its gradient with respect to the float inputs `xs`."""
    values = [Value(x) for x in xs]
    loss = loss_fn(values, *args, **kwargs)
    loss.backward()
    return loss.data, [v.grad for v in values]


def numeric_gradient(f, xs):
    return [ref.partial_difference(lambda *args: f(list(args)), list(xs), i) for i in range(len(xs))]


# ---------------------------------------------------------------------------
# cross_entropy


def test_cross_entropy_matches_pytorch_float64():
    loss, grads = gradients(nn.cross_entropy, [1.0, 2.0, 3.0], 2)
    assert loss == 0.4076059644443804
    assert grads == [0.09003057317038043, 0.24472847105479764, -0.3347590442251782]


@pytest.mark.parametrize(
    ("target", "value", "grads"),
    [(0, 0.0, [0.0, 0.0, 0.0]), (1, 1000.0, [1.0, -1.0, 0.0]), (2, 2000.0, [1.0, 0.0, -1.0])],
)
def test_cross_entropy_is_finite_and_exact_for_huge_logits(target, value, grads):
    assert gradients(nn.cross_entropy, [1000.0, 0.0, -1000.0], target) == (value, grads)


def reference_cross_entropy(logits, target):
    return math.log(sum(math.exp(z) for z in logits)) - logits[target]


@given(st.lists(moderate, min_size=2, max_size=5), st.data())
def test_cross_entropy_against_the_textbook_formula_and_finite_differences(logits, data):
    target = data.draw(st.integers(0, len(logits) - 1))
    loss, grads = gradients(nn.cross_entropy, logits, target)
    assert loss == pytest.approx(reference_cross_entropy(logits, target), rel=1e-12, abs=1e-12)
    expected = numeric_gradient(lambda z: reference_cross_entropy(z, target), logits)
    assert grads == pytest.approx(expected, rel=1e-6, abs=1e-8)


def test_cross_entropy_of_a_batch_is_the_mean_over_samples():
    logits = [[1.0, 2.0, 3.0], [0.5, -0.5, 0.0]]
    values = [[Value(z) for z in row] for row in logits]
    loss = nn.cross_entropy(values, [2, 0])
    expected = (reference_cross_entropy(logits[0], 2) + reference_cross_entropy(logits[1], 0)) / 2
    assert loss.data == pytest.approx(expected, rel=1e-14)
    loss.backward()
    assert values[0][0].grad == pytest.approx(0.09003057317038043 / 2, rel=1e-14)
    total = nn.cross_entropy(logits, [2, 0], reduction="sum").data
    assert total == pytest.approx(2 * expected, rel=1e-14)


def test_cross_entropy_is_one_node_per_sample():
    loss = nn.cross_entropy([Value(1.0), Value(2.0)], 0)
    assert loss.op == "cross_entropy" and len(loss.parents) == 2


@pytest.mark.parametrize(
    ("target", "message"), [(3, "target class 3 is out of range for 3 logits"), (-1, "-1")]
)
def test_cross_entropy_target_out_of_range(target, message):
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy([1.0, 2.0, 3.0], target)


@pytest.mark.parametrize("target", [1.0, True, "1", [1]])
def test_cross_entropy_target_must_be_a_class_index(target):
    with pytest.raises(TypeError, match="class index"):
        nn.cross_entropy([1.0, 2.0, 3.0], target)


def test_cross_entropy_batch_needs_one_target_per_sample():
    with pytest.raises(ValueError, match="2 samples need 2 targets"):
        nn.cross_entropy([[1.0, 2.0], [3.0, 4.0]], [0])


# ---------------------------------------------------------------------------
# mse_loss, l1_loss


def test_mse_loss_hand_computed():
    loss, grads = gradients(nn.mse_loss, [1.0, 3.0], [0.0, 1.0])
    assert loss == 2.5  # (1 + 4) / 2
    assert grads == [1.0, 2.0]  # 2 (x - t) / n
    assert gradients(nn.mse_loss, [1.0, 3.0], [0.0, 1.0], reduction="sum") == (5.0, [2.0, 4.0])


def test_l1_loss_hand_computed_with_zero_gradient_where_equal():
    loss, grads = gradients(nn.l1_loss, [1.0, -3.0, 2.0, 0.5], [0.0, 1.0, 2.0, 0.0])
    assert loss == (1 + 4 + 0 + 0.5) / 4
    assert grads == [0.25, -0.25, 0.0, 0.25]


def test_a_single_sample_and_nested_outputs():
    x = Value(3.0)
    assert nn.mse_loss(x, 1.0).data == 4.0
    assert nn.mse_loss(2.0, 1.0).data == 1.0  # plain numbers are constants
    nested = nn.mse_loss([[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]], [[0.0, 0.0], [0.0, 0.0]])
    assert nested.data == (1 + 4 + 9 + 16) / 4


@given(st.lists(moderate, min_size=1, max_size=4), st.data())
def test_mse_and_l1_against_finite_differences(xs, data):
    ts = data.draw(st.lists(moderate, min_size=len(xs), max_size=len(xs)))
    for loss_fn, term in ((nn.mse_loss, lambda x, t: (x - t) ** 2), (nn.l1_loss, lambda x, t: abs(x - t))):
        loss, grads = gradients(loss_fn, xs, ts)

        def reference(values, term=term):
            return sum(term(x, t) for x, t in zip(values, ts)) / len(ts)

        assert loss == pytest.approx(reference(xs), rel=1e-12, abs=1e-12)
        if all(abs(x - t) > 1e-3 for x, t in zip(xs, ts)):  # away from l1's kink
            assert grads == pytest.approx(numeric_gradient(reference, xs), rel=1e-5, abs=1e-7)


# ---------------------------------------------------------------------------
# binary_cross_entropy


def test_bce_matches_pytorch_float64():
    assert nn.binary_cross_entropy(Value(0.7), 1.0).data == 0.35667494393873245
    assert nn.binary_cross_entropy(Value(0.7), 0.0).data == pytest.approx(1.2039728043259361, rel=1e-15)


@pytest.mark.parametrize(("p", "t"), [(1.0, 0.0), (0.0, 1.0)])
def test_bce_clamps_each_log_at_minus_100_with_zero_gradient(p, t):
    x = Value(p)
    loss = nn.binary_cross_entropy(x, t)
    loss.backward()
    assert loss.data == 100.0
    assert x.grad == 0.0


def test_bce_with_a_soft_target_at_the_clamp():
    x = Value(1.0)
    loss = nn.binary_cross_entropy(x, 0.5)  # 0.5 * 100 from the clamped log(1 - p)
    loss.backward()
    assert loss.data == 50.0
    assert x.grad == -0.5  # only -t/p is left


@given(st.floats(0.02, 0.98), st.floats(0.0, 1.0))
def test_bce_against_the_formula_and_finite_differences(p, t):
    def reference(ps):
        return -(t * math.log(ps[0]) + (1 - t) * math.log(1 - ps[0]))

    loss, grads = gradients(nn.binary_cross_entropy, [p], [t])
    assert loss == pytest.approx(reference([p]), rel=1e-12, abs=1e-14)
    assert grads == pytest.approx(numeric_gradient(reference, [p]), rel=1e-5, abs=1e-8)


def exactly(f):
    """`f` evaluated in 60-digit arithmetic, rounded once to a float."""
    with mpmath.workdps(60):
        return float(f())


def within_ulps(value, exact, ulps=4):
    return abs(value - exact) <= ulps * math.ulp(exact)


@pytest.mark.parametrize("p", [1e-10, 1e-17, 3e-300, 0.25])
def test_bce_of_a_small_probability_with_target_0_is_exact(p):
    loss, grads = gradients(nn.binary_cross_entropy, [p], [0.0])
    assert within_ulps(loss, exactly(lambda: -mpmath.log1p(-mpmath.mpf(p))))
    assert within_ulps(grads[0], exactly(lambda: 1 / (1 - mpmath.mpf(p))))


def test_bce_gradient_near_1_is_exact_where_pytorch_clamps_p_times_1_minus_p():
    p = 1 - 1e-13  # PyTorch divides by max(p (1 - p), 1e-12) and gives 1.0000000039957e12
    _, grads = gradients(nn.binary_cross_entropy, [p], [0.0])
    assert within_ulps(grads[0], exactly(lambda: 1 / (1 - mpmath.mpf(p))))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_bce_refuses_probabilities_outside_0_1(p):
    with pytest.raises(ValueError, match=f"probabilities in \\[0, 1\\], got {p}"):
        nn.binary_cross_entropy(Value(p), 1.0)


# ---------------------------------------------------------------------------
# binary_cross_entropy_with_logits


def test_bce_with_logits_is_exact_at_zero():
    loss, grads = gradients(nn.binary_cross_entropy_with_logits, [0.0], [1.0])
    assert loss == math.log(2)
    assert grads == [-0.5]


@pytest.mark.parametrize(
    ("x", "t", "value", "grad"),
    [
        (1000.0, 1.0, 0.0, 0.0),
        (1000.0, 0.0, 1000.0, 1.0),
        (-1000.0, 1.0, 1000.0, -1.0),
        (-1000.0, 0.0, 0.0, 0.0),
    ],
)
def test_bce_with_logits_is_stable_for_huge_logits(x, t, value, grad):
    assert gradients(nn.binary_cross_entropy_with_logits, [x], [t]) == (value, [grad])


@given(moderate, st.floats(0.0, 1.0))
def test_bce_with_logits_equals_bce_of_the_sigmoid(x, t):
    def reference(xs):
        p = ref.sigmoid(xs[0])
        return -(t * math.log(p) + (1 - t) * math.log(1 - p))

    loss, grads = gradients(nn.binary_cross_entropy_with_logits, [x], [t])
    assert loss == pytest.approx(reference([x]), rel=1e-9, abs=1e-12)
    assert grads == pytest.approx([ref.sigmoid(x) - t], rel=1e-12, abs=1e-15)


def exact_bce_with_logits(x, t):
    x, t = mpmath.mpf(x), mpmath.mpf(t)
    return exactly(lambda: t * mpmath.log1p(mpmath.exp(-x)) + (1 - t) * mpmath.log1p(mpmath.exp(x)))


def exact_sigmoid_minus(x, t):
    # sigmoid(x) - t as (1 - t) sigmoid(x) - t sigmoid(-x): no 1 + exp(-700) to lose digits in
    x, t = mpmath.mpf(x), mpmath.mpf(t)
    return exactly(lambda: (1 - t) / (1 + mpmath.exp(-x)) - t / (1 + mpmath.exp(x)))


@pytest.mark.parametrize(
    ("x", "t"), [(25.0, 1.0), (40.0, 1.0), (700.0, 1.0), (-700.0, 0.0), (-36.5, 0.0), (30.0, 0.999)]
)
def test_bce_with_logits_of_a_confidently_right_logit_is_exact(x, t):
    loss, grads = gradients(nn.binary_cross_entropy_with_logits, [x], [t])
    assert within_ulps(loss, exact_bce_with_logits(x, t))
    assert within_ulps(grads[0], exact_sigmoid_minus(x, t))


@given(st.floats(-700.0, 700.0), st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
def test_bce_with_logits_is_within_4_ulps_of_the_exact_loss(x, t):
    loss, grads = gradients(nn.binary_cross_entropy_with_logits, [x], [t])
    assert within_ulps(loss, exact_bce_with_logits(x, t))
    exact_grad = exact_sigmoid_minus(x, t)
    if t in (0.0, 1.0):  # one term only: the gradient is exact relative to itself
        assert within_ulps(grads[0], exact_grad)
    else:  # sigmoid(x) - t cancels: exact to the rounding of the larger term
        assert abs(grads[0] - exact_grad) <= 4 * math.ulp(1.0)


# ---------------------------------------------------------------------------
# hinge_loss


def test_hinge_loss_is_micrograds_max_margin():
    loss, grads = gradients(nn.hinge_loss, [2.0, 0.5, -0.25], [1, -1, 1])
    assert loss == (0.0 + 1.5 + 1.25) / 3  # relu(1 - y * score)
    assert grads == pytest.approx([0.0, 1 / 3, -1 / 3], rel=1e-15)


def test_hinge_loss_has_zero_gradient_on_the_margin():
    assert gradients(nn.hinge_loss, [1.0], [1]) == (0.0, [0.0])


@pytest.mark.parametrize("label", [0, 2, 0.5])
def test_hinge_loss_labels_must_be_plus_or_minus_one(label):
    with pytest.raises(ValueError, match=f"labels must be \\+1 or -1, got {float(label)!r}"):
        nn.hinge_loss([Value(1.0)], [label])


# ---------------------------------------------------------------------------
# Penalties


def test_l1_and_l2_penalties():
    ps = [Value(-2.0), Value(3.0), Value(0.0)]
    l1 = nn.l1_penalty(ps)
    l1.backward()
    assert l1.data == 5.0
    assert [p.grad for p in ps] == [-1.0, 1.0, 0.0]
    ps = [Value(-2.0), Value(3.0)]
    l2 = nn.l2_penalty(ps)
    l2.backward()
    assert l2.data == 13.0
    assert [p.grad for p in ps] == [-4.0, 6.0]
    assert l2.op == "dot"  # one node, however many parameters


@pytest.mark.parametrize("penalty", [nn.l1_penalty, nn.l2_penalty])
def test_penalties_of_no_parameters_are_a_float_zero(penalty):
    value = penalty([])
    assert type(value) is float and value == 0.0


def test_penalties_take_model_parameters_and_only_values():
    model = nn.MLP(2, [3, 1])
    assert nn.l2_penalty(model.parameters()).data == pytest.approx(sum(p.data**2 for p in model.parameters()))
    with pytest.raises(TypeError, match="item 1 is not a Value"):
        nn.l2_penalty([Value(1.0), 2.0])
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        nn.l1_penalty(model)


# ---------------------------------------------------------------------------
# Shared behaviour: reductions, one sum node, bad arguments

LOSSES = [
    nn.mse_loss,
    nn.l1_loss,
    nn.binary_cross_entropy,
    nn.binary_cross_entropy_with_logits,
    nn.hinge_loss,
]


@pytest.mark.parametrize("loss_fn", [*LOSSES, nn.cross_entropy])
def test_unknown_reduction_lists_the_valid_ones(loss_fn):
    with pytest.raises(ValueError, match=r"unknown reduction 'none'; expected one of \['mean', 'sum'\]"):
        loss_fn([Value(0.5)], [1], reduction="none")


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_a_batch_is_one_sum_node_and_the_mean_divides_it(loss_fn):
    outputs = [Value(0.25) for _ in range(10)]
    loss = loss_fn(outputs, [1] * 10)
    assert loss.op == "/10"
    assert loss.parents[0].op == "sum" and len(loss.parents[0].parents) == 10
    assert loss_fn(outputs, [1] * 10, reduction="sum").op == "sum"


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_lengths_that_differ_are_named(loss_fn):
    with pytest.raises(ValueError, match="2 outputs but 3 targets"):
        loss_fn([Value(0.5), Value(0.5)], [1, 1, 1])
    with pytest.raises(ValueError, match="differ in shape"):
        loss_fn([Value(0.5), Value(0.5)], 1)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_an_empty_batch_is_refused(loss_fn):
    with pytest.raises(ValueError, match="empty batch"):
        loss_fn([], [])


@pytest.mark.parametrize("target", ["1", None, True])
def test_targets_must_be_numbers(target):
    with pytest.raises(TypeError, match="target"):
        nn.mse_loss(Value(1.0), target)
