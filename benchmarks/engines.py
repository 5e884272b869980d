"""The contenders: gradwalk, its peers (micrograd 0.1.0, PyTorch) and plain floats.

An `Engine` says how to make a leaf, a vector for the dot product and the MLP
training step with that engine, each written the way its users write it. Peers
are imported only if installed: micrograd is never a dependency of gradwalk.
"""

from __future__ import annotations

import importlib
import math
import operator
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import process_time
from types import ModuleType
from typing import Any

from benchmarks.workloads import Leaf, Step

# micrograd's demo: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4 L2,
# full-batch SGD with the learning rate falling from 1.0 by 0.9 per 100 steps.
SIZES = [16, 16, 1]
ALPHA = 1e-4
SEED = 1337  # the demo's seed

Weights = list[list[tuple[list[float], float]]]  # per layer, per neuron: (weights, bias)
Points = list[list[float]]
Labels = list[float]  # +1 or -1
MlpStep = Callable[[Weights, Points, Labels], Step]
# (weights, X, labels, epochs) -> each full-batch epoch's CPU seconds and training loss
MlpEpochs = Callable[[Weights, Points, Labels, int], tuple[list[float], list[float]]]


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / 100


@dataclass(frozen=True)
class Engine:
    """One contender, with what each workload needs from it (None: it cannot)."""

    name: str
    version: str
    leaf: Leaf | None = None
    vector: Callable[[list[float]], Any] | None = None
    dot: Callable[[Any, Any], Any] | None = None
    mlp_step: MlpStep | None = None
    compiled_mlp: MlpEpochs | None = None


def moons(points: int) -> tuple[Points, Labels]:
    """micrograd's demo data: `points` moons with noise 0.1, labels -1 and +1."""
    import nn

    X, y = nn.data.make_moons(points, noise=0.1, seed=SEED)
    return X, [2.0 * label - 1.0 for label in y]


def initial_weights() -> Weights:
    """micrograd's initialisation (weights U(-1, 1), bias 0), drawn once and loaded into every engine."""
    import nn

    model = nn.MLP(2, SIZES, init="uniform", rng=random.Random(SEED))
    return [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in model.layers]


# ---------------------------------------------------------------------------
# gradwalk


def gradwalk() -> Engine:
    import autograd

    return Engine(
        "gradwalk",
        _version("gradwalk"),
        leaf=autograd.Value,
        vector=lambda xs: [autograd.Value(x) for x in xs],
        dot=autograd.dot,
        mlp_step=_gradwalk_mlp_step,
        compiled_mlp=_gradwalk_compiled_mlp,
    )


def _gradwalk_model(weights: Weights) -> Any:
    import nn

    model = nn.MLP(2, SIZES)
    model.load_state_dict(
        {
            f"layers.{i}.neurons.{j}.{name}": value
            for i, layer in enumerate(weights)
            for j, (w, b) in enumerate(layer)
            for name, value in [*((f"w.{k}", wk) for k, wk in enumerate(w)), ("b", b)]
        }
    )
    return model


def _gradwalk_mlp_step(weights: Weights, X: Points, labels: Labels) -> Step:
    import nn

    model = _gradwalk_model(weights)
    optimizer = nn.SGD(model.parameters(), lr=learning_rate(0))

    def step(k: int) -> float:
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, labels) + ALPHA * nn.l2_penalty(model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = learning_rate(k)
        optimizer.step()
        return loss.data

    return step


def _gradwalk_compiled_mlp(
    weights: Weights, X: Points, labels: Labels, epochs: int
) -> tuple[list[float], list[float]]:
    """The same training with ``nn.fit(compile=True)``: one full-batch epoch is one step.

    A scheduler sets the demo's learning rate for each epoch and reads the clock between
    epochs; the first epoch includes compiling the model.
    """
    import nn

    class Clock(nn.LRScheduler):
        def __init__(self, optimizer: nn.Optimizer) -> None:
            self.times: list[float] = []
            super().__init__(optimizer)

        def _lr(self) -> float:
            self.times.append(process_time())
            return learning_rate(self.last_epoch)

    model = _gradwalk_model(weights)
    params = model.parameters()
    optimizer = nn.SGD(params, lr=learning_rate(0))
    clock = Clock(optimizer)
    history = nn.fit(
        model, X, labels, loss=lambda o, t: nn.hinge_loss(o, t) + ALPHA * nn.l2_penalty(params),
        optimizer=optimizer, epochs=epochs, scheduler=clock, progress=False, accuracy=None, compile=True,
    )  # fmt: skip
    return [b - a for a, b in zip(clock.times, clock.times[1:])], history.train_loss


# ---------------------------------------------------------------------------
# micrograd 0.1.0, used as its README and demo use it


def micrograd() -> Engine | None:
    engine, nn = _import("micrograd.engine"), _import("micrograd.nn")
    if engine is None or nn is None:
        return None
    engine.Value.tanh = _micrograd_tanh

    def mlp_step(weights: Weights, X: Points, labels: Labels) -> Step:
        return _micrograd_mlp_step(engine.Value, nn.MLP, weights, X, labels)

    return Engine("micrograd", _version("micrograd"), leaf=engine.Value, mlp_step=mlp_step)


def _micrograd_tanh(self: Any) -> Any:
    """tanh for micrograd's Value, written micrograd's way (it has none): a closure as `_backward`."""
    t = math.tanh(self.data)
    out = type(self)(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def _micrograd_mlp_step(Value: Any, MLP: Any, weights: Weights, X: Points, labels: Labels) -> Step:
    model = MLP(2, SIZES)
    for layer, layer_weights in zip(model.layers, weights):
        for neuron, (w, b) in zip(layer.neurons, layer_weights):
            for wi, value in zip(neuron.w, w):
                wi.data = value
            neuron.b.data = b

    def step(k: int) -> float:
        # The demo's loss(), then its update loop.
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(labels, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        rate = learning_rate(k)
        for p in model.parameters():
            p.data -= rate * p.grad
        return float(total_loss.data)

    return step


# ---------------------------------------------------------------------------
# PyTorch (CPU, float64), if installed: scalar tensors op by op, and its own
# vectorised forms (torch.dot, nn.Linear on the whole batch) where its users use them.


def pytorch() -> Engine | None:
    torch = _import("torch")
    if torch is None:
        return None

    def leaf(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def vector(xs: list[float]) -> Any:
        return torch.tensor(xs, dtype=torch.float64, requires_grad=True)

    def mlp_step(weights: Weights, X: Points, labels: Labels) -> Step:
        return _pytorch_mlp_step(torch, weights, X, labels)

    return Engine("PyTorch", torch.__version__, leaf=leaf, vector=vector, dot=torch.dot, mlp_step=mlp_step)


def _pytorch_mlp_step(torch: ModuleType, weights: Weights, X: Points, labels: Labels) -> Step:
    layers: list[Any] = []
    for i, layer in enumerate(weights):
        linear = torch.nn.Linear(len(layer[0][0]), len(layer), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([w for w, _ in layer], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([b for _, b in layer], dtype=torch.float64))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    inputs = torch.tensor(X, dtype=torch.float64)
    targets = torch.tensor(labels, dtype=torch.float64)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate(0))

    def step(k: int) -> float:
        scores = model(inputs).squeeze(1)
        l2 = sum((p * p).sum() for p in model.parameters())
        loss = torch.relu(1 - targets * scores).mean() + ALPHA * l2
        optimizer.zero_grad()
        loss.backward()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(k)
        optimizer.step()
        return float(loss.item())

    return step


# ---------------------------------------------------------------------------
# The floor: plain floats, no graph, gradients written out by hand.


def floats() -> Engine:
    return Engine("plain floats", "", mlp_step=_floats_mlp_step)


def _floats_mlp_step(weights: Weights, X: Points, labels: Labels) -> Step:
    W = [[list(w) for w, _ in layer] for layer in weights]
    B = [[b for _, b in layer] for layer in weights]
    last = len(W) - 1
    dot = _dot

    def step(k: int) -> float:
        gW = [[[0.0] * len(w) for w in layer] for layer in W]
        gB = [[0.0] * len(layer) for layer in W]
        data_loss = 0.0
        for x, label in zip(X, labels):
            # Forward, keeping every layer's input for the backward pass.
            activations = [x]
            for i, (weights_i, biases_i) in enumerate(zip(W, B)):
                h = activations[-1]
                z = [dot(w, h) + b for w, b in zip(weights_i, biases_i)]
                activations.append(z if i == last else [zj if zj > 0.0 else 0.0 for zj in z])
            margin = 1.0 - label * activations[-1][0]
            if margin <= 0.0:  # relu'(0) = 0: this point sends no gradient
                continue
            data_loss += margin
            # Backward: g is d(loss)/d(this layer's output).
            g = [-label / len(X)]
            for i in range(last, -1, -1):
                if i != last:
                    g = [gj if out > 0.0 else 0.0 for gj, out in zip(g, activations[i + 1])]
                h = activations[i]
                for j, gj in enumerate(g):
                    row = gW[i][j]
                    for m, hm in enumerate(h):
                        row[m] += gj * hm
                    gB[i][j] += gj
                if i:
                    g = [dot(column, g) for column in zip(*W[i])]
        penalty = sum(dot(w, w) for layer in W for w in layer) + sum(dot(b, b) for b in B)
        loss = data_loss / len(X) + ALPHA * penalty
        rate = learning_rate(k)
        for weights_i, biases_i, gw_i, gb_i in zip(W, B, gW, gB):
            for w, gw in zip(weights_i, gw_i):
                for m, (wm, gm) in enumerate(zip(w, gw)):
                    w[m] = wm - rate * (gm + 2 * ALPHA * wm)
            for j, (bj, gj) in enumerate(zip(biases_i, gb_i)):
                biases_i[j] = bj - rate * (gj + 2 * ALPHA * bj)
        return loss

    return step


def _dot(xs: Sequence[float], ys: Sequence[float]) -> float:
    total: float = sum(map(operator.mul, xs, ys))
    return total


# ---------------------------------------------------------------------------


def _import(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"
