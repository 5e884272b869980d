"""One training session of the Playground: its settings, data, network and optimizer, trained by `nn`.

Every method takes the session's lock, so the page's commands, the training thread
and the snapshots never see half a change. A command that is refused raises
ValueError with the message the page shows, and changes nothing.
"""

from __future__ import annotations

import math
import random
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import autograd
import nn
from autograd import Value
from autograd._files import write_atomically
from nn.playground import datasets
from nn.playground.datasets import DOMAIN, FEATURE_FUNCTIONS, FEATURE_NAMES, Point
from nn.playground.lessons import FEATURES, check_setting, lesson_hash, parse_lesson

__all__ = ["Network", "Session", "grid_outputs"]

MAX_UPLOAD_BYTES = 1_000_000
MAX_CLASSES = 10
TRACE_MAX_NODES = 2000  # the drawing; a walkthrough page takes at most WALKTHROUGH_MAX_NODES
WALKTHROUGH_MAX_NODES = 150
HEATMAP_SIZE, NEURON_MAP_SIZE = 50, 10
DIVERGED = "loss is nan (diverged): lower the learning rate"  # TF shows NaN for inf too
SAMPLES = {"classification": 500, "regression": 1200}  # TF's NUM_SAMPLES_CLASSIFY and _REGRESS

# Which settings rebuild what; the others only change how training goes on, or what is shown.
_DATA_KEYS = {"dataset", "regDataset", "noise", "percTrainData", "seed", "problem", "classes"}
_MODEL_KEYS = {"activation", "activations", "networkShape", "initZero", "dropout", "loss", *FEATURES}
_OPTIMIZERS: dict[str, Callable[[list[Value], float], nn.Optimizer]] = {
    "sgd": lambda params, lr: nn.SGD(params, lr=lr),
    "momentum": lambda params, lr: nn.SGD(params, lr=lr, momentum=0.9),
    "rmsprop": lambda params, lr: nn.RMSprop(params, lr=lr),
    "adagrad": lambda params, lr: nn.Adagrad(params, lr=lr),
    "adam": lambda params, lr: nn.Adam(params, lr=lr),
}


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# The activations on plain floats, for the heatmaps: the same functions as nn.activations'.
FLOAT_ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "tanh": math.tanh,
    "relu": lambda x: x if x > 0.0 else 0.0,
    "sigmoid": _sigmoid,
    "linear": lambda x: x,
    "leaky_relu": lambda x: x if x > 0.0 else 0.01 * x,
    "elu": lambda x: x if x > 0.0 else math.expm1(x),
}


class Network(nn.Module):
    """Hidden `nn.Layer`\\ s with an activation each, dropout after each, and an output layer.

    Initialised as TensorFlow Playground does: weights uniform in [-0.5, 0.5] (0 with
    ``init_zero``), biases 0.1. The output is always a list, one Value per output.

    >>> net = Network(2, [3], ["tanh"], "linear", 1, 0.0, random.Random(0))
    >>> [name for name, _ in net.named_parameters()][:3], len(net([1.0, 2.0]))
    (['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b'], 1)
    """

    def __init__(
        self,
        nin: int,
        widths: Sequence[int],
        activations: Sequence[str],
        output_activation: str,
        outputs: int,
        dropout: float,
        rng: random.Random,
        init_zero: bool = False,
    ) -> None:
        sizes = [nin, *widths, outputs]
        names = [*activations, output_activation]
        self.layers = [nn.Layer(sizes[i], sizes[i + 1], names[i], "zeros") for i in range(len(sizes) - 1)]
        self.dropout = nn.Dropout(dropout, rng)
        for layer in self.layers:
            for neuron in layer.neurons:
                for w in neuron.w:
                    w.data = 0.0 if init_zero else rng.uniform(-0.5, 0.5)
                neuron.b.data = 0.1

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs for one input: each hidden layer, then dropout, then the output layer."""
        hidden: Sequence[Value | float] = x
        for layer in self.layers[:-1]:
            hidden = self.dropout(layer(hidden))
        outputs: list[Value] = self.layers[-1](hidden)
        return outputs


def grid_outputs(
    layers: Sequence[dict[str, Any]], features: Sequence[str], size: int
) -> list[list[list[float]]]:
    """Every neuron's value (the last layer's are the outputs) at the centres of a `size` × `size` grid
    over [-6, 6]², top row first, computed on plain floats from the weights: no graph is built.

    `layers` are ``{"weights": rows, "biases": list, "activation": name}`` as `Session.snapshot`
    gives them. The result holds, per layer, per neuron, the ``size * size`` values.

    >>> layer = {"weights": [[1.0, 0.0]], "biases": [0.0], "activation": "linear"}
    >>> [round(v, 2) for v in grid_outputs([layer], ["x", "y"], 2)[0][0]]
    [-3.0, 3.0, -3.0, 3.0]
    """
    step = 2 * DOMAIN / size
    coordinates = [-DOMAIN + (i + 0.5) * step for i in range(size)]
    cells = [(x1, -x2) for x2 in coordinates for x1 in coordinates]  # rows from the top (x2 = +6)
    columns = [[FEATURE_FUNCTIONS[f](x1, x2) for x1, x2 in cells] for f in features]
    result = []
    for layer in layers:
        f = FLOAT_ACTIVATIONS[layer["activation"]]
        outputs = []
        for weights, bias in zip(layer["weights"], layer["biases"]):
            total = [bias] * len(cells)
            for w, column in zip(weights, columns):
                total = [t + w * c for t, c in zip(total, column)]
            outputs.append([f(t) for t in total])
        result.append(outputs)
        columns = outputs
    return result


def _float_loss(kind: str, outputs: Sequence[float], label: float) -> float:
    """One sample's loss on floats, the same formulas as the `nn` losses that train."""
    if kind == "multi":
        top = max(outputs)
        return top + math.log(sum(math.exp(z - top) for z in outputs)) - outputs[int(label)]
    z = outputs[0]
    if kind == "squared":
        return 0.5 * (z - label) ** 2
    if kind == "crossEntropy":
        return max(z, 0.0) + math.log1p(math.exp(-abs(z))) - z * label
    return max(0.0, 1.0 - label * z)  # hinge


class Session:
    """The one training session a server runs; every tab watches and drives it.

    >>> session = Session()
    >>> session.state()["config"]["networkShape"], session.state()["epoch"]
    ([4, 2], 0)
    >>> session.step_epoch()["epoch"]
    1
    """

    def __init__(self, lesson: str = "") -> None:
        self.lock = threading.RLock()
        self.wake = threading.Condition(self.lock)
        self.version = 0  # bumped by every change, so watchers know when to send a new picture
        self.data_version = 0
        self.notes: list[dict[str, Any]] = []
        self._next_note = 0
        self.playing = False
        self.apply_lesson(lesson)

    # ----- the lesson, the data and the network

    def apply_lesson(self, text: str) -> dict[str, Any]:
        """Start over from a Playground link or hash: its settings, new data, a new network."""
        settings, notes = parse_lesson(text)
        with self.lock:
            self.settings = settings
            self.notes = []
            for note in notes:
                self.note(note)
            self._new_data()
            return self.state()

    def _new_data(self) -> None:
        problem = self.settings["problem"]
        name = self.settings["dataset"] if problem == "classification" else self.settings["regDataset"]
        classes = self.settings["classes"] if problem == "classification" else 2
        if classes != 2 and name not in datasets.MULTI_CLASS:
            self.note(f"classes={classes} needs dataset spiral or gauss, not {name} (kept 2)")
            self.settings["classes"] = classes = 2
        points = datasets.generate(
            name, SAMPLES[problem], self.settings["noise"] / 100, self.settings["seed"], classes
        )
        self._use_points(points, name)

    def _use_points(self, points: list[Point], name: str) -> None:
        split = math.floor(len(points) * self.settings["percTrainData"] / 100)
        self.train_points, self.test_points = points[:split], points[split:]
        self.data_name = name
        self.data_version += 1
        self._new_network()

    def _new_network(self) -> None:
        s = self.settings
        widths = s["networkShape"]
        if len(s["activations"]) != len(widths):
            s["activations"] = []
        self.features = [f for f in FEATURES if s[f]]
        self.kind = self._loss_kind()
        classes = self.classes()
        output = "tanh" if self.kind == "squared" and s["problem"] == "classification" else "linear"
        self.model = Network(
            len(self.features),
            widths,
            s["activations"] or [s["activation"]] * len(widths),
            output,
            classes if self.kind == "multi" else 1,
            s["dropout"],
            random.Random(f"{s['seed']}/network"),
            s["initZero"],
        )
        self.optimizer = _OPTIMIZERS[s["optimizer"]](self.model.parameters(), s["learningRate"])
        self.epoch = self.batch = 0
        self.train_losses: list[float] = []
        self.test_losses: list[float] = []
        self.best_epoch: int | None = None
        self.best_loss = math.inf
        self.best_state: dict[str, float] | None = None
        self.patience = 0
        self.diverged = False
        self.playing = False
        self._record_losses()

    def classes(self) -> int:
        """How many classes the data has (2 for regression, whose one output is a number)."""
        if self.settings["problem"] == "regression":
            return 2
        return max(2, 1 + max((int(p[2]) for p in self.train_points + self.test_points), default=1))

    def _loss_kind(self) -> str:
        # Regression trains on squared error and 3+ classes on softmax cross-entropy, whatever `loss` says.
        if self.settings["problem"] == "regression":
            return "squared"
        if self.classes() > 2:
            return "multi"
        return str(self.settings["loss"])

    def _target(self, label: float) -> float:
        """The number a sample's output is trained towards: ±1 for squared error and hinge."""
        if self.settings["problem"] == "regression" or self.kind in ("multi", "crossEntropy"):
            return label
        return 2.0 * label - 1.0

    def _inputs(self, x1: float, x2: float) -> list[float]:
        return [FEATURE_FUNCTIONS[f](x1, x2) for f in self.features]

    # ----- training

    def _batch_loss(self, outputs: list[list[Value]], labels: list[float]) -> Value:
        targets = [self._target(label) for label in labels]
        if self.kind == "multi":
            loss = nn.cross_entropy(outputs, [int(t) for t in targets])
        elif self.kind == "crossEntropy":
            loss = nn.binary_cross_entropy_with_logits([o[0] for o in outputs], targets)
        elif self.kind == "hinge":
            loss = nn.hinge_loss([o[0] for o in outputs], targets)
        else:  # TF's error: ½(output − target)², its derivative output − target
            loss = 0.5 * nn.mse_loss([o[0] for o in outputs], targets)
        rate, kind = self.settings["regularizationRate"], self.settings["regularization"]
        if kind != "none" and rate > 0.0:
            weights = [w for layer in self.model.layers for neuron in layer.neurons for w in neuron.w]
            penalty = nn.l1_penalty(weights) if kind == "L1" else 0.5 * nn.l2_penalty(weights)
            loss = loss + rate * penalty
        return loss

    def step_batch(self) -> None:
        """Train on the next batch of the epoch (the optimizer's one step); finish the epoch at its end."""
        with self.lock:
            if self.diverged:
                return
            size = self.settings["batchSize"]
            batch = self.train_points[self.batch : self.batch + size]
            self.model.train()
            loss = self._batch_loss(
                [self.model(self._inputs(x1, x2)) for x1, x2, _ in batch], [p[2] for p in batch]
            )
            if not math.isfinite(loss.data):
                self._diverge()
                return
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.batch += size
            if self.batch >= len(self.train_points):
                self.epoch += 1
                self.batch = 0
                self._record_losses()
            self.version += 1

    def step_epoch(self) -> dict[str, Any]:
        """Train to the end of the current epoch (TensorFlow Playground's step button); the new state."""
        with self.lock:
            epoch = self.epoch
            while self.epoch == epoch and not self.diverged:
                self.step_batch()
            return self.state()

    def _record_losses(self) -> None:
        self.model.eval()
        train, test = self._mean_loss(self.train_points), self._mean_loss(self.test_points)
        self.train_losses.append(train)
        self.test_losses.append(test)
        self.version += 1
        if not math.isfinite(train):
            self._diverge()
            return
        if test < self.best_loss:  # the test set doubles as the validation set
            self.best_loss, self.best_epoch, self.best_state, self.patience = (
                test,
                self.epoch,
                self.model.state_dict(),
                0,
            )
        elif self.epoch > 0:
            self.patience += 1
            patience = self.settings["earlyStopping"]
            if patience and self.patience >= patience and self.playing:
                self.playing = False
                self.note(
                    f"early stopping: no lower test loss for {patience} epochs; the best was epoch "
                    f"{self.best_epoch} ({self.best_loss:.4g}): press restore best to go back to it"
                )

    def _mean_loss(self, points: list[Point]) -> float:
        if not points:
            return math.nan if not self.train_points else 0.0
        layers = self._layers()
        total = 0.0
        try:
            for x1, x2, label in points:
                values = self._inputs(x1, x2)
                for layer in layers:
                    f = FLOAT_ACTIVATIONS[layer["activation"]]
                    values = [
                        f(b + sum(w * v for w, v in zip(row, values)))
                        for row, b in zip(layer["weights"], layer["biases"])
                    ]
                total += _float_loss(self.kind, values, self._target(label))
        except OverflowError:
            return math.inf
        return total / len(points)

    def _diverge(self) -> None:
        self.diverged, self.playing = True, False
        self.version += 1
        self.note(DIVERGED)

    def play(self) -> dict[str, Any]:
        """Train on and on (in the server's training thread) until `pause`."""
        with self.lock:
            if self.diverged:
                raise ValueError(DIVERGED + ", then press reset")
            self.playing = True
            self.version += 1
            self.wake.notify_all()
            return self.state()

    def pause(self) -> dict[str, Any]:
        """Stop training after the current batch."""
        with self.lock:
            self.playing = False
            self.version += 1
            return self.state()

    def reset(self) -> dict[str, Any]:
        """A new network (the same first weights for the same seed), epoch 0, the same data."""
        with self.lock:
            self._new_network()
            return self.state()

    def restore_best(self) -> dict[str, Any]:
        """Put back the weights of the epoch with the lowest test loss."""
        with self.lock:
            if self.best_state is None:
                raise ValueError("restore best: no epoch has a finite test loss yet")
            self.model.load_state_dict(self.best_state)
            self.diverged = False
            self.version += 1
            self.note(f"restored the weights of epoch {self.best_epoch} (test loss {self.best_loss:.4g})")
            return self.state()

    # ----- settings and data from the page

    def set(self, key: str, value: object) -> dict[str, Any]:
        """Change one setting as its control does; a refused value raises ValueError and changes nothing."""
        with self.lock:
            new = check_setting(key, value)
            s = self.settings
            if key in FEATURES and not new and [f for f in FEATURES if s[f]] == [key]:
                raise ValueError(f"{key}=false is refused: the network needs at least one input feature")
            if key == "activations" and new and len(new) != len(s["networkShape"]):
                raise ValueError(
                    f"activations={','.join(new)!r} is refused; expected one activation for each of the "
                    f"{len(s['networkShape'])} hidden layers"
                )
            if key == "classes" and new != 2 and s["dataset"] not in datasets.MULTI_CLASS:
                raise ValueError(
                    f"classes={new} is refused: more than 2 classes need dataset spiral or gauss"
                )
            if key == "dataset" and s["classes"] != 2 and new not in datasets.MULTI_CLASS:
                raise ValueError(
                    f"dataset={new!r} is refused with classes={s['classes']}: use spiral or gauss"
                )
            s[key] = new
            if key == "activation":
                s["activations"] = []
            elif key == "networkShape" and s["activations"]:
                s["activations"] = [*s["activations"], *[s["activation"]] * 6][: len(new)]
            if key in _DATA_KEYS:
                self._new_data()
            elif key in _MODEL_KEYS:
                self._new_network()
            elif key == "optimizer":
                self.optimizer = _OPTIMIZERS[new](self.model.parameters(), s["learningRate"])
            elif key == "learningRate":
                self.optimizer.lr = new
            self.version += 1
            return self.state()

    def upload(self, text: str) -> dict[str, Any]:
        """Use the points of a CSV text (``x1,x2,label``, as `nn.data.load_csv` reads it)."""
        if not isinstance(text, str):
            raise ValueError(f"upload takes the text of a CSV file, got {type(text).__name__}")
        size = len(text.encode())
        if size > MAX_UPLOAD_BYTES:
            raise ValueError(
                f"the upload is {size / 1e6:.1f} MB; at most 1 MB of CSV (x1,x2,label rows) is allowed"
            )
        points = _read_points(text)
        with self.lock:
            regression = self.settings["problem"] == "regression"
            labels = sorted({p[2] for p in points})
            if not regression:
                if set(labels) <= {-1.0, 1.0}:  # TensorFlow Playground's labels
                    points = [(x1, x2, float(label > 0)) for x1, x2, label in points]
                elif not all(label.is_integer() and 0 <= label < MAX_CLASSES for label in labels):
                    raise ValueError(
                        f"the label column has {_first(labels)}; classification needs class indices 0 to "
                        f"{MAX_CLASSES - 1} (or -1 and 1)"
                    )
            rng = random.Random(f"{self.settings['seed']}/upload")
            rng.shuffle(points)
            self._use_points(points, "upload")
            return self.state()

    def add_point(self, x1: object, x2: object, label: object) -> dict[str, Any]:
        """Add a training point at (x1, x2) with `label` (a class index, or a target for regression)."""
        where = [_finite(x1, "x1"), _finite(x2, "x2"), _finite(label, "label")]
        with self.lock:
            if self.settings["problem"] == "classification":
                classes = self.classes()
                if not where[2].is_integer() or not 0 <= where[2] < classes:
                    raise ValueError(f"label={label!r} is refused; expected a class index 0 to {classes - 1}")
            elif not -1.0 <= where[2] <= 1.0:
                raise ValueError(f"label={label!r} is refused; a regression target is in [-1, 1]")
            self.train_points.append((where[0], where[1], where[2]))
            self.data_version += 1
            self.version += 1
            return self.state()

    def set_weight(self, layer: object, neuron: object, source: object, value: object) -> dict[str, Any]:
        """Set one weight (`source` an input index) or bias (`source` ``"b"``) as a click on it does."""
        number = _finite(value, "weight")
        with self.lock:
            try:
                target = self.model.layers[int(layer)].neurons[int(neuron)]  # type: ignore[call-overload]
                parameter = target.b if source == "b" else target.w[int(source)]  # type: ignore[call-overload]
            except (IndexError, TypeError, ValueError):
                raise ValueError(
                    f"no weight at layer {layer!r}, neuron {neuron!r}, input {source!r}"
                ) from None
            parameter.data = number
            self.version += 1
            return self.state()

    def note(self, text: str) -> None:
        """Show `text` on every page until it is dismissed."""
        with self.lock:
            self._next_note += 1
            self.notes.append({"id": self._next_note, "text": text})
            self.version += 1

    def dismiss(self, note_id: object) -> dict[str, Any]:
        """Remove the note `note_id`."""
        with self.lock:
            self.notes = [note for note in self.notes if note["id"] != note_id]
            self.version += 1
            return self.state()

    # ----- what the page shows

    def _layers(self) -> list[dict[str, Any]]:
        return [
            {
                "weights": [[w.data for w in neuron.w] for neuron in layer.neurons],
                "biases": [neuron.b.data for neuron in layer.neurons],
                "activation": layer.neurons[0].activation,
            }
            for layer in self.model.layers
        ]

    def points(self) -> list[list[Any]]:
        """Every point as ``[x1, x2, label, "train" | "test"]``, training points first."""
        with self.lock:
            return [[x1, x2, _label(y), "train"] for x1, x2, y in self.train_points] + [
                [x1, x2, _label(y), "test"] for x1, x2, y in self.test_points
            ]

    def state(self) -> dict[str, Any]:
        """What ``window.playground.state()`` returns (without the points), as JSON-friendly data."""
        with self.lock:
            return {
                "epoch": self.epoch,
                "trainLoss": _json_number(self.train_losses[-1]),
                "testLoss": _json_number(self.test_losses[-1]),
                "playing": self.playing,
                "diverged": self.diverged,
                "config": {key: _copy(value) for key, value in self.settings.items()},
                "hash": lesson_hash(self.settings),
                "notes": [note["text"] for note in self.notes],
                "noteIds": [note["id"] for note in self.notes],
                "data": self.data_name,
                "version": self.version,
                "dataVersion": self.data_version,
                "classes": self.classes(),
                "lossKind": self.kind,
                "features": self.features,
                "bestEpoch": self.best_epoch,
                "bestLoss": _json_number(self.best_loss),
                "patience": self.patience,
            }

    def snapshot(self) -> dict[str, Any]:
        """The state with the network's weights, the loss curves and the heatmaps, ready to draw."""
        with self.lock:
            state = self.state()
            layers = self._layers()
            stride = max(1, math.ceil(len(self.train_losses) / 400))
            state["curves"] = {
                "epochs": list(range(0, len(self.train_losses), stride)),
                "train": [_json_number(v) for v in self.train_losses[::stride]],
                "test": [_json_number(v) for v in self.test_losses[::stride]],
            }
        state["layers"] = layers
        state["heatmap"], state["neuronMaps"] = self._heatmaps(layers)
        return state

    def _heatmaps(self, layers: list[dict[str, Any]]) -> tuple[list[Any], list[list[list[float | None]]]]:
        try:
            values = grid_outputs(layers, self.features, HEATMAP_SIZE)
        except OverflowError:
            return [], []
        every = HEATMAP_SIZE // NEURON_MAP_SIZE
        picked = [
            r * HEATMAP_SIZE + c
            for r in range(every // 2, HEATMAP_SIZE, every)
            for c in range(every // 2, HEATMAP_SIZE, every)
        ]
        neuron_maps = [[[_json_number(column[i]) for i in picked] for column in layer] for layer in values]
        outputs = values[-1]
        if self.kind == "multi":
            heatmap = []
            for logits in zip(*outputs):
                top = max(logits)
                weights = [math.exp(z - top) for z in logits]
                best = max(range(len(logits)), key=logits.__getitem__)
                heatmap.append([best, round(weights[best] / sum(weights), 3)])
            return heatmap, neuron_maps
        shown: Callable[[float], float] = {
            "squared": lambda z: z,
            "crossEntropy": lambda z: 2.0 * _sigmoid(z) - 1.0,  # the probability of class 1, as -1 to 1
            "hinge": lambda z: max(-1.0, min(1.0, z)),
        }[self.kind]
        return [round(shown(z), 4) if math.isfinite(z) else 0.0 for z in outputs[0]], neuron_maps

    def optimizer_table(self) -> dict[str, Any]:
        """Each parameter's value, gradient and optimizer state, for the page's table."""
        with self.lock:
            state = self.optimizer.state
            names = [name for name, _ in self.model.named_parameters()]
            return {
                "optimizer": type(self.optimizer).__name__,
                "steps": self.optimizer.steps,
                "columns": ["parameter", "value", "grad", *state],
                "rows": [
                    [name, p.data, p.grad, *(values[i] for values in state.values())]
                    for i, (name, p) in enumerate(zip(names, self.optimizer.params))
                ],
            }

    def model_json(self) -> str:
        """The network's state dict as `nn.save` writes it."""
        with self.lock:
            state = self.model.state_dict()
        return _save_text(state)

    # ----- tracing one point back through its graph

    def trace_graph(self, index: object) -> tuple[Value, list[Any]]:
        """Training point `index`'s graph at the current weights: its loss, after backward (no dropout)."""
        with self.lock:
            if (
                isinstance(index, bool)
                or not isinstance(index, int)
                or not 0 <= index < len(self.train_points)
            ):
                raise ValueError(
                    f"trace({index!r}) is refused; expected a training point index "
                    f"0 to {len(self.train_points) - 1}"
                )
            x1, x2, label = self.train_points[index]
            inputs = [Value(v, label=FEATURE_NAMES[f]) for v, f in zip(self._inputs(x1, x2), self.features)]
            self.model.eval()
            self.model.zero_grad()
            loss = self._batch_loss([self.model(inputs)], [label])
            loss.label = "loss"
            loss.backward()  # the parameters' grads are now this sample's, until training's zero_grad
            self.model.train()
            return loss, [x1, x2, _label(label), "train"]

    def trace(self, index: object) -> dict[str, Any]:
        """The drawing of training point `index`'s graph (DOT source) and the number of values in it."""
        with self.lock:
            loss, point = self.trace_graph(index)
            drawing = autograd.draw(loss, max_nodes=TRACE_MAX_NODES)  # a box per layer and neuron
        return {"index": index, "point": point, "values": drawing.node_count, "source": drawing.source}

    def walkthrough(self, index: object) -> autograd.Walkthrough:
        """The backprop walkthrough of training point `index`'s loss."""
        with self.lock:
            loss, _ = self.trace_graph(index)
            return autograd.walkthrough(loss, max_nodes=WALKTHROUGH_MAX_NODES)

    # ----- the training thread

    def run(self, stop: threading.Event) -> None:
        """Train while playing, batch by batch, until `stop` is set (the server's training thread)."""
        while not stop.is_set():
            with self.lock:
                if not self.playing:
                    self.wake.wait(timeout=0.2)
                    continue
            self.step_batch()

    def hash(self) -> str:
        """The settings as a Playground hash."""
        with self.lock:
            return lesson_hash(self.settings)


def _read_points(text: str) -> list[Point]:
    """``(x1, x2, label)`` rows of a CSV text, read by `nn.data.load_csv` (so by its rules and messages)."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_atomically(Path(folder) / "upload.csv", text)
        try:
            X, y = nn.data.load_csv(path)
        except ValueError as error:
            raise ValueError(str(error).replace(str(path), "the CSV")) from None
    if len(X[0]) != 2:
        raise ValueError(f"the CSV has {len(X[0]) + 1} columns; expected three: x1,x2,label")
    return [(x1, x2, float(label)) for (x1, x2), label in zip(X, y)]


def _finite(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name}={value!r} is refused; expected a finite number")
    return float(value)


def _first(labels: list[float], shown: int = 5) -> str:
    text = ", ".join(f"{label:g}" for label in labels[:shown])
    return f"{len(labels)} different labels ({text}{', ...' if len(labels) > shown else ''})"


def _label(y: float) -> float | int:
    return int(y) if y.is_integer() else y


def _json_number(x: float | None) -> float | None:
    return x if x is None or math.isfinite(x) else None


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _save_text(state: dict[str, float]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        nn.save(state, path)
        return path.read_text(encoding="utf-8")
