"""The backward pass one step at a time: `walkthrough(root)` and the `Walkthrough` it returns.

Frame 0 shows the forward values; with ``forward=True`` it shows the leaves' only
and one frame per computed value follows, revealing it; then one frame per Value
in the order `Value.backward` visits it, each stating its chain-rule steps with
the rule and the numbers filled in; the last frame shows every gradient. The
gradients are computed here, on the side: the user's graph is only read. The page
(`Walkthrough.save`) holds the graph's drawing once; each frame changes only its
colours, numbers and text.
"""

from __future__ import annotations

import ast
import html
import json
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import derivatives
from autograd._files import write_atomically
from autograd.draw import (
    RANKDIRS,
    Collapse,
    Drawing,
    Mark,
    collapsed_to_fit,
    drawn_count,
    graph_source,
    node_id,
    op_id,
    where_drawn,
)
from autograd.engine import Value, as_real, recompute, topological_order
from autograd.groups import Group
from autograd.naming import node_names, number
from autograd.render import FORMATS, RenderError, render

__all__ = ["Frame", "Question", "Walkthrough", "walkthrough"]

CURRENT = Mark("#fdba74", "this step's node: its gradient is final")
RECEIVES = Mark("#ffedd5", "receives gradient in this step")
COMPUTED = Mark("#bfdbfe", "computed in this step")
USED = Mark("#e0e7ff", "used in this step")
TOLERANCE = 0.005  # a quiz answer within 0.5% of the gradient (3 significant digits) is right
PROGRESS_AFTER = 2.0  # seconds of rendering before progress is printed to stderr
PROGRESS_EVERY = 5.0  # seconds between progress lines after that
_USES = ("no uses", "one use", "two uses", "three uses", "four uses", "five uses")


@dataclass(frozen=True)
class Question:
    """What the quiz asks at a frame: `name`.grad, whose value is `grad`.

    `traps` are wrong answers a rule explains, each with its hint (the upstream
    gradient alone: the local derivative is missing; one use of a fork: a use is
    left out); `hint` is for any other wrong answer. The page hides the frame's
    first step, which gives the answer, while the question is open.
    """

    node: int
    name: str
    grad: float
    shown: str  # the gradient as the walkthrough shows it
    traps: tuple[tuple[float, str], ...]
    hint: str

    def grade(self, answer: float) -> str | None:
        """None if `answer` is right (within 0.5%), else the hint for it.

        >>> question = Question(0, "x", 0.75, "0.75", ((0.5, "a use is left out"),), "check the rule")
        >>> question.grade(0.7501)
        >>> question.grade(0.5)
        'a use is left out'
        """
        if _close(answer, self.grad):
            return None
        return next((hint for value, hint in self.traps if _close(answer, value)), self.hint)


def _close(answer: float, value: float) -> bool:
    return answer == value or abs(answer - value) <= TOLERANCE * abs(value)


@dataclass(frozen=True)
class _Graph:
    """What every frame of one walkthrough shares: the nodes, their names, how to draw them."""

    order: Sequence[Value]
    names: Sequence[str]
    rankdir: str
    digits: int | None
    legend: tuple[Mark, ...]  # the same in every frame, so the picture does not jump
    groups: Sequence[Group] = ()
    collapsed: Sequence[Group] = ()  # drawn as one node each (see `autograd.draw.collapsed_to_fit`)
    framed: bool = True
    notes: tuple[str, ...] = ()
    drawn: Sequence[str | None] = ()  # the DOT id of the node showing each value (`where_drawn`)

    def source(self, **frame: Any) -> str:
        """The DOT text of the drawing, with what `frame` sets (grads, marks, data) for one moment."""
        marks: dict[int, Mark] = frame.pop("marks", {})
        modules = {
            int(shown[1:]): mark for i, mark in marks.items() if (shown := self.drawn[i]) and shown[0] == "m"
        }
        return graph_source(
            self.order,
            rankdir=self.rankdir,
            show_local_grads=True,
            names=self.names,
            digits=self.digits,
            legend_marks=self.legend,
            groups=self.groups,
            collapsed=self.collapsed,
            framed=self.framed,
            notes=self.notes,
            marks=marks,
            module_marks=modules,  # a value inside a collapsed module: its module's node
            **frame,
        )


@dataclass(frozen=True)
class Frame:
    """One step of a walkthrough: its title, the steps it states and the picture of that moment.

    `current` is the node the step is about (an index in `topological_order(root)`),
    `inputs` the nodes it reads from or sends gradient to, `grads` the gradient
    shown for each node (None: not arrived yet), `values` the data shown for each
    node (None: not computed yet; empty: every value). In Jupyter a frame shows its
    picture and text.
    """

    title: str
    steps: tuple[str, ...]
    kind: str  # "forward", "backward" or "summary"
    current: int | None = None
    inputs: tuple[int, ...] = ()
    grads: tuple[float | None, ...] = ()
    values: tuple[float | None, ...] = ()
    question: Question | None = None
    _graph: _Graph | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return "\n".join([self.title, *(f"  {step}" for step in self.steps)])

    @property
    def drawing(self) -> Drawing:
        """The graph as it stands at this step, its node and inputs highlighted."""
        graph = self._graph
        if graph is None:
            raise ValueError("this frame has no graph to draw")
        marks: dict[int, Mark] = {}
        if self.current is not None:
            current, inputs = (CURRENT, RECEIVES) if self.kind == "backward" else (COMPUTED, USED)
            marks = dict.fromkeys(self.inputs, inputs) | {self.current: current}
        source = graph.source(
            grads=self.grads, marks=marks, emphasised_op=self.current, data=self.values or None
        )
        return Drawing(source, drawn_count(graph.order, graph.collapsed))

    def _repr_html_(self) -> str:
        try:
            picture = _inline_svg(render(self.drawing.source, "svg").decode())
        except RenderError as error:
            picture = f"<pre>{html.escape(str(error))}</pre>"
        steps = "".join(f"<li>{html.escape(step)}</li>" for step in self.steps)
        return f"<div><h4>{html.escape(self.title)}</h4>{picture}<ul>{steps}</ul></div>"


class Walkthrough:
    """The frames of a backward pass: index it, `save` it as one HTML page, or `save_frames`.

    In Jupyter it shows itself as the interactive page, quiz included.

    >>> from autograd import Value
    >>> a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> walk = walkthrough(c)
    >>> len(walk)
    5
    >>> print(walk[1].steps[1])
    d(a × b)/da = b = -2
    >>> print(walk[1].steps[2])
    a.grad += -2 × 1 = -2
    """

    def __init__(
        self, frames: Sequence[Frame], title: str, *, quiz: bool = False, timeout: float = 60.0
    ) -> None:
        self.frames = tuple(frames)
        self.title = title
        self.quiz = quiz
        self.timeout = timeout

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, index: int) -> Frame:
        return self.frames[index]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def __repr__(self) -> str:
        return f"<Walkthrough of {len(self)} frames: {self.title}>"

    def __str__(self) -> str:
        return "\n\n".join(f"[frame {i}] {frame}" for i, frame in enumerate(self.frames))

    @property
    def questions(self) -> list[Question]:
        """The quiz's questions in the order they are asked (empty unless ``quiz=True``)."""
        return [frame.question for frame in self.frames if frame.question is not None]

    def page(self, timeout: float | None = None) -> str:
        """The self-contained HTML page `save` writes: the drawing is rendered once, within `timeout` s."""
        graph = self.frames[0]._graph if self.frames else None
        if graph is None:
            raise ValueError("this walkthrough has no graph to draw: make one with walkthrough(root)")
        limit = self.timeout if timeout is None else _seconds(timeout)
        with _progress(f"rendering the walkthrough's drawing ({len(graph.order)} values)", limit):
            svg = render(_layout_source(graph, self.frames), "svg", timeout=limit).decode()
        return _page(self, graph, _inline_svg(svg))

    def save(self, path: str | os.PathLike[str], *, timeout: float | None = None) -> Path:
        """Write one self-contained HTML page (``.html``): the graph drawn once, stepped through.

        The page loads nothing from the network. Open ``walk.html#3`` to start at
        frame 3. Rendering must finish within `timeout` seconds (default: the
        walkthrough's), else `RenderError`.
        """
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"a walkthrough is saved as an HTML page: {str(path)!r} should end in .html")
        return write_atomically(target, self.page(timeout))

    def save_frames(
        self,
        folder: str | os.PathLike[str],
        image_format: str = "svg",
        *,
        size: tuple[int, int] | None = None,
        timeout: float | None = None,
    ) -> list[Path]:
        """Write each frame as an image (``"svg"``, ``"png"`` or ``"pdf"``) into `folder`: frame-0.svg, ...

        With ``size=(width, height)`` in pixels each frame is a slide of exactly that
        size (``svg`` or ``png``): its title, the graph fitted in, its steps under it.
        Frame numbers are zero-padded to the same width (frame-07.svg when there are
        10 or more). All frames must be rendered within `timeout` seconds together.
        Creates the folder if needed; other files in it are left alone.
        """
        if image_format not in FORMATS:
            raise ValueError(f"unknown image format {image_format!r}; expected one of {', '.join(FORMATS)}")
        if size is not None:
            from autograd import slides  # Pillow is needed for PNG slides only

            size = slides.check_size(size, image_format)
        limit = self.timeout if timeout is None else _seconds(timeout)
        directory = Path(folder)
        directory.mkdir(parents=True, exist_ok=True)
        width = len(str(len(self) - 1))
        paths = [directory / f"frame-{i:0{width}d}.{image_format}" for i in range(len(self))]
        deadline = time.monotonic() + limit
        with _progress(f"rendering {len(self)} frames", limit) as done:
            for i, (path, frame) in enumerate(zip(paths, self.frames)):
                remaining = deadline - time.monotonic()
                if remaining <= 0.0:
                    raise RenderError(_too_slow(f"{len(self)} frames", limit, i))
                try:
                    if size is None:
                        image = render(frame.drawing.source, image_format, timeout=remaining)
                    else:
                        image = slides.slide(frame, size, image_format, timeout=remaining)
                except RenderError:
                    if time.monotonic() >= deadline:
                        raise RenderError(_too_slow(f"{len(self)} frames", limit, i)) from None
                    raise
                write_atomically(path, image)
                done[0] = i + 1
        return paths

    def _repr_html_(self) -> str:
        try:
            page = self.page()
        except RenderError as error:
            return f"<pre>{html.escape(repr(self))}\n{html.escape(str(error))}</pre>"
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{html.escape(self.title)}" '
            'style="width: 100%; height: 720px; border: 1px solid #d1d5db;" '
            'sandbox="allow-scripts"></iframe>'
        )


def walkthrough(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int = 1000,
    digits: int | None = 4,
    forward: bool = False,
    quiz: bool = False,
    timeout: float = 60.0,
    group: bool = True,
    collapse: Collapse = None,
) -> Walkthrough:
    """The backward pass from `root` as frames: ``len(topological_order(root)) + 2``, more with `forward`.

    Frame 0 has the forward values with blank gradients; with `forward`, only the
    leaves' values, then one frame per computed value, in topological order, each
    showing the values computed so far; then one frame per Value in
    backward's order (root first, leaves included) with its chain-rule steps, each
    rule with its numbers; the last frame has every gradient. Numbers have `digits`
    significant digits (None: ``repr``). With `quiz` each gradient but the root's
    is asked before it is shown. No ``.grad`` in the graph changes. Rendering
    (`Walkthrough.save`) has `timeout` seconds.

    The drawing is `autograd.draw`'s: `nn` modules in boxes (`group` ``False``: no
    boxes), `collapse` ones drawn as one node each, and a graph of more than
    `max_nodes` values drawn collapsed at the finest depth that fits, refused only
    when even that does not fit. The frames still step through every value: one
    inside a collapsed module is highlighted on its module's node.
    """
    if not isinstance(root, Value):
        raise TypeError(f"walkthrough takes a Value, got {type(root).__name__}: {root!r}")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int) or digits < 1):
        raise ValueError(f"digits must be a positive int (significant digits) or None, got {digits!r}")
    seconds = _seconds(timeout)
    if rankdir not in RANKDIRS:
        raise ValueError(f"unknown rankdir {rankdir!r}; expected one of {', '.join(RANKDIRS)}")
    order = topological_order(root)
    groups, collapsed, note = collapsed_to_fit(order, collapse, max_nodes)
    legend = (COMPUTED, USED, CURRENT, RECEIVES) if forward else (CURRENT, RECEIVES)
    graph = _Graph(
        order,
        node_names(order),
        rankdir,
        digits,
        legend,
        groups,
        collapsed,
        group,
        (note,) if note else (),
        where_drawn(order, collapsed),
    )
    frames = _Builder(graph, quiz).frames(forward)
    return Walkthrough(frames, f"backward pass of {graph.names[-1]}", quiz=quiz, timeout=seconds)


def _seconds(timeout: object) -> float:
    seconds = as_real(timeout, "timeout must be a number of seconds")
    if not seconds > 0.0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return seconds


class _Builder:
    """Writes the frames: the numbers as shown, the rule of every op, the gradients as they arrive."""

    def __init__(self, graph: _Graph, quiz: bool) -> None:
        self.graph, self.quiz = graph, quiz
        order = graph.order
        position = {node: i for i, node in enumerate(order)}
        self.parents = [[position[parent] for parent in node.parents] for node in order]
        self.expressions = [
            _expression(node, [graph.names[j] for j in self.parents[i]], graph.digits)
            for i, node in enumerate(order)
        ]
        # Each node's uses: (user, local derivative, upstream gradient), in the order backward adds them.
        self.uses: list[list[tuple[int, float, float]]] = [[] for _ in order]

    def show(self, x: float) -> str:
        return number(x, self.graph.digits)

    def shown(self, x: float) -> float:
        """`x` as the page shows it, read back: what a reader computes with."""
        return float(self.show(x))

    def equals(self, computed: float, exact: float) -> str:
        """``=`` if `computed` (from shown numbers) shows as `exact` does, else ``≈``: rounded."""
        return "=" if self.show(computed) == self.show(exact) else "≈"

    def frame(self, title: str, steps: list[str], kind: str, **state: Any) -> Frame:
        return Frame(title, tuple(steps), kind, _graph=self.graph, **state)

    def frames(self, forward: bool) -> list[Frame]:
        order, names = self.graph.order, self.graph.names
        blank: tuple[float | None, ...] = (None,) * len(order)
        values = [
            f"{names[i]} = {self.expressions[i]} = {self.show(node.data)}"
            if self.parents[i]
            else f"{names[i]} = {self.show(node.data)}"
            for i, node in enumerate(order)
        ]
        computed = [i for i in range(len(order)) if self.parents[i]]
        if forward:  # the values appear as the forward steps compute them: only the leaves are known
            known: list[float | None] = [None if self.parents[i] else x.data for i, x in enumerate(order)]
            frames = [
                self.frame(
                    "Forward pass: the leaves are given, nothing is computed yet",
                    [
                        "The inputs, parameters and constants:",
                        *(values[i] for i in range(len(order)) if not self.parents[i]),
                        f"Each forward step computes one value from its inputs, {len(computed)} in all.",
                    ],
                    "forward",
                    grads=blank,
                    values=tuple(known),
                )
            ]
            for step, i in enumerate(computed, start=1):
                known[i] = order[i].data
                frames.append(
                    self.frame(
                        f"Forward step {step} of {len(computed)}: {names[i]}",
                        self.forward_steps(i),
                        "forward",
                        current=i,
                        inputs=tuple(self.parents[i]),
                        grads=blank,
                        values=tuple(known),
                    )
                )
        else:
            frames = [
                self.frame(
                    "Forward pass: every value, no gradient yet",
                    [
                        "Each value is computed from its inputs, inputs first:",
                        *values,
                        f"No gradient is known yet. Backward starts at the output: {names[-1]}.grad = 1.",
                    ],
                    "forward",
                    grads=blank,
                )
            ]
        grads: list[float | None] = [None] * len(order)
        final: list[float | None] = [None] * len(order)  # what the quiz page shows: final gradients only
        grads[-1] = 1.0
        for step, i in enumerate(reversed(range(len(order))), start=1):
            grad = grads[i] or 0.0  # every node leads to the root: its gradient has arrived
            final[i] = grad
            steps, question = self.backward_steps(i, grad, grads)
            frames.append(
                self.frame(
                    f"Backward step {step} of {len(order)}: {names[i]}",
                    steps,
                    "backward",
                    current=i,
                    inputs=tuple(self.parents[i]),
                    grads=tuple(final if self.quiz else grads),
                    question=question,
                )
            )
        leaves = [
            f"{names[i]}.grad = {self.show(grads[i] or 0.0)}"
            for i in range(len(order))
            if not self.parents[i]
        ]
        frames.append(
            self.frame(
                "All gradients",
                [f"Backward is done: each grad is d({names[-1]})/d(that node).", *leaves],
                "summary",
                grads=tuple(grads),
            )
        )
        return frames

    def forward_steps(self, i: int) -> list[str]:
        node, names = self.graph.order[i], self.graph.names
        inputs = [self.graph.order[j] for j in self.parents[i]]
        filled = _expression(node, [self.show(p.data) for p in inputs], self.graph.digits, numbers=True)
        try:
            again = recompute(node, [self.shown(p.data) for p in inputs])
        except (ValueError, TypeError, ArithmeticError):  # a user's op may refuse rounded inputs
            again = node.data
        value = self.show(node.data)
        line = f"{names[i]} = {self.expressions[i]} = {filled} {self.equals(again, node.data)} {value}"
        used = ", ".join(dict.fromkeys(names[j] for j in self.parents[i]))
        return [line, f"{names[i]} is kept: backward's local derivatives need it and its inputs ({used})."]

    def backward_steps(
        self, i: int, grad: float, grads: list[float | None]
    ) -> tuple[list[str], Question | None]:
        order, names = self.graph.order, self.graph.names
        name = names[i]
        uses = self.uses[i]
        if i == len(order) - 1:
            steps = [f"{name}.grad = 1: the output's gradient with respect to itself, d({name})/d({name})."]
        else:
            steps = [self.total(i, grad)]
        if not self.parents[i] and self.quiz:  # only the first line may give the answer: the page hides it
            steps.append(f"{name} is a leaf, so nothing is passed on.")
        elif not self.parents[i]:
            steps.append(
                f"{name} is a leaf, so nothing is passed on: d({names[-1]})/d({name}) = {self.show(grad)}."
            )
        for j, local, rule in zip(self.parents[i], order[i].local_grads, self.rules(i)):
            product = local * grad
            self.uses[j].append((i, local, grad))
            grads[j] = (grads[j] or 0.0) + product
            steps.append(rule)
            if not self.quiz:  # in a quiz the product would give the next answer away
                again = self.shown(local) * self.shown(grad)
                steps.append(
                    f"{names[j]}.grad += {self.show(local)} × {_operand(self.show(grad))} "
                    f"{self.equals(again, product)} {self.show(product)}"
                )
        question = None
        if self.quiz and i != len(order) - 1:
            question = self.question(i, grad, uses)
        return steps, question

    def total(self, i: int, grad: float) -> str:
        """The line that gives node i's final gradient: the sum of its uses' shares."""
        name, uses = self.graph.names[i], self.uses[i]
        count = _USES[len(uses)] if len(uses) < len(_USES) else f"{len(uses)} uses"
        if self.quiz:  # the answer, worked out: each use's local derivative × upstream gradient
            terms = [
                f"{_operand(self.show(local), k)} × {_operand(self.show(upstream))}"
                for k, (_, local, upstream) in enumerate(uses)
            ]
            again = math.fsum(self.shown(local) * self.shown(upstream) for _, local, upstream in uses)
        else:
            terms = [_operand(self.show(local * upstream), k) for k, (_, local, upstream) in enumerate(uses)]
            again = math.fsum(self.shown(local * upstream) for _, local, upstream in uses)
        if len(uses) == 1 and not self.quiz:
            return f"{name}.grad = {self.show(grad)} is final ({count})."
        return f"{name}.grad = {' + '.join(terms)} {self.equals(again, grad)} {self.show(grad)} ({count})"

    def question(self, i: int, grad: float, uses: list[tuple[int, float, float]]) -> Question:
        names = self.graph.names
        name = names[i]
        traps: list[tuple[float, str]] = []
        if len(uses) > 1:
            for _, local, upstream in uses:
                traps.append(
                    (
                        local * upstream,
                        f"{name} is used {len(uses)} times: a use is left out. Add every use's share.",
                    )
                )
        for user, local, upstream in uses:
            upstream_name, local_name = f"{names[user]}.grad", f"d({names[user]})/d({name})"
            if not _close(upstream, grad):
                traps.append(
                    (upstream, f"The local derivative is missing: multiply {upstream_name} by {local_name}.")
                )
            if not _close(local, grad):
                traps.append(
                    (local, f"The upstream gradient is missing: multiply {local_name} by {upstream_name}.")
                )
        users = ", ".join(dict.fromkeys(names[user] for user, _, _ in uses))
        hint = (
            f"Check the rule: {name}.grad is the sum, over its uses ({users}), of the local derivative "
            f"d(use)/d({name}) × that use's gradient. Is the local derivative right? The upstream gradient?"
        )
        return Question(i, name, grad, self.show(grad), tuple(traps), hint)

    def rules(self, i: int) -> list[str]:
        """For each input of node i: its local derivative as a rule with the numbers filled in."""
        node, names = self.graph.order[i], self.graph.names
        inputs = [names[j] for j in self.parents[i]]
        locals_ = node.local_grads
        stated = derivatives.expressions(node, shown=True)
        what = _lesson(self.expressions[i])
        if stated is None:
            return [
                f"{_derivative(what, p)} = {self.show(local)} ({_unstated(node.op)})"
                for p, local in zip(inputs, locals_)
            ]
        parents = [self.graph.order[j] for j in self.parents[i]]
        symbols = dict(zip(derivatives.input_names(node), inputs)) | {"out": names[i]}
        exact = dict(zip(derivatives.input_names(node), (p.data for p in parents))) | {"out": node.data}
        if node._constant is not None:
            symbols["c"] = self.show(node._constant)
            exact["c"] = node._constant
        rounded = {key: self.shown(value) for key, value in exact.items()}
        lines = []
        for p, local, expression in zip(inputs, locals_, stated):
            rule = _Rule(expression, symbols, exact, self.show)
            again = rule.value(rounded)
            parts = list(dict.fromkeys((rule.symbols, rule.numbers(rounded))))
            line = f"{_derivative(what, p)} = {' = '.join(parts)}"
            if parts[-1] != self.show(local):
                line += f" {self.equals(again, local)} {self.show(local)}"
            lines.append(line + rule.because)
        return lines


def _lesson(expression: str) -> str:
    """A forward expression in the lesson's symbols: ``x * w`` reads ``x × w``, ``y ** 3`` reads ``y³``."""
    power = re.fullmatch(r"(.*) \*\* (-?[0-9]+)", expression)
    if power:
        return power[1] + power[2].translate(_SUPERSCRIPTS)
    return expression.replace(" * ", " × ").replace(" - ", " − ").replace(" ** ", "^")


def _unstated(op: str) -> str:
    if op == "sum":
        return "each term of a sum has local derivative 1"
    if op == "dot":
        return "each factor's local derivative is the factor it multiplies"
    if op == "max":
        return "the largest input gets 1, shared at a tie; the others 0"
    return f"from {op}'s own rule"


def _derivative(expression: str, name: str) -> str:
    """``d tanh(n)/dn``, ``d(x × w)/dx``: d(what)/d(name) as a lesson writes it."""
    if expression.endswith(")") and "(" in expression.split(" ")[0]:
        return f"d {expression}/d{name}"
    return f"d({expression})/d{name}"


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SHOWN_FUNCTIONS = {"sech2": "sech²", "sigmoid": "σ", "log": "ln"}
_SYMBOLS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "/"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}
_COMPARED = {ast.Gt: ">", ast.GtE: "≥", ast.Lt: "<", ast.LtE: "≤", ast.Eq: "=", ast.NotEq: "≠"}
_NEGATED = {
    ast.Gt: ast.LtE,
    ast.GtE: ast.Lt,
    ast.Lt: ast.GtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}


class _Rule:
    """One expression of the derivative table, written as a lesson writes it.

    ``1 - out**2`` for o reads ``1 − o²``, then ``1 − 0.7071²`` with the numbers; a
    part made of constants only is worked out (``c * pow(x, c - 1.0)`` at c = 3 reads
    ``3 × x²``); a test (``1.0 if x > 0.0 else c``) keeps the branch taken, and says why.
    """

    def __init__(
        self, expression: str, symbols: dict[str, str], exact: dict[str, float], show: Callable[[float], str]
    ) -> None:
        self.show, self.exact = show, exact
        tree = ast.parse(expression, mode="eval").body
        shown = {key: show(value) for key, value in exact.items()}
        self.because = ""
        while isinstance(tree, ast.IfExp):
            holds = bool(derivatives.decide(tree.test, exact))
            test = tree.test if holds else _negated(tree.test, exact)
            if _worth_saying(test):
                self.because = f" (as {self.text(test, symbols)}: {self.text(test, shown)})"
            tree = tree.body if holds else tree.orelse
        self.tree = tree
        self.symbols = self.text(tree, symbols)

    def numbers(self, rounded: dict[str, float]) -> str:
        return self.text(self.tree, {key: self.show(value) for key, value in rounded.items()})

    def value(self, rounded: dict[str, float]) -> float:
        return float(derivatives.evaluate(self.tree, rounded))

    def folded(self, tree: ast.expr) -> float | None:
        """The value of arithmetic on numbers and the constant ``c`` only (``c - 1.0``), else None."""
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        if names - {"c"} or not isinstance(tree, (ast.BinOp, ast.UnaryOp)) or isinstance(tree.op, ast.Not):
            return None
        return float(derivatives.evaluate(tree, self.exact))

    def text(self, tree: ast.expr, names: dict[str, str], outer: int = 0) -> str:
        """`tree` as text, each name replaced from `names`, in the lesson's symbols."""
        folded = self.folded(tree) if not isinstance(tree, ast.Name) else None
        if folded is not None:
            return _operand(self.show(folded), outer)
        if isinstance(tree, ast.Constant):
            return _operand(self.show(_constant(tree)), outer)
        if isinstance(tree, ast.Name):
            return "0" if tree.id == "STRONG_ZERO" else _operand(names.get(tree.id, tree.id), outer)
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            return _parenthesised(f"−{self.text(tree.operand, names, 3)}", outer > 2)
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
            return f"not ({self.text(tree.operand, names)})"
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Pow):
            return self.power(tree.left, tree.right, names, outer)
        if isinstance(tree, ast.BinOp) and type(tree.op) in _SYMBOLS:
            precedence = _PRECEDENCE[type(tree.op)]
            leftmost = not isinstance(tree.left, ast.BinOp)  # -2 × x needs no brackets
            left = self.text(tree.left, names, 0 if leftmost else precedence)
            right = self.text(tree.right, names, precedence + 1)
            return _parenthesised(f"{left} {_SYMBOLS[type(tree.op)]} {right}", precedence < outer)
        if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
            if tree.func.id == "pow" and len(tree.args) == 2:
                return self.power(tree.args[0], tree.args[1], names, outer)
            arguments = ", ".join(self.text(argument, names) for argument in tree.args)
            return f"{_SHOWN_FUNCTIONS.get(tree.func.id, tree.func.id)}({arguments})"
        if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _COMPARED:
            left, right = self.text(tree.left, names), self.text(tree.comparators[0], names)
            return f"{left} {_COMPARED[type(tree.ops[0])]} {right}"
        if isinstance(tree, ast.BoolOp):
            joined = f" {'and' if isinstance(tree.op, ast.And) else 'or'} "
            return joined.join(self.text(value, names) for value in tree.values)
        return ast.unparse(tree)

    def power(self, base: ast.expr, exponent: ast.expr, names: dict[str, str], outer: int) -> str:
        """``x²`` for a whole-number exponent, else ``x^e``."""
        shown_base = self.text(base, names, 5)
        k = _constant(exponent) if isinstance(exponent, ast.Constant) else self.folded(exponent)
        if k is not None and k.is_integer() and abs(k) < 100:
            return shown_base + self.show(k).translate(_SUPERSCRIPTS)
        return _parenthesised(f"{shown_base}^{self.text(exponent, names, 5)}", outer > 4)


def _constant(tree: ast.Constant) -> float:
    value = tree.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"the derivative table holds a number here, not {value!r}")
    return float(value)


def _worth_saying(test: ast.expr) -> bool:
    """Whether the test that chose a branch helps: ``n > 0`` does; a special case not met does not."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _worth_saying(test.operand)
    if not isinstance(test, ast.Compare) or isinstance(test.ops[0], ast.NotEq):
        return False
    return bool({n.id for n in ast.walk(test) if isinstance(n, ast.Name)} - {"c"})  # not the constant alone


def _negated(test: ast.expr, values: dict[str, float]) -> ast.expr:
    """`test` negated, a comparison read the other way round (``x > 0``: ``x ≤ 0``) unless a value is nan."""
    nan = any(math.isnan(value) for value in values.values())  # not (nan <= 0) is not nan > 0
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and type(test.ops[0]) in _NEGATED and not nan:
        return ast.Compare(test.left, [_NEGATED[type(test.ops[0])]()], test.comparators)
    return ast.UnaryOp(ast.Not(), test)


def _parenthesised(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _operand(shown: str, outer: int = 1) -> str:
    """A shown number as an operand (`outer` > 0): a negative one in parentheses, ``2 × (-3)``."""
    return f"({shown})" if outer and shown.startswith("-") else shown


def _expression(node: Value, inputs: Sequence[str], digits: int | None, numbers: bool = False) -> str:
    """How `node` was computed from the nodes named `inputs`, as Python reads: ``x ** 2``, ``tanh(n)``.

    A folded constant has `digits` significant digits. With `numbers`, `inputs` are
    shown numbers: a negative one between operators is parenthesised.
    """
    op, kind = node.op, node._op
    operands = [_operand(text) for text in inputs] if numbers else list(inputs)
    if op in ("+", "-", "*", "/", "**") and len(inputs) == 2:
        return f"{operands[0]} {op} {operands[1]}"
    if op == "neg" and len(inputs) == 1:
        return f"-{operands[0]}"
    if kind is not None and kind.shows_constant and node._constant is not None and len(inputs) == 1:
        symbol, constant = kind.name.replace("{}", ""), number(node._constant, digits)
        if kind.name.startswith("{}"):  # 2 - x: the op "2-"
            return f"{constant} {symbol} {operands[0]}"
        return f"{operands[0]} {symbol} {_operand(constant)}"  # x * 3: the op "*3"
    return f"{op}({', '.join(inputs)})"


def _inline_svg(svg: str) -> str:
    """The SVG element alone, without the XML prolog and doctype, for inlining into HTML."""
    return svg[svg.index("<svg") :]


def _layout_source(graph: _Graph, frames: Sequence[Frame]) -> str:
    """The DOT text of the page's one drawing: each grad line as wide as its widest number.

    The page rewrites each node's grad line frame by frame; laying the drawing out
    with the longest text each line will hold keeps every number inside its box.
    """
    widest: list[float | None] = [None] * len(graph.order)

    def width(grad: float) -> int:
        return len(number(grad, graph.digits))

    for frame in frames:
        for i, grad in enumerate(frame.grads):
            so_far = widest[i]
            if grad is not None and (so_far is None or width(grad) > width(so_far)):
                widest[i] = grad
    return graph.source(grads=widest)


def _page_data(walk: Walkthrough, graph: _Graph) -> dict[str, Any]:
    """Everything the page's script needs, as JSON: per frame only what changed since the one before.

    The drawing shows every value's data: a frame lists the data lines that differ
    from the frame before (the first, from the drawing).
    """
    digits = graph.digits
    final_frame = {frame.current: k for k, frame in enumerate(walk.frames) if frame.kind == "backward"}
    frames = []
    previous: tuple[float | None, ...] = ()
    every_value: tuple[float | None, ...] = tuple(node.data for node in graph.order)
    previous_values = every_value
    for frame in walk.frames:
        record: dict[str, Any] = {"title": frame.title, "steps": list(frame.steps), "kind": frame.kind}
        changed = _changed(previous, frame.grads, "grad", digits)
        if changed:
            record["grads"] = changed
        values = frame.values or every_value
        changed = _changed(previous_values, values, "data", digits)
        if changed:
            record["values"] = changed
        previous, previous_values = frame.grads, values
        if frame.current is not None:
            record["current"] = frame.current
            record["inputs"] = list(frame.inputs)
        if frame.question is not None:
            question = frame.question
            record["question"] = {
                "name": question.name,
                "grad": _json_number(question.grad),
                "shown": question.shown,
                "traps": [[_json_number(value), hint] for value, hint in question.traps],
                "hint": question.hint,
            }
        frames.append(record)
    nodes: list[dict[str, Any]] = [
        {
            "name": name,
            "id": graph.drawn[i],  # its own node, its collapsed module's (m0) or none
            "op": op_id(i) if graph.order[i].parents and graph.drawn[i] == node_id(i) else None,
            "final": final_frame.get(i),
        }
        for i, name in enumerate(graph.names)
    ]
    modules = {}
    for k, box in enumerate(graph.collapsed):
        for line, i in enumerate(box.outputs):
            nodes[i]["line"] = line  # its data and grad are line 1 + `line` of the module's node
        # A click on the module: the frame where all its outputs' gradients are final.
        modules[f"m{k}"] = max(final_frame[i] for i in box.outputs)
    return {
        "title": walk.title,
        "quiz": walk.quiz,
        "tolerance": TOLERANCE,
        "nodes": nodes,
        "modules": modules,
        "marks": {
            "backward": [CURRENT.fill, RECEIVES.fill],
            "forward": [COMPUTED.fill, USED.fill],
        },
        "frames": frames,
    }


def _changed(
    before: Sequence[float | None], now: Sequence[float | None], line: str, digits: int | None
) -> dict[int, str]:
    """{node: its new `line` text (``grad 0.5``; ``grad`` when None)} where `now` differs from `before`."""
    return {
        i: line if x is None else f"{line} {number(x, digits)}"
        for i, x in enumerate(now)
        if not before or x != before[i] or (x is None) != (before[i] is None)
    }


def _json_number(x: float) -> float | str:
    """JSON has no inf or nan: those go as text, which the page reads back with Number()."""
    return x if math.isfinite(x) else repr(x).replace("inf", "Infinity")


def _script_json(data: object) -> str:
    """`data` as JSON that is safe inside a <script> element: no label can close the tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(character, escape)
    return text


def _asset(name: str) -> str:
    return resources.files("autograd").joinpath("page").joinpath(name).read_text(encoding="utf-8")


def _page(walk: Walkthrough, graph: _Graph, svg: str) -> str:
    return (
        _asset("walkthrough.html")
        .replace("$title", html.escape(walk.title))
        .replace("$style", _asset("walkthrough.css"))
        .replace("$last", str(len(walk) - 1))
        .replace("$quizhidden", "" if walk.quiz else " hidden")
        .replace("$svg", svg)
        .replace("$data", _script_json(_page_data(walk, graph)))
        .replace("$script", _asset("walkthrough.js"))
    )


def _too_slow(what: str, limit: float, done: int) -> str:
    return (
        f"rendering {what} did not finish within the time limit of {limit:g} s ({done} done). "
        "Pass a larger timeout (walkthrough(..., timeout=), save(..., timeout=), --timeout), "
        "or walk through a smaller graph."
    )


@contextmanager
def _progress(what: str, limit: float) -> Iterator[list[int]]:
    """While the block runs longer than `PROGRESS_AFTER` s, say so on stderr every `PROGRESS_EVERY` s.

    The block may count what it has done in the list it is given; a `RenderError`
    that comes from the renderer's own timeout is reworded to name this limit.
    """
    done = [0]
    started = time.monotonic()
    finished = threading.Event()

    def report() -> None:
        wait = PROGRESS_AFTER
        while not finished.wait(wait):
            wait = PROGRESS_EVERY
            elapsed = time.monotonic() - started
            count = f", {done[0]} done" if done[0] else ""
            print(
                f"gradwalk: {what}: {elapsed:.0f} s of at most {limit:g} s{count}",
                file=sys.stderr,
                flush=True,
            )

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        yield done
    except RenderError as error:
        if time.monotonic() - started >= limit and "time limit" not in str(error):
            raise RenderError(_too_slow(what.removeprefix("rendering "), limit, done[0])) from None
        raise
    finally:
        finished.set()
        reporter.join()
