"""Derivatives of derivatives: the backward pass built as a graph of Values, when asked.

The ordinary backward pass multiplies floats. Asked for a graph (``create_graph=True``),
the same pass builds each contribution ``upstream * local`` with ordinary Value ops,
the local derivative coming from the op's own statement in the table (read by
`autograd.derivatives.local_grad_values`). The result is a Value whose graph is made of
the forward graph's nodes and new ones, so it can be differentiated, drawn and checked
again. A strong-zero local derivative contributes nothing at all; a constant 1 needs no
multiply node. Nothing here touches any ``.grad``, except `backward_with_graph`, which
is ``Value.backward(create_graph=True)``.

>>> from autograd import Value
>>> x = Value(0.5, label="x")
>>> (dy,) = grad(x.tanh(), x, create_graph=True)
>>> (d2y,) = grad(dy, x)
>>> round(dy.data, 6), round(d2y, 6)  # 1 - tanh², -2 tanh (1 - tanh²)
(0.786448, -0.726862)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal, Union, overload

from autograd import derivatives, engine
from autograd.engine import STRONG_ZERO, Value, as_real, dot, topological_order

__all__ = ["backward_with_graph", "grad", "gradients", "hessian", "hvp"]

Gradient = Union[Value, float]  # noqa: UP007  (a runtime alias: Python 3.10 has no `type` statement)


@overload
def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    grad_output: float = ...,
    create_graph: Literal[False] = ...,
) -> tuple[float, ...]: ...


@overload
def grad(
    output: Value, inputs: Value | Sequence[Value], grad_output: float = ..., *, create_graph: Literal[True]
) -> tuple[Value, ...]: ...


@overload
def grad(
    output: Value, inputs: Value | Sequence[Value], grad_output: float, create_graph: Literal[True]
) -> tuple[Value, ...]: ...


def grad(
    output: Value,
    inputs: Value | Sequence[Value],
    grad_output: float = 1.0,
    create_graph: bool = False,
) -> tuple[Value, ...] | tuple[float, ...]:
    """The gradients of `output` with respect to each of `inputs`, as ``torch.autograd.grad``.

    `inputs` is a Value or a sequence of Values (leaves or not); `grad_output` is the
    gradient arriving at `output` (a number). A gradient is a float, or with
    ``create_graph=True`` a Value: a node of a new graph that can itself be differentiated.
    An input `output` does not depend on gets 0.0 (a constant Value 0.0 with
    ``create_graph``). No ``.grad`` is touched.

    >>> x, y = Value(3.0, label="x"), Value(2.0, label="y")
    >>> grad(x * x * y, [x, y])
    (12.0, 9.0)
    >>> dx, dy = grad(x * x * y, [x, y], create_graph=True)
    >>> grad(dx, [x, y])  # d/dx (2xy), d/dy (2xy)
    (4.0, 6.0)
    >>> x.grad, y.grad
    (0.0, 0.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad's output must be a Value, got {type(output).__name__}: {output!r}")
    targets = _targets(inputs, "grad")
    seed = as_real(grad_output, "grad_output must be a real number")
    if not isinstance(create_graph, bool):
        raise TypeError(f"create_graph must be True or False, got {create_graph!r}")
    order = topological_order(output)
    needed = _depending_on(order, targets)
    if not create_graph:
        floats = _float_gradients(order, seed, needed)
        return tuple(floats.get(target, 0.0) for target in targets)
    built = _value_gradients(order, seed, needed)
    return tuple(_as_gradient_value(built.get(target, 0.0)) for target in targets)


def gradients(root: Value) -> dict[Value, float]:
    """d(root)/d(node) for every node `root` depends on, in topological order, as floats.

    The numbers ``root.backward()`` would leave in each ``.grad`` (added in the same
    order), computed on the side: no ``.grad`` changes.

    >>> a = Value(2.0, label="a")
    >>> [(node.label or node.op, g) for node, g in gradients(a * a + 1).items()]
    [('a', 4.0), ('*', 1.0), ('+1', 1.0)]
    """
    order = topological_order(root)
    floats = _float_gradients(order, 1.0, None)
    return {node: floats.get(node, 0.0) for node in order}


def hessian(output: Value, inputs: Value | Sequence[Value]) -> list[list[float]]:
    """The matrix of second derivatives d²(output)/d(inputs[i]) d(inputs[j]), row by row.

    One create_graph pass builds every first derivative, then one float pass per
    input differentiates each (for a Hessian-vector product, `hvp` needs two passes in
    all). No ``.grad`` is touched.

    >>> x, y = Value(3.0), Value(2.0)
    >>> hessian(x * x * y, [x, y])
    [[4.0, 6.0], [6.0, 0.0]]
    """
    if not isinstance(output, Value):
        raise TypeError(f"hessian's output must be a Value, got {type(output).__name__}: {output!r}")
    targets = _targets(inputs, "hessian")
    firsts = grad(output, targets, create_graph=True)
    return [list(grad(first, targets)) for first in firsts]


def hvp(output: Value, inputs: Value | Sequence[Value], v: Sequence[float]) -> list[float]:
    """The Hessian of `output` times the vector `v`, by reverse-over-reverse.

    The gradient is built once as a graph (``create_graph``), its dot product with
    `v` is one more node, and one float backward pass differentiates that: the cost
    of a few gradients, whatever the number of inputs, and no Hessian is made.

    >>> x, y = Value(3.0), Value(2.0)
    >>> hvp(x * x * y, [x, y], [1.0, -1.0])  # [[4, 6], [6, 0]] @ [1, -1]
    [-2.0, 6.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"hvp's output must be a Value, got {type(output).__name__}: {output!r}")
    targets = _targets(inputs, "hvp")
    given: object = v
    if not isinstance(given, Sequence) or isinstance(given, str):
        raise TypeError(f"hvp's v must be a list of numbers, got {type(given).__name__}: {given!r}")
    if len(given) != len(targets):
        raise ValueError(f"hvp's v has {len(given)} numbers for {len(targets)} inputs: give one per input")
    vector = [as_real(x, f"hvp's v[{i}] must be a real number") for i, x in enumerate(given)]
    firsts = grad(output, targets, create_graph=True)
    return list(grad(dot(firsts, vector), targets))


def backward_with_graph(root: Value, seed: float) -> None:
    """``root.backward(seed, create_graph=True)``: every ``.grad`` as an ordinary backward sets it,
    and each leaf's gradient graph added to its ``grad_value``. The caller holds the backward lock.

    >>> x = Value(2.0, label="x")
    >>> backward_with_graph(x * x, 1.0)
    >>> x.grad, x.grad_value.op
    (4.0, '+')
    """
    order = topological_order(root)
    built = _value_gradients(order, seed, None)
    with engine._mode("building_gradient", True):
        for node in order:
            gradient = built.get(node, 0.0)
            data = gradient.data if isinstance(gradient, Value) else gradient
            if node._parents:
                node.grad = data  # interior nodes are reset, as by any backward
                continue
            node.grad += data
            previous = node.grad_value
            graph = _as_gradient_value(gradient)
            node._grad_value = graph if previous is None else previous + graph


def _targets(inputs: object, caller: str) -> list[Value]:
    if isinstance(inputs, Value):
        return [inputs]
    if not isinstance(inputs, Sequence) or isinstance(inputs, str):
        kind = type(inputs).__name__
        raise TypeError(f"{caller}'s inputs must be a Value or a list of Values, got {kind}: {inputs!r}")
    if not inputs:
        raise ValueError(f"{caller} needs at least one input, got none")
    for i, target in enumerate(inputs):
        if not isinstance(target, Value):
            kind = type(target).__name__
            raise TypeError(f"{caller}'s inputs[{i}] must be a Value, got {kind}: {target!r}")
    return list(inputs)


def _depending_on(order: list[Value], targets: Collection[Value]) -> set[Value]:
    """The nodes of `order` that are one of `targets` or depend on one: all that gradients flow through."""
    needed = set(targets)
    for node in order:
        if node not in needed and not needed.isdisjoint(node.parents):
            needed.add(node)
    return needed


def _float_gradients(order: list[Value], seed: float, needed: set[Value] | None) -> dict[Value, float]:
    """The ordinary backward pass into a dict (same products, same order of sums); `needed`: prune."""
    grads = {order[-1]: seed}
    for node in reversed(order):
        upstream = grads.get(node)
        if upstream is None or not node._parents:
            continue
        for parent, local in zip(node.parents, node.local_grads):
            if needed is None or parent in needed:
                grads[parent] = grads.get(parent, 0.0) + local * upstream
    return grads


def _value_gradients(order: list[Value], seed: float, needed: set[Value] | None) -> dict[Value, Gradient]:
    """The backward pass with each gradient built as a Value (or a float while it is a constant)."""
    grads: dict[Value, Gradient] = {order[-1]: seed}
    with engine._mode("building_gradient", True):  # every node made here is marked as the backward pass's
        for node in reversed(order):
            upstream = grads.get(node)
            if upstream is None or not node._parents:
                continue
            parents = node.parents
            if needed is not None and needed.isdisjoint(parents):
                continue
            for parent, local in zip(parents, _local_values(node)):
                if needed is not None and parent not in needed:
                    continue
                contribution = _times(upstream, local)
                if contribution is not None:
                    previous = grads.get(parent)
                    grads[parent] = contribution if previous is None else previous + contribution
    return grads


def _times(upstream: Gradient, local: Gradient) -> Gradient | None:
    """``upstream * local``: None (no contribution) for a strong zero, no node for a factor 1."""
    if local is STRONG_ZERO:
        return None
    if type(local) is float and local == 1.0:
        return upstream
    if type(upstream) is float and upstream == 1.0:
        return local
    return upstream * local


def _local_values(node: Value) -> Sequence[Gradient]:
    """`node`'s local derivatives as Values (constants as floats), for a create_graph backward."""
    op = node._op
    if op is None:
        raise ValueError(f"{node!r} is a leaf: it has no local derivatives")
    if op.grads:
        return derivatives.local_grad_values(node)
    if op is engine.SUM or op is engine.MAX:
        return node.local_grads  # constants: 1 for sum; shares and strong zeros for max
    if op is engine.DOT:
        parents = node.parents
        half = len(parents) // 2
        return parents[half:] + parents[:half]  # parents xs + ys, derivatives ys + xs
    if op.derivative is None:
        raise RuntimeError(
            f"op {op.name!r} was made from float rules, which cannot be differentiated again: "
            f"create_graph=True (and grad_value, hessian, hvp, gradgradcheck) needs its local "
            f"derivatives built with Values. Give them with @op({op.name!r}, derivative=d), where "
            f"d(*inputs, output) returns one Value per input, e.g. for a cube: "
            f"derivative=lambda x, out: (3 * x**2,)"
        )
    return _user_derivative(node, op.name, op.derivative)


def _user_derivative(node: Value, name: str, derivative: object) -> tuple[Gradient, ...]:
    parents = node.parents
    built = derivative(*parents, node)  # type: ignore[operator]
    if not isinstance(built, (tuple, list)) or len(built) != len(parents):
        raise TypeError(
            f"op {name!r}: derivative must return a tuple of {len(parents)} local derivative(s), "
            f"one per input, got {built!r}"
        )
    checked: list[Gradient] = []
    for i, local in enumerate(built):
        if isinstance(local, Value):
            checked.append(local)
        else:
            checked.append(as_real(local, f"op {name!r}: derivative's item {i} must be a Value or a number"))
    return tuple(checked)


def _as_gradient_value(gradient: Gradient) -> Value:
    """A gradient as a Value: a constant gradient becomes a leaf, marked as made by the backward pass."""
    if isinstance(gradient, Value):
        return gradient
    constant = Value(gradient)
    constant._grad_value = engine.MADE_BY_BACKWARD
    return constant
