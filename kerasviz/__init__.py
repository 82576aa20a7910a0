"""kerasviz: see Keras model architecture in Jupyter.

``import kerasviz`` is cheap: Keras, TensorFlow and IPython are imported only when a
function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .view.options import document_options

if TYPE_CHECKING:
    from .graph import ModelGraph
    from .view.options import ViewOptions
    from .widgets import Explorer

__all__ = [
    "COMPARISON_MIME_TYPE",
    "MIME_TYPE",
    "REPLAY_MIME_TYPE",
    "Builder",
    "CostReport",
    "EquivalenceReport",
    "Explorer",
    "ModelGraph",
    "NotSequentialError",
    "Replay",
    "ViewOptions",
    "__version__",
    "check_equivalent",
    "compare",
    "costs",
    "graph_of",
    "lint",
    "load_ipython_extension",
    "replay",
    "save",
    "show",
    "to_code",
    "to_dot",
    "to_ipycytoscape",
]

_LAZY = {
    "ModelGraph": ".graph",
    "ViewOptions": ".view.options",
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
    "REPLAY_MIME_TYPE": ".mimebundle",
    "replay": ".widgets.replay",
    "Replay": ".widgets.replay",
    "Builder": ".construction.builder",
    "lint": ".lint",
    "costs": ".costs",
    "CostReport": ".costs",
    "activation_stats": ".stats",
    "summary": ".summary",
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


@document_options
def show(
    model: Any,
    options: ViewOptions | dict[str, Any] | None = None,
    **view_options: Any,
) -> Explorer:
    """An interactive graph of ``model`` with a layer inspector (an :class:`Explorer`).

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
    options : ViewOptions or dict, optional
        The display options as one object; keyword options override it.
    {view_options}

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> ex = kerasviz.show(m, select="out", rankdir="LR")
    >>> ex.selected, ex.rankdir
    ('out', 'LR')
    """
    from .graph.extract import calling
    from .view.options import options_from
    from .widgets import Explorer

    with calling("show()"):
        return Explorer(model, options_from("show()", options, view_options))


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
