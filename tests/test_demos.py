"""Every demo runs in quick mode and writes the pictures it promises, each a valid image.

The demos run as the README says, ``python demos/NAME.py --quick --out DIR``, all at
once in the background (the tests wait for the one they check), so the whole file takes
about as long as the slowest few demos.
"""

import json
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIMEOUT_SECONDS = 300

# Each demo and the files it promises, as README.md's "Demos: a gallery" lists them.
WALKTHROUGH_STEPS = ("3_forward", "4_loss", "5_output_layer", "6_layer3", "7_layer2", "8_layer1")
WALKTHROUGH_GRAPHS = [
    f"walkthrough_step{step}.{kind}" for step in WALKTHROUGH_STEPS for kind in ("svg", "png")
]
PROMISED = {
    "walkthrough": [
        *WALKTHROUGH_GRAPHS,
        "walkthrough.html",
        "walkthrough_step10_training.png",
    ],
    "moons": ["moons_boundary.png", "moons_training.png", "moons_network.png", "moons_batch_collapsed.png"],
    "optimizers": ["optimizers_loss.png", "optimizers_paths.png"],
    "early_stopping": ["early_stopping.png"],
    "activations": ["activations.png"],
    "nonlinearity": ["nonlinearity.png"],
    "gradcheck": [
        "gradcheck_graph_right.svg",
        "gradcheck_graph_right.png",
        "gradcheck_graph_wrong.svg",
        "gradcheck_graph_wrong.png",
        "gradcheck_eps.png",
    ],
    "digits": ["digits_confusion.png"],
    "end_to_end": ["end_to_end_tones.png", "end_to_end.png", "end_to_end_graph.svg"],
    "recurrent": ["recurrent_bptt.html", "recurrent_bptt.svg", "recurrent_bptt.png", "recurrent.png"],
    "residual": ["residual.png"],
    "higher_order": [
        "higher_order_tanh.png",
        "higher_order_newton.png",
        "higher_order_gradient_graph.svg",
        "higher_order_gradient_graph.png",
    ],
}
AGAIN = "early_stopping"  # run twice, to check that a run repeats to the byte
# The walkthrough's graph, y -> 2 -> 2 -> 2 sigmoid units -> z -> (z - t)², has 42 values:
# y (1); each unit of layer 1: w, b, dot, +, sigmoid (2 x 5); each unit of layers 2 and 3:
# 2 w, b, dot, +, sigmoid (2 x 2 x 6); the output unit: 2 w, b, dot, + (5); z - t and its
# square (2). So 42 + 2 frames: the forward pass, one per value, the summary.
WALKTHROUGH_FRAMES = 44
# recurrent.py's RNN(1, 2) on three inputs, read out by Linear(2, 1), loss (z - 0.3)²: 16 leaves
# (x1..x3, 10 RNN parameters, 3 of the readout); step 1 per unit: dot, + b_ih, + b_hh, tanh (2 x 4);
# steps 2 and 3 per unit: dot, + b_ih, dot with h, +, + b_hh, tanh (2 x 2 x 6); the readout's dot
# and +; z - 0.3 and its square. 52 values, so 54 frames.
FRAMES = {"walkthrough.html": WALKTHROUGH_FRAMES, "recurrent_bptt.html": 54}


def demo_command(name: str, *arguments: str) -> list[str]:
    return [sys.executable, str(ROOT / "demos" / f"{name}.py"), *arguments]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start every demo in quick mode, each writing to its own folder; yield {run: (process, folder)}.

    The runs are the demos' names, plus AGAIN's name + " again" for a second run of it.
    """
    started = {}
    for run in [*PROMISED, f"{AGAIN} again"]:
        out = tmp_path_factory.mktemp(run.replace(" ", "_"))
        process = subprocess.Popen(
            demo_command(run.split()[0], "--quick", "--out", str(out)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started[run] = process, out
    yield started
    for process, _ in started.values():  # a deselected test's demo may still be running
        if process.poll() is None:
            process.kill()
        process.communicate()


def finished(runs, run):
    """Wait for `run` to end; return its stdout and output folder, or fail with its stderr."""
    process, out = runs[run]
    stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    assert process.returncode == 0, f"{' '.join(process.args)} exited with {process.returncode}:\n{stderr}"
    return stdout, out


def listed_files(stdout):
    """The files a demo says it wrote: the indented lines after its 'Wrote N files to DIR/' line."""
    lines = stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"Wrote \d+ files? to ", line)]
    assert len(starts) == 1, f"expected one 'Wrote N files to' line in:\n{stdout}"
    count = int(lines[starts[0]].split()[1])
    files = [line.strip() for line in lines[starts[0] + 1 :] if line.startswith("  ")]
    assert len(files) == count
    return [Path(file) for file in files]


def check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} does not start with the PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR"), f"{path.name}: the first chunk must be a 13-byte IHDR"
    header = data[16:29]
    width, height = struct.unpack(">II", header[:8])
    assert width > 0 and height > 0
    (crc,) = struct.unpack(">I", data[29:33])
    assert crc == zlib.crc32(b"IHDR" + header), f"{path.name}: IHDR checksum mismatch"
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82", f"{path.name} does not end with an IEND chunk"
    assert len(data) < 1_000_000, f"{path.name} is {len(data)} bytes"


def check_svg(path):
    assert ET.parse(path).getroot().tag == SVG_ROOT, f"{path.name} is not an SVG document"


def check_walkthrough_html(path):
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    data = re.search(r'<script type="application/json" id="walkthrough-data">(.*?)</script>', page, re.DOTALL)
    assert len(json.loads(data[1])["frames"]) == FRAMES[path.name]
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(svgs) == 1  # one drawing; each frame changes only its colours, numbers and text
    assert ET.fromstring(svgs[0]).tag == SVG_ROOT
    assert "http://" not in page.replace("http://www.w3.org/", "")  # self-contained: nothing to fetch


CHECKS = {".png": check_png, ".svg": check_svg, ".html": check_walkthrough_html}


@pytest.mark.parametrize("name", PROMISED)
def test_demo_writes_the_files_it_promises_as_valid_images(runs, name):
    stdout, out = finished(runs, name)
    written = listed_files(stdout)
    assert sorted(path.name for path in written) == sorted(PROMISED[name])
    assert {path.parent.resolve() for path in written} == {out.resolve()}
    assert sorted(path.name for path in out.iterdir()) == sorted(PROMISED[name])  # nothing else
    for path in written:
        CHECKS[path.suffix](path)


def test_walkthrough_backprop_by_hand_matches_backward_at_every_step(runs):
    stdout, _ = finished(runs, "walkthrough")
    steps = re.findall(r"^Step (\d+):", stdout, flags=re.MULTILINE)
    assert steps == ["4", "5", "6", "7", "8"]
    assert stdout.count("hand and backward() agree") == 5


def test_gradcheck_demo_catches_the_wrong_op(runs):
    stdout, _ = finished(runs, "gradcheck")
    assert "swish passes gradcheck: True; swish_wrong passes: False" in stdout
    assert "fails at 100 of 100 random points" in stdout


def test_recurrent_demo_shows_vanishing_and_exploding_gradients(runs):
    stdout, _ = finished(runs, "recurrent")
    ratios = dict(
        re.findall(r"^(\w+, W_hh × \d): ‖∂L/∂h_1‖ / ‖∂L/∂h_30‖ = (\S+)$", stdout, flags=re.MULTILINE)
    )
    assert float(ratios["tanh, W_hh × 1"]) < 1e-3 and float(ratios["relu, W_hh × 1"]) < 1e-3  # vanishing
    assert float(ratios["relu, W_hh × 3"]) > 1e3  # exploding


def test_residual_demo_trains_only_with_skip_connections(runs):
    stdout, _ = finished(runs, "residual")
    plain = re.search(r"layer 1's gradient is (\S+) times layer 16's\.", stdout.split("With residual")[0])
    residual = re.search(r"layer 1's gradient is (\S+) times layer 16's\.", stdout.split("With residual")[1])
    assert float(plain.group(1)) < 1e-2 < 0.1 < float(residual.group(1))


@pytest.mark.slow
def test_digits_demo_reaches_90_percent_in_full_mode_within_a_minute(tmp_path):
    done = subprocess.run(
        demo_command("digits", "--out", str(tmp_path)), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    accuracy = float(re.search(r"test accuracy ([\d.]+)% on 450 images", done.stdout).group(1))
    seconds = float(re.search(r"Wrote 1 file to .* \(([\d.]+) s\)", done.stdout).group(1))
    assert accuracy >= 90.0
    assert seconds < 60.0


def test_higher_order_demo_checks_its_derivatives_and_newtons_steps(runs):
    stdout, _ = finished(runs, "higher_order")
    assert stdout.count("largest difference from its closed form") == 5
    newton = "Newton's method: 6 steps to within 1e-10 of (1, 1) (the same steps by hessian and by hvp)"
    assert newton in stdout
    assert "gradgradcheck: all 9 pairs pass" in stdout


def test_a_demo_run_repeats_to_the_byte(runs):
    first, first_out = finished(runs, AGAIN)
    second, second_out = finished(runs, f"{AGAIN} again")

    def summary(stdout):  # all but the time taken and the folder's name
        return stdout[: stdout.index("Wrote ")]

    assert summary(first) == summary(second)
    for path in first_out.iterdir():
        assert path.read_bytes() == (second_out / path.name).read_bytes(), path.name


def test_out_must_be_a_folder(tmp_path):
    not_a_folder = tmp_path / "taken"
    not_a_folder.write_text("mine")
    done = subprocess.run(
        demo_command("activations", "--out", str(not_a_folder)), cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert f"cannot use --out {str(not_a_folder)!r} as the pictures' folder: it is a file" in done.stderr
    assert not_a_folder.read_text() == "mine"


@pytest.mark.slow
def test_brief_prints_the_summary_and_where_to_look_only(tmp_path):
    done = subprocess.run(
        demo_command("walkthrough", "--quick", "--brief", "--out", str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) <= 6, done.stdout  # the summary, the folder, where to look: no worked numbers
    assert not any(line.startswith("Step ") for line in lines)
    assert re.fullmatch(
        rf"Wrote 14 files to {re.escape(str(tmp_path))}/ \(quick mode, [\d.]+ s\)\.", lines[-2]
    )
    assert lines[-1] == f"Where to look: open {tmp_path / 'walkthrough.html'}"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(PROMISED["walkthrough"])


def test_make_demo_runs_the_walkthrough_briefly_in_the_projects_own_venv():
    makefile = (ROOT / "Makefile").read_text()
    assert "\t$(BIN)/python demos/walkthrough.py --brief\n" in makefile
    assert "unexport PYTHONPATH" in makefile


@pytest.mark.parametrize("name", sorted(PROMISED))
def test_without_matplotlib_a_demo_says_how_to_install_it(name, tmp_path):
    hide_matplotlib = (
        "import runpy, sys; sys.modules['matplotlib'] = None; "  # None: `import matplotlib` fails
        f"sys.path.insert(0, {str(ROOT / 'demos')!r}); "
        f"sys.argv = ['demo', '--quick', '--out', {str(tmp_path)!r}]; "
        f"runpy.run_path({str(ROOT / 'demos' / (name + '.py'))!r}, run_name='__main__')"
    )
    done = subprocess.run([sys.executable, "-c", hide_matplotlib], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "pip install 'gradwalk[demo]'" in done.stderr
    assert "Traceback" not in done.stderr and "ModuleNotFoundError" not in done.stderr
