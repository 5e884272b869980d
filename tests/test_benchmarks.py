"""The benchmark harness runs end to end and reports every workload (a smoke test: no timings)."""

import importlib.util
import json
import sys

import pytest

from benchmarks import run

WORKLOADS = ["chain", "wide", "mlp", "deep", "memory", "render", "second order"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "quick.json"
    limit = sys.getrecursionlimit()
    report = run.main(["--quick", "--json", str(path)])
    assert sys.getrecursionlimit() == limit  # raised for micrograd only while running
    return report, json.loads(path.read_text())


def test_quick_run_reports_every_workload_and_saves_the_same_table(quick):
    report, saved = quick
    assert saved["table"] == report["table"]
    assert sorted({row["workload"] for row in saved["rows"]}, key=WORKLOADS.index) == WORKLOADS
    for row in saved["rows"]:
        # gradwalk has a positive figure in every row (render: unless no renderer is found).
        if row["workload"] != "render" or "gradwalk" in row["values"]:
            assert row["values"]["gradwalk"] > 0, row
        assert row["met"] is None  # the quick sizes are too small to judge a target


def test_table_has_a_column_per_engine_and_names_missing_peers(quick):
    report, _ = quick
    header, rule, *lines = report["table"].splitlines()
    assert len(lines) == len(report["rows"])
    width = header.count("|")
    assert rule.count("|") == width and all(line.count("|") == width for line in lines)
    for peer, module in [("micrograd", "micrograd"), ("PyTorch", "torch")]:
        if importlib.util.find_spec(module) is None:
            assert f"{peer} (not installed)" in header
            assert all(row["notes"][peer] == "not installed" for row in report["rows"])
        else:
            assert f"{peer} (not installed)" not in header
    assert "plain floats" in header


def test_every_engine_follows_the_same_training_trajectory(quick):
    # The comparison is fair only if every engine computes the same steps. The plain-float
    # floor derives its gradients by hand, so from the second step on its losses check
    # gradwalk's gradients (and those of every installed peer).
    report, _ = quick
    trajectories = report["mlp_losses"]
    reference = trajectories["plain floats"]
    assert len(reference) == run.QUICK.mlp_steps >= 2
    assert "gradwalk" in trajectories
    for losses in trajectories.values():
        assert losses == pytest.approx(reference, rel=1e-9)
