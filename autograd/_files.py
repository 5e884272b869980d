"""Writing files without ever losing the old one: every writer in gradwalk comes here."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: bytes | str, *, replace: bool = True) -> Path:
    """Write `data` to `path` so that a failure leaves any old file exactly as it was.

    A regular file (or a new one) is written to a temporary file in the same folder
    and moved over the target with `os.replace`; the temporary file is removed if
    anything fails, and the error is raised again. A target that is not a regular
    file (a device, a FIFO: ``/dev/null``) is written directly. With ``replace=False``
    an existing target is a `FileExistsError` and is never touched, even if it
    appears while the data is written (the temporary file is linked, not moved).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a.txt", "hello").read_text()
    'hello'
    >>> write_atomically(folder / "a.txt", "again", replace=False)
    Traceback (most recent call last):
    ...
    FileExistsError: [Errno 17] File exists: ...
    """
    target = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not replace:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as stream:
            stream.write(payload)
        return target
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, stat.S_IMODE(mode))
        else:  # mkstemp makes 0600; a new file gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        if replace:
            os.replace(temporary, target)
        else:  # link fails if the target exists by now; then the temporary name goes
            os.link(temporary, target)
            os.unlink(temporary)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target
