"""Find a layer by node id and summarise its weights (kernel side of the inspector)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph.extract import graph_and_layers

HISTOGRAM_BINS = 20


def find_layer(model: Any, node_id: str, api: str | None = None) -> Any:
    """The layer (or op) behind a node id of ``model``'s graph (``mid/deep/dense``).

    Asks the reader, which made the ids (:func:`~kerasviz.graph.extract.graph_and_layers`);
    ``api`` is not needed and kept for callers that pass it. A view that looks up
    often keeps the reader's map itself (the Explorer does).
    """
    layers = graph_and_layers(model, expand_nested=True)[1]
    if node_id not in layers:
        raise KeyError(
            f"{getattr(model, 'name', model)!r} has no layer with node id {node_id!r}"
        )
    return layers[node_id]


def weight_stats(layer: Any) -> list[dict[str, Any]]:
    """Mean, std, min, max and a small histogram of each of ``layer``'s weights."""
    out = []
    for w in getattr(layer, "weights", []):
        values = np.asarray(w.numpy(), dtype=np.float64).ravel()
        entry: dict[str, Any] = {
            "name": str(w.path if hasattr(w, "path") else w.name),
            "shape": [int(d) for d in w.shape],
            "dtype": str(w.dtype),
        }
        finite = values[np.isfinite(values)]
        entry["non_finite"] = int(values.size - finite.size)  # NaN/inf can't go in JSON
        if finite.size:
            counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS)
            entry.update(
                mean=float(finite.mean()),
                std=float(finite.std()),
                min=float(finite.min()),
                max=float(finite.max()),
                histogram={
                    "counts": counts.tolist(),
                    "edges": [float(e) for e in edges],
                },
            )
        out.append(entry)
    return out
