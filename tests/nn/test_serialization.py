"""save/load: JSON only, bit-exact round trips, and every rejected input."""

import errno
import json
import math
import pickle
import re
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from tests.disks import full_disk


def bits(x):
    return struct.pack("<d", x)


SPECIAL = [0.1, 1 / 3, -0.0, 0.0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 123456789.0]


def test_round_trip_is_bit_exact_for_awkward_floats(tmp_path):
    state = {f"p.{i}": x for i, x in enumerate(SPECIAL)}
    nn.save(state, tmp_path / "state.json")
    loaded = nn.load(tmp_path / "state.json")
    assert list(loaded) == list(state)
    assert [bits(v) for v in loaded.values()] == [bits(v) for v in SPECIAL]
    assert all(type(v) is float for v in loaded.values())


@given(st.dictionaries(st.text(min_size=1), st.floats(allow_nan=False, allow_infinity=False), max_size=8))
def test_round_trip_is_bit_exact_for_any_finite_floats(tmp_path_factory, state):
    path = tmp_path_factory.getbasetemp() / "round_trip.json"  # rewritten by each example
    nn.save(state, path)
    assert {k: bits(v) for k, v in nn.load(path).items()} == {k: bits(v) for k, v in state.items()}


def test_a_model_round_trips_through_a_file(tmp_path):
    model = nn.MLP(2, [8, 8, 1])
    nn.save(model.state_dict(), str(tmp_path / "model.json"))
    restored = nn.MLP(2, [8, 8, 1])
    restored.load_state_dict(nn.load(str(tmp_path / "model.json")))
    assert restored.state_dict() == model.state_dict()
    assert restored([0.2, -0.4]).data == model([0.2, -0.4]).data


def test_the_file_is_readable_json(tmp_path):
    nn.save({"w.0": 0.5, "b": -1.0}, tmp_path / "m.json")
    assert (tmp_path / "m.json").read_text() == '{\n  "w.0": 0.5,\n  "b": -1.0\n}\n'


# ---------------------------------------------------------------------------
# What load refuses


def write(tmp_path, content):
    path = tmp_path / "state.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


class _Marker:
    """Unpickling this would create a file: the proof that a pickle was never unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_a_pickle_file_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    path = write(tmp_path, pickle.dumps({"w.0": 1.0, "trap": _Marker(marker)}))
    with pytest.raises(ValueError, match="is a pickle file, not JSON; gradwalk never unpickles"):
        nn.load(path)
    assert not marker.exists()


def test_a_torch_save_zip_is_refused(tmp_path):
    with pytest.raises(ValueError, match="zip archive"):
        nn.load(write(tmp_path, b"PK\x03\x04rest of a zip"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not valid JSON"),
        ('{"w.0": 1.0,}', "is not valid JSON"),
        ("", "is not valid JSON"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        ('{"w.0": NaN}', "NaN is not a finite number"),
        ('{"w.0": Infinity}', "Infinity is not a finite number"),
        ('{"w.0": -Infinity}', "-Infinity is not a finite number"),
        ('{"w.0": 1e400}', "'w.0' must be a finite number, got inf"),
        ('{"w.0": 1.0, "w.0": 2.0}', "the name 'w.0' appears more than once"),
    ],
)
def test_load_value_errors(tmp_path, content, message):
    with pytest.raises(ValueError, match=message):
        nn.load(write(tmp_path, content))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"w.0": true}', "'w.0' must be a number, got bool: True"),
        ('{"w.0": "1.0"}', "'w.0' must be a number, got str"),
        ('{"w.0": null}', "'w.0' must be a number, got NoneType"),
        ('{"w.0": [1.0]}', "'w.0' must be a number, got list"),
        ('{"w": {"0": 1.0}}', "'w' must be a number, got dict"),
        ("[1.0, 2.0]", "expected a JSON object of names to numbers, got list"),
        ("3.5", "expected a JSON object of names to numbers, got float"),
    ],
)
def test_load_type_errors(tmp_path, content, message):
    with pytest.raises(TypeError, match=message):
        nn.load(write(tmp_path, content))


def test_whole_numbers_load_as_floats(tmp_path):
    assert nn.load(write(tmp_path, '{"a": 1, "b": -0}')) == {"a": 1.0, "b": 0.0}


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"layers.0.neurons.0.w.0": 1.0}, "got 1 value for 3 parameters"),
        (
            {"w.0": 1.0, "w.1": 2.0, "b": 0.0},
            r"3 values for 3 parameters; .* unexpected \['w.0', 'w.1', 'b'\]",
        ),
        ({"w.0": 1.0, "w.1": 2.0}, "got 2 values for 3 parameters"),
    ],
)
def test_wrong_names_or_counts_are_refused_when_loading_into_a_model(tmp_path, state, message):
    path = tmp_path / "other.json"
    nn.save(state, path)
    model = nn.MLP(2, [1])  # parameters layers.0.neurons.0.w.0, .w.1, .b
    before = model.state_dict()
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(nn.load(path))
    assert model.state_dict() == before


# ---------------------------------------------------------------------------
# What save refuses (and then writes nothing)


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        ({"w": math.nan}, ValueError, "'w' must be a finite number, got nan"),
        ({"w": math.inf}, ValueError, "'w' must be a finite number, got inf"),
        ({"w": True}, TypeError, "'w' must be a number, got bool"),
        ({"w": "1"}, TypeError, "'w' must be a number, got str"),
        ({1: 1.0}, TypeError, "names must be str, got int"),
        ([("w", 1.0)], TypeError, "a state dict maps names to numbers, got list"),
    ],
)
def test_save_refuses_what_load_would_refuse(tmp_path, state, error, message):
    path = tmp_path / "state.json"
    with pytest.raises(error, match=message):
        nn.save(state, path)
    assert not path.exists()


# ---------------------------------------------------------------------------
# Never lose a file; refuse what cannot be a state dict


def test_save_on_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    old = b'{"w": 1.0}\n'
    with full_disk(tmp_path, monkeypatch, {"model.json": old}) as folder:
        with pytest.raises(OSError) as raised:
            nn.save({f"w.{i}": 0.1 * i for i in range(5000)}, folder / "model.json")
        assert raised.value.errno == errno.ENOSPC
        assert (folder / "model.json").read_bytes() == old
        assert sorted(p.name for p in folder.iterdir() if p.name != ".filler") == ["model.json"]


def test_load_of_deep_nesting_is_a_value_error_naming_the_file(tmp_path):
    path = write(tmp_path, '{"w": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}: nested too deeply"):
        nn.load(path)


def test_load_refuses_a_file_over_max_bytes_before_reading_it(tmp_path, monkeypatch):
    path = write(tmp_path, '{"w": 1.0}')
    with pytest.raises(ValueError, match=f"{re.escape(str(path))} is 10 bytes, more than max_bytes=9"):
        nn.load(path, max_bytes=9)
    assert nn.load(path, max_bytes=10) == {"w": 1.0}
    monkeypatch.setattr(json, "loads", lambda *args, **kwargs: pytest.fail("read a file over the limit"))
    with pytest.raises(ValueError, match="more than max_bytes=100000000"):
        nn.load(sparse(tmp_path / "huge.json", 100_000_001))


def sparse(path, size):
    with open(path, "wb") as file:
        file.truncate(size)
    return path


@pytest.mark.parametrize("content", ["[1.0]", '{"w": "x"}', '{"w": NaN}', "not json", b"\x80\x04pickle"])
def test_every_load_error_names_the_file(tmp_path, content):
    path = write(tmp_path, content)
    with pytest.raises((ValueError, TypeError), match=re.escape(str(path))):
        nn.load(path)
