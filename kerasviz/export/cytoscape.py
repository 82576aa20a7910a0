"""Cytoscape elements for kerasviz's Python exports: ``to_ipycytoscape`` and Graphviz.

The live and saved drawings are made in the browser by the renderer's
``buildElements`` (labextension/src/elements.ts), which owns the rules: node ids,
labels (``name\\nClassName``; a collapsed container ``label\\n(N layers)``, or
``(1 layer)``; an expanded one its block label or ``name (ClassName)``), kinds
(``block`` for a block), parameter counts, classes, the order (parents first),
edge ids (``e:source->target``), re-routing to collapsed containers and merged
edges (``count``, shape texts joined by " | ", at most three then "…").

:func:`cytoscape_elements` follows those rules for the exports made in Python,
with no browser. ``labextension/scripts/make_fixtures.py`` writes what it makes for real models
into ``labextension/src/__tests__/fixtures/export_elements.json``; vitest checks
that ``buildElements`` makes the same on the same payloads, and pytest that the
committed fixture is what Python makes now.
"""

from __future__ import annotations

from typing import Any

from ..view.elements import ancestors, layers_inside, shape_text

#: An aggregated edge lists at most this many distinct shapes, then "…".
MAX_EDGE_SHAPES = 3


def edge_shape_text(shapes: list[list[int | None] | None]) -> str:
    """The shape label of an edge standing for graph edges of these shapes: the
    distinct known shapes in first-seen order joined by " | ", at most
    :data:`MAX_EDGE_SHAPES` then "…"; "" when none is known (elements.ts
    ``joinShapes``)."""
    unique: list[str] = []
    for s in shapes:
        if s is None:
            continue
        text = shape_text(s)
        if text not in unique:
            unique.append(text)
    if len(unique) > MAX_EDGE_SHAPES:
        return " | ".join(unique[:MAX_EDGE_SHAPES]) + " | …"
    return " | ".join(unique)


class _Index:
    """What ``ViewGraph`` (labextension/src/viewgraph.ts) indexes, for one payload."""

    def __init__(self, payload: dict[str, Any]) -> None:
        graph = payload["graph"]
        self.nodes = {n["id"]: n for n in graph["nodes"]}
        self.blocks = {
            b["id"]: b for b in payload.get("blocks", []) if b["id"] not in self.nodes
        }
        self.order = {n["id"]: i for i, n in enumerate(graph["nodes"])}
        for i, b in enumerate(self.blocks):
            self.order[b] = len(graph["nodes"]) + i
        explicit = payload.get("parents") or {}
        items = [(n["id"], n.get("parent")) for n in graph["nodes"]]
        items += [(b["id"], b.get("parent")) for b in self.blocks.values()]
        self.items = [i for i, _ in items]
        self.parent: dict[str, str] = {}
        for item, own in items:
            up = explicit.get(item, own)
            if up is not None and up != item and up in self.order:
                self.parent[item] = up
        self.containers = set(self.parent.values()) | set(self.blocks)
        first: dict[str, int] = {}
        for i, n in enumerate(graph["nodes"]):
            for x in [n["id"], *ancestors(n["id"], self.parent)]:
                first.setdefault(x, i)
        self.children: dict[str | None, list[str]] = {}
        for item in self.items:
            self.children.setdefault(self.parent.get(item), []).append(item)
        for kids in self.children.values():
            kids.sort(key=lambda x: (first.get(x, self.order[x]), self.order[x]))
        self.layers = {k: len(v) for k, v in layers_inside(payload).items()}
        self.block_params: dict[str, int] = {}
        for n in graph["nodes"]:
            chain = list(ancestors(n["id"], self.parent))
            for up in chain:  # blocks add up their members, up to a nested model
                if up in self.nodes:
                    break
                total = n["params"]["trainable"] + n["params"]["non_trainable"]
                self.block_params[up] = self.block_params.get(up, 0) + total
        highlight = payload.get("highlight") or {}
        self.marked = {k for k, v in highlight.items() if isinstance(v, str)}
        self.marked_inside = {
            up
            for m in self.marked
            if m in self.order
            for up in ancestors(m, self.parent)
        }


def cytoscape_elements(
    payload: dict[str, Any], collapsed: set[str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """``{"nodes": [...], "edges": [...]}``: cytoscape element dicts (``data`` and
    ``classes``) of a view payload with the containers in ``collapsed`` (default:
    ``payload["collapsed"]``) shown as one node each, as the renderer makes them."""
    ix = _Index(payload)
    if collapsed is None:
        collapsed = set(payload.get("collapsed", []))
    collapsed = {c for c in collapsed if c in ix.containers}
    model = payload["graph"]["model"]
    inputs, outputs = set(model["inputs"]), set(model["outputs"])

    def representative(x: str) -> str:
        found = x
        for up in ancestors(x, ix.parent):
            if up in collapsed:
                found = up
        return found

    nodes = []
    stack = list(reversed(ix.children.get(None, [])))
    while stack:
        item = stack.pop()
        nodes.append(_node(ix, item, collapsed, inputs, outputs, model["built"]))
        if item in ix.containers and item not in collapsed:
            stack.extend(reversed(ix.children.get(item, [])))

    merged: dict[tuple[str, str], list[Any]] = {}
    for e in payload["graph"]["edges"]:
        if e["source"] not in ix.nodes or e["target"] not in ix.nodes:
            continue
        s, t = representative(e["source"]), representative(e["target"])
        if s != t:
            merged.setdefault((s, t), []).append(e["shape"])
    show_shapes = (payload.get("options") or {}).get("show_shapes", True)
    edges, used = [], set()
    for (s, t), shapes in merged.items():
        edge_id, k = f"e:{s}->{t}", 2
        while edge_id in used:
            edge_id, k = f"e:{s}->{t}#{k}", k + 1
        used.add(edge_id)
        data = {
            "id": edge_id,
            "source": s,
            "target": t,
            "shape": edge_shape_text(shapes),
            "count": len(shapes),
        }
        edges.append({"data": data, "classes": "kv-shapes" if show_shapes else ""})
    return {"nodes": nodes, "edges": edges}


def _node(
    ix: _Index,
    item: str,
    collapsed: set[str],
    inputs: set[str],
    outputs: set[str],
    built: bool,
) -> dict[str, Any]:
    n = ix.nodes.get(item)
    block = ix.blocks.get(item)
    name = n["name"] if n is not None else block["label"]  # type: ignore[index]
    classes = []
    if item in ix.marked or (item in collapsed and item in ix.marked_inside):
        classes.append("kv-highlight")
    if item in inputs:
        classes.append("kv-input")
    if item in outputs:
        classes.append("kv-output")
    if n is not None and n.get("error"):
        classes.append("kv-error")
    if not built:
        classes.append("kv-unbuilt")
    data: dict[str, Any]
    if item in ix.containers:
        layers = ix.layers.get(item, 0)
        class_name = "Block" if block is not None else n["class_name"]  # type: ignore[index]
        if item in collapsed:
            label = f"{name}\n({layers} {'layer' if layers == 1 else 'layers'})"
        else:
            label = name if block is not None else f"{name} ({class_name})"
        if n is not None:
            params = n["params"]["trainable"] + n["params"]["non_trainable"]
        else:
            params = ix.block_params.get(item, 0)
        data = {
            "id": item,
            "name": name,
            "label": label,
            "kind": "block" if block is not None else n["kind"],  # type: ignore[index]
            "class_name": class_name,
            "params": params,
            "layers": layers,
        }
        classes.append("kv-collapsed" if item in collapsed else "kv-container")
        classes.append("kv-block" if block is not None else "kv-model")
    else:
        assert n is not None
        data = {
            "id": item,
            "name": name,
            "label": f"{name}\n{n['class_name']}",
            "kind": n["kind"],
            "class_name": n["class_name"],
            "params": n["params"]["trainable"] + n["params"]["non_trainable"],
        }
    if item in ix.parent:
        data["parent"] = ix.parent[item]
    return {"data": data, "classes": " ".join(classes)}
