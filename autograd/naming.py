"""How every view shows a node and a number: one place, so pictures and text agree.

Names: a value's label if no other value in the graph has it, ``label#k`` when
two share it, and ``#k`` for an unlabelled value, k being its index in
`topological_order(root)`. Numbers: a fixed count of significant digits. Ops: a
folded constant reads as an operand (``□ − 0.8``), so it never looks like a value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from autograd.engine import Value

__all__ = ["HOLE", "node_names", "number", "op_text"]

HOLE = "□"  # where the op's Value operand goes, in an op with a folded constant
# The symbols people write, for the engine's ASCII ones (× and − read as in the lecture).
_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "/", "**": "**"}


def node_names(order: Sequence[Value]) -> list[str]:
    """What every view calls each node of `order` (a topological order), index for index.

    >>> a = Value(1.0, label="a")
    >>> from autograd import topological_order
    >>> node_names(topological_order(a * a + a))
    ['a', '#1', '#2']
    """
    counts = Counter(node.label for node in order)
    return [
        node.label if node.label and counts[node.label] == 1 else f"{node.label}#{k}"
        for k, node in enumerate(order)
    ]


def number(x: float, digits: int | None = 4) -> str:
    """`x` with `digits` significant digits (``format(x, ".{digits}g")``); ``None`` gives ``repr``.

    >>> number(0.000246813), number(-1.5), number(485212345.0), number(1e-9), number(2.0, None)
    ('0.0002468', '-1.5', '4.852e+08', '1e-09', '2.0')
    """
    return repr(float(x)) if digits is None else format(x, f".{digits}g")


def op_text(node: Value, digits: int | None = 4) -> str:
    """The op that made `node` as views show it: ``×``, ``tanh``; a folded constant as an operand.

    ``x - 0.8`` reads ``□ − 0.8`` and ``0.8 - x`` reads ``0.8 − □``; a leaf has no op (``""``).

    >>> x = Value(2.0)
    >>> op_text(x - 0.8), op_text(0.8 - x), op_text(x * x), op_text(x ** 3), op_text(x.tanh())
    ('□ − 0.8', '0.8 − □', '×', '□ ** 3', 'tanh')
    >>> op_text(x * (1 / 3), digits=2), op_text(x)
    ('□ × 0.33', '')
    """
    kind = node._op
    if kind is None:
        return ""
    if not (kind.shows_constant and node._constant is not None):
        return _SYMBOLS.get(kind.name, kind.name)
    constant = number(node._constant, digits)
    if kind.name.startswith("{}"):  # the constant is the left operand: "{}-" is c - x
        return f"{constant} {_SYMBOLS[kind.name[2:]]} {HOLE}"
    return f"{HOLE} {_SYMBOLS[kind.name[:-2]]} {constant}"
