"""The gradient-check exercises: catalogue, reference solutions, the command line, grade_by_hand."""

import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd import Value
from autograd.exercises import (
    EXERCISES,
    SolutionsFileError,
    grade,
    grade_by_hand,
    grade_file,
    main,
    solutions,
)
from tests.disks import full_disk
from tests.graphs import karpathy_example
from tests.processes import ends_soon
from tests.references import partial_difference

SOLUTIONS = Path(solutions.__file__).read_text()
NAMES = [exercise.name for exercise in EXERCISES]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_variant(tmp_path, *replacements, name="answers.py"):
    """The reference solutions with some lines changed, as a learner's file."""
    text = SOLUTIONS
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def grades_of(path):
    return {g.exercise.name: g for g in grade_file(path)}


# ---------------------------------------------------------------------------
# The catalogue and the reference solutions


def test_the_catalogue_has_the_issues_exercises_easy_to_hard():
    assert len(EXERCISES) >= 10 and len(set(NAMES)) == len(NAMES)
    required = {"sigmoid", "tanh", "softplus", "x_to_the_x", "logsumexp", "weighted_sum"}
    required |= {"softmax_cross_entropy", "divide", "product_of_three", "hinge"}
    assert required <= set(NAMES)
    by_name = {e.name: e for e in EXERCISES}
    assert by_name["softmax_cross_entropy"].parameters == ("z0", "z1", "z2")
    assert by_name["logsumexp"].parameters == ("a", "b")
    assert by_name["hinge"].kinks == ((1.0,),)
    assert NAMES.index("weighted_sum") < NAMES.index("sigmoid") < NAMES.index("softmax_cross_entropy")


@pytest.mark.parametrize("exercise", EXERCISES, ids=NAMES)
def test_each_exercise_has_a_one_paragraph_prompt_and_a_domain_per_argument(exercise):
    assert exercise.title and "\n" not in exercise.prompt and len(exercise.prompt.split()) >= 25
    assert len(exercise.domains) == len(exercise.parameters)
    assert all(low < high for low, high in exercise.domains)


HAND_COMPUTED = [
    ("weighted_sum", (2.0, 3.0, 0.5, -1.0, 1.0), 6.5, (3.0, 2.0, -1.0, 0.5, 1.0)),
    ("product_of_three", (2.0, 3.0, 4.0), 24.0, (12.0, 8.0, 6.0)),
    ("divide", (3.0, 2.0), 1.5, (0.5, -0.75)),
    ("tanh", (0.0,), 0.0, (1.0,)),
    ("sigmoid", (0.0,), 0.5, (0.25,)),
    ("softplus", (0.0,), math.log(2), (0.5,)),
    ("hinge", (-1.0,), 2.0, (-1.0,)),
    ("hinge", (2.0,), 0.0, (0.0,)),
    ("x_to_the_x", (1.0,), 1.0, (1.0,)),
    ("x_to_the_x", (2.0,), 4.0, (4 * (math.log(2) + 1),)),
    ("logsumexp", (0.0, 0.0), math.log(2), (0.5, 0.5)),
    ("norm", (3.0, 4.0), 5.0, (0.6, 0.8)),
    ("softmax_cross_entropy", (0.0, 0.0, 0.0), math.log(3), (-2 / 3, 1 / 3, 1 / 3)),
]


@pytest.mark.parametrize("name, point, value, derivatives", HAND_COMPUTED)
def test_reference_solutions_match_hand_computed_values(name, point, value, derivatives):
    got_value, got_derivatives = getattr(solutions, name).__wrapped__(*point)
    assert got_value == pytest.approx(value, rel=1e-12)
    assert got_derivatives == pytest.approx(derivatives, rel=1e-12)


@pytest.mark.parametrize("exercise", EXERCISES, ids=NAMES)
def test_reference_solutions_match_central_differences_across_the_domain(exercise):
    rule = exercise.solution
    for k in range(5):
        point = [low + (high - low) * (k + 0.37) / 5 for low, high in exercise.domains]
        _, derivatives = rule(*point)
        for i, derivative in enumerate(derivatives):
            numeric = partial_difference(lambda *xs: rule(*xs)[0], point, i)
            assert derivative == pytest.approx(numeric, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("exercise", EXERCISES, ids=NAMES)
def test_reference_solutions_pass_every_exercise(exercise):
    assert grade(solutions, exercise).status == "pass"


# ---------------------------------------------------------------------------
# list, start, check


def test_list_shows_every_exercise_with_its_prompt(capsys):
    code, out, _ = run(["list"], capsys)
    assert code == 0
    for number, exercise in enumerate(EXERCISES, start=1):
        assert f"{number:2}. {exercise.title}: {exercise.signature}" in out
        assert exercise.prompt.split()[-1] in out and " ".join(exercise.prompt.split()[:4]) in out


def test_start_writes_a_template_with_a_todo_for_each_derivative(tmp_path, capsys):
    path = tmp_path / "solutions.py"
    code, out, _ = run(["start", str(path)], capsys)
    assert code == 0 and f"Wrote {path}" in out
    text = path.read_text()
    for exercise in EXERCISES:
        assert f'@op("{exercise.name}")\ndef {exercise.name}(' in text
        assert exercise.prompt.split()[0] in text
    assert text.count("= ...  # TODO: ") == sum(len(e.parameters) for e in EXERCISES)
    assert "# answer" not in text and "1.0 - t * t" not in text  # no answers given away
    compile(text, str(path), "exec")


def test_start_refuses_to_overwrite_unless_forced(tmp_path, capsys):
    path = tmp_path / "solutions.py"
    path.write_text("my precious work\n")
    code, _, err = run(["start", str(path)], capsys)
    assert code == 2 and "already exists; not overwriting it (add --force to replace it)" in err
    assert path.read_text() == "my precious work\n"
    code, _, _ = run(["start", str(path), "--force"], capsys)
    assert code == 0 and "TODO" in path.read_text()


def test_start_reports_an_unwritable_path(tmp_path, capsys):
    code, _, err = run(["start", str(tmp_path / "missing" / "dir" / "s.py")], capsys)
    assert code == 2 and "cannot write" in err


def test_an_untouched_template_fails_and_says_nothing_was_attempted(tmp_path, capsys):
    path = tmp_path / "solutions.py"
    run(["start", str(path)], capsys)
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1
    assert out.count("not attempted") == len(EXERCISES)
    assert "Nothing attempted yet" in out


def test_the_reference_solutions_check_clean(capsys):
    code, out, _ = run(["check", solutions.__file__], capsys)
    assert code == 0
    assert out.count(" pass\n") == len(EXERCISES) and f"All {len(EXERCISES)} exercises pass." in out


def test_one_wrong_exercise_makes_the_exit_code_non_zero(tmp_path, capsys):
    path = write_variant(tmp_path, ("dt_dx = 1.0 - t * t", "dt_dx = 1.0 + t * t"))
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1 and f"{len(EXERCISES) - 1} of {len(EXERCISES)} exercises pass." in out


def test_the_worst_point_shows_the_learners_and_the_numeric_values(tmp_path):
    path = write_variant(tmp_path, ("dp_dy = x * z", "dp_dy = -x * z"))
    grade = grades_of(path)["product_of_three"]
    assert grade.status == "FAIL"
    worst = grade.details[0]
    assert worst.startswith("worst point x=") and ": your d/dy is " in worst and ", numerically " in worst
    yours, numeric = map(float, worst.split(": your d/dy is ")[1].split(", numerically "))
    assert yours == pytest.approx(-numeric, rel=1e-5)


# Deliberate mistakes and the hint each must get: (exercise, replacement, hint).
MISTAKES = [
    ("product_of_three", ("dp_dy = x * z", "dp_dy = -x * z"), "hint (d/dy): sign error"),
    ("sigmoid", ("ds_dx = s * (1.0 - s)", "ds_dx = -s * (1.0 - s)"), "hint (d/dx): sign error"),
    ("divide", ("dq_db = -a / (b * b)", "dq_db = a / (b * b)"), "hint (d/db): sign error"),
    (
        "softplus",
        ("dy_dx = 1.0 / (1.0 + math.exp(-x))", "dy_dx = 1.0 / (1.0 + math.exp(x))"),
        "missing chain factor",
    ),
    ("sigmoid", ("ds_dx = s * (1.0 - s)", "ds_dx = -s * s"), "missing chain factor"),
    (
        "logsumexp",
        ("dlse_da = ea / (ea + eb)", "dlse_da = 1 / (math.exp(a) + math.exp(b))"),
        "missing chain factor",
    ),
    ("norm", ("dr_dx = x / r", "dr_dx = x / (2 * r)"), "yours is 0.5 times the right derivative"),
    ("divide", ("dq_db = -a / (b * b)", "dq_db = -1 / (b * b)"), "needs the factor a"),
    ("weighted_sum", ("dn_dw1 = x1", "dn_dw1 = w1"), "derivative of the wrong variable: yours is d/dx1"),
    ("logsumexp", ("dlse_da = ea / (ea + eb)", "dlse_da = eb / (ea + eb)"), "wrong variable: yours is d/db"),
    ("softmax_cross_entropy", ("dloss_dz0 = e0 / total - 1.0", "dloss_dz0 = e0 / total"), "z0 also appears"),
    ("x_to_the_x", ("dp_dx = p * (math.log(x) + 1.0)", "dp_dx = x * x ** (x - 1.0)"), "the power rule"),
    ("tanh", ("dt_dx = 1.0 - t * t", "dt_dx = 1.0 - x * x"), "in terms of t, not of x"),
    ("hinge", ("dh_dx = -1.0 if x < 1.0 else 0.0", "dh_dx = 0.0 if x < 1.0 else -1.0"), "wrong sides"),
    (
        "hinge",
        ("dh_dx = -1.0 if x < 1.0 else 0.0", "dh_dx = -1.0 if x < 1.0 else (0.0 if x > 1.0 else 3.0)"),
        "kink",
    ),
    ("product_of_three", ("dp_dz = x * y", "dp_dz = 0.0"), "yours is 0 everywhere"),
    ("tanh", ("dt_dx = 1.0 - t * t", "dt_dx = math.cos(x)"), "no common mistake matches"),
]


@pytest.mark.parametrize("name, replacement, hint", MISTAKES, ids=[f"{m[0]}-{m[2][:20]}" for m in MISTAKES])
def test_a_deliberate_mistake_fails_with_the_right_hint(tmp_path, name, replacement, hint):
    grades = grades_of(write_variant(tmp_path, replacement))
    assert grades[name].status == "FAIL"
    assert any(hint in line for line in grades[name].details), grades[name].details
    assert all(g.passed for other, g in grades.items() if other != name)


def test_a_kink_failure_shows_both_slopes(tmp_path):
    replacement = (
        "dh_dx = -1.0 if x < 1.0 else 0.0",
        "dh_dx = -1.0 if x < 1.0 else (0.0 if x > 1.0 else 3.0)",
    )
    worst = grades_of(write_variant(tmp_path, replacement))["hinge"].details[0]
    assert worst.startswith("worst point x=1: your d/dx is 3, numerically -0.5")
    assert "(a kink: slope -1 on the left, 0 on the right)" in worst


def test_a_changed_value_line_is_reported(tmp_path):
    grade = grades_of(write_variant(tmp_path, ("t = math.tanh(x)", "t = math.sin(x)")))["tanh"]
    assert grade.status == "FAIL" and "the value is" in grade.details[0] and "expected" in grade.details[0]


def test_a_partly_answered_exercise_lists_what_is_left(tmp_path):
    grade = grades_of(write_variant(tmp_path, ("dloss_dz1 = e1 / total", "dloss_dz1 = ...")))
    assert grade["softmax_cross_entropy"].status == "FAIL"
    assert grade["softmax_cross_entropy"].details == ("still to do: d/dz1",)


def test_a_missing_function_is_named_and_the_others_are_graded(tmp_path, capsys):
    path = write_variant(tmp_path, ('@op("divide")\ndef divide(', '@op("divide")\ndef divided('))
    code, out, _ = run(["check", str(path)], capsys)
    assert code == 1
    assert "divide" in out and "missing" in out and "the file has no function divide(a, b)" in out
    assert f"{len(EXERCISES) - 1} of {len(EXERCISES)} exercises pass." in out


def test_an_error_inside_a_learners_function_shows_their_line(tmp_path):
    grade = grades_of(write_variant(tmp_path, ("dr_dy = y / r", "dr_dy = y / (r - r)")))["norm"]
    assert grade.status == "error"
    assert grade.details[0].startswith("at x=")
    assert "dr_dy = y / (r - r)" in grade.details[1] and "ZeroDivisionError" in grade.details[1]


def test_a_wrong_number_of_derivatives_gets_the_ops_own_message(tmp_path):
    grade = grades_of(write_variant(tmp_path, ("return t, (dt_dx,)", "return t, (dt_dx, dt_dx)")))["tanh"]
    assert grade.status == "error"
    assert "op 'tanh' takes 1 input(s) but returned 2 local derivative(s)" in grade.details[1]


def test_a_file_without_the_op_decorator_is_graded_too(tmp_path):
    path = write_variant(tmp_path, ('@op("sigmoid")\n', ""))
    assert grades_of(path)["sigmoid"].passed


def test_a_missing_file_is_a_clear_error(tmp_path, capsys):
    code, out, err = run(["check", str(tmp_path / "nope.py")], capsys)
    assert code == 2 and out == ""
    assert "nope.py: no such file" in err and "start" in err


def test_a_directory_is_not_a_solutions_file(tmp_path, capsys):
    code, _, err = run(["check", str(tmp_path)], capsys)
    assert code == 2 and "is not a file" in err


def test_a_syntax_error_shows_the_learners_line_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "solutions.py"
    path.write_text("import math\n\ndef sigmoid(x:\n    return x\n")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert "does not import" in err and "line 3: def sigmoid(x:" in err and "SyntaxError" in err
    assert "Traceback" not in err


def test_an_error_while_importing_shows_the_learners_line(tmp_path, capsys):
    path = tmp_path / "solutions.py"
    path.write_text("import math\nx = 1\nscale = math.log(-x)\n")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert "line 3: scale = math.log(-x)" in err and "ValueError: math domain error" in err
    assert "Traceback" not in err


def test_usage_errors_and_help(capsys):
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main([]) == 2
    capsys.readouterr()
    assert main(["--help"]) == 0
    assert "list" in capsys.readouterr().out


def test_python_dash_m_runs_the_command_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "autograd.exercises", "check", solutions.__file__],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "exercises pass" in done.stdout


# ---------------------------------------------------------------------------
# grade_by_hand


def micrograd_graph():
    return karpathy_example()[0]


RIGHT = karpathy_example()[1]  # every node, computed by hand


def test_right_answers_are_all_right():
    result = grade_by_hand(micrograd_graph(), RIGHT)
    assert result and all(row.right for row in result.rows)
    assert [(row.label, row.answer, row.expected) for row in result.rows] == [
        (k, v, v) for k, v in RIGHT.items()
    ]


def test_wrong_answers_are_reported_each():
    answers = dict(RIGHT, a=-6.0, b=-2.0)  # a sign error, and a missing factor
    result = grade_by_hand(micrograd_graph(), answers)
    assert not result
    assert {row.label for row in result.rows if not row.right} == {"a", "b"}
    text = str(result)
    assert text.startswith("5 of 7 right") and "dL/d(node)" in text
    line_a = next(line for line in text.splitlines() if line.startswith("a "))
    assert line_a.split() == ["a", "-6", "6", "WRONG"]


def test_three_significant_digits_are_enough():
    x = Value(2.0, label="x")
    y = (x * x + 1).tanh()
    y.label = "y"
    assert grade_by_hand(y, {"x": 0.000726})  # dy/dx = 4 (1 - tanh(5)**2) = 0.000726333...
    assert not grade_by_hand(y, {"x": 0.0008})


def test_an_infinite_gradient_answered_as_the_same_infinity_is_right():
    x = Value(0.0, label="x")
    y = x.sqrt()  # d sqrt(x)/dx at 0 is 1 / (2 sqrt(0)) = inf
    y.label = "y"
    assert grade_by_hand(y, {"x": math.inf})
    assert not grade_by_hand(y, {"x": -math.inf})


def test_an_answer_within_10_percent_is_close_and_still_wrong():
    x = Value(2.0, label="x")
    y = x * x * x  # dy/dx = 3 x² = 12
    y.label = "y"
    for answer, result in [
        (12.9, "close: check your rounding"),
        (11.0, "close: check your rounding"),
        (13.3, "WRONG"),
        (-12.0, "WRONG"),
        (12.05, "right"),
    ]:
        graded = grade_by_hand(y, {"x": answer})
        assert graded.rows[0].result == result
        assert bool(graded) == (result == "right")
        assert str(graded).splitlines()[-1].endswith(result)


def test_grade_by_hand_leaves_the_graphs_grads_alone():
    loss = micrograd_graph()
    grade_by_hand(loss, RIGHT)
    assert all(row.grad == 0.0 for row in [loss, *loss.parents])
    loss.backward()
    a = loss.parents[0].parents[0].parents[0]
    grade_by_hand(loss, {"a": 6.0})
    assert a.grad == 6.0  # the learner's own backward result is kept


def test_an_unknown_label_is_a_clear_error():
    with pytest.raises(
        ValueError, match=r"no node labelled 'z' in this graph; its labels are: 'a', 'b', 'e', 'c'"
    ):
        grade_by_hand(micrograd_graph(), {"z": 1.0})


def test_a_label_on_two_nodes_is_ambiguous():
    x = Value(1.0, label="x")
    y = x * 2
    y.label = "x"
    with pytest.raises(ValueError, match="2 nodes are labelled 'x'"):
        grade_by_hand(y + 1, {"x": 1.0})


def test_an_answer_must_be_a_number():
    with pytest.raises(TypeError, match="the answer for 'a' must be a number, got str"):
        grade_by_hand(micrograd_graph(), {"a": "six"})


def test_grade_by_hand_wants_a_value_and_a_mapping():
    with pytest.raises(TypeError, match="takes the graph's root Value"):
        grade_by_hand(1.0, {})
    with pytest.raises(TypeError, match="answers must map node labels to numbers"):
        grade_by_hand(micrograd_graph(), [("a", 6.0)])


# ---------------------------------------------------------------------------
# A learner's file runs isolated: nothing in it stops the checker


def with_answer(tmp_path, body, name="product_of_three"):
    """The reference solutions with exercise `name` replaced by a function running `body`."""
    path = tmp_path / "solutions.py"
    path.write_text(
        f"{SOLUTIONS}\n\ndef {name}(x, y, z):\n    {body}\n    return x * y * z, (y * z, x * z, x * y)\n"
    )
    return path


def statuses(grades):
    return {grade.exercise.name: grade.status for grade in grades}


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("import sys; sys.exit(3)", "SystemExit: 3"),
        ("quit()", "SystemExit"),
        ("raise SystemExit('bye')", "SystemExit: bye"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("import os; os._exit(0)", "ended the checker's process (exit code 0)"),
    ],
)
def test_an_answer_that_exits_is_that_exercises_error_and_the_rest_is_graded(tmp_path, capsys, body, shown):
    path = with_answer(tmp_path, body)
    assert main(["check", str(path)]) == 1
    report = capsys.readouterr().out
    grades = statuses(grade_file(path))
    assert grades.pop("product_of_three") == "error"
    assert set(grades.values()) == {"pass"}  # every other exercise, before and after it
    assert "product_of_three       error" in report and shown in report
    assert "10 of 11 exercises pass" in report


@pytest.mark.slow
def test_an_answer_that_loops_forever_is_stopped_after_the_time_limit(tmp_path):
    path = with_answer(tmp_path, "while True: pass")
    started = time.monotonic()
    grades = grade_file(path, timeout=1.0)
    assert time.monotonic() - started < 20
    by_name = {grade.exercise.name: grade for grade in grades}
    assert by_name["product_of_three"].status == "error"
    assert "ran for more than 1 s and was stopped" in by_name["product_of_three"].details[0]
    assert [grade.status for grade in grades if grade.exercise.name != "product_of_three"] == ["pass"] * 10


@pytest.mark.slow
def test_the_default_limit_is_10_seconds_per_answer(tmp_path, capsys):
    path = with_answer(tmp_path, "import time; time.sleep(10.5)")
    assert main(["check", str(path)]) == 1
    assert "ran for more than 10 s and was stopped" in capsys.readouterr().out


def test_output_beyond_10_kB_is_discarded(tmp_path, capsys):
    path = with_answer(tmp_path, "print('x' * 1000)")  # 1 kB per call, many calls per exercise
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("x") <= 10_000 + 100
    assert f"{path} printed more than 10,000 bytes; the rest is discarded" in out
    assert "All 11 exercises pass." in out


@pytest.mark.parametrize(
    "body", ["import sys; sys.exit(0)", "raise KeyboardInterrupt", "import os; os._exit(4)"]
)
def test_a_file_that_exits_while_imported_is_not_importable(tmp_path, capsys, body):
    path = tmp_path / "solutions.py"
    path.write_text(f"{SOLUTIONS}\n{body}\n")
    assert main(["check", str(path)]) == 2
    assert f"{path} does not import" in capsys.readouterr().err


@pytest.mark.slow
def test_a_file_that_loops_while_imported_is_not_importable(tmp_path):
    path = tmp_path / "solutions.py"
    path.write_text("while True:\n    pass\n")
    with pytest.raises(SolutionsFileError, match="importing it took more than 1 s"):
        grade_file(path, timeout=1.0)


def test_start_writes_the_template_atomically_and_never_over_a_file(tmp_path, monkeypatch, capsys):
    old = b"my answers"
    with full_disk(tmp_path, monkeypatch, {"mine.py": old}) as folder:
        assert main(["start", str(folder / "mine.py")]) == 2  # there already
        assert main(["start", str(folder / "mine.py"), "--force"]) == 2  # the disk is full
        assert main(["start", str(folder / "new.py")]) == 2
        assert (folder / "mine.py").read_bytes() == old
        assert sorted(p.name for p in folder.iterdir() if p.name != ".filler") == ["mine.py"]
    err = capsys.readouterr().err
    assert "already exists; not overwriting it" in err and "No space left on device" in err


def test_a_process_an_answer_leaves_behind_is_ended_with_the_checker(tmp_path):
    pid_file = tmp_path / "child.pid"
    start_child = (
        "import subprocess; child = subprocess.Popen(['sleep', '300']); "
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))"
    )
    started = time.monotonic()
    grades = grade_file(with_answer(tmp_path, start_child))
    assert time.monotonic() - started < 8  # the child holds the output pipe: not waited for
    assert set(statuses(grades).values()) == {"pass"}
    assert ends_soon(int(pid_file.read_text())), "the answer's child process is still running"


def test_a_module_in_the_current_folder_shadows_nothing_the_checker_imports(tmp_path, monkeypatch, capsys):
    (tmp_path / "random.py").write_text('raise RuntimeError("a learner\'s own random.py")\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", solutions.__file__]) == 0
    assert "All 11 exercises pass." in capsys.readouterr().out
