"""The contract between kerasviz's Python side and its TypeScript renderer.

Both sides read the files in ``kerasviz/schema/``: ``contract.json`` holds the
constants (MIME types, payload versions, API and kind labels), each
``*.schema.json`` the JSON Schema of one payload. The renderer's
``labextension/src/contract.ts`` and ``types.ts`` are generated from them
(``labextension/scripts/generate.mjs``; the test suite fails when they are stale),
so a constant or a payload field changes in one place.

Cheap to import: two small JSON files, read once.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

#: The schemas there are, by name (``kerasviz/schema/<name>.schema.json``).
SCHEMAS = ("graph", "view", "comparison", "replay", "packed", "weight_stats")


def _read(name: str) -> Any:
    return json.loads(
        resources.files("kerasviz").joinpath(f"schema/{name}").read_text()
    )


_CONTRACT: dict[str, Any] = _read("contract.json")

#: The MIME type of a kerasviz view payload (a graph output).
MIME_TYPE: str = _CONTRACT["mime_types"]["view"]
#: The MIME type of a saved comparison (:func:`kerasviz.compare`).
COMPARISON_MIME_TYPE: str = _CONTRACT["mime_types"]["comparison"]
#: The MIME type of a saved construction replay (:func:`kerasviz.replay`).
REPLAY_MIME_TYPE: str = _CONTRACT["mime_types"]["replay"]
#: Version of the replay payload (``kerasviz_replay``).
REPLAY_VERSION: int = _CONTRACT["versions"]["replay"]
#: Version of the ModelGraph JSON (``graph.version``).
GRAPH_VERSION: int = _CONTRACT["versions"]["graph"]
#: Version of the view payload (``kerasviz_view``).
VIEW_VERSION: int = _CONTRACT["versions"]["view"]
#: Version of the comparison payload (``kerasviz_comparison``).
COMPARISON_VERSION: int = _CONTRACT["versions"]["comparison"]
#: Version of the packed envelope a notebook stores (``kerasviz_packed``).
PACKED_VERSION: int = _CONTRACT["versions"]["packed"]
#: How a packed envelope's ``data`` is encoded: zlib (RFC 1950, what
#: ``zlib.compress`` writes and the browser's ``DecompressionStream("deflate")``
#: reads) of the UTF-8 compact JSON, then standard base64.
PACKED_ENCODING: str = _CONTRACT["packed"]["encoding"]
#: The most bytes a packed envelope inflates to, on either side (a guard against a
#: crafted notebook).
MAX_UNPACKED_BYTES: int = _CONTRACT["packed"]["max_unpacked_bytes"]
#: How a model was written (``graph.model.api``) → its label, in this order.
API_LABELS: dict[str, str] = dict(_CONTRACT["api_labels"])
#: Every layer kind (``node.kind``) → its legend label, in legend order.
KIND_LABELS: dict[str, str] = dict(_CONTRACT["kind_labels"])


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema ``kerasviz/schema/<name>.schema.json``."""
    if name not in SCHEMAS:
        raise ValueError(
            f"kerasviz has no schema named {name!r}; it has {', '.join(SCHEMAS)}. "
            f"Received: name={name!r}"
        )
    return _read(f"{name}.schema.json")  # type: ignore[no-any-return]


def validate(payload: Any, name: str = "view") -> None:
    """Raise ``jsonschema.ValidationError`` unless ``payload`` follows the schema
    ``name`` (``"view"``, ``"comparison"``, ``"graph"``, ...); ``$ref``s between
    the schema files resolve to the files shipped here, never to the network.

    Needs the optional ``jsonschema`` package (in the ``test`` extra).

    Examples
    --------
    >>> import keras
    >>> from kerasviz.view import view_payload
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> validate(view_payload(m), "view")  # no error: it follows the schema
    """
    try:
        import jsonschema
        from referencing import Registry, Resource
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "Validating a kerasviz payload needs `jsonschema`: pip install jsonschema"
        ) from e
    registry: Any = Registry()
    for other in SCHEMAS:
        try:
            contents = schema(other)
        except FileNotFoundError:
            continue
        registry = registry.with_resource(
            contents["$id"], Resource.from_contents(contents)
        )
    validator = jsonschema.Draft202012Validator(schema(name), registry=registry)
    validator.validate(payload)
