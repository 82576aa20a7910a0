"""kerasviz: see Keras model architecture in Jupyter.

``import kerasviz`` is cheap: Keras, TensorFlow and IPython are imported only when a
function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .graph import ModelGraph
    from .widgets import Explorer

__all__ = [
    "COMPARISON_MIME_TYPE",
    "MIME_TYPE",
    "EquivalenceReport",
    "Explorer",
    "ModelGraph",
    "NotSequentialError",
    "__version__",
    "check_equivalent",
    "compare",
    "graph_of",
    "load_ipython_extension",
    "save",
    "show",
    "to_code",
    "to_dot",
    "to_ipycytoscape",
]

_LAZY = {
    "ModelGraph": ".graph",
    "Explorer": ".widgets",
    "to_code": ".codegen",
    "check_equivalent": ".codegen",
    "NotSequentialError": ".codegen",
    "EquivalenceReport": ".codegen",
    "to_dot": ".export",
    "compare": ".widgets.comparison",
    "Comparison": ".widgets.comparison",
    "save": ".export",
    "MIME_TYPE": ".mimebundle",
    "COMPARISON_MIME_TYPE": ".mimebundle",
}


def graph_of(model: Any, *, expand_nested: bool = False) -> ModelGraph:
    """Read a Keras 3 model into a plain-data :class:`~kerasviz.graph.ModelGraph`.

    See :func:`kerasviz.graph.graph_of`.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> kerasviz.graph_of(m).model.params.total
    10
    """
    from .graph import graph_of as _graph_of

    return _graph_of(model, expand_nested=expand_nested)


def show(
    model: Any,
    *,
    rankdir: str = "TB",
    show_shapes: bool = True,
    expand_nested: bool = False,
    select: str | None = None,
) -> Explorer:
    """An interactive graph of ``model`` with a layer inspector (an :class:`Explorer`).

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
    rankdir : {"TB", "LR"}
        Layout direction.
    show_shapes : bool
        Output shapes on the edges.
    expand_nested : bool
        Open nested models at first.
    select : str, optional
        Layer to select at first.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> ex = kerasviz.show(m, select="out")
    >>> ex.selected
    'out'
    """
    from .graph.extract import calling
    from .widgets import Explorer

    with calling("show()"):
        return Explorer(
            model,
            rankdir=rankdir,
            show_shapes=show_shapes,
            expand_nested=expand_nested,
            selected=select,
        )


def to_ipycytoscape(model: Any, **kwargs: Any) -> Any:
    """The model as an ``ipycytoscape.CytoscapeWidget``; see :mod:`kerasviz.interop`."""
    from .interop import to_ipycytoscape as _to_ipycytoscape

    return _to_ipycytoscape(model, **kwargs)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext kerasviz``: register the ``%kerasviz`` / ``%%kerasviz`` magics."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab extension (the MIME renderer) lives in the package."""
    return [{"src": "labextension", "dest": "kerasviz"}]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'kerasviz' has no attribute {name!r}")
