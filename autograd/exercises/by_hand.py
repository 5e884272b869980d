"""The "fill in the gradients" exercise: grade gradients a learner worked out by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from autograd.engine import Value, as_real
from autograd.gradcheck import _error_ratio, _gradients, _tolerance, format_table

__all__ = ["HandGrade", "HandGrades", "grade_by_hand"]

CLOSE = 0.1  # a wrong answer within 10% of the right one is called close: a rounding slip


@dataclass(frozen=True)
class HandGrade:
    """One answer: the learner's d(root)/d(node) for the node with this label, and the true one.

    `close`: wrong, but within 10% of the true value (a rounding slip, not a wrong rule).
    """

    label: str
    answer: float
    expected: float
    right: bool
    close: bool = False

    @property
    def result(self) -> str:
        """What the table says: right, close, or WRONG."""
        if self.right:
            return "right"
        return "close: check your rounding" if self.close else "WRONG"


@dataclass(frozen=True)
class HandGrades:
    """The graded answers: truthy when all are right; prints as a table."""

    root_label: str
    rows: list[HandGrade]

    def __bool__(self) -> bool:
        return all(row.right for row in self.rows)

    def __str__(self) -> str:
        right = sum(row.right for row in self.rows)
        table = format_table(
            ["node", "your answer", f"d{self.root_label}/d(node)", "result"],
            [[row.label, f"{row.answer:.6g}", f"{row.expected:.6g}", row.result] for row in self.rows],
        )
        return f"{right} of {len(self.rows)} right\n{table}"

    __repr__ = __str__


def grade_by_hand(
    root: Value, answers: Mapping[str, float], *, rtol: float = 1e-2, atol: float = 1e-6
) -> HandGrades:
    """Grade hand-computed gradients: `answers` maps node labels to d(root)/d(node).

    An answer is right within ``atol + rtol * |expected|``: three significant digits
    are enough; an infinite answer is right when it is the same infinity. A wrong
    answer within 10% of the right one is "close: check your rounding". The graph's
    ``.grad`` values are left as they were.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> L = c + a
    >>> L.label = "L"
    >>> print(grade_by_hand(L, {"a": -2.0, "b": 3.0, "c": 1.0}))
    2 of 3 right
    node  your answer  dL/d(node)  result
    a              -2          -2  right
    b               3           2  WRONG
    c               1           1  right
    """
    if not isinstance(root, Value):
        raise TypeError(f"grade_by_hand takes the graph's root Value, got {type(root).__name__}: {root!r}")
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must map node labels to numbers, got {type(answers).__name__}: {answers!r}")
    rtol, atol = _tolerance(rtol, "rtol"), _tolerance(atol, "atol")
    grads = _gradients(root)
    by_label: dict[str, list[Value]] = {}
    for node in grads:
        if node.label:
            by_label.setdefault(node.label, []).append(node)
    rows: list[HandGrade] = []
    for label, answer in answers.items():
        nodes = by_label.get(label, [])
        if not nodes:
            known = ", ".join(repr(name) for name in by_label) or "none (label nodes with v.label = ...)"
            raise ValueError(f"no node labelled {label!r} in this graph; its labels are: {known}")
        if len(nodes) > 1:
            raise ValueError(f"{len(nodes)} nodes are labelled {label!r}; give each a label of its own")
        number = as_real(answer, f"the answer for {label!r} must be a number")
        expected = grads[nodes[0]]
        right = number == expected or _error_ratio(number, expected, atol, rtol) <= 1.0  # inf == inf
        close = not right and abs(number - expected) <= CLOSE * abs(expected)
        rows.append(HandGrade(label, number, expected, right, close))
    return HandGrades(root.label or "(root)", rows)
