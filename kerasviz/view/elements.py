"""What Python writes about a view's elements: layer counts and shape text.

The elements themselves are the renderer's (``buildElements`` in
labextension/src/elements.ts, their one owner); Python's exports make theirs in
:mod:`kerasviz.export.cytoscape`, by the same rules and tested against it. The text
summary (:mod:`kerasviz.mimebundle`), the Graphviz export and ``%kerasviz`` count
and print with the functions here, which follow the renderer:
:func:`counts_as_layer` is ``ViewGraph.layerCount``'s rule (viewgraph.ts) and
:func:`shape_text` is ``formatShape`` (format.ts), checked on one table of cases
(labextension/src/__tests__/fixtures/shape_text.json) by pytest and vitest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def ancestors(node_id: str, parents: dict[str, str]) -> Iterator[str]:
    """The containers around ``node_id``, innermost first (view parents)."""
    up = parents.get(node_id)
    while up is not None:
        yield up
        up = parents.get(up)


def counts_as_layer(node: dict[str, Any], containers: set[str]) -> bool:
    """kerasviz's one definition of "a layer", for every count it shows (the text
    summary, collapsed-group labels, the inspector, the static export; the renderer's
    ``ViewGraph.layerCount`` follows the same rule): a node that is not an
    InputLayer and not a container (a nested model counts the layers inside it, not
    itself); ``keras.ops`` calls count, as they are drawn as nodes. So the same
    network has the same count written with the Sequential or the Functional API."""
    return node.get("kind") != "input" and node["id"] not in containers


def layers_inside(payload: dict[str, Any]) -> dict[str, list[str]]:
    """Container id → the ids of the layers (:func:`counts_as_layer`) inside it."""
    parents: dict[str, str] = payload.get("parents", {})
    containers = set(parents.values())
    inside: dict[str, list[str]] = {}
    for n in payload["graph"]["nodes"]:
        if counts_as_layer(n, containers):
            for up in ancestors(n["id"], parents):
                inside.setdefault(up, []).append(n["id"])
    return inside


def layer_count(payload: dict[str, Any]) -> int:
    """How many layers (:func:`counts_as_layer`) the whole graph holds."""
    containers = set(payload.get("parents", {}).values())
    containers |= {n["parent"] for n in payload["graph"]["nodes"] if n.get("parent")}
    return sum(counts_as_layer(n, containers) for n in payload["graph"]["nodes"])


def shape_text(shape: list[int | None] | None) -> str:
    """A shape written the Keras way: ``(None, 64)``, an unknown dimension ``None``,
    ``(5,)`` for one dimension, ``()`` for a scalar, ``?`` for an unknown shape
    (``formatShape`` in labextension/src/format.ts, the rule's owner)."""
    if shape is None:
        return "?"
    dims = ["None" if d is None else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"
