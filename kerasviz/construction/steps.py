"""From recorded events to replay steps: each step's graph, new nodes and marks."""

from __future__ import annotations

import ast
import dataclasses
from typing import Any

from ..graph import _keras_compat as compat
from ..graph.extract import graph_and_layers
from ..graph.kinds import kind_of_class, public_module
from ..graph.model import Call, GraphEdge, LayerNode, ModelGraph, ModelInfo, Params
from ..graph.sources import sources_of
from .record import PARTIAL_NAME, Event, Recorder, Step, empty_graph

#: Name of the graph of tensors made outside any model yet (the header says it).
IN_PROGRESS = "(no model yet)"


def build_steps(rec: Recorder) -> list[Step]:
    """One step per event (a ``Sequential([...])`` one per list item as well)."""
    tensors = _TensorGraph(rec.events, rec)
    sequentials: dict[int, tuple[ModelGraph, dict[int, str]]] = {}
    claimed: set[str] = set()
    alive: list[str] = []
    steps: list[Step] = []
    previous: Step | None = None

    def add(step: Step) -> None:
        nonlocal previous
        step.index = len(steps)
        steps.append(step)
        previous = step

    # A keras.Input written as a Sequential's first list item belongs to it.
    in_sequential = {
        id(x)
        for e in rec.events
        if e.kind in ("sequential", "add")
        for x in compat.sequential_layers(e.model)
    }
    events = [
        e for e in rec.events if not (e.kind == "input" and id(e.op) in in_sequential)
    ]
    for event, run, hidden in _plan(events):
        if event.kind in ("input", "call"):
            new = []
            for each in run:
                made = tensors.node_of(each.op)
                if made is not None and made not in alive:
                    alive.append(made)
                if made is not None and made not in new:
                    new.append(made)
            if hidden:  # a library function's own layers: its model step shows them
                continue
            if len(run) > 1:
                event = dataclasses.replace(
                    event, label=f"{len(run)} layer calls made by this line"
                )
            shown = tensors.with_ancestors([n for n in alive if n not in claimed])
            add(
                _step(
                    event, tensors.cut(shown), shown, new, None, {n: "new" for n in new}
                )
            )
        elif event.kind in ("sequential", "add"):
            graph, ids = _sequential(sequentials, event.model)
            if event.kind == "sequential":
                order = [
                    ids[id(x)]
                    for x in compat.sequential_layers(event.model)
                    if id(x) in ids
                ]
                shown = 0
                for count, line in _list_items(event, rec):
                    nodes = order[:count]
                    new = nodes[shown:]
                    shown = len(nodes)
                    label = (
                        f"Sequential {event.model.name!r} made (empty)"
                        if count == 0
                        else f"item {count}: {nodes[-1] if nodes else '?'}"
                    )
                    e = dataclasses.replace(
                        event,
                        label=label,
                        line=line or event.line,
                        code=_text(rec, line) or event.code,
                    )
                    add(
                        _step(
                            e,
                            _cut(graph, nodes, graph.model),
                            nodes,
                            new,
                            event.model.name,
                            {n: "new" for n in new},
                        )
                    )
            else:
                nodes = [ids[id(x)] for x in event.layers if id(x) in ids]
                before = (
                    set(previous.nodes)
                    if previous and previous.model == event.model.name
                    else set()
                )
                new = [n for n in nodes if n not in before]
                add(
                    _step(
                        event,
                        _cut(graph, nodes, graph.model),
                        nodes,
                        new,
                        event.model.name,
                        {n: "new" for n in new},
                    )
                )
        elif event.kind == "model":
            graph, _layers = graph_and_layers(event.model, expand_nested=True)
            top = [n.id for n in graph.nodes if n.parent is None]
            for layer in compat.operations(event.model):
                made = tensors.node_of(layer)
                if made is not None:
                    claimed.add(made)
            marks = {i: "input" for i in graph.model.inputs}
            marks.update({o: "output" for o in graph.model.outputs})
            add(_step(event, graph, top, list(marks), event.model.name, marks))
        elif event.kind == "error":
            add(_error_step(event, previous, tensors, sequentials, alive, claimed))
    return steps


def _plan(events: list[Event]) -> list[tuple[Event, list[Event], bool]]:
    """(event, the events it stands for, hidden) per step. The calls a library
    function or a helper from elsewhere makes (``MobileNetV2()``, a KerasHub
    backbone, ``block(x)`` from an earlier cell) are one step at their line; when
    that line then makes a model, the model's step shows them and they are hidden."""
    plan: list[tuple[Event, list[Event], bool]] = []
    i = 0
    while i < len(events):
        e = events[i]
        if e.kind not in ("input", "call") or e.direct:
            plan.append((e, [e], False))
            i += 1
            continue
        j = i
        while (
            j + 1 < len(events)
            and events[j + 1].kind in ("input", "call")
            and not events[j + 1].direct
            and events[j + 1].line == e.line
        ):
            j += 1
        nxt = events[j + 1] if j + 1 < len(events) else None
        hidden = (
            nxt is not None
            and nxt.kind == "model"
            and not nxt.direct
            and nxt.line == e.line
        )
        plan.append((events[j], events[i : j + 1], hidden))
        i = j + 1
    return plan


def _step(
    event: Event,
    graph: ModelGraph | None,
    nodes: list[str],
    new: list[str],
    model: str | None,
    marks: dict[str, str],
) -> Step:
    return Step(
        index=0,
        kind=event.kind,
        line=event.line,
        code=event.code,
        label=event.label,
        nodes=list(nodes),
        new=list(new),
        model=model,
        graph=graph,
        marks=dict(marks),
        error=event.error,
    )


def _error_step(
    event: Event,
    previous: Step | None,
    tensors: _TensorGraph,
    sequentials: dict[int, Any],
    alive: list[str],
    claimed: set[str],
) -> Step:
    """The graph built up to the failure, with the failed call marked."""
    if event.model is not None:  # a Sequential add() that failed
        graph, ids = _sequential(sequentials, event.model)
        nodes = [ids[id(x)] for x in event.layers if id(x) in ids]
        base = _cut(graph, nodes, graph.model)
        model = event.model.name
    elif event.op is not None:  # a layer call on tensors
        nodes = [n for n in alive if n not in claimed]
        for t in event.inputs:
            made = tensors.node_of(compat.producer(t))
            if made is not None and made not in nodes:
                nodes.append(made)
        nodes = tensors.with_ancestors(nodes)
        base = tensors.cut(nodes)
        model = None
    else:  # a statement that failed outside any layer call
        base = previous.graph if previous is not None else None
        nodes = list(previous.nodes) if previous is not None else []
        model = previous.model if previous is not None else None
    marks: dict[str, str] = {}
    graph = base
    if event.op is not None and base is not None:
        graph, failed = _with_failed_node(base, event, tensors, nodes)
        marks[failed] = "failed"
        nodes = [*nodes, failed]
    elif graph is None:
        graph = empty_graph(IN_PROGRESS)
    return _step(event, graph, nodes, [k for k in marks], model, marks)


def _with_failed_node(
    graph: ModelGraph, event: Event, tensors: _TensorGraph, nodes: list[str]
) -> tuple[ModelGraph, str]:
    """``graph`` plus a node for the layer whose call failed, and its inputs' edges."""
    op = event.op
    taken = {n.id for n in graph.nodes}
    failed = str(getattr(op, "name", type(op).__name__))
    while failed in taken:
        failed += "*"
    shapes = [_shape(t) for t in event.inputs]
    node = LayerNode(
        id=failed,
        name=str(getattr(op, "name", failed)),
        class_name=type(op).__name__,
        module=public_module(type(op)),
        kind=kind_of_class(type(op)),
        parent=None,
        params=Params(),
        calls=[Call(input_shapes=shapes, output_shapes=[])],
        dtype=None,
        weights=[],
        config=_config(op),
        error=None,  # the failure is the step's error (and its highlight), not a read error
        sources=sources_of(op) or [],
    )
    edges = list(graph.edges)
    last = nodes[-1] if nodes else None
    sources = [tensors.node_of(compat.producer(t)) for t in event.inputs]
    if not event.inputs and event.model is not None and last is not None:
        sources = [last]  # a Sequential: the layer goes on top of the last one
    elif event.model is not None and last is not None:
        sources = [last] * len(sources)
    for arg, (src, t) in enumerate(
        zip(sources, event.inputs or [None] * len(sources), strict=False)
    ):
        if src is None or src not in taken:
            continue
        edges.append(
            GraphEdge(
                source=src,
                target=failed,
                shape=_shape(t),
                dtype=_dtype(t),
                target_arg=arg,
            )
        )
    return dataclasses.replace(graph, nodes=[*graph.nodes, node], edges=edges), failed


def _config(op: Any) -> dict[str, Any] | None:
    from ..graph._jsonsafe import jsonable_fast

    try:
        config = op.get_config()
    except Exception:
        return None
    if not isinstance(config, dict):
        return None
    config = {
        k: v for k, v in config.items() if k not in ("name", "dtype", "trainable")
    }
    try:
        return jsonable_fast(config)
    except Exception:
        return None


def _shape(t: Any) -> list[Any] | None:
    shape = getattr(t, "shape", None)
    return None if shape is None else [None if d is None else int(d) for d in shape]


def _dtype(t: Any) -> str | None:
    return (
        None if t is None or getattr(t, "dtype", None) is None else compat.dtype_name(t)
    )


# ---- the graphs ------------------------------------------------------------------
class _TensorGraph:
    """One temporary Functional over every tensor the events made, read once."""

    def __init__(self, events: list[Event], rec: Recorder) -> None:
        self._graph: ModelGraph | None = None
        self._ids: dict[int, str] = {}
        self._parents: dict[str, str | None] = {}
        made = [e for e in events if e.kind in ("input", "call")]
        if not made:
            return
        consumed = {id(t) for e in made for t in e.inputs}
        outputs = [t for e in made for t in e.outputs if id(t) not in consumed]
        seen: set[int] = set()
        outputs = [t for t in outputs if not (id(t) in seen or seen.add(id(t)))]
        inputs = compat.input_tensors_behind(outputs)
        if not outputs or not inputs:
            return
        keras = compat.keras_module()
        uids = compat.name_uids_snapshot()
        rec.paused = True
        try:
            partial = keras.Model(inputs=inputs, outputs=outputs, name=PARTIAL_NAME)
            self._graph, layers = graph_and_layers(partial, expand_nested=True)
        except Exception:
            self._graph = None
            return
        finally:
            rec.paused = False
            compat.name_uids_restore(uids)
        top = {n.id for n in self._graph.nodes if n.parent is None}
        self._ids = {id(layer): i for i, layer in layers.items() if i in top}
        self._parents = {n.id: n.parent for n in self._graph.nodes}

    def node_of(self, op: Any) -> str | None:
        """The top-level node id of ``op`` in the tensor graph, or None."""
        return None if op is None else self._ids.get(id(op))

    def with_ancestors(self, nodes: list[str]) -> list[str]:
        """``nodes`` and, before them, every top-level node they were computed
        from (a call on a model's tensors shows where they came from)."""
        if self._graph is None:
            return list(nodes)
        top = self._top
        feeds: dict[str, set[str]] = {}
        for e in self._graph.edges:
            a, b = top(e.source), top(e.target)
            if a != b:
                feeds.setdefault(b, set()).add(a)
        keep = set(nodes)
        stack = list(nodes)
        while stack:
            for up in feeds.get(stack.pop(), ()):
                if up not in keep:
                    keep.add(up)
                    stack.append(up)
        given = set(nodes)
        extra = [
            n.id
            for n in self._graph.nodes
            if n.parent is None and n.id in keep and n.id not in given
        ]
        return extra + list(nodes)

    def _top(self, i: str) -> str:
        parent = self._parents
        while parent.get(i) is not None:
            i = parent[i]  # type: ignore[assignment]
        return i

    def cut(self, nodes: list[str]) -> ModelGraph:
        if self._graph is None:
            return empty_graph(IN_PROGRESS)
        info = dataclasses.replace(
            self._graph.model,
            name=IN_PROGRESS,
            outputs=[],
            output_shapes=[],
            inputs=[i for i in self._graph.model.inputs if i in nodes],
        )
        return _cut(self._graph, nodes, info)


def _sequential(cache: dict[int, Any], model: Any) -> tuple[ModelGraph, dict[int, str]]:
    """The Sequential's graph as it ends up, and layer → node id."""
    if id(model) not in cache:
        try:
            graph, layers = graph_and_layers(model, expand_nested=True)
        except Exception:
            cache[id(model)] = (empty_graph(model.name, "sequential"), {})
        else:
            top = {n.id for n in graph.nodes if n.parent is None}
            cache[id(model)] = (
                graph,
                {id(v): k for k, v in layers.items() if k in top},
            )
    return cache[id(model)]


def _cut(graph: ModelGraph, keep: list[str], info: ModelInfo) -> ModelGraph:
    """``graph`` with only the top-level nodes ``keep`` (and what is inside them)."""
    wanted = set(keep)
    parent = {n.id: n.parent for n in graph.nodes}

    def top(i: str) -> str:
        while parent.get(i) is not None:
            i = parent[i]  # type: ignore[assignment]
        return i

    nodes = [n for n in graph.nodes if top(n.id) in wanted]
    ids = {n.id for n in nodes}
    edges = [e for e in graph.edges if e.source in ids and e.target in ids]
    if len(ids) < len(graph.nodes) or info is not graph.model:
        full = graph.model
        shapes_in = dict(zip(full.inputs, full.input_shapes, strict=False))
        shapes_out = dict(zip(full.outputs, full.output_shapes, strict=False))
        inputs = [i for i in info.inputs if i in ids]
        outputs = [o for o in info.outputs if o in ids]
        params = [n.params for n in nodes if n.parent is None]
        info = dataclasses.replace(
            info,
            inputs=inputs,
            outputs=outputs,
            input_shapes=[shapes_in.get(i) for i in inputs],
            output_shapes=[shapes_out.get(o) for o in outputs],
            params=Params(
                trainable=sum(p.trainable for p in params),
                non_trainable=sum(p.non_trainable for p in params),
            ),
        )
    return dataclasses.replace(graph, model=info, nodes=nodes, edges=edges)


# ---- a Sequential([...]) one list item at a time ------------------------------------
def _list_items(event: Event, rec: Recorder) -> list[tuple[int, int | None]]:
    """(how many layers, line) per step of ``Sequential([...])``: 0 first (the empty
    model object), then one per list item, at the item's own line when the source
    can be read."""
    count = len(event.layers)
    lines = _item_lines(rec.source, event.line, count)
    auto = 1 if _auto_input(event.model, event.layers) else 0
    out: list[tuple[int, int | None]] = [(0, event.line)]
    for i in range(count):
        out.append((i + 1 + auto, lines[i] if lines else event.line))
    return out


def _auto_input(model: Any, given: list[Any]) -> bool:
    """Whether Sequential put an InputLayer of its own first (``input_shape=``)."""
    layers = compat.sequential_layers(model)
    if not layers or not given:
        return False
    first = given[0]
    op = compat.producer(first) if compat.is_keras_tensor(first) else first
    return layers[0] is not op and type(layers[0]).__name__ == "InputLayer"


def _item_lines(source: str | None, line: int | None, count: int) -> list[int] | None:
    if not source or line is None:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and node.lineno <= line <= (node.end_lineno or line)
            and node.args
            and isinstance(node.args[0], ast.List)
            and len(node.args[0].elts) == count
        ):
            return [e.lineno for e in node.args[0].elts]
    return None


def _text(rec: Recorder, line: int | None) -> str:
    if not line or not rec.source:
        return ""
    lines = rec.source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
