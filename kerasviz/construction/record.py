"""Watch a cell build Keras models: what was made, in which order, at which line.

:class:`Recorder` runs source code (a notebook cell, ``kerasviz.replay(source)``)
with Keras's construction points patched (``_keras_compat.watching_construction``)
and keeps one :class:`Event` per outermost step: a ``keras.Input``, a layer or
``keras.ops`` call on KerasTensors, a ``Sequential(...)``, a ``model.add(...)``,
a ``keras.Model(inputs=..., outputs=...)``, and the failure, if any, explained
(:mod:`kerasviz.construction.explain`). Every layer call also leaves its line in
:mod:`kerasviz.graph.sources`, so that any later view of the model says where
each layer was built.

The steps (:meth:`Recorder.steps`) are computed once the code has run, from as few
graph reads as possible: one of each Sequential, one of each Functional model
made, and one of the tensors made outside any model (a temporary Functional over
them, named ``kerasviz_partial``, Keras's name counters put back afterwards).
Each step is that graph cut down to what existed then.
"""

from __future__ import annotations

import linecache
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any

from ..graph import _keras_compat as compat
from ..graph.model import ModelGraph, ModelInfo, Params
from ..graph.sources import Source, record_source

__all__ = ["Event", "Recorder", "Step", "empty_graph"]

#: Frames from these directories are kerasviz's or the standard library's, never
#: the user's line (Keras and other packages are skipped as site-packages).
_SKIP_DIRS = (
    os.path.dirname(os.path.dirname(os.path.abspath(compat.__file__))) + os.sep,
    os.path.dirname(os.path.abspath(os.__file__)) + os.sep,
)

#: Name of the temporary Functional that holds the tensors made outside a model.
PARTIAL_NAME = "kerasviz_partial"


@dataclass
class Event:
    """One outermost construction step, as it happened."""

    kind: str  #: "input", "call", "sequential", "add", "model", "error"
    line: int | None  #: line in the watched source (None: not from it)
    code: str  #: that line's text
    label: str  #: what happened, in a few words
    op: Any = None  #: the layer / operation / InputLayer / model concerned
    outputs: list[Any] = field(default_factory=list)  #: KerasTensors made
    inputs: list[Any] = field(default_factory=list)  #: KerasTensors consumed
    model: Any = None  #: the model concerned (sequential, add, model)
    layers: list[Any] = field(default_factory=list)  #: a Sequential's layers then
    error: Any = None  #: the ExplainedError (kind "error")
    exception: BaseException | None = None
    #: the watched source made this call itself (False: a library function or a
    #: function from another file did, e.g. ``MobileNetV2()`` or a helper)
    direct: bool = True


@dataclass
class Step:
    """One step of a replay: the source line and what exists after it ran."""

    index: int
    kind: str
    line: int | None
    code: str
    label: str
    #: ids of the nodes that exist at this step (top-level layer names)
    nodes: list[str]
    #: ids of the nodes this step made (or, for a model, its inputs and outputs)
    new: list[str]
    #: the model this step is part of (its name), None for loose tensors
    model: str | None
    graph: ModelGraph | None
    #: node id → "new" / "failed" / "input" / "output": how the view marks it
    marks: dict[str, str] = field(default_factory=dict)
    error: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "line": self.line,
            "code": self.code,
            "label": self.label,
            "nodes": list(self.nodes),
            "new": list(self.new),
            "model": self.model,
        }


class Recorder(compat.ConstructionHooks):
    """Run code with construction watched; then :meth:`steps` replays it.

    Parameters
    ----------
    filename : str or None
        The name the code is compiled under (frames of that file are the watched
        source's lines); None to find it with ``match``.
    cell : int, optional
        The notebook cell's execution count, for the sources ("cell [4]").
    cell_of : callable, optional
        ``filename -> execution count or None`` for lines of other cells (a
        function defined in an earlier cell, called from this one).
    match : callable, optional
        ``frame -> bool``: whether a frame runs the watched code, for code someone
        else compiles (IPython's ``run_cell``); the first match names the file.
    """

    def __init__(
        self,
        filename: str | None,
        *,
        cell: int | None = None,
        cell_of: Callable[[str], int | None] | None = None,
        match: Callable[[FrameType], bool] | None = None,
    ) -> None:
        self.filename = filename
        self._match = match
        self.cell = cell
        self._cell_of = cell_of or (lambda _f: None)
        self.events: list[Event] = []
        self.error: Any = None  # the ExplainedError of the failure, if any
        self.exception: BaseException | None = None
        self.models: list[Any] = []
        self.source: str | None = None  # the watched source's text, when known
        self._plumbing: tuple[str, ...] | None = None
        self.warnings: list[Any] = []

    # ---- running --------------------------------------------------------------
    def run(self, code: Any, namespace: dict[str, Any]) -> bool:
        """Execute compiled ``code`` in ``namespace``, watched; False if it raised
        (the failure is then in :attr:`error` and the last event)."""
        with compat.watching_construction(self):
            try:
                exec(code, namespace)
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt):
                    raise
                self.failed(e, e.__traceback__)
                return False
        return True

    def watch(self) -> Any:
        """The context manager that watches (for code run by someone else)."""
        return compat.watching_construction(self)

    def failed(self, exc: BaseException, tb: TracebackType | None) -> None:
        """The watched code raised ``exc``: record it (once) with its line."""
        self.exception = exc
        for e in self.events:
            if e.exception is exc:  # a layer call or add() already reported it
                self.error = e.error
                return
        line = self._line_in_traceback(tb)
        code = self._text(self.filename or "", line) if line else ""
        explained = _explain(exc, code=code or None, line=line)
        self.error = explained
        self.events.append(
            Event(
                "error", line, code, _short_error(exc), error=explained, exception=exc
            )
        )

    # ---- hooks (compat.ConstructionHooks) --------------------------------------
    def input_made(self, layer: Any) -> None:
        out = getattr(layer, "output", None)
        self._source(layer)
        self._event(
            "input",
            f"Input {layer.name!r} {_shape_text(out)}",
            op=layer,
            outputs=[out] if out is not None else [],
        )

    def called(self, op: Any, args: Any, kwargs: Any, outputs: Any) -> None:
        ins = [x for x in compat.flatten((args, kwargs)) if compat.is_keras_tensor(x)]
        outs = [x for x in compat.flatten(outputs) if compat.is_keras_tensor(x)]
        self._source(op)
        names = ", ".join(_producer_name(t) for t in ins)
        self._event(
            "call",
            f"{type(op).__name__} {op.name!r} called on {names}",
            op=op,
            inputs=ins,
            outputs=outs,
        )
        warning = _check_call(
            op,
            args[0] if len(args) == 1 else list(args),
            code=self.events[-1].code,
            line=self.events[-1].line,
        )
        if warning is not None:
            self.warnings.append(warning)

    def call_failed(
        self, op: Any, args: Any, kwargs: Any, error: BaseException
    ) -> None:
        ins = [x for x in compat.flatten((args, kwargs)) if compat.is_keras_tensor(x)]
        line, code = self._where()
        given = args[0] if len(args) == 1 else list(args)
        explained = _explain(
            error, layer=op, inputs=given, code=code or None, line=line
        )
        self.events.append(
            Event(
                "error",
                line,
                code,
                f"{type(op).__name__} {op.name!r} failed",
                op=op,
                inputs=ins,
                error=explained,
                exception=error,
            )
        )

    def sequential_made(self, model: Any, layers: list[Any]) -> None:
        for layer in compat.sequential_layers(model):
            self._source(layer)
        self._source(model)
        self.models.append(model)
        self._event(
            "sequential",
            f"Sequential {model.name!r} made"
            + (f" with {len(layers)} layer(s)" if layers else " (no layers yet)"),
            model=model,
            layers=list(layers),
        )

    def added(self, model: Any, layer: Any) -> None:
        for each in compat.sequential_layers(model):
            if not _sources_known(each):
                self._source(each)
        name = getattr(layer, "name", type(layer).__name__)
        self._event(
            "add",
            f"{model.name}.add({name})",
            model=model,
            op=layer,
            layers=compat.sequential_layers(model),
        )

    def add_failed(self, model: Any, layer: Any, error: BaseException) -> None:
        line, code = self._where()
        before = [x for x in compat.sequential_layers(model) if x is not layer]
        owner = compat.graph_owner(model)
        inputs = (
            list(getattr(owner, "outputs", None) or []) if owner is not None else []
        )
        given = inputs[0] if len(inputs) == 1 else (inputs or None)
        explained = _explain(
            error, layer=layer, inputs=given, code=code or None, line=line
        )
        self.events.append(
            Event(
                "error",
                line,
                code,
                f"{model.name}.add({getattr(layer, 'name', '?')}) failed",
                op=layer,
                model=model,
                layers=before,
                inputs=inputs,
                error=explained,
                exception=error,
            )
        )

    def functional_made(self, model: Any) -> None:
        if model.name == PARTIAL_NAME:
            return
        self._source(model)
        self.models.append(model)
        self._event("model", f"{type(model).__name__} {model.name!r} made", model=model)

    # ---- where ----------------------------------------------------------------
    def _event(self, kind: str, label: str, **kw: Any) -> None:
        line, code = self._where()
        self.events.append(Event(kind, line, code, label, direct=self._direct(), **kw))

    def _direct(self) -> bool:
        """Whether the watched source itself made the call being reported: the first
        frame out of kerasviz, Keras's layer/op plumbing and the standard library
        is the watched file's."""
        if self._plumbing is None:
            self._plumbing = compat.plumbing_dirs()
        for f in self._frames():
            if self._watched(f):
                return True
            name = os.path.abspath(f.f_code.co_filename)
            if not (name.startswith(self._plumbing) or _ours_or_stdlib(name)):
                return False
        return False

    def _frames(self) -> list[FrameType]:
        frames = []
        f: FrameType | None = sys._getframe(1)
        while f is not None:
            frames.append(f)
            f = f.f_back
        return frames

    def _where(self) -> tuple[int | None, str]:
        """The line of the watched source running now, and its text."""
        for f in self._frames():
            if self._watched(f):
                return f.f_lineno, self._text(f.f_code.co_filename, f.f_lineno)
        return None, ""

    def _watched(self, f: FrameType) -> bool:
        name = f.f_code.co_filename
        if self.filename is not None:
            return name == self.filename
        if self._match is not None and self._match(f):
            self.filename = name
            return True
        return False

    def _source(self, layer: Any) -> None:
        """Record the innermost user line making ``layer`` (a function from another
        cell names that cell), else the watched line."""
        for f in self._frames():
            name = f.f_code.co_filename
            if self._watched(f):
                record_source(
                    layer, Source(self.cell, f.f_lineno, self._text(name, f.f_lineno))
                )
                return
            if _is_user_file(name):
                text = self._text(name, f.f_lineno)
                if text:
                    record_source(layer, Source(self._cell_of(name), f.f_lineno, text))
                    return

    def _line_in_traceback(self, tb: TracebackType | None) -> int | None:
        line = None
        while tb is not None:
            if self._watched(tb.tb_frame):
                line = tb.tb_lineno
            tb = tb.tb_next
        return line

    @staticmethod
    def _text(filename: str, line: int | None) -> str:
        return linecache.getline(filename, line).rstrip("\n") if line else ""

    # ---- steps ----------------------------------------------------------------
    def steps(self) -> list[Step]:
        """One :class:`Step` per event, each with the graph of what existed then."""
        from .steps import build_steps

        return build_steps(self)


def _ours_or_stdlib(name: str) -> bool:
    """kerasviz's own frames and the standard library's (whose directory holds
    site-packages: a package there is not the standard library)."""
    if name.startswith("<frozen"):
        return True
    if name.startswith(_SKIP_DIRS[0]):
        return True
    in_packages = "site-packages" in name or "dist-packages" in name
    return name.startswith(_SKIP_DIRS[1]) and not in_packages


def _is_user_file(name: str) -> bool:
    if not name or name.startswith("<frozen"):
        return False
    if "site-packages" in name or "dist-packages" in name:
        return False
    return not _ours_or_stdlib(os.path.abspath(name))


def _sources_known(layer: Any) -> bool:
    from ..graph.sources import sources_of

    return bool(sources_of(layer))


def _producer_name(t: Any) -> str:
    op = compat.producer(t)
    return repr(op.name) if op is not None else "a tensor"


def _shape_text(t: Any) -> str:
    shape = getattr(t, "shape", None)
    return "" if shape is None else str(tuple(shape))


def _short_error(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:200]


def _explain(exc: BaseException, **kw: Any) -> Any:
    from .explain import explain

    return explain(exc, **kw)


def _check_call(op: Any, inputs: Any, **kw: Any) -> Any:
    from .explain import check_call

    return check_call(op, inputs, **kw)


def empty_graph(name: str, api: str = "functional") -> ModelGraph:
    """A graph with nothing in it (a model object with no layers yet)."""
    return ModelGraph(
        model=ModelInfo(
            name=name, api=api, built=False, params=Params(), inputs=[], outputs=[]
        ),
        nodes=[],
        edges=[],
    )
