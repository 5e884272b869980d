"""TensorFlow Playground's data sets on its square [-6, 6]², and the input features it computes.

The two-class generators follow TensorFlow Playground's ``dataset.ts`` (radius 5
circles, padded XOR, Gaussians at ±2, two spirals; regression on a plane and on six
Gaussian bumps), with labels 0 and 1 rather than -1 and +1. ``noise`` is TF's 0 to
0.5. With ``classes`` of 3 to 5, spiral has one arm per class and gauss one blob per
class on a circle (gradwalk's own; `nn.data` has only two classes on its own scale).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

__all__ = ["FEATURE_FUNCTIONS", "FEATURE_NAMES", "Point", "generate"]

Point = tuple[float, float, float]  # x1, x2, label (a class index, or a regression target)
DOMAIN = 6.0  # the heatmap shows [-6, 6]², as TensorFlow Playground's

FEATURE_FUNCTIONS: dict[str, Callable[[float, float], float]] = {
    "x": lambda x1, x2: x1,
    "y": lambda x1, x2: x2,
    "xSquared": lambda x1, x2: x1 * x1,
    "ySquared": lambda x1, x2: x2 * x2,
    "xTimesY": lambda x1, x2: x1 * x2,
    "sinX": lambda x1, x2: math.sin(x1),
    "sinY": lambda x1, x2: math.sin(x2),
}
FEATURE_NAMES = {  # as the graph labels the inputs
    "x": "x1",
    "y": "x2",
    "xSquared": "x1²",
    "ySquared": "x2²",
    "xTimesY": "x1·x2",
    "sinX": "sin(x1)",
    "sinY": "sin(x2)",
}


def _circle(n: int, noise: float, rng: random.Random, classes: int) -> list[Point]:
    radius = 5.0
    points = []
    for low, high in ((0.0, radius * 0.5), (radius * 0.7, radius)):  # inside (label 1), then outside
        for _ in range(n // 2):
            r, angle = rng.uniform(low, high), rng.uniform(0.0, 2 * math.pi)
            x, y = r * math.sin(angle), r * math.cos(angle)
            nx, ny = rng.uniform(-radius, radius) * noise, rng.uniform(-radius, radius) * noise
            points.append((x, y, float(math.hypot(x + nx, y + ny) < radius * 0.5)))
    return points


def _xor(n: int, noise: float, rng: random.Random, classes: int) -> list[Point]:
    points = []
    for _ in range(n):
        x, y = rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)
        x += 0.3 if x > 0 else -0.3
        y += 0.3 if y > 0 else -0.3
        nx, ny = rng.uniform(-5.0, 5.0) * noise, rng.uniform(-5.0, 5.0) * noise
        points.append((x, y, float((x + nx) * (y + ny) >= 0)))
    return points


def _gauss(n: int, noise: float, rng: random.Random, classes: int) -> list[Point]:
    std = math.sqrt(0.5 + 7.0 * noise)  # TF's variance, 0.5 to 4 as noise goes from 0 to 0.5
    if classes == 2:
        centres = [(-2.0, -2.0), (2.0, 2.0)]
    else:
        centres = [
            (3.5 * math.cos(2 * math.pi * k / classes), 3.5 * math.sin(2 * math.pi * k / classes))
            for k in range(classes)
        ]
    return [
        (cx + rng.gauss(0.0, std), cy + rng.gauss(0.0, std), float(label))
        for label, (cx, cy) in enumerate(centres)
        for _ in range(n // classes)
    ]


def _spiral(n: int, noise: float, rng: random.Random, classes: int) -> list[Point]:
    arms = 2 if classes == 2 else classes
    count = n // arms
    points = []
    for arm in range(arms):
        # TF's two arms are labelled 1 (turned by 0) and -1 (turned by pi).
        label = (1 - arm) if arms == 2 else arm
        for i in range(count):
            r = i / count * 5.0
            t = 1.75 * i / count * 2 * math.pi + 2 * math.pi * arm / arms
            x = r * math.sin(t) + rng.uniform(-1.0, 1.0) * noise
            y = r * math.cos(t) + rng.uniform(-1.0, 1.0) * noise
            points.append((x, y, float(label)))
    return points


def _plane(n: int, noise: float, rng: random.Random, classes: int) -> list[Point]:
    points = []
    for _ in range(n):
        x, y = rng.uniform(-DOMAIN, DOMAIN), rng.uniform(-DOMAIN, DOMAIN)
        nx, ny = rng.uniform(-DOMAIN, DOMAIN) * noise, rng.uniform(-DOMAIN, DOMAIN) * noise
        points.append((x, y, (x + nx + y + ny) / 10.0))
    return points


_BUMPS = (  # TF's six bumps: centre and sign
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
)


def _bumps(n: int, noise: float, rng: random.Random, classes: int) -> list[Point]:
    def label(x: float, y: float) -> float:
        best = 0.0
        for cx, cy, sign in _BUMPS:
            value = sign * min(1.0, max(0.0, 1.0 - math.hypot(x - cx, y - cy) / 2.0))
            if abs(value) > abs(best):
                best = value
        return best

    points = []
    for _ in range(n):
        x, y = rng.uniform(-DOMAIN, DOMAIN), rng.uniform(-DOMAIN, DOMAIN)
        nx, ny = rng.uniform(-DOMAIN, DOMAIN) * noise, rng.uniform(-DOMAIN, DOMAIN) * noise
        points.append((x, y, label(x + nx, y + ny)))
    return points


GENERATORS: dict[str, Callable[[int, float, random.Random, int], list[Point]]] = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "reg-plane": _plane,
    "reg-gauss": _bumps,
}
MULTI_CLASS = ("gauss", "spiral")


def generate(name: str, n: int, noise: float, seed: str, classes: int = 2) -> list[Point]:
    """`n` points of the data set `name`, shuffled, drawn from ``random.Random(seed)``.

    >>> points = generate("circle", 500, 0.0, "0.6")
    >>> len(points), sum(label for _, _, label in points)
    (500, 250.0)
    >>> all((math.hypot(x, y) < 2.5) == (label == 1) for x, y, label in points)
    True
    >>> sorted({label for *_, label in generate("spiral", 300, 0.0, "1", classes=3)})
    [0.0, 1.0, 2.0]
    """
    if name not in GENERATORS:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(GENERATORS)}")
    if classes != 2 and name not in MULTI_CLASS:
        raise ValueError(f"{classes} classes need the data set spiral or gauss, not {name}")
    rng = random.Random(seed)
    points = GENERATORS[name](n, noise, rng, classes)
    rng.shuffle(points)
    return points
