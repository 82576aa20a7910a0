"""First views a learner can read: whole and readable, the wheel scrolls the page, search.

Issue 9: small and medium models open whole, at a readable size, in a canvas as tall
as the graph needs; "Fit" never takes labels below a readable size; with ``select``
the selected layer, its neighbours and (when the graph fits) the inputs are in view;
the plain mouse wheel scrolls the notebook and Ctrl + wheel zooms; Enter after typing
a full layer name selects that layer, not the next match.
"""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import PAINTED, SEED

pytestmark = pytest.mark.browser

#: Smallest rendered node label font (CSS px) a first view or "Fit" may give
#: (labextension/src/viewport.ts LABEL_FLOOR_PX).
FLOOR_PX = 8

SEQ10 = (
    "seq10 = keras.Sequential([keras.Input((32,))]"
    " + [layers.Dense(16, name=f'dense_{i}') for i in range(10)], name='seq10')"
)
DEEP60 = (
    "deep60 = keras.Sequential([keras.Input((8,))]"
    " + [layers.Dense(8, name=f'd{i}') for i in range(60)], name='deep60')"
)
DARK = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}

#: Geometry of the i-th graph on the page: canvas box, zoom, rendered label font,
#: and every leaf node's rendered box (labels included) in canvas coordinates.
GEOMETRY_JS = """(i) => {
    const root = document.querySelectorAll('.kv-root')[i];
    const cy = root.kvView.cy;
    const box = cy.container().getBoundingClientRect();
    const nodes = {};
    cy.nodes().forEach(n => {
        if (n.isParent()) { return; }
        const b = n.renderedBoundingBox({includeLabels: true, includeOverlays: false});
        nodes[n.id()] = [b.x1, b.y1, b.x2, b.y2];
    });
    return {width: cy.width(), height: cy.height(), zoom: cy.zoom(),
            top: box.top, bottom: box.bottom, windowHeight: window.innerHeight,
            font: parseFloat(cy.nodes().first().renderedCss('font-size')),
            selected: root.kvView.selected, nodes};
}"""

#: The element that scrolls the notebook around the i-th graph.
SCROLLER_JS = """(i) => {
    let el = document.querySelectorAll('.kv-root')[i].parentElement;
    while (el) {
        const y = getComputedStyle(el).overflowY;
        if ((y === 'auto' || y === 'scroll') && el.scrollHeight > el.clientHeight) {
            return el;
        }
        el = el.parentElement;
    }
    return document.scrollingElement;
}"""


def open_graphs(page, server, name: str, cells: list[str], count: int = 1) -> None:
    """Write a notebook (SEED first), run it and wait until ``count`` graphs painted."""
    write_notebook(server.root_dir / name, [SEED + "\nimport kerasviz", *cells])
    open_notebook(page, server, name)
    run_all_cells(page, server.app)
    for i in range(count):
        graph = page.locator(".kv-root").nth(i)
        graph.scroll_into_view_if_needed()
        page.locator(PAINTED).nth(i).wait_for(timeout=120_000)


def geometry(page, i: int = 0) -> dict:
    return page.evaluate(GEOMETRY_JS, i)


def outside(geo: dict, ids=None, slack: float = 1.0) -> list[str]:
    """Nodes whose rendered box is not inside the canvas."""
    w, h = geo["width"], geo["height"]
    return [
        node
        for node, (x1, y1, x2, y2) in geo["nodes"].items()
        if (ids is None or node in ids)
        and not (x1 >= -slack and y1 >= -slack and x2 <= w + slack and y2 <= h + slack)
    ]


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_small_models_open_whole_and_readable(page, module_jupyter_server, app):
    server = module_jupyter_server(app=app)
    open_graphs(
        page,
        server,
        f"first-view-{app}.ipynb",
        ["%kerasviz model", SEQ10 + "\n%kerasviz seq10"],
        count=2,
    )
    for i, model in enumerate(["seed", "seq10"]):
        page.locator(".kv-root").nth(i).scroll_into_view_if_needed()
        geo = geometry(page, i)
        assert len(geo["nodes"]) >= 10, model
        assert outside(geo) == [], (model, geo["height"], geo["zoom"])
        assert geo["font"] >= FLOOR_PX, (model, geo["font"])
        # the canvas fits in the window: the whole graph can be seen at once
        assert geo["height"] <= geo["windowHeight"], model
        screenshot(page, f"first-view/{app}-{model}")
    assert page.page_errors == []


def test_select_keeps_the_node_its_neighbours_and_the_inputs_in_view(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    open_graphs(
        page,
        server,
        "first-view-select.ipynb",
        ["kerasviz.show(model, select='dense_c')"],
    )
    geo = geometry(page)
    assert geo["selected"] == "dense_c"
    wanted = ["dense_c", "dense_b", "main_output", "main_input", "aux_input"]
    assert outside(geo, wanted) == [], geo
    assert geo["font"] >= FLOOR_PX
    screenshot(page, "first-view/lab-seed-select")
    assert page.page_errors == []


def test_fit_keeps_labels_readable_and_says_when_the_graph_does_not_fit(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    open_graphs(page, server, "first-view-fit.ipynb", [DEEP60 + "\n%kerasviz deep60"])
    root = page.locator(".kv-root").first
    root.get_by_role("button", name="Fit").click()
    geo = geometry(page)
    assert geo["font"] >= FLOOR_PX - 0.01, geo["font"]
    hint = root.locator(".kv-canvas-hint.kv-visible")
    hint.wait_for()
    assert "Too big to fit" in hint.inner_text()
    # it fitted what it could around the view, which was on the inputs
    assert outside(geo, ["input_layer", "d0", "d1"]) == []
    screenshot(page, "first-view/lab-deep60-fit")
    assert page.page_errors == []


def test_plain_wheel_scrolls_the_notebook_and_ctrl_wheel_zooms(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    # room below the graph, so that the notebook can scroll on
    cells = [SEQ10 + "\n%kerasviz seq10", "print('\\n' * 120)"]
    open_graphs(page, server, "first-view-wheel.ipynb", cells)
    root = page.locator(".kv-root").first
    root.scroll_into_view_if_needed()
    scroller = page.evaluate_handle(SCROLLER_JS, 0)
    zoom_js = "() => document.querySelector('.kv-root').kvView.cy.zoom()"
    box = root.locator(".kv-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 200))
    # cytoscape ignores wheel events for 250 ms after any scroll of the page (then
    # the page scrolls, zoom or not): wheel over a graph that has settled
    settled = (
        "() => !document.querySelector('.kv-root').kvView.cy.renderer().scrollingPage"
    )
    page.wait_for_function(settled)
    zoom_before = page.evaluate(zoom_js)
    top_before = scroller.evaluate("el => el.scrollTop")
    page.mouse.wheel(0, 240)
    page.wait_for_function(
        "([el, top]) => el.scrollTop > top", arg=[scroller, top_before], timeout=10_000
    )
    assert page.evaluate(zoom_js) == zoom_before
    hint = root.locator(".kv-canvas-hint.kv-visible")
    hint.wait_for()
    assert "zoom" in hint.inner_text()
    screenshot(page, "first-view/lab-wheel-hint")

    box = root.locator(".kv-canvas").bounding_box()
    y = min(box["y"] + box["height"] - 20, max(box["y"], 100) + 100)
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.wait_for_function(settled)
    top = scroller.evaluate("el => el.scrollTop")
    page.keyboard.down("Control")
    page.mouse.wheel(0, -240)
    page.keyboard.up("Control")
    page.wait_for_function(f"() => ({zoom_js})() !== {zoom_before}", timeout=10_000)
    assert page.evaluate(zoom_js) > zoom_before
    assert scroller.evaluate("el => el.scrollTop") == top
    assert page.page_errors == []


def test_enter_on_a_full_name_selects_that_layer(page, module_jupyter_server):
    server = module_jupyter_server(app="lab")
    cells = ["kerasviz.show(keras.applications.MobileNetV2(weights=None))"]
    open_graphs(page, server, "first-view-search.ipynb", cells)
    root = page.locator(".kv-root").first
    search = root.locator(".kv-search")
    search.fill("block_3_project")
    # the search as you type has run (and shown the best match) before Enter
    page.wait_for_function(
        "() => document.querySelector('.kv-search-status').textContent === '1 of 2'",
        timeout=10_000,
    )
    search.press("Enter")
    selected = "() => document.querySelector('.kv-root').kvView.selected"
    assert page.evaluate(selected) == "block_3_project"
    search.press("Enter")
    assert page.evaluate(selected) == "block_3_project_BN"
    search.press("Enter")
    assert page.evaluate(selected) == "block_3_project"
    assert page.page_errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_big_and_selected_models(page, module_jupyter_server, theme):
    """For a person to look at: MobileNetV2 with a selection, ResNet50 (big)."""
    server = module_jupyter_server(
        app="lab", settings=DARK if theme == "dark" else None
    )
    cells = [
        "kerasviz.show(keras.applications.MobileNetV2(weights=None),"
        " select='block_6_expand')",
        "kerasviz.show(keras.applications.ResNet50(weights=None))",
    ]
    open_graphs(page, server, f"first-view-big-{theme}.ipynb", cells, count=2)
    for i, model in enumerate(["mobilenetv2-select", "resnet50"]):
        page.locator(".kv-root").nth(i).scroll_into_view_if_needed()
        geo = geometry(page, i)
        assert geo["font"] >= FLOOR_PX, (model, geo["font"])
        if i == 0:
            assert geo["selected"] == "block_6_expand"
            assert outside(geo, ["block_6_expand"]) == []
        screenshot(page, f"first-view/lab-{theme}-{model}")
    assert page.page_errors == []
