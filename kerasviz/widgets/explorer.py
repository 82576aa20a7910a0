"""Explorer: the live graph widget, an anywidget hosting the TypeScript renderer."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets as t
from ipywidgets import CallbackDispatcher

from ..graph.extract import entry_point
from ..mimebundle import mime_bundle
from ..view import view_payload
from ._bundle import bundle_path
from ._weights import find_layer, weight_stats


class Explorer(anywidget.AnyWidget):
    """Interactive graph of a Keras model with a layer inspector.

    The whole graph travels to the browser as one JSON trait (``data``); clicking a
    node sets ``selected``, and setting ``selected`` (or calling :meth:`select`)
    selects it in the view.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
        What to draw: Sequential (built or not), Functional, nested, subclassed.
    rankdir : {"TB", "LR"}
        Layout direction.
    show_shapes : bool
        Output shapes on the edges.
    expand_nested : bool
        Open nested models at first.
    selected : str, optional
        Layer (node id) to select at first.
    highlight : dict, optional
        Node id → plain-text reason: nodes to mark in the graph.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> ex = kerasviz.show(m)
    >>> ex.select("out")
    >>> ex.selected
    'out'
    """

    _esm = bundle_path("widget.js")
    _css = bundle_path("widget.css")

    data = t.Dict(
        help="The view payload the renderer draws (see VIEW_PAYLOAD.md)."
    ).tag(sync=True)
    selected = t.Unicode(
        None,
        allow_none=True,
        help="Id of the selected node (its layer name at top level).",
    ).tag(sync=True)
    rankdir = t.CaselessStrEnum(
        ["TB", "LR"], default_value="TB", help="Layout direction."
    )
    show_shapes = t.Bool(True, help="Write output shapes on the edges.")
    expand_nested = t.Bool(False, help="Open nested models at first.")

    @entry_point("Explorer()")
    def __init__(
        self,
        model: Any,
        *,
        rankdir: str = "TB",
        show_shapes: bool = True,
        expand_nested: bool = False,
        selected: str | None = None,
        highlight: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - {"layout"}
        if unknown:
            raise TypeError(f"Unrecognized keyword arguments: {sorted(unknown)}")
        self._model = model
        self._highlight = dict(highlight or {})
        self._ready = False  # trait observers wait until __init__ has set everything
        self._select_callbacks = CallbackDispatcher()
        payload = view_payload(
            model,
            rankdir=rankdir,
            show_shapes=show_shapes,
            expand_nested=expand_nested,
            highlight=self._highlight,
        )
        super().__init__(
            data=payload,
            rankdir=rankdir,
            show_shapes=show_shapes,
            expand_nested=expand_nested,
            **kwargs,
        )
        self._ready = True
        if selected is not None:
            self.select(selected)
        self.on_msg(self._on_custom_msg)

    def __repr__(self) -> str:
        graph = self.data.get("graph", {}).get("model", {})
        return f"<kerasviz.Explorer of {graph.get('name')!r} ({graph.get('api')})>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view plus the kerasviz payload and a text summary.

        JupyterLab shows the live widget while its model exists (kernel running,
        or widget state saved in the notebook) and otherwise draws the payload
        with the kerasviz labextension, so a saved notebook keeps its graph.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, **mime_bundle(self.saved_payload())}, metadata

    def saved_payload(self) -> dict[str, Any]:
        """The view payload as a saved notebook keeps it: with the current selection."""
        payload = dict(self.data)
        payload["options"] = {**payload.get("options", {}), "selected": self.selected}
        return payload

    # ---- public API -------------------------------------------------------------
    @property
    def node_ids(self) -> list[str]:
        """Ids of every node in the graph, in the reader's order."""
        return [n["id"] for n in self.data["graph"]["nodes"]]

    def select(self, name: str | None) -> None:
        """Select a layer by node id or layer name (None clears the selection)."""
        if name is None:
            self.selected = None
            return
        self.selected = self._resolve(name)

    def on_select(
        self, callback: Callable[[str | None], Any], remove: bool = False
    ) -> None:
        """Call ``callback(node_id_or_None)`` whenever the selection changes."""
        self._select_callbacks.register_callback(callback, remove=remove)

    def relayout(self) -> None:
        """Rebuild the view payload (after changing ``rankdir``, ``show_shapes``...)."""
        self.data = view_payload(
            self._model,
            rankdir=self.rankdir,
            show_shapes=self.show_shapes,
            expand_nested=self.expand_nested,
            selected=self.selected,
            highlight=self._highlight,
        )

    # ---- traits -----------------------------------------------------------------
    @t.validate("selected")
    def _validate_selected(self, proposal: dict[str, Any]) -> str | None:
        value = proposal["value"]
        return None if value in (None, "") else self._resolve(value)

    @t.observe("selected")
    def _observe_selected(self, change: dict[str, Any]) -> None:
        self._select_callbacks(change["new"])

    @t.observe("rankdir", "show_shapes", "expand_nested")
    def _observe_display_options(self, change: dict[str, Any]) -> None:
        if self._ready:
            self.relayout()

    # ---- kernel-side work the front end asks for ----------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "weight_stats":
            return
        node = str(content.get("node"))
        reply: dict[str, Any] = {"type": "weight_stats", "node": node}
        try:
            layer = find_layer(self._model, node, self.data["graph"]["model"]["api"])
            reply["stats"] = weight_stats(layer)
        except Exception as e:
            reply["error"] = f"{type(e).__name__}: {e}"
        self.send(reply)

    def _resolve(self, name: str) -> str:
        ids = self.node_ids
        if name in ids:
            return name
        by_name = [n["id"] for n in self.data["graph"]["nodes"] if n["name"] == name]
        if by_name:
            return by_name[0]
        close = difflib.get_close_matches(name, ids, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"This model has no layer named {name!r}.{hint} Received: name={name!r}"
        )
