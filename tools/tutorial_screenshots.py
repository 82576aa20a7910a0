"""Take the README's tour pictures from notebook 1 in a real JupyterLab.

    python tools/tutorial_screenshots.py        # writes docs/tutorial-*.png

Uses ../shared/tools/lab_harness.py (JupyterLab + headless Chromium): runs notebook 1,
then saves, as element screenshots, the explorer of the two-input model with
``concatenate`` clicked and the replay of today's API at step 6 (the merge).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))
sys.path.insert(0, str(ROOT))

from lab_harness import (  # noqa: E402
    Browser,
    JupyterServer,
    open_notebook,
    run_all_cells,
)

from tests.browser.test_tutorial import EXPLORERS_JS  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "01-sequential-vs-functional.ipynb"


CLICK_JS = """([i, id]) => {
    const cy = document.querySelectorAll('.kv-root')[i].kvView.cy;
    const p = cy.getElementById(id).renderedPosition();
    const box = cy.container().getBoundingClientRect();
    return [box.left + p.x, box.top + p.y];
}"""


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        nb = nbformat.read(NOTEBOOK, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, pathlib.Path(root) / NOTEBOOK.name)
        with JupyterServer(root) as server, Browser(viewport=(1300, 1400)) as browser:
            page = browser.new_page()
            open_notebook(page, server, NOTEBOOK.name)
            run_all_cells(page, server.app)

            # the explorer of today's two-input model, concatenate inspected
            index = page.evaluate(EXPLORERS_JS)[1]
            root_el = page.locator(".kv-root").nth(index)
            root_el.scroll_into_view_if_needed()
            page.wait_for_function(
                "(i) => document.querySelectorAll('.kv-root')[i].dataset.kvPainted"
                " === 'true'",
                arg=index,
                timeout=60_000,
            )
            x, y = page.evaluate(CLICK_JS, [index, "concatenate"])
            page.mouse.click(x, y)
            page.wait_for_timeout(800)
            out = root_el.element_handle().evaluate_handle(
                "r => r.closest('.jp-OutputArea-output')"
            )
            out.as_element().screenshot(
                path=str(ROOT / "docs" / "tutorial-explorer.png")
            )

            # the replay of today's API at the merge (step 6 of 11)
            replay = page.locator(".kv-replay").nth(3)
            replay.scroll_into_view_if_needed()
            buttons = replay.locator(".kv-replay-btn")
            buttons.nth(0).click()
            for _ in range(5):
                buttons.nth(3).click()
                page.wait_for_timeout(300)
            page.wait_for_timeout(800)
            replay.screenshot(path=str(ROOT / "docs" / "tutorial-replay.png"))
    print("wrote docs/tutorial-explorer.png, docs/tutorial-replay.png")


if __name__ == "__main__":
    main()
