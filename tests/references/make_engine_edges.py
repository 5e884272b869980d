"""PyTorch float64's numbers for tests/test_engine_edges.py and the README's numeric table.

Run where torch is installed (never a dependency): python tests/references/make_engine_edges.py
"""

import torch

f64 = torch.float64


def grad(build, x):
    v = torch.tensor(x, dtype=f64, requires_grad=True)
    build(v).backward()
    return v.grad.item()


print("sqrt(relu(x)) at -1:", grad(lambda v: torch.sqrt(torch.relu(v)), -1.0))
print("sqrt(x ** 0 - 1) at 3:", grad(lambda v: torch.sqrt(v**0 - 1), 3.0))
print("sqrt(x * 0) at 1:", grad(lambda v: torch.sqrt(v * 0), 1.0))
print("elu at nan:", grad(torch.nn.functional.elu, float("nan")))
for xs in ([1.0, 3.0, -2.0, 3.0], [1.0, 3.0, 3.0, 3.0], [1.0, float("nan"), 5.0]):
    v = torch.tensor(xs, dtype=f64, requires_grad=True)
    (v.max() * (float("inf") if xs[2] == -2.0 else 1.0)).backward()
    print(f"max of {xs}: grads {v.grad.tolist()}")
print("tanh' at 15, 25 (1 - tanh^2):", grad(torch.tanh, 15.0), grad(torch.tanh, 25.0))
