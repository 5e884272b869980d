"""How every view shows a node and a number: one place, so pictures and text agree.

Names: a value's label if no other value in the graph has it, ``label#k`` when
two share it, and ``#k`` for an unlabelled value, k being its index in
`topological_order(root)`. Numbers: a fixed count of significant digits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from autograd.engine import Value

__all__ = ["node_names", "number"]


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
