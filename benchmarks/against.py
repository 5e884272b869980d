"""gradwalk's first-order rows side by side with another checkout of gradwalk (say, main).

    python -m benchmarks.against /path/to/other/checkout [--runs 5]

Each run is a fresh process per checkout, the two checkouts taking turns, so both see the
same machine load; each figure is the median over the runs. The workloads are the
benchmark's own (chain, wide op by op, one dot node, the MLP step at full size), imported
from each checkout's own `benchmarks` package, so an old checkout is measured as it was.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

# Run inside each checkout (its folder first on sys.path): one figure per first-order row.
_CHILD = """
import gc, json
from benchmarks import engines, workloads
engine = engines.gradwalk()
gc.collect()
gc.freeze()
steps = terms = 100_000
chain = workloads.chain(engine.leaf, steps)
wide = workloads.wide(engine.leaf, terms)
dot = workloads.wide_dot(engine.vector, engine.dot, terms)
X, labels = engines.moons(100)
seconds, _ = workloads.training(engine.mlp_step(engines.initial_weights(), X, labels), 20)
seconds.sort()
print(json.dumps({
    "chain, forward + backward (µs/node)": sum(chain.values()) * 1e6 / workloads.chain_nodes(steps),
    "wide, op by op (µs/term)": sum(wide.values()) * 1e6 / terms,
    "wide, one dot node (µs/term)": sum(dot.values()) * 1e6 / terms,
    "mlp, training step (ms/step)": seconds[len(seconds) // 2] * 1e3,
}))
"""


def measure(checkout: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(checkout)!r})\n{_CHILD}"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.against", description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout of gradwalk (a folder)")
    parser.add_argument("--runs", type=int, default=5, help="processes per checkout (default 5)")
    args = parser.parse_args(argv)
    if not (args.other / "autograd" / "engine.py").is_file():
        parser.error(f"{str(args.other)!r} is not a gradwalk checkout (no autograd/engine.py in it)")
    runs: dict[str, list[dict[str, float]]] = {"other": [], "this": []}
    for _ in range(args.runs):
        runs["other"].append(measure(args.other.resolve()))
        runs["this"].append(measure(HERE))
    print(f"| row | {args.other} | this checkout | change |")
    print("|---|---|---|---|")
    for row in runs["this"][0]:
        other = statistics.median(run[row] for run in runs["other"])
        this = statistics.median(run[row] for run in runs["this"])
        print(f"| {row} | {other:.3g} | {this:.3g} | {100 * (this / other - 1):+.1f}% |")


if __name__ == "__main__":
    main()
