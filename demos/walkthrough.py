# %% [markdown]
# # Training a deep feedforward network, step by step
#
# The lecture's walkthrough, computed and drawn by gradwalk. The network has one input
# `y`, three hidden layers `h1`, `h2`, `h3` of two sigmoid units each, and one linear
# output `z`; its loss on a target `t` is the squared error `L = (z - t)²`:
#
#     h1 = σ(W1·y + b1)    h2 = σ(W2·h1 + b2)    h3 = σ(W3·h2 + b3)    z = W4·h3 + b4
#
# 1. Initialise the weights. 2. Forward pass, keeping every intermediate value.
# 3. The loss. 4-8. Back-propagate, one layer at a time, from the loss back to the input.
# 9. Update the weights, and repeat. 10. Watch the training and validation loss; stop early.
#
# Each backward step is done twice: by the lecture's formulas in plain floats, and by
# gradwalk's `backward()`. They agree. After each step the graph is drawn with the
# gradients known so far. Run `python demos/walkthrough.py` (or `make demo`); the
# pictures go to `out/`.

# %%
import math
import random

from _common import Demo, linspace, plt

import autograd
import nn
from autograd import Value
from autograd.draw import Drawing, Mark, graph_source

demo = Demo("Train a deep feedforward network step by step, drawing every backprop step.")


def numbers(values: list[float], columns: int = 0) -> str:
    """`values` to 4 significant digits; with `columns`, as the rows of a matrix: ``[[1, 2]; [3, 4]]``."""
    if columns:
        rows = [values[i : i + columns] for i in range(0, len(values), columns)]
        return "[" + "; ".join(numbers(row) for row in rows) + "]"
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


# %% [markdown]
# ## Step 1: initialise the weights
#
# `nn.MLP(1, [2, 2, 2, 1], activation="sigmoid")` is the network: three hidden layers of
# two sigmoid units and a linear output unit. Every weight and bias starts uniform in
# ±1/√(the unit's number of inputs), PyTorch's default, drawn from a seeded generator, so
# each run is the same. `nn` labels every parameter with its dotted name
# (`layers.1.neurons.0.w.1`); we relabel them as the lecture writes them: `W2[0,1]` is the
# weight from unit 1 of `h1` into unit 0 of `h2`.

# %%
model = nn.MLP(1, [2, 2, 2, 1], activation="sigmoid", rng=random.Random(3))
for k, layer in enumerate(model.layers, start=1):
    for j, neuron in enumerate(layer.neurons):
        for i, weight in enumerate(neuron.w):
            weight.label = f"W{k}[{j},{i}]"
        neuron.b.label = f"b{k}[{j}]"
    weights = [w.data for neuron in layer.neurons for w in neuron.w]
    biases = [neuron.b.data for neuron in layer.neurons]
    print(f"W{k} = {numbers(weights, len(layer.neurons[0].w))}   b{k} = {numbers(biases)}")

# %% [markdown]
# ## Step 2: the forward pass, keeping every intermediate value
#
# Each layer computes its units' weighted sums `a = W·h + b` and then `h = σ(a)`. The
# graph remembers every value, because backward needs them: σ'(a) = h (1 - h), and a
# weight's gradient is the input it multiplied times the gradient at its unit. We give the
# nodes the lecture's names.

# %%
NAMES = ["y", "h1", "h2", "h3", "z"]


def forward(y: Value) -> list[list[Value]]:
    """Every layer's values, input first: ``[[y], h1, h2, h3, [z]]``, each node named."""
    values = [[y]]
    for k, layer in enumerate(model.layers, start=1):
        outputs = layer(values[-1])
        is_output = k == len(model.layers)
        for j, out in enumerate(outputs):
            # An nn.Neuron computes activation(dot(w, inputs) + b); the output unit has no activation.
            weighted_sum = out if is_output else out.parents[0]
            weighted_sum.parents[0].label = f"W{k}[{j}]·{NAMES[k - 1]}"
            weighted_sum.label = f"a{k}[{j}]"
            out.label = "z" if is_output else f"h{k}[{j}]"
        values.append(outputs)
    return values


y = Value(0.5, label="y")
values = forward(y)
for name, layer_values in zip(NAMES, values):
    print(f"{name:>2} = {numbers([v.data for v in layer_values])}")

# %% [markdown]
# ## Step 3: the loss
#
# The squared error of the output against the target `t` (what `nn.mse_loss(z, t)`
# computes for one sample). Below, the whole forward graph: every value, no gradient yet.

# %%
t = 0.8
z = values[-1][0]
error = z - t
error.label = "e"
loss = error**2
loss.label = "L"
print(f"L = e², e = z - t = {z.data:.4f} - {t} = {error.data:.4f}, so L = {loss.data:.4f}")

order = autograd.topological_order(loss)
FOUND_NOW = Mark("#fdba74", "gradient found in this step")


def draw_known(known: set[Value], found_now: set[Value]) -> Drawing:
    """The whole graph with the gradients known so far, those found in this step highlighted."""
    source = graph_source(
        order,
        grads=[node.grad if node in known else None for node in order],
        show_local_grads=True,
        marks={i: FOUND_NOW for i, node in enumerate(order) if node in found_now},
        legend_marks=(FOUND_NOW,),
    )
    return Drawing(source, len(order))


forward_graph = draw_known(set(), set())
for suffix in ("svg", "png"):
    demo.save_drawing(forward_graph, f"walkthrough_step3_forward.{suffix}")
print(f"The graph has {len(order)} values: {sum(not v.parents for v in order)} leaves and the rest computed.")

# %% [markdown]
# ## Steps 4-8: back-propagate, one layer at a time
#
# gradwalk computes every gradient in one call, `loss.backward()`. The lecture computes
# them a layer at a time, from the loss back to the input, each layer passing the
# gradient with respect to its input down to the layer below:
#
# - step 4, the loss: `dL/dz = 2 (z - t)`;
# - steps 5-8, a layer with inputs `h` and outputs `h' = σ(a)`, `a = W·h + b`, given
#   `dL/dh'` from above: `dL/da = dL/dh' · h' (1 - h')` (for the linear output `dL/da = dL/dz`),
#   `dL/dW[j,i] = dL/da[j] · h[i]`, `dL/db = dL/da`, and for the layer below
#   `dL/dh[i] = Σ_j W[j,i] · dL/da[j]`.
#
# Each step does that by hand and checks it against `backward()`'s `.grad`; its picture
# shows the gradients known after it (a node's gradient is final once every node using it
# has passed its share back). The numbers on the edges are the local derivatives: each
# gradient is the sum, over the edges leaving a node, of local derivative × gradient.

# %%
loss.backward()

stages = [*values, [loss]]  # y, h1, h2, h3, z, L: each layer's outputs
stage_of: dict[Value, int] = {}
for k, outputs in enumerate(stages):
    for out in outputs:
        for node in autograd.topological_order(out):
            stage_of.setdefault(node, k)  # the first layer whose outputs need the node


def known_after(stage: int) -> set[Value]:
    """The nodes whose gradients are final once backprop has gone back through `stage`."""
    return {node for node in order if stage_of[node] >= stage} | set(stages[stage - 1])


def check(what: str, by_hand: list[float], nodes: list[Value], columns: int = 0) -> float:
    """Print a gradient worked out by hand next to backward's; return their largest difference."""
    engine = [node.grad for node in nodes]
    print(f"  {what} = {numbers(by_hand, columns)}   backward(): {numbers(engine, columns)}")
    return max(abs(a - b) for a, b in zip(by_hand, engine))


def finish_step(step: int, stage: int, title: str, differences: list[float]) -> None:
    """Draw the graph with the gradients known after `step`; stop if hand and engine disagree."""
    worst = max(differences)
    if not worst <= 1e-12:
        raise RuntimeError(f"step {step}: the formulas and backward() disagree by {worst:.3g}")
    print(f"  hand and backward() agree (largest difference {worst:.1e})")
    known_before = known_after(stage + 1) if stage + 1 < len(stages) else set()  # step 4 starts from nothing
    found_now = known_after(stage) - known_before
    drawing = draw_known(known_after(stage), found_now)
    for suffix in ("svg", "png"):
        demo.save_drawing(drawing, f"walkthrough_step{step}_{title}.{suffix}")


# %% [markdown]
# ### Step 4: the loss's gradient with respect to the output

# %%
print("Step 4: back through the loss L = (z - t)²")
dL_dz = 2 * (z.data - t)
finish_step(4, 5, "loss", [check("dL/dz = 2 (z - t)", [dL_dz], [z])])


# %% [markdown]
# ### Steps 5-8: back through each layer
#
# The same three lines for every layer: the gradient at the weighted sums, then the
# weights' and biases' gradients (what the update needs), then the inputs' gradient
# (what the layer below needs).


# %%
def back_through_layer(k: int, dL_dout: list[float]) -> list[float]:
    """Backprop through layer `k` by the formulas, given dL/d(its outputs); return dL/d(its inputs)."""
    step = 9 - k
    layer, inputs, outputs = model.layers[k - 1], values[k - 1], values[k]
    below, above = NAMES[k - 1], NAMES[k]
    is_output = k == len(model.layers)
    formula = f"a{k} = W{k}·{below} + b{k}" if is_output else f"σ(a{k}), a{k} = W{k}·{below} + b{k}"
    print(f"Step {step}: back through layer {k}, {above} = {formula}")
    if is_output:
        dL_da = dL_dout  # the output unit is linear: z is its weighted sum
    else:
        dL_da = [g * h.data * (1 - h.data) for g, h in zip(dL_dout, outputs)]
        print(f"  dL/da{k} = dL/d{above} · {above} (1 - {above}) = {numbers(dL_da)}")
    weights = [w for neuron in layer.neurons for w in neuron.w]
    dL_dW = [d * x.data for d in dL_da for x in inputs]
    dL_din = [
        math.fsum(neuron.w[i].data * d for neuron, d in zip(layer.neurons, dL_da)) for i in range(len(inputs))
    ]
    differences = [
        check(f"dL/dW{k} = dL/da{k} ⊗ {below}", dL_dW, weights, len(inputs)),
        check(f"dL/db{k} = dL/da{k}", dL_da, [neuron.b for neuron in layer.neurons]),
        check(f"dL/d{below} = W{k}ᵀ dL/da{k}", dL_din, inputs),
    ]
    finish_step(step, k, "output_layer" if is_output else f"layer{k}", differences)
    return dL_din


# %%
dL_dh3 = back_through_layer(4, [dL_dz])

# %%
dL_dh2 = back_through_layer(3, dL_dh3)

# %%
dL_dh1 = back_through_layer(2, dL_dh2)

# %%
dL_dy = back_through_layer(1, dL_dh1)

# %% [markdown]
# The gradients shrink on their way back: σ'(a) = h (1 - h) is at most 1/4, so each
# sigmoid layer scales the gradient down. The first layer's weights get the smallest
# gradients and learn the slowest: the *vanishing gradient* of deep sigmoid networks.

# %%
for k, layer in reversed(list(enumerate(model.layers, start=1))):
    largest = max(abs(w.grad) for neuron in layer.neurons for w in neuron.w)
    print(f"largest |dL/dW{k}| = {largest:.3g}")

# %% [markdown]
# ### The whole backward pass, one node at a time
#
# `autograd.walkthrough(loss)` plays the same backward pass one node at a time, stating
# each chain-rule product in words and numbers. Open `out/walkthrough.html` in a browser
# (the arrow keys step through it).

# %%
walk = autograd.walkthrough(loss)
demo.save_walkthrough(walk, "walkthrough.html")
print(f"{len(walk)} frames; the third:\n{walk[2]}")

# %% [markdown]
# ## Step 9: update the weights, and repeat
#
# Gradient descent moves every parameter a little against its gradient,
# `W ← W - η dL/dW`: that is `nn.SGD`'s `step()`. Then forward again: the loss is lower.
# Repeated (forward, `zero_grad`, backward, step), this is training.

# %%
LEARNING_RATE = 0.5
optimizer = nn.SGD(model.parameters(), lr=LEARNING_RATE)
weight = model.layers[-1].neurons[0].w[0]
before, gradient = weight.data, weight.grad
optimizer.step()
print(f"{weight.label} ← {before:.4f} - {LEARNING_RATE} × {gradient:.4f} = {weight.data:.4f}")
losses = [loss.data]
for _ in range(5):
    loss = (model([y.data]) - t) ** 2
    losses.append(loss.data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"the loss on this one example, step after step: {numbers(losses)}")

# %% [markdown]
# ## Step 10: monitor the training and validation loss, and stop early
#
# One example is not a task. Here the network learns `t = 0.5 tanh(2y)` from 20 noisy
# samples, with full-batch `nn.Adam` (which adapts each weight's step size and trains
# this deep sigmoid network much faster than plain SGD). After each epoch `nn.fit`
# measures the loss on validation data it never trains on; when that loss has not
# improved for `patience` epochs it stops, and puts back the weights of the best epoch.
# The training loss alone would keep falling as the network starts fitting the noise:
# only the validation loss shows when it stops generalising.

# %%
data_rng = random.Random(0)


def target(y: float) -> float:
    return 0.5 * math.tanh(2.0 * y)


def noisy_samples(n: int) -> tuple[list[list[float]], list[float]]:
    X = [[data_rng.uniform(-2.0, 2.0)] for _ in range(n)]
    return X, [target(x[0]) + data_rng.gauss(0.0, 0.1) for x in X]


X_train, t_train = noisy_samples(20)
X_val, t_val = noisy_samples(40)
EPOCHS, PATIENCE = (30, 10) if demo.quick else (1500, 200)
history = nn.fit(
    model,
    X_train,
    t_train,
    loss=nn.mse_loss,
    optimizer=nn.Adam(model.parameters(), lr=0.02),
    epochs=EPOCHS,
    validation=(X_val, t_val),
    early_stopping=PATIENCE,
    accuracy=None,  # regression: no accuracy to count
    progress=False,
)
best = history.best_epoch if history.best_epoch is not None else len(history.val_loss) - 1
ran = len(history.train_loss)
stop = f"stopped early after epoch {ran}" if history.stopped_early else f"ran all {ran} epochs"
print(f"{stop}; best validation loss {history.val_loss[best]:.4f} at epoch {best + 1} (weights restored)")

# %%
figure, (curves, fitted) = plt.subplots(1, 2, figsize=(11, 4))
epochs = range(1, ran + 1)
curves.plot(epochs, history.train_loss, label="training loss")
curves.plot(epochs, history.val_loss, label="validation loss")
curves.axvline(best + 1, color="#6b7280", linestyle="--", label=f"best epoch ({best + 1}), weights kept")
if history.stopped_early:
    curves.axvline(ran, color="#dc2626", linestyle=":", label=f"stopped: no better for {PATIENCE} epochs")
curves.set(title="Step 10: monitor the loss, stop early", xlabel="epoch", ylabel="mean squared error")
curves.set_yscale("log")
curves.legend()
grid = linspace(-2.0, 2.0, 101)
with autograd.no_grad():
    predictions = [model([g]).data for g in grid]
fitted.plot(grid, [target(g) for g in grid], color="#6b7280", label="true t = 0.5 tanh(2y)")
fitted.plot(grid, predictions, color="#dc2626", label="network (best epoch)")
fitted.scatter([x[0] for x in X_train], t_train, s=20, label="training data", zorder=3)
fitted.scatter([x[0] for x in X_val], t_val, s=12, marker="x", label="validation data", zorder=3)
fitted.set(title="What the network learned", xlabel="input y", ylabel="output z")
fitted.legend(fontsize=8)
demo.save_figure(figure, "walkthrough_step10_training.png")

# %%
demo.finish(
    [
        f"Loss on one example: {losses[0]:.4f} at first, {losses[-1]:.4f} after {len(losses) - 1} updates.",
        f"Backprop by the lecture's formulas matched backward() at every layer; dL/dy = {dL_dy[0]:.6f}.",
        f"Training: {stop}; best validation loss {history.val_loss[best]:.4f} (epoch {best + 1}).",
    ]
)
