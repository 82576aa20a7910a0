"""Python source that rebuilds a model's architecture, Functional or Sequential."""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..graph import _keras_compat as compat
from ..graph._defaults import class_defaults, split_config
from ..graph._jsonsafe import jsonable_fast
from ..graph.extract import _check_model, calling
from ..graph.kinds import kind_of_class, public_module
from ..view.blocks import snake_case
from ._custom import (
    LAYER_BASE_KWARGS,
    CodegenWarning,
    Imports,
    Problems,
    attribute_value,
    constant_expr,
    error_summary,
    function_expr,
    import_path,
    init_parameters,
    is_function,
    is_keras_module,
    keep_auto_names,
    one_line,
    value_from_init,
)
from ._render import Names, Source, literal
from .reasons import NotSequentialError, sequential_reasons

HEADER = ["import keras", "from keras import layers", ""]

__all__ = ["CodegenWarning", "check_codegen_model", "layer_constructor", "to_code"]


def to_code(model: Any, api: str = "functional") -> str:
    """Readable Python that rebuilds ``model``'s architecture (not its weights).

    The finished model is assigned to ``model``, so ``exec(code, ns); ns["model"]``
    works. Classes and functions that are not Keras's own are imported from where
    their package exports them (``from keras_hub.layers import TransformerEncoder``);
    the model's inputs and outputs keep their structure (a dict stays a dict).

    A subclassed model that has been called once is written as the Functional model
    its ``call()`` wires (``api="functional"``).

    Where a layer, function or value cannot be written faithfully (a broken
    ``get_config()``, a constructor argument that cannot be read back, a constant
    too big to write out), the code says so in a one-line ``# kerasviz:`` comment and
    a :class:`CodegenWarning` is issued; the rest of the code stays runnable.

    Parameters
    ----------
    model : keras.Model
        A built Sequential or Functional model, or a subclassed model called once.
    api : {"functional", "sequential"}
        Which Keras API the code uses.

    Raises
    ------
    NotSequentialError
        With ``api="sequential"``, for a model the Sequential API cannot express;
        its message lists every reason with the layers involved.
    TypeError, ValueError
        For a non-model, an unbuilt model, or a subclassed model whose ``call()``
        cannot be traced.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> print(kerasviz.to_code(m, "sequential"))  # doctest: +ELLIPSIS
    import keras
    ...
    """
    api = str(api).lower()
    if api not in ("functional", "sequential"):
        raise ValueError(
            f"api must be 'functional' or 'sequential'. Received: api={api!r}"
        )
    with keep_auto_names(), codegen_graph(model, what="to_code()") as fn:
        if api == "sequential":
            reasons = sequential_reasons(
                model if fn is compat.graph_owner(model) else fn
            )
            if reasons:
                raise NotSequentialError(model.name, reasons)
        writer = _Writer()
        var = writer.model(model, fn, api, top=True)
    lines = [*HEADER[:2], *writer.imports.lines(), ""]
    if writer.definitions:
        lines += [*writer.definitions, ""]
    lines += writer.lines
    if var != "model":
        lines.append(f"model = {var}")
    code = "\n".join(lines) + "\n"
    try:
        compile(code, "<kerasviz generated code>", "exec")
    except SyntaxError as e:  # pragma: no cover - a bug in the writer
        raise RuntimeError(
            "to_code() wrote code that is not valid Python; please report this "
            f"with the model. Received: {type(e).__name__}: {e}"
        ) from None
    writer.problems.warn("to_code()")
    return code


def check_codegen_model(model: Any, what: str) -> Any:
    """The model's Functional graph, or a clear error saying why there is none.

    For a subclassed model this raises; :func:`codegen_graph` traces it instead.
    """
    fn = _graph_or_none(model, what)
    if fn is None:
        raise ValueError(
            f"{what} cannot read a subclassed model that has not been traced: its "
            "wiring lives in the Python code of its `call()` method, which Keras "
            "does not record. Call the model once on a batch of data so kerasviz "
            "can trace it, or write it with the Functional or Sequential API. "
            f"Received: {type(model).__name__} {model.name!r}"
        )
    return fn


def _graph_or_none(model: Any, what: str) -> Any:
    with calling(what):  # the reader's TypeError for anything that is not Keras 3
        _check_model(model)
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            f"{what} needs a Keras model, not a single layer. "
            f"Received: {type(model).__name__} {model.name!r}"
        )
    fn = compat.graph_owner(model)
    if fn is None and isinstance(model, keras.Sequential):
        raise ValueError(
            f"{what} needs a built model, and this Sequential model is not built yet. "
            "Build it first by starting it with `keras.Input(shape=...)`, by calling "
            "`model.build((None, ...))`, or by calling it on a batch of data. "
            f"Received: {model.name!r} (not built)"
        )
    return fn


@contextlib.contextmanager
def codegen_graph(model: Any, what: str) -> Iterator[Any]:
    """The Functional graph to write or check ``model`` from.

    A Sequential or Functional model gives its own graph; a subclassed model that
    has been called gives a temporary Functional wired as its ``call()``
    (``kerasviz.graph.trace.traced_functional``), valid inside the block.
    """
    fn = _graph_or_none(model, what)
    if fn is not None:
        yield fn
        return
    try:
        from ..graph.trace import TraceError, traced_functional
    except ImportError:  # pragma: no cover - an older reader without tracing
        check_codegen_model(model, what)
        raise
    tracing = traced_functional(model)
    try:
        traced = tracing.__enter__()
    except TraceError as e:
        raise ValueError(
            f"{what} cannot read a subclassed model it cannot trace: its wiring "
            "lives in the Python code of its `call()` method, and tracing that "
            f"failed because {e}. Call the model once on a batch of data, or write "
            "it with the Functional or Sequential API. "
            f"Received: {type(model).__name__} {model.name!r}"
        ) from None
    with contextlib.ExitStack() as stack:
        stack.push(tracing)  # leaving the block puts the model back as it was
        yield traced


class _Writer:
    def __init__(self) -> None:
        self.names = Names()
        self.imports = Imports(self.names)
        self.problems = Problems()
        self.lines: list[str] = []
        self.definitions: list[str] = []
        self.tensors: dict[int, str] = {}
        self.instances: dict[int, str] = {}

    def emit(self, line: str) -> None:
        """One statement, with the notes gathered while writing it as a comment."""
        self.lines.append(line + self.problems.take_comment())

    def define(self, base: str, source: str) -> str:
        """A named value written once before the model code (a placeholder)."""
        var = self.names.new(base)
        self.definitions.append(f"{var} = {source}{self.problems.take_comment()}")
        return var

    # ---- models -------------------------------------------------------------------
    def model(self, model: Any, fn: Any, api: str, top: bool = False) -> str:
        # Nested models first, innermost first, so each is defined before it is used.
        for op in fn.operations:
            inner = (
                compat.graph_owner(op) if kind_of_class(type(op)) == "model" else None
            )
            if (
                inner is not None
                and id(op) not in self.instances
                and not _written_as_class(op)
            ):
                self.instances[id(op)] = self.model(op, inner, _api_of(op))
                self.lines.append("")
        var = "model" if top else self.names.new(model.name)
        if api == "sequential":
            self._sequential(model, fn, var)
        else:
            self._functional(model, fn, var)
        return var

    def _sequential(self, model: Any, fn: Any, var: str) -> None:
        self.lines.append(f"{var} = keras.Sequential(")
        self.lines.append("    [")
        for op in fn.operations:
            if type(op).__name__ == "InputLayer":
                self.emit(f"        {self._input_call(op)},")
            elif id(op) in self.instances:
                self.emit(f"        {self.instances[id(op)]},")
            else:
                self.emit(f"        {self._constructor(op)},")
        self.lines.append("    ],")
        self.lines.append(f"    name={model.name!r},")
        self.lines.append(")")

    def _functional(self, model: Any, fn: Any, var: str) -> None:
        for op in fn.operations:
            calls = compat.calls_in(fn, op)
            if type(op).__name__ == "InputLayer":
                out = self.names.new(op.name)
                self.emit(f"{out} = {self._input_call(op)}")
                self.tensors[id(calls[0].output_tensors[0])] = out
                continue
            if kind_of_class(type(op)) == "op":
                for node in calls:
                    self._assign(node, op.name, self._op_call(op, node))
                continue
            inst = self.instances.get(id(op))
            if inst is None and len(calls) > 1:
                inst = self.names.new(op.name)
                self.instances[id(op)] = inst
                self.emit(f"{inst} = {self._constructor(op)}")
            for node in calls:
                callee = inst if inst is not None else self._constructor(op)
                base = op.name if inst is None else f"{op.name}_out"
                self._assign(node, base, f"{callee}({self._arguments(node)})")
        ins = self._structure(fn.input)
        outs = self._structure(fn.output)
        cls = type(model)
        if not is_keras_module(cls.__module__):
            path = import_path(cls)
            where = ".".join(path) if path else cls.__qualname__
            how = (
                "the Functional model its call() traces to"
                if fn is not compat.graph_owner(model)
                else "a plain keras.Model of the same layers"
            )
            self.lines.append(f"# {model.name!r} is a {where}; this is {how}.")
        self.lines.append(
            f"{var} = keras.Model(inputs={ins}, outputs={outs}, name={model.name!r})"
        )

    def _structure(self, value: Any) -> str:
        """A model's inputs or outputs as written: one tensor, a list, a dict..."""
        if isinstance(value, dict):
            inner = ", ".join(f"{k!r}: {self._structure(v)}" for k, v in value.items())
            return "{" + inner + "}"
        if isinstance(value, (list, tuple)):
            inner = ", ".join(self._structure(v) for v in value)
            if isinstance(value, list):
                return f"[{inner}]"
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return self.tensors[id(value)]

    def _assign(self, node: Any, base: str, expr: str) -> None:
        outs = list(node.output_tensors)
        packed = _output_paths(node.operation, len(outs)) if len(outs) > 1 else None
        if packed is not None:
            # A call that returns a dict (a nested model's outputs): take each by
            # key, named after it.
            whole = self.names.new(f"{base}_outputs")
            self.emit(f"{whole} = {expr}")
            for t, (key, path) in zip(outs, packed, strict=True):
                name = self.names.new(key)
                self.tensors[id(t)] = name
                self.lines.append(f"{name} = {whole}{path}")
            return
        names = [
            self.names.new(base if len(outs) == 1 else f"{base}_{i}")
            for i in range(len(outs))
        ]
        for t, n in zip(outs, names, strict=True):
            self.tensors[id(t)] = n
        self.emit(f"{', '.join(names)} = {expr}")

    # ---- pieces -------------------------------------------------------------------
    def _arguments(self, node: Any, layer: bool = True, where: str = "") -> str:
        args, kwargs = compat.call_arguments(node)
        if layer:
            # Keras records the `training` flag and empty masks it filled in itself;
            # writing them out would freeze dropout and friends in one mode.
            kwargs = {
                k: v for k, v in kwargs.items() if k != "training" and not _all_none(v)
            }
        where = where or f"the call of {node.operation.name!r}"
        parts = [self._arg(a, where) for a in args]
        parts += [f"{k}={self._arg(v, where)}" for k, v in kwargs.items()]
        return ", ".join(parts)

    def _arg(self, value: Any, where: str) -> str:
        if id(value) in self.tensors:
            return self.tensors[id(value)]
        if isinstance(value, (list, tuple)):
            inner = ", ".join(self._arg(v, where) for v in value)
            if isinstance(value, list):
                return f"[{inner}]"
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if isinstance(value, dict):
            return (
                "{"
                + ", ".join(f"{k!r}: {self._arg(v, where)}" for k, v in value.items())
                + "}"
            )
        return self._value(value, where, fallback="None")

    def _value(self, value: Any, where: str, fallback: str | None = None) -> Any:
        """Source for a Python value (a call argument or a layer's attribute)."""
        if value is None or isinstance(value, (bool, int, str, bytes, slice)):
            return repr(value)
        if value is Ellipsis:
            return "..."
        if isinstance(value, float):
            if np.isfinite(value):
                return repr(value)
            self.imports.numpy = True
            return (
                "np.nan" if np.isnan(value) else ("np.inf" if value > 0 else "-np.inf")
            )
        if isinstance(value, (list, tuple)):
            items = [self._value(v, where, fallback) for v in value]
            if any(i is None for i in items):
                return None
            inner = ", ".join(items)
            if isinstance(value, list):
                return f"[{inner}]"
            return f"({inner},)" if len(items) == 1 else f"({inner})"
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            items = {k: self._value(v, where, fallback) for k, v in value.items()}
            if any(i is None for i in items.values()):
                return None
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in items.items()) + "}"
        if is_function(value):
            return function_expr(value, self.imports, self.problems, where)
        keras = compat.keras_module()
        if isinstance(value, keras.layers.Layer) and not isinstance(value, keras.Model):
            return self._constructor(value)  # a layer handed to a constructor
        if isinstance(value, keras.KerasTensor):
            self.problems.add(
                f"{where} takes a tensor that is not one of the model's tensors"
            )
            return "None" if fallback is None else fallback
        const = constant_expr(value, self.imports, self.problems, self.define, where)
        if const is not None:
            return const
        if type(value).__name__.startswith("DType") and hasattr(value, "name"):
            return repr(value.name)
        serialized = _serialize_keras_object(value)
        if serialized is not None:
            return literal(serialized)
        if fallback is not None:
            self.problems.add(
                f"{where} takes {type(value).__name__} {one_line(repr(value), 80)}, "
                f"which kerasviz cannot write as code: replace {fallback} with it"
            )
        return fallback

    def _input_call(self, op: Any) -> str:
        cfg = op.get_config()
        batch_shape = list(cfg.get("batch_shape") or [None])
        parts = [f"shape={literal(list(batch_shape[1:]))}"]
        if batch_shape[0] is not None:
            parts.append(f"batch_size={batch_shape[0]}")
        dtype = cfg.get("dtype")
        if isinstance(dtype, dict):
            dtype = (dtype.get("config") or {}).get("name", dtype)
        if dtype not in (None, "float32"):
            parts.append(f"dtype={dtype!r}")
        if cfg.get("sparse"):
            parts.append("sparse=True")
        if cfg.get("ragged"):
            parts.append("ragged=True")
        parts.append(f"name={op.name!r}")
        return f"keras.Input({', '.join(parts)})"

    def _op_call(self, op: Any, node: Any) -> str:
        import keras

        where = f"the op {op.name!r} ({type(op).__name__})"
        try:
            raw, error = op.get_config(), None
        except Exception as e:
            raw, error = None, e
        arguments = self._arguments(node, layer=False, where=where)
        if not is_keras_module(type(op).__module__):
            # a third-party Operation: written like a custom layer (only what its
            # __init__ takes, checked by building it)
            return f"{self._custom_constructor(op, raw, error)}({arguments})"
        if error is not None:
            self.problems.add(
                f"{where}: its get_config() raised {error_summary(error)}; it is "
                "written without its settings"
            )
        config = {k: v for k, v in (raw or {}).items() if k != "name"}
        fname = snake_case(type(op).__name__)
        fn = getattr(keras.ops, fname, None)
        if fn is not None:
            try:
                defaults = {
                    p.name: p.default for p in inspect.signature(fn).parameters.values()
                }
            except (TypeError, ValueError):
                defaults = {}
            config = {k: v for k, v in config.items() if defaults.get(k, object()) != v}
            extra = [f"{k}={self._config_literal(v, where)}" for k, v in config.items()]
            args = ", ".join(p for p in [arguments, *extra] if p)
            return f"keras.ops.{fname}({args})"
        ctor = f"{self._class_ref(type(op))}(**{self._config_literal(config, where)})"
        return f"{ctor}({arguments})"

    def _config_literal(self, value: Any, where: str) -> str:
        safe = jsonable_fast(value)
        if isinstance(safe, str) and safe.startswith("<array shape="):
            const = self._value(value, where, fallback="None")
            return const
        return literal(safe)

    def _class_ref(self, cls: type) -> str:
        """How the code names ``cls``: ``layers.Dense``, or an imported class."""
        module = public_module(cls)
        if module == "keras.layers":
            return f"layers.{cls.__name__}"
        if is_keras_module(module):
            return f"{module}.{cls.__name__}"
        path = import_path(cls)
        if path is None:
            self.problems.add(
                f"the class {cls.__qualname__} is defined inside a function, so it "
                "cannot be imported: define it before this code runs"
            )
            self.imports.objects.setdefault(cls.__name__, cls)
            return cls.__name__
        module, attr = path
        if module == "__main__":
            self.imports.note(
                f"{attr}: a custom layer class defined in your notebook; run this "
                "code where it is defined."
            )
            self.imports.objects.setdefault(attr, cls)
            return attr
        import keras

        kind = (
            "model"
            if issubclass(cls, keras.Model)
            else ("layer" if issubclass(cls, keras.layers.Layer) else "op")
        )
        return self.imports.name(module, attr, cls, comment=f"custom {kind} class")

    # ---- layer constructors ---------------------------------------------------------
    def _constructor(self, op: Any) -> str:
        cls = type(op)
        try:
            raw, error = op.get_config(), None
        except Exception as e:
            raw, error = None, e
        if raw is not None and is_keras_module(cls.__module__):
            config = jsonable_fast(raw)
            overrides = self._function_overrides(op, config)
            live = {k: getattr(op, k, None) for k in overrides}
            return layer_constructor(cls, config, overrides=overrides, live=live)
        return self._custom_constructor(op, raw, error)

    def _function_overrides(self, op: Any, config: dict[str, Any]) -> dict[str, Any]:
        """Config entries that name a function the layer holds, as that function.

        ``Dense(activation=keras.ops.gelu)`` has ``"gelu"`` in its config, which
        Keras reads back as ``keras.activations.gelu`` (another function); a Lambda
        holds its function serialized. The layer's own attribute is the truth.
        """
        import keras

        out: dict[str, Any] = {}
        for key, value in config.items():
            live = getattr(op, key, None) if isinstance(key, str) else None
            if not is_function(live):
                continue
            if isinstance(value, str):
                try:
                    if keras.activations.get(value) is live:
                        continue
                except Exception:
                    pass
            where = f"{op.name!r} ({type(op).__name__}) argument {key}"
            out[key] = Source(function_expr(live, self.imports, self.problems, where))
        return out

    def _custom_constructor(
        self, op: Any, raw: dict[str, Any] | None, error: Exception | None
    ) -> str:
        """A layer class that is not Keras's own: only the arguments its ``__init__``
        takes, the missing ones read from the layer's attributes, checked by
        building the layer from the written code."""
        cls = type(op)
        ref = self._class_ref(cls)
        label = f"{op.name!r} ({cls.__name__})"
        named, varkw = init_parameters(cls)
        accepted = [p.name for p in named]
        if varkw:
            accepted += [k for k in LAYER_BASE_KWARGS if k not in accepted]
        if error is not None:
            self.problems.add(
                f"cannot write {label} from its config: its get_config() raised "
                f"{error_summary(error)} Its arguments were read from its "
                "attributes instead; check them"
            )
        config = jsonable_fast(raw) if raw is not None else {}
        overrides = self._function_overrides(op, config) if config else {}
        values: dict[str, str] = {}
        said: set[str] = set()
        for key, value in config.items():
            if key not in accepted:
                continue  # derived entries (a count the layer computes) and the like
            if key in overrides:
                values[key] = overrides[key]
            elif isinstance(value, dict) and value.get("class_name") == "function":
                values[key] = self._attribute_or_literal(op, key, value, label)
            elif not _plain(raw[key]):
                # not JSON data (an array, a tensor, an object): its repr is no code
                noted = len(self.problems.pending)
                values[key] = self._value(
                    raw[key], f"{label} argument {key}", fallback="None"
                )
                if len(self.problems.pending) > noted:
                    said.add(key)  # already said: no second note when checking
            else:
                values[key] = literal(value, _nested_layer)
        missing = []
        for p in named:
            if p.name in values or p.name == "name":
                continue
            found, live = attribute_value(op, p.name)
            if not found or not _compatible(live, p.default):
                # e.g. `self.dropout = layers.Dropout(dropout)`: the attribute is
                # not the argument, but the sublayer it made holds it
                found, live = value_from_init(op, p.name)
            if found:
                if p.default is not inspect.Parameter.empty and _same(live, p.default):
                    continue
                src = self._value(live, f"{label} argument {p.name}")
                if src is not None:
                    values[p.name] = src
                    continue
            if p.default is inspect.Parameter.empty:
                missing.append(p.name)
        for name in missing:
            values[name] = "None"
            self.problems.add(
                f"cannot read the required argument {name!r} of {label}: it is not "
                f"in its get_config() nor kept as an attribute `self.{name}`. Replace "
                "None with its value"
            )
        if "name" in accepted:
            values["name"] = repr(op.name)
        expr = _call_source(ref, named, values)
        if missing:
            return expr  # said already; building it with None would only fail
        checked = self._check_constructor(
            op, expr, raw, label, [k for k in accepted if k not in said]
        )
        if checked is not None:
            return checked
        return expr

    def _attribute_or_literal(self, op: Any, key: str, value: Any, label: str) -> str:
        import keras

        try:
            fn = keras.saving.deserialize_keras_object(value)
        except Exception:
            fn = None
        if is_function(fn):
            return function_expr(fn, self.imports, self.problems, f"{label} {key}")
        return literal(value, _nested_layer)

    def _check_constructor(
        self,
        op: Any,
        expr: str,
        raw: dict[str, Any] | None,
        label: str,
        accepted: list[str],
    ) -> str | None:
        """Build the layer from ``expr``: a note if that fails or its config differs.

        Returns another expression to use instead (``Cls.from_config({...})``, when
        the class reads its own config back and the arguments alone do not do), or
        None to keep ``expr``.
        """
        import keras

        ns = {"keras": keras, "layers": keras.layers, "np": np}
        ns.update(self.imports.objects)
        ns.update(self._definition_values())
        reference = _without_name(jsonable_fast(raw)) if raw is not None else None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rebuilt = eval(expr, ns)
        except Exception as e:
            failure = error_summary(e)
        else:
            if reference is None:
                return None
            try:
                got = _without_name(jsonable_fast(rebuilt.get_config()))
            except Exception:
                return None
            # Only the constructor's arguments: other entries are derived (a
            # shape the layer records when it is built, a count it computes).
            differs = sorted(
                k
                for k in set(reference) | set(got)
                if k in accepted and reference.get(k) != got.get(k)
            )
            if not differs:
                return None
            failure = f"its config then differs in {', '.join(differs)}"
        if raw is not None and _own_from_config(type(op)):
            alt = f"{self._class_ref(type(op))}.from_config({literal(jsonable_fast(raw))})"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    rebuilt = eval(alt, ns)
                got = _without_name(jsonable_fast(rebuilt.get_config()))
                if got == reference:
                    return alt
            except Exception:
                pass
        self.problems.add(
            f"{label} may not be rebuilt faithfully: building it from the written "
            f"arguments gives {failure}"
        )
        return None

    def _definition_values(self) -> dict[str, Any]:
        ns: dict[str, Any] = {"np": np}
        for line in self.definitions:
            name, _, source = line.partition(" = ")
            try:
                ns[name] = eval(source.split("  #")[0], ns)
            except Exception:
                continue
        return ns


def _output_paths(op: Any, count: int) -> list[tuple[str, str]] | None:
    """For a nested model whose outputs are a dict (or nested), a name and the
    subscript that reaches each flat output (``("pooled_output",
    "['pooled_output']")``); None for a flat list."""
    import keras

    structure = getattr(op, "output", None) if isinstance(op, keras.Model) else None
    if not isinstance(structure, dict) and not (
        isinstance(structure, (list, tuple))
        and any(isinstance(v, (dict, list, tuple)) for v in structure)
    ):
        return None
    try:
        paths = [p for p, _ in keras.tree.flatten_with_path(structure)]
    except Exception:
        return None
    if len(paths) != count:
        return None
    out = []
    for i, path in enumerate(paths):
        last = path[-1] if path else i
        name = (
            last if isinstance(last, str) else f"{op.name}_{'_'.join(map(str, path))}"
        )
        out.append((name, "".join(f"[{k!r}]" for k in path)))
    return out


def _written_as_class(model: Any) -> bool:
    """A nested model of a third-party class that describes itself by constructor
    arguments (a KerasHub backbone): written as ``BertBackbone(...)``, not as its
    layers, so the rebuilt model has the same class."""
    from keras.src.models.functional import Functional

    cls = type(model)
    if is_keras_module(cls.__module__):
        return False
    own = getattr(cls, "get_config", None)
    return own is not None and own is not Functional.get_config


def _compatible(value: Any, default: Any) -> bool:
    """Could ``value`` be what was passed for a parameter with this default? (An
    attribute named like the argument may hold something the layer made of it.)"""
    if default is inspect.Parameter.empty or default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, (bool, np.bool_))
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float, np.number)) and not isinstance(
            value, bool
        )
    if isinstance(default, str):
        return (
            isinstance(value, str) or is_function(value) or hasattr(value, "get_config")
        )
    if isinstance(default, (tuple, list)):
        return isinstance(value, (tuple, list))
    return True


def _plain(value: Any) -> bool:
    """JSON-like data, which :func:`literal` writes faithfully."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, float) or np.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _all_none(value: Any) -> bool:
    """None, or a structure of Nones (the masks Keras records for a dict input)."""
    if isinstance(value, dict):
        return bool(value) and all(_all_none(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_all_none(v) for v in value)
    return value is None


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or (type(a) is type(b) and a == b))
    except Exception:
        return False


def _without_name(config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        return {}
    return {k: v for k, v in config.items() if k != "name"}


def _own_from_config(cls: type) -> bool:
    import keras

    mine = getattr(cls, "from_config", None)
    base = keras.layers.Layer.from_config
    return getattr(mine, "__func__", mine) is not getattr(base, "__func__", base)


def _call_source(
    ref: str, named: list[inspect.Parameter], values: dict[str, str]
) -> str:
    """``Ref(required, ..., key=value, name='x')``: required arguments positionally
    (in the signature's order), then the rest as keywords, the name last."""
    values = dict(values)
    name = values.pop("name", None)
    parts = []
    for p in named:  # the leading run of required positional parameters
        required = p.default is inspect.Parameter.empty
        if not required or p.kind is p.KEYWORD_ONLY or p.name not in values:
            break
        parts.append(values.pop(p.name))
    parts += [f"{k}={v}" for k, v in values.items()]
    if name is not None:
        parts.append(f"name={name}")
    return f"{ref}({', '.join(parts)})"


def _serialize_keras_object(value: Any) -> Any:
    """A Keras object (initializer, regularizer, constraint) as its serialized
    config, JSON-safe; None for anything else."""
    import keras

    module = type(value).__module__
    if not is_keras_module(module) or not hasattr(value, "get_config"):
        return None
    try:
        return jsonable_fast(keras.saving.serialize_keras_object(value))
    except Exception:
        return None


def layer_constructor(
    cls: type,
    config: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    live: dict[str, Any] | None = None,
) -> str:
    """``layers.Dense(64, activation='relu', name='d')``: required args positionally,
    then only the entries that differ from the class defaults.

    ``overrides`` maps config keys to source written instead of their value
    (``activation=keras.ops.gelu``), ``live`` the same keys to the objects, used
    when the layer is rebuilt to find defaults that depend on other arguments.
    """
    config = dict(config)
    overrides = dict(overrides or {})
    live = {k: v for k, v in (live or {}).items() if k in overrides}
    for key in overrides:
        config.pop(key, None)
    name = config.pop("name", None)
    defaults = class_defaults(cls, {"name": "", **config, **live})
    own = split_config(config, defaults) if defaults is not None else config
    if defaults is not None:
        own = _settle(cls, config, own, live)
    required = _required_args(cls)
    parts = []
    for k in required:
        if k in overrides:
            parts.append(str(overrides.pop(k)))
        elif k in own:
            parts.append(literal(own.pop(k), _nested_layer))
        else:
            break
    parts += [f"{k}={literal(v, _nested_layer)}" for k, v in own.items()]
    parts += [f"{k}={v}" for k, v in overrides.items()]
    if name is not None:
        parts.append(f"name={name!r}")
    return f"{_class_path(cls)}({', '.join(parts)})"


def _settle(
    cls: type,
    config: dict[str, Any],
    own: dict[str, Any],
    live: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add back entries whose default depends on other arguments.

    ``MaxPooling2D(pool_size=3)`` has ``strides=None``, which means "= pool_size": the
    class default config says ``strides=(2, 2)``, so a layer with ``pool_size=3,
    strides=2`` looks as if ``strides`` were a default. Building the layer from the
    chosen arguments and comparing configs finds such entries.
    """
    import warnings

    from ..graph._jsonsafe import jsonable_fast

    own = dict(own)
    for _ in range(3):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = jsonable_fast(
                    cls(**own, **(live or {}), name="kerasviz_reference").get_config()
                )
        except Exception:
            return dict(config)
        missing = {k: v for k, v in config.items() if ref.get(k) != v}
        if not missing:
            return own
        own.update(missing)
    return dict(config)


def _nested_layer(class_name: str, config: dict[str, Any]) -> str:
    import keras

    cls = getattr(keras.layers, class_name, None)
    if cls is None:
        return f"keras.layers.deserialize({literal({'class_name': class_name, 'config': config})})"
    return layer_constructor(cls, config)


def _required_args(cls: type) -> list[str]:
    try:
        params = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in params
        if p.name != "self"
        and p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _class_path(cls: type) -> str:
    module = public_module(cls)
    if module == "keras.layers":
        return f"layers.{cls.__name__}"
    if is_keras_module(module):
        return f"{module}.{cls.__name__}"
    return cls.__name__  # a custom class: the writer imports it (_Writer._class_ref)


def _api_of(model: Any) -> str:
    import keras

    return "sequential" if isinstance(model, keras.Sequential) else "functional"
