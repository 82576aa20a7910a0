"""A 10,000-node graph in JupyterLab: it opens, is painted, and a click on a node
shows it in the inspector; after a drag the search still finds a layer (issue 14).
The same model is shown twice in one notebook (its 5,000 Dense layers take the
kernel ~30 s to build): first as the renderer chooses, then with WebGL forced.

Big views (more than 2,500 leaves, labextension/src/lod.ts) draw with cytoscape's
WebGL renderer when the browser has a GPU's WebGL 2, else with the canvas one.
Headless Chromium with --disable-gpu has SwiftShader's (software) WebGL 2, so
``auto`` takes the canvas path there and ``webgl`` forces the WebGL one
(``window.kvRenderer``, read when a view makes cytoscape). No timings here: benchmarks/bench_browser.py measures them.
"""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import PAINTED, run_new_cell

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: 5,000 Dense layers each with a residual Add: 10,001 nodes, 15,000 edges.
LADDER = """import os, sys
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras, kerasviz
sys.setrecursionlimit(200000)
x = inp = keras.Input((4,), name="in")
for i in range(5000):
    x = keras.layers.Add(name=f"a{i}")([x, keras.layers.Dense(4, name=f"d{i}")(x)])
ladder = keras.Model(inp, x, name="ladder_10000")"""

#: A visible leaf node of view ``index`` big enough to hit: [x, y, name] on the page.
VISIBLE_NODE_JS = """(index) => {
  const cy = document.querySelectorAll('.kv-root')[index].kvView.cy;
  const box = cy.container().getBoundingClientRect();
  const top = Math.max(box.top, 0) + 20, bottom = Math.min(box.bottom, innerHeight) - 20;
  const hits = cy.nodes().filter(n => {
    if (n.isParent() || n.hasClass('kv-selected')) { return false; }
    const p = n.renderedPosition();
    const y = box.top + p.y;
    return p.x > 20 && p.x < cy.width() - 20 && y > top && y < bottom
      && n.renderedOuterWidth() > 20;
  });
  if (hits.length === 0) { return null; }
  const n = hits[Math.floor(hits.length / 2)];
  const p = n.renderedPosition();
  return [box.left + p.x, box.top + p.y, String(n.data('name'))];
}"""

VIEW_JS = """(index) => {
  const root = document.querySelectorAll('.kv-root')[index];
  const counts = root.kvView.elementCounts;
  const canvas = root.querySelector('.kv-canvas');
  return {nodes: counts.nodes, edges: counts.edges,
          heldNodes: counts.heldNodes, heldEdges: counts.heldEdges,
          cyNodes: root.kvView.cy.nodes().length,
          renderer: canvas.dataset.kvRenderer,
          webglLayers: canvas.querySelectorAll('canvas[data-id$="-webgl"]').length};
}"""

#: Whether view ``index`` holds ``id`` in cytoscape, marked as a match and selected.
FOUND_JS = """([index, id]) => {
  const n = document.querySelectorAll('.kv-root')[index].kvView.cy.getElementById(id);
  return n.hasClass('kv-match') && n.hasClass('kv-selected');
}"""


def check_view(page, index: int, renderer: str, far: str) -> None:
    """View ``index``: its elements, its renderer, a click, a drag, a search for ``far``."""
    graph = page.locator(".kv-root").nth(index)
    graph.scroll_into_view_if_needed()
    page.locator(PAINTED).nth(index).wait_for(timeout=180_000)
    view = page.evaluate(VIEW_JS, index)
    assert (view["nodes"], view["edges"]) == (10_001, 15_000), view
    # windowed: cytoscape holds only the elements around the viewport
    assert 0 < view["heldNodes"] == view["cyNodes"] < 1_000, view
    assert 0 < view["heldEdges"] < 1_500, view
    has_gl = page.evaluate(
        "() => !!document.createElement('canvas').getContext('webgl2')"
    )
    if renderer == "webgl" and has_gl:
        assert (view["renderer"], view["webglLayers"]) == ("webgl", 1), view
    else:
        # auto: SwiftShader is software WebGL, so the canvas renderer, no GL context
        assert (view["renderer"], view["webglLayers"]) == ("canvas", 0), view
    screenshot(page, f"big-graph/ladder-10000-{renderer}")

    title = graph.locator(".kv-inspector .kv-title")
    target = page.evaluate(VISIBLE_NODE_JS, index)
    assert target is not None, "no leaf node in view"
    x, y, layer = target
    page.mouse.click(x, y, delay=80)
    title.filter(has_text=layer).wait_for(timeout=60_000)
    assert title.text_content() == layer

    # drag the canvas, then find a layer far away by name
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(10):
        page.mouse.move(x + 10 * i, y - 15 * i)
    page.mouse.up()
    box = graph.locator(".kv-search")
    box.fill(far)
    box.press("Enter")
    title.filter(has_text=far).wait_for(timeout=60_000)
    # far from where the view opened: brought into cytoscape, marked and selected
    assert page.evaluate(FOUND_JS, [index, far])
    screenshot(page, f"big-graph/ladder-10000-{renderer}-search")


def test_ten_thousand_nodes_open_and_a_click_shows_the_inspector(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    name = "big-graph.ipynb"
    write_notebook(server.root_dir / name, [LADDER, "kerasviz.show(ladder)"])
    open_notebook(page, server, name)
    run_all_cells(page, server.app, timeout=300)
    check_view(page, 0, "auto", "d4321")

    page.evaluate("() => { window.kvRenderer = 'webgl'; }")
    run_new_cell(page, "kerasviz.show(ladder)")
    page.locator(".kv-root").nth(1).wait_for(timeout=180_000)
    check_view(page, 1, "webgl", "d1234")
    assert page.page_errors == []
