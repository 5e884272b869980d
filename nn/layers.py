"""PyTorch's building blocks on Values: `Linear`, activation modules, `Sequential`, `Residual`,
`Conv1d`, the pools, `Flatten` and `RNN`.

One sample at a time, no batch dimension: a vector is a list, a sequence of
channels (C × T) is a list of C lists of T. Inputs may be Values or plain numbers.
Parameter names are PyTorch's with the tensor indices spelled out (``weight.i.j``),
so a PyTorch ``state_dict`` flattened to those names loads with `load_state_dict`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import autograd
from autograd import Value
from nn import _checks, generator
from nn.init import get_init
from nn.module import Module

Vector = list[Value]
Channels = list[list[Value]]


def _as_vector(x: object, expected: int, who: str, what: str = "inputs") -> Vector:
    """`x` as a list of `expected` Values (plain numbers become leaves once), or a clear error."""
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{who} takes a list of {expected} {what}, got {type(x).__name__}: {x!r}")
    if len(x) != expected:
        raise ValueError(f"{who} expects {expected} {what}, got {len(x)}")
    return [v if isinstance(v, Value) else Value(_checks.real(v, f"{who}: an input")) for v in x]


def _as_channels(x: object, channels: int | None, who: str) -> Channels:
    """`x` as C lists of T Values, all of one length T >= 1 (C checked when `channels` is given)."""
    if not isinstance(x, (list, tuple)) or not all(isinstance(row, (list, tuple)) for row in x):
        raise TypeError(f"{who} takes a list of channels, each a list of numbers (C × T), got {x!r}")
    if channels is not None and len(x) != channels:
        raise ValueError(f"{who} expects {channels} input channels, got {len(x)}")
    if not x:
        raise ValueError(f"{who} expects at least one input channel, got none")
    length = len(x[0])
    if not length:
        raise ValueError(f"{who} expects at least one sample per channel, got channels of length 0")
    for c, row in enumerate(x):
        if len(row) != length:
            raise ValueError(
                f"{who}: every channel must have length {length} like channel 0, channel {c} has {len(row)}"
            )
    return [_as_vector(row, length, who, "samples") for row in x]


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}: {value!r}")
    return value


def _shape(x: object) -> tuple[int, ...]:
    """The sizes of nested lists, outermost first: ``()`` for one Value or number."""
    if isinstance(x, (list, tuple)):
        return (len(x), *(_shape(x[0]) if x else ()))
    return ()


def _elementwise(function: Callable[[Value], Value], x: Any) -> Any:
    """`function` applied to every number or Value in `x`, keeping its nesting."""
    if isinstance(x, (list, tuple)):
        return [_elementwise(function, item) for item in x]
    return function(x if isinstance(x, Value) else Value(_checks.real(x, "an input")))


def _output_length(length: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's output length of a convolution or pool: floor((T + 2p - d(k - 1) - 1) / s) + 1."""
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _check_length(who: str, length: int, kernel: int, padding: int = 0, dilation: int = 1) -> None:
    span = dilation * (kernel - 1) + 1
    if length + 2 * padding < span:
        raise ValueError(
            f"{who} expects an input of length at least {span - 2 * padding} "
            f"(kernel span {span}, padding {padding}), got {length}"
        )


def _init_rows(
    init: str, fan_in: int, fan_out: int, rows: int, rng: random.Random | None
) -> list[tuple[list[float], float]]:
    """`rows` (weights, bias) draws of the scheme `init`, one per output unit, in order."""
    scheme, source = get_init(init), generator.resolve(rng)
    return [scheme(fan_in, fan_out, source) for _ in range(rows)]


class Linear(Module):
    """PyTorch's `nn.Linear`: ``y_i = Σ_j weight[i][j] x_j + bias[i]``, no activation.

    Takes a list of `in_features` numbers or Values, returns a list of
    `out_features` Values (always a list). Parameters ``weight.i.j`` (output i,
    input j) and ``bias.i``; `init` and `rng` as for `Neuron`.

    >>> layer = Linear(2, 1)
    >>> layer.load_state_dict({"weight.0.0": 2.0, "weight.0.1": -1.0, "bias.0": 0.5})
    IncompatibleKeys(missing_keys=[], unexpected_keys=[])
    >>> [v.data for v in layer([3.0, 1.0])]
    [5.5]
    >>> layer
    Linear(in_features=2, out_features=1, bias=True) — 3 parameters
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "pytorch",
        rng: random.Random | None = None,
    ) -> None:
        fan_in = _checks.integer(in_features, "in_features", minimum=1)
        fan_out = _checks.integer(out_features, "out_features", minimum=1)
        rows = _init_rows(init, fan_in, fan_out, fan_out, rng)
        self.weight = [[Value(w) for w in weights] for weights, _ in rows]
        self.bias = [Value(b) for _, b in rows] if _flag(bias, "bias") else []

    def forward(self, x: Sequence[Value | float]) -> Vector:
        """The `out_features` outputs for the input vector `x`."""
        inputs = _as_vector(x, len(self.weight[0]), "Linear")
        if not self.bias:
            return [autograd.dot(row, inputs) for row in self.weight]
        return [autograd.dot(row, inputs) + b for row, b in zip(self.weight, self.bias)]

    def extra_repr(self) -> str:
        return f"in_features={len(self.weight[0])}, out_features={len(self.weight)}, bias={bool(self.bias)}"


# ---------------------------------------------------------------------------
# Activations as modules: elementwise on a Value, a list or nested lists.


class _Elementwise(Module):
    """An activation applied to every element of its input, keeping the nesting."""

    def _apply(self, x: Value) -> Value:
        raise NotImplementedError

    def forward(self, x: Any) -> Any:
        """The activation of each element of `x` (a Value, a number, or nested lists of them)."""
        return _elementwise(self._apply, x)


class ReLU(_Elementwise):
    """``max(0, x)`` elementwise.

    >>> [v.data for v in ReLU()([-1.0, 2.0])]
    [0.0, 2.0]
    """

    def _apply(self, x: Value) -> Value:
        return x.relu()


class Tanh(_Elementwise):
    """``tanh(x)`` elementwise.

    >>> Tanh()([[0.0]])[0][0].data
    0.0
    """

    def _apply(self, x: Value) -> Value:
        return x.tanh()


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-x))`` elementwise.

    >>> Sigmoid()(0.0).data
    0.5
    """

    def _apply(self, x: Value) -> Value:
        return x.sigmoid()


class LeakyReLU(_Elementwise):
    """``x`` for x > 0, else ``negative_slope * x``, elementwise.

    >>> LeakyReLU(0.1)([-2.0])[0].data
    -0.2
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = _checks.real(negative_slope, "negative_slope")

    def _apply(self, x: Value) -> Value:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope!r}"


class ELU(_Elementwise):
    """``x`` for x > 0, else ``alpha * (exp(x) - 1)``, elementwise.

    >>> round(ELU(2.0)([-1.0])[0].data, 6)
    -1.264241
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = _checks.real(alpha, "alpha")

    def _apply(self, x: Value) -> Value:
        return x.elu(self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha!r}"


class Softplus(_Elementwise):
    """``log(1 + exp(x))`` elementwise, exact for every x (PyTorch's beta=1; no threshold).

    >>> round(Softplus()([0.0])[0].data, 6)
    0.693147
    """

    def _apply(self, x: Value) -> Value:
        return x.softplus()


class Identity(Module):
    """Returns its input unchanged (no node).

    >>> Identity()([1.0, 2.0])
    [1.0, 2.0]
    """

    def forward(self, x: Any) -> Any:
        """`x` itself."""
        return x


# ---------------------------------------------------------------------------
# Containers


class Sequential(Module):
    """Modules called one after another, each on the previous one's output.

    Its children are named by position, so parameters are ``0.weight.2.1``, as in
    PyTorch; ``seq[i]`` is a child, ``seq[i:j]`` a Sequential of some of them.

    >>> model = Sequential(Linear(2, 3), ReLU(), Linear(3, 1))
    >>> len(model), type(model[1]).__name__, model.named_parameters()[0][0]
    (3, 'ReLU', '0.weight.0.0')
    >>> len(model([1.0, -1.0]))
    1
    """

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes modules, got {type(module).__name__} at position {i}: {module!r}"
                )
        self._children = list(modules)

    def _members(self) -> Iterator[tuple[str, Value | Module]]:
        for i, module in enumerate(self._children):
            yield str(i), module

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> Sequential: ...
    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            # Built without __init__ and the labelling metaclass: a slice renames no parameter.
            part = object.__new__(Sequential)
            part._children = self._children[index]
            return part
        return self._children[index]

    def __len__(self) -> int:
        return len(self._children)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._children)

    def forward(self, x: Any) -> Any:
        """The last module's output, each module taking the one before's."""
        for module in self._children:
            x = module(x)
        return x


def _add_elementwise(x: Any, y: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return [_add_elementwise(a, b) for a, b in zip(x, y)]
    return x + y


class Residual(Module):
    """A skip connection: ``x + module(x)``, elementwise; the two must have the same shape.

    >>> block = Residual(Linear(2, 2, init="zeros"))
    >>> [v.data for v in block([1.0, 2.0])]
    [1.0, 2.0]
    >>> Residual(Linear(2, 3))([1.0, 2.0])
    Traceback (most recent call last):
    ...
    ValueError: Residual: x + module(x) needs equal shapes, got input (2,) and module output (3,)
    """

    def __init__(self, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Residual takes a module, got {type(module).__name__}: {module!r}")
        self.module = module

    def forward(self, x: Any) -> Any:
        """``x + module(x)``."""
        y = self.module(x)
        if _shape(x) != _shape(y):
            raise ValueError(
                f"Residual: x + module(x) needs equal shapes, got input {_shape(x)} "
                f"and module output {_shape(y)}"
            )
        return _add_elementwise(x, y)


class Flatten(Module):
    """Nested lists to one flat list, row by row (C × T to C·T: ``torch.flatten`` of one sample).

    >>> Flatten()([[1.0, 2.0], [3.0, 4.0]])
    [1.0, 2.0, 3.0, 4.0]
    """

    def forward(self, x: Any) -> list[Any]:
        """The elements of `x` in order, as one list."""
        if not isinstance(x, (list, tuple)):
            raise TypeError(f"Flatten takes a list (of lists), got {type(x).__name__}: {x!r}")
        return [
            leaf for item in x for leaf in (self.forward(item) if isinstance(item, (list, tuple)) else [item])
        ]


# ---------------------------------------------------------------------------
# Convolution and pooling over time, on C × T input


class Conv1d(Module):
    """PyTorch's `nn.Conv1d` on one sequence of `in_channels` channels (C × T in, C_out × T_out out).

    Cross-correlation, as PyTorch: ``out[o][t] = bias[o] + Σ_c Σ_k weight[o][c][k] ·
    x[c][t·stride + k·dilation - padding]``, zeros outside the input, with
    ``T_out = floor((T + 2·padding - dilation·(kernel_size - 1) - 1) / stride) + 1``.
    Each output is one `autograd.dot` node (padded taps left out). Parameters
    ``weight.o.c.k`` and ``bias.o``; the default init is PyTorch's, U(±1/√(C·k)).

    >>> conv = Conv1d(1, 1, kernel_size=2, init="zeros")
    >>> conv.load_state_dict({"weight.0.0.0": 1.0, "weight.0.0.1": -1.0, "bias.0": 0.0})
    IncompatibleKeys(missing_keys=[], unexpected_keys=[])
    >>> [v.data for v in conv([[1.0, 4.0, 9.0]])[0]]
    [-3.0, -5.0]
    >>> Conv1d(1, 4, kernel_size=9)
    Conv1d(1, 4, kernel_size=(9,), stride=(1,)) — 40 parameters
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        bias: bool = True,
        init: str = "pytorch",
        rng: random.Random | None = None,
    ) -> None:
        channels = _checks.integer(in_channels, "in_channels", minimum=1)
        outputs = _checks.integer(out_channels, "out_channels", minimum=1)
        taps = _checks.integer(kernel_size, "kernel_size", minimum=1)
        self.stride = _checks.integer(stride, "stride", minimum=1)
        self.padding = _checks.integer(padding, "padding", minimum=0)
        self.dilation = _checks.integer(dilation, "dilation", minimum=1)
        rows = _init_rows(init, channels * taps, outputs * taps, outputs, rng)
        self.weight = [
            [[Value(w) for w in weights[c * taps : (c + 1) * taps]] for c in range(channels)]
            for weights, _ in rows
        ]
        self.bias = [Value(b) for _, b in rows] if _flag(bias, "bias") else []

    def output_length(self, length: int) -> int:
        """T_out for an input of length `length` (PyTorch's formula).

        >>> Conv1d(1, 1, kernel_size=3, stride=2, padding=1).output_length(10)
        5
        """
        return _output_length(length, len(self.weight[0][0]), self.stride, self.padding, self.dilation)

    def forward(self, x: Sequence[Sequence[Value | float]]) -> Channels:
        """The out_channels × T_out outputs for the in_channels × T input `x`."""
        inputs = _as_channels(x, len(self.weight[0]), "Conv1d")
        length, taps = len(inputs[0]), len(self.weight[0][0])
        _check_length("Conv1d", length, taps, self.padding, self.dilation)
        channels = range(len(inputs))
        # Each output position's window, with only the taps that land inside the input (a padded
        # zero adds nothing), and each output channel's weights for those taps, built once.
        windows: list[tuple[tuple[int, ...], Vector]] = []
        for t in range(self.output_length(length)):
            start = t * self.stride - self.padding
            kept = tuple(k for k in range(taps) if 0 <= start + k * self.dilation < length)
            windows.append((kept, [inputs[c][start + k * self.dilation] for c in channels for k in kept]))
        weights = {
            kept: [[filters[c][k] for c in channels for k in kept] for filters in self.weight]
            for kept in {kept for kept, _ in windows}
        }
        outputs: Channels = [
            [autograd.dot(weights[kept][o], window) for kept, window in windows]
            for o in range(len(self.weight))
        ]
        if self.bias:
            outputs = [[out + b for out in row] for row, b in zip(outputs, self.bias)]
        return outputs

    def extra_repr(self) -> str:
        channels, taps = f"{len(self.weight[0])}, {len(self.weight)}", len(self.weight[0][0])
        text = f"{channels}, kernel_size=({taps},), stride=({self.stride},)"
        if self.padding:
            text += f", padding=({self.padding},)"
        if self.dilation != 1:
            text += f", dilation=({self.dilation},)"
        return text if self.bias else text + ", bias=False"


def _first_max_index(xs: Sequence[float]) -> int:
    """Where the first maximum of `xs` is, a nan counting as one (PyTorch's max pooling)."""
    best = 0
    for i, x in enumerate(xs):
        if x != x:  # nan: PyTorch's max pooling propagates the first nan
            return i
        if x > xs[best]:
            best = i
    return best


def _first_max_derivative(*inputs_and_output: Value) -> tuple[float, ...]:
    # The local derivatives are constants (1 at the first maximum, else 0): their own derivative is 0.
    inputs = inputs_and_output[:-1]
    best = _first_max_index([x.data for x in inputs])
    return tuple(float(i == best) for i in range(len(inputs)))


@autograd.op("max_pool", derivative=_first_max_derivative)
def _first_max(*xs: float) -> tuple[float, tuple[float, ...]]:
    """The largest of `xs`, all its gradient to the first maximum, a nan counting as one (PyTorch's)."""
    best = _first_max_index(xs)
    return xs[best], tuple(float(i == best) for i in range(len(xs)))


def _pool_size(value: int | None, name: str, default: int) -> int:
    return default if value is None else _checks.integer(value, name, minimum=1)


class _Pool1d(Module):
    """Pooling over windows of `kernel_size` samples every `stride` (default `kernel_size`), per channel."""

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        self.kernel_size = _checks.integer(kernel_size, "kernel_size", minimum=1)
        self.stride = _pool_size(stride, "stride", self.kernel_size)

    def _reduce(self, window: Vector) -> Value:
        raise NotImplementedError

    def output_length(self, length: int) -> int:
        """T_out for an input of length `length`: floor((T - kernel_size) / stride) + 1.

        >>> MaxPool1d(3, stride=2).output_length(10)
        4
        """
        return _output_length(length, self.kernel_size, self.stride, 0, 1)

    def forward(self, x: Sequence[Sequence[Value | float]]) -> Channels:
        """C × T_out: each channel's windows reduced to one Value each."""
        who = type(self).__name__
        inputs = _as_channels(x, None, who)
        _check_length(who, len(inputs[0]), self.kernel_size)
        starts = [t * self.stride for t in range(self.output_length(len(inputs[0])))]
        return [[self._reduce(row[s : s + self.kernel_size]) for s in starts] for row in inputs]


class MaxPool1d(_Pool1d):
    """The maximum of each window; the gradient goes to the window's first maximum (PyTorch's).

    >>> [v.data for v in MaxPool1d(2)([[1.0, 3.0, 2.0, 2.0, 9.0]])[0]]
    [3.0, 2.0]
    >>> MaxPool1d(2)
    MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False) — 0 parameters
    """

    def _reduce(self, window: Vector) -> Value:
        return _first_max(*window)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding=0, dilation=1, ceil_mode=False"


class AvgPool1d(_Pool1d):
    """The mean of each window.

    >>> [v.data for v in AvgPool1d(2, stride=1)([[1.0, 3.0, 2.0]])[0]]
    [2.0, 2.5]
    >>> AvgPool1d(2)
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,)) — 0 parameters
    """

    def _reduce(self, window: Vector) -> Value:
        return autograd.sum(window) / len(window)

    def extra_repr(self) -> str:
        return f"kernel_size=({self.kernel_size},), stride=({self.stride},), padding=(0,)"


class _AdaptivePool1d(Module):
    """Pooling to `output_size` bins per channel, bin i covering [floor(iT/n), ceil((i+1)T/n)) as PyTorch."""

    def __init__(self, output_size: int) -> None:
        self.output_size = _checks.integer(output_size, "output_size", minimum=1)

    def _reduce(self, window: Vector) -> Value:
        raise NotImplementedError

    def forward(self, x: Sequence[Sequence[Value | float]]) -> Channels:
        """C × output_size: each channel's bins reduced to one Value each."""
        who = type(self).__name__
        inputs = _as_channels(x, None, who)
        length, bins = len(inputs[0]), self.output_size
        spans = [(i * length // bins, -(-(i + 1) * length // bins)) for i in range(bins)]
        return [[self._reduce(row[start:stop]) for start, stop in spans] for row in inputs]

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool1d):
    """The mean of each bin; ``AdaptiveAvgPool1d(1)`` is global average pooling over time (C × 1).

    >>> [[v.data for v in row] for row in AdaptiveAvgPool1d(1)([[1.0, 2.0, 6.0], [0.0, 0.0, 3.0]])]
    [[3.0], [1.0]]
    """

    def _reduce(self, window: Vector) -> Value:
        return autograd.sum(window) / len(window)


class AdaptiveMaxPool1d(_AdaptivePool1d):
    """The maximum of each bin (gradient to its first maximum); ``AdaptiveMaxPool1d(1)`` gives C × 1.

    >>> [[v.data for v in row] for row in AdaptiveMaxPool1d(1)([[1.0, 2.0, 6.0], [0.0, 0.0, 3.0]])]
    [[6.0], [3.0]]
    """

    def _reduce(self, window: Vector) -> Value:
        return _first_max(*window)


# ---------------------------------------------------------------------------
# Recurrence


NONLINEARITIES: dict[str, Callable[[Value], Value]] = {"tanh": Value.tanh, "relu": Value.relu}


class _TimeStep(Module):
    """One step of an RNN, a module of its own so a drawing can box each step (titled ``t=3``).

    Its RNN is kept private: the step lists no parameters and relabels none.
    """

    def __init__(self, rnn: RNN, t: int) -> None:
        self._rnn, self._t = rnn, t

    def forward(self, x: Vector, h: Vector | None) -> Vector:
        """``h_t = nonlinearity(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)``; no W_hh term for a zero h0."""
        rnn = self._rnn
        hidden = []
        for i in range(len(rnn.weight_ih_l0)):
            total = autograd.dot(rnn.weight_ih_l0[i], x)
            if rnn.bias_ih_l0:
                total = total + rnn.bias_ih_l0[i]
            if h is not None:
                total = total + autograd.dot(rnn.weight_hh_l0[i], h)
            if rnn.bias_hh_l0:
                total = total + rnn.bias_hh_l0[i]
            hidden.append(rnn._activate(total))
        return hidden

    def __repr__(self) -> str:
        return f"t={self._t}"


class RNN(Module):
    """PyTorch's one-layer Elman `nn.RNN` over a sequence of input vectors.

    ``rnn(xs, h0=None)`` takes T vectors of `input_size` numbers and returns
    ``(outputs, h_n)``: the T hidden states (lists of `hidden_size` Values) and the
    last one. ``h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)`` (or relu), from
    ``h0`` (default zeros). Parameters ``weight_ih_l0.i.j``, ``weight_hh_l0.i.j``,
    ``bias_ih_l0.i``, ``bias_hh_l0.i``, all U(±1/√hidden_size) as in PyTorch. Each
    step runs as a small module of its own, so a drawing can group it (``t=1`` ...).

    >>> rnn = RNN(1, 2, rng=random.Random(0))
    >>> outputs, h_n = rnn([[1.0], [0.5], [-1.0]])
    >>> len(outputs), len(h_n), h_n is outputs[-1]
    (3, 2, True)
    >>> rnn
    RNN(1, 2) — 10 parameters
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "tanh",
        bias: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        inputs = _checks.integer(input_size, "input_size", minimum=1)
        hidden = _checks.integer(hidden_size, "hidden_size", minimum=1)
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(
                f"unknown nonlinearity {nonlinearity!r}; expected one of {sorted(NONLINEARITIES)}"
            )
        self.nonlinearity = nonlinearity
        self._activate = NONLINEARITIES[nonlinearity]
        source, bound = generator.resolve(rng), 1.0 / math.sqrt(hidden)

        def draw(rows: int, columns: int) -> list[list[Value]]:
            return [[Value(source.uniform(-bound, bound)) for _ in range(columns)] for _ in range(rows)]

        # PyTorch's order, also the order of the draws: weight_ih, weight_hh, bias_ih, bias_hh.
        self.weight_ih_l0 = draw(hidden, inputs)
        self.weight_hh_l0 = draw(hidden, hidden)
        with_bias = _flag(bias, "bias")
        self.bias_ih_l0 = [row[0] for row in draw(hidden, 1)] if with_bias else []
        self.bias_hh_l0 = [row[0] for row in draw(hidden, 1)] if with_bias else []

    def forward(
        self, xs: Sequence[Sequence[Value | float]], h0: Sequence[Value | float] | None = None
    ) -> tuple[list[Vector], Vector]:
        """The hidden state after each input of `xs`, and the last one."""
        if not isinstance(xs, (list, tuple)) or not xs:
            raise ValueError(f"RNN takes a non-empty list of input vectors (a sequence), got {xs!r}")
        size, hidden = len(self.weight_ih_l0[0]), len(self.weight_ih_l0)
        h = None if h0 is None else _as_vector(h0, hidden, "RNN", "values in h0")
        outputs = []
        for t, x in enumerate(xs, start=1):
            h = _TimeStep(self, t)(_as_vector(x, size, f"RNN at t={t}"), h)
            outputs.append(h)
        return outputs, outputs[-1]

    def extra_repr(self) -> str:
        text = f"{len(self.weight_ih_l0[0])}, {len(self.weight_ih_l0)}"
        if self.nonlinearity != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        return text if self.bias_ih_l0 else text + ", bias=False"
