"""Installing HIPS autograd next to gradwalk is detected on import (both install `autograd`)."""

import subprocess
import sys


def import_gradwalk(extra_path=None):
    """Import autograd twice in a fresh interpreter; its stderr."""
    code = "import importlib, autograd; importlib.reload(autograd); import autograd.engine"
    env_path = [str(extra_path)] if extra_path else []
    done = subprocess.run(
        [sys.executable, "-W", "always", "-c", f"import sys; sys.path[:0] = {env_path!r}; {code}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_distribution_named_autograd_is_warned_about_once(tmp_path):
    info = tmp_path / "autograd-1.7.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n")
    stderr = import_gradwalk(tmp_path)
    assert stderr.count("UserWarning") == 1, stderr
    assert "'autograd' 1.7.0 (HIPS autograd) is installed in this environment too" in stderr
    assert "Use separate virtual environments" in stderr


def test_gradwalk_alone_imports_without_a_warning():
    assert "UserWarning" not in import_gradwalk()
