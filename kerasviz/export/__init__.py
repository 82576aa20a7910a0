"""Static export (pydot / Graphviz)."""

from .dot import check_pydot, save, to_dot

__all__ = ["check_pydot", "save", "to_dot"]
