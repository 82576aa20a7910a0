"""A KerasHub backbone in a real JupyterLab: open a transformer block, inspect inside."""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import PAINTED, node_screen_position
from tests.conftest import optional_import

pytestmark = pytest.mark.browser

BERT = (
    'import os\nos.environ.setdefault("KERAS_BACKEND", "tensorflow")\n'
    "import keras_hub\n"
    "backbone = keras_hub.models.BertBackbone(\n"
    "    vocabulary_size=100, num_layers=2, num_heads=2, hidden_dim=16,\n"
    "    intermediate_dim=32, max_sequence_length=32,\n"
    ")\n"
    "%load_ext kerasviz"
)

BLOCK = "transformer_layer_0"
ATTENTION = f"{BLOCK}/self_attention_layer"
NORM = f"{BLOCK}/self_attention_layer_norm"

STATE_JS = """(ids) => {
    const cy = document.querySelector('.kv-root').kvView.cy;
    return ids.map(id => {
        const n = cy.getElementById(id);
        return n.empty() ? null : {visible: n.visible(), label: n.data('label')};
    });
}"""


def _click(page, node_id: str) -> None:
    page.locator(PAINTED).first.scroll_into_view_if_needed()
    x, y = node_screen_position(page, node_id)
    page.mouse.click(x, y)


def test_open_a_transformer_block_and_inspect_its_attention(
    page, module_jupyter_server
):
    optional_import("keras_hub")
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / "bert.ipynb", [BERT, "%kerasviz backbone"])
    open_notebook(page, server, "bert.ipynb")
    run_all_cells(page, "lab")
    page.locator(PAINTED).first.wait_for(timeout=120_000)

    # the block starts closed: one box, its inner layers not drawn
    block, attention = page.evaluate(STATE_JS, [BLOCK, ATTENTION])
    assert block is not None
    assert block["visible"]
    assert "TransformerEncoder" in block["label"] or "layers" in block["label"]
    assert attention is None or not attention["visible"]

    # click the block: it opens (a click opens a closed box), and the inspector
    # says its inside was traced from its call()
    _click(page, BLOCK)
    page.wait_for_function(
        """(id) => {
            const cy = document.querySelector('.kv-root').kvView.cy;
            const n = cy.getElementById(id);
            return !n.empty() && n.visible();
        }""",
        arg=ATTENTION,
        timeout=10_000,
    )
    inspector = page.locator(".kv-inspector").first
    inspector.locator(".kv-trace-note").first.wait_for(timeout=10_000)
    assert "traced from its call()" in inspector.inner_text()
    assert "Custom layer" in inspector.inner_text()
    assert inspector.locator("button.kv-toggle").first.inner_text() == "Collapse"
    attention, norm = page.evaluate(STATE_JS, [ATTENTION, NORM])
    assert attention["visible"]
    assert "MultiHeadAttention" in attention["label"]
    assert norm["visible"]
    assert "LayerNormalization" in norm["label"]

    # click the attention layer inside: its shapes, with unknown sizes as None
    _click(page, ATTENTION)
    page.wait_for_function(
        """() => {
            const t = document.querySelector('.kv-inspector').textContent;
            return t.includes('MultiHeadAttention') && t.includes('(None, None, 16)');
        }""",
        timeout=10_000,
    )
    text = inspector.inner_text()
    assert "self_attention_layer" in text
    screenshot(page, "kerashub-bert-block-open")
    assert page.page_errors == []
