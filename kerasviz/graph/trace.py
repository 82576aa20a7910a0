"""See inside custom layers and subclassed models: trace their ``call()``.

Keras records the wiring of a Functional model as it is built, but not the wiring
inside a layer's (or a subclassed model's) ``call()``: that lives in Python code.
Calling ``call()`` itself — not the layer, which would add one node — with
symbolic :class:`keras.KerasTensor` inputs makes every sublayer and ``keras.ops``
call inside it record a node, exactly as when a Functional model is built. The
nodes are read like a nested Functional model's, and then taken away again: a
trace leaves the model as it found it (no weights are made, no state changes, no
node is left on a layer, Keras's automatic names keep counting where they were).

Tracing runs no real data. It fails, with a reason in plain words, where the code
needs values (``if`` on a tensor), uses backend-specific functions that reject
symbolic tensors, or calls itself; the reader then lists the sublayers instead.

Examples
--------
>>> import keras
>>> class Block(keras.layers.Layer):
...     def __init__(self, **kw):
...         super().__init__(**kw)
...         self.a, self.b = keras.layers.Dense(4), keras.layers.Dense(4)
...     def call(self, x):
...         return x + self.b(keras.ops.relu(self.a(x)))
>>> x = keras.Input((4,))
>>> m = keras.Model(x, Block(name="block")(x))
>>> with Tracer() as tracer:
...     t = tracer.trace(m.get_layer("block"))
...     [type(op).__name__ for op in t.function.operations]
['InputLayer', 'Dense', 'Relu', 'Dense', 'Add']
>>> len(m.get_layer("block").a._inbound_nodes)  # taken away again
0
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import _keras_compat as compat

#: Stand-in sizes for unknown dimensions (batch, any other), used when a ``call()``
#: needs sizes to compute with (``ops.shape(x)[1]`` into a slice or a reshape, as
#: most KerasHub layers do). The call is traced twice, with each pair; a dimension
#: that differs between the two traces is unknown, and is shown as None. Small, so
#: a mask or range made from them stays tiny.
STAND_INS = ((2, 5), (3, 7))


class TraceError(ValueError):
    """A ``call()`` could not be traced; the message says why in plain words."""


@dataclass
class Trace:
    """The traced wiring of one layer's ``call()``.

    ``function`` is a Keras ``Function`` over fresh ``keras.Input`` placeholders
    (``inputs``, the flat list, in the order of the layer's flat call tensors);
    ``args``/``kwargs`` are the call's arguments with those placeholders in place,
    ``outputs`` what ``call()`` returned.
    """

    layer: Any
    function: Any
    inputs: list[Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    outputs: Any


@cache
def is_custom_class(cls: type) -> bool:
    """A layer class written outside Keras (user code, KerasHub, ...), or a
    subclassed ``keras.Model``: the ones whose ``call()`` is worth tracing."""
    keras = compat.keras_module()
    if not issubclass(cls, keras.layers.Layer):
        return False
    if issubclass(cls, keras.Model) and compat.graph_owner_class(cls) is not None:
        return False  # Functional (and Sequential) models carry their graph already
    # Whose call() runs: a subclass of a Keras layer that keeps Keras's call() (a
    # BatchNormalization with another get_config) is still that Keras layer.
    owner = next((c for c in cls.__mro__ if "call" in vars(c)), None)
    return owner is not None and not (owner.__module__ or "").startswith("keras.")


class Tracer:
    """Traces layers and, on exit, takes away every node the traces left.

    Use it as a context manager around the traces *and* the reading of their
    functions: the nodes a trace makes are what the reader walks.
    """

    def __init__(self) -> None:
        #: id(tensor) → its shape with the unknown sizes None again, for the tensors
        #: of traces made with stand-in sizes (kept alive by their functions)
        self.shapes: dict[int, tuple[Any, ...]] = {}
        self._lengths: dict[int, tuple[Any, int, int]] = {}
        self._uids: dict[str, int] | None = None
        self._active: set[int] = set()

    def __enter__(self) -> Tracer:
        self._uids = compat.name_uids_snapshot()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.restore()

    def restore(self) -> None:
        """Truncate every touched layer's node lists; put Keras's name counters back."""
        for op, n_in, n_out in self._lengths.values():
            compat.truncate_nodes(op, n_in, n_out)
        self._lengths.clear()
        if self._uids is not None:
            compat.name_uids_restore(self._uids)

    def shape_of(self, tensor: Any) -> Any:
        """The shape to show for ``tensor``: unknown sizes as None."""
        return self.shapes.get(id(tensor), tensor.shape)

    def _remember(self, op: Any) -> None:
        if id(op) not in self._lengths:
            n_in, n_out = compat.node_counts(op)
            self._lengths[id(op)] = (op, n_in, n_out)

    def trace(self, layer: Any, call_node: Any = None) -> Trace:
        """Trace ``layer.call`` with placeholders shaped like ``call_node``'s inputs
        (a node of one of its symbolic calls), or like the shapes it was built with.

        Raises
        ------
        TraceError
            With the reason in plain words when the call cannot be traced.
        """
        if id(layer) in self._active:
            raise TraceError(
                "its call() calls itself (a recursive layer), so its wiring has no end"
            )
        if not getattr(layer, "built", False):
            raise TraceError(
                "it is not built yet: kerasviz traces call() with the shapes of a "
                "real call; call it once (or use it in a Functional model)"
            )
        for sub in compat.all_layers(layer):
            self._remember(sub)
        weights_before = len(layer.weights)
        # First with the shapes as Keras knows them; if call() needs a size it
        # does not know (None), twice with stand-in sizes.
        sized = None
        try:
            args, kwargs, flat, outputs = self._call(layer, call_node, None)
        except TraceError as first:
            if "None" not in str(first):
                raise
            try:
                args, kwargs, flat, outputs = self._call(layer, call_node, STAND_INS[0])
                sized = self._call(layer, call_node, STAND_INS[1])
            except TraceError:
                raise first from None
        flat_out = compat.flatten(outputs)
        if not flat_out or not all(compat.is_keras_tensor(t) for t in flat_out):
            raise TraceError(
                "its call() returns a value computed without its input tensors (from "
                "their shapes only, or a constant), so there is no wiring to show"
            )
        if len(layer.weights) != weights_before:
            raise TraceError(
                "tracing its call() would create new weights (a sublayer is built "
                "lazily inside call()), and kerasviz never changes the model"
            )
        try:
            fn = compat.make_function(flat, flat_out)
        except Exception as e:
            raise TraceError(_explain(e)) from None
        for op in fn.operations:
            self._remember(op)
        if sized is not None:
            self._learn_unknown_sizes(fn, sized[2], sized[3])
        return Trace(layer, fn, flat, args, kwargs, outputs)

    def _learn_unknown_sizes(self, fn: Any, inputs: list[Any], outputs: Any) -> None:
        """Compare ``fn`` with the same call traced with other stand-in sizes: a
        dimension that differs is unknown (None). Raises TraceError if the two
        traces are not wired alike (then the wiring depends on the sizes)."""
        other = compat.make_function(inputs, compat.flatten(outputs))
        for op in other.operations:
            self._remember(op)
        a_ops, b_ops = list(fn.operations), list(other.operations)
        pairs: list[tuple[Any, Any]] = list(
            zip(compat.flatten(fn.inputs), inputs, strict=True)
        )
        alike = len(a_ops) == len(b_ops)
        for op_a, op_b in zip(a_ops, b_ops, strict=False):
            if not alike or type(op_a) is not type(op_b):
                alike = False
                break
            nodes_a = compat.calls_in(fn, op_a)
            nodes_b = compat.calls_in(other, op_b)
            if len(nodes_a) != len(nodes_b):
                alike = False
                break
            for na, nb in zip(nodes_a, nodes_b, strict=True):
                ins_a, outs_a = compat.call_tensors(na)
                ins_b, outs_b = compat.call_tensors(nb)
                if len(ins_a) != len(ins_b) or len(outs_a) != len(outs_b):
                    alike = False
                    break
                pairs += list(zip(ins_a + outs_a, ins_b + outs_b, strict=True))
        if not alike:
            raise TraceError(
                "its wiring changes with the sizes of its inputs, which are not "
                "known before it runs"
            )
        for ta, tb in pairs:
            sa, sb = tuple(ta.shape), tuple(tb.shape)
            if len(sa) != len(sb):
                raise TraceError(
                    "the rank of its tensors changes with the sizes of its inputs"
                )
            self.shapes[id(ta)] = tuple(
                None if da != db else da for da, db in zip(sa, sb, strict=True)
            )

    def _call(
        self, layer: Any, call_node: Any, sizes: tuple[int, int] | None
    ) -> tuple[tuple[Any, ...], dict[str, Any], list[Any], Any]:
        args, kwargs = _placeholder_arguments(layer, call_node, sizes, self.shape_of)
        flat = [t for t in compat.flatten((args, kwargs)) if compat.is_keras_tensor(t)]
        if not flat:
            raise TraceError("its call() takes no tensor, so there is nothing to trace")
        self._active.add(id(layer))
        constants: list[Any] = []

        def constant(sub: Any, value: Any) -> Any:
            # A placeholder for a constant a sublayer is called on: an input of
            # the trace (no edge reaches it from outside), named after its layer.
            shape = tuple(int(d) for d in value.shape)
            label = f"{sub.name}_constant" + (f"_{len(constants)}" if constants else "")
            placeholder = _input(shape, compat.dtype_name(value), label)
            constants.append(placeholder)
            return placeholder

        sublayers = {id(s) for s in compat.all_layers(layer) if s is not layer}
        try:
            with compat.tracing_calls(sublayers, constant):
                outputs = layer.call(*args, **kwargs)
        except RecursionError:
            raise TraceError(
                "its call() calls itself (a recursive layer), so its wiring has no end"
            ) from None
        except TraceError:
            raise
        except Exception as e:
            raise TraceError(_explain(e)) from None
        finally:
            self._active.discard(id(layer))
        flat = flat + constants
        return args, kwargs, flat, outputs


@contextlib.contextmanager
def traced_functional(model: Any) -> Iterator[Any]:
    """A temporary Functional model wired as ``model``'s ``call()``.

    The Functional shares ``model``'s layers (and so its weights); its inputs keep
    the structure of ``call()``'s tensor arguments (one tensor, a dict, a list...).
    Leaving the block takes away the nodes the trace made.

    Raises
    ------
    TraceError
        When ``model``'s call cannot be traced (the message says why).
    """
    keras = compat.keras_module()
    with Tracer() as tracer:
        t = tracer.trace(model, _first_node(model))
        tensor_args = [
            a
            for a in (*t.args, *t.kwargs.values())
            if any(compat.is_keras_tensor(x) for x in compat.flatten(a))
        ]
        inputs = tensor_args[0] if len(tensor_args) == 1 else tensor_args
        if len(t.inputs) > len(compat.flatten(inputs)):
            raise TraceError(
                "its call() calls a sublayer on constant values (such as "
                "keras.ops.arange(...)), which the traced wiring holds as an extra "
                "input a Functional model would have to be given"
            )
        try:
            fn = keras.Model(inputs=inputs, outputs=t.outputs, name=model.name)
        except Exception as e:
            raise TraceError(_explain(e)) from None
        for op in fn.operations:
            tracer._remember(op)
        yield fn


def _first_node(layer: Any) -> Any:
    nodes = compat.inbound_nodes(layer)
    return nodes[0] if nodes else None


# ---- the placeholders ----------------------------------------------------------
def _placeholder_arguments(
    layer: Any,
    call_node: Any,
    sizes: tuple[int, int] | None = None,
    shape_of: Any = None,
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    keras = compat.keras_module()
    names = _tensor_parameter_names(layer)
    # An input named like a sublayer ("query" into an attention layer that holds a
    # Dense "query") would clash: Keras wants unique names in one graph.
    taken = {getattr(sub, "name", None) for sub in compat.all_layers(layer)}
    label_of = {n: f"{n}_input" if n in taken else n for n in names}
    if call_node is not None:
        args, kwargs = compat.call_arguments(call_node)
        labels = [label_of[n] for n in names[: len(args)]]
        new_args = tuple(
            _placeholders(
                a, labels[i] if i < len(labels) else f"arg{i}", sizes, shape_of
            )
            for i, a in enumerate(args)
        )
        new_kwargs = {
            k: _placeholders(v, f"{k}_input" if k in taken else k, sizes, shape_of)
            for k, v in kwargs.items()
        }
        return new_args, new_kwargs
    shapes = compat.build_shapes(layer)
    if not shapes:
        raise TraceError(
            "Keras kept no record of the input shapes it was built with, so there "
            "is nothing to shape placeholders for its call() from; give it a "
            "`build(self, input_shape)` method, or call it inside a Functional model"
        )
    dtype = getattr(layer, "input_dtype", None) or keras.config.floatx()
    found: dict[str, Any] = {}
    for n in names:
        for key in (f"{n}_shape", n):
            if key in shapes:
                found[n] = shapes[key]
    if not found and len(shapes) == 1 and names:
        found[names[0]] = next(iter(shapes.values()))
    if not found:
        raise TraceError(
            "the shapes it was built with do not match the arguments of its call() "
            f"({', '.join(names) or 'none'}). Received: {sorted(shapes)}"
        )
    args = []
    for n in names:
        if n not in found:
            break
        structure = found[n]
        count = [0]

        def make(shape: Any, label: str = label_of[n], count: list[int] = count) -> Any:
            count[0] += 1
            name = label if count[0] == 1 else f"{label}_{count[0] - 1}"
            return _input(_sized(_unbatched(shape), sizes), dtype, name)

        if isinstance(structure, dict) and all(
            isinstance(v, (tuple, list)) for v in structure.values()
        ):
            # a dict of inputs: each placeholder named by its key
            args.append(
                {
                    k: _input(
                        _sized(_unbatched(v), sizes),
                        dtype,
                        f"{k}_input" if k in taken else str(k),
                    )
                    for k, v in structure.items()
                }
            )
        else:
            args.append(compat.map_shapes(make, structure))
    missing = [n for n in _required_parameter_names(layer) if n not in found]
    if missing:
        raise TraceError(
            f"Keras recorded the shapes of only {', '.join(sorted(found))} when it "
            f"built it, and its call() also needs {', '.join(missing)}; give it a "
            f"`build(self, {', '.join(f'{n}_shape' for n in names)})` method, or "
            "call it inside a Functional model"
        )
    return tuple(args), {}


def _placeholders(
    value: Any,
    label: str,
    sizes: tuple[int, int] | None = None,
    shape_of: Any = None,
) -> Any:
    flat = compat.flatten(value) if not compat.is_keras_tensor(value) else [value]
    if not any(compat.is_keras_tensor(t) for t in flat):
        return value
    counter = iter(range(10**9))

    def fresh(t: Any) -> Any:
        if not compat.is_keras_tensor(t):
            return t
        i = next(counter)
        name = label if len(flat) == 1 else f"{label}_{i}"
        shape = _sized(tuple(shape_of(t) if shape_of else t.shape), sizes)
        # dense: Keras marks some dense outputs sparse (Gemma's scaled embedding)
        return _input(shape, t.dtype, name)

    return compat.keras_module().tree.map_structure(fresh, value)


def _input(shape: Any, dtype: Any, name: str) -> Any:
    keras = compat.keras_module()
    return keras.Input(batch_shape=tuple(shape), dtype=dtype, name=name)


def _sized(shape: tuple[Any, ...], sizes: tuple[int, int] | None) -> tuple[Any, ...]:
    if sizes is None:
        return shape
    batch, other = sizes
    return tuple(
        (batch if i == 0 else other) if d is None else d for i, d in enumerate(shape)
    )


def _unbatched(shape: Any) -> tuple[Any, ...]:
    dims = list(shape)
    if dims:
        dims[0] = None
    return tuple(dims)


def _tensor_parameter_names(layer: Any) -> list[str]:
    try:
        params = inspect.signature(layer.call).parameters.values()
    except (TypeError, ValueError):
        return []
    skip = {"training", "mask", "self"}
    return [
        p.name
        for p in params
        if p.name not in skip and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _required_parameter_names(layer: Any) -> list[str]:
    """The tensor parameters of ``call()`` that have no default."""
    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return []
    return [
        n
        for n in _tensor_parameter_names(layer)
        if params[n].default is inspect.Parameter.empty
    ]


# ---- reasons in plain words ------------------------------------------------------
def _explain(e: Exception) -> str:
    text = _message(e)
    chain, seen = [], set()
    cause: BaseException | None = e
    while cause is not None and id(cause) not in seen and len(chain) < 8:
        seen.add(id(cause))
        chain.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__ or cause.__context__
    # JAX fails to word its own error about a tracer's value (`_error_repr`)
    low = " ".join(chain).lower()
    detail = f" ({type(e).__name__}: {text})" if text else f" ({type(e).__name__})"
    if (
        ("symbolic" in low and ("bool" in low or "numpy" in low or "value" in low))
        or "concretization" in low
        or "tracer" in low
        or "_error_repr" in low
        or "__array__" in low
    ):
        return (
            "its call() needs the values of its tensors (an `if` or a loop on a "
            "tensor, or a conversion to NumPy), and kerasviz traces without data"
            + detail
        )
    if "kerastensor" in low and (
        "tensorflow" in low or "jax" in low or "torch" in low or "not allowed" in low
    ):
        return (
            "its call() uses backend-specific functions (tf.*, jax.*, torch.*) that "
            "do not accept Keras's symbolic tensors; keras.ops would" + detail
        )
    return "its call() raised an error when traced with symbolic inputs" + detail


def _message(e: Exception) -> str:
    """The first line that says something: Keras wraps a layer's error in
    "Exception encountered when calling X.call()." and a list of its arguments."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", x).strip() for x in str(e).splitlines()]
    useful = [
        x
        for x in lines
        if x
        and not x.startswith("Exception encountered when calling")
        and not x.startswith("Arguments received by")
        and not x.startswith("•")
    ]
    text = useful[0] if useful else (lines[0] if lines else "")
    return text if len(text) <= 200 else text[:197] + "..."
