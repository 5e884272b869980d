"""Readers of the table of local derivatives: each built-in op states its own in `autograd.engine`.

Every built-in `_Op` carries ``grads``: one Python expression per input, in the
names ``x`` (a unary op's input), ``a``, ``b`` (a binary op's), ``c`` (a folded
constant) and ``out`` (the op's output). This module reads that one statement in
the ways gradwalk needs it, as autodidax runs several interpreters over one program:

- `local_grads(node)`: evaluated with floats, IEEE-safe (the tests check that each
  op's fast float rule gives these same numbers, bit for bit);
- `local_grad_values(node)`: evaluated with Values, so a derivative is itself a graph
  (``create_graph``, higher-order gradients);
- `expressions(node)` and `substitute`: as text, with the node's own names (the
  walkthrough's rules, compiled source).

An expression may use ``pow``, ``log``, ``exp``, ``sin``, ``cos``, ``tanh``,
``sigmoid``, ``sech2`` (sech², tanh's derivative, an op of its own so that it can be
differentiated again), ``x if test else y`` and ``STRONG_ZERO`` (a 0 that sends 0
whatever arrives: see `autograd.engine.STRONG_ZERO`).
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Mapping
from typing import Any, cast

from autograd import engine
from autograd.engine import STRONG_ZERO, Value

__all__ = [
    "FLOAT_FUNCTIONS",
    "decide",
    "evaluate",
    "expressions",
    "input_names",
    "local_grad_values",
    "local_grads",
    "sech2",
    "substitute",
]

# The functions an expression may call, on floats: IEEE-safe, as the float rules are.
FLOAT_FUNCTIONS: dict[str, Callable[..., float]] = {
    "pow": engine._pow,
    "log": engine._log,
    "exp": engine._exp,
    "sin": engine._sin,
    "cos": engine._cos,
    "tanh": math.tanh,
    "sigmoid": engine._sigmoid,
    "sech2": engine._sech2,
}


def sech2(x: Value) -> Value:
    """sech(x)², tanh's derivative, as a node whose own derivative is ``-2 tanh(x) sech²(x)``.

    >>> round(sech2(Value(0.5)).data, 6)
    0.786448
    """
    return engine._node(engine.SECH2, (x,), engine._sech2_rule(x.data))


_VALUE_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "pow": lambda base, exponent: base**exponent,
    "log": Value.log,
    "exp": Value.exp,
    "sin": Value.sin,
    "cos": Value.cos,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "sech2": sech2,
}

_FLOAT_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda p, q: p + q,
    ast.Sub: lambda p, q: p - q,
    ast.Mult: lambda p, q: p * q,
    ast.Div: engine._div,
    ast.Pow: engine._pow,
}

_COMPARISONS: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Eq: lambda p, q: p == q,
    ast.NotEq: lambda p, q: p != q,
    ast.Lt: lambda p, q: p < q,
    ast.LtE: lambda p, q: p <= q,
    ast.Gt: lambda p, q: p > q,
    ast.GtE: lambda p, q: p >= q,
}


def input_names(node: Value) -> tuple[str, ...]:
    """The names the table's expressions give `node`'s parents: ``("x",)`` or ``("a", "b")``.

    >>> x = Value(1.0)
    >>> input_names(x * 2), input_names(x * x)
    (('x',), ('a', 'b'))
    """
    return ("x",) if len(node.parents) == 1 else ("a", "b")


def expressions(node: Value, shown: bool = False) -> tuple[str, ...] | None:
    """`node`'s local derivatives as the table states them (``shown``: as a lesson writes them).

    None for a leaf, an n-ary op (sum, dot, max) and a user-defined op.

    >>> x = Value(0.5)
    >>> expressions(x.tanh()), expressions(x.tanh(), shown=True), expressions(x * x)
    (('sech2(x)',), ('1 - out**2',), ('b', 'a'))
    """
    op = node._op
    if op is None or not op.grads:
        return None
    return op.shown if shown else op.grads


def substitute(expression: str, names: Mapping[str, str]) -> str:
    """`expression` with its names replaced (as source text, parenthesised by Python's rules).

    >>> substitute("-out / b", {"out": "q", "b": "y"})
    '-q / y'
    >>> substitute("1.0 / c", {"c": "(-0.5)"})
    '1.0 / -0.5'
    """

    class Rename(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.expr:
            if name.id in names:
                return ast.parse(names[name.id], mode="eval").body
            return name

    # Parsed afresh, not from `_parse`'s cache: a transformer edits the tree it visits.
    return ast.unparse(Rename().visit(ast.parse(expression, mode="eval").body))


def _environment(node: Value, out: Any, parents: tuple[Any, ...]) -> dict[str, Any]:
    environment = dict(zip(input_names(node), parents))
    environment["out"] = out
    if node._constant is not None:
        environment["c"] = node._constant
    return environment


def local_grads(node: Value) -> tuple[float, ...]:
    """`node`'s local derivatives evaluated from the table's expressions, with IEEE-safe floats.

    >>> x = Value(3.0)
    >>> local_grads(x * 2), local_grads(x.log())
    ((2.0,), (0.3333333333333333,))
    """
    expressions_ = _table_entry(node)
    parents = tuple(p.data for p in node.parents)
    environment = _environment(node, node.data, parents)
    return tuple(evaluate(_parse(e), environment) for e in expressions_)


def local_grad_values(node: Value) -> tuple[Value | float, ...]:
    """`node`'s local derivatives built with Values from its parents and itself: a graph.

    A derivative that is a constant (``1.0``, or ``STRONG_ZERO``) comes back as a float.

    >>> x = Value(0.5, label="x")
    >>> y = x * x
    >>> [d.label or d.op for d in local_grad_values(y)]
    ['x', 'x']
    """
    environment = _environment(node, node, node.parents)
    return tuple(evaluate(_parse(e), environment) for e in _table_entry(node))


def _table_entry(node: Value) -> tuple[str, ...]:
    found = expressions(node)
    if found is None:
        raise ValueError(f"{node.op or 'a leaf'} has no local derivative expressions in the table")
    return found


@functools.cache
def _parse(expression: str) -> ast.expr:
    return ast.parse(expression, mode="eval").body


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


def evaluate(tree: ast.expr, environment: Mapping[str, Any]) -> Any:
    """One interpreter for both domains: floats give floats (IEEE-safe), Values give Values.

    >>> import ast
    >>> evaluate(ast.parse("c * pow(x, c - 1.0)", mode="eval").body, {"x": 2.0, "c": 3.0})
    12.0

    A test (``if``, a comparison) is always decided on the numbers, so only the branch
    taken becomes part of a Value graph.
    """
    if isinstance(tree, ast.Constant):
        return float(cast(float, tree.value))
    if isinstance(tree, ast.Name):
        return STRONG_ZERO if tree.id == "STRONG_ZERO" else environment[tree.id]
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
        return -evaluate(tree.operand, environment)
    if isinstance(tree, ast.BinOp):
        left, right = evaluate(tree.left, environment), evaluate(tree.right, environment)
        if isinstance(left, Value) or isinstance(right, Value):
            return _VALUE_OPERATORS[type(tree.op)](left, right)
        return _FLOAT_OPERATORS[type(tree.op)](left, right)
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        arguments = [evaluate(argument, environment) for argument in tree.args]
        on_values = any(isinstance(argument, Value) for argument in arguments)
        functions = _VALUE_FUNCTIONS if on_values else FLOAT_FUNCTIONS
        return functions[tree.func.id](*arguments)
    if isinstance(tree, ast.IfExp):
        branch = tree.body if decide(tree.test, environment) else tree.orelse
        return evaluate(branch, environment)
    raise ValueError(f"the derivative table cannot read {ast.unparse(tree)!r}")


def decide(test: ast.expr, environment: Mapping[str, Any]) -> bool:
    """Whether the test of an ``if`` in an expression holds, decided on the numbers (a Value's data).

    >>> import ast
    >>> decide(ast.parse("x <= 0.0", mode="eval").body, {"x": Value(-1.0)})
    True
    """
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return all(decide(value, environment) for value in test.values)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left = _data(evaluate(test.left, environment))
        right = _data(evaluate(test.comparators[0], environment))
        return _COMPARISONS[type(test.ops[0])](left, right)
    raise ValueError(f"the derivative table cannot decide {ast.unparse(test)!r}")


_VALUE_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Value]] = {
    ast.Add: lambda p, q: p + q,
    ast.Sub: lambda p, q: p - q,
    ast.Mult: lambda p, q: p * q,
    ast.Div: lambda p, q: p / q,
    ast.Pow: lambda p, q: p**q,
}
