"""Optimizers and learning-rate schedules against PyTorch's trajectories and hand-computed steps.

Most tests minimise loss = w² from w = 1, so the gradient is 2w and each step can be
worked out by hand from PyTorch's documented update rule.
"""

import json
import math
from pathlib import Path

import pytest

import nn
from autograd import Value

OPTIMIZERS = [nn.SGD, nn.Adam, nn.AdamW, nn.RMSprop, nn.Adagrad]


def trajectory(optimizer_class, steps, start=1.0, **settings):
    """w after each of `steps` steps on loss w², from w = start."""
    w = Value(start)
    optimizer = optimizer_class([w], **settings)
    path = []
    for _ in range(steps):
        optimizer.zero_grad()
        (w * w).backward()
        optimizer.step()
        path.append(w.data)
    return path


# ---------------------------------------------------------------------------
# PyTorch float64 trajectories from the issue


def test_sgd_matches_pytorch():
    assert trajectory(nn.SGD, 1, lr=0.1) == [0.8]


def test_sgd_momentum_matches_pytorch():
    assert trajectory(nn.SGD, 2, lr=0.1, momentum=0.9) == pytest.approx([0.8, 0.46], abs=1e-12)


def test_adam_matches_pytorch_to_the_last_bit():
    assert trajectory(nn.Adam, 2, lr=0.1) == [0.9000000005, 0.8004122286917927]


# ---------------------------------------------------------------------------
# Hand-computed steps


def test_sgd_nesterov():
    # step 1: g = 2, b = 2, g + 0.9 b = 3.8, w = 1 - 0.38
    # step 2: g = 1.24, b = 0.9 * 2 + 1.24 = 3.04, g + 0.9 b = 3.976, w = 0.62 - 0.3976
    assert trajectory(nn.SGD, 2, lr=0.1, momentum=0.9, nesterov=True) == pytest.approx(
        [0.62, 0.2224], abs=1e-12
    )


def test_sgd_dampening_applies_from_the_second_step():
    # step 1: b = g = 2, w = 0.8; step 2: g = 1.6, b = 0.9 * 2 + 0.5 * 1.6 = 2.6, w = 0.8 - 0.26
    assert trajectory(nn.SGD, 2, lr=0.1, momentum=0.9, dampening=0.5) == pytest.approx([0.8, 0.54], abs=1e-12)


def test_sgd_weight_decay_adds_to_the_gradient():
    # g = 2w + 0.1w = 2.1 at w = 1, so w = 1 - 0.21
    assert trajectory(nn.SGD, 1, lr=0.1, weight_decay=0.1) == pytest.approx([0.79], abs=1e-12)


def test_adam_second_step_by_hand():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    w1 = 1 - lr * 2 / (2 + eps)  # the first step: m̂ = g and v̂ = g², so it is lr g / (|g| + eps)
    g = 2 * w1
    m = 0.9 * (1 - b1) * 2 + (1 - b1) * g
    v = b2 * (1 - b2) * 4 + (1 - b2) * g * g
    w2 = w1 - lr * (m / (1 - b1**2)) / (math.sqrt(v / (1 - b2**2)) + eps)
    assert trajectory(nn.Adam, 2, lr=lr) == pytest.approx([w1, w2], abs=1e-12)


def test_adam_weight_decay_is_l2_in_the_gradient():
    # g = 2 + 0.1 = 2.1; the first step is lr g / (|g| + eps)
    assert trajectory(nn.Adam, 1, lr=0.1, weight_decay=0.1) == pytest.approx(
        [1 - 0.1 * 2.1 / (2.1 + 1e-8)], abs=1e-12
    )


def test_adamw_decays_the_weight_before_the_adam_step():
    # w = 1 * (1 - 0.1 * 0.01), then the Adam step on the gradient taken at w = 1
    expected = (1 - 0.1 * 0.01) - 0.1 * 2 / (2 + 1e-8)
    assert trajectory(nn.AdamW, 1, lr=0.1) == pytest.approx([expected], abs=1e-12)
    assert trajectory(nn.AdamW, 1, lr=0.1, weight_decay=0.5) == pytest.approx(
        [0.95 - 0.1 * 2 / (2 + 1e-8)], abs=1e-12
    )


def test_rmsprop_two_steps_by_hand():
    lr, alpha, eps = 0.01, 0.99, 1e-8
    v1 = (1 - alpha) * 4
    w1 = 1 - lr * 2 / (math.sqrt(v1) + eps)
    g = 2 * w1
    v2 = alpha * v1 + (1 - alpha) * g * g
    w2 = w1 - lr * g / (math.sqrt(v2) + eps)
    assert trajectory(nn.RMSprop, 2, lr=lr) == pytest.approx([w1, w2], abs=1e-12)


def test_rmsprop_momentum_and_centered_by_hand():
    lr, alpha, eps, mu = 0.01, 0.99, 1e-8, 0.5
    v1 = (1 - alpha) * 4
    b1 = 2 / (math.sqrt(v1) + eps)
    w1 = 1 - lr * b1
    g = 2 * w1
    v2 = alpha * v1 + (1 - alpha) * g * g
    b2 = mu * b1 + g / (math.sqrt(v2) + eps)
    assert trajectory(nn.RMSprop, 2, lr=lr, momentum=mu) == pytest.approx([w1, w1 - lr * b2], abs=1e-12)
    mean = (1 - alpha) * 2  # centered: divide by sqrt(v - mean²)
    centered = 1 - lr * 2 / (math.sqrt(v1 - mean * mean) + eps)
    assert trajectory(nn.RMSprop, 1, lr=lr, centered=True) == pytest.approx([centered], abs=1e-12)


def test_adagrad_two_steps_by_hand_and_lr_decay():
    eps = 1e-10
    w1 = 1 - 0.1 * 2 / (2 + eps)
    w2 = w1 - 0.1 * (2 * w1) / (math.sqrt(4 + (2 * w1) ** 2) + eps)
    assert trajectory(nn.Adagrad, 2, lr=0.1) == pytest.approx([w1, w2], abs=1e-12)
    decayed = w1 - 0.1 / (1 + 0.5) * (2 * w1) / (math.sqrt(4 + (2 * w1) ** 2) + eps)
    assert trajectory(nn.Adagrad, 2, lr=0.1, lr_decay=0.5)[1] == pytest.approx(decayed, abs=1e-12)
    start = 1 - 0.1 * 2 / (math.sqrt(1.0 + 4) + eps)
    assert trajectory(nn.Adagrad, 1, lr=0.1, initial_accumulator_value=1.0) == pytest.approx(
        [start], abs=1e-12
    )


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_each_parameter_is_updated_independently(optimizer_class):
    ws = [Value(1.0), Value(-3.0), Value(0.5)]
    optimizer = optimizer_class(ws, lr=0.05)
    for _ in range(5):
        optimizer.zero_grad()
        sum((w * w for w in ws), Value(0.0)).backward()
        optimizer.step()
    assert [w.data for w in ws] == [
        trajectory(optimizer_class, 5, start=s, lr=0.05)[-1] for s in (1.0, -3.0, 0.5)
    ]


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_every_optimizer_minimises_a_quadratic(optimizer_class):
    assert abs(trajectory(optimizer_class, 300, lr=0.05)[-1]) < 0.05


def test_a_zero_gradient_with_eps_zero_gives_nan_like_pytorch():
    w = Value(1.0)
    optimizer = nn.Adam([w], lr=0.1, eps=0.0)
    optimizer.step()  # grad 0: 0 / 0 in PyTorch is nan, not an exception
    assert math.isnan(w.data)


# ---------------------------------------------------------------------------
# lr, zero_grad


def test_lr_is_a_plain_attribute_the_loop_may_set():
    w = Value(1.0)
    optimizer = nn.SGD([w], lr=0.1)
    optimizer.lr = 0.25
    (w * w).backward()
    optimizer.step()
    assert w.data == 0.5


def test_zero_grad_zeroes_the_parameters_gradients():
    ws = [Value(1.0), Value(2.0)]
    (ws[0] * ws[1]).backward()
    nn.SGD(ws, lr=0.1).zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0]


def test_defaults_are_pytorchs():
    w = [Value(1.0)]
    assert nn.SGD(w).lr == 1e-3
    assert (nn.Adam(w).lr, nn.Adam(w).betas, nn.Adam(w).eps, nn.Adam(w).weight_decay) == (
        1e-3,
        (0.9, 0.999),
        1e-8,
        0,
    )
    assert nn.AdamW(w).weight_decay == 1e-2
    assert (nn.RMSprop(w).lr, nn.RMSprop(w).alpha, nn.RMSprop(w).eps, nn.RMSprop(w).momentum) == (
        1e-2,
        0.99,
        1e-8,
        0,
    )
    assert (nn.Adagrad(w).lr, nn.Adagrad(w).eps) == (1e-2, 1e-10)


# ---------------------------------------------------------------------------
# Invalid hyper-parameters: ValueError like PyTorch


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_negative_lr_is_refused(optimizer_class):
    with pytest.raises(ValueError, match=r"lr must be >= 0, got -0\.1"):
        optimizer_class([Value(1.0)], lr=-0.1)


@pytest.mark.parametrize("optimizer_class", [nn.Adam, nn.AdamW])
@pytest.mark.parametrize(("betas", "message"), [((1.0, 0.999), r"betas\[0\]"), ((0.9, -0.1), r"betas\[1\]")])
def test_betas_must_be_in_0_1(optimizer_class, betas, message):
    with pytest.raises(ValueError, match=message + r" must be in \[0, 1\)"):
        optimizer_class([Value(1.0)], betas=betas)


@pytest.mark.parametrize(
    ("optimizer_class", "settings", "message"),
    [
        (nn.SGD, {"momentum": -0.9}, "momentum"),
        (nn.SGD, {"weight_decay": -1.0}, "weight_decay"),
        (nn.SGD, {"nesterov": True}, "Nesterov momentum needs momentum > 0 and dampening 0"),
        (nn.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov"),
        (nn.Adam, {"eps": -1e-8}, "eps"),
        (nn.Adam, {"weight_decay": -0.1}, "weight_decay"),
        (nn.RMSprop, {"alpha": -0.5}, "alpha"),
        (nn.RMSprop, {"momentum": -0.5}, "momentum"),
        (nn.Adagrad, {"lr_decay": -1.0}, "lr_decay"),
        (nn.Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        (nn.Adagrad, {"lr": math.nan}, "lr"),
    ],
)
def test_invalid_settings_are_value_errors(optimizer_class, settings, message):
    with pytest.raises(ValueError, match=message):
        optimizer_class([Value(1.0)], **settings)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.SGD([Value(1.0)], lr="0.1"), "lr must be a real number, got str"),
        (lambda: nn.SGD([Value(1.0)], momentum=0.9, nesterov=1), "nesterov must be a bool"),
        (lambda: nn.Adam([Value(1.0)], betas=0.9), "betas must be a pair"),
        (lambda: nn.SGD([1.0], lr=0.1), "item 0 is not a Value"),
        (lambda: nn.SGD(Value(1.0), lr=0.1), "list of Values"),
    ],
)
def test_wrong_types_are_type_errors(build, message):
    with pytest.raises(TypeError, match=message):
        build()


def test_parameters_must_be_a_non_empty_list_without_repeats():
    with pytest.raises(ValueError, match="empty list of parameters"):
        nn.SGD([], lr=0.1)
    w = Value(1.0)
    with pytest.raises(ValueError, match="a parameter twice"):
        nn.Adam([w, w])


# ---------------------------------------------------------------------------
# state_dict / load_state_dict


@pytest.mark.parametrize(
    ("optimizer_class", "settings"),
    [
        (nn.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        (nn.Adam, {"lr": 0.1, "weight_decay": 0.01}),
        (nn.AdamW, {"lr": 0.1}),
        (nn.RMSprop, {"lr": 0.01, "momentum": 0.5, "centered": True}),
        (nn.Adagrad, {"lr": 0.1, "lr_decay": 0.1}),
    ],
)
def test_state_dict_round_trips_through_json_and_resumes_the_same_trajectory(optimizer_class, settings):
    def run(ws, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            sum((w * w * w * w for w in ws), Value(0.0)).backward()
            optimizer.step()

    ws = [Value(1.0), Value(-0.5)]
    optimizer = optimizer_class(ws, **settings)
    run(ws, optimizer, 3)
    saved = json.loads(json.dumps(optimizer.state_dict()))
    copies = [Value(w.data) for w in ws]
    resumed = optimizer_class(copies, lr=0.5)
    resumed.load_state_dict(saved)
    assert resumed.state_dict() == optimizer.state_dict()
    run(ws, optimizer, 3)
    run(copies, resumed, 3)
    assert [w.data for w in copies] == [w.data for w in ws]


def test_load_state_dict_checks_everything_before_changing_anything():
    optimizer = nn.Adam([Value(1.0), Value(2.0)], lr=0.1)
    good = optimizer.state_dict()
    bad_lr = {**good, "hyperparameters": {**good["hyperparameters"], "lr": -1.0}}
    wrong_count = {**good, "state": {"exp_avg": [0.0], "exp_avg_sq": [0.0]}}
    wrong_keys = {**good, "hyperparameters": {"lr": 0.1}}
    for bad, message in [
        (bad_lr, "lr must be >= 0"),
        (wrong_count, "one number per parameter"),
        (wrong_keys, "hyperparameters must be exactly"),
        ({"steps": 0}, "keys 'hyperparameters', 'steps', 'state'"),
    ]:
        with pytest.raises(ValueError, match=message):
            optimizer.load_state_dict(bad)
        assert optimizer.state_dict() == good


def corrupted(state, where, value):
    """A copy of an optimizer's `state` with the entry at the path `where` set to `value`."""
    copy = json.loads(json.dumps(state))
    *path, last = where
    holder = copy
    for key in path:
        holder = holder[key]
    holder[last] = value
    return copy


@pytest.mark.parametrize(
    ("optimizer_class", "where", "value", "message"),
    [
        (nn.Adam, ("state", "exp_avg", 1), math.nan, r"state 'exp_avg'\[1\] must be a finite number"),
        (nn.Adam, ("state", "exp_avg_sq", 0), math.inf, r"state 'exp_avg_sq'\[0\] must be a finite number"),
        (nn.Adam, ("state", "exp_avg_sq", 1), -1e-3, r"'exp_avg_sq'\[1\] is a running sum of squares"),
        (nn.RMSprop, ("state", "square_avg", 0), -2.0, r"'square_avg'\[0\] is a running sum of squares"),
        (nn.Adagrad, ("state", "sum", 1), -0.5, r"'sum'\[1\] is a running sum of squares"),
        (nn.SGD, ("state", "momentum_buffer", 0), -math.inf, r"'momentum_buffer'\[0\] must be a finite"),
        (nn.SGD, ("hyperparameters", "lr"), math.inf, r"hyperparameter 'lr' must be a finite number"),
        (nn.SGD, ("hyperparameters", "dampening"), math.nan, r"hyperparameter 'dampening' must be a finite"),
        (nn.Adam, ("hyperparameters", "betas", 1), math.nan, r"hyperparameter 'betas'\[1\] must be a finite"),
        (nn.Adagrad, ("hyperparameters", "eps"), math.inf, r"hyperparameter 'eps' must be a finite number"),
    ],
)
def test_load_state_dict_refuses_non_finite_and_negative_squares(optimizer_class, where, value, message):
    ws = [Value(1.0), Value(-2.0)]
    optimizer = optimizer_class(ws, lr=0.1)
    for _ in range(2):
        optimizer.zero_grad()
        (ws[0] * ws[1]).backward()
        optimizer.step()
    good = optimizer.state_dict()
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(corrupted(good, where, value))
    assert optimizer.state_dict() == good


PYTORCH = json.loads((Path(__file__).parents[1] / "references" / "optimizers_pytorch.json").read_text())


@pytest.mark.parametrize("case", sorted(PYTORCH["cases"]))
def test_trajectories_match_pytorch_float64_to_1e_14(case):
    # Not bit for bit: PyTorch fuses p + alpha * g into one rounding (addcdiv_, add_ with alpha).
    reference = PYTORCH["cases"][case]
    a, b = (Value(x) for x in PYTORCH["start"])
    optimizer = getattr(nn, reference["optimizer"])([a, b], **reference["settings"])
    path = []
    for _ in reference["trajectory"]:
        optimizer.zero_grad()
        ((a * a + 25.0 * b * b) / 2.0).backward()
        optimizer.step()
        path.append([a.data, b.data])
    for step, (ours, theirs) in enumerate(zip(path, reference["trajectory"]), 1):
        assert ours == pytest.approx(theirs, rel=1e-14, abs=1e-14), f"step {step}"


# ---------------------------------------------------------------------------
# Schedulers


def rates(scheduler_class, epochs, lr=1.0, **settings):
    optimizer = nn.SGD([Value(1.0)], lr=lr)
    scheduler = scheduler_class(optimizer, **settings)
    seen = [optimizer.lr]
    for _ in range(epochs):
        scheduler.step()
        seen.append(optimizer.lr)
    return seen


def test_step_lr_decays_every_step_size_epochs():
    assert rates(nn.StepLR, 6, lr=0.05, step_size=2, gamma=0.1) == pytest.approx(
        [0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005, 0.00005], rel=1e-12
    )
    assert rates(nn.StepLR, 3, step_size=1) == pytest.approx([1.0, 0.1, 0.01, 0.001], rel=1e-12)


def test_linear_lr_reproduces_micrograds_schedule():
    seen = rates(nn.LinearLR, 150, start_factor=1.0, end_factor=0.1, total_iters=100)
    expected = [1.0 - 0.9 * min(k, 100) / 100 for k in range(151)]
    assert seen == pytest.approx(expected, abs=1e-12)


def test_linear_lr_defaults_warm_up_from_a_third():
    seen = rates(nn.LinearLR, 6, lr=0.3)
    assert seen == pytest.approx([0.3 * (1 / 3 + (2 / 3) * min(k, 5) / 5) for k in range(7)], rel=1e-12)


def test_lambda_lr_multiplies_the_initial_rate():
    assert rates(nn.LambdaLR, 3, lr=0.5, lr_lambda=lambda k: 0.5**k) == [0.5, 0.25, 0.125, 0.0625]


def test_get_last_lr():
    optimizer = nn.SGD([Value(1.0)], lr=1.0)
    scheduler = nn.StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda o: nn.StepLR(o, step_size=0), ValueError, "step_size must be at least 1"),
        (lambda o: nn.StepLR(o, step_size=2.0), TypeError, "step_size must be an int"),
        (lambda o: nn.LinearLR(o, start_factor=0.0), ValueError, r"start_factor must be in \(0, 1\]"),
        (lambda o: nn.LinearLR(o, end_factor=1.5), ValueError, r"end_factor must be in \[0, 1\]"),
        (lambda o: nn.LambdaLR(o, lr_lambda=0.5), TypeError, "lr_lambda must be a function"),
        (lambda o: nn.StepLR("sgd", step_size=1), TypeError, "takes an nn optimizer, got str"),
    ],
)
def test_scheduler_arguments_are_checked(build, error, message):
    with pytest.raises(error, match=message):
        build(nn.SGD([Value(1.0)], lr=1.0))
