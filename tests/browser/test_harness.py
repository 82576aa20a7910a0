"""The browser harness itself works, in JupyterLab 4 and in Notebook 7."""

from __future__ import annotations

import json
import urllib.error

import psutil
import pytest

from tests.browser._jupyter import (
    find_chromium,
    open_notebook,
    output_text,
    port_is_open,
    refuse_kernels,
    run_all_cells,
    save_notebook,
    screenshot,
    urlopen,
    write_notebook,
)

pytestmark = pytest.mark.browser

APPS = ["lab", "notebook"]
MARKER = "kerasviz-harness-says-hello"
CELLS = [
    f"print({MARKER!r})",
    "import ipywidgets as w\nw.IntSlider(value=7, min=0, max=10, description='harness')",
]


@pytest.fixture
def server_for(module_jupyter_server):
    """``server_for(app)``: the module's server for ``app``, kernels ended after the test."""
    used = []

    def get(app):
        server = module_jupyter_server(app=app)
        used.append(server)
        return server

    yield get
    for server in used:
        if server.proc is not None:
            server.shutdown_kernels()


@pytest.mark.parametrize("via", ["command", "menu"])
@pytest.mark.parametrize("app", APPS)
def test_run_all_shows_text_and_widget(page, server_for, app, via):
    server = server_for(app)
    name = f"hello-{app}-{via}.ipynb"
    write_notebook(server.root_dir / name, CELLS)

    assert open_notebook(page, server, name) == "python3"
    assert run_all_cells(page, app, via=via) is True

    outputs = page.locator(".jp-OutputArea-output")
    outputs.filter(has_text=MARKER).first.wait_for()
    slider = page.locator(".jupyter-widgets.widget-slider").first
    slider.wait_for(state="visible")
    assert MARKER in output_text(page)
    assert "harness" in slider.inner_text()
    assert slider.locator(".widget-readout").inner_text().strip() == "7"

    shot = screenshot(page, f"harness-{app}-{via}")
    assert shot.stat().st_size > 10_000
    assert page.page_errors == []


@pytest.mark.parametrize("app", APPS)
def test_saved_notebook_reopens_without_kernel(page, browser, server_for, app):
    """save_notebook writes outputs to disk; refuse_kernels keeps a reopened page kernel-less."""
    server = server_for(app)
    name = f"saved-{app}.ipynb"
    write_notebook(server.root_dir / name, [CELLS[0]])
    open_notebook(page, server, name)
    run_all_cells(page, app)
    assert save_notebook(page) == name
    on_disk = json.loads((server.root_dir / name).read_text())
    assert MARKER in "".join(on_disk["cells"][0]["outputs"][0]["text"])
    server.shutdown_kernels()

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        again = context.new_page()
        refused = refuse_kernels(again)
        assert open_notebook(again, server, name, kernel=False) is None
        again.locator(".jp-OutputArea-output", has_text=MARKER).first.wait_for()
        assert refused, "the app never asked for a kernel"
        assert again.locator(".jp-Dialog").count() == 0  # kernel dialogs answered
        has_no_kernel = (
            "() => window.jupyterapp.shell.currentWidget.sessionContext.hasNoKernel"
        )
        assert again.evaluate(has_no_kernel) is True
        screenshot(again, f"harness-{app}-no-kernel")
        assert server.kernels() == []
    finally:
        context.close()


@pytest.mark.parametrize("app", APPS)
def test_server_listens_on_loopback_only(module_jupyter_server, app):
    server = module_jupyter_server(app=app)
    addresses = server.listen_addresses()
    assert addresses == [("127.0.0.1", server.port)]
    with pytest.raises(urllib.error.HTTPError) as err:  # the token is required
        urlopen(f"{server.base_url}/api/sessions", timeout=5)
    assert err.value.code == 403


def test_teardown_closes_port_and_ends_kernels(jupyter_server):
    """What the fixtures run at teardown (stop_all) leaves no port, server or kernel."""
    server = jupyter_server(app="lab")
    kernel = server.api("POST", "/api/kernels", {"name": "python3"})
    assert [k["id"] for k in server.kernels()] == [kernel["id"]]
    kernel_pids = server.kernel_pids()
    assert len(kernel_pids) == 1
    port, pid = server.port, server.pid
    assert port_is_open(port)

    assert jupyter_server.stop_all() == {}  # nothing had to be killed by force

    assert not port_is_open(port)
    for p in [pid, *kernel_pids]:
        assert (
            not psutil.pid_exists(p)
            or psutil.Process(p).status() == psutil.STATUS_ZOMBIE
        )
    assert server.proc is None
    assert jupyter_server.stop_all() == {}  # idempotent: the fixture's own teardown


@pytest.mark.parametrize("in_ci", [False, True])
def test_missing_chromium_skips_or_fails_in_ci(monkeypatch, tmp_path, in_ci):
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on it
    expected = pytest.fail.Exception if in_ci else pytest.skip.Exception
    with pytest.raises(expected, match=r"apt-get install -y chromium"):
        find_chromium(in_ci)
