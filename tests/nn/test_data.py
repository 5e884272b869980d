"""Datasets, splitting, minibatches and CSV loading."""

import math
import random
import statistics

import numpy as np
import pytest

from nn import data

GENERATORS = [data.make_moons, data.make_circles, data.make_xor, data.make_spiral, data.make_gaussians]


# ---------------------------------------------------------------------------
# What every generator returns


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_x_is_a_list_of_point_lists_and_y_a_list_of_0_1_labels(make, n):
    X, y = make(n, noise=0.1, seed=3)
    assert isinstance(X, list) and isinstance(y, list)
    assert len(X) == len(y) == n
    assert all(isinstance(p, list) and len(p) == 2 and all(type(c) is float for c in p) for p in X)
    assert all(type(label) is int and label in (0, 1) for label in y)


@pytest.mark.parametrize("make", GENERATORS)
def test_the_seed_fixes_the_data(make):
    assert make(50, noise=0.2, seed=4) == make(50, noise=0.2, seed=4)
    assert make(50, noise=0.2, seed=4) != make(50, noise=0.2, seed=5)
    assert make(50, noise=0.2, seed=random.Random(4)) == make(50, noise=0.2, seed=4)


@pytest.mark.parametrize("make", GENERATORS)
def test_noise_is_gaussian_with_the_given_standard_deviation(make):
    clean, labels = make(1000, noise=0.0, seed=8)
    noisy, noisy_labels = make(1000, noise=0.2, seed=8)
    assert noisy_labels == labels  # shuffled the same way, then the noise is added
    offsets = [a - b for p, q in zip(noisy, clean) for a, b in zip(p, q)]
    assert statistics.fmean(offsets) == pytest.approx(0.0, abs=4 * 0.2 / math.sqrt(2000))
    assert statistics.pstdev(offsets) == pytest.approx(0.2, rel=0.07)


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"n": 0}, ValueError, "n must be at least 1"),
        ({"n": 10.0}, TypeError, "n must be an int"),
        ({"noise": -0.1}, ValueError, "noise must be >= 0"),
        ({"seed": "x"}, TypeError, "seed must be an int"),
    ],
)
def test_bad_arguments(make, arguments, error, message):
    with pytest.raises(error, match=message):
        make(**{"n": 10, **arguments})


# ---------------------------------------------------------------------------
# Each dataset's shape


def sklearn_moons(n):
    """scikit-learn's make_moons points without shuffle or noise, from its published construction."""
    outer, inner = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, outer), np.linspace(0, np.pi, inner)
    top = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    bottom = np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1)
    return top.tolist(), bottom.tolist()


@pytest.mark.parametrize("n", [2, 9, 100])
def test_make_moons_is_sklearns_construction(n):
    X, y = data.make_moons(n)
    top, bottom = sklearn_moons(n)
    for label, expected in ((0, top), (1, bottom)):
        points = sorted(p for p, t in zip(X, y) if t == label)
        np.testing.assert_allclose(points, sorted(expected), rtol=0, atol=1e-15)
    assert y != sorted(y) or n < 3  # shuffled


def test_make_circles_radii():
    X, y = data.make_circles(40, factor=0.5)
    for (x1, x2), label in zip(X, y):
        assert math.hypot(x1, x2) == pytest.approx(1.0 if label == 0 else 0.5, abs=1e-15)
    with pytest.raises(ValueError, match="factor"):
        data.make_circles(10, factor=1.0)


def test_make_xor_labels_the_quadrants():
    X, y = data.make_xor(400, seed=2)
    for (x1, x2), label in zip(X, y):
        assert min(abs(x1), abs(x2)) >= 0.05 and max(abs(x1), abs(x2)) <= 1.0
        assert label == (1 if (x1 > 0) != (x2 > 0) else 0)
    assert 150 < sum(y) < 250


def test_make_spiral_two_arms_within_the_unit_disc():
    X, y = data.make_spiral(200)
    assert sum(y) == 100
    assert max(math.hypot(*p) for p in X) < 1.0
    by_radius = {round(math.hypot(*p), 12): label for p, label in zip(X, y)}
    assert len(by_radius) == 100  # each radius is on both arms, half a turn apart
    arm0 = {(round(a, 12), round(b, 12)) for (a, b), label in zip(X, y) if label == 0}
    arm1 = {(round(-a, 12) + 0.0, round(-b, 12) + 0.0) for (a, b), label in zip(X, y) if label == 1}
    assert arm0 == arm1


def test_make_gaussians_two_blobs():
    X, y = data.make_gaussians(2000, seed=1)
    for label, centre in ((0, -1.0), (1, 1.0)):
        coordinates = [c for p, t in zip(X, y) if t == label for c in p]
        assert statistics.fmean(coordinates) == pytest.approx(centre, abs=0.05)
        assert statistics.pstdev(coordinates) == pytest.approx(0.5, rel=0.07)


# ---------------------------------------------------------------------------
# train_test_split


def test_train_test_split_shuffles_and_splits_in_sklearns_order():
    X, y = [[float(i)] for i in range(10)], list(range(10))
    X_train, X_test, y_train, y_test = data.train_test_split(X, y)
    assert (len(X_train), len(X_test)) == (7, 3)  # ceil(0.25 * 10) for the test set
    assert [x[0] for x in X_train] == y_train and [x[0] for x in X_test] == y_test  # pairs kept
    assert sorted(y_train + y_test) == y
    assert data.train_test_split(X, y) == (X_train, X_test, y_train, y_test)
    assert data.train_test_split(X, y, seed=1) != (X_train, X_test, y_train, y_test)
    assert len(data.train_test_split(X, y, test_size=4)[1]) == 4


@pytest.mark.parametrize(
    ("test_size", "error"),
    [(0.0, ValueError), (1.0, ValueError), (10, ValueError), (0, ValueError), ("a", TypeError)],
)
def test_train_test_split_needs_both_parts(test_size, error):
    with pytest.raises(error, match="test_size"):
        data.train_test_split(list(range(10)), list(range(10)), test_size=test_size)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        data.train_test_split([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        data.batches([1, 2, 3], [1, 2], 2)


# ---------------------------------------------------------------------------
# batches


def test_batches_in_order_with_a_smaller_last_batch():
    assert data.batches([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 2) == [
        ([1, 2], [6, 7]),
        ([3, 4], [8, 9]),
        ([5], [10]),
    ]


def test_shuffled_batches_are_a_seeded_permutation_keeping_pairs():
    X, y = list(range(20)), [-i for i in range(20)]
    shuffled = data.batches(X, y, 6, shuffle=True, seed=3)
    assert [len(xb) for xb, _ in shuffled] == [6, 6, 6, 2]
    flat_x = [x for xb, _ in shuffled for x in xb]
    assert sorted(flat_x) == X and flat_x != X
    assert all(yb == [-x for x in xb] for xb, yb in shuffled)
    assert data.batches(X, y, 6, shuffle=True, seed=3) == shuffled
    assert data.batches(X, y, 6, shuffle=True, seed=4) != shuffled


@pytest.mark.parametrize(("size", "error"), [(0, ValueError), (2.5, TypeError)])
def test_batch_size_must_be_a_positive_int(size, error):
    with pytest.raises(error, match="batch_size"):
        data.batches([1], [1], size)


# ---------------------------------------------------------------------------
# load_csv


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_csv_with_a_header_and_blank_lines(tmp_path):
    path = write(tmp_path, "x1,x2,label\n\n0.5,1.5,1\n-1,2e-3,0\n\n")
    assert data.load_csv(path) == ([[0.5, 1.5], [-1.0, 0.002]], [1, 0])


def test_load_csv_without_header_and_with_real_valued_labels(tmp_path):
    X, y = data.load_csv(write(tmp_path, "1, 2, 0.5\n3, 4, -1.25\n"))
    assert X == [[1.0, 2.0], [3.0, 4.0]] and y == [0.5, -1.25]
    X, y = data.load_csv(str(write(tmp_path, '"1","2","1.0"\n', "quoted.csv")))
    assert y == [1] and type(y[0]) is int


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,2\n3,abc\n", r"line 3: 'abc' is not a finite number \(row '3,abc'\)"),
        ("1,2,3\n4,5\n", "line 2: expected 3 columns like the first row, got 2"),
        ("1,2\n3,nan\n", "line 2: 'nan' is not a finite number"),
        ("1,2\ninf,3\n", "line 2: 'inf' is not a finite number"),
        ("1\n2\n", "line 1: a row needs a feature and a label"),
        ("x,y\n\n", "no data rows"),
        ("", "no data rows"),
        ("1,2\nx,y\n", "line 2: 'x' is not a finite number"),  # only the first row may be a header
    ],
)
def test_load_csv_names_the_bad_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        data.load_csv(write(tmp_path, text))


def test_load_csv_skips_a_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf1.5,2,1\r\n3,4,0\r\n")
    assert data.load_csv(path) == ([[1.5, 2.0], [3.0, 4.0]], [1, 0])


def test_load_csv_error_names_the_file(tmp_path):
    path = write(tmp_path, "1,2\n3,?\n")
    with pytest.raises(ValueError, match=f"{path}, line 2"):
        data.load_csv(path)
