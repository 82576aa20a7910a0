"""Builder: put a Keras model together layer by layer, from Python or with a widget.

The state is a list of layer specs (name, class, constructor arguments, the tensors
feeding it). Every change builds a fresh, real Keras model from the specs at once;
a change Keras rejects leaves the specs and the model as they were and keeps the
explained error in :attr:`Builder.error`. The widget's buttons call the same
methods, so everything it does can be done (and tested) from Python.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import functools
import html
from collections.abc import Iterator
from typing import Any, NamedTuple

import ipywidgets as w

from ..view.blocks import snake_case
from .explain import explain

__all__ = ["PALETTE", "Builder", "Field"]


class Field(NamedTuple):
    """One argument in a palette entry's form.

    ``type`` is ``"int"``, ``"float"``, ``"str"``, ``"choice"`` (one of
    ``choices``), ``"shape"`` (a tuple of ints, ``None`` for an unknown size) or
    ``"bool"``. A ``required`` argument is always passed; the others only when
    they differ from ``default`` (Keras's own default).
    """

    name: str
    type: str
    default: Any
    choices: tuple[Any, ...] = ()
    required: bool = False


_ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax", "tanh", "gelu", "elu", "swish")
_PADDING = ("valid", "same")
_DTYPES = ("float32", "int32", "int64", "float16", "bool", "string")


def _conv() -> tuple[Field, ...]:
    return (
        Field("filters", "int", 32, required=True),
        Field("kernel_size", "int", 3, required=True),
        Field("strides", "int", 1),
        Field("padding", "choice", "valid", _PADDING),
        Field("activation", "choice", "linear", _ACTIVATIONS),
    )


def _pool() -> tuple[Field, ...]:
    return (Field("pool_size", "int", 2), Field("padding", "choice", "valid", _PADDING))


def _recurrent() -> tuple[Field, ...]:
    return (
        Field("units", "int", 32, required=True),
        Field("return_sequences", "bool", False),
        Field("dropout", "float", 0.0),
    )


#: The palette, in the order the widget lists it: layer kind → its form's fields.
PALETTE: dict[str, tuple[Field, ...]] = {
    "Input": (
        Field("shape", "shape", (784,), required=True),
        Field("dtype", "choice", "float32", _DTYPES),
    ),
    "Dense": (
        Field("units", "int", 32, required=True),
        Field("activation", "choice", "linear", _ACTIVATIONS),
        Field("use_bias", "bool", True),
    ),
    "Conv1D": _conv(),
    "Conv2D": _conv(),
    "MaxPooling1D": _pool(),
    "MaxPooling2D": _pool(),
    "AveragePooling1D": _pool(),
    "AveragePooling2D": _pool(),
    "GlobalAveragePooling1D": (),
    "GlobalAveragePooling2D": (),
    "Flatten": (),
    "Reshape": (Field("target_shape", "shape", (-1,), required=True),),
    "Dropout": (Field("rate", "float", 0.5, required=True),),
    "BatchNormalization": (
        Field("momentum", "float", 0.99),
        Field("epsilon", "float", 0.001),
    ),
    "LayerNormalization": (Field("epsilon", "float", 0.001),),
    "Activation": (Field("activation", "choice", "relu", _ACTIVATIONS, True),),
    "Embedding": (
        Field("input_dim", "int", 1000, required=True),
        Field("output_dim", "int", 64, required=True),
    ),
    "LSTM": _recurrent(),
    "GRU": _recurrent(),
    "MultiHeadAttention": (
        Field("num_heads", "int", 2, required=True),
        Field("key_dim", "int", 16, required=True),
        Field("dropout", "float", 0.0),
    ),
    "Concatenate": (Field("axis", "int", -1),),
    "Add": (),
}

#: Layers called on a list of tensors.
_MERGES = {"Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum"}
_MERGES |= {"Minimum", "Dot"}
_APIS = ("functional", "sequential")


class _Rejected(Exception):
    """A change that cannot be made: the cause, and the layer and tensors involved."""

    def __init__(self, exc: BaseException, layer: Any = None, inputs: Any = None):
        super().__init__(str(exc))
        self.exc, self.layer, self.inputs = exc, layer, inputs


class Builder:
    """An interactive model builder: a palette, a form, the graph and the code.

    Parameters
    ----------
    api : {"functional", "sequential"}
        ``"functional"``: each layer names the tensors feeding it (``inputs=``);
        several inputs and outputs are allowed. ``"sequential"``: layers stack.
    name : str
        The built model's name.

    Notes
    -----
    A change Keras rejects does not raise: the change method returns ``None``, the
    specs and the model stay as they were, and :attr:`error` explains why (the
    widget shows it). The next good change clears it. In functional mode,
    :meth:`remove` refuses a layer that others consume unless ``cascade=True``,
    which removes them (and what they feed) too; :meth:`undo` brings it all back.

    Examples
    --------
    >>> from kerasviz.construction.builder import Builder
    >>> b = Builder("sequential")
    >>> b.add("Input", shape=(128,))
    'input'
    >>> b.add("Dense", units=32, activation="relu")
    'dense'
    >>> b.model.output.shape
    (None, 32)
    """

    PALETTE = PALETTE

    def __init__(self, api: str = "functional", *, name: str = "model") -> None:
        api = str(api).lower()
        if api not in _APIS:
            raise ValueError(
                "Builder() builds with the Functional or the Sequential API: api "
                f"must be 'functional' or 'sequential'. Received: api={api!r}"
            )
        self.api = api
        self.name = name
        self._specs: list[dict[str, Any]] = []
        self._outputs: list[str] | None = None  # None: the tensors nothing consumes
        self._classes: dict[str, type] = {}  # classes not in keras.layers (from_model)
        self._undo: list[tuple[list[dict[str, Any]], list[str] | None]] = []
        self._redo: list[tuple[list[dict[str, Any]], list[str] | None]] = []
        self._model: Any = None
        self._error: Any = None
        self._error_what = ""
        self._view: BuilderView | None = None

    def __repr__(self) -> str:
        return f"<kerasviz.Builder {self.api} {self.name!r}: {len(self._specs)} layers>"

    # ---- state --------------------------------------------------------------------
    @property
    def specs(self) -> list[dict[str, Any]]:
        """A copy of the state: one dict per layer (name, class, args, inputs)."""
        return copy.deepcopy(self._specs)

    @property
    def names(self) -> list[str]:
        """The layers' (and their output tensors') names, in the order added."""
        return [s["name"] for s in self._specs]

    @property
    def outputs(self) -> list[str]:
        """The model's outputs: set by :meth:`set_outputs`, else what nothing consumes."""
        if self.api == "sequential":
            return self.names[-1:]
        return list(self._outputs) if self._outputs else self._dangling(self._specs)

    @property
    def model(self) -> Any:
        """The model built from the specs at the last good change."""
        if self._model is None:
            raise ValueError(
                "The builder has no layers yet, so there is no model. Add one first, "
                "e.g. `b.add('Input', shape=(784,))`."
            )
        return self._model

    @property
    def error(self) -> Any:
        """The explained error of the last rejected change (``None`` after a good
        one): ``message``, ``hint``, ``fix``, ``layer``, ``to_json()``."""
        return self._error

    @property
    def rejected(self) -> str | None:
        """Which change :attr:`error` is about (``"add Dense 'head'"``), or None."""
        return None if self._error is None else self._error_what

    # ---- changes ------------------------------------------------------------------
    def add(
        self,
        kind_or_class: str | type,
        *,
        inputs: list[str] | str | None = None,
        name: str | None = None,
        **args: Any,
    ) -> str | None:
        """Add a layer; return its name (``None`` when rejected: see :attr:`error`).

        ``kind_or_class`` is a palette kind or any ``keras.layers`` class name
        (case does not matter). In functional mode ``inputs`` names the tensors
        feeding it (default: the last layer added): several for a merge such as
        ``Concatenate``, query and value (and key) for ``MultiHeadAttention``.
        ``"Input"`` takes ``shape=`` and ``dtype=``.
        """
        what = f"add {kind_or_class} {name!r}" if name else f"add {kind_or_class}"
        with self._change(what) as change:
            kind = self._kind(kind_or_class)
            new = self._new_name(kind, name)
            self._error_what = f"add {kind} {new!r}"
            spec = {"name": new, "class": kind, "args": dict(args), "inputs": []}
            if kind == "Input":
                pass
            elif self.api == "functional":
                spec["inputs"] = self._inputs_of(new, inputs)
            elif inputs not in (None, [], self.names[-1:]):
                raise _Rejected(
                    ValueError(
                        "A Sequential model stacks its layers: each takes the output "
                        "of the one before, so `inputs=` cannot be chosen. Use "
                        f"Builder(api='functional'). Received: inputs={inputs!r}"
                    )
                )
            specs = [*self._specs, spec]
            change(specs, self._outputs_after_add(spec))
            return new
        return None

    def set_outputs(self, names: list[str] | None) -> bool:
        """Functional: which tensors are the model's outputs (None: the default,
        the tensors nothing consumes). Returns whether the change was made."""
        with self._change(f"set outputs {names!r}") as change:
            if self.api != "functional":
                raise _Rejected(
                    ValueError(
                        "A Sequential model's output is its last layer. Use "
                        f"Builder(api='functional'). Received: names={names!r}"
                    )
                )
            names = [names] if isinstance(names, str) else list(names or [])
            self._check_known(names, "set_outputs()")
            change(self._specs, names or None)
            return True
        return False

    def remove(self, name: str, *, cascade: bool = False) -> bool:
        """Remove a layer. Functional: refused if others consume it, unless
        ``cascade=True`` (then they, and what they feed, go too)."""
        with self._change(f"remove {name!r}") as change:
            self._check_known([name], "remove()")
            gone = {name}
            if self.api == "functional":
                users = [s["name"] for s in self._specs if name in s["inputs"]]
                if users and not cascade:
                    raise _Rejected(
                        ValueError(
                            f"Layer {name!r} feeds {', '.join(map(repr, users))}: "
                            "remove them first, or call "
                            f"`remove({name!r}, cascade=True)` to remove them too."
                        )
                    )
                for s in self._specs:  # specs are in topological order
                    if gone & set(s["inputs"]):
                        gone.add(s["name"])
            specs = [s for s in self._specs if s["name"] not in gone]
            outputs = [o for o in self._outputs or [] if o not in gone] or None
            change(specs, outputs)
            return True
        return False

    def rename(self, old: str, new: str) -> bool:
        """Give layer ``old`` the name ``new`` (its consumers and outputs follow)."""
        with self._change(f"rename {old!r} to {new!r}") as change:
            self._check_known([old], "rename()")
            if new != old:
                self._new_name(None, new)

            def swap(n: str) -> str:
                return new if n == old else n

            specs = copy.deepcopy(self._specs)
            for s in specs:
                s["name"] = swap(s["name"])
                s["inputs"] = [swap(n) for n in s["inputs"]]
            outputs = [swap(o) for o in self._outputs] if self._outputs else None
            change(specs, outputs)
            return True
        return False

    def update(
        self, name: str, *, inputs: list[str] | str | None = None, **args: Any
    ) -> bool:
        """Change layer ``name``'s arguments (and, functional, its ``inputs``: the
        specs are then reordered so each comes after what it takes)."""
        with self._change(f"update {name!r}") as change:
            self._check_known([name], "update()")
            specs = copy.deepcopy(self._specs)
            i = self.names.index(name)
            specs[i]["args"].update(args)
            if inputs is not None:
                if self.api != "functional" or specs[i]["class"] == "Input":
                    raise _Rejected(
                        ValueError(
                            f"{name!r} takes no chosen inputs: an Input has none, "
                            "and a Sequential layer takes the one before it. "
                            f"Received: inputs={inputs!r}"
                        )
                    )
                others = [n for n in self.names if n != name]
                specs[i]["inputs"] = self._inputs_of(name, inputs, others)
                specs = _in_wiring_order(specs, name)
            change(specs, self._outputs)
            return True
        return False

    def undo(self) -> bool:
        """Go back one change (returns False when there is none)."""
        return self._step(self._undo, self._redo)

    def redo(self) -> bool:
        """Redo the change last undone (returns False when there is none)."""
        return self._step(self._redo, self._undo)

    # ---- reading ------------------------------------------------------------------
    def code(self, api: str = "functional") -> str:
        """Python that rebuilds the model (:func:`kerasviz.to_code`), or, as
        comments, why there is none (no layers yet; cannot be Sequential)."""
        from ..codegen import NotSequentialError, to_code

        if self._model is None:
            return "# The builder has no layers yet.\n"
        try:
            return to_code(self._model, api=api)
        except (NotSequentialError, ValueError, TypeError) as e:
            return "".join(f"# {line}\n" for line in str(e).splitlines())

    @classmethod
    def from_model(cls, model: Any, *, name: str | None = None) -> Builder:
        """A builder holding a Sequential or Functional model's layers and wiring.

        Each layer's class and ``get_config()`` become its spec. Subclassed models,
        shared layers, raw ``keras.ops`` calls and layers with several outputs
        cannot be specs: they are refused, saying which.
        """
        import keras

        from ..graph import graph_of

        if not isinstance(model, keras.Model):
            raise TypeError(
                "Builder.from_model() takes a Keras Sequential or Functional model. "
                f"Received: model={type(model).__name__}"
            )
        g = graph_of(model)
        if g.model.api not in _APIS:
            raise ValueError(
                "Builder.from_model() reads Sequential and Functional models, whose "
                f"layers and wiring Keras records. Model {model.name!r} is subclassed "
                f"({type(model).__name__}): its wiring lives in the Python code of "
                "its `call()` method. Call it once on a batch of data, then rebuild "
                "it from `kerasviz.to_code(model)` and pass that model instead. "
                f"Received: model={type(model).__name__} {model.name!r}"
            )
        b = cls(g.model.api, name=name or model.name)
        b._specs = _specs_from_graph(b, g, {la.name: la for la in model.layers})
        outputs = list(g.model.outputs)
        b._outputs = None if outputs == b._dangling(b._specs) else outputs
        try:
            with _kept_auto_names():
                b._model = b._build(b._specs, b._outputs)
        except _Rejected as r:
            raise ValueError(
                f"Builder.from_model() could not rebuild model {model.name!r} from "
                f"its layers' configs: {type(r.exc).__name__}: {r.exc}"
            ) from r.exc
        return b

    # ---- widget -------------------------------------------------------------------
    @property
    def widget(self) -> BuilderView:
        """The widget (made on first use): palette, form, graph, code, errors."""
        if self._view is None:
            self._view = BuilderView(self)
        return self._view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, plus the graph as the kerasviz MIME type (as the Explorer
        gives it), so a saved notebook still draws the model without a kernel."""
        from ..mimebundle import mime_bundle

        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        saved = mime_bundle(self.widget.explorer.saved_payload())
        return {**data, **saved}, meta

    # ---- machinery ----------------------------------------------------------------
    @contextlib.contextmanager
    def _change(self, what: str) -> Iterator[Any]:
        """Run one change: ``change(specs, outputs)`` builds and commits it; a
        :class:`_Rejected` anywhere rejects it, explained, leaving the state alone."""
        self._error_what = what

        def change(specs: list[dict[str, Any]], outputs: list[str] | None) -> None:
            with _kept_auto_names():
                model = self._build(specs, outputs)
            self._undo.append((copy.deepcopy(self._specs), self._outputs))
            self._redo.clear()
            self._specs, self._outputs = copy.deepcopy(specs), outputs
            self._commit(model)

        try:
            yield change
        except _Rejected as r:
            self._reject(r)

    def _commit(self, model: Any) -> None:
        self._model, self._error = model, None
        if self._view is not None:
            self._view.refresh(model_changed=True)

    def _reject(self, r: _Rejected, what: str | None = None) -> None:
        if what is not None:
            self._error_what = what
        self._error = explain(r.exc, layer=r.layer, inputs=r.inputs)
        if self._view is not None:
            self._view.refresh(model_changed=False)

    def _step(self, source: list[Any], target: list[Any]) -> bool:
        if not source:
            return False
        specs, outputs = source.pop()
        with _kept_auto_names():
            model = self._build(specs, outputs)  # it was built before: cannot fail
        target.append((copy.deepcopy(self._specs), self._outputs))
        self._specs, self._outputs = specs, outputs
        self._commit(model)
        return True

    def _kind(self, kind: str | type) -> str:
        import keras

        if isinstance(kind, type):
            if not issubclass(kind, keras.layers.Layer):
                raise _Rejected(
                    TypeError(f"Not a Keras layer class. Received: {kind!r}")
                )
            if getattr(keras.layers, kind.__name__, None) is not kind:
                self._classes[kind.__name__] = kind
            return kind.__name__
        known = _known_kinds()
        if str(kind).lower() in known:
            return known[str(kind).lower()]
        close = difflib.get_close_matches(str(kind), [*PALETTE, *known.values()], 3)
        maybe = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise _Rejected(
            ValueError(
                f"Unknown layer kind {kind!r}: it is neither in the palette nor a "
                f"class of keras.layers.{maybe} Received: kind_or_class={kind!r}"
            )
        )

    def _new_name(self, kind: str | None, name: str | None) -> str:
        taken = set(self.names)
        if name is None:
            base = "input" if kind == "Input" else snake_case(str(kind))
            name, i = base, 0
            while name in taken:
                i += 1
                name = f"{base}_{i}"
            return name
        if not isinstance(name, str) or not name:
            raise _Rejected(
                ValueError(f"A layer name is a non-empty string. Received: {name!r}")
            )
        if name in taken:
            raise _Rejected(
                ValueError(
                    f"The model already has a layer named {name!r}; layer names must "
                    f"be unique. Received: name={name!r}"
                )
            )
        return name

    def _inputs_of(
        self, layer: str, inputs: Any, earlier: list[str] | None = None
    ) -> list[str]:
        earlier = self.names if earlier is None else earlier
        if inputs is None:
            inputs = earlier[-1:]
        names = [inputs] if isinstance(inputs, str) else list(inputs)
        if not names:
            raise _Rejected(
                ValueError(
                    f"Layer {layer!r} has no tensor to take: a Functional model "
                    "starts at an Input. Add one first: `b.add('Input', shape=...)`."
                )
            )
        unknown = [n for n in names if n not in earlier]
        if unknown:
            raise _Rejected(
                ValueError(
                    f"Layer {layer!r} cannot take {', '.join(map(repr, unknown))}: "
                    "the model has no such tensor. Tensors: "
                    f"{', '.join(map(repr, earlier)) or 'none yet'}. "
                    f"Received: inputs={names!r}"
                )
            )
        return names

    def _check_known(self, names: list[str], what: str) -> None:
        unknown = [n for n in names if n not in self.names]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), self.names, 1)
            maybe = f" Did you mean {close[0]!r}?" if close else ""
            raise _Rejected(
                ValueError(
                    f"{what}: the model has no layer named "
                    f"{', '.join(map(repr, unknown))}.{maybe} Received: {names!r}"
                )
            )

    def _outputs_after_add(self, spec: dict[str, Any]) -> list[str] | None:
        # Explicit outputs follow a new layer: it replaces the outputs it consumes,
        # or is appended when it consumes none (so new work is always an output).
        if not self._outputs or spec["class"] == "Input":
            return self._outputs
        fed = [o for o in self._outputs if o in spec["inputs"]]
        if not fed:
            return [*self._outputs, spec["name"]]
        first = self._outputs.index(fed[0])
        rest = [o for o in self._outputs if o not in fed]
        return [*rest[:first], spec["name"], *rest[first:]]

    @staticmethod
    def _dangling(specs: list[dict[str, Any]]) -> list[str]:
        used = {n for s in specs for n in s["inputs"]}
        return [s["name"] for s in specs if s["name"] not in used]

    # ---- building -----------------------------------------------------------------
    def _build(self, specs: list[dict[str, Any]], outputs: list[str] | None) -> Any:
        """A fresh model from ``specs`` (None when empty); :class:`_Rejected` if not."""
        if not specs:
            return None
        if self.api == "sequential":
            return self._build_sequential(specs)
        return self._build_functional(specs, outputs or self._dangling(specs))

    def _build_functional(self, specs: list[dict[str, Any]], outputs: list[str]) -> Any:
        import keras

        tensors: dict[str, Any] = {}
        inputs = []
        for spec in specs:
            if spec["class"] == "Input":
                tensors[spec["name"]] = self._make_input(spec)
                inputs.append(tensors[spec["name"]])
                continue
            missing = [n for n in spec["inputs"] if n not in tensors]
            if missing or not spec["inputs"]:  # only after a remove or rename bug
                raise _Rejected(ValueError(f"{spec['name']!r}: no input {missing}"))
            args = [tensors[n] for n in spec["inputs"]]
            layer = self._make_layer(spec)
            try:
                tensors[spec["name"]] = _call(layer, spec["class"], args)
            except Exception as e:
                raise _Rejected(e, layer, args) from e
        try:
            return keras.Model(
                inputs=inputs[0] if len(inputs) == 1 else inputs,
                outputs=[tensors[o] for o in outputs]
                if len(outputs) > 1
                else tensors[outputs[0]],
                name=self.name,
            )
        except Exception as e:
            raise _Rejected(e) from e

    def _build_sequential(self, specs: list[dict[str, Any]]) -> Any:
        import keras

        seq = keras.Sequential(name=self.name)
        last = None
        for i, spec in enumerate(specs):
            if spec["class"] == "Input":
                if i:
                    raise _Rejected(
                        ValueError(
                            "A Sequential model has one Input, first. Received: an "
                            f"Input {spec['name']!r} after {specs[i - 1]['name']!r}"
                        )
                    )
                last = self._make_input(spec)
                seq.add(last)
                continue
            layer = self._make_layer(spec)
            try:
                seq.add(layer)
            except Exception as e:
                raise _Rejected(e, layer, None if last is None else [last]) from e
            with contextlib.suppress(Exception):  # an unbuilt Sequential has none
                last = seq.outputs[0]
        return seq

    def _make_input(self, spec: dict[str, Any]) -> Any:
        import keras

        args = dict(spec["args"])
        shape = args.pop("shape", None)
        try:
            return keras.Input(shape=shape, name=spec["name"], **args)
        except Exception as e:
            raise _Rejected(e) from e

    def _make_layer(self, spec: dict[str, Any]) -> Any:
        import keras

        cls = self._classes.get(spec["class"]) or getattr(keras.layers, spec["class"])
        config = {**spec["args"], "name": spec["name"]}
        try:
            return cls(**config)
        except TypeError as e:
            # A config with nested layers (a nested model, Bidirectional) needs the
            # class's own from_config(); the constructor's error stays the cause.
            if "from_config" in vars(cls) or issubclass(cls, keras.Model):
                with contextlib.suppress(Exception):
                    return cls.from_config(config)
            raise _Rejected(e) from e
        except Exception as e:
            raise _Rejected(e) from e


@functools.cache
def _known_kinds() -> dict[str, str]:
    """Lower-case name → palette kind or keras.layers class name."""
    import keras

    known = {k.lower(): k for k in PALETTE}
    known["inputlayer"] = "Input"
    for attr in dir(keras.layers):
        obj = getattr(keras.layers, attr)
        if isinstance(obj, type) and issubclass(obj, keras.layers.Layer):
            known.setdefault(attr.lower(), attr)
    return known


def _in_wiring_order(specs: list[dict[str, Any]], rewired: str) -> list[dict]:
    """The specs reordered so that each comes after the tensors it takes (stable:
    otherwise in the order added); a rewiring that makes a cycle is rejected."""
    placed: set[str] = set()
    ordered: list[dict[str, Any]] = []
    pending = list(specs)
    while pending:
        ready = next((s for s in pending if placed >= set(s["inputs"])), None)
        if ready is None:
            raise _Rejected(
                ValueError(
                    f"Rewiring {rewired!r} would make a cycle: it would take a "
                    "tensor computed from its own output."
                )
            )
        pending.remove(ready)
        ordered.append(ready)
        placed.add(ready["name"])
    return ordered


def _call(layer: Any, kind: str, args: list[Any]) -> Any:
    """Call ``layer`` the way its kind takes tensors: a merge (or a layer outside
    the palette given several) a list, attention query and value (and key)."""
    import keras

    if kind in _MERGES or (kind not in PALETTE and len(args) > 1):
        out = layer(args)
    elif kind == "MultiHeadAttention":
        if len(args) not in (2, 3):
            raise ValueError(
                f"MultiHeadAttention {layer.name!r} takes query and value (and key) "
                f"tensors: give two or three inputs. Received: {len(args)} input(s)"
            )
        out = layer(*args)
    elif len(args) != 1:
        raise ValueError(
            f"{kind} {layer.name!r} takes one tensor. Received: {len(args)} inputs"
        )
    else:
        out = layer(args[0])
    if not isinstance(out, keras.KerasTensor):
        raise ValueError(
            f"{kind} {layer.name!r} returns several tensors; the builder wires "
            "layers with one output only."
        )
    return out


@contextlib.contextmanager
def _kept_auto_names() -> Iterator[None]:
    # Every spec names its layer, but a layer may make unnamed ones inside: keep
    # Keras's automatic-name counters as the user's own code left them.
    from ..graph import _keras_compat as compat

    saved = compat.name_uids_snapshot()
    try:
        yield
    finally:
        compat.name_uids_restore(saved)


def _specs_from_graph(b: Builder, g: Any, layers: dict[str, Any]) -> list[dict]:
    """One spec per node of a Sequential or Functional graph, refusing what a spec
    cannot hold."""
    import keras

    into: dict[str, list[Any]] = {}
    for e in g.edges:
        if e.source_output:
            raise ValueError(
                f"Builder.from_model(): {e.source!r} has several outputs; the builder "
                "wires layers with one output only."
            )
        into.setdefault(e.target, []).append(e)
    specs = []
    for node in g.nodes:
        if len(node.calls) > 1:
            raise ValueError(
                f"Builder.from_model(): layer {node.name!r} is shared (called "
                f"{len(node.calls)} times); a builder spec is one call of one layer."
            )
        wired = [e.source for e in sorted(into.get(node.id, []), key=_arg_order)]
        if b.api == "sequential":
            wired = []
        if node.class_name == "InputLayer":
            cfg = g.full_config(node.id) or {}
            args = {"shape": tuple(cfg.get("batch_shape", (None,))[1:])}
            args["dtype"] = cfg.get("dtype") or node.dtype or "float32"
            specs.append(
                {"name": node.name, "class": "Input", "args": args, "inputs": []}
            )
            continue
        layer = layers.get(node.name)
        if not isinstance(layer, keras.layers.Layer):
            raise ValueError(
                f"Builder.from_model(): {node.name!r} ({node.class_name}) is not a "
                "layer (a raw keras.ops call); the builder holds layers only. Wrap "
                "it in a layer, e.g. keras.layers.Lambda."
            )
        kind = b._kind(type(layer))
        try:
            args = dict(layer.get_config())
        except Exception as e:
            raise ValueError(
                f"Builder.from_model(): layer {node.name!r} ({node.class_name}) "
                "cannot be a spec, because its get_config() fails (a spec is the "
                f"class and its config). Received: {type(e).__name__}: {e}"
            ) from e
        args.pop("name", None)
        specs.append({"name": node.name, "class": kind, "args": args, "inputs": wired})
    return specs


def _arg_order(edge: Any) -> tuple[int, int]:
    return (edge.target_arg, edge.target_call)


# ---- the widget ------------------------------------------------------------------------
def _show(field: Field, value: Any) -> str:
    if field.type == "shape" and isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _parse(field: Field, text: str) -> Any:
    """The form's text as the field's type; text that is not one goes to Keras as
    it is, so Keras's own error explains it."""
    text = text.strip()
    try:
        if field.type == "int":
            return int(text)
        if field.type == "float":
            return float(text)
        if field.type == "shape":
            parts = [p.strip() for p in text.strip("()[]").split(",") if p.strip()]
            return tuple(None if p == "None" else int(p) for p in parts)
    except ValueError:
        return text
    return text


def _pre(text: str) -> str:
    return f'<pre style="margin:0;font-size:12px">{html.escape(text)}</pre>'


class BuilderView(w.VBox):
    """The builder's widget (an ``ipywidgets.VBox``); its controls only call
    :class:`Builder`'s methods."""

    def __init__(self, builder: Builder) -> None:
        import keras

        from ..widgets import Explorer

        super().__init__()
        self.add_class("kv-builder")
        self._syncing = False
        self.builder = b = builder
        functional = b.api == "functional"
        self.palette = w.Dropdown(
            options=list(PALETTE), value="Input", description="Layer"
        )
        self.name_text = w.Text(placeholder="automatic", description="name")
        self.add_button = w.Button(description="Add", button_style="primary")
        self.form = w.VBox()
        self.fields: dict[str, Any] = {}
        self.error_html = w.HTML()
        self.error_html.add_class("kv-builder-message")
        self.inputs = w.SelectMultiple(description="inputs", rows=4)
        self.outputs = w.SelectMultiple(description="outputs", rows=4)
        self.target = w.Dropdown(description="layer")
        self.remove_button = w.Button(description="Remove")
        self.rename_text = w.Text(
            placeholder="new name", layout=w.Layout(width="140px")
        )
        self.rename_button = w.Button(description="Rename")
        self.update_button = w.Button(description="Update", tooltip="Apply the form")
        self.undo_button = w.Button(description="Undo", icon="undo")
        self.redo_button = w.Button(description="Redo", icon="repeat")
        self.functional_code = w.HTML()
        self.sequential_code = w.HTML()
        self.code = w.Tab(children=[self.functional_code, self.sequential_code])
        self.code.titles = ("Functional", "Sequential")
        model = b._model if b._model is not None else keras.Sequential(name=b.name)
        self.explorer = Explorer(model)

        self.palette.observe(lambda _: self._make_form(), names="value")
        self.add_button.on_click(lambda _: self._add())
        self.remove_button.on_click(lambda _: self._remove())
        self.rename_button.on_click(
            lambda _: b.rename(self.target.value, self.rename_text.value.strip())
        )
        self.undo_button.on_click(lambda _: b.undo())
        self.redo_button.on_click(lambda _: b.redo())
        self.update_button.on_click(lambda _: self._update())
        self.outputs.observe(self._outputs_changed, names="value")
        self.explorer.on_select(self._selected)

        wiring = [self.inputs, self.outputs] if functional else []
        self.children = [
            w.HBox([self.palette, self.name_text, self.add_button]),
            w.HBox([w.VBox([self.form, *wiring]), self.error_html]),
            w.HBox(
                [
                    self.target,
                    self.remove_button,
                    self.rename_text,
                    self.rename_button,
                    self.update_button,
                    self.undo_button,
                    self.redo_button,
                ]
            ),
            self.explorer,
            self.code,
        ]
        self._make_form()
        self.refresh(model_changed=True)

    # ---- from the builder ---------------------------------------------------------
    def refresh(self, *, model_changed: bool) -> None:
        """Show the builder's state: the error always; the rest after a good change."""
        self.error_html.value = self._error_markup()
        if not model_changed:
            return
        import keras

        b = self.builder
        self._syncing = True
        try:
            names = b.names
            chosen, before = self.target.value, set(self.target.options)
            self.target.options = names
            # the layer the row's buttons act on: a layer just added, else the one
            # chosen before if it is still there, else the newest
            added = [n for n in names if n not in before]
            if added:
                chosen = added[-1]
            self.target.value = chosen if chosen in names else (names or [None])[-1]
            self.inputs.options = names
            self.inputs.value = tuple(names[-1:])
            self.outputs.options = names
            self.outputs.value = tuple(b.outputs)
        finally:
            self._syncing = False
        self.explorer.set_model(
            b._model if b._model is not None else keras.Sequential(name=b.name)
        )
        self.functional_code.value = _pre(b.code("functional"))
        self.sequential_code.value = _pre(b.code("sequential"))

    def _error_markup(self) -> str:
        err = self.builder.error
        if err is None:
            return ""
        parts = [
            f"<b>Rejected: {html.escape(str(self.builder.rejected))}</b>",
            html.escape(str(getattr(err, "message", err))),
        ]
        if getattr(err, "hint", ""):
            parts.append(f"<i>{html.escape(str(err.hint))}</i>")
        if getattr(err, "fix", None):
            parts.append(f"<code>{html.escape(str(err.fix))}</code>")
        body = "<br>".join(parts)
        return (
            '<div class="kv-builder-error" style="color:var(--jp-error-color1,'
            f'#c62828);max-width:480px;white-space:pre-wrap">{body}</div>'
        )

    # ---- to the builder -----------------------------------------------------------
    def _make_form(self) -> None:
        self.fields = {}
        for f in PALETTE[self.palette.value]:
            if f.type == "bool":
                widget = w.Checkbox(value=f.default, description=f.name)
            elif f.type == "choice":
                widget = w.Dropdown(
                    options=f.choices, value=f.default, description=f.name
                )
            else:
                widget = w.Text(value=_show(f, f.default), description=f.name)
            self.fields[f.name] = widget
        self.form.children = list(self.fields.values())

    def form_args(self, *, every: bool = False) -> dict[str, Any]:
        """The form's arguments: required ones, and the others that differ from
        their default (``every``: all of them)."""
        args = {}
        for f in PALETTE[self.palette.value]:
            raw = self.fields[f.name].value
            value = (
                _parse(f, raw) if isinstance(raw, str) and f.type != "choice" else raw
            )
            if every or f.required or value != f.default:
                args[f.name] = value
        return args

    def _update(self) -> None:
        # The form's values go to the chosen layer when it is of the form's kind.
        b, name = self.builder, self.target.value
        spec = next((s for s in b._specs if s["name"] == name), None)
        if spec is not None and spec["class"] != self.palette.value:
            b._reject(
                _Rejected(
                    ValueError(
                        f"The form is for {self.palette.value} and {name!r} is a "
                        f"{spec['class']}: choose {spec['class']} in the palette to "
                        "update it."
                    )
                ),
                f"update {name!r}",
            )
            return
        b.update(name, **self.form_args(every=True))

    def _add(self) -> None:
        b = self.builder
        inputs = (list(self.inputs.value) or None) if b.api == "functional" else None
        name = self.name_text.value.strip() or None
        if b.add(self.palette.value, inputs=inputs, name=name, **self.form_args()):
            self.name_text.value = ""

    def _remove(self) -> None:
        if self.target.value is not None:
            self.builder.remove(self.target.value)

    def _outputs_changed(self, change: dict[str, Any]) -> None:
        if not self._syncing and list(change["new"]) != self.builder.outputs:
            self.builder.set_outputs(list(change["new"]) or None)

    def _selected(self, node: str | None) -> None:
        if node in self.builder.names:
            self.target.value = node
            if self.builder.api == "functional":
                self.inputs.value = (node,)
