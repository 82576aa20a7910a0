"""The explorer in a real JupyterLab and Notebook 7: paint, click, inspect, sync."""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    output_text,
    run_all_cells,
    screenshot,
    write_notebook,
)
from tests.conftest import SEED_FUNCTIONAL_SOURCE

pytestmark = pytest.mark.browser

SEED = (
    'import os\nos.environ.setdefault("KERAS_BACKEND", "tensorflow")\n'
    "import keras\nfrom keras import layers\n"
    + SEED_FUNCTIONAL_SOURCE
    + "%load_ext kerasviz"
)

PAINTED = '.kv-root[data-kv-painted="true"]'


def node_screen_position(page, node_id: str) -> tuple[float, float]:
    """Where a node is drawn on the page (cytoscape rendered position + canvas box)."""
    return page.evaluate(
        """(id) => {
            const root = document.querySelector('.kv-root');
            const cy = root.kvView.cy;
            const node = cy.getElementById(id);
            if (node.empty()) { throw new Error('no node ' + id); }
            const p = node.renderedPosition();
            const box = cy.container().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )


def run_new_cell(page, source: str) -> None:
    """Append a code cell at the end of the open notebook and run it."""
    page.evaluate(
        """async (source) => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            const nb = panel.content;
            const n = nb.model.cells.length;
            nb.model.sharedModel.insertCell(n, {cell_type: 'code', source});
            nb.activeCellIndex = n;
            await app.commands.execute('notebook:run-cell');
        }""",
        source,
    )


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_click_a_node_inspects_it_and_syncs_to_the_kernel(
    page, module_jupyter_server, app
):
    server = module_jupyter_server(app=app)
    name = f"explorer-{app}.ipynb"
    write_notebook(server.root_dir / name, [SEED, "ex = %kerasviz model\nex"])
    open_notebook(page, server, name)
    run_all_cells(page, app)
    page.locator(PAINTED).first.wait_for(timeout=60_000)
    canvas_ok = page.evaluate(
        "() => document.querySelector('.kv-root').kvView.cy.nodes().length"
    )
    assert canvas_ok >= 10  # every layer of the seed model is drawn

    page.locator(PAINTED).first.scroll_into_view_if_needed()
    x, y = node_screen_position(page, "lstm")
    page.mouse.click(x, y)
    inspector = page.locator(".kv-inspector").first
    inspector.locator(".kv-shapes").first.wait_for()
    page.wait_for_function(
        "() => document.querySelector('.kv-inspector').textContent.includes('(None, 32)')",
        timeout=10_000,
    )
    assert "lstm" in inspector.inner_text()
    assert "LSTM" in inspector.inner_text()
    screenshot(page, f"explorer-{app}-selected")

    run_new_cell(page, "print('SELECTED', ex.selected)")
    page.wait_for_function(
        "() => document.body.innerText.includes('SELECTED lstm')", timeout=30_000
    )
    assert "SELECTED lstm" in output_text(page)

    # the selected node is drawn as selected; a drag that starts on a node pans
    # the view and leaves the node where the layout put it
    view_js = """() => {
        const cy = document.querySelector('.kv-root').kvView.cy;
        const n = cy.getElementById('lstm');
        return {pan: cy.pan(), pos: n.position(),
                selected: cy.nodes('.kv-selected').map(e => e.id())};
    }"""
    before = page.evaluate(view_js)
    assert before["selected"] == ["lstm"]
    x, y = node_screen_position(page, "lstm")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 30, steps=6)
    page.mouse.up()
    after = page.evaluate(view_js)
    assert after["pos"] == before["pos"]
    assert after["pan"]["x"] == pytest.approx(before["pan"]["x"] + 60, abs=2)
    assert after["pan"]["y"] == pytest.approx(before["pan"]["y"] + 30, abs=2)
    assert after["selected"] == ["lstm"]  # a drag is not a click
    assert page.page_errors == []
