"""nn.layers against PyTorch float64 (numbers stored in layer_references.py), finite differences
and PyTorch's output-length formulas."""

import itertools
import math
import random

import pytest

import autograd
import nn
from autograd import Value
from tests.nn.layer_references import CASES

# Each reference case's module in gradwalk, built with the same sizes as in make_layers.py.
MODULES = {
    "linear": lambda: nn.Linear(3, 2),
    "linear_no_bias": lambda: nn.Linear(3, 2, bias=False),
    "conv1d": lambda: nn.Conv1d(2, 3, 3),
    "conv1d_strided_padded_dilated": lambda: nn.Conv1d(2, 2, 3, stride=2, padding=2, dilation=2),
    "conv1d_no_bias": lambda: nn.Conv1d(1, 2, 4, bias=False),
    "max_pool": lambda: nn.MaxPool1d(3, stride=2),
    "max_pool_ties": lambda: nn.MaxPool1d(2, stride=1),
    "avg_pool": lambda: nn.AvgPool1d(3, stride=2),
    "adaptive_avg_pool_1": lambda: nn.AdaptiveAvgPool1d(1),
    "adaptive_avg_pool_3": lambda: nn.AdaptiveAvgPool1d(3),
    "adaptive_max_pool_1": lambda: nn.AdaptiveMaxPool1d(1),
    "adaptive_max_pool_3": lambda: nn.AdaptiveMaxPool1d(3),
    "rnn_tanh": lambda: nn.RNN(2, 3),
    "rnn_tanh_h0": lambda: nn.RNN(2, 3),
    "rnn_relu": lambda: nn.RNN(2, 3, nonlinearity="relu"),
    "rnn_no_bias": lambda: nn.RNN(2, 2, bias=False),
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "elu": lambda: nn.ELU(0.5),
    "softplus": nn.Softplus,
    "sequential": lambda: nn.Sequential(
        nn.Conv1d(1, 2, 3), nn.ReLU(), nn.MaxPool1d(2), nn.Flatten(), nn.Linear(12, 3), nn.Tanh()
    ),
}
# Where gradwalk's repr is a documented simplification of PyTorch's.
OWN_REPRS = {
    "rnn_relu": "RNN(2, 3, nonlinearity='relu')",  # PyTorch leaves the nonlinearity out
    "softplus": "Softplus()",  # beta 1, and no threshold: exact everywhere
}
TIGHT = {"rel": 1e-12, "abs": 1e-14}


def leaves(nested):
    """Nested lists as nested lists of new Value leaves."""
    if isinstance(nested, list):
        return [leaves(item) for item in nested]
    return Value(nested)


def flatten(nested):
    if isinstance(nested, list):
        return [x for item in nested for x in flatten(item)]
    return [nested]


def spelled_out(name, nested):
    """A PyTorch gradient tensor (nested lists) as {"name.i.j": number}, the way state dicts are flattened."""
    if not isinstance(nested, list):
        return {name: nested}
    return {key: x for i, item in enumerate(nested) for key, x in spelled_out(f"{name}.{i}", item).items()}


def run(name, module, inputs):
    """The case's outputs (as lists) and its loss Σ output · coefficient."""
    if name.startswith("rnn"):
        outputs, h_n = module(*inputs)
        outputs = [outputs, h_n]
    else:
        outputs = [module(inputs[0])]
    terms = flatten(outputs)
    coefficients = flatten(CASES[name]["coefficients"])
    return outputs, autograd.dot(terms, coefficients)


def data(nested):
    if isinstance(nested, list):
        return [data(item) for item in nested]
    return nested.data if isinstance(nested, Value) else nested


@pytest.mark.parametrize("name", [name for name in CASES if "state" in CASES[name]])
def test_outputs_and_gradients_equal_pytorch_float64(name):
    case = CASES[name]
    module = MODULES[name]()
    assert module.load_state_dict(case["state"]) == ([], [])  # PyTorch's state_dict, flattened
    inputs = leaves(case["inputs"])
    outputs, loss = run(name, module, inputs)
    loss.backward()
    assert flatten(data(outputs)) == pytest.approx(flatten(case["outputs"]), **TIGHT)
    assert loss.data == pytest.approx(case["loss"], **TIGHT)
    expected = {
        key: x
        for tensor, grad in case["parameter_grads"].items()
        for key, x in spelled_out(tensor, grad).items()
    }
    actual = {name: p.grad for name, p in module.named_parameters()}
    assert actual.keys() == expected.keys()
    assert list(actual.values()) == pytest.approx(list(expected.values()), **TIGHT)
    input_grads = [x.grad for x in flatten(inputs)]
    assert input_grads == pytest.approx(flatten(case["input_grads"]), **TIGHT)


@pytest.mark.parametrize("name", [name for name in CASES if "repr" in CASES[name]])
def test_modules_print_as_pytorch_does(name):
    module = MODULES[name]()
    first_line = repr(module).splitlines()[0]
    count = len(module.parameters())
    assert first_line.endswith(f" — {count} parameter{'s' * (count != 1)}")
    if name == "sequential":  # PyTorch prints the children in parentheses, gradwalk as `0: ...`
        children = [line.split(": ", 1)[1].split(" — ")[0] for line in repr(module).splitlines()[1:]]
        pytorch = [line.split(": ", 1)[1] for line in CASES[name]["repr"].splitlines()[1:-1]]
        assert children[:3] + children[4:] == pytorch[:3] + pytorch[4:]
        assert children[3] == "Flatten()"  # one sample, no batch dimension to keep
    else:
        assert first_line.split(" — ")[0] == OWN_REPRS.get(name, CASES[name]["repr"])


def test_max_pool_gives_a_nan_the_gradient_as_pytorch():
    case = CASES["max_pool_nan_grad"]
    x = leaves(case["inputs"][0])
    autograd.sum(flatten(nn.MaxPool1d(2, stride=1)(x))).backward()
    assert [v.grad for v in flatten(x)] == flatten(case["input_grads"])


def test_max_pool_sends_all_of_a_tie_to_the_first_maximum():
    x = leaves([[2.0, 5.0, 5.0, 1.0]])
    (out,) = nn.AdaptiveMaxPool1d(1)(x)[0]
    out.backward()
    assert [v.grad for v in x[0]] == [0.0, 1.0, 0.0, 0.0]
    assert out.op == "max_pool"


# ---------------------------------------------------------------------------
# Finite differences on small random sizes


def numeric_parameter_grads(module, loss, h=1e-6):
    """d loss / d parameter by central differences, moving each parameter's data."""
    grads = []
    for p in module.parameters():
        original = p.data
        p.data = original + h
        up = loss().data
        p.data = original - h
        down = loss().data
        p.data = original
        grads.append((up - down) / (2 * h))
    return grads


def random_module_and_input(kind, rng):
    c, t = rng.randint(1, 3), rng.randint(5, 9)
    if kind == "linear":
        n = rng.randint(1, 4)
        return nn.Linear(n, rng.randint(1, 3), rng=rng), [rng.uniform(-1, 1) for _ in range(n)]
    if kind == "rnn":
        n = rng.randint(1, 3)
        rnn = nn.RNN(n, rng.randint(1, 3), rng=rng)
        return rnn, [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(rng.randint(1, 4))]
    modules = {
        "conv1d": lambda: nn.Conv1d(
            c,
            rng.randint(1, 3),
            rng.randint(1, 3),
            rng.randint(1, 2),
            rng.randint(0, 2),
            rng.randint(1, 2),
            rng=rng,
        ),
        "avg_pool": lambda: nn.AvgPool1d(rng.randint(1, 3), rng.randint(1, 3)),
        "max_pool": lambda: nn.MaxPool1d(rng.randint(1, 3), rng.randint(1, 3)),
        "residual": lambda: nn.Residual(nn.Sequential(nn.Conv1d(c, c, 3, padding=1, rng=rng), nn.Tanh())),
    }
    return modules[kind](), [[rng.uniform(-1, 1) for _ in range(t)] for _ in range(c)]


@pytest.mark.parametrize("kind", ["linear", "conv1d", "avg_pool", "max_pool", "residual", "rnn"])
@pytest.mark.parametrize("seed", range(5))
def test_gradients_match_finite_differences_on_random_sizes(kind, seed):
    rng = random.Random(seed)
    module, x = random_module_and_input(kind, rng)
    weights = None

    def loss_of(*inputs):
        nonlocal weights
        flat_inputs = iter(inputs)
        shaped = [[next(flat_inputs) for _ in row] for row in x] if isinstance(x[0], list) else list(inputs)
        result = module(shaped)
        out = flatten(result[0] if isinstance(result, tuple) else result)  # an RNN's (outputs, h_n)
        assert out and all(isinstance(v, Value) for v in out)
        if weights is None:
            weights = [rng.uniform(-1, 1) for _ in out]
        return autograd.dot(out, weights)

    result = autograd.gradcheck(loss_of, flatten(x))
    assert result, result
    module.zero_grad()
    loss_of(*map(Value, flatten(x))).backward()
    analytic = [p.grad for p in module.parameters()]
    numeric = numeric_parameter_grads(module, lambda: loss_of(*map(Value, flatten(x))))
    assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-7)


# ---------------------------------------------------------------------------
# Output lengths: PyTorch's documented formulas (checked against torch by make_layers.py)


def conv_length(length, kernel, stride, padding, dilation):
    return math.floor((length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1)


def pool_length(length, kernel, stride):
    return math.floor((length - kernel) / stride + 1)


@pytest.mark.parametrize(
    "kernel,stride,padding,dilation", list(itertools.product(range(1, 5), range(1, 4), range(3), range(1, 4)))
)
def test_conv1d_output_length_is_pytorchs_formula(kernel, stride, padding, dilation):
    conv = nn.Conv1d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    for length in range(1, 9):
        expected = conv_length(length, kernel, stride, padding, dilation)
        if expected < 1:
            with pytest.raises(ValueError, match=f"got {length}$"):
                conv([[0.0] * length])
        else:
            assert len(conv([[0.0] * length])[0]) == conv.output_length(length) == expected


@pytest.mark.parametrize("pool", [nn.MaxPool1d, nn.AvgPool1d])
@pytest.mark.parametrize("kernel,stride", list(itertools.product(range(1, 6), range(1, 6))))
def test_pool_output_length_is_pytorchs_formula(pool, kernel, stride):
    module = pool(kernel, stride)
    for length in range(1, 13):
        expected = pool_length(length, kernel, stride)
        if expected < 1:
            with pytest.raises(ValueError, match=f"at least {kernel} .*got {length}$"):
                module([[0.0] * length])
        else:
            assert len(module([[0.0] * length])[0]) == module.output_length(length) == expected


def test_pool_stride_defaults_to_the_kernel_size_as_in_pytorch():
    assert nn.MaxPool1d(3).stride == nn.AvgPool1d(3).stride == 3


# ---------------------------------------------------------------------------
# Names, containers and errors


def test_parameter_names_spell_out_pytorchs_tensor_indices():
    assert [n for n, _ in nn.Linear(2, 2).named_parameters()] == [
        "weight.0.0", "weight.0.1", "weight.1.0", "weight.1.1", "bias.0", "bias.1"
    ]  # fmt: skip
    conv_names = [n for n, _ in nn.Conv1d(2, 1, 2).named_parameters()]
    assert conv_names == ["weight.0.0.0", "weight.0.0.1", "weight.0.1.0", "weight.0.1.1", "bias.0"]
    rnn_names = [n for n, _ in nn.RNN(1, 2).named_parameters()]
    assert rnn_names == [
        "weight_ih_l0.0.0", "weight_ih_l0.1.0",
        "weight_hh_l0.0.0", "weight_hh_l0.0.1", "weight_hh_l0.1.0", "weight_hh_l0.1.1",
        "bias_ih_l0.0", "bias_ih_l0.1", "bias_hh_l0.0", "bias_hh_l0.1",
    ]  # fmt: skip


def test_sequential_names_children_by_position_and_indexes_like_a_list():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4))
    names = dict(model.named_parameters())
    assert names["2.weight.2.1"] is model[2].weight[2][1]
    assert model[2].weight[2][1].label == "2.weight.2.1"
    assert len(model) == 3 and list(model)[1] is model[1]
    assert [type(m).__name__ for m in model[1:]] == ["ReLU", "Linear"]
    assert model[2].weight[2][1].label == "2.weight.2.1"  # slicing renamed nothing
    assert model[1:].training is True and len(model[1:].parameters()) == 16
    assert len(model.parameters()) == 9 + 16


def test_dropout_works_inside_sequential_and_follows_eval():
    model = nn.Sequential(nn.Linear(4, 4, rng=random.Random(0)), nn.Dropout(0.5, rng=random.Random(1)))
    x = [1.0, 2.0, 3.0, 4.0]
    training = [v.data for v in model(x)]
    model.eval()
    evaluation = [v.data for v in model(x)]
    assert model[1].training is False
    assert evaluation == [v.data for v in model[0](x)]
    assert all(t in (0.0, pytest.approx(2 * e)) for t, e in zip(training, evaluation))
    assert 0.0 in training


def test_rnn_runs_each_step_as_its_own_module_titled_t(monkeypatch):
    rnn = nn.RNN(1, 2)
    calls = []
    original = nn.Module.__call__

    def record(self, *args, **kwargs):
        calls.append(repr(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(nn.Module, "__call__", record)
    rnn([[1.0], [2.0], [3.0]])
    assert calls[1:] == ["t=1", "t=2", "t=3"]  # after the RNN's own call
    assert all(p.label == name for name, p in rnn.named_parameters())  # the steps relabel nothing


def test_rnn_h0_defaults_to_zeros():
    rnn = nn.RNN(2, 3, rng=random.Random(0))
    xs = [[0.5, -1.0], [1.0, 0.0]]
    _, default = rnn(xs)
    _, zeros = rnn(xs, [0.0, 0.0, 0.0])
    assert [v.data for v in default] == pytest.approx([v.data for v in zeros], rel=1e-15)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: nn.Linear(3, 2)([1.0, 2.0]), "Linear expects 3 inputs, got 2"),
        (lambda: nn.Conv1d(2, 1, 3)([[1.0] * 5]), "Conv1d expects 2 input channels, got 1"),
        (lambda: nn.Conv1d(1, 1, 3)([[1.0] * 2]), "Conv1d expects an input of length at least 3 .*got 2"),
        (lambda: nn.Conv1d(2, 1, 1)([[1.0] * 5, [1.0] * 4]), "channel 1 has 4"),
        (lambda: nn.MaxPool1d(4)([[1.0] * 3]), "MaxPool1d expects an input of length at least 4 .*got 3"),
        (lambda: nn.AdaptiveAvgPool1d(1)([[]]), "at least one sample per channel, got channels of length 0"),
        (lambda: nn.RNN(2, 3)([[1.0, 2.0], [1.0]]), "RNN at t=2 expects 2 inputs, got 1"),
        (lambda: nn.RNN(2, 3)([[1.0, 2.0]], [0.0]), "RNN expects 3 values in h0, got 1"),
        (lambda: nn.RNN(2, 3)([]), "non-empty list of input vectors"),
        (lambda: nn.RNN(2, 3, nonlinearity="sigmoid"), "unknown nonlinearity 'sigmoid'; expected one of"),
        (
            lambda: nn.Residual(nn.Linear(2, 3))([1.0, 2.0]),
            r"equal shapes, got input \(2,\) and module output \(3,\)",
        ),
    ],
)
def test_wrong_sizes_are_value_errors_naming_expected_and_actual(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError, match="Sequential takes modules, got int at position 1"):
        nn.Sequential(nn.ReLU(), 3)
    with pytest.raises(TypeError, match="Conv1d takes a list of channels"):
        nn.Conv1d(1, 1, 1)([1.0, 2.0])
    with pytest.raises(TypeError, match="bias must be True or False"):
        nn.Linear(1, 1, bias=1)


def test_activation_modules_keep_the_nesting_of_their_input():
    out = nn.ReLU()([[-1.0, 2.0], [3.0, -4.0]])
    assert data(out) == [[0.0, 2.0], [3.0, 0.0]]
    assert nn.Identity()(out) is out


def test_conv1d_makes_one_dot_node_per_output_leaving_padded_taps_out():
    conv = nn.Conv1d(1, 1, 3, padding=1)
    first, middle, _ = conv([[1.0, 2.0, 3.0]])[0]
    assert first.op == "+" and first.parents[0].op == "dot"
    assert len(first.parents[0].parents) == 2 * 2  # two taps inside the input, weights and inputs
    assert len(middle.parents[0].parents) == 2 * 3


def test_a_user_module_names_values_in_nested_lists_by_their_indices():
    class Grid(nn.Module):
        def __init__(self):
            self.cells = [[Value(1.0), Value(2.0)], [Value(3.0)]]
            self.pair = (nn.ReLU(), [Value(4.0)])

    grid = Grid()
    assert [name for name, _ in grid.named_parameters()] == [
        "cells.0.0",
        "cells.0.1",
        "cells.1.0",
        "pair.1.0",
    ]
    assert grid.cells[0][1].label == "cells.0.1"


def test_max_pooling_has_second_derivatives():
    # f = (max(x0, x1) + max(x2, x3))² at (1, 3, 3, 2) is (x1 + x2)²: its Hessian is 2 on the x1, x2 block.
    x = [[autograd.Value(v) for v in (1.0, 3.0, 3.0, 2.0)]]
    pooled = nn.MaxPool1d(2)(x)
    hessian = autograd.hessian(autograd.sum(pooled[0]) ** 2, x[0])
    assert hessian == [[0.0] * 4, [0.0, 2.0, 2.0, 0.0], [0.0, 2.0, 2.0, 0.0], [0.0] * 4]

    def pooled_square(*v):
        return autograd.sum(nn.MaxPool1d(2)([list(v)])[0]) ** 2

    assert autograd.gradgradcheck(pooled_square, [1.0, 3.0, 2.5, 2.0])
