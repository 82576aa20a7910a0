"""The base of kerasviz's live widgets: the renderer and each payload travel once.

A kerasviz widget's ``_esm`` is a loader of a few KB (``static/loader.js``). The
renderer itself (``widget.js``, ~500 KB with cytoscape.js) is the kerasviz
labextension's copy in JupyterLab and Notebook 7, or is sent by the kernel once per
page when the page asks (custom message ``kv_runtime``). The payload (``data``) is
no synced trait: the display bundle carries it packed (for saved notebooks), the
kerasviz MIME renderer hands that copy to the live view, and the view asks the
kernel (``kv_payload``) only when it has none; each later change of ``data`` is
pushed once to every view. labextension/src/runtime.ts tells the front end's side.
"""

from __future__ import annotations

import uuid
from typing import Any

import anywidget
import traitlets as t

from ..mimebundle import pack
from ._bundle import bundle_path, runtime_id


class LiveWidget(anywidget.AnyWidget):
    """An anywidget whose renderer and payload are sent at most once."""

    _esm = bundle_path("loader.js")

    # the renderer build the loader looks for (labextension/src/loader.ts)
    _runtime_id = t.Unicode(help="Id of the renderer build the widget needs.").tag(
        sync=True
    )
    # the key the MIME renderer offers this widget's payload under, and the
    # revision of `data` (one more per change)
    _view_key = t.Unicode(help="Key of this widget's payload in the page.").tag(
        sync=True
    )
    _revision = t.Int(0, help="Changes of `data` so far.").tag(sync=True)

    data = t.Dict(help="The payload the renderer draws (not a synced trait).")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("_runtime_id", runtime_id())
        kwargs.setdefault("_view_key", uuid.uuid4().hex)
        super().__init__(**kwargs)
        self._pushing = True
        self.on_msg(self._on_live_msg)

    @t.observe("data")
    def _push_data(self, change: dict[str, Any]) -> None:
        if not getattr(self, "_pushing", False):
            return  # the first payload: the display bundle or a request carries it
        self._revision += 1
        self._send_payload()

    def _send_payload(self) -> None:
        self.send(
            {"type": "kv_payload", "revision": self._revision, "data": pack(self.data)}
        )

    def _display_metadata(self, mime_type: str) -> dict[str, Any]:
        """What the display bundle tells the MIME renderer about its payload."""
        return {mime_type: {"view_key": self._view_key, "revision": self._revision}}

    def _on_live_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "kv_payload":
            self._send_payload()
        elif content.get("type") == "kv_runtime":
            wanted = content.get("id")
            if wanted != self._runtime_id:
                self.send(
                    {
                        "type": "kv_runtime",
                        "id": wanted,
                        "error": "this kernel's kerasviz has renderer build "
                        f"{self._runtime_id}, the page asked for {wanted!r}",
                    }
                )
                return
            self.send(
                {"type": "kv_runtime", "id": wanted},
                buffers=[
                    bundle_path("widget.js").read_bytes(),
                    bundle_path("widget.css").read_bytes(),
                ],
            )
