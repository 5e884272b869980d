"""`fit`: the explicit training loop (forward, zero_grad, backward, step) packaged with
minibatches, validation, early stopping and a progress bar."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints

import autograd
from autograd import Value
from nn import _checks
from nn.compiled import CompiledStep, compile_step
from nn.data import batches
from nn.module import Module
from nn.optim import Optimizer
from nn.schedulers import LRScheduler

Loss = Callable[[list[Any], list[Any]], Value]
Accuracy = Callable[[list[Any], list[Any]], float]


def _scores(output: Any) -> list[float]:
    outputs = output if isinstance(output, (list, tuple)) else [output]
    return [o.data if isinstance(o, Value) else _checks.real(o, "an output") for o in outputs]


def _argmax(scores: Sequence[float]) -> int:
    return max(range(len(scores)), key=scores.__getitem__)  # the first of equal maxima, like PyTorch


def accuracy(outputs: Sequence[Any], targets: Sequence[Any]) -> float:
    """The fraction of samples classified right, from the model's outputs and the targets.

    One output per sample (a Value, a number or a one-item list, its target a number
    or a one-item list) is a score or a logit: the sample counts as right when the
    score is > 0 for a target > 0 (label 1 or +1) and <= 0 for the others (0 or -1).
    For probabilities (a sigmoid output) use
    ``lambda o, t: accuracy([v.data - 0.5 for v in o], t)``. Several outputs per
    sample are class scores: right when the largest sits at the target class index
    (or at the largest entry of a one-hot target).

    >>> accuracy([Value(2.0), Value(-1.0), Value(0.5)], [1, 0, -1])
    0.6666666666666666
    >>> accuracy([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]], [1, 2])
    0.5
    >>> accuracy([[Value(0.3)], [Value(-2.0)]], [[1.0], [1.0]])  # a one-output Layer's lists
    0.5
    """
    if len(outputs) != len(targets) or not outputs:
        raise ValueError(
            f"accuracy needs as many outputs as targets, one or more; got {len(outputs)} and {len(targets)}"
        )
    right = 0
    for output, target in zip(outputs, targets):
        scores = _scores(output)
        if len(scores) == 1:
            if isinstance(target, (list, tuple)) and len(target) == 1:
                (target,) = target  # the target of a one-output Layer, as its loss takes it
            right += (scores[0] > 0.0) == (_checks.real(target, "a target") > 0.0)
        else:
            target_class = _argmax(_scores(target)) if isinstance(target, (list, tuple)) else target
            right += _argmax(scores) == target_class
    return right / len(outputs)


@dataclass
class History:
    """What `fit` measured, one entry per epoch run.

    Training loss and accuracy are averaged over the epoch's batches as they were
    trained; validation ones are measured after the epoch in evaluation mode.
    ``best_epoch`` indexes the epoch with the lowest validation loss (None without
    validation data), and ``stopped_early`` says whether early stopping ended the run.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False


def fit(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    loss: Loss,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None = None,
    validation: tuple[Sequence[Any], Sequence[Any]] | None = None,
    early_stopping: int | None = None,
    restore_best: bool = True,
    progress: bool = True,
    seed: int = 0,
    scheduler: LRScheduler | None = None,
    accuracy: Accuracy | None = accuracy,
    compile: bool = False,  # noqa: A002  # the issue's name, as torch.compile's
) -> History:
    """Train `model` on ``(X, y)`` for up to `epochs` epochs and return its `History`.

    Each step runs the explicit loop on one batch: ``outputs = [model(x) for x in
    X_batch]``, ``value = loss(outputs, y_batch)``, ``optimizer.zero_grad()``,
    ``value.backward()``, ``optimizer.step()``. ``batch_size=None`` trains on the whole
    set in its order each epoch; otherwise the batches are reshuffled every epoch
    from ``seed``. ``scheduler.step()`` runs after each epoch.

    With ``validation=(X_val, y_val)``, the validation loss is measured after each
    epoch (in evaluation mode, without building a graph); ``early_stopping=N`` stops
    after N epochs without a new lowest validation loss, and ``restore_best`` puts
    back the weights of the best epoch at the end. ``accuracy`` (see `nn.accuracy`)
    maps outputs and targets to a fraction right; None records no accuracy.

    Before the first step, a nan or inf in the data is a ValueError naming the
    sample, and so is an optimizer over parameters that are not the model's. A loss
    that becomes nan or inf raises FloatingPointError at once, naming the epoch and
    step (both counted from 1), before that step changes any weight.

    ``compile=True`` runs each step through `nn.compile_step` (the model compiled once to
    plain Python, see its limits: nn losses with reduction "mean" and penalties, no
    Dropout in training, no branch on a value's ``.data``): the same History and weights
    to 1e-12 relative, several times faster. Compiling happens at each fit call.

    >>> from nn import MLP, SGD, hinge_loss
    >>> X, y = [[0.0, 1.0], [1.0, 0.0]], [1, -1]
    >>> model = MLP(2, [4, 1], rng=random.Random(0))
    >>> history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model.parameters(), lr=0.1),
    ...               epochs=20, progress=False)
    >>> history.train_accuracy[-1]
    1.0
    """
    if not isinstance(model, Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    _check_data(X, y, "fit")
    epochs = _checks.integer(epochs, "epochs", minimum=1)
    size = len(X) if batch_size is None else _checks.integer(batch_size, "batch_size", minimum=1)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val), got {validation!r}")
        _check_data(*validation, "validation")
    if early_stopping is not None:
        _checks.integer(early_stopping, "early_stopping", minimum=1)
        if validation is None:
            raise ValueError("early_stopping watches the validation loss: pass validation=(X_val, y_val)")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nn optimizer such as nn.SGD, got {type(optimizer).__name__}")
    _check_optimizer_steps_the_model(optimizer, model)
    if not isinstance(compile, bool):
        raise TypeError(f"compile must be True or False, got {type(compile).__name__}: {compile!r}")
    step = compile_step(model, loss) if compile else None
    rng = random.Random(_checks.integer(seed, "seed", minimum=0))
    history = History()
    best_loss, best_state, epochs_without_progress = math.inf, None, 0
    was_training = model.training
    try:
        model.train()  # for the whole run: _evaluate leaves it and comes back
        with tqdm(range(1, epochs + 1), desc="fit", unit="epoch", disable=not progress) as bar:
            for epoch in bar:
                epoch_batches = batches(X, y, size, shuffle=batch_size is not None, seed=rng)
                _train_epoch(model, epoch_batches, loss, optimizer, accuracy, epoch, history, step)
                if validation is not None:
                    val_loss = _evaluate(model, validation, loss, accuracy, history)
                    if val_loss < best_loss:
                        best_loss, best_state, epochs_without_progress = val_loss, model.state_dict(), 0
                        history.best_epoch = epoch - 1
                    else:
                        epochs_without_progress += 1
                bar.set_postfix_str(_summary(history))
                if scheduler is not None:
                    scheduler.step()
                if early_stopping is not None and epochs_without_progress >= early_stopping:
                    history.stopped_early = True
                    break
        if restore_best and best_state is not None:
            model.load_state_dict(best_state)
    finally:
        model.train(was_training)
    return history


def _check_data(X: Sequence[Any], y: Sequence[Any], what: str) -> None:
    """Equal, non-zero lengths, and only finite numbers: a nan would only show up as a diverged loss."""
    if len(X) != len(y) or not X:
        raise ValueError(f"{what} needs as many targets as inputs, at least one; got {len(X)} and {len(y)}")
    for i, (x, target) in enumerate(zip(X, y)):
        for name, item in (("X", x), ("y", target)):
            if not _all_finite(item):
                raise ValueError(
                    f"{what}: sample {i} is not all finite numbers: {name}[{i}] = {item!r}; "
                    "remove or fix it before training"
                )


def _all_finite(item: Any) -> bool:
    """Whether every number in `item` (a number, a Value, or nested lists of them) is finite."""
    if isinstance(item, (list, tuple)):
        return all(_all_finite(part) for part in item)
    number = item.data if isinstance(item, Value) else item
    if isinstance(number, (int, float)):
        return math.isfinite(number)
    return True  # not a number: the model or the loss says what it expected


def _check_optimizer_steps_the_model(optimizer: Optimizer, model: Module) -> None:
    ours = {id(p) for p in model.parameters()}
    for i, parameter in enumerate(optimizer.params):
        if id(parameter) not in ours:
            name = f" ({parameter.label})" if parameter.label else ""
            raise ValueError(
                f"fit: the optimizer's parameter {i}{name} is not one of the model's parameters, so training "
                "would not change the model; build the optimizer from model.parameters()"
            )


def _train_epoch(
    model: Module,
    epoch_batches: list[tuple[list[Any], list[Any]]],
    loss: Loss,
    optimizer: Optimizer,
    accuracy: Accuracy | None,
    epoch: int,
    history: History,
    compiled: CompiledStep | None = None,
) -> None:
    """Run the explicit loop once per batch; record the sample-weighted mean loss (and accuracy).

    With `compiled` (an `nn.compile_step`), it computes the loss and sets the gradients.
    """
    loss_sum = right_sum = 0.0
    for step, (X_batch, y_batch) in enumerate(epoch_batches, 1):
        if compiled is not None:
            loss_value = compiled(X_batch, y_batch)
            outputs: list[Any] = compiled.outputs
        else:
            outputs = [model(x) for x in X_batch]
            value = _loss_value(loss, outputs, y_batch)
            loss_value = value.data
        if not math.isfinite(loss_value):
            raise FloatingPointError(
                f"loss diverged at epoch {epoch}, step {step}; try a smaller learning rate"
            )
        if compiled is None:
            optimizer.zero_grad()
            value.backward()
        optimizer.step()
        loss_sum += loss_value * len(X_batch)
        if accuracy is not None:
            right_sum += accuracy(outputs, y_batch) * len(X_batch)
    samples = sum(len(X_batch) for X_batch, _ in epoch_batches)
    history.train_loss.append(loss_sum / samples)
    if accuracy is not None:
        history.train_accuracy.append(right_sum / samples)


def _summary(history: History) -> str:
    """The last epoch's numbers, for the progress bar."""
    columns = {
        "loss": history.train_loss,
        "acc": history.train_accuracy,
        "val_loss": history.val_loss,
        "val_acc": history.val_accuracy,
    }
    return ", ".join(f"{name} {values[-1]:.4g}" for name, values in columns.items() if values)


def _loss_value(loss: Loss, outputs: list[Any], targets: list[Any]) -> Value:
    value = loss(outputs, targets)
    if not isinstance(value, Value):
        raise TypeError(f"loss(outputs, targets) must return a Value, got {type(value).__name__}: {value!r}")
    return value


def _evaluate(
    model: Module,
    validation: tuple[Sequence[Any], Sequence[Any]],
    loss: Loss,
    accuracy: Accuracy | None,
    history: History,
) -> float:
    """Record the validation loss (and accuracy) in evaluation mode, building no graph;
    then put the model back in training mode."""
    X_val, y_val = validation
    targets = list(y_val)  # a loss takes lists, as in training
    model.eval()
    with autograd.no_grad():
        outputs = [model(x) for x in X_val]
        val_loss = _loss_value(loss, outputs, targets).data
    history.val_loss.append(val_loss)
    if accuracy is not None:
        history.val_accuracy.append(accuracy(outputs, targets))
    model.train()
    return val_loss
