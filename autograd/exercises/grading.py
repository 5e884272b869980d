"""Grading a learner's solutions file: import it, check each op, explain what is wrong.

Each exercise's op is checked with `gradcheck` at its kinks and at random points
of its domain. When a derivative fails, the learner's values at those points are
compared with transformed right answers (negated, another argument's, scaled, and
the exercise's own anticipated mistakes) to say what the mistake probably is.
"""

from __future__ import annotations

import importlib.machinery
import math
import random
import textwrap
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal

from autograd.engine import Value, op
from autograd.exercises.catalogue import Exercise, Rule
from autograd.gradcheck import GradcheckResult, OpCheckResult, gradcheck

__all__ = ["Grade", "SolutionsFileError", "grade", "grade_file", "load_solutions", "report"]

Status = Literal["pass", "FAIL", "not attempted", "missing", "error"]
Point = tuple[float, ...]


class SolutionsFileError(Exception):
    """The learner's file cannot be graded: it is missing or does not import."""


@dataclass(frozen=True)
class Grade:
    """One exercise's outcome, with the lines that explain it."""

    exercise: Exercise
    status: Status
    details: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether the exercise passes."""
        return self.status == "pass"


def load_solutions(path: str | Path) -> ModuleType:
    """Import the learner's file, or raise `SolutionsFileError` showing the line at fault."""
    path = Path(path)
    if not path.exists():
        raise SolutionsFileError(f"{path}: no such file")
    if not path.is_file():
        raise SolutionsFileError(f"{path} is not a file; expected a Python file of solutions")
    loader = importlib.machinery.SourceFileLoader("gradwalk_exercise_solutions", str(path))
    module = ModuleType(loader.name)
    module.__file__ = str(path)
    try:
        loader.exec_module(module)
    except SyntaxError as error:
        line = (error.text or "").strip()
        raise SolutionsFileError(
            f"{path} does not import:\n  line {error.lineno}: {line}\n  {type(error).__name__}: {error.msg}"
        ) from None
    except Exception as error:
        raise SolutionsFileError(f"{path} does not import:\n{_describe_error(error, path)}") from None
    return module


def _describe_error(error: BaseException, path: str | Path) -> str:
    """The error, and the last line of the learner's file it passed through."""
    where = ""
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename).resolve() == Path(path).resolve():
            where = f"  line {frame.lineno}: {(frame.line or '').strip()}\n"
    return f"{where}  {type(error).__name__}: {error}"


def grade(module: ModuleType, exercise: Exercise, *, points: int = 25, seed: int = 0) -> Grade:
    """Grade one exercise in the learner's module.

    >>> from autograd.exercises import EXERCISES, solutions
    >>> grade(solutions, EXERCISES[0]).status
    'pass'
    """
    function = getattr(module, exercise.name, None)
    if function is None:
        return Grade(exercise, "missing", (f"the file has no function {exercise.signature}",))
    if not callable(function):
        return Grade(
            exercise, "missing", (f"{exercise.name} is a {type(function).__name__}, not a function",)
        )
    rule: Rule = getattr(function, "__wrapped__", function)  # undo @op: the grader makes its own
    sample = _sample(exercise, points, seed)
    point = sample[0]
    try:
        unanswered = _unanswered(exercise, rule(*point))
        if len(unanswered) == len(exercise.parameters):
            return Grade(exercise, "not attempted")
        if unanswered:
            return Grade(exercise, "FAIL", (f"still to do: {', '.join(unanswered)}",))
        student_op = op(exercise.name)(rule)
        results = []
        for point in sample:
            if changed := _changed_value(exercise, student_op, point):
                return Grade(exercise, "FAIL", (changed,))
            results.append(gradcheck(student_op, point))
    except Exception as error:
        module_file = getattr(module, "__file__", None) or ""
        return Grade(
            exercise, "error", (f"at {_describe(exercise, point)}:", _describe_error(error, module_file))
        )
    if all(results):
        return Grade(exercise, "pass")
    return Grade(
        exercise, "FAIL", (_worst_point(exercise, sample, results), *_hints(exercise, sample, results))
    )


def _sample(exercise: Exercise, points: int, seed: int) -> list[Point]:
    rng = random.Random(seed)
    draws = [tuple(rng.uniform(low, high) for low, high in exercise.domains) for _ in range(points)]
    return [*exercise.kinks, *draws]


def _changed_value(exercise: Exercise, student_op: Callable[..., Value], point: Point) -> str:
    """What is wrong with the learner's value at `point` (the template gives it), or ""."""
    value, expected = student_op(*point).data, exercise.solution(*point)[0]
    if _same(value, expected):
        return ""
    return (
        f"at {_describe(exercise, point)} the value is {value:.6g}, expected {expected:.6g}: "
        "only the `...` lines need changing"
    )


def _same(yours: float, reference: float) -> bool:
    """Whether the learner's number is the reference one, up to rounding."""
    return math.isclose(yours, reference, rel_tol=1e-6, abs_tol=1e-9)


def _unanswered(exercise: Exercise, returned: object) -> list[str]:
    """The derivatives the learner's op still returns as ``...``, as "d/dx" strings."""
    if not (isinstance(returned, tuple) and len(returned) == 2 and isinstance(returned[1], (tuple, list))):
        return []  # malformed: the op's own checks will say how
    return [f"d/d{name}" for name, d in zip(exercise.parameters, returned[1]) if d is Ellipsis]


def _describe(exercise: Exercise, point: Point) -> str:
    return ", ".join(f"{name}={x:.4g}" for name, x in zip(exercise.parameters, point))


def _worst_point(exercise: Exercise, sample: list[Point], results: list[GradcheckResult]) -> str:
    worst = OpCheckResult(exercise.name, exercise.domains, results).worst
    row = worst.worst
    point = sample[results.index(worst)]
    line = (
        f"worst point {_describe(exercise, point)}: your d/d{row.label} is {row.analytic:.6g}, "
        f"numerically {row.numeric:.6g}"
    )
    if not row.differentiable:
        line += f" (a kink: slope {row.left_slope:.6g} on the left, {row.right_slope:.6g} on the right)"
    return line


def _hints(exercise: Exercise, sample: list[Point], results: list[GradcheckResult]) -> list[str]:
    """One hint per kind of mistake found, naming the derivatives it explains."""
    smooth = [
        (point, result)
        for point, result in zip(sample, results)
        if all(row.differentiable for row in result.rows)
    ]
    points = [point for point, _ in smooth]
    explained: dict[str, list[str]] = {}
    for i, name in enumerate(exercise.parameters):
        failing = [result.rows[i] for result in results if not result.rows[i].passed]
        if not failing:
            continue
        if all(not row.differentiable for row in failing):
            hint = "at a kink, return a value between the left and right slopes (a subgradient)"
        else:
            hint = _diagnose(exercise, i, points, [result.rows[i].analytic for _, result in smooth])
        explained.setdefault(hint, []).append(f"d/d{name}")
    return [f"hint ({', '.join(names)}): {hint}" for hint, names in explained.items()]


def _diagnose(exercise: Exercise, i: int, points: list[Point], yours: list[float]) -> str:
    """What the learner's derivative for argument `i` matches at `points`, as advice."""
    name = exercise.parameters[i]
    right = [exercise.solution(*point)[1] for point in points]

    def matches(candidate: Sequence[float]) -> bool:
        return all(_same(y, c) for y, c in zip(yours, candidate))

    for mistake in exercise.mistakes:
        if matches([mistake.derivatives(*point)[i] for point in points]):
            return mistake.hint
    if matches([-r[i] for r in right]):
        return "sign error: yours is the right derivative negated; check each minus sign"
    for j, other in enumerate(exercise.parameters):
        if j != i and matches([r[j] for r in right]):
            return (
                f"derivative of the wrong variable: yours is d/d{other}; differentiate with respect "
                f"to {name}, holding the other inputs constant"
            )
    if all(y == 0.0 for y in yours):
        return f"yours is 0 everywhere, but the value does change with {name}"
    ratios = [y / r[i] for y, r in zip(yours, right) if r[i] != 0.0]
    if ratios and matches([ratios[0] * r[i] for r in right]):
        return (
            f"yours is {ratios[0]:.4g} times the right derivative: a constant factor is missing or extra "
            "(often a factor from the chain rule)"
        )
    return (
        f"no common mistake matches; work d/d{name} out again step by step, and compare it with "
        "the numeric value at the worst point"
    )


def grade_file(path: str | Path, *, points: int = 25, seed: int = 0, timeout: float = 10.0) -> list[Grade]:
    """Grade every exercise in the learner's file (raises `SolutionsFileError` if it won't import).

    The file runs isolated, in a process of its own (see `autograd.exercises.isolated`):
    an answer that exits, raises any exception or runs over `timeout` seconds is that
    exercise's error, and the others are still graded.

    >>> from autograd.exercises import solutions
    >>> all(grade.passed for grade in grade_file(solutions.__file__))
    True
    """
    from autograd.exercises.isolated import grade_isolated  # it imports this module

    return grade_isolated(path, points=points, seed=seed, timeout=timeout)


def report(grades: list[Grade], filename: str) -> str:
    """The grades as the learner reads them, ending with a summary line."""
    width = max(len(grade.exercise.name) for grade in grades)
    lines = [f"Checking {filename}:"]
    for number, grade in enumerate(grades, start=1):
        lines.append(f"{number:3}. {grade.exercise.name:<{width}}  {grade.status}")
        for detail in grade.details:
            lines.extend(_wrap(line, indent=7) for line in detail.splitlines())
    passed = sum(grade.passed for grade in grades)
    untouched = sum(grade.status == "not attempted" for grade in grades)
    if passed == len(grades):
        summary = f"All {len(grades)} exercises pass."
    elif untouched == len(grades):
        summary = (
            f"Nothing attempted yet: every derivative in {filename} is still `...`. "
            "Replace them with your answers, then check again."
        )
    else:
        summary = f"{passed} of {len(grades)} exercises pass"
        summary += f", {untouched} not attempted yet." if untouched else "."
    lines.append(_wrap(summary, indent=0))
    return "\n".join(lines)


def _wrap(line: str, indent: int) -> str:
    """`line`, indented and wrapped at 100 columns; its own leading spaces are kept."""
    first = " " * (indent + len(line) - len(line.lstrip()))
    return textwrap.fill(
        line.strip(), width=100, initial_indent=first, subsequent_indent=first + "  ", break_long_words=False
    )
