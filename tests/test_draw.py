"""autograd.draw: the DOT text, label safety with both renderers, saving, the node cap."""

import itertools
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import autograd
from autograd import Drawing, RenderError, Value, draw

SYSTEM_DOT = shutil.which("dot")
GRAPHVIZ_PURE = shutil.which("graphviz-pure", path=sysconfig.get_path("scripts")) or shutil.which(
    "graphviz-pure"
)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(
    params=[
        pytest.param(
            SYSTEM_DOT, id="dot", marks=pytest.mark.skipif(SYSTEM_DOT is None, reason="no system dot")
        ),
        pytest.param(GRAPHVIZ_PURE, id="graphviz-pure"),
    ]
)
def renderer(request, monkeypatch):
    """Each renderer in turn, chosen with GRADWALK_DOT."""
    monkeypatch.setenv("GRADWALK_DOT", request.param)
    return request.param


def small_graph():
    """d = a*b + c with a=2, b=-3, c=10, after backward: by hand, a.grad=-3, b.grad=2, c.grad=1."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    d = a * b + c
    d.label = "d"
    d.backward()
    return d


def node_statements(source):
    """{node id: its attribute text} for the node statements of a DOT source."""
    return dict(re.findall(r"^\t(\w+) \[(.*)\]$", source, re.MULTILINE))


def edges(source):
    return re.findall(r"^\t(\w+) -> (\w+)", source, re.MULTILINE)


def svg_texts(svg_bytes):
    """All text in the SVG's <text> elements; parsing also proves it is well-formed XML."""
    root = ET.fromstring(svg_bytes)
    return ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]


# --- DOT structure -----------------------------------------------------------


def test_every_value_is_a_node_with_name_data_and_grad():
    nodes = node_statements(draw(small_graph()).source)
    assert nodes["n0"].startswith(r'label="a\ndata 2\ngrad -3"')
    assert nodes["n1"].startswith(r'label="b\ndata -3\ngrad 2"')
    assert nodes["n2"].startswith(
        r'label="#2\ndata -6\ngrad 1"'
    )  # a*b, unlabelled: named as the walkthrough does
    assert nodes["n3"].startswith(r'label="c\ndata 10\ngrad 1"')
    assert nodes["n4"].startswith(r'label="d\ndata 4\ngrad 1"')


def test_ops_are_small_separate_nodes_between_a_value_and_its_parents():
    source = draw(small_graph()).source
    nodes = node_statements(source)
    assert nodes["op2"].startswith('label="×"') and "shape=circle" in nodes["op2"]
    assert nodes["op4"].startswith('label="+"') and "shape=circle" in nodes["op4"]
    assert sorted(edges(source)) == sorted(
        [("n0", "op2"), ("n1", "op2"), ("op2", "n2"), ("n2", "op4"), ("n3", "op4"), ("op4", "n4")]
    )


def test_values_are_shown_with_four_significant_digits():
    x = Value(1 / 3, label="x")
    y = x * 3
    y.backward()
    nodes = node_statements(draw(y).source)
    assert r"data 0.3333\ngrad 3" in nodes["n0"]
    assert r"data 1\ngrad 1" in nodes["n1"]


def test_a_value_used_twice_by_one_op_has_two_edges():
    x = Value(3.0, label="x")
    source = draw(x * x, show_local_grads=True).source
    assert edges(source).count(("n0", "op1")) == 2


def test_show_grad_false_leaves_gradients_out():
    source = draw(small_graph(), show_grad=False).source
    assert "grad" not in source
    assert r'label="a\ndata 2"' in source


def test_local_gradients_label_the_edges_into_each_op():
    source = draw(small_graph(), show_local_grads=True).source
    # d(a*b)/da = b = -3 and d(a*b)/db = a = 2; the + passes 1 to both inputs.
    assert "\tn0 -> op2 [label=-3]" in source
    assert "\tn1 -> op2 [label=2]" in source
    assert "\tn2 -> op4 [label=1]" in source
    assert "local derivatives d(out)/d(input)" in source  # the legend explains them
    assert "label=-3]" not in draw(small_graph()).source


def test_the_four_kinds_of_value_look_different_and_the_legend_names_them():
    x = Value(2.0, label="x")
    root = (x * Value(3.0) + 1).tanh()  # a labelled leaf, a constant leaf, intermediates, the root
    source = draw(root).source
    nodes = node_statements(source)
    looks = {  # each node's attributes but its label
        node: re.sub(r'^label="[^"]*" ', "", nodes[node]) for node in ("n0", "n1", "n2", "n4", "op2")
    }
    assert len(set(looks.values())) == 5, looks  # input, constant, intermediate, root, op
    for meaning in (
        "input or parameter (labelled leaf)",
        "constant (unlabelled leaf)",
        "intermediate",
        "output",
    ):
        assert meaning in source


def test_rankdir_is_passed_on_and_checked():
    assert "rankdir=TB" in draw(small_graph(), rankdir="TB").source
    with pytest.raises(ValueError, match=r"unknown rankdir 'UP'; expected one of LR, TB, RL, BT"):
        draw(small_graph(), rankdir="UP")


def test_draw_takes_a_value():
    with pytest.raises(TypeError, match=r"draw takes a Value, got float: 2\.0"):
        draw(2.0)


def build_graph():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    return autograd.sum([(x * w + b).tanh(), x**2, 1 - w, autograd.dot([x, w], [b, 2.0])])


def test_the_same_graph_gives_byte_identical_dot():
    first, second = build_graph(), build_graph()
    assert draw(first).source == draw(second).source == draw(first).source
    for node in autograd.topological_order(first):
        assert str(id(node)) not in draw(first).source


def test_dot_is_identical_across_processes_with_different_hash_seeds():
    program = (
        f"import hashlib, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "from test_draw import build_graph; from autograd import draw; "
        "print(hashlib.sha256(draw(build_graph()).source.encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


# --- labels: shown literally and safely ------------------------------------

NASTY_LABELS = [
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "{a|b} <c>",
    "<b>html</b>",
    r"\N \G \L \l \n \r \E \T \H",
    'x" fillcolor="red',
    "]; n0 -> n1; [color=red",
    "a&amp;b &lt;",
    "layers.0.neurons.3.w.1",
]


def nasty_graph():
    return autograd.sum([Value(float(i), label=label) for i, label in enumerate(NASTY_LABELS)])


def test_labels_are_escaped_in_the_dot_text():
    source = draw(nasty_graph()).source
    assert r'label="say \"hi\"\ndata' in source
    assert r'label="trailing\\\ndata' in source
    assert r'label="\\N \\G \\L \\l \\n \\r \\E \\T \\H\ndata' in source
    assert r'label="a&amp;amp;b &amp;lt;\ndata' in source
    # Attribute and edge syntax inside a label stays inside the quoted label.
    assert "\t" + r'n6 [label="x\" fillcolor=\"red\ndata 6\ngrad 0" fillcolor="#dbeafe"' in source
    assert "\t" + r'n7 [label="]; n0 -> n1; [color=red\ndata 7\ngrad 0" fillcolor="#dbeafe"' in source
    assert ("n0", "n1") not in edges(source)


def test_labels_render_literally_with_each_renderer(renderer):
    texts = svg_texts(draw(nasty_graph()).pipe("svg"))
    for label in NASTY_LABELS:
        assert label in texts
    svg = draw(nasty_graph()).pipe("svg").decode()
    assert 'fill="red"' not in svg and "<b>" not in svg


def test_newlines_control_characters_and_long_labels_render_safely(renderer):
    labels = ["two\nlines", "bell\x07tab\t", "L" * 60, "é…∂ unicode"]
    texts = svg_texts(draw(autograd.sum([Value(1.0, label=label) for label in labels])).pipe("svg"))
    assert "two" in texts and "lines" in texts  # a newline is a line break
    assert "bell␇tab␉" in texts  # control characters would make the SVG invalid XML
    assert "L" * 39 + "…" in texts  # cut to 40 characters
    assert not any("L" * 40 in text for text in texts)
    assert "é…∂ unicode" in texts


def test_labels_no_renderer_can_take_are_replaced(renderer):
    labels = ["lone \ud800 high", "lone \udfff low", "not xml \ufffe \uffff"]
    texts = svg_texts(draw(autograd.sum([Value(1.0, label=label) for label in labels])).pipe("svg"))
    assert {"lone � high", "lone � low", "not xml � �"} <= set(texts)


def test_a_marks_fill_and_meaning_are_quoted_like_labels(renderer):
    from autograd.draw import Mark, graph_source

    hostile = Mark('red" fontcolor="blue\\', '<b>bold</b> & "quoted"\x07\ud800\ntwo')
    order = autograd.topological_order(Value(1.0, label="x") * 2)
    source = graph_source(order, marks={0: hostile}, op_marks={1: hostile}, legend_marks=[hostile])
    assert 'fontcolor="blue' not in source.replace('\\"', "")  # the quote stays inside fillcolor
    svg = Drawing(source, len(order)).pipe("svg").decode()
    texts = svg_texts(svg.encode())
    assert '<b>bold</b> & "quoted"␇�' in texts and "two" in texts
    assert "<b>" not in svg and 'fill="blue"' not in svg


def test_long_op_names_are_cut_too():
    @autograd.op("a_very_long_user_op_name_that_goes_on_and_on")
    def identity(x):
        return x, (1.0,)

    source = draw(identity(Value(1.0))).source
    assert 'label="a_very_long_user_op_name_that_goes_on_a…"' in source


# --- rendering and saving ---------------------------------------------------


def test_save_writes_each_format_by_suffix(renderer, tmp_path):
    drawing = draw(small_graph())
    assert drawing.save(tmp_path / "g.svg") == tmp_path / "g.svg"
    assert "d" in svg_texts((tmp_path / "g.svg").read_bytes())
    drawing.save(tmp_path / "g.PNG")
    assert (tmp_path / "g.PNG").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    drawing.save(str(tmp_path / "g.dot"))
    drawing.save(tmp_path / "g.gv")
    assert (tmp_path / "g.dot").read_text() == (tmp_path / "g.gv").read_text() == drawing.source


def test_dot_source_is_saved_without_any_renderer(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWALK_DOT", str(tmp_path / "missing"))
    draw(small_graph()).save(tmp_path / "g.gv")
    assert (tmp_path / "g.gv").read_text().startswith("digraph {")


def test_an_unknown_suffix_is_refused_with_the_allowed_ones(tmp_path):
    for name in ("graph.jpg", "graph"):
        with pytest.raises(ValueError, match=r"expected one of \.svg, \.png, \.pdf, \.dot, \.gv"):
            draw(small_graph()).save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_keeps_the_existing_file(monkeypatch, tmp_path):
    broken = tmp_path / "broken-dot"
    broken.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write('Error: out of ink')\nsys.exit(1)\n")
    broken.chmod(0o755)
    monkeypatch.setenv("GRADWALK_DOT", str(broken))
    target = tmp_path / "graph.svg"
    target.write_text("the user's earlier drawing")
    with pytest.raises(RenderError, match="out of ink"):
        draw(small_graph()).save(target)
    assert target.read_text() == "the user's earlier drawing"


@pytest.mark.skipif(SYSTEM_DOT is None, reason="no system dot")
def test_pdf_with_graphviz_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWALK_DOT", SYSTEM_DOT)
    draw(small_graph()).save(tmp_path / "g.pdf")
    assert (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")


def test_pdf_with_graphviz_pure_says_it_needs_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWALK_DOT", GRAPHVIZ_PURE)
    with pytest.raises(ValueError, match="PDF needs Graphviz's dot"):
        draw(small_graph()).save(tmp_path / "g.pdf")
    assert not (tmp_path / "g.pdf").exists()


def test_jupyter_shows_the_drawing_as_svg(renderer):
    drawing = draw(small_graph())
    bundle = drawing._repr_mimebundle_()
    assert "d" in svg_texts(bundle["image/svg+xml"].encode())
    assert drawing._repr_svg_() == bundle["image/svg+xml"]


def test_jupyter_without_a_renderer_says_why_instead_of_failing(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADWALK_DOT", str(tmp_path / "missing"))
    drawing = draw(small_graph())
    assert "GRADWALK_DOT" in drawing._repr_mimebundle_()["text/plain"]
    assert drawing._repr_svg_() is None
    assert repr(drawing) == "<Drawing of 5 values: .source is the DOT text, .save(path) renders it>"
    assert isinstance(drawing, Drawing)


# --- size: the node cap, and big graphs -----------------------------------


def chain(values):
    """A graph of exactly `values` Values: a leaf and then tanh after tanh."""
    node = Value(0.5, label="x")
    for _ in range(values - 1):
        node = node.tanh()
    return node


def test_a_graph_over_max_nodes_is_refused_at_once():
    big = chain(30_000)
    start = time.perf_counter()
    with pytest.raises(ValueError) as refused:
        draw(big)
    assert time.perf_counter() - start < 1.0
    message = str(refused.value)
    assert "30000 nodes" in message and "max_nodes=1000" in message and "max_nodes=30000" in message


def test_max_nodes_is_inclusive_and_checked():
    assert draw(chain(20), max_nodes=20).source.count("data ") == 20
    with pytest.raises(ValueError, match="21 nodes, more than max_nodes=20"):
        draw(chain(21), max_nodes=20)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_nodes must be a positive int"):
            draw(chain(2), max_nodes=bad)


def mlp_loss_graph(samples):
    """The squared-error loss of a 2-8-8-1 tanh network over `samples` inputs, as `nn` builds it."""
    widths = [2, 8, 8, 1]
    layers = [
        [
            ([Value(0.1 * (i - j), label=f"layers.{k}.neurons.{j}.w.{i}") for i in range(nin)], Value(0.1))
            for j in range(nout)
        ]
        for k, (nin, nout) in enumerate(itertools.pairwise(widths))
    ]
    errors = []
    for s in range(samples):
        activations = [0.1 * s, -0.2 * s]
        for layer in layers:
            activations = [(autograd.dot(w, activations) + b).tanh() for w, b in layer]
        errors.append((activations[0] - 0.5) ** 2)
    return autograd.sum(errors)


def test_a_thousand_nodes_render_to_a_capped_png_in_seconds(renderer, tmp_path):
    root = mlp_loss_graph(12)
    assert 900 <= len(autograd.topological_order(root)) <= 1000
    draw(root).save(tmp_path / "big.png")  # its time is measured by the benchmarks, not here
    png = (tmp_path / "big.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert max(width, height) <= 3840


def test_check_colours_each_value_by_whether_its_gradient_agrees():
    x, w = Value(0.5, label="x"), Value(-1.0, label="w")
    y = x * w
    y.local_grads = (-1.0, 5.0)  # a bug: d(x*w)/dw is x = 0.5, not 5, so w's gradient is wrong
    source = draw(y.tanh(), check=True).source
    nodes = node_statements(source)
    fill = {node: re.search(r'fillcolor="?([^" ]+)', nodes[node])[1] for node in ("n0", "n1", "n2", "n3")}
    fill |= {op: re.search(r'fillcolor="?([^" ]+)', nodes[op])[1] for op in ("op2", "op3")}
    # x, y and the output have the right gradient; only w's is wrong (5 instead of 0.5 times upstream)
    assert "√" in nodes["n0"] and "×" in nodes["n1"] and "√" in nodes["n2"]
    # without a backward() call, the checked gradients are shown: d(out)/dx = (1 - tanh²(-0.5)) * -1
    assert "grad -0.7864 √" in nodes["n0"]
    assert fill["n0"] == fill["n2"] == fill["n3"] != fill["n1"]
    # the op whose local derivative is wrong, "*" making y, is coloured; the tanh op is not
    assert fill["op2"] != fill["op3"]
    assert "gradient agrees with finite differences" in source
    assert "gradient disagrees with finite differences" in source
    assert "op whose local derivative disagrees with finite differences" in source
    assert "√" not in draw(y.tanh()).source
