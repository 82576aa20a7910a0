"""Why a model cannot be written with the Sequential API."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Reason:
    """One reason a model cannot be Sequential: its ``kind`` (a key of
    :data:`REASON_KINDS`), the ``nodes`` (layer ids) it is about, and its ``text``."""

    kind: str
    nodes: tuple[str, ...]
    text: str


#: Reason kind → (singular, plural) for grouped lists ("16 merges: ...").
REASON_KINDS: dict[str, tuple[str, str]] = {
    "inputs": ("more than one input", "more than one input"),
    "outputs": ("more than one output", "more than one output"),
    "branch": ("branch", "branches"),
    "merge": ("merge", "merges"),
    "shared": ("shared layer", "shared layers"),
    "op": ("non-layer op", "non-layer ops"),
    "multi_output": ("layer with several outputs", "layers with several outputs"),
}


def sequential_reasons(model: Any) -> list[str]:
    """Every reason the Sequential API cannot express ``model`` (empty if it can)."""
    return [r.text for r in reason_records(model)]


def reason_records(model: Any) -> list[Reason]:
    """:func:`sequential_reasons` as records: kind, the layer ids involved, text."""
    g = graph_of(model)
    reasons: list[Reason] = []

    def add(kind: str, nodes: list[str], text: str) -> None:
        reasons.append(Reason(kind, tuple(nodes), text))

    if len(g.model.inputs) > 1:
        add("inputs", g.model.inputs, f"more than one input: {_names(g.model.inputs)}")
    if len(g.model.outputs) > 1:
        add(
            "outputs",
            g.model.outputs,
            f"more than one output: {_names(g.model.outputs)}",
        )
    consumers: dict[str, list[str]] = {}
    producers: dict[tuple[str, int], list[str]] = {}
    for e in g.edges:
        consumers.setdefault(e.source, []).append(e.target)
        producers.setdefault((e.target, e.target_call), []).append(e.source)
    for n in g.nodes:
        outs = consumers.get(n.id, [])
        shown = [*outs, "(model output)"] if n.id in g.model.outputs and outs else outs
        if len(shown) > 1:
            add("branch", [n.id], f"a branch: {n.id!r} feeds {', '.join(shown)}")
    for n in g.nodes:
        for call, _ in enumerate(n.calls):
            ins = producers.get((n.id, call), [])
            if len(ins) > 1:
                add(
                    "merge",
                    [n.id],
                    f"a merge: {n.id!r} ({n.class_name}) takes {len(ins)} "
                    f"tensors, from {_names(ins)}",
                )
    for n in g.nodes:
        if len(n.calls) > 1:
            add(
                "shared",
                [n.id],
                f"a shared layer: {n.id!r} is called {len(n.calls)} times",
            )
        if n.kind == "op":
            add(
                "op",
                [n.id],
                f"a non-layer op: {n.id!r} ({n.class_name}) is a raw "
                "`keras.ops` call, not a layer",
            )
        elif any(len(c.output_shapes) > 1 for c in n.calls):
            add(
                "multi_output",
                [n.id],
                f"a layer with several outputs: {n.id!r} "
                f"({n.class_name}) returns {len(n.calls[0].output_shapes)} tensors",
            )
    return reasons


@dataclass(frozen=True)
class ReasonGroup:
    """Reasons of one kind: ``summary`` names the count and the first layers
    ("16 merges: conv2_block1_add, ..."); ``reasons`` holds every one."""

    kind: str
    summary: str
    reasons: tuple[Reason, ...]


def group_reasons(reasons: list[Reason], show: int = 3) -> list[ReasonGroup]:
    """Reasons grouped by kind, in order of first appearance. A kind with one reason
    keeps its own text; more are summarised with the first ``show`` layers."""
    by_kind: dict[str, list[Reason]] = {}
    for r in reasons:
        by_kind.setdefault(r.kind, []).append(r)
    groups = []
    for kind, items in by_kind.items():
        if len(items) == 1:
            summary = items[0].text
        else:
            names = [node for r in items for node in r.nodes]
            listed = ", ".join(names[:show])
            more = f", ... and {len(names) - show} more" if len(names) > show else ""
            summary = f"{len(items)} {REASON_KINDS[kind][1]}: {listed}{more}"
        groups.append(ReasonGroup(kind, summary, tuple(items)))
    return groups
