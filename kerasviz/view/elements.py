"""Cytoscape elements from a view payload (Python twin of labextension/src/elements.ts).

Used by :func:`kerasviz.to_ipycytoscape`; the live renderer makes the same elements
in TypeScript. Edges into or out of a collapsed container are re-routed to it and
parallel ones merged (``count``).
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
    """A shape written the Keras way: ``(None, 64)``; ``(5,)`` for one dimension."""
    if shape is None:
        return ""
    dims = ["None" if d is None else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def elements(
    payload: dict[str, Any], collapsed: set[str] | None = None
) -> dict[str, list]:
    """``{"nodes": [...], "edges": [...]}`` cytoscape element dicts."""
    collapsed = set(payload.get("collapsed", [])) if collapsed is None else collapsed
    graph = payload["graph"]
    parents: dict[str, str] = payload.get("parents", {})
    blocks = {b["id"]: b for b in payload.get("blocks", [])}
    containers = set(blocks) | set(parents.values())
    model = graph["model"]
    inputs, outputs = set(model["inputs"]), set(model["outputs"])

    def outermost_collapsed(x: str) -> str | None:
        found = None
        for up in ancestors(x, parents):
            if up in collapsed:
                found = up
        return found

    def rep(x: str) -> str:
        return outermost_collapsed(x) or x

    inside = layers_inside(payload) if collapsed else {}
    nodes = []
    items = [(n["id"], n) for n in graph["nodes"]] + [(b, None) for b in blocks]
    for node_id, n in items:
        if outermost_collapsed(node_id) is not None:
            continue
        is_container = node_id in containers
        classes = []
        if is_container:
            classes.append("kv-collapsed" if node_id in collapsed else "kv-container")
            classes.append("kv-block" if node_id in blocks else "kv-model")
        if node_id in inputs:
            classes.append("kv-input")
        if node_id in outputs:
            classes.append("kv-output")
        if n is not None and n.get("error"):
            classes.append("kv-error")
        if not model["built"]:
            classes.append("kv-unbuilt")
        if n is None:
            label, kind, cls, params = blocks[node_id]["label"], "other", "Block", 0
        else:
            label, kind, cls = (
                f"{n['name']}\n{n['class_name']}",
                n["kind"],
                n["class_name"],
            )
            params = n["params"]["trainable"] + n["params"]["non_trainable"]
        if is_container and node_id in collapsed:
            label = f"{label}\n({len(inside.get(node_id, []))} layers)"
        data: dict[str, Any] = {
            "id": node_id,
            "label": label,
            "kind": kind,
            "class_name": cls,
            "params": params,
        }
        parent = parents.get(node_id)
        if parent is not None:  # visible, or this node would be hidden too
            data["parent"] = parent
        nodes.append({"data": data, "classes": " ".join(classes)})

    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for e in graph["edges"]:
        s, t = rep(e["source"]), rep(e["target"])
        if s == t:
            continue
        key = (s, t)
        text = shape_text(e["shape"])
        if key in merged:
            d = merged[key]["data"]
            d["count"] += 1
            if text and text not in d["shape"].split(" | "):
                d["shape"] = f"{d['shape']} | {text}" if d["shape"] else text
            continue
        merged[key] = {
            "data": {
                "id": f"e{len(merged)}",
                "source": s,
                "target": t,
                "shape": text,
                "count": 1,
            },
            "classes": "kv-shapes" if payload["options"].get("show_shapes") else "",
        }
    return {"nodes": nodes, "edges": list(merged.values())}
