"""autograd._files.write_atomically: a failed write leaves the old file as it was."""

import errno
import os
import stat

import pytest

from autograd._files import write_atomically
from tests.disks import full_disk


def test_a_full_disk_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch):
    with full_disk(tmp_path, monkeypatch, {"kept.txt": b"old"}) as folder:
        with pytest.raises(OSError) as raised:
            write_atomically(folder / "kept.txt", b"new" * 100_000)
        assert raised.value.errno == errno.ENOSPC
        assert (folder / "kept.txt").read_bytes() == b"old"
        assert sorted(p.name for p in folder.iterdir() if p.name != ".filler") == ["kept.txt"]


def test_the_old_files_permissions_are_kept_and_a_new_file_gets_the_umasks(tmp_path):
    old = tmp_path / "script.sh"
    old.write_text("old")
    old.chmod(0o751)
    write_atomically(old, "new")
    assert old.read_text() == "new" and stat.S_IMODE(old.stat().st_mode) == 0o751
    umask = os.umask(0o022)
    try:
        assert stat.S_IMODE(write_atomically(tmp_path / "fresh.txt", "x").stat().st_mode) == 0o644
    finally:
        os.umask(umask)


def test_a_device_is_written_directly_and_fails_with_its_error():
    with pytest.raises(OSError) as raised:
        write_atomically("/dev/full", b"x")
    assert raised.value.errno == errno.ENOSPC
    assert write_atomically("/dev/null", b"x").name == "null"


def test_replace_false_never_touches_an_existing_file(tmp_path):
    (tmp_path / "mine.py").write_text("mine")
    with pytest.raises(FileExistsError):
        write_atomically(tmp_path / "mine.py", "template", replace=False)
    assert (tmp_path / "mine.py").read_text() == "mine"
    assert write_atomically(tmp_path / "new.py", "template", replace=False).read_text() == "template"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.py", "new.py"]
