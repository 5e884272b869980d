"""Small graphs with hand-computed gradients, shared by the tests."""

from autograd import Value


def karpathy_example() -> tuple[Value, dict[str, float]]:
    """micrograd's lecture graph L = (a*b + c) * f, and dL/d(node) for each label, by hand.

    dL/dd = f = -2, dL/df = d = 4; d = e + c passes -2 to e and c; e = a*b gives
    dL/da = -2 * b = 6 and dL/db = -2 * a = -4.
    """
    a, b, c, f = (Value(v, label=name) for v, name in [(2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")])
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    return loss, {"a": 6.0, "b": -4.0, "c": -2.0, "e": -2.0, "d": -2.0, "f": 4.0, "L": 1.0}
