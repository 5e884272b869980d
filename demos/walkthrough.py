# %% [markdown]
# # Backprop by hand, checked by the engine
# Build a small expression, run `backward()`, and print every gradient.

# %%
from autograd import Value, topological_order

x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.8813735870195432, label="b")
n = x * w + b
n.label = "n"
out = n.tanh()
out.label = "out"
out.backward()

# %% [markdown]
# Each node, parents before children, with its value and d(out)/d(node).

# %%
for node in topological_order(out):
    name = node.label or node.op
    print(f"{name:>6}  data={node.data: .4f}  grad={node.grad: .4f}")
