"""Print PyTorch float64 reference numbers for nn.layers, as a Python module.

Run where torch is installed (it is never a dependency of gradwalk):

    python tests/references/make_layers.py > tests/nn/layer_references.py
    ruff format tests/nn/layer_references.py

Each case builds a PyTorch module from a fixed seed, runs it on fixed inputs,
takes ``loss = Σ output · coefficient`` (fixed coefficients, so every gradient
differs) and records the state_dict flattened to gradwalk's names
(``weight.o.c.k``), the inputs, coefficients, outputs and every gradient. It also
checks PyTorch's output lengths against the documented formula for every small
combination of sizes, so the tests can use the formula itself.
"""

import itertools
import math
import pprint


def flat(tensor):
    """A tensor as nested lists of floats."""
    return tensor.detach().tolist()


def flat_state(module):
    """The state_dict with each tensor entry spelled out: {"weight.0.1": w[0][1], ...}."""
    state = {}
    for name, tensor in module.state_dict().items():
        for index in itertools.product(*(range(n) for n in tensor.shape)):
            state[".".join([name, *map(str, index)])] = tensor[index].item()
    return state


def grads(module):
    return {name: flat(p.grad) for name, p in module.named_parameters()}


def case(module, inputs, forward):
    """Run `forward(module, inputs)` -> list of output tensors; loss = Σ Σ output · coefficient."""
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    state = flat_state(module)
    outputs = forward(module, inputs)
    coefficients = [torch.randn(o.shape) for o in outputs]
    loss = sum((o * c).sum() for o, c in zip(outputs, coefficients))
    loss.backward()
    return {
        "repr": repr(module),
        "state": state,
        "inputs": [flat(x) for x in inputs],
        "coefficients": [flat(c) for c in coefficients],
        "outputs": [flat(o) for o in outputs],
        "loss": loss.item(),
        "parameter_grads": grads(module),
        "input_grads": [flat(x.grad) for x in inputs],
    }


def one_sample(module, inputs):
    """Modules without a batch dimension in gradwalk: run on a batch of one, drop it."""
    return [module(inputs[0].unsqueeze(0)).squeeze(0)]


def rnn(module, inputs):
    xs, *h0 = inputs
    outputs, h_n = module(xs, *(h.unsqueeze(0) for h in h0))
    return [outputs, h_n.squeeze(0)]


def main():
    """Print the module of reference numbers."""
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    cases = make_cases()
    checked = check_output_lengths()
    print('"""PyTorch float64 reference numbers for nn.layers, made by tests/references/make_layers.py')
    print(f'with torch {torch.__version__}; {checked} output lengths of PyTorch agree with the formulas."""')
    print()
    print("nan = float('nan')")
    print()
    print("CASES = " + pprint.pformat(cases, width=110, sort_dicts=False))


def make_cases():
    cases = {
        "linear": case(torch.nn.Linear(3, 2), [torch.randn(3)], lambda m, x: [m(x[0])]),
        "linear_no_bias": case(torch.nn.Linear(3, 2, bias=False), [torch.randn(3)], lambda m, x: [m(x[0])]),
        "conv1d": case(torch.nn.Conv1d(2, 3, 3), [torch.randn(2, 8)], one_sample),
        "conv1d_strided_padded_dilated": case(
            torch.nn.Conv1d(2, 2, 3, stride=2, padding=2, dilation=2), [torch.randn(2, 9)], one_sample
        ),
        "conv1d_no_bias": case(torch.nn.Conv1d(1, 2, 4, bias=False), [torch.randn(1, 7)], one_sample),
        "max_pool": case(torch.nn.MaxPool1d(3, stride=2), [torch.randn(2, 9)], one_sample),
        "max_pool_ties": case(
            torch.nn.MaxPool1d(2, stride=1),
            [torch.tensor([[1.0, 3.0, 3.0, 2.0, 2.0, 5.0, 5.0, 5.0]])],
            one_sample,
        ),
        "avg_pool": case(torch.nn.AvgPool1d(3, stride=2), [torch.randn(2, 9)], one_sample),
        "adaptive_avg_pool_1": case(torch.nn.AdaptiveAvgPool1d(1), [torch.randn(3, 7)], one_sample),
        "adaptive_avg_pool_3": case(torch.nn.AdaptiveAvgPool1d(3), [torch.randn(2, 7)], one_sample),
        "adaptive_max_pool_1": case(torch.nn.AdaptiveMaxPool1d(1), [torch.randn(3, 7)], one_sample),
        "adaptive_max_pool_3": case(torch.nn.AdaptiveMaxPool1d(3), [torch.randn(2, 7)], one_sample),
        "rnn_tanh": case(torch.nn.RNN(2, 3), [torch.randn(4, 2)], rnn),
        "rnn_tanh_h0": case(torch.nn.RNN(2, 3), [torch.randn(3, 2), torch.randn(3)], rnn),
        "rnn_relu": case(torch.nn.RNN(2, 3, nonlinearity="relu"), [torch.randn(5, 2)], rnn),
        "rnn_no_bias": case(torch.nn.RNN(2, 2, bias=False), [torch.randn(3, 2)], rnn),
        "relu": case(torch.nn.ReLU(), [torch.randn(2, 4)], lambda m, x: [m(x[0])]),
        "tanh": case(torch.nn.Tanh(), [torch.randn(2, 4)], lambda m, x: [m(x[0])]),
        "sigmoid": case(torch.nn.Sigmoid(), [torch.randn(2, 4)], lambda m, x: [m(x[0])]),
        "leaky_relu": case(torch.nn.LeakyReLU(0.2), [torch.randn(2, 4)], lambda m, x: [m(x[0])]),
        "elu": case(torch.nn.ELU(0.5), [torch.randn(2, 4)], lambda m, x: [m(x[0])]),
        "softplus": case(torch.nn.Softplus(), [torch.randn(2, 4)], lambda m, x: [m(x[0])]),
        "sequential": case(
            torch.nn.Sequential(
                torch.nn.Conv1d(1, 2, 3),
                torch.nn.ReLU(),
                torch.nn.MaxPool1d(2),
                torch.nn.Flatten(),
                torch.nn.Linear(12, 3),
                torch.nn.Tanh(),
            ),
            [torch.randn(1, 14)],
            one_sample,
        ),
    }
    # A nan in a max-pool window is its maximum and takes the gradient, as in PyTorch.
    nan_input = torch.tensor([[1.0, math.nan, 3.0, 4.0]], requires_grad=True)
    torch.nn.MaxPool1d(2, stride=1)(nan_input.unsqueeze(0)).sum().backward()
    cases["max_pool_nan_grad"] = {"inputs": [flat(nan_input)], "input_grads": [flat(nan_input.grad)]}
    return cases


def conv_length(length, kernel, stride, padding, dilation):
    return math.floor((length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1)


def pool_length(length, kernel, stride):
    return math.floor((length - kernel) / stride + 1)


def check_output_lengths():
    """Assert PyTorch's output lengths equal the documented formulas; return how many were checked."""
    checked = 0
    for length, kernel, stride, padding, dilation in itertools.product(
        range(1, 9), range(1, 5), range(1, 4), range(3), range(1, 4)
    ):
        expected = conv_length(length, kernel, stride, padding, dilation)
        conv = torch.nn.Conv1d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
        assert torch_length(conv, length) == (expected if expected >= 1 else None), (conv, length)
        checked += 1
    for length, kernel, stride in itertools.product(range(1, 13), range(1, 6), range(1, 6)):
        expected = pool_length(length, kernel, stride)
        for pool in (torch.nn.MaxPool1d(kernel, stride), torch.nn.AvgPool1d(kernel, stride)):
            assert torch_length(pool, length) == (expected if expected >= 1 else None), (pool, length)
            checked += 1
    return checked


def torch_length(module, length):
    """The output length PyTorch gives for one channel of `length` zeros, or None if it refuses."""
    try:
        return module(torch.zeros(1, 1, length)).shape[-1]
    except RuntimeError:
        return None


if __name__ == "__main__":
    import torch  # here, so that the test suite can import this file without torch

    main()
