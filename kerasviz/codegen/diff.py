"""A structural diff of two models: layers added, removed and changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..graph import ModelGraph, graph_of
from ..graph.extract import entry_point
from .equivalence import match_graphs, same_config_value


@dataclass(frozen=True)
class LayerChange:
    """One matched pair of layers that differ: which config keys, shapes, params."""

    a: str
    b: str
    class_name: str
    changes: list[str]


@dataclass
class ModelDiff:
    """Layers only in ``a`` (removed), only in ``b`` (added), and changed pairs."""

    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[LayerChange] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        """No layer added, removed or changed."""
        return not (self.removed or self.added or self.changed)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """Table rows: (status, layer in a, layer in b, what differs)."""
        out = [("removed", r, "", "only in the first model") for r in self.removed]
        out += [("added", "", a, "only in the second model") for a in self.added]
        out += [("changed", c.a, c.b, "; ".join(c.changes)) for c in self.changed]
        return out

    def row_nodes(self) -> list[tuple[list[str], list[str]]]:
        """The node ids each of :meth:`rows` is about: (ids in a, ids in b)."""
        out: list[tuple[list[str], list[str]]] = [([r], []) for r in self.removed]
        out += [([], [a]) for a in self.added]
        out += [([c.a], [c.b]) for c in self.changed]
        return out


@entry_point("diff_models()")
def diff_models(a: Any, b: Any) -> ModelDiff:
    """Compare two models' layers: matched by name first, then by wiring."""
    ga = a if isinstance(a, ModelGraph) else graph_of(a)
    gb = b if isinstance(b, ModelGraph) else graph_of(b)
    ids_b = {n.id for n in gb.nodes}
    mapping = {n.id: n.id for n in ga.nodes if n.id in ids_b}
    wired, _ = match_graphs(ga, gb)
    taken = set(mapping.values())
    for x, y in wired.items():
        if x not in mapping and y not in taken:
            mapping[x] = y
            taken.add(y)
    result = ModelDiff(mapping=mapping)
    result.removed = [n.id for n in ga.nodes if n.id not in mapping]
    result.added = [n.id for n in gb.nodes if n.id not in taken]
    for na in ga.nodes:
        if na.id not in mapping:
            continue
        nb = gb.node(mapping[na.id])
        changes = _node_changes(ga, gb, na.id, nb.id)
        if changes:
            result.changed.append(LayerChange(na.id, nb.id, na.class_name, changes))
    return result


def _node_changes(ga: ModelGraph, gb: ModelGraph, a: str, b: str) -> list[str]:
    na, nb = ga.node(a), gb.node(b)
    out = []
    if na.class_name != nb.class_name:
        out.append(f"class {na.class_name} → {nb.class_name}")
    ca = {k: v for k, v in (ga.full_config(a) or {}).items() if k != "name"}
    cb = {k: v for k, v in (gb.full_config(b) or {}).items() if k != "name"}
    for k in sorted(set(ca) | set(cb)):
        if not same_config_value(ca.get(k), cb.get(k)):
            out.append(f"{k}: {ca.get(k)!r} → {cb.get(k)!r}")
    sa = [c.output_shapes for c in na.calls]
    sb = [c.output_shapes for c in nb.calls]
    if sa != sb:
        out.append(f"output shapes {sa} → {sb}")
    if na.params != nb.params:
        out.append(f"params {na.params.total:,} → {nb.params.total:,}")
    return out
