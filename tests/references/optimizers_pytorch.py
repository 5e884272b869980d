"""Compute PyTorch float64 trajectories of every optimizer, for tests/nn/test_optim.py.

Run once where PyTorch is installed; it rewrites optimizers_pytorch.json next to it:

    python tests/references/optimizers_pytorch.py

The problem is the narrow bowl (a² + 25 b²) / 2 from (a, b) = (1, 1), 30 steps.
"""

from __future__ import annotations

import json
from pathlib import Path

STEPS = 30
START = (1.0, 1.0)
# (name, optimizer class name, settings): the same names in torch.optim and nn
CASES = [
    ("sgd", "SGD", {"lr": 0.03}),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.03, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
    ("sgd_nesterov", "SGD", {"lr": 0.03, "momentum": 0.9, "nesterov": True}),
    ("adam", "Adam", {"lr": 0.1}),
    ("adam_weight_decay", "Adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}),
    ("adamw", "AdamW", {"lr": 0.1, "weight_decay": 0.1}),
    ("rmsprop", "RMSprop", {"lr": 0.01}),
    ("rmsprop_centered_momentum", "RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True}),
    (
        "adagrad",
        "Adagrad",
        {"lr": 0.3, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.1},
    ),
]


def bowl(a, b):
    return (a * a + 25.0 * b * b) / 2.0


def main() -> None:
    import torch  # only this script needs it: gradwalk never depends on PyTorch

    cases = {}
    for name, class_name, settings in CASES:
        a = torch.tensor(START[0], dtype=torch.float64, requires_grad=True)
        b = torch.tensor(START[1], dtype=torch.float64, requires_grad=True)
        optimizer = getattr(torch.optim, class_name)([a, b], **settings)
        path = []
        for _ in range(STEPS):
            optimizer.zero_grad()
            bowl(a, b).backward()
            optimizer.step()
            path.append([a.item(), b.item()])
        cases[name] = {"optimizer": class_name, "settings": settings, "trajectory": path}
    reference = {"torch": torch.__version__, "bowl": "(a*a + 25.0*b*b) / 2.0", "start": START, "cases": cases}
    out = Path(__file__).with_suffix(".json")
    out.write_text(json.dumps(reference) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
