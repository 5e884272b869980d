"""The data sets against the rules that define them (TensorFlow Playground's dataset.ts)."""

import math
import statistics

import pytest

from nn.playground.datasets import generate


def test_circle_labels_are_inside_radius_2_5_and_the_rest_lie_from_3_5_to_5():
    points = generate("circle", 500, 0.0, "s")
    inside = [math.hypot(x, y) for x, y, label in points if label == 1]
    outside = [math.hypot(x, y) for x, y, label in points if label == 0]
    assert len(inside) == len(outside) == 250
    assert max(inside) < 2.5 and min(outside) >= 3.5 and max(outside) <= 5.0


def test_xor_labels_follow_the_sign_of_x1_times_x2_and_keep_off_the_axes():
    points = generate("xor", 500, 0.0, "s")
    assert all(label == float(x * y >= 0) for x, y, label in points)
    assert min(min(abs(x), abs(y)) for x, y, _ in points) >= 0.3


def test_gauss_centres_are_at_plus_and_minus_two():
    points = generate("gauss", 2000, 0.0, "s")
    for label, centre in ((1.0, 2.0), (0.0, -2.0)):
        assert statistics.fmean(x for x, _, y in points if y == label) == pytest.approx(centre, abs=0.1)
        # TF's variance 0.5 at noise 0
        assert statistics.pvariance([x for x, _, y in points if y == label]) == pytest.approx(0.5, rel=0.15)


def test_spiral_arms_reach_radius_5_and_the_plane_target_is_x1_plus_x2_over_10():
    assert max(math.hypot(x, y) for x, y, _ in generate("spiral", 500, 0.0, "s")) == pytest.approx(
        5, abs=0.05
    )
    assert all(t == pytest.approx((x + y) / 10) for x, y, t in generate("reg-plane", 100, 0.0, "s"))


@pytest.mark.parametrize("classes", [3, 4, 5])
@pytest.mark.parametrize("name", ["spiral", "gauss"])
def test_multi_class_sets_have_every_class_equally(name, classes):
    labels = [label for *_, label in generate(name, 600, 0.1, "s", classes)]
    assert sorted(set(labels)) == [float(k) for k in range(classes)]
    assert len({labels.count(float(k)) for k in range(classes)}) == 1


def test_the_seed_fixes_the_points_and_multi_class_needs_spiral_or_gauss():
    assert generate("xor", 50, 0.2, "a") == generate("xor", 50, 0.2, "a") != generate("xor", 50, 0.2, "b")
    with pytest.raises(ValueError, match="3 classes need the data set spiral or gauss, not circle"):
        generate("circle", 50, 0.0, "a", classes=3)
