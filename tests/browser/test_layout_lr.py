"""Edge labels (tensor shapes) in JupyterLab: never over a node or an arrowhead.

MobileNetV2 (no weights) and the seed model, top to bottom and left to right, as
first shown (blocks collapsed) and with every block open; the big-graph path
(the renderer's own layered layout, labextension/src/layout.ts) is forced by
lowering the payload's dagre limit in the kernel. The boxes are cytoscape's own:
``boundingBox`` of each edge's label (it includes the label's background padding)
against each leaf node's body and against the arrowhead at every edge's target end.
"""

from __future__ import annotations

import pytest

from tests.browser._jupyter import (
    open_notebook,
    run_all_cells,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import SEED

pytestmark = pytest.mark.browser

#: One notebook (one page) per group, two graphs each: six big graphs on one page
#: crashed chromium's renderer ("Target crashed") on CI.
GROUPS = {
    "seed": [SEED, 'import kerasviz\nkerasviz.show(model, rankdir="TB")',
             "%kerasviz model --rankdir LR"],
    "mobilenetv2": [SEED, "import kerasviz\nmnv2 = keras.applications.MobileNetV2(weights=None)",
                    'kerasviz.show(mnv2, rankdir="TB")', "%kerasviz mnv2 --rankdir LR"],
    # above this many visible nodes the renderer uses its layered layout
    "mobilenetv2-layered": [
        SEED, "import kerasviz\nmnv2 = keras.applications.MobileNetV2(weights=None)",
        "import kerasviz.view.payload as _payload\n_payload.DAGRE_MAX_NODES = 40\n"
        'kerasviz.show(mnv2, rankdir="TB")',
        'kerasviz.show(mnv2, rankdir="LR")',
    ],
}  # fmt: skip

#: Half the side of the square kept free around an arrowhead's tip. The arrow
#: (triangle, arrow-scale 0.9 on a 1.5 px edge) is ~8 px long and ~8 px wide.
ARROW = 6

OVERLAPS_JS = """([index, arrow]) => {
    const root = document.querySelectorAll('.kv-root')[index];
    const cy = root.kvView.cy;
    const hit = (a, b) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
    const nodes = cy.nodes().filter(n => !n.isParent()).map(n => ({
        id: n.id(), box: n.boundingBox({includeLabels: false, includeOverlays: false})}));
    const arrows = cy.edges().map(e => {
        const t = e.targetEndpoint();
        return {id: e.id(), box: {x1: t.x - arrow, x2: t.x + arrow,
                                  y1: t.y - arrow, y2: t.y + arrow}};
    });
    const problems = [];
    let labels = 0;
    cy.edges().forEach(e => {
        if (!e.data('shape')) { return; }
        const box = e.boundingBox({includeNodes: false, includeEdges: false,
            includeLabels: true, includeMainLabels: true, includeSourceLabels: true,
            includeTargetLabels: true, includeOverlays: false});
        if (!(box.w > 0 && box.h > 0)) { return; }
        labels++;
        const what = e.data('source') + ' -> ' + e.data('target')
            + ' "' + e.data('shape') + '"';
        for (const n of nodes) {
            if (hit(box, n.box)) { problems.push(what + ' covers node ' + n.id); }
        }
        for (const a of arrows) {
            if (hit(box, a.box)) { problems.push(what + ' covers the arrowhead of ' + a.id); }
        }
    });
    return {labels, problems, strategy: root.kvView.layoutStrategy,
            nodes: nodes.length};
}"""


def _painted(page, index: int) -> None:
    root = page.locator(".kv-root").nth(index)
    root.scroll_into_view_if_needed()
    page.wait_for_function(
        "(i) => { const r = document.querySelectorAll('.kv-root')[i];"
        " return r && r.dataset.kvPainted === 'true' && r.kvView; }",
        arg=index,
        timeout=60_000,
    )


def _fit(page, index: int) -> None:
    page.evaluate(
        "(i) => document.querySelectorAll('.kv-root')[i].kvView.cy.fit(undefined, 20)",
        index,
    )


@pytest.mark.parametrize("name", list(GROUPS))
def test_edge_labels_cover_no_node_and_no_arrowhead(page, module_jupyter_server, name):
    server = module_jupyter_server(app="lab")
    write_notebook(server.root_dir / f"layout-{name}.ipynb", GROUPS[name])
    open_notebook(page, server, f"layout-{name}.ipynb")
    assert run_all_cells(page, "lab", timeout=300)
    cases = [
        (name, "TB", name.endswith("layered")),
        (name, "LR", name.endswith("layered")),
    ]
    page.locator(".kv-root").nth(len(cases) - 1).wait_for(timeout=120_000)
    assert page.locator(".kv-root").count() == len(cases)

    failures = []
    for index, (name, rankdir, layered) in enumerate(cases):
        _painted(page, index)
        views = ["first"] if name == "seed" else ["first", "expanded"]
        for view in views:
            if view == "expanded":
                page.evaluate(
                    "(i) => document.querySelectorAll('.kv-root')[i].kvView.expandAll()",
                    index,
                )
                _painted(page, index)
            found = page.evaluate(OVERLAPS_JS, [index, ARROW])
            assert found["labels"] > 5, (name, rankdir, view, found)
            if layered and view == "expanded":
                assert found["strategy"] == "layered", found
            elif not layered:
                assert found["strategy"] == "dagre", found
            screenshot(page, f"layout/{name}-{rankdir}-{view}")
            if view == "first" or name == "seed":
                _fit(page, index)
                screenshot(page, f"layout/{name}-{rankdir}-{view}-fit")
            for problem in found["problems"]:
                failures.append(f"{name} {rankdir} {view}: {problem}")
    assert not failures, f"{len(failures)} overlaps:\n" + "\n".join(failures[:40])
    assert page.page_errors == []


DARK = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}

#: Every node label against its fill (family colour at background-opacity over the
#: canvas background), as cytoscape resolved them: WCAG contrast ratio.
CONTRASTS_JS = """() => {
    const root = document.querySelector('.kv-root');
    const cy = root.kvView.cy;
    const probe = document.createElement('canvas').getContext('2d');
    const rgb = c => { probe.fillStyle = '#000'; probe.fillStyle = c;
        const h = probe.fillStyle; if (h[0] === '#') {
            return [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)); }
        return h.match(/[\\d.]+/g).slice(0, 3).map(Number); };
    const lin = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    const lum = c => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
    let el = cy.container(); let bg = 'rgba(0, 0, 0, 0)';
    while (el && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
        bg = getComputedStyle(el).backgroundColor; el = el.parentElement; }
    const page = rgb(bg);
    return {page, ratios: cy.nodes().filter(n => !n.isParent()).map(n => {
        const a = Number(n.style('background-opacity'));
        const fill = rgb(n.style('background-color')).map((c, i) => a * c + (1 - a) * page[i]);
        const text = rgb(n.style('color'));
        const [hi, lo] = [lum(fill), lum(text)].sort((x, y) => y - x);
        return [n.id(), (hi + 0.05) / (lo + 0.05)];
    })};
}"""


def test_dark_theme_legend_and_labels(page, jupyter_server):
    server = jupyter_server(app="lab", settings=DARK)
    write_notebook(
        server.root_dir / "dark.ipynb",
        [SEED, "import kerasviz\nkerasviz.show(model)"],
    )
    open_notebook(page, server, "dark.ipynb")
    assert run_all_cells(page, "lab")
    _painted(page, 0)
    assert page.evaluate("() => document.body.dataset.jpThemeLight") == "false"
    page.locator(".kv-legend").first.scroll_into_view_if_needed()
    screenshot(page, "layout/legend-dark")
    found = page.evaluate(CONTRASTS_JS)
    assert max(found["page"]) < 60, found  # a dark canvas
    low = [(n, r) for n, r in found["ratios"] if r < 4.5]
    assert len(found["ratios"]) >= 10
    assert not low, low
    assert page.page_errors == []
