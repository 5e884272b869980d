"""A lesson's settings as TensorFlow Playground writes them in its URL: ``#activation=tanh&...``.

`DEFAULTS` holds every key with TensorFlow Playground's default (its ``state.ts``),
then gradwalk's own keys. `parse_lesson` reads a whole Playground link, ``#k=v&...``
or ``k=v&...``; `check_setting` checks one value as a control would set it;
`lesson_hash` writes the settings back in the same format.
"""

from __future__ import annotations

import functools
import math
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "DEFAULTS",
    "FEATURES",
    "MENUS",
    "check_setting",
    "lesson_hash",
    "parse_lesson",
]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu", "elu")  # TF's four, then gradwalk's
FEATURES = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")  # the inputs TF can feed
MAX_LAYERS, MAX_NEURONS = 6, 8
# The menus of TensorFlow Playground's controls: a value they cannot produce is refused.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
CHOICES: dict[str, tuple[str, ...]] = {
    "activation": ACTIVATIONS,
    "regularization": ("none", "L1", "L2"),
    "dataset": ("circle", "xor", "gauss", "spiral"),
    "regDataset": ("reg-plane", "reg-gauss"),
    "problem": ("classification", "regression"),
    "loss": ("squared", "crossEntropy", "hinge"),
    "optimizer": ("sgd", "momentum", "rmsprop", "adagrad", "adam"),
}

DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
# What the page's menus offer (each a valid value; earlyStopping also takes any patience up to 100).
MENUS: dict[str, tuple[Any, ...]] = {
    **CHOICES,
    "learningRate": LEARNING_RATES,
    "regularizationRate": REGULARIZATION_RATES,
    "dropout": DROPOUTS,
    "classes": (2, 3, 4, 5),
    "earlyStopping": (0, 5, 10, 20, 50, 100),
}

DEFAULTS: dict[str, Any] = {
    "activation": "tanh",
    "regularization": "none",
    "batchSize": 10,
    "dataset": "circle",
    "regDataset": "reg-plane",
    "learningRate": 0.03,
    "regularizationRate": 0.0,
    "noise": 0,
    "networkShape": [4, 2],
    "seed": "0.60000",
    "showTestData": False,
    "discretize": False,
    "percTrainData": 50,
    "x": True,
    "y": True,
    "xTimesY": False,
    "xSquared": False,
    "ySquared": False,
    "cosX": False,
    "sinX": False,
    "cosY": False,
    "sinY": False,
    "collectStats": False,
    "problem": "classification",
    "initZero": False,
    "hideText": False,
    # gradwalk's own keys
    "loss": "squared",
    "optimizer": "sgd",
    "dropout": 0.0,
    "classes": 2,
    "earlyStopping": 0,
    "activations": [],
}
BOOLEANS = frozenset(key for key, value in DEFAULTS.items() if isinstance(value, bool))
IGNORED = frozenset({"tutorial"})  # TF keys gradwalk reads and has no use for, like its "*_hide" keys


def _number(text: object) -> float:
    number = float(text) if isinstance(text, (int, float, str)) and not isinstance(text, bool) else math.nan
    if not math.isfinite(number):
        raise ValueError
    return number


def _menu(options: tuple[float, ...]) -> Callable[[object], float]:
    def check(text: object) -> float:
        number = _number(text)
        match = [option for option in options if math.isclose(number, option, rel_tol=1e-9)]
        if not match:
            raise ValueError
        return match[0]

    return check


def _whole(low: int, high: int, step: int = 1) -> Callable[[object], int]:
    def check(text: object) -> int:
        number = _number(text)
        if not number.is_integer() or not low <= number <= high or (number - low) % step:
            raise ValueError
        return int(number)

    return check


def _boolean(text: object) -> bool:
    if text in (True, "true"):
        return True
    if text in (False, "false"):
        return False
    raise ValueError


def _list(text: object) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(item).strip() for item in text]
    if not isinstance(text, str):
        raise ValueError
    return [] if text.strip() == "" else [item.strip() for item in text.split(",")]


def _shape(text: object) -> list[int]:
    widths = [_whole(1, MAX_NEURONS)(item) for item in _list(text)]
    if len(widths) > MAX_LAYERS:
        raise ValueError
    return widths


def _activations(text: object) -> list[str]:
    names = _list(text)
    if any(name not in ACTIVATIONS for name in names) or len(names) > MAX_LAYERS:
        raise ValueError
    return names


def _seed(text: object) -> str:
    if not isinstance(text, (str, int, float)) or isinstance(text, bool) or not str(text).strip():
        raise ValueError
    return str(text).strip()[:40]


def _choice(text: object, options: tuple[str, ...]) -> str:
    if text not in options:
        raise ValueError
    return str(text)


_CHECKS: dict[str, tuple[Callable[[object], Any], str]] = {
    "batchSize": (_whole(1, 30), "a whole number from 1 to 30"),
    "learningRate": (_menu(LEARNING_RATES), f"one of {', '.join(f'{r:g}' for r in LEARNING_RATES)}"),
    "regularizationRate": (
        _menu(REGULARIZATION_RATES),
        f"one of {', '.join(f'{r:g}' for r in REGULARIZATION_RATES)}",
    ),
    "noise": (_whole(0, 50, 5), "0 to 50 in steps of 5"),
    "percTrainData": (_whole(10, 90, 10), "10 to 90 in steps of 10"),
    "networkShape": (_shape, f"0 to {MAX_LAYERS} hidden layers of 1 to {MAX_NEURONS} neurons, like 4,2"),
    "seed": (_seed, "a non-empty text such as 0.12345"),
    "dropout": (_menu(DROPOUTS), f"one of {', '.join(f'{p:g}' for p in DROPOUTS)}"),
    "classes": (_whole(2, 5), "a whole number from 2 to 5"),
    "earlyStopping": (_whole(0, 100), "0 (off) or a patience of 1 to 100 epochs"),
    "activations": (_activations, f"a comma-separated list of {', '.join(ACTIVATIONS)}, one per layer"),
}
for _key in BOOLEANS:
    _CHECKS[_key] = (_boolean, "true or false")
for _key, _options in CHOICES.items():
    _CHECKS[_key] = (functools.partial(_choice, options=_options), f"one of {', '.join(_options)}")


def check_setting(key: str, value: object) -> Any:
    """`value` for the setting `key` as its control would give it, or a ValueError naming both.

    Values come as the URL writes them (text) or as JSON (numbers, booleans, lists).

    >>> check_setting("learningRate", "0.3"), check_setting("networkShape", "8,8,2")
    (0.3, [8, 8, 2])
    >>> check_setting("learningRate", "abc")
    Traceback (most recent call last):
    ...
    ValueError: learningRate='abc' is refused; expected one of 1e-05, 0.0001, 0.001, 0.003, 0.01, \
0.03, 0.1, 0.3, 1, 3, 10
    """
    if key not in _CHECKS:
        raise ValueError(f"unknown setting {key!r}; expected one of {', '.join(DEFAULTS)}")
    check, allowed = _CHECKS[key]
    try:
        return check(value)
    except (ValueError, TypeError, OverflowError):
        shown = value if isinstance(value, str) else _json_text(value)
        raise ValueError(f"{key}={shown!r} is refused; expected {allowed}") from None


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def parse_lesson(text: str) -> tuple[dict[str, Any], list[str]]:
    """The settings a Playground link (or its ``#k=v&...`` part) gives, over `DEFAULTS`, and the notes.

    Unknown keys are ignored and bad values keep the default, each with a note.

    >>> settings, notes = parse_lesson("https://playground.tensorflow.org/#activation=relu&networkShape=3&x=1")
    >>> settings["activation"], settings["networkShape"], settings["x"]
    ('relu', [3], True)
    >>> notes
    ["x='1' is refused; expected true or false (kept true)"]
    >>> parse_lesson("learningRate=-1&colour=red")[1]  # doctest: +NORMALIZE_WHITESPACE
    ["learningRate='-1' is refused; expected one of 1e-05, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1,
      0.3, 1, 3, 10 (kept 0.03)", "unknown key 'colour' ignored"]
    """
    if not isinstance(text, str):
        raise TypeError(f"a lesson is the text of a Playground link, got {type(text).__name__}")
    fragment = text.partition("#")[2] if "#" in text else text.partition("?")[2] if "://" in text else text
    settings = {key: _copy(value) for key, value in DEFAULTS.items()}
    notes: list[str] = []
    for pair in fragment.split("&"):
        if not pair.strip():
            continue
        key, _, raw = pair.partition("=")
        key, value = urllib.parse.unquote(key).strip(), urllib.parse.unquote(raw)
        if key in IGNORED or key.endswith("_hide"):
            continue
        if key not in DEFAULTS:
            notes.append(f"unknown key {key[:40]!r} ignored")
            continue
        try:
            settings[key] = check_setting(key, value)
        except ValueError as error:
            notes.append(f"{str(error)[:300]} (kept {_json_text(settings[key]) or 'none'})")
    return settings, notes


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def lesson_hash(settings: Mapping[str, Any]) -> str:
    """The settings in TensorFlow Playground's URL format (no leading ``#``), TF's keys first.

    >>> lesson_hash(DEFAULTS)[:60]
    'activation=tanh&regularization=none&batchSize=10&dataset=cir'
    >>> parse_lesson(lesson_hash(DEFAULTS)) == (DEFAULTS, [])
    True
    """
    return "&".join(f"{key}={urllib.parse.quote(_json_text(settings[key]), safe=',.-')}" for key in DEFAULTS)
