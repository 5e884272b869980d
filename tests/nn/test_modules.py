"""Modules, activations, initialisation, dropout and nn's random generator."""

import math
import random
import statistics

import pytest

import nn
from autograd import Value
from tests import references as ref

# ---------------------------------------------------------------------------
# Parameters: names, order, labels


def test_neuron_parameters_are_w_then_b():
    neuron = nn.Neuron(3)
    names = [name for name, _ in neuron.named_parameters()]
    assert names == ["w.0", "w.1", "w.2", "b"]
    assert neuron.parameters() == [*neuron.w, neuron.b]


def test_mlp_names_every_parameter_with_its_dotted_path_in_a_fixed_order():
    model = nn.MLP(2, [16, 16, 1])
    named = model.named_parameters()
    assert len(named) == len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337
    assert named[0] == ("layers.0.neurons.0.w.0", model.layers[0].neurons[0].w[0])
    assert named[-1] == ("layers.2.neurons.0.b", model.layers[2].neurons[0].b)
    assert dict(named)["layers.0.neurons.3.w.1"] is model.layers[0].neurons[3].w[1]
    assert [p for _, p in named] == model.parameters()


def test_parameters_are_labelled_as_soon_as_the_mlp_is_built():
    model = nn.MLP(2, [4, 3])
    assert model.layers[0].neurons[3].w[1].label == "layers.0.neurons.3.w.1"
    assert model.layers[1].neurons[2].b.label == "layers.1.neurons.2.b"
    assert all(p.label == name for name, p in model.named_parameters())


def test_a_user_module_labels_nested_parameters_with_full_names():
    class Net(nn.Module):
        def __init__(self):
            self.body = nn.Layer(2, 2)
            self.head = nn.Neuron(2, activation="linear")
            self.scale = Value(1.0)

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    net = Net()
    assert net.body.neurons[1].w[0].label == "body.neurons.1.w.0"
    assert net.head.b.label == "head.b"
    assert net.scale.label == "scale"
    assert isinstance(net([1.0, 2.0]), Value)


def test_the_same_structure_gives_the_same_order_every_time():
    first = [name for name, _ in nn.MLP(3, [5, 2]).named_parameters()]
    second = [name for name, _ in nn.MLP(3, [5, 2]).named_parameters()]
    assert first == second


def test_lists_tuples_private_attributes_and_shared_parameters():
    shared = Value(1.0)

    class Net(nn.Module):
        def __init__(self):
            self.pair = (shared, Value(2.0))
            self.again = shared  # shared: listed once, under its first name
            self.stuff = ["not a parameter", 3.0, Value(4.0)]
            self._cache = Value(5.0)  # private: not a parameter
            self.note = "text"

    net = Net()
    assert [name for name, _ in net.named_parameters()] == ["pair.0", "pair.1", "stuff.2"]
    assert net.state_dict() == {"pair.0": 1.0, "pair.1": 2.0, "stuff.2": 4.0}


def test_a_module_without_forward_says_so():
    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        Empty()(1.0)


def test_zero_grad_resets_every_parameter():
    model = nn.MLP(2, [3, 1])
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_train_and_eval_reach_every_submodule():
    class Net(nn.Module):
        def __init__(self):
            self.layer = nn.Layer(2, 2)
            self.drop = nn.Dropout(0.5)

    net = Net()
    assert net.training and net.drop.training
    assert net.eval() is net
    assert not net.training and not net.drop.training and not net.layer.neurons[0].training
    net.train()
    assert net.drop.training and net.layer.training
    with pytest.raises(TypeError, match="bool"):
        net.train(1)


# ---------------------------------------------------------------------------
# state_dict / load_state_dict


def test_state_dict_is_a_plain_dict_of_floats():
    model = nn.MLP(2, [3, 1])
    state = model.state_dict()
    assert type(state) is dict
    assert all(type(k) is str and type(v) is float for k, v in state.items())
    assert list(state) == [name for name, _ in model.named_parameters()]


def test_load_state_dict_round_trip():
    source, target = nn.MLP(2, [3, 1], rng=random.Random(1)), nn.MLP(2, [3, 1], rng=random.Random(2))
    assert target.load_state_dict(source.state_dict()) == nn.IncompatibleKeys([], [])
    assert target.state_dict() == source.state_dict()
    assert target([0.3, -0.7]).data == source([0.3, -0.7]).data


def test_strict_load_names_missing_and_unexpected_and_changes_nothing():
    model = nn.Neuron(2)
    before = model.state_dict()
    state = {"w.0": 1.0, "w.1": 2.0, "bias": 3.0}
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "got 3 values for 3 parameters" in message
    assert "missing ['b']" in message and "unexpected ['bias']" in message
    assert model.state_dict() == before
    with pytest.raises(ValueError, match="got 2 values for 3 parameters"):
        model.load_state_dict({"w.0": 1.0, "w.1": 2.0})


def test_non_strict_load_takes_what_matches():
    model = nn.Neuron(2, init="zeros")
    result = model.load_state_dict({"w.1": 5.0, "extra": 1.0}, strict=False)
    assert result == nn.IncompatibleKeys(missing_keys=["w.0", "b"], unexpected_keys=["extra"])
    assert model.state_dict() == {"w.0": 0.0, "w.1": 5.0, "b": 0.0}


@pytest.mark.parametrize(
    ("value", "error"),
    [(True, TypeError), ("1.0", TypeError), (None, TypeError), ([1.0], TypeError), (math.nan, ValueError)],
)
def test_load_state_dict_rejects_bad_values_before_changing_anything(value, error):
    model = nn.Neuron(1, init="zeros")
    with pytest.raises(error, match="'b'"):
        model.load_state_dict({"w.0": 9.0, "b": value})
    assert model.state_dict() == {"w.0": 0.0, "b": 0.0}


def test_load_state_dict_takes_ints_and_rejects_non_mappings():
    model = nn.Neuron(1)
    model.load_state_dict({"w.0": 2, "b": -1})
    assert model.state_dict() == {"w.0": 2.0, "b": -1.0} and type(model.b.data) is float
    with pytest.raises(TypeError, match="maps names to numbers"):
        model.load_state_dict([("w.0", 1.0)])


# ---------------------------------------------------------------------------
# repr


def test_repr_is_a_tree_with_parameter_counts():
    assert repr(nn.MLP(2, [16, 16, 1])) == (
        "MLP(2, [16, 16, 1], activation='relu', output_activation='linear') — 337 parameters\n"
        "  layers.0: Layer(2, 16, activation='relu') — 48 parameters\n"
        "    neurons.0-15: 16 × Neuron(2, activation='relu') — 3 parameters\n"
        "  layers.1: Layer(16, 16, activation='relu') — 272 parameters\n"
        "    neurons.0-15: 16 × Neuron(16, activation='relu') — 17 parameters\n"
        "  layers.2: Layer(16, 1, activation='linear') — 17 parameters\n"
        "    neurons.0: Neuron(16, activation='linear') — 17 parameters"
    )
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25) — 0 parameters"


# ---------------------------------------------------------------------------
# Neuron, Layer, MLP


def test_neuron_computes_activation_of_weighted_sum_with_the_dot_op():
    neuron = nn.Neuron(2, activation="tanh")
    neuron.load_state_dict({"w.0": 0.5, "w.1": -1.5, "b": 0.25})
    x = [Value(2.0), 3.0]
    out = neuron(x)
    assert out.data == pytest.approx(math.tanh(0.5 * 2.0 - 1.5 * 3.0 + 0.25), abs=1e-15)
    assert out.op == "tanh"
    assert out.parents[0].op == "+"
    assert out.parents[0].parents[0].op == "dot"
    out.backward()
    slope = 1 - out.data**2
    assert neuron.w[0].grad == pytest.approx(slope * 2.0)
    assert neuron.w[1].grad == pytest.approx(slope * 3.0)
    assert neuron.b.grad == pytest.approx(slope)
    assert x[0].grad == pytest.approx(slope * 0.5)


def test_input_width_is_checked_with_the_exact_message():
    with pytest.raises(ValueError) as error:
        nn.Neuron(2)([1.0, 2.0, 3.0])
    assert str(error.value) == "Neuron expects 2 inputs, got 3"
    with pytest.raises(ValueError, match=r"^Neuron expects 2 inputs, got 3$"):
        nn.MLP(2, [4, 1])([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="Neuron takes a list of 2 inputs, got float"):
        nn.Neuron(2)(1.0)


def test_layer_always_returns_a_list():
    assert isinstance(nn.Layer(2, 1)([1.0, 2.0]), list)
    assert len(nn.Layer(2, 5)([1.0, 2.0])) == 5


def test_mlp_returns_the_value_itself_for_one_output_and_a_list_for_several():
    single = nn.MLP(2, [4, 1])([1.0, -1.0])
    assert isinstance(single, Value)
    nn.hinge_loss(single, 1).backward()  # usable directly with the losses
    several = nn.MLP(2, [4, 3])([1.0, -1.0])
    assert isinstance(several, list) and len(several) == 3


def test_mlp_hidden_and_output_activations():
    model = nn.MLP(1, [3, 2], activation="tanh", output_activation="sigmoid")
    assert [n.activation for n in model.layers[0].neurons] == ["tanh"] * 3
    assert [n.activation for n in model.layers[1].neurons] == ["sigmoid"] * 2
    assert all(0 < v.data < 1 for v in model([5.0]))
    linear = nn.MLP(1, [3, 1], init="uniform", rng=random.Random(3))
    assert linear.layers[-1].neurons[0].activation == "linear"
    assert any(linear([x]).data < 0 for x in (-5.0, 5.0, -50.0, 50.0))  # not squashed


@pytest.mark.parametrize("sizes", [[], 3, "16"])
def test_mlp_sizes_must_be_a_non_empty_list(sizes):
    with pytest.raises(ValueError, match="sizes must be a non-empty list"):
        nn.MLP(2, sizes)


@pytest.mark.parametrize(
    ("nin", "error"), [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_neuron_needs_a_positive_int_width(nin, error):
    with pytest.raises(error, match="nin"):
        nn.Neuron(nin)


# ---------------------------------------------------------------------------
# Activations


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("relu", ref.relu),
        ("tanh", math.tanh),
        ("sigmoid", ref.sigmoid),
        ("leaky_relu", ref.leaky_relu),
        ("elu", ref.elu),
        ("softplus", ref.softplus),
        ("linear", lambda x: x),
    ],
)
@pytest.mark.parametrize("x", [-2.0, -0.5, 0.3, 1.7])
def test_activation_by_name(name, reference, x):
    neuron = nn.Neuron(1, activation=name)
    neuron.load_state_dict({"w.0": 1.0, "b": 0.0})
    assert neuron([x]).data == pytest.approx(reference(x), rel=1e-12, abs=1e-15)


def test_linear_activation_adds_no_node():
    neuron = nn.Neuron(2, activation="linear")
    assert neuron([1.0, 2.0]).op == "+"


def test_activation_as_a_callable():
    neuron = nn.Neuron(1, activation=lambda v: v * v, init="zeros")
    neuron.load_state_dict({"w.0": 3.0, "b": 0.0})
    assert neuron([2.0]).data == 36.0
    assert nn.Neuron(1, activation=math.sin).activation == "sin"


@pytest.mark.parametrize(
    "build",
    [
        lambda: nn.Neuron(2, activation="swish"),
        lambda: nn.Layer(2, 3, activation="swish"),
        lambda: nn.MLP(2, [3, 1], activation="swish"),
        lambda: nn.MLP(2, [3, 1], output_activation="swish"),
        lambda: nn.MLP(2, [1], activation="swish"),  # no hidden layer uses it, still refused
    ],
)
def test_unknown_activation_is_refused_at_construction_listing_the_valid_ones(build):
    with pytest.raises(ValueError) as error:
        build()
    assert str(error.value).startswith(
        "unknown activation 'swish'; expected one of "
        "['elu', 'leaky_relu', 'linear', 'relu', 'sigmoid', 'softplus', 'tanh']"
    )


@pytest.mark.parametrize("inputs", [{"x1": 1.0, "x2": 2.0}, {1.0, 2.0}, frozenset({1.0, 2.0})])
def test_an_input_without_order_is_a_type_error(inputs):
    model = nn.MLP(2, [3, 1])
    with pytest.raises(TypeError, match=f"takes a list of 2 inputs in order, got a {type(inputs).__name__}"):
        model(inputs)


class ContainsItself(nn.Module):
    def __init__(self):
        self.inner = nn.Neuron(1, init="zeros")
        self.again = self
        self.loop = [self, self.inner]

    def forward(self, x):
        return self.inner(x)


def test_a_module_that_contains_itself_does_not_recurse_forever():
    module = ContainsItself()
    assert [name for name, _ in module.named_parameters()] == ["inner.w.0", "inner.b"]
    assert module.state_dict() == {"inner.w.0": 0.0, "inner.b": 0.0}
    assert module.eval().training is False and module.inner.training is False
    module.zero_grad()
    assert repr(module).splitlines() == [
        "ContainsItself() — 2 parameters",
        "  inner: Neuron(1, activation='relu') — 2 parameters",
        "  again: <this module again: it contains itself>",
        "  loop.0: <this module again: it contains itself>",
        "  loop.1: Neuron(1, activation='relu') — 2 parameters",
    ]


def test_activation_of_the_wrong_type():
    with pytest.raises(TypeError, match="activation must be a name or a function"):
        nn.Neuron(2, activation=3)


# ---------------------------------------------------------------------------
# Initialisation: bounds and spread, statistically, with seeds


def weights_of(layer):
    return [w.data for n in layer.neurons for w in n.w]


def biases_of(layer):
    return [n.b.data for n in layer.neurons]


def test_default_init_is_pytorch_linear_uniform_in_one_over_sqrt_nin():
    layer = nn.Layer(25, 200, rng=random.Random(0))
    bound = 1 / math.sqrt(25)
    for values in (weights_of(layer), biases_of(layer)):
        assert max(abs(v) for v in values) <= bound
        assert max(abs(v) for v in values) > 0.95 * bound
        assert statistics.pstdev(values) == pytest.approx(bound / math.sqrt(3), rel=0.1)
    assert statistics.fmean(weights_of(layer)) == pytest.approx(0.0, abs=0.01)


def test_uniform_init_is_micrograds():
    layer = nn.Layer(10, 100, init="uniform", rng=random.Random(0))
    weights = weights_of(layer)
    assert min(weights) >= -1.0 and max(weights) <= 1.0
    assert max(abs(w) for w in weights) > 0.99
    assert statistics.pstdev(weights) == pytest.approx(1 / math.sqrt(3), rel=0.05)
    assert biases_of(layer) == [0.0] * 100


@pytest.mark.parametrize(
    ("init", "bound"),
    [("xavier_uniform", math.sqrt(6 / (50 + 30))), ("kaiming_uniform", math.sqrt(6 / 50))],
)
def test_uniform_schemes_fill_their_bounds(init, bound):
    weights = weights_of(nn.Layer(50, 30, init=init, rng=random.Random(1)))
    assert max(abs(w) for w in weights) <= bound
    assert max(abs(w) for w in weights) > 0.99 * bound
    assert statistics.pstdev(weights) == pytest.approx(bound / math.sqrt(3), rel=0.05)


@pytest.mark.parametrize(
    ("init", "std"),
    [("xavier_normal", math.sqrt(2 / (50 + 30))), ("kaiming_normal", math.sqrt(2 / 50))],
)
def test_normal_schemes_have_their_standard_deviation(init, std):
    layer = nn.Layer(50, 30, init=init, rng=random.Random(2))
    weights = weights_of(layer)  # 1500 draws: the sample std is within ~2% (1 sigma)
    assert statistics.pstdev(weights) == pytest.approx(std, rel=0.08)
    assert statistics.fmean(weights) == pytest.approx(0.0, abs=4 * std / math.sqrt(1500))
    assert biases_of(layer) == [0.0] * 30


def test_a_lone_neuron_has_fan_out_one():
    weights = [
        w.data for seed in range(200) for w in nn.Neuron(5, init="xavier_uniform", rng=random.Random(seed)).w
    ]
    bound = math.sqrt(6 / (5 + 1))
    assert max(abs(w) for w in weights) <= bound
    assert max(abs(w) for w in weights) > 0.98 * bound


def test_zeros_init():
    layer = nn.Layer(3, 2, init="zeros")
    assert weights_of(layer) == [0.0] * 6 and biases_of(layer) == [0.0] * 2


def test_unknown_init_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        nn.MLP(2, [3], init="he")
    assert str(error.value) == (
        "unknown init 'he'; expected one of ['kaiming_normal', 'kaiming_uniform', 'pytorch', "
        "'uniform', 'xavier_normal', 'xavier_uniform', 'zeros']"
    )


def test_the_same_rng_seed_gives_the_same_model():
    a = nn.MLP(2, [4, 1], rng=random.Random(5)).state_dict()
    b = nn.MLP(2, [4, 1], rng=random.Random(5)).state_dict()
    c = nn.MLP(2, [4, 1], rng=random.Random(6)).state_dict()
    assert a == b and a != c


def test_manual_seed_seeds_nns_default_generator():
    nn.manual_seed(42)
    first = nn.MLP(2, [4, 1]).state_dict()
    nn.manual_seed(42)
    assert nn.MLP(2, [4, 1]).state_dict() == first
    with pytest.raises(TypeError, match="seed must be an int"):
        nn.manual_seed("42")


def test_rng_must_be_a_random_generator():
    with pytest.raises(TypeError, match=r"rng must be a random.Random or None, got int: 3"):
        nn.Neuron(2, rng=3)


def test_pythons_global_random_state_is_never_read_or_changed():
    random.seed(123)
    state = random.getstate()
    nn.manual_seed(1)
    model = nn.MLP(2, [4, 1])
    drop = nn.Dropout(0.5)
    X, y = nn.data.make_moons(20, noise=0.1)
    nn.data.train_test_split(X, y)
    nn.data.batches(X, y, 5, shuffle=True)
    nn.fit(
        model,
        X,
        [2 * t - 1 for t in y],
        loss=nn.hinge_loss,
        optimizer=nn.SGD(model.parameters(), lr=0.1),
        epochs=2,
        batch_size=5,
        progress=False,
    )
    drop([Value(1.0)] * 10)
    assert random.getstate() == state


def test_nns_draws_do_not_depend_on_pythons_global_random_state():
    nn.manual_seed(1)
    random.seed(1)
    first = (nn.MLP(2, [4, 1]).state_dict(), [v.data for v in nn.Dropout(0.5)([Value(1.0)] * 10)])
    nn.manual_seed(1)
    random.seed(2)
    assert (nn.MLP(2, [4, 1]).state_dict(), [v.data for v in nn.Dropout(0.5)([Value(1.0)] * 10)]) == first


# ---------------------------------------------------------------------------
# Dropout


def test_dropout_zeroes_about_p_and_scales_the_rest():
    n, p = 20_000, 0.3
    drop = nn.Dropout(p, rng=random.Random(0))
    xs = [Value(1.0) for _ in range(n)]
    out = drop(xs)
    assert isinstance(out, list) and len(out) == n
    kept = [v.data for v in out if v.data != 0.0]
    dropped = n - len(kept)
    sigma = math.sqrt(n * p * (1 - p))
    assert abs(dropped - n * p) < 4 * sigma
    assert set(kept) == {1 / (1 - p)}
    assert statistics.fmean(v.data for v in out) == pytest.approx(1.0, abs=4 * sigma / n / (1 - p))


def test_dropout_gradient_is_the_mask():
    drop = nn.Dropout(0.5, rng=random.Random(3))
    xs = [Value(float(i + 1)) for i in range(50)]
    out = drop(xs)
    for x, y in zip(xs, out):
        y.backward()
        kept = y.data != 0.0
        assert x.grad == (2.0 if kept else 0.0)
        assert y.data == (2.0 * x.data if kept else 0.0)
    assert 0 < sum(y.data != 0.0 for y in out) < 50


def test_dropout_is_the_identity_in_eval_mode_and_for_p_zero():
    xs = [Value(1.0), Value(2.0)]
    assert nn.Dropout(0.9).eval()(xs) == xs
    assert nn.Dropout(0.0)(xs) == xs


def test_dropout_with_p_one_gives_zeros_with_zero_gradient():
    xs = [Value(3.0), Value(-2.0)]
    out = nn.Dropout(1.0)(xs)
    assert [v.data for v in out] == [0.0, 0.0]
    for v in out:
        v.backward()
    assert [x.grad for x in xs] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("p", "error"),
    [(-0.1, ValueError), (1.5, ValueError), (math.nan, ValueError), ("0.5", TypeError), (True, TypeError)],
)
def test_dropout_probability_must_be_in_0_1(p, error):
    with pytest.raises(error, match="p"):
        nn.Dropout(p)


def test_dropout_is_reproducible_with_a_seed_and_uses_the_default_generator():
    xs = [Value(1.0)] * 30
    first = [v.data for v in nn.Dropout(0.5, rng=random.Random(7))(xs)]
    assert [v.data for v in nn.Dropout(0.5, rng=random.Random(7))(xs)] == first
    nn.manual_seed(3)
    a = [v.data for v in nn.Dropout(0.5)(xs)]
    nn.manual_seed(3)
    assert [v.data for v in nn.Dropout(0.5)(xs)] == a
