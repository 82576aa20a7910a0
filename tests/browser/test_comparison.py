"""The Sequential/Functional comparison view renders in JupyterLab."""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    screenshot,
    write_notebook,
)

pytestmark = pytest.mark.browser

CELLS = [
    """import os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import kerasviz
mlp = keras.Sequential([keras.Input((20,), name="features"),
                        keras.layers.Dense(16, activation="relu", name="hidden"),
                        keras.layers.Dense(3, activation="softmax", name="probs")],
                       name="mlp")""",
    "view = kerasviz.compare(mlp)\nview",
]


def test_comparison_shows_two_graphs_two_code_panels_and_a_verdict(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / "compare.ipynb", CELLS)
    open_notebook(page, server, "compare.ipynb")
    run_all_cells(page, "lab")
    page.wait_for_function(
        "() => document.querySelectorAll('.kv-root[data-kv-painted=\"true\"]').length === 2",
        timeout=60_000,
    )
    codes = page.locator(".kv-code pre.kv-cmp-code")
    codes.nth(1).wait_for()
    texts = [codes.nth(i).inner_text() for i in range(codes.count())]
    assert len(texts) == 2
    assert "keras.Sequential(" in texts[0]
    assert "keras.Model(inputs=" in texts[1]
    assert page.locator(".kv-code .kv-tok-keyword").count() > 0  # highlighted
    assert page.locator(".kv-mime-live .kv-comparison").count() == 1  # the widget
    assert page.locator(".kv-mime-graph").count() == 0  # nothing from the payload
    assert "Equivalent" in page.locator(".kv-cmp-verdict").first.inner_text()
    counts = page.evaluate(
        "() => [...document.querySelectorAll('.kv-root')].map(r => r.kvView.cy.nodes().length)"
    )
    assert counts == [3, 3]
    screenshot(page, "comparison-lab")
    assert page.page_errors == []
