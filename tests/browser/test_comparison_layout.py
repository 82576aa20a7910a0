"""How a comparison reads, live and saved: grouped reasons, a gutter between the two
sides, and code that scrolls sideways instead of wrapping inside names."""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    save_notebook,
    screenshot,
    write_notebook,
)
from tests.browser.test_saved_notebooks import (
    graphs_per_output,
    page_errors_of_ours,
    reopen_without_kernel,
    wait_painted,
)

pytestmark = pytest.mark.browser

#: Five residual blocks: five merges and five branches, so the reasons group; and a
#: long layer name, so a wrapped code line would break inside it.
RESIDUAL = """\
import os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
from keras import layers
import kerasviz
x = inp = keras.Input((8,), name="main_input_with_a_rather_long_descriptive_name")
for i in range(5):
    x = layers.Add(name=f"add_{i}")([x, layers.Dense(8, name=f"dense_{i}")(x)])
net = keras.Model(inp, layers.Dense(2, name="head")(x), name="residual")
mlp = keras.Sequential([keras.Input((8,), name="main_input_with_a_rather_long_name"),
                        layers.Dense(4, name="a_hidden_layer_whose_name_is_long_too"),
                        layers.Dense(1, name="score")], name="mlp")"""

CELLS = [RESIDUAL, "kerasviz.compare(net)", "kerasviz.compare(mlp)"]

#: Per comparison: the gap between its two columns, and every code block's wrapping.
LAYOUT_JS = """(sel) => [...document.querySelectorAll(sel.root)].map(root => {
  const cols = [...root.querySelectorAll(sel.col)].filter(c => c.offsetWidth > 0);
  const [a, b] = cols.map(c => c.getBoundingClientRect());
  const code = [...root.querySelectorAll(sel.code)].map(p => {
    const s = getComputedStyle(p);
    return [s.whiteSpace, s.wordBreak, s.overflowWrap];
  });
  return {gap: b.left - a.right, code};
})"""

#: Live and saved are drawn by the same view (comparisonview.ts): same selectors.
COMPARISON = {"root": ".kv-comparison", "col": ".kv-cmp-col", "code": "pre.kv-cmp-code"}


def check_reasons(page, root: str) -> None:
    """The residual net's 10 reasons are 2 groups that open to list every reason."""
    why = page.locator(root).first
    groups = why.locator(".kv-reason-group")
    assert groups.count() == 2
    summaries = [s.strip() for s in groups.locator("summary").all_inner_texts()]
    assert summaries == [
        "5 branches: main_input_with_a_rather_long_descriptive_name, add_0, add_1, "
        "... and 2 more (show all)",
        "5 merges: add_0, add_1, add_2, ... and 2 more (show all)",
    ]
    merges = groups.nth(1)
    assert not merges.locator("li").first.is_visible()
    merges.locator("summary").click()
    items = merges.locator("li").all_inner_texts()
    assert len(items) == 5
    assert items[4].startswith("a merge: 'add_4' (Add) takes 2 tensors")
    assert not merges.locator(".kv-show-all").is_visible()
    # a reason, clicked, selects and marks the layer it names (from its node ids)
    merges.locator("li").nth(4).click()
    page.wait_for_function(
        """(root) => {
            const view = document.querySelector(root + ' .kv-root').kvView;
            return view.selected === 'add_4' && view.marked.join() === 'add_4';
        }""",
        arg=root,
        timeout=10_000,
    )


def check_layout(page, selectors: dict[str, str]) -> None:
    views = page.evaluate(LAYOUT_JS, selectors)
    assert len(views) == 2
    for view in views:
        assert view["gap"] >= 8, view  # the two sides do not touch
    assert views[1]["code"], "no code panels"
    for white_space, word_break, overflow_wrap in views[1]["code"]:
        assert (white_space, word_break, overflow_wrap) == ("pre", "normal", "normal")


def test_comparison_groups_reasons_keeps_a_gutter_and_scrolls_code(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "comparison-layout.ipynb"
    write_notebook(server.root_dir / name, CELLS)
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 3)
    # live: the anywidget draws both (inside the output the MIME renderer handed over)
    assert graphs_per_output(page) == [["widget"], ["widget", "widget"]]
    check_reasons(page, ".kv-comparison")
    check_layout(page, COMPARISON)
    screenshot(page, "comparison-layout-live")

    save_notebook(page)
    reopen_without_kernel(page, server, name)
    wait_painted(page, 3)
    assert graphs_per_output(page) == [["payload"], ["payload", "payload"]]
    check_reasons(page, ".kv-comparison")
    check_layout(page, COMPARISON)
    screenshot(page, "comparison-layout-saved")
    assert errors == []
