"""Static export through pydot and Graphviz: ``to_dot`` and ``save``.

Keeps ``plot_model``'s option names, adds kerasviz's colours, parameter counts and
collapsed blocks, and avoids what breaks ``plot_model`` on big models: no
orthogonal edge routing (Graphviz aborts on EfficientNetB7 with it), and SVG is
written as a file at its natural size (readable at 100 %, however big the model).

SVG and ``dpi``: Graphviz 2.43 (Debian 12, Ubuntu 22.04) scales the drawing by
``dpi / 72`` but leaves the ``viewBox`` unscaled, so a browser crops the right and
bottom of any SVG written with a dpi other than 72. :func:`save` therefore lays the
SVG out at 72 dpi (one user unit per point, as every Graphviz writes it) and sets
the root's ``width`` and ``height`` itself, scaled by ``dpi / 96``: at the default
96 dpi the SVG is at its natural size, and at any dpi it shows as large as the PNG
of the same dpi, whole.
"""

from __future__ import annotations

import inspect
import os
import pathlib
import re
from typing import Any

from ..graph import ModelGraph
from ..graph.extract import entry_point
from ..style import KIND_STYLES
from ..view import view_payload
from ..view.elements import layers_inside, shape_text
from ..view.overlays import format_value, ink_for, overlay_colors
from .cytoscape import cytoscape_elements

FORMATS = ("svg", "png", "pdf", "dot")
#: ``show_shapes``'s default for ``to_dot``, ``save`` and ``%kerasviz --export`` (which
#: takes it from ``save``): shapes on, as in the explorer. ``plot_model`` leaves them
#: off; a learner reads a graph by its shapes.
SHOW_SHAPES = True
#: The dpi at which an SVG is at its natural size (CSS pixels per inch).
SVG_NATURAL_DPI = 96
INSTALL_GRAPHVIZ = (
    "Install Graphviz's `dot` program: `apt-get install graphviz` (Debian/Ubuntu), "
    "`conda install graphviz`, or `brew install graphviz`, then restart the kernel."
)


def check_pydot() -> Any:
    """Import pydot, or raise an ImportError that says how to install it."""
    try:
        import pydot
    except ImportError as e:
        raise ImportError(
            "Static export needs pydot: `pip install pydot` (and Graphviz's `dot` for "
            f"SVG, PNG and PDF). {INSTALL_GRAPHVIZ}"
        ) from e
    return pydot


def _quote(text: str) -> str:
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    )


@entry_point("to_dot()")
def to_dot(
    model: Any,
    *,
    show_shapes: bool = SHOW_SHAPES,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    show_params: bool = True,
    expand_nested: bool = False,
    collapse_blocks: bool | str = "auto",
    rankdir: str = "TB",
    dpi: int = 96,
    lint: bool = False,
    overlay: str | None = None,
    dims: dict[str, int] | int | None = None,
) -> Any:
    """The model as a ``pydot.Dot`` graph.

    Parameters
    ----------
    model : keras.Model or ModelGraph
    show_shapes : bool
        Shapes in the nodes (input and output of the layer) and on the edges. On by
        default, as in the explorer and ``%kerasviz --export`` (``plot_model``'s
        default is off).
    show_dtype, show_layer_names, show_layer_activations, show_trainable,
    expand_nested, rankdir, dpi
        As in ``keras.utils.plot_model``. ``dpi`` sets the size of a PNG or PDF;
        :func:`save` gives an SVG the size of the PNG of the same dpi (natural size
        at the default 96).
    show_params : bool
        Parameter counts in the nodes.
    collapse_blocks : bool or "auto"
        Draw repeated blocks (``conv2_block1_*``) as one node each; "auto" does so
        for models of more than 150 layers, as the explorer does.
    lint : bool
        Mark the layers :func:`kerasviz.lint` has findings about (an orange double
        border; the finding and its fix as the node's hover text).
    overlay : str, optional
        Colour the layers by a cost, as the explorer's overlay menu does:
        ``"params"``, ``"macs"``, ``"flops"``, ``"memory"`` (activation bytes) or
        ``"share"`` (of the FLOPs); the legend is the graph's label, each node's
        value its hover text.
    dims : dict or int, optional
        Sizes for unknown dimensions the costs need (``{"sequence": 128}``), as
        :func:`kerasviz.costs` takes them.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> kerasviz.to_dot(m).get_rankdir()
    'TB'
    """
    pydot = check_pydot()
    payload = view_payload(
        model,
        rankdir=rankdir,
        expand_nested=expand_nested,
        lint=lint,
        overlay=overlay,
        dims=dims,
    )
    metric = _overlay_metric(payload)
    findings: dict[str, list[str]] = {}
    for f in payload.get("lint", []):
        findings.setdefault(f["layer"], []).append(f"{f['message']} Fix: {f['fix']}")
    graph = ModelGraph.from_json(payload["graph"])
    collapsed = set(payload["collapsed"])
    blocks = {b["id"] for b in payload["blocks"]}
    if collapse_blocks is False:
        collapsed -= blocks
    elif collapse_blocks is True:
        collapsed |= blocks
    if not expand_nested:
        collapsed |= {n.parent for n in graph.nodes if n.parent} - blocks
    els = cytoscape_elements(payload, collapsed)
    # an open container's label, as the renderer writes it: a block's label or
    # "name (ClassName)"
    labels = {el["data"]["id"]: el["data"]["label"] for el in els["nodes"]}
    inside = layers_inside(payload)
    graph_ids = {n.id for n in graph.nodes}
    dot = pydot.Dot(
        graph_type="digraph",
        rankdir=payload["options"]["rankdir"],
        dpi=str(dpi),
        splines="spline",
        nodesep="0.25",
        ranksep="0.35",
        fontname="Helvetica",
    )
    paint = overlay_colors(metric) if metric is not None else {}
    if metric is not None:
        dot.set("label", _quote(_legend_text(metric)))
        dot.set("labelloc", "t")
        dot.set("fontsize", "12")
    dot.set_node_defaults(
        shape="box",
        style="rounded,filled",
        fontname="Helvetica",
        fontsize="11",
        penwidth="1.5",
    )
    dot.set_edge_defaults(
        fontname="Helvetica", fontsize="9", color="#777777", arrowsize="0.7"
    )
    clusters: dict[str, Any] = {}
    containers = blocks | set(payload["parents"].values())

    def cluster_of(parent: str | None) -> Any:
        if parent is None:
            return dot
        if parent not in clusters:
            sub = pydot.Cluster(
                _cluster_name(parent, len(clusters)),
                label=_quote(labels[parent]),
                style="rounded,dashed",
                color="#888888",
                fontname="Helvetica",
            )
            cluster_of(payload["parents"].get(parent)).add_subgraph(sub)
            clusters[parent] = sub
        return clusters[parent]

    options = dict(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        show_trainable=show_trainable,
        show_layer_activations=show_layer_activations,
        show_params=show_params,
    )
    for el in els["nodes"]:
        d = el["data"]
        if d["id"] in containers and d["id"] not in collapsed:
            cluster_of(d["id"])  # an open container is a cluster, not a node
            continue
        label = _node_label(d, graph, inside, collapsed, options)
        colour = KIND_STYLES.get(d["kind"], KIND_STYLES["other"])["color"]
        if d["id"] in blocks:
            colour = "#888888"
        classes = el["classes"].split()
        attrs = {
            "label": _quote(label),
            "fillcolor": colour + "33",
            "color": colour,
            "id": _quote("kv-" + d["id"]),
        }
        if metric is not None:
            fill = paint.get(d["id"])
            if fill is not None:
                attrs["fillcolor"] = fill
                attrs["fontcolor"] = ink_for(fill)
            else:
                attrs["fillcolor"] = "#f2f2f2"
                attrs["fontcolor"] = "#777777"
        if "kv-input" in classes or "kv-output" in classes:
            attrs["penwidth"] = "3"
        if "kv-collapsed" in classes:
            attrs["style"] = "rounded,filled,bold"
        built = graph.node(d["id"]).sources if d["id"] in graph_ids else []
        notes = [f"built at {s.describe()}" for s in built]
        notes += findings.get(d["id"], [])
        if metric is not None:
            notes.append(_overlay_note(metric, d["id"]))
        if notes:  # the SVG's hover text: where kerasviz saw it built, lint findings
            attrs["tooltip"] = _quote("\n".join(notes))
        if d["id"] in findings:
            attrs["color"] = "#f57c00"
            attrs["peripheries"] = "2"
        cluster_of(d.get("parent")).add_node(pydot.Node(_quote(d["id"]), **attrs))
    for el in els["edges"]:
        d = el["data"]
        attrs = {}
        if show_shapes and d["shape"]:
            attrs["label"] = _quote(d["shape"])
        if d["count"] > 1:
            attrs["penwidth"] = "2.5"
        dot.add_edge(pydot.Edge(_quote(d["source"]), _quote(d["target"]), **attrs))
    return dot


def _overlay_metric(payload: dict[str, Any]) -> dict[str, Any] | None:
    overlays = payload.get("overlays") or {}
    key = overlays.get("selected")
    return next((m for m in overlays.get("metrics", []) if m["key"] == key), None)


def _legend_text(metric: dict[str, Any]) -> str:
    """The graph's label under an overlay: what the colours mean."""
    low, high = metric["min"], metric["max"]
    if low is None:
        return f"{metric['label']}: no layer has a value"
    scale = ", log scale" if metric["scale"] == "log" else ""
    return (
        f"{metric['label']}: pale {format_value(low, metric['unit'])} to dark "
        f"{format_value(high, metric['unit'])}{scale}"
    )


def _overlay_note(metric: dict[str, Any], node: str) -> str:
    value = metric["values"].get(node)
    if value is None:
        return f"{metric['label']}: {metric['reasons'].get(node, 'no value')}"
    return f"{metric['label']}: {format_value(value, metric['unit'])}"


def _cluster_name(container: str, index: int) -> str:
    return f"kv{index}"


def _node_label(
    d: dict[str, Any],
    graph: ModelGraph,
    inside: dict[str, list[str]],
    collapsed: set[str],
    o: dict[str, bool],
) -> str:
    node_id = d["id"]
    if node_id in collapsed:  # "conv2_block1\n(12 layers)" and what it holds
        total = sum(graph.node(x).params.total for x in inside.get(node_id, []))
        return d["label"] + (
            f"\nparams: {total:,}" if o["show_params"] and total else ""
        )
    n = graph.node(node_id)
    lines = []
    if o["show_layer_names"]:
        lines.append(f"{n.name} ({n.class_name})")
    else:
        lines.append(n.class_name)
    activation = graph.activation(node_id)
    if o["show_layer_activations"] and activation and activation != "linear":
        lines.append(f"activation: {activation}")
    if o["show_params"] and n.params.total:
        lines.append(f"params: {n.params.total:,}")
    if o["show_trainable"]:
        trainable = (graph.full_config(node_id) or {}).get("trainable", True)
        lines.append("trainable" if trainable else "frozen")
    if o["show_dtype"] and n.dtype:
        lines.append(f"dtype: {n.dtype}")
    if o["show_shapes"] and n.calls:
        call = n.calls[0]
        ins = ", ".join(shape_text(s) for s in call.input_shapes) or "-"
        outs = ", ".join(shape_text(s) for s in call.output_shapes) or "-"
        lines.append(f"in: {ins}  out: {outs}")
    return "\n".join(lines)


@entry_point("save()")
def save(model: Any, path: str | os.PathLike[str], **options: Any) -> pathlib.Path:
    """Write the model's graph to ``path``: ``.svg``, ``.png``, ``.pdf``, ``.dot``
    or ``.html``.

    Takes :func:`to_dot`'s options (``plot_model``'s names), with the same
    defaults: unlike ``plot_model``, shapes are drawn unless ``show_shapes=False``
    (``%kerasviz model --export PATH`` draws the same). ``.dot`` needs only pydot;
    the others also need Graphviz's ``dot`` program. An SVG is laid out at 72 dpi
    and then sized for ``dpi`` (see the module's notes), so it is whole at any dpi.

    ``.html`` writes the interactive explorer as one self-contained page that opens
    from disk with no server and no network (:func:`kerasviz.export.html.to_html`);
    it takes the display options of :func:`kerasviz.show` and ``title=``.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> kerasviz.save(m, "model.svg")  # doctest: +SKIP
    PosixPath('model.svg')
    >>> kerasviz.save(m, "model.html", title="A tiny model")  # doctest: +SKIP
    PosixPath('model.html')
    """
    path = pathlib.Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "html":
        from .html import save_html

        return save_html(model, path, **options)
    if fmt not in FORMATS:
        raise ValueError(
            f"kerasviz.save() writes {', '.join('.' + f for f in (*FORMATS, 'html'))} "
            f"files. Received: path={str(path)!r}"
        )
    known = set(inspect.signature(to_dot).parameters) - {"model"}  # through the wrapper
    unknown = set(options) - known
    if unknown:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(unknown)}")
    dot = to_dot(model, **options)
    if fmt == "dot":
        path.write_text(dot.to_string())
        return path
    if fmt == "svg":
        dot.set("dpi", "72")  # Graphviz 2.43 crops an SVG written at any other dpi
    try:
        data = dot.create(prog="dot", format=fmt)
    except FileNotFoundError as e:
        raise RuntimeError(
            f"Writing {path.name} needs Graphviz's `dot` program, which was not found "
            f"on PATH. {INSTALL_GRAPHVIZ} (`.dot` files need no Graphviz.)"
        ) from e
    except Exception as e:  # pydot wraps Graphviz's own failures
        if "not found" in str(e) or "No such file" in str(e):
            raise RuntimeError(
                f"Writing {path.name} needs Graphviz's `dot` program. {INSTALL_GRAPHVIZ}"
            ) from e
        raise
    if fmt == "svg":
        dpi = float(
            options.get("dpi", inspect.signature(to_dot).parameters["dpi"].default)
        )
        data = _size_svg(data, dpi / SVG_NATURAL_DPI)
    path.write_bytes(data)
    return path


def _size_svg(data: bytes, scale: float) -> bytes:
    """Scale the root ``<svg>``'s ``width`` and ``height`` (points) by ``scale``.

    The ``viewBox`` stays as Graphviz wrote it at 72 dpi, so the browser scales the
    whole drawing into the new size: nothing is cut off.
    """
    start = data.find(b"<svg")
    end = data.find(b">", start) + 1
    if scale == 1 or start < 0 or end <= 0:
        return data
    tag = data[start:end]
    for attr in (b"width", b"height"):
        tag = re.sub(
            rb"\b" + attr + rb'="([0-9.]+)pt"',
            lambda m, a=attr: a + b'="%gpt"' % round(float(m.group(1)) * scale, 2),
            tag,
            count=1,
        )
    return data[:start] + tag + data[end:]
