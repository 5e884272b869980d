# %% [markdown]
# # Handwritten digits: ten classes with softmax cross-entropy
#
# The UCI 8 × 8 digits (1,797 images, pixels 0 to 16, shipped with gradwalk as
# `nn.data.load_digits()`): a small MLP, `Linear(64, 32) → ReLU → Linear(32, 10)`,
# gives ten logits per image; `nn.cross_entropy` turns them into the softmax
# cross-entropy with the true digit. Adam on minibatches of 32 for four epochs reaches
# more than 90% on the quarter of the images it never saw. Then: which digits it
# confuses, and what the ones it gets wrong look like.

# %%
import random

from _common import Demo, plt

import autograd
import nn

demo = Demo("A small MLP on the 8 x 8 handwritten digits: accuracy, confusion matrix, mistakes.")
EPOCHS = 3 if demo.quick else 4
TRAIN_SIZE, TEST_SIZE = (150, 90) if demo.quick else (None, None)  # None: all 1,347 and 450 images

X, y = nn.data.load_digits()
X = [[pixel / 16 for pixel in image] for image in X]  # pixels to [0, 1]
X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=0.25, seed=0)
X_train, y_train, X_test, y_test = (
    X_train[:TRAIN_SIZE],
    y_train[:TRAIN_SIZE],
    X_test[:TEST_SIZE],
    y_test[:TEST_SIZE],
)
print(f"{len(X_train)} training images, {len(X_test)} test images, 64 pixels each, 10 classes")

# %% [markdown]
# ## The model and its training
#
# `nn.Sequential` calls its modules in turn; its parameters are named by position
# (`0.weight.3.17` is the weight from pixel 17 to hidden unit 3).

# %%
model = nn.Sequential(
    nn.Linear(64, 32, rng=random.Random(0)),
    nn.ReLU(),
    nn.Linear(32, 10, rng=random.Random(1)),
)
print(model)
history = nn.fit(
    model,
    X_train,
    y_train,
    loss=nn.cross_entropy,
    optimizer=nn.Adam(model.parameters(), lr=0.01),
    epochs=EPOCHS,
    batch_size=32,
    validation=(X_test, y_test),
    restore_best=False,
    progress=False,
)


def predict(image: list[float]) -> int:
    """The digit with the largest logit (no graph is built)."""
    with autograd.no_grad():
        logits = [v.data for v in model(image)]
    return logits.index(max(logits))


predictions = [predict(x) for x in X_test]
test_accuracy = sum(p == t for p, t in zip(predictions, y_test)) / len(y_test)
print(f"test accuracy after {EPOCHS} epochs: {test_accuracy:.1%}")

# %% [markdown]
# ## Confusion matrix and mistakes
#
# Row: the true digit; column: the model's answer. The diagonal is what it gets
# right; the rest shows which digits look alike to it.

# %%
confusion = [[0] * 10 for _ in range(10)]
for predicted, true in zip(predictions, y_test):
    confusion[true][predicted] += 1
mistakes = [(x, t, p) for x, t, p in zip(X_test, y_test, predictions) if p != t]

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1, 1.1]})
left.imshow(confusion, cmap="Blues")
for true in range(10):
    for predicted in range(10):
        count = confusion[true][predicted]
        if count:
            colour = "white" if count > max(map(max, confusion)) / 2 else "black"
            left.text(predicted, true, str(count), ha="center", va="center", fontsize=8, color=colour)
left.set(
    title=f"Confusion matrix: test accuracy {test_accuracy:.1%}",
    xlabel="predicted digit",
    ylabel="true digit",
    xticks=range(10),
    yticks=range(10),
)
right.set_axis_off()
right.set_title(
    f"{len(mistakes)} misclassified test digits (first {min(len(mistakes), 24)}): true → predicted"
)
for i, (image, true, predicted) in enumerate(mistakes[:24]):
    ax = right.inset_axes((i % 6 / 6, 1 - (i // 6 + 1) / 4, 0.9 / 6, 0.8 / 4))
    ax.imshow([image[row * 8 : row * 8 + 8] for row in range(8)], cmap="gray_r", vmin=0, vmax=1)
    ax.set_axis_off()
    ax.set_title(f"{true} → {predicted}", fontsize=9)
demo.save_figure(figure, "digits_confusion.png")

# %%
demo.finish(
    [
        f"MLP 64-32-10 (ReLU), softmax cross-entropy, Adam, {EPOCHS} epochs on {len(X_train)} images: "
        f"test accuracy {test_accuracy:.1%} on {len(X_test)} images; {len(mistakes)} mistakes.",
        f"Validation accuracy per epoch: {', '.join(f'{a:.1%}' for a in history.val_accuracy)}.",
    ]
)
