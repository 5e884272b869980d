# %% [markdown]
# # Five optimizers on the same task
#
# Plain SGD, SGD with momentum, RMSprop, Adagrad and Adam all follow the gradient; they
# differ in how far they step and in which direction. Each trains the same network from
# the same starting weights, on the same data, with the same loss; only the optimizer
# changes. Each gets a learning rate that suits it (a bad rate ruins any of them).
#
# Then the same five on a two-parameter bowl, 25 times steeper in one direction than the
# other, where their paths show why they differ.

# %%
import random
from collections.abc import Callable

from _common import Demo, linspace, plt, train_full_batch

import nn
from autograd import Value

demo = Demo("SGD, momentum, RMSprop, Adagrad and Adam on the same task: loss curves and paths.")
STEPS = 3 if demo.quick else 150
BOWL_STEPS = 5 if demo.quick else 50

MakeOptimizer = Callable[[list[Value], float], nn.Optimizer]
# name: (how to make it, its learning rate on the moons, on the bowl). One rate cannot suit all:
# SGD's step is lr × gradient, so its rate depends on the gradient's size; RMSprop and Adam
# divide by a running size of the gradient, so they step about lr per coordinate; Adagrad
# divides by the root of the sum of all past squared gradients, so its steps shrink and it
# starts larger. Each rate here was picked by hand to train steadily on its task.
LEARNING_RATES = (
    "Learning rates differ because the steps do: SGD moves lr × gradient, RMSprop and Adam about lr\n"
    "per coordinate, Adagrad lr / √(sum of past squared gradients); each picked by hand to train steadily."
)
OPTIMIZERS: dict[str, tuple[MakeOptimizer, float, float]] = {
    "SGD": (lambda params, lr: nn.SGD(params, lr=lr), 0.5, 0.075),
    "SGD + momentum 0.9": (lambda params, lr: nn.SGD(params, lr=lr, momentum=0.9), 0.1, 0.01),
    "RMSprop": (lambda params, lr: nn.RMSprop(params, lr=lr), 0.01, 0.1),
    "Adagrad": (lambda params, lr: nn.Adagrad(params, lr=lr), 0.3, 1.0),
    "Adam": (lambda params, lr: nn.Adam(params, lr=lr), 0.03, 0.3),
}

# %% [markdown]
# ## The task: two moons, a 2-8-8-1 ReLU network, cross-entropy
#
# Full-batch training, so the only randomness is the starting weights, the same for all.
# All five first drop to a plateau near 0.2, a roughly right boundary; within 150 steps
# Adagrad and Adam get off it, while SGD, momentum and RMSprop, at these rates, are still
# on it.

# %%
X, y = nn.data.make_moons(30 if demo.quick else 100, noise=0.1)
curves: dict[str, list[float]] = {}
for name, (make, moons_lr, _) in OPTIMIZERS.items():
    model = nn.MLP(2, [8, 8, 1], rng=random.Random(0))
    optimizer = make(model.parameters(), moons_lr)
    losses = train_full_batch(model, X, y, nn.binary_cross_entropy_with_logits, optimizer, STEPS)[0]
    curves[f"{name} (lr {moons_lr:g})"] = losses
    print(f"{name:<20} lr {moons_lr:<6g} loss {losses[0]:.4f} -> {losses[-1]:.4f}")

# %%
figure, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
for label, losses in curves.items():
    ax.plot(range(len(losses)), losses, label=label)
ax.set(
    title="Five optimizers, one task: moons, 2-8-8-1 MLP",
    xlabel="step (updates so far)",
    ylabel="training loss (binary cross-entropy)",
    yscale="log",
)
ax.legend(title="optimizer (learning rate)")
figure.supxlabel(LEARNING_RATES, fontsize=7.5, color="#374151")
demo.save_figure(figure, "optimizers_loss.png")

# %% [markdown]
# ## Their paths on a long, narrow bowl
#
# `f(a, b) = (a² + 25 b²) / 2` from `(-4.5, 1.5)`. Plain SGD zig-zags across the steep
# direction while it crawls along the shallow one; momentum builds up speed and
# overshoots; RMSprop and Adam divide each step by a running size of that coordinate's
# gradient, so both coordinates move at a similar pace; Adagrad does the same with the
# sum of all past gradients, so its steps keep shrinking.


# %%
def bowl(a: Value, b: Value) -> Value:
    return 0.5 * (a**2 + 25 * b**2)


a_grid = linspace(-5.0, 5.0, 101)
b_grid = linspace(-1.8, 1.8, 41)
heights = [[0.5 * (a * a + 25 * b * b) for a in a_grid] for b in b_grid]
figure, axes = plt.subplots(2, 3, figsize=(15, 6.4), layout="constrained")
heights_per_step: dict[str, list[float]] = {}
for ax, (name, (make, _, bowl_lr)) in zip(axes.flat, OPTIMIZERS.items()):
    a, b = Value(-4.5, label="a"), Value(1.5, label="b")
    optimizer = make([a, b], bowl_lr)
    path = [(a.data, b.data)]
    heights_per_step[name] = []
    for _ in range(BOWL_STEPS):
        height = bowl(a, b)
        heights_per_step[name].append(height.data)
        optimizer.zero_grad()
        height.backward()
        optimizer.step()
        path.append((a.data, b.data))
    heights_per_step[name].append(bowl(a, b).data)
    ax.contour(a_grid, b_grid, heights, levels=[0.5 * 2**k for k in range(-2, 8)], colors="#d1d5db")
    ax.plot(*zip(*path), marker=".", markersize=4, color="#2563eb", label=f"path, {BOWL_STEPS} steps")
    ax.plot([0.0], [0.0], marker="*", markersize=12, color="#dc2626", linestyle="", label="minimum")
    ax.set(title=f"{name}, lr {bowl_lr:g}", xlabel="a", ylabel="b", aspect="equal")
    ax.legend(loc="lower right", fontsize=8)
last = axes.flat[-1]
for name, values in heights_per_step.items():
    last.plot(range(len(values)), values, label=name)
last.set(title="Height of the bowl along each path", xlabel="step", ylabel="f(a, b)", yscale="log")
last.legend(fontsize=8)
figure.suptitle("f(a, b) = (a² + 25 b²) / 2: the same bowl, five optimizers")
figure.supxlabel(LEARNING_RATES, fontsize=8, color="#374151")
demo.save_figure(figure, "optimizers_paths.png")

# %%
best = min(curves, key=lambda label: curves[label][-1])
demo.finish(
    [f"Lowest training loss after {STEPS} steps on the moons: {best}, {curves[best][-1]:.4f}."]
    + [f"On the bowl, {name} ends at f = {values[-1]:.3g}." for name, values in heights_per_step.items()]
)
