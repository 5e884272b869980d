"""``python -m autograd.exercises list|start FILE|check FILE`` (also ``gradwalk exercises``)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from autograd._files import write_atomically
from autograd.exercises.catalogue import EXERCISES, template
from autograd.exercises.grading import SolutionsFileError, grade_file, report

__all__ = ["main"]

# Exit codes: everything passes; some exercise does not pass; the file cannot be used.
OK, NOT_ALL_PASS, UNUSABLE = 0, 1, 2


def main(argv: list[str] | None = None, *, prog: str = "python -m autograd.exercises") -> int:
    """Run the exercises' command line; returns the exit code.

    Exit codes: 0 when the command succeeds (for ``check``, when every exercise
    passes), 1 when some exercise does not pass (or none was attempted), 2 when
    the file cannot be written, read or imported, or the command line is wrong.

    >>> main(["check", "no/such/file.py"])
    2
    """
    parser = argparse.ArgumentParser(
        prog=prog, description="Gradient-check exercises: write local derivatives."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,start,check}")
    commands.add_parser("list", help="show the exercises, from easy to hard")
    start = commands.add_parser("start", help="write a template with one function per exercise")
    start.add_argument("file", help="the file to write, e.g. solutions.py")
    start.add_argument("--force", action="store_true", help="replace the file if it exists")
    check = commands.add_parser("check", help="grade the derivatives in a solutions file")
    check.add_argument("file", help="the file to grade, e.g. solutions.py")
    try:
        args = parser.parse_args(argv)  # None: sys.argv[1:]
    except SystemExit as exit:  # argparse has printed the usage or the help
        return OK if exit.code == 0 else UNUSABLE
    if args.command == "list":
        return _list(prog)
    if args.command == "start":
        return _start(Path(args.file), args.force, prog)
    return _check(Path(args.file), prog)


def _list(prog: str) -> int:
    print(f"The gradient-check exercises, from easy to hard. Begin with: {prog} start solutions.py\n")
    for number, exercise in enumerate(EXERCISES, start=1):
        print(f"{number:2}. {exercise.title}: {exercise.signature}")
        print(textwrap.fill(exercise.prompt, width=88, initial_indent="    ", subsequent_indent="    "))
        print()
    return OK


def _start(path: Path, force: bool, prog: str) -> int:
    try:
        write_atomically(path, template(str(path), prog), replace=force)
    except FileExistsError:
        print(f"{path} already exists; not overwriting it (add --force to replace it)", file=sys.stderr)
        return UNUSABLE
    except OSError as error:
        print(f"cannot write {path}: {error.strerror}", file=sys.stderr)
        return UNUSABLE
    print(f"Wrote {path} with {len(EXERCISES)} exercises. Replace each `...` with a local derivative,")
    print(f"then grade your answers with: {prog} check {path}")
    return OK


def _check(path: Path, prog: str) -> int:
    try:
        grades = grade_file(path)
    except SolutionsFileError as error:
        print(error, file=sys.stderr)
        if not path.exists():
            print(f"(make one with: {prog} start {path})", file=sys.stderr)
        return UNUSABLE
    print(report(grades, str(path)))
    return OK if all(grade.passed for grade in grades) else NOT_ALL_PASS
