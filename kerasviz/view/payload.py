"""Build the view payload the TypeScript renderer reads (labextension/VIEW_PAYLOAD.md)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..contract import VIEW_VERSION
from ..graph import ModelGraph, graph_of
from ..graph._collector import collector_paused
from ..style import OVERLAY_INK_DARK, OVERLAY_INK_LIGHT, OVERLAY_STOPS, style_payload
from .blocks import find_blocks
from .elements import ancestors
from .options import ViewOptions, document_options, options_from
from .overlays import activation_metrics, check_overlay, cost_metrics

#: Models with more leaf layers than this open with blocks and nested models collapsed.
COLLAPSE_ABOVE = 150
#: ``options.dagre_max_nodes``: above this many visible nodes the renderer lays the
#: view out with its own layered layout (labextension/src/layout.ts, the one
#: layout), not dagre: dagre overflows the stack near 2,600 nodes of a deep chain,
#: and already costs ~0.7 s of a 1,000-node paint here (benchmarks/bench_browser.py).
#: Python sends no positions: the renderer's layout is as fast and uses the sizes
#: the browser measured (bench_browser.py --layout, commit b39824f).
DAGRE_MAX_NODES = 500


@document_options
def view_payload(
    model: Any,
    options: ViewOptions | Mapping[str, Any] | None = None,
    *,
    collapse_above: int = COLLAPSE_ABOVE,
    highlight: dict[str, str] | None = None,
    marks: dict[str, str] | None = None,
    error: dict[str, Any] | None = None,
    findings: list[dict[str, Any]] | None = None,
    costs: Mapping[str, Any] | bool | None = None,
    overlays: list[dict[str, Any]] | None = None,
    activations: Mapping[str, Any] | None = None,
    **view_options: Any,
) -> dict[str, Any]:
    """The JSON object the kerasviz renderer draws (kerasviz/schema/view.schema.json).

    Parameters
    ----------
    model : keras.Model, keras.layers.Layer or ModelGraph
        What to draw. A model is read with nested models expanded, so that the
        renderer can open and close them; ``expand_nested`` decides how they start.
    options : ViewOptions or dict, optional
        The display options as one object; keyword options override it.
    {view_options}
    collapse_above : int
        Models with more layers than this open with their blocks collapsed.
    highlight : dict, optional
        Node id → plain-text reason: nodes to mark (the comparison view uses it).
    marks : dict, optional
        Node id → ``"new"``, ``"failed"``, ``"input"`` or ``"output"``: how a
        construction step marks its nodes (a replay, an explained error).
    error : dict, optional
        An explained construction error (``ExplainedError.to_json()``), shown
        above the graph.
    findings : list of dict, optional
        Lint findings (``Finding.to_json()``) to show: badges on their layers and a
        list. With ``lint=True`` and none given, the model is linted here.
    costs : dict or bool, optional
        The cost report to show (``CostReport.to_json()``): each layer's cost in
        the inspector, and the cost overlays. By default :func:`kerasviz.costs`
        computes it here at batch size 1; ``False`` leaves costs out.
    overlays : list of dict, optional
        More overlay metrics (:func:`kerasviz.view.overlays.user_metric`).
    activations : dict, optional
        Node id → activation statistics (``ActivationStats.to_json()["nodes"]``):
        the inspector shows them and they become overlays.

    Examples
    --------
    >>> import keras
    >>> from kerasviz.view import view_payload
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> view_payload(m)["graph"]["model"]["api"]
    'sequential'
    >>> view_payload(m, rankdir="LR", select="out")["options"]["selected"]
    'out'
    """
    with collector_paused():
        return _view_payload(
            model,
            options_from("view_payload()", options, view_options),
            collapse_above=collapse_above,
            highlight=highlight,
            marks=marks,
            error=error,
            findings=findings,
            costs=costs,
            overlays=overlays,
            activations=activations,
        )


def _view_payload(
    model: Any,
    opts: ViewOptions,
    *,
    collapse_above: int,
    highlight: dict[str, str] | None,
    marks: dict[str, str] | None,
    error: dict[str, Any] | None,
    findings: list[dict[str, Any]] | None,
    costs: Mapping[str, Any] | bool | None,
    overlays: list[dict[str, Any]] | None,
    activations: Mapping[str, Any] | None,
) -> dict[str, Any]:
    rankdir, show_shapes, expand_nested = (
        opts.rankdir,
        opts.show_shapes,
        opts.expand_nested,
    )
    graph = (
        model if isinstance(model, ModelGraph) else graph_of(model, expand_nested=True)
    )
    if opts.lint and findings is None:
        if isinstance(model, ModelGraph):
            raise ValueError(
                "lint=True needs the Keras model (the checks read its compiled loss "
                "and its layers), not a ModelGraph. Pass the model, or the findings "
                "as findings=kerasviz.lint(model).to_json(). Received: a ModelGraph of "
                f"{graph.model.name!r}"
            )
        from ..lint import lint as run_lint

        findings = run_lint(model).to_json()
    blocks, member_of = find_blocks(graph)
    parents: dict[str, str] = {}
    for n in graph.nodes:
        up = member_of.get(n.id, n.parent)
        if up is not None:
            parents[n.id] = up
    for b in blocks:
        if b.parent is not None:
            parents[b.id] = b.parent
    containers = _containers(graph, blocks)
    leaves = [n.id for n in graph.nodes if n.id not in containers]
    collapsed = _initial_collapse(
        graph, blocks, parents, containers, leaves, expand_nested, collapse_above
    )
    selected = None if opts.select is None else resolve_layer(graph, opts.select)
    payload: dict[str, Any] = {
        "kerasviz_view": VIEW_VERSION,
        "graph": graph.to_json(),
        "blocks": [{"id": b.id, "label": b.label, "parent": b.parent} for b in blocks],
        "parents": parents,
        "collapsed": collapsed,
        "style": style_payload({n.kind for n in graph.nodes}),
        "options": {
            "rankdir": rankdir,
            "show_shapes": bool(show_shapes),
            "dagre_max_nodes": DAGRE_MAX_NODES,
            "selected": selected,
        },
        "notes": notes_for(graph),
        "highlight": {k: str(v) for k, v in (highlight or {}).items()},
    }
    cost_json = _costs_json(graph, costs, payload["notes"], opts.dims)
    metrics = cost_metrics(cost_json) if cost_json is not None else []
    if activations:
        payload["activations"] = {str(k): dict(v) for k, v in activations.items()}
        metrics += activation_metrics(activations)
    metrics += list(overlays or [])
    shown = check_overlay(opts.overlay, metrics)
    if cost_json is not None:
        payload["costs"] = _compact_costs(cost_json, carried=bool(metrics))
    if metrics:
        payload["overlays"] = {
            "metrics": metrics,
            "stops": list(OVERLAY_STOPS),
            "ink": [OVERLAY_INK_DARK, OVERLAY_INK_LIGHT],
            "selected": shown,
        }
    if marks:
        payload["marks"] = {str(k): str(v) for k, v in marks.items()}
    if error is not None:
        payload["error"] = error
    if findings:
        payload["lint"] = list(findings)
    return payload


def _costs_json(
    graph: ModelGraph,
    costs: Mapping[str, Any] | bool | None,
    notes: list[str],
    dims: dict[str, int] | int | None = None,
) -> dict[str, Any] | None:
    """The cost report to ship: the one given, or kerasviz.costs's at batch size 1
    (a note says why when it cannot be computed), or None when ``costs=False``."""
    if costs is False:
        return None
    if isinstance(costs, Mapping):
        return dict(costs)
    if costs not in (None, True):
        raise TypeError(
            "costs must be a cost report (CostReport.to_json()), True or False. "
            f"Received: costs={costs!r}"
        )
    try:
        from ..costs import costs as compute
    except ImportError:  # TEMP until kerasviz.costs lands
        return None
    try:
        return compute(graph, dims=dims).to_json()
    except Exception as e:  # a cost-model gap must not hide the graph
        notes.append(
            f"kerasviz could not work out this model's costs ({type(e).__name__}: "
            f"{e}); the graph is complete, the cost overlays are missing."
        )
        return None


#: Cost figures the cost overlays carry (overlay key → cost field): a payload with
#: overlays leaves them out of ``costs.nodes`` / ``costs.containers``.
CARRIED_BY_OVERLAYS = {
    "params": "params",
    "macs": "macs",
    "flops": "flops",
    "memory": "activation_bytes",
}


def _compact_costs(report: Mapping[str, Any], *, carried: bool) -> dict[str, Any]:
    """The cost report as the payload carries it: each node's and container's zero
    figures and empty reason left out (the renderer reads a missing figure as 0 and
    null as unknown), and, with ``carried``, the figures the cost overlays already
    hold by node (the renderer reads them there: an overlay's reason means
    unknown). ResNet50's costs: 25 KB → 8 KB. ``total`` stays whole."""
    drop = set(CARRIED_BY_OVERLAYS.values()) if carried else set()

    def compact(cost: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: v
            for k, v in cost.items()
            if k not in drop and v != 0 and not (k == "reason" and v is None)
        }

    out = dict(report)
    for part in ("nodes", "containers"):
        if isinstance(report.get(part), Mapping):
            out[part] = {k: compact(v) for k, v in report[part].items()}
    return out


def resolve_layer(graph: ModelGraph, name: str) -> str:
    """The node id of the layer ``name`` (a node id, or a layer name: the first node
    of that name); a clear error, with the closest names, when there is none."""
    ids = [n.id for n in graph.nodes]
    if name in ids:
        return name
    for n in graph.nodes:
        if n.name == name:
            return n.id
    close = difflib.get_close_matches(name, ids, n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"This model has no layer named {name!r}.{hint} Received: name={name!r}"
    )


def _containers(graph: ModelGraph, blocks: list[Any]) -> set[str]:
    with_children = {n.parent for n in graph.nodes if n.parent is not None}
    return with_children | {b.id for b in blocks}


def _initial_collapse(
    graph: ModelGraph,
    blocks: list[Any],
    parents: dict[str, str],
    containers: set[str],
    leaves: list[str],
    expand_nested: bool,
    collapse_above: int,
) -> list[str]:
    models = [n.id for n in graph.nodes if n.id in containers]
    block_ids = [b.id for b in blocks]
    if len(leaves) <= collapse_above:
        return [] if expand_nested else models
    # Big: close the innermost blocks and every nested model; if that still shows
    # too much, close the outer blocks too.
    has_inner = {parents[b] for b in block_ids if b in parents}
    innermost = [b for b in block_ids if b not in has_inner]
    collapsed = innermost + models
    if _visible_count(leaves, parents, set(collapsed)) > collapse_above:
        collapsed = block_ids + models
    return collapsed


def _visible_count(
    leaves: list[str], parents: dict[str, str], collapsed: set[str]
) -> int:
    """How many nodes show: leaves and collapsed containers not inside a collapsed one."""

    def hidden(x: str) -> bool:
        return any(up in collapsed for up in ancestors(x, parents))

    return sum(1 for x in leaves if not hidden(x) and x not in collapsed) + sum(
        1 for b in collapsed if not hidden(b)
    )


def notes_for(graph: ModelGraph) -> list[str]:
    """Plain-text banners: what the picture cannot show, and what to do about it."""
    m = graph.model
    notes = []
    if m.api == "sequential" and not m.built:
        names = ", ".join(n.name for n in graph.nodes) or "no layers yet"
        notes.append(
            f"This Sequential model is not built yet: its planned layers are "
            f"{names}, with no shapes or weights. Build it by starting it with "
            "`keras.Input(shape=...)`, by calling `model.build((None, ...))`, or by "
            "calling it on a batch of data."
        )
    elif m.api == "subclassed" and m.trace is not None and m.trace.traced:
        notes.append(
            f"`{m.class_name}` is a subclassed model: Keras does not record the wiring "
            "of its `call()`, so kerasviz traced it with symbolic inputs (no data ran, "
            "the model is unchanged). The wiring shown is that trace."
        )
    elif m.api == "subclassed":
        why = m.trace.reason if m.trace is not None and m.trace.reason else ""
        notes.append(
            f"`{m.class_name}` is a subclassed model: its wiring lives in the Python "
            f"code of its `call()` method, which Keras does not record. {why} Its "
            "sublayers are listed inside it, unconnected."
        )
    elif m.api == "layer":
        notes.append("This is a single layer, not a model: it has no graph to draw.")
    untraced = [
        n.name
        for n in graph.nodes
        if n.trace is not None
        and not n.trace.traced
        and not (n.parent is None and m.api == "subclassed")  # said above
    ]
    if untraced:
        notes.append(
            f"{len(untraced)} custom layer(s) are shown without their inner wiring "
            "(their inspector says why): "
            + ", ".join(untraced[:10])
            + (" ..." if len(untraced) > 10 else "")
        )
    broken = [n.name for n in graph.nodes if n.error]
    if broken:
        notes.append(
            f"{len(broken)} layer(s) could not be read fully (see their inspector): "
            + ", ".join(broken[:10])
            + (" ..." if len(broken) > 10 else "")
        )
    return notes
