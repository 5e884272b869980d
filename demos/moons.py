# %% [markdown]
# # Two moons: micrograd's demo, reproduced and taken further
#
# micrograd's `demo.ipynb` trains a 2-16-16-1 ReLU network to separate two interleaving
# half-moons: 100 points, hinge loss with a little L2 regularisation, full-batch SGD
# with a learning rate falling from 1.0 to 0.1 over 100 steps. Here is the same recipe
# with gradwalk's `nn`, which reaches 100% training accuracy as micrograd's run does;
# then the same network trained the way one would in PyTorch today, with Adam and the
# cross-entropy loss on logits, so the output reads as a probability. Both are tested
# on 500 fresh points they never saw.

# %%
import random

from _common import Demo, plot_decision_regions, plt, train_full_batch

import autograd
import nn
from autograd import Value

demo = Demo("micrograd's two-moons demo reproduced, then trained with Adam and cross-entropy.")
STEPS = 5 if demo.quick else 100
RESOLUTION = 12 if demo.quick else 60

X, y = nn.data.make_moons(100, noise=0.1)  # labels 0/1
X_test, y_test = nn.data.make_moons(500, noise=0.1, seed=1)
signs = [2 * t - 1 for t in y]  # ±1, for the hinge loss


def new_model() -> nn.MLP:
    """micrograd's network and initialisation: weights U(-1, 1), biases 0, from a fixed seed."""
    return nn.MLP(2, [16, 16, 1], init="uniform", rng=random.Random(1))


def held_out_accuracy(model: nn.MLP) -> float:
    with autograd.no_grad():  # evaluation only: no graph
        return nn.accuracy([model(x) for x in X_test], y_test)


def first_perfect(accuracies: list[float]) -> str:
    """When training accuracy first reached 100%: "step k" is after k updates."""
    return f"step {accuracies.index(1.0)}" if 1.0 in accuracies else f"not within {STEPS} steps"


# %% [markdown]
# ## micrograd's recipe
#
# The hinge loss `max(0, 1 - label · score)` with labels ±1 asks every point to be on
# its side of the boundary by a margin of 1; `1e-4 · Σ w²` keeps the weights small; the
# learning rate decays linearly, `1.0 - 0.9 k / 100` at step `k`.

# %%
hinge_model = new_model()
print(hinge_model)


def hinge_objective(scores: list[Value], labels: list[int]) -> Value:
    return nn.hinge_loss(scores, labels) + 1e-4 * nn.l2_penalty(hinge_model.parameters())


hinge_losses, hinge_accuracies = train_full_batch(
    hinge_model,
    X,
    signs,
    hinge_objective,
    nn.SGD(hinge_model.parameters(), lr=1.0),
    STEPS,
    learning_rate=lambda k: 1.0 - 0.9 * k / 100,
)
hinge_test = held_out_accuracy(hinge_model)
print(f"hinge + SGD: 100% training accuracy at {first_perfect(hinge_accuracies)}; test {hinge_test:.1%}")

# %% [markdown]
# ## Adam with cross-entropy
#
# The same network and starting weights, with labels 0/1 and
# `nn.binary_cross_entropy_with_logits`: the output is a logit, `sigmoid(score)` the
# probability of class 1. Adam (learning rate 0.05, no schedule) adapts each weight's
# step size.

# %%
bce_model = new_model()
bce_losses, bce_accuracies = train_full_batch(
    bce_model,
    X,
    y,
    nn.binary_cross_entropy_with_logits,
    nn.Adam(bce_model.parameters(), lr=0.05),
    STEPS,
)
bce_test = held_out_accuracy(bce_model)
print(f"cross-entropy + Adam: 100% training accuracy at {first_perfect(bce_accuracies)}; test {bce_test:.1%}")

# %% [markdown]
# ## Decision boundaries
#
# Each model's score on a grid around the data: the shaded region is where it predicts
# class 1 (score > 0), the line the boundary.

# %%
figure, axes = plt.subplots(1, 2, figsize=(11, 4.6))
for ax, model, name, accuracy in (
    (axes[0], hinge_model, "micrograd's recipe: hinge loss, SGD", hinge_accuracies[-1]),
    (axes[1], bce_model, "cross-entropy, Adam", bce_accuracies[-1]),
):
    plot_decision_regions(
        ax,
        model,
        X,
        y,
        resolution=RESOLUTION,
        title=f"{name}\ntraining accuracy {accuracy:.0%} after {STEPS} steps",
    )
demo.save_figure(figure, "moons_boundary.png")

# %% [markdown]
# ## Training curves
#
# Accuracy per step for both, and each one's loss (they are different losses, so
# compare their shapes, not their heights). SGD on the hinge loss jumps about on its
# way to 100%; Adam on cross-entropy climbs steadily, and its loss keeps falling.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
steps = range(STEPS + 1)
left.plot(steps, hinge_accuracies, label="hinge loss, SGD (micrograd)")
left.plot(steps, bce_accuracies, label="cross-entropy, Adam")
left.set(title="Training accuracy", xlabel="step (updates so far)", ylabel="accuracy")
left.legend(loc="lower right")
right.plot(steps, hinge_losses, label="hinge loss + L2")
right.plot(steps, bce_losses, label="binary cross-entropy")
right.set(title="Training loss", xlabel="step (updates so far)", ylabel="loss", yscale="log")
right.legend()
demo.save_figure(figure, "moons_training.png")

# %% [markdown]
# ## The network, drawn
#
# `autograd.draw` boxes what each module computed: the model, its layers, each neuron.
# One point's score through the trained network, with every neuron drawn as one node
# (`collapse="neurons"`): its output's value and gradient and its parameter count. Then
# the hinge loss over 8 points, about 1,200 values: over `max_nodes=150`, so the drawing
# collapses modules until it fits (here each call's layers), and its legend says how.

# %%
score = bce_model(X[0])
score.backward()
demo.save_drawing(
    autograd.draw(score, collapse="neurons", title="One point's score: each neuron one node"),
    "moons_network.png",
)
batch_loss = nn.hinge_loss([bce_model(x) for x in X[:8]], signs[:8])
batch_loss.backward()
batch_drawing = autograd.draw(
    batch_loss, max_nodes=150, title="The hinge loss over 8 points, collapsed to fit max_nodes=150"
)
demo.save_drawing(batch_drawing, "moons_batch_collapsed.png")

# %%
demo.finish(
    [
        f"micrograd's recipe (hinge, SGD): training accuracy {hinge_accuracies[-1]:.0%}, "
        f"100% first at {first_perfect(hinge_accuracies)}; test accuracy {hinge_test:.1%} on 500 new points.",
        f"Cross-entropy with Adam: training accuracy {bce_accuracies[-1]:.0%}, "
        f"100% first at {first_perfect(bce_accuracies)}; test accuracy {bce_test:.1%}.",
    ]
)
