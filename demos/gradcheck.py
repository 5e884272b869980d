# %% [markdown]
# # Is my derivative right? Gradient checking
#
# When you write an op's derivative yourself, check it against the numbers: the central
# difference `(f(x + eps) - f(x - eps)) / (2 eps)` needs no calculus. `autograd.gradcheck`
# compares the two, PyTorch-style. Here: one op written correctly and one with a
# classic slip; the slip caught by `gradcheck`, by `check_op` at a hundred points, and
# on the graph itself, where `autograd.draw(root, check=True)` colours every node by
# whether its gradient agrees. Last, why `eps = 1e-6`: the error's U-curve.

# %%
import math
from collections.abc import Callable

from _common import Demo, plt

import autograd
from autograd import Value

demo = Demo("gradcheck on a correct and a wrong op, the checked graph drawn, and the eps U-curve.")


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# %% [markdown]
# ## Two versions of swish, `x · sigmoid(x)`
#
# By the product rule its derivative is `s + x s (1 - s)`, with `s = sigmoid(x)`. The
# wrong version forgets the second term: it differentiates only the `x`.


# %%
@autograd.op("swish")
def swish(x: float) -> tuple[float, tuple[float, ...]]:
    s = sigmoid(x)
    return x * s, (s + x * s * (1.0 - s),)


@autograd.op("swish_wrong")
def swish_wrong(x: float) -> tuple[float, tuple[float, ...]]:
    s = sigmoid(x)
    return x * s, (s,)  # the slip: half of the product rule


right = autograd.gradcheck(swish, [1.5])
wrong = autograd.gradcheck(swish_wrong, [1.5])
print(right, wrong, sep="\n\n")

# %% [markdown]
# `check_op` runs the same check at 100 random points of a domain and prints the worst.

# %%
over_domain = autograd.check_op(swish_wrong, domain=(-3.0, 3.0), points=100, seed=0)
print(over_domain)

# %% [markdown]
# ## The check on a graph
#
# A neuron, `L = (swish(w1 x1 + w2 x2 + b) - 1)²`, built once with each version.
# `autograd.draw(L, check=True)` perturbs every node in turn, re-evaluates what depends
# on it, and compares with its `.grad`: green agrees, red does not. With the wrong op,
# the op itself is dark red because its local derivative is wrong, and every node upstream
# of it inherits the wrong gradient; the nodes after it are still right.


# %%
def neuron_loss(activation: Callable[[Value], Value]) -> Value:
    """The neuron's loss, using `activation` (an op on one Value)."""
    x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
    w1, w2, b = Value(-0.5, label="w1"), Value(0.8, label="w2"), Value(2.5, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    out = activation(n)
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "L"
    loss.backward()
    return loss


graph_checks = {}
for name, activation in (("right", swish), ("wrong", swish_wrong)):
    loss = neuron_loss(activation)
    table = autograd.gradcheck_graph(loss)
    graph_checks[name] = table
    print(f"with swish{'' if name == 'right' else '_wrong'}:\n{table}\n")
    drawing = autograd.draw(loss, check=True)
    for suffix in ("svg", "png"):
        demo.save_drawing(drawing, f"gradcheck_graph_{name}.{suffix}")

# %% [markdown]
# ## Why eps = 1e-6? The U-curve
#
# `autograd.eps_sweep(f, x)` gives the central difference's error at each step size. For
# large steps the curve's bend spoils it: the error falls like `eps²` as the step
# shrinks. For tiny steps `f(x + eps) - f(x - eps)` loses its digits to rounding
# (floats carry about 16): the error grows like `1e-16 / eps`. In between, around 1e-5,
# lies the best step; PyTorch's default 1e-6 sits near it for most functions.

# %%
steps = [10.0 ** (-k / 4) for k in range(4, 57)]  # 1e-1 down to 1e-14
FUNCTIONS = {
    "exp(x) at x = 1": (lambda x: x.exp(), 1.0),
    "tanh(x) at x = 0.5": (lambda x: x.tanh(), 0.5),
    "sin(x) at x = 1": (lambda x: x.sin(), 1.0),
    "swish(x) at x = 1.5": (swish, 1.5),
}
figure, ax = plt.subplots(figsize=(8, 5))
best_steps = {}
for label, (f, x) in FUNCTIONS.items():
    sweep = autograd.eps_sweep(f, x, steps=steps)
    best_steps[label] = sweep.best.eps
    shown = [(eps, error) for eps, error in sweep if error > 0.0]  # a log scale has no 0
    ax.loglog(*zip(*shown), marker=".", markersize=4, label=label)
ax.loglog(steps, [eps**2 for eps in steps], color="#9ca3af", linestyle=":", label="eps² (truncation)")
rounding = [1e-16 / eps for eps in steps]
ax.loglog(steps, rounding, color="#6b7280", linestyle="--", label="1e-16 / eps (rounding)")
ax.axvline(1e-6, color="#dc2626", linewidth=1, label="gradcheck's default eps = 1e-6")
ax.set(
    title="Central difference error |numeric - analytic| against the step size",
    xlabel="step size eps",
    ylabel="absolute error",
    ylim=(1e-14, 1.0),
)
ax.invert_xaxis()  # read left to right as the step shrinks
ax.legend(fontsize=8)
demo.save_figure(figure, "gradcheck_eps.png")

# %%
wrong_nodes = [row.label for row in graph_checks["wrong"].rows if not row.agrees]
wrong_ops = [row.node.op for row in graph_checks["wrong"].rows if row.local_errors]
demo.finish(
    [
        f"swish passes gradcheck: {bool(right)}; swish_wrong passes: {bool(wrong)} "
        f"(fails at {len(over_domain.failures)} of 100 random points).",
        f"On the graph with swish_wrong, the op {', '.join(wrong_ops)} has a wrong local derivative, "
        f"and these nodes' gradients are wrong: {', '.join(wrong_nodes)}.",
        "Best step per function: " + ", ".join(f"{label}: {eps:.0e}" for label, eps in best_steps.items()),
    ]
)
