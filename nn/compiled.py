"""`compile_step`: a training step whose model runs as compiled Python (see `autograd.compile`).

The model is traced once, on one sample, with the parameters and that sample's inputs
as the arguments, and compiled; each step then runs that source for every sample, with
plain floats. The loss itself is small (a few nodes per sample) and is built by the
engine each step on the model's outputs, so every nn loss gives exactly its own numbers,
targets and clamps included; its gradient with respect to each output weighs that
sample's compiled gradients.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value
from autograd.compile import Compiled
from nn import _checks, losses
from nn.module import Dropout, Module

Loss = Callable[[list[Any], list[Any]], Value]

_mul = operator.mul


def compile_step(model: Module, loss: Loss) -> CompiledStep:
    """A step ``step(X_batch, y_batch) -> float`` that returns the batch loss and sets every gradient.

    ``step(X_batch, y_batch)`` returns the value of ``loss([model(x) for x in X_batch],
    y_batch)`` and **sets** (does not add to) each parameter's ``.grad`` to d(loss)/d(parameter):
    call ``optimizer.step()`` after it. The model is compiled on the first call (one sample's
    graph, the parameters and the sample as arguments) and reused for every sample and step.

    Supported: every nn loss with ``reduction="mean"`` (cross-entropy included), plus terms
    that do not depend on the batch (`nn.l1_penalty`, `nn.l2_penalty` of the parameters), in
    any combination with constants. Anything else (a custom loss, ``reduction="sum"``) is a
    ValueError naming it. The model must be a function of its inputs and parameters only:
    a branch on a value's ``.data`` is compiled as the first sample took it, and Dropout in
    training mode (a new random mask per call) is refused. Changing the model's structure
    (new parameters, other layers) or the loss means calling `compile_step` again. Results
    equal the uncompiled step's to 1e-12 relative (the loss is the same number; a batch
    mean of compiled per-sample gradients may differ in the last bits).

    >>> import random, nn
    >>> model = nn.MLP(2, [4, 1], rng=random.Random(0))
    >>> step = compile_step(model, nn.mse_loss)
    >>> X, y = [[0.5, -1.0], [1.0, 2.0]], [1.0, 0.0]
    >>> loss = nn.mse_loss([model(x) for x in X], y)
    >>> loss.backward()
    >>> expected = [p.grad for p in model.parameters()]
    >>> abs(step(X, y) - loss.data) < 1e-12
    True
    >>> all(abs(p.grad - g) <= 1e-12 * max(1.0, abs(g)) for p, g in zip(model.parameters(), expected))
    True
    """
    return CompiledStep(model, loss)


class CompiledStep:
    """What `compile_step` returns: call it on a batch; ``.outputs`` holds the batch's outputs as floats."""

    def __init__(self, model: Module, loss: Loss) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"compile_step takes an nn.Module, got {type(model).__name__}: {model!r}")
        if not callable(loss):
            raise TypeError(
                f"compile_step: loss must be a function (outputs, targets) -> Value, got {loss!r}"
            )
        self.model = model
        self.loss = loss
        self.parameters = model.parameters()
        self.outputs: list[Any] = []  # the last batch's outputs: a float per sample, or a list of floats
        self._dropouts = [m for m in model._modules() if isinstance(m, Dropout)]
        self._compiled: Compiled | None = None
        self._width = 0  # inputs per sample
        self._output_nodes: list[Value] = []
        self._bare = True  # the model returns one Value (not a list)
        self._loss_checked = False

    def __call__(self, X_batch: Sequence[Any], y_batch: Sequence[Any]) -> float:
        if len(X_batch) != len(y_batch) or not X_batch:
            raise ValueError(
                "compile_step needs as many targets as inputs, at least one; "
                f"got {len(X_batch)} and {len(y_batch)}"
            )
        for dropout in self._dropouts:
            if dropout.training and dropout.p > 0.0:
                raise ValueError(
                    "compile_step cannot compile Dropout in training mode: it draws a new random mask "
                    "for every call, and compiled code would repeat the traced one; train without "
                    "compiling (fit(compile=False)) or put the model in eval() mode"
                )
        rows = [self._row(x, i) for i, x in enumerate(X_batch)]
        if self._compiled is None:
            self._trace(rows[0])
        assert self._compiled is not None and self._compiled._program is not None
        program = self._compiled._program  # called with checked floats: the fast way in
        data = [p.data for p in self.parameters]
        one_output = len(self._output_nodes) == 1
        if one_output:  # one pass: the output's value and its gradients, weighed below
            results = [program.grad([data, row]) for row in rows]
            values = [[value] for value, _ in results]
        else:  # the outputs first; their gradients then weigh one backward pass per sample
            seeds = [0.0] * len(self._output_nodes)
            values = [list(program.values_of(self._output_nodes, [data, row, seeds])) for row in rows]
        self.outputs = [v[0] if self._bare else v for v in values]
        leaves = [[Value(v) for v in sample] for sample in values]
        value = self._loss_value([o[0] if self._bare else o for o in leaves], list(y_batch))
        for p in self.parameters:
            p.grad = 0.0
        value.backward()  # the penalties' gradients reach the parameters; the outputs get theirs
        if one_output:
            seeds = [sample[0].grad for sample in leaves]
            per_sample = [gradients for _, (gradients, *_) in results]
        else:
            seeds = [1.0] * len(rows)
            per_sample = [
                program.grad([data, row, [o.grad for o in sample]])[1][0] for row, sample in zip(rows, leaves)
            ]
        # Each parameter's gradient: its penalties' (already in .grad), plus each sample's
        # gradient weighed by d(loss)/d(that sample's output), added up in the samples' order.
        for p, column in zip(self.parameters, zip(*per_sample)):
            p.grad += sum(map(_mul, column, seeds))
        return value.data

    def _row(self, x: Any, i: int) -> list[float]:
        if not isinstance(x, (list, tuple)):
            raise TypeError(
                f"compile_step: sample {i} must be a list of inputs, got {type(x).__name__}: {x!r}"
            )
        if self._width and len(x) != self._width:
            raise ValueError(
                f"compile_step: sample {i} has {len(x)} inputs, the model was compiled for {self._width}"
            )
        return [_checks.real(v, f"compile_step: input {k} of sample {i}") for k, v in enumerate(x)]

    def _trace(self, row: list[float]) -> None:
        inputs = [Value(v, label=f"x_{k}") for k, v in enumerate(row)]
        output = self.model(inputs)
        self._bare = isinstance(output, Value)
        nodes = [output] if self._bare else list(output)
        if not nodes or not all(isinstance(node, Value) for node in nodes):
            raise TypeError(
                f"compile_step: the model must return a Value or a list of Values, got {output!r}"
            )
        self._output_nodes = nodes
        if len(nodes) == 1:
            root = nodes[0]
            arguments: list[Any] = [self.parameters, inputs]
        else:  # d(sum of seed * output)/d(parameter): one backward pass weighs every output
            seeds = [Value(0.0, label=f"seed_{k}") for k in range(len(nodes))]
            root = autograd.dot(nodes, seeds)
            arguments = [self.parameters, inputs, seeds]
        self._compiled = autograd.compile(root, inputs=arguments)
        self._width = len(row)

    def _loss_value(self, outputs: list[Any], targets: list[Any]) -> Value:
        if self._loss_checked:
            value = self.loss(outputs, targets)
        else:
            losses._recording = []
            try:
                value = self.loss(outputs, targets)
                made = losses._recording
            finally:
                losses._recording = None
            _check_loss(self.loss, value, made, outputs, self.parameters)
            self._loss_checked = True
        if not isinstance(value, Value):
            raise TypeError(
                f"loss(outputs, targets) must return a Value, got {type(value).__name__}: {value!r}"
            )
        return value


def _check_loss(
    loss: Loss,
    value: Any,
    made: list[tuple[Value, str, str | None]],
    outputs: list[Any],
    parameters: list[Value],
) -> None:
    """Refuse what compile_step does not support: the outputs or parameters used outside an nn
    loss with reduction="mean" or a penalty (a custom loss), and reduction="sum"."""
    if not isinstance(value, Value):
        return  # the caller says what is wrong
    name = getattr(loss, "__name__", repr(loss))
    recorded = {id(node): (function, reduction) for node, function, reduction in made}
    watched = {id(v) for o in outputs for v in (o if isinstance(o, list) else [o])}
    watched.update(id(p) for p in parameters)
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in recorded:
            function, reduction = recorded[id(node)]
            if reduction is not None and reduction != "mean":
                raise ValueError(
                    f"compile_step supports nn losses with reduction='mean'; {name} uses "
                    f"{function}(reduction={reduction!r})"
                )
            continue
        if id(node) in watched:
            raise ValueError(
                f"compile_step supports the nn losses (reduction='mean') and nn.l1_penalty / nn.l2_penalty "
                f"terms; {name} uses the model's outputs or parameters outside them (a custom loss): "
                "train it without compiling"
            )
        stack.extend(node.parents)
