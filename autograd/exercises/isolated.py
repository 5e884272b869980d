"""Grading a learner's file in a separate process, so that nothing in it can stop the checker.

An answer may call ``sys.exit``, raise ``KeyboardInterrupt``, loop forever or print
without end. The file is imported and graded by a worker process (``python -I``, which
imports this module) that reports each grade on a pipe of its own; the
checker gives each answer `TIMEOUT_SECONDS`, kills the worker's whole process group
when one runs over, records that exercise as an error and starts a new worker for the
rest. The learner's output is shown up to `OUTPUT_LIMIT` bytes; the rest is discarded.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograd.exercises.catalogue import EXERCISES
from autograd.exercises.grading import Grade, SolutionsFileError, _describe_error, grade, load_solutions

__all__ = ["OUTPUT_LIMIT", "TIMEOUT_SECONDS", "grade_isolated"]

TIMEOUT_SECONDS = 10.0  # for importing the file, and for each answer
OUTPUT_LIMIT = 10_000  # bytes of the learner's own output shown; the rest is discarded
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # where `import autograd` finds this copy


def grade_isolated(
    path: str | Path, *, points: int = 25, seed: int = 0, timeout: float = TIMEOUT_SECONDS
) -> list[Grade]:
    """Grade every exercise in the learner's file, each answer given `timeout` seconds in a worker.

    Raises `SolutionsFileError` when the file does not import (also when importing it
    exits, or runs over `timeout`).

    >>> from autograd.exercises import solutions
    >>> [grade.status for grade in grade_isolated(solutions.__file__)][:3]
    ['pass', 'pass', 'pass']
    """
    path = Path(path)
    output = _Output(path)
    grades: dict[int, Grade] = {}
    first = 0
    while first < len(EXERCISES):
        run = _run_worker(path, first, points, seed, timeout, output)
        if run.unusable is not None:
            raise SolutionsFileError(run.unusable)
        grades.update(run.grades)
        if run.current is None:  # the worker graded everything from `first` on
            break
        exercise = EXERCISES[run.current]
        if run.timed_out:
            reason = f"it ran for more than {timeout:g} s and was stopped (an endless loop?)"
        else:
            reason = f"it ended the checker's process (exit code {run.exit_code}), e.g. with os._exit"
        grades[run.current] = Grade(exercise, "error", (f"{exercise.name}: {reason}",))
        first = run.current + 1
    return [grades[i] for i in range(len(EXERCISES))]


@dataclass
class _Run:
    """What one worker reported: grades by exercise index, and how it ended."""

    grades: dict[int, Grade] = field(default_factory=dict)
    current: int | None = None  # the exercise being graded when the worker stopped, if any
    imported: bool = False
    unusable: str | None = None
    timed_out: bool = False
    exit_code: int | None = None


class _Output:
    """The learner's output, passed on to our stdout up to `OUTPUT_LIMIT` bytes in all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = 0
        self.discarding = False

    def write(self, data: bytes) -> None:
        room = OUTPUT_LIMIT - self.shown
        if room > 0:
            sys.stdout.write(data[:room].decode(errors="replace"))
            self.shown += min(room, len(data))
        if len(data) > room and not self.discarding:
            self.discarding = True
            print(f"\n[{self.path} printed more than {OUTPUT_LIMIT:,} bytes; the rest is discarded]")
        sys.stdout.flush()


def _run_worker(path: Path, first: int, points: int, seed: int, timeout: float, output: _Output) -> _Run:
    results_read, results_write = os.pipe()
    # -I: no current folder or PYTHONPATH on sys.path, so a learner's random.py shadows nothing;
    # this copy of gradwalk is put there unless the interpreter finds it anyway (installed).
    start = (
        f"import sys; root = {_PACKAGE_ROOT!r}; root in sys.path or sys.path.insert(0, root); "
        f"from {__name__} import _worker; _worker(sys.argv[1:])"
    )
    command = [
        sys.executable,
        "-I",
        "-c",
        start,
        str(results_write),
        str(path),
        str(first),
        str(points),
        str(seed),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(results_write,),
        start_new_session=True,  # so that a timeout kills whatever the learner's code started too
    )
    os.close(results_write)
    assert process.stdout is not None  # stdout=PIPE
    run = _Run()
    try:
        _follow(process, results_read, timeout, output, run)
    finally:  # the whole group, whatever the learner's code started too; also on Ctrl-C,
        with contextlib.suppress(ProcessLookupError):  # which the worker's own session does not get
            os.killpg(process.pid, signal.SIGKILL)
    process.stdout.close()
    os.close(results_read)
    run.exit_code = process.wait()
    if not run.imported and run.unusable is None:
        reason = (
            f"importing it took more than {timeout:g} s (an endless loop outside a function?)"
            if run.timed_out
            else f"it ended the process while being imported (exit code {run.exit_code})"
        )
        run.unusable = f"{path} does not import: {reason}"
    return run


def _follow(
    process: subprocess.Popen[bytes], results_read: int, timeout: float, output: _Output, run: _Run
) -> None:
    """Pass on the worker's output and record its messages until it is done or an answer runs over."""
    assert process.stdout is not None  # stdout=PIPE
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(results_read, selectors.EVENT_READ, "results")
        selector.register(process.stdout, selectors.EVENT_READ, "output")
        deadline = time.monotonic() + timeout
        while selector.get_map():
            if results_read not in selector.get_map():  # the worker is done: take what output is left,
                deadline = min(deadline, time.monotonic() + 0.2)  # not wait for a child it left behind
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.timed_out = results_read in selector.get_map()
                return
            for key, _ in selector.select(remaining):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                elif key.data == "output":
                    output.write(data)
                else:
                    *lines, pending = (pending + data).split(b"\n")
                    for line in lines:
                        if _record(run, json.loads(line)):
                            deadline = time.monotonic() + timeout  # each answer gets the full limit


def _record(run: _Run, message: dict[str, object]) -> bool:
    """Note one message from the worker; whether an answer's time starts anew."""
    kind = message["kind"]
    if kind == "unusable":
        run.unusable = str(message["message"])
    elif kind == "imported":
        run.imported = True
    elif kind == "start":
        run.current = int(str(message["index"]))
        return True
    elif kind == "grade":
        index = int(str(message["index"]))
        details = message["details"]
        assert isinstance(details, list)
        run.grades[index] = Grade(EXERCISES[index], message["status"], tuple(map(str, details)))  # type: ignore[arg-type]
        run.current = None
    return False


def _worker(arguments: list[str]) -> None:
    """Import the file and grade the exercises from index `first` on, one JSON line per event."""
    results_fd, path, first, points, seed = arguments
    results = os.fdopen(int(results_fd), "w", buffering=1)

    def send(**message: object) -> None:
        results.write(json.dumps(message) + "\n")

    try:
        module = load_solutions(path)
    except SolutionsFileError as error:
        send(kind="unusable", message=str(error))
        return
    except BaseException as error:  # SystemExit, KeyboardInterrupt: the file cannot be used
        send(kind="unusable", message=f"{path} does not import:\n{_describe_error(error, path)}")
        return
    send(kind="imported")
    for index in range(int(first), len(EXERCISES)):
        exercise = EXERCISES[index]
        send(kind="start", index=index)
        try:
            result = grade(module, exercise, points=int(points), seed=int(seed))
        except BaseException as error:  # grade catches Exception; an answer may raise SystemExit too
            result = Grade(
                exercise,
                "error",
                ("your function must return, not end the program:", _describe_error(error, path)),
            )
        send(kind="grade", index=index, status=result.status, details=list(result.details))
