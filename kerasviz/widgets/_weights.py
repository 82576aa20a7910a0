"""Find a layer by node id and summarise its weights (kernel side of the inspector)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph._keras_compat import operations

HISTOGRAM_BINS = 20


def find_layer(model: Any, node_id: str, api: str) -> Any:
    """The layer (or op) behind a ModelGraph node id such as ``mid/deep/deep_dense``."""
    parts = node_id.split("/")
    if api in ("subclassed", "layer") and parts[0] == model.name:
        parts = parts[1:]
    obj = model
    for part in parts:
        name = part.split("#", 1)[0]
        match = [c for c in operations(obj) if getattr(c, "name", None) == name]
        if not match:
            raise KeyError(f"no layer {name!r} in {getattr(obj, 'name', obj)!r}")
        obj = match[0]
    return obj


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
