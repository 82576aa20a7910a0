"""Python source that rebuilds a model's architecture, Functional or Sequential."""

from __future__ import annotations

import inspect
from typing import Any

from ..graph import _keras_compat as compat
from ..graph import graph_of
from ..graph._defaults import class_defaults, split_config
from ..graph._jsonsafe import jsonable_fast
from ..graph.extract import _check_model, calling
from ..graph.kinds import kind_of_class, public_module
from ..view.blocks import snake_case
from ._render import Names, literal
from .reasons import NotSequentialError, sequential_reasons

HEADER = ["import keras", "from keras import layers", ""]


def to_code(model: Any, api: str = "functional") -> str:
    """Readable Python that rebuilds ``model``'s architecture (not its weights).

    The finished model is assigned to ``model``, so ``exec(code, ns); ns["model"]``
    works.

    Parameters
    ----------
    model : keras.Model
        A built Sequential or Functional model.
    api : {"functional", "sequential"}
        Which Keras API the code uses.

    Raises
    ------
    NotSequentialError
        With ``api="sequential"``, for a model the Sequential API cannot express;
        its message lists every reason with the layers involved.
    TypeError, ValueError
        For a non-model, a subclassed model or an unbuilt model.

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
    fn = check_codegen_model(model, what="to_code()")
    if api == "sequential":
        reasons = sequential_reasons(model)
        if reasons:
            raise NotSequentialError(model.name, reasons)
    writer = _Writer()
    var = writer.model(model, fn, api, top=True)
    lines = HEADER[:2] + _custom_imports(model) + [""] + writer.lines
    if var != "model":
        lines.append(f"model = {var}")
    return "\n".join(lines) + "\n"


def _custom_imports(model: Any) -> list[str]:
    """Import lines (or notes) for layer classes that are not Keras's own."""
    out = []
    seen = set()
    for n in graph_of(model, expand_nested=True).nodes:
        if n.module.startswith("keras") or (n.module, n.class_name) in seen:
            continue
        seen.add((n.module, n.class_name))
        if n.module == "__main__":
            out.append(
                f"# {n.class_name}: a custom layer class defined in your notebook; "
                "run this code where it is defined."
            )
        else:
            out.append(f"from {n.module} import {n.class_name}  # custom layer class")
    return out


def check_codegen_model(model: Any, what: str) -> Any:
    """The model's Functional graph, or a clear error saying why there is none."""
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
    if fn is None:
        raise ValueError(
            f"{what} cannot read a subclassed model: its wiring lives in the Python "
            "code of its `call()` method, which Keras does not record. Write it with "
            "the Functional or Sequential API to generate and compare code. "
            f"Received: {type(model).__name__} {model.name!r}"
        )
    return fn


class _Writer:
    def __init__(self) -> None:
        self.names = Names()
        self.lines: list[str] = []
        self.tensors: dict[int, str] = {}
        self.instances: dict[int, str] = {}

    # ---- models -------------------------------------------------------------------
    def model(self, model: Any, fn: Any, api: str, top: bool = False) -> str:
        # Nested models first, innermost first, so each is defined before it is used.
        for op in fn.operations:
            inner = (
                compat.graph_owner(op) if kind_of_class(type(op)) == "model" else None
            )
            if inner is not None and id(op) not in self.instances:
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
                self.lines.append(f"        {self._input_call(op)},")
            elif id(op) in self.instances:
                self.lines.append(f"        {self.instances[id(op)]},")
            else:
                self.lines.append(f"        {self._constructor(op)},")
        self.lines.append("    ],")
        self.lines.append(f"    name={model.name!r},")
        self.lines.append(")")

    def _functional(self, model: Any, fn: Any, var: str) -> None:
        for op in fn.operations:
            calls = compat.calls_in(fn, op)
            if type(op).__name__ == "InputLayer":
                out = self.names.new(op.name)
                self.lines.append(f"{out} = {self._input_call(op)}")
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
                self.lines.append(f"{inst} = {self._constructor(op)}")
            for node in calls:
                callee = inst if inst is not None else self._constructor(op)
                base = op.name if inst is None else f"{op.name}_out"
                self._assign(node, base, f"{callee}({self._arguments(node)})")
        ins = [self.tensors[id(t)] for t in compat.flatten(fn.inputs)]
        outs = [self.tensors[id(t)] for t in compat.flatten(fn.outputs)]
        self.lines.append(
            f"{var} = keras.Model(inputs={_seq(ins)}, outputs={_seq(outs)}, "
            f"name={model.name!r})"
        )

    def _assign(self, node: Any, base: str, expr: str) -> None:
        outs = list(node.output_tensors)
        names = [
            self.names.new(base if len(outs) == 1 else f"{base}_{i}")
            for i in range(len(outs))
        ]
        for t, n in zip(outs, names, strict=True):
            self.tensors[id(t)] = n
        target = names[0] if len(names) == 1 else ", ".join(names)
        self.lines.append(f"{target} = {expr}")

    # ---- pieces -------------------------------------------------------------------
    def _arguments(self, node: Any, layer: bool = True) -> str:
        args, kwargs = compat.call_arguments(node)
        if layer:
            # Keras records the `training` flag and empty masks it filled in itself;
            # writing them out would freeze dropout and friends in one mode.
            kwargs = {
                k: v for k, v in kwargs.items() if k != "training" and v is not None
            }
        parts = [self._arg(a) for a in args]
        parts += [f"{k}={self._arg(v)}" for k, v in kwargs.items()]
        return ", ".join(parts)

    def _arg(self, value: Any) -> str:
        if id(value) in self.tensors:
            return self.tensors[id(value)]
        if isinstance(value, (list, tuple)):
            inner = ", ".join(self._arg(v) for v in value)
            return f"[{inner}]" if isinstance(value, list) else f"({inner},)"
        if isinstance(value, dict):
            return (
                "{"
                + ", ".join(f"{k!r}: {self._arg(v)}" for k, v in value.items())
                + "}"
            )
        return repr(value)

    def _input_call(self, op: Any) -> str:
        cfg = op.get_config()
        batch_shape = list(cfg.get("batch_shape") or [None])
        parts = [f"shape={literal(list(batch_shape[1:]))}"]
        if batch_shape[0] is not None:
            parts.append(f"batch_size={batch_shape[0]}")
        if cfg.get("dtype") not in (None, "float32"):
            parts.append(f"dtype={cfg['dtype']!r}")
        if cfg.get("sparse"):
            parts.append("sparse=True")
        if cfg.get("ragged"):
            parts.append("ragged=True")
        parts.append(f"name={op.name!r}")
        return f"keras.Input({', '.join(parts)})"

    def _op_call(self, op: Any, node: Any) -> str:
        import keras

        fname = snake_case(type(op).__name__)
        fn = getattr(keras.ops, fname, None)
        config = {k: v for k, v in op.get_config().items() if k != "name"}
        if fn is not None:
            try:
                defaults = {
                    p.name: p.default for p in inspect.signature(fn).parameters.values()
                }
            except (TypeError, ValueError):
                defaults = {}
            config = {k: v for k, v in config.items() if defaults.get(k, object()) != v}
            extra = [f"{k}={literal(jsonable_fast(v))}" for k, v in config.items()]
            args = ", ".join([self._arguments(node, layer=False), *extra])
            return f"keras.ops.{fname}({args})"
        ctor = f"{_class_path(type(op))}(**{literal(jsonable_fast(config))})"
        return f"{ctor}({self._arguments(node, layer=False)})"

    def _constructor(self, op: Any) -> str:
        cls = type(op)
        try:
            raw = op.get_config()
        except Exception as e:
            return f"{_class_path(cls)}(name={op.name!r})  # get_config() failed: {e}"
        return layer_constructor(cls, jsonable_fast(raw))


def layer_constructor(cls: type, config: dict[str, Any]) -> str:
    """``layers.Dense(64, activation='relu', name='d')``: required args positionally,
    then only the entries that differ from the class defaults."""
    config = dict(config)
    name = config.pop("name", None)
    defaults = class_defaults(cls, {"name": "", **config})
    own = split_config(config, defaults) if defaults is not None else config
    if defaults is not None:
        own = _settle(cls, config, own)
    required = _required_args(cls)
    parts = [literal(own.pop(k), _nested_layer) for k in required if k in own]
    parts += [f"{k}={literal(v, _nested_layer)}" for k, v in own.items()]
    if name is not None:
        parts.append(f"name={name!r}")
    return f"{_class_path(cls)}({', '.join(parts)})"


def _settle(cls: type, config: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
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
                ref = jsonable_fast(cls(**own, name="kerasviz_reference").get_config())
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
    if module.startswith("keras"):
        return f"{module}.{cls.__name__}"
    return cls.__name__  # a custom class: to_code() imports it at the top


def _api_of(model: Any) -> str:
    import keras

    return "sequential" if isinstance(model, keras.Sequential) else "functional"


def _seq(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"[{', '.join(names)}]"
