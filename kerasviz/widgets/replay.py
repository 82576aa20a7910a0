"""Replay: a cell that builds models, step by step, beside its source (an anywidget)."""

from __future__ import annotations

from typing import Any

import traitlets as t

from ..construction.record import Recorder, Step
from ..construction.run import replay_payload, watch_source
from ..mimebundle import REPLAY_MIME_TYPE, replay_bundle
from ._live import LiveWidget

__all__ = ["Replay", "replay"]


class Replay(LiveWidget):
    """A construction replay: step buttons, a slider and play/pause move through
    what a piece of code built, the graph of each step beside the code with the
    step's line highlighted. Made by :func:`replay` or ``%%kerasviz --replay``;
    a failed ``%%kerasviz`` cell shows one too (its last step is the failure,
    explained).

    Attributes
    ----------
    steps : list of Step
        One per construction step: ``line``, ``code``, ``label``, ``nodes`` (the
        ids of the layers that exist then), ``new`` (the ones it made), ``kind``.
    models : list of keras.Model
        The models the code made, in order.
    error : ExplainedError or None
        Why the code failed (``message``, ``hint``, ``fix``, ``layer``, ``line``).
    namespace : dict
        The variables the code defined.
    """

    data = t.Dict(help="The replay payload (kerasviz/schema/replay.schema.json).")
    step = t.Int(0, help="The step shown (0-based).").tag(sync=True)

    def __init__(
        self,
        recorder: Recorder,
        namespace: dict[str, Any],
        *,
        title: str | None = None,
        start: int | None = None,
    ) -> None:
        self._recorder = recorder
        self.steps: list[Step] = recorder.steps()
        self.models: list[Any] = list(recorder.models)
        self.error: Any = recorder.error
        self.warnings: list[Any] = list(recorder.warnings)
        self.namespace = namespace
        payload = replay_payload(
            recorder,
            self.steps,
            title=title or _title(self.steps, self.error),
            start=start,
        )
        super().__init__(data=payload, step=payload["start"])

    def __repr__(self) -> str:
        state = "failed" if self.error is not None else "ran"
        return f"<kerasviz.Replay: {len(self.steps)} steps, {state}>"

    def go(self, index: int) -> None:
        """Show step ``index`` (negative counts from the end)."""
        n = len(self.steps)
        if n == 0:
            return
        if not -n <= index < n:
            raise IndexError(
                f"This replay has {n} steps (0 to {n - 1}). Received: index={index}"
            )
        self.step = index % n

    @t.validate("step")
    def _validate_step(self, proposal: dict[str, Any]) -> int:
        n = len(self.data.get("steps", [])) if self.data else 0
        return max(0, min(int(proposal["value"]), max(n - 1, 0)))

    def saved_payload(self) -> dict[str, Any]:
        """The replay payload as a saved notebook keeps it: at the step shown."""
        return {**self.data, "start": self.step}

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view plus the replay payload (drawn from the notebook file
        when the widget is gone) and a plain-text step list."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        metadata = {**metadata, **self._display_metadata(REPLAY_MIME_TYPE)}
        return {**data, **replay_bundle(self.saved_payload())}, metadata


def replay(
    source: str,
    namespace: dict[str, Any] | None = None,
    *,
    title: str | None = None,
) -> Replay:
    """Run ``source`` and replay how it built its models, one step at a time.

    A Sequential shows its empty model object first, then one layer per ``add()``
    (or list item); a Functional model shows its Inputs, each layer call adding a
    node and its edges, and the Model object last with its inputs and outputs
    marked. If the code fails, the last step is the graph built up to the
    failure, the failed call marked and the error explained (``r.error``); the
    failure does not raise.

    Parameters
    ----------
    source : str
        Python code that builds one or more Keras models.
    namespace : dict, optional
        Where to run it (a fresh namespace by default); it keeps the variables.
    title : str, optional

    Examples
    --------
    >>> import kerasviz
    >>> r = kerasviz.replay('''
    ... import keras
    ... model = keras.Sequential()
    ... model.add(keras.Input((4,), name="x"))
    ... model.add(keras.layers.Dense(2, name="out"))
    ... ''')
    >>> [s.nodes for s in r.steps]
    [[], ['x'], ['x', 'out']]
    >>> r.steps[-1].line, r.steps[-1].code
    (5, 'model.add(keras.layers.Dense(2, name="out"))')
    """
    rec, ns = watch_source(source, namespace)
    return Replay(rec, ns, title=title)


def _title(steps: list[Step], error: Any) -> str:
    models = sorted({s.model for s in steps if s.model})
    what = f"building {', '.join(models)}" if models else "construction"
    state = " — failed" if error is not None else ""
    return f"Replay of {what}: {len(steps)} steps{state}"
