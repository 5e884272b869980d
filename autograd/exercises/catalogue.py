"""The exercises: what each asks, where it is checked, and the mistakes it anticipates.

Each exercise is an op whose value is given and whose local derivatives the
learner writes. Its reference solution is the function of the same name in
`autograd.exercises.solutions`; the learner's template is made from that
function's source, with each answer line left as ``...``.
"""

from __future__ import annotations

import inspect
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from autograd.exercises import solutions

__all__ = ["EXERCISES", "Exercise", "Mistake", "template"]

Rule = Callable[..., tuple[float, tuple[float, ...]]]

# In solutions.py, "    dp_dx = y * z  # answer: dp/dx" becomes "    dp_dx = ...  # TODO: dp/dx".
_ANSWER_LINE = re.compile(r"^(?P<indent>\s*)(?P<name>\w+) = .*?  # answer: (?P<todo>.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer: the local derivatives it gives, and what to tell the learner."""

    hint: str
    derivatives: Callable[..., tuple[float, ...]]


@dataclass(frozen=True)
class Exercise:
    """One op to differentiate.

    >>> exercise = EXERCISES[0]
    >>> exercise.name, exercise.parameters
    ('weighted_sum', ('w1', 'x1', 'w2', 'x2', 'b'))
    >>> exercise.solution(2.0, 3.0, 0.5, -1.0, 1.0)
    (6.5, (3.0, 2.0, -1.0, 0.5, 1.0))
    """

    name: str
    title: str
    prompt: str
    domains: tuple[tuple[float, float], ...]  # one (low, high) per parameter
    kinks: tuple[tuple[float, ...], ...] = ()  # points always checked: where the op has a kink
    mistakes: tuple[Mistake, ...] = ()

    @property
    def solution(self) -> Rule:
        """The reference solution, as a plain function of floats."""
        rule: Rule = getattr(solutions, self.name).__wrapped__
        return rule

    @property
    def parameters(self) -> tuple[str, ...]:
        """The op's parameter names, in order."""
        return tuple(inspect.signature(self.solution).parameters)

    @property
    def signature(self) -> str:
        """How the op is called, e.g. ``divide(a, b)``."""
        return f"{self.name}({', '.join(self.parameters)})"


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "weighted_sum",
        "A neuron's weighted sum",
        "Before its activation, a neuron with two inputs computes n = w1*x1 + w2*x2 + b. Give its five "
        "local derivatives, one per argument, in the order of the arguments. A partial derivative "
        "asks how n changes when one variable moves and all the others are held constant.",
        ((-3.0, 3.0),) * 5,
    ),
    Exercise(
        "product_of_three",
        "A product of three",
        "p = x*y*z. Give dp/dx, dp/dy and dp/dz. Hold the two other factors constant. The engine "
        "could also build p as (x*y)*z from two '*' nodes; backpropagating through them multiplies "
        "local derivatives along the path and must give the same three numbers.",
        ((-3.0, 3.0),) * 3,
    ),
    Exercise(
        "divide",
        "Division",
        "q = a/b, with b kept away from 0 (it is checked on [0.5, 3]). Give dq/da and dq/db. For the "
        "second, write a/b as a * b**-1 and use the power rule: the derivative is negative wherever "
        "a is positive, since a larger b makes the quotient smaller.",
        ((-3.0, 3.0), (0.5, 3.0)),
        mistakes=(
            Mistake(
                "dq/db needs the factor a: d/db (a * b**-1) = a * (-b**-2)", lambda a, b: (1 / b, -1 / b**2)
            ),
        ),
    ),
    Exercise(
        "tanh",
        "tanh",
        "t = tanh(x). Give dt/dx. You can write it in terms of x (with math.cosh), or, more cheaply, "
        "in terms of the value t the op has already computed: that is why autograd engines keep "
        "tanh's output around for the backward pass.",
        ((-3.0, 3.0),),
        mistakes=(
            Mistake("tanh' is 1 - tanh(x)**2, in terms of t, not of x", lambda x: (1.0 - x * x,)),
            Mistake("tanh' is 1 - t**2: square t", lambda x: (1.0 - math.tanh(x),)),
        ),
    ),
    Exercise(
        "sigmoid",
        "The logistic sigmoid",
        "s = 1 / (1 + e**-x). Give ds/dx. Use the chain rule through 1/u with u = 1 + e**-x, and mind "
        "the sign of d/dx e**-x; then simplify the result into a short expression in s alone.",
        ((-6.0, 6.0),),
        mistakes=(
            Mistake(
                "missing chain factor: d/du (1/u) = -1/u**2 must be multiplied by du/dx = -e**-x",
                lambda x: (-(_sigmoid(x) ** 2),),
            ),
        ),
    ),
    Exercise(
        "softplus",
        "Softplus, a smooth relu",
        "y = log(1 + e**x). Give dy/dx. Use the chain rule through log(u) with u = 1 + e**x, and "
        "compare what you get with the previous exercise: softplus is the integral of a function "
        "you have just met.",
        ((-6.0, 6.0),),
        mistakes=(
            Mistake(
                "missing chain factor: d/du log(u) = 1/u must be multiplied by du/dx = e**x",
                lambda x: (1.0 / (1.0 + math.exp(x)),),
            ),
        ),
    ),
    Exercise(
        "hinge",
        "The hinge: an op with a kink",
        "h = max(0, 1 - x), the loss of a support vector machine. Give dh/dx: it has a different "
        "formula on each side of x = 1. At x = 1 itself h has no derivative (the slope is -1 on the "
        "left and 0 on the right); any value between the two, a subgradient, is accepted there, as "
        "PyTorch takes relu'(0) = 0. The check always includes x = 1.",
        ((-2.0, 4.0),),
        kinks=((1.0,),),
        mistakes=(
            Mistake(
                "the slopes are on the wrong sides: h falls (slope -1) for x < 1 and is flat for x > 1",
                lambda x: (0.0 if x < 1.0 else -1.0,),
            ),
        ),
    ),
    Exercise(
        "x_to_the_x",
        "x to the power x",
        "p = x**x, for x > 0. Give dp/dx. Neither the power rule (which needs a constant exponent) "
        "nor the exponential rule (which needs a constant base) applies on its own: write x**x as "
        "exp(x * log(x)) and use the chain rule and the product rule.",
        ((0.2, 2.5),),
        mistakes=(
            Mistake(
                "the power rule x * x**(x-1) treats the exponent as a constant; write x**x = exp(x log x)",
                lambda x: (x * x ** (x - 1.0),),
            ),
            Mistake(
                "the rule x**x * log(x) treats the base as a constant; write x**x = exp(x log x)",
                lambda x: (x**x * math.log(x),),
            ),
        ),
    ),
    Exercise(
        "logsumexp",
        "Log-sum-exp of two inputs",
        "lse = log(e**a + e**b), a smooth maximum of a and b (computed stably by factoring out "
        "max(a, b), which changes neither the value nor the derivatives). Give dlse/da and dlse/db. "
        "Both are positive and they add up to 1: you will meet them again as a softmax.",
        ((-3.0, 3.0),) * 2,
        mistakes=(
            Mistake(
                "missing chain factor: d/du log(u) = 1/u must be multiplied by du/da = e**a (du/db = e**b)",
                lambda a, b: (1.0 / (math.exp(a) + math.exp(b)),) * 2,
            ),
        ),
    ),
    Exercise(
        "norm",
        "The length of a 2-vector",
        "r = sqrt(x**2 + y**2). Give dr/dx and dr/dy. Use the chain rule through sqrt(u) with "
        "u = x**2 + y**2. The answer has a geometric meaning worth noticing: together the two "
        "derivatives point in the direction in which r grows fastest.",
        ((-3.0, 3.0),) * 2,
        mistakes=(
            Mistake(
                "missing chain factor: d/du sqrt(u) = 1/(2 sqrt(u)) must be multiplied by du/dx = 2x",
                lambda x, y: (0.5 / math.hypot(x, y),) * 2,
            ),
        ),
    ),
    Exercise(
        "softmax_cross_entropy",
        "Softmax cross-entropy of three logits, target class 0",
        "A classifier's loss for logits z0, z1, z2 when the right class is 0: loss = -log(softmax(z)[0]) "
        "= log(e**z0 + e**z1 + e**z2) - z0. Give its three local derivatives. Fusing softmax and the "
        "log into one op, as PyTorch's cross_entropy does, makes them short and exact; note that z0 "
        "appears in two places.",
        ((-3.0, 3.0),) * 3,
        mistakes=(
            Mistake(
                "z0 also appears outside the log-sum-exp: loss = logsumexp(z) - z0 adds -1 to dloss/dz0",
                lambda *zs: tuple(math.exp(z) / sum(map(math.exp, zs)) for z in zs),
            ),
        ),
    ),
)


def template(filename: str, command: str = "python -m autograd.exercises") -> str:
    """The learner's file: every exercise with its prompt, each answer left as ``...``.

    >>> text = template("solutions.py")
    >>> text.count("...  # TODO:") == sum(len(e.parameters) for e in EXERCISES)
    True
    """
    parts = [
        f'''"""Gradient-check exercises for gradwalk.

Each function below is an op: it takes floats and returns its value and its local
derivatives, one per argument, in the order of the arguments. The values are
written for you. Replace each `...` with a local derivative, then grade your work:

    {command} check {filename}
"""

import math

from autograd import op
''',
    ]
    for number, exercise in enumerate(EXERCISES, start=1):
        prompt = textwrap.fill(exercise.prompt, width=88, initial_indent="# ", subsequent_indent="# ")
        source = inspect.getsource(getattr(solutions, exercise.name))
        blanked = _ANSWER_LINE.sub(r"\g<indent>\g<name> = ...  # TODO: \g<todo>", source)
        parts.append(f"\n# {number}. {exercise.title}\n#\n{prompt}\n{blanked}")
    return "\n".join(parts)
