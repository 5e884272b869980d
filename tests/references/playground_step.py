"""Reference numbers for tests/playground/test_session.py: one training step of a small Playground
network, computed by PyTorch in float64. Run where torch is installed:

    python tests/references/playground_step.py

It prints the loss and every parameter after the step; the test stores them.
"""

# Hidden layer of 2 on inputs (x1, x2), then the output layer; rows are neurons, [w..., b].
HIDDEN = [[0.3, -0.2, 0.1], [-0.4, 0.25, 0.1]]
POINTS = [(1.0, 2.0, 1), (-2.0, 0.5, 0), (3.0, -1.0, 1)]
CASES = {
    # name: (hidden activation, output rows, loss, regularization, rate, optimizer, learning rate)
    "squared_l2_sgd": ("tanh", [[0.5, -0.3, 0.1]], "squared", "L2", 0.1, "sgd", 0.3),
    "three_classes_l1_adam": (
        "relu",
        [[0.5, -0.3, 0.1], [0.2, 0.4, 0.1], [-0.1, 0.3, 0.1]],
        "multi",
        "L1",
        0.01,
        "adam",
        0.03,
    ),
}
LABELS_3 = [2, 0, 1]


def main() -> None:
    import torch

    torch.set_default_dtype(torch.float64)
    for name, (activation, output, loss_kind, regularization, rate, optimizer, lr) in CASES.items():
        w1 = torch.tensor([row[:2] for row in HIDDEN], requires_grad=True)
        b1 = torch.tensor([row[2] for row in HIDDEN], requires_grad=True)
        w2 = torch.tensor([row[:2] for row in output], requires_grad=True)
        b2 = torch.tensor([row[2] for row in output], requires_grad=True)
        X = torch.tensor([p[:2] for p in POINTS])
        hidden = getattr(torch, activation)(X @ w1.T + b1)
        z = hidden @ w2.T + b2
        if loss_kind == "squared":
            target = torch.tensor([2.0 * p[2] - 1.0 for p in POINTS])
            data_loss = 0.5 * ((torch.tanh(z[:, 0]) - target) ** 2).mean()
        else:
            data_loss = torch.nn.functional.cross_entropy(z, torch.tensor(LABELS_3))
        weights = torch.cat([w1.flatten(), w2.flatten()])
        penalty = 0.5 * (weights**2).sum() if regularization == "L2" else weights.abs().sum()
        loss = data_loss + rate * penalty
        parameters = [w1, b1, w2, b2]
        step = (
            torch.optim.SGD(parameters, lr=lr) if optimizer == "sgd" else torch.optim.Adam(parameters, lr=lr)
        )
        step.zero_grad()
        loss.backward()
        step.step()
        print(name, repr(loss.item()))
        print("  hidden", [[*w.tolist(), b] for w, b in zip(w1.detach(), b1.detach().tolist())])
        print("  output", [[*w.tolist(), b] for w, b in zip(w2.detach(), b2.detach().tolist())])


if __name__ == "__main__":
    main()
