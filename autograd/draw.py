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
from typing import TypeAlias

import graphviz  # type: ignore[import-untyped]

from autograd._files import write_atomically
from autograd.engine import Value, made_by_backward, topological_order
from autograd.groups import Group, find_groups
from autograd.naming import node_names, number, op_text
from autograd.render import RenderError, render

__all__ = [
    "LABEL_WIDTH",
    "RANKDIRS",
    "SAVE_FORMATS",
    "Drawing",
    "GraphTooLargeError",
    "Mark",
    "check_size",
    "chosen_groups",
    "collapsed_to_fit",
    "draw",
    "drawn_count",
    "fit",
    "graph_source",
    "shorten",
    "where_drawn",
]

RANKDIRS = ("LR", "TB", "RL", "BT")
LABEL_WIDTH = 40  # longer user text is cut to this many characters, the last one "…"
TITLE_WIDTH = 100  # the same for a box's title and the drawing's
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
    "module": _Kind(
        "module call drawn as one node (collapsed)",
        {"shape": "box3d", "style": "filled", "fillcolor": "#ede9fe"},
        {"border": "1", "bgcolor": "#ede9fe"},
    ),
}
# A module call's box: its title at the top left, a light frame, a fill a shade darker for each level in.
_BOX_FILLS = ("#f8fafc", "#eef2f7", "#e2e8f0", "#d9e1ea")
_BOX_LOOK = {
    "labelloc": "t",
    "labeljust": "l",
    "style": "rounded,filled",
    "pencolor": "#94a3b8",
    "fontsize": "10",
    "fontcolor": "#374151",
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

    def save(self, path: str | os.PathLike[str], *, size: tuple[int, int] | None = None) -> Path:
        """Write the drawing to `path` in the format its suffix names: .svg .png .pdf, or .dot/.gv source.

        `size` ``(width, height)`` in pixels scales a PNG or SVG, aspect kept, to fill
        at most that box (``(1920, 1080)`` for a 16:9 slide). Renders first and writes
        atomically, so a failed render or write leaves any existing file untouched.

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
        if size is not None:
            size = _check_pixels(size)
            if image_format not in ("png", "svg"):
                raise ValueError(f"size= fits a PNG or an SVG, not {suffix}: save as .png or .svg")
        content = (
            self.source.encode() if image_format is None else render(self.source, image_format, size=size)
        )
        return write_atomically(target, content)

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


Collapse: TypeAlias = "str | int | Sequence[str] | None"


def _check_pixels(size: object) -> tuple[int, int]:
    if (
        not isinstance(size, tuple)
        or len(size) != 2
        or not all(isinstance(side, int) and not isinstance(side, bool) and side > 0 for side in size)
    ):
        raise ValueError(
            f"size must be (width, height) in pixels, two positive ints like (1920, 1080), got {size!r}"
        )
    return size[0], size[1]


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = False,
    max_nodes: int = 1000,
    check: bool = False,
    digits: int | None = 4,
    group: bool = True,
    collapse: Collapse = None,
    title: str | None = None,
) -> Drawing:
    r"""A picture of the graph that computed `root`: every Value with its name, data and grad, every op.

    `rankdir` is ``"LR"`` (inputs on the left), ``"TB"``, ``"RL"`` or ``"BT"``.
    Numbers have `digits` significant digits (``None``: ``repr``); values are named
    as every view names them (see `autograd.naming`). `show_local_grads` writes each
    op's local derivative d(out)/d(input) on its input edges. `check` runs
    `autograd.gradcheck.gradcheck_graph`: each Value shows the checked gradient
    d(root)/d(value) instead of its ``.grad`` and is coloured, √ or ×, by whether
    that agrees with finite differences; each op whose own local derivative
    disagrees, the place where a wrong gradient starts, is dark red.

    Values an `nn` module's call computed sit in a box titled ``name: Type(args)``,
    nested as the modules nest (`group` ``False``: no boxes). `collapse` draws modules
    as one node each: ``"neurons"`` or ``"layers"`` (the modules in a list of that
    name), a depth (``1``: the modules one level inside the outermost, an MLP's
    layers) or a list of dotted module names. A graph of more than `max_nodes`
    values is drawn collapsed at the finest depth that fits, and refused, before
    any layout, only when even one node per outermost module call is too many.
    `title` is written above the picture.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = (x * x).tanh()
    >>> y.backward()
    >>> print(draw(y).source.splitlines()[4].strip())
    n0 [label="x\ndata 2\ngrad 0.005364" fillcolor="#dbeafe" shape=box style="rounded,filled"]
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw takes a Value, got {type(root).__name__}: {root!r}")
    _check_digits(digits)
    order = topological_order(root)
    groups, collapsed, note = collapsed_to_fit(order, collapse, max_nodes)
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
        digits=digits,
        groups=groups,
        collapsed=collapsed,
        framed=group,
        title=title,
        notes=(note,) if note else (),
    )
    return Drawing(source, drawn_count(order, collapsed))


class GraphTooLargeError(ValueError):
    """A graph too large to draw: the message says what to do, in Python's words or the command line's."""

    def __init__(self, problem: str, max_nodes: int, needed: int, advice: str) -> None:
        self.problem, self.max_nodes, self.needed, self.advice = problem, max_nodes, needed, advice
        super().__init__(self.message("max_nodes={}"))

    def message(self, option: str) -> str:
        """The message with the size option written as `option` (``"max_nodes={}"``, ``"--max-nodes {}"``)."""
        limit, needed = option.format(self.max_nodes), option.format(self.needed)
        return f"{self.problem}, more than {limit}: {self.advice}, or pass {needed} to draw it anyway."


def _check_max_nodes(max_nodes: int) -> None:
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")


def _check_digits(digits: int | None) -> None:
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int) or digits < 1):
        raise ValueError(f"digits must be a positive int (significant digits) or None (repr), got {digits!r}")


def check_size(node_count: int, max_nodes: int) -> None:
    """Refuse a graph of more than `max_nodes` Values, before any layout could hang."""
    _check_max_nodes(max_nodes)
    if node_count > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {node_count} nodes",
            max_nodes,
            node_count,
            "laying it out could take minutes (10,000 nodes take dot about 30 s). Draw a smaller part "
            "of the graph (e.g. one neuron's output)",
        )


def chosen_groups(groups: Sequence[Group], collapse: Collapse) -> list[Group]:
    """The groups `collapse` names (see `draw`), outermost first; one inside another is left out.

    >>> chosen_groups([], None)
    []
    """
    everything = [g for top in groups for g in top.walk()]
    if collapse is None:
        chosen = []
    elif collapse in ("neurons", "layers"):
        chosen = [g for g in everything if g.name.rpartition(".")[0].rpartition(".")[2] == collapse]
    elif isinstance(collapse, int) and not isinstance(collapse, bool):
        if collapse < 0:
            raise ValueError(f"collapse depth must be 0 or more (1: an MLP's layers), got {collapse}")
        chosen = [g for g in everything if g.depth == collapse]
    elif isinstance(collapse, (list, tuple)) and all(isinstance(name, str) for name in collapse):
        names = {g.name for g in everything if g.name}
        unknown = [name for name in collapse if name not in names]
        if unknown:
            known = sorted(names, key=lambda name: (name.count("."), name))
            raise ValueError(
                f"collapse: no module call named {unknown[0]!r} in this graph; its modules are "
                f"{', '.join(known[:8]) or '(none)'}{' ...' if len(known) > 8 else ''}"
            )
        chosen = [g for g in everything if g.name in collapse]
    else:
        raise ValueError(
            f"collapse must be 'neurons', 'layers', a depth (an int, 1: an MLP's layers) or a list of "
            f"module names like ['layers.0'], got {collapse!r}"
        )
    inside = {id(inner) for g in chosen for inner in list(g.walk())[1:]}
    return [g for g in chosen if id(g) not in inside]


def where_drawn(order: Sequence[Value], collapsed: Sequence[Group]) -> list[str | None]:
    """The node that shows each value: its own (``n3``), its collapsed module's (``m0``), or none.

    A parameter read only inside collapsed modules is not drawn: their ``N parameters`` count it.
    """
    shown: list[str | None] = [f"n{i}" for i in range(len(order))]
    for k, box in enumerate(collapsed):
        for inner in box.walk():
            for i in inner.members:
                shown[i] = f"m{k}"
    if collapsed:
        position = {node: i for i, node in enumerate(order)}
        read_outside: set[int] = set()  # values some drawn op reads
        for i, node in enumerate(order):
            if shown[i] == f"n{i}":
                read_outside.update(position[parent] for parent in node.parents)
        counted = frozenset().union(*(box.parameters for box in collapsed))
        for i, node in enumerate(order):
            if id(node) in counted and shown[i] == f"n{i}" and i not in read_outside:
                shown[i] = None
    return shown


def drawn_count(order: Sequence[Value], collapsed: Sequence[Group]) -> int:
    """How many values a drawing shows when `collapsed` are one node each."""
    return len({node for node in where_drawn(order, collapsed) if node is not None})


def collapsed_to_fit(
    order: Sequence[Value], collapse: Collapse, max_nodes: int
) -> tuple[list[Group], list[Group], str]:
    """The module boxes of `order`, those drawn as one node each and the legend note saying why.

    The collapsed ones are those `collapse` names (see `draw`), or the finest depth
    that shows at most `max_nodes` values (see `fit`): the rule of `draw` and
    `autograd.walkthrough`. A graph without modules is refused before any more work.

    >>> from autograd import Value, topological_order
    >>> collapsed_to_fit(topological_order(Value(1.0) * 2), None, 10)
    ([], [], '')
    """
    _check_max_nodes(max_nodes)
    if len(order) > max_nodes and not any(hasattr(node, "_calls") for node in order):
        check_size(len(order), max_nodes)  # no modules to collapse: refused before any more work
    groups = find_groups(order)
    collapsed, note = fit(order, groups, chosen_groups(groups, collapse), max_nodes)
    return groups, collapsed, note


def fit(
    order: Sequence[Value], groups: Sequence[Group], collapsed: Sequence[Group], max_nodes: int
) -> tuple[list[Group], str]:
    """`collapsed`, or if that shows more than `max_nodes` values, the finest depth that fits, and a note.

    Raises `GraphTooLargeError` when even every outermost call collapsed is too many.
    """
    _check_max_nodes(max_nodes)
    value_count = len(order)
    shown = drawn_count(order, collapsed)
    if shown <= max_nodes:
        return list(collapsed), ""
    deepest = max((g.depth for top in groups for g in top.walk()), default=-1)
    for depth in range(deepest, -1, -1):
        level = chosen_groups(groups, depth)
        inside = {id(inner) for g in level for inner in g.walk()}
        candidate = level + [g for g in collapsed if id(g) not in inside]
        count = drawn_count(order, _outermost(candidate))
        if count <= max_nodes:
            note = (
                f"{value_count} values, more than max_nodes={max_nodes}: drawn with the modules "
                f"{depth} level{'s' * (depth != 1)} down collapsed ({count} nodes)"
            )
            return _outermost(candidate), note
    if not groups:
        check_size(value_count, max_nodes)
    smallest = drawn_count(order, groups)
    raise GraphTooLargeError(
        f"the graph has {value_count} nodes, and {smallest} even with every module collapsed (collapse=0)",
        max_nodes,
        smallest,
        "draw the loss of fewer samples (a smaller batch), or one sample's output",
    )


def _outermost(groups: Sequence[Group]) -> list[Group]:
    inside = {id(inner) for g in groups for inner in list(g.walk())[1:]}
    return [g for g in groups if id(g) not in inside]


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
    digits: int | None = 4,
    groups: Sequence[Group] = (),
    collapsed: Sequence[Group] = (),
    title: str | None = None,
    notes: Sequence[str] = (),
    framed: bool = True,
    data: Sequence[float | None] | None = None,
    module_marks: Mapping[int, Mark] | None = None,
) -> str:
    r"""The DOT text of the graph whose nodes are `order` (a topological order, root last).

    The building block of `draw` and `autograd.walkthrough`, for pictures of your own.
    `grads[i]` is shown as node i's grad (``None``: blank; `grads` ``None``: no grad
    line); `names[i]` replaces its name (default: `autograd.naming.node_names`);
    `marks[i]` colours it and `op_marks[i]` the op that makes it; the op making node
    `emphasised_op` and its edges are drawn bold. `legend_marks` are explained in the
    legend whether or not they are used, so the legend does not change from one
    picture of a series to the next. `groups` (from `autograd.groups.find_groups`) are
    drawn as boxes (`framed` ``False``: without the boxes), `collapsed` ones as one node
    each, `module_marks[k]` colouring the node of ``collapsed[k]``; `notes` are extra
    legend lines. `data[i]` replaces node i's data (``None``: blank, not computed yet).

    >>> from autograd import Value, topological_order
    >>> order = topological_order(Value(2.0, label="x") * 3)
    >>> NEW = Mark("#fdba74", "gradient found in this step")
    >>> source = graph_source(order, grads=[3.0, 1.0], marks={0: NEW}, legend_marks=[NEW])
    >>> print(source.splitlines()[4].strip())
    n0 [label="x\ndata 2\ngrad 3" fillcolor="#fdba74" shape=box style="rounded,filled"]
    >>> Drawing(source, len(order))
    <Drawing of 2 values: .source is the DOT text, .save(path) renders it>
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"unknown rankdir {rankdir!r}; expected one of {', '.join(RANKDIRS)}")
    marks = marks or {}
    op_marks = op_marks or {}
    data = [node.data for node in order] if data is None else data
    names = node_names(order) if names is None else names
    position = {node: i for i, node in enumerate(order)}
    root = len(order) - 1
    shown_as = where_drawn(order, collapsed)
    graph = graphviz.Digraph(
        graph_attr={
            "rankdir": rankdir,
            "bgcolor": "white",
            "fontname": _FONT,
            "nodesep": "0.25",
            "newrank": "true",  # rank constraints across boxes: one layer's values line up
        },
        node_attr={"fontname": _FONT, "fontsize": "11"},
        edge_attr={"fontname": _FONT, "fontsize": _SMALL, "arrowsize": "0.6", "color": "#6b7280"},
    )
    kinds_used = set()
    statements: dict[int, list[tuple[str, graphviz.quoting.NoHtml, dict[str, str]]]] = {}
    for i, node in enumerate(order):
        if shown_as[i] != f"n{i}":
            continue
        kind = _kind(node, is_root=i == root)
        kinds_used.add(kind)
        mark = marks.get(i)
        lines = [shorten(names[i])] if names[i] else []
        lines.append(_data_line(data[i], digits))
        if grads is not None:
            grad = grads[i]
            badge = mark.badge if mark else ""
            lines.append("grad" if grad is None else f"grad {number(grad, digits)}{badge}")
        look = dict(_KINDS[kind].node)
        if mark is not None:
            look["fillcolor"] = _label([mark.fill])  # user text, quoted like a label
        here = statements.setdefault(i, [])
        here.append((f"n{i}", _label(lines), look))
        if node.parents:
            op_look = dict(_OP_LOOK)
            text = shorten(op_text(node, digits))
            if len(text) > 4:  # a long name or a folded constant: an ellipse, not a large circle
                op_look["shape"] = "ellipse"
            if i in op_marks:
                op_look["fillcolor"] = _label([op_marks[i].fill])
            here.append((f"op{i}", _label([text]), op_look | (_EMPHASIS if i == emphasised_op else {})))
    boxes = {id(box): k for k, box in enumerate(collapsed)}
    if collapsed:
        kinds_used.add("module")
    boxed = {i for top in groups for inner in top.walk() for i in inner.members}
    _emit_nodes(graph, [i for i in range(len(order)) if i not in boxed], statements)
    for top in groups:
        _emit_group(graph, top, statements, boxes, _Shown(data, grads, digits, module_marks or {}), framed)
    for box in groups:
        for inner in box.walk():
            _same_rank(graph, inner, order, position, shown_as)
    _emit_edges(graph, order, position, shown_as, show_local_grads, emphasised_op, digits)
    legend = _legend(kinds_used, show_local_grads, legend_marks, notes)
    if title is None:
        graph.attr(label=legend, labelloc="b", labeljust="l")
    else:  # the title is the graph's label, above; the legend goes under the picture in a frameless box
        graph.body.insert(
            0, f"\tsubgraph cluster_legend {{\n\t\tlabel={legend} labelloc=b labeljust=l peripheries=0\n"
        )
        graph.body.append("\t}\n")
        graph.attr(label=_label([shorten(title, TITLE_WIDTH)]), labelloc="t", fontsize="16")
    source: str = graph.source
    return source


def _emit_nodes(
    graph: graphviz.Digraph,
    indices: Sequence[int],
    statements: Mapping[int, list[tuple[str, graphviz.quoting.NoHtml, dict[str, str]]]],
) -> None:
    for i in indices:
        for name, label, look in statements.get(i, ()):
            graph.node(name, label, **look)


@dataclass(frozen=True)
class _Shown:
    """What a collapsed module's node shows of its outputs, and its colour."""

    data: Sequence[float | None]
    grads: Sequence[float | None] | None
    digits: int | None
    module_marks: Mapping[int, Mark]


def _data_line(data: float | None, digits: int | None) -> str:
    return "data" if data is None else f"data {number(data, digits)}"


def _emit_group(
    graph: graphviz.Digraph,
    box: Group,
    statements: Mapping[int, list[tuple[str, graphviz.quoting.NoHtml, dict[str, str]]]],
    boxes: Mapping[int, int],
    shown: _Shown,
    framed: bool,
) -> None:
    """The box of one module call and the boxes inside it (unframed: their values only), or its one node
    when collapsed."""
    if id(box) in boxes:
        k = boxes[id(box)]
        lines = [shorten(box.name or box.title, TITLE_WIDTH)]
        for i in box.outputs:
            grads = shown.grads
            grad = grads[i] if grads is not None else None
            shown_grad = (
                "" if grads is None else "  grad" + ("" if grad is None else f" {number(grad, shown.digits)}")
            )
            lines.append(_data_line(shown.data[i], shown.digits) + shown_grad)
        lines.append(f"{box.parameter_count} parameter{'s' * (box.parameter_count != 1)}")
        look = dict(_KINDS["module"].node)
        if k in shown.module_marks:
            look["fillcolor"] = _label([shown.module_marks[k].fill])
        graph.node(f"m{k}", _label(lines), **look)
        return
    if not framed:
        _emit_nodes(graph, box.members, statements)
        for child in box.children:
            _emit_group(graph, child, statements, boxes, shown, framed)
        return
    with graph.subgraph(name=f"cluster_{box.outputs[0]}_{box.depth}") as sub:  # ids from the order: stable
        fill = _BOX_FILLS[min(box.depth, len(_BOX_FILLS) - 1)]
        sub.attr(label=_label([shorten(box.title, TITLE_WIDTH)]), fillcolor=fill, **_BOX_LOOK)
        _emit_nodes(sub, box.members, statements)
        for child in box.children:
            _emit_group(sub, child, statements, boxes, shown, framed)


def _same_rank(
    graph: graphviz.Digraph,
    box: Group,
    order: Sequence[Value],
    position: Mapping[Value, int],
    shown_as: Sequence[str | None],
) -> None:
    """Line up a call's outputs (a layer's values) when none of them depends on another."""
    shown = list(dict.fromkeys(node for i in box.outputs if (node := shown_as[i]) is not None))
    if len(shown) < 2 or len(shown) != len(box.outputs):
        return
    outputs = set(box.outputs)
    held = {i for inner in box.walk() for i in inner.members}
    for i in box.outputs:
        stack, seen = list(order[i].parents), set()
        while stack:
            j = position[stack.pop()]
            if j in outputs:
                return  # one output is computed from another: they cannot share a rank
            if j in held and j not in seen:
                seen.add(j)
                stack.extend(order[j].parents)
    graph.body.append("\t{rank=same; " + "; ".join(shown) + "}\n")


def _emit_edges(
    graph: graphviz.Digraph,
    order: Sequence[Value],
    position: Mapping[Value, int],
    shown_as: Sequence[str | None],
    show_local_grads: bool,
    emphasised_op: int | None,
    digits: int | None,
) -> None:
    """Every edge, at the top level (an edge inside a box would pull its ends into the box)."""
    drawn: set[tuple[str, str]] = set()  # edges from or to a collapsed module are drawn once
    for i, node in enumerate(order):
        if not node.parents:
            continue
        drawn_as = shown_as[i]
        if drawn_as is None:
            continue
        target = f"op{i}" if drawn_as == f"n{i}" else drawn_as
        if target == f"op{i}":
            emphasis = _EMPHASIS if i == emphasised_op else {}
            graph.edge(f"op{i}", f"n{i}", **emphasis)
        for parent, local in zip(node.parents, node.local_grads):
            source = shown_as[position[parent]]
            if source is None or source == target:
                continue  # inside one collapsed module, or a parameter only collapsed modules read
            if source.startswith("m") or target.startswith("m"):
                if (source, target) not in drawn:
                    drawn.add((source, target))
                    graph.edge(source, target)
                continue
            edge_label = {"label": number(local, digits)} if show_local_grads else {}
            graph.edge(source, target, **edge_label, **(_EMPHASIS if i == emphasised_op else {}))


def _kind(node: Value, *, is_root: bool) -> str:
    if made_by_backward(node):
        return "backward"
    if is_root:
        return "output"
    if node.parents:
        return "intermediate"
    return "input" if node.label else "constant"


def _legend(
    kinds: Collection[str], show_local_grads: bool, marks: Sequence[Mark], notes: Sequence[str]
) -> str:
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
    rows = [f"<tr>{''.join(cells)}</tr>"]
    rows += [
        f"<tr>{_legend_cell(note, border='0', colspan=str(len(cells)), align='left')}</tr>" for note in notes
    ]
    return f'<<table border="0" cellspacing="6" cellpadding="3">{"".join(rows)}</table>>'


def _legend_cell(text: str, fontcolor: str = "black", **attributes: str) -> str:
    # A Mark's fill and meaning are user text too: quoted and cleaned like labels.
    cell = "".join(f' {name}="{html.escape(_renderable(value))}"' for name, value in attributes.items())
    shown = html.escape(_renderable(text)).replace("\n", "<br/>")
    return f'<td{cell}><font point-size="{_SMALL}" color="{html.escape(fontcolor)}">{shown}</font></td>'


def _label(lines: Sequence[str]) -> graphviz.quoting.NoHtml:
    """A DOT label showing `lines` exactly as written, one per line."""
    return graphviz.nohtml(r"\n".join(_literal(line) for line in lines))


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """`text` cut to `width` characters, the last one "…", if it is longer.

    >>> shorten("layers.0.neurons.3.w.1"), shorten("x" * 50)[-3:], len(shorten("x" * 50))
    ('layers.0.neurons.3.w.1', 'xx…', 40)
    """
    return text if len(text) <= width else text[: width - 1] + "…"


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
