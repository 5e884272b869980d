"""autograd.walkthrough: the frames, the rule text, the quiz, and the saved page and images."""

import json
import math
import random
import re
import struct
import xml.etree.ElementTree as ET

import pytest

import autograd
import nn
from autograd import RenderError, Value, Walkthrough, op, topological_order, walkthrough
from autograd.draw import GraphTooLargeError


def labelled(value, label):
    value.label = label
    return value


def example():
    """d = c*e + a with c = a*b; a=3, b=2, e=-3. By hand: c.grad = -3, a.grad = 2*-3 + 1 = -5."""
    a, b, e = Value(3.0, label="a"), Value(2.0, label="b"), Value(-3.0, label="e")
    c = labelled(a * b, "c")
    return labelled(c * e + a, "d")


def shown_grads(frame):
    """{node id: the grad text in its label} from the frame's DOT ('' when blank)."""
    labels = dict(re.findall(r'^\t(n\d+) \[label="((?:[^"\\]|\\.)*)"', frame.drawing.source, re.MULTILINE))
    return {node: re.search(r"grad ?(.*)$", label)[1] for node, label in labels.items()}


def page_data(page):
    """The JSON blob a saved page's script reads."""
    blob = re.search(r'<script type="application/json" id="walkthrough-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(blob[1])


@pytest.mark.parametrize(
    "build",
    [
        lambda: Value(1.0, label="x"),
        lambda: Value(1.0, label="x") * Value(2.0, label="y"),
        lambda: (lambda x: (x * x).tanh())(Value(0.5, label="x")),
        example,
        lambda: autograd.dot([Value(1.0), Value(2.0)], [3.0, Value(4.0)]).sigmoid(),
    ],
)
def test_there_are_two_more_frames_than_values(build):
    root = build()
    assert len(walkthrough(root)) == len(topological_order(root)) + 2


def test_frame_zero_has_forward_values_and_blank_gradients():
    root = example()
    root.backward()  # even with gradients in the graph, the walkthrough starts blank
    frame = walkthrough(root)[0]
    assert set(shown_grads(frame).values()) == {""}
    assert "c = a * b = 6" in frame.steps and "d = #4 + a = -15" in frame.steps


def test_one_frame_per_value_in_backward_order_then_all_gradients():
    root = example()
    walk = walkthrough(root)
    names = ["d", "#4", "e", "c", "b", "a"]  # reversed topological order: a, b, c, e, c*e, d
    assert [frame.title for frame in walk[1:-1]] == [
        f"Backward step {k} of 6: {name}" for k, name in enumerate(names, start=1)
    ]
    assert walk[-1].steps[1:] == ("a.grad = -5", "b.grad = -9", "e.grad = 6")
    assert [frame.current for frame in walk[1:-1]] == [5, 4, 3, 2, 1, 0]
    assert walk[-1].grads == (-5.0, -9.0, -3.0, 6.0, 1.0, 1.0)  # a: 2 * -3 + 1; b: 3 * -3; c: e; e: c


def test_each_step_states_the_rule_with_numbers_then_the_product():
    c_frame = walkthrough(example())[4]
    assert c_frame.steps == (
        "c.grad = -3 is final (one use).",
        "d(a × b)/da = b = 2",
        "a.grad += 2 × (-3) = -6",
        "d(a × b)/db = a = 3",
        "b.grad += 3 × (-3) = -9",
    )


def test_the_issues_tanh_example():
    # o = tanh(n) with o = 0.7071: d tanh(n)/dn = 1 - o² = 0.5, the lecture's neuron.
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = labelled(x * w + b, "n")
    o = labelled(n.tanh(), "o")
    steps = walkthrough(o)[1].steps
    assert steps[1:] == ("d tanh(n)/dn = 1 − o² = 1 − 0.7071² = 0.5", "n.grad += 0.5 × 1 = 0.5")


def test_at_a_fork_the_uses_add_up():
    x = Value(1.0, label="x")
    o = labelled(labelled(x * 0.5, "p") + labelled(x * 0.25, "q"), "o")
    walk = walkthrough(o)
    x_frame = next(frame for frame in walk if frame.title.endswith(": x"))
    assert x_frame.steps[0] == "x.grad = 0.25 + 0.5 = 0.75 (two uses)"  # q is visited first (reversed order)


def test_a_value_used_twice_in_one_op_gets_both_shares():
    x = Value(3.0, label="x")
    y = labelled(x * x, "y")  # dy/dx = 2x = 6, in two contributions of 3
    walk = walkthrough(y)
    assert walk[1].steps[1:] == ("d(x × x)/dx = x = 3", "x.grad += 3 × 1 = 3") * 2
    assert walk[2].steps[0] == "x.grad = 3 + 3 = 6 (two uses)"


def test_shown_arithmetic_that_does_not_add_up_says_it_is_rounded():
    x = Value(1.0, label="x")
    n = labelled(x / 3, "n")  # local 1/3, shown 0.3333
    o = labelled(n * 3, "o")  # n.grad = 3
    n_frame = walkthrough(o)[2]
    assert n_frame.steps[2] == "x.grad += 0.3333 × 3 ≈ 1"  # 0.3333 × 3 = 0.9999 at 4 digits
    # 1 - 0.9993² = 0.0014, not the 0.001341 that 1 - tanh(-4)² is: the rule says it is rounded.
    y = labelled(Value(-4.0, label="v").tanh(), "y")
    assert walkthrough(y)[1].steps[1] == "d tanh(v)/dv = 1 − y² = 1 − (-0.9993)² ≈ 0.001341"


def test_digits_sets_the_significant_digits_and_none_gives_repr():
    x = Value(2.0, label="x")
    o = labelled(x / 3, "o")
    assert walkthrough(o, digits=2)[0].steps[2] == "o = x / 3 = 0.67"
    assert walkthrough(o, digits=None)[0].steps[2] == f"o = x / 3.0 = {2 / 3!r}"
    for bad in (0, -1, 2.5, True, "4"):
        with pytest.raises(ValueError, match=f"digits must be a positive int .* got {bad!r}"):
            walkthrough(o, digits=bad)


def _cube(x):
    return x**3, (3 * x**2,)


CUBE = op("cube")(_cube)
ATANH_06 = math.atanh(0.6)  # tanh = 0.6 exactly enough: 1 - 0.36 = 0.64


# Every built-in op's rule at a point where the numbers are worked out by hand (closed forms).
RULES = [
    (lambda n: n.tanh(), [ATANH_06], "d tanh(n)/dn = 1 − o² = 1 − 0.6² = 0.64"),
    (lambda n: n.sigmoid(), [math.log(3)], "d sigmoid(n)/dn = o × (1 − o) = 0.75 × (1 − 0.75) = 0.1875"),
    (lambda n: n.exp(), [math.log(2)], "d exp(n)/dn = o = 2"),
    (lambda n: n.log(), [4.0], "d log(n)/dn = 1 / n = 1 / 4 = 0.25"),
    (lambda n: n.sqrt(), [4.0], "d sqrt(n)/dn = 0.5 / o = 0.5 / 2 = 0.25"),
    (lambda n: n.sin(), [0.0], "d sin(n)/dn = cos(n) = cos(0) = 1"),
    (lambda n: n.cos(), [math.pi / 2], "d cos(n)/dn = −sin(n) = −sin(1.571) = -1"),
    (lambda n: n.relu(), [2.0], "d relu(n)/dn = 1 (as n > 0: 2 > 0)"),
    (lambda n: n.relu(), [-1.0], "d relu(n)/dn = 0 (as n ≤ 0: -1 ≤ 0)"),
    (lambda n: n.leaky_relu(0.1), [-2.0], "d leaky_relu(n)/dn = 0.1 (as n ≤ 0: -2 ≤ 0)"),
    (lambda n: n.elu(), [0.0], "d elu(n)/dn = 1 × exp(n) = 1 × exp(0) = 1 (as n ≤ 0: 0 ≤ 0)"),
    (lambda n: n.softplus(), [0.0], "d softplus(n)/dn = σ(n) = σ(0) = 0.5"),
    (lambda n: n.abs(), [-2.0], "d abs(n)/dn = -1 (as n < 0: -2 < 0)"),
    (lambda n: -n, [2.0], "d(-n)/dn = -1"),
    (lambda n: n + 0.5, [2.0], "d(n + 0.5)/dn = 1"),
    (lambda n: n - 0.8, [2.0], "d(n − 0.8)/dn = 1"),
    (lambda n: 0.8 - n, [2.0], "d(0.8 − n)/dn = -1"),
    (lambda n: n * 3, [2.0], "d(n × 3)/dn = 3"),
    (lambda n: n / 4, [2.0], "d(n / 4)/dn = 0.25"),
    (lambda n: 3 / n, [2.0], "d(3 / n)/dn = −o / n = −1.5 / 2 = -0.75"),
    (lambda n: n**3, [2.0], "d(n³)/dn = 3 × n² = 3 × 2² = 12"),
    (lambda n: 2**n, [3.0], "d(2^n)/dn = o × ln(2) = 8 × ln(2) = 5.545"),  # 8 ln 2 = 5.5452
    (lambda a, b: a + b, [1.0, 2.0], "d(a + b)/da = 1"),
    (lambda a, b: a - b, [1.0, 2.0], "d(a − b)/da = 1"),
    (lambda a, b: a * b, [3.0, 2.0], "d(a × b)/da = b = 2"),
    (lambda a, b: a / b, [3.0, 2.0], "d(a / b)/da = 1 / b = 1 / 2 = 0.5"),
    (lambda a, b: a**b, [2.0, 3.0], "d(a^b)/da = b × a^(b − 1) = 3 × 2^(3 − 1) = 12"),
    (
        lambda a, b: autograd.sum([a, b]),
        [1.0, 2.0],
        "d sum(a, b)/da = 1 (each term of a sum has local derivative 1)",
    ),
    (
        lambda a, b: autograd.dot([a], [b]),
        [3.0, 2.0],
        "d dot(a, b)/da = 2 (each factor's local derivative is the factor it multiplies)",
    ),
    (
        lambda a, b: autograd.max([a, b]),
        [1.0, 3.0],
        "d max(a, b)/da = 0 (the largest input gets 1, shared at a tie; the others 0)",
    ),
    # sech²(0.5) = 0.78645, -2 tanh(0.5) sech²(0.5) = -0.72686; with the shown 0.7864: -0.72682, so ≈.
    (
        lambda n: autograd.derivatives.sech2(n),
        [0.5],
        "d sech2(n)/dn = -2 × tanh(n) × o = -2 × tanh(0.5) × 0.7864 ≈ -0.7269",
    ),
    (lambda n: CUBE(n), [2.0], "d cube(n)/dn = 12 (from cube's own rule)"),
]


@pytest.mark.parametrize(("build", "inputs", "rule"), RULES, ids=[rule for _, _, rule in RULES])
def test_every_op_shows_its_rule_with_the_numbers(build, inputs, rule):
    names = "n" if len(inputs) == 1 else "ab"
    values = [Value(x, label=name) for x, name in zip(inputs, names)]
    o = labelled(build(*values), "o")
    assert walkthrough(o)[1].steps[1] == rule


def test_a_test_on_nan_is_not_read_the_other_way_round():
    o = labelled(Value(math.nan, label="n").relu(), "o")  # nan <= 0 is false, and so is nan > 0
    assert walkthrough(o)[1].steps[1] == "d relu(n)/dn = 1 (as not (n ≤ 0): not (nan ≤ 0))"


def test_folded_constants_have_the_shown_digits():
    o = labelled(Value(2.0, label="x") * 1e10, "o")
    assert walkthrough(o)[0].steps[2] == "o = x * 1e+10 = 2e+10"
    assert walkthrough(labelled(Value(2.0, label="x") - -0.5, "o"))[0].steps[2] == "o = x - (-0.5) = 2.5"


def test_the_second_input_of_binary_ops_has_its_own_rule():
    a, b = Value(3.0, label="a"), Value(2.0, label="b")
    assert walkthrough(labelled(a / b, "o"))[1].steps[3] == "d(a / b)/db = −o / b = −1.5 / 2 = -0.75"
    assert walkthrough(labelled(a - b, "o"))[1].steps[3] == "d(a − b)/db = -1"


def test_forward_adds_one_frame_per_computed_value_in_topological_order():
    root = example()
    plain, walk = walkthrough(root), walkthrough(root, forward=True)
    computed = [i for i, node in enumerate(topological_order(root)) if node.parents]  # c, #4, d
    assert len(walk) == len(plain) + len(computed)
    forward = walk[1 : 1 + len(computed)]
    assert [frame.current for frame in forward] == computed
    assert [frame.title for frame in forward] == [
        "Forward step 1 of 3: c",
        "Forward step 2 of 3: #4",
        "Forward step 3 of 3: d",
    ]
    assert forward[1].steps[0] == "#4 = c * e = 6 * (-3) = -18"
    assert walk[1 + len(computed)].title == "Backward step 1 of 6: d"
    assert all(grad is None for frame in forward for grad in frame.grads)
    legend = forward[0].drawing.source.split("label=<<table")[1]
    assert "computed in this step" in legend and "used in this step" in legend
    assert "computed in this step" not in plain[0].drawing.source


def test_the_root_and_the_leaves_say_what_they_are():
    walk = walkthrough(example())
    assert walk[1].steps[0].startswith("d.grad = 1: the output's gradient")
    assert walk[3].steps == (
        "e.grad = 6 is final (one use).",
        "e is a leaf, so nothing is passed on: d(d)/d(e) = 6.",
    )


def test_each_backward_frame_highlights_its_node_and_the_parents_it_feeds():
    frame = walkthrough(example())[4]  # c = a * b
    source = frame.drawing.source
    fills = dict(re.findall(r'^\t(n\d+) \[.*fillcolor="([^"]+)"', source, re.MULTILINE))
    assert fills["n0"] == fills["n1"] != fills["n2"]  # a and b receive, c sends
    assert len({fills["n2"], fills["n0"], fills["n3"]}) == 3
    assert "penwidth=2" in re.search(r"^\top2 \[.*$", source, re.MULTILINE)[0]


def test_gradients_appear_only_once_they_have_arrived():
    grads = walkthrough(example())[2].grads  # after d and c*e have passed theirs on
    assert grads == (1.0, None, -3.0, 6.0, 1.0, 1.0)


def test_the_users_gradients_are_left_alone(tmp_path):
    root = example()
    for i, node in enumerate(topological_order(root)):
        node.grad = 100.0 + i
    before = [node.grad for node in topological_order(root)]
    walk = walkthrough(root, quiz=True)
    walk.save(tmp_path / "walk.html")
    assert [node.grad for node in topological_order(root)] == before


def test_unlabelled_and_repeated_labels_get_distinct_names():
    x, y = Value(1.0, label="w"), Value(2.0, label="w")
    walk = walkthrough(x * y + 1.0)
    assert "w#0 = 1" in walk[0].steps and "w#1 = 2" in walk[0].steps
    assert "#2 = w#0 * w#1 = 2" in walk[0].steps
    assert "#3 = #2 + 1 = 3" in walk[0].steps


def test_a_graph_over_max_nodes_is_refused():
    x = Value(0.1, label="x")
    for _ in range(100):
        x = x.tanh()
    with pytest.raises(ValueError, match="101 nodes, more than max_nodes=100"):
        walkthrough(x, max_nodes=100)
    assert len(walkthrough(x, max_nodes=101)) == 103


# The quiz.


def test_the_quiz_asks_every_value_but_the_root_in_backward_order():
    walk = walkthrough(example(), quiz=True)
    asked = [(q.name, q.grad) for q in walk.questions]
    assert asked == [("#4", 1.0), ("e", 6.0), ("c", -3.0), ("b", -9.0), ("a", -5.0)]
    assert walkthrough(example()).questions == []


def test_a_quiz_hides_the_products_that_would_give_answers_away():
    walk = walkthrough(example(), quiz=True)
    assert not any("+=" in step for frame in walk for step in frame.steps)
    a_frame = next(frame for frame in walk if frame.title.endswith(": a"))
    assert a_frame.steps[0] == "a.grad = 1 × 1 + 2 × (-3) = -5 (two uses)"  # the answer, worked out
    assert walk[2].grads == (None, None, None, None, 1.0, 1.0)  # only final gradients are shown
    for frame in walk:  # the page hides a question's first line: no other line may hold its answer
        if frame.question is not None:
            answer = frame.question.shown
            assert all(
                not re.search(rf"(?<![\d.]){re.escape(answer)}(?![\d.])", step) for step in frame.steps[1:]
            )


def test_quiz_answers_within_half_a_percent_are_right_and_wrong_ones_get_the_rules_hint():
    a = next(q for q in walkthrough(example(), quiz=True).questions if q.name == "a")  # -5 = 2 × -3 + 1
    assert a.grade(-5.0) is None and a.grade(-5.02) is None and a.grade(-4.98) is None
    assert a.grade(-5.03) is not None
    assert "a use is left out" in a.grade(-6.0)  # only c's share
    assert "a use is left out" in a.grade(1.0)  # only d's share
    assert "local derivative is missing" in a.grade(-3.0)  # c.grad alone
    assert "upstream gradient is missing" in a.grade(2.0)  # d(c)/d(a) alone
    assert a.grade(17.0).startswith("Check the rule")


# The page.


def test_save_writes_one_self_contained_page_with_one_drawing(tmp_path):
    walk = walkthrough(example())
    page = walk.save(tmp_path / "walk.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1
    ET.fromstring(re.search(r"<svg\b.*?</svg>", page, re.DOTALL)[0])  # well-formed
    data = page_data(page)
    assert len(data["frames"]) == len(walk)
    assert [frame["title"] for frame in data["frames"]] == [frame.title for frame in walk]
    assert data["frames"][4]["steps"][2] == "a.grad += 2 × (-3) = -6"
    for word in (
        'id="next"',
        'id="prev"',
        'id="play"',
        'id="speed"',
        'id="fit"',
        'id="actual"',
        "ArrowRight",
    ):
        assert word in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script src" not in page and "<link" not in page and "<img" not in page
    # The only addresses are XML namespace names, which are never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }


def test_each_frame_of_the_page_lists_only_the_gradients_that_changed():
    walk = walkthrough(example())
    data = page_data(walk.page())
    assert data["frames"][0]["grads"] == {str(i): "grad" for i in range(6)}
    assert data["frames"][2]["grads"] == {"2": "grad -3", "3": "grad 6"}  # #4 passed to c and e
    assert data["nodes"][2] == {"name": "c", "id": "n2", "op": "op2", "final": 4}


def test_no_label_can_close_the_script_or_break_the_page():
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = labelled(x * 2, "<!-- & ]]> \u2028")
    page = walkthrough(y).page()
    blob = re.search(
        r'<script type="application/json" id="walkthrough-data">(.*?)</script>', page, re.DOTALL
    )[1]
    assert "<" not in blob and ">" not in blob and "\u2028" not in blob
    assert page.count("</script>") == 2  # the data's and the script's own
    assert page_data(page)["nodes"][0]["name"] == "</script><script>alert(1)</script>"


@pytest.mark.slow
def test_a_1000_value_page_stays_small(tmp_path):
    # A small MLP's loss over a batch: the graphs people draw. (dot takes ~20 s on the shared test machine.)
    rng = random.Random(0)
    model = nn.MLP(2, [4, 4, 1], rng=random.Random(1))
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(33)]  # inputs shared: 30 values a point
    loss = nn.mse_loss([model(x) for x in X], [rng.uniform(-1, 1) for _ in X])
    count = len(topological_order(loss))
    assert count == 1029
    page = walkthrough(loss, max_nodes=count, timeout=300).save(tmp_path / "big.html")
    assert page.stat().st_size < 5_000_000
    assert page.read_text(encoding="utf-8").count("<svg") == 1


def test_bad_options_are_refused_with_what_is_allowed():
    with pytest.raises(ValueError, match="unknown rankdir 'XY'; expected one of LR, TB, RL, BT"):
        walkthrough(example(), rankdir="XY")
    with pytest.raises(TypeError, match=r"walkthrough takes a Value, got float: 1\.0"):
        walkthrough(1.0)
    with pytest.raises(ValueError, match="no graph to draw"):
        Walkthrough([], "nothing").page()


def test_save_wants_an_html_name(tmp_path):
    with pytest.raises(ValueError, match=r"'.*walk.svg' should end in .html"):
        walkthrough(Value(1.0)).save(tmp_path / "walk.svg")


def test_a_failed_save_leaves_the_old_page(tmp_path, monkeypatch):
    target = tmp_path / "walk.html"
    target.write_text("old page")
    monkeypatch.setenv("GRADWALK_DOT", str(tmp_path / "missing-dot"))
    with pytest.raises(RenderError):
        walkthrough(example()).save(target)
    assert target.read_text() == "old page"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["walk.html"]


# Time limit.


@pytest.fixture
def slow_renderer(tmp_path, monkeypatch):
    """A renderer that takes 3 s for each drawing, then runs the real one."""
    real = autograd.render.find_renderer()
    script = tmp_path / "slow-dot"
    script.write_text(f'#!/bin/sh\nsleep 3\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("GRADWALK_DOT", str(script))


@pytest.mark.slow
def test_one_time_limit_for_the_whole_walkthrough(slow_renderer, tmp_path, capsys):
    walk = walkthrough(example(), timeout=1.5)
    with pytest.raises(RenderError, match=r"within the time limit of 1\.5 s"):
        walk.save(tmp_path / "walk.html")
    with pytest.raises(RenderError, match="within the time limit of 4 s"):
        walk.save_frames(tmp_path / "frames", timeout=4)  # 8 frames of 3 s each: over the limit at the second
    assert not (tmp_path / "walk.html").exists()


@pytest.mark.slow
def test_slow_rendering_reports_progress(slow_renderer, tmp_path, capsys):
    walkthrough(example()).save(tmp_path / "walk.html")
    err = capsys.readouterr().err
    assert "gradwalk: rendering the walkthrough's drawing (6 values): 2 s of at most 60 s" in err


def test_timeout_must_be_positive():
    for bad in (0, -1.0, math.nan):
        with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
            walkthrough(example(), timeout=bad)
    with pytest.raises(TypeError, match="timeout must be a number of seconds"):
        walkthrough(example(), timeout="60")


# Images and slides.


def png_size(path):
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG")
    return struct.unpack(">II", data[16:24])


def test_save_frames_writes_one_image_per_frame(tmp_path):
    walk = walkthrough(example())
    paths = walk.save_frames(tmp_path / "frames")
    assert [path.name for path in paths] == [f"frame-{i}.svg" for i in range(8)]
    for path in paths:
        ET.parse(path)  # well-formed SVG
    pngs = walkthrough(Value(2.0, label="x") * 3).save_frames(tmp_path / "png", "png")
    assert len(pngs) == 4 and all(path.read_bytes().startswith(b"\x89PNG") for path in pngs)
    with pytest.raises(ValueError, match="unknown image format 'gif'"):
        walk.save_frames(tmp_path, "gif")


def test_slides_are_exactly_the_size_asked(tmp_path):
    pytest.importorskip("PIL", reason="PNG slides need Pillow (the test extra installs it)")
    walk = walkthrough(example())
    pngs = walk.save_frames(tmp_path / "slides", "png", size=(1920, 1080))
    assert len(pngs) == len(walk) and all(png_size(path) == (1920, 1080) for path in pngs)
    svg = walk.save_frames(tmp_path / "svg", "svg", size=(1280, 720))[4]
    root = ET.parse(svg).getroot()
    assert (root.get("width"), root.get("height")) == ("1280", "720")
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "Backward step 4 of 6: c" and "a.grad += 2 × (-3) = -6" in texts
    with pytest.raises(ValueError, match=r"slides .* svg or png, not 'pdf'"):
        walk.save_frames(tmp_path, "pdf", size=(1920, 1080))
    with pytest.raises(ValueError, match=r"size must be \(width, height\)"):
        walk.save_frames(tmp_path, "png", size=(1920.0, 1080))


# Text and notebooks.


def test_the_text_of_a_walkthrough_is_printable():
    walk = walkthrough(example())
    assert isinstance(walk, Walkthrough)
    assert str(walk).startswith("[frame 0] Forward pass")
    assert "[frame 7] All gradients" in str(walk)
    assert repr(walk) == "<Walkthrough of 8 frames: backward pass of d>"


def test_in_a_notebook_a_walkthrough_is_its_page_and_a_frame_its_picture():
    walk = walkthrough(example(), quiz=True)
    shown = walk._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in shown
    assert "&lt;svg" in shown and "walkthrough-data" in shown
    frame = walk[4]._repr_html_()
    assert "<svg" in frame and "<h4>Backward step 4 of 6: c</h4>" in frame


def test_without_a_renderer_a_notebook_shows_why(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWALK_DOT", str(tmp_path / "missing-dot"))
    assert "GRADWALK_DOT is set to" in walkthrough(example())._repr_html_()


# Digits in the drawing.


def test_the_drawing_and_the_page_have_the_walkthroughs_digits():
    x = Value(2.0, label="x")
    o = labelled(x / 3, "o")  # o = 2/3, d(o)/d(x) = 1/3
    source = walkthrough(o, digits=2)[2].drawing.source
    assert r"data 0.67\ngrad 1" in source and "n0 -> op1 [label=0.33]" in source
    assert "0.6667" not in source and "0.3333" not in source
    exact = walkthrough(o, digits=None)[-1].drawing.source
    assert rf"data {2 / 3!r}\ngrad 1.0" in exact and rf"grad {1 / 3!r}" in exact
    page = walkthrough(o, digits=2).page()
    assert "0.6667" not in page and "0.3333" not in page  # the page's drawing too
    assert page_data(page)["frames"][1]["grads"] == {"0": "grad 0.33", "1": "grad 1"}


# The forward pass, value by value.


def shown_data(frame):
    """{node id: the data text in its label} from the frame's DOT ('' when blank)."""
    labels = dict(re.findall(r'^\t(n\d+) \[label="((?:[^"\\]|\\.)*)"', frame.drawing.source, re.MULTILINE))
    return {node: re.search(r"data ?([^\\]*)", label)[1] for node, label in labels.items()}


def test_forward_frames_reveal_each_value_as_it_is_computed():
    # a, b, c = a*b, e, #4 = c*e, d = #4 + a: leaves 3, 2, -3; then c = 6, #4 = -18, d = -15.
    walk = walkthrough(example(), forward=True)
    leaves = {"n0": "3", "n1": "2", "n3": "-3"}
    assert shown_data(walk[0]) == leaves | {"n2": "", "n4": "", "n5": ""}
    assert walk[0].steps == (
        "The inputs, parameters and constants:",
        "a = 3",
        "b = 2",
        "e = -3",
        "Each forward step computes one value from its inputs, 3 in all.",
    )
    assert shown_data(walk[1]) == leaves | {"n2": "6", "n4": "", "n5": ""}
    assert shown_data(walk[2]) == leaves | {"n2": "6", "n4": "-18", "n5": ""}
    assert shown_data(walk[3]) == leaves | {"n2": "6", "n4": "-18", "n5": "-15"}
    assert shown_data(walk[4]) == shown_data(walk[3])  # backward: every value
    data = page_data(walk.page())
    assert data["frames"][0]["values"] == {"2": "data", "4": "data", "5": "data"}
    assert [frame.get("values") for frame in data["frames"][1:5]] == [
        {"2": "data 6"},
        {"4": "data -18"},
        {"5": "data -15"},
        None,
    ]
    plain = page_data(walkthrough(example()).page())
    assert not any("values" in frame for frame in plain["frames"])  # the drawing's own data, throughout


# Big graphs: collapsed as draw collapses them.


def batch_loss(samples):
    model = nn.MLP(2, [3, 1], activation="tanh", output_activation=None, rng=random.Random(0))
    points = [[0.1 * s, -0.2 * s] for s in range(samples)]
    return autograd.sum([(model(x) - 0.5) ** 2 for x in points])


def module_nodes(source):
    """{module node id: its label} for each collapsed module of a DOT text."""
    return dict(re.findall(r'^\t+(m\d+) \[label="((?:[^"\\]|\\.)*)"', source, re.MULTILINE))


def test_over_max_nodes_the_walkthrough_is_drawn_collapsed_at_the_finest_level_that_fits():
    loss = batch_loss(2)
    order = topological_order(loss)
    neurons = autograd.draw(loss, collapse=2)  # each neuron one node: 17 of 44 values drawn
    walk = walkthrough(loss, max_nodes=neurons.node_count)
    assert len(walk) == len(order) + 2  # every value still has its frame
    source = walk[0].drawing.source
    assert walk[0].drawing.node_count == neurons.node_count
    assert module_nodes(source).keys() == module_nodes(neurons.source).keys()
    assert (
        f"{len(order)} values, more than max_nodes={neurons.node_count}: "
        "drawn with the modules 2 levels down collapsed" in source
    )
    layers = walkthrough(loss, max_nodes=neurons.node_count - 1)[0].drawing
    assert "1 level down collapsed" in layers.source
    assert layers.node_count == autograd.draw(loss, collapse=1).node_count


def test_a_value_inside_a_collapsed_module_is_shown_on_its_modules_node():
    loss = batch_loss(2)
    order = topological_order(loss)
    walk = walkthrough(loss, collapse="neurons")
    loss.backward()  # the engine's gradients: the reference for what the frames show
    # The first hidden neuron's output in the first sample: tanh of its pre-activation.
    neuron = next(i for i, node in enumerate(order) if node.op == "tanh")
    frame = next(frame for frame in walk if frame.kind == "backward" and frame.current == neuron)
    assert frame.title.endswith(f": #{neuron}") and frame.steps[0].startswith(f"#{neuron}.grad = ")
    modules = module_nodes(frame.drawing.source)
    holder = next(m for m, label in modules.items() if label.startswith("layers.0.neurons.0\\n"))
    line = rf"data {order[neuron].data:.4g}  grad {order[neuron].grad:.4g}"
    assert line in modules[holder]
    fills = dict(re.findall(r'^\t+(m\d+) \[.*fillcolor="([^"]+)"', frame.drawing.source, re.MULTILINE))
    assert fills[holder] == "#fdba74"  # this step's node
    assert all(fill == "#ede9fe" for m, fill in fills.items() if m != holder)
    # Its pre-activation, inside the same module: the same node highlighted, the text names it.
    inner = order[neuron].parents[0]
    frame = next(f for f in walk if f.kind == "backward" and f.current == order.index(inner))
    assert f"d tanh(#{order.index(inner)})/d#{order.index(inner)}" not in frame.steps[1]
    assert frame.title.endswith(f": #{order.index(inner)}")
    fills = dict(re.findall(r'^\t+(m\d+) \[.*fillcolor="([^"]+)"', frame.drawing.source, re.MULTILINE))
    assert fills[holder] == "#fdba74"


def test_the_page_of_a_collapsed_walkthrough_knows_which_node_shows_each_value():
    loss = batch_loss(2)
    order = topological_order(loss)
    walk = walkthrough(loss, collapse="neurons")
    data = page_data(walk.page())
    neuron = next(i for i, node in enumerate(order) if node.op == "tanh")
    shown = data["nodes"][neuron]
    assert shown["id"] in data["modules"] and shown["op"] is None and shown["line"] == 0
    inner = data["nodes"][order.index(order[neuron].parents[0])]
    assert inner["id"] == shown["id"] and "line" not in inner  # not an output: no line of its own
    # A click on the module goes to the frame where its output's gradient is final.
    assert data["modules"][shown["id"]] == shown["final"]
    assert data["frames"][shown["final"]]["title"].endswith(f": #{neuron}")
    assert data["nodes"][-1] == {"name": "#43", "id": "n43", "op": "op43", "final": 1}  # the loss: drawn


def test_refused_only_when_even_every_module_collapsed_is_too_many():
    loss = batch_loss(2)
    smallest = autograd.draw(loss, collapse=0).node_count
    with pytest.raises(GraphTooLargeError) as refused:
        walkthrough(loss, max_nodes=smallest - 1)
    assert f"more than max_nodes={smallest - 1}" in str(refused.value)
    assert f"pass max_nodes={smallest}" in str(refused.value)
    assert len(walkthrough(loss, max_nodes=smallest)) == len(topological_order(loss)) + 2


def test_group_and_collapse_are_draws():
    loss = batch_loss(1)
    boxed = walkthrough(loss)[0].drawing.source
    assert "subgraph cluster_" in boxed and "layers.0.neurons.2: Neuron(" in boxed
    assert "subgraph cluster_" not in walkthrough(loss, group=False)[0].drawing.source
    assert len(module_nodes(walkthrough(loss, collapse="layers")[0].drawing.source)) == 2
    with pytest.raises(ValueError, match=r"no module call named 'layers\.7'"):
        walkthrough(loss, collapse=["layers.7"])
