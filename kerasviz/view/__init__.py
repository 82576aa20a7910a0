"""From a ModelGraph to what the renderer draws: blocks, initial collapse, the view
payload. The renderer (labextension/src) owns the drawing itself: elements, labels,
layout; see labextension/VIEW_PAYLOAD.md for which side owns which rule.

Pure data, like :mod:`kerasviz.graph`: no widget or IPython imports.
"""

from .blocks import Block, find_blocks
from .payload import VIEW_VERSION, notes_for, view_payload

__all__ = [
    "VIEW_VERSION",
    "Block",
    "find_blocks",
    "notes_for",
    "view_payload",
]
