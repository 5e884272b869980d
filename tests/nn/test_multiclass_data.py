"""Data with more than two classes: spirals, blobs, tones, iris and digits."""

import gzip
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from nn import data

SHIPPED = Path(__file__).resolve().parents[2] / "nn" / "datasets"


def rotated(point, angle):
    x, y = point
    return (x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle))


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_spiral_arms_are_the_first_arm_rotated_by_a_share_of_a_turn(classes):
    X, y = data.make_spiral(20 * classes, classes=classes)
    assert [y.count(k) for k in range(classes)] == [20] * classes
    arm0 = [p for p, label in zip(X, y) if label == 0]
    for k in range(1, classes):
        arm = sorted(tuple(round(c, 9) for c in p) for p, label in zip(X, y) if label == k)
        # the engine's angle t + 2πk/classes: (r sin t, r cos t) turns clockwise in (x, y)
        expected = sorted(tuple(round(c, 9) for c in rotated(p, -2 * math.pi * k / classes)) for p in arm0)
        assert arm == expected


def test_spiral_splits_an_uneven_n_with_the_last_classes_taking_the_remainder():
    _, y = data.make_spiral(11, classes=3)
    assert [y.count(k) for k in range(3)] == [3, 4, 4]


def test_blobs_sit_on_a_circle_of_radius_2_with_the_given_spread():
    X, y = data.make_blobs(3000, classes=3, noise=0.3, seed=1)
    for k in range(3):
        points = [p for p, label in zip(X, y) if label == k]
        centre = (2 * math.cos(2 * math.pi * k / 3), 2 * math.sin(2 * math.pi * k / 3))
        for axis in range(2):
            coordinates = [p[axis] for p in points]
            assert statistics.fmean(coordinates) == pytest.approx(centre[axis], abs=4 * 0.3 / math.sqrt(1000))
            assert statistics.stdev(coordinates) == pytest.approx(0.3, rel=0.1)


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: data.make_spiral(30, noise=0.1, seed=seed, classes=3),
        lambda seed: data.make_blobs(30, classes=4, seed=seed),
        lambda seed: data.make_tones(12, length=16, seed=seed),
    ],
)
def test_the_seed_fixes_the_data(make):
    assert make(0) == make(0)
    assert make(0) != make(1)


def test_tones_have_the_requested_shape_and_balanced_labels():
    X, y = data.make_tones(31, length=40, classes=4)
    assert len(X) == len(y) == 31 and {len(x) for x in X} == {40}
    assert all(type(v) is float for x in X for v in x)
    assert sorted({y.count(k) for k in range(4)}) == [7, 8]


def test_each_class_of_tone_has_its_own_pitch():
    X, y = data.make_tones(60, length=64, classes=10, noise=0.0)
    for x, label in zip(X, y):
        spectrum = np.abs(np.fft.rfft(x))
        assert abs(int(np.argmax(spectrum)) - (2 + 3 * label)) <= 1  # (2 + 3k ± 0.5) cycles per 64 samples
        assert max(map(abs, x)) <= 1.0


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda: data.make_spiral(10, classes=1), ValueError, "classes must be at least 2, got 1"),
        (lambda: data.make_blobs(10, classes=0), ValueError, "classes must be at least 2, got 0"),
        (lambda: data.make_tones(10, classes=11), ValueError, "at most 10 classes .*got 11"),
        (lambda: data.make_tones(10, length=0), ValueError, "length must be at least 1, got 0"),
        (lambda: data.make_blobs(10, classes=2.5), TypeError, "classes must be an int, got float"),
    ],
)
def test_bad_arguments_are_refused_naming_the_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_iris_is_fishers_150_flowers():
    X, y = data.load_iris()
    assert len(X) == 150 and {len(x) for x in X} == {4}
    assert [y.count(k) for k in range(3)] == [50, 50, 50]
    # the column means of R's `iris` (summary(iris): 5.843, 3.057, 3.758, 1.199), Fisher's data
    means = [statistics.fmean(column) for column in zip(*X)]
    assert means == pytest.approx([5.843, 3.057, 3.758, 1.199], abs=0.0005)
    assert X[0] == [5.1, 3.5, 1.4, 0.2] and y[0] == 0


def test_digits_are_the_uci_test_set():
    X, y = data.load_digits()
    assert len(X) == len(y) == 1797 and {len(x) for x in X} == {64}
    assert {v for x in X for v in x} <= {float(v) for v in range(17)}
    # the class counts of UCI's optdigits.tes
    assert [y.count(k) for k in range(10)] == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    with gzip.open(SHIPPED / "digits.csv.gz", "rt") as file:
        raw = np.loadtxt(file, delimiter=",")
    assert np.array_equal(raw[:, :64], np.array(X)) and np.array_equal(raw[:, 64], np.array(y))


def test_the_data_files_are_in_the_package_data():
    config = (Path(__file__).resolve().parents[2] / "setup.cfg").read_text()
    for name in ("iris.csv", "digits.csv.gz"):
        assert f"datasets/{name}" in config
        assert (SHIPPED / name).is_file()
