"""What a model costs: multiply-accumulates, FLOPs and memory per node and container.

:func:`costs` reads a Keras 3 model (through :func:`kerasviz.graph.graph_of`, nested
models and traced custom layers expanded) or a :class:`~kerasviz.graph.ModelGraph`
and returns a :class:`CostReport`. It is pure: it reads shapes, configs and weights
from the graph and runs nothing.

Conventions
-----------
Every figure is for **one forward pass (inference) at** ``batch_size``.

``macs``
    Multiply-accumulates only. A Dense of n→m units is n·m per position (a vector,
    or each position of a sequence / image); a convolution is, per image,
    ``out_positions · prod(kernel_size) · (in_channels / groups) · filters``. The
    output shape recorded in the graph is used, so padding, strides and dilation
    come for free. Depthwise: ``out_positions · prod(kernel_size) · in_channels ·
    depth_multiplier``; separable: that plus the pointwise ``out_positions ·
    in_channels · depth_multiplier · filters``; transposed: ``in_positions ·
    prod(kernel_size) · in_channels · filters``. RNNs: per time step, the sum of
    the sizes of their ``kernel`` and ``recurrent_kernel`` (LSTM 4·(i·u + u·u),
    GRU 3·(i·u + u·u), SimpleRNN i·u + u·u), times the steps (a Bidirectional
    wrapper holds both directions' kernels, so it counts twice). MultiHeadAttention
    and GroupQueryAttention: the query, key, value and output projections (from
    their kernels' shapes) plus ``heads · T · S · key_dim`` (scores QKᵀ) and
    ``heads · T · S · value_dim`` (weights · V); Attention: ``T · S · d`` for the
    scores and ``T · S · d_v`` for the values (AdditiveAttention the same, its
    scores a sum over ``d`` of ``tanh(q + k) · scale``). Dot, matmul and einsum
    (layers and traced ``keras.ops`` calls): the product of every index's size. A
    TimeDistributed layer: the formula of the layer it wraps, time folded into the
    batch. Embedding lookups (KerasHub's PositionEmbedding too), reshapes, padding,
    cropping, nearest upsampling, dropout (inference), casts and slices: 0; an
    embedding used in reverse (a tied output projection) is a matmul with its table.
``flops``
    ``2 · macs`` plus the element-wise operations, counted per output element
    unless said otherwise:

    * bias add: 1; activation: 1 for every non-linear activation (relu, gelu,
      sigmoid, tanh, ...; ``linear`` is 0), softmax / log-softmax: 5 (max,
      subtract, exp, sum, divide);
    * BatchNormalization (inference, scale and shift folded): 2; Layer- and
      GroupNormalization: 5 (mean, subtract, square, variance, divide) + 1 for the
      scale + 1 for the centre; RMSNormalization 3 + 1 for the scale;
      UnitNormalization: 3; Rescaling: 1 (+1 with an offset); Normalization
      (preprocessing): 2;
    * merges of n tensors (Add, Subtract, Multiply, Maximum, Minimum): n - 1;
      Average: n; Concatenate: 0; Dot with ``normalize=True``: 3 per *input*
      element (L2 normalisation); traced element-wise ``keras.ops`` calls (add,
      multiply, exp, sqrt, comparisons, ...): 1;
    * pooling: ``prod(pool_size)`` per output element (compares or adds); global
      pooling and traced reductions (sum, mean, max): 1 per *input* element;
      bilinear (or other non-nearest) upsampling: 4;
    * RNN cells, per unit and step: LSTM 17 (4 bias adds, 4 input + recurrent adds,
      5 activations, 4 for the cell and hidden state), GRU 13 (+3 with
      ``reset_after``), SimpleRNN 3;
    * attention: the query scaling (1 per query element), the bias adds of the
      projections, the softmax over the scores (5 per score).
``params`` / ``param_bytes``
    The node's weights; bytes by each weight's dtype (float32 4, float16 and
    bfloat16 2, int8 1, int4 half a byte, ...).
``activation_bytes``
    The node's outputs' element count times their dtype size (the batch dimension is
    ``batch_size``; a batch size fixed in the model wins). An InputLayer inside a
    nested model or traced layer passes the outer tensor on: 0.
``peak_bytes``
    An inference peak estimate: all parameter bytes, plus the activations alive
    while the node runs. The nodes run in topological order; a node's outputs are
    allocated when it runs and freed once its last consumer has run (the model's
    outputs are never freed); while a node runs, its inputs and outputs are both
    alive. A node's ``peak_bytes`` is that figure during it; a container's and the
    total's are the largest over their nodes. Real runtimes fuse, reuse and alias
    buffers (a Reshape is usually free); this counts every output as its own buffer.

Shared layers are costed per call and summed; a nested model called twice counts its
layers twice. Totals and containers (nested models, traced custom layers, repeated
blocks such as ``block:conv2_block1``) sum their leaves only, so nothing is counted
twice. A custom layer kerasviz could not trace is one leaf (no formula: None, with
the trace's reason); the sublayers listed under it are not costed on their own.
A ``keras.ops.einsum`` call's equation is read from the model itself: from a bare
ModelGraph (which does not hold it) that node is None, saying so.

Unknown dimensions (a ``None`` sequence length or image size) take a value from
``dims``: ``{"sequence": 128}`` for axis 1 of a rank-2 or rank-3 tensor
(``(batch, sequence)`` token ids, ``(batch, sequence, features)``), ``"height"`` /
``"width"`` for axes 1 / 2 of a rank-4 tensor, ``"depth"`` / ``"height"`` /
``"width"`` for axes 1 to 3 of a rank-5 tensor (channels last). A ``None`` axis that has
no name (``(batch, 1, sequence)`` masks) takes the value of the named dims when they
all agree. ``dims=128`` (an int) sets every unknown dimension. A node whose shapes
still hold an unknown dimension gets None figures, with a reason that names the
dimension and how to pass it. A node kerasviz has no formula for gets None and
"kerasviz has no formula for <Class>", never a silent 0; a total over nodes one of
which is None is None too, and its reason names those nodes and what the others
sum to.

Examples
--------
>>> import keras
>>> from kerasviz.costs import costs
>>> m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, name="d")])
>>> r = costs(m, batch_size=2)
>>> r.node("d").macs, r.node("d").flops, r.node("d").params
(64, 136, 36)
"""

from __future__ import annotations

import difflib
import html
import math
import sys
import types
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from . import _format
from .graph.extract import entry_point
from .graph.model import LayerNode, ModelGraph

#: The names ``dims`` accepts, and the (rank, axis) each one is.
DIM_NAMES = {
    "sequence": ((2, 1), (3, 1)),
    "height": ((4, 1), (5, 2)),
    "width": ((4, 2), (5, 3)),
    "depth": ((5, 1),),
}
_AXIS_NAME = {ra: name for name, ras in DIM_NAMES.items() for ra in ras}

#: Bits per element of each dtype name.
_BITS = {
    "float64": 64,
    "float32": 32,
    "float16": 16,
    "bfloat16": 16,
    "float8_e4m3fn": 8,
    "float8_e5m2": 8,
    "int64": 64,
    "uint64": 64,
    "int32": 32,
    "uint32": 32,
    "int16": 16,
    "uint16": 16,
    "int8": 8,
    "uint8": 8,
    "int4": 4,
    "uint4": 4,
    "bool": 8,
    "complex64": 64,
    "complex128": 128,
}


@dataclass(frozen=True)
class Cost:
    """What one node (or a container, or the whole model) costs; see :mod:`kerasviz.costs`.

    A figure is None when it cannot be computed; ``reason`` says why.
    """

    macs: int | None
    flops: int | None
    params: int | None
    param_bytes: int | None
    activation_bytes: int | None
    peak_bytes: int | None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict of the seven fields (all ints, strings or None)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_FIELDS = ("macs", "flops", "params", "param_bytes", "activation_bytes", "peak_bytes")


class UnknownNodeError(KeyError):
    """``CostReport.node()`` of a name or id the report does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CostReport:
    """The costs of one model: per node, per container and in total.

    ``nodes`` maps every node id of the graph to its :class:`Cost`; ``containers``
    maps each container (nested model, traced custom layer, repeated block) to the
    sum over its leaves; ``total`` sums the model's leaves. It shows as a table in
    Jupyter (``_repr_html_``) and as text (``str``).
    """

    def __init__(
        self,
        graph: ModelGraph,
        batch_size: int,
        dims: dict[str, int] | int | None,
        nodes: dict[str, Cost],
        containers: dict[str, Cost],
        total: Cost,
    ) -> None:
        self.graph = graph
        self.batch_size = batch_size
        self.dims = dims
        self.nodes = nodes
        self.containers = containers
        self.total = total

    def node(self, name_or_id: str) -> Cost:
        """The cost of the node with this id, or of the one layer with this name."""
        if name_or_id in self.nodes:
            return self.nodes[name_or_id]
        if name_or_id in self.containers:
            return self.containers[name_or_id]
        ids = [n.id for n in self.graph.nodes if n.name == name_or_id]
        if len(ids) == 1:
            return self.nodes[ids[0]]
        if len(ids) > 1:
            raise UnknownNodeError(
                f"Several nodes are named {name_or_id!r} (in different nested models "
                f"or traced layers): pass one of their ids. Received: "
                f"name_or_id={name_or_id!r}; ids: {', '.join(ids)}"
            )
        known = sorted({*self.nodes, *(n.name for n in self.graph.nodes)})
        close = difflib.get_close_matches(name_or_id, known, n=5, cutoff=0.5)
        hint = (
            f" Did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else " `report.nodes` lists every node id."
        )
        raise UnknownNodeError(
            f"The model has no layer or node named {name_or_id!r}.{hint} "
            f"Received: name_or_id={name_or_id!r}"
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict: batch size, dims, the total, each node and container."""
        return {
            "batch_size": self.batch_size,
            "dims": self.dims if not isinstance(self.dims, dict) else dict(self.dims),
            "total": self.total.to_json(),
            "nodes": {k: v.to_json() for k, v in self.nodes.items()},
            "containers": {k: v.to_json() for k, v in self.containers.items()},
        }

    def _rows(self) -> list[tuple[str, str, Cost]]:
        """(node id, class, cost) per node; a container's class says it is a sum."""
        return [
            (
                n.id,
                f"{n.class_name} (sum)" if n.id in self.containers else n.class_name,
                self.nodes[n.id],
            )
            for n in self.graph.nodes
        ]

    def __str__(self) -> str:
        head = ("node", "class", "MACs", "FLOPs", "params", "activations", "peak")
        body = [
            (
                node_id,
                cls,
                _format.count(c.macs),
                _format.count(c.flops),
                _format.count(c.params),
                _format.size(c.activation_bytes),
                _format.size(c.peak_bytes),
            )
            for node_id, cls, c in self._rows()
        ]
        t = self.total
        total = (
            "total",
            "",
            _format.count(t.macs),
            _format.count(t.flops),
            _format.count(t.params),
            _format.size(t.activation_bytes),
            _format.size(t.peak_bytes),
        )
        widths = [max(len(r[i]) for r in [head, *body, total]) for i in range(7)]

        def line(r: tuple[str, ...]) -> str:
            cells = [
                r[i].ljust(widths[i]) if i < 2 else r[i].rjust(widths[i])
                for i in range(7)
            ]
            return "  ".join(cells).rstrip()

        rule = "-" * len(line(head))
        out = [
            f"Costs of {self.graph.model.name} (one forward pass, batch size "
            f"{self.batch_size})",
            line(head),
            rule,
        ]
        out += [line(r) for r in body]
        out += [rule, line(total)]
        notes = [(nid, c.reason) for nid, _, c in self._rows() if c.reason]
        if t.reason:
            out.append(f"total: {t.reason}")
        for nid, why in notes[:20]:
            out.append(f"{nid}: {why}")
        if len(notes) > 20:
            out.append(f"... and {len(notes) - 20} more nodes with a reason")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>"
            for h in (
                "node",
                "class",
                "MACs",
                "FLOPs",
                "params",
                "activations",
                "peak",
                "note",
            )
        )

        def row(label: str, cls: str, c: Cost, tag: str = "td") -> str:
            cells = (
                label,
                cls,
                _format.count(c.macs),
                _format.count(c.flops),
                _format.count(c.params),
                _format.size(c.activation_bytes),
                _format.size(c.peak_bytes),
                c.reason or "",
            )
            return (
                "<tr>"
                + "".join(f"<{tag}>{html.escape(str(v))}</{tag}>" for v in cells)
                + "</tr>"
            )

        rows = "".join(row(nid, cls, c) for nid, cls, c in self._rows())
        foot = row("total", "", self.total, "th")
        caption = html.escape(
            f"{self.graph.model.name}: one forward pass, batch size {self.batch_size}"
        )
        return (
            f'<table class="kerasviz-costs"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
            f"<tfoot>{foot}</tfoot></table>"
        )

    def __repr__(self) -> str:
        t = self.total
        return (
            f"<CostReport {self.graph.model.name!r}: macs={t.macs}, flops={t.flops}, "
            f"params={t.params}, peak_bytes={t.peak_bytes}>"
        )


# ---- the entry point --------------------------------------------------------------
@entry_point("costs()")
def costs(
    model_or_graph: Any,
    *,
    batch_size: int = 1,
    dims: dict[str, int] | int | None = None,
) -> CostReport:
    """What each layer of a model costs for one forward pass: MACs, FLOPs, memory.

    Parameters
    ----------
    model_or_graph : keras.Model, keras.layers.Layer or ModelGraph
        A model (read with ``graph_of(model, expand_nested=True)``) or a graph.
    batch_size : int, default 1
        The batch the figures are for.
    dims : dict or int, optional
        Values for unknown (None) non-batch dimensions: ``{"sequence": 128}``,
        ``{"height": 224, "width": 224}`` (names in :data:`DIM_NAMES`), or one int
        for every unknown dimension.

    Returns
    -------
    CostReport

    Raises
    ------
    TypeError
        If ``model_or_graph`` is not a Keras 3 model or layer or a ModelGraph, or
        ``batch_size`` / ``dims`` have the wrong type.
    ValueError
        If ``batch_size`` is below 1, or ``dims`` names an unknown dimension or
        gives a size below 1.

    Examples
    --------
    >>> import keras
    >>> from kerasviz.costs import costs
    >>> x = keras.Input((None, 16))
    >>> m = keras.Model(x, keras.layers.Dense(8, name="proj")(x))
    >>> costs(m).node("proj").macs is None
    True
    >>> costs(m, dims={"sequence": 10}).node("proj").macs
    1280
    """
    _check_batch_size(batch_size)
    dims = _check_dims(dims)
    objects: dict[str, Any] = {}
    if isinstance(model_or_graph, ModelGraph):
        graph = model_or_graph
    elif isinstance(model_or_graph, dict) and "nodes" in model_or_graph:
        raise TypeError(
            "costs() expects a Keras 3 model or layer, or a ModelGraph; this looks "
            "like a ModelGraph's JSON: pass `ModelGraph.from_json(d)`. Received: a "
            f"dict with keys {sorted(model_or_graph)[:6]}"
        )
    else:
        from .graph.extract import graph_and_layers

        graph, objects = graph_and_layers(model_or_graph, expand_nested=True)
    return _Costing(graph, objects, batch_size, dims).run()


def _check_batch_size(batch_size: Any) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(
            "costs() expects `batch_size` to be a positive int: the batch the "
            "figures are for. Received: "
            f"batch_size={batch_size!r} of type {type(batch_size).__name__}"
        )
    if batch_size < 1:
        raise ValueError(
            "costs() expects `batch_size` to be at least 1: the figures are for one "
            f"forward pass of that many samples. Received: batch_size={batch_size}"
        )


def _check_dims(dims: Any) -> dict[str, int] | int | None:
    if dims is None:
        return None
    if isinstance(dims, int) and not isinstance(dims, bool):
        if dims < 1:
            raise ValueError(
                "costs() expects `dims` as an int to be at least 1: the size every "
                f"unknown dimension takes. Received: dims={dims}"
            )
        return dims
    if not isinstance(dims, dict):
        raise TypeError(
            "costs() expects `dims` to map dimension names to sizes, such as "
            "`dims={'sequence': 128}`, or to be one int for every unknown "
            f"dimension. Received: dims={dims!r} of type {type(dims).__name__}"
        )
    out = {}
    for key, value in dims.items():
        if key not in DIM_NAMES:
            close = difflib.get_close_matches(str(key), list(DIM_NAMES), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if key == "batch":
                hint = " The batch size is its own argument: `batch_size=`."
            raise ValueError(
                f"costs() does not know the dimension {key!r}.{hint} It accepts "
                f"{', '.join(repr(k) for k in DIM_NAMES)} (or one int for every "
                f"unknown dimension: `dims=128`). Received: dims={dims!r}"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"costs() expects each size in `dims` to be a positive int. "
                f"Received: dims={dims!r} ({key!r}: {value!r})"
            )
        out[str(key)] = value
    return out


# ---- the walk -------------------------------------------------------------------
class _Unknown(Exception):
    """A figure that cannot be computed; the message is the reason."""


@dataclass
class _Figures:
    macs: int | None
    flops: int | None
    activation_bytes: int | None
    reasons: list[str]


class _Costing:
    def __init__(
        self,
        graph: ModelGraph,
        objects: dict[str, Any],
        batch_size: int,
        dims: dict[str, int] | int | None,
    ) -> None:
        self.g = graph
        self.objects = objects
        self.batch = batch_size
        self.dims = dims
        self.children: dict[str | None, list[LayerNode]] = defaultdict(list)
        for n in graph.nodes:
            self.children[n.parent].append(n)
        #: (node id, call, output) -> dtype of that tensor, from the edges
        self.edge_dtype: dict[tuple[str, int, int], str] = {}
        for e in graph.edges:
            if e.dtype:
                self.edge_dtype[(e.source, e.source_call, e.source_output)] = e.dtype

    # which nodes are costed themselves
    def opened(self, n: LayerNode) -> bool:
        """A container whose inner nodes are wired (they carry the cost)."""
        return any(c.calls for c in self.children.get(n.id, ()))

    def run(self) -> CostReport:
        g = self.g
        leaves: list[LayerNode] = []
        members: dict[str, str] = {}  # node id -> the unopened container it is in
        repeat: dict[str, int] = {}
        for n in g.nodes:
            anc = self.ancestors(n)
            closed = next((a for a in anc if not self.opened(a)), None)
            if closed is not None:
                members[n.id] = closed.id
                continue
            if self.opened(n):
                continue
            leaves.append(n)
            repeat[n.id] = math.prod(max(1, len(a.calls)) for a in anc)
        figures = {n.id: self.figures(n) for n in leaves}
        for nid, f in figures.items():
            k = repeat[nid]
            if k != 1:
                f.macs = None if f.macs is None else f.macs * k
                f.flops = None if f.flops is None else f.flops * k
                if f.activation_bytes is not None:
                    f.activation_bytes *= k
        params = {n.id: n.params.total for n in leaves}
        pbytes = {n.id: self.param_bytes(n) for n in leaves}
        total_pbytes = sum(pbytes.values())
        peaks, peak_reason = self.peaks(leaves, total_pbytes)

        nodes: dict[str, Cost] = {}
        for n in g.nodes:
            if n.id in figures:
                f = figures[n.id]
                reasons = list(f.reasons)
                if peaks.get(n.id) is None and peak_reason and not reasons:
                    reasons.append(peak_reason)
                nodes[n.id] = Cost(
                    macs=f.macs,
                    flops=f.flops,
                    params=params[n.id],
                    param_bytes=pbytes[n.id],
                    activation_bytes=f.activation_bytes,
                    peak_bytes=peaks.get(n.id),
                    reason="; ".join(dict.fromkeys(reasons)) or None,
                )
        # containers: nested models, traced layers, blocks
        groups: dict[str, list[str]] = defaultdict(list)
        for leaf in leaves:
            for cid in self.container_chain(leaf):
                groups[cid].append(leaf.id)
        containers = {
            cid: _sum([nodes[i] for i in ids], [self.label(i) for i in ids])
            for cid, ids in groups.items()
        }
        for n in g.nodes:
            if n.id in nodes:
                continue
            if n.id in containers:
                nodes[n.id] = containers[n.id]
            else:  # a part of a container kerasviz cannot see into
                owner = members.get(n.id, n.parent)
                nodes[n.id] = Cost(
                    macs=None,
                    flops=None,
                    params=n.params.total,
                    param_bytes=self.param_bytes(n),
                    activation_bytes=None,
                    peak_bytes=None,
                    reason=(
                        f"Not called in the graph kerasviz read: it is a part of "
                        f"`{owner}`, whose wiring kerasviz could not see, so its "
                        f"cost is in `{owner}`'s"
                    ),
                )
        total = _sum([nodes[n.id] for n in leaves], [self.label(n.id) for n in leaves])
        return CostReport(g, self.batch, self.dims, nodes, containers, total)

    def ancestors(self, n: LayerNode) -> list[LayerNode]:
        out = []
        p = n.parent
        while p is not None:
            try:
                a = self.g.node(p)
            except KeyError:
                break
            out.append(a)
            p = a.parent
        return out

    def container_chain(self, leaf: LayerNode) -> list[str]:
        if not hasattr(self, "_blocks"):
            from .view.blocks import find_blocks

            try:
                blocks, member_of = find_blocks(self.g)
            except Exception:  # blocks are a bonus; never fail the costs for them
                blocks, member_of = [], {}
            self._blocks = {b.id: b for b in blocks}
            self._member_of = member_of
        out: list[str] = []
        x: str | None = leaf.id
        while x is not None:
            b = self._member_of.get(x)
            while b is not None and b in self._blocks and b not in out:
                out.append(b)
                b = self._blocks[b].parent
                if b is not None and b not in self._blocks:
                    break
            node = self.g.node(x)
            x = node.parent
            if x is not None and x not in out:
                out.append(x)
        return out

    def label(self, node_id: str) -> str:
        n = self.g.node(node_id)
        return f"{node_id} ({n.class_name})"

    # ---- bytes ----------------------------------------------------------------
    def param_bytes(self, n: LayerNode) -> int:
        bits = 0
        for w in n.weights:
            bits += math.prod(int(d) for d in w.shape) * _bits(w.dtype)
        return (bits + 7) // 8

    def out_dtype(self, n: LayerNode, call: int, out: int) -> str:
        """The dtype of an output: its edges', else the layer's compute dtype."""
        found = self.edge_dtype.get((n.id, call, out))
        if found:
            return found
        policy = (self.g.full_config(n.id) or {}).get("dtype")
        if isinstance(
            policy, dict
        ):  # a DTypePolicy: "mixed_float16" computes in float16
            name = (policy.get("config") or {}).get("name")
            if isinstance(name, str) and name.startswith("mixed_"):
                return name[len("mixed_") :]
        return n.dtype or "float32"

    # ---- shapes ---------------------------------------------------------------
    def resolve(self, shape: list[int | None] | None, what: str) -> list[int]:
        if shape is None:
            raise _Unknown(f"the shape of its {what} is not known")
        out = []
        for i, d in enumerate(shape):
            if d is not None:
                out.append(int(d))
            elif i == 0:
                out.append(self.batch)
            else:
                out.append(self.dim(len(shape), i, shape, what))
        return out

    def dim(self, rank: int, axis: int, shape: list[Any], what: str) -> int:
        name = _AXIS_NAME.get((rank, axis))
        if isinstance(self.dims, int):
            return self.dims
        if self.dims:
            if name in self.dims:
                return self.dims[name]
            values = set(self.dims.values())
            if len(values) == 1:
                return values.pop()
        shown = "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
        if name is not None:
            return self._unknown(
                f"its {what} {shown} has an unknown axis {axis} (the {name}): pass "
                f"its size, e.g. costs(model, dims={{{name!r}: 128}})"
            )
        return self._unknown(
            f"its {what} {shown} has an unknown axis {axis}: pass the size of every "
            "unknown dimension, e.g. costs(model, dims=128), or name them "
            "(dims={'sequence': 128})"
        )

    @staticmethod
    def _unknown(reason: str) -> int:
        raise _Unknown(reason)

    # ---- one node ---------------------------------------------------------------
    def figures(self, n: LayerNode) -> _Figures:
        reasons: list[str] = []
        if not n.calls:
            why = (
                "It was never called in the graph (the model is not built, or it is "
                "not wired): kerasviz has no shapes to cost it from"
            )
            return _Figures(None, None, None, [why])
        # activation bytes
        act: int | None = 0
        inner_input = n.class_name == "InputLayer" and n.parent is not None
        if not inner_input:
            try:
                for ci, c in enumerate(n.calls):
                    for oi, s in enumerate(c.output_shapes):
                        elems = math.prod(self.resolve(s, "output"))
                        bits = _bits(self.out_dtype(n, ci, oi))
                        act = (act or 0) + (elems * bits + 7) // 8
            except _Unknown as e:
                act = None
                reasons.append(_cap(str(e)))
        formula = self.formula(n)
        if isinstance(formula, str):
            return _Figures(None, None, act, [formula, *reasons])
        macs = flops = 0
        try:
            for c in n.calls:
                m, elementwise = formula(_CallView(self, n, c))
                macs += m
                flops += 2 * m + elementwise
        except _Unknown as e:
            return _Figures(
                None, None, act, list(dict.fromkeys([_cap(str(e)), *reasons]))
            )
        return _Figures(macs, flops, act, reasons)

    def formula(self, n: LayerNode) -> Callable[[_CallView], tuple[int, int]] | str:
        cls = n.class_name
        if n.kind == "model":
            return (
                f"A nested model shown as one node ({cls}): cost it with its layers, "
                "from the model itself (costs(model) expands nested models) or from "
                "graph_of(model, expand_nested=True)"
            )
        f = _LAYERS.get(cls)
        if f is not None:
            return f
        if n.kind == "op":
            f = _OPS.get(cls)
            if f is not None:
                return f
        if cls.endswith("Embedding") and n.kind == "embedding":
            return _embedding
        if n.kind == "dropout":
            return _zero
        if n.trace is not None and not n.trace.traced and n.trace.reason:
            return f"kerasviz has no formula for {cls}, and {_uncap(n.trace.reason)}"
        return f"kerasviz has no formula for {cls}"

    def peaks(
        self, leaves: list[LayerNode], param_bytes: int
    ) -> tuple[dict[str, int | None], str | None]:
        """Live bytes while each leaf runs (walking its calls in topological order)."""
        order = {n.id: i for i, n in enumerate(self.g.nodes)}
        leaf_ids = {n.id for n in leaves}
        steps = [(n.id, ci) for n in leaves for ci in range(len(n.calls))]
        step_set = set(steps)
        Key = tuple[str, int, int]
        # tensor -> consumers; inner InputLayers are aliases of what feeds them
        consumers: dict[Key, set[tuple[str, int]]] = defaultdict(set)
        deps: dict[tuple[str, int], set[tuple[str, int]]] = defaultdict(set)
        alias: dict[Key, Key] = {}
        inputs_of: dict[tuple[str, int], list[Key]] = defaultdict(list)
        for e in self.g.edges:
            src = (e.source, e.source_call, e.source_output)
            dst = (e.target, e.target_call)
            if e.source not in leaf_ids or e.target not in leaf_ids:
                continue
            tn = self.g.node(e.target)
            if tn.class_name == "InputLayer" and tn.parent is not None:
                alias[(e.target, e.target_call, 0)] = src
            inputs_of[dst].append(src)
            if (e.source, e.source_call) in step_set and dst in step_set:
                deps[dst].add((e.source, e.source_call))

        def real(k: Key) -> Key:
            seen = 0
            while k in alias and seen < 10_000:
                k, seen = alias[k], seen + 1
            return k

        for dst, srcs in inputs_of.items():
            for s in srcs:
                consumers[real(s)].add(dst)
        outputs = set(self.g.model.outputs)
        # Kahn's algorithm, the graph's own node order breaking ties
        import heapq

        indeg = {s: len(deps[s]) for s in steps}
        users: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
        for s, ds in deps.items():
            for d in ds:
                users[d].append(s)
        heap = [(order[s[0]], s[1], s) for s in steps if indeg[s] == 0]
        heapq.heapify(heap)
        ran: list[tuple[str, int]] = []
        while heap:
            _, _, s = heapq.heappop(heap)
            ran.append(s)
            for u in users[s]:
                indeg[u] -= 1
                if indeg[u] == 0:
                    heapq.heappush(heap, (order[u[0]], u[1], u))
        seen = set(ran)
        ran += [s for s in steps if s not in seen]  # a cycle: keep going

        live: dict[Key, int | None] = {}
        done: set[tuple[str, int]] = set()
        peak: dict[str, int | None] = {}
        reason = None
        for s in ran:
            node_id, ci = s
            n = self.g.node(node_id)
            call = n.calls[ci]
            inner_input = n.class_name == "InputLayer" and n.parent is not None
            for oi, shape in enumerate(call.output_shapes):
                k = (node_id, ci, oi)
                if inner_input and k in alias:
                    continue
                if inner_input:
                    live[k] = 0
                    continue
                try:
                    elems = math.prod(self.resolve(shape, "output"))
                    live[k] = (elems * _bits(self.out_dtype(n, ci, oi)) + 7) // 8
                except _Unknown as e:
                    live[k] = None
                    reason = reason or (
                        f"The peak is not known: {self.label(node_id)}: {_uncap(str(e))}"
                    )
            values = list(live.values())
            here = None if any(v is None for v in values) else param_bytes + sum(values)  # type: ignore[arg-type]
            prev = peak.get(node_id, 0)
            if here is None or prev is None:
                peak[node_id] = None
            else:
                peak[node_id] = max(prev, here)
            done.add(s)
            for k in list(live):
                if k[0] in outputs:
                    continue
                if consumers.get(k, set()) <= done:
                    del live[k]
        return peak, reason


def _sum(costs_: list[Cost], labels: list[str]) -> Cost:
    out: dict[str, int | None] = {}
    missing: dict[str, list[str]] = {}
    for f in _FIELDS:
        values = [getattr(c, f) for c in costs_]
        if f == "peak_bytes":
            known = [v for v in values if v is not None]
            out[f] = max(known) if known and len(known) == len(values) else None
            if not known and not values:
                out[f] = 0
        else:
            out[f] = None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
        missing[f] = [lab for lab, v in zip(labels, values, strict=True) if v is None]
    why = {lab: c.reason for lab, c in zip(labels, costs_, strict=True) if c.reason}
    reason = None
    unknown_macs = missing["macs"] or missing["flops"]
    if unknown_macs:
        partial = sum(c.macs or 0 for c in costs_)
        reason = (
            f"MACs and FLOPs are not known for {len(unknown_macs)} node(s): "
            f"{_few(unknown_macs)} (the other nodes sum to {partial} MACs)"
        )
        first = unknown_macs[0]
    elif missing["activation_bytes"] or missing["peak_bytes"]:
        miss = missing["activation_bytes"] or missing["peak_bytes"]
        reason = f"Memory is not known for {len(miss)} node(s): {_few(miss)}"
        first = miss[0]
    if reason is not None and why.get(first):
        reason += f". {first}: {why[first]}"
    return Cost(reason=reason, **out)  # type: ignore[arg-type]


def _few(labels: list[str], k: int = 5) -> str:
    more = f" and {len(labels) - k} more" if len(labels) > k else ""
    return ", ".join(labels[:k]) + more


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _uncap(s: str) -> str:
    """``s`` with a lower-case first letter (an acronym such as "MHA" kept)."""
    return s if s[1:2].isupper() else s[:1].lower() + s[1:]


def _bits(dtype: str | None) -> int:
    if not dtype:
        return 32
    name = str(dtype).split(".")[-1]
    return _BITS.get(name, 32)


# ---- one call, seen by a formula ------------------------------------------------------
class _CallView:
    """A node's call with its shapes resolved on demand (batch and ``dims`` filled)."""

    def __init__(self, costing: _Costing, node: LayerNode, call: Any) -> None:
        self.costing = costing
        self.node = node
        self.call = call
        self._config: dict[str, Any] | None = None

    @property
    def config(self) -> dict[str, Any]:
        if self._config is None:
            try:
                self._config = self.costing.g.full_config(self.node.id) or {}
            except KeyError:
                self._config = dict(self.node.config or {})
        return self._config

    def ins(self) -> list[list[int]]:
        return [self.costing.resolve(s, "input") for s in self.call.input_shapes]

    def input(self, i: int = 0) -> list[int]:
        shapes = self.call.input_shapes
        if i >= len(shapes):
            raise _Unknown(f"it has no input {i} in the graph")
        return self.costing.resolve(shapes[i], "input")

    def output(self, i: int = 0) -> list[int]:
        shapes = self.call.output_shapes
        if i >= len(shapes):
            raise _Unknown(f"it has no output {i} in the graph")
        return self.costing.resolve(shapes[i], "output")

    def out_elems(self) -> int:
        return sum(
            math.prod(self.costing.resolve(s, "output"))
            for s in self.call.output_shapes
        )

    def in_elems(self) -> int:
        return sum(math.prod(s) for s in self.ins())

    def kernels(self, rank: int | None = None) -> list[list[int]]:
        return [
            [int(d) for d in w.shape]
            for w in self.node.weights
            if "kernel" in w.name and (rank is None or len(w.shape) == rank)
        ]

    def has_bias(self) -> bool:
        return bool(self.config.get("use_bias", True)) and any(
            "bias" in w.name for w in self.node.weights
        )

    def activation(self, elems: int) -> int:
        return elems * _activation_cost(self.config.get("activation"))

    def channels_first(self) -> bool:
        return self.config.get("data_format") == "channels_first"

    def spatial(self, shape: list[int]) -> list[int]:
        return shape[2:] if self.channels_first() else shape[1:-1]

    def channels(self, shape: list[int]) -> int:
        return shape[1] if self.channels_first() else shape[-1]

    def obj(self) -> Any:
        return self.costing.objects.get(self.node.id)


def _activation_cost(act: Any) -> int:
    if isinstance(act, dict):  # a serialised activation
        act = act.get("config", act.get("class_name"))
        act = act if isinstance(act, str) else None
    if act in (None, "linear", "identity"):
        return 0
    if act in ("softmax", "log_softmax"):
        return 5
    return 1


# ---- the formulas: each returns (macs, element-wise flops) for one call -------------
Formula = Callable[[_CallView], tuple[int, int]]


def _zero(c: _CallView) -> tuple[int, int]:
    return 0, 0


def _dense(c: _CallView) -> tuple[int, int]:
    x, y = c.input(), c.output()
    positions = math.prod(x[:-1])
    macs = positions * x[-1] * y[-1]
    out = math.prod(y)
    return macs, (out if c.has_bias() else 0) + c.activation(out)


def _einsum_macs(equation: str, shapes: list[list[int]]) -> int:
    """Product of every index's size (the ellipsis's dims counted once)."""
    lhs = equation.replace(" ", "").split("->")[0]
    operands = lhs.split(",")
    if len(operands) != len(shapes):
        raise _Unknown(
            f"its equation {equation!r} has {len(operands)} operands and the graph "
            f"{len(shapes)} inputs"
        )
    sizes: dict[str, int] = {}
    ellipsis: list[int] = []
    for sub, shape in zip(operands, shapes, strict=True):
        if "..." in sub:
            before, after = sub.split("...")
            n_ell = len(shape) - len(before) - len(after)
            ell = shape[len(before) : len(before) + n_ell]
            if len(ell) > len(ellipsis):
                ellipsis = [1] * (len(ell) - len(ellipsis)) + ellipsis
            for i in range(1, len(ell) + 1):
                ellipsis[-i] = max(ellipsis[-i], ell[-i])
            letters = list(before) + list(after)
            dims = shape[: len(before)] + shape[len(shape) - len(after) :]
        else:
            letters, dims = list(sub), shape
        for letter, d in zip(letters, dims, strict=False):
            sizes[letter] = max(sizes.get(letter, 1), d)
    return math.prod(sizes.values()) * math.prod(ellipsis)


def _einsum_dense(c: _CallView) -> tuple[int, int]:
    eq = c.config.get("equation")
    kernels = c.kernels()
    if not isinstance(eq, str) or not kernels:
        raise _Unknown("its equation or kernel is not in the graph")
    macs = _einsum_macs(eq, [c.input(), kernels[0]])
    out = c.out_elems()
    bias = out if c.config.get("bias_axes") else 0
    return macs, bias + c.activation(out)


def _conv(c: _CallView) -> tuple[int, int]:
    x, y = c.input(), c.output()
    k = _tuple(c.config.get("kernel_size"))
    groups = int(c.config.get("groups") or 1)
    filters = c.channels(y)
    positions = y[0] * math.prod(c.spatial(y))
    macs = positions * math.prod(k) * (c.channels(x) // groups) * filters
    out = math.prod(y)
    return macs, (out if c.has_bias() else 0) + c.activation(out)


def _depthwise(c: _CallView) -> tuple[int, int]:
    x, y = c.input(), c.output()
    k = _tuple(c.config.get("kernel_size"))
    dm = int(c.config.get("depth_multiplier") or 1)
    positions = y[0] * math.prod(c.spatial(y))
    macs = positions * math.prod(k) * c.channels(x) * dm
    out = math.prod(y)
    return macs, (out if c.has_bias() else 0) + c.activation(out)


def _separable(c: _CallView) -> tuple[int, int]:
    x, y = c.input(), c.output()
    k = _tuple(c.config.get("kernel_size"))
    dm = int(c.config.get("depth_multiplier") or 1)
    positions = y[0] * math.prod(c.spatial(y))
    cin = c.channels(x)
    macs = positions * math.prod(k) * cin * dm + positions * cin * dm * c.channels(y)
    out = math.prod(y)
    return macs, (out if c.has_bias() else 0) + c.activation(out)


def _conv_transpose(c: _CallView) -> tuple[int, int]:
    x, y = c.input(), c.output()
    k = _tuple(c.config.get("kernel_size"))
    groups = int(c.config.get("groups") or 1)
    positions = x[0] * math.prod(c.spatial(x))
    macs = positions * math.prod(k) * (c.channels(x) // groups) * c.channels(y)
    out = math.prod(y)
    return macs, (out if c.has_bias() else 0) + c.activation(out)


def _pool(c: _CallView) -> tuple[int, int]:
    pool = _tuple(c.config.get("pool_size"))
    return 0, c.out_elems() * math.prod(pool)


def _global_pool(c: _CallView) -> tuple[int, int]:
    return 0, c.in_elems()


def _per_element(k: int) -> Formula:
    def f(c: _CallView) -> tuple[int, int]:
        return 0, k * c.out_elems()

    return f


def _activation_layer(c: _CallView) -> tuple[int, int]:
    return 0, c.activation(c.out_elems())


def _layer_norm(c: _CallView) -> tuple[int, int]:
    k = 5
    if c.config.get("rms_scaling"):
        k = 3
    k += 1 if c.config.get("scale", True) else 0
    k += 1 if c.config.get("center", True) and not c.config.get("rms_scaling") else 0
    return 0, k * c.out_elems()


def _rms_norm(c: _CallView) -> tuple[int, int]:
    return 0, 4 * c.out_elems()


def _rescaling(c: _CallView) -> tuple[int, int]:
    offset = c.config.get("offset", 0.0)
    return 0, (1 + (1 if offset not in (0, 0.0, None) else 0)) * c.out_elems()


def _merge(average: bool = False) -> Formula:
    def f(c: _CallView) -> tuple[int, int]:
        n = len(c.call.input_shapes)
        per = n if average else n - 1
        return 0, max(per, 0) * c.out_elems()

    return f


def _upsampling(c: _CallView) -> tuple[int, int]:
    interp = c.config.get("interpolation", "nearest")
    return 0, (0 if interp in (None, "nearest") else 4 * c.out_elems())


def _embedding(c: _CallView) -> tuple[int, int]:
    x, y = c.input(), c.output()
    table = [[int(d) for d in w.shape] for w in c.node.weights if len(w.shape) == 2]
    if table and len(x) == len(y) and x[-1] == table[0][1] and y[-1] == table[0][0]:
        # a reversed embedding (a tied output projection): a matmul with the table
        return math.prod(x[:-1]) * x[-1] * y[-1], 0
    return 0, 0


def _rnn(c: _CallView) -> tuple[int, int]:
    x = c.input()
    if len(x) < 3:
        raise _Unknown(f"its input has rank {len(x)}, not (batch, steps, features)")
    batch, steps = x[0], x[1]
    per_step = sum(
        math.prod(int(d) for d in w.shape)
        for w in c.node.weights
        if w.name in ("kernel", "recurrent_kernel") and len(w.shape) == 2
    )
    macs = batch * steps * per_step
    # element-wise per unit and step, from the cell type
    rec = [
        [int(d) for d in w.shape]
        for w in c.node.weights
        if w.name == "recurrent_kernel" and len(w.shape) == 2
    ]
    cls = c.node.class_name
    inner = c.config.get("layer") if cls == "Bidirectional" else None
    cell = inner.get("class_name") if isinstance(inner, dict) else cls
    inner_cfg = inner.get("config", {}) if isinstance(inner, dict) else c.config
    per_unit = {"LSTM": 17, "GRU": 13, "SimpleRNN": 3}.get(cell or "", 3)
    if cell == "GRU" and inner_cfg.get("reset_after", True):
        per_unit += 3
    units = sum(r[0] for r in rec)
    return macs, batch * steps * units * per_unit


def _mha(c: _CallView) -> tuple[int, int]:
    """MultiHeadAttention and GroupedQueryAttention, from their kernels' shapes:
    query (q_dim, heads, key_dim), key (k_dim, kv_heads, key_dim), value (v_dim,
    kv_heads, value_dim), output (heads, value_dim, out_dim)."""
    cfg = c.config
    kernels = c.kernels(rank=3)
    if len(kernels) < 4:
        raise _Unknown("its projection kernels are not in the graph (is it built?)")
    qk, kk, vk, ok = kernels[:4]
    heads, key_dim, value_dim = qk[1], qk[2], vk[2]
    out = c.output()
    q_shape = [*out[:-1], qk[0]]
    # the value: a float input of the query's rank whose last axis is the value's
    # input size; its sequence axes differ from the query's in cross-attention
    v_shape = q_shape
    for s in c.costing.float_inputs(c.node, c.call):
        if (
            len(s) == len(q_shape)
            and s[-1] in (vk[0], kk[0])
            and s[:-1] != q_shape[:-1]
        ):
            v_shape = s
            break
    axes = cfg.get("attention_axes")
    rank = len(q_shape)
    if axes is None:
        att = list(range(1, rank - 1))
    else:
        att = [a % rank for a in (axes if isinstance(axes, list) else [axes])]
    t = math.prod(q_shape[a] for a in att)
    s_len = math.prod(v_shape[a] for a in att)
    others = math.prod(q_shape[a] for a in range(rank - 1) if a not in att)
    q_pos = math.prod(q_shape[:-1])
    kv_pos = math.prod(v_shape[:-1])
    scores = others * heads * t * s_len
    macs = (
        q_pos * math.prod(qk)
        + kv_pos * math.prod(kk)
        + kv_pos * math.prod(vk)
        + scores * key_dim
        + scores * value_dim
        + q_pos * math.prod(ok)
    )
    bias = 0
    if cfg.get("use_bias", True):
        bias = (
            q_pos * heads * key_dim
            + kv_pos * (kk[1] * kk[2] + vk[1] * vk[2])
            + q_pos * ok[-1]
        )
    scale = q_pos * heads * key_dim
    return macs, bias + scale + 5 * scores


class _Folded(_CallView):
    """The inner layer of a TimeDistributed: its config, the time axis folded into
    the batch (``(batch, time, ...)`` seen as ``(batch * time, ...)``)."""

    def __init__(self, outer: _CallView, config: dict[str, Any]) -> None:
        super().__init__(outer.costing, outer.node, outer.call)
        self._config = config

    @staticmethod
    def _fold(shape: list[int]) -> list[int]:
        return [shape[0] * shape[1], *shape[2:]] if len(shape) > 1 else shape

    def ins(self) -> list[list[int]]:
        return [self._fold(s) for s in super().ins()]

    def input(self, i: int = 0) -> list[int]:
        return self._fold(super().input(i))

    def output(self, i: int = 0) -> list[int]:
        return self._fold(super().output(i))


def _time_distributed(c: _CallView) -> tuple[int, int]:
    inner = c.config.get("layer")
    if not isinstance(inner, dict):
        raise _Unknown("the config of the layer it wraps is not in the graph")
    cls = inner.get("class_name")
    f = _LAYERS.get(str(cls))
    if f is None or f is _time_distributed:
        raise _Unknown(f"kerasviz has no formula for {cls} (inside TimeDistributed)")
    return f(_Folded(c, dict(inner.get("config") or {})))


def _attention(c: _CallView) -> tuple[int, int]:
    shapes = c.ins()
    q = shapes[0]
    v = shapes[1] if len(shapes) > 1 else q
    k = shapes[2] if len(shapes) > 2 and len(shapes[2]) == len(v) else v
    batch, t, d = q[0], math.prod(q[1:-1]), q[-1]
    s_len, dv = math.prod(v[1:-1]), v[-1]
    scores = batch * t * s_len
    additive = c.node.class_name == "AdditiveAttention" or (
        c.config.get("score_mode") == "concat"
    )
    if additive:
        # tanh(q + k) · scale summed over d, then weights · V
        macs = scores * d + scores * dv
        elementwise = 2 * scores * d + 5 * scores
    else:
        macs = scores * k[-1] + scores * dv
        elementwise = (scores if c.config.get("use_scale") else 0) + 5 * scores
    return macs, elementwise


def _dot(c: _CallView) -> tuple[int, int]:
    a, b = c.input(0), c.input(1)
    axes = c.config.get("axes", -1)
    ax = axes[1] if isinstance(axes, list) else axes
    ax = ax % len(b)
    rest_b = math.prod(d for i, d in enumerate(b[1:], 1) if i != ax)
    # normalize=True: both inputs L2-normalised first (square, sum, divide)
    norm = 3 * (math.prod(a) + math.prod(b)) if c.config.get("normalize") else 0
    return a[0] * math.prod(a[1:]) * rest_b, norm


def _matmul(c: _CallView) -> tuple[int, int]:
    a, b = c.input(0), c.input(1)
    if len(a) == 1:
        a = [1, *a]
    if len(b) == 1:
        b = [*b, 1]
    batch = _broadcast(a[:-2], b[:-2])
    return math.prod(batch) * a[-2] * a[-1] * b[-1], 0


def _einsum_op(c: _CallView) -> tuple[int, int]:
    op = c.obj()
    eq = getattr(op, "subscripts", None)  # keras.ops.Einsum (keras 3.15.1)
    if not isinstance(eq, str):
        raise _Unknown(
            "kerasviz reads an einsum's equation from the model itself, which a "
            "ModelGraph does not hold: pass the model to costs()"
        )
    shapes = c.ins()
    if len(shapes) < 2:
        return 0, c.in_elems()
    return _einsum_macs(eq, shapes), 0


def _conv_op(c: _CallView) -> tuple[int, int]:
    kernel = c.input(1)
    return c.out_elems() * math.prod(kernel[:-1]), 0


def _depthwise_op(c: _CallView) -> tuple[int, int]:
    kernel = c.input(1)
    return c.out_elems() * math.prod(kernel[:-2]), 0


def _conv_transpose_op(c: _CallView) -> tuple[int, int]:
    x, kernel = c.input(0), c.input(1)
    return math.prod(x[:-1]) * math.prod(kernel), 0


def _dpa_op(c: _CallView) -> tuple[int, int]:
    q, k, v = c.input(0), c.input(1), c.input(2)
    b, t, h, d = q[0], q[1], q[-2], q[-1]
    s, dv = k[1], v[-1]
    scores = b * h * t * s
    return scores * (d + dv), math.prod(q) + 5 * scores


def _reduction(c: _CallView) -> tuple[int, int]:
    return 0, c.in_elems()


def _tuple(v: Any) -> tuple[int, ...]:
    if v is None:
        raise _Unknown("its kernel or pool size is not in its config")
    if isinstance(v, int):
        return (v,)
    return tuple(int(x) for x in v)


def _broadcast(a: list[int], b: list[int]) -> list[int]:
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    return [max(x, y) for x, y in zip(a, b, strict=True)]


def _float_inputs(self: _Costing, n: LayerNode, call: Any) -> list[list[int]]:
    """The resolved input shapes of ``call`` whose tensors are floats (by edge)."""
    call_index = n.calls.index(call) if call in n.calls else 0
    dtypes = {
        e.target_arg: e.dtype
        for e in self.g.edges
        if e.target == n.id and e.target_call == call_index
    }
    out = []
    for i, s in enumerate(call.input_shapes):
        dt = dtypes.get(i) or "float32"
        if "float" not in dt:
            continue
        try:
            out.append(self.resolve(s, "input"))
        except _Unknown:
            continue
    return out


_Costing.float_inputs = _float_inputs  # type: ignore[attr-defined]


_ZERO_LAYERS = [
    "InputLayer",
    "Reshape",
    "Flatten",
    "Permute",
    "RepeatVector",
    "Masking",
    "Identity",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Concatenate",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianDropout",
    "GaussianNoise",
    "AlphaDropout",
    "ActivityRegularization",
    "Embedding",
]

_LAYERS: dict[str, Formula] = {name: _zero for name in _ZERO_LAYERS}
_LAYERS.update(
    {
        "Dense": _dense,
        "EinsumDense": _einsum_dense,
        "Conv1D": _conv,
        "Conv2D": _conv,
        "Conv3D": _conv,
        "DepthwiseConv1D": _depthwise,
        "DepthwiseConv2D": _depthwise,
        "SeparableConv1D": _separable,
        "SeparableConv2D": _separable,
        "Conv1DTranspose": _conv_transpose,
        "Conv2DTranspose": _conv_transpose,
        "Conv3DTranspose": _conv_transpose,
        "UpSampling1D": _upsampling,
        "UpSampling2D": _upsampling,
        "UpSampling3D": _upsampling,
        "BatchNormalization": _per_element(2),
        "LayerNormalization": _layer_norm,
        "GroupNormalization": _layer_norm,
        "RMSNormalization": _rms_norm,
        "UnitNormalization": _per_element(3),
        "Normalization": _per_element(2),
        "Rescaling": _rescaling,
        "Activation": _activation_layer,
        "ReLU": _per_element(1),
        "LeakyReLU": _per_element(1),
        "PReLU": _per_element(1),
        "ELU": _per_element(1),
        "Softmax": _per_element(5),
        "Add": _merge(),
        "Subtract": _merge(),
        "Multiply": _merge(),
        "Maximum": _merge(),
        "Minimum": _merge(),
        "Average": _merge(average=True),
        "Dot": _dot,
        "LSTM": _rnn,
        "GRU": _rnn,
        "SimpleRNN": _rnn,
        "Bidirectional": _rnn,
        "TimeDistributed": _time_distributed,
        "MultiHeadAttention": _mha,
        "GroupQueryAttention": _mha,
        "GroupedQueryAttention": _mha,
        "Attention": _attention,
        "AdditiveAttention": _attention,
        # KerasHub: adds a slice of its table (broadcast) to nothing: no arithmetic
        "PositionEmbedding": _zero,
    }
)
for _dim in ("1D", "2D", "3D"):
    _LAYERS[f"MaxPooling{_dim}"] = _pool
    _LAYERS[f"AveragePooling{_dim}"] = _pool
    for _kind in ("Max", "Average"):
        _LAYERS[f"Global{_kind}Pooling{_dim}"] = _global_pool
        _LAYERS[f"Adaptive{_kind}Pooling{_dim}"] = _global_pool

_ZERO_OPS = [
    "GetItem",
    "Reshape",
    "Transpose",
    "ExpandDims",
    "Squeeze",
    "Cast",
    "Concatenate",
    "Stack",
    "Split",
    "BroadcastTo",
    "Tile",
    "Take",
    "TakeAlongAxis",
    "Repeat",
    "Moveaxis",
    "Swapaxes",
    "Ravel",
    "Flip",
    "Roll",
    "Pad",
    "OnesLike",
    "ZerosLike",
    "FullLike",
    "EmptyLike",
    "Arange",
    "Full",
    "Copy",
    "Slice",
    "SliceUpdate",
    "DynamicSlice",
    "ConvertToTensor",
    "Unstack",
    "Hstack",
    "Vstack",
    "Dstack",
    "Identity",
    "StopGradient",
    "Tril",
    "Triu",
    "Where",
    "Shape",
    "Size",
    "Ndim",
    "Argmax",
    "Argmin",
    "OneHot",
]
_ELEMENTWISE_OPS = [
    "Add",
    "Subtract",
    "Multiply",
    "Divide",
    "TrueDivide",
    "FloorDivide",
    "DivideNoNan",
    "Maximum",
    "Minimum",
    "Power",
    "Mod",
    "Exp",
    "Exp2",
    "Expm1",
    "Log",
    "Log1p",
    "Log2",
    "Log10",
    "Sqrt",
    "Rsqrt",
    "Square",
    "Negative",
    "Abs",
    "Absolute",
    "Reciprocal",
    "Sign",
    "Floor",
    "Ceil",
    "Round",
    "Clip",
    "Erf",
    "Erfinv",
    "Tanh",
    "Sigmoid",
    "Relu",
    "Relu6",
    "Gelu",
    "Silu",
    "Elu",
    "Selu",
    "Celu",
    "Glu",
    "Softplus",
    "Softsign",
    "LeakyRelu",
    "HardSigmoid",
    "HardSilu",
    "HardTanh",
    "LogSigmoid",
    "Sin",
    "Cos",
    "Tan",
    "Equal",
    "NotEqual",
    "Greater",
    "GreaterEqual",
    "Less",
    "LessEqual",
    "LogicalAnd",
    "LogicalOr",
    "LogicalNot",
    "LogicalXor",
    "Logaddexp",
    "SquaredDifference",
]
_REDUCTION_OPS = [
    "Sum",
    "Mean",
    "Max",
    "Min",
    "Amax",
    "Amin",
    "Prod",
    "Var",
    "Std",
    "Logsumexp",
    "Norm",
    "All",
    "Any",
    "CountNonzero",
]

_OPS: dict[str, Formula] = {name: _zero for name in _ZERO_OPS}
_OPS.update({name: _per_element(1) for name in _ELEMENTWISE_OPS})
_OPS.update({name: _reduction for name in _REDUCTION_OPS})
_OPS.update(
    {
        "Softmax": _per_element(5),
        "LogSoftmax": _per_element(5),
        "BatchNorm": _per_element(2),
        "LayerNorm": _per_element(7),
        "RMSNorm": _per_element(4),
        "Matmul": _matmul,
        "Einsum": _einsum_op,
        "Conv": _conv_op,
        "DepthwiseConv": _depthwise_op,
        "ConvTranspose": _conv_transpose_op,
        "DotProductAttention": _dpa_op,
    }
)


class _CallableModule(types.ModuleType):
    """This module, callable as :func:`costs`.

    Importing ``kerasviz.costs`` (``from kerasviz.costs import costs`` anywhere)
    makes Python set the package attribute ``kerasviz.costs`` to this module,
    shadowing the lazily exported function of the same name; calling the module
    calls the function, so ``kerasviz.costs(model)`` works either way.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> CostReport:
        return costs(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
