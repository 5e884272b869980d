# %% [markdown]
# # Early stopping: when to stop training
#
# Thirty noisy points and a network with 205 parameters: enough to learn the noise by
# heart. The training loss falls and falls; the loss on validation data the network never
# trains on falls at first, then rises: from there on the network fits the noise in its
# 30 points rather than the shape of the moons. Early stopping watches the validation
# loss, stops once it has not improved for `patience` epochs, and keeps the weights of
# its best epoch.

# %%
import random

from _common import Demo, plot_decision_regions, plt

import nn

demo = Demo("An over-sized MLP overfits small noisy data; early stopping catches the best epoch.")
EPOCHS, PATIENCE = (20, 5) if demo.quick else (300, 30)
RESOLUTION = 12 if demo.quick else 50

X_train, y_train = nn.data.make_moons(30, noise=0.3, seed=0)
X_val, y_val = nn.data.make_moons(60, noise=0.3, seed=1)


def train(early_stopping: int | None) -> tuple[nn.MLP, nn.History]:
    """A 2-12-12-1 network trained with Adam on the 30 points, watching the validation loss."""
    model = nn.MLP(2, [12, 12, 1], rng=random.Random(0))
    history = nn.fit(
        model,
        X_train,
        y_train,
        loss=nn.binary_cross_entropy_with_logits,
        optimizer=nn.Adam(model.parameters(), lr=0.03),
        epochs=EPOCHS,
        validation=(X_val, y_val),
        early_stopping=early_stopping,
        restore_best=early_stopping is not None,  # without early stopping, keep the last weights
        progress=False,
    )
    return model, history


# %% [markdown]
# ## Train twice: with early stopping, and without
#
# Both runs start from the same weights and see the same data in the same order, so the
# second retraces the first exactly, then carries on to the end.

# %%
stopped_model, stopped = train(early_stopping=PATIENCE)
overfit_model, full = train(early_stopping=None)
best = stopped.best_epoch if stopped.best_epoch is not None else 0
ran = len(stopped.train_loss)
same_path = stopped.val_loss == full.val_loss[:ran]
ending = "stopped" if stopped.stopped_early else "ran to the end"
print(f"With early stopping: {ending} at epoch {ran}; kept epoch {best + 1}:")
print(f"  validation loss {stopped.val_loss[best]:.3f}, accuracy {stopped.val_accuracy[best]:.0%}")
print(f"Without: {EPOCHS} epochs; the last epoch's weights:")
print(f"  validation loss {full.val_loss[-1]:.3f}, accuracy {full.val_accuracy[-1]:.0%}")
print(f"The second run retraced the first exactly: {same_path}")

# %% [markdown]
# ## The picture
#
# Left: the two losses over the full run, with the epoch early stopping kept and the one
# where it stopped. Middle and right: the decision boundaries of the kept weights and of
# the last ones, with the 30 training points. The over-trained boundary bends around
# single noisy points; its validation accuracy hardly changes, but its validation loss
# shows it has become confidently wrong on the points it misses.

# %%
figure, (curves, kept, last) = plt.subplots(1, 3, figsize=(16, 4.6))
epochs = range(1, EPOCHS + 1)
curves.plot(epochs, full.train_loss, label="training loss")
curves.plot(epochs, full.val_loss, label="validation loss")
curves.axvline(best + 1, color="#16a34a", linestyle="--", label=f"best epoch {best + 1}: weights kept")
if stopped.stopped_early:
    stop_label = f"stopped at {ran}: {PATIENCE} epochs without a better one"
    curves.axvline(ran, color="#dc2626", linestyle=":", label=stop_label)
curves.set(title="Overfitting: the validation loss turns up", xlabel="epoch", ylabel="binary cross-entropy")
curves.set_yscale("log")
curves.legend(loc="lower left", fontsize=8)
for ax, model, history, when, epoch in (
    (kept, stopped_model, stopped, "early stopping", best),
    (last, overfit_model, full, "no early stopping", EPOCHS - 1),
):
    plot_decision_regions(
        ax,
        model,
        X_train,
        y_train,
        resolution=RESOLUTION,
        title=f"{when}: weights of epoch {epoch + 1}\n"
        f"validation loss {history.val_loss[epoch]:.3f}, accuracy {history.val_accuracy[epoch]:.0%}",
    )
demo.save_figure(figure, "early_stopping.png")

# %%
demo.finish(
    [
        f"Early stopping kept epoch {best + 1} of {ran} run (validation loss {stopped.val_loss[best]:.3f}); "
        f"training on to epoch {EPOCHS} ends at {full.val_loss[-1]:.3f}.",
    ]
)
