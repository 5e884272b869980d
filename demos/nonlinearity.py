# %% [markdown]
# # Why hidden non-linearities matter
#
# A linear model draws one straight line between the classes: XOR and two circles defeat
# it. Stacking linear layers does not help, since a linear function of a linear function
# is linear. Put a non-linearity between the layers (here softplus, a smooth ReLU) and the
# network bends its boundary around the data.
#
# How? Its hidden layers warp the input plane until the classes can be cut by one
# straight line: the last hidden layer has two units, so we can draw the data as that
# layer sees it, along with the input grid bent the same way, and the output unit's
# straight boundary there.

# %%
import random
from collections.abc import Callable

from _common import Demo, linspace, plot_decision_regions, plt, scatter_classes, train_full_batch

import autograd
import nn
from autograd import Value

demo = Demo("A linear model vs an MLP on XOR and circles, and the MLP's warped hidden space.")
STEPS = 5 if demo.quick else 300
RESOLUTION = 12 if demo.quick else 50
N = 40 if demo.quick else 100

DATASETS = {
    "XOR": nn.data.make_xor(N, seed=0),
    "circles": nn.data.make_circles(N, noise=0.05, factor=0.5, seed=0),
}
MODELS: dict[str, Callable[[], nn.MLP]] = {  # name: how to build it (fresh weights, same seed each time)
    "linear model": lambda: nn.MLP(2, [1], rng=random.Random(0)),
    "3 layers, no non-linearity": lambda: nn.MLP(2, [8, 2, 1], activation="linear", rng=random.Random(0)),
    "3 layers with softplus": lambda: nn.MLP(2, [8, 2, 1], activation="softplus", rng=random.Random(0)),
}


def hidden(model: nn.MLP, point: list[float]) -> list[float]:
    """The point as the last hidden layer (two units) sees it."""
    values: list[Value] = model.layers[0](point)
    return [v.data for v in model.layers[1](values)]


# %% [markdown]
# ## Train every model on both data sets
#
# Cross-entropy on logits, full-batch Adam, the same steps for all.

# %%
trained: dict[tuple[str, str], tuple[nn.MLP, float]] = {}
for data_name, (X, y) in DATASETS.items():
    for model_name, build in MODELS.items():
        model = build()
        _, accuracies = train_full_batch(
            model,
            X,
            y,
            nn.binary_cross_entropy_with_logits,
            nn.Adam(model.parameters(), lr=0.02),
            STEPS,
        )
        trained[data_name, model_name] = model, accuracies[-1]
        print(f"{data_name:<8} {model_name:<28} training accuracy {accuracies[-1]:.0%}")

# %% [markdown]
# ## Decision boundaries, and the softplus network's hidden space
#
# In the last column each point sits where the softplus network's last hidden layer puts
# it; the grey lines are the input plane's grid lines, bent the same way; the dark line
# is where the output unit's score is 0. There the classes are split by a straight line.

# %%
figure, axes = plt.subplots(len(DATASETS), len(MODELS) + 1, figsize=(15, 7.4), layout="constrained")
for row, (data_name, (X, y)) in zip(axes, DATASETS.items()):
    for ax, model_name in zip(row, MODELS):
        model, accuracy = trained[data_name, model_name]
        entries = plot_decision_regions(
            ax,
            model,
            X,
            y,
            resolution=RESOLUTION,
            title=f"{data_name}: {model_name}\ntraining accuracy {accuracy:.0%}",
            legend=False,  # one legend under the figure: in a corner it would cover XOR's points
        )
    model = trained[data_name, "3 layers with softplus"][0]
    space = row[-1]
    low = min(min(p) for p in X) - 0.3
    high = max(max(p) for p in X) + 0.3
    ticks = linspace(low, high, 11)
    along = linspace(low, high, 61)
    with autograd.no_grad():
        grid_lines = [
            [hidden(model, p) for p in line]
            for c in ticks
            for line in ([[c, t] for t in along], [[t, c] for t in along])
        ]
        points = [hidden(model, p) for p in X]
    for i, bent in enumerate(grid_lines):
        label = "the input plane's grid lines, bent" if i == 0 else None
        space.plot([h[0] for h in bent], [h[1] for h in bent], color="#d1d5db", linewidth=0.7, label=label)
    scatter_classes(space, points, y)
    space.autoscale(enable=False)  # the boundary line below must not widen the view
    output = model.layers[-1].neurons[0]  # score = w0 h0 + w1 h1 + b: zero on a straight line
    (w0, w1), b = (w.data for w in output.w), output.b.data
    if abs(w1) > 1e-12:
        h0s = space.get_xlim()
        space.plot(h0s, [-(w0 * h0 + b) / w1 for h0 in h0s], color="#374151", label="output unit's boundary")
    space.set(
        title=f"{data_name}: the softplus network's last hidden layer\n(the input plane, warped)",
        xlabel="hidden unit 1",
        ylabel="hidden unit 2",
    )
    space.legend(loc="upper left", fontsize=8)
figure.legend(handles=entries, loc="outside lower center", ncols=len(entries))
demo.save_figure(figure, "nonlinearity.png")

# %%
summary = []
for data_name in DATASETS:
    scores = ", ".join(f"{model_name} {trained[data_name, model_name][1]:.0%}" for model_name in MODELS)
    summary.append(f"Training accuracy on {data_name}: {scores}.")
demo.finish(summary)
