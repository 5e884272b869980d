"""The gradwalk command line, end to end and in process."""

import math
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from autograd.cli import main

GRADWALK = Path(sysconfig.get_path("scripts")) / "gradwalk"


def run(*args, cwd=None):
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd)


def test_graph_end_to_end(tmp_path):
    done = run(
        str(GRADWALK),
        "graph",
        "tanh(x*w + b)",
        "x=2",
        "w=-3",
        "b=6.88",
        "-o",
        "graph.svg",
        "--digits",
        "17",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "graph.svg").read_bytes().lstrip().startswith(b"<?xml")
    t = math.tanh(2 * -3 + 6.88)  # by hand: d tanh(n)/dn = 1 - t**2, dn/dx = w, dn/dw = x, dn/db = 1
    lines = done.stdout.splitlines()
    assert lines[0] == f"tanh(x*w + b) = {t:.17g}"
    values = {name: float(value) for name, value in (line.split(".grad = ") for line in lines[1:4])}
    assert values == pytest.approx({"x": -3 * (1 - t * t), "w": 2 * (1 - t * t), "b": 1 - t * t}, rel=1e-12)
    assert lines[4] == "wrote graph.svg"


def test_python_dash_m_autograd_is_the_same_command(tmp_path):
    done = run(
        sys.executable,
        "-m",
        "autograd",
        "walkthrough",
        "x*y + x",
        "x=3",
        "y=-2",
        "-o",
        "walk.html",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote walk.html (6 frames)\n"  # 4 values (x, y, x*y, x*y + x) and 2 more
    assert (tmp_path / "walk.html").read_text(encoding="utf-8").count('<section class="frame"') == 6


def test_walkthrough_without_output_prints_the_steps(capsys):
    assert main(["walkthrough", "x*y + x", "x=3", "y=-2"]) == 0
    text = capsys.readouterr().out
    assert "x.grad += -2.0 (local d(#2)/d(x)) × 1.0 (#2.grad) = -2.0, so x.grad is now -1.0" in text


def test_graph_without_output_prints_dot(capsys):
    assert main(["graph", "relu(a) - 2*a", "a=1.5", "--local-grads", "--rankdir", "TB"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph {") and "rankdir=TB" in out and "label=-1]" in out


def test_summary_prints_the_value_and_gradients_only(tmp_path, capsys):
    target = tmp_path / "graph.svg"
    assert main(["graph", "x*y", "x=3", "y=-2", "--summary", "-o", str(target)]) == 0
    assert capsys.readouterr().out == "x*y = -6\nx.grad = -2\ny.grad = 3\n"  # no "wrote graph.svg"
    assert not target.exists()


def test_digits_sets_the_significant_digits_of_every_number(capsys):
    t = math.tanh(2 * -3 + 6.88)  # by hand, as above
    assert main(["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "--summary"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"tanh(x*w + b) = {t:.4g}",
        f"x.grad = {-3 * (1 - t * t):.4g}",
    ]
    assert main(["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "--digits", "2"]) == 0
    assert f"data {t:.2g}" in capsys.readouterr().out
    assert main(["graph", "x*y", "x=3", "y=-2", "--digits", "0"]) == 2
    assert "digits must be a positive int" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        (["tanh(x*w + b)", "x=2", "w=-3"], "variable 'b' at column 12 has no value"),
        (
            ["tanh(x*w)", "x=2", "w=-3", "z=1"],
            "variable 'z' is given ('z=1', variable argument 3) but not used",
        ),
        (["x*(w+", "x=1", "w=2"], "bad syntax at '(', column 3"),
        (["x +* w", "x=1", "w=2"], "bad syntax at '*', column 4"),
        (["2*sinh(x)", "x=1"], "unknown function 'sinh' at column 3"),
        (["x ^ 2", "x=1"], "'^' in 'x ^ 2' at column 1 is not allowed: use ** for powers"),
        (["x.data", "x=1"], "'x.data' at column 1 is not allowed"),
        (["x", "x=two"], "'x=two' (variable argument 1): 'two' is not a number"),
        (["x", "x=1", "x=2"], "gives 'x' a second value"),
        (["é + sinh(é)", "é=1"], "unknown function 'sinh' at column 5"),
    ],
)
@pytest.mark.parametrize("command", ["graph", "walkthrough"])
def test_bad_input_is_one_line_naming_the_culprit_with_exit_code_2(command, args, culprit, capsys):
    assert main([command, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"gradwalk {command}: error: ")
    assert culprit in captured.err


def test_the_expression_is_never_evaluated_by_python(tmp_path, capsys):
    marker = tmp_path / "pwned"
    assert main(["graph", f"__import__('os').system('touch {marker}')"]) == 2
    assert not marker.exists()
    assert "'__import__('os').system' at column 1 is not allowed" in capsys.readouterr().err


def test_max_nodes_is_an_option_of_the_command(capsys):
    long_sum = "+".join(["x"] * 120)  # 120 uses of x: 119 sums and x, 120 values
    assert main(["walkthrough", long_sum, "x=1"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "120 nodes, more than --max-nodes 100" in error
    assert "pass --max-nodes 120 to draw it anyway" in error and "max_nodes=" not in error
    assert main(["walkthrough", long_sum, "x=1", "--max-nodes", "120"]) == 0
    assert "x.grad is now 120.0" in capsys.readouterr().out
    assert main(["graph", long_sum, "x=1", "--max-nodes", "119"]) == 2
    assert main(["graph", long_sum, "x=1", "--max-nodes", "120"]) == 0


def test_a_bad_output_suffix_is_a_usage_error(tmp_path, capsys):
    assert main(["graph", "x", "x=1", "-o", str(tmp_path / "graph.jpg")]) == 2
    assert "expected one of .svg, .png, .pdf, .dot, .gv" in capsys.readouterr().err


def test_a_failing_renderer_exits_1_with_its_message(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GRADWALK_DOT", str(tmp_path / "missing-dot"))
    assert main(["graph", "x", "x=1", "-o", str(tmp_path / "graph.svg")]) == 1
    assert "GRADWALK_DOT is set to" in capsys.readouterr().err
    assert not (tmp_path / "graph.svg").exists()


@pytest.mark.parametrize("command", ["graph", "walkthrough"])
def test_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as finished:
        main([command, "--help"])
    assert finished.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f'gradwalk {command} "tanh(x*w + b)" x=2 w=-3 b=6.88' in out


def test_top_level_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "graph" in out and "walkthrough" in out and "exercises" in out


def test_exercises_are_forwarded_and_name_the_command_used(tmp_path):
    forwarded = run(str(GRADWALK), "exercises", "list", cwd=tmp_path)
    direct = run(sys.executable, "-m", "autograd.exercises", "list", cwd=tmp_path)
    assert forwarded.returncode == direct.returncode == 0
    assert "Begin with: gradwalk exercises start solutions.py" in forwarded.stdout
    same_but_for_the_name = direct.stdout.replace("python -m autograd.exercises", "gradwalk exercises")
    assert forwarded.stdout == same_but_for_the_name
    assert forwarded.stderr == direct.stderr
