"""A fast layered layout in Python, for graphs too big for dagre in the browser.

Longest-path layering, then a few barycentre sweeps to order each layer; all loops
are iterative, so 5,000-layer chains are fine. Positions are in cytoscape model
units for ``rankdir="TB"`` (top to bottom); ``LR`` swaps the axes. Node and
shape-label sizes are estimated from their text (generously: the browser measures
them), so that the gap between two ranks holds a shape label clear of the nodes
and arrowheads at both ends.
"""

from __future__ import annotations

from collections import defaultdict

from ..graph import ModelGraph
from .elements import shape_text

#: Gap between two nodes of one rank.
NODE_GAP = 30.0
SWEEPS = 4

#: Node labels (``name\nClassName``): font size and padding of the stylesheet's
#: ``node`` rule, its minimum width, and the widest border (inputs, outputs).
NODE_FONT = 12.0
NODE_PADDING = 8.0
NODE_MIN_WIDTH = 80.0
NODE_BORDER = 4.0
#: Shape labels on the edges: font size, background padding and margin.
LABEL_FONT = 9.0
LABEL_PAD = 3.0
#: Width of one character as a share of the font size: more than digits,
#: letters, underscores and punctuation take in the usual sans-serif fonts, so
#: the estimates are never short of what the browser draws.
CHAR_EM = 0.62
#: Room between a shape label and the nodes at either end of its edge (the
#: arrowhead, about 8 px, and some air); as ``LABEL_CLEARANCE`` in layout.ts.
LABEL_CLEARANCE = 16.0


def node_size(name: str, class_name: str) -> tuple[float, float]:
    """Estimated width and height of a leaf node labelled ``name\nclass_name``."""
    chars = max(len(name), len(class_name))
    width = max(chars * NODE_FONT * CHAR_EM, NODE_MIN_WIDTH)
    extra = 2 * NODE_PADDING + 2 * NODE_BORDER
    return width + extra, 2 * NODE_FONT + extra


def label_size(text: str) -> tuple[float, float]:
    """Estimated width and height of a shape label (0, 0 for no text)."""
    if not text:
        return 0.0, 0.0
    return (
        len(text) * LABEL_FONT * CHAR_EM + 2 * LABEL_PAD,
        LABEL_FONT * 1.3 + 2 * LABEL_PAD,
    )


def layered_positions(
    graph: ModelGraph, leaves: list[str], rankdir: str = "TB"
) -> dict[str, list[float]]:
    """Positions of ``leaves`` (node ids) wired by ``graph.edges``."""
    index = {nid: i for i, nid in enumerate(leaves)}
    succ: dict[int, list[int]] = defaultdict(list)
    pred: dict[int, list[int]] = defaultdict(list)
    for e in graph.edges:
        s, t = index.get(e.source), index.get(e.target)
        if s is not None and t is not None and s != t:
            succ[s].append(t)
            pred[t].append(s)
    rank = _longest_path_ranks(len(leaves), succ, pred)
    layers: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(rank):
        layers[r].append(i)
    order = [layers[r] for r in range(max(layers) + 1)] if layers else []
    pos_in_layer = {i: k for layer in order for k, i in enumerate(layer)}
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        seq = order[1:] if down else order[-2::-1]
        for layer in seq:
            nbrs = pred if down else succ

            def bary(i: int, nbrs: dict[int, list[int]] = nbrs) -> float:
                ps = nbrs.get(i)
                if not ps:
                    return float(pos_in_layer[i])
                return sum(pos_in_layer[p] for p in ps) / len(ps)

            layer.sort(key=bary)
            for k, i in enumerate(layer):
                pos_in_layer[i] = k
    # Sizes of the nodes and of the widest shape label, then each rank as thick
    # as its thickest node, ranks apart by the label (along the edge: its width
    # left to right, its height top to bottom) and LABEL_CLEARANCE either side.
    horizontal = rankdir != "TB"
    nodes = {n.id: n for n in graph.nodes}
    sizes = [
        node_size(nodes[nid].name, nodes[nid].class_name) if nid in nodes else (0, 0)
        for nid in leaves
    ]
    longest = 0.0
    for e in graph.edges:
        if e.source in index and e.target in index:
            w, h = label_size(shape_text(e.shape))
            longest = max(longest, w if horizontal else h)
    gap = longest + 2 * LABEL_CLEARANCE
    out: dict[str, list[float]] = {}
    depth = 0.0
    for layer in order:
        along = [sizes[i][1] if horizontal else sizes[i][0] for i in layer]
        thick = max(sizes[i][0] if horizontal else sizes[i][1] for i in layer)
        cursor = -(sum(along) + NODE_GAP * (len(layer) - 1)) / 2
        for i, size in zip(layer, along, strict=True):
            across = round(cursor + size / 2, 1)
            centre = round(depth + thick / 2, 1)
            out[leaves[i]] = [centre, across] if horizontal else [across, centre]
            cursor += size + NODE_GAP
        depth += thick + gap
    return out


def _longest_path_ranks(
    n: int, succ: dict[int, list[int]], pred: dict[int, list[int]]
) -> list[int]:
    indeg = [len(pred.get(i, ())) for i in range(n)]
    rank = [0] * n
    queue = [i for i in range(n) if indeg[i] == 0]
    while queue:
        nxt = []
        for i in queue:
            for t in succ.get(i, ()):
                rank[t] = max(rank[t], rank[i] + 1)
                indeg[t] -= 1
                if indeg[t] == 0:
                    nxt.append(t)
        queue = nxt
    # Nodes on a cycle (Keras cannot make one) keep the rank reached so far.
    return rank
