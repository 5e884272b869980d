"""Side-by-side benchmarks of gradwalk against micrograd, PyTorch and plain floats.

Run them with ``make bench`` or ``python -m benchmarks.run`` (see benchmarks/README.md).
"""
