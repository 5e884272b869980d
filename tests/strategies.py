"""Hypothesis strategies shared by the tests."""

from hypothesis import strategies as st

# Moderate floats: derivatives there are well conditioned for finite differences.
moderate = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.05, max_value=20.0)
nonzero = moderate.filter(lambda x: abs(x) > 0.05)
away_from_kink = moderate.filter(lambda x: abs(x) > 1e-3)
