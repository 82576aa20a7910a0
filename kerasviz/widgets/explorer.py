"""Explorer: the live graph widget, an anywidget hosting the TypeScript renderer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import traitlets as t
from ipywidgets import CallbackDispatcher

from ..graph._collector import collector_paused
from ..graph.extract import entry_point, graph_and_layers
from ..mimebundle import MIME_TYPE, mime_bundle
from ..view import view_payload
from ..view.options import ViewOptions, document_options, options_from
from ..view.payload import resolve_layer
from ._live import LiveWidget
from ._weights import weight_stats


@document_options
class Explorer(LiveWidget):
    """Interactive graph of a Keras model with a layer inspector.

    The whole graph (``data``) travels to the browser once, packed in the display
    bundle (``widgets/_live.py``), and each later change once more; clicking a
    node sets ``selected``, and setting ``selected`` (or calling :meth:`select`)
    selects it in the view. The display options (:class:`~kerasviz.ViewOptions`)
    are traits too: setting ``rankdir``, ``show_shapes`` or ``expand_nested``
    redraws the graph.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
        What to draw: Sequential (built or not), Functional, nested, subclassed.
    options : ViewOptions or dict, optional
        The display options as one object; keyword options override it.
    {view_options}
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

    data = t.Dict(help="The view payload the renderer draws (see VIEW_PAYLOAD.md).")
    selected = t.Unicode(
        None,
        allow_none=True,
        help="Id of the selected node (its layer name at top level).",
    ).tag(sync=True)
    # The display options of ViewOptions but `select` (the `selected` trait is the
    # live selection); tests/test_widget.py checks that every option is here.
    rankdir = t.CaselessStrEnum(
        ["TB", "LR"], default_value="TB", help="Layout direction."
    )
    show_shapes = t.Bool(True, help="Write output shapes on the edges.")
    expand_nested = t.Bool(False, help="Open nested models at first.")
    lint = t.Bool(False, help="Show kerasviz.lint's findings on the graph.")
    dims = t.Union(
        [t.Dict(), t.Int()],
        default_value=None,
        allow_none=True,
        help="Sizes for the unknown dimensions the costs need ({'sequence': 128}).",
    )
    # The `overlay` option's live trait (overlay() is the method that adds one).
    overlay_metric = t.Unicode(
        None,
        allow_none=True,
        help="Key of the overlay the nodes are coloured by (None: by layer kind).",
    ).tag(sync=True)

    @entry_point("Explorer()")
    def __init__(
        self,
        model: Any,
        options: ViewOptions | Mapping[str, Any] | None = None,
        *,
        highlight: dict[str, str] | None = None,
        layout: Any = None,
        **view_options: Any,
    ) -> None:
        opts = options_from("Explorer()", options, view_options)
        self._model = model
        self._highlight = dict(highlight or {})
        self._ready = False  # trait observers wait until __init__ has set everything
        self._select_callbacks = CallbackDispatcher()
        self._user_metrics: list[dict[str, Any]] = []
        self._activations: dict[str, Any] | None = None
        # The reader's own map from node ids to layers: the inspector's weight
        # statistics look layers up here, never by parsing an id.
        # One pause of the garbage collector over reading and building (each pauses
        # it too): re-enabled in between, it could run a full collection over the
        # model's objects there (10,000 layers: one show() in four took 2.8 s
        # instead of 1.4 s).
        with collector_paused():
            self._graph, self._layers = graph_and_layers(model, expand_nested=True)
            payload = view_payload(
                self._graph,
                opts.replace(select=None, lint=False),
                highlight=self._highlight,
                findings=self._findings(opts.lint),
            )
        shown = (payload.get("overlays") or {}).get("selected")
        extra = {} if layout is None else {"layout": layout}
        super().__init__(
            data=payload,
            rankdir=opts.rankdir,
            show_shapes=opts.show_shapes,
            expand_nested=opts.expand_nested,
            lint=opts.lint,
            dims=opts.dims,
            overlay_metric=shown,
            **extra,
        )
        self._ready = True
        if opts.select is not None:
            self.select(opts.select)
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
        metadata = {**metadata, **self._display_metadata(MIME_TYPE)}
        return {**data, **mime_bundle(self.saved_payload())}, metadata

    def saved_payload(self) -> dict[str, Any]:
        """The view payload as a saved notebook keeps it: with the current selection."""
        payload = dict(self.data)
        payload["options"] = {**payload.get("options", {}), "selected": self.selected}
        if "overlays" in payload:
            payload["overlays"] = {
                **payload["overlays"],
                "selected": self.overlay_metric,
            }
        return payload

    @property
    def options(self) -> ViewOptions:
        """The display options the graph is drawn with now."""
        return ViewOptions(
            rankdir=self.rankdir,
            show_shapes=self.show_shapes,
            expand_nested=self.expand_nested,
            select=self.selected,
            lint=self.lint,
            overlay=self.overlay_metric,
            dims=self.dims,
        )

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

    def set_model(self, model: Any, *, highlight: dict[str, str] | None = None) -> None:
        """Draw another model in this widget (the builder redraws after each change).

        The selection is kept when the new graph has that node, cleared otherwise.
        """
        self._model = model
        self._highlight = dict(highlight or {})
        self._graph, self._layers = graph_and_layers(model, expand_nested=True)
        if self.selected is not None and self.selected not in self._layers:
            self.selected = None
        self.data = self._payload()

    def overlay(
        self,
        values: Mapping[str, float] | str | None = None,
        *,
        label: str | None = None,
    ) -> None:
        """Colour the nodes by a number, with a legend.

        ``overlay("flops")`` shows one of the overlays the graph has (``params``,
        ``macs``, ``flops``, ``memory``, ``share``; ``zeros`` and ``std`` after
        :meth:`run`); ``overlay({"conv1": 0.3, ...}, label="latency ms")`` adds
        your own metric (layer names or node ids → numbers) and shows it;
        ``overlay(None)`` goes back to colours by layer kind. The menu above the
        graph switches between them too.
        """
        if values is None or isinstance(values, str):
            if label is not None:
                raise TypeError(
                    "label= names your own metric: pass its values as a dict, e.g. "
                    f'overlay({{"conv1": 0.3}}, label="latency ms"). Received: '
                    f"values={values!r}, label={label!r}"
                )
            self.overlay_metric = values
            return
        if label is None:
            raise TypeError(
                "Your own overlay needs a label= (what the numbers are, for the "
                'legend), e.g. overlay(values, label="latency ms"). Received: '
                "label=None"
            )
        from ..view.overlays import user_metric

        metric = user_metric(values, label, self._resolve)
        self._user_metrics = [
            m for m in self._user_metrics if m["key"] != metric["key"]
        ] + [metric]
        self.data = self._payload()
        self.overlay_metric = metric["key"]

    def run(self, sample: Any = None) -> Any:
        """Run the model once on ``sample`` (random data of the inputs' shapes when
        None) and show each layer's output statistics: in the inspector, and as
        the ``zeros`` and ``std`` overlays. Never trains, never changes weights.
        Returns the :class:`kerasviz.stats.ActivationStats`."""
        from ..stats import activation_stats

        stats = activation_stats(self._model, sample)
        self._activations = stats.to_json()["nodes"]
        self.data = self._payload()
        return stats

    def relayout(self) -> None:
        """Rebuild the view payload (after changing ``rankdir``, ``show_shapes``...)."""
        self._graph, self._layers = graph_and_layers(self._model, expand_nested=True)
        self.data = self._payload()

    def _payload(self) -> dict[str, Any]:
        payload = view_payload(
            self._graph,
            self.options.replace(lint=False, overlay=None),
            highlight=self._highlight,
            findings=self._findings(self.lint),
            overlays=self._user_metrics,
            activations=self._activations,
        )
        if "overlays" in payload:
            keys = {m["key"] for m in payload["overlays"]["metrics"]}
            shown = self.overlay_metric if self.overlay_metric in keys else None
            payload["overlays"]["selected"] = shown
        return payload

    def _findings(self, wanted: bool) -> list[dict[str, Any]] | None:
        """kerasviz.lint's findings as JSON when ``wanted``; their node ids are the
        graph's (lint reads the same model)."""
        if not wanted:
            return None
        from ..lint import lint

        return lint(self._model).to_json()

    # ---- traits -----------------------------------------------------------------
    @t.validate("selected")
    def _validate_selected(self, proposal: dict[str, Any]) -> str | None:
        value = proposal["value"]
        return None if value in (None, "") else self._resolve(value)

    @t.validate("overlay_metric")
    def _validate_overlay(self, proposal: dict[str, Any]) -> str | None:
        from ..view.overlays import check_overlay

        value = proposal["value"]
        if value in (None, ""):
            return None
        metrics = (self.data.get("overlays") or {}).get("metrics", [])
        return check_overlay(value, metrics)

    @t.observe("selected")
    def _observe_selected(self, change: dict[str, Any]) -> None:
        self._select_callbacks(change["new"])

    @t.observe("rankdir", "show_shapes", "expand_nested", "lint", "dims")
    def _observe_display_options(self, change: dict[str, Any]) -> None:
        if self._ready:
            self.relayout()

    # ---- kernel-side work the front end asks for ----------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "activation_stats":
            # the toolbar's button: one forward pass on random inputs
            reply: dict[str, Any] = {"type": "activation_stats"}
            try:
                self.run()
                reply["ok"] = True
            except Exception as e:
                reply["error"] = f"{type(e).__name__}: {e}"
            self.send(reply)
            return
        if not isinstance(content, dict) or content.get("type") != "weight_stats":
            return
        node = str(content.get("node"))
        reply: dict[str, Any] = {"type": "weight_stats", "node": node}
        try:
            if node not in self._layers:
                raise KeyError(f"this graph has no node {node!r}")
            reply["stats"] = weight_stats(self._layers[node])
        except Exception as e:
            reply["error"] = f"{type(e).__name__}: {e}"
        self.send(reply)

    def _resolve(self, name: str) -> str:
        return resolve_layer(self._graph, name)
