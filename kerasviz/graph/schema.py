"""The JSON Schema of the ModelGraph payload, shipped in the package."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The parsed ``kerasviz/schema/graph.schema.json``."""
    text = resources.files("kerasviz").joinpath("schema/graph.schema.json").read_text()
    return json.loads(text)  # type: ignore[no-any-return]


def validate(payload: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` follows the schema.

    Needs the optional ``jsonschema`` package (in the ``test`` extra).
    """
    try:
        import jsonschema
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "Validating a kerasviz payload needs `jsonschema`: pip install jsonschema"
        ) from e
    jsonschema.Draft202012Validator(load_schema()).validate(payload)
