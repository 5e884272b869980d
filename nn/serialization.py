"""Saving and loading state dicts as JSON: readable, portable, and never unpickled.

Floats are written with ``repr``, which reads back to the same float, so a round
trip is bit-exact.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, NoReturn

from autograd._files import write_atomically
from nn import _checks

_PICKLE_PROTOCOL_2_OR_LATER = b"\x80"
_ZIP = b"PK\x03\x04"  # what torch.save writes


def save(state_dict: Mapping[str, float], path: str | os.PathLike[str]) -> None:
    """Write a state dict (name -> finite number, e.g. ``model.state_dict()``) to `path` as JSON.

    Everything is checked before the file is touched, and the file is replaced
    atomically: a failed write (a full disk) leaves any old file as it was.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.json"
    >>> save({"w.0": 0.1, "b": -2.5}, path)
    >>> load(path)
    {'w.0': 0.1, 'b': -2.5}
    """
    text = json.dumps(_checks.state(state_dict, "save"), indent=2, allow_nan=False)
    write_atomically(path, text + "\n")


MAX_BYTES = 100_000_000  # 100 MB: a million-parameter model's JSON is about 25 MB


def load(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> dict[str, float]:
    """Read a state dict written by `save`; give it to ``model.load_state_dict``.

    Rejects with a ValueError anything that is not JSON (a pickle file is refused,
    never unpickled), duplicate names, NaN or Infinity, nesting too deep to read, and
    a file larger than `max_bytes` (before reading it); with a TypeError a file that is
    not one JSON object of numbers (strings, bools, nulls, lists...). Every error names
    the file.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "big.json"
    >>> _ = path.write_text('{"w": 1.0}')
    >>> load(path, max_bytes=5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: .../big.json is 10 bytes, more than max_bytes=5: ...
    """
    where = os.fspath(path)
    limit = _checks.integer(max_bytes, "max_bytes", minimum=0)
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        raw = file.read(limit + 1)  # a FIFO or a growing file has no size to trust
    if max(size, len(raw)) > limit:
        shown = f"{size} bytes" if size > limit else "larger"
        raise ValueError(
            f"{where} is {shown}, more than max_bytes={limit}: not a state dict gradwalk wrote, or pass "
            f"a larger max_bytes to read it"
        )
    if raw.startswith(_PICKLE_PROTOCOL_2_OR_LATER):
        raise ValueError(f"{where} is a pickle file, not JSON; gradwalk never unpickles (it can run code)")
    if raw.startswith(_ZIP):
        raise ValueError(f"{where} is a zip archive (such as a torch.save file), not JSON")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not a JSON text file (not UTF-8)") from None

    def reject_constant(name: str) -> NoReturn:
        raise ValueError(f"{where}: {name} is not a finite number; a state dict holds finite numbers")

    def unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        named: dict[str, Any] = {}
        for name, value in pairs:
            if name in named:
                raise ValueError(f"{where}: the name {name!r} appears more than once")
            named[name] = value
        return named

    try:
        data = json.loads(text, parse_constant=reject_constant, object_pairs_hook=unique_names)
    except json.JSONDecodeError as error:
        raise ValueError(f"{where} is not valid JSON: {error}") from None
    except RecursionError:  # json's parser recurses once per level of [ or {
        raise ValueError(f"{where}: nested too deeply to read; a state dict is one flat object") from None
    if not isinstance(data, dict):
        raise TypeError(f"{where}: expected a JSON object of names to numbers, got {type(data).__name__}")
    return _checks.state(data, where)
