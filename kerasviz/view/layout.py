"""A fast layered layout in Python, for graphs too big for dagre in the browser.

Longest-path layering, then a few barycentre sweeps to order each layer; all loops
are iterative, so 5,000-layer chains are fine. Positions are in cytoscape model
units for ``rankdir="TB"`` (top to bottom); ``LR`` swaps the axes.
"""

from __future__ import annotations

from collections import defaultdict

from ..graph import ModelGraph

X_GAP = 190.0
Y_GAP = 80.0
SWEEPS = 4


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
    out: dict[str, list[float]] = {}
    for r, layer in enumerate(order):
        width = len(layer)
        for k, i in enumerate(layer):
            x = (k - (width - 1) / 2) * X_GAP
            y = r * Y_GAP
            out[leaves[i]] = (
                [round(x, 1), round(y, 1)]
                if rankdir == "TB"
                else [
                    round(y * 2.2, 1),
                    round(x * 0.45, 1),
                ]
            )
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
