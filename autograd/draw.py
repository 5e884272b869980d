"""Pictures of a computation graph: `draw` builds DOT text, `Drawing` renders it.

Each Value is a box showing its label, data and grad; each op is a small circle
between a Value and its parents, as in micrograd's lecture graphs. Node ids come
from the topological order, so the same graph always gives byte-identical DOT.
Drawing reads the graph and never changes it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import graphviz  # type: ignore[import-untyped]

from autograd.engine import Value, made_by_backward, topological_order
from autograd.render import RenderError, render

__all__ = [
    "LABEL_WIDTH",
    "RANKDIRS",
    "SAVE_FORMATS",
    "Drawing",
    "Mark",
    "check_size",
    "draw",
    "graph_source",
    "shorten",
]

RANKDIRS = ("LR", "TB", "RL", "BT")
LABEL_WIDTH = 40  # longer user text is cut to this many characters, the last one "…"
SAVE_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": None, ".gv": None}

_FONT = "Helvetica"
_SMALL = "9"


@dataclass(frozen=True)
class _Kind:
    """One of the four kinds of Value: its legend text, node attributes and legend cell's attributes."""

    meaning: str
    node: dict[str, str]
    cell: dict[str, str]


_KINDS = {
    "input": _Kind(
        "input or parameter (labelled leaf)",
        {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe"},
        {"border": "1", "style": "rounded", "bgcolor": "#dbeafe"},
    ),
    "constant": _Kind(
        "constant (unlabelled leaf)",
        {"shape": "box", "style": "rounded,filled,dashed", "fillcolor": "#f3f4f6", "fontcolor": "#4b5563"},
        {"border": "1", "style": "dashed", "bgcolor": "#f3f4f6"},
    ),
    "intermediate": _Kind(
        "intermediate value",
        {"shape": "box", "style": "filled", "fillcolor": "white"},
        {"border": "1", "bgcolor": "white"},
    ),
    "output": _Kind(
        "output (root)",
        {"shape": "box", "style": "filled,bold", "peripheries": "2", "fillcolor": "#fde68a"},
        {"border": "2", "bgcolor": "#fde68a"},
    ),
    # A gradient's graph (create_graph): the other kinds are then the forward pass's nodes.
    "backward": _Kind(
        "made by the backward pass",
        {"shape": "box", "style": "filled", "fillcolor": "#e9d5ff"},
        {"border": "1", "bgcolor": "#e9d5ff"},
    ),
}
_OP_LOOK = {
    "shape": "circle",
    "style": "filled",
    "fillcolor": "#f3f4f6",
    "fontsize": _SMALL,
    "width": "0.3",
    "margin": "0.02",
}
_EMPHASIS = {"color": "#ea580c", "penwidth": "2"}


@dataclass(frozen=True)
class Mark:
    """A colour given to some Values, with what it means in the legend and a badge after the grad."""

    fill: str
    meaning: str
    badge: str = ""


# √ and × are in the fonts of both renderers (graphviz-pure has no ✓ or ✗).
AGREES = Mark("#bbf7d0", "gradient agrees with finite differences", " √")
DISAGREES = Mark("#fecaca", "gradient disagrees with finite differences", " ×")
WRONG_LOCAL = Mark("#f87171", "op whose local derivative disagrees with finite differences")


class Drawing:
    """A picture of a graph: `source` is its DOT text, `save` renders it to a file.

    In Jupyter it shows itself as SVG. `draw` makes one; ``Drawing(graph_source(order, ...),
    len(order))`` makes one of your own.

    >>> from autograd import Value
    >>> drawing = draw(Value(2.0, label="x") * 3)
    >>> drawing.source.startswith("digraph")
    True
    >>> drawing.pipe("svg").startswith(b"<?xml")
    True
    """

    def __init__(self, source: str, node_count: int) -> None:
        self.source = source
        self.node_count = node_count

    def __repr__(self) -> str:
        return f"<Drawing of {self.node_count} values: .source is the DOT text, .save(path) renders it>"

    def pipe(self, image_format: str = "svg") -> bytes:
        """The drawing rendered as ``"svg"``, ``"png"`` or ``"pdf"`` bytes (see `autograd.render.render`)."""
        return render(self.source, image_format)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the drawing to `path` in the format its suffix names: .svg .png .pdf, or .dot/.gv source.

        Renders first, so a failed render leaves any existing file untouched.

        >>> import tempfile
        >>> from autograd import Value
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     saved = draw(Value(1.0, label="x").exp()).save(os.path.join(folder, "graph.gv"))
        ...     saved.read_text().startswith("digraph")
        True
        """
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in SAVE_FORMATS:
            raise ValueError(
                f"cannot save a drawing as {str(path)!r}: unknown suffix {suffix or '(none)'!r}; "
                f"expected one of {', '.join(SAVE_FORMATS)}"
            )
        image_format = SAVE_FORMATS[suffix]
        content = self.source.encode() if image_format is None else self.pipe(image_format)
        target.write_bytes(content)
        return target

    def _repr_mimebundle_(
        self, include: Collection[str] | None = None, exclude: Collection[str] | None = None
    ) -> dict[str, str]:
        # Jupyter shows the SVG; without a renderer it shows why, instead of a traceback.
        try:
            return {"image/svg+xml": self.pipe("svg").decode()}
        except RenderError as error:
            return {"text/plain": f"{self!r}\n{error}"}

    def _repr_svg_(self) -> str | None:
        return self._repr_mimebundle_().get("image/svg+xml")


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = False,
    max_nodes: int = 1000,
    check: bool = False,
) -> Drawing:
    r"""A picture of the graph that computed `root`: every Value with its data and grad, every op.

    `rankdir` is ``"LR"`` (inputs on the left), ``"TB"``, ``"RL"`` or ``"BT"``.
    `show_local_grads` writes each op's local derivative d(out)/d(input) on its
    input edges. A graph of more than `max_nodes` Values is refused before any
    layout. `check` runs `autograd.gradcheck.gradcheck_graph`: each Value shows the
    checked gradient d(root)/d(value) instead of its ``.grad`` and is coloured, √ or ×,
    by whether that agrees with finite differences; each op whose own local derivative
    disagrees, the place where a wrong gradient starts, is dark red.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x).tanh()
    >>> y.backward()
    >>> print(draw(y).source.splitlines()[4].strip())
    n0 [label="x\ndata 2.0000\ngrad 0.0054" fillcolor="#dbeafe" shape=box style="rounded,filled"]
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw takes a Value, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    check_size(len(order), max_nodes)
    grads = [node.grad for node in order]
    marks: dict[int, Mark] = {}
    op_marks: dict[int, Mark] = {}
    if check:
        from autograd.gradcheck import gradcheck_graph  # only this option needs gradient checking

        rows = gradcheck_graph(root).rows  # one per node, in the same order as `order`
        grads = [row.analytic for row in rows]  # d(root)/d(node), the gradients that were checked
        marks = {i: AGREES if row.agrees else DISAGREES for i, row in enumerate(rows)}
        op_marks = {i: WRONG_LOCAL for i, row in enumerate(rows) if row.local_errors}
    source = graph_source(
        order,
        rankdir=rankdir,
        grads=grads if show_grad else None,
        show_local_grads=show_local_grads,
        marks=marks,
        op_marks=op_marks,
        legend_marks=(AGREES, DISAGREES, WRONG_LOCAL) if check else (),
    )
    return Drawing(source, len(order))


def check_size(node_count: int, max_nodes: int) -> None:
    """Refuse a graph of more than `max_nodes` Values, before any layout could hang."""
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if node_count > max_nodes:
        raise ValueError(
            f"the graph has {node_count} nodes, more than max_nodes={max_nodes}: laying it out could take "
            f"minutes (10,000 nodes take dot about 30 s). Draw a smaller part of the graph (e.g. one "
            f"neuron's output), or pass max_nodes={node_count} to draw it anyway."
        )


def graph_source(
    order: Sequence[Value],
    *,
    rankdir: str = "LR",
    grads: Sequence[float | None] | None = None,
    show_local_grads: bool = False,
    names: Sequence[str] | None = None,
    marks: Mapping[int, Mark] | None = None,
    op_marks: Mapping[int, Mark] | None = None,
    emphasised_op: int | None = None,
    legend_marks: Sequence[Mark] = (),
) -> str:
    r"""The DOT text of the graph whose nodes are `order` (a topological order, root last).

    The building block of `draw` and `autograd.walkthrough`, for pictures of your own.
    `grads[i]` is shown as node i's grad (``None``: blank; `grads` ``None``: no grad
    line); `names[i]` replaces its label; `marks[i]` colours it and `op_marks[i]` the op
    that makes it; the op making node `emphasised_op` and its edges are drawn bold.
    `legend_marks` are explained in the legend whether or not they are used, so the
    legend does not change from one picture of a series to the next.

    >>> from autograd import Value, topological_order
    >>> order = topological_order(Value(2.0, label="x") * 3)
    >>> NEW = Mark("#fdba74", "gradient found in this step")
    >>> source = graph_source(order, grads=[3.0, 1.0], marks={0: NEW}, legend_marks=[NEW])
    >>> print(source.splitlines()[4].strip())
    n0 [label="x\ndata 2.0000\ngrad 3.0000" fillcolor="#fdba74" shape=box style="rounded,filled"]
    >>> Drawing(source, len(order))
    <Drawing of 2 values: .source is the DOT text, .save(path) renders it>
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"unknown rankdir {rankdir!r}; expected one of {', '.join(RANKDIRS)}")
    marks = marks or {}
    op_marks = op_marks or {}
    position = {node: i for i, node in enumerate(order)}
    root = len(order) - 1
    graph = graphviz.Digraph(
        graph_attr={"rankdir": rankdir, "bgcolor": "white", "fontname": _FONT, "nodesep": "0.25"},
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": _SMALL, "arrowsize": "0.6", "color": "#6b7280"},
    )
    kinds_used = set()
    for i, node in enumerate(order):
        kind = _kind(node, is_root=i == root)
        kinds_used.add(kind)
        mark = marks.get(i)
        title = shorten(node.label if names is None else names[i])
        lines = [title] if title else []
        lines.append(f"data {node.data:.4f}")
        if grads is not None:
            grad = grads[i]
            lines.append("grad" if grad is None else f"grad {grad:.4f}{mark.badge if mark else ''}")
        look = dict(_KINDS[kind].node)
        if mark is not None:
            look["fillcolor"] = _label([mark.fill])  # user text, quoted like a label
        graph.node(f"n{i}", _label(lines), **look)
        if not node.parents:
            continue
        emphasis = _EMPHASIS if i == emphasised_op else {}
        op_look = dict(_OP_LOOK)
        if i in op_marks:
            op_look["fillcolor"] = _label([op_marks[i].fill])
        graph.node(f"op{i}", _label([shorten(node.op)]), **op_look, **emphasis)
        graph.edge(f"op{i}", f"n{i}", **emphasis)
        for parent, local in zip(node.parents, node.local_grads):
            edge_label = {"label": f"{local:.4f}"} if show_local_grads else {}
            graph.edge(f"n{position[parent]}", f"op{i}", **edge_label, **emphasis)
    graph.attr(label=_legend(kinds_used, show_local_grads, legend_marks), labelloc="b", labeljust="l")
    source: str = graph.source
    return source


def _kind(node: Value, *, is_root: bool) -> str:
    if made_by_backward(node):
        return "backward"
    if is_root:
        return "output"
    if node.parents:
        return "intermediate"
    return "input" if node.label else "constant"


def _legend(kinds: Collection[str], show_local_grads: bool, marks: Sequence[Mark]) -> str:
    """The legend: an HTML-like table (only our own text) as the graph's label, outside the layout."""
    cells = [_legend_cell("legend:", border="0")]
    if "backward" in kinds:
        cells.append(_legend_cell("from the forward pass:", border="0"))
    cells += [
        _legend_cell(look.meaning, look.node.get("fontcolor", "black"), **look.cell)
        for kind, look in _KINDS.items()
        if kind in kinds
    ]
    cells.append(_legend_cell("op", border="1", style="rounded", bgcolor=_OP_LOOK["fillcolor"]))
    cells += [_legend_cell(mark.meaning, border="1", bgcolor=mark.fill) for mark in marks]
    if show_local_grads:
        cells.append(_legend_cell("numbers on edges: local derivatives d(out)/d(input)", border="0"))
    return f'<<table border="0" cellspacing="6" cellpadding="3"><tr>{"".join(cells)}</tr></table>>'


def _legend_cell(text: str, fontcolor: str = "black", **attributes: str) -> str:
    # A Mark's fill and meaning are user text too: quoted and cleaned like labels.
    cell = "".join(f' {name}="{html.escape(_renderable(value))}"' for name, value in attributes.items())
    shown = html.escape(_renderable(text)).replace("\n", "<br/>")
    return f'<td{cell}><font point-size="{_SMALL}" color="{html.escape(fontcolor)}">{shown}</font></td>'


def _label(lines: Sequence[str]) -> graphviz.quoting.NoHtml:
    """A DOT label showing `lines` exactly as written, one per line."""
    return graphviz.nohtml(r"\n".join(_literal(line) for line in lines))


def shorten(text: str) -> str:
    """`text` cut to `LABEL_WIDTH` characters, the last one "…", if it is longer.

    >>> shorten("layers.0.neurons.3.w.1"), shorten("x" * 50)[-3:], len(shorten("x" * 50))
    ('layers.0.neurons.3.w.1', 'xx…', 40)
    """
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 1] + "…"


# C0 control characters and DEL would make invalid SVG/XML: show their Unicode pictures (␀, ␉, ␡).
_PICTURES = {code: 0x2400 + code for code in range(0x20) if code != ord("\n")} | {0x7F: 0x2421}
# Lone surrogates cannot be encoded as UTF-8, and U+FFFE/U+FFFF are not XML characters: "�".
_UNRENDERABLE = dict.fromkeys([*range(0xD800, 0xE000), 0xFFFE, 0xFFFF], 0xFFFD)


def _renderable(text: str) -> str:
    r"""`text` with what no renderer can take replaced: control characters by their pictures,
    lone surrogates and U+FFFE/U+FFFF by U+FFFD; a newline is kept.

    >>> _renderable("a\x01b\ud800c\ufffe")
    'a␁b�c�'
    """
    return text.translate(_PICTURES).translate(_UNRENDERABLE)


def _literal(text: str) -> str:
    r"""`text` as an escString shown as written: no escape (\N, \l), entity (&amp;) or HTML acts.

    >>> print(_literal(r"<b>\N</b> & co"))
    <b>\\N</b> &amp; co
    """
    # Graphviz reads backslash escapes and, even outside HTML labels, character entities.
    text = _renderable(text.replace("\\", "\\\\").replace("&", "&amp;"))
    return text.replace("\n", r"\n")  # a newline in user text is a line break in the picture


def node_id(i: int) -> str:
    """The DOT id `graph_source` gives node i of the order (an SVG group's <title>): pages find nodes by it.

    >>> from autograd import Value, topological_order
    >>> f'{node_id(0)} [label="x' in graph_source(topological_order(Value(1.0, label="x")))
    True
    """
    return f"n{i}"


def op_id(i: int) -> str:
    """The DOT id of the op that makes node i (edges run parent -> op -> node).

    >>> from autograd import Value, topological_order
    >>> f"{op_id(1)} -> {node_id(1)}" in graph_source(topological_order(Value(1.0) * 2))
    True
    """
    return f"op{i}"
