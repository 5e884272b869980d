# %% [markdown]
# # A recurrent network: backpropagation through time
#
# `nn.RNN` is PyTorch's Elman network: at each step t it mixes the new input with its
# previous state, `h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`, with the same
# weights at every step. Unrolled over a sequence it is an ordinary (deep) graph, and
# `backward()` on it is backpropagation through time: each weight's gradient adds up
# its contributions from every step.
#
# Three things here: an RNN learns to predict the next value of a sine wave; the
# backward pass of a three-step sequence, one node at a time; and how the gradient
# reaching step t shrinks or grows with the distance from the loss, for tanh and relu:
# vanishing and exploding gradients in one picture.

# %%
import math
import random

from _common import Demo, plt

import autograd
import nn
from autograd import Value

demo = Demo("An RNN predicts a sine; backprop through time, step by step; vanishing and exploding gradients.")
STEPS = 5 if demo.quick else 150
SEQUENCES, LENGTH, HIDDEN = (8, 8, 4) if demo.quick else (24, 12, 8)
LONG = 30  # time steps for the gradient sizes
OMEGA = 0.5  # radians per step


def sine(phase: float, length: int) -> list[float]:
    return [math.sin(OMEGA * t + phase) for t in range(length + 1)]


rng = random.Random(0)
train = [sine(rng.uniform(0, 2 * math.pi), LENGTH) for _ in range(SEQUENCES)]
test = sine(1.0, 3 * LENGTH)

# %% [markdown]
# ## Predicting the next value
#
# Inputs x_0 .. x_(T-1), targets x_1 .. x_T; a `Linear(hidden, 1)` reads each hidden
# state out as the prediction. The first step has only x_0 to go on (the phase is
# random); after it the RNN's state carries what it has seen.

# %%
rnn = nn.RNN(1, HIDDEN, rng=random.Random(1))
readout = nn.Linear(HIDDEN, 1, rng=random.Random(2))
parameters = rnn.parameters() + readout.parameters()
optimizer = nn.Adam(parameters, lr=0.02)


def predictions(sequence: list[float]) -> list[Value]:
    """The prediction of x_(t+1) after reading x_0 .. x_t, for each t."""
    states, _ = rnn([[x] for x in sequence[:-1]])
    return [readout(h)[0] for h in states]


losses = []
for step in range(STEPS + 1):
    loss = nn.mse_loss([predictions(s) for s in train], [s[1:] for s in train])
    losses.append(loss.data)
    if step == STEPS:
        break
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"mean squared error: {losses[0]:.4f} before training, {losses[-1]:.5f} after {STEPS} steps")
with autograd.no_grad():
    test_predicted = [v.data for v in predictions(test)]
test_error = sum((p - t) ** 2 for p, t in zip(test_predicted, test[1:])) / len(test_predicted)
print(f"on a 3x longer test sequence: mean squared error {test_error:.5f}")

# %% [markdown]
# ## Backpropagation through time, one node at a time
#
# A two-unit RNN on three inputs, its last state read out and compared with a target.
# `autograd.walkthrough` plays the backward pass: open `out/recurrent_bptt.html` and
# step with the arrow keys. The weights `weight_hh_l0.i.j` collect gradient from
# steps 3 and 2 (at step 1 the zero initial state contributes nothing); the drawing
# groups each step's values as `t=1`, `t=2`, `t=3` where the drawing supports module
# boxes.

# %%
small = nn.RNN(1, 2, rng=random.Random(3))
small_readout = nn.Linear(2, 1, rng=random.Random(4))
xs = [[Value(x, label=f"x{t}")] for t, x in enumerate((0.5, -1.0, 0.8), start=1)]
_, h_last = small(xs)
small_loss = nn.mse_loss(small_readout(h_last)[0], 0.3)
walk = autograd.walkthrough(small_loss, max_nodes=200)
walk.save(demo.path("recurrent_bptt.html"))
small_loss.backward()
for suffix in ("svg", "png"):
    demo.save_drawing(autograd.draw(small_loss), f"recurrent_bptt.{suffix}")
print(f"the three-step graph has {len(autograd.topological_order(small_loss))} values; {len(walk)} frames")

# %% [markdown]
# ## Vanishing and exploding gradients
#
# A loss on the last state only, after 30 steps, and the size of its gradient with
# respect to each earlier state, ‖∂L/∂h_t‖. Backpropagation multiplies by `W_hhᵀ` and
# the activation's derivative once per step back, so the size changes geometrically:
# with PyTorch's initial weights it vanishes for both tanh and relu (by 10⁻⁷ to 10⁻⁹
# over 30 steps: the early inputs barely matter to the loss); with `W_hh` three times
# larger, relu's explodes (10⁴ times larger at step 1), while tanh's grows only a
# little: its derivative, at most 1 and small where units saturate, holds it back.

# %%
long_input = [[math.sin(OMEGA * t)] for t in range(LONG)]


def gradient_sizes(nonlinearity: str, scale: float) -> list[float]:
    """‖∂L/∂h_t‖ for t = 1 .. LONG, L the sum of the last state."""
    network = nn.RNN(1, 8, nonlinearity=nonlinearity, rng=random.Random(5))
    for row in network.weight_hh_l0:
        for w in row:
            w.data *= scale
    states, last = network(long_input)
    autograd.sum(last).backward()
    return [math.sqrt(sum(h.grad**2 for h in state)) for state in states]


figure, (loss_ax, fit_ax, grad_ax) = plt.subplots(1, 3, figsize=(16, 4.2))
loss_ax.plot(losses)
loss_ax.set(title="Training loss", xlabel="step", ylabel="mean squared error", yscale="log")
fit_ax.plot(range(1, len(test)), test[1:], color="#9ca3af", linewidth=3, label="x_(t+1), the target")
fit_ax.plot(range(1, len(test)), test_predicted, color="#ea580c", label="the RNN's prediction")
fit_ax.set(title=f"Test sequence, 3x as long: MSE {test_error:.4f}", xlabel="t")
fit_ax.legend(loc="lower left", fontsize=8)
sizes = {}
for nonlinearity, colour in (("tanh", "#2563eb"), ("relu", "#ea580c")):
    for scale, style in ((1.0, "-"), (3.0, "--")):
        sizes[nonlinearity, scale] = gradient_sizes(nonlinearity, scale)
        grad_ax.plot(
            range(1, LONG + 1),
            sizes[nonlinearity, scale],
            style,
            color=colour,
            label=f"{nonlinearity}, W_hh × {scale:g}",
        )
grad_ax.set(
    title="‖∂L/∂h_t‖, the loss L on step 30",
    xlabel="time step t",
    ylabel="gradient size",
    yscale="log",
)
grad_ax.legend(fontsize=8)
demo.save_figure(figure, "recurrent.png")

# %%
demo.finish(
    [
        f"RNN(1, {HIDDEN}) + Linear({HIDDEN}, 1) predicting a sine's next value: MSE {losses[0]:.4f} → "
        f"{losses[-1]:.5f} in {STEPS} Adam steps; {test_error:.5f} on a 3x longer test sequence.",
        *(
            f"{name}, W_hh × {scale:g}: ‖∂L/∂h_1‖ / ‖∂L/∂h_30‖ = {values[0] / values[-1]:.2g}"
            for (name, scale), values in sizes.items()
        ),
    ]
)
