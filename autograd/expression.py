"""Safe arithmetic expressions for the command line: ``tanh(x*w + b)`` to a graph of Values.

Parsed with Python's `ast` and checked against a whitelist: numbers, variables,
``+ - * / **``, unary minus and the engine's functions. Nothing is ever passed to
`eval`. Every error names the culprit in quotes with its column (1-based).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from autograd.draw import shorten
from autograd.engine import Value

__all__ = ["FUNCTIONS", "Expression", "ExpressionError", "check_all_used", "parse", "parse_values"]


class ExpressionError(ValueError):
    """A bad expression, or bad variable values for it; the message is one line."""


# name: (the Value method, how many arguments it takes at most: the extras are numbers)
FUNCTIONS: dict[str, tuple[Callable[..., Value], int]] = {
    "abs": (Value.abs, 1),
    "cos": (Value.cos, 1),
    "elu": (Value.elu, 2),
    "exp": (Value.exp, 1),
    "leaky_relu": (Value.leaky_relu, 2),
    "log": (Value.log, 1),
    "relu": (Value.relu, 1),
    "sigmoid": (Value.sigmoid, 1),
    "sin": (Value.sin, 1),
    "softplus": (Value.softplus, 1),
    "sqrt": (Value.sqrt, 1),
    "tanh": (Value.tanh, 1),
}
_BINARY: dict[type[ast.operator], Callable[[Value | float, Value | float], Value]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_OTHER_OPERATORS = {
    ast.BitXor: "^",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_ALLOWED = "numbers, variables, + - * / **, unary minus and the functions " + ", ".join(FUNCTIONS)


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text (on one line), syntax tree, and each variable's first column.

    >>> e = parse("tanh(x*w + b)")
    >>> e.variables
    {'x': 6, 'w': 8, 'b': 12}
    >>> y = e.evaluate({"x": 2.0, "w": -3.0, "b": 6.88})
    >>> round(y.data, 6), y.op, y.parents[0].op
    (0.706419, 'tanh', '+')
    """

    text: str
    tree: ast.expr
    variables: dict[str, int]

    def evaluate(self, values: Mapping[str, float]) -> Value:
        """The graph of the expression with each variable a leaf Value labelled with its name."""
        missing = [name for name in self.variables if name not in values]
        if missing:
            name = missing[0]
            column = self.variables[name]
            raise ExpressionError(
                f"variable '{name}' at column {column} has no value: give it one, e.g. {name}=1.5"
            )
        leaves = {name: Value(values[name], label=name) for name in self.variables}
        try:
            result = _evaluate(self.tree, leaves)
        except RecursionError:
            raise ExpressionError("the expression is nested too deeply to evaluate") from None
        return result if isinstance(result, Value) else Value(result)


def parse(text: str) -> Expression:
    """Check `text` and return it as an `Expression`, or raise `ExpressionError` saying what is wrong.

    >>> parse("x ^ 2")
    Traceback (most recent call last):
    ...
    autograd.expression.ExpressionError: '^' in 'x ^ 2' at column 1 is not allowed: use ** for powers
    """
    # Newlines and tabs become spaces (same columns); leading blanks are skipped but counted.
    line = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    indent = len(line) - len(line.lstrip(" "))
    source = line.strip(" ")
    if not source:
        raise ExpressionError("the expression is empty: write one, e.g. 'tanh(x*w + b)'")
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise ExpressionError(_syntax_message(source, error, indent)) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply to read") from None
    variables: dict[str, int] = {}
    functions = set()
    for node in ast.walk(tree):
        _check(node, source, indent)
        if isinstance(node, ast.Call):
            functions.add(node.func)
        elif isinstance(node, ast.Name) and node not in functions:
            variables.setdefault(node.id, _column(source, node, indent))
    # ast.walk is breadth-first: order the variables as they appear in the text.
    return Expression(source, tree, dict(sorted(variables.items(), key=lambda item: item[1])))


def parse_values(assignments: Sequence[str]) -> dict[str, float]:
    """``["x=2", "w=-3"]`` as ``{"x": 2.0, "w": -3.0}``; an error names the argument and its position.

    >>> parse_values(["x=2", "w=-3e-1"])
    {'x': 2.0, 'w': -0.3}
    """
    values: dict[str, float] = {}
    for position, assignment in enumerate(assignments, start=1):
        name, equals, number = assignment.partition("=")
        name, number = name.strip(), number.strip()
        where = f"'{assignment}' (variable argument {position})"
        if not equals or not name.isidentifier():
            raise ExpressionError(f"{where} is not NAME=NUMBER, e.g. x=2")
        if name in values:
            raise ExpressionError(f"{where} gives '{name}' a second value")
        try:
            values[name] = float(number)
        except ValueError:
            raise ExpressionError(f"{where}: '{number}' is not a number") from None
    return values


def check_all_used(expression: Expression, values: Mapping[str, float], assignments: Sequence[str]) -> None:
    """Refuse values for variables the expression does not use: most likely a typo."""
    for position, (name, assignment) in enumerate(zip(values, assignments), start=1):
        if name not in expression.variables:
            used = ", ".join(expression.variables) or "none"
            raise ExpressionError(
                f"variable '{name}' is given ('{assignment}', variable argument {position}) but not used "
                f"in '{expression.text}' (its variables: {used})"
            )


def _check(node: ast.AST, source: str, indent: int) -> None:
    """Raise `ExpressionError` unless `node` is on the whitelist."""
    if isinstance(node, (ast.Name, ast.Load, ast.operator, ast.USub, ast.UAdd)):
        return
    if isinstance(node, ast.Constant):
        number = node.value
        if isinstance(number, (int, float)) and not isinstance(number, bool):  # not complex or str
            try:
                float(number)
            except OverflowError:
                raise _error("the number", node, source, indent, "it is too large for a float") from None
            return
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return
    elif isinstance(node, ast.BinOp):
        if type(node.op) in _BINARY:
            return
        symbol = _OTHER_OPERATORS.get(type(node.op), type(node.op).__name__)
        advice = "use ** for powers" if symbol == "^" else f"use {_ALLOWED}"
        raise _error(f"'{symbol}' in", node, source, indent, advice)
    elif isinstance(node, ast.Call):
        function = node.func
        if not isinstance(function, ast.Name):
            raise _error("", function, source, indent, f"call a function by name; allowed: {_ALLOWED}")
        if function.id not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function '{function.id}' at column {_column(source, function, indent)}; "
                f"known functions: {', '.join(FUNCTIONS)}"
            )
        _, most = FUNCTIONS[function.id]
        if node.keywords or not 1 <= len(node.args) <= most:
            takes = "1 argument" if most == 1 else f"1 or {most} arguments (the second a number)"
            raise _error("", node, source, indent, f"{function.id} takes {takes}")
        for extra in node.args[1:]:
            if any(isinstance(inner, ast.Name) for inner in ast.walk(extra)):
                raise _error("", extra, source, indent, f"{function.id}'s second argument must be a number")
        return
    raise _error("", node, source, indent, f"use {_ALLOWED}")


def _error(prefix: str, node: ast.AST, source: str, indent: int, advice: str) -> ExpressionError:
    segment = shorten(ast.get_source_segment(source, node) or type(node).__name__)
    culprit = f"{prefix} '{segment}'".strip()
    return ExpressionError(f"{culprit} at column {_column(source, node, indent)} is not allowed: {advice}")


def _column(source: str, node: Any, indent: int) -> int:
    """The 1-based column of `node` in the user's text (ast counts UTF-8 bytes)."""
    return len(source.encode()[: node.col_offset].decode()) + indent + 1


def _syntax_message(source: str, error: SyntaxError, indent: int) -> str:
    offset = error.offset or 0  # 0: the text ended too early
    if error.lineno != 1 or not 1 <= offset <= len(source):
        return f"bad syntax: the expression ends too early ({error.msg}) at column {len(source) + indent + 1}"
    token = re.match(r"\w+|\*\*|\S", source[offset - 1 :])
    culprit = token[0] if token else source[offset - 1]
    return f"bad syntax at '{culprit}', column {offset + indent}: {error.msg}"


def _evaluate(node: ast.expr, leaves: Mapping[str, Value]) -> Value | float:
    """The checked tree's value. Parts without variables are numbers, computed as the engine would."""
    if isinstance(node, ast.Constant):
        return float(cast(float, node.value))  # _check let only ints and floats through
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, leaves)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, leaves), _evaluate(node.right, leaves)
        apply = _BINARY[type(node.op)]
        if isinstance(left, Value) or isinstance(right, Value):
            return apply(left, right)
        return apply(Value(left), right).data  # IEEE: 1/0 is inf, not ZeroDivisionError
    call = cast(ast.Call, node)  # _check let only calls of FUNCTIONS by name through
    method, _ = FUNCTIONS[cast(ast.Name, call.func).id]
    first, *extras = (_evaluate(arg, leaves) for arg in call.args)
    if isinstance(first, Value):
        return method(first, *extras)
    return method(Value(first), *extras).data
