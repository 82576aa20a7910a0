"""Why a model cannot be written with the Sequential API."""

from __future__ import annotations

from typing import Any

from ..graph import graph_of


class NotSequentialError(ValueError):
    """The model cannot be a ``keras.Sequential``; ``reasons`` says every why."""

    def __init__(self, model_name: str, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        lines = "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(
            f"Model {model_name!r} cannot be written with the Sequential API, which "
            f"stacks layers one after another (one input, one output, each layer "
            f"feeding only the next). Use the Functional API "
            f"(`to_code(model, api='functional')`). Reasons:\n{lines}"
        )


def _names(ids: list[str]) -> str:
    return ", ".join(repr(i) for i in ids)


def sequential_reasons(model: Any) -> list[str]:
    """Every reason the Sequential API cannot express ``model`` (empty if it can)."""
    g = graph_of(model)
    reasons = []
    if len(g.model.inputs) > 1:
        reasons.append(f"more than one input: {_names(g.model.inputs)}")
    if len(g.model.outputs) > 1:
        reasons.append(f"more than one output: {_names(g.model.outputs)}")
    consumers: dict[str, list[str]] = {}
    producers: dict[tuple[str, int], list[str]] = {}
    for e in g.edges:
        consumers.setdefault(e.source, []).append(e.target)
        producers.setdefault((e.target, e.target_call), []).append(e.source)
    for n in g.nodes:
        outs = consumers.get(n.id, [])
        if n.id in g.model.outputs and outs:
            outs = [*outs, "(model output)"]
        if len(outs) > 1:
            reasons.append(f"a branch: {n.id!r} feeds {', '.join(outs)}")
    for n in g.nodes:
        for call, _ in enumerate(n.calls):
            ins = producers.get((n.id, call), [])
            if len(ins) > 1:
                reasons.append(
                    f"a merge: {n.id!r} ({n.class_name}) takes {len(ins)} "
                    f"tensors, from {_names(ins)}"
                )
    for n in g.nodes:
        if len(n.calls) > 1:
            reasons.append(f"a shared layer: {n.id!r} is called {len(n.calls)} times")
        if n.kind == "op":
            reasons.append(
                f"a non-layer op: {n.id!r} ({n.class_name}) is a raw "
                "`keras.ops` call, not a layer"
            )
        elif any(len(c.output_shapes) > 1 for c in n.calls):
            reasons.append(
                f"a layer with several outputs: {n.id!r} "
                f"({n.class_name}) returns {len(n.calls[0].output_shapes)} tensors"
            )
    return reasons
