"""Reading and writing TensorFlow Playground's URL state (its state.ts keys, types and defaults)."""

import pytest

from nn.playground.lessons import DEFAULTS, check_setting, lesson_hash, parse_lesson

# The example link: every key of TensorFlow Playground's state with its default.
TF_DEFAULT_LINK = (
    "https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane"
    "&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.6&showTestData=false"
    "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false"
    "&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification"
    "&initZero=false&hideText=false"
)


def test_the_default_link_gives_tensorflow_playgrounds_defaults_with_their_types():
    settings, notes = parse_lesson(TF_DEFAULT_LINK)
    assert notes == []
    assert settings["learningRate"] == 0.03 and settings["batchSize"] == 10
    assert settings["networkShape"] == [4, 2] and settings["percTrainData"] == 50
    assert settings["x"] is True and settings["showTestData"] is False
    assert settings["seed"] == "0.6"
    assert {k: v for k, v in settings.items() if k != "seed"} == {
        k: v for k, v in DEFAULTS.items() if k != "seed"
    }


@pytest.mark.parametrize(
    "prefix", ["https://playground.tensorflow.org/#", "http://127.0.0.1:8765/#", "#", ""]
)
def test_a_whole_link_a_hash_or_bare_pairs_read_the_same(prefix):
    settings, notes = parse_lesson(prefix + "activation=relu&networkShape=8,8,3&dataset=spiral&x=false")
    assert notes == []
    assert (settings["activation"], settings["networkShape"], settings["dataset"]) == (
        "relu",
        [8, 8, 3],
        "spiral",
    )
    assert settings["x"] is False


def test_unknown_keys_are_ignored_with_a_note_and_tf_hide_keys_silently():
    settings, notes = parse_lesson("#colour=red&activation=sigmoid&dataset_hide=true&tutorial=dp")
    assert settings["activation"] == "sigmoid"
    assert notes == ["unknown key 'colour' ignored"]


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("learningRate", "abc", "one of 1e-05"),
        ("learningRate", "-1", "one of 1e-05"),
        ("learningRate", "1e9", "one of 1e-05"),
        ("learningRate", "nan", "one of 1e-05"),
        ("networkShape", ",".join(["4"] * 100), "0 to 6 hidden layers"),
        ("networkShape", "4,0", "1 to 8 neurons"),
        ("networkShape", "4,9", "1 to 8 neurons"),
        ("batchSize", "0", "1 to 30"),
        ("batchSize", "2.5", "1 to 30"),
        ("noise", "7", "steps of 5"),
        ("percTrainData", "95", "10 to 90"),
        ("activation", "swish", "relu, tanh, sigmoid, linear, leaky_relu, elu"),
        ("x", "yes", "true or false"),
        ("classes", "50", "2 to 5"),
        ("activations", "tanh,bogus", "one per layer"),
    ],
)
def test_a_bad_value_keeps_the_default_and_the_note_names_value_and_allowed(key, value, allowed):
    settings, notes = parse_lesson(f"{key}={value}")
    assert settings[key] == DEFAULTS[key]
    assert len(notes) == 1
    assert f"{key}={value!r}" in notes[0] and allowed in notes[0] and "kept" in notes[0]


def test_zero_hidden_layers_is_a_valid_network():
    assert parse_lesson("networkShape=")[0]["networkShape"] == []


def test_check_setting_takes_json_values_from_the_page():
    assert check_setting("learningRate", 0.3) == 0.3
    assert check_setting("showTestData", True) is True
    assert check_setting("networkShape", [8, 8]) == [8, 8]
    with pytest.raises(ValueError, match=r"dropout='0.9' is refused; expected one of 0, 0.1"):
        check_setting("dropout", "0.9")
    with pytest.raises(ValueError, match="unknown setting 'speed'"):
        check_setting("speed", 1)


def test_the_hash_reads_back_to_the_same_settings():
    settings, _ = parse_lesson(
        "activation=relu&networkShape=&seed=abc&loss=hinge&activations=&learningRate=0.00001"
    )
    assert parse_lesson(lesson_hash(settings)) == (settings, [])
    assert "networkShape=&" in lesson_hash(settings)
    assert lesson_hash(settings).startswith("activation=relu&regularization=none&batchSize=10&dataset=circle")
