"""The gradwalk command line, end to end and in process."""

import contextlib
import errno
import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

import pytest

import autograd._files
from autograd.cli import main
from tests.disks import full_disk

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
    page = (tmp_path / "walk.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="walkthrough-data">(.*?)</script>', page, re.DOTALL)
    assert len(json.loads(data[1])["frames"]) == 6 and page.count("<svg") == 1


def test_walkthrough_without_output_prints_the_steps(capsys):
    assert main(["walkthrough", "x*y + x", "x=3", "y=-2"]) == 0
    text = capsys.readouterr().out
    # By hand: d(x*y)/dx = y = -2, and x is used twice: x.grad = 1 + -2 = -1.
    assert "  d(x × y)/dx = y = -2\n  x.grad += -2 × 1 = -2\n" in text
    assert "  x.grad = 1 + (-2) = -1 (two uses)\n" in text


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
    assert main(["walkthrough", long_sum, "x=1", "--max-nodes", "100"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "120 nodes, more than --max-nodes 100" in error
    assert "pass --max-nodes 120 to draw it anyway" in error and "max_nodes=" not in error
    assert main(["walkthrough", long_sum, "x=1", "--max-nodes", "120"]) == 0
    assert "x.grad = 1 + 1 + " in capsys.readouterr().out  # the walkthrough's default cap is 1000
    assert main(["walkthrough", long_sum, "x=1"]) == 0
    assert " = 120 (120 uses)" in capsys.readouterr().out
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


def test_walkthrough_quiz_in_the_terminal():
    # out = x*y + x at x=3, y=-2: by hand #2.grad = 1, y.grad = x = 3, x.grad = y + 1 = -1.
    answers = "1\n7\n8\n-1.004\n"  # #2: right; y: wrong twice (revealed); x: right within 0.5%
    done = subprocess.run(
        [str(GRADWALK), "walkthrough", "x*y + x", "x=3", "y=-2", "--quiz"],
        input=answers,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("#2.grad = ? ") == 1 and out.count("y.grad = ? ") == 2 and out.count("x.grad = ? ") == 1
    assert "y.grad = ?   not quite." in out
    assert "  y.grad = 3\n" in out  # revealed after the second wrong answer
    assert out.rstrip().endswith("score: 2/3")


def test_walkthrough_quiz_stops_at_the_end_of_input():
    done = subprocess.run(
        [str(GRADWALK), "walkthrough", "x*y", "x=3", "y=-2", "--quiz"],
        input="",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.rstrip().endswith("score: 0/2")


def test_walkthrough_digits_and_forward(capsys):
    assert main(["walkthrough", "x/3", "x=2", "--digits", "2", "--forward"]) == 0
    out = capsys.readouterr().out
    # --forward: frame 0 has the leaves only; the forward step computes out, with its numbers.
    assert "out = x / 3 = 2 / 3 = 0.67" in out and "Forward step 1 of 1: out" in out
    assert main(["walkthrough", "x/3", "x=2", "--digits", "2"]) == 0
    assert "out = x / 3 = 0.67" in capsys.readouterr().out
    assert main(["walkthrough", "x/3", "x=2", "--digits", "0"]) == 2
    assert "digits must be a positive int" in capsys.readouterr().err


def test_walkthrough_timeout_is_the_pages_limit(tmp_path, capsys):
    assert main(["walkthrough", "x*y", "x=1", "y=2", "--timeout", "-1", "-o", str(tmp_path / "w.html")]) == 2
    assert "timeout must be a positive number of seconds, got -1.0" in capsys.readouterr().err
    assert main(["walkthrough", "x*y", "x=1", "y=2", "--timeout", "30", "-o", str(tmp_path / "w.html")]) == 0
    assert (tmp_path / "w.html").read_text(encoding="utf-8").count("<svg") == 1


# ---------------------------------------------------------------------------
# Output problems: one line, exit code 1, nothing lost


def one_error_line(stderr, command="graph"):
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"gradwalk {command}: error: ")
    return lines[0]


@pytest.mark.parametrize("command", ["graph", "walkthrough"])
def test_output_naming_a_folder_is_one_line_and_exit_1(tmp_path, capsys, command):
    assert main([command, "x+1", "x=1", "-o", str(tmp_path)]) == 1
    assert "it is a folder" in one_error_line(capsys.readouterr().err, command)


@pytest.mark.parametrize("command", ["graph", "walkthrough"])
def test_output_in_a_missing_folder_is_one_line_and_exit_1(tmp_path, capsys, command):
    suffix = ".svg" if command == "graph" else ".html"
    assert main([command, "x+1", "x=1", "-o", str(tmp_path / "no" / f"out{suffix}")]) == 1
    assert "its folder does not exist" in one_error_line(capsys.readouterr().err, command)


def test_output_without_permission_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: refuse as the file system would

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(autograd._files.tempfile, "mkstemp", refuse)
    assert main(["graph", "x+1", "x=1", "-o", str(locked / "graph.dot")]) == 1
    assert "Permission denied" in one_error_line(capsys.readouterr().err)
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("command", ["graph", "walkthrough"])
def test_output_to_dev_full_is_one_line_and_exit_1(capsys, command):
    assert main([command, "x+1", "x=1", "-o", "/dev/full"]) == 1
    assert "cannot write '/dev/full': No space left on device" in one_error_line(
        capsys.readouterr().err, command
    )


def test_output_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch, capsys):
    with full_disk(tmp_path, monkeypatch, {"graph.svg": b"<svg>old</svg>"}) as folder:
        assert main(["graph", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", str(folder / "graph.svg")]) == 1
        assert "No space left on device" in one_error_line(capsys.readouterr().err)
        assert (folder / "graph.svg").read_bytes() == b"<svg>old</svg>"
        assert sorted(p.name for p in folder.iterdir() if p.name != ".filler") == ["graph.svg"]


def test_a_fifo_without_suffix_gets_the_default_format(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        assert main(["graph", "x+1", "x=1", "-o", str(fifo)]) == 0
    finally:
        if reader.is_alive():  # nothing was written: open and close the FIFO so that the reader ends
            with contextlib.suppress(OSError), open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "wb"):
                pass
        reader.join(timeout=10)
    assert received[0].startswith(b"digraph {")


def test_a_bad_suffix_error_names_the_users_path(tmp_path, capsys):
    assert main(["graph", "x", "x=1", "-o", str(tmp_path / "graph.jpg")]) == 2
    assert f"cannot save a drawing as '{tmp_path / 'graph.jpg'}'" in capsys.readouterr().err


def test_a_closed_stdout_is_one_line_and_exit_1():
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" graph "x+1" x=1 >&-', str(GRADWALK)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "standard output is closed" in one_error_line(done.stderr)


def test_a_full_stdout_is_one_line_and_exit_1():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(GRADWALK), "graph", "x+1", "x=1"], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 1
    assert "cannot write to standard output: No space left on device" in one_error_line(done.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "x\x1b[31m + 1", "x=1"],
        ["graph", "x + 1", "x\x07=1"],
        ["graph", "x + 1", "x=1", "--b\x1bad"],
        ["graph", "x + 1", "x=1", "-o", "/no/such/\x1b[2J.svg"],
    ],
)
def test_control_characters_from_the_user_are_shown_escaped(args):
    done = run(str(GRADWALK), *args)
    assert done.returncode != 0
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "\\x1b" in done.stderr or "\\x07" in done.stderr


def test_an_expression_with_a_tab_is_echoed_escaped(capsys):
    assert main(["graph", "x +\t1", "x=1", "--summary"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "x +\\t1 = 2"  # 4 significant digits


def test_no_command_lists_the_commands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "graph" in out and "walkthrough" in out and "exercises" in out


def test_version():
    done = run(str(GRADWALK), "--version")
    assert done.returncode == 0
    assert done.stdout == f"gradwalk {importlib.metadata.version('gradwalk')}\n"
