"""Notebook widgets (need ipywidgets and anywidget)."""

from .explorer import Explorer

__all__ = ["Explorer"]
