"""Warn when HIPS autograd is installed too: both install the import package ``autograd``."""

from __future__ import annotations

import importlib.metadata
import warnings

_warned = False


def warn_if_hips_autograd_is_installed() -> None:
    """A `UserWarning`, once per process, if a distribution named ``autograd`` is visible.

    HIPS autograd (``pip install autograd``) and gradwalk both put a package called
    ``autograd`` in site-packages, so whichever was installed last overwrote files of the
    other; the import names are fixed by the design, so the way out is two environments.

    >>> warn_if_hips_autograd_is_installed()  # gradwalk alone: nothing to say
    """
    global _warned
    try:
        clash = importlib.metadata.distribution("autograd")
    except importlib.metadata.PackageNotFoundError:
        return
    if _warned:
        return
    _warned = True
    warnings.warn(
        f"the package 'autograd' {clash.version} (HIPS autograd) is installed in this environment too: "
        "it and gradwalk both install the import package `autograd`, so `import autograd` may load "
        "parts of the wrong one. Use separate virtual environments, e.g. `python -m venv .venv` "
        "and install only gradwalk there.",
        UserWarning,
        stacklevel=3,
    )
