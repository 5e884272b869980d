"""Every op's value and gradient against independent references.

Values are checked against textbook formulas, gradients against central finite
differences of those formulas (Hypothesis picks the points), and random
expression trees against symbolic derivatives from sympy.
"""

import math

import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd
from autograd import Value
from tests import references as ref
from tests.strategies import away_from_kink, moderate, nonzero, positive

# (name, engine op, reference function, strategy for x)
UNARY = [
    ("exp", lambda v: v.exp(), math.exp, moderate),
    ("log", lambda v: v.log(), math.log, positive),
    ("sqrt", lambda v: v.sqrt(), math.sqrt, positive),
    ("tanh", lambda v: v.tanh(), math.tanh, moderate),
    ("sigmoid", lambda v: v.sigmoid(), ref.sigmoid, moderate),
    ("softplus", lambda v: v.softplus(), ref.softplus, moderate),
    ("sin", lambda v: v.sin(), math.sin, moderate),
    ("cos", lambda v: v.cos(), math.cos, moderate),
    ("relu", lambda v: v.relu(), ref.relu, away_from_kink),
    ("leaky_relu", lambda v: v.leaky_relu(0.1), lambda x: ref.leaky_relu(x, 0.1), away_from_kink),
    ("elu", lambda v: v.elu(0.7), lambda x: ref.elu(x, 0.7), away_from_kink),
    ("abs", lambda v: abs(v), abs, away_from_kink),
    ("neg", lambda v: -v, lambda x: -x, moderate),
    ("square", lambda v: v**2, lambda x: x * x, moderate),
    ("cube", lambda v: v**3, lambda x: x**3, moderate),
    ("power -1.5", lambda v: v**-1.5, lambda x: x**-1.5, positive),
    ("rpow", lambda v: 1.7**v, lambda x: 1.7**x, moderate),
    ("reciprocal", lambda v: 2 / v, lambda x: 2 / x, nonzero),
    ("add const", lambda v: v + 3.5, lambda x: x + 3.5, moderate),
    ("sub const", lambda v: 3.5 - v, lambda x: 3.5 - x, moderate),
    ("mul const", lambda v: v * -2.5, lambda x: x * -2.5, moderate),
    ("div const", lambda v: v / 3, lambda x: x / 3, moderate),
]


@pytest.mark.parametrize(("build", "reference", "xs"), [u[1:] for u in UNARY], ids=[u[0] for u in UNARY])
@given(data=st.data())
def test_unary_op_matches_reference_and_finite_difference(build, reference, xs, data):
    x = data.draw(xs)
    v = Value(x)
    out = build(v)
    out.backward()
    assert out.data == pytest.approx(reference(x), rel=1e-12, abs=1e-300)
    assert v.grad == pytest.approx(ref.central_difference(reference, x), rel=1e-6, abs=1e-8)


BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, moderate, moderate),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, moderate, moderate),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, moderate, moderate),
    ("div", lambda a, b: a / b, lambda a, b: a / b, moderate, nonzero),
    ("pow", lambda a, b: a**b, lambda a, b: a**b, positive.filter(lambda a: a < 5), moderate),
]


@pytest.mark.parametrize(
    ("build", "reference", "as_", "bs"), [b[1:] for b in BINARY], ids=[b[0] for b in BINARY]
)
@given(data=st.data())
def test_binary_op_matches_reference_and_finite_differences(build, reference, as_, bs, data):
    a, b = data.draw(as_), data.draw(bs)
    va, vb = Value(a), Value(b)
    out = build(va, vb)
    out.backward()
    assert out.data == pytest.approx(reference(a, b), rel=1e-12)
    assert va.grad == pytest.approx(ref.partial_difference(reference, [a, b], 0), rel=1e-6, abs=1e-8)
    assert vb.grad == pytest.approx(ref.partial_difference(reference, [a, b], 1), rel=1e-6, abs=1e-8)


@given(xs=st.lists(moderate, min_size=1, max_size=8), data=st.data())
def test_sum_and_dot_match_finite_differences(xs, data):
    ys = data.draw(st.lists(moderate, min_size=len(xs), max_size=len(xs)))
    vx, vy = [Value(x) for x in xs], [Value(y) for y in ys]
    out = autograd.dot(vx, vy) + autograd.sum(vx)
    out.backward()

    def reference(*args):
        n = len(xs)
        return sum(a * b for a, b in zip(args[:n], args[n:])) + sum(args[:n])

    args = xs + ys
    assert out.data == pytest.approx(reference(*args), rel=1e-12, abs=1e-12)
    for i, v in enumerate(vx + vy):
        assert v.grad == pytest.approx(ref.partial_difference(reference, args, i), rel=1e-6, abs=1e-7)


# ---------------------------------------------------------------------------
# Random expression trees against sympy's symbolic derivatives

SYMBOLS = sympy.symbols("x y z")

# (engine op, sympy op); smooth ops only, so sympy's derivative is defined everywhere used.
UNARY_SYMBOLIC = [
    (lambda v: v.exp(), sympy.exp),
    (lambda v: v.log(), sympy.log),
    (lambda v: v.sqrt(), sympy.sqrt),
    (lambda v: v.tanh(), sympy.tanh),
    (lambda v: v.sigmoid(), lambda e: 1 / (1 + sympy.exp(-e))),
    (lambda v: v.softplus(), lambda e: sympy.log(1 + sympy.exp(e))),
    (lambda v: v.sin(), sympy.sin),
    (lambda v: v.cos(), sympy.cos),
    (lambda v: -v, lambda e: -e),
    (lambda v: v**2, lambda e: e**2),
    (lambda v: v**-1, lambda e: e**-1),
    (lambda v: 2**v, lambda e: 2**e),
    (lambda v: v * 1.5 + 0.25, lambda e: e * sympy.Rational(3, 2) + sympy.Rational(1, 4)),
    (lambda v: 3 - v, lambda e: 3 - e),
    (lambda v: 2 / v, lambda e: 2 / e),
]
BINARY_SYMBOLIC = [
    (lambda a, b: a + b, lambda a, b: a + b),
    (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b),
    (lambda a, b: a / b, lambda a, b: a / b),
    (lambda a, b: a**b, lambda a, b: a**b),
    (lambda a, b: autograd.dot([a, b], [b, a]), lambda a, b: 2 * a * b),
    (lambda a, b: autograd.sum([a, b, a]), lambda a, b: 2 * a + b),
]

trees = st.recursive(
    st.sampled_from([0, 1, 2]),  # a leaf: the index of a variable
    lambda children: st.one_of(
        st.tuples(st.sampled_from(range(len(UNARY_SYMBOLIC))), children),
        st.tuples(st.sampled_from(range(len(BINARY_SYMBOLIC))), children, children),
    ),
    max_leaves=6,
)


def build(tree, leaves, engine):
    if isinstance(tree, int):
        return leaves[tree]
    table = UNARY_SYMBOLIC if len(tree) == 2 else BINARY_SYMBOLIC
    op = table[tree[0]][0 if engine else 1]
    return op(*(build(child, leaves, engine) for child in tree[1:]))


def sympy_case(tree, point):
    """`tree` built on leaves at `point` and in sympy: (leaves, out, scale, expression, at).

    Hypothesis drops the cases where the floats, not the engine, are the limit.
    """
    leaves = [Value(p) for p in point]
    out = build(tree, leaves, engine=True)
    # Rounding in a large intermediate (sin of 8.5**8.5, say) is the float's limit, not a bug:
    # keep intermediates moderate and scale the absolute tolerance by the largest one.
    order = autograd.topological_order(out)
    scale = max(abs(node.data) for node in order)
    assume(scale < 1e3)
    # Where a local derivative is infinite (sqrt at 0 in sqrt(x - x)), the chain rule gives
    # inf - inf = nan, as in PyTorch, while sympy simplifies first: no reference there.
    assume(all(math.isfinite(g) for node in order for g in node.local_grads))
    expression = build(tree, list(SYMBOLS), engine=False)
    # The floats' own values, to 60 digits: x - x is exactly 0, and powers stay numbers (exact
    # rationals can make sympy build integers with millions of digits).
    at = dict(zip(SYMBOLS, [sympy.Float(p, 60) for p in point]))
    return leaves, out, scale, expression, at


@given(tree=trees, point=st.tuples(positive, positive, positive))
def test_random_expressions_match_sympy(tree, point):
    leaves, out, scale, expression, at = sympy_case(tree, point)
    out.backward()
    exact = symbolic_value(expression, at)
    assume(exact is not None)
    assert out.data == pytest.approx(exact, rel=1e-9, abs=1e-13 * scale)
    for symbol, leaf in zip(SYMBOLS, leaves):
        derivative = symbolic_value(sympy.diff(expression, symbol), at)
        assume(derivative is not None and abs(derivative) < 1e8)
        assert leaf.grad == pytest.approx(derivative, rel=1e-7, abs=1e-10 * scale)


def symbolic_value(expression, at):
    """The real value of `expression` at `at` to 30 digits, or None where it is not a real number."""
    try:
        value = complex(expression.subs(at).evalf(30))
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    return value.real if value.imag == 0 and math.isfinite(value.real) else None
