"""A full disk for tests: a small tmpfs filled to the last byte, or, where mounting is not
allowed (not root), a stub that makes every atomic write fail with ENOSPC."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import autograd._files


@contextlib.contextmanager
def full_disk(folder: Path, monkeypatch: pytest.MonkeyPatch, keep: dict[str, bytes]) -> Iterator[Path]:
    """A folder on a full disk holding the files `keep` (name -> content), written before it filled."""
    mount = folder / "full"
    mount.mkdir()
    mounted = os.geteuid() == 0 and _run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)])
    try:
        for name, content in keep.items():
            (mount / name).write_bytes(content)
        if mounted:
            _fill(mount / ".filler")
        else:
            monkeypatch.setattr(autograd._files.os, "fdopen", _no_space)
        yield mount
    finally:
        if mounted:
            _run(["umount", "-l", str(mount)])


def _run(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def _fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as file:
        with contextlib.suppress(OSError):
            while True:
                file.write(b"\0" * 4096)
        with contextlib.suppress(OSError):
            while True:
                file.write(b"\0")


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
