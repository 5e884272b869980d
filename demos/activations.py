# %% [markdown]
# # Activation functions and their derivatives
#
# Six activations and their slopes. The slopes are not typed in from a formula: each is
# what `backward()` gives, `x.grad` after `f(x).backward()`, at every point of the plot,
# and `autograd.gradcheck` confirms each one against finite differences.
#
# What to look for: sigmoid's and tanh's slopes vanish for large |x| (a deep stack of them
# passes back very little gradient); ReLU's slope is exactly 0 or 1 (and 0 at the kink,
# as in PyTorch); leaky ReLU and ELU keep a slope for x < 0, so a unit never goes
# completely dead; softplus is a smooth ReLU whose slope is the sigmoid.

# %%
from collections.abc import Callable

from _common import Demo, linspace, plt

from autograd import Value, gradcheck

demo = Demo("Six activation functions and their derivatives, computed by backward().")
POINTS = 41 if demo.quick else 801

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "ReLU": Value.relu,
    "leaky ReLU (slope 0.1)": lambda x: x.leaky_relu(0.1),  # PyTorch's default slope 0.01 is hard to see
    "ELU (alpha 1)": Value.elu,
    "softplus": Value.softplus,
}
xs = linspace(-4.0, 4.0, POINTS)


def value_and_slope(f: Callable[[Value], Value], x: float) -> tuple[float, float]:
    """f(x), and df/dx as backward computes it."""
    leaf = Value(x, label="x")
    out = f(leaf)
    out.backward()
    return out.data, leaf.grad


# %% [markdown]
# ## Every slope, by backward and checked by gradcheck

# %%
curves = {}
for name, f in ACTIVATIONS.items():
    values, slopes = zip(*(value_and_slope(f, x) for x in xs))
    checks = [gradcheck(f, [x]) for x in xs]
    failures = sum(not check for check in checks)
    kinks = [check.rows[0].value for check in checks if not check.rows[0].differentiable]
    curves[name] = (values, slopes)
    kink_note = f", not differentiable at {kinks} (backward's slope there lies between the two sides)"
    print(f"{name:<24} gradcheck: {POINTS - failures} of {POINTS} points pass{kink_note if kinks else ''}")
    if failures:
        raise RuntimeError(f"{name}: backward's slope disagrees with finite differences at {failures} points")

# %%
# Constrained layout keeps each title clear of the axis labels above it; each panel has its
# own y range, so a small slope (sigmoid's is at most 0.25) is not flattened by another's.
figure, axes = plt.subplots(2, 3, figsize=(13, 7.5), layout="constrained")
for ax, (name, (values, slopes)) in zip(axes.flat, curves.items()):
    ax.axhline(0.0, color="#d1d5db", linewidth=0.8)
    ax.axvline(0.0, color="#d1d5db", linewidth=0.8)
    ax.plot(xs, values, color="#2563eb", label="f(x)")
    ax.plot(xs, slopes, color="#ea580c", linestyle="--", label="f'(x) = x.grad from backward()")
    low, high = min(*values, *slopes), max(*values, *slopes)
    margin = 0.08 * (high - low)
    ax.set(title=name, xlabel="x", ylabel="value", ylim=(low - margin, high + margin))
handles, labels = axes.flat[0].get_legend_handles_labels()
figure.legend(handles, labels, loc="outside lower center", ncols=2)
figure.suptitle("Activation functions (solid) and their derivatives by backward() (dashed)")
demo.save_figure(figure, "activations.png")

# %%
demo.finish([f"{len(ACTIVATIONS)} activations at {POINTS} points each; every slope passed gradcheck."])
