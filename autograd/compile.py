"""Compile a graph into straight-line Python: the forward pass, then the chain rule, one line per node.

`compile(fn)` traces `fn` once and writes its graph out as source a student can read:
each line computes one node, and its comment names the node as `autograd.draw` and
`autograd.walkthrough` do. Each local derivative is generated from the table each op
states in `autograd.engine` (`autograd.derivatives` reads it), so the source, the
walkthrough and backward all apply the same rule. The compiled function returns the
numbers `backward()` gives, bit for bit: it does the same float operations in the same
order, and where plain Python would raise (``1 / 0``, ``exp(1000)``) it reruns that call
through a variant of the source that uses the engine's IEEE-safe functions.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import keyword
import math
import numbers
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from autograd import derivatives, engine
from autograd.engine import STRONG_ZERO, Value, as_real, topological_order
from autograd.naming import node_names

__all__ = ["Compiled", "compile"]

Argument: TypeAlias = "float | list[float]"
Gradient: TypeAlias = "float | list[float]"

# In comments, where the value expression the source runs is not how a lesson writes the op.
_SHOWN = {engine.RELU: "relu(x)"}

# Functions that never raise, the same in both variants of the source: each is the op's own rule.
_TOTAL: dict[str, Any] = {
    "tanh": math.tanh,
    "sech2": engine._sech2,
    "sigmoid": engine._sigmoid,
    "leaky_relu": lambda x, c: engine._leaky_relu(x, c)[0],
    "elu": lambda x, c: engine._elu(x, c)[0],
    "softplus": lambda x: engine._softplus(x)[0],
    "largest": lambda *xs: engine._max_rule(*xs)[0],
    "abs": abs,
    "sum": builtins.sum,
    "map": map,
    "mul": operator.mul,
    "inf": math.inf,
    "nan": math.nan,
    "STRONG_ZERO": STRONG_ZERO,
}
# The fast variant uses Python's own functions; they raise where IEEE gives inf or nan ...
_FAST: dict[str, Any] = {
    **_TOTAL,
    "pow": math.pow,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
}
# ... and then the call is run again by the safe variant: the engine's IEEE-safe functions,
# with every division written div(p, q).
_SAFE: dict[str, Any] = {**_TOTAL, **derivatives.FLOAT_FUNCTIONS, "sqrt": engine._sqrt, "div": engine._div}
_RAISED_BY_PLAIN_FLOATS = (ZeroDivisionError, OverflowError, ValueError)
_RESERVED = frozenset(_SAFE) | frozenset(dir(builtins)) | {"seed"}


def compile(
    fn: Callable[..., Any] | Value, inputs: Sequence[Value | Sequence[Value]] | None = None
) -> Compiled:
    """Compile `fn` (a function of floats returning a Value), or a built graph, into Python source.

    `fn` is traced on the first call (or `Compiled.trace`) with one leaf per argument,
    labelled with its parameter name (a list argument: one leaf per item, ``w_0``,
    ``w_1``, ...); later calls run the source. `fn` must be a function of its arguments
    only: one that reads ``.data`` or ``float(v)`` to choose a branch is compiled with
    the branch its first arguments took.

    A built graph compiles as a function of `inputs`, distinct leaves (an item may be
    a list of leaves: one list argument); every other leaf is a constant written into
    the source, so changing its ``.data`` later changes nothing.

    >>> f = compile(lambda x, y: x * y + x)
    >>> f.grad(3.0, 4.0)
    (15.0, (5.0, 3.0))
    >>> a = Value(2.0, label="a")
    >>> g = compile(a.exp() * 3, inputs=[a])
    >>> g(0.0), g.grad(0.0)
    (3.0, (3.0, (3.0,)))
    """
    if isinstance(fn, Value):
        if inputs is None:
            raise TypeError("compile(root, inputs=[...]) needs the leaves the compiled function takes")
        return Compiled(None, root=fn, inputs=inputs)
    if inputs is not None:
        raise TypeError(
            "inputs=[...] is for a built graph: compile(root, inputs=[...]); a function is traced"
        )
    if not callable(fn):
        raise TypeError(
            f"compile takes a function returning a Value, or a Value; got {type(fn).__name__}: {fn!r}"
        )
    return Compiled(fn)


class Compiled:
    """A function compiled from a graph: ``f(*args)`` is its value, ``f.grad(*args)`` adds the gradients.

    ``f.source`` is the generated Python (after the first call or `trace`), forward
    then backward; ``f.graph(*args)`` builds the graph at those arguments, for
    `autograd.draw` and `autograd.walkthrough`.

    >>> import autograd
    >>> def neuron(x, w, b):
    ...     return (x * w + b).tanh()
    >>> f = autograd.compile(neuron)
    >>> value, (gx, gw, gb) = f.grad(2.0, -3.0, 6.8813735870195432)
    >>> round(value, 4), round(gx, 4), round(gw, 4), round(gb, 4)
    (0.7071, -1.5, 1.0, 0.5)
    """

    def __init__(
        self,
        fn: Callable[..., Any] | None,
        root: Value | None = None,
        inputs: Sequence[Value | Sequence[Value]] | None = None,
    ) -> None:
        self._fn = fn
        self._shapes: list[int | None] | None = None  # per argument: None for a number, else its length
        self._program: _Program | None = None
        if fn is not None:
            self.__name__ = getattr(fn, "__name__", "f")
            self.__doc__ = getattr(fn, "__doc__", None)
            self._parameters = _parameter_names(fn)
        else:
            assert root is not None and inputs is not None  # compile() passes both
            self._trace_graph(root, inputs)

    # Tracing.

    def trace(self, *args: Any) -> Compiled:
        """Trace `fn` at `args` and generate the source (the first call does it too); returns self."""
        if self._fn is None:
            raise TypeError("this function was compiled from a built graph: there is nothing to trace")
        shapes = [_shape(arg, self._argument_name(i)) for i, arg in enumerate(args)]
        root, leaves = self._build(args, shapes)
        self._shapes = shapes
        self._program = _Program(root, leaves, self._names(len(args)), self.__name__)
        return self

    def graph(self, *args: Any) -> Value:
        """The graph at `args`, its leaves labelled as in the source (it does not change the source).

        A function is traced again at `args`; a built graph is copied, its inputs set to
        `args` and every node recomputed (its constants stay as compiled).

        >>> f = compile(lambda x: x * x)
        >>> y = f.graph(3.0)
        >>> y.data, y.parents[0].label
        (9.0, 'x')
        """
        shapes = [_shape(arg, self._argument_name(i)) for i, arg in enumerate(args)]
        if self._shapes is not None:
            self._check_shapes(shapes)
        if self._fn is None:
            assert self._program is not None
            return self._program.copy_at(self._floats(args))
        return self._build(args, shapes)[0]

    def _build(
        self, args: Sequence[Any], shapes: Sequence[int | None]
    ) -> tuple[Value, list[Value | list[Value]]]:
        names = self._names(len(args))
        leaves: list[Value | list[Value]] = []
        for name, arg, shape in zip(names, args, shapes):
            if shape is None:
                leaves.append(Value(_real(arg, name), label=name))
            else:
                leaves.append(
                    [Value(_real(v, f"{name}[{i}]"), label=f"{name}_{i}") for i, v in enumerate(arg)]
                )
        assert self._fn is not None
        result = self._fn(*leaves)
        if isinstance(result, Value):
            return result, leaves
        if isinstance(result, numbers.Real):  # not connected to any argument: every gradient is 0.0
            return Value(as_real(result, f"{self.__name__} must return a Value")), leaves
        raise TypeError(f"{self.__name__} must return a Value, got {type(result).__name__}: {result!r}")

    def _trace_graph(self, root: Value, inputs: Sequence[Value | Sequence[Value]]) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"compile takes a Value as the root, got {type(root).__name__}: {root!r}")
        leaves: list[Value | list[Value]] = []
        seen: set[int] = set()
        for i, item in enumerate(inputs):
            group = [item] if isinstance(item, Value) else list(item)
            for leaf in group:
                if not isinstance(leaf, Value):
                    raise TypeError(f"inputs[{i}] must be a leaf Value or a list of them, got {leaf!r}")
                if leaf.parents:
                    raise ValueError(f"inputs[{i}] must be a leaf, got a node made by {leaf.op!r}: {leaf!r}")
                if id(leaf) in seen:
                    raise ValueError(f"inputs must be distinct leaves, but {leaf!r} is given twice")
                seen.add(id(leaf))
            leaves.append(item if isinstance(item, Value) else group)
        self.__name__ = "f"
        self._parameters = [f"arg{i}" for i in range(len(inputs))]
        self._shapes = [None if isinstance(item, Value) else len(item) for item in leaves]
        self._program = _Program(root, leaves, None, self.__name__)

    def _names(self, count: int) -> list[str]:
        if count != len(self._parameters) and not self._variadic():
            raise TypeError(f"{self.__name__} takes {len(self._parameters)} arguments, got {count}")
        return [self._argument_name(i) for i in range(count)]

    def _variadic(self) -> bool:
        return bool(self._parameters) and self._parameters[-1].startswith("*")

    def _argument_name(self, i: int) -> str:
        if self._variadic() and i >= len(self._parameters) - 1:
            return f"{self._parameters[-1][1:]}{i - len(self._parameters) + 1}"
        return self._parameters[i] if i < len(self._parameters) else f"arg{i}"

    def _check_shapes(self, shapes: Sequence[int | None]) -> None:
        assert self._shapes is not None
        if len(shapes) != len(self._shapes):
            raise TypeError(
                f"{self.__name__} was compiled for {len(self._shapes)} arguments, got {len(shapes)}"
            )
        for i, (given, traced) in enumerate(zip(shapes, self._shapes)):
            if given != traced:
                want = "a number" if traced is None else f"a list of {traced}"
                got = "a number" if given is None else f"a list of {given}"
                raise TypeError(
                    f"{self.__name__}: argument {self._argument_name(i)!r} must be {want}, got {got}"
                )

    def _floats(self, args: Sequence[Any]) -> list[Any]:
        if self._program is None:
            self.trace(*args)
        shapes = [_shape(arg, self._argument_name(i)) for i, arg in enumerate(args)]
        self._check_shapes(shapes)
        return [
            _real(arg, self._argument_name(i)) if shape is None else self._list_of_floats(arg, i)
            for i, (arg, shape) in enumerate(zip(args, shapes))
        ]

    def _list_of_floats(self, items: Sequence[Any], i: int) -> list[float]:
        if set(map(type, items)) <= {float}:  # checked at C speed: the usual case
            return list(items)
        return [_real(v, f"{self._argument_name(i)}[{k}]") for k, v in enumerate(items)]

    # Running.

    @property
    def source(self) -> str:
        """The generated Python source: forward, then backward (after the first call or `trace`)."""
        if self._program is None:
            raise AttributeError(f"{self.__name__} has no source yet: call it or .trace(*args) first")
        return self._program.source

    def __call__(self, *args: Any) -> float:
        """The value of the function at `args` (real numbers, or lists of them)."""
        floats = self._floats(args)
        assert self._program is not None
        return self._program.value(floats)

    def grad(self, *args: Any) -> tuple[float, tuple[Gradient, ...]]:
        """The value and d(value)/d(argument) for each argument (a list argument gets a list)."""
        floats = self._floats(args)
        assert self._program is not None
        return self._program.grad(floats)

    def __repr__(self) -> str:
        state = "not traced yet" if self._program is None else f"{self._program.lines} lines"
        return f"<compiled {self.__name__}: {state}>"


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return ["*arg"]
    names = []
    for p in parameters:
        if p.kind == p.VAR_POSITIONAL:
            names.append(f"*{p.name}")
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            names.append(p.name)
    return names


def _shape(arg: Any, name: str) -> int | None:
    if isinstance(arg, Value):
        raise TypeError(f"argument {name!r} is a Value: a compiled function takes numbers (use {name}.data)")
    if isinstance(arg, (list, tuple)):
        return len(arg)
    return None


def _real(x: Any, name: str) -> float:
    if isinstance(x, Value):
        raise TypeError(f"argument {name!r} is a Value: a compiled function takes numbers (use .data)")
    return x if type(x) is float else as_real(x, f"argument {name!r} must be a real number")


# ---------------------------------------------------------------------------
# Writing the source.


class _Program:
    """The source of one graph and the Python functions compiled from it.

    Each variant (with or without the backward pass, or returning some nodes' values) is
    compiled when first needed, fast and, on the first call that raises, safe.
    """

    def __init__(
        self, root: Value, leaves: Sequence[Value | list[Value]], parameters: Sequence[str] | None, name: str
    ) -> None:
        usable = name.isidentifier() and not keyword.iskeyword(name) and name not in _RESERVED
        self.name = name if usable else "f"  # a lambda, or a name the source calls (abs, exp)
        self._writer = _Writer(root, leaves, parameters, self.name)
        self.source = self._writer.write(safe=False, with_grad=True)
        self.lines = self.source.count("\n")
        # (with_grad, nodes returned, safe) -> function; the fast grad is the source shown.
        self._functions: dict[tuple[bool, tuple[int, ...], bool], Callable[..., Any]] = {
            (True, (), False): self._define(self.source, _FAST)
        }
        self._returned: tuple[Value, ...] = ()

    def _define(self, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
        scope = {**namespace, **self._writer.namespace}
        exec(builtins.compile(source, f"<compiled {self.name}>", "exec"), scope)  # our own generated source
        function: Callable[..., Any] = scope[self.name]
        return function

    def _function(self, with_grad: bool, returning: tuple[Value, ...], safe: bool) -> Callable[..., Any]:
        key = (with_grad, tuple(map(id, returning)), safe)
        if key not in self._functions:
            source = self._writer.write(safe=safe, with_grad=with_grad, returning=returning)
            self._functions[key] = self._define(source, _SAFE if safe else _FAST)
            self._returned += returning  # kept alive, so their ids stay theirs
        return self._functions[key]

    def _run(self, with_grad: bool, returning: tuple[Value, ...], args: Sequence[Any]) -> Any:
        try:
            return self._function(with_grad, returning, False)(*args)
        except _RAISED_BY_PLAIN_FLOATS:  # this call only: plain floats raised where IEEE does not
            return self._function(with_grad, returning, True)(*args)

    def copy_at(self, args: Sequence[Any]) -> Value:
        """A copy of the compiled graph with its inputs set to `args`, every node recomputed."""
        writer = self._writer
        memo: dict[int, Any] = {}
        root = copy.deepcopy(writer.root, memo)
        for item, given in zip(writer.leaves, args):
            for leaf, number in zip(item, given) if isinstance(item, list) else [(item, given)]:
                if id(leaf) in memo:  # an input the root does not use is not in the copy
                    memo[id(leaf)].data = number
        for original, number in writer.constants.items():
            memo[original].data = number
        for node in topological_order(root):
            if node.parents:
                data = [p.data for p in node.parents]
                rule_args = data if node._constant is None else [*data, node._constant]
                node.data, node.local_grads = node._op.rule(*rule_args)  # type: ignore[union-attr]
        return root

    def grad(self, args: Sequence[Any]) -> tuple[float, tuple[Gradient, ...]]:
        result: tuple[float, tuple[Gradient, ...]] = self._run(True, (), args)
        return result

    def value(self, args: Sequence[Any]) -> float:
        result: float = self._run(False, (), args)
        return result

    def values_of(self, nodes: Sequence[Value], args: Sequence[Any]) -> tuple[float, ...]:
        """The values of these nodes of the graph at `args` (the forward pass only)."""
        result: tuple[float, ...] = self._run(False, tuple(nodes), args)
        return result


class _SafeDivision(ast.NodeTransformer):
    """``p / q`` becomes ``div(p, q)`` (IEEE: no ZeroDivisionError); ``p ** q`` is always ``pow(p, q)``."""

    def __init__(self, safe: bool) -> None:
        self.safe = safe

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Pow) or (self.safe and isinstance(node.op, ast.Div)):
            function = "pow" if isinstance(node.op, ast.Pow) else "div"
            return ast.Call(ast.Name(function, ast.Load()), [node.left, node.right], [])
        return node


class _ShownNumbers(ast.NodeTransformer):
    """Whole floats written as integers, as a lesson writes them (``1`` for ``1.0``)."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, float) and node.value.is_integer() and abs(node.value) < 1e15:
            return ast.Constant(int(node.value))
        return node


_TABLE_NAMES = ("x", "a", "b", "c", "out")


@functools.cache
def _template(expression: str, safe: bool, shown: bool) -> tuple[str, bool]:
    """`expression` as a format string with a field for each of the table's names (``{x}``,
    ``{out}``), and whether it needs no parentheses as the right factor of a product.

    Made once per expression: the code (``safe``: every division ``div(p, q)``) or the
    comment (``shown``: whole numbers as integers). The names filled in are identifiers or
    parenthesised numbers, atoms wherever they go.
    """
    marked = derivatives.substitute(expression, {name: f"__{name}__" for name in _TABLE_NAMES})
    tree = ast.parse(marked, mode="eval").body
    tree = _ShownNumbers().visit(tree) if shown else _SafeDivision(safe).visit(tree)
    text = ast.unparse(tree)
    for name in _TABLE_NAMES:
        text = text.replace(f"__{name}__", "{" + name + "}")
    return text, isinstance(tree, (ast.Name, ast.Constant, ast.Call, ast.UnaryOp))


def _code(expression: str, names: dict[str, str], safe: bool) -> tuple[str, bool]:
    text, atom = _template(expression, safe, False)
    return text.format_map(names), atom


def _product(upstream: str, local: str, atom: bool = True) -> str:
    """``upstream * local``, the local derivative in parentheses unless it is an atom; 1 is left out."""
    if local == "1.0":
        return upstream
    return f"{upstream} * {local}" if atom else f"{upstream} * ({local})"


def _escape(name: str) -> str:
    """A node's name on one line: characters that are not printable written as escapes."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)


def _literal(c: float) -> str:
    # inf and nan are names in the namespace; a negative number (-0.0 too) is parenthesised.
    return f"({c!r})" if math.copysign(1.0, c) < 0.0 else repr(c)


class _Writer:
    """Turns one graph into source text: names, forward lines, backward lines."""

    def __init__(
        self, root: Value, leaves: Sequence[Value | list[Value]], parameters: Sequence[str] | None, name: str
    ) -> None:
        self.root = root
        self.leaves = leaves
        self.name = name
        self.order = topological_order(root)
        self.shown = [_escape(n) for n in node_names(self.order)]
        self.index = {node: k for k, node in enumerate(self.order)}
        arguments = [leaf for item in leaves for leaf in (item if isinstance(item, list) else [item])]
        self.arguments = {id(leaf) for leaf in arguments}
        # The constants as written into the source, whatever their leaves hold later.
        self.constants = {id(v): v.data for v in self.order if not v.parents and id(v) not in self.arguments}
        self.taken: set[str] = set(_RESERVED) | {name}
        self.variable: dict[int, str] = {}
        # Names: arguments first (they are the function's parameters), then the graph's nodes.
        self.parameters: list[str] = []
        for i, item in enumerate(leaves):
            if isinstance(item, list):
                wanted = parameters[i] if parameters is not None else f"arg{i}"
                self.parameters.append(self._claim(wanted, fallback=f"arg{i}"))
            for leaf in item if isinstance(item, list) else [item]:
                self._name(leaf)
            if not isinstance(item, list):
                self.parameters.append(self.variable[id(item)])
        for node in self.order:
            self._name(node)
        self.user_rules: dict[engine._Op, str] = {}
        self.namespace: dict[str, Any] = {}  # the user-defined ops' rules, by the names the source calls them
        self.needs_grad = self._needing_grad()
        self.described: dict[int, str] = {}  # each node's description in comments, made once
        self.has_grad: set[int] = set()  # the nodes the backward lines written last give a gradient

    def _claim(self, wanted: str, fallback: str) -> str:
        candidate = wanted if self._free(wanted) else fallback
        while not self._free(candidate):
            candidate += "_"
        self.taken.update((candidate, f"g_{candidate}", f"d_{candidate}"))
        return candidate

    def _free(self, name: str) -> bool:
        return (
            name.isidentifier()
            and not keyword.iskeyword(name)
            and not {name, f"g_{name}", f"d_{name}"} & self.taken
        )

    def _name(self, node: Value) -> None:
        if id(node) in self.variable:
            return
        k = self.index.get(node)
        shared = k is not None and self.shown[k] != node.label  # a label two nodes share: label#k
        wanted = node.label if node.label and not shared else f"n{k if k is not None else len(self.variable)}"
        self.variable[id(node)] = self._claim(wanted, fallback=f"n{k}")

    def _needing_grad(self) -> set[int]:
        """The nodes on a path from an argument to the root: only they need a gradient line."""
        needs: set[int] = set()
        for node in self.order:
            if id(node) in self.arguments or any(id(p) in needs for p in node.parents):
                needs.add(id(node))
        return needs

    def _var(self, node: Value) -> str:
        return self.variable[id(node)]

    def _names_for(self, node: Value, names: Callable[[Value], str]) -> dict[str, str]:
        table = dict(zip(derivatives.input_names(node), map(names, node.parents)))
        table["out"] = names(node)
        if node._constant is not None:
            table["c"] = _literal(node._constant)
        return table

    # Comments: the nodes' names as drawings show them.

    def _describe(self, node: Value) -> str:
        if id(node) not in self.described:
            self.described[id(node)] = self._description(node)
        return self.described[id(node)]

    def _description(self, node: Value) -> str:
        op = node._op
        assert op is not None
        parents = [self.shown[self.index[p]] for p in node.parents]
        expression = _SHOWN.get(op, op.value or None)
        if expression is None:
            listed = (
                ", ".join(parents) if len(parents) <= 6 else ", ".join([*parents[:3], "…", *parents[-2:]])
            )
            if op is engine.DOT:
                half = len(parents) // 2
                return f"dot({self._list(parents[:half])}, {self._list(parents[half:])})"
            return f"{op.name}({listed})"
        return self._shown_expression(expression, node)

    @staticmethod
    def _list(names: list[str]) -> str:
        return "[" + (", ".join(names) if len(names) <= 4 else f"{names[0]}, …, {names[-1]}") + "]"

    def _shown_expression(self, expression: str, node: Value) -> str:
        names = self._names_for(node, lambda value: self.shown[self.index[value]])
        if node._constant is not None:
            names["c"] = engine._format_constant(node._constant)
        return _template(expression, False, True)[0].format_map(names)

    def _derivative_comment(self, node: Value, parent: Value, i: int, derivative: str) -> str:
        described = self._describe(node)
        function_style = re.fullmatch(r"[A-Za-z_]\w*\(.*\)", described) is not None
        of = f"d {described}" if function_style else f"d({described})"
        return f"{of}/d{self.shown[self.index[parent]]} = {derivative}"

    # Lines.

    def write(self, safe: bool, with_grad: bool, returning: Sequence[Value] = ()) -> str:
        """The source: forward, then backward (`with_grad`); `safe` writes every division div(p, q).

        With `returning` and no backward, the function returns those nodes' values instead
        (what `nn.compile_step` needs of a model with several outputs).
        """
        forward = self._unpack_lines()
        for node in self.order:
            line = self._forward_line(node, safe)
            if line is not None:
                forward.append(line)
        header = f"def {self.name}({', '.join(self.parameters)}):"
        body = ["    # forward", *_aligned(forward)]
        if not with_grad:
            result = (
                f"({_tuple([self._var(node) for node in returning])})" if returning else self._var(self.root)
            )
            body.append(f"    return {result}")
            return "\n".join([header, *body]) + "\n"
        backward = self._backward_lines(safe)
        body.append(
            "    # backward: each gradient is its upstream gradient times the local derivative,"
            " summed over uses"
        )
        body.extend(_aligned(backward))
        body.append(self._return_line())
        return "\n".join([header, *body]) + "\n"

    def _unpack_lines(self) -> list[tuple[str, str]]:
        lines = []
        parameter = iter(self.parameters)
        for item in self.leaves:
            name = next(parameter)
            if isinstance(item, list):
                targets = _tuple([self._var(leaf) for leaf in item]) or "[]"
                lines.append((f"{targets} = {name}", f"the {len(item)} items of {name}"))
        return lines

    def _forward_line(self, node: Value, safe: bool) -> tuple[str, str] | None:
        k = self.index[node]
        var = self._var(node)
        if not node.parents:
            if id(node) in self.arguments:
                return None
            return f"{var} = {_literal(node.data)}", f"{self.shown[k]}  (a constant)"
        op = node._op
        assert op is not None
        comment = f"{self.shown[k]}  {self._describe(node)}"
        if op.value:  # a built-in op states its value as an expression (autograd.engine)
            return f"{var} = {_code(op.value, self._names_for(node, self._var), safe)[0]}", comment
        parents = [self._var(p) for p in node.parents]
        if op is engine.SUM:
            return f"{var} = sum(({_tuple(parents)}))", comment
        if op is engine.DOT:
            half = len(parents) // 2
            return f"{var} = sum(map(mul, ({_tuple(parents[:half])}), ({_tuple(parents[half:])})))", comment
        if op is engine.MAX:
            return f"{var} = largest({', '.join(parents)})", comment
        rule = self._user_rule(op)
        return f"{var}, d_{var} = {rule}({', '.join(parents)})", f"{comment}: the value and local derivatives"

    def _user_rule(self, op: engine._Op) -> str:
        if op not in self.user_rules:
            base = re.sub(r"\W", "_", op.name) + "_rule"
            base = base if base[0].isalpha() or base[0] == "_" else f"op_{base}"
            name = base
            count = 1
            while name in self.taken:
                count += 1
                name = f"{base}_{count}"
            self.taken.add(name)
            self.user_rules[op] = name
            self.namespace[name] = op.rule
        return self.user_rules[op]

    def _backward_lines(self, safe: bool) -> list[tuple[str, str]]:
        lines: list[tuple[str, str]] = []
        root = self.root
        self.has_grad = has_grad = set()
        if id(root) not in self.needs_grad:
            return lines
        has_grad.add(id(root))
        uses = self._uses()
        lines.append(
            (
                f"g_{self._var(root)} = 1.0",
                f"d{self.shown[self.index[root]]}/d{self.shown[self.index[root]]} = 1",
            )
        )
        for node in reversed(self.order):
            if not node.parents or id(node) not in self.needs_grad:
                continue
            prelude, contributions = self._contributions(node, safe)
            lines.extend(prelude)
            for code, comment, parent in contributions:
                target = f"g_{self._var(parent)}"
                if id(parent) in has_grad:
                    many = uses[id(parent)]
                    comment += (
                        f"; += as {self.shown[self.index[parent]]} feeds {many} uses: their gradients add"
                    )
                    lines.append((f"{target} += {code}", comment))
                else:
                    has_grad.add(id(parent))
                    lines.append((f"{target} = {code}", comment))
        return lines

    def _uses(self) -> dict[int, int]:
        uses: dict[int, int] = {}
        for node in self.order:
            for parent in node.parents:
                uses[id(parent)] = uses.get(id(parent), 0) + 1
        return uses

    def _contributions(
        self, node: Value, safe: bool
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str, Value]]]:
        """Lines computing a shared local derivative (max's share), then for each parent that
        needs it: (upstream times local derivative, its comment, the parent)."""
        op = node._op
        assert op is not None
        g = f"g_{self._var(node)}"
        parents = node.parents
        found: list[tuple[str, str, Value]] = []
        expressions = derivatives.expressions(node)
        shown = derivatives.expressions(node, shown=True)
        if expressions is not None and shown is not None:
            for i, (parent, expression, lesson) in enumerate(zip(parents, expressions, shown)):
                if id(parent) not in self.needs_grad:
                    continue
                local, atom = _code(expression, self._names_for(node, self._var), safe)
                said = self._shown_expression(expression, node)
                if lesson != expression:
                    said += f" = {self._shown_expression(lesson, node)}"
                found.append(
                    (_product(g, local, atom), self._derivative_comment(node, parent, i, said), parent)
                )
            return [], found
        shown_parents = [self.shown[self.index[p]] for p in parents]
        names = [self._var(p) for p in parents]
        for i, parent in enumerate(parents):
            if id(parent) not in self.needs_grad:
                continue
            if op is engine.SUM:
                local, said = "1.0", "1"
            elif op is engine.DOT:
                half = len(parents) // 2
                partner = i + half if i < half else i - half
                local, said = names[partner], shown_parents[partner]
            elif op is engine.MAX:
                tie = f"{names[i]} == {self._var(node)} or {names[i]} != {names[i]}"
                local = f"(d_{self._var(node)} if {tie} else STRONG_ZERO)"
                said = f"1/(ties) if {shown_parents[i]} is the max, else 0"
            else:
                local, said = f"d_{self._var(node)}[{i}]", f"{op.name}'s rule, derivative {i}"
            found.append((_product(g, local), self._derivative_comment(node, parent, i, said), parent))
        if op is engine.MAX and found:
            ties = " + ".join(f"({n} == {self._var(node)} or {n} != {n})" for n in names)
            share = f"d_{self._var(node)} = 1.0 / ({ties})"
            return [(share, "the inputs equal to the max (a nan is the max) share its gradient")], found
        return [], found

    def _return_line(self) -> str:
        grads = []
        for item in self.leaves:
            group = item if isinstance(item, list) else [item]
            shown = [self._leaf_grad(leaf) for leaf in group]
            grads.append(f"[{', '.join(shown)}]" if isinstance(item, list) else shown[0])
        comma = "," if len(grads) == 1 else ""
        why = "0.0 + as .grad starts at 0.0: -0.0 becomes 0.0"
        return f"    return {self._var(self.root)}, ({', '.join(grads)}{comma})  # {why}"

    def _leaf_grad(self, leaf: Value) -> str:
        return f"0.0 + g_{self._var(leaf)}" if id(leaf) in self.has_grad else "0.0"


def _tuple(names: Sequence[str]) -> str:
    return ", ".join(names) + ("," if len(names) == 1 else "")


def _aligned(lines: Sequence[tuple[str, str]], widest: int = 44) -> list[str]:
    """Lines indented once, their comments lined up (a very long line keeps its comment close)."""
    width = max((len(code) for code, _ in lines if len(code) <= widest), default=0)
    out = []
    for code, comment in lines:
        if comment:
            out.append(f"    {code.ljust(width)}  # {comment}")
        else:
            out.append(f"    {code}")
    return out
