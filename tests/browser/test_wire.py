"""One renderer per page, each payload once: the bytes of a second Explorer.

Measured from the kernel websocket's frames (Playwright ``framereceived``; Jupyter
Server does not compress them). In JupyterLab and Notebook 7 the kerasviz
labextension carries the renderer, so no widget sends it; with the labextension
disabled (what any other anywidget host is: VS Code, Colab), the first widget's
view asks its kernel for it and the second finds it in the page.
"""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    wait_for_idle,
    write_notebook,
)
from tests.browser.test_explorer import run_new_cell

pytestmark = pytest.mark.browser

SETUP = """\
import os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras, kerasviz

def chain(name, n=100):
    x = inp = keras.Input((16,), name=f"{name}_in")
    for i in range(n):
        x = keras.layers.Dense(16, name=f"{name}_d{i}")(x)
    return keras.Model(inp, x, name=name)
"""

PAINTED = '.kv-root[data-kv-painted="true"]'

#: the most a second Explorer of a 100-layer model may put on the wire (issue 14)
SECOND_EXPLORER_BUDGET = 50_000


class Frames:
    """Every frame the page's kernel websockets receive, kept as text or bytes."""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        if "/api/kernels/" in ws.url:
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)

    def take(self) -> list[bytes]:
        frames, self.frames = self.frames, []
        return frames


def painted_views(page) -> list[int]:
    """Node count of every painted kerasviz view, in page order."""
    return page.evaluate(
        f"""() => [...document.querySelectorAll('{PAINTED}')]
              .map(r => r.kvView.cy.nodes().length)"""
    )


def packed_strings(page) -> list[str]:
    """The packed payload of every kerasviz output of the open notebook."""
    return page.evaluate(
        """() => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            const out = [];
            for (const cell of nb.model.cells) {
                const outputs = cell.sharedModel.outputs || [];
                for (const o of outputs) {
                    const d = (o.data || {})['application/vnd.kerasviz.graph+json'];
                    if (d && typeof d.data === 'string') { out.push(d.data); }
                }
            }
            return out;
        }"""
    )


@pytest.mark.parametrize(
    "host", ["lab", "notebook", "lab-without-kerasviz-labextension"]
)
def test_a_second_explorer_sends_neither_the_renderer_nor_its_graph_twice(
    page, module_jupyter_server, host
):
    app = "notebook" if host == "notebook" else "lab"
    disabled = ("kerasviz",) if "without" in host else ()
    server = module_jupyter_server(app=app, disabled_extensions=disabled)
    name = f"wire-{host}.ipynb"
    write_notebook(server.root_dir / name, [SETUP, 'kerasviz.show(chain("first"))'])
    frames = Frames(page)
    open_notebook(page, server, name)
    frames.take()
    run_all_cells(page, app)
    page.wait_for_function(
        f"() => document.querySelectorAll('{PAINTED}').length === 1", timeout=60_000
    )
    first = frames.take()
    renderer_sent = max((len(f) for f in first), default=0) > 400_000
    # the renderer travels only where the page has no kerasviz labextension
    assert renderer_sent == bool(disabled), sorted(len(f) for f in first)[-3:]

    run_new_cell(page, 'kerasviz.show(chain("second"))')
    page.wait_for_function(
        f"() => document.querySelectorAll('{PAINTED}').length === 2", timeout=60_000
    )
    wait_for_idle(page)
    second = frames.take()
    assert painted_views(page) == [101, 101]  # both graphs, every layer drawn
    total = sum(len(f) for f in second)
    print(f"\n{host}: second Explorer {total / 1000:.1f} KB in {len(second)} frames")
    assert total <= SECOND_EXPLORER_BUDGET, sorted(len(f) for f in second)[-5:]
    # its graph travelled once (in the display bundle) with the labextension, and
    # once more (the view's question answered) without it
    packed = packed_strings(page)[-1]
    copies = sum(packed[:400].encode() in f for f in second)
    assert copies == (2 if disabled else 1)
