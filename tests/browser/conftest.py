"""Fixtures for the browser tests: headless chromium (Playwright) and real Jupyter servers.

    from tests.browser._jupyter import open_notebook, output_text, run_all_cells, write_notebook

    def test_x(page, module_jupyter_server):
        server = module_jupyter_server(app="lab")  # or app="notebook"; one per module
        write_notebook(server.root_dir / "x.ipynb", ["print('hi')"])
        open_notebook(page, server, "x.ipynb")
        run_all_cells(page, server.app)
        assert "hi" in output_text(page)
        assert page.page_errors == []

Without chromium (or Playwright, or the notebook package) the tests skip; with CI=true
they fail instead.
"""

from __future__ import annotations

import os
import warnings

import pytest

from tests.browser._jupyter import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    VIEWPORT,
    JupyterServer,
    find_chromium,
    live_servers,
    screenshot,
)
from tests.conftest import IN_CI, optional_import

_HERE = os.path.dirname(__file__)

#: Uncaught page errors of Jupyter itself, not of kerasviz: (message, stack part, why).
#: They go to ``page.known_errors`` instead of ``page.page_errors``.
KNOWN_PAGE_ERRORS = [
    (
        "Cannot read properties of undefined (reading 'schema')",
        "/static/notebook/notebook_core.",
        "Notebook 7 shortcuts-extension race on settings load, "
        "https://github.com/jupyter/notebook/issues/7862",
    ),
]


def _known(exc) -> str | None:
    message, stack = getattr(exc, "message", str(exc)), getattr(exc, "stack", "") or ""
    for text, where, why in KNOWN_PAGE_ERRORS:
        if text in message and where in stack:
            return why
    return None


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives a real JupyterLab/Notebook in headless chromium"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:  # every test in this folder is a browser test
        if str(item.path).startswith(_HERE + os.sep):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure: a screenshot of ``page`` and the tail of every live server's log."""
    report = yield
    if report.failed and str(item.path).startswith(_HERE + os.sep):
        page = getattr(item, "funcargs", {}).get("page")
        if page is not None and report.when == "call" and not page.is_closed():
            try:
                path = screenshot(page, f"failures/{item.name}")
                report.sections.append(("browser screenshot", str(path)))
            except Exception as exc:  # the page may be what broke
                report.sections.append(("browser screenshot", f"failed: {exc!r}"))
            if getattr(page, "errors", None):
                report.sections.append(("browser errors", "\n".join(page.errors)))
        for server in live_servers():
            report.sections.append((f"jupyter {server.app} log", server.log_tail()))
    return report


# --------------------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system chromium; skip without it (fail under CI)."""
    return find_chromium(IN_CI)


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A headless Playwright chromium Browser for the whole session."""
    sync_api = optional_import("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A page in a fresh context (1400x900), closed after the test.

    ``page.page_errors``: uncaught exceptions in the page, minus ``KNOWN_PAGE_ERRORS``
    (those go to ``page.known_errors``); ``page.console_errors``: ``console.error``
    messages; ``page.errors``: all of them, in order, prefixed.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    pg = context.new_page()
    pg.errors, pg.page_errors, pg.console_errors, pg.known_errors = [], [], [], []

    def on_console(msg):
        if msg.type == "error":
            pg.console_errors.append(msg.text)
            pg.errors.append(f"console.error: {msg.text}")

    def on_pageerror(exc):
        why = _known(exc)
        if why:
            pg.known_errors.append(f"{exc} ({why})")
            pg.errors.append(f"pageerror (known, ignored): {exc} ({why})")
        else:
            pg.page_errors.append(str(exc))
            pg.errors.append(f"pageerror: {exc}")

    pg.on("console", on_console)
    pg.on("pageerror", on_pageerror)
    try:
        yield pg
    finally:
        context.close()


# --------------------------------------------------------------------------- servers
class JupyterServers:
    """Factory: ``servers(app="lab"|"notebook", root_dir=None, settings=None,
    extra_args=(), disabled_extensions=())``.

    Starts the server on first call and returns the same one for the same arguments.
    ``root_dir=None`` gives a fresh temp dir (``server.root_dir``). ``settings`` maps
    JupyterLab plugin ids to setting values, e.g.
    ``{"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}``.
    """

    def __init__(self, tmp_path_factory):
        self._tmp_path_factory = tmp_path_factory
        self._servers: dict[tuple, JupyterServer] = {}

    def __call__(
        self,
        app="lab",
        root_dir=None,
        *,
        settings=None,
        extra_args=(),
        disabled_extensions=(),
    ):
        optional_import("jupyterlab" if app == "lab" else "notebook")
        key = (
            app,
            str(root_dir),
            repr(sorted((settings or {}).items())),
            tuple(extra_args),
            tuple(disabled_extensions),
        )
        server = self._servers.get(key)
        if server is None or server.proc is None:
            root = root_dir or self._tmp_path_factory.mktemp(f"jupyter-{app}-root")
            server = JupyterServer(
                app,
                root,
                settings=settings,
                extra_args=extra_args,
                log_dir=ARTIFACTS / "logs",
                disabled_extensions=disabled_extensions,
            )
            self._servers[key] = server
            server.start()
        return server

    def stop_all(self) -> dict[str, list[int]]:
        """Stop every server started here; returns leaked kernel pids per server URL."""
        leaks = {}
        for server in self._servers.values():
            url = server.base_url
            leaked = server.stop()
            if leaked:
                leaks[url] = leaked
        return leaks


def _stop(servers: JupyterServers) -> None:
    leaks = servers.stop_all()
    if leaks:  # ended by us; still worth knowing
        warnings.warn(
            f"processes outlived POST /api/shutdown and were killed: {leaks}",
            stacklevel=1,
        )


@pytest.fixture
def jupyter_server(tmp_path_factory):
    """Factory of Jupyter servers stopped at the end of the test (see JupyterServers)."""
    servers = JupyterServers(tmp_path_factory)
    try:
        yield servers
    finally:
        _stop(servers)


@pytest.fixture(scope="module")
def module_jupyter_server(tmp_path_factory):
    """Like ``jupyter_server`` but the servers live for the whole test module."""
    servers = JupyterServers(tmp_path_factory)
    try:
        yield servers
    finally:
        _stop(servers)
