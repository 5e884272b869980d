# %% [markdown]
# # Derivatives of derivatives
#
# Asked with `create_graph=True`, the backward pass builds each gradient as a graph of
# Values instead of a number: a gradient you can differentiate again, check and draw.
#
# 1. The first four derivatives of tanh, each by nesting `autograd.grad(..., create_graph=True)`,
#    each checked against its closed form (HIPS autograd's README picture).
# 2. Newton's method against gradient descent on Rosenbrock's valley, with the Hessian
#    (`autograd.hessian`), and Newton again with Hessian-vector products only (`autograd.hvp`).
# 3. The graph of d/dx tanh(x·w + b): the forward pass's nodes and those the backward pass made.

# %%
import math

from _common import Demo, linspace, plt

import autograd
from autograd import Value, grad, hessian, hvp

demo = Demo("Higher-order derivatives: tanh's four derivatives, Newton's method, a gradient's graph.")
POINTS = 41 if demo.quick else 401

# %% [markdown]
# ## tanh and its four derivatives, each the gradient of the one before
#
# With t = tanh(x): t' = 1 - t², t'' = -2t(1 - t²), t''' = -2(1 - t²)(1 - 3t²),
# t'''' = 8t(1 - t²)(2 - 3t²).

# %%
CLOSED_FORMS = [
    lambda t: t,
    lambda t: 1 - t * t,
    lambda t: -2 * t * (1 - t * t),
    lambda t: -2 * (1 - t * t) * (1 - 3 * t * t),
    lambda t: 8 * t * (1 - t * t) * (2 - 3 * t * t),
]
xs = linspace(-4.0, 4.0, POINTS)
curves: list[list[float]] = [[] for _ in CLOSED_FORMS]
worst = [0.0] * len(CLOSED_FORMS)
for x in xs:
    leaf = Value(x, label="x")
    derivative = leaf.tanh()
    for order, closed_form in enumerate(CLOSED_FORMS):
        if order:
            (derivative,) = grad(derivative, leaf, create_graph=True)  # differentiate the last one
        curves[order].append(derivative.data)
        worst[order] = max(worst[order], abs(derivative.data - closed_form(math.tanh(x))))
for order, error in enumerate(worst):
    print(f"derivative {order} of tanh: largest difference from its closed form {error:.1e}")
    if error > 1e-12:
        raise RuntimeError(f"derivative {order} of tanh is {error:.1e} away from its closed form")

figure, ax = plt.subplots(figsize=(8, 5))
names = ["tanh(x)", "1st derivative", "2nd derivative", "3rd derivative", "4th derivative"]
for name, curve in zip(names, curves):
    ax.plot(xs, curve, label=name)
ax.set(title="tanh and its derivatives, each by autograd.grad(..., create_graph=True)", xlabel="x")
ax.legend(loc="upper left", fontsize=8)
demo.save_figure(figure, "higher_order_tanh.png")

# %% [markdown]
# ## Newton's method against gradient descent on Rosenbrock's valley
#
# f(a, b) = (1 - a)² + 100 (b - a²)² has its minimum 0 at (1, 1), at the end of a long curved
# valley. Gradient descent crawls along it; Newton's step, -H⁻¹ ∇f, follows the curvature.
# Newton needs only H times a vector: conjugate gradients with `hvp` (two iterations solve a
# 2-D system) give the same steps without ever building H.


# %%
def rosenbrock(a: Value, b: Value) -> Value:
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2


def newton_step(point: list[float]) -> list[float]:
    """-H⁻¹ g from the whole Hessian (2 x 2, solved by Cramer's rule)."""
    leaves = [Value(p) for p in point]
    g = grad(rosenbrock(*leaves), leaves)
    (h11, h12), (h21, h22) = hessian(rosenbrock(*leaves), leaves)
    det = h11 * h22 - h12 * h21
    return [-(h22 * g[0] - h12 * g[1]) / det, -(h11 * g[1] - h21 * g[0]) / det]


def newton_step_by_hvp(point: list[float]) -> list[float]:
    """-H⁻¹ g by conjugate gradients: only Hessian-vector products, never H itself."""
    leaves = [Value(p) for p in point]
    loss = rosenbrock(*leaves)
    residual = [-g for g in grad(loss, leaves)]
    step, direction = [0.0, 0.0], list(residual)
    for _ in range(2):
        if math.hypot(*residual) < 1e-15:
            break
        curved = hvp(loss, leaves, direction)
        alpha = sum(r * r for r in residual) / sum(d * c for d, c in zip(direction, curved))
        step = [s + alpha * d for s, d in zip(step, direction)]
        new_residual = [r - alpha * c for r, c in zip(residual, curved)]
        beta = sum(r * r for r in new_residual) / sum(r * r for r in residual)
        residual, direction = new_residual, [r + beta * d for r, d in zip(new_residual, direction)]
    return step


def distance_to_minimum(point: list[float]) -> float:
    return math.hypot(point[0] - 1.0, point[1] - 1.0)


START = [-1.2, 1.0]
newton_path, point = [START], START
for _ in range(20):
    by_hessian, by_hvp = newton_step(point), newton_step_by_hvp(point)
    if max(abs(p - q) for p, q in zip(by_hessian, by_hvp)) > 1e-9 * (1 + math.hypot(*by_hessian)):
        raise RuntimeError(f"Newton's step by hessian {by_hessian} and by hvp {by_hvp} disagree")
    point = [p + s for p, s in zip(point, by_hessian)]
    newton_path.append(point)
    if distance_to_minimum(point) < 1e-10:
        break

STEPS, RATE = (500, 2e-3) if demo.quick else (5000, 2e-3)
descent_path, point = [START], START
for _ in range(STEPS):
    leaves = [Value(p) for p in point]
    point = [p - RATE * g for p, g in zip(point, grad(rosenbrock(*leaves), leaves))]
    descent_path.append(point)
newton_steps = len(newton_path) - 1
print(
    f"Newton's method: {newton_steps} steps to within 1e-10 of (1, 1) (the same steps by hessian and by hvp)"
)
print(f"gradient descent (lr {RATE}): {STEPS} steps, still {distance_to_minimum(descent_path[-1]):.2e} away")

figure, ax = plt.subplots(figsize=(8, 6))
grid_a, grid_b = linspace(-2.0, 2.0, 200), linspace(-3.5, 3.0, 200)
with autograd.no_grad():
    heights = [[math.log10(rosenbrock(Value(a), Value(b)).data + 1e-3) for a in grid_a] for b in grid_b]
ax.contour(grid_a, grid_b, heights, levels=20, cmap="Greys", linewidths=0.7)
ax.plot(*zip(*descent_path), color="#2563eb", marker=".", markersize=2, linewidth=1,
        label=f"gradient descent ({STEPS} steps)")  # fmt: skip
ax.plot(*zip(*newton_path), color="#ea580c", marker="o", markersize=5, linewidth=1.5,
        label=f"Newton, by hessian and by hvp ({newton_steps} steps)")  # fmt: skip
ax.plot([1.0], [1.0], marker="*", color="#16a34a", markersize=14, linestyle="", label="minimum (1, 1)")
ax.set(title="Rosenbrock's valley: log10 f on the contours", xlabel="a", ylabel="b")
ax.legend(loc="upper left", fontsize=8)
demo.save_figure(figure, "higher_order_newton.png")

# %% [markdown]
# ## The graph of a gradient
#
# d/dx tanh(x·w + b) = sech²(x·w + b) · w. The backward pass made two nodes (violet): the
# sech² of the forward pass's x·w + b, and its product with w. Everything else in the picture
# is the forward pass's own graph, reused. `gradgradcheck` checks its second derivatives.

# %%
x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
(slope,) = grad((x * w + b).tanh(), x, create_graph=True)
slope.label = "d/dx"
drawing = autograd.draw(slope, show_local_grads=True)
demo.save_drawing(drawing, "higher_order_gradient_graph.svg")
demo.save_drawing(drawing, "higher_order_gradient_graph.png")
check = autograd.gradgradcheck(lambda x, w, b: (x * w + b).tanh(), [0.5, -1.2, 0.3])
print(check)
if not check:
    raise RuntimeError("gradgradcheck failed on tanh(x*w + b)")

# %%
demo.finish(
    [
        "tanh's four derivatives agree with their closed forms to 1e-12.",
        f"Newton's method reaches (1, 1) in {newton_steps} steps; gradient descent is still on its way.",
        f"The gradient's graph has {drawing.node_count} values; all 9 second derivatives pass gradgradcheck.",
    ]
)
