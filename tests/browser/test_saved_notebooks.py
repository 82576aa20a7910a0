"""Graphs that outlive the kernel: saved notebooks reopened in JupyterLab with no kernel.

The kerasviz labextension (the MIME renderer) draws a saved output from its
``application/vnd.kerasviz.graph+json`` payload; while the live widget can be shown it
gives way to it. Either way each output shows exactly one graph. The file keeps the
payload packed (``kerasviz.mimebundle.pack``); outputs saved unpacked, by kerasviz
before packing, still draw.
"""

from __future__ import annotations

import base64
import json
import zlib

import nbformat
import pytest

from kerasviz.mimebundle import is_packed, unpack
from tests.browser._jupyter import (
    open_notebook,
    output_text,
    refuse_kernels,
    run_all_cells,
    save_notebook,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import (
    PAINTED,
    SEED,
    node_screen_position,
    run_new_cell,
)

pytestmark = pytest.mark.browser

MIME_TYPE = "application/vnd.kerasviz.graph+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SAVE_STATE = {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}
XSS_NAME = "<img src=x onerror=alert(1)>"
NO_KERNEL_ERROR = "Cannot read properties of null (reading 'kernel')"
JLAB_MANAGER = "/@jupyter-widgets/jupyterlab-manager/"

#: Per output area: how many graphs, and who drew each (the widget or the payload).
GRAPHS_PER_OUTPUT_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output')]
  .filter(o => o.querySelector('.kv-mime-output, .kv-root'))
  .map(o => [...o.querySelectorAll('.kv-root')]
    .map(r => (r.closest('.kv-mime-graph') ? 'payload' : 'widget')))"""


def page_errors_of_ours(page) -> list[str]:
    """Uncaught page errors, minus jupyterlab-manager's on a notebook with no kernel.

    jupyterlab_widgets 3.0.17 reads ``sessionContext.session.kernel`` once the session
    is ready, and throws when there is none: with or without kerasviz, any notebook
    opened on "No Kernel" gets ``Cannot read properties of null (reading 'kernel')``
    from ``@jupyter-widgets/jupyterlab-manager`` (it then makes no widget manager for
    that notebook, so saved widget state cannot be shown either).
    """
    errors: list[str] = []

    def record(exc) -> None:
        stack = getattr(exc, "stack", "") or ""
        if NO_KERNEL_ERROR in exc.message and JLAB_MANAGER in stack:
            return
        errors.append(f"{exc.message}\n{stack}")

    page.on("pageerror", record)
    return errors


def graphs_per_output(page) -> list[list[str]]:
    """For each kerasviz output: the graphs in it, 'widget' or 'payload' (drawn by us)."""
    return page.evaluate(GRAPHS_PER_OUTPUT_JS)


def wait_painted(page, count: int, timeout: float = 60) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('.kv-root[data-kv-painted=\"true\"]')"
        ".length >= n",
        arg=count,
        timeout=timeout * 1000,
    )


def reopen_without_kernel(page, server, name: str) -> list[str]:
    """Load ``name`` again in a fresh page state with every kernel start refused."""
    server.shutdown_kernels()
    refused = refuse_kernels(page)
    open_notebook(page, server, name, kernel=False)
    return refused


def saved_outputs(path) -> list[dict]:
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def saved_payloads(path, mime_type: str = MIME_TYPE) -> list[dict]:
    """The payloads of every ``mime_type`` output in the file, decoded (and checked to
    be packed, as kerasviz saves them)."""
    datas = [
        o["data"][mime_type]
        for o in saved_outputs(path)
        if mime_type in o.get("data", {})
    ]
    assert all(is_packed(d) for d in datas), [sorted(d) for d in datas]
    return [unpack(d) for d in datas]


def display_cell(bundle: dict) -> dict:
    """A code cell whose saved output is ``bundle`` (as a kernel's display_data)."""
    return nbformat.v4.new_code_cell(
        "# saved output",
        outputs=[nbformat.v4.new_output("display_data", data=bundle, metadata={})],
    )


# ------------------------------------------------------------------------- tests
def test_saved_graph_renders_and_inspects_without_kernel(page, module_jupyter_server):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "saved-seed.ipynb"
    write_notebook(server.root_dir / name, [SEED, "%kerasviz model"])
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 1)
    assert graphs_per_output(page) == [["widget"]]
    save_notebook(page)
    (output,) = [o for o in saved_outputs(server.root_dir / name) if "data" in o]
    assert set(output["data"]) == {WIDGET_VIEW, MIME_TYPE, "text/plain"}
    summary = output["data"]["text/plain"]
    assert "(Functional): 5,200,610 params" in summary
    assert "Inputs:  main_input (None, 100), aux_input (None, 5)" in summary
    # the file keeps it packed: one string, which holds the whole graph
    envelope = output["data"][MIME_TYPE]
    assert envelope["kerasviz_packed"] == 1
    assert isinstance(envelope["data"], str)
    (payload,) = saved_payloads(server.root_dir / name)
    assert payload["graph"]["model"]["name"] == "seed_functional"
    assert len(payload["graph"]["nodes"]) == 10

    refused = reopen_without_kernel(page, server, name)
    assert refused, "the reload was expected to ask for a kernel"
    wait_painted(page, 1)
    page.wait_for_timeout(500)
    assert graphs_per_output(page) == [["payload"]]
    assert server.kernels() == []

    page.locator(PAINTED).first.scroll_into_view_if_needed()
    x, y = node_screen_position(page, "lstm")
    page.mouse.click(x, y)
    inspector = page.locator(".kv-inspector").first
    page.wait_for_function(
        "() => document.querySelector('.kv-inspector .kv-title')?.textContent === 'lstm'",
        timeout=10_000,
    )
    text = inspector.inner_text()
    assert "(None, 32)" in text
    assert "LSTM" in text
    assert page.get_by_role("button", name="Weight statistics").count() == 0
    screenshot(page, "saved-lab-no-kernel-inspected")
    assert errors == []


def test_layer_names_render_as_text(page, module_jupyter_server, keras):
    from kerasviz.mimebundle import mime_bundle

    inp = keras.Input((3,), name="x_in")
    out = keras.layers.Dense(2, name=XSS_NAME)(inp)
    bundle = mime_bundle(keras.Model(inp, out, name="<b>bold"))
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "saved-xss.ipynb"
    write_notebook(server.root_dir / name, [display_cell(bundle)])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    refuse_kernels(page)
    open_notebook(page, server, name, kernel=False)
    wait_painted(page, 1)
    x, y = node_screen_position(page, XSS_NAME)
    page.mouse.click(x, y)
    page.wait_for_function(
        "(n) => document.querySelector('.kv-inspector .kv-title')?.textContent === n",
        arg=XSS_NAME,
        timeout=10_000,
    )
    page.wait_for_timeout(500)  # time for an injected onerror to fire
    assert dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator(".kv-model-name").first.inner_text() == "<b>bold"
    assert page.locator(".kv-root b").count() == 0
    screenshot(page, "saved-lab-layer-name-as-text")
    assert errors == []


def packed_envelope(raw: bytes, **fields) -> dict:
    data = base64.b64encode(raw).decode("ascii")
    return {"kerasviz_packed": 1, "encoding": "zlib+base64", "data": data, **fields}


GOOD_ZLIB = zlib.compress(b'{"kerasviz_view":1,"graph":{"version":1}}')


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"kerasviz_view": 99}, "version 99, but this renderer reads version 1"),
        ({"kerasviz_view": 1, "graph": {"version": 7}}, "schema version 7"),
        ("{not json", "not JSON"),
        (
            packed_envelope(GOOD_ZLIB, kerasviz_packed=2),
            "this output is packed with version 2, but this renderer reads version 1",
        ),
        (
            packed_envelope(GOOD_ZLIB[:-8]),
            "this output's packed data is corrupt: it is not zlib data, or it is "
            "truncated",
        ),
        (packed_envelope(b"not zlib at all"), "packed data is corrupt"),
    ],
    ids=[
        "future-version",
        "unknown-graph-version",
        "not-json",
        "future-packing",
        "truncated-packing",
        "corrupt-packing",
    ],
)
def test_malformed_payload_shows_a_message(page, module_jupyter_server, data, expected):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = f"saved-malformed-{abs(hash(json.dumps(data)))}.ipynb"
    bundle = {MIME_TYPE: data, "text/plain": "a kerasviz graph"}
    write_notebook(server.root_dir / name, [display_cell(bundle)])
    refuse_kernels(page)
    open_notebook(page, server, name, kernel=False)
    note = page.locator(".kv-mime-output .kv-note-error")
    note.wait_for(timeout=30_000)
    text = note.inner_text()
    assert text.startswith("kerasviz: cannot show this graph:")
    assert expected in text
    if is_packed(data):
        assert "re-run this cell" in text
    if data == {"kerasviz_view": 99}:
        screenshot(page, "saved-lab-malformed-payload")
    if is_packed(data) and data["kerasviz_packed"] == 2:
        screenshot(page, "saved-lab-malformed-packing")
    assert errors == []


def test_outputs_saved_unpacked_by_an_older_kerasviz_still_draw(
    page, module_jupyter_server, keras
):
    """Notebooks saved before packing hold the payload itself (kerasviz_view: 1,
    kerasviz_comparison: 1): they open as they did, selection included."""
    import kerasviz
    from kerasviz.view import view_payload

    inp = keras.Input((3,), name="x_in")
    hidden = keras.layers.Dense(4, name="hidden")(inp)
    model = keras.Model(inp, keras.layers.Dense(1, name="score")(hidden), name="old")
    old_view = json.loads(json.dumps(view_payload(model)))
    old_view["options"]["selected"] = "hidden"  # where older versions kept it
    old_comparison = json.loads(json.dumps(kerasviz.compare(model).saved_payload()))
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "saved-unpacked-old.ipynb"
    write_notebook(
        server.root_dir / name,
        [
            display_cell({MIME_TYPE: old_view, "text/plain": "old graph"}),
            display_cell({COMPARISON_MIME_TYPE: old_comparison, "text/plain": "old"}),
        ],
    )
    assert not any(is_packed(p) for p in saved_payloads_raw(server.root_dir / name))
    refuse_kernels(page)
    open_notebook(page, server, name, kernel=False)
    graphs = 1 + sum(c["view"] is not None for c in old_comparison["columns"])
    assert graphs == 3  # the graph, and the comparison's two (Sequential, Functional)
    wait_painted(page, graphs)
    page.wait_for_function(
        "() => document.querySelector('.kv-inspector .kv-title')?.textContent "
        "=== 'hidden'",
        timeout=10_000,
    )
    assert page.locator(".kv-note-error").count() == 0
    assert page.locator(".kv-model-name").first.inner_text() == "old"
    assert (
        page.locator(".kv-comparison .kv-cmp-title").inner_text()
        == (old_comparison["title"])
    )
    screenshot(page, "saved-lab-unpacked-old-format")
    assert errors == []


def saved_payloads_raw(path) -> list:
    """The MIME data of every kerasviz output in the file, as it is stored."""
    return [
        o["data"][m]
        for o in saved_outputs(path)
        for m in (MIME_TYPE, COMPARISON_MIME_TYPE)
        if m in o.get("data", {})
    ]


@pytest.mark.parametrize("save_state", [False, True], ids=["no-state", "widget-state"])
def test_exactly_one_graph_per_output(page, module_jupyter_server, save_state):
    server = module_jupyter_server(
        app="lab", settings=SAVE_STATE if save_state else None
    )
    errors = page_errors_of_ours(page)
    name = f"one-graph-{'state' if save_state else 'nostate'}.ipynb"
    cells = [
        SEED,
        "%kerasviz model",
        "import kerasviz\nkerasviz.show(model, rankdir='LR')",
    ]
    write_notebook(server.root_dir / name, cells)
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 2)
    assert graphs_per_output(page) == [["widget"], ["widget"]]
    save_notebook(page)
    nb = json.loads((server.root_dir / name).read_text())
    has_state = "application/vnd.jupyter.widget-state+json" in nb["metadata"].get(
        "widgets", {}
    )
    assert has_state == save_state

    reopen_without_kernel(page, server, name)
    wait_painted(page, 2)
    page.wait_for_timeout(3000)  # a restored widget could still take over
    seen = graphs_per_output(page)
    assert [len(graphs) for graphs in seen] == [1, 1], seen
    if not save_state:
        assert seen == [["payload"], ["payload"]]
    page.locator(".kv-root").last.scroll_into_view_if_needed()
    screenshot(page, f"saved-lab-one-graph-{'state' if save_state else 'nostate'}")
    assert errors == []

    # A fresh kernel (cells not run again): the widget manager restores the saved
    # widget state, so the widget shows; without it the models are gone.
    again = page.context.new_page()
    open_notebook(again, server, name)
    expected = ["widget"] if save_state else ["payload"]
    again.wait_for_function(
        f"(want) => JSON.stringify(({GRAPHS_PER_OUTPUT_JS})()) === want",
        arg=json.dumps([expected, expected], separators=(",", ":")),
        timeout=30_000,
    )
    again.wait_for_timeout(3000)
    assert graphs_per_output(again) == [expected, expected]


def test_reload_with_the_kernel_running_gives_the_live_widget_back(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "reload-live.ipynb"
    write_notebook(server.root_dir / name, [SEED, "ex = %kerasviz model\nex"])
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 1)
    save_notebook(page)

    open_notebook(page, server, name)  # same session: the kernel is still running
    # the payload may show first; the widget takes over once its manager is back
    page.wait_for_function(
        f"() => JSON.stringify(({GRAPHS_PER_OUTPUT_JS})()) === "
        """'[["widget"]]'""",
        timeout=30_000,
    )
    wait_painted(page, 1)
    page.locator(PAINTED).first.scroll_into_view_if_needed()
    x, y = node_screen_position(page, "dense_b")
    page.mouse.click(x, y)
    run_new_cell(page, "print('SELECTED', ex.selected)")
    page.wait_for_function(
        "() => document.body.innerText.includes('SELECTED dense_b')", timeout=30_000
    )
    assert "SELECTED dense_b" in output_text(page)
    assert graphs_per_output(page)[0] == ["widget"]
    screenshot(page, "saved-lab-reload-live-widget")
    assert errors == []


COMPARISON_MIME_TYPE = "application/vnd.kerasviz.comparison+json"
MLP = (
    "seq = keras.Sequential([keras.Input((8,), name='x'), "
    "layers.Dense(4, activation='relu', name='hidden'), "
    "layers.Dense(1, name='score')], name='mlp')\n"
    "%kerasviz seq --compare"
)


def test_saved_comparison_shows_both_graphs_code_and_verdict_without_kernel(
    page, module_jupyter_server
):
    server = module_jupyter_server(app="lab")
    errors = page_errors_of_ours(page)
    name = "saved-comparison.ipynb"
    write_notebook(server.root_dir / name, [SEED, MLP, "%kerasviz model --compare"])
    open_notebook(page, server, name)
    assert run_all_cells(page, "lab")
    wait_painted(page, 3)  # mlp in both APIs, the functional seed model
    assert graphs_per_output(page) == [["widget", "widget"], ["widget"]]
    save_notebook(page)
    outputs = [o for o in saved_outputs(server.root_dir / name) if "data" in o]
    assert [sorted(o["data"]) for o in outputs] == [
        sorted([WIDGET_VIEW, COMPARISON_MIME_TYPE, "text/plain"])
    ] * 2
    assert outputs[0]["data"]["text/plain"].splitlines()[1] == "Equivalent"
    payloads = saved_payloads(server.root_dir / name, COMPARISON_MIME_TYPE)
    assert [p["title"] for p in payloads] == [
        "mlp: Sequential API vs Functional API",
        outputs[1]["data"]["text/plain"].splitlines()[0],
    ]

    reopen_without_kernel(page, server, name)
    wait_painted(page, 3)
    page.wait_for_timeout(500)
    assert graphs_per_output(page) == [["payload", "payload"], ["payload"]]
    first = page.locator(".kv-comparison").first
    assert first.locator(".kv-cmp-title").inner_text() == (
        "mlp: Sequential API vs Functional API"
    )
    code = first.locator("pre.kv-cmp-code").all_inner_texts()
    assert "keras.Sequential(" in code[0]
    assert "keras.Model(inputs=" in code[1]
    assert (
        first.locator(".kv-cmp-verdict.kv-cmp-ok strong").inner_text() == "Equivalent"
    )
    second = page.locator(".kv-comparison").nth(1)
    assert "cannot be written with the Sequential API" in second.inner_text()
    assert second.locator(".kv-cmp-notes li").count() >= 3

    # the saved graphs inspect, from the payload (the second is the Functional one)
    first.scroll_into_view_if_needed()
    box = page.evaluate(
        """() => {
            const roots = document.querySelectorAll('.kv-comparison .kv-root');
            const cy = roots[1].kvView.cy;
            const p = cy.getElementById('hidden').renderedPosition();
            const r = cy.container().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }"""
    )
    page.mouse.click(*box, delay=50)
    # the click inspects 'hidden' on that side and selects its counterpart on the other
    page.wait_for_function(
        """() => [...document.querySelectorAll('.kv-comparison .kv-inspector')]
             .slice(0, 2).map(i => i.querySelector('.kv-title')?.textContent)
             .join() === 'hidden,hidden'""",
        timeout=10_000,
    )
    screenshot(page, "saved-lab-comparison-no-kernel")
    first.locator(".kv-cmp-verdict").scroll_into_view_if_needed()
    screenshot(page, "saved-lab-comparison-code-verdict")
    assert errors == []
