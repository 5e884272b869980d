"""The workloads of issue 7, each timing one engine once.

A workload builds its graph, times the phases it names and returns them in
seconds (or bytes). One function drives every engine that has the scalar
operator interface (``+ * .tanh() .backward() .grad``: gradwalk, micrograd,
PyTorch scalars); the plain-float floor is written out by hand next to it.

Times are the benchmark process's CPU time (`time.process_time`): on a quiet
machine that is the wall time, and on a shared one it leaves out the time other
programs held the CPU. Rendering runs a separate program, so it is timed by the
wall clock.
"""

from __future__ import annotations

import gc
import itertools
import math
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

Phases = dict[str, float]
Leaf = Callable[[float], Any]

# The chain: y = x, then y = y * 1.0001 + 0.5, and y = tanh(y) every 10th step.
FACTOR = 1.0001
SHIFT = 0.5
TANH_EVERY = 10


def chain_nodes(steps: int) -> int:
    """The number of op nodes the chain makes in `steps` steps (a * and a + each, a tanh every 10th)."""
    return 2 * steps + steps // TANH_EVERY


def chain_steps(nodes: int) -> int:
    """The number of steps whose chain has about `nodes` op nodes."""
    return round(nodes / (2 + 1 / TANH_EVERY))


def build_chain(x: Any, steps: int) -> Any:
    y = x
    for i in range(1, steps + 1):
        y = y * FACTOR + SHIFT
        if i % TANH_EVERY == 0:
            y = y.tanh()
    return y


def chain(leaf: Leaf, steps: int) -> Phases:
    """Build the chain from one leaf, then backpropagate through it."""
    x = leaf(1.0)
    start = process_time()
    y = build_chain(x, steps)
    built = process_time()
    y.backward()
    done = process_time()
    return {"forward": built - start, "backward": done - built}


def chain_floats(steps: int) -> Phases:
    """The floor: the same chain and its derivative with plain floats and no graph.

    The forward pass records each step's local derivative in a list, as little as
    any reverse mode must keep; the backward pass multiplies them back.
    """
    start = process_time()
    y = 1.0
    local_derivatives: list[float] = []
    record = local_derivatives.append
    for i in range(1, steps + 1):
        y = y * FACTOR + SHIFT
        record(FACTOR)
        if i % TANH_EVERY == 0:
            y = math.tanh(y)
            record(1.0 - y * y)
    built = process_time()
    grad = 1.0
    for derivative in reversed(local_derivatives):
        grad *= derivative
    done = process_time()
    return {"forward": built - start, "backward": done - built}


def wide_inputs(terms: int) -> tuple[list[float], list[float]]:
    return [math.sin(i) for i in range(terms)], [math.cos(i) for i in range(terms)]


def wide(leaf: Leaf, terms: int) -> Phases:
    """A sum of `terms` products w_i * x_i of leaves, written op by op, then backward."""
    ws, xs = wide_inputs(terms)
    w = [leaf(v) for v in ws]
    x = [leaf(v) for v in xs]
    start = process_time()
    total = w[0] * x[0]
    for i in range(1, terms):
        total = total + w[i] * x[i]
    built = process_time()
    total.backward()
    done = process_time()
    return {"forward": built - start, "backward": done - built}


def wide_dot(vector: Callable[[list[float]], Any], dot: Callable[[Any, Any], Any], terms: int) -> Phases:
    """The same sum of products as one dot-product node (`autograd.dot`, `torch.dot`), then backward."""
    ws, xs = wide_inputs(terms)
    w, x = vector(ws), vector(xs)
    start = process_time()
    total = dot(w, x)
    built = process_time()
    total.backward()
    done = process_time()
    return {"forward": built - start, "backward": done - built}


def chain_compiled(steps: int) -> Phases:
    """The chain traced once by `autograd.compile`, then one compiled forward + backward."""
    import autograd

    start = process_time()
    f = autograd.compile(lambda x: build_chain(x, steps)).trace(1.0)
    compiled = process_time()
    f.grad(1.0)
    done = process_time()
    return {"compile": compiled - start, "run": done - compiled}


def wide_dot_compiled(terms: int) -> Phases:
    """The dot product compiled (`autograd.compile`), then one call of its ``grad`` on plain lists."""
    import autograd

    ws, xs = wide_inputs(terms)
    start = process_time()
    f = autograd.compile(autograd.dot).trace(ws, xs)
    compiled = process_time()
    f.grad(ws, xs)
    done = process_time()
    return {"compile": compiled - start, "run": done - compiled}


Step = Callable[[int], float]  # step(k) runs training step k and returns its loss


def training(step: Step, steps: int) -> tuple[list[float], list[float]]:
    """Run `steps` consecutive training steps; return each step's seconds and loss."""
    seconds: list[float] = []
    losses: list[float] = []
    for k in range(steps):
        start = process_time()
        losses.append(step(k))
        seconds.append(process_time() - start)
    return seconds, losses


def deep(leaf: Leaf, steps: int) -> Phases:
    """A very long chain: forward, backward, and dropping it (``del``)."""
    x = leaf(1.0)
    start = process_time()
    y = build_chain(x, steps)
    built = process_time()
    y.backward()
    backpropagated = process_time()
    del y
    done = process_time()
    return {"forward": built - start, "backward": backpropagated - built, "del": done - backpropagated}


def recursion_limit_depth(leaf: Leaf, limit: int = 1000, longest: int = 100_000) -> int:
    """The most chain op nodes whose backward stays under the given recursion limit.

    Bisects over chain lengths, with the limit set as in a fresh Python (1000).
    Returns about `longest` nodes if even that chain backpropagates.
    """
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        low, high = 0, chain_steps(longest) + 1  # backward works for `low` steps and fails for `high`
        while high - low > 1:
            middle = (low + high) // 2
            try:
                build_chain(leaf(1.0), middle).backward()
                low = middle
            except RecursionError:
                high = middle
    finally:
        sys.setrecursionlimit(previous)
        gc.collect()  # the failed attempts leave cyclic garbage behind
    return chain_nodes(low)


def memory(leaf: Leaf, steps: int) -> Phases:
    """Bytes per op node of the built chain, and the share freed when it is dropped.

    The garbage collector is off throughout: whatever ``del`` gives back was
    freed by reference counting alone. (No backward here: tracemalloc walks the
    whole stack at every allocation, which makes micrograd's deep recursion
    quadratic.)
    """
    nodes = chain_nodes(steps)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = build_chain(leaf(1.0), steps)
        held = tracemalloc.get_traced_memory()[0] - before
        del y
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        gc.enable()
    return {"bytes_per_node": held / nodes, "freed_by_refcount": (held - left) / held}


def render(steps: int) -> Phases:
    """Draw the chain with `autograd.draw` and render it to an SVG file."""
    from autograd import Value, draw  # only this workload needs the drawing code

    y = build_chain(Value(1.0, label="x"), steps)
    y.backward()
    with tempfile.TemporaryDirectory() as folder:
        start = perf_counter()
        drawing = draw(y)
        drawn = perf_counter()
        drawing.save(Path(folder) / "chain.svg")
        done = perf_counter()
    return {"draw": drawn - start, "render": done - drawn}


def second_order(inputs: int) -> Phases:
    """A function of `inputs` leaves: its whole Hessian (`autograd.hessian`), then one
    Hessian-vector product (`autograd.hvp`, reverse-over-reverse) of the same function."""
    from autograd import Value, dot, hessian, hvp, sum  # only this workload needs higher order

    xs = [Value(math.sin(i + 1.0)) for i in range(inputs)]
    # Every input meets every other (through the square and the log), so the Hessian is dense.
    loss = sum([(a * b).tanh() for a, b in itertools.pairwise(xs)]) ** 2 + dot(xs, xs).log()
    vector = [math.cos(i) for i in range(inputs)]
    start = process_time()
    hessian(loss, xs)
    middle = process_time()
    hvp(loss, xs, vector)
    done = process_time()
    return {"hessian": middle - start, "hvp": done - middle}
