"""The training session: its steps against PyTorch, its heatmaps against the network, its refusals."""

import json
import math
import re

import pytest

import nn
from autograd import Value, topological_order
from nn.playground.session import DIVERGED, Session, grid_outputs

# From tests/references/playground_step.py (PyTorch 2.13, float64): the parameters after one step.
HIDDEN = [[0.3, -0.2, 0.1], [-0.4, 0.25, 0.1]]
POINTS = [(1.0, 2.0, 1.0), (-2.0, 0.5, 0.0), (3.0, -1.0, 1.0)]
TORCH_SQUARED_L2_SGD = {
    "hidden": [
        [0.38577266385278314, -0.11072071079180257, 0.13205852259648884],
        [-0.4327198758159828, 0.19191127472755237, 0.07740616371048822],
    ],
    "output": [[0.5301518503418758, -0.3305149617975283, 0.16271095176725817]],
}
TORCH_THREE_CLASSES_L1_ADAM = {
    "hidden": [
        [0.2700000037272988, -0.17000000895635914, 0.07000001276826454],
        [-0.37000000073972344, 0.2799998557219833, 0.07000000242327387],
    ],
    "output": [
        [0.4700000015534845, -0.2700000011468549, 0.1299999727306164],
        [0.2299999988560339, 0.37000000170145764, 0.07000001015435066],
        [-0.1299999962088319, 0.2700000031490918, 0.1299999838210809],
    ],
}


def _state(hidden, output):
    state = {}
    for layer, rows in enumerate((hidden, output)):
        for j, (*weights, bias) in enumerate(rows):
            state |= {f"layers.{layer}.neurons.{j}.w.{k}": w for k, w in enumerate(weights)}
            state[f"layers.{layer}.neurons.{j}.b"] = bias
    return state


@pytest.mark.parametrize(
    ("lesson", "points", "output", "expected"),
    [
        (
            "networkShape=2&activation=tanh&regularization=L2&regularizationRate=0.1&learningRate=0.3",
            POINTS,
            [[0.5, -0.3, 0.1]],
            TORCH_SQUARED_L2_SGD,
        ),
        (
            "networkShape=2&activation=relu&regularization=L1&regularizationRate=0.01&optimizer=adam"
            "&learningRate=0.03&loss=crossEntropy",
            [(1.0, 2.0, 2.0), (-2.0, 0.5, 0.0), (3.0, -1.0, 1.0)],
            [[0.5, -0.3, 0.1], [0.2, 0.4, 0.1], [-0.1, 0.3, 0.1]],
            TORCH_THREE_CLASSES_L1_ADAM,
        ),
    ],
    ids=["squared-L2-SGD", "3-classes-L1-Adam"],
)
def test_one_step_matches_pytorch(lesson, points, output, expected):
    session = Session(lesson)
    session.train_points = list(points)
    session.reset()  # the network for these points: 3 classes give 3 softmax outputs
    session.model.load_state_dict(_state(HIDDEN, output))
    session.step_batch()  # batch size 10 takes all three points
    trained = session.model.state_dict()
    assert trained == pytest.approx(_state(expected["hidden"], expected["output"]), rel=1e-9, abs=1e-12)


def test_tensorflow_playgrounds_first_weights_and_data():
    session = Session()
    weights = [p.data for name, p in session.model.named_parameters() if ".w." in name]
    biases = [p.data for name, p in session.model.named_parameters() if name.endswith(".b")]
    assert all(-0.5 <= w <= 0.5 for w in weights) and set(biases) == {0.1}
    assert len(session.train_points) == len(session.test_points) == 250
    zero = Session("initZero=true").model.named_parameters()
    assert {p.data for name, p in zero if ".w." in name} == {0.0}


@pytest.mark.parametrize(
    "lesson", ["", "networkShape=8,8,8,8,8,8&activation=relu&xSquared=true", "classes=4&dataset=spiral"]
)
def test_heatmaps_are_the_networks_own_outputs_at_the_grid_centres(lesson):
    session = Session(lesson)
    snapshot = session.snapshot()
    values = grid_outputs(snapshot["layers"], snapshot["features"], 4)
    session.model.eval()
    centres = [(-4.5, 4.5), (-1.5, 4.5), (1.5, 4.5), (4.5, 4.5), (-4.5, 1.5)]
    for cell, (x1, x2) in enumerate(centres):
        outputs = session.model(session._inputs(x1, x2))
        assert [column[cell] for column in values[-1]] == pytest.approx([o.data for o in outputs], rel=1e-12)


@pytest.mark.parametrize(
    ("lesson", "loss"),
    [
        ("", lambda o, t: 0.5 * nn.mse_loss([z[0] for z in o], [2 * y - 1 for y in t])),
        ("loss=crossEntropy", lambda o, t: nn.binary_cross_entropy_with_logits([z[0] for z in o], t)),
        ("loss=hinge", lambda o, t: nn.hinge_loss([z[0] for z in o], [2 * y - 1 for y in t])),
        ("classes=3&dataset=gauss", lambda o, t: nn.cross_entropy(o, [int(y) for y in t])),
        ("problem=regression", lambda o, t: 0.5 * nn.mse_loss([z[0] for z in o], t)),
    ],
)
def test_the_shown_losses_are_the_nn_losses_of_the_data(lesson, loss):
    session = Session(lesson)
    for _ in range(3):
        session.step_batch()
    session.model.eval()
    X = [session._inputs(x1, x2) for x1, x2, _ in session.test_points]
    session.step_epoch()
    session.model.eval()
    expected = loss([session.model(x) for x in X], [y for *_, y in session.test_points]).data
    assert session.state()["testLoss"] == pytest.approx(expected, rel=1e-9)


def test_training_lowers_the_test_loss_on_the_circle():
    session = Session()
    first = session.state()["testLoss"]
    for _ in range(40):
        state = session.step_epoch()
    assert state["epoch"] == 40
    assert state["testLoss"] < first / 2


def test_a_trace_has_every_value_of_the_samples_graph():
    session = Session()
    traced = session.trace(0)
    # 2 inputs; each neuron: its weights, bias, dot, +, tanh; the loss: (o - t), **2, * 0.5.
    assert traced["values"] == 2 + 4 * (2 + 4) + 2 * (4 + 4) + (2 + 4) + 3 == 51
    assert 'label="x1' in traced["source"] and 'label="loss' in traced["source"]
    # autograd.draw's boxes: the network, each layer, each neuron (4 + 2 + 1) inside its layer
    titles = re.findall(r'label="([^"]*)" labeljust', traced["source"])
    neurons = [t for t in titles if ".neurons." in t]
    assert titles[0] == "Network()" and len(neurons) == 4 + 2 + 1
    assert neurons[0] == "layers.0.neurons.0: Neuron(2, activation='tanh')"
    assert neurons[-1] == "layers.2.neurons.0: Neuron(2, activation='tanh')"
    network_box = traced["source"].index("subgraph cluster_")
    assert traced["source"].index('n50 [label="loss') < network_box  # the loss is outside every box
    loss, _ = session.trace_graph(0)
    assert len(topological_order(loss)) == 51
    x1, x2, label = session.train_points[0]
    session.model.eval()
    out = session.model([x1, x2])[0].data
    assert loss.data == pytest.approx(0.5 * (out - (2 * label - 1)) ** 2)
    assert len(session.walkthrough(0)) == 51 + 2
    with pytest.raises(
        ValueError, match=r"trace\(250\) is refused; expected a training point index 0 to 249"
    ):
        session.trace(250)


def _unchanged(session, action, message):
    before = json.dumps(session.state()), session.model.state_dict(), session.points()
    with pytest.raises(ValueError, match=message):
        action()
    state = json.loads(before[0])
    assert session.model.state_dict() == before[1] and session.points() == before[2]
    assert {k: v for k, v in session.state().items() if k not in ("notes", "noteIds")} == {
        k: v for k, v in state.items() if k not in ("notes", "noteIds")
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("learningRate", "abc", r"learningRate='abc' is refused; expected one of 1e-05"),
        ("learningRate", -1, r"learningRate='-1' is refused"),
        ("learningRate", 1e9, r"learningRate='1000000000.0' is refused"),
        ("networkShape", [8] * 100, r"expected 0 to 6 hidden layers"),
        ("networkShape", [0], r"networkShape='0' is refused"),
        ("x", False, r"x=false is refused: the network needs at least one input feature"),
        ("activations", "relu", r"expected one activation for each of the 2 hidden layers"),
        ("classes", 3, r"more than 2 classes need dataset spiral or gauss"),
    ],
)
def test_a_refused_setting_changes_nothing(key, value, message):
    session = Session("y=false")
    session.step_epoch()
    _unchanged(session, lambda: session.set(key, value), message)


def test_a_change_of_activation_resets_and_of_learning_rate_does_not():
    session = Session()
    session.step_epoch()
    assert session.set("learningRate", 0.1)["epoch"] == 1 and session.optimizer.lr == 0.1
    state = session.set("activation", "relu")
    assert state["epoch"] == 0 and "activation=relu" in state["hash"]
    assert {n.activation for n in session.model.layers[0].neurons} == {"relu"}
    session.set("activations", "elu,leaky_relu")
    assert [layer.neurons[0].activation for layer in session.model.layers] == ["elu", "leaky_relu", "tanh"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2,label\n1,2,abc\n", r"'abc' is not a finite number"),
        ("1,2\n3,4\n", r"the CSV has 2 columns; expected three: x1,x2,label"),
        ("x1,x2,label\n", r"no data rows"),
        ("".join(f"{k % 7},{k % 5},{k}\n" for k in range(50)), r"the label column has 50 different labels"),
        ("0,0,0\n" * 1_700_000, r"the upload is 10.2 MB; at most 1 MB"),
    ],
    ids=["not-numbers", "two-columns", "empty", "50-classes", "10-MB"],
)
def test_a_refused_upload_changes_nothing(text, message):
    session = Session()
    _unchanged(session, lambda: session.upload(text), message)


def test_an_upload_becomes_the_data_set():
    rows = "".join(f"{k % 7 - 3},{k % 5 - 2},{k % 3}\n" for k in range(40))
    state = Session().upload("x1,x2,label\n" + rows)
    assert state["data"] == "upload" and state["classes"] == 3 and state["lossKind"] == "multi"
    tf_labels = Session().upload("1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n")
    assert tf_labels["classes"] == 2


def test_points_are_added_and_checked():
    session = Session()
    before = len(session.train_points)
    session.add_point(1.5, -2.0, 1)
    assert session.points()[before] == [1.5, -2.0, 1, "train"]
    _unchanged(
        session, lambda: session.add_point(0.0, 0.0, 2), r"label=2 is refused; expected a class index 0 to 1"
    )
    _unchanged(
        session, lambda: session.add_point("a", 0.0, 0), r"x1='a' is refused; expected a finite number"
    )


def test_a_diverged_run_pauses_with_its_message():
    session = Session("problem=regression&activation=linear&learningRate=10&networkShape=8,8")
    session.play()
    state = session.step_epoch()
    assert state["diverged"] and not state["playing"]
    assert DIVERGED in state["notes"] and DIVERGED == "loss is nan (diverged): lower the learning rate"
    with pytest.raises(ValueError, match="diverged"):
        session.play()
    assert not session.reset()["diverged"]


def test_early_stopping_pauses_and_restore_best_puts_the_best_weights_back():
    session = Session("earlyStopping=5&learningRate=1&dataset=xor&noise=50")
    session.play()
    while session.playing and session.epoch < 300:
        session.step_epoch()
    state = session.state()
    assert not state["playing"] and state["patience"] == 5
    assert state["epoch"] == state["bestEpoch"] + 5
    assert any(note.startswith("early stopping: no lower test loss for 5 epochs") for note in state["notes"])
    best = session.best_state
    session.restore_best()
    assert session.model.state_dict() == best
    session.model.eval()
    assert session._mean_loss(session.test_points) == pytest.approx(state["bestLoss"], rel=1e-12)


def test_a_weight_is_set_as_a_click_on_its_link_does():
    session = Session()
    session.set_weight(1, 0, 3, -0.75)
    session.set_weight(0, 2, "b", 2.0)
    assert (
        session.model.layers[1].neurons[0].w[3].data == -0.75
        and session.model.layers[0].neurons[2].b.data == 2.0
    )
    _unchanged(session, lambda: session.set_weight(5, 0, 0, 1.0), r"no weight at layer 5, neuron 0, input 0")
    _unchanged(session, lambda: session.set_weight(0, 0, 0, math.inf), r"weight=inf is refused")


def test_the_model_export_is_what_nn_load_reads(tmp_path):
    session = Session()
    path = tmp_path / "model.json"
    path.write_text(session.model_json())
    assert nn.load(path) == session.model.state_dict()


def test_the_optimizer_table_has_each_parameters_state():
    session = Session("optimizer=adam")
    session.step_batch()
    table = session.optimizer_table()
    assert table["columns"] == ["parameter", "value", "grad", "exp_avg", "exp_avg_sq"]
    assert len(table["rows"]) == len(session.model.parameters()) == 4 * 3 + 2 * 5 + 3
    name, value, grad, exp_avg, exp_avg_sq = table["rows"][0]
    assert name == "layers.0.neurons.0.w.0" and exp_avg == pytest.approx(0.1 * grad)
    assert exp_avg_sq == pytest.approx(0.001 * grad * grad)
    assert isinstance(Value(value), Value)


def test_dropout_acts_in_training_only_and_the_trace_has_none():
    session = Session("dropout=0.5&networkShape=8,8")
    session.model.train()
    trained = {tuple(o.data for o in session.model([1.0, -2.0])) for _ in range(20)}
    assert len(trained) > 1  # a different mask each time
    session.model.eval()
    assert len({tuple(o.data for o in session.model([1.0, -2.0])) for _ in range(5)}) == 1
    loss, _ = session.trace_graph(0)
    assert loss.data == pytest.approx(session.trace_graph(0)[0].data)  # the same graph each time: no mask
