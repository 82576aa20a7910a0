"""Notebook 1 of the tutorial in a real JupyterLab: run from scratch, and reopened as
committed with no kernel."""

from __future__ import annotations

import pathlib
import shutil

import nbformat
import pytest

from kerasviz.contract import MIME_TYPE
from tests.browser._jupyter import open_notebook, run_all_cells, screenshot
from tests.browser.test_saved_notebooks import (
    graphs_per_output,
    reopen_without_kernel,
    saved_outputs,
)

pytestmark = pytest.mark.browser

NOTEBOOK = (
    pathlib.Path(__file__).resolve().parents[2]
    / "notebooks"
    / "01-sequential-vs-functional.ipynb"
)

#: The replays of notebook 1 in order: stack, Keras 1 (two), today's API.
REPLAY_STEPS = [5, 1, 6, 11]

REPLAY_JS = """(i) => {
    const replay = document.querySelectorAll('.kv-replay')[i].kvReplay;
    const cy = replay.view && replay.view.cy;
    return {index: replay.index, steps: replay.steps.length,
            nodes: cy ? cy.nodes().length : 0,
            fresh: cy ? cy.nodes('.kv-mark-new').map(n => n.id()) : []};
}"""

#: The explorers (not a replay's, not a comparison's graph): their .kv-root indices.
EXPLORERS_JS = """() => [...document.querySelectorAll('.kv-root')]
    .map((r, i) => [r, i])
    .filter(([r]) => r.dataset.kvPainted !== undefined && !r.closest('.kv-replay')
                     && !r.closest('.kv-comparison'))
    .map(([, i]) => i)"""

CLICK_JS = """([i, id]) => {
    const cy = document.querySelectorAll('.kv-root')[i].kvView.cy;
    const node = cy.getElementById(id);
    if (node.empty()) { throw new Error('no node ' + id); }
    const p = node.renderedPosition();
    const box = cy.container().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}"""

INSPECTOR_JS = """(i) => {
    const root = document.querySelectorAll('.kv-root')[i];
    const out = root.closest('.jp-OutputArea-output') || root;
    const inspector = out.querySelector('.kv-inspector');
    return inspector ? inspector.textContent : '';
}"""

PAINTED_JS = """(i) => {
    const r = document.querySelectorAll('.kv-root')[i];
    return r.dataset.kvPainted === 'true' && !!(r.kvView && r.kvView.cy);
}"""


def _paint(page, index: int) -> None:
    """Scroll .kv-root number ``index`` into view (graphs paint once seen) and wait."""
    page.locator(".kv-root").nth(index).scroll_into_view_if_needed()
    page.wait_for_function(PAINTED_JS, arg=index, timeout=60_000)


def _inspect(page, explorer: int, node_id: str) -> str:
    """Click ``node_id`` in the notebook's ``explorer``-th explorer; return the text of
    that explorer's inspector once it shows the node."""
    index = page.evaluate(EXPLORERS_JS)[explorer]
    _paint(page, index)
    x, y = page.evaluate(CLICK_JS, [index, node_id])
    page.mouse.click(x, y)
    page.wait_for_function(
        f"(i) => ({INSPECTOR_JS})(i).includes({node_id!r})", arg=index, timeout=10_000
    )
    return page.evaluate(INSPECTOR_JS, index)


def test_notebook_1_runs_in_jupyterlab_replays_step_and_nodes_inspect(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # from scratch: what a Binder user opens and runs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, server.root_dir / NOTEBOOK.name)

    open_notebook(page, server, NOTEBOOK.name)
    assert run_all_cells(page, "lab", timeout=300), "a cell of notebook 1 failed"
    page.wait_for_function(
        "(n) => document.querySelectorAll('.kv-replay').length === n",
        arg=len(REPLAY_STEPS),
        timeout=60_000,
    )
    for i, steps in enumerate(REPLAY_STEPS):
        page.wait_for_function(
            "(i) => document.querySelectorAll('.kv-replay')[i].kvReplay",
            arg=i,
            timeout=60_000,
        )
        assert page.evaluate(REPLAY_JS, i)["steps"] == steps

    # today's API, stepped from the first Input
    news = page.locator(".kv-replay").nth(3)
    news.scroll_into_view_if_needed()
    buttons = news.locator(".kv-replay-btn")
    buttons.nth(0).click()
    page.wait_for_function(
        f"(i) => ({REPLAY_JS})(i).nodes === 1", arg=3, timeout=10_000
    )
    state = page.evaluate(REPLAY_JS, 3)
    assert (state["index"], state["nodes"], state["fresh"]) == (0, 1, ["main_input"])
    for count in (2, 3, 4):
        buttons.nth(3).click()
        page.wait_for_function(
            f"(i) => ({REPLAY_JS})(i).nodes === {count}", arg=3, timeout=10_000
        )
    state = page.evaluate(REPLAY_JS, 3)
    assert state["index"] == 3
    assert state["fresh"] == ["aux_output"]
    screenshot(page, "tutorial/01-replay-step-4")

    # the inspector: the 3-D output input_shape=(None, 128) made, then the merge
    text = _inspect(page, 0, "probs")
    assert "(None, None, 10)" in text
    text = _inspect(page, 1, "concatenate")
    for shape in ("(None, 32)", "(None, 5)", "(None, 37)"):  # two in, one out
        assert shape in text
    screenshot(page, "tutorial/01-inspector-concatenate")


def test_committed_notebook_1_shows_its_graphs_with_no_kernel(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    name = "committed-" + NOTEBOOK.name
    shutil.copy(NOTEBOOK, server.root_dir / name)
    kerasviz_outputs = [
        o
        for o in saved_outputs(NOTEBOOK)
        if any(m.startswith("application/vnd.kerasviz.") for m in o.get("data", {}))
    ]
    graphs = [o for o in kerasviz_outputs if MIME_TYPE in o["data"]]
    assert len(graphs) == 3  # the explorers of stack, news and two_tower

    assert reopen_without_kernel(page, server, name), "it was expected to ask"
    page.wait_for_function(
        "(n) => document.querySelectorAll('.kv-root[data-kv-painted]').length >= n",
        arg=len(kerasviz_outputs),
        timeout=120_000,
    )
    roots = page.evaluate(
        "() => [...document.querySelectorAll('.kv-root')]"
        ".map((r, i) => r.dataset.kvPainted === undefined ? -1 : i)"
    )
    for index in (i for i in roots if i >= 0):  # each graph, seen, paints
        _paint(page, index)
    drawn = graphs_per_output(page)
    # every kerasviz output draws, and from the saved payload (no widget, no kernel)
    assert len(drawn) == len(kerasviz_outputs)
    assert all(who and set(who) == {"payload"} for who in drawn), drawn
    assert server.kernels() == []
    assert page.evaluate("() => document.querySelectorAll('.kv-replay').length") == 4
    # the saved explorer still inspects
    text = _inspect(page, 1, "concatenate")
    assert "(None, 37)" in text
    screenshot(page, "tutorial/01-saved-no-kernel")
