"""Where each layer was built: the source lines kerasviz saw while watching a cell.

:mod:`kerasviz.construction` records, for every layer call it watches (a
``%%kerasviz`` cell, a replay, the builder), the cell and line that made it; the
reader copies them into each node's ``sources`` so the inspector can show
"built at cell [4], line 7". Plain data and a weak registry: a layer that is gone
takes its lines with it, and nothing here imports IPython or Keras.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

__all__ = ["Source", "record_source", "sources_of"]

#: Longest line text kept (a line of generated code can be long).
MAX_CODE_CHARS = 300


@dataclass(frozen=True)
class Source:
    """One source line: the notebook cell's execution count (None outside a
    notebook cell, or when unknown), the 1-based line in that cell and its text."""

    cell: int | None
    line: int
    code: str

    def to_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "line": self.line, "code": self.code}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Source:
        cell = d.get("cell")
        return cls(
            cell=None if cell is None else int(cell),
            line=int(d["line"]),
            code=str(d.get("code", "")),
        )

    def describe(self) -> str:
        """``cell [4], line 7: x = layers.Dense(64)(x)`` (as the inspector says it)."""
        where = (
            f"cell [{self.cell}], line {self.line}"
            if self.cell
            else f"line {self.line}"
        )
        return f"{where}: {self.code.strip()}"


_REGISTRY: weakref.WeakKeyDictionary[Any, list[Source]] = weakref.WeakKeyDictionary()


def record_source(layer: Any, source: Source) -> None:
    """Remember that ``layer`` was called (or added) at ``source``; a line already
    recorded for it is not repeated."""
    code = source.code.rstrip("\n")
    if len(code) > MAX_CODE_CHARS:
        code = code[: MAX_CODE_CHARS - 1] + "…"
    source = Source(source.cell, source.line, code)
    try:
        seen = _REGISTRY.setdefault(layer, [])
    except TypeError:  # not weak-referenceable: nothing to remember it by
        return
    if source not in seen:
        seen.append(source)


def sources_of(layer: Any) -> list[Source]:
    """The source lines recorded for ``layer``, in the order they were seen."""
    try:
        return list(_REGISTRY.get(layer, ()))
    except TypeError:
        return []
