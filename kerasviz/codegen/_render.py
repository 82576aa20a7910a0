"""Render config values and call arguments as readable Python source."""

from __future__ import annotations

import keyword
import re
from typing import Any

_SERIALIZED_KEYS = {"module", "class_name", "config"}
_OBJECT_MODULES = ("keras.initializers", "keras.regularizers", "keras.constraints")


class Names:
    """Hands out unique, valid Python identifiers derived from layer names."""

    def __init__(
        self, reserved: tuple[str, ...] = ("keras", "layers", "model", "np")
    ) -> None:
        self._taken = set(reserved)

    def new(self, base: str) -> str:
        name = re.sub(r"\W", "_", base).strip("_") or "x"
        if name[0].isdigit():
            name = f"x_{name}"
        if keyword.iskeyword(name):
            name += "_"
        candidate, n = name, 1
        while candidate in self._taken:
            n += 1
            candidate = f"{name}_{n}"
        self._taken.add(candidate)
        return candidate

    def reserve(self, name: str) -> bool:
        """Take ``name`` exactly (an imported name); False when it is taken."""
        if name in self._taken:
            return False
        self._taken.add(name)
        return True


def is_serialized(value: Any) -> bool:
    """A dict Keras made with ``serialize_keras_object``."""
    return isinstance(value, dict) and set(value) >= _SERIALIZED_KEYS


class Source(str):
    """Python source to write as it is (``keras.ops.gelu``), not as a string."""


def literal(value: Any, layer_ctor: Any = None) -> str:
    """Python source for a JSON-safe config value.

    Serialized initializers, regularizers and constraints become constructor calls
    (``keras.initializers.HeNormal(seed=1)``), a DTypePolicy its name, and a
    serialized layer (in a wrapper such as Bidirectional) a layer constructor through
    ``layer_ctor(class_name, config)``.
    """
    if isinstance(value, Source):
        return str(value)
    if is_serialized(value):
        module, cls, config = value["module"], value["class_name"], value["config"]
        if cls in ("DTypePolicy", "FloatDTypePolicy") and isinstance(config, dict):
            return repr(config.get("name"))
        if module in _OBJECT_MODULES and value.get("registered_name") in (None, cls):
            args = ", ".join(f"{k}={literal(v)}" for k, v in (config or {}).items())
            return f"{module}.{cls}({args})"
        if module == "keras.layers" and layer_ctor is not None:
            return str(layer_ctor(cls, config))
    if isinstance(value, dict):
        inner = ", ".join(f"{k!r}: {literal(v, layer_ctor)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        items = [literal(v, layer_ctor) for v in value]
        if all(isinstance(v, (int, type(None))) for v in value):
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        return f"[{', '.join(items)}]"
    return repr(value)
