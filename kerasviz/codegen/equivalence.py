"""check_equivalent: same topology, same parameters, same outputs on random inputs."""

from __future__ import annotations

import base64
import contextlib
import html
import marshal
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import ModelGraph, graph_of
from ..graph import _keras_compat as compat
from ._custom import (
    code_key,
    is_function,
    is_keras_module,
    keep_auto_names,
    one_line,
)
from .generate import codegen_graph


@dataclass
class EquivalenceReport:
    """The verdict of :func:`check_equivalent`: ``equivalent`` and every difference."""

    equivalent: bool
    differences: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    max_abs_diff: float | None = None

    @property
    def summary(self) -> str:
        """A readable paragraph: the verdict, then what was checked or what differs."""
        head = "Equivalent." if self.equivalent else "Not equivalent."
        body = self.checks if self.equivalent else self.differences
        return "\n".join([head, *(f"- {line}" for line in body)])

    def __str__(self) -> str:
        return self.summary

    def __bool__(self) -> bool:
        return self.equivalent

    def _repr_html_(self) -> str:
        colour = (
            "var(--jp-success-color1, #2e7d32)"
            if self.equivalent
            else ("var(--jp-error-color1, #c62828)")
        )
        head = "Equivalent" if self.equivalent else "Not equivalent"
        items = "".join(
            f"<li>{html.escape(line)}</li>"
            for line in (self.checks if self.equivalent else self.differences)
        )
        return (
            f'<div class="kv-verdict"><strong style="color:{colour}">{head}</strong>'
            f"<ul>{items}</ul></div>"
        )


def _config_without_name(g: ModelGraph, node_id: str) -> dict[str, Any]:
    cfg = dict(g.full_config(node_id) or {})
    cfg.pop("name", None)
    return cfg


def match_graphs(ga: ModelGraph, gb: ModelGraph) -> tuple[dict[str, str], list[str]]:
    """Pair the nodes of two graphs by wiring (up to names), from the inputs on."""
    problems: list[str] = []
    mapping: dict[str, str] = {}
    if len(ga.model.inputs) != len(gb.model.inputs):
        problems.append(
            f"inputs differ in number: {len(ga.model.inputs)} vs {len(gb.model.inputs)}"
        )
    queue = list(zip(ga.model.inputs, gb.model.inputs, strict=False))
    out_a: dict[str, list[Any]] = {}
    out_b: dict[str, list[Any]] = {}
    for e in ga.edges:
        out_a.setdefault(e.source, []).append(e)
    for e in gb.edges:
        out_b.setdefault(e.source, []).append(e)
    cls_a = {n.id: n.class_name for n in ga.nodes}
    cls_b = {n.id: n.class_name for n in gb.nodes}
    used_b: set[str] = set()
    while queue:
        a, b = queue.pop(0)
        if a in mapping:
            if mapping[a] != b:
                problems.append(f"wiring differs around {a!r}")
            continue
        if b in used_b:
            problems.append(f"wiring differs: {b!r} would stand for two layers")
            continue
        mapping[a] = b
        used_b.add(b)
        free = list(out_b.get(b, []))
        for ea in out_a.get(a, []):
            key = (ea.source_output, ea.source_call, ea.target_arg, ea.target_call)
            pick = next(
                (
                    eb
                    for eb in free
                    if (eb.source_output, eb.source_call, eb.target_arg, eb.target_call)
                    == key
                    and cls_b[eb.target] == cls_a[ea.target]
                    and (mapping.get(ea.target) in (None, eb.target))
                ),
                None,
            )
            if pick is None:
                problems.append(
                    f"wiring differs: nothing in the second model matches "
                    f"{a!r} -> {ea.target!r} ({cls_a[ea.target]}, argument {ea.target_arg})"
                )
                continue
            free.remove(pick)
            queue.append((ea.target, pick.target))
        for eb in free:
            problems.append(
                f"wiring differs: the second model has {b!r} -> {eb.target!r} "
                f"({cls_b[eb.target]}), which the first has not"
            )
    return mapping, problems


def check_equivalent(
    a: Any, b: Any, *, rtol: float = 1e-5, atol: float = 1e-5, seed: int = 0
) -> EquivalenceReport:
    """Are ``a`` and ``b`` the same network?

    Checks, in order: the same layers (classes and configs, names aside) wired the
    same way; the same parameter counts; and — after copying ``a``'s weights into a
    clone of ``b`` (``b`` itself is left untouched) — the same outputs on random
    inputs (``np.allclose``).

    The clone is made with the models' own classes and functions in scope
    (``keras.saving.custom_object_scope``); where Keras cannot clone ``b``
    faithfully (a broken ``get_config()``, a function Keras would read back as
    another), the weights go into ``b`` itself and are put back afterwards. Weights
    are copied layer by layer, by name or else by position in the graph. The random
    inputs fit each input: strings from the vocabulary of the StringLookup it
    feeds, integers below the ``input_dim`` of the Embedding it feeds (else small
    integers), in the structure the model takes (a dict stays a dict). A subclassed
    model that has been called once is read through the Functional its ``call()``
    traces to.

    Examples
    --------
    >>> import keras, kerasviz
    >>> a = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> ns = {}; exec(kerasviz.to_code(a, "functional"), ns)
    >>> kerasviz.check_equivalent(a, ns["model"]).equivalent
    True
    """
    with contextlib.ExitStack() as stack:
        stack.enter_context(keep_auto_names())
        fa = stack.enter_context(codegen_graph(a, "check_equivalent()"))
        fb = stack.enter_context(codegen_graph(b, "check_equivalent()"))
        return _check(a, b, fa, fb, rtol, atol, seed)


def _check(
    a: Any, b: Any, fa: Any, fb: Any, rtol: float, atol: float, seed: int
) -> EquivalenceReport:
    # A subclassed model is read through the Functional its call() traces to.
    ga = graph_of(a if fa is compat.graph_owner(a) else fa)
    gb = graph_of(b if fb is compat.graph_owner(b) else fb)
    mapping, diffs = match_graphs(ga, gb)
    checks = []
    for na in ga.nodes:
        if na.id not in mapping:
            diffs.append(
                f"{na.id!r} ({na.class_name}) has no counterpart in the second model"
            )
            continue
        nb = gb.node(mapping[na.id])
        if na.class_name != nb.class_name:
            diffs.append(f"{na.id!r} is {na.class_name}, {nb.id!r} is {nb.class_name}")
            continue
        ca, cb = _config_without_name(ga, na.id), _config_without_name(gb, nb.id)
        for k in sorted(set(ca) | set(cb)):
            if not same_config_value(ca.get(k), cb.get(k)):
                diffs.append(
                    f"{na.id!r} vs {nb.id!r}: {k} differs ({ca.get(k)!r} vs {cb.get(k)!r})"
                )
        if na.params != nb.params:
            diffs.append(
                f"{na.id!r} vs {nb.id!r}: params differ ({na.params.total:,} vs "
                f"{nb.params.total:,})"
            )
    for nb in gb.nodes:
        if nb.id not in mapping.values():
            diffs.append(
                f"{nb.id!r} ({nb.class_name}) has no counterpart in the first model"
            )
    outs = [mapping.get(o) for o in ga.model.outputs]
    if outs != gb.model.outputs:
        diffs.append(
            f"outputs differ: {ga.model.outputs} map to {outs}, the second "
            f"model's are {gb.model.outputs}"
        )
    if ga.model.params != gb.model.params:
        diffs.append(
            f"total params differ: {ga.model.params.total:,} vs "
            f"{gb.model.params.total:,}"
        )
    if diffs:
        return EquivalenceReport(False, _unique(diffs), mapping=mapping)
    checks.append(
        f"same topology: {len(ga.nodes)} layers, {len(ga.edges)} connections, "
        "matched up to names"
    )
    checks.append(
        f"same parameters: {ga.model.params.total:,} "
        f"({ga.model.params.trainable:,} trainable)"
    )
    max_diff, problem = _compare_outputs(
        a, b, fa, fb, ga, gb, mapping, rtol, atol, seed
    )
    if problem:
        return EquivalenceReport(
            False, [problem], mapping=mapping, max_abs_diff=max_diff
        )
    checks.append(
        f"same outputs on random inputs after copying the weights "
        f"(max |difference| {max_diff:.2e})"
    )
    return EquivalenceReport(True, [], checks, mapping, max_diff)


def same_config_value(x: Any, y: Any) -> bool:
    """Config values equal; two serialized Python lambdas are equal when their
    bytecode is (their serialized form also holds the file they were written in)."""
    if x == y:
        return True
    lx, ly = _lambda_code(x), _lambda_code(y)
    return lx is not None and lx == ly


def _lambda_code(value: Any) -> Any:
    if not (isinstance(value, dict) and value.get("class_name") == "__lambda__"):
        return None
    try:
        raw = base64.b64decode((value.get("config") or {}).get("code", ""))
        code = marshal.loads(raw)
    except Exception:
        return None
    return code_key(code)


def custom_classes(*models: Any) -> dict[str, Any]:
    """Every class in the models (layers, nested layers, the models) that is not
    Keras's own, and every such function a layer holds (a custom activation), by
    name: what ``custom_object_scope`` needs to clone them."""
    import keras

    found: dict[str, Any] = {}
    stack = list(models)
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        cls = type(obj)
        if not is_keras_module(cls.__module__):
            found.setdefault(cls.__name__, cls)
        if isinstance(obj, keras.layers.Layer):
            for value in vars(obj).values():
                module = getattr(value, "__module__", None) or ""
                if is_function(value) and not is_keras_module(module):
                    found.setdefault(getattr(value, "__name__", ""), value)
            stack.extend(_sublayers(obj))
            stack.extend(compat.operations(obj) if isinstance(obj, keras.Model) else [])
    found.pop("", None)
    found.pop("<lambda>", None)
    return found


def _sublayers(layer: Any) -> list[Any]:
    """The layers a layer tracks (``Layer._layers``, Keras 3.15), public ones first."""
    subs = list(getattr(layer, "layers", None) or [])
    subs += list(getattr(layer, "_layers", None) or [])
    return subs


def _clone(b: Any) -> tuple[Any, str | None]:
    """A clone of ``b`` with its custom classes in scope; None and why on failure."""
    import keras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with keras.saving.custom_object_scope(custom_classes(b)):
                clone = keras.models.clone_model(b)
    except Exception as e:
        return None, f"{type(e).__name__}: {one_line(e)}"
    if not _faithful_clone(b, clone):
        return None, "the clone lost a function a layer holds"
    return clone, None


def _faithful_clone(b: Any, clone: Any) -> bool:
    """Keras clones a layer from its config, which can name a different function
    than the layer holds (``Dense(activation=keras.ops.gelu)`` has ``"gelu"``,
    read back as ``keras.activations.gelu``): check every function attribute."""
    ops_b, ops_c = compat.operations(b), compat.operations(clone)
    if len(ops_b) != len(ops_c):
        return False
    for x, y in zip(ops_b, ops_c, strict=True):
        if type(x) is not type(y):
            return False
        for key, value in vars(x).items():
            if is_function(value) and getattr(y, key, None) is not value:
                return False
    return True


def _compare_outputs(
    a: Any,
    b: Any,
    fa: Any,
    fb: Any,
    ga: ModelGraph,
    gb: ModelGraph,
    mapping: dict[str, str],
    rtol: float,
    atol: float,
    seed: int,
) -> tuple[float | None, str | None]:
    clone, _ = (None, None) if fb is not compat.graph_owner(b) else _clone(b)
    # Without a clone (a layer Keras cannot rebuild from its config, a traced
    # model), the weights go into ``b`` itself and are put back afterwards.
    target, target_fn = (clone, clone) if clone is not None else (b, fb)
    if target_fn is not fb:
        target_fn = compat.graph_owner(target) or target
    to_numpy = compat.keras_module().ops.convert_to_numpy
    saved = None if clone is not None else [np.array(to_numpy(v)) for v in b.weights]
    try:
        problem = _copy_weights(fa, target_fn, fb, mapping)
        if problem:
            return None, problem
        rng = np.random.default_rng(seed)
        hints = _input_hints(fa)
        flat_a = [
            _random_input(t, rng, hints.get(i))
            for i, t in enumerate(compat.flatten(fa.inputs))
        ]
        ids_a = ga.model.inputs
        by_id = {mapping.get(i): x for i, x in zip(ids_a, flat_a, strict=False)}
        flat_b = [by_id.get(i) for i in gb.model.inputs]
        if any(x is None for x in flat_b):
            return None, "could not pair the inputs of the two models"
        feed_a = _pack(fa, flat_a)
        feed_b = _pack(fb, flat_b)
        ya = [to_numpy(y) for y in compat.flatten(_run(a, feed_a))]
        yb = [to_numpy(y) for y in compat.flatten(_run(target, feed_b))]
    except Exception as e:
        return None, (
            f"could not run both models on random inputs: {type(e).__name__}: "
            f"{one_line(e)}"
        )
    finally:
        if saved is not None:
            for v, value in zip(b.weights, saved, strict=True):
                v.assign(value)
    if [y.shape for y in ya] != [y.shape for y in yb]:
        return None, (
            f"outputs differ in shape: {[y.shape for y in ya]} vs "
            f"{[y.shape for y in yb]}"
        )
    diffs = [
        float(np.nanmax(np.abs(p.astype("float64") - q.astype("float64"))))
        if p.size and p.dtype.kind in "biuf" and not np.isnan(p - q).all()
        else 0.0
        for p, q in zip(ya, yb, strict=True)
        if p.dtype.kind in "biuf"
    ]
    max_diff = max(diffs) if diffs else 0.0
    same = all(
        np.allclose(p, q, rtol=rtol, atol=atol, equal_nan=True)
        if p.dtype.kind in "biuf"
        else np.array_equal(p, q)
        for p, q in zip(ya, yb, strict=True)
    )
    if not same:
        return max_diff, (
            f"outputs differ on random inputs after copying the weights "
            f"(max |difference| {max_diff:.3g})"
        )
    return max_diff, None


def _run(model: Any, feed: Any) -> Any:
    """Call ``model`` on ``feed`` (inference mode). A subclassed model whose
    ``call(self, x, y)`` takes several tensors gets them as several arguments: its
    traced Functional takes them as one list."""
    import inspect

    if compat.graph_owner(model) is None and isinstance(feed, list) and len(feed) > 1:
        try:
            params = inspect.signature(model.call).parameters.values()
        except (TypeError, ValueError):
            params = []
        positional = [
            p
            for p in params
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            and p.name not in ("training", "mask")
            and p.default is inspect.Parameter.empty
        ]
        if len(positional) == len(feed):
            return model(*feed, training=False)
    return model(feed, training=False)


def _pack(fn: Any, flat: list[Any]) -> Any:
    """Flat inputs in the structure the model takes (a dict stays a dict)."""
    import keras

    structure = fn.input
    if not isinstance(structure, (dict, list, tuple)):
        return flat[0]
    return keras.tree.pack_sequence_as(structure, flat)


def _copy_weights(fa: Any, target: Any, fb: Any, mapping: dict[str, str]) -> str | None:
    """Copy each layer's weights of ``a`` into its counterpart in ``target`` (``b``
    or its clone). Counterparts are found by name, else by position in the graph
    (a clone keeps ``b``'s order even where names differ)."""
    ops_b = list(fb.operations)
    ops_t = list(target.operations)
    pos_b = {op.name: i for i, op in enumerate(ops_b)}
    by_name = {op.name: op for op in ops_t}
    for la in fa.operations:
        name = mapping.get(la.name)
        if name is None or not getattr(la, "weights", None):
            continue
        lt = by_name.get(name)
        if lt is None and pos_b.get(name) is not None and len(ops_t) == len(ops_b):
            lt = ops_t[pos_b[name]]
        if lt is None:
            return f"could not find the layer {name!r} of the second model to copy the weights of {la.name!r} into"
        try:
            lt.set_weights(la.get_weights())
        except Exception as e:
            return (
                f"could not copy the weights of {la.name!r} into {name!r}: "
                f"{type(e).__name__}: {one_line(e)}"
            )
    return None


def _input_hints(fn: Any) -> dict[int, Any]:
    """What each flat input feeds, for making valid values: a StringLookup's (or
    IntegerLookup's) vocabulary, or an Embedding's ``input_dim``."""
    import keras

    consumers: dict[int, list[Any]] = {}
    flat = compat.flatten(fn.inputs)
    index = {id(t): i for i, t in enumerate(flat)}
    for op in fn.operations:
        for node in compat.calls_in(fn, op):
            ins, _ = compat.call_tensors(node)
            for t in ins:
                i = index.get(id(t))
                if i is not None:
                    consumers.setdefault(i, []).append(op)
    hints: dict[int, Any] = {}
    for i, ops in consumers.items():
        layers_in = []
        stack = list(ops)
        seen: set[int] = set()
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            layers_in.append(layer)
            stack.extend(_sublayers(layer))
        vocab, dims = None, []
        for layer in layers_in:
            if isinstance(
                layer, (keras.layers.StringLookup, keras.layers.IntegerLookup)
            ):
                try:
                    vocab = list(layer.get_vocabulary())
                except Exception:
                    vocab = None
            elif isinstance(layer, keras.layers.Embedding):
                dims.append(int(layer.input_dim))
            elif isinstance(getattr(layer, "vocabulary_size", None), int):
                dims.append(int(layer.vocabulary_size))
        if vocab:
            hints[i] = ("vocabulary", vocab)
        elif dims:
            hints[i] = ("below", min(dims))
    return hints


def _random_input(
    tensor: Any, rng: np.random.Generator, hint: Any = None
) -> np.ndarray:
    shape = [
        2 if i == 0 and d is None else (8 if d is None else int(d))
        for i, d in enumerate(tensor.shape)
    ]
    dtype = str(tensor.dtype)
    if hint is not None and hint[0] == "vocabulary":
        vocab = hint[1]
        picks = rng.integers(0, len(vocab), size=shape)
        values = np.asarray(vocab, dtype=object)[picks]
        if dtype == "string":
            return values.astype(str).astype(object)
        return values.astype(dtype)
    if dtype == "string":
        return np.asarray(rng.integers(0, 10, size=shape).astype(str), dtype=object)
    if "int" in dtype:
        high = hint[1] if hint is not None and hint[0] == "below" else 2
        return rng.integers(0, max(int(high), 1), size=shape).astype(dtype)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    return rng.standard_normal(shape).astype(dtype)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
