"""What a user meets first: the license, a source distribution that runs its tests, README images."""

import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_license_is_mit_in_the_file_and_the_metadata():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    setup = (ROOT / "setup.cfg").read_text()
    assert "\nlicense = MIT\n" in setup and "License :: OSI Approved :: MIT License" in setup


@pytest.mark.slow
def test_the_source_distribution_holds_every_tracked_test_demo_and_doc_file(tmp_path):
    build = "from setuptools import build_meta; print(build_meta.build_sdist(__import__('sys').argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / done.stdout.split()[-1]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    listed = subprocess.run(
        ["git", "ls-files", "tests", "demos", "docs", "autograd", "nn"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    tracked = listed.stdout.split()
    if listed.returncode != 0 or not tracked:
        pytest.skip("not a git checkout (an unpacked sdist, say): no list of files to compare with")
    assert set(tracked) - names == set()
    assert {"LICENSE", "README.md", "pyproject.toml", "setup.cfg", "tests/conftest.py"} <= names


def test_readme_images_are_relative_links_to_files_that_exist():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text())
    assert images
    for image in images:
        assert "://" not in image, f"{image}: absolute URL (see the README's Development section)"
        assert (ROOT / image).is_file(), image
