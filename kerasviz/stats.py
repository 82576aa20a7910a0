"""Activation statistics: what every layer outputs on one sample batch.

:func:`activation_stats` runs the model once, in inference mode (``training=False``),
on a sample the user gives or on random data made to fit the model's inputs, and
summarises each layer's output: mean, std, min, max, the fraction of exact zeros, a
small histogram, the actual shape and dtype. It never trains and never writes a
variable (the forward pass runs in a ``keras.StatelessScope``, whose writes are
dropped).

How the values are found: for a Functional or Sequential model one probe
``keras.Model(model inputs, [every op's output tensor])`` is called once. A nested
model's inner layers are not tensors of the outer graph (Keras calls the nested model
as one op), so for each call of a nested model a probe of its own graph is called on
the values that reached it; their keys are the nested node ids (``outer/inner/dense``)
of ``kerasviz.graph_of(model, expand_nested=True)``. A subclassed model has no
symbolic graph: only its outputs get statistics, and :attr:`ActivationStats.note`
says so. The inner wiring of a traced custom layer (a container in the expanded
graph) is kerasviz's own symbolic trace, not part of the model: such a layer gets the
statistics of its own outputs, its inner nodes none (said in the note too).

Each node's entry (a plain dict, JSON-safe: NaN/inf become ``None``):

``mean``, ``std``, ``min``, ``max``
    over the finite values of the output (NaN and inf are excluded and counted in
    ``nonfinite``); ``None`` when there is no finite value.
``zeros``
    the fraction (0..1) of the finite values that are exactly zero.
``count``
    the number of elements of the output (finite or not).
``nonfinite``
    how many of them are NaN or infinite.
``histogram``
    ``{"edges": [bins + 1 floats], "counts": [bins ints]}`` over the finite values
    (integer and boolean outputs too, over their values), or ``None``.
``shape``, ``dtype``
    the output's actual shape (batch included) and dtype.
``note``
    only when the output is at least 95 % zeros: ``"dead ReLU: 97 % zeros"`` for a
    ReLU-like activation (a ``ReLU`` layer, ``activation="relu"`` or ``"relu6"``),
    else ``"97 % zeros"``. InputLayers are never flagged: their values are the
    sample's (a padding mask), not the model's doing.

A node with several outputs, or called several times (a shared layer), has these
keys for its first output of its first call, and ``outputs``: one such dict per
output and call, each with ``call`` and ``output`` indices.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .graph import _keras_compat as compat
from .graph.extract import entry_point, graph_and_layers
from .graph.model import ModelGraph

#: Version of the JSON of :meth:`ActivationStats.to_json`.
STATS_VERSION = 1

#: The fraction of zeros from which an output is flagged.
DEAD_FRACTION = 0.95

#: The batch size of a random sample.
RANDOM_BATCH = 2

#: Activations whose output is exactly zero wherever they are "off", by the name
#: a flag shows: a layer's ``activation`` config, or a node's class.
_RELU_LIKE = {"relu": "ReLU", "relu6": "ReLU6"}
_RELU_CLASSES = {"ReLU": "ReLU", "Relu": "ReLU", "Relu6": "ReLU6"}


@dataclass(frozen=True)
class _Context:
    """One graph to run: the node id of its model (None: the top level), the graph
    and the values of its flat inputs."""

    parent: str | None
    graph: Any
    inputs: list[Any]


class ActivationStats:
    """The result of :func:`activation_stats`: one entry per node id.

    ``nodes`` maps node ids (as in ``kerasviz.graph_of(model, expand_nested=True)``,
    in its order) to the entry described in :mod:`kerasviz.stats`; ``note`` says
    what could not be measured (or is None); ``sample`` describes the input used.
    """

    def __init__(
        self,
        model_name: str,
        nodes: dict[str, dict[str, Any]],
        *,
        names: dict[str, list[str]],
        sample: dict[str, Any],
        bins: int,
        note: str | None,
    ) -> None:
        self.model_name = model_name
        self.nodes = nodes
        self.sample = sample
        self.bins = bins
        self.note = note
        self._names = names

    def node(self, name_or_id: str) -> dict[str, Any]:
        """The entry of a node id, or of the one layer with this name.

        Raises ``KeyError`` if there is none, or if the name is ambiguous (the same
        name inside two nested models): then it lists the ids to use.
        """
        if name_or_id in self.nodes:
            return self.nodes[name_or_id]
        ids = [i for i in self._names.get(name_or_id, []) if i in self.nodes]
        if len(ids) == 1:
            return self.nodes[ids[0]]
        if ids:
            raise KeyError(
                f"Several nodes of {self.model_name!r} are named {name_or_id!r}: "
                f"pass one of their ids {ids}."
            )
        raise KeyError(
            f"{self.model_name!r} has no node with id or name {name_or_id!r} "
            f"among its activation statistics. Known ids: {list(self.nodes)[:20]}"
            + (" ..." if len(self.nodes) > 20 else "")
        )

    def findings(self) -> list[dict[str, Any]]:
        """The outputs flagged as (nearly) all zeros: ``node``, ``call``,
        ``output``, ``zeros`` and ``note`` each, in graph order."""
        out = []
        for node_id, entry in self.nodes.items():
            for e in _entries(entry):
                if "note" in e:
                    out.append(
                        {
                            "node": node_id,
                            "call": e["call"],
                            "output": e["output"],
                            "zeros": e["zeros"],
                            "note": e["note"],
                        }
                    )
        return out

    def dead_relu(self) -> list[str]:
        """Ids of the nodes with a ReLU-like output that is at least 95 % zeros."""
        return list(
            dict.fromkeys(
                f["node"] for f in self.findings() if f["note"].startswith("dead ")
            )
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (``json.dumps(..., allow_nan=False)`` takes it)."""
        return {
            "version": STATS_VERSION,
            "model": self.model_name,
            "bins": self.bins,
            "sample": self.sample,
            "note": self.note,
            "nodes": self.nodes,
        }

    def _rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for node_id, entry in self.nodes.items():
            many = "outputs" in entry
            for e in _entries(entry):
                label = node_id
                if many:
                    label += f" [call {e['call']}, output {e['output']}]"
                yield label, e

    def __str__(self) -> str:
        head = ("node", "shape", "mean", "std", "min", "max", "zeros", "note")
        rows = [head] + [
            (
                label,
                _shape_text(e["shape"]),
                _num_text(e["mean"]),
                _num_text(e["std"]),
                _num_text(e["min"]),
                _num_text(e["max"]),
                _pct_text(e["zeros"]),
                e.get("note", ""),
            )
            for label, e in self._rows()
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>"
            for h in ("node", "shape", "mean", "std", "min", "max", "zeros", "note")
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(v)}</td>"
                for v in (
                    label,
                    _shape_text(e["shape"]),
                    _num_text(e["mean"]),
                    _num_text(e["std"]),
                    _num_text(e["min"]),
                    _num_text(e["max"]),
                    _pct_text(e["zeros"]),
                    e.get("note", ""),
                )
            )
            + "</tr>"
            for label, e in self._rows()
        )
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return (
            '<table class="kerasviz-stats"><thead><tr>'
            f"{head}</tr></thead><tbody>{rows}</tbody></table>{note}"
        )

    def __repr__(self) -> str:
        return (
            f"<ActivationStats of {self.model_name!r}: {len(self.nodes)} nodes, "
            f"{len(self.findings())} flagged>"
        )


def _entries(entry: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = entry.get("outputs", [entry])
    return out


def _shape_text(shape: list[int]) -> str:
    return (
        "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    )


def _num_text(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def _pct_text(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


# ---- the entry point ----------------------------------------------------------------
@entry_point("activation_stats()")
def activation_stats(
    model: Any, sample: Any = None, *, bins: int = 16, seed: int = 0
) -> ActivationStats:
    """Each layer's output statistics on one sample batch, in one forward pass.

    Parameters
    ----------
    model : keras.Model
        A built Sequential, a Functional (nested models too) or a subclassed model.
    sample : array, list or dict of arrays, optional
        The batch to run, matched to the model's inputs as ``model(inputs)`` does:
        one array for a one-input model, a list in ``model.inputs`` order, or a
        dict by input name. None: random data of the inputs' shapes and dtypes
        (a batch of 2; floats from a standard normal; integers in
        ``[0, input_dim)`` of the Embedding the input feeds, else in ``[0, 2)``).
    bins : int, default 16
        Bins of each histogram.
    seed : int, default 0
        Seed of the random sample.

    Returns
    -------
    ActivationStats

    Raises
    ------
    ValueError
        The sample does not fit the inputs (rank, shape, number of inputs, names),
        a random sample cannot be made (an unknown non-batch dimension), or the
        Sequential is not built.
    TypeError
        ``model`` is not a Keras 3 model.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from kerasviz.stats import activation_stats
    >>> m = keras.Sequential([keras.Input((3,)), keras.layers.ReLU(name="relu")])
    >>> s = activation_stats(m, np.array([[-1.0, 0.0, 2.0]]))
    >>> s.node("relu")["max"], s.node("relu")["zeros"]
    (2.0, 0.6666666666666666)
    """
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
        raise ValueError(
            f"activation_stats() takes bins= as a positive int. Received: bins={bins!r}"
        )
    keras = compat.keras_module()
    graph, objects = graph_and_layers(model, expand_nested=True)
    if not isinstance(model, keras.Model):
        raise TypeError(
            "activation_stats() runs a model: pass a `keras.Model` (wrap a layer "
            "in one: `keras.Sequential([keras.Input(shape), layer])`). "
            f"Received: a {type(model).__name__} layer {model.name!r}"
        )
    fn = compat.graph_owner(model)
    if fn is None and isinstance(model, keras.Sequential):
        raise ValueError(
            f"activation_stats() needs a built model, and the Sequential "
            f"{model.name!r} has no inputs yet. Start it with `keras.Input(shape)` "
            "or call `model.build((None, ...))` first. Received: an unbuilt "
            f"Sequential of {len(model.layers)} layers"
        )
    names: dict[str, list[str]] = {}
    for n in graph.nodes:
        names.setdefault(n.name, []).append(n.id)
    if fn is not None:
        nodes, note, info = _run_graph(model, fn, graph, objects, sample, bins, seed)
    else:
        nodes, note, info = _run_subclassed(model, graph, sample, bins, seed)
    return ActivationStats(
        str(model.name), nodes, names=names, sample=info, bins=bins, note=note
    )


# ---- Functional and Sequential ------------------------------------------------------
def _run_graph(
    model: Any,
    fn: Any,
    graph: ModelGraph,
    objects: dict[str, Any],
    sample: Any,
    bins: int,
    seed: int,
) -> tuple[dict[str, dict[str, Any]], str | None, dict[str, Any]]:
    inputs = compat.flatten(fn.inputs)
    keys = _input_keys(fn, inputs)
    if sample is None:
        values = _random_sample(fn, inputs, keys, seed)
    else:
        values = _match_sample(inputs, keys, sample, getattr(fn, "input", None))
    info = {
        "random": sample is None,
        "seed": seed if sample is None else None,
        "inputs": {
            k: [int(d) for d in np.shape(v)] for k, v in zip(keys, values, strict=True)
        },
    }
    by_parent: dict[str | None, list[str]] = {}
    for n in graph.nodes:
        by_parent.setdefault(n.parent, []).append(n.id)
    found: dict[str, list[dict[str, Any]]] = {}
    queue = [_Context(None, fn, values)]
    keras = compat.keras_module()
    with keras.StatelessScope():
        while queue:
            ctx = queue.pop(0)
            _run_one(ctx, by_parent, graph, objects, found, queue, bins)
    # Containers whose children are not tensors of any graph run here.
    opaque = [
        n.id
        for n in graph.nodes
        if by_parent.get(n.id)
        and not any(c in found for c in by_parent[n.id])
        and n.id in found
    ]
    note = None
    if opaque:
        shown = ", ".join(opaque[:5]) + (" ..." if len(opaque) > 5 else "")
        note = (
            f"Only the outputs of {shown} have statistics, not their inner layers: "
            "their wiring is not part of the model's graph (a custom layer's "
            "traced call() or a subclassed model's)."
        )
    nodes = {n.id: _node_entry(found[n.id]) for n in graph.nodes if n.id in found}
    return nodes, note, info


def _run_one(
    ctx: _Context,
    by_parent: dict[str | None, list[str]],
    graph: ModelGraph,
    objects: dict[str, Any],
    found: dict[str, list[dict[str, Any]]],
    queue: list[_Context],
    bins: int,
) -> None:
    """Run one graph's probe and record its nodes; queue its nested graphs."""
    keras = compat.keras_module()
    ids = by_parent.get(ctx.parent, [])
    calls = {i: compat.calls_in(ctx.graph, objects[i]) for i in ids}
    wanted: dict[int, Any] = {}
    for nodes in calls.values():
        for nd in nodes:
            for t in compat.call_tensors(nd)[1]:
                wanted.setdefault(id(t), t)
    tensors = list(wanted.values())
    snapshot = compat.name_uids_snapshot()
    try:
        probe = keras.Model(
            compat.flatten(ctx.graph.inputs), tensors, name="kerasviz_probe"
        )
    finally:
        compat.name_uids_restore(snapshot)
    outputs = probe(list(ctx.inputs), training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    values = {id(t): v for t, v in zip(tensors, outputs, strict=True)}
    for node_id in ids:
        op = objects[node_id]
        for nd in calls[node_id]:
            ins, outs = compat.call_tensors(nd)
            call = len({e["call"] for e in found.get(node_id, [])})
            for out_index, t in enumerate(outs):
                entry = _stats(values[id(t)], bins)
                entry["call"] = call
                entry["output"] = out_index
                _flag(entry, graph, node_id)
                found.setdefault(node_id, []).append(entry)
            inner = compat.graph_owner(op)
            if inner is not None and by_parent.get(node_id):
                inner_inputs = compat.flatten(inner.inputs)
                if len(inner_inputs) == len(ins) and all(id(t) in values for t in ins):
                    queue.append(_Context(node_id, inner, [values[id(t)] for t in ins]))


def _node_entry(entries: list[dict[str, Any]]) -> dict[str, Any]:
    if len(entries) == 1:
        return entries[0]
    first = dict(entries[0])
    notes = [e["note"] for e in entries if "note" in e]
    if notes and "note" not in first:
        first["note"] = notes[0]
    first["outputs"] = entries
    return first


def _flag(entry: dict[str, Any], graph: ModelGraph, node_id: str) -> None:
    zeros = entry["zeros"]
    node = graph.node(node_id)
    # An input is what the sample holds (a mask, padding), not the model's doing.
    if zeros is None or zeros < DEAD_FRACTION or node.kind == "input":
        return
    pct = round(100 * zeros)
    if pct == 100 and zeros < 1:
        pct = 99
    relu = _RELU_CLASSES.get(node.class_name) or _RELU_LIKE.get(
        graph.activation(node_id) or ""
    )
    entry["note"] = f"dead {relu}: {pct} % zeros" if relu else f"{pct} % zeros"


# ---- subclassed models --------------------------------------------------------------
def _run_subclassed(
    model: Any, graph: ModelGraph, sample: Any, bins: int, seed: int
) -> tuple[dict[str, dict[str, Any]], str | None, dict[str, Any]]:
    keras = compat.keras_module()
    if sample is None:
        shape = _subclassed_input_shape(model)
        if shape is None:
            raise ValueError(
                f"activation_stats() cannot make a random sample for the subclassed "
                f"model {model.name!r}: it has no symbolic inputs, so their shapes "
                "are not known. Pass a sample: `activation_stats(model, x)`. "
                "Received: sample=None"
            )
        rng = np.random.default_rng(seed)
        sample = rng.standard_normal((RANDOM_BATCH, *shape)).astype("float32")
        info: dict[str, Any] = {"random": True, "seed": seed}
    else:
        info = {"random": False, "seed": None}
    sample = keras.tree.map_structure(_to_numpy, sample)
    info["inputs"] = {
        str(i): [int(d) for d in np.shape(v)]
        for i, v in enumerate(keras.tree.flatten(sample))
    }
    with keras.StatelessScope():
        outputs = compat.flatten(model(sample, training=False))
    ids = graph.model.outputs
    if len(ids) != len(outputs) or any(
        i not in {n.id for n in graph.nodes} for i in ids
    ):
        ids = [str(model.name)] * len(outputs)
    found: dict[str, list[dict[str, Any]]] = {}
    for node_id, value in zip(ids, outputs, strict=True):
        entry = _stats(value, bins)
        entry["call"] = 0
        entry["output"] = len(found.get(node_id, []))
        _flag(entry, graph, node_id)
        found.setdefault(node_id, []).append(entry)
    note = (
        f"{model.name!r} is a subclassed model: it has no symbolic graph, so only "
        "its outputs have statistics, not its inner layers."
    )
    return {k: _node_entry(v) for k, v in found.items()}, note, info


def _subclassed_input_shape(model: Any) -> tuple[int, ...] | None:
    """The non-batch input shape a built subclassed model was built with, if it
    has one input of fully known shape."""
    shapes = list(compat.build_shapes(model).values())
    if len(shapes) != 1:
        return None
    shape = shapes[0]
    if not isinstance(shape, (tuple, list)) or len(shape) < 2:
        return None
    rest = shape[1:]
    if not all(isinstance(d, int) for d in rest):
        return None
    return tuple(rest)


# ---- the sample -----------------------------------------------------------------
def _input_keys(fn: Any, inputs: list[Any]) -> list[str]:
    """The name of each flat input: its key in a dict of inputs, else its name."""
    struct = getattr(fn, "input", None)
    if isinstance(struct, dict):
        by_id = {id(t): str(k) for k, t in struct.items()}
        return [by_id.get(id(t), str(t.name)) for t in inputs]
    return [str(t.name) for t in inputs]


def _expected(inputs: list[Any], keys: list[str]) -> str:
    return (
        "{"
        + ", ".join(
            f"{k!r}: {_shape_tuple(t.shape)}" for k, t in zip(keys, inputs, strict=True)
        )
        + "}"
    )


def _shape_tuple(shape: Any) -> str:
    dims = [None if d is None else int(d) for d in shape]
    return str(tuple(dims))


def _to_numpy(x: Any) -> Any:
    if x is None:
        return None
    return compat.keras_module().ops.convert_to_numpy(x)


def _match_sample(
    inputs: list[Any], keys: list[str], sample: Any, struct: Any
) -> list[Any]:
    """The sample as one array per flat input, checked against the inputs' shapes."""
    expected = _expected(inputs, keys)
    what = (
        "Pass one array per input, each shaped (batch, *input shape): a single "
        "array for a one-input model, a list in `model.inputs` order, or a dict by "
        "input name."
    )
    if isinstance(sample, dict):
        missing = [k for k in keys if k not in sample]
        extra = [str(k) for k in sample if k not in keys]
        if missing or extra:
            received = (
                "{"
                + ", ".join(f"{k!r}: {_received_shape(v)}" for k, v in sample.items())
                + "}"
            )
            problem = []
            if missing:
                problem.append(f"no array for input {', '.join(map(repr, missing))}")
            if extra:
                problem.append(f"unknown key {', '.join(map(repr, extra))}")
            raise ValueError(
                f"activation_stats() got a sample dict with {' and '.join(problem)}. "
                f"{what} Expected: {expected}. Received: sample={received}"
            )
        arrays = [sample[k] for k in keys]
    elif isinstance(sample, (list, tuple)) and not _is_array_like_leaf(sample, inputs):
        arrays = list(sample)
        if len(arrays) != len(inputs):
            received = "[" + ", ".join(_received_shape(a) for a in arrays) + "]"
            raise ValueError(
                f"activation_stats() got a sample of {len(arrays)} "
                f"array{'s' if len(arrays) != 1 else ''} for a "
                f"model with {len(inputs)} input{'s' if len(inputs) != 1 else ''}. "
                f"{what} Expected: {expected}. Received: sample of shapes {received}"
            )
    else:
        if len(inputs) != 1:
            raise ValueError(
                f"activation_stats() got one array for a model with {len(inputs)} "
                f"inputs. {what} Expected: {expected}. Received: sample of shape "
                f"{_received_shape(sample)}"
            )
        arrays = [sample]
    arrays = [_to_numpy(a) for a in arrays]
    received = (
        "{"
        + ", ".join(
            f"{k!r}: {tuple(int(d) for d in np.shape(a))}"
            for k, a in zip(keys, arrays, strict=True)
        )
        + "}"
    )
    for key, t, a in zip(keys, inputs, arrays, strict=True):
        want = [None if d is None else int(d) for d in t.shape]
        got = [int(d) for d in np.shape(a)]
        if len(got) != len(want):
            raise ValueError(
                f"activation_stats() got an array of rank {len(got)} for input "
                f"{key!r}, which takes rank {len(want)} (batch first: "
                f"{_shape_tuple(want)}). {what} Expected: {expected}. "
                f"Received: {received}"
            )
        bad = [
            i
            for i, (w, g) in enumerate(zip(want, got, strict=True))
            if i > 0 and w is not None and w != g
        ]
        if bad:
            raise ValueError(
                f"activation_stats() got an array of shape {tuple(got)} for input "
                f"{key!r}, which takes {_shape_tuple(want)}: axis {bad[0]} is "
                f"{got[bad[0]]}, not {want[bad[0]]}. {what} Expected: {expected}. "
                f"Received: {received}"
            )
    batches = {np.shape(a)[0] for a in arrays}
    if len(batches) > 1:
        raise ValueError(
            "activation_stats() got arrays of different batch sizes "
            f"({sorted(batches)}); every input needs the same batch. "
            f"Expected: {expected}. Received: {received}"
        )
    return arrays


def _is_array_like_leaf(sample: Any, inputs: list[Any]) -> bool:
    """A (nested) Python list that is one input's data, not a list of inputs: a
    one-input model given ``[[1.0, 2.0]]``."""
    if len(inputs) != 1 or not sample:
        return False
    try:
        arr = np.asarray(sample)
    except (ValueError, TypeError):
        return False
    return arr.dtype != object and arr.ndim == len(inputs[0].shape)


def _received_shape(x: Any) -> str:
    try:
        return str(tuple(int(d) for d in np.shape(_to_numpy(x))))
    except Exception:
        return f"<{type(x).__name__}>"


def _random_sample(fn: Any, inputs: list[Any], keys: list[str], seed: int) -> list[Any]:
    """Random arrays of the inputs' shapes and dtypes (batch 2)."""
    unknown = [
        (k, t) for k, t in zip(keys, inputs, strict=True) if None in list(t.shape)[1:]
    ]
    if unknown:
        which = ", ".join(f"{k!r} {_shape_tuple(t.shape)}" for k, t in unknown)
        plural = "s" if len(unknown) > 1 else ""
        raise ValueError(
            f"activation_stats() cannot make a random sample for input{plural} "
            f"{which}: an unknown dimension besides the batch has no size to draw. "
            "Pass a sample: `activation_stats(model, sample)` with an array for "
            f"each input. Received: sample=None for inputs {_expected(inputs, keys)}"
        )
    rng = np.random.default_rng(seed)
    arrays = []
    for t in inputs:
        shape = (RANDOM_BATCH, *(int(d) for d in list(t.shape)[1:]))
        dtype = compat.dtype_name(t)
        if dtype == "bool":
            arrays.append(rng.integers(0, 2, size=shape).astype(bool))
        elif dtype.startswith(("int", "uint")):
            high = _embedding_size(fn, t) or 2
            arrays.append(rng.integers(0, high, size=shape).astype(dtype))
        else:
            x = rng.standard_normal(shape)
            try:
                arrays.append(x.astype(dtype))
            except TypeError:  # a dtype numpy does not know: Keras casts
                arrays.append(x.astype("float32"))
    return arrays


def _embedding_size(fn: Any, tensor: Any) -> int | None:
    """The smallest ``input_dim`` of the Embeddings that ``tensor`` feeds (directly,
    through a nested model's input, or inside a layer that holds Embeddings)."""
    keras = compat.keras_module()
    sizes: list[int] = []
    stack = [(fn, tensor)]
    seen: set[int] = set()
    while stack:
        graph, t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        for op in graph.operations:
            for nd in compat.calls_in(graph, op):
                ins = compat.call_tensors(nd)[0]
                hits = [i for i, x in enumerate(ins) if x is t]
                if not hits:
                    continue
                inner = compat.graph_owner(op)
                if inner is not None:
                    inner_inputs = compat.flatten(inner.inputs)
                    for i in hits:
                        if i < len(inner_inputs):
                            stack.append((inner, inner_inputs[i]))
                    continue
                for layer in compat.all_layers(op):
                    if isinstance(layer, keras.layers.Embedding):
                        sizes.append(int(layer.input_dim))
    return min(sizes) if sizes else None


# ---- one output's numbers -----------------------------------------------------------
def _stats(value: Any, bins: int) -> dict[str, Any]:
    """The statistics of one output (a backend tensor or array)."""
    try:
        dtype = compat.dtype_name(value)
    except Exception:
        dtype = str(getattr(value, "dtype", "?"))
    arr = np.asarray(_to_numpy(value))
    flat = arr.reshape(-1)
    if flat.dtype == bool:
        flat = flat.astype(np.int8)
    try:
        flat = flat.astype(np.float64)
    except (TypeError, ValueError):  # strings or other non-numbers
        return _empty(arr, dtype, flat.size)
    finite = flat[np.isfinite(flat)]
    entry = _empty(arr, dtype, flat.size)
    entry["nonfinite"] = int(flat.size - finite.size)
    if finite.size == 0:
        return entry
    entry.update(
        mean=_num(finite.mean()),
        std=_num(finite.std()),
        min=_num(finite.min()),
        max=_num(finite.max()),
        zeros=float(np.count_nonzero(finite == 0) / finite.size),
    )
    try:
        counts, edges = np.histogram(finite, bins=bins)
    except ValueError:  # a range too wide for float64
        return entry
    entry["histogram"] = {
        "edges": [_num(e) for e in edges],
        "counts": [int(c) for c in counts],
    }
    return entry


def _empty(arr: Any, dtype: str, count: int) -> dict[str, Any]:
    return {
        "shape": [int(d) for d in arr.shape],
        "dtype": dtype,
        "count": int(count),
        "nonfinite": 0,
        "mean": None,
        "std": None,
        "min": None,
        "max": None,
        "zeros": None,
        "histogram": None,
    }


def _num(x: Any) -> float | None:
    f = float(x)
    return f if math.isfinite(f) else None
