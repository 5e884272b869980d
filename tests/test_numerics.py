"""IEEE semantics: the README's table, one test per row, with PyTorch float64's numbers."""

import math

import pytest

from autograd import Value

inf, nan = math.inf, math.nan


def value_and_grad(build, x):
    v = Value(x)
    out = build(v)
    out.backward()
    return out.data, v.grad


def same(a, b):
    """Equal floats, counting nan as equal to nan and telling -0.0 from 0.0 apart is not needed."""
    return (math.isnan(a) and math.isnan(b)) or a == b


# (name, op, input, value, gradient): each value and gradient checked against PyTorch float64.
TABLE = [
    ("exp(710) overflows to inf", lambda v: v.exp(), 710.0, inf, inf),
    ("log(0) is -inf with gradient inf", lambda v: v.log(), 0.0, -inf, inf),
    ("log(-1) is nan", lambda v: v.log(), -1.0, nan, -1.0),
    ("sqrt(-1) is nan", lambda v: v.sqrt(), -1.0, nan, nan),
    ("sqrt'(0) is inf", lambda v: v.sqrt(), 0.0, 0.0, inf),
    ("1/0 is inf", lambda v: 1 / v, 0.0, inf, -inf),
    ("1/-0.0 is -inf", lambda v: 1 / v, -0.0, -inf, -inf),
    ("(-8)**(1/3) is nan, never complex", lambda v: v ** (1 / 3), -8.0, nan, nan),
    ("0.0**-1 is inf", lambda v: v**-1, 0.0, inf, -inf),
    ("10**400 overflows to inf", lambda v: v**400, 10.0, inf, inf),
    ("(-10)**401 overflows to -inf", lambda v: v**401, -10.0, -inf, inf),
    ("sigmoid(1000) is 1 with gradient 0", lambda v: v.sigmoid(), 1000.0, 1.0, 0.0),
    ("sigmoid(-1000) is 0 with gradient 0", lambda v: v.sigmoid(), -1000.0, 0.0, 0.0),
    ("tanh(1000) is 1 with gradient 0", lambda v: v.tanh(), 1000.0, 1.0, 0.0),
    ("tanh(-1000) is -1 with gradient 0", lambda v: v.tanh(), -1000.0, -1.0, 0.0),
    ("softplus(1000) is 1000 with gradient 1", lambda v: v.softplus(), 1000.0, 1000.0, 1.0),
    ("softplus(-1000) is 0 with gradient 0", lambda v: v.softplus(), -1000.0, 0.0, 0.0),
    ("softplus(0) is ln 2 with gradient 1/2", lambda v: v.softplus(), 0.0, math.log(2), 0.5),
    ("relu'(0) is 0", lambda v: v.relu(), 0.0, 0.0, 0.0),
    ("relu(nan) is nan", lambda v: v.relu(), nan, nan, 1.0),
    ("sqrt(relu(x)) at -1: relu sends 0 whatever arrives", lambda v: v.relu().sqrt(), -1.0, 0.0, 0.0),
    ("sqrt(x**0 - 1) at 3: x**0 sends 0 whatever arrives", lambda v: (v**0 - 1).sqrt(), 3.0, 0.0, 0.0),
    ("sqrt(x * 0) at 1: other ops keep 0 * inf = nan", lambda v: (v * 0).sqrt(), 1.0, 0.0, nan),
    ("elu(nan) is nan with gradient 1", lambda v: v.elu(), nan, nan, 1.0),
    ("abs'(0) is 0", lambda v: abs(v), 0.0, 0.0, 0.0),
    ("abs(nan) is nan with gradient 0", lambda v: v.abs(), nan, nan, 0.0),
    ("leaky_relu'(0) is negative_slope", lambda v: v.leaky_relu(0.01), 0.0, 0.0, 0.01),
    ("elu'(0) is alpha", lambda v: v.elu(1.5), 0.0, 0.0, 1.5),
    ("elu(-1000) is -alpha with gradient 0", lambda v: v.elu(), -1000.0, -1.0, 0.0),
    ("d/dx x**0 is 0 at 0", lambda v: v**0, 0.0, 1.0, 0.0),
    ("d/dx x**0 is 0 at 2", lambda v: v**0, 2.0, 1.0, 0.0),
    ("(-2)**3 is -8 with gradient 12", lambda v: v**3, -2.0, -8.0, 12.0),
    ("x**0.5 at 0 has gradient inf", lambda v: v**0.5, 0.0, 0.0, inf),
    ("sin(inf) is nan", lambda v: v.sin(), inf, nan, nan),
    ("cos(inf) is nan", lambda v: v.cos(), inf, nan, nan),
    ("2**x overflows to inf", lambda v: 2**v, 2000.0, inf, inf),
    ("0**x at 0 has gradient 0", lambda v: 0**v, 0.0, 1.0, 0.0),
    ("0**x at -1 has gradient -inf", lambda v: 0**v, -1.0, inf, -inf),
    ("(-2)**x has gradient nan", lambda v: (-2) ** v, 3.0, -8.0, nan),
]


@pytest.mark.parametrize(
    ("build", "x", "value", "grad"), [row[1:] for row in TABLE], ids=[r[0] for r in TABLE]
)
def test_ieee_semantics(build, x, value, grad):
    got_value, got_grad = value_and_grad(build, x)
    assert same(got_value, value), got_value
    assert same(got_grad, grad), got_grad


# (a, b, a / b, d/da, d/db), from PyTorch float64
DIVISIONS = [
    (1.0, 0.0, inf, inf, -inf),
    (0.0, 0.0, nan, inf, nan),
    (-1.0, 0.0, -inf, inf, inf),
    (6.0, -3.0, -2.0, -1 / 3, -2 / 3),
]


@pytest.mark.parametrize(("a", "b", "q", "da", "db"), DIVISIONS)
def test_division_of_two_values(a, b, q, da, db):
    x, y = Value(a), Value(b)
    out = x / y
    out.backward()
    assert same(out.data, q)
    assert same(x.grad, da)
    assert same(y.grad, db)


# (a, b, a ** b, d/da, d/db): d/db is a**b ln a for a > 0; at a = 0, 0 for b >= 0 and -inf for b < 0.
POWERS = [
    (2.0, 3.0, 8.0, 12.0, 8 * math.log(2)),
    (0.0, 2.0, 0.0, 0.0, 0.0),
    (0.0, 0.0, 1.0, 0.0, 0.0),
    (0.0, -1.0, inf, -inf, -inf),
    (0.0, 0.5, 0.0, inf, 0.0),
    (-2.0, 3.0, -8.0, 12.0, nan),
    (-8.0, 1 / 3, nan, nan, nan),
]


@pytest.mark.parametrize(("a", "b", "p", "da", "db"), POWERS)
def test_power_of_two_values(a, b, p, da, db):
    x, y = Value(a), Value(b)
    out = x**y
    out.backward()
    assert same(out.data, p)
    assert x.grad == pytest.approx(da, rel=1e-15, nan_ok=True)
    assert y.grad == pytest.approx(db, rel=1e-15, nan_ok=True)


def test_no_op_raises_on_extreme_inputs():
    ops = [
        lambda v: v.exp(),
        lambda v: v.log(),
        lambda v: v.sqrt(),
        lambda v: v.tanh(),
        lambda v: v.sigmoid(),
        lambda v: v.softplus(),
        lambda v: v.elu(),
        lambda v: v.sin(),
        lambda v: v.cos(),
        lambda v: v**-2.5,
        lambda v: 1 / v,
        lambda v: v / 0,
        lambda v: 0 / v,
        lambda v: v**v,
        lambda v: 10**v,
    ]
    for x in [0.0, -0.0, 1e308, -1e308, inf, -inf, nan, 5e-324, -1.0]:
        for build in ops:
            value_and_grad(build, x)  # must not raise
