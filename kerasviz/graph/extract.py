"""Read a Keras 3 model into a :class:`ModelGraph` (iteratively: no recursion limit)."""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from . import _keras_compat as compat
from ._collector import collector_paused
from ._defaults import class_defaults, split_config
from ._jsonsafe import jsonable_fast
from .kinds import kind_of_class, public_module
from .model import (
    Call,
    GraphEdge,
    LayerNode,
    ModelGraph,
    ModelInfo,
    Params,
    TraceInfo,
    Weight,
)
from .sources import sources_of
from .trace import TraceError, Tracer, is_custom_class


def graph_of(model: Any, *, expand_nested: bool = False) -> ModelGraph:
    """Read a Keras 3 model (or layer) into a plain-data :class:`ModelGraph`.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
        A Sequential (built or not), Functional or subclassed model, or one layer.
    expand_nested : bool, default False
        Show the layers of nested models, each with ``parent`` set to the id of its
        model, and edges re-targeted to the real inner layers. When False a nested
        model is one node.

    Returns
    -------
    ModelGraph

    Raises
    ------
    TypeError
        If ``model`` is not a Keras 3 model or layer.

    Examples
    --------
    >>> import keras
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> g = graph_of(m)
    >>> [n.id for n in g.nodes]
    ['input_layer', 'dense']
    """
    _check_model(model)
    return _Reader(expand_nested).read(model)


def graph_and_layers(
    model: Any, *, expand_nested: bool = False
) -> tuple[ModelGraph, dict[str, Any]]:
    """:func:`graph_of`, and the layer (or op) object behind each node id.

    The reader is the one place that makes node ids, so it is the one that knows
    which object each stands for: the inspector's weight statistics look layers up
    here, never by parsing an id (``mid/deep/deep_dense``, ``dense#2``).

    Examples
    --------
    >>> import keras
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])
    >>> graph, layers = graph_and_layers(m)
    >>> layers["d"] is m.layers[-1]
    True
    """
    _check_model(model)
    reader = _Reader(expand_nested)
    graph = reader.read(model)
    return graph, {n.id: reader.objects[n.id] for n in graph.nodes}


#: The reason on the inner node of a layer whose call() calls the layer itself.
RECURSIVE = (
    "It calls itself (a recursive layer): its wiring is shown once, at the "
    "outer call, not again inside it."
)

#: The public function the user called, named in the error for a bad model; set by
#: the outermost :func:`entry_point` (``show()`` calls the reader, but the user
#: called ``show()``).
_CALLER: ContextVar[str | None] = ContextVar("kerasviz_caller", default=None)

_F = TypeVar("_F", bound=Callable[..., Any])


@contextlib.contextmanager
def calling(name: str) -> Iterator[None]:
    """Within this block a bad-model error names ``name`` (unless an outer one did)."""
    if _CALLER.get() is not None:
        yield
        return
    token = _CALLER.set(name)
    try:
        yield
    finally:
        _CALLER.reset(token)


def entry_point(name: str) -> Callable[[_F], _F]:
    """Mark a public function: a bad-model error inside it names ``name``."""

    def decorate(fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with calling(name):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _check_model(obj: Any) -> None:
    """Raise a clear TypeError unless ``obj`` is a Keras 3 layer or model."""
    mods = [getattr(c, "__module__", "") or "" for c in type(obj).__mro__]
    # Keras first: on the torch backend a Keras 3 layer is also a torch.nn.Module.
    if any(m.startswith("keras.") for m in mods):
        keras = compat.keras_module()
        if isinstance(obj, keras.Operation):
            return
        hint = _stale_keras_hint(mods, keras.backend.backend())
    else:
        hint = ""
    hint = hint or _foreign_hint(obj, mods)
    caller = _CALLER.get() or "graph_of()"
    raise TypeError(
        f"{caller} expects a Keras 3 model or layer (`keras.Model`, "
        f"`keras.Sequential` or `keras.layers.Layer`).{hint} "
        f"Received: model={_short_repr(obj)} of type {type(obj).__module__}."
        f"{type(obj).__qualname__}"
    )


def _stale_keras_hint(mods: list[str], now: str) -> str:
    """Why a Keras class is no longer Keras's: built on another backend, or by an
    earlier import of Keras (``set_backend()`` reloads it); "" if neither shows."""
    built_on = _backend_of(mods)
    if built_on is None:
        return ""
    if built_on == now:
        return (
            " This model was built by an earlier import of Keras: "
            "`keras.config.set_backend()` (or a reload of Keras) was called after "
            "it was built, and its classes are no longer Keras's. Run the code "
            "that builds the model again, or restart the kernel."
        )
    return (
        f" This model was built when Keras ran on the {built_on} backend, and "
        f"Keras now runs on {now} (`keras.config.set_backend()` was called, or "
        "Keras was imported again, after the model was built). Keras objects "
        "do not move between backends: run the code that builds the model "
        "again after switching, or restart the kernel with the backend you "
        "want (KERAS_BACKEND)."
    )


def _foreign_hint(obj: Any, mods: list[str]) -> str:
    """What ``obj`` is instead of a Keras 3 model, when that can be told."""
    if any(
        m.startswith("tf_keras") or m.startswith("tensorflow.python.keras")
        for m in mods
    ):
        return (
            " This is a Keras 2 model (the `tf_keras` package); kerasviz reads Keras 3 "
            "models. Build it with `import keras` (Keras 3) instead of `tf_keras` or "
            "`tf.keras` with TF_USE_LEGACY_KERAS=1."
        )
    if any(m.startswith("torch") for m in mods):
        return (
            " This is a PyTorch module; kerasviz reads Keras models. A Keras 3 model "
            "can run on the torch backend (KERAS_BACKEND=torch)."
        )
    if obj is None:
        return " Did a function that should return the model return nothing?"
    if isinstance(obj, str):
        return (
            " To show a model by its variable name, use the `%kerasviz NAME` magic; "
            "in Python pass the model object itself."
        )
    return ""


#: The backends Keras keeps classes for under keras.src.backend.<name>.
_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")


def _backend_of(mods: list[str]) -> str | None:
    """The backend a Keras class was made for, from its MRO's modules
    (``keras.src.backend.tensorflow.trainer``...), or None."""
    for m in mods:
        parts = m.split(".")
        backend = parts[3] if len(parts) > 3 else None
        if parts[:3] == ["keras", "src", "backend"] and backend in _BACKENDS:
            return backend
    return None


def _short_repr(obj: Any) -> str:
    try:
        r = repr(obj)
    except Exception:
        r = object.__repr__(obj)
    return r if len(r) <= 80 else r[:77] + "..."


def _shape(shape: Any) -> list[int | None] | None:
    if shape is None:
        return None
    try:
        return [None if d is None else int(d) for d in shape]
    except TypeError:
        return None


def _dtype(x: Any) -> str | None:
    d = getattr(x, "dtype", None)
    if d is None:
        return None
    return d if isinstance(d, str) else str(getattr(d, "name", d))


class _Reader:
    """One read of one model; holds the nodes and edges found so far."""

    def __init__(self, expand_nested: bool) -> None:
        self.expand = expand_nested
        self.nodes: list[LayerNode] = []
        self.edges: list[GraphEdge] = []
        self.raw_configs: dict[str, tuple[type, dict[str, Any]]] = {}
        self._ids: dict[tuple[str | None, int], str] = {}
        self._taken: set[str] = set()
        #: node id → the layer or op it stands for
        self.objects: dict[str, Any] = {}
        self._calls: dict[tuple[int, int], list[int]] = {}
        #: id(op) → its inner graph (a nested Functional, or a traced call()), or
        #: None; and the trace verdict of each custom layer read so far
        self._inner: dict[int, Any] = {}
        self._traces: dict[int, TraceInfo] = {}
        self._tracer = Tracer()
        #: ids of nodes never opened (a recursive layer's inner call of itself)
        self._leaves: set[str] = set()

    # ---- the model as a whole -------------------------------------------------
    def read(self, model: Any) -> ModelGraph:
        # Every node a trace adds is read before the tracer takes it away again.
        with collector_paused(), self._tracer:
            return self._read(model)

    def _read(self, model: Any) -> ModelGraph:
        keras = compat.keras_module()
        fn = compat.graph_owner(model)
        model_trace = None
        if (
            fn is None
            and isinstance(model, keras.Model)
            and is_custom_class(type(model))
        ):
            fn, model_trace = self._trace(model, None)
        if fn is not None:
            if model_trace is not None:
                api = "subclassed"
            elif isinstance(model, keras.Sequential):
                api = "sequential"
            else:
                api = "functional"
            self._read_graph(fn)
            inputs = [self._history_id(t, None) for t in compat.flatten(fn.inputs)]
            outputs = [
                self._resolve_source(t, None, fn)[0] for t in compat.flatten(fn.outputs)
            ]
            in_shapes = [
                _shape(self._tracer.shape_of(t)) for t in compat.flatten(fn.inputs)
            ]
            out_shapes = [
                _shape(self._tracer.shape_of(t)) for t in compat.flatten(fn.outputs)
            ]
        else:
            if isinstance(model, keras.Sequential):
                api = "sequential"
                self._read_unbuilt_sequential(model)
            elif isinstance(model, keras.Model):
                api = "subclassed"
                self._read_opaque_model(model)
            else:
                api = "layer"
                self.nodes.append(self._node(model, None, compat.inbound_nodes(model)))
            inputs, outputs, in_shapes, out_shapes = [], [], [], []
        info = ModelInfo(
            name=model.name,
            class_name=type(model).__name__,
            api=api,
            built=bool(getattr(model, "built", False)),
            params=_param_counts(model),
            inputs=inputs,
            outputs=outputs,
            input_shapes=in_shapes,
            output_shapes=out_shapes,
            expand_nested=self.expand,
            trace=model_trace,
        )
        nodes, defaults = self._apply_defaults()
        return ModelGraph(
            model=info, nodes=nodes, edges=self.edges, config_defaults=defaults
        )

    def _read_unbuilt_sequential(self, model: Any) -> None:
        prev = None
        for layer in model.layers:
            node = self._node(layer, None, [])
            self.nodes.append(node)
            if prev is not None:
                self.edges.append(GraphEdge(prev, node.id, None, None))
            prev = node.id

    def _read_opaque_model(self, model: Any) -> None:
        """A model with no graph: one node, its direct sublayers as children."""
        top = self._node(model, None, compat.inbound_nodes(model))
        self.nodes.append(top)
        for layer in model.layers:
            self.nodes.append(self._node(layer, top.id, compat.inbound_nodes(layer)))

    # ---- graphs -------------------------------------------------------------
    def _read_graph(self, fn: Any) -> None:
        """Walk a Functional graph and, when expanding, its nested graphs.

        An explicit stack of iterators keeps the walk iterative, and lists every
        inner node right after the node of the model (or traced layer) that holds
        it. A nested graph is a nested Functional model's, or the traced ``call()``
        of a custom layer or subclassed model (:mod:`kerasviz.graph.trace`).
        """
        stack: list[tuple[Any, Any, str | None, int | None]] = [
            (fn, iter(fn.operations), None, None)
        ]
        while stack:
            graph, ops, parent, _ = stack[-1]
            op = next(ops, None)
            if op is None:
                stack.pop()
                continue
            calls = self._calls_in(graph, op)
            graph_nodes = [graph_node for _, graph_node in calls]
            recursive = any(owner == id(op) for *_, owner in stack)
            inner = (
                self._inner_graph(op, graph_nodes[0] if graph_nodes else None)
                if self.expand and not recursive
                else None
            )
            node = self._node(op, parent, graph_nodes)
            if recursive:
                # A layer whose call() calls the layer itself: open it once only.
                node = _replace(node, trace=TraceInfo(False, RECURSIVE))
                self._leaves.add(node.id)
            self.nodes.append(node)
            for call_index, (_, graph_node) in enumerate(calls):
                self._add_edges(graph, op, call_index, graph_node, parent)
            if inner is not None:
                stack.append((inner, iter(inner.operations), node.id, id(op)))
            elif (
                self.expand
                and not recursive
                and (node.kind == "model" or node.trace is not None)
            ):
                # No wiring to show (untraceable call, subclassed model): at least
                # what it is made of.
                for layer in _sublayers(op):
                    self.nodes.append(
                        self._node(layer, node.id, compat.inbound_nodes(layer))
                    )

    def _inner_graph(self, op: Any, call_node: Any) -> Any | None:
        """The graph inside ``op`` when expanding: a nested Functional's own, or
        its traced ``call()`` (custom layers, subclassed models), else None."""
        key = id(op)
        if key in self._inner:
            return self._inner[key]
        if call_node is None:
            nodes = compat.inbound_nodes(op)
            call_node = nodes[0] if nodes else None
        inner = compat.graph_owner(op) if kind_of_class(type(op)) == "model" else None
        if inner is None and is_custom_class(type(op)):
            inner, _ = self._trace(op, call_node)
        self._inner[key] = inner
        return inner

    def _trace(self, op: Any, call_node: Any) -> tuple[Any | None, TraceInfo | None]:
        """Trace ``op``'s call(): its graph (or None) and the verdict for the JSON."""
        try:
            t = self._tracer.trace(op, call_node)
        except TraceError as e:
            info = TraceInfo(False, f"Its wiring is not shown: {e}.")
            self._traces[id(op)] = info
            return None, info
        fn = t.function
        inner_ops = [o for o in fn.operations if type(o).__name__ != "InputLayer"]
        if len(inner_ops) < 2 and not isinstance(op, compat.keras_module().Model):
            # One op inside (a thin wrapper of a Keras layer): nothing to open.
            return None, None
        info = TraceInfo(True, None)
        self._traces[id(op)] = info
        self._inner[id(op)] = fn
        return fn, info

    def _calls_in(self, graph: Any, op: Any) -> list[tuple[int, Any]]:
        """The calls of ``op`` that belong to ``graph``: (raw node index, node)."""
        keys = compat.node_keys(graph)
        calls = [
            (i, n)
            for i, n in enumerate(compat.inbound_nodes(op))
            if compat.node_key(op, i) in keys
        ]
        self._calls[(id(graph), id(op))] = [i for i, _ in calls]
        return calls

    def _call_index(self, graph: Any, op: Any, node_index: int) -> int:
        indices = self._calls.get((id(graph), id(op)))
        if indices is None:
            indices = [i for i, _ in self._calls_in(graph, op)]
        return indices.index(node_index) if node_index in indices else node_index

    def _add_edges(
        self, graph: Any, op: Any, call_index: int, graph_node: Any, parent: str | None
    ) -> None:
        inputs, _ = compat.call_tensors(graph_node)
        target_id = self._id(parent, op)
        for arg, tensor in enumerate(inputs):
            source, out, source_call = self._resolve_source(tensor, parent, graph)
            target, target_arg, target_call = self._resolve_target(
                op, target_id, arg, call_index
            )
            self.edges.append(
                GraphEdge(
                    source=source,
                    target=target,
                    shape=_shape(self._tracer.shape_of(tensor)),
                    dtype=_dtype(tensor),
                    source_output=out,
                    source_call=source_call,
                    target_arg=target_arg,
                    target_call=target_call,
                )
            )

    # ---- where an edge really starts and ends --------------------------------
    def _resolve_source(
        self, tensor: Any, parent: str | None, graph: Any
    ) -> tuple[str, int, int]:
        """Node id, output index and call index of the producer of ``tensor``.

        When nested models are expanded, an edge out of a model continues at the
        inner layer that made that model output (repeatedly, for deeper nesting).
        """
        hist = compat.history(tensor)
        if hist is None:
            return "?", 0, 0
        op, node_index, out = hist
        while self.expand and self._id(parent, op) not in self._leaves:
            inner = self._inner_graph(op, None)
            if inner is None:
                break
            parent = self._id(parent, op)
            graph = inner
            hist = compat.history(compat.flatten(inner.outputs)[out])
            if hist is None:
                break
            op, node_index, out = hist
        return self._id(parent, op), out, self._call_index(graph, op, node_index)

    def _history_id(self, tensor: Any, parent: str | None) -> str:
        hist = compat.history(tensor)
        return "?" if hist is None else self._id(parent, hist[0])

    def _resolve_target(
        self, op: Any, target_id: str, arg: int, call: int
    ) -> tuple[str, int, int]:
        """Where argument ``arg`` of ``op`` really goes: inside an expanded model, to
        the InputLayer of that model's input ``arg``."""
        while self.expand and target_id not in self._leaves:
            inner = self._inner_graph(op, None)
            if inner is None:
                break
            flat_inputs = compat.flatten(inner.inputs)
            if arg >= len(flat_inputs):
                break
            hist = compat.history(flat_inputs[arg])
            if hist is None:
                break
            op, arg, call = hist[0], 0, 0
            target_id = self._id(target_id, op)
        return target_id, arg, call

    def _id(self, parent: str | None, op: Any) -> str:
        """A unique, path-qualified id for ``op`` inside ``parent`` (stable per read)."""
        key = (parent, id(op))
        found = self._ids.get(key)
        if found is not None:
            return found
        base = str(op.name) if parent is None else f"{parent}/{op.name}"
        new, n = base, 1
        while new in self._taken:
            n += 1
            new = f"{base}#{n}"
        self._ids[key] = new
        self._taken.add(new)
        self.objects[new] = op
        return new

    # ---- one node -----------------------------------------------------------
    def _node(self, op: Any, parent: str | None, graph_nodes: list[Any]) -> LayerNode:
        cls = type(op)
        kind = kind_of_class(cls)
        node_id = self._id(parent, op)
        calls = []
        for gn in graph_nodes:
            ins, outs = compat.call_tensors(gn)
            calls.append(
                Call(
                    input_shapes=[_shape(self._tracer.shape_of(t)) for t in ins],
                    output_shapes=[_shape(self._tracer.shape_of(t)) for t in outs],
                )
            )
        config, error = self._config(op, kind)
        if config is not None and kind != "model":
            self.raw_configs[node_id] = (cls, config)
        is_model = kind == "model"
        weights = [
            Weight(
                name=str(w.path if is_model else w.name),
                shape=list(compat.variable_shape(w)),
                dtype=_dtype(w) or "?",
                trainable=bool(w.trainable),
            )
            for w in getattr(op, "weights", ())
        ]
        dtype = _dtype(op)
        if dtype is None and graph_nodes:
            outs = compat.call_tensors(graph_nodes[0])[1]
            dtype = _dtype(outs[0]) if outs else None
        return LayerNode(
            id=node_id,
            name=str(op.name),
            class_name=cls.__name__,
            module=public_module(cls),
            kind=kind,
            parent=parent,
            params=_param_counts(op),
            calls=calls,
            dtype=dtype,
            weights=weights,
            config=config,
            error=error,
            trace=self._traces.get(id(op)),
            sources=sources_of(op),
        )

    @staticmethod
    def _config(op: Any, kind: str) -> tuple[dict[str, Any] | None, str | None]:
        if kind == "model":
            # A nested model's get_config() repeats every inner layer's config.
            return {"trainable": bool(op.trainable)}, None
        if kind == "op":
            return {}, None
        try:
            raw = op.get_config()
        except Exception as e:
            return None, f"get_config() raised {type(e).__name__}: {e}"
        config = jsonable_fast(raw)
        if not isinstance(config, dict):
            return None, f"get_config() returned {type(raw).__name__}, not a dict"
        config.pop("name", None)  # LayerNode.name holds it
        return config, None

    def _apply_defaults(self) -> tuple[list[LayerNode], dict[str, dict[str, Any]]]:
        """Split each config into class defaults (once per class) and its own entries."""
        defaults: dict[str, dict[str, Any]] = {}
        refused: set[str] = set()
        for cls, config in self.raw_configs.values():
            key = f"{public_module(cls)}.{cls.__name__}"
            if key in refused:
                continue
            d = defaults.get(key) or class_defaults(cls, {"name": "", **config})
            if d is None or not set(d) <= set(config):
                refused.add(key)
                defaults.pop(key, None)
            else:
                defaults[key] = d
        nodes = []
        for n in self.nodes:
            raw = self.raw_configs.get(n.id)
            d = defaults.get(n.class_key)
            if raw is not None and d is not None:
                n = _replace_config(n, split_config(raw[1], d))
            nodes.append(n)
        return nodes, defaults


def _sublayers(op: Any) -> list[Any]:
    """The layers ``op`` holds directly (a model's ``layers``, a layer's ``_layers``)."""
    layers = getattr(op, "layers", None)
    if layers is None:
        layers = getattr(op, "_layers", None) or []
    return [layer for layer in layers if layer is not op]


def _replace_config(n: LayerNode, config: dict[str, Any]) -> LayerNode:
    return _replace(n, config=config)


def _replace(n: LayerNode, **changes: Any) -> LayerNode:
    from dataclasses import replace

    return replace(n, **changes)


def _param_counts(op: Any) -> Params:
    def count(weights: Any) -> int:
        return sum(math.prod(compat.variable_shape(w)) for w in weights)

    try:
        return Params(count(op.trainable_weights), count(op.non_trainable_weights))
    except Exception:
        return Params(0, 0)
