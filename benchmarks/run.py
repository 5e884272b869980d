"""Run every workload on every installed engine, side by side, and print the table.

    python -m benchmarks.run            # the full suite (1 to 2 minutes), as `make bench` runs it
    python -m benchmarks.run --quick    # tiny sizes, one run each: a smoke test of the harness

Each figure is a median over several runs back to back (the MLP: over 20
consecutive training steps), with the garbage collector on, as users run. The
engines run one after another in the same order, the heap collected in between,
so each pays for its own garbage and none for another's. Times are CPU time of
this process (see `benchmarks.workloads`). The Markdown table is printed and the
full results, every run included, are saved as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time
import unittest.mock
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from autograd._files import write_atomically
from benchmarks import engines, workloads
from benchmarks.engines import Engine
from benchmarks.workloads import Phases

RESULTS = Path(__file__).parent / "results"
MICROGRAD = "micrograd"
GRADWALK = "gradwalk"
FLOOR = "plain floats"
T = TypeVar("T")


@dataclass(frozen=True)
class Sizes:
    runs: int
    chain_steps: int
    wide_terms: int
    mlp_points: int
    mlp_steps: int
    deep_nodes: int
    deep_runs: int
    memory_nodes: int
    render_nodes: int
    playground_seconds: float
    second_order_inputs: int


FULL = Sizes(
    runs=5,
    chain_steps=100_000,
    wide_terms=100_000,
    mlp_points=100,
    mlp_steps=20,
    deep_nodes=1_000_000,
    deep_runs=3,
    memory_nodes=100_000,
    render_nodes=1_000,
    playground_seconds=5.0,
    second_order_inputs=200,
)
QUICK = Sizes(
    runs=1,
    chain_steps=500,
    wide_terms=500,
    mlp_points=8,
    mlp_steps=2,
    deep_nodes=2_000,
    deep_runs=1,
    memory_nodes=1_000,
    render_nodes=30,
    playground_seconds=0.3,
    second_order_inputs=20,
)


@dataclass
class Row:
    """One line of the table: a measure of a workload for each engine."""

    workload: str
    measure: str
    unit: str
    values: dict[str, float] = field(default_factory=dict)  # engine name -> median over its runs
    runs: dict[str, list[float]] = field(default_factory=dict)  # engine name -> each run's figure
    notes: dict[str, str] = field(default_factory=dict)  # engine name -> why there is no value
    target: float | None = None  # how many times better than micrograd gradwalk must be
    least: float | None = None  # or the least value gradwalk must reach
    most: float | None = None  # or the most value gradwalk may take

    def record(self, engine: str, per_run: list[float]) -> None:
        self.runs[engine] = per_run
        self.values[engine] = statistics.median(per_run)

    def ratio(self, engine: str) -> float | None:
        """How many times smaller (faster, leaner) than micrograd this engine's value is."""
        if engine == MICROGRAD or MICROGRAD not in self.values or not self.values.get(engine):
            return None
        return self.values[MICROGRAD] / self.values[engine]

    def met(self) -> bool | None:
        if self.least is not None and GRADWALK in self.values:
            return self.values[GRADWALK] >= self.least
        if self.most is not None and GRADWALK in self.values:
            return self.values[GRADWALK] <= self.most
        ratio = self.ratio(GRADWALK)
        return None if self.target is None or ratio is None else ratio >= self.target

    def goal(self) -> str:
        if self.least is not None:
            return f"≥ {self.least:g}{self.unit}"
        if self.most is not None:
            return f"≤ {_number(self.most)} {self.unit}"
        return "" if self.target is None else f"≥ {self.target:g}x"


# ---------------------------------------------------------------------------
# Running the workloads


def side_by_side(runs: int, contenders: dict[str, Callable[[], Phases]]) -> dict[str, list[Phases]]:
    """Run each contender `runs` times back to back, the contenders one after another.

    The heap is collected before each contender's first run and never between its
    runs: like a user repeating the workload, each engine pays for collecting its
    own garbage, and none pays for another's.
    """
    results: dict[str, list[Phases]] = {}
    for name, run in contenders.items():
        gc.collect()
        results[name] = [run() for _ in range(runs)]
    return results


def each(runs: list[Phases], phase: str, scale: float = 1.0) -> list[float]:
    """One phase's figure in each run, times `scale` ("total": all phases added up)."""
    return [(sum(run.values()) if phase == "total" else run[phase]) * scale for run in runs]


def chain_rows(contenders: Sequence[Engine], sizes: Sizes) -> list[Row]:
    steps = sizes.chain_steps
    runners: dict[str, Callable[[], Phases]] = {
        e.name: partial(workloads.chain, e.leaf, steps) for e in contenders if e.leaf is not None
    }
    runners[FLOOR] = partial(workloads.chain_floats, steps)
    results = side_by_side(sizes.runs, runners)
    nodes = workloads.chain_nodes(steps)
    rows = [
        Row("chain", "forward", "µs/node"),
        Row("chain", "backward", "µs/node"),
        Row("chain", "forward + backward", "µs/node", target=8),
    ]
    for name, runs in results.items():
        for row, phase in zip(rows, ("forward", "backward", "total")):
            row.record(name, each(runs, phase, 1e6 / nodes))
    rows.append(
        _compiled_row(Row("chain", "compiled, forward + backward", "µs/node"), rows[-1], sizes, "chain")
    )
    return rows


def _compiled_row(row: Row, peer_row: Row, sizes: Sizes, workload: str) -> Row:
    """A gradwalk workload compiled with `autograd.compile` (a tenth of the size: compiling
    writes one line per node), against micrograd's figure for the whole uncompiled workload."""
    if workload == "chain":
        steps = max(sizes.chain_steps // 10, 1)
        runs = side_by_side(sizes.runs, {GRADWALK: partial(workloads.chain_compiled, steps)})[GRADWALK]
        count = workloads.chain_nodes(steps)
    else:
        count = max(sizes.wide_terms // 10, 1)
        runs = side_by_side(sizes.runs, {GRADWALK: partial(workloads.wide_dot_compiled, count)})[GRADWALK]
    row.record(GRADWALK, each(runs, "run", 1e6 / count))
    row.notes[GRADWALK] = f"{count:,} {'nodes' if workload == 'chain' else 'terms'}; compiling: " + (
        f"{_number(statistics.median(each(runs, 'compile', 1e6 / count)))} {row.unit}"
    )
    if MICROGRAD in peer_row.values:
        row.record(MICROGRAD, peer_row.runs[MICROGRAD])
        row.notes[MICROGRAD] = peer_row.notes.get(MICROGRAD, "uncompiled")
    return row


def wide_rows(contenders: Sequence[Engine], sizes: Sizes) -> list[Row]:
    terms = sizes.wide_terms
    op_by_op = Row("wide", "op by op, forward + backward", "µs/term", target=4)
    with_dot = Row("wide", "one dot node, forward + backward", "µs/term", target=50)
    runners: dict[str, Callable[[], Phases]] = {}
    placement: dict[str, tuple[Row, str]] = {}  # runner -> the row and engine its result goes to
    for e in contenders:
        if e.leaf is not None:
            runners[e.name] = partial(workloads.wide, e.leaf, terms)
            placement[e.name] = op_by_op, e.name
        if e.vector is not None and e.dot is not None:
            runners[f"{e.name}, dot"] = partial(workloads.wide_dot, e.vector, e.dot, terms)
            placement[f"{e.name}, dot"] = with_dot, e.name
    for runner, runs in side_by_side(sizes.runs, runners).items():
        row, engine = placement[runner]
        row.record(engine, each(runs, "total", 1e6 / terms))
    if MICROGRAD in op_by_op.values:  # micrograd has no dot: dot is measured against its op by op
        with_dot.record(MICROGRAD, op_by_op.runs[MICROGRAD])
        with_dot.notes[MICROGRAD] = "op by op"
    compiled = _compiled_row(
        Row("wide", "one dot node, compiled, forward + backward", "µs/term"), with_dot, sizes, "dot"
    )
    return [op_by_op, with_dot, compiled]


def mlp_rows(contenders: Sequence[Engine], sizes: Sizes) -> tuple[list[Row], dict[str, list[float]]]:
    X, labels = engines.moons(sizes.mlp_points)
    weights = engines.initial_weights()
    row = Row("mlp", f"training step ({sizes.mlp_points} points)", "ms/step", target=30)
    losses: dict[str, list[float]] = {}
    for e in contenders:
        if e.mlp_step is None:
            continue
        gc.collect()
        seconds, losses[e.name] = workloads.training(e.mlp_step(weights, X, labels), sizes.mlp_steps)
        row.record(e.name, [s * 1e3 for s in seconds])
    rows = [
        row,
        _recording_row(weights, X, labels, sizes),
        *_compiled_mlp_rows(contenders, row, X, labels, weights, sizes, losses),
    ]
    _check_same_losses(losses)
    return rows, losses


def _recording_row(weights: engines.Weights, X: engines.Points, labels: engines.Labels, sizes: Sizes) -> Row:
    """What recording module calls (for a drawing's boxes) costs gradwalk's training step.

    Two copies of the model train side by side, one of them with `nn.module.record_call`
    replaced by a pass-through (which keeps a call and a clock tick per module call, so this
    slightly understates the cost). Each round times one step of each, the two in turn in
    alternating order (the second of two steps runs a little faster); the row is the median
    of the rounds' ratios, 5 rounds per MLP step of the other rows.
    """
    import nn.module

    def call(module: Any, inputs: Any, start: int, result: Any) -> Any:
        return result

    recorded_step = engines.gradwalk().mlp_step(weights, X, labels)
    unrecorded_step = engines.gradwalk().mlp_step(weights, X, labels)

    def unrecorded() -> float:
        with unittest.mock.patch.object(nn.module, "record_call", call):
            return workloads.training(unrecorded_step, 1)[0][0]

    ratios: list[float] = []
    gc.collect()
    for k in range(5 * sizes.mlp_steps):
        if k % 2:
            bare = unrecorded()
            ratios.append(workloads.training(recorded_step, 1)[0][0] / bare)
        else:
            ratios.append(workloads.training(recorded_step, 1)[0][0] / unrecorded())
    row = Row("mlp", "training step with module calls recorded, over without", "x", most=1.03)
    row.record(GRADWALK, [statistics.median(ratios)])
    return row


def _compiled_mlp_rows(
    contenders: Sequence[Engine],
    uncompiled: Row,
    X: engines.Points,
    labels: engines.Labels,
    weights: engines.Weights,
    sizes: Sizes,
    losses: dict[str, list[float]],
) -> list[Row]:
    """The MLP step with ``fit(compile=True)``: the mean of `mlp_steps` consecutive epochs after
    the first, and the cost of compiling (the first epoch less a step), beside the others."""
    gradwalk = next(e for e in contenders if e.name == GRADWALK)
    assert gradwalk.compiled_mlp is not None
    gc.collect()
    seconds, trajectory = gradwalk.compiled_mlp(weights, X, labels, sizes.mlp_steps + 1)
    steps = [s * 1e3 for s in seconds[1:]]
    step = Row(
        "mlp",
        f"training step, compiled: fit(compile=True), mean of {len(steps)} epochs",
        "ms/step",
        target=150,
    )
    step.runs[GRADWALK] = steps
    step.values[GRADWALK] = statistics.fmean(steps)
    for peer in (MICROGRAD, FLOOR):
        if peer in uncompiled.values:
            step.record(peer, uncompiled.runs[peer])
    if FLOOR in uncompiled.values:
        step.notes[GRADWALK] = f"{_number(step.values[GRADWALK] / uncompiled.values[FLOOR])}x the floor"
    compiling = Row("mlp", "compile that step once (first epoch less a step)", "ms")
    compiling.record(GRADWALK, [seconds[0] * 1e3 - step.values[GRADWALK]])
    if GRADWALK in uncompiled.values:
        compiling.most = 10 * uncompiled.values[GRADWALK]  # less than 10 uncompiled steps
        compiling.notes[GRADWALK] = (
            f"{_number(compiling.values[GRADWALK] / uncompiled.values[GRADWALK])} uncompiled steps"
        )
    losses[f"{GRADWALK}, compiled"] = trajectory[: sizes.mlp_steps]
    return [step, compiling]


def _check_same_losses(losses: dict[str, list[float]]) -> None:
    """Every engine trains the same model on the same data: their first losses must agree."""
    reference = losses[GRADWALK][0]
    for name, trajectory in losses.items():
        if abs(trajectory[0] - reference) > 1e-9 * abs(reference):
            raise AssertionError(
                f"the MLP step of {name} computes a different loss ({trajectory[0]!r}) "
                f"from gradwalk's ({reference!r}): the comparison would be meaningless"
            )


def deep_rows(contenders: Sequence[Engine], sizes: Sizes) -> list[Row]:
    steps = workloads.chain_steps(sizes.deep_nodes)
    nodes = workloads.chain_nodes(steps)
    rows = [Row("deep", f"{phase} ({nodes:,} nodes)", "s") for phase in ("forward", "backward", "del")]
    for e in contenders:
        if e.name == GRADWALK and e.leaf is not None:
            runs = side_by_side(sizes.deep_runs, {e.name: partial(workloads.deep, e.leaf, steps)})[e.name]
            for row, phase in zip(rows, ("forward", "backward", "del")):
                row.record(e.name, each(runs, phase))
        elif e.name == MICROGRAD and e.leaf is not None:
            depth = workloads.recursion_limit_depth(e.leaf)
            for row in rows:
                row.notes[e.name] = f"RecursionError past {depth:,} nodes"
        elif e.name != FLOOR:
            for row in rows:
                row.notes[e.name] = "not run (scalar ops too slow for a 1M chain here)"
    return rows


def memory_rows(contenders: Sequence[Engine], sizes: Sizes) -> list[Row]:
    steps = workloads.chain_steps(sizes.memory_nodes)
    nodes = workloads.chain_nodes(steps)
    per_node = Row("memory", f"chain of {nodes:,} nodes", "bytes/node", target=5)
    freed = Row("memory", "freed by reference counting alone when dropped", "%", least=95)
    for e in contenders:
        if e.name in (GRADWALK, MICROGRAD) and e.leaf is not None:
            result = workloads.memory(e.leaf, steps)  # one run: allocation sizes do not vary
            per_node.record(e.name, [result["bytes_per_node"]])
            freed.record(e.name, [100 * result["freed_by_refcount"]])
        elif e.name != FLOOR:
            per_node.notes[e.name] = freed.notes[e.name] = "not measured (tracemalloc sees no C++ memory)"
    return [per_node, freed]


def render_rows(contenders: Sequence[Engine], sizes: Sizes) -> tuple[list[Row], str]:
    steps = workloads.chain_steps(sizes.render_nodes - 1)  # the leaf is drawn too
    nodes = workloads.chain_nodes(steps) + 1
    draw = Row("render", f"draw a {nodes:,}-node graph", "s")
    svg = Row("render", "render it to SVG", "s")
    try:
        from autograd.render import RenderError, find_renderer

        renderer = find_renderer()
        runs = side_by_side(sizes.runs, {GRADWALK: partial(workloads.render, steps)})[GRADWALK]
        draw.record(GRADWALK, each(runs, "draw"))
        svg.record(GRADWALK, each(runs, "render"))
    except (ImportError, RenderError) as error:
        renderer = "none"
        draw.notes[GRADWALK] = svg.notes[GRADWALK] = f"not available ({type(error).__name__})"
    for e in contenders:
        if e.name != GRADWALK:
            draw.notes[e.name] = svg.notes[e.name] = "—"
    return [draw, svg], renderer


PLAYGROUND_LESSONS = {  # issue 15's two: 2 inputs, 250 training points, batch 10
    "default lesson [4, 2]": ("", 20.0, 5.0),
    "largest network 6 × 8": ("#networkShape=8,8,8,8,8,8", None, 2.0),
}


def playground_rows(contenders: Sequence[Engine], sizes: Sizes) -> list[Row]:
    """Training steps and heatmap refreshes per second while the Playground trains (gradwalk only)."""
    rows = []
    for name, (lesson, least_steps, least_refreshes) in PLAYGROUND_LESSONS.items():
        steps = Row("playground", f"training steps, {name}, heatmap live", "/s", least=least_steps)
        refreshes = Row("playground", f"50 × 50 heatmap refreshes while training, {name}", "/s")
        refreshes.least = least_refreshes
        try:
            runs = [
                workloads.playground(lesson, sizes.playground_seconds) for _ in range(max(1, sizes.runs // 2))
            ]
            steps.record(GRADWALK, each(runs, "steps_per_second"))
            refreshes.record(GRADWALK, each(runs, "refreshes_per_second"))
        except ImportError:  # the playground extra is missing
            steps.notes[GRADWALK] = refreshes.notes[GRADWALK] = "not available (no playground extra)"
        for row in (steps, refreshes):
            row.notes |= {e.name: "—" for e in contenders if e.name != GRADWALK}
        rows += [steps, refreshes]
    return rows


def second_order_rows(contenders: Sequence[Engine], sizes: Sizes) -> list[Row]:
    inputs = sizes.second_order_inputs
    runs = side_by_side(sizes.runs, {GRADWALK: partial(workloads.second_order, inputs)})[GRADWALK]
    rows = [
        Row("second order", f"hessian, {inputs} inputs", "s"),
        Row("second order", f"hvp, {inputs} inputs", "s"),
        Row("second order", "hvp's speed-up over hessian", "x", least=10),
    ]
    rows[0].record(GRADWALK, each(runs, "hessian"))
    rows[1].record(GRADWALK, each(runs, "hvp"))
    rows[2].record(GRADWALK, [run["hessian"] / run["hvp"] for run in runs])
    for row in rows:
        for e in contenders:
            if e.name != GRADWALK:
                row.notes[e.name] = "—"
    return rows


def timed(name: str, workload: Callable[..., T], *args: Any) -> T:
    """Run one workload's rows, telling on stderr how long it took (the table waits for all)."""
    print(f"{name}...", end=" ", file=sys.stderr, flush=True)
    start = time.perf_counter()
    result = workload(*args)
    print(f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return result


# ---------------------------------------------------------------------------
# Reporting


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def _number(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if x >= 0.01 else f"{x:.2g}"


def cell(row: Row, engine: str) -> str:
    if engine not in row.values:
        return row.notes.get(engine, "—")
    if row.unit == "%":
        return f"{max(row.values[engine], 0.0):.1f}"
    text = _number(row.values[engine])
    ratio = row.ratio(engine)
    if ratio is not None:
        text += f" ({_number(ratio)}x)"
    if engine in row.notes:
        text += f" ({row.notes[engine]})"
    return text


def table(rows: Sequence[Row], columns: Sequence[tuple[str, str]], verdicts: bool = True) -> str:
    """The rows as Markdown, one column per engine; ``(Nx)`` is the ratio to micrograd.

    Without `verdicts` the "met" column stays empty.
    """
    header = ["workload", "measure", "unit", *(title for _, title in columns), "target", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        met = row.met() if verdicts else None
        verdict = "" if met is None else "yes" if met else "**no**"
        cells = [row.workload, row.measure, row.unit, *(cell(row, name) for name, _ in columns)]
        cells += [row.goal(), verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each (a smoke test)")
    parser.add_argument("--json", type=Path, help="where to save the results (default: benchmarks/results/)")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    judged = not args.quick  # the quick sizes are too small to judge a target
    path = args.json or RESULTS / ("quick.json" if args.quick else "latest.json")

    gradwalk, floor = engines.gradwalk(), engines.floats()
    peers = {"micrograd": engines.micrograd(), "PyTorch": engines.pytorch()}
    contenders = [gradwalk, *(e for e in peers.values() if e is not None), floor]
    columns = [(e.name, f"{e.name} {e.version}".strip()) for e in contenders]
    missing = [name for name, e in peers.items() if e is None]
    columns[-1:-1] = [(name, f"{name} (not installed)") for name in missing]

    # Freeze what importing the contenders made (PyTorch alone is ~165,000 objects): else every
    # full collection walks it, and gradwalk's and micrograd's figures would depend on whether
    # PyTorch is installed. The collector stays on, with default settings, for all the workloads make.
    gc.collect()
    gc.freeze()
    started = datetime.datetime.now(datetime.timezone.utc)
    # micrograd's recursive topological sort needs this past ~1,000 nodes, as its users find out.
    recursion_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(recursion_limit, 10 * workloads.chain_nodes(sizes.chain_steps), 100_000))
    try:
        rows = timed("chain", chain_rows, contenders, sizes)
        rows += timed("wide", wide_rows, contenders, sizes)
        mlp, losses = timed("mlp", mlp_rows, contenders, sizes)
        rows += mlp
        rows += timed("deep", deep_rows, contenders, sizes)
        rows += timed("memory", memory_rows, contenders, sizes)
        render, renderer = timed("render", render_rows, contenders, sizes)
        rows += render
        rows += timed("second order", second_order_rows, contenders, sizes)
        rows += timed("playground", playground_rows, contenders, sizes)
    finally:
        sys.setrecursionlimit(recursion_limit)
    for row in rows:
        for name in missing:
            row.notes[name] = "not installed"

    report = {
        "date": started.isoformat(timespec="seconds"),
        "seconds": (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds(),
        "machine": machine(),
        "quick": args.quick,
        "sizes": asdict(sizes),
        "engines": {title: name for name, title in columns},
        "renderer": renderer,
        "mlp_losses": losses,
        "rows": [
            {**asdict(row), "ratio_to_micrograd": row.ratio(GRADWALK), "met": row.met() if judged else None}
            for row in rows
        ],
        "table": table(rows, columns, verdicts=judged),
    }
    m = report["machine"]
    print(f"{started:%Y-%m-%d}, {m['cpu']}, {m['cores']} cores, {m['python']}; renderer: {renderer}\n")
    print(report["table"])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nsaved {path} ({report['seconds']:.0f} s)")
    return report


if __name__ == "__main__":
    main()
