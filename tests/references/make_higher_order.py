"""PyTorch float64's second derivatives for tests/test_higher_order.py and the README's numeric table.

Each is ``torch.autograd.grad(..., create_graph=True)`` twice; a first derivative that does not
depend on the input (relu, ``x ** 0``) gives 0, as ``materialize_grads=True`` would.
Run where torch is installed (never a dependency): python tests/references/make_higher_order.py
"""

import math

import torch
import torch.nn.functional as F

f64 = torch.float64
inf = math.inf


def second(build, x):
    v = torch.tensor(x, dtype=f64, requires_grad=True)
    (first,) = torch.autograd.grad(build(v), v, create_graph=True)
    if not first.requires_grad:
        return first.item(), 0.0
    (twice,) = torch.autograd.grad(first, v, allow_unused=True, materialize_grads=True)
    return first.item(), twice.item()


def hessian_of_power(a, b):
    xs = [torch.tensor(t, dtype=f64, requires_grad=True) for t in (a, b)]
    firsts = torch.autograd.grad(xs[0] ** xs[1], xs, create_graph=True)
    rows = []
    for first in firsts:
        if not first.requires_grad:
            rows.append([0.0, 0.0])
            continue
        row = torch.autograd.grad(first, xs, allow_unused=True, materialize_grads=True)
        rows.append([r.item() for r in row])
    return [f.item() for f in firsts], rows


# (name, function, x): the names are the keys of SECOND in tests/test_higher_order.py.
CASES = [
    ("exp at 0.7", torch.exp, 0.7),
    ("exp at 710", torch.exp, 710.0),
    ("log at 0.7", torch.log, 0.7),
    ("log at 0", torch.log, 0.0),
    ("sqrt at 0.7", torch.sqrt, 0.7),
    ("sqrt at 0", torch.sqrt, 0.0),
    ("reciprocal at 0.7", lambda v: 1 / v, 0.7),
    ("reciprocal at 0", lambda v: 1 / v, 0.0),
    ("2/x at 0", lambda v: 2 / v, 0.0),
    ("tanh at 0.7", torch.tanh, 0.7),
    ("tanh at 1000", torch.tanh, 1000.0),
    ("tanh at -1000", torch.tanh, -1000.0),
    ("sigmoid at 0.7", torch.sigmoid, 0.7),
    ("sigmoid at 1000", torch.sigmoid, 1000.0),
    ("sigmoid at -1000", torch.sigmoid, -1000.0),
    ("softplus at 0.7", F.softplus, 0.7),
    ("softplus at 1000", F.softplus, 1000.0),
    ("softplus at -1000", F.softplus, -1000.0),
    ("relu at 1.5", torch.relu, 1.5),
    ("relu at 0", torch.relu, 0.0),
    ("relu at -1.5", torch.relu, -1.5),
    ("leaky_relu at -1.5", lambda v: F.leaky_relu(v, 0.01), -1.5),
    ("elu at 0", F.elu, 0.0),
    ("elu at -0.7", F.elu, -0.7),
    ("elu at 0.7", F.elu, 0.7),
    ("abs at 0", torch.abs, 0.0),
    ("abs at -0.7", torch.abs, -0.7),
    ("sin at 0.7", torch.sin, 0.7),
    ("cos at 0.7", torch.cos, 0.7),
    ("x**3 at 0.7", lambda v: v**3, 0.7),
    ("x**2 at 0", lambda v: v**2, 0.0),
    ("x**3 at 0", lambda v: v**3, 0.0),
    ("x**1 at 0", lambda v: v**1, 0.0),
    ("x**0.5 at 0", lambda v: v**0.5, 0.0),
    ("x**1.5 at 0", lambda v: v**1.5, 0.0),
    ("x**2.5 at 0", lambda v: v**2.5, 0.0),
    ("x**-1 at 0", lambda v: v**-1, 0.0),
    ("x**0 at 0", lambda v: v**0, 0.0),
    ("x**0 at 2", lambda v: v**0, 2.0),
    ("2**x at 0.7", lambda v: 2**v, 0.7),
    ("x*x at 0.7", lambda v: v * v, 0.7),
    ("x/(1+x*x) at 0.7", lambda v: v / (1 + v * v), 0.7),
    # The README's other rows.
    ("log at -1", torch.log, -1.0),
    ("sqrt at -1", torch.sqrt, -1.0),
    ("reciprocal at -0.0", lambda v: 1 / v, -0.0),
    ("x**(1/3) at -8", lambda v: v ** (1 / 3), -8.0),
    ("x**400 at 10", lambda v: v**400, 10.0),
    ("x**3 at -2", lambda v: v**3, -2.0),
    ("sqrt(relu(x)) at -1", lambda v: torch.sqrt(torch.relu(v)), -1.0),
    ("sqrt(x**0 - 1) at 3", lambda v: torch.sqrt(v**0 - 1), 3.0),
    ("sqrt(x*0) at 1", lambda v: torch.sqrt(v * 0), 1.0),
    ("leaky_relu at 0", lambda v: F.leaky_relu(v, 0.01), 0.0),
    ("elu at nan", F.elu, math.nan),
    ("tanh at 15", torch.tanh, 15.0),
    ("tanh at 25", torch.tanh, 25.0),
    ("relu at nan", torch.relu, math.nan),
    ("abs at nan", torch.abs, math.nan),
    ("sin at inf", torch.sin, inf),
    ("cos at inf", torch.cos, inf),
]

print("SECOND = {")
for name, build, x in CASES:
    first, twice = second(build, x)
    print(f"    {name!r}: ({first!r}, {twice!r}),")
print("}")
print("POWER_HESSIANS = {")
for a, b in [(0.0, 2.0), (0.0, 3.0), (0.0, 0.5), (0.0, 0.0), (0.0, -1.0), (1.5, 2.5)]:
    firsts, rows = hessian_of_power(a, b)
    print(f"    ({a!r}, {b!r}): ({firsts!r}, {rows!r}),")
print("}")
