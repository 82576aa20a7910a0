"""``to_ipycytoscape``: the graph as an ipycytoscape widget, for code built on it.

The only module that imports ipycytoscape. kerasviz's own views do not use it:
ipycytoscape makes one widget (and one comm) per node and edge. kerasviz hands it
the whole graph in one ``add_graph_from_json`` call, but ipycytoscape still opens
a comm per element, and past about a thousand elements Jupyter's IOPub rate limit
and ZMQ's high-water mark drop some of them: NASNetLarge or a 1,000-layer model
never appears (benchmarks/bench_browser.py). Use it for small graphs, or raise
``ServerApp.iopub_msg_rate_limit``; :func:`kerasviz.show` has no such limit.

The elements are :func:`kerasviz.export.cytoscape.cytoscape_elements`: the
renderer's rules (labextension/src/elements.ts owns them), tested against it; the
stylesheet is the payload's (kerasviz/style.py); the layout is ipycytoscape's dagre.
"""

from __future__ import annotations

import re
from typing import Any

from .export.cytoscape import cytoscape_elements
from .graph.extract import entry_point
from .view import view_payload

_VAR = re.compile(r"var\(--[\w-]+,\s*([^()]*(?:\([^()]*\))?[^()]*)\)")


def _resolve_vars(value: Any) -> Any:
    """Replace ``var(--jp-x, fallback)`` with its fallback (ipycytoscape can't resolve)."""
    if isinstance(value, str):
        return _VAR.sub(lambda m: m.group(1).strip(), value)
    return value


@entry_point("to_ipycytoscape()")
def to_ipycytoscape(
    model: Any, *, rankdir: str = "TB", show_shapes: bool = True, height: str = "560px"
) -> Any:
    """The model as an ``ipycytoscape.CytoscapeWidget`` (all layers expanded).

    Meant for small graphs (a few hundred layers): see the module docstring.

    Parameters
    ----------
    model : keras.Model or ModelGraph
    rankdir : {"TB", "LR"}
    show_shapes : bool
        Output shapes on edges.
    height : str
        CSS height of the widget (set before it renders, so it fits its area).

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> w = kerasviz.to_ipycytoscape(m)
    >>> len(w.graph.nodes)
    2
    """
    try:
        import ipycytoscape
    except ImportError as e:
        raise ImportError(
            "to_ipycytoscape() needs ipycytoscape: pip install ipycytoscape "
            "(or pip install 'kerasviz[interop]')."
        ) from e
    payload = view_payload(model, rankdir=rankdir, show_shapes=show_shapes)
    els = cytoscape_elements(payload, collapsed=set())
    widget = ipycytoscape.CytoscapeWidget(layout={"height": height, "width": "100%"})
    widget.graph.add_graph_from_json(
        {"nodes": els["nodes"], "edges": els["edges"]}, directed=True
    )
    widget.set_style(
        [
            {
                "selector": s["selector"],
                "style": {k: _resolve_vars(v) for k, v in s["style"].items()},
            }
            for s in payload["style"]["stylesheet"]
        ]
    )
    widget.set_layout(name="dagre", rankDir=rankdir, nodeSep=20, rankSep=40, fit=True)
    return widget
