"""check_equivalent: same topology, same parameters, same outputs on random inputs."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..graph import ModelGraph, graph_of
from ..graph import _keras_compat as compat
from .generate import check_codegen_model


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

    Examples
    --------
    >>> import keras, kerasviz
    >>> a = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> ns = {}; exec(kerasviz.to_code(a, "functional"), ns)
    >>> kerasviz.check_equivalent(a, ns["model"]).equivalent
    True
    """
    check_codegen_model(a, "check_equivalent()")
    check_codegen_model(b, "check_equivalent()")
    ga, gb = graph_of(a), graph_of(b)
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
            if ca.get(k) != cb.get(k):
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
    max_diff, problem = _compare_outputs(a, b, mapping, rtol, atol, seed)
    if problem:
        return EquivalenceReport(
            False, [problem], mapping=mapping, max_abs_diff=max_diff
        )
    checks.append(
        f"same outputs on random inputs after copying the weights "
        f"(max |difference| {max_diff:.2e})"
    )
    return EquivalenceReport(True, [], checks, mapping, max_diff)


def _compare_outputs(
    a: Any, b: Any, mapping: dict[str, str], rtol: float, atol: float, seed: int
) -> tuple[float | None, str | None]:
    import keras

    try:
        clone = keras.models.clone_model(b)
    except Exception as e:
        return None, f"could not clone the second model to copy weights into: {e}"
    for la in compat.operations(a):
        target = mapping.get(la.name)
        if target is None or not getattr(la, "weights", None):
            continue
        try:
            clone.get_layer(target).set_weights(la.get_weights())
        except Exception as e:
            return (
                None,
                f"could not copy the weights of {la.name!r} into {target!r}: {e}",
            )
    rng = np.random.default_rng(seed)
    inputs = [_random_input(t, rng) for t in compat.flatten(a.inputs)]
    feed = inputs[0] if len(inputs) == 1 else inputs
    # convert_to_numpy: a torch output needs detaching, a JAX one is a device array
    to_numpy = compat.keras_module().ops.convert_to_numpy
    ya = [to_numpy(y) for y in compat.flatten(a(feed, training=False))]
    yb = [to_numpy(y) for y in compat.flatten(clone(feed, training=False))]
    if [y.shape for y in ya] != [y.shape for y in yb]:
        return None, (
            f"outputs differ in shape: {[y.shape for y in ya]} vs "
            f"{[y.shape for y in yb]}"
        )
    max_diff = (
        max(
            (float(np.max(np.abs(p - q))) if p.size else 0.0)
            for p, q in zip(ya, yb, strict=True)
        )
        if ya
        else 0.0
    )
    if not all(
        np.allclose(p, q, rtol=rtol, atol=atol) for p, q in zip(ya, yb, strict=True)
    ):
        return max_diff, (
            f"outputs differ on random inputs after copying the weights "
            f"(max |difference| {max_diff:.3g})"
        )
    return max_diff, None


def _random_input(tensor: Any, rng: np.random.Generator) -> np.ndarray:
    shape = [
        2 if i == 0 and d is None else (3 if d is None else int(d))
        for i, d in enumerate(tensor.shape)
    ]
    dtype = str(tensor.dtype)
    if "int" in dtype:
        return rng.integers(0, 2, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    return rng.standard_normal(shape).astype(dtype)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
