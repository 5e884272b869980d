"""Modules: `Module` finds its parameters by walking its attributes; `Neuron`, `Layer`, `MLP`, `Dropout`."""

from __future__ import annotations

import itertools
import operator
import random
import reprlib
from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Any, NamedTuple, TypeVar

import autograd
from autograd import Value
from autograd.groups import clock, record_call
from nn import _checks, generator
from nn.activations import Activation, get_activation
from nn.init import get_init

M = TypeVar("M", bound="Module")


class _LabelsParameters(type):
    """Label every parameter with its dotted name as soon as a module is built.

    Modules nest, so the outermost finishes last and its names win: a weight of a
    Neuron inside an MLP ends up labelled ``layers.0.neurons.3.w.1``.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:  # mypy still types MLP(...) as MLP
        module = super().__call__(*args, **kwargs)
        for name, parameter in module.named_parameters():
            parameter.label = name
        return module


class IncompatibleKeys(NamedTuple):
    """What `Module.load_state_dict` did not match (PyTorch's return value)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module(metaclass=_LabelsParameters):
    """Base class of everything with parameters.

    A module's parameters are the Values held in its attributes, directly or in
    (nested) lists and tuples, and those of the modules held the same way; attributes whose
    name starts with ``_`` are skipped. Subclasses define `forward`; calling the
    module calls it.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale, self.shift = Value(2.0), Value(1.0)
    ...     def forward(self, x):
    ...         return self.scale * x + self.shift
    >>> model = Affine()
    >>> model(3.0).data, model.state_dict()
    (7.0, {'scale': 2.0, 'shift': 1.0})
    """

    training: bool = True  # a class default, so subclasses need not call super().__init__()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # What a drawing needs to box this call's values (see autograd.groups), kept on its outputs.
        return record_call(self, args, next(clock), self.forward(*args, **kwargs))

    def _output_parts(self) -> Sequence[Module] | None:
        # For autograd.groups: the submodules whose k-th makes a call's k-th output, if that is so.
        return None

    def _members(self) -> Iterator[tuple[str, Value | Module]]:
        """The Values and modules in this module's public attributes, lists and tuples, in order."""
        for name, attribute in vars(self).items():
            if name.startswith("_"):
                continue
            yield from _members_in(name, attribute)

    def _walk(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Value | Module]]:
        """Every Value and module below this one with its dotted name, depth first, each once."""
        for name, member in self._members():
            if id(member) not in seen:  # a shared parameter or module is listed under its first name
                seen.add(id(member))
                yield prefix + name, member
                if isinstance(member, Module):
                    yield from member._walk(f"{prefix}{name}.", seen)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Each parameter with its dotted name, in a fixed order (also each parameter's ``label``).

        >>> [name for name, _ in Layer(1, 2).named_parameters()]
        ['neurons.0.w.0', 'neurons.0.b', 'neurons.1.w.0', 'neurons.1.b']
        """
        return [(name, m) for name, m in self._walk("", {id(self)}) if isinstance(m, Value)]

    def parameters(self) -> list[Value]:
        """The parameters, in the order of `named_parameters`.

        >>> len(MLP(2, [16, 16, 1]).parameters())
        337
        """
        return [p for _, p in self.named_parameters()]

    def named_modules(self) -> list[tuple[str, Module]]:
        """This module (named ``""``) and every module inside it with its dotted name (PyTorch's name).

        >>> [name for name, _ in MLP(1, [2, 1]).named_modules()][:3]
        ['', 'layers.0', 'layers.0.neurons.0']
        """
        return [("", self), *((n, m) for n, m in self._walk("", {id(self)}) if isinstance(m, Module))]

    def _modules(self) -> list[Module]:
        return [module for _, module in self.named_modules()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (and its ``grad_value`` to None)."""
        for p in self.parameters():
            p.grad = 0.0
            p.grad_value = None

    def train(self: M, mode: bool = True) -> M:
        """Put this module and every module inside it in training mode (or evaluation, for False).

        >>> Dropout(0.5).train(False).training
        False
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) takes a bool, got {type(mode).__name__}: {mode!r}")
        for module in self._modules():
            module.training = mode
        return self

    def eval(self: M) -> M:
        """Put this module and every module inside it in evaluation mode: ``train(False)``."""
        return self.train(False)

    def state_dict(self) -> dict[str, float]:
        """The parameters' values by dotted name, as a plain dict of floats.

        >>> Neuron(1, init="zeros").state_dict()
        {'w.0': 0.0, 'b': 0.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict: Mapping[str, float], strict: bool = True) -> IncompatibleKeys:
        """Set the parameters' values from a state dict, checking all of it before changing anything.

        With ``strict`` (the default), the names must match `named_parameters` exactly,
        else a ValueError lists the missing and unexpected ones. Values must be finite
        real numbers (a TypeError for a bool, a string, ...).

        >>> n = Neuron(1)
        >>> n.load_state_dict({"w.0": 0.5, "b": -1.0})
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> n.load_state_dict({"w.0": 0.5})
        Traceback (most recent call last):
        ...
        ValueError: load_state_dict: got 1 value for 2 parameters; missing ['b'], unexpected []
        """
        given = _checks.state(state_dict, "load_state_dict")
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in given]
        unexpected = [name for name in given if name not in parameters]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: got {_plural(len(given), 'value')} for "
                f"{_plural(len(parameters), 'parameter')}; "
                f"missing {_first(missing)}, unexpected {_first(unexpected)}"
            )
        for name, number in given.items():
            if name in parameters:
                parameters[name].data = number
        return IncompatibleKeys(missing, unexpected)

    def extra_repr(self) -> str:
        """What goes between the parentheses in this module's repr (PyTorch's name)."""
        return ""

    @reprlib.recursive_repr("<this module again: it contains itself>")
    def __repr__(self) -> str:
        lines = [
            f"{type(self).__name__}({self.extra_repr()}) — {_plural(len(self.parameters()), 'parameter')}"
        ]
        children = [(name, repr(m)) for name, m in self._members() if isinstance(m, Module)]
        for name, text in _collapse_runs(children):
            lines.append(f"  {name}: " + text.replace("\n", "\n  "))
        return "\n".join(lines)


def _members_in(name: str, attribute: object) -> Iterator[tuple[str, Value | Module]]:
    """A Value or module itself, or those in a list or tuple, nested to any depth (``weight.o.c.k``)."""
    if isinstance(attribute, (Value, Module)):
        yield name, attribute
    elif isinstance(attribute, (list, tuple)):
        for i, item in enumerate(attribute):
            yield from _members_in(f"{name}.{i}", item)


class _Inputs(list[Value]):
    """A layer's inputs, made Values once: its neurons need not check them again."""


def _as_inputs(x: Sequence[Value | float]) -> Sequence[Value | float]:
    """`x` with each plain number made a leaf labelled ``x[i]``, one per call and shared by every
    neuron that reads it, so a drawing shows one input node with its total gradient.

    >>> [v.label for v in _as_inputs([0.5, Value(1.0, label="y")])]
    ['x[0]', 'y']
    """
    if type(x) is not list and type(x) is not tuple:
        return x  # not a list: the Neuron says what it expects
    if set(map(type, x)) <= {Value}:  # already Values (a hidden layer's input): checked at C speed
        return _Inputs(x)
    return _Inputs(v if isinstance(v, Value) else Value(v, f"x[{i}]") for i, v in enumerate(x))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _first(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{names[:shown]}{more}"


def _collapse_runs(children: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Collapse a run of items of one list with equal reprs, as PyTorch does: ``neurons.0-15: 16 × ...``."""

    def attribute_and_text(child: tuple[str, str]) -> tuple[str, str]:
        name, text = child
        attribute, dot, _ = name.rpartition(".")
        return (attribute if dot else name), text

    for _, run in itertools.groupby(children, attribute_and_text):
        items = list(run)
        if len(items) == 1:
            yield items[0]
        else:
            last_index = items[-1][0].rpartition(".")[2]
            yield f"{items[0][0]}-{last_index}", f"{len(items)} × {items[0][1]}"


class Neuron(Module):
    """One neuron: ``activation(dot(w, x) + b)``, with weights ``w`` (a list) and bias ``b``.

    ``init`` names the scheme for the initial values (see `nn.init`), drawn from
    ``rng`` or `nn`'s default generator; ``fan_out`` is the width of the layer the
    neuron belongs to (used by the xavier schemes).

    >>> n = Neuron(2, activation="relu", init="zeros")
    >>> n.load_state_dict({"w.0": 1.0, "w.1": -2.0, "b": 0.5})
    IncompatibleKeys(missing_keys=[], unexpected_keys=[])
    >>> n([3.0, 1.0]).data
    1.5
    >>> n.w[1].label
    'w.1'
    >>> n([1.0, 2.0, 3.0])
    Traceback (most recent call last):
    ...
    ValueError: Neuron expects 2 inputs, got 3
    """

    def __init__(
        self,
        nin: int,
        activation: str | Activation | None = "relu",
        init: str = "pytorch",
        rng: random.Random | None = None,
        *,
        fan_out: int = 1,
    ) -> None:
        fan_in = _checks.integer(nin, "nin", minimum=1)
        self.activation, self._activate = get_activation(activation)
        weights, bias = get_init(init)(fan_in, _checks.integer(fan_out, "fan_out", 1), generator.resolve(rng))
        self.w = [Value(x) for x in weights]
        self.b = Value(bias)

    def forward(self, x: Sequence[Value | float]) -> Value:
        """The neuron's output for the inputs `x` (Values or plain numbers)."""
        if type(x) is _Inputs:  # from a Layer: already checked and made Values, once for all its neurons
            inputs: Sequence[Value | float] = x
        elif isinstance(x, (Mapping, Set)):  # their len works, but they have no order to match weights to
            raise TypeError(
                f"Neuron takes a list of {len(self.w)} inputs in order, got a {type(x).__name__}: {x!r}"
            )
        else:
            inputs = _as_inputs(x)
        try:
            width = len(inputs)
        except TypeError:
            raise TypeError(
                f"Neuron takes a list of {len(self.w)} inputs, got {type(x).__name__}: {x!r}"
            ) from None
        if width != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {width}")
        return self._activate(autograd.dot(self.w, inputs) + self.b)

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons reading the same inputs; it always returns a list of ``nout`` Values.

    >>> layer = Layer(3, 2, activation="tanh")
    >>> len(layer([1.0, 2.0, 3.0]))
    2
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | Activation | None = "relu",
        init: str = "pytorch",
        rng: random.Random | None = None,
    ) -> None:
        width = _checks.integer(nout, "nout", minimum=1)
        self.neurons = [Neuron(nin, activation, init, rng, fan_out=width) for _ in range(width)]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """Each neuron's output for the inputs `x`."""
        inputs = _as_inputs(x)
        if self._output_parts() is None:  # not plain (see there): each neuron's call recorded on its own
            return [neuron(inputs) for neuron in self.neurons]
        # A plain Neuron calls no module and makes a new Value: the layer's record covers its call.
        return [neuron.forward(inputs) for neuron in self.neurons]

    _plain_neurons: list[Neuron] | None = None  # the neurons last found plain (a class default)

    def _output_parts(self) -> list[Neuron] | None:
        # Plain: a Layer's own forward, and distinct neurons of class Neuron, whose outputs are
        # new Values and which call no module. Checked once per change of the neurons.
        neurons = self.neurons
        if neurons == self._plain_neurons:  # the same neurons as last time: == compares them by identity
            return neurons
        if (
            type(self) is Layer
            and all(map(operator.is_, map(type, neurons), itertools.repeat(Neuron)))
            and len(set(map(id, neurons))) == len(neurons)
        ):
            self._plain_neurons = list(neurons)
            return neurons
        return None

    def extra_repr(self) -> str:
        first = self.neurons[0]
        return f"{len(first.w)}, {len(self.neurons)}, activation={first.activation!r}"


class MLP(Module):
    """A multi-layer perceptron: layers of widths ``sizes`` on ``nin`` inputs.

    Hidden layers use ``activation``; the last layer uses ``output_activation``
    (None: linear, so the outputs are logits or scores). For one input ``x`` (a
    list of ``nin`` numbers or Values) the model returns a list of Values, or, when
    the last layer has a single neuron, that one Value itself (micrograd's
    convention), ready for `hinge_loss` or `binary_cross_entropy_with_logits`.

    >>> model = MLP(2, [16, 16, 1], rng=random.Random(0))
    >>> type(model([0.5, -1.0])).__name__
    'Value'
    >>> len(MLP(2, [8, 3])([0.5, -1.0]))
    3
    >>> model.parameters()[1].label
    'layers.0.neurons.0.w.1'
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activation: str | Activation | None = "relu",
        output_activation: str | Activation | None = None,
        init: str = "pytorch",
        rng: random.Random | None = None,
    ) -> None:
        if not isinstance(sizes, (list, tuple)) or not sizes:
            raise ValueError(
                f"sizes must be a non-empty list of layer widths like [16, 16, 1], got {sizes!r}"
            )
        get_activation(activation)  # checked even when no hidden layer uses it
        get_activation(output_activation)
        widths = [nin, *sizes]
        last = len(sizes) - 1
        self.layers = [
            Layer(widths[i], widths[i + 1], output_activation if i == last else activation, init, rng)
            for i in range(len(sizes))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The outputs for one input `x`: a list, or the Value itself when the last layer has one neuron."""
        outputs: list[Value] = self.layers[0](x)
        for layer in self.layers[1:]:
            outputs = layer(outputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def extra_repr(self) -> str:
        nin = len(self.layers[0].neurons[0].w)
        sizes = [len(layer.neurons) for layer in self.layers]
        hidden, output = self.layers[0].neurons[0].activation, self.layers[-1].neurons[0].activation
        return f"{nin}, {sizes}, activation={hidden!r}, output_activation={output!r}"


class Dropout(Module):
    """Inverted dropout (PyTorch's): in training, zero each input with probability ``p``
    and scale the others by ``1 / (1 - p)``; in evaluation mode, pass the inputs through.

    Takes a list of Values and returns a list. ``p=0`` is the identity and ``p=1``
    gives all zeros. Draws from ``rng``, or from `nn`'s default generator.

    >>> drop = Dropout(0.5, rng=random.Random(1))
    >>> [v.data for v in drop([Value(1.0), Value(2.0), Value(3.0), Value(4.0)])]
    [2.0, 0.0, 0.0, 8.0]
    >>> [v.data for v in drop.eval()([Value(1.0), Value(2.0)])]
    [1.0, 2.0]
    """

    def __init__(self, p: float = 0.5, rng: random.Random | None = None) -> None:
        probability = _checks.real(p, "p")
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"dropout probability p must be between 0 and 1, got {p!r}")
        self.p = probability
        self.rng = generator.resolve(rng)

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """The inputs, each dropped (times 0) or kept (times 1 / (1 - p)); unchanged in evaluation mode."""
        if not self.training or self.p == 0.0:
            return list(x)
        keep = 1.0 - self.p
        scale = 1.0 / keep if keep else 0.0
        return [v * scale if self.rng.random() < keep else v * 0.0 for v in x]

    def extra_repr(self) -> str:
        return f"p={self.p!r}"
