# %% [markdown]
# # Skip connections: a deep narrow network that trains, and one that does not
#
# Sixteen hidden layers of six tanh units each, on the two moons, trained by plain
# SGD. Stacked one after another (`Linear → Tanh`, sixteen times) the network does not
# train: the gradient reaching the first layer is about a thousand times smaller
# than at the last, so those layers barely move, and the loss stays at ln 2 (a coin
# toss). Give each layer a skip connection, `nn.Residual(layer)` computing
# `x + layer(x)`, and the same depth trains: the `+` passes the gradient back
# unchanged, so every layer gets a gradient of similar size.

# %%
import math
import random

from _common import Demo, plt

import nn
from autograd import Value

demo = Demo("A deep narrow MLP does not train; the same depth with residual connections does.")
DEPTH, WIDTH = 16, 6
SAMPLES, STEPS = (20, 3) if demo.quick else (60, 80)
X, y = nn.data.make_moons(SAMPLES, noise=0.1)


def build(residual: bool) -> nn.Sequential:
    """Linear(2, 6) → Tanh, DEPTH blocks Linear(6, 6) → Tanh (each in a Residual if asked), Linear(6, 1)."""
    rng = random.Random(0)  # the same initial weights for both
    blocks = []
    for _ in range(DEPTH):
        block = nn.Sequential(nn.Linear(WIDTH, WIDTH, rng=rng), nn.Tanh())
        blocks.append(nn.Residual(block) if residual else block)
    return nn.Sequential(nn.Linear(2, WIDTH, rng=rng), nn.Tanh(), *blocks, nn.Linear(WIDTH, 1, rng=rng))


def logit_loss(outputs: list[list[Value]], targets: list[int]) -> Value:
    return nn.binary_cross_entropy_with_logits([output[0] for output in outputs], targets)


# %% [markdown]
# ## Training both with SGD
#
# The same initial weights, learning rate 0.5, the whole data set at each step. The
# gradient size of each hidden layer (the norm of all its weights' and biases'
# gradients) is measured at the first step.

# %%
results = {}
for residual in (False, True):
    model = build(residual)
    optimizer = nn.SGD(model.parameters(), lr=0.5)
    losses, layer_gradients = [], []
    for step in range(STEPS + 1):
        outputs = [model(x) for x in X]
        loss = logit_loss(outputs, y)
        losses.append(loss.data)
        if step == STEPS:
            break
        optimizer.zero_grad()
        loss.backward()
        if step == 0:
            hidden_layers = [model[2 + i] for i in range(DEPTH)]
            layer_gradients = [
                math.sqrt(sum(p.grad**2 for p in layer.parameters())) for layer in hidden_layers
            ]
        optimizer.step()
    results[residual] = losses, layer_gradients, nn.accuracy(outputs, y)
    name = "residual" if residual else "plain"
    print(f"{name}: loss {losses[0]:.4f} → {losses[-1]:.4f}, training accuracy {results[residual][2]:.0%}")
print(build(True)[2])

# %% [markdown]
# ## Loss, and the gradient reaching each layer
#
# Left: the plain network's loss stays flat at ln 2 while the residual one falls.
# Right: at the first step the plain network's gradient shrinks by a factor of about
# 1.6 per layer back from the output (tanh's derivative times small weights, sixteen
# times over); with skip connections it is about the same size at every layer.

# %%
figure, (loss_ax, grad_ax) = plt.subplots(1, 2, figsize=(12, 4.2))
for residual, colour in ((False, "#6b7280"), (True, "#2563eb")):
    losses, layer_gradients, accuracy = results[residual]
    label = f"{'with' if residual else 'without'} skip connections (accuracy {accuracy:.0%})"
    loss_ax.plot(losses, color=colour, label=label)
    grad_ax.plot(range(1, DEPTH + 1), layer_gradients, marker="o", color=colour, label=label)
loss_ax.axhline(math.log(2), color="#9ca3af", linestyle=":", label="ln 2: a coin toss")
loss_ax.set(
    title=f"Training loss, {DEPTH} hidden layers of {WIDTH}", xlabel="SGD step", ylabel="cross-entropy"
)
loss_ax.legend(fontsize=8)
grad_ax.set(
    title="Gradient size per hidden layer at the first step",
    xlabel="hidden layer (1 = nearest the input)",
    ylabel="‖gradient of the layer's parameters‖",
    yscale="log",
)
grad_ax.legend(fontsize=8)
demo.save_figure(figure, "residual.png")

# %%
plain, residual = results[False], results[True]
demo.finish(
    [
        f"Plain {DEPTH} x {WIDTH} tanh MLP: loss {plain[0][0]:.4f} → {plain[0][-1]:.4f} "
        f"in {STEPS} SGD steps; "
        f"layer 1's gradient is {plain[1][0] / plain[1][-1]:.1e} times layer {DEPTH}'s.",
        f"With residual connections: loss {residual[0][0]:.4f} → {residual[0][-1]:.4f}; "
        f"layer 1's gradient is {residual[1][0] / residual[1][-1]:.2g} times layer {DEPTH}'s.",
    ]
)
