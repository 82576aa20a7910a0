"""Construction in a real JupyterLab: a replay stepped through, an explained error
on its partial graph, a layer's source link, and a builder session."""

from __future__ import annotations

import pytest

from kerasviz.contract import REPLAY_MIME_TYPE
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
    "import keras\nfrom keras import layers\nimport kerasviz\n%load_ext kerasviz"
)

# The seed article's Functional example in Keras 3, replayed. In the cell, line 1
# is `%%kerasviz --replay`: main_input is line 2, the Model line 13.
REPLAY_CELL = """\
%%kerasviz --replay
main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
x = layers.Embedding(output_dim=512, input_dim=10000, name="embedding")(main_input)
lstm_out = layers.LSTM(32, name="lstm")(x)
aux_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
aux_input = keras.Input(shape=(5,), name="aux_input")
x = layers.concatenate([lstm_out, aux_input], name="concat")
x = layers.Dense(64, activation="relu", name="d1")(x)
x = layers.Dense(64, activation="relu", name="d2")(x)
x = layers.Dense(64, activation="relu", name="d3")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
model = keras.Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])"""

# The same network as the article writes it (Keras 1): it fails on Keras 3.
LEGACY_CELL = """\
%%kerasviz
main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
x = layers.Embedding(output_dim=512, input_dim=10000, name="embedding")(main_input)
lstm_out = layers.LSTM(32, name="lstm")(x)
auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
auxiliary_input = keras.Input(shape=(5,), name="aux_input")
x = layers.Add(name="merge")([lstm_out, auxiliary_input])
model = keras.Model(input=[main_input, auxiliary_input], output=[x, auxiliary_output])"""

REPLAY_STATE_JS = """() => {
    const root = document.querySelector('.kv-replay');
    const replay = root.kvReplay;
    const current = root.querySelector('.kv-replay-current .kv-replay-lineno');
    const cy = replay.view && replay.view.cy;
    return {
        index: replay.index,
        steps: replay.steps.length,
        line: current ? Number(current.textContent) : null,
        status: root.querySelector('.kv-replay-status').textContent,
        nodes: cy ? cy.nodes().map(n => n.id()) : [],
        fresh: cy ? cy.nodes('.kv-mark-new').map(n => n.id()) : [],
    };
}"""

GRAPH_PAINTED = '.kv-replay .kv-root[data-kv-painted="true"]'

#: Whether the replay's graph shows ``n`` nodes. Between two steps the view makes a
#: new cytoscape once its canvas has a size, so ``cy`` may be null for a moment.
STEP_NODES_JS = """(n) => {
    const view = document.querySelector('.kv-replay').kvReplay.view;
    return !!(view && view.cy) && view.cy.nodes().length === n;
}"""


def _click_node(page, node_id: str) -> None:
    x, y = page.evaluate(
        """(id) => {
            const cy = document.querySelector('.kv-replay').kvReplay.view.cy;
            const node = cy.getElementById(id);
            if (node.empty()) { throw new Error('no node ' + id); }
            const p = node.renderedPosition();
            const box = cy.container().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )
    page.mouse.click(x, y)


def test_step_through_a_replay_and_the_highlighted_line_moves(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / "replay.ipynb", [SETUP, REPLAY_CELL])
    open_notebook(page, server, "replay.ipynb")
    run_all_cells(page, "lab")
    page.locator(GRAPH_PAINTED).first.wait_for(timeout=120_000)

    # it opens at the last step: the Model, on the cell's last line
    state = page.evaluate(REPLAY_STATE_JS)
    assert state["steps"] == 11
    assert state["index"] == 10
    assert state["line"] == 12
    assert "made" in state["status"]

    buttons = page.locator(".kv-replay .kv-replay-btn")
    first, _back, _play, next_step, _last = (buttons.nth(i) for i in range(5))
    first.click()
    page.wait_for_function(STEP_NODES_JS, arg=1)
    state = page.evaluate(REPLAY_STATE_JS)
    assert (state["index"], state["line"], state["nodes"]) == (0, 2, ["main_input"])
    assert state["fresh"] == ["main_input"]

    for expected_line, made in [(3, "embedding"), (4, "lstm"), (5, "aux_output")]:
        next_step.click()
        page.wait_for_function(STEP_NODES_JS, arg=expected_line - 1)
        state = page.evaluate(REPLAY_STATE_JS)
        assert state["line"] == expected_line
        assert state["fresh"] == [made]
    assert "Step 4 of 11" in state["status"]
    page.locator(GRAPH_PAINTED).first.scroll_into_view_if_needed()
    screenshot(page, "construction/replay-step-4")

    next_step.click()
    page.wait_for_function(
        "() => document.querySelector('.kv-replay').kvReplay.index === 4"
    )

    # saved, then reopened with no kernel: every step is still there (it opens on
    # the last step, as the output first did)
    save_notebook(page)
    (payload,) = saved_payloads(server.root_dir / "replay.ipynb", REPLAY_MIME_TYPE)
    assert len(payload["steps"]) == 11
    assert reopen_without_kernel(page, server, "replay.ipynb")
    page.locator(GRAPH_PAINTED).first.wait_for(timeout=60_000)
    state = page.evaluate(REPLAY_STATE_JS)
    assert (state["index"], state["line"]) == (10, 12)
    page.locator(".kv-replay .kv-replay-btn").nth(0).click()
    assert page.evaluate(REPLAY_STATE_JS)["line"] == 2
    assert server.kernels() == []


def test_an_explained_error_on_its_partial_graph_and_the_source_link(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / "legacy.ipynb", [SETUP, LEGACY_CELL])
    open_notebook(page, server, "legacy.ipynb")
    run_all_cells(page, "lab")
    box = page.locator(".kv-replay .kv-explained").first
    box.wait_for(timeout=120_000)
    page.locator(GRAPH_PAINTED).first.wait_for(timeout=60_000)
    text = box.inner_text()
    # the first failure is the Add of two shapes that differ
    assert "line 7" in text
    assert "(None, 32)" in text or "32" in text
    marked = page.evaluate(
        """() => document.querySelector('.kv-replay').kvReplay.view.cy
            .nodes('.kv-mark-failed').map(n => n.id())"""
    )
    assert marked == ["merge"]
    current = page.locator(".kv-replay .kv-replay-current").first
    assert "layers.Add" in current.inner_text()
    page.locator(".kv-replay").first.scroll_into_view_if_needed()
    screenshot(page, "construction/explained-error")

    # the inspector of a layer says where it was built; the link goes to the line
    _click_node(page, "lstm")
    link = page.locator(".kv-replay .kv-inspector .kv-source-link").first
    link.wait_for(timeout=10_000)
    prompt = page.locator(".jp-CodeCell .jp-InputPrompt").nth(1).inner_text()
    number = prompt.strip().strip("[]:")
    assert link.inner_text() == f"Built at cell [{number}], line 4"
    link.click()
    flashed = page.locator(".cm-line.kv-source-flash").first
    flashed.wait_for(timeout=5_000)
    assert flashed.inner_text().startswith('lstm_out = layers.LSTM(32, name="lstm")(x)')


BUILDER_CELL = 'b = kerasviz.Builder("functional", name="seed")\nb'
BUILDER_ROOT = ".kv-builder .kv-root"


def _builder_nodes(page) -> list[str]:
    return page.evaluate(
        f"""() => document.querySelector('{BUILDER_ROOT}').kvView.cy
            .nodes().filter(n => !n.isParent()).map(n => n.id()).sort()"""
    )


def _wait_nodes(page, count: int) -> None:
    page.wait_for_function(
        f"""() => {{
            const root = document.querySelector('{BUILDER_ROOT}');
            return root && root.kvView && root.kvView.cy &&
                root.kvView.cy.nodes().filter(n => !n.isParent()).length === {count};
        }}""",
        timeout=60_000,
    )


def _choose(page, layer: str) -> None:
    page.locator(".kv-builder .widget-dropdown select").first.select_option(layer)
    # the form follows the palette (a kernel round trip)
    page.wait_for_timeout(300)


def _field(page, name: str):
    return page.locator(
        f".kv-builder .widget-text:has(label:text-is('{name}')) input"
    ).first


def _click(page, text: str) -> None:
    page.locator(f".kv-builder button:has-text('{text}')").first.click()


def test_a_builder_session_in_jupyterlab(page, module_jupyter_server):
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / "builder.ipynb", [SETUP, BUILDER_CELL])
    open_notebook(page, server, "builder.ipynb")
    run_all_cells(page, "lab")
    page.locator(".kv-builder").first.wait_for(timeout=120_000)

    # an Input, then a Dense fed by it (the newest tensor is the default input)
    _choose(page, "Input")
    _field(page, "shape").fill("(100,)")
    _field(page, "name").fill("pixels")
    _click(page, "Add")
    _wait_nodes(page, 1)
    _choose(page, "Dense")
    _field(page, "units").fill("16")
    _click(page, "Add")
    _wait_nodes(page, 2)
    assert _builder_nodes(page) == ["dense", "pixels"]
    shapes = page.evaluate(
        f"""() => document.querySelector('{BUILDER_ROOT}').kvView.cy
            .edges().map(e => e.data('shape'))"""
    )
    assert shapes == ["(None, 100)"], shapes
    label = page.evaluate(
        f"""() => document.querySelector('{BUILDER_ROOT}').kvView.cy
            .getElementById('dense').data('label')"""
    )
    assert label.startswith("dense"), label

    # an invalid change: Conv2D on a flat tensor is refused and explained beside the
    # form; the graph stays as it was
    _choose(page, "Conv2D")
    _click(page, "Add")
    message = page.locator(".kv-builder .kv-builder-error").first
    message.wait_for(timeout=30_000)
    text = message.inner_text()
    assert "rank 4" in text
    assert "Reshape" in text or "reshape" in text.lower()
    assert _builder_nodes(page) == ["dense", "pixels"]
    page.locator(".kv-builder").first.scroll_into_view_if_needed()
    screenshot(page, "construction/builder-error")

    # undo removes the Dense, redo brings it back; the code panel follows
    _click(page, "Undo")
    _wait_nodes(page, 1)
    _click(page, "Redo")
    _wait_nodes(page, 2)
    code = page.locator(".kv-builder .widget-tab").first.inner_text()
    assert "layers.Dense(16" in code
    assert page.locator(".kv-builder .kv-builder-error").count() == 0
    screenshot(page, "construction/builder")
