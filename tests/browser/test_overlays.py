"""Overlays in a real JupyterLab: the menu recolours the nodes and shows the legend,
a user metric from the kernel, and a saved notebook reopens with both."""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    save_notebook,
    screenshot,
    write_notebook,
)
from tests.browser.test_saved_notebooks import reopen_without_kernel, saved_payloads

pytestmark = pytest.mark.browser

SETUP = (
    'import os\nos.environ.setdefault("KERAS_BACKEND", "tensorflow")\n'
    "import keras\nfrom keras import layers\nimport kerasviz"
)
MODEL = """\
x = keras.Input((32, 32, 3), name="image")
y = layers.Conv2D(16, 3, name="conv1")(x)
y = layers.Conv2D(32, 3, strides=2, name="conv2")(y)
y = layers.Conv2D(64, 3, name="conv3")(y)
y = layers.GlobalAveragePooling2D(name="pool")(y)
y = layers.Dense(10, name="head")(y)
model = keras.Model(x, y, name="cnn")
kerasviz.show(model)"""
USER = """\
ex = kerasviz.show(model)
ex.overlay({"conv1": 3.0, "conv2": 1.5, "head": 0.2}, label="latency ms")
ex"""

STATE_JS = """(index) => {
    const root = document.querySelectorAll('.kv-root')[index];
    const view = root.kvView;
    const cy = view.cy;
    const paint = {};
    cy.nodes('.kv-overlay').forEach(n => {
        paint[n.id()] = [n.data('kvOverlay'), n.style('background-color')];
    });
    const legend = root.querySelector('.kv-overlay-legend');
    return {
        overlay: view.overlay,
        painted: paint,
        faded: cy.nodes('.kv-overlay-none').map(n => n.id()),
        legend: legend ? legend.innerText : null,
        menu: root.querySelector('.kv-overlay-select')?.value ?? null,
    };
}"""


def _rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r},{g},{b})"


def test_overlays_in_jupyterlab_and_in_the_saved_notebook(page, module_jupyter_server):
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / "overlay.ipynb", [SETUP, MODEL, USER])
    open_notebook(page, server, "overlay.ipynb")
    assert run_all_cells(page, "lab")
    painted = '.kv-root[data-kv-painted="true"]'
    page.wait_for_function(
        f"() => document.querySelectorAll('{painted}').length === 2", timeout=120_000
    )

    # the first graph: by layer kind until the menu says FLOPs
    state = page.evaluate(STATE_JS, 0)
    assert state["overlay"] is None
    assert state["painted"] == {}
    page.locator(".kv-overlay-select").first.select_option("flops")
    state = page.evaluate(STATE_JS, 0)
    assert state["overlay"] == "flops"
    assert state["menu"] == "flops"
    assert "FLOPs" in state["legend"]
    assert {"conv1", "conv2", "conv3", "head"} <= set(state["painted"])
    # what cytoscape draws is the overlay colour, and the costliest layer is darkest
    for fill, drawn in state["painted"].values():
        assert drawn.replace(" ", "") == _rgb(fill)
    fills = {k: v[0] for k, v in state["painted"].items()}
    assert len({fills["conv1"], fills["conv3"], fills["head"]}) == 3
    page.locator(".kv-root").first.scroll_into_view_if_needed()
    screenshot(page, "overlays/flops")

    # the second: the user's metric from the kernel; a layer without a value fades
    state = page.evaluate(STATE_JS, 1)
    assert state["overlay"] == "user:latency ms"
    assert "latency ms" in state["legend"]
    assert set(state["painted"]) == {"conv1", "conv2", "head"}
    assert "conv3" in state["faded"]
    page.locator(".kv-root").nth(1).scroll_into_view_if_needed()
    screenshot(page, "overlays/user-metric")

    # the kernel runs the model once on random inputs: statistics in the inspector,
    # and the zeros / std overlays in the menu
    page.locator(".kv-root").first.locator(
        "button:has-text('Activation stats')"
    ).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.kv-root')[0]
            .querySelectorAll('.kv-overlay-select option')].some(o => o.value === 'zeros')""",
        timeout=60_000,
    )
    page.locator(".kv-overlay-select").first.select_option("zeros")
    state = page.evaluate(STATE_JS, 0)
    assert "Activation zeros" in state["legend"]
    assert {"conv1", "head"} <= set(state["painted"])
    page.evaluate(
        "() => document.querySelectorAll('.kv-root')[0].kvView.select('conv1')"
    )
    inspector = page.locator(".kv-root").first.locator(".kv-inspector")
    assert "Activations (one forward pass)" in inspector.inner_text()
    assert inspector.locator(".kv-histogram").count() >= 1
    screenshot(page, "overlays/activations")
    page.locator(".kv-overlay-select").first.select_option("flops")

    # saved and reopened with no kernel: both open on their overlay
    save_notebook(page)
    saved = saved_payloads(server.root_dir / "overlay.ipynb")
    assert [p["overlays"]["selected"] for p in saved] == ["flops", "user:latency ms"]
    assert reopen_without_kernel(page, server, "overlay.ipynb")
    page.wait_for_function(
        f"() => document.querySelectorAll('{painted}').length === 2", timeout=60_000
    )
    assert page.evaluate(STATE_JS, 0)["overlay"] == "flops"
    state = page.evaluate(STATE_JS, 1)
    assert state["overlay"] == "user:latency ms"
    assert set(state["painted"]) == {"conv1", "conv2", "head"}
    # without a kernel the menu still switches, and the button that needs one is gone
    page.locator(".kv-overlay-select").first.select_option("memory")
    assert "Activation memory" in page.evaluate(STATE_JS, 0)["legend"]
    assert page.locator("button:has-text('Activation stats')").count() == 0
    assert server.kernels() == []
