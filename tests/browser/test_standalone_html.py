"""A standalone HTML file (kerasviz.save(model, "m.html")) opened from disk in chromium
with every network request refused: the full explorer works, and nothing hostile runs.
"""

from __future__ import annotations

import pytest

import kerasviz
from tests._fixtures import make_fixtures
from tests.browser._jupyter import screenshot
from tests.test_export_html import BREAKOUT, hostile_model

PAINTED = '.kv-root[data-kv-painted="true"]'


def open_offline(page, path):
    """Open ``path`` via file:// with every request that is not file: aborted;
    returns the list of refused URLs (to stay empty)."""
    refused: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    page.route("**/*", handle)
    page.context.set_offline(True)
    page.goto(path.as_uri())
    page.wait_for_selector(PAINTED, timeout=30_000)
    return refused


def view_eval(page, body: str, arg=None):
    """Evaluate ``body`` with ``view`` (the page's GraphView) and ``arg`` in scope."""
    return page.evaluate(
        "([body, arg]) => { const view = document.querySelector('.kv-root').kvView;"
        " return new Function('view', 'arg', body)(view, arg); }",
        [body, arg],
    )


def node_screen_position(page, node_id: str) -> tuple[float, float]:
    return page.evaluate(
        """(id) => {
            const cy = document.querySelector('.kv-root').kvView.cy;
            const node = cy.getElementById(id);
            if (node.empty()) { throw new Error('no node ' + id); }
            const p = node.renderedPosition();
            const box = cy.container().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )


@pytest.fixture(scope="module")
def toy_file(keras, tmp_path_factory):
    path = tmp_path_factory.mktemp("standalone") / "toy.html"
    return kerasviz.save(make_fixtures().toy(), path, title="The toy model")


@pytest.fixture(scope="module")
def hostile_file(keras, tmp_path_factory):
    path = tmp_path_factory.mktemp("standalone") / "hostile.html"
    return kerasviz.save(hostile_model(keras), path)


def test_explorer_works_offline(page, toy_file):
    refused = open_offline(page, toy_file)
    # the window gives the canvas its height
    box = page.locator(".kv-canvas").bounding_box()
    assert box["height"] > 500
    assert page.locator(".kv-page-title").inner_text() == "The toy model"
    assert "made with kerasviz" in page.locator(".kv-page-footer").inner_text()
    screenshot(page, "standalone/toy-light")

    # search: type a name, the layer is selected
    page.fill(".kv-search", "out")
    page.press(".kv-search", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.kv-root').kvView.selected === 'out'"
    )
    assert page.locator(".kv-inspector .kv-title").inner_text() == "out"

    # click a node: its inspector
    page.fill(".kv-search", "")
    view_eval(page, "view.select(null);")
    x, y = node_screen_position(page, "join")
    page.mouse.click(x, y)
    page.wait_for_function(
        "() => document.querySelector('.kv-inspector .kv-title')?.textContent === 'join'"
    )

    # open and close blocks
    collapsed = view_eval(page, "return [...view.collapsed];")
    assert collapsed  # the toy opens with its block and nested model closed
    view_eval(page, "view.expandAll();")
    assert view_eval(page, "return view.collapsed.size;") == 0
    assert view_eval(page, "return view.cy.getElementById('b1_add').nonempty();")
    view_eval(page, "view.collapseAll();")
    assert view_eval(page, "return view.collapsed.size;") >= len(collapsed)

    # the overlay menu recolours the nodes
    before = view_eval(
        page, "return view.cy.getElementById('out').style('background-color');"
    )
    page.select_option(".kv-overlay-select", "params")
    page.wait_for_function(
        "() => document.querySelector('.kv-root').kvView.overlay === 'params'"
    )
    assert view_eval(
        page, "return view.cy.getElementById('out').hasClass('kv-overlay');"
    )
    after = view_eval(
        page, "return view.cy.getElementById('out').style('background-color');"
    )
    assert after != before
    assert page.locator(".kv-overlay-legend").count() == 1
    screenshot(page, "standalone/toy-overlay")

    # zoom and pan are cytoscape's own
    zoom = view_eval(page, "return view.cy.zoom();")
    view_eval(page, "view.cy.zoom(arg);", zoom * 1.5)
    assert view_eval(page, "return view.cy.zoom();") == pytest.approx(zoom * 1.5)
    page.set_viewport_size({"width": 1000, "height": 700})
    page.wait_for_timeout(300)
    assert page.locator(".kv-canvas").bounding_box()["height"] > 300

    assert refused == []
    assert page.errors == []


def test_dark_theme_follows_the_system_and_the_switch(page, toy_file):
    page.emulate_media(color_scheme="dark")
    refused = open_offline(page, toy_file)
    body_bg = "() => getComputedStyle(document.body).backgroundColor"
    edge = (
        "() => document.querySelector('.kv-root').kvView.cy.edges()[0]"
        ".style('line-color')"
    )
    assert page.evaluate(body_bg) == "rgb(17, 17, 17)"
    assert page.evaluate(edge) == "rgb(138,138,138)"
    screenshot(page, "standalone/toy-dark")
    # the switch forces light (the canvas re-reads its colours)
    switch = page.locator(".kv-theme-switch")
    assert switch.inner_text() == "Light theme"
    switch.click()
    page.wait_for_function(f"() => ({body_bg})() === 'rgb(255, 255, 255)'")
    page.wait_for_function(f"() => ({edge})() === 'rgb(158,158,158)'")
    assert switch.inner_text() == "Dark theme"
    switch.click()
    page.wait_for_function(f"() => ({edge})() === 'rgb(138,138,138)'")
    # a light system with no forced theme: light
    page.evaluate("() => document.body.classList.remove('kv-dark', 'kv-light')")
    page.emulate_media(color_scheme="light")
    page.wait_for_function(f"() => ({edge})() === 'rgb(158,158,158)'")
    assert refused == []
    assert page.errors == []


def test_hostile_names_run_nothing(page, hostile_file):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    refused = open_offline(page, hostile_file)
    name = "<img src=x onerror=alert(1)>"
    x, y = node_screen_position(page, name)
    page.mouse.click(x, y)
    page.wait_for_function(
        "(n) => document.querySelector('.kv-inspector .kv-title')?.textContent === n",
        arg=name,
    )
    page.fill(".kv-search", "tagged")
    page.press(".kv-search", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.kv-root').kvView.selected === 'tagged'"
    )
    # (the config table is in a closed <details>: its text is there, not shown)
    assert BREAKOUT in page.locator(".kv-inspector").text_content()
    page.wait_for_timeout(500)  # time for an injected onerror to fire
    assert dialogs == []
    assert page.evaluate("() => window.kvPwned") is None
    assert page.locator("img").count() == 0
    assert page.locator(".kv-root b, .kv-root svg, .kv-root script").count() == 0
    assert page.locator(".kv-model-name").inner_text() == "<svg onload=alert(3)>"
    assert page.title() == "<svg onload=alert(3)>"
    page.locator(".kv-inspector details > summary").first.click()
    assert page.get_by_text(BREAKOUT).first.is_visible()
    screenshot(page, "standalone/hostile")
    assert refused == []
    assert page.errors == []
