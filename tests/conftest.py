import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")
settings.register_profile("thorough", max_examples=3000, deadline=None)

# tests/references/ holds scripts that compute reference numbers where PyTorch is installed: not tests.
collect_ignore_glob = ["references/*"]
