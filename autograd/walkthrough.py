"""The backward pass one step at a time: `walkthrough(root)` and the `Walkthrough` it returns.

Frame 0 shows the forward values; then one frame per Value in the order
`Value.backward` visits it, each stating its chain-rule steps in words and
numbers; the last frame shows every gradient. The gradients are computed here,
on the side: the user's graph is only read.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from autograd.draw import Drawing, Mark, check_size, graph_source
from autograd.engine import Value, topological_order
from autograd.naming import node_names
from autograd.render import FORMATS

__all__ = ["Frame", "Walkthrough", "walkthrough"]

CURRENT = Mark("#fdba74", "this step's node: its gradient is final")
RECEIVES = Mark("#ffedd5", "receives gradient in this step")


@dataclass(frozen=True)
class Frame:
    """One picture of a walkthrough, with its title and the steps it states."""

    title: str
    steps: tuple[str, ...]
    drawing: Drawing

    def __str__(self) -> str:
        return "\n".join([self.title, *(f"  {step}" for step in self.steps)])


class Walkthrough:
    """The frames of a backward pass: index it, `save` it as one HTML page, or `save_frames`.

    >>> from autograd import Value
    >>> a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> walk = walkthrough(c)
    >>> len(walk)
    5
    >>> print(walk[1].steps[2])
    a.grad += -2.0 (local d(c)/d(a)) × 1.0 (c.grad) = -2.0, so a.grad is now -2.0
    """

    def __init__(self, frames: Sequence[Frame], title: str) -> None:
        self.frames = tuple(frames)
        self.title = title

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

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write one self-contained HTML page (``.html``): the frames, buttons, a slider and arrow keys.

        The page loads nothing from the network. Open ``walk.html#3`` to start at frame 3.
        """
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"a walkthrough is saved as an HTML page: {str(path)!r} should end in .html")
        svgs = [svg.decode() for svg in _render_all(self.frames, "svg")]
        target.write_text(_page(self.title, self.frames, svgs), encoding="utf-8")
        return target

    def save_frames(self, folder: str | os.PathLike[str], image_format: str = "svg") -> list[Path]:
        """Write each frame as an image (``"svg"``, ``"png"`` or ``"pdf"``) into `folder`: frame-0.svg, ...

        Frame numbers are zero-padded to the same width (frame-07.svg when there are 10 or more).

        Creates the folder if needed; other files in it are left alone.
        """
        if image_format not in FORMATS:
            raise ValueError(f"unknown image format {image_format!r}; expected one of {', '.join(FORMATS)}")
        images = _render_all(self.frames, image_format)
        directory = Path(folder)
        directory.mkdir(parents=True, exist_ok=True)
        digits = len(str(len(images) - 1))
        paths = [directory / f"frame-{i:0{digits}d}.{image_format}" for i in range(len(images))]
        for path, image in zip(paths, images):
            path.write_bytes(image)
        return paths


def walkthrough(root: Value, *, rankdir: str = "LR", max_nodes: int = 100) -> Walkthrough:
    """The backward pass from `root` as frames: ``len(topological_order(root)) + 2`` of them.

    Frame 0 has the forward values with blank gradients; then one frame per Value
    in backward's order (root first, leaves included) with its chain-rule steps;
    the last frame has every gradient. No ``.grad`` in the graph changes. A graph
    of more than `max_nodes` Values is refused: each frame is a whole picture, so
    the page grows with the square of the graph's size.
    """
    if not isinstance(root, Value):
        raise TypeError(f"walkthrough takes a Value, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    check_size(len(order), max_nodes)
    names = node_names(order)
    position = {node: i for i, node in enumerate(order)}
    parents = [[position[parent] for parent in node.parents] for node in order]
    expressions = [_expression(node, [names[j] for j in parents[i]]) for i, node in enumerate(order)]
    # The walkthrough's own gradients, as backward computes them; None until one arrives.
    grads: list[float | None] = [None] * len(order)

    def frame(title: str, steps: list[str], current: int | None = None) -> Frame:
        marks = dict.fromkeys(parents[current], RECEIVES) | {current: CURRENT} if current is not None else {}
        source = graph_source(
            order,
            rankdir=rankdir,
            grads=grads,
            show_local_grads=True,
            names=names,
            marks=marks,
            emphasised_op=current,
            legend_marks=(CURRENT, RECEIVES),
        )
        return Frame(title, tuple(steps), Drawing(source, len(order)))

    root_name = names[-1]
    forward = [
        f"{names[i]} = {expressions[i]} = {_number(node.data)}"
        if parents[i]
        else f"{names[i]} = {_number(node.data)}"
        for i, node in enumerate(order)
    ]
    frames = [
        frame(
            "Forward pass: every value, no gradient yet",
            [
                "Each value is computed from its inputs, inputs first:",
                *forward,
                f"No gradient is known yet. Backward starts at the output: {root_name}.grad = 1.0.",
            ],
        )
    ]
    grads[-1] = 1.0
    for step, i in enumerate(reversed(range(len(order))), start=1):
        name, grad = names[i], grads[i] or 0.0  # every node leads to the root: its gradient has arrived
        if step == 1:
            steps = [f"{name}.grad = 1.0: the output's gradient with respect to itself, d({name})/d({name})."]
        else:
            steps = [f"{name}.grad = {_number(grad)} is final: every node using {name} has added its share."]
        if not parents[i]:
            steps.append(
                f"{name} is a leaf, so nothing is passed on: d({root_name})/d({name}) = {_number(grad)}."
            )
        else:
            receivers = ", ".join(dict.fromkeys(names[j] for j in parents[i]))
            steps.append(
                f"{name} was computed as {expressions[i]}, so it passes gradient to "
                f"{receivers}: each gets its local derivative × {name}.grad."
            )
        for j, local in zip(parents[i], order[i].local_grads):
            before, product = grads[j], local * grad
            grads[j] = total = (before or 0.0) + product
            p = names[j]
            line = (
                f"{p}.grad += {_number(local)} (local d({name})/d({p})) × {_number(grad)} ({name}.grad) "
                f"= {_number(product)}, so {p}.grad is now {_number(total)}"
            )
            if before is not None:  # p has received gradient before
                line += f" ({_number(before)} + {_number(product)}: {p} is used again, so gradients add up)"
            steps.append(line)
        frames.append(frame(f"Backward step {step} of {len(order)}: {name}", steps, current=i))
    leaves = [f"{names[i]}.grad = {_number(grads[i] or 0.0)}" for i in range(len(order)) if not parents[i]]
    frames.append(
        frame("All gradients", [f"Backward is done: each grad is d({root_name})/d(that node).", *leaves])
    )
    return Walkthrough(frames, f"backward pass of {root_name}")


def _number(x: float) -> str:
    """`x` to 6 significant digits, written as Python writes floats: 2.0, -0.333333, 1e-08."""
    return repr(float(f"{x:.6g}"))


_NUMBER = r"-?(?:inf|nan|[0-9.]+(?:e[-+]?[0-9]+)?)"
_CONSTANT_RIGHT = re.compile(rf"(\*\*|[-+*/])({_NUMBER})")  # x * 3 is the op "*3"
_CONSTANT_LEFT = re.compile(rf"({_NUMBER})(\*\*|[-+*/])")  # 2 - x is the op "2-"


def _expression(node: Value, inputs: Sequence[str]) -> str:
    """How `node` was computed from the nodes named `inputs`, as Python reads: ``x ** 2``, ``tanh(n)``."""
    op = node.op
    if op in ("+", "-", "*", "/", "**") and len(inputs) == 2:
        return f"{inputs[0]} {op} {inputs[1]}"
    if len(inputs) == 1:
        if op == "neg":
            return f"-{inputs[0]}"
        if right := _CONSTANT_RIGHT.fullmatch(op):
            return f"{inputs[0]} {right[1]} {right[2]}"
        if left := _CONSTANT_LEFT.fullmatch(op):
            return f"{left[1]} {left[2]} {inputs[0]}"
    return f"{op}({', '.join(inputs)})"


def _render_all(frames: Sequence[Frame], image_format: str) -> list[bytes]:
    """Every frame rendered, a few renderer processes at a time."""
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda frame: frame.drawing.pipe(image_format), frames))


def _page(title: str, frames: Sequence[Frame], svgs: Sequence[str]) -> str:
    sections = []
    for i, (frame, svg) in enumerate(zip(frames, svgs)):
        steps = "".join(f"<li>{html.escape(step)}</li>" for step in frame.steps)
        inline_svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype
        sections.append(
            f'<section class="frame" id="frame-{i}" data-index="{i}"{" hidden" if i else ""}>\n'
            f'<div class="graph">{inline_svg}</div>\n'
            f"<h2>{html.escape(frame.title)}</h2>\n<ul>{steps}</ul>\n</section>"
        )
    return _PAGE.format(
        title=html.escape(title), last=len(frames) - 1, frames="\n".join(sections), script=_SCRIPT
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gradwalk: {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #111827; }}
h1 {{ font-size: 1.2rem; }}
h2 {{ font-size: 1.05rem; margin-bottom: 0.3rem; }}
nav {{ display: flex; gap: 0.8rem; align-items: center; position: sticky; top: 0; background: white;
      padding: 0.4rem 0; }}
nav input {{ flex: 1; max-width: 30rem; }}
button {{ font-size: 1rem; padding: 0.2rem 0.8rem; }}
.graph svg {{ max-width: 100%; height: auto; }}
li {{ font-family: ui-monospace, monospace; margin: 0.2rem 0; }}
</style>
</head>
<body>
<h1>gradwalk: {title}</h1>
<nav>
<button id="prev" type="button">&larr; previous</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="frame">
<button id="next" type="button">next &rarr;</button>
<span id="counter">frame 0 of {last}</span>
<span>(arrow keys work too)</span>
</nav>
<main>
{frames}
</main>
<script>
{script}
</script>
</body>
</html>
"""

_SCRIPT = """\
"use strict";
(() => {
  const frames = Array.from(document.querySelectorAll("section.frame"));
  const slider = document.getElementById("slider");
  const previous = document.getElementById("prev");
  const next = document.getElementById("next");
  const counter = document.getElementById("counter");
  let current = 0;
  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    frames.forEach((frame, i) => { frame.hidden = i !== current; });
    slider.value = String(current);
    counter.textContent = `frame ${current} of ${frames.length - 1}`;
    previous.disabled = current === 0;
    next.disabled = current === frames.length - 1;
  }
  previous.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  slider.addEventListener("input", () => show(Number(slider.value)));
  document.addEventListener("keydown", (event) => {
    if (event.target === slider) return;  // the slider moves itself with the arrow keys
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: frames.length - 1 };
    if (event.key in moves) { show(moves[event.key]); event.preventDefault(); }
  });
  const start = /^#([0-9]+)$/.exec(location.hash);
  show(start ? Number(start[1]) : 0);
})();"""
