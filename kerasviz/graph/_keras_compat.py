"""The one module that touches private Keras attributes.

Every access below was checked against Keras 3.15.1 (``keras/src/ops/node.py``,
``keras/src/ops/function.py``, ``keras/src/models/sequential.py``). When Keras
changes one of them, this file is the only place to mend.
"""

from __future__ import annotations

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
