"""Run source code watched, and turn what it built into a replay payload."""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

from ..contract import REPLAY_VERSION
from .record import Recorder, Step

__all__ = ["replay_payload", "watch_source"]

_COUNTER = itertools.count(1)

#: More steps than this and a replay keeps the graphs of the first ones only
#: (each step carries its own view; a cell that builds a ResNet layer by layer
#: stays replayable without a payload of hundreds of graphs).
MAX_STEPS = 400


def watch_source(
    source: str,
    namespace: dict[str, Any] | None = None,
    *,
    filename: str | None = None,
    cell: int | None = None,
    cell_of: Callable[[str], int | None] | None = None,
) -> tuple[Recorder, dict[str, Any]]:
    """Execute ``source`` in ``namespace`` (a fresh one by default) with model
    construction watched; returns the recorder and the namespace.

    A failure does not raise: it is the recorder's ``error`` (explained) and
    ``exception``, and the last step.
    """
    if not isinstance(source, str):
        raise TypeError(
            "kerasviz.replay() takes the source code to run, as a string. "
            f"Received: source={type(source).__name__}"
        )
    name = filename or f"<kerasviz-replay-{next(_COUNTER)}>"
    # linecache serves the lines to tracebacks and to the recorder.
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    ns: dict[str, Any] = {"__name__": "__main__"} if namespace is None else namespace
    rec = Recorder(name, cell=cell, cell_of=cell_of)
    rec.source = source
    try:
        code = compile(source, name, "exec")
    except SyntaxError as e:
        rec.failed(e, None)
        if rec.events and e.lineno:
            last = rec.events[-1]
            last.line = e.lineno
            last.code = (
                (source.splitlines() or [""])[e.lineno - 1]
                if e.lineno <= len(source.splitlines())
                else ""
            )
        return rec, ns
    rec.run(code, ns)
    return rec, ns


def replay_payload(
    rec: Recorder, steps: list[Step], *, title: str, start: int | None = None
) -> dict[str, Any]:
    """The replay payload (``kerasviz/schema/replay.schema.json``) of recorded steps."""
    from ..view import view_payload

    out = []
    for step in steps[:MAX_STEPS]:
        highlight = {}
        if step.error is not None:
            for node, mark in step.marks.items():
                if mark == "failed":
                    highlight[node] = str(getattr(step.error, "message", ""))
        view = view_payload(
            step.graph,
            highlight=highlight,
            marks=step.marks,
            error=_json(step.error),
        )
        out.append({**step.to_json(), "view": view})
    if start is None:
        start = len(out) - 1 if out else 0
    return {
        "kerasviz_replay": REPLAY_VERSION,
        "title": title,
        "source": rec.source or "",
        "cell": rec.cell,
        "steps": out,
        "start": max(0, min(start, len(out) - 1)) if out else 0,
        "error": _json(rec.error),
        "warnings": [w for w in (_json(x) for x in rec.warnings) if w is not None],
    }


def _json(explained: Any) -> dict[str, Any] | None:
    if explained is None:
        return None
    d = dict(explained.to_json())
    return {
        "kind": str(d.get("kind", "other")),
        "message": str(d.get("message", "")),
        "hint": str(d.get("hint", "")),
        "fix": None if d.get("fix") is None else str(d["fix"]),
        "layer": None if d.get("layer") is None else str(d["layer"]),
        "line": d.get("line") if isinstance(d.get("line"), int) else None,
        "code": None if d.get("code") is None else str(d["code"]),
        "error": str(d.get("error", "")),
    }
