"""A live ``kerasviz.compare()`` and the same output saved look the same: one widget
drawn by the comparison view of the saved output, in light and dark themes."""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    VIEWPORT,
    open_notebook,
    output_text,
    run_all_cells,
    save_notebook,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import run_new_cell
from tests.browser.test_saved_notebooks import (
    graphs_per_output,
    page_errors_of_ours,
    reopen_without_kernel,
    wait_painted,
)

pytestmark = pytest.mark.browser

SETUP = """\
import os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
from keras import layers
import kerasviz
mlp = keras.Sequential([keras.Input((8,), name="features"),
                        layers.Dense(4, activation="relu", name="hidden"),
                        layers.Dense(1, name="score")], name="mlp")"""
CELLS = [SETUP, "view = kerasviz.compare(mlp)\nview"]

#: What a comparison shows, as data: the same live and saved.
INVENTORY_JS = """() => {
  const c = document.querySelector('.kv-comparison');
  const text = (e) => (e ? e.textContent : null);
  return {
    title: text(c.querySelector('.kv-cmp-title')),
    columns: [...c.querySelectorAll('.kv-cmp-col-title')].map(text),
    graphs: [...c.querySelectorAll('.kv-root')].map(r =>
      r.kvView.cy.nodes().map(n => n.id()).sort()),
    code: [...c.querySelectorAll('.kv-code')].map(p => ({
      title: text(p.querySelector('.kv-code-title')),
      copy: text(p.querySelector('button.kv-code-copy')),
      source: text(p.querySelector('pre.kv-cmp-code')),
      tokens: [...p.querySelectorAll('pre.kv-cmp-code .kv-tok')]
        .map(s => s.className + ' ' + s.textContent),
      whiteSpace: getComputedStyle(p.querySelector('pre.kv-cmp-code')).whiteSpace,
    })),
    verdict: text(c.querySelector('.kv-cmp-verdict.kv-cmp-ok > strong')),
    verdictLines: [...c.querySelectorAll('.kv-cmp-verdict li')].map(text),
  };
}"""

#: The title of each graph's inspector (the layer it shows), left then right.
INSPECTED_JS = """() => [...document.querySelectorAll('.kv-comparison .kv-inspector')]
  .map(i => i.querySelector('.kv-title')?.textContent ?? null)"""

#: Where node ``id`` of graph ``side`` is drawn on the page.
NODE_AT_JS = """([side, id]) => {
  const root = document.querySelectorAll('.kv-comparison .kv-root')[side];
  const cy = root.kvView.cy;
  const p = cy.getElementById(id).renderedPosition();
  const box = cy.container().getBoundingClientRect();
  return [box.left + p.x, box.top + p.y];
}"""


def click_node(page, side: int, node: str) -> None:
    page.locator(".kv-comparison .kv-root").nth(side).scroll_into_view_if_needed()
    page.mouse.click(*page.evaluate(NODE_AT_JS, [side, node]), delay=50)


def wait_inspected(page, expected: list[str]) -> None:
    page.wait_for_function(
        f"(want) => JSON.stringify(({INSPECTED_JS})()) === JSON.stringify(want)",
        arg=expected,
        timeout=10_000,
    )


def check_click_selects_both_sides(page) -> None:
    click_node(page, 0, "hidden")
    wait_inspected(page, ["hidden", "hidden"])
    click_node(page, 1, "score")
    wait_inspected(page, ["score", "score"])


def set_theme(page, theme: str) -> None:
    page.evaluate(
        "(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})",
        theme,
    )
    page.wait_for_function(
        "(t) => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
    )
    page.wait_for_timeout(800)  # the graphs re-resolve their colours


def shoot_themes(page, name: str) -> None:
    """PNGs of the whole comparison in the light and dark themes (test-artifacts/).

    The window is made tall enough for all of it: an element screenshot of a tall
    output inside the notebook's scrolled panel only catches the part in view.
    """
    page.set_viewport_size({"width": VIEWPORT["width"], "height": 2000})
    try:
        for theme, suffix in (
            ("JupyterLab Light", "light"),
            ("JupyterLab Dark", "dark"),
        ):
            set_theme(page, theme)
            page.locator(".kv-comparison .kv-cmp-title").scroll_into_view_if_needed()
            page.evaluate(
                "() => document.querySelector('.kv-comparison').scrollIntoView()"
            )
            page.wait_for_timeout(300)
            screenshot(page, f"{name}-{suffix}")
        set_theme(page, "JupyterLab Light")
    finally:
        page.set_viewport_size(VIEWPORT)


def check_inventory(inventory: dict) -> None:
    assert inventory["title"] == "mlp: Sequential API vs Functional API"
    assert inventory["columns"] == ["Sequential", "Functional"]
    assert inventory["graphs"] == [["features", "hidden", "score"]] * 2
    seq, fn = inventory["code"]
    assert [seq["title"], fn["title"]] == ["Sequential API", "Functional API"]
    assert [seq["copy"], fn["copy"]] == ["Copy", "Copy"]
    assert "keras.Sequential(" in seq["source"]
    assert "keras.Model(inputs=" in fn["source"]
    for panel in (seq, fn):
        assert panel["whiteSpace"] == "pre"
        kinds = {t.split(" ")[1] for t in panel["tokens"]}
        assert {"kv-tok-keyword", "kv-tok-string"} <= kinds, kinds
        assert "kv-tok kv-tok-keyword import" in panel["tokens"]
    assert inventory["verdict"] == "Equivalent"
    assert inventory["verdictLines"], "the verdict lists what was checked"


def test_live_and_saved_comparison_show_the_same_and_select_both_sides(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=server.base_url
    )
    name = "comparison-live.ipynb"
    write_notebook(server.root_dir / name, CELLS)
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 2)
    assert graphs_per_output(page) == [["widget", "widget"]]  # one widget, two graphs
    live = page.evaluate(INVENTORY_JS)
    check_inventory(live)

    # a click on one side selects its counterpart on the other, and Python sees both
    check_click_selects_both_sides(page)
    run_new_cell(page, "print('SELECTED', view.selected)")
    page.wait_for_function(
        "() => document.body.innerText.includes('SELECTED [')", timeout=30_000
    )
    assert "SELECTED ['score', 'score']" in output_text(page)
    # ... and Python selects on both sides
    run_new_cell(page, "view.select('hidden')")
    wait_inspected(page, ["hidden", "hidden"])

    # the kernel answers weight statistics for a layer of either graph
    right = page.locator(".kv-comparison .kv-inspector").nth(1)
    right.get_by_role("button", name="Weight statistics").click()
    cards = right.locator(".kv-stats .kv-stat-card")
    cards.first.wait_for(timeout=30_000)
    names = right.locator(".kv-stat-name").all_inner_texts()
    assert [n.split("/")[-1] for n in names] == ["kernel", "bias"], names

    # Copy puts the code on the clipboard
    copy = page.locator(".kv-comparison button.kv-code-copy").first
    copy.click()
    page.wait_for_function(
        "() => document.querySelector('.kv-comparison button.kv-code-copy')"
        ".textContent === 'Copied'",
        timeout=5_000,
    )
    assert (
        page.evaluate("() => navigator.clipboard.readText()")
        == live["code"][0]["source"]
    )
    shoot_themes(page, "comparison-live")

    save_notebook(page)
    reopen_without_kernel(page, server, name)
    wait_painted(page, 2)
    assert graphs_per_output(page) == [["payload", "payload"]]
    saved = page.evaluate(INVENTORY_JS)
    assert saved == live  # the same elements, code, tokens and verdict
    check_click_selects_both_sides(page)
    # no kernel: the inspector says what is missing instead of a broken button
    assert page.locator(".kv-comparison .kv-stats-no-kernel").count() == 2
    assert (
        page.locator(".kv-comparison button", has_text="Weight statistics").count() == 0
    )
    shoot_themes(page, "comparison-saved")
    assert errors == []


DIFF_CELLS = [
    SETUP,
    "wider = keras.Sequential([keras.Input((8,), name='features'),\n"
    "    layers.Dense(6, activation='relu', name='hidden'),\n"
    "    layers.Dense(1, name='score')], name='mlp_v2')\n"
    "diff = kerasviz.compare(mlp, wider)\ndiff",
]

#: Each row of the table of differences: its cells.
ROWS_JS = """() => [...document.querySelectorAll('.kv-comparison tr.kv-cmp-diff-row')]
  .map(tr => [...tr.cells].map(td => td.textContent))"""

#: The marked layers of each graph (from a clicked row, not from search).
MARKED_JS = """() => [...document.querySelectorAll('.kv-comparison .kv-root')]
  .map(r => [...r.kvView.marked])"""


def check_row_click(page) -> None:
    rows = page.evaluate(ROWS_JS)
    assert [r[:3] for r in rows] == [
        ["changed", "hidden", "hidden"],
        ["changed", "score", "score"],
    ]
    page.locator(".kv-comparison tr.kv-cmp-diff-row").nth(1).click()
    wait_inspected(page, ["score", "score"])
    assert page.evaluate(MARKED_JS) == [["score"], ["score"]]


def test_a_diff_row_selects_its_layers_on_both_sides_live_and_saved(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "comparison-diff.ipynb"
    write_notebook(server.root_dir / name, DIFF_CELLS)
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 2)
    assert graphs_per_output(page) == [["widget", "widget"]]
    check_row_click(page)
    run_new_cell(page, "print('PAIR', diff.selected)")
    page.wait_for_function(
        "() => document.body.innerText.includes('PAIR [')", timeout=30_000
    )
    assert "PAIR ['score', 'score']" in output_text(page)
    shoot_themes(page, "comparison-diff-live")

    save_notebook(page)
    reopen_without_kernel(page, server, name)
    wait_painted(page, 2)
    assert graphs_per_output(page) == [["payload", "payload"]]
    check_row_click(page)
    shoot_themes(page, "comparison-diff-saved")
    assert errors == []
