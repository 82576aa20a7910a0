"""Class-default configs, so each node's config need only hold what it changed.

A reference instance of a built-in Keras layer class, made with the same required
arguments as a real layer and an explicit name (so Keras's auto-naming counters do
not move), gives the class defaults exactly as Keras writes them in a config.
"""

from __future__ import annotations

import inspect
import json
import warnings
from typing import Any

from ._jsonsafe import jsonable

_REFERENCE_NAME = "kerasviz_reference"
_cache: dict[type, dict[str, Any] | None] = {}


def class_defaults(cls: type, config: dict[str, Any]) -> dict[str, Any] | None:
    """The default config of built-in class ``cls``, or None.

    The result leaves out ``name`` and the required constructor arguments, so a
    node's own config always keeps those.

    ``config`` supplies the values of the required constructor arguments. Custom
    classes (outside ``keras.``) get None: their constructors are user code, which
    kerasviz does not run.
    """
    if cls in _cache:
        return _cache[cls]
    result = None
    if cls.__module__.startswith("keras."):
        result = _reference_config(cls, config)
    _cache[cls] = result
    return result


def _reference_config(cls: type, config: dict[str, Any]) -> dict[str, Any] | None:
    try:
        params = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    required = [
        p.name
        for p in params
        if p.name != "self" and p.kind in kinds and p.default is inspect.Parameter.empty
    ]
    if any(k not in config for k in required):
        return None
    kwargs = {k: config[k] for k in required}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = jsonable(cls(**kwargs, name=_REFERENCE_NAME).get_config())
        json.dumps(ref)
    except Exception:
        return None
    if not isinstance(ref, dict):
        return None
    for k in ("name", *required):
        ref.pop(k, None)
    return ref


def split_config(
    config: dict[str, Any], defaults: dict[str, Any] | None
) -> dict[str, Any]:
    """The entries of ``config`` that differ from ``defaults``."""
    if not defaults:
        return config
    return {k: v for k, v in config.items() if k not in defaults or defaults[k] != v}
