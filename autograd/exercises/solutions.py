"""Reference solutions to the gradient-check exercises.

Each function is an op: it takes floats and returns its value and its local
derivatives, one per input. The lines marked ``# answer:`` are the ones the
template (``python -m autograd.exercises start``) leaves as ``...`` for the learner;
the text after the marker becomes the TODO there.
"""

from __future__ import annotations

import math

from autograd import op


@op("weighted_sum")
def weighted_sum(w1: float, x1: float, w2: float, x2: float, b: float) -> tuple[float, tuple[float, ...]]:
    n = w1 * x1 + w2 * x2 + b
    dn_dw1 = x1  # answer: dn/dw1
    dn_dx1 = w1  # answer: dn/dx1
    dn_dw2 = x2  # answer: dn/dw2
    dn_dx2 = w2  # answer: dn/dx2
    dn_db = 1.0  # answer: dn/db
    return n, (dn_dw1, dn_dx1, dn_dw2, dn_dx2, dn_db)


@op("product_of_three")
def product_of_three(x: float, y: float, z: float) -> tuple[float, tuple[float, ...]]:
    p = x * y * z
    dp_dx = y * z  # answer: dp/dx
    dp_dy = x * z  # answer: dp/dy
    dp_dz = x * y  # answer: dp/dz
    return p, (dp_dx, dp_dy, dp_dz)


@op("divide")
def divide(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    q = a / b
    dq_da = 1.0 / b  # answer: dq/da
    dq_db = -a / (b * b)  # answer: dq/db
    return q, (dq_da, dq_db)


@op("tanh")
def tanh(x: float) -> tuple[float, tuple[float, ...]]:
    t = math.tanh(x)
    dt_dx = 1.0 - t * t  # answer: dt/dx, in terms of x or t
    return t, (dt_dx,)


@op("sigmoid")
def sigmoid(x: float) -> tuple[float, tuple[float, ...]]:
    s = 1.0 / (1.0 + math.exp(-x))
    ds_dx = s * (1.0 - s)  # answer: ds/dx, in terms of x or s
    return s, (ds_dx,)


@op("softplus")
def softplus(x: float) -> tuple[float, tuple[float, ...]]:
    y = math.log(1.0 + math.exp(x))
    dy_dx = 1.0 / (1.0 + math.exp(-x))  # answer: dy/dx
    return y, (dy_dx,)


@op("hinge")
def hinge(x: float) -> tuple[float, tuple[float, ...]]:
    h = max(0.0, 1.0 - x)
    dh_dx = -1.0 if x < 1.0 else 0.0  # answer: dh/dx (at the kink x = 1, any value between the slopes)
    return h, (dh_dx,)


@op("x_to_the_x")
def x_to_the_x(x: float) -> tuple[float, tuple[float, ...]]:
    p = x**x
    dp_dx = p * (math.log(x) + 1.0)  # answer: dp/dx (hint: x**x = exp(x * log(x)))
    return p, (dp_dx,)


@op("logsumexp")
def logsumexp(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    m = max(a, b)  # subtracted, then added back: exp never overflows
    ea, eb = math.exp(a - m), math.exp(b - m)
    lse = m + math.log(ea + eb)
    dlse_da = ea / (ea + eb)  # answer: dlse/da
    dlse_db = eb / (ea + eb)  # answer: dlse/db
    return lse, (dlse_da, dlse_db)


@op("norm")
def norm(x: float, y: float) -> tuple[float, tuple[float, ...]]:
    r = math.sqrt(x * x + y * y)
    dr_dx = x / r  # answer: dr/dx
    dr_dy = y / r  # answer: dr/dy
    return r, (dr_dx, dr_dy)


@op("softmax_cross_entropy")
def softmax_cross_entropy(z0: float, z1: float, z2: float) -> tuple[float, tuple[float, ...]]:
    m = max(z0, z1, z2)  # subtracted, then added back: exp never overflows
    e0, e1, e2 = math.exp(z0 - m), math.exp(z1 - m), math.exp(z2 - m)
    total = e0 + e1 + e2
    loss = m + math.log(total) - z0  # -log(softmax(z)[0]): the target is class 0
    dloss_dz0 = e0 / total - 1.0  # answer: dloss/dz0
    dloss_dz1 = e1 / total  # answer: dloss/dz1
    dloss_dz2 = e2 / total  # answer: dloss/dz2
    return loss, (dloss_dz0, dloss_dz1, dloss_dz2)
