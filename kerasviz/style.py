"""The one place the graph's look is decided: colours by layer family and the
cytoscape stylesheet, which travels in the view payload to the TypeScript renderer.

Colours of the families are fixed (they must mean the same thing in every notebook);
everything that should follow JupyterLab's light or dark theme is a ``var(--jp-*)``
reference, which the renderer resolves against the page.
"""

from __future__ import annotations

from typing import Any

from .contract import KIND_LABELS

#: Colour of every node kind (ModelGraph ``kind``; the kinds and their labels are
#: kerasviz/schema/contract.json's, which both sides read). Chosen so that
#: every two families differ clearly (tests/test_style.py): CIE ΔE76 of at least 23
#: between the colours, at least 11 under simulated protanopia and deuteranopia,
#: at least 6.5 between the node fills (NODE_FILL_OPACITY over white or JupyterLab
#: Dark's #111111), and every colour at least 2:1 against both backgrounds.
KIND_COLORS: dict[str, str] = {
    "input": "#008b46",
    "dense": "#2e74a2",
    "conv": "#d17417",
    "pooling": "#00b9b9",
    "normalization": "#a22e8b",
    "activation": "#d1a217",
    "dropout": "#8ba25d",
    "recurrent": "#e84646",
    "attention": "#ff74b9",
    "embedding": "#745d00",
    "merge": "#17d15d",
    "reshape": "#2e745d",
    "model": "#008be8",
    "op": "#8b8bd1",
    "other": "#a28b8b",
}

#: Legend: colour and label of every node kind, in legend order.
KIND_STYLES: dict[str, dict[str, str]] = {
    kind: {"color": KIND_COLORS[kind], "label": label}
    for kind, label in KIND_LABELS.items()
}

#: Opacity of a node's fill (its family colour over the page background).
NODE_FILL_OPACITY = 0.22

FONT = "var(--jp-ui-font-family, -apple-system, BlinkMacSystemFont, 'Segoe UI', sans-serif)"
TEXT = "var(--jp-ui-font-color1, #212121)"
TEXT_DIM = "var(--jp-ui-font-color2, #616161)"
BACKGROUND = "var(--jp-layout-color1, #ffffff)"
LINE = "var(--jp-ui-font-color3, #9e9e9e)"
SELECT = "var(--jp-brand-color1, #1976d2)"
MATCH = "var(--jp-warn-color1, #f57c00)"
ERROR = "var(--jp-error-color1, #d32f2f)"
NEW = "var(--jp-success-color1, #388e3c)"

#: The overlay colour scale (kerasviz.view.overlays), lowest value first: pale
#: yellow to dark purple, light to dark so the order reads without the legend
#: and in grey. Travels in the payload (``overlays.stops``).
OVERLAY_STOPS: list[str] = [
    "#fcf4c4",
    "#f9d77e",
    "#f4a259",
    "#e36d4c",
    "#c0435a",
    "#8a2c6a",
    "#4a1d63",
]
#: Label colours on overlay fills: dark on the light end, light on the dark end.
OVERLAY_INK_DARK = "#1a1a1a"
OVERLAY_INK_LIGHT = "#ffffff"


def stylesheet() -> list[dict[str, Any]]:
    """The cytoscape stylesheet (selectors on the element data the renderer makes)."""
    sheet: list[dict[str, Any]] = [
        {
            "selector": "node",
            "style": {
                "shape": "round-rectangle",
                "label": "data(label)",
                "text-wrap": "wrap",
                "text-valign": "center",
                "text-halign": "center",
                "font-family": FONT,
                "font-size": 12,
                "color": TEXT,
                "width": "label",
                "height": "label",
                "padding": "8px",
                "min-width": 80,
                "background-opacity": NODE_FILL_OPACITY,
                "border-width": 2,
                "border-opacity": 1,
            },
        }
    ]
    for kind, s in KIND_STYLES.items():
        sheet.append(
            {
                "selector": f'node[kind = "{kind}"]',
                "style": {"background-color": s["color"], "border-color": s["color"]},
            }
        )
    sheet += [
        {"selector": "node.kv-input", "style": {"shape": "barrel", "border-width": 4}},
        {
            "selector": "node.kv-output",
            "style": {
                "shape": "round-octagon",
                "border-width": 4,
                "border-style": "double",
            },
        },
        {
            "selector": "node.kv-collapsed",
            "style": {
                "background-opacity": 0.4,
                "border-width": 3,
                "font-weight": "bold",
                "shape": "round-rectangle",
            },
        },
        {
            "selector": "node.kv-block.kv-collapsed",
            "style": {"background-color": TEXT_DIM, "border-color": TEXT_DIM},
        },
        {
            "selector": ":parent",
            "style": {
                "background-opacity": 0.05,
                "background-color": TEXT_DIM,
                "border-style": "dashed",
                "border-width": 1,
                "border-color": TEXT_DIM,
                "text-valign": "top",
                "text-halign": "center",
                "font-weight": "bold",
                "padding": "14px",
            },
        },
        {
            "selector": "node.kv-error",
            "style": {"border-color": ERROR, "border-style": "dashed"},
        },
        {"selector": "node.kv-unbuilt", "style": {"border-style": "dotted"}},
        {
            "selector": "node.kv-match",
            "style": {"border-color": MATCH, "border-width": 4},
        },
        {
            "selector": "node.kv-highlight",
            "style": {"border-color": ERROR, "border-width": 5},
        },
        # lint badges, and what a construction step marks (kerasviz.construction)
        {
            "selector": "node.kv-lint",
            "style": {
                "border-color": MATCH,
                "border-width": 4,
                "border-style": "double",
            },
        },
        {
            "selector": "node.kv-mark-new",
            "style": {"border-color": NEW, "border-width": 5},
        },
        {
            "selector": "node.kv-mark-input, node.kv-mark-output",
            "style": {"border-color": SELECT, "border-width": 5},
        },
        {
            "selector": "node.kv-mark-failed",
            "style": {
                "border-color": ERROR,
                "border-width": 6,
                "border-style": "dashed",
            },
        },
        {
            "selector": "node:selected",
            "style": {
                "border-color": SELECT,
                "border-width": 5,
                "background-opacity": 0.45,
            },
        },
        # after the selection: an overlay paints a node with its value's colour
        # (kvOverlay) and a label colour that reads on it (kvInk), selected or not;
        # a node with no value fades
        {
            "selector": "node.kv-overlay",
            "style": {
                "background-color": "data(kvOverlay)",
                "background-opacity": 1,
                "color": "data(kvInk)",
            },
        },
        {
            "selector": "node.kv-overlay-none",
            "style": {"background-opacity": 0.04, "opacity": 0.55},
        },
        {
            "selector": "edge",
            "style": {
                # Edges are not clickable: cytoscape would hit-test every edge on
                # every mouse event (~200 ms per click on 5,000 nodes).
                "events": "no",
                "width": 1.5,
                "curve-style": "bezier",
                "line-color": LINE,
                "target-arrow-color": LINE,
                "target-arrow-shape": "triangle",
                "arrow-scale": 0.9,
                "font-family": FONT,
            },
        },
        {"selector": "edge[count > 1]", "style": {"width": 3}},
        {
            "selector": "edge.kv-shapes",
            "style": {
                "label": "data(shape)",
                "font-size": 9,
                "color": TEXT_DIM,
                "text-background-color": BACKGROUND,
                "text-background-opacity": 0.85,
                "text-background-padding": "1px",
                "text-rotation": "none",
            },
        },
        # after "edge": a construction step's new and failed edges win
        {
            "selector": "edge.kv-mark-new",
            "style": {"line-color": NEW, "target-arrow-color": NEW, "width": 3},
        },
        {
            "selector": "edge.kv-mark-failed",
            "style": {
                "line-color": ERROR,
                "target-arrow-color": ERROR,
                "width": 3,
                "line-style": "dashed",
            },
        },
    ]
    return sheet


def style_payload(kinds_present: set[str] | None = None) -> dict[str, Any]:
    """``{"kinds": legend entries, "order": [...], "stylesheet": [...]}`` for the
    view payload. ``order`` is the legend's order: a saved notebook sorts JSON object
    keys (nbformat writes with ``sort_keys``), so the order travels as a list."""
    kinds = {
        k: dict(v)
        for k, v in KIND_STYLES.items()
        if kinds_present is None or k in kinds_present
    }
    return {"kinds": kinds, "order": list(kinds), "stylesheet": stylesheet()}


def bundled_stylesheet_json() -> str:
    """:func:`stylesheet` as the renderer bundles it
    (labextension/src/default_stylesheet.json, written by
    ``python labextension/scripts/make_fixtures.py``): what it draws a payload with that carries
    no stylesheet (tests/test_export_elements.py checks the copy is current)."""
    import json

    return json.dumps(stylesheet(), indent=1, ensure_ascii=False) + "\n"
