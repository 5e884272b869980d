"""Which values each `nn` module call computed: the boxes of a drawing, and what collapsing leaves.

Calling a module (`nn.Module.__call__`) records one `ModuleCall` per call, a list
``[module, inputs, start, end, sharers]``, and nothing else: the hot path pays two clock
ticks and that list. A Value a call makes holds its record in ``_calls``; a call that
returns Values already recorded (an MLP returning its last layer's output) appends itself
to their records, so a record lists, after its five items, the outer calls that returned
its Values too. A layer of plain neurons is recorded once: its neurons call no module
and each makes one new Value, so the layer's k-th output is the k-th neuron's, and
the neuron's call is derived from the layer's when a drawing asks (`_part_calls`).

Everything else is derived here, when a drawing asks. A call's *region* is what
its forward computed: walking back from its outputs, every value up to its inputs,
staying inside its caller's region (a neuron's inputs are its layer's) and stopping at
values returned by calls that ran before or after it (another sample, an earlier time
step; so a record need not keep inputs that calls returned); a leaf is in it when it is
one of the module's parameters or an unlabelled constant. An output an earlier call
returned, or one of its inputs, was passed on, not computed: it is not in the region.
Calls nest as they ran (one starts and ends inside another), so the regions nest as the
modules do. A value goes in the box of the innermost call holding it; a value several
sibling calls share (a weight used by every sample of a batch) goes in the smallest box
holding them all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from autograd.engine import Value

__all__ = ["Group", "ModuleCall", "calls_of", "clock", "find_groups", "record_call"]

# One shared clock, read with next(clock): a call that starts and ends inside another ran inside it.
clock = itertools.count()
_RECORD_NAME = itertools.repeat("_calls")  # for map(hasattr, values, _RECORD_NAME): endless, so shared


class Module(Protocol):
    """What grouping reads of a module (`nn.Module` has all of it)."""

    def named_modules(self) -> Sequence[tuple[str, Any]]: ...

    def parameters(self) -> list[Value]: ...

    def extra_repr(self) -> str: ...

    def _output_parts(self) -> Sequence[Any] | None:
        """The submodules whose k-th makes the k-th Value of the list a call returns, a new one,
        with no module call inside; None when that is not so."""


# One call of a module: [module, its positional arguments, clock at its start, clock at its end,
# how many Values hold it as their record, then the outer calls that returned all of those
# Values too]. A list, so outer calls append to it rather than build a record per Value; its
# identity is the call's. A Value that an outer call returned without the others sharing its
# record holds a list of its own instead, [that record, the outer calls that returned it].
ModuleCall: TypeAlias = list[Any]


def record_call(module: Module, inputs: tuple[Any, ...], start: int, result: Any) -> Any:
    """Note on `result` that `module` returned it, called on `inputs` at clock `start`; return `result`.

    `nn.Module.__call__` records each call this way. A call that ran no module inside and
    returns a list, from a module whose `_output_parts` are known (a layer of plain
    neurons), is recorded once for all its outputs; its parts' calls are derived when drawn.

    >>> import nn
    >>> from autograd import Value
    >>> neuron = nn.Neuron(1)
    >>> out = record_call(neuron, (), next(clock), Value(1.0))
    >>> calls_of(out)[0][0] is neuron
    True
    """
    end = next(clock)
    # The record keeps alive only the inputs a drawing needs: a list of Values that calls
    # returned (a layer's input, its previous layer's output) is not needed, since the
    # regions stop at such values anyway, and every object kept adds to the collector's work.
    kept: Any = inputs[0] if len(inputs) == 1 else inputs
    if type(kept) is list and all(map(hasattr, kept, _RECORD_NAME)):
        kept = ()
    if end == start + 1 and type(result) is list and module._output_parts() is not None:
        call = [module, kept, start, end, len(result)]
        for value in result:  # new Values, one per part (a layer's neurons): set, not read
            value._calls = call  # (reading an unset slot costs an exception)
    else:
        _record_outputs(result, [module, kept, start, end, 0])
    return result


def _record_outputs(result: Any, call: ModuleCall) -> None:
    """Note `call` on the Values in `result` (lists and tuples to any depth, an RNN's outputs)."""
    if type(result) is Value:  # the common case (an MLP's one output): no counting
        _note(result, getattr(result, "_calls", None), call, 1)
        return
    values = list({id(value): value for value in _values_in(result)}.values())  # each once
    held = [getattr(value, "_calls", None) for value in values]
    returned: dict[int, int] = {}  # how many of the Values sharing each record `call` returned
    for record in held:
        returned[id(record)] = returned.get(id(record), 0) + 1
    for value, record in zip(values, held):
        _note(value, record, call, returned[id(record)])


def _note(value: Value, record: ModuleCall | None, call: ModuleCall, returned: int) -> None:
    """Note `call` on `value`, whose record is `record`, returned with `returned` Values sharing it.

    A Value no call returned yet gets `call` as its record. One returned by a call inside
    this one (a neuron's output returned by its layer) gets `call` appended to its record,
    when `call` returned every Value sharing that record, else to a list of its own.
    """
    if record is None:
        value._calls = call
        call[4] += 1
    elif type(record[0]) is list or record[4] == returned:  # its own list, or all of the sharers
        if record[-1] is not call:
            record.append(call)
    else:
        value._calls = [record, call]


def calls_of(value: Value) -> list[ModuleCall]:
    """The module calls that returned `value`, innermost first."""
    record = getattr(value, "_calls", None)
    if record is None:
        return []
    if type(record[0]) is list:  # its own list: [the record it shared, the calls that returned it]
        return [record[0], *record[0][5:], *record[1:]]
    return [record, *record[5:]]


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
    for call in list(calls.values()):
        for part_call, i in _part_calls(call, [order[i] for i in outputs[id(call)]], position):
            calls[id(part_call)] = part_call
            outputs[id(part_call)] = [i]
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


def _part_calls(
    call: ModuleCall, returned: list[Value], position: dict[Value, int]
) -> Iterator[tuple[ModuleCall, int]]:
    """The calls of `call`'s parts (a layer's neurons) its record covers, each with its output's index.

    A part's call ran inside `call`, on its inputs, one after another: its clock reads
    between `call`'s, in order. Which part made an output is which part's parameters it
    reads, looking back no further than `call`'s inputs and the values other calls returned.
    """
    parts = call[0]._output_parts()
    if parts is None:
        return
    covered = [value for value in returned if calls_of(value)[0] is call]
    part_of = {id(p): k for k, part in enumerate(parts) for p in part.parameters()}
    inputs = {id(value) for value in _values_in(call[1])}
    start, span = call[2], 2 * len(parts) + 1
    for value in covered:
        k = _first_part(value, part_of, inputs)
        if k is not None:
            yield [parts[k], (), start + (2 * k + 1) / span, start + (2 * k + 2) / span, 1], position[value]


def _first_part(value: Value, part_of: dict[int, int], inputs: set[int]) -> int | None:
    """The part whose parameter `value` reads first, looking back from it up to `inputs` and
    the values other calls returned (a record need not keep its inputs: see `record_call`)."""
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if id(node) in part_of:
            return part_of[id(node)]
        made_here = node is value or not hasattr(node, "_calls")
        if made_here and id(node) not in inputs and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.parents)
    return None


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
        if i in found or id(node) in inputs:
            continue  # an input, even one returned as it came (dropout in eval mode): made elsewhere
        if within is not None and i not in within:
            continue  # computed before its caller ran: an input of the caller's
        apart = [other for other in calls_of(node) if not (_holds(call, other) or _holds(other, call))]
        if apart and (i not in group.outputs or any(other[3] <= call[2] for other in apart)):
            continue  # returned by a call that ran before this one (an output passed on) or after it
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
