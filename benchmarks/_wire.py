"""Count what widgets would send to the browser, without a browser.

ipywidgets opens a comm per widget through ``comm.create_comm``; swapping in a comm
that only measures gives the bytes of every ``comm_open`` and update message.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any


class _CountingComm:
    def __init__(self, counter: dict[str, int], **kwargs: Any) -> None:
        self.counter = counter
        self.comm_id = f"c{counter['comms']}"
        self.kernel = None
        counter["comms"] += 1
        self._add(kwargs.get("data"), kwargs.get("buffers"))

    def _add(self, data: Any, buffers: Any = None) -> None:
        self.counter["bytes"] += len(json.dumps(data, default=str)) if data else 0
        for b in buffers or ():
            self.counter["bytes"] += len(memoryview(b).tobytes())

    def open(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self._add(data, buffers)

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self._add(data, buffers)

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        pass

    def on_close(self, callback: Any) -> None:
        pass


@contextmanager
def counting_comms():
    """Yield a dict {"comms": n, "bytes": n} filled by widgets made inside."""
    import comm

    counter = {"comms": 0, "bytes": 0}
    old = comm.create_comm
    comm.create_comm = lambda **kw: _CountingComm(counter, **kw)
    try:
        yield counter
    finally:
        comm.create_comm = old
