"""From a ModelGraph to what the renderer draws: blocks, layout, the view payload.

Pure data, like :mod:`kerasviz.graph`: no widget or IPython imports.
"""

from .blocks import Block, find_blocks
from .layout import layered_positions
from .payload import VIEW_VERSION, notes_for, view_payload

__all__ = [
    "VIEW_VERSION",
    "Block",
    "find_blocks",
    "layered_positions",
    "notes_for",
    "view_payload",
]
