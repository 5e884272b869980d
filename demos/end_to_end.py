# %% [markdown]
# # Learned features replace hand-designed ones, end to end
#
# The lecture opens with the classic audio pipeline: a DFT, a log, then a classifier
# on those features (MFCCs add a mel filterbank and a DCT), and says the whole chain
# can be replaced by linear transforms and non-linearities learned end to end, with
# convolution as the front end ("note that the STFT is a convolutional operation").
#
# Here both on short synthetic sounds, `nn.data.make_tones`: three classes of tone,
# each a pitch range, with random phase, amplitude and noise.
#
# - (a) **hand-designed**: the magnitude of the DFT, log-compressed, then a linear
#   classifier `nn.Linear(33, 3)` trained on those 33 features;
# - (b) **learned**: `Conv1d(1, 4, kernel_size=9) → ReLU → AdaptiveAvgPool1d(1) →
#   Flatten → Linear(4, 3)`, trained end to end on the raw samples: the four filters
#   are its front end, learned from the labels alone.

# %%
import cmath
import math
import random

from _common import Demo, plt

import autograd
import nn

demo = Demo("Hand-designed DFT features against a convolutional front end learned end to end.")
N = 60 if demo.quick else 300
EPOCHS = 2 if demo.quick else 15
LENGTH, CLASSES, NOISE, TAPS, FILTERS = 64, 3, 0.5, 9, 4
COLOURS = ("#2563eb", "#ea580c", "#16a34a", "#9333ea")

X, y = nn.data.make_tones(N, length=LENGTH, classes=CLASSES, noise=NOISE, seed=0)
X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
print(f"{len(X_train)} training and {len(X_test)} test sounds of {LENGTH} samples, {CLASSES} classes")


def predicted(model: nn.Module, inputs: list[list[float]]) -> list[int]:
    with autograd.no_grad():
        outputs = [[v.data for v in model(x)] for x in inputs]
    return [scores.index(max(scores)) for scores in outputs]


def accuracy(model: nn.Module, inputs: list[list[float]], targets: list[int]) -> float:
    return sum(p == t for p, t in zip(predicted(model, inputs), targets)) / len(targets)


# %% [markdown]
# ## One sound of each class
#
# Class k's pitch is (2 + 3k ± 0.5) cycles per 64 samples; the noise has standard
# deviation 0.5 here, the amplitude is between 0.5 and 1.

# %%
figure, axes = plt.subplots(1, CLASSES, figsize=(12, 2.6), sharey=True)
for k, ax in enumerate(axes):
    sound = X[y.index(k)]
    ax.plot(sound, color=COLOURS[k], linewidth=1.2)
    ax.set(title=f"class {k}: about {2 + 3 * k} cycles in 64 samples", xlabel="sample t")
axes[0].set_ylabel("amplitude")
demo.save_figure(figure, "end_to_end_tones.png")

# %% [markdown]
# ## (a) Hand-designed features: |DFT|, log, linear classifier
#
# `log(1 + |X_m|)` for the DFT bins m = 0 .. 32 of each sound: plain numbers, computed
# once; only the linear classifier on top of them learns.

# %%


def log_spectrum(sound: list[float]) -> list[float]:
    """log(1 + |DFT|) at bins 0 .. LENGTH/2."""
    return [
        math.log1p(abs(sum(x * cmath.exp(-2j * math.pi * m * t / LENGTH) for t, x in enumerate(sound))))
        for m in range(LENGTH // 2 + 1)
    ]


F_train, F_test = [log_spectrum(x) for x in X_train], [log_spectrum(x) for x in X_test]
classifier = nn.Linear(LENGTH // 2 + 1, CLASSES, rng=random.Random(0))
nn.fit(
    classifier,
    F_train,
    y_train,
    loss=nn.cross_entropy,
    optimizer=nn.Adam(classifier.parameters(), lr=0.05),
    epochs=EPOCHS,
    batch_size=16,
    progress=False,
)
dft_accuracy = accuracy(classifier, F_test, y_test)
print(f"(a) DFT features + linear classifier: test accuracy {dft_accuracy:.1%}")

# %% [markdown]
# ## (b) A front end learned end to end
#
# Each of the four filters slides over the sound (`Conv1d`, 9 taps); `ReLU` and the
# average over time (`AdaptiveAvgPool1d(1)`) give how strongly the sound excites it;
# `Linear` classifies those four numbers. Every weight, filters included, gets its
# gradient from the loss by backpropagation.

# %%
network = nn.Sequential(
    nn.Conv1d(1, FILTERS, kernel_size=TAPS, rng=random.Random(1)),
    nn.ReLU(),
    nn.AdaptiveAvgPool1d(1),
    nn.Flatten(),
    nn.Linear(FILTERS, CLASSES, rng=random.Random(2)),
)
print(network)


def as_channels(sounds: list[list[float]]) -> list[list[list[float]]]:
    return [[sound] for sound in sounds]  # one input channel: C × T = 1 × 64


nn.fit(
    network,
    as_channels(X_train),
    y_train,
    loss=nn.cross_entropy,
    optimizer=nn.Adam(network.parameters(), lr=0.05),
    epochs=EPOCHS,
    batch_size=16,
    progress=False,
)
learned_accuracy = accuracy(network, as_channels(X_test), y_test)
print(f"(b) learned front end: test accuracy {learned_accuracy:.1%}")

# %% [markdown]
# ## Side by side: the accuracies, the learned filters and their frequency responses
#
# A filter's frequency response is `|Σ_k w_k e^(-2πi f k)|`: how much a tone of
# frequency f (cycles per sample) excites it. The DFT's bin m is a 64-tap filter with
# a narrow peak at m / 64; the learned 9-tap filters are broad, and training makes
# their responses differ across the classes' pitch ranges (shaded): that difference is
# all the classifier after them needs.

# %%
conv = network[0]
filters = [[w.data for w in conv.weight[o][0]] for o in range(FILTERS)]
frequencies = [i / 400 for i in range(201)]  # 0 to 0.5 cycles per sample


def response(taps: list[float], f: float) -> float:
    return abs(sum(w * cmath.exp(-2j * math.pi * f * k) for k, w in enumerate(taps)))


figure, (bars, taps_ax, spectrum_ax) = plt.subplots(
    1, 3, figsize=(15, 4), gridspec_kw={"width_ratios": [0.7, 1, 1.4]}
)
bars.bar(
    ["(a) |DFT|, log,\nlinear", "(b) learned\nend to end"],
    [dft_accuracy, learned_accuracy],
    color=COLOURS[:2],
)
for i, value in enumerate((dft_accuracy, learned_accuracy)):
    bars.text(i, value + 0.02, f"{value:.1%}", ha="center")
bars.set(title="Test accuracy", ylim=(0, 1.12))
for o, taps in enumerate(filters):
    taps_ax.plot(range(TAPS), taps, marker="o", color=COLOURS[o], label=f"filter {o}")
taps_ax.axhline(0.0, color="#9ca3af", linewidth=0.8)
taps_ax.set(title="The learned filters (conv weights)", xlabel="tap k", ylabel="weight")
taps_ax.legend(fontsize=8)
for k in range(CLASSES):
    spectrum_ax.axvspan((1.5 + 3 * k) / 64, (2.5 + 3 * k) / 64, color="#e5e7eb")
    spectrum_ax.text(
        (2 + 3 * k) / 64, 0.98, f"class {k}", ha="center", va="top", fontsize=8,
        transform=spectrum_ax.get_xaxis_transform(),
    )  # fmt: skip


def plot_response(taps: list[float], **style: object) -> None:
    """The filter's |response| over the frequencies, scaled to peak 1."""
    magnitudes = [response(taps, f) for f in frequencies]
    spectrum_ax.plot(frequencies, [m / max(magnitudes) for m in magnitudes], **style)  # type: ignore[arg-type]


for m in (2, 5, 8):  # the DFT bins at the classes' pitches, each a 64-tap filter
    dft_bin = [math.cos(2 * math.pi * m * t / LENGTH) for t in range(LENGTH)]
    label = "DFT bins 2, 5, 8 (scaled)" if m == 2 else None
    plot_response(dft_bin, color="#6b7280", linewidth=0.8, linestyle="--", label=label)
for o, taps in enumerate(filters):
    plot_response(taps, color=COLOURS[o], label=f"filter {o} (scaled)")
spectrum_ax.set(
    title="Frequency responses: learned filters against the DFT's",
    xlabel="frequency f (cycles per sample)",
    ylabel="|response| / peak",
    xlim=(0, 0.5),
)
spectrum_ax.legend(fontsize=7, loc="upper right")
demo.save_figure(figure, "end_to_end.png")

# %% [markdown]
# ## The graph of one sample, by module
#
# The trained network on the first 10 samples of one sound (the whole sound makes a
# graph of some 700 values): the filters' dot products, the ReLUs, the averages, the
# classifier and the loss. Drawn by `autograd.draw`; where the drawing groups a
# module's call in a box, each box is one of the modules above.

# %%
excerpt = [[autograd.Value(x, label=f"x{t}") for t, x in enumerate(X_test[0][:10])]]
loss = nn.cross_entropy(network(excerpt), y_test[0])
network.zero_grad()
loss.backward()
graph = autograd.draw(loss)
demo.save_drawing(graph, "end_to_end_graph.svg")  # as a PNG it is some 2,000 × 3,700 pixels
print(f"graph of one 10-sample excerpt: {graph.node_count} values")

# %%
demo.finish(
    [
        f"(a) hand-designed: log |DFT| (33 features) + Linear(33, 3): test accuracy {dft_accuracy:.1%}.",
        f"(b) learned end to end: Conv1d(1, 4, 9) → ReLU → average over time → Linear(4, 3): "
        f"test accuracy {learned_accuracy:.1%}.",
        f"{len(X_train)} training and {len(X_test)} test sounds, {EPOCHS} epochs of Adam each.",
    ]
)
