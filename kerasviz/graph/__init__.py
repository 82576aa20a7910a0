"""Read Keras 3 models into plain data. Imports no widget, IPython or pydot code."""

from .extract import graph_of
from .model import (
    KINDS,
    SCHEMA_VERSION,
    Call,
    GraphEdge,
    LayerNode,
    ModelGraph,
    ModelInfo,
    Params,
    TraceInfo,
    Weight,
)

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "Call",
    "GraphEdge",
    "LayerNode",
    "ModelGraph",
    "ModelInfo",
    "Params",
    "TraceInfo",
    "Weight",
    "graph_of",
]
