"""Toy 2-D datasets, synthetic tones, iris and digits, splitting, minibatches and CSV loading.

Every 2-D generator returns ``(X, y)``: ``X`` a list of ``[x1, x2]`` points, ``y`` a
list of class labels (0/1 unless ``classes`` says more), shuffled. ``noise`` is the
standard deviation of Gaussian noise added to each coordinate, and ``seed`` (an int,
or a `random.Random` to draw from) fixes every random choice; Python's global
`random` state is never used.
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
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


def _class_sizes(n: int, classes: int) -> list[int]:
    """n split as evenly as possible over the classes, the last ones taking the remainder."""
    return [n // classes + (k >= classes - n % classes) for k in range(classes)]


def make_spiral(n: int = 100, noise: float = 0.0, seed: int | random.Random = 0, classes: int = 2) -> Dataset:
    """TensorFlow Playground's interleaved spirals, each turning 1.75 times out to radius 1:
    one arm per class, arm k rotated by k / classes of a turn.

    >>> X, y = make_spiral(100)
    >>> max(math.hypot(*p) for p in X) < 1.0
    True
    >>> sorted(set(make_spiral(90, classes=3)[1]))
    [0, 1, 2]
    """
    n, noise, rng = _setup(n, noise, seed)
    count = _checks.integer(classes, "classes", minimum=2)
    points: list[list[float]] = []
    labels: list[int] = []
    for label, size in enumerate(_class_sizes(n, count)):
        for i in range(size):
            r = i / size
            t = 1.75 * 2 * math.pi * r + 2 * math.pi * label / count
            points.append([r * math.sin(t), r * math.cos(t)])
            labels.append(label)
    return _finish(points, labels, noise, rng)


def make_blobs(n: int = 100, classes: int = 3, noise: float = 0.5, seed: int | random.Random = 0) -> Dataset:
    """One Gaussian blob per class, standard deviation `noise`, the centres evenly spaced on
    the circle of radius 2 (class k at angle 2πk / classes).

    >>> X, y = make_blobs(99, classes=3)
    >>> len(X), [y.count(k) for k in range(3)]
    (99, [33, 33, 33])
    """
    n, noise, rng = _setup(n, noise, seed)
    count = _checks.integer(classes, "classes", minimum=2)
    labels = [k for k, size in enumerate(_class_sizes(n, count)) for _ in range(size)]
    angles = [2 * math.pi * label / count for label in labels]
    return _finish([[2 * math.cos(a), 2 * math.sin(a)] for a in angles], labels, noise, rng)


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


TONE_CLASSES = 10  # class k's pitch is (2 + 3k ± 0.5) cycles per 64 samples: 10 stay below Nyquist


def make_tones(
    n: int = 300, length: int = 64, classes: int = 3, noise: float = 0.1, seed: int | random.Random = 0
) -> Dataset:
    """Short synthetic sounds labelled by pitch: ``X`` is n sequences of `length` samples.

    A sound of class k is ``a · sin(2π f t + φ) + noise · N(0, 1)`` at samples
    t = 0 .. length-1, with f = (2 + 3k + u) / 64 cycles per sample, u uniform in
    ±0.5 (so pitches vary within a class), φ uniform in [0, 2π) and the amplitude
    a uniform in [0.5, 1]. Classes take turns (as equal in number as can be), then
    the samples are shuffled. Up to 10 classes, the highest below the Nyquist rate.

    >>> X, y = make_tones(6, length=32)
    >>> len(X), len(X[0]), sorted(y)
    (6, 32, [0, 0, 1, 1, 2, 2])
    """
    n, noise, rng = _setup(n, noise, seed)
    samples = _checks.integer(length, "length", minimum=1)
    count = _checks.integer(classes, "classes", minimum=2)
    if count > TONE_CLASSES:
        raise ValueError(
            f"make_tones makes at most {TONE_CLASSES} classes (pitches below Nyquist), got {classes!r}"
        )
    sounds = []
    labels = [i % count for i in range(n)]
    for label in labels:
        frequency = (2 + 3 * label + rng.uniform(-0.5, 0.5)) / 64
        phase, amplitude = rng.uniform(0.0, 2 * math.pi), rng.uniform(0.5, 1.0)
        sounds.append(
            [
                amplitude * math.sin(2 * math.pi * frequency * t + phase) + rng.gauss(0.0, noise)
                for t in range(samples)
            ]
        )
    order = list(range(n))
    rng.shuffle(order)
    return [sounds[i] for i in order], [labels[i] for i in order]


def _shipped(name: str) -> bytes:
    return (importlib.resources.files("nn") / "datasets" / name).read_bytes()


def load_iris() -> Dataset:
    """Fisher's iris: 150 flowers, 4 measurements in cm (sepal length, sepal width, petal
    length, petal width), 3 species (0 setosa, 1 versicolor, 2 virginica), 50 of each, in
    the file's order. Shipped with gradwalk (see nn/datasets/README.md): nothing is downloaded.

    >>> X, y = load_iris()
    >>> len(X), len(X[0]), X[0], [y.count(k) for k in range(3)]
    (150, 4, [5.1, 3.5, 1.4, 0.2], [50, 50, 50])
    """
    rows = list(csv.reader(_shipped("iris.csv").decode("ascii").splitlines()))[1:]  # after the header
    return [[float(cell) for cell in row[:4]] for row in rows], [int(row[4]) for row in rows]


def load_digits() -> Dataset:
    """The UCI 8 × 8 handwritten digits: 1,797 images, each 64 pixels row by row, valued 0 to
    16, labelled 0 to 9, in the file's order. Shipped with gradwalk (see
    nn/datasets/README.md): nothing is downloaded.

    >>> X, y = load_digits()
    >>> len(X), len(X[0]), min(map(min, X)), max(map(max, X)), sorted(set(y)) == list(range(10))
    (1797, 64, 0.0, 16.0, True)
    """
    text = gzip.decompress(_shipped("digits.csv.gz")).decode("ascii")
    rows = [[int(float(cell)) for cell in row] for row in csv.reader(text.splitlines())]
    return [[float(pixel) for pixel in row[:64]] for row in rows], [row[64] for row in rows]


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
