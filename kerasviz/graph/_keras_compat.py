"""The one module that touches private Keras attributes.

Every access below was checked against Keras 3.15.1 (``keras/src/ops/node.py``,
``keras/src/ops/function.py``, ``keras/src/models/sequential.py``). When Keras
changes one of them, this file is the only place to mend.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


def keras_module() -> Any:
    """Import Keras lazily (``import kerasviz`` must stay cheap)."""
    import keras

    return keras


def graph_owner(model: Any) -> Any | None:
    """Return the Functional that holds ``model``'s graph, or None.

    A built Sequential owns a private Functional (``_functional``, Keras 3.15.1)
    whose InputLayer ``Sequential.layers`` hides; before its input shape is known
    that attribute is None and there is no graph, only the order of ``.layers``.
    """
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    if isinstance(model, Sequential):
        return getattr(model, "_functional", None)
    if isinstance(model, Functional):
        return model
    return None


def node_keys(functional: Any) -> set[str]:
    """Keys of the call nodes that belong to this graph (``Function._nodes``).

    A layer shared with another model also carries that model's nodes in
    ``_inbound_nodes``; only the ones whose key is here are this graph's.
    """
    return functional._nodes  # type: ignore[no-any-return]


def inbound_nodes(op: Any) -> list[Any]:
    """Every symbolic call of ``op`` (``Operation._inbound_nodes``, Keras 3.15.1)."""
    return list(getattr(op, "_inbound_nodes", ()))


def node_key(op: Any, node_index: int) -> str:
    """The key Keras uses in ``Function._nodes`` (``function.make_node_key``)."""
    return f"{id(op)}_ib-{node_index}"


def history(tensor: Any) -> tuple[Any, int, int] | None:
    """``(operation, node_index, tensor_index)`` that produced a KerasTensor.

    ``KerasTensor._keras_history`` (Keras 3.15.1) names the producer, which of its
    calls made the tensor and which of that call's flat outputs it is.
    """
    h = getattr(tensor, "_keras_history", None)
    if h is None:
        return None
    return h[0], int(h[1]), int(h[2])


def call_tensors(node: Any) -> tuple[list[Any], list[Any]]:
    """Flat symbolic inputs and outputs of one call node (public on ``Node``)."""
    return list(node.input_tensors), list(node.output_tensors)


def variable_shape(variable: Any) -> tuple[int, ...]:
    """A variable's shape as a tuple of ints.

    ``KerasVariable._shape`` (Keras 3.15.1) is the plain tuple behind ``.shape``; the
    TensorFlow backend wraps ``.shape`` in a ``tf.TensorShape``, which costs ~10 µs a
    call on graphs of thousands of variables.
    """
    shape = getattr(variable, "_shape", None)
    if shape is None:
        shape = variable.shape
    return tuple(int(d) for d in shape)


def calls_in(graph: Any, op: Any) -> list[Any]:
    """The call nodes of ``op`` that belong to ``graph`` (a Functional), in order."""
    keys = node_keys(graph)
    return [n for i, n in enumerate(inbound_nodes(op)) if node_key(op, i) in keys]


def call_arguments(node: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The positional and keyword arguments of one call, KerasTensors in place.

    ``Node.arguments`` is a ``SymbolicArguments`` with ``.args`` and ``.kwargs``
    (Keras 3.15.1, ``keras/src/ops/symbolic_arguments.py``).
    """
    arguments = node.arguments
    return tuple(arguments.args), dict(arguments.kwargs)


def flatten(structure: Any) -> list[Any]:
    """A model's (possibly nested) inputs or outputs as a flat list (``keras.tree``)."""
    return list(keras_module().tree.flatten(structure))


def operations(model: Any) -> list[Any]:
    """A model's operations: its graph's (InputLayers and raw ops included) when it
    has one, else its tracked sublayers (unbuilt Sequential, subclassed model)."""
    owner = graph_owner(model)
    return (
        list(owner.operations)
        if owner is not None
        else list(getattr(model, "layers", []))
    )


# ---- tracing a call() (kerasviz/graph/trace.py) ------------------------------------
def graph_owner_class(cls: type) -> Any | None:
    """Functional or Sequential, if ``cls`` is (a subclass of) one, else None."""
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    for base in (Sequential, Functional):
        if issubclass(cls, base):
            return base
    return None


def is_keras_tensor(x: Any) -> bool:
    """A symbolic tensor (``keras.KerasTensor``)."""
    return isinstance(x, keras_module().KerasTensor)


def all_layers(layer: Any) -> list[Any]:
    """``layer`` and every layer tracked under it (``Layer._flatten_layers``)."""
    try:
        return list(layer._flatten_layers(include_self=True, recursive=True))
    except Exception:
        return [layer]


def node_counts(op: Any) -> tuple[int, int]:
    """How many call nodes ``op`` has as callee and as producer of an input."""
    return len(getattr(op, "_inbound_nodes", ())), len(
        getattr(op, "_outbound_nodes", ())
    )


def truncate_nodes(op: Any, n_in: int, n_out: int) -> None:
    """Drop the nodes added to ``op`` after :func:`node_counts` gave these lengths."""
    for attr, n in (("_inbound_nodes", n_in), ("_outbound_nodes", n_out)):
        nodes = getattr(op, attr, None)
        if isinstance(nodes, list) and len(nodes) > n:
            del nodes[n:]


def name_uids_snapshot() -> dict[str, int]:
    """A copy of Keras's automatic-name counters (``naming.uniquify``'s global
    ``object_name_uids``, Keras 3.15.1): a trace makes ops and inputs, which count."""
    from keras.src.backend.common import global_state

    uids = global_state.get_global_attribute("object_name_uids")
    return dict(uids) if uids is not None else {}


def name_uids_restore(snapshot: dict[str, int]) -> None:
    """Put the counters back as :func:`name_uids_snapshot` found them."""
    import collections

    from keras.src.backend.common import global_state

    uids = global_state.get_global_attribute("object_name_uids")
    if uids is None:
        return
    restored = collections.defaultdict(int, snapshot)
    uids.clear()
    uids.update(restored)


def make_function(inputs: list[Any], outputs: list[Any]) -> Any:
    """A Keras ``Function`` over a traced graph (``keras.src.ops.function``); it
    has ``operations``, ``inputs``, ``outputs`` and ``_nodes`` like a Functional."""
    from keras.src.ops.function import Function

    return Function(inputs, outputs)


def build_shapes(layer: Any) -> dict[str, Any]:
    """The shapes a layer was built with (``Layer._build_shapes_dict``: build()'s
    arguments by name, Keras 3.15.1), or {}."""
    shapes = getattr(layer, "_build_shapes_dict", None)
    return dict(shapes) if isinstance(shapes, dict) else {}


def map_shapes(fn: Any, structure: Any) -> Any:
    """Apply ``fn`` to each shape (a tuple of dims) in a nested structure of shapes."""
    return keras_module().tree.map_shape_structure(fn, structure)


@contextlib.contextmanager
def tracing_calls(
    sublayers: set[int], on_constant: Callable[[Any, Any], Any]
) -> Iterator[None]:
    """Patch ``Layer`` for the length of one trace of a ``call()``.

    - A layer called on KerasTensors whose own ``compute_output_spec`` rejects an
      argument its ``call()`` takes falls back to Keras's generic spec (``call()``
      run on backend placeholders). KerasHub's ``CachedMultiHeadAttention`` adds
      ``cache=`` to ``call()`` but keeps ``MultiHeadAttention.compute_output_spec``:
      inside a model Keras never asks it, a trace does (``Layer.symbolic_call``,
      Keras 3.15.1).
    - A sublayer (``id`` in ``sublayers``) called on constants only (keras.io's
      position embeddings: ``self.pos(ops.arange(n))``) would run eagerly and
      leave no node: each backend tensor among its arguments is swapped for
      ``on_constant(layer, tensor)`` (a placeholder) so that it records one.
    - Variable writes (a SeedGenerator's state, moving statistics) go to a
      ``StatelessScope`` and are dropped: a trace changes no state.
    """
    from keras.src.backend.common.stateless_scope import StatelessScope
    from keras.src.backend.common.symbolic_scope import in_symbolic_scope
    from keras.src.layers.layer import Layer
    from keras.src.ops.operation import Operation

    keras = keras_module()
    original_symbolic = Layer.symbolic_call
    original_call = Layer.__call__

    def symbolic_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original_symbolic(self, *args, **kwargs)
        except TypeError as e:
            if "unexpected keyword argument" not in str(e):
                raise
            return Operation.compute_output_spec(self, *args, **kwargs)

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Not inside Keras's own shape inference (``SymbolicScope``): there the
        # backend tensors are placeholders of its own, not constants.
        if id(self) in sublayers and not in_symbolic_scope():
            flat = keras.tree.flatten((args, kwargs))
            if not any(is_keras_tensor(x) for x in flat) and any(
                keras.ops.is_tensor(x) for x in flat
            ):
                args, kwargs = keras.tree.map_structure(
                    lambda x: on_constant(self, x) if keras.ops.is_tensor(x) else x,
                    (args, kwargs),
                )
        return original_call(self, *args, **kwargs)

    Layer.symbolic_call = symbolic_call  # type: ignore[method-assign]
    Layer.__call__ = call  # type: ignore[method-assign]
    try:
        with StatelessScope():
            yield
    finally:
        Layer.symbolic_call = original_symbolic  # type: ignore[method-assign]
        Layer.__call__ = original_call  # type: ignore[method-assign]


def dtype_name(x: Any) -> str:
    """A tensor's dtype as Keras names it (``float32``), on any backend."""
    return str(keras_module().backend.standardize_dtype(x.dtype))


# ---- watching construction (kerasviz.construction) -----------------------------


class ConstructionHooks:
    """What :func:`watching_construction` reports; every method may be overridden.

    Only the outermost Keras call reports: the layer calls inside a Sequential's
    rebuild, a Functional's constructor (a KerasHub backbone) or another layer's
    ``call()`` are part of that one step.
    """

    paused = False  #: True while kerasviz itself builds (a partial graph): no reports

    def input_made(self, layer: Any) -> None:
        """``keras.Input(...)`` / ``InputLayer(...)`` made ``layer``."""

    def called(self, op: Any, args: Any, kwargs: Any, outputs: Any) -> None:
        """A layer or ``keras.ops`` call on KerasTensors returned ``outputs``."""

    def call_failed(
        self, op: Any, args: Any, kwargs: Any, error: BaseException
    ) -> None:
        """A layer or ``keras.ops`` call on KerasTensors raised ``error``."""

    def sequential_made(self, model: Any, layers: list[Any]) -> None:
        """``Sequential(layers)`` finished (``layers`` as given, maybe none)."""

    def added(self, model: Any, layer: Any) -> None:
        """``model.add(layer)`` finished."""

    def add_failed(self, model: Any, layer: Any, error: BaseException) -> None:
        """``model.add(layer)`` (or ``Sequential([...])``) raised ``error``."""

    def functional_made(self, model: Any) -> None:
        """``keras.Model(inputs=..., outputs=...)`` (any Functional) finished."""


@contextlib.contextmanager
def watching_construction(hooks: ConstructionHooks) -> Iterator[None]:
    """Report model construction to ``hooks`` while the block runs.

    Patches (Keras 3.15.1): ``Operation.__call__``, ``Operation.symbolic_call``
    (what ``keras.ops`` functions call) and ``Layer.__call__`` (layer calls;
    Layer's calls Operation's), ``InputLayer.__init__``,
    ``Sequential.__init__`` / ``Sequential.add`` and ``Functional.__init__``. A
    depth counter keeps the calls inside a reported call quiet. Everything is put
    back on exit, also when the block raises.
    """
    from keras.src.layers.core.input_layer import InputLayer
    from keras.src.layers.layer import Layer
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential
    from keras.src.ops.operation import Operation

    originals = {
        (Operation, "__call__"): Operation.__call__,
        (Operation, "symbolic_call"): Operation.symbolic_call,
        (Layer, "__call__"): Layer.__call__,
        (InputLayer, "__init__"): InputLayer.__init__,
        (Sequential, "__init__"): Sequential.__init__,
        (Sequential, "add"): Sequential.add,
        (Functional, "__init__"): Functional.__init__,
    }
    depth = [0]

    def quiet() -> bool:
        return depth[0] > 0 or hooks.paused

    def wrap_call(original: Callable[..., Any]) -> Callable[..., Any]:
        def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
            if quiet() or not any(is_keras_tensor(x) for x in flatten((args, kwargs))):
                depth[0] += 1
                try:
                    return original(self, *args, **kwargs)
                finally:
                    depth[0] -= 1
            depth[0] += 1
            try:
                outputs = original(self, *args, **kwargs)
            except BaseException as e:
                depth[0] -= 1
                hooks.call_failed(self, args, kwargs, e)
                raise
            depth[0] -= 1
            hooks.called(self, args, kwargs, outputs)
            return outputs

        return __call__

    def input_init(self: Any, *args: Any, **kwargs: Any) -> None:
        report = not quiet()
        depth[0] += 1
        try:
            originals[(InputLayer, "__init__")](self, *args, **kwargs)
        finally:
            depth[0] -= 1
        if report:
            hooks.input_made(self)

    def sequential_init(
        self: Any, layers: Any = None, *args: Any, **kwargs: Any
    ) -> None:
        report = not quiet()
        depth[0] += 1
        try:
            originals[(Sequential, "__init__")](self, layers, *args, **kwargs)
        except BaseException as e:
            depth[0] -= 1
            if report:
                hooks.add_failed(self, None, e)
            raise
        depth[0] -= 1
        if report:
            hooks.sequential_made(self, list(layers or []))

    def sequential_add(self: Any, layer: Any, *args: Any, **kwargs: Any) -> None:
        report = not quiet()
        depth[0] += 1
        try:
            originals[(Sequential, "add")](self, layer, *args, **kwargs)
        except BaseException as e:
            depth[0] -= 1
            if report:
                hooks.add_failed(self, layer, e)
            raise
        depth[0] -= 1
        if report:
            hooks.added(self, layer)

    def functional_init(self: Any, *args: Any, **kwargs: Any) -> None:
        report = not quiet()
        depth[0] += 1
        try:
            originals[(Functional, "__init__")](self, *args, **kwargs)
        finally:
            depth[0] -= 1
        # A Sequential's own Functional is made inside add(): quiet already.
        if report:
            hooks.functional_made(self)

    patched = {
        (Operation, "__call__"): wrap_call(originals[(Operation, "__call__")]),
        # keras.ops functions call symbolic_call directly (ops/numpy.py): a
        # layer's own symbolic_call runs inside its __call__, quiet
        (Operation, "symbolic_call"): wrap_call(
            originals[(Operation, "symbolic_call")]
        ),
        (Layer, "__call__"): wrap_call(originals[(Layer, "__call__")]),
        (InputLayer, "__init__"): input_init,
        (Sequential, "__init__"): sequential_init,
        (Sequential, "add"): sequential_add,
        (Functional, "__init__"): functional_init,
    }
    for (cls, attr), fn in patched.items():
        setattr(cls, attr, fn)
    try:
        yield
    finally:
        for (cls, attr), fn in originals.items():
            setattr(cls, attr, fn)


def input_tensors_behind(tensors: list[Any]) -> list[Any]:
    """The ``keras.Input`` tensors the given KerasTensors were computed from, in
    the order first met (``_keras_history`` → ``Node.input_tensors``, Keras 3.15.1)."""
    from keras.src.layers.core.input_layer import InputLayer

    found: list[Any] = []
    seen: set[int] = set()
    stack = list(reversed(tensors))
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        h = history(t)
        if h is None:
            continue
        op, node_index, _ = h
        if isinstance(op, InputLayer):
            found.append(t)
            continue
        nodes = inbound_nodes(op)
        if node_index < len(nodes):
            stack.extend(reversed(list(nodes[node_index].input_tensors)))
    return found


def producer(tensor: Any) -> Any | None:
    """The operation whose call made this KerasTensor (``_keras_history``), or None."""
    h = history(tensor)
    return None if h is None else h[0]


def sequential_layers(model: Any) -> list[Any]:
    """A Sequential's own layer list, its InputLayer first when it has one
    (``Sequential._layers``; ``.layers`` hides the InputLayer, Keras 3.15.1)."""
    return list(getattr(model, "_layers", None) or [])


def input_shape_arg(layer: Any) -> tuple[Any, ...] | None:
    """The ``input_shape=`` (or ``(input_dim,)``) a layer was made with, or None.

    ``Layer.__init__`` keeps it as ``layer._input_shape_arg`` only when one was
    given (Keras 3.15.1, ``keras/src/layers/layer.py``); Sequential reads it to
    create its InputLayer.
    """
    shape = getattr(layer, "_input_shape_arg", None)
    return tuple(shape) if shape is not None else None


def plumbing_dirs() -> tuple[str, ...]:
    """Directories of Keras's layer, op and backend code (``keras/src/layers``,
    ``ops``, ``backend``, ``utils``; Keras 3.15.1): the frames between a user's
    line and a construction hook (``keras.Input``, ``layers.concatenate``,
    ``keras.ops.mean``) that say nothing about who asked. ``keras/src/applications``
    and ``models`` are not among them: a call from there was made by a library
    function (``MobileNetV2()``), not by the user's line."""
    import os

    import keras.src as src

    root = os.path.dirname(os.path.abspath(src.__file__))
    return tuple(
        os.path.join(root, part) + os.sep
        for part in ("layers", "ops", "backend", "utils", "tree")
    )
