"""fit, History and accuracy; and micrograd's demo reproduced with the explicit loop."""

import math
import random

import pytest

import nn
from autograd import Value


def line_model(weight=0.0, bias=0.0):
    model = nn.Neuron(1, activation="linear")
    model.load_state_dict({"w.0": weight, "b": bias})
    return model


def explicit_loop(model, X, y, loss, optimizer, epochs):
    for _ in range(epochs):
        value = loss([model(x) for x in X], y)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()


# ---------------------------------------------------------------------------
# micrograd's demo


@pytest.mark.slow
def test_micrograds_demo_reaches_100_percent_training_accuracy():
    # micrograd's demo.ipynb: moons, MLP(2, [16, 16, 1]) with micrograd's init
    # ("uniform": weights U(-1, 1), bias 0; here from random.Random(1)), hinge loss
    # plus 1e-4 L2, full-batch SGD with lr = 1.0 - 0.9 k / 100 for 100 steps.
    X, y = nn.data.make_moons(100, noise=0.1)
    labels = [2 * t - 1 for t in y]  # ±1 for the hinge loss
    model = nn.MLP(2, [16, 16, 1], init="uniform", rng=random.Random(1))
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    accuracies, losses = [], []
    for k in range(100):
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, labels) + 1e-4 * nn.l2_penalty(model.parameters())
        accuracies.append(sum((s.data > 0) == (t > 0) for s, t in zip(scores, labels)) / len(X))
        losses.append(loss.data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / 100
        optimizer.step()
    final = [model(x).data for x in X]
    assert sum((s > 0) == (t > 0) for s, t in zip(final, labels)) == len(X)
    assert accuracies.index(1.0) < 60  # micrograd's own run first gets there at step 40
    assert losses[-1] < 0.1 * losses[0]


# ---------------------------------------------------------------------------
# fit runs the explicit loop


def test_full_batch_fit_is_the_explicit_loop_bit_for_bit():
    X, y = nn.data.make_moons(30, noise=0.1)
    labels = [2 * t - 1 for t in y]

    def loss(outputs, targets):
        return nn.hinge_loss(outputs, targets) + 1e-4 * nn.l2_penalty(model.parameters())

    model = nn.MLP(2, [4, 1], rng=random.Random(0))
    explicit_loop(model, X, labels, loss, nn.SGD(model.parameters(), lr=0.5, momentum=0.9), 5)
    expected = model.state_dict()
    model = nn.MLP(2, [4, 1], rng=random.Random(0))
    history = nn.fit(
        model,
        X,
        labels,
        loss=loss,
        optimizer=nn.SGD(model.parameters(), lr=0.5, momentum=0.9),
        epochs=5,
        progress=False,
    )
    assert model.state_dict() == expected
    assert len(history.train_loss) == len(history.train_accuracy) == 5
    assert history.val_loss == history.val_accuracy == [] and history.best_epoch is None
    assert not history.stopped_early


def test_fit_steps_a_scheduler_once_per_epoch_like_micrograds_loop():
    X, y = [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0]

    model = line_model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    for k in range(4):
        value = nn.mse_loss([model(x) for x in X], y)
        optimizer.zero_grad()
        value.backward()
        optimizer.lr = 0.1 * (1.0 - 0.9 * k / 100)
        optimizer.step()
    expected = model.state_dict()

    model = line_model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    scheduler = nn.LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=100)
    nn.fit(model, X, y, loss=nn.mse_loss, optimizer=optimizer, epochs=4, scheduler=scheduler, progress=False)
    assert model.state_dict() == pytest.approx(expected, rel=1e-14)
    assert optimizer.lr == pytest.approx(0.1 * (1.0 - 0.9 * 4 / 100), rel=1e-14)


def test_minibatches_are_reshuffled_each_epoch_from_the_seed():
    X, y = [[float(i)] for i in range(10)], [2.0 * i for i in range(10)]
    seen = []

    def recording_loss(outputs, targets):
        seen.append(tuple(targets))
        return nn.mse_loss(outputs, targets)

    def run(seed):
        model = line_model()
        optimizer = nn.SGD(model.parameters(), lr=0.001)
        nn.fit(
            model,
            X,
            y,
            loss=recording_loss,
            optimizer=optimizer,
            epochs=2,
            batch_size=4,
            seed=seed,
            progress=False,
        )
        return model.state_dict(), optimizer.steps

    seen.clear()
    first, steps = run(0)
    batches = list(seen)
    assert steps == 2 * 3 and [len(b) for b in batches] == [4, 4, 2] * 2
    assert sorted(t for b in batches[:3] for t in b) == sorted(y)  # every sample once per epoch
    assert batches[:3] != batches[3:]  # reshuffled
    seen.clear()
    assert run(0)[0] == first and seen == batches
    seen.clear()
    assert run(1)[0] != first


def test_train_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    X, y = [[float(i)] for i in range(5)], [1.0, -1.0, 1.0, -1.0, 1.0]
    batch_losses = []

    def recording_loss(outputs, targets):
        value = nn.hinge_loss(outputs, targets)
        batch_losses.append((value.data, len(targets)))
        return value

    model = line_model(0.3, -0.1)
    history = nn.fit(
        model,
        X,
        y,
        loss=recording_loss,
        optimizer=nn.SGD(model.parameters(), lr=0.01),
        epochs=1,
        batch_size=2,
        progress=False,
    )
    assert history.train_loss == [pytest.approx(sum(v * n for v, n in batch_losses) / 5, rel=1e-15)]


def test_validation_metrics_are_measured_after_each_epoch_in_eval_mode():
    modes = []

    class Recorder(nn.Module):
        def __init__(self):
            self.inner = line_model(1.0, 0.0)

        def forward(self, x):
            modes.append(self.training)
            return self.inner(x)

    model = Recorder()
    X, y = [[1.0], [-2.0]], [1, -1]
    history = nn.fit(
        model,
        X,
        y,
        loss=nn.hinge_loss,
        optimizer=nn.SGD(model.parameters(), lr=0.0),
        epochs=2,
        validation=([[3.0], [0.5], [-1.0]], [1, -1, -1]),
        progress=False,
    )
    assert modes == [True, True, False, False, False] * 2
    assert model.training  # put back as it was
    assert history.val_loss == [pytest.approx((0 + 1.5 + 0) / 3)] * 2
    assert history.val_accuracy == [pytest.approx(2 / 3)] * 2
    assert history.train_accuracy == [1.0, 1.0]
    assert history.best_epoch == 0


# ---------------------------------------------------------------------------
# Early stopping and restoring the best weights


def drifting_fit(**kwargs):
    """Training on y = x pulls the weight up from 0; the validation set wants y = -x,
    so the validation loss is lowest after the first epoch and rises after."""
    model = line_model()
    history = nn.fit(
        model,
        [[1.0], [2.0]],
        [1.0, 2.0],
        loss=nn.mse_loss,
        optimizer=nn.SGD(model.parameters(), lr=0.05),
        epochs=20,
        validation=([[1.0], [2.0]], [-1.0, -2.0]),
        progress=False,
        **kwargs,
    )
    return model, history


def test_early_stopping_waits_patience_epochs_then_restores_the_best_weights():
    model, history = drifting_fit(early_stopping=3)
    assert history.stopped_early
    assert history.best_epoch == 0
    assert len(history.val_loss) == 1 + 3
    assert history.val_loss == sorted(history.val_loss)
    reference = line_model()  # the weights after the first epoch
    explicit_loop(
        reference, [[1.0], [2.0]], [1.0, 2.0], nn.mse_loss, nn.SGD(reference.parameters(), lr=0.05), 1
    )
    assert model.state_dict() == reference.state_dict()


def test_without_restore_best_the_last_weights_stay():
    model, history = drifting_fit(early_stopping=2, restore_best=False)
    reference = line_model()
    explicit_loop(
        reference, [[1.0], [2.0]], [1.0, 2.0], nn.mse_loss, nn.SGD(reference.parameters(), lr=0.05), 3
    )
    assert len(history.train_loss) == 3
    assert model.state_dict() == reference.state_dict()


def test_with_validation_but_no_early_stopping_all_epochs_run_and_the_best_is_restored():
    model, history = drifting_fit()
    assert len(history.val_loss) == 20 and not history.stopped_early
    reference = line_model()
    explicit_loop(
        reference, [[1.0], [2.0]], [1.0, 2.0], nn.mse_loss, nn.SGD(reference.parameters(), lr=0.05), 1
    )
    assert model.state_dict() == reference.state_dict()


# ---------------------------------------------------------------------------
# Divergence, progress bar, bad arguments


def test_a_diverging_loss_stops_at_once_naming_epoch_and_step():
    X, y = [[10.0]] * 4, [1.0] * 4

    model = line_model(1.0, 0.0)
    optimizer = nn.SGD(model.parameters(), lr=10.0)
    expected_epoch = expected_step = None
    for epoch in range(1, 100):  # the same run written out, 2 batches an epoch
        for step, start in enumerate((0, 2), 1):
            value = nn.mse_loss([model(x) for x in X[start : start + 2]], y[start : start + 2])
            if not math.isfinite(value.data):
                expected_epoch, expected_step = epoch, step
                break
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
        if expected_epoch:
            break
    last_weights = model.state_dict()

    model = line_model(1.0, 0.0)
    optimizer = nn.SGD(model.parameters(), lr=10.0)
    with pytest.raises(FloatingPointError) as error:
        nn.fit(model, X, y, loss=nn.mse_loss, optimizer=optimizer, epochs=99, batch_size=2, progress=False)
    assert str(error.value) == (
        f"loss diverged at epoch {expected_epoch}, step {expected_step}; try a smaller learning rate"
    )
    assert model.state_dict() == last_weights  # the diverged step changed nothing


def test_progress_bar_on_stderr_and_off(capsys):
    def fit(progress):
        model = line_model()
        nn.fit(
            model,
            [[1.0]],
            [1.0],
            loss=nn.mse_loss,
            optimizer=nn.SGD(model.parameters(), lr=0.1),
            epochs=3,
            progress=progress,
        )

    fit(True)
    shown = capsys.readouterr()
    assert "fit" in shown.err and "3/3" in shown.err and "loss" in shown.err and "acc" in shown.err
    fit(False)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"early_stopping": 2}, ValueError, "early_stopping watches the validation loss"),
        ({"validation": [[1.0]]}, TypeError, r"validation must be a pair \(X_val, y_val\)"),
        ({"validation": ([[1.0]], [1.0, 2.0])}, ValueError, "validation needs as many targets as inputs"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be an nn optimizer"),
        ({"loss": lambda o, t: 1.0}, TypeError, r"loss\(outputs, targets\) must return a Value, got float"),
        ({"y": [1.0, 2.0]}, ValueError, "fit needs as many targets as inputs, at least one; got 1 and 2"),
    ],
)
def test_fit_checks_its_arguments(arguments, error, message):
    model = line_model()
    settings = {
        "X": [[1.0]],
        "y": [1.0],
        "loss": nn.mse_loss,
        "optimizer": nn.SGD(model.parameters(), lr=0.1),
        "epochs": 1,
        "progress": False,
        **arguments,
    }
    X, y = settings.pop("X"), settings.pop("y")
    with pytest.raises(error, match=message):
        nn.fit(model, X, y, **settings)


def test_fit_refuses_an_optimizer_over_parameters_that_are_not_the_models():
    model, other = line_model(), line_model(weight=2.0)
    with pytest.raises(ValueError, match=r"parameter 0 \(w\.0\) is not one of the model's parameters"):
        nn.fit(model, [[1.0]], [1.0], loss=nn.mse_loss, optimizer=nn.SGD(other.parameters()), epochs=1)
    assert model.state_dict() == {"w.0": 0.0, "b": 0.0}


@pytest.mark.parametrize(
    ("X", "y", "validation", "message"),
    [
        (
            [[1.0], [math.nan], [2.0]],
            [1.0, 2.0, 3.0],
            None,
            r"fit: sample 1 is not all finite numbers: X\[1\]",
        ),
        ([[1.0], [2.0]], [1.0, math.inf], None, r"fit: sample 1 is not all finite numbers: y\[1\] = inf"),
        ([[Value(math.nan)]], [0.0], None, r"fit: sample 0 is not all finite numbers: X\[0\]"),
        ([[1.0]], [1.0], ([[1.0], [2.0]], [0.0, math.nan]), r"validation: sample 1 .* y\[1\] = nan"),
    ],
)
def test_nan_in_the_data_is_refused_before_the_first_step_naming_the_sample(X, y, validation, message):
    model = line_model(weight=0.5)
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=message):
        nn.fit(
            model,
            X,
            y,
            loss=nn.mse_loss,
            optimizer=optimizer,
            epochs=1,
            validation=validation,
            progress=False,
        )
    assert model.state_dict() == {"w.0": 0.5, "b": 0.0}


def test_fit_needs_a_module():
    with pytest.raises(TypeError, match=r"model must be an nn\.Module, got function"):
        nn.fit(lambda x: x, [[1.0]], [1.0], loss=nn.mse_loss, optimizer=nn.SGD([Value(1.0)]), epochs=1)


def test_fit_without_accuracy_records_none():
    model = line_model()
    history = nn.fit(
        model,
        [[1.0]],
        [2.5],
        loss=nn.mse_loss,
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        epochs=2,
        accuracy=None,
        progress=False,
    )
    assert history.train_accuracy == [] and len(history.train_loss) == 2


# ---------------------------------------------------------------------------
# accuracy


def test_accuracy_of_one_score_per_sample_reads_the_sign():
    scores = [Value(2.0), Value(-1.0), Value(0.0), 0.5, [Value(-3.0)]]
    assert nn.accuracy(scores, [1, 0, 0, -1, -1]) == 4 / 5
    assert nn.accuracy(scores, [1, -1, -1, 1, -1]) == 1.0


def test_a_model_ending_in_a_one_output_layer_trains_with_fit_and_its_accuracy():
    class Net(nn.Module):
        def __init__(self):
            self.out = nn.Layer(2, 1, activation="linear", init="zeros")

        def forward(self, x):
            return self.out(x)  # a list of one Value

    model = Net()
    X, targets = [[0.0, 1.0], [1.0, 0.0]], [[1.0], [-1.0]]  # nested, as mse_loss takes them
    history = nn.fit(
        model,
        X,
        targets,
        loss=nn.mse_loss,
        optimizer=nn.SGD(model.parameters(), lr=0.5),
        epochs=1,
        progress=False,
    )
    # By hand: from zero weights the outputs are 0 and 0, so 1 of 2 signs is right (0 counts as
    # negative); one full-batch step on the mean squared error moves w to (-0.5, 0.5), b to 0.
    assert history.train_accuracy == [0.5]
    assert nn.accuracy([model(x) for x in X], targets) == 1.0
    assert nn.accuracy([[Value(-3.0)]], [[-1.0]]) == 1.0


def test_accuracy_of_several_outputs_is_the_argmax():
    outputs = [[Value(0.1), Value(2.0), Value(-1.0)], [3.0, 0.0, 0.0], [1.0, 1.0, 0.0]]
    assert nn.accuracy(outputs, [1, 2, 0]) == 2 / 3  # ties go to the first
    assert nn.accuracy(outputs, [[0, 1, 0], [1, 0, 0], [0, 1, 0]]) == 2 / 3  # one-hot targets


def test_accuracy_needs_matching_non_empty_lists():
    with pytest.raises(ValueError, match="got 2 and 1"):
        nn.accuracy([1.0, 2.0], [1])
    with pytest.raises(ValueError, match="got 0 and 0"):
        nn.accuracy([], [])
