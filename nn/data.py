"""Toy 2-D datasets, splitting, minibatches and CSV loading.

Every generator returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` points, ``y`` a
list of 0/1 labels, shuffled. ``noise`` is the standard deviation of Gaussian
noise added to each coordinate, and ``seed`` (an int, or a `random.Random` to draw
from) fixes every random choice; Python's global `random` state is never used.
"""

from __future__ import annotations

import csv
import math
import os
import random
from collections.abc import Sequence
from typing import TypeVar

from nn import _checks

X_ = TypeVar("X_")
Y_ = TypeVar("Y_")
Dataset = tuple[list[list[float]], list[int]]


def _linspace(stop: float, num: int, endpoint: bool = True) -> list[float]:
    """num points from 0 to stop, like numpy's linspace (which make_moons uses)."""
    if num <= 1:
        return [0.0] * num
    step = stop / (num - 1 if endpoint else num)
    points = [i * step for i in range(num)]
    if endpoint:
        points[-1] = stop
    return points


def _finish(points: list[list[float]], labels: list[int], noise: float, rng: random.Random) -> Dataset:
    """Shuffle the points with their labels, then add the noise (sklearn's order)."""
    order = list(range(len(points)))
    rng.shuffle(order)
    X = [points[i] for i in order]
    if noise:
        X = [[x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)] for x1, x2 in X]
    return X, [labels[i] for i in order]


def _setup(n: int, noise: float, seed: int | random.Random) -> tuple[int, float, random.Random]:
    return (
        _checks.integer(n, "n", minimum=1),
        _checks.non_negative(noise, "noise"),
        _checks.rng_from_seed(seed),
    )


def make_moons(n: int = 100, noise: float = 0.0, seed: int | random.Random = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's construction): label 0 on the upper
    one, ``(cos t, sin t)``; label 1 on the lower, ``(1 - cos t, 1 - sin t - 0.5)``.

    >>> X, y = make_moons(100, noise=0.1)
    >>> len(X), sum(y)
    (100, 50)
    """
    n, noise, rng = _setup(n, noise, seed)
    outer, inner = n // 2, n - n // 2
    points = [[math.cos(t), math.sin(t)] for t in _linspace(math.pi, outer)]
    points += [[1.0 - math.cos(t), 1.0 - math.sin(t) - 0.5] for t in _linspace(math.pi, inner)]
    return _finish(points, [0] * outer + [1] * inner, noise, rng)


def make_circles(
    n: int = 100, noise: float = 0.0, seed: int | random.Random = 0, factor: float = 0.8
) -> Dataset:
    """Two concentric circles (scikit-learn's construction): radius 1 with label 0,
    radius ``factor`` with label 1.

    >>> X, y = make_circles(8)
    >>> sorted({round(math.hypot(*p), 9) for p in X})
    [0.8, 1.0]
    """
    n, noise, rng = _setup(n, noise, seed)
    if not 0.0 <= _checks.real(factor, "factor") < 1.0:
        raise ValueError(f"factor must be in [0, 1), got {factor!r}")
    outer, inner = n // 2, n - n // 2
    points = [[math.cos(t), math.sin(t)] for t in _linspace(2 * math.pi, outer, endpoint=False)]
    points += [
        [factor * math.cos(t), factor * math.sin(t)] for t in _linspace(2 * math.pi, inner, endpoint=False)
    ]
    return _finish(points, [0] * outer + [1] * inner, noise, rng)


def make_xor(n: int = 100, noise: float = 0.0, seed: int | random.Random = 0) -> Dataset:
    """TensorFlow Playground's XOR: points in the square [-1, 1]², kept 0.05 away from
    the axes; label 1 where x1 and x2 differ in sign, 0 where they agree.

    >>> X, y = make_xor(4, seed=1)
    >>> all(label == int((x1 > 0) != (x2 > 0)) for (x1, x2), label in zip(X, y))
    True
    """
    n, noise, rng = _setup(n, noise, seed)

    def coordinate() -> float:
        return rng.choice((-1.0, 1.0)) * rng.uniform(0.05, 1.0)

    points = [[coordinate(), coordinate()] for _ in range(n)]
    labels = [int((x1 > 0.0) != (x2 > 0.0)) for x1, x2 in points]
    return _finish(points, labels, noise, rng)


def make_spiral(n: int = 100, noise: float = 0.0, seed: int | random.Random = 0) -> Dataset:
    """TensorFlow Playground's two interleaved spirals, each turning 1.75 times out to
    radius 1: label 0 on one, label 1 on the other (rotated by half a turn).

    >>> X, y = make_spiral(100)
    >>> max(math.hypot(*p) for p in X) < 1.0
    True
    """
    n, noise, rng = _setup(n, noise, seed)
    points: list[list[float]] = []
    labels: list[int] = []
    for label, count in ((0, n // 2), (1, n - n // 2)):
        for i in range(count):
            r = i / count
            t = 1.75 * 2 * math.pi * r + math.pi * label
            points.append([r * math.sin(t), r * math.cos(t)])
            labels.append(label)
    return _finish(points, labels, noise, rng)


def make_gaussians(n: int = 100, noise: float = 0.0, seed: int | random.Random = 0) -> Dataset:
    """TensorFlow Playground's two Gaussian blobs with standard deviation 0.5, centred at
    (-1, -1) with label 0 and at (1, 1) with label 1.

    >>> X, y = make_gaussians(200)
    >>> round(sum(x1 for (x1, _), label in zip(X, y) if label == 1) / sum(y), 1)
    1.0
    """
    n, noise, rng = _setup(n, noise, seed)
    labels = [0] * (n // 2) + [1] * (n - n // 2)
    centres = {0: -1.0, 1: 1.0}
    points = [
        [centres[label] + rng.gauss(0.0, 0.5), centres[label] + rng.gauss(0.0, 0.5)] for label in labels
    ]
    return _finish(points, labels, noise, rng)


def _check_pair(X: Sequence[object], y: Sequence[object]) -> int:
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
    return len(X)


def train_test_split(
    X: Sequence[X_], y: Sequence[Y_], test_size: float | int = 0.25, seed: int | random.Random = 0
) -> tuple[list[X_], list[X_], list[Y_], list[Y_]]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1), rounded up to whole samples, or a count.

    >>> X_train, X_test, y_train, y_test = train_test_split(list(range(10)), list(range(10)))
    >>> len(X_train), len(X_test), X_test == y_test
    (7, 3, True)
    """
    n = _check_pair(X, y)
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size!r}")
        n_test = math.ceil(test_size * n)
    else:
        n_test = _checks.integer(test_size, "test_size", minimum=1)
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size!r} leaves no training or no test samples out of {n}")
    order = list(range(n))
    _checks.rng_from_seed(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def batches(
    X: Sequence[X_], y: Sequence[Y_], batch_size: int, shuffle: bool = False, seed: int | random.Random = 0
) -> list[tuple[list[X_], list[Y_]]]:
    """Consecutive ``(X_batch, y_batch)`` pairs of ``batch_size`` samples (the last may be smaller),
    in a shuffled order if ``shuffle``.

    >>> batches([1, 2, 3, 4, 5], ["a", "b", "c", "d", "e"], batch_size=2)
    [([1, 2], ['a', 'b']), ([3, 4], ['c', 'd']), ([5], ['e'])]
    """
    n = _check_pair(X, y)
    size = _checks.integer(batch_size, "batch_size", minimum=1)
    order = list(range(n))
    if shuffle:
        _checks.rng_from_seed(seed).shuffle(order)
    return [
        ([X[i] for i in order[start : start + size]], [y[i] for i in order[start : start + size]])
        for start in range(0, n, size)
    ]


def load_csv(path: str | os.PathLike[str]) -> tuple[list[list[float]], list[float]]:
    """Read ``(X, y)`` from a CSV file of numbers: one sample per row, the label in the last column.

    A first row with no number in it is a header and is skipped; blank lines are
    skipped. Labels that are all whole numbers come back as ints. A row that is not
    all finite numbers, or has a different number of columns, is a ValueError
    naming its line.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
    >>> _ = path.write_text("x1,x2,label\\n0.5,1.5,1\\n-1,2,0\\n")
    >>> load_csv(path)
    ([[0.5, 1.5], [-1.0, 2.0]], [1, 0])
    """
    rows: list[list[float]] = []
    with open(path, newline="", encoding="utf-8-sig") as file:  # -sig: skip a BOM (Excel writes one)
        reader = csv.reader(file)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"{os.fspath(path)}, line {reader.line_num}"
            numbers = [_number(cell) for cell in row]
            if not rows and all(number is None for number in numbers):
                continue  # the header
            for cell, number in zip(row, numbers):
                if number is None or not math.isfinite(number):
                    raise ValueError(
                        f"{where}: {cell.strip()!r} is not a finite number (row {','.join(row)!r})"
                    )
            if len(row) < 2:
                raise ValueError(f"{where}: a row needs a feature and a label, got {','.join(row)!r}")
            if rows and len(row) != len(rows[0]):
                raise ValueError(
                    f"{where}: expected {len(rows[0])} columns like the first row, got {len(row)}"
                )
            rows.append([number for number in numbers if number is not None])
    if not rows:
        raise ValueError(f"{os.fspath(path)}: no data rows")
    labels = [row[-1] for row in rows]
    if all(label.is_integer() for label in labels):
        labels = [int(label) for label in labels]
    return [row[:-1] for row in rows], labels


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None
