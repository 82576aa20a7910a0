"""ModelGraph: the plain-data picture of a Keras model that every view reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..contract import GRAPH_VERSION, KIND_LABELS
from .sources import Source

#: Version of the ModelGraph JSON (``version``); kerasviz/schema/contract.json.
SCHEMA_VERSION = GRAPH_VERSION

#: The layer families a node's ``kind`` can take (contract.json's ``kind_labels``).
KINDS = tuple(KIND_LABELS)

Shape = list[int | None]


@dataclass(frozen=True)
class Params:
    """Parameter counts of a layer or model."""

    trainable: int = 0
    non_trainable: int = 0

    @property
    def total(self) -> int:
        """Trainable plus non-trainable parameters."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Call:
    """One call of a layer inside the graph: the shapes it took and gave."""

    input_shapes: list[Shape]
    output_shapes: list[Shape]


@dataclass(frozen=True)
class Weight:
    """One variable of a layer."""

    name: str
    shape: Shape
    dtype: str
    trainable: bool


@dataclass(frozen=True)
class TraceInfo:
    """Whether kerasviz could trace a custom layer's (or subclassed model's) call().

    ``traced`` True: the node is a container whose children are the sublayers and
    ``keras.ops`` calls of its ``call()``, wired as traced. False: ``reason`` says in
    plain words why its wiring is not shown (its children, if any, are just the
    sublayers it holds).
    """

    traced: bool
    reason: str | None = None


@dataclass(frozen=True)
class LayerNode:
    """One operation of the model: a layer, a nested model or a raw ``keras.ops`` call.

    ``config`` holds the layer's required constructor arguments and the entries of
    its config that differ from its class defaults, without ``name`` (that is
    ``LayerNode.name``); the defaults are in ``ModelGraph.config_defaults``, and
    :meth:`ModelGraph.full_config` joins the three. ``module`` is the public import
    path of the class where Keras exports it (``keras.layers``), else its module.
    """

    id: str
    name: str
    class_name: str
    module: str
    kind: str
    parent: str | None
    params: Params
    calls: list[Call]
    dtype: str | None
    weights: list[Weight]
    config: dict[str, Any] | None
    error: str | None = None
    trace: TraceInfo | None = None
    #: where this layer was called or added, when kerasviz watched it being built
    sources: list[Source] = field(default_factory=list)

    @property
    def class_key(self) -> str:
        """``module.ClassName``: the key of this node's class defaults."""
        return f"{self.module}.{self.class_name}"


@dataclass(frozen=True)
class GraphEdge:
    """One tensor flowing from an output of ``source`` into an argument of ``target``."""

    source: str
    target: str
    shape: Shape | None
    dtype: str | None
    source_output: int = 0
    source_call: int = 0
    target_arg: int = 0
    target_call: int = 0


@dataclass(frozen=True)
class ModelInfo:
    """Facts about the model as a whole."""

    name: str
    api: str
    built: bool
    params: Params
    inputs: list[str]
    outputs: list[str]
    input_shapes: list[Shape | None] = field(default_factory=list)
    output_shapes: list[Shape | None] = field(default_factory=list)
    class_name: str = ""
    expand_nested: bool = False
    #: for a subclassed model: whether its call() was traced (kerasviz.graph.trace)
    trace: TraceInfo | None = None


@dataclass(frozen=True)
class ModelGraph:
    """A faithful, plain-data graph of a Keras model.

    Build one with :func:`kerasviz.graph_of`; serialise with :meth:`to_json` and read
    back with :meth:`from_json`. The JSON follows ``kerasviz/schema/graph.schema.json``.
    """

    model: ModelInfo
    nodes: list[LayerNode]
    edges: list[GraphEdge]
    config_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = SCHEMA_VERSION

    def node(self, node_id: str) -> LayerNode:
        """The node with this id (``KeyError`` if there is none).

        Views look nodes up once per node and per edge: an index (built on first use,
        not a dataclass field) keeps that linear instead of quadratic.
        """
        index: dict[str, LayerNode] | None = self.__dict__.get("_node_index")
        if index is None or len(index) != len(self.nodes):
            index = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_node_index", index)
        return index[node_id]

    def full_config(self, node_id: str) -> dict[str, Any] | None:
        """The node's whole config: its class defaults updated with its own entries."""
        n = self.node(node_id)
        if n.config is None:
            return None
        return {"name": n.name, **self.config_defaults.get(n.class_key, {}), **n.config}

    def activation(self, node_id: str) -> str | None:
        """The node's activation (from its config), or None if it has none."""
        act = (self.full_config(node_id) or {}).get("activation")
        return act if isinstance(act, str) else None

    def children(self, node_id: str | None) -> list[LayerNode]:
        """The nodes whose ``parent`` is ``node_id`` (None: the top level)."""
        return [n for n in self.nodes if n.parent == node_id]

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (``json.dumps`` needs no custom encoder)."""
        m = self.model
        return {
            "version": self.version,
            "model": {
                "name": m.name,
                "class_name": m.class_name,
                "api": m.api,
                "built": m.built,
                "expand_nested": m.expand_nested,
                "params": _params_json(m.params, total=True),
                "inputs": list(m.inputs),
                "outputs": list(m.outputs),
                "input_shapes": [_shape(s) for s in m.input_shapes],
                "output_shapes": [_shape(s) for s in m.output_shapes],
                "trace": _trace_json(m.trace),
            },
            "nodes": [_node_json(n) for n in self.nodes],
            "edges": [_edge_json(e) for e in self.edges],
            "config_defaults": self.config_defaults,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ModelGraph:
        """Rebuild a ModelGraph from :meth:`to_json` output."""
        version = d.get("version")
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"kerasviz reads ModelGraph JSON of schema version {SCHEMA_VERSION}. "
                f"Re-create the graph with this kerasviz. Received: version={version!r}"
            )
        m = d["model"]
        info = ModelInfo(
            name=m["name"],
            class_name=m.get("class_name", ""),
            api=m["api"],
            built=m["built"],
            expand_nested=m.get("expand_nested", False),
            params=_params(m["params"]),
            inputs=list(m["inputs"]),
            outputs=list(m["outputs"]),
            input_shapes=[_shape(s) for s in m.get("input_shapes", [])],
            output_shapes=[_shape(s) for s in m.get("output_shapes", [])],
            trace=_trace(m.get("trace")),
        )
        nodes = [
            LayerNode(
                id=n["id"],
                name=n["name"],
                class_name=n["class_name"],
                module=n.get("module", ""),
                kind=n["kind"],
                parent=n["parent"],
                params=_params(n["params"]),
                calls=[
                    Call(
                        input_shapes=[_shape(s) for s in c["input_shapes"]],
                        output_shapes=[_shape(s) for s in c["output_shapes"]],
                    )
                    for c in n["calls"]
                ],
                dtype=n["dtype"],
                weights=[
                    Weight(w["name"], list(w["shape"]), w["dtype"], w["trainable"])
                    for w in n["weights"]
                ],
                config=n["config"],
                error=n["error"],
                trace=_trace(n.get("trace")),
                sources=[Source.from_json(x) for x in n.get("sources", [])],
            )
            for n in d["nodes"]
        ]
        edges = [
            GraphEdge(
                source=e["source"],
                target=e["target"],
                shape=_shape(e["shape"]),
                dtype=e["dtype"],
                source_output=e["source_output"],
                source_call=e.get("source_call", 0),
                target_arg=e["target_arg"],
                target_call=e["target_call"],
            )
            for e in d["edges"]
        ]
        return cls(
            model=info,
            nodes=nodes,
            edges=edges,
            config_defaults=dict(d.get("config_defaults", {})),
            version=version,
        )


def _shape(s: Any) -> Any:
    return None if s is None else list(s)


def _trace(d: dict[str, Any] | None) -> TraceInfo | None:
    return None if d is None else TraceInfo(bool(d["traced"]), d.get("reason"))


def _trace_json(t: TraceInfo | None) -> dict[str, Any] | None:
    return None if t is None else {"traced": t.traced, "reason": t.reason}


def _params(d: dict[str, Any]) -> Params:
    return Params(int(d["trainable"]), int(d["non_trainable"]))


def _params_json(p: Params, total: bool = False) -> dict[str, int]:
    out = {"trainable": p.trainable, "non_trainable": p.non_trainable}
    if total:
        out = {"total": p.total, **out}
    return out


def _node_json(n: LayerNode) -> dict[str, Any]:
    out = {
        "id": n.id,
        "name": n.name,
        "class_name": n.class_name,
        "module": n.module,
        "kind": n.kind,
        "parent": n.parent,
        "params": _params_json(n.params),
        "calls": [
            {
                "input_shapes": [_shape(s) for s in c.input_shapes],
                "output_shapes": [_shape(s) for s in c.output_shapes],
            }
            for c in n.calls
        ],
        "dtype": n.dtype,
        "weights": [
            {
                "name": w.name,
                "shape": list(w.shape),
                "dtype": w.dtype,
                "trainable": w.trainable,
            }
            for w in n.weights
        ],
        "config": n.config,
        "error": n.error,
        "trace": _trace_json(n.trace),
    }
    if n.sources:  # only when kerasviz watched the layer being built
        out["sources"] = [x.to_json() for x in n.sources]
    return out


def _edge_json(e: GraphEdge) -> dict[str, Any]:
    return {
        "source": e.source,
        "target": e.target,
        "shape": _shape(e.shape),
        "dtype": e.dtype,
        "source_output": e.source_output,
        "source_call": e.source_call,
        "target_arg": e.target_arg,
        "target_call": e.target_call,
    }
