"""What every demo shares: its command line, its output folder, and how it saves pictures.

A demo starts with ``demo = Demo("what it shows")``, which reads ``--out DIR`` and
``--quick``, then saves with ``demo.save_figure(figure, "name.png")`` or
``demo.save_drawing(drawing, "name.svg")`` and ends with ``demo.finish([...summary...])``,
which prints the summary and every file written. Opened as a notebook (in a Jupyter
kernel) a demo runs in full mode, its figures stay on screen, every drawing and
walkthrough it writes is shown inline too, and its files go to the repository's
``out/`` wherever the kernel started (as the script run from the repository root does).

Also here: the explicit full-batch training loop, the decision-region plot and the
evenly spaced grid that several demos use.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

try:
    import matplotlib
except ModuleNotFoundError as missing:  # the `demo` extra was not installed
    if missing.name != "matplotlib":
        raise
    sys.exit(
        "This demo draws its plots with matplotlib, which is not installed here: "
        "pip install 'gradwalk[demo]' (in a clone: pip install -e '.[demo]'; make demo installs it)."
    )
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import autograd
import nn
from autograd import Drawing, Value, Walkthrough
from autograd._files import write_atomically

IN_NOTEBOOK = "ipykernel" in sys.modules
REPOSITORY_OUT = Path(__file__).resolve().parent.parent / "out"  # a notebook's kernel may start in demos/
if not IN_NOTEBOOK:
    matplotlib.use("Agg")  # a script draws off-screen: no window, no display needed

CLASS_COLOURS = ("#2563eb", "#ea580c")  # class 0 blue, class 1 orange, in every picture
REGION_COLOURS = ("#dbeafe", "#ffedd5")


class Demo:
    """A demo's settings (`quick`, `out`) and the list of files it has written."""

    def __init__(self, description: str) -> None:
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument(
            "--out",
            type=Path,
            default=REPOSITORY_OUT if IN_NOTEBOOK else Path("out"),
            help="folder for the pictures (default: out)",
        )
        parser.add_argument("--quick", action="store_true", help="tiny sizes, done in seconds (for tests)")
        parser.add_argument(
            "--brief", action="store_true", help="print only the summary and where to look (make demo)"
        )
        args = parser.parse_args([] if IN_NOTEBOOK else None)  # a kernel's argv is not ours
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            reason = "it is a file" if args.out.is_file() else error.strerror
            parser.error(f"cannot use --out {str(args.out)!r} as the pictures' folder: {reason}")
        self.out: Path = args.out
        self.quick: bool = args.quick
        self.written: list[Path] = []
        self._shown: set[str] = set()  # in a notebook, each drawing is shown once (not per format)
        self._started = time.perf_counter()
        self._stdout = sys.stdout
        self.brief: bool = args.brief
        if self.brief:  # the worked numbers are for reading along; a first run wants the outcome
            sys.stdout = io.StringIO()

    def path(self, name: str) -> Path:
        """Where the file `name` goes, recorded as written."""
        target = self.out / name
        self.written.append(target)
        return target

    def save_figure(self, figure: Figure, name: str) -> Path:
        """Save a matplotlib figure (a PNG, by its name's suffix) and close it, unless in a notebook."""
        target = self.path(name)
        image = io.BytesIO()
        figure.savefig(image, format=target.suffix.lstrip("."), dpi=100, bbox_inches="tight")
        write_atomically(target, image.getvalue())
        if not IN_NOTEBOOK:
            plt.close(figure)
        return target

    def save_drawing(self, drawing: Drawing, name: str) -> Path:
        """Render a graph drawing to `name` (.svg or .png); in a notebook, show it too."""
        target = drawing.save(self.path(name))
        self._show(drawing, drawing.source)
        return target

    def save_walkthrough(self, walk: Walkthrough, name: str) -> Path:
        """Write a walkthrough's page to `name` (.html); in a notebook, show the page itself."""
        target = walk.save(self.path(name))
        self._show(walk, str(walk))
        return target

    def _show(self, picture: object, key: str) -> None:
        if IN_NOTEBOOK and key not in self._shown:
            from IPython.display import display  # only a kernel has IPython

            self._shown.add(key)
            display(picture)

    def finish(self, summary: Sequence[str]) -> None:
        """Print the summary, the time taken, the files written (not with --brief) and where to look."""
        sys.stdout = self._stdout
        seconds = time.perf_counter() - self._started
        mode = "quick mode, " if self.quick else ""
        if not self.brief:
            print()
        for line in summary:
            print(line)
        files = "1 file" if len(self.written) == 1 else f"{len(self.written)} files"
        print(f"Wrote {files} to {self.out}/ ({mode}{seconds:.1f} s){'.' if self.brief else ':'}")
        if not self.brief:
            for path in self.written:
                print(f"  {path}")
        pages = [path for path in self.written if path.suffix == ".html"]
        first = pages[0] if pages else self.written[0] if self.written else None
        if first is not None:
            print(f"Where to look: open {first}")


def train_full_batch(
    model: nn.Module,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    loss: Callable[[list[Value], list[int]], Value],
    optimizer: nn.Optimizer,
    steps: int,
    learning_rate: Callable[[int], float] | None = None,
) -> tuple[list[float], list[float]]:
    """The explicit loop on the whole data set, `steps` times: forward, zero_grad, backward, step.

    ``loss(outputs, targets)`` is called as `nn.fit` calls it; `learning_rate(k)`, if
    given, sets the rate of step k. Returns the loss and the training accuracy (see
    `nn.accuracy`) after 0, 1, ..., `steps` updates.
    """
    losses, accuracies = [], []
    for k in range(steps + 1):
        outputs = [model(x) for x in X]
        value = loss(outputs, list(y))
        losses.append(value.data)
        accuracies.append(nn.accuracy(outputs, y))
        if k == steps:
            break
        optimizer.zero_grad()
        value.backward()
        if learning_rate is not None:
            optimizer.lr = learning_rate(k)
        optimizer.step()
    return losses, accuracies


def plot_decision_regions(
    ax: Axes,
    model: nn.Module,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    *,
    resolution: int,
    title: str,
    legend: bool = True,
) -> list[Artist]:
    """Shade where the model's one output (a score or logit) is > 0, i.e. class 1, on a grid
    around the data; draw the boundary and the points; return the legend's entries.

    The grid is evaluated under `autograd.no_grad`: no graph is built for it. With
    `legend` False the panel has no legend (a figure of many panels gives one for all).
    """
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    x_grid = linspace(min(xs) - 0.5, max(xs) + 0.5, resolution)
    y_grid = linspace(min(ys) - 0.5, max(ys) + 0.5, resolution)
    with autograd.no_grad():
        scores: list[list[float]] = [[model([a, b]).data for a in x_grid] for b in y_grid]
    if min(map(min, scores)) < 0.0 < max(map(max, scores)):  # a boundary is there to draw
        ax.contourf(x_grid, y_grid, scores, levels=[-1e300, 0.0, 1e300], colors=REGION_COLOURS)
        ax.contour(x_grid, y_grid, scores, levels=[0.0], colors="#374151", linewidths=1.5)
    else:
        ax.set_facecolor(REGION_COLOURS[int(scores[0][0] > 0.0)])
    scatter_classes(ax, X, y)
    handles = [
        *ax.get_legend_handles_labels()[0],
        Line2D([], [], color="#374151", label="decision boundary"),
        Patch(facecolor=REGION_COLOURS[1], edgecolor="#9ca3af", label="predicted class 1"),
    ]
    if legend:
        ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    return handles


def scatter_classes(ax: Axes, X: Sequence[Sequence[float]], y: Sequence[int]) -> None:
    """Plot the points of each class in its colour, labelled for the legend."""
    for label, colour in enumerate(CLASS_COLOURS):
        points = [p for p, t in zip(X, y) if t == label]
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            s=18,
            c=colour,
            edgecolors="white",
            linewidths=0.5,
            label=f"class {label}",
            zorder=3,
        )


def linspace(low: float, high: float, count: int) -> list[float]:
    """`count` evenly spaced numbers from `low` to `high`, both included (numpy's linspace)."""
    return [low + (high - low) * i / (count - 1) for i in range(count)]
