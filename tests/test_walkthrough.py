"""autograd.walkthrough: the frames, the chain-rule text, and the saved page and images."""

import re
import xml.etree.ElementTree as ET

import pytest

import autograd
from autograd import Value, Walkthrough, topological_order, walkthrough


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
    assert r"c\ndata 6\ngrad" in frame.drawing.source  # 4 significant digits, as every drawing
    assert "c = a * b = 6.0" in frame.steps and "d = #4 + a = -15.0" in frame.steps


def test_one_frame_per_value_in_backward_order_then_all_gradients():
    root = example()
    walk = walkthrough(root)
    names = ["d", "#4", "e", "c", "b", "a"]  # reversed topological order: a, b, c, e, c*e, d
    assert [frame.title for frame in walk[1:-1]] == [
        f"Backward step {k} of 6: {name}" for k, name in enumerate(names, start=1)
    ]
    assert walk[-1].steps[1:] == ("a.grad = -5.0", "b.grad = -9.0", "e.grad = 6.0")
    assert shown_grads(walk[-1]) == {
        "n0": "-5",  # a: 2 * -3 + 1
        "n1": "-9",  # b: a * c.grad = 3 * -3
        "n2": "-3",  # c: e
        "n3": "6",  # e: c
        "n4": "1",
        "n5": "1",
    }


def test_each_step_states_the_chain_rule_in_words_and_numbers():
    root = example()
    c_frame = walkthrough(root)[4]
    assert c_frame.steps[0] == "c.grad = -3.0 is final: every node using c has added its share."
    assert "a.grad += 2.0 (local d(c)/d(a)) × -3.0 (c.grad) = -6.0, so a.grad is now -5.0" in c_frame.steps[2]
    assert c_frame.steps[3] == "b.grad += 3.0 (local d(c)/d(b)) × -3.0 (c.grad) = -9.0, so b.grad is now -9.0"


def test_the_issues_example_line_for_a_node_used_once():
    a, b = Value(-1.0, label="a"), Value(2.0, label="b")
    c = labelled(a * b, "c")
    d = labelled(c * -3.0, "d")  # c.grad = -3
    steps = walkthrough(d)[2].steps
    assert "a.grad += 2.0 (local d(c)/d(a)) × -3.0 (c.grad) = -6.0, so a.grad is now -6.0" in steps


def test_a_value_used_twice_accumulates_its_gradient():
    x = Value(3.0, label="x")
    y = labelled(x * x, "y")  # dy/dx = 2x = 6, in two contributions of 3
    steps = walkthrough(y)[1].steps
    assert steps[2] == "x.grad += 3.0 (local d(y)/d(x)) × 1.0 (y.grad) = 3.0, so x.grad is now 3.0"
    assert steps[3].startswith("x.grad += 3.0 (local d(y)/d(x)) × 1.0 (y.grad) = 3.0, so x.grad is now 6.0")
    assert "used again" in steps[3]


def test_the_root_and_the_leaves_say_what_they_are():
    root = example()
    walk = walkthrough(root)
    assert walk[1].steps[0].startswith("d.grad = 1.0")
    assert walk[3].steps == (
        "e.grad = 6.0 is final: every node using e has added its share.",
        "e is a leaf, so nothing is passed on: d(d)/d(e) = 6.0.",
    )


def test_each_backward_frame_highlights_its_node_and_the_parents_it_feeds():
    root = example()
    frame = walkthrough(root)[4]  # c = a * b
    source = frame.drawing.source
    fills = dict(re.findall(r'^\t(n\d+) \[.*fillcolor="([^"]+)"', source, re.MULTILINE))
    assert fills["n0"] == fills["n1"] != fills["n2"]  # a and b receive, c sends
    assert len({fills["n2"], fills["n0"], fills["n3"]}) == 3
    assert "penwidth=2" in re.search(r"^\top2 \[.*$", source, re.MULTILINE)[0]


def test_gradients_appear_only_once_they_have_arrived():
    root = example()
    grads = shown_grads(walkthrough(root)[2])  # after d and c*e have passed theirs on
    assert grads == {
        "n0": "1",
        "n1": "",
        "n2": "-3",
        "n3": "6",
        "n4": "1",
        "n5": "1",
    }


def test_the_users_gradients_are_left_alone(tmp_path):
    root = example()
    for i, node in enumerate(topological_order(root)):
        node.grad = 100.0 + i
    before = [node.grad for node in topological_order(root)]
    walk = walkthrough(root)
    walk.save(tmp_path / "walk.html")
    assert [node.grad for node in topological_order(root)] == before


def test_unlabelled_and_repeated_labels_get_distinct_names():
    x, y = Value(1.0, label="w"), Value(2.0, label="w")
    walk = walkthrough(x * y + 1.0)
    assert "w#0 = 1.0" in walk[0].steps and "w#1 = 2.0" in walk[0].steps
    assert "#2 = w#0 * w#1 = 2.0" in walk[0].steps
    assert "#3 = #2 + 1 = 3.0" in walk[0].steps


def test_a_graph_over_max_nodes_is_refused():
    x = Value(0.1, label="x")
    for _ in range(100):
        x = x.tanh()
    with pytest.raises(ValueError, match="101 nodes, more than max_nodes=100"):
        walkthrough(x)
    assert len(walkthrough(x, max_nodes=101)) == 103


def test_save_writes_one_self_contained_page(tmp_path):
    root = example()
    walk = walkthrough(root)
    page = walk.save(tmp_path / "walk.html").read_text(encoding="utf-8")
    assert page.count('<section class="frame"') == len(walk) == page.count("<svg")
    assert 'id="next"' in page and 'id="prev"' in page and 'type="range"' in page and "ArrowRight" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script src" not in page and "<link" not in page and "<img" not in page
    # The only addresses are XML namespace names, which are never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "a.grad += 2.0 (local d(c)/d(a)) × -3.0 (c.grad) = -6.0" in page


def test_save_wants_an_html_name(tmp_path):
    with pytest.raises(ValueError, match=r"'.*walk.svg' should end in .html"):
        walkthrough(Value(1.0)).save(tmp_path / "walk.svg")


def test_save_frames_writes_one_image_per_frame(tmp_path):
    root = example()
    walk = walkthrough(root)
    paths = walk.save_frames(tmp_path / "frames")
    assert [path.name for path in paths] == [f"frame-{i}.svg" for i in range(8)]
    for path in paths:
        ET.parse(path)  # well-formed SVG
    pngs = walkthrough(Value(2.0, label="x") * 3).save_frames(tmp_path / "png", "png")
    assert len(pngs) == 4 and all(path.read_bytes().startswith(b"\x89PNG") for path in pngs)
    with pytest.raises(ValueError, match="unknown image format 'gif'"):
        walk.save_frames(tmp_path, "gif")


def test_the_text_of_a_walkthrough_is_printable():
    walk = walkthrough(example())
    assert isinstance(walk, Walkthrough)
    assert str(walk).startswith("[frame 0] Forward pass")
    assert "[frame 7] All gradients" in str(walk)
    assert repr(walk) == "<Walkthrough of 8 frames: backward pass of d>"
