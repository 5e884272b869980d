"""Which values each `nn` module call computed: the boxes of a drawing, and what collapsing leaves.

Calling a module (`nn.Module.__call__`) records one `ModuleCall` per call, a list
``[module, inputs, start, end]``, and nothing else: the hot path pays two clock ticks
and that list. A Value a call makes holds its record in ``_calls``; a call that returns
Values already recorded (a layer returning its neurons' outputs) appends itself to
their records, so a record lists, after its four items, the outer calls that returned
its Values too. A layer records its neurons' calls itself, with ``inputs=()``: their
inputs are the layer's own, already in its record.

Everything else is derived here, when a drawing asks. A call's *region* is what
its forward computed: walking back from its outputs, every value up to its inputs,
staying inside its caller's region (a neuron's inputs are its layer's) and stopping at
values returned by calls that ran before or after it (another sample, an earlier time
step); a leaf is in it when it is one of the module's parameters or an unlabelled
constant. Calls nest as they ran (one starts and ends inside another), so the regions
nest as the modules do. A value goes in the box of the innermost call holding it; a
value several sibling calls share (a weight used by every sample of a batch) goes in
the smallest box holding them all.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from autograd.engine import Value

__all__ = ["Group", "ModuleCall", "calls_of", "clock", "find_groups", "record_call"]

# One shared clock, read with next(clock): a call that starts and ends inside another ran inside it.
clock = itertools.count()


class Module(Protocol):
    """What grouping reads of a module (`nn.Module` has all of it)."""

    def named_modules(self) -> Sequence[tuple[str, Any]]: ...

    def parameters(self) -> list[Value]: ...

    def extra_repr(self) -> str: ...


# One call of a module: [module, its positional arguments, clock at its start, clock at its end,
# then the outer calls that returned its Values too]. A list, so outer calls append to it
# rather than build a record per Value; its identity is the call's.
ModuleCall: TypeAlias = list[Any]


def record_call(module: Module, inputs: tuple[Any, ...], start: int, result: Any) -> Any:
    """Note on `result` that `module` returned it, called on `inputs` at clock `start`; return `result`.

    `nn.Module.__call__` records each call this way. A caller that hands each callee the
    inputs it was given (a layer to its neurons) may call their `forward` and record them
    with ``inputs=()``: the drawing finds each callee's box inside the caller's.

    >>> from autograd import Value
    >>> out = record_call("a module", (), next(clock), Value(1.0))
    >>> calls_of(out)[0][0]
    'a module'
    """
    end = next(clock)
    if type(result) is Value and end == start + 1 and not (inputs and result is inputs[0]):
        # No module ran inside this one, so its Value is new (a neuron's output): set, not
        # read, since reading an unset slot costs an exception.
        result._calls = [module, inputs, start, end]
    else:
        _record_outputs(result, [module, inputs, start, end])
    return result


_record_of = operator.attrgetter("_calls")


def _record_outputs(result: Any, call: ModuleCall) -> None:
    """Note `call` on the Values in `result` (lists and tuples to any depth, an RNN's outputs).

    A Value no call returned yet gets `call` as its record; one made by a call inside
    this one (a neuron's output returned by its layer) gets `call` appended to that record.
    """
    if type(result) is Value:
        record = getattr(result, "_calls", None)
        if record is None:
            result._calls = call
        elif record is not call and record[-1] is not call:  # returned twice (an RNN's last state): once
            record.append(call)
    elif type(result) is list or type(result) is tuple:
        try:  # a layer's outputs, each already recorded by its neuron: all appended in C
            any(map(list.append, map(_record_of, result), itertools.repeat(call)))
        except (AttributeError, TypeError):  # something new or nested: one by one (skipping what is done)
            for value in result:
                _record_outputs(value, call)


def calls_of(value: Value) -> list[ModuleCall]:
    """The module calls that returned `value`, innermost first."""
    record = getattr(value, "_calls", None)
    if record is None:
        return []
    outer = record[4:]  # a Value listed twice in one result is appended twice: keep one
    return [record, *(call for k, call in enumerate(outer) if all(call is not c for c in outer[:k]))]


def _holds(call: ModuleCall, other: ModuleCall) -> bool:
    """Whether `other` ran inside `call` (or is it)."""
    return bool(call[2] <= other[2] and other[3] <= call[3])


@dataclass(eq=False)
class Group:
    """One call's box: its title, the values it holds directly (indices into the order), its sub-boxes."""

    call: ModuleCall
    parent: Group | None
    depth: int  # 0 for a call made outside any module
    name: str  # the module's dotted name in the outermost module ("" for that module or an unnamed one)
    title: str  # "layers.0.neurons.3: Neuron(2, activation='tanh')"; the outermost: "MLP(...)"
    outputs: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    children: list[Group] = field(default_factory=list)
    parameters: frozenset[int] = frozenset()  # the ids of the module's parameters

    @property
    def parameter_count(self) -> int:
        """How many parameters the module has."""
        return len(self.parameters)

    def walk(self) -> Iterator[Group]:
        """This group and every group inside it, outer before inner."""
        yield self
        for child in self.children:
            yield from child.walk()

    def size(self) -> int:
        """How many values this box holds, its sub-boxes' included."""
        return len(self.members) + sum(child.size() for child in self.children)


def find_groups(order: Sequence[Value]) -> list[Group]:
    """The outermost boxes of the graph `order` (a topological order), each with its sub-boxes.

    Values no module call computed belong to no group.

    >>> import nn, random
    >>> from autograd import topological_order
    >>> model = nn.MLP(2, [2, 1], rng=random.Random(0))
    >>> [group.title for group in find_groups(topological_order(model([1.0, 2.0])))]
    ["MLP(2, [2, 1], activation='relu', output_activation='linear')"]
    """
    position = {node: i for i, node in enumerate(order)}
    calls: dict[int, ModuleCall] = {}  # by id: a call's arguments need not be hashable
    outputs: dict[int, list[int]] = {}
    for i, node in enumerate(order):
        for call in calls_of(node):
            calls[id(call)] = call
            outputs.setdefault(id(call), []).append(i)
    if not calls:
        return []
    groups: list[Group] = []
    open_groups: list[Group] = []  # the calls still running at the current one's start
    top: list[Group] = []
    names: dict[int, str] = {}
    known_names: dict[int, dict[int, str]] = {}
    for call in sorted(calls.values(), key=lambda c: c[2]):
        while open_groups and not _holds(open_groups[-1].call, call):
            open_groups.pop()
        parent = open_groups[-1] if open_groups else None
        module = call[0]
        if parent is None:
            if id(module) not in known_names:  # one model called per sample: its names once
                known_names[id(module)] = {id(inner): name for name, inner in module.named_modules()}
            names = known_names[id(module)]
        name = names.get(id(module), "") if parent is not None else ""
        depth = 0 if parent is None else parent.depth + 1
        group = Group(call, parent, depth, name, _title(module, name, parent is None), outputs[id(call)])
        (top if parent is None else parent.children).append(group)
        groups.append(group)
        open_groups.append(group)
    holders: dict[int, list[Group]] = {}
    parameters: dict[int, frozenset[int]] = {}  # by module: a module called 100 times is walked once
    regions: dict[int, set[int]] = {}
    for group in groups:  # callers before the calls they made: each region is found inside its caller's
        module = group.call[0]
        if id(module) not in parameters:
            parameters[id(module)] = frozenset(id(p) for p in module.parameters())
        group.parameters = parameters[id(module)]
        within = None if group.parent is None else regions[id(group.parent)]
        regions[id(group)] = region = _region(group, order, position, within)
        for i in region:
            holders.setdefault(i, []).append(group)
    for i, holding in sorted(holders.items()):
        owner = _owner(holding)
        if owner is not None:
            owner.members.append(i)
    return top


def _title(module: Module, name: str, outermost: bool) -> str:
    if outermost or name:
        kind = f"{type(module).__name__}({module.extra_repr()})"
        return f"{name}: {kind}" if name else kind
    return repr(module).splitlines()[0]  # a module made on the fly (an RNN's time step): its repr


def _region(
    group: Group, order: Sequence[Value], position: dict[Value, int], within: set[int] | None
) -> set[int]:
    """The indices of the values `group`'s call computed, inside its caller's region `within`."""
    call = group.call
    inputs = {id(value) for value in _values_in(call[1])}
    found: set[int] = set()
    stack = [order[i] for i in group.outputs]
    while stack:
        node = stack.pop()
        i = position[node]
        if i in found or (id(node) in inputs and i not in group.outputs):
            continue
        if within is not None and i not in within:
            continue  # computed before its caller ran: an input of the caller's
        if any(not (_holds(call, other) or _holds(other, call)) for other in calls_of(node)):
            continue  # returned by a call that ran before or after this one
        if not node.parents and node.label and id(node) not in group.parameters:
            continue  # someone else's labelled leaf: an input made from a plain number, a shared value
        found.add(i)
        stack.extend(node.parents)
    return found


def _values_in(inputs: Any) -> Iterator[Value]:
    """The Values in a call's arguments, in lists and tuples to any depth."""
    if isinstance(inputs, Value):
        yield inputs
    elif isinstance(inputs, (list, tuple)):
        for item in inputs:
            yield from _values_in(item)


def _owner(holding: list[Group]) -> Group | None:
    """The innermost of the groups holding a value, or the smallest box holding them all (None: no box)."""
    chains = {id(group): _chain(group) for group in holding}
    outer = {id(ancestor) for chain in chains.values() for ancestor in chain[:-1]}
    innermost = [chains[id(group)] for group in holding if id(group) not in outer]
    common = innermost[0]
    for chain in innermost[1:]:
        shared = next((k for k, (a, b) in enumerate(zip(common, chain)) if a is not b), None)
        common = common[: min(len(common), len(chain)) if shared is None else shared]
    return common[-1] if common else None  # shared by two outermost calls (samples of a batch): no box


def _chain(group: Group) -> list[Group]:
    """The outermost group down to `group`."""
    chain = []
    current: Group | None = group
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain[::-1]
