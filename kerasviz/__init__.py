"""kerasviz: see Keras model architecture in Jupyter.

``import kerasviz`` is cheap: Keras, TensorFlow and IPython are imported only when a
function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .graph import ModelGraph

__all__ = ["ModelGraph", "__version__", "graph_of"]


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


def __getattr__(name: str) -> Any:
    if name == "ModelGraph":
        from .graph import ModelGraph

        return ModelGraph
    raise AttributeError(f"module 'kerasviz' has no attribute {name!r}")
