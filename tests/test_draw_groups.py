"""Drawings of real networks: names and digits, folded constants, module boxes, collapse, max_nodes, size."""

import math
import random
import re
import struct
import sys
import xml.etree.ElementTree as ET

import pytest

import autograd
import nn
from autograd import RenderError, Value, draw, gradcheck_graph
from autograd.draw import GraphTooLargeError
from tests.test_draw import renderer, svg_texts  # noqa: F401 (renderer is a fixture)

TANH_MLP = dict(activation="tanh", output_activation=None)


def mlp(nin=2, sizes=(3, 1), seed=0):
    return nn.MLP(nin, list(sizes), **TANH_MLP, rng=random.Random(seed))


def plain_forward(model, x):
    """The MLP's output in plain floats, from its state_dict: an independent reference."""
    state = model.state_dict()
    activations = list(x)
    for k, layer in enumerate(model.layers):
        last = k == len(model.layers) - 1
        outputs = []
        for j in range(len(layer.neurons)):
            pre = state[f"layers.{k}.neurons.{j}.b"] + sum(
                state[f"layers.{k}.neurons.{j}.w.{i}"] * a for i, a in enumerate(activations)
            )
            outputs.append(pre if last else math.tanh(pre))
        activations = outputs
    return activations[0]


def all_nodes(source):
    """{node id: its attribute text} for every node statement, in boxes too."""
    return dict(re.findall(r"^\t+(\w+) \[(.*)\]$", source, re.MULTILINE))


def clusters(source):
    """{cluster title: (depth, the node ids directly in it, the titles of the clusters directly in it)}."""
    found, stack = {}, []
    for line in source.splitlines():
        if line.strip().startswith("subgraph cluster_"):
            stack.append(None)
        elif stack and stack[-1] is None and re.search(r'\blabel="([^"]*)"', line):
            title = re.search(r'\blabel="([^"]*)"', line)[1]
            stack[-1] = title
            found[title] = (len(stack) - 1, [], [])
            if len(stack) > 1:
                found[stack[-2]][2].append(title)
        elif line.strip() == "}" and stack:
            stack.pop()
        elif stack and (node := re.match(r"^\t+(n\d+|m\d+) \[", line)):
            found[stack[-1]][1].append(node[1])
    return found


# --- numbers, names and ops -------------------------------------------------


def test_digits_sets_significant_digits_and_none_shows_repr():
    x = Value(1 / 3, label="x")
    y = x * 3000
    y.backward()
    assert r"data 0.33\ngrad 3e+03" in all_nodes(draw(y, digits=2).source)["n0"]
    assert r"data 0.3333333333333333\ngrad 3000.0" in all_nodes(draw(y, digits=None).source)["n0"]
    assert r"data 1000\ngrad 1" in all_nodes(draw(y).source)["n1"]
    for bad in (0, -2, 2.5, True, "4"):
        with pytest.raises(ValueError, match="digits must be a positive int"):
            draw(y, digits=bad)


def test_unlabelled_and_repeated_labels_are_named_as_in_the_walkthrough():
    w1, w2 = Value(2.0, label="w"), Value(3.0, label="w")
    root = w1 * w2 + 1
    nodes = all_nodes(draw(root).source)
    assert nodes["n0"].startswith(r'label="w#0\n') and nodes["n1"].startswith(r'label="w#1\n')
    assert nodes["n2"].startswith(r'label="#2\n') and nodes["n3"].startswith(r'label="#3\n')
    assert "Backward step 2 of 4: #2" in str(autograd.walkthrough(root))  # the same name for the same node


def test_gradcheck_graph_names_nodes_as_drawings_do():
    x = Value(0.5, label="x")
    root = (x * 3).tanh()
    assert [row.label for row in gradcheck_graph(root).rows] == ["x", "#1", "#2"]
    assert '"#1\\ndata 1.5' in draw(root).source


def test_a_folded_constant_is_drawn_as_an_op_with_its_operand_side():
    x = Value(2.0, label="x")
    source = draw(autograd.sum([x - 0.8, 0.8 - x, x * 0.25, 2 / x, x**3])).source
    labels = set(re.findall(r'op\d+ \[label="([^"]*)"', source))
    assert {"□ − 0.8", "0.8 − □", "□ × 0.25", "2 / □", "□ ** 3"} <= labels
    assert "-0.8" not in source  # never a bare number that looks like a value


def test_plain_number_inputs_become_one_shared_leaf_per_input_with_the_total_gradient():
    model = mlp()
    x = [0.7, -1.2]
    out = model(x)
    out.backward()
    leaves = [
        v for v in autograd.topological_order(out) if not v.parents and not v.label.startswith("layers")
    ]
    assert [v.label for v in leaves] == ["x[0]", "x[1]"]  # no per-neuron constants left
    h = 1e-6  # reference: central differences of the plain-float forward pass
    for i, leaf in enumerate(leaves):
        up, down = list(x), list(x)
        up[i] += h
        down[i] -= h
        expected = (plain_forward(model, up) - plain_forward(model, down)) / (2 * h)
        assert leaf.grad == pytest.approx(expected, rel=1e-6)
    assert out.data == pytest.approx(plain_forward(model, x), rel=1e-12)


def test_a_neuron_and_a_layer_share_their_inputs_too():
    neuron = nn.Neuron(2, activation="tanh", rng=random.Random(1))
    leaves = [v for v in neuron([1.0, 2.0]).parents[0].parents[0].parents if not v.label.startswith("w")]
    assert [v.label for v in leaves] == ["x[0]", "x[1]"]
    layer = nn.Layer(2, 3, activation="tanh", rng=random.Random(1))
    outputs = layer([1.0, 2.0])
    inputs = {id(v) for out in outputs for v in out.parents[0].parents[0].parents if v.label.startswith("x[")}
    assert len(inputs) == 2  # three neurons, two leaves
    given = Value(3.0, label="given")
    assert layer([given, 1.0])[0].parents[0].parents[0].parents.count(given) == 1  # Values are kept


# --- module boxes ------------------------------------------------------------


def test_each_module_call_is_a_box_titled_name_and_type_nested_as_the_modules():
    model = mlp()
    out = model([0.7, -1.2])
    out.backward()
    found = clusters(draw(out).source)
    root_title = "MLP(2, [3, 1], activation='tanh', output_activation='linear')"
    layer0 = "layers.0: Layer(2, 3, activation='tanh')"
    neuron1 = "layers.0.neurons.1: Neuron(2, activation='tanh')"
    assert found[root_title][0] == 0 and set(found[root_title][2]) == {
        layer0,
        "layers.1: Layer(3, 1, activation='linear')",
    }
    assert found[layer0][0] == 1 and len(found[layer0][2]) == 3 and neuron1 in found[layer0][2]
    # the neuron's box holds its parameters and every value its forward computes: w.0, w.1, b, dot, +, tanh
    source = draw(out).source
    held = found[neuron1][1]
    labels = [re.search(rf'\t{node} \[label="([^\\"]*)', source)[1] for node in held]
    assert (
        labels[:2] == ["layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1"]
        and "layers.0.neurons.1.b" in labels
    )
    assert len(held) == 6
    # the inputs are outside every box
    inputs = [n for n, text in all_nodes(source).items() if text.startswith('label="x[')]
    assert len(inputs) == 2 and not any(n in nodes for _, nodes, _ in found.values() for n in inputs)


def boxes_holding(source):
    """{node id: the title of the box directly holding it} for nodes in a box."""
    return {node: title for title, (_, nodes, _) in clusters(source).items() for node in nodes}


def test_values_made_before_the_call_stay_outside_every_box():
    a, b = Value(0.7), Value(2.0)  # unlabelled, as a user makes them
    z = b * -0.6
    out = mlp()([a, z])
    order = autograd.topological_order(out)
    made_outside = {f"n{order.index(v)}" for v in (a, b, z)}
    held = boxes_holding(draw(out).source)
    assert made_outside.isdisjoint(held) and len(held) == len(order) - 3


class Scaled(nn.Module):
    """Computes a value itself, then hands it to a neuron."""

    def __init__(self):
        self.inner = nn.Neuron(1, activation="tanh", rng=random.Random(0))

    def forward(self, x):
        return self.inner([x * 3.0])


def test_a_value_a_module_computes_for_its_submodule_sits_in_its_own_box_not_the_submodule_s():
    x = Value(0.5, label="x")
    out = Scaled()(x)
    order = autograd.topological_order(out)
    tripled = next(v for v in order if v.parents == (x,))
    held = boxes_holding(draw(out).source)
    assert held[f"n{order.index(tripled)}"] == "Scaled()"
    assert f"n{order.index(x)}" not in held
    inner = [node for node, title in held.items() if title.startswith("inner: Neuron")]
    assert len(inner) == 5  # w.0, b, the product, the sum and tanh


class CountedNeuron(nn.Neuron):
    """A neuron that counts its calls: a subclass's own __call__."""

    calls = 0

    def __call__(self, x):
        CountedNeuron.calls += 1
        return super().__call__(x)


def neuron_boxes(out):
    """{neuron box title: how many values it holds} of the drawing of `out`."""
    found = clusters(draw(out).source).items()
    return {title: len(nodes) for title, (_, nodes, _) in found if "Neuron(" in title}


def test_a_layer_of_plain_neurons_and_one_of_a_subclass_box_each_neuron_alike():
    plain = nn.Layer(2, 3, activation="tanh", rng=random.Random(0))
    counted = nn.Layer(2, 3, activation="tanh", rng=random.Random(0))
    counted.neurons[1] = CountedNeuron(2, activation="tanh", rng=random.Random(1))
    before = CountedNeuron.calls
    outs = {
        name: autograd.sum(layer([0.7, -1.2])) for name, layer in {"plain": plain, "counted": counted}.items()
    }
    assert CountedNeuron.calls == before + 1  # the subclass's __call__ ran, not only its forward
    # each neuron's box: w.0, w.1, b, the dot, the sum and tanh; one box per neuron
    expected = {f"neurons.{k}: Neuron(2, activation='tanh')": 6 for k in range(3)}
    assert neuron_boxes(outs["plain"]) == expected
    titles = [title.replace("1: Neuron", "1: CountedNeuron") for title in expected]
    assert neuron_boxes(outs["counted"]) == dict.fromkeys(titles, 6)
    counted.neurons[1] = nn.Neuron(2, activation="tanh", rng=random.Random(1))  # plain again
    assert neuron_boxes(autograd.sum(counted([0.7, -1.2]))) == expected


def test_a_layer_holding_one_neuron_twice_boxes_each_of_its_calls():
    layer = nn.Layer(2, 2, activation="tanh", rng=random.Random(0))
    layer.neurons[1] = layer.neurons[0]
    found = clusters(draw(autograd.sum(layer([0.7, -1.2]))).source)
    inner = found["Layer(2, 2, activation='tanh')"][2]
    assert len(inner) == 2 and all(found[title][1] for title in inner)


class First(nn.Module):
    """Returns the first of its inputs as it is: it computes nothing."""

    def forward(self, xs):
        return xs[0]


class LayerThenFirst(nn.Module):
    def __init__(self):
        self.layer = nn.Layer(2, 2, activation="tanh", rng=random.Random(0))
        self.first = First()

    def forward(self, x):
        h = self.layer(x)
        return self.first(h) + h[1]


def test_a_module_returning_a_value_it_was_given_leaves_it_in_the_box_of_what_made_it():
    model = LayerThenFirst()
    out = model([0.7, -1.2])
    found = clusters(draw(out).source)
    # each neuron's box holds its six values, its output too; First's box is empty: it made nothing
    assert [len(found[f"layer.neurons.{k}: Neuron(2, activation='tanh')"][1]) for k in (0, 1)] == [6, 6]
    assert found["first: First()"][1] == [] and len(found["LayerThenFirst()"][1]) == 1  # the +
    assert draw(out, collapse="neurons").source.count("3 parameters") == 2
    # collapsed, First shows the one output it returned, not every output of the layer
    h0 = model.layer.neurons[0]  # its output's data, from the neuron's own call
    shown = re.search(r'label="first\\n([^"]*)\\n0 parameters"', draw(out, collapse=1).source)[1]
    assert shown.count("data") == 1 and f"{h0([0.7, -1.2]).data:.4g}" in shown


def test_group_false_draws_no_boxes():
    out = mlp()([0.7, -1.2])
    assert "subgraph cluster" not in draw(out, group=False).source
    assert "subgraph cluster" in draw(out).source
    unframed = draw(out, group=False, collapse="neurons")
    assert "subgraph cluster" not in unframed.source and unframed.node_count == 2 + 4


def test_two_calls_of_one_model_get_a_box_each_and_their_shared_weights_sit_outside():
    model = mlp(sizes=(2, 1))
    loss = model([1.0, 2.0]) + model([0.5, -1.0])
    source = draw(loss).source
    titles = re.findall(r'label="(MLP\([^"]*)"', source)
    assert len(titles) == 2
    found = clusters(source)
    weights = [n for n, text in all_nodes(source).items() if text.startswith('label="layers.0.neurons.0.w.0')]
    assert len(weights) == 1 and not any(weights[0] in nodes for _, nodes, _ in found.values())
    # collapsed, each call is one node that counts the weights: they are not drawn again
    collapsed = draw(loss, collapse=0)
    assert "layers.0.neurons.0.w.0" not in collapsed.source and collapsed.source.count(r"\n9 parameters") == 2
    assert collapsed.node_count == 2 * (2 + 1) + 1  # per sample two inputs and the model, then the sum


class Step(nn.Module):
    """A module made on the fly for one time step, as an RNN makes it."""

    def __init__(self, t, cell):
        self.t, self._cell = t, cell

    def forward(self, h, x):
        return (self._cell.w * h + x).tanh()

    def __repr__(self):
        return f"t={self.t}"


class Recurrent(nn.Module):
    def __init__(self):
        self.w = Value(0.5)

    def forward(self, xs):
        h = Value(0.0)
        for t, x in enumerate(xs, start=1):
            h = Step(t, self)(h, x)
        return h


def test_a_call_of_a_module_that_is_no_attribute_gets_a_box_titled_by_its_repr():
    model = Recurrent()
    found = clusters(draw(model([1.0, 2.0, 3.0])).source)
    assert found["Recurrent()"][2] == ["t=1", "t=2", "t=3"]  # nested in the caller's box, one per call
    assert all(found[f"t={t}"][0] == 1 and len(found[f"t={t}"][1]) == 3 for t in (1, 2, 3))  # *, +, tanh
    assert len(found["Recurrent()"][1]) == 2  # the weight w (used by every step) and the initial h


def test_the_values_of_one_layer_share_a_rank():
    out = mlp(sizes=(3, 2, 1))([0.7, -1.2])
    source = draw(out, rankdir="TB").source
    ranks = re.findall(r"\{rank=same; ([^}]*)\}", source)
    assert "rankdir=TB" in source and "newrank=true" in source
    layer0 = [r.split("; ") for r in ranks if len(r.split("; ")) == 3]
    assert len(layer0) == 1 and len(ranks) == 2  # layer 0's three outputs, layer 1's two


# --- collapse ------------------------------------------------------------------


def collapsed_nodes(source):
    return {n: text for n, text in all_nodes(source).items() if n.startswith("m")}


def test_collapse_neurons_draws_each_neuron_as_one_node_with_its_output_and_parameter_count():
    model = mlp()
    x = [0.7, -1.2]
    out = model(x)
    out.backward()
    source = draw(out, collapse="neurons").source
    nodes = collapsed_nodes(source)
    assert len(nodes) == 4 and "Neuron(" not in "".join(re.findall(r'cluster.*\n.*label="([^"]*)"', source))
    state = model.state_dict()
    pre = state["layers.0.neurons.1.b"] + sum(state[f"layers.0.neurons.1.w.{i}"] * a for i, a in enumerate(x))
    neuron1 = next(text for text in nodes.values() if text.startswith('label="layers.0.neurons.1\\n'))
    assert f"data {math.tanh(pre):.4g}  grad " in neuron1 and r"\n3 parameters" in neuron1
    assert "module call drawn as one node" in source
    assert draw(out, collapse="neurons").node_count == 2 + 4  # the inputs and four neurons


def test_collapse_by_depth_and_by_names():
    out = mlp(sizes=(3, 2, 1))([0.7, -1.2])
    assert len(collapsed_nodes(draw(out, collapse=1).source)) == 3  # the layers
    assert len(collapsed_nodes(draw(out, collapse=0).source)) == 1  # the whole MLP
    assert len(collapsed_nodes(draw(out, collapse="layers").source)) == 3
    named = collapsed_nodes(draw(out, collapse=["layers.1", "layers.0.neurons.2"]).source)
    assert len(named) == 2 and any(
        r"\n2 parameters" not in text and r"\n8 parameters" in text for text in named.values()
    )
    # a collapsed layer with two outputs has two data/grad lines
    assert any(text.count("data ") == 2 for text in named.values())


def test_bad_collapse_is_refused_with_what_is_allowed():
    out = mlp()([0.7, -1.2])
    with pytest.raises(
        ValueError, match=r"no module call named 'layers\.7' in this graph; its modules are layers\.0"
    ):
        draw(out, collapse=["layers.7"])
    for bad in ("cells", -1, 2.5, [1]):
        with pytest.raises(ValueError, match="collapse"):
            draw(out, collapse=bad)


# --- max_nodes ------------------------------------------------------------------


def batch_loss(samples, sizes=(4, 4, 1)):
    model = mlp(sizes=sizes)
    points = [[0.1 * s, -0.2 * s] for s in range(samples)]
    return autograd.sum([(model(x) - 0.5) ** 2 for x in points])


def test_over_max_nodes_is_drawn_collapsed_at_the_finest_level_that_fits_and_says_so():
    loss = batch_loss(3)
    values = len(autograd.topological_order(loss))
    neurons_collapsed = draw(loss, collapse=2).node_count
    assert neurons_collapsed < values
    drawing = draw(loss, max_nodes=neurons_collapsed)
    assert drawing.node_count == neurons_collapsed
    assert (
        f"{values} values, more than max_nodes={neurons_collapsed}: "
        "drawn with the modules 2 levels down collapsed" in drawing.source
    )
    layers = draw(loss, max_nodes=neurons_collapsed - 1)
    assert (
        "1 level down collapsed" in layers.source and layers.node_count == draw(loss, collapse=1).node_count
    )


def test_refused_only_when_even_every_module_collapsed_is_too_many():
    loss = batch_loss(3)
    smallest = draw(loss, collapse=0).node_count
    with pytest.raises(GraphTooLargeError) as refused:
        draw(loss, max_nodes=smallest - 1)
    message = str(refused.value)
    assert f"and {smallest} even with every module collapsed (collapse=0)" in message
    assert f"more than max_nodes={smallest - 1}" in message and f"pass max_nodes={smallest}" in message
    assert f"--max-nodes {smallest}" in refused.value.message("--max-nodes {}")
    assert isinstance(refused.value, ValueError)


# --- title, size, rendering ----------------------------------------------------------


def test_title_is_written_above_with_the_legend_still_below():
    source = draw(Value(1.0, label="x").exp(), title="e to the x").source
    assert 'label="e to the x" labelloc=t' in source and "legend:" in source


def test_grouped_drawings_render_with_each_renderer(renderer):  # noqa: F811
    out = mlp()([0.7, -1.2])
    out.backward()
    texts = svg_texts(draw(out, title="A 2-3-1 network").pipe("svg"))
    assert "A 2-3-1 network" in texts and "layers.0.neurons.2: Neuron(2, activation='tanh')" in texts
    texts = svg_texts(draw(out, collapse="layers").pipe("svg"))
    assert "layers.0" in texts and "9 parameters" in texts


@pytest.mark.parametrize("size", [(1920, 1080), (640, 900)])
def test_save_with_size_fits_png_and_svg_in_the_box_aspect_kept(renderer, tmp_path, size):  # noqa: F811
    drawing = draw(mlp()([0.7, -1.2]))
    natural = ET.fromstring(drawing.pipe("svg"))
    aspect = float(natural.get("width")[:-2]) / float(natural.get("height")[:-2])
    drawing.save(tmp_path / "g.png", size=size)
    width, height = struct.unpack(">II", (tmp_path / "g.png").read_bytes()[16:24])
    assert width <= size[0] and height <= size[1] and max(width / size[0], height / size[1]) > 0.98
    assert width / height == pytest.approx(aspect, rel=0.02)
    drawing.save(tmp_path / "g.svg", size=size)
    svg = ET.fromstring((tmp_path / "g.svg").read_bytes())
    px = [float(svg.get(side)[:-2]) * 4 / 3 for side in ("width", "height")]  # pt to CSS pixels
    assert px[0] <= size[0] + 0.5 and px[1] <= size[1] + 0.5 and max(px[0] / size[0], px[1] / size[1]) > 0.98


def test_bad_sizes_are_refused_and_leave_no_file(tmp_path):
    drawing = draw(Value(1.0, label="x").exp())
    for bad in ((0, 10), (10,), [1920, 1080], (19.5, 10), (True, 10)):
        with pytest.raises(ValueError, match=r"size must be \(width, height\) in pixels"):
            drawing.save(tmp_path / "g.png", size=bad)
    with pytest.raises(ValueError, match="size= fits a PNG or an SVG"):
        drawing.save(tmp_path / "g.dot", size=(10, 10))
    assert list(tmp_path.iterdir()) == []


def test_a_renderer_that_exits_0_without_output_is_an_error_and_keeps_the_old_file(monkeypatch, tmp_path):
    silent = tmp_path / "silent-dot"
    silent.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\n")
    silent.chmod(0o755)
    monkeypatch.setenv("GRADWALK_DOT", str(silent))
    target = tmp_path / "graph.png"
    target.write_bytes(b"the old picture")
    with pytest.raises(RenderError, match="exited 0 but wrote no PNG image"):
        draw(Value(1.0, label="x").exp()).save(target)
    assert target.read_bytes() == b"the old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.png", "silent-dot"]  # no temporary left


def test_copies_and_pickles_of_a_module_output_work_and_leave_the_module_calls_behind():
    import copy
    import pickle

    out = mlp()([0.7, -1.2])
    for twin in (copy.copy(out), copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        assert twin.data == out.data and not hasattr(twin, "_calls")
    assert "subgraph cluster" not in draw(copy.deepcopy(out)).source  # a copy is a plain graph


def test_without_dot_on_path_a_grouped_drawing_renders_with_graphviz_pure(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # the fallback: graphviz-pure from the scripts folder
    monkeypatch.delenv("GRADWALK_DOT", raising=False)
    out = mlp()([0.7, -1.2])
    out.backward()
    saved = draw(out, collapse="neurons", title="no dot here").save(tmp_path / "g.png", size=(800, 450))
    width, height = struct.unpack(">II", saved.read_bytes()[16:24])
    assert width <= 800 and height <= 450 and max(width / 800, height / 450) > 0.99
    texts = svg_texts(draw(out).pipe("svg"))
    assert "layers.0: Layer(2, 3, activation='tanh')" in texts and "x[0]" in texts


def test_an_rnn_call_is_boxed_with_a_box_per_time_step_inside():
    rnn = nn.RNN(2, 3)
    _, last = rnn([[1.0, 0.5], [0.2, -0.3], [0.0, 1.0]])  # returns nested lists: all recorded
    found = clusters(draw(autograd.sum(last)).source)
    assert found["RNN(2, 3)"][2] == ["t=1", "t=2", "t=3"]
    assert all(found[f"t={t}"][0] == 1 for t in (1, 2, 3))
    calls = autograd.groups.calls_of(last[0])
    assert [call[0] for call in calls][1:] == [rnn]  # the step's and the RNN's, once each
