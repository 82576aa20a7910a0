"""A throwaway Jupyter server and the page helpers the browser tests drive it with.

The fixtures in ``conftest.py`` wrap :class:`JupyterServer`; the functions below take a
Playwright ``page`` (sync API) that shows a notebook of that server.

How the page is driven: the server is started with ``expose_app_in_browser=True``
(both ``LabApp`` and ``JupyterNotebookApp`` have the trait), so the page has
``window.jupyterapp`` and its command registry, in JupyterLab 4 and Notebook 7 alike.
Without the flag ``window.jupyterapp`` is undefined (it is only set by default in dev
mode); :func:`run_all_cells` then still works through the Run menu (``via="menu"``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil  # the test extra installs it (ipykernel 7.4 no longer does)

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Screenshots and server logs land here (git-ignored; CI uploads it).
ARTIFACTS = REPO_ROOT / "test-artifacts"

KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
}

#: Settings every server starts with: no "fetch official Jupyter news?" toast over the page.
DEFAULT_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}
}

_LIVE: set[JupyterServer] = set()  # started and not yet stopped, for failure reports


#: urllib without $HTTP_PROXY & co.: the servers are on 127.0.0.1.
urlopen = urllib.request.build_opener(urllib.request.ProxyHandler({})).open


#: Flags for a headless chromium without GPU, sandbox or background traffic (the
#: machine's network is closed: background requests would only fail).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def find_chromium(in_ci: bool) -> str:
    """Path of the system chromium (``$CHROMIUM`` first); else skip, or fail when in CI."""
    import pytest

    path = (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if path:
        return path
    message = (
        "chromium is not installed (on Debian/Ubuntu: apt-get install -y chromium)"
    )
    if in_ci:
        pytest.fail(message)
    pytest.skip(message)


def live_servers() -> list[JupyterServer]:
    return sorted(_LIVE, key=lambda s: s.port)


# --------------------------------------------------------------------------- server
class JupyterServer:
    """``jupyter lab`` or ``jupyter notebook`` on 127.0.0.1, a free port and a random token.

    Config, data, runtime, user-settings and workspace dirs are fresh temp dirs, so
    nothing in ``~/.jupyter`` or ``~/.local/share/jupyter`` leaks in; kernelspecs and
    labextensions still come from ``sys.prefix`` (the ``python3`` kernel of this venv).
    """

    def __init__(
        self,
        app: str = "lab",
        root_dir: str | os.PathLike | None = None,
        *,
        settings: dict | None = None,
        extra_args: tuple[str, ...] | list[str] = (),
        log_dir: str | os.PathLike = ARTIFACTS / "logs",
        python: str = sys.executable,
        disabled_extensions: tuple[str, ...] | list[str] = (),
    ):
        if app not in ("lab", "notebook"):
            raise ValueError(f"app must be 'lab' or 'notebook', not {app!r}")
        self.app = app
        # config, data, runtime, settings, workspaces: removed again by stop()
        self._tmp = Path(tempfile.mkdtemp(prefix=f"kv-jupyter-{app}-"))
        self._own_root = root_dir is None  # then stop() removes it too
        if root_dir is None:
            root_dir = tempfile.mkdtemp(prefix=f"kv-jupyter-{app}-root-")
        self.root_dir = Path(root_dir).resolve()
        self.root_dir.mkdir(parents=True, exist_ok=True)
        self.settings = {k: dict(v) for k, v in DEFAULT_SETTINGS.items()}
        for plugin, values in (settings or {}).items():
            self.settings.setdefault(plugin, {}).update(values)
        self.extra_args = list(extra_args)
        # labextensions this server's pages do not load (its labconfig/page_config)
        self.disabled_extensions = list(disabled_extensions)
        self.python = python
        self.log_dir = Path(log_dir)
        self.token = secrets.token_hex(24)
        self.port: int | None = None
        self.log_path: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.leaked_pids: list[int] = []  # descendants that outlived /api/shutdown

    # ---- addresses
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def notebook_url(self, path: str, *, reset: bool = True) -> str:
        """URL that opens ``path`` (relative to root_dir) in this app, token included."""
        quoted = urllib.parse.quote(Path(path).as_posix())
        if self.app == "lab":
            # ?reset: ignore the saved workspace (else earlier tabs reopen, with kernels)
            return f"{self.base_url}/lab/tree/{quoted}?{'reset&' if reset else ''}token={self.token}"
        return f"{self.base_url}/notebooks/{quoted}?token={self.token}"

    # ---- REST
    def api(self, method: str, path: str, body=None, timeout: float = 10):
        req = urllib.request.Request(
            self.base_url + path,
            method=method,
            headers={
                "Authorization": f"token {self.token}",
                "Content-Type": "application/json",
            },
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urlopen(req, timeout=timeout) as r:
            data = r.read()
        return json.loads(data) if data else None

    def kernels(self) -> list[dict]:
        return self.api("GET", "/api/kernels")

    def shutdown_kernels(self) -> None:
        """End every session and kernel but keep the server (between tests of a module)."""
        for s in self.api("GET", "/api/sessions"):
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"/api/sessions/{s['id']}")
        for k in self.kernels():
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("DELETE", f"/api/kernels/{k['id']}")

    # ---- processes
    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.pid).children(recursive=True)
        except (psutil.NoSuchProcess, TypeError):
            return []

    def kernel_pids(self) -> list[int]:
        pids = []
        for p in self.descendants():
            with contextlib.suppress(psutil.Error):
                if any("ipykernel" in a for a in p.cmdline()):
                    pids.append(p.pid)
        return pids

    def listen_addresses(self) -> list[tuple[str, int]]:
        """(ip, port) of every socket the server process listens on."""
        conns = psutil.Process(self.pid).net_connections(kind="inet")
        return sorted(
            {
                (c.laddr.ip, c.laddr.port)
                for c in conns
                if c.status == psutil.CONN_LISTEN
            }
        )

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(no server log)"
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"--- last {len(text)} lines of {self.log_path} ---\n" + "\n".join(text)

    # ---- lifecycle
    def _write_user_settings(self, settings_dir: Path) -> None:
        for plugin_id, values in self.settings.items():
            package, plugin = plugin_id.rsplit(":", 1)
            d = settings_dir / package
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))

    def _write_page_config(self, config_dir: Path) -> None:
        if not self.disabled_extensions:
            return
        d = config_dir / "labconfig"
        d.mkdir(parents=True, exist_ok=True)
        disabled = {name: True for name in self.disabled_extensions}
        (d / "page_config.json").write_text(
            json.dumps({"disabledExtensions": disabled})
        )

    def _command(self, settings_dir: Path, workspaces_dir: Path) -> list[str]:
        cls = "LabApp" if self.app == "lab" else "JupyterNotebookApp"
        module = "jupyterlab" if self.app == "lab" else "notebook"
        return [
            self.python, "-m", module,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.allow_root=True",
            "--ServerApp.terminals_enabled=False",
            f"--{cls}.expose_app_in_browser=True",  # window.jupyterapp
            f"--{cls}.user_settings_dir={settings_dir}",
            f"--{cls}.workspaces_dir={workspaces_dir}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *self.extra_args,
        ]  # fmt: skip

    def start(self, timeout: float = 60) -> JupyterServer:
        settings_dir = self._tmp / "user-settings"
        workspaces_dir = self._tmp / "workspaces"
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(self._tmp / "config"),
            JUPYTER_DATA_DIR=str(self._tmp / "data"),
            JUPYTER_RUNTIME_DIR=str(self._tmp / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
            JUPYTERLAB_WORKSPACES_DIR=str(workspaces_dir),
            IPYTHONDIR=str(self._tmp / "ipython"),
            PYTHONUNBUFFERED="1",
        )
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self._write_user_settings(settings_dir)  # (again: stop() removes _tmp)
            self._write_page_config(self._tmp / "config")
            self.port = free_port()
            self.log_path = self.log_dir / f"jupyter-{self.app}-{self.port}.log"
            with open(self.log_path, "w") as log:
                self.proc = subprocess.Popen(
                    self._command(settings_dir, workspaces_dir),
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=env, cwd=self.root_dir,
                    start_new_session=True,  # own process group: killpg reaches it all
                )  # fmt: skip
            _LIVE.add(self)
            if self._wait_ready(timeout):
                return self
            if "already in use" not in self.log_tail():
                break
            self.stop()
        message = f"jupyter {self.app} did not answer /api/status within {timeout}s"
        if self.proc and self.proc.poll() is not None:
            message = f"jupyter {self.app} exited with code {self.proc.returncode}"
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"{message}\n{tail}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.api("GET", "/api/status", timeout=2)
                return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        return False

    def stop(self) -> list[int]:
        """POST /api/shutdown, then end the process group and any kernel left over.

        Idempotent. Returns (and keeps in ``leaked_pids``) the descendants that were
        still alive after the server's own shutdown and had to be killed here.
        """
        if self.proc is None:
            return self.leaked_pids
        kids = self.descendants()  # kernels run in their own sessions: note them now
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.api("POST", "/api/shutdown", timeout=5)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self.proc.wait(5)
        # only the processes noted above: a group id can be reused once it is empty
        _gone, alive = psutil.wait_procs(kids, timeout=5)
        self.leaked_pids = [p.pid for p in alive]
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.terminate()
        _gone, alive = psutil.wait_procs(alive, timeout=5)
        for p in alive:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(alive, timeout=5)
        self.proc = None
        _LIVE.discard(self)
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self._own_root:
            shutil.rmtree(self.root_dir, ignore_errors=True)
        return self.leaked_pids

    def _signal_group(self, sig: int) -> None:
        # called while the server (the group leader, not yet reaped) is alive
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def __repr__(self) -> str:
        return f"<JupyterServer {self.app} {self.base_url} pid={self.pid}>"


@atexit.register
def _stop_leftovers() -> None:  # e.g. pytest dies between setup and teardown
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


# --------------------------------------------------------------------------- files
def write_notebook(
    path: str | os.PathLike, cells, *, metadata: dict | None = None
) -> Path:
    """Write an nbformat-4 notebook of code cells (str) or ready nbformat cells (dict).

    The ``python3`` kernelspec is in the metadata, so neither app asks for a kernel.
    """
    import nbformat

    v4 = nbformat.v4
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(c) if isinstance(c, str) else nbformat.from_dict(c)
            for c in cells
        ],
        metadata={
            "kernelspec": dict(KERNELSPEC),
            "language_info": {"name": "python"},
            **(metadata or {}),
        },
    )
    nbformat.validate(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of ``page`` as ``test-artifacts/<name>.png`` and return its path.

    ``name`` may hold ``/`` for a subfolder; other odd characters become ``_``.
    """
    parts = [re.sub(r"[^\w.-]+", "_", part).strip("_.") for part in name.split("/")]
    stem = "/".join(p for p in parts if p) or "screenshot"
    path = ARTIFACTS / (stem if stem.endswith(".png") else f"{stem}.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


# --------------------------------------------------------------------------- page
_CURRENT = "window.jupyterapp && window.jupyterapp.shell.currentWidget"

_DOC_OPEN_JS = """(path) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return !!(w && w.context && w.sessionContext && w.content && w.context.path === path);
}"""

_KERNEL_READY_JS = """async () => {
  const w = window.jupyterapp.shell.currentWidget;
  await w.context.ready;
  await w.sessionContext.ready;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!kernel) { return null; }
  await kernel.info;
  return kernel.name;
}"""

_IDLE_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (w && w.content && w.sessionContext) {
    const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
    if (kernel && kernel.status !== 'idle') { return false; }
    return w.content.widgets.every(c => c.model.type !== 'code' ||
      (c.model.executionState !== 'running' &&
       !(c.promptNode && c.promptNode.textContent.includes('*'))));
  }
  // no window.jupyterapp: read the DOM
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => !p.textContent.includes('*'));
}"""


def _require_app(page) -> None:
    if not page.evaluate("() => !!window.jupyterapp"):
        raise RuntimeError(
            "window.jupyterapp is undefined: start the server with "
            "--LabApp.expose_app_in_browser=True (Notebook 7: --JupyterNotebookApp....)"
        )


def open_notebook(
    page, server: JupyterServer, path: str, *, kernel: bool = True, timeout: float = 90
):
    """Open ``path`` (relative to the server's root) and wait for its document model.

    With ``kernel=True`` also wait until its kernel answered ``kernel_info`` and is idle,
    and return the kernel name. With ``kernel=False`` (e.g. after :func:`refuse_kernels`)
    wait until the kernel start was tried, answer the dialogs that leaves
    (:func:`dismiss_kernel_dialogs`) and return None.
    """
    ms = timeout * 1000
    page.goto(server.notebook_url(path), wait_until="domcontentloaded", timeout=ms)
    page.wait_for_function(
        "() => !!(window.jupyterapp && window.jupyterapp.shell)", timeout=ms
    )
    page.wait_for_function(_DOC_OPEN_JS, arg=Path(path).as_posix(), timeout=ms)
    page.evaluate(f"async () => {{ await ({_CURRENT}).context.ready; }}")
    page.locator(".jp-Notebook").first.wait_for(state="visible", timeout=ms)
    if not kernel:
        # ready resolves once the kernel start was tried; a refused one leaves a dialog
        page.evaluate(f"async () => {{ await ({_CURRENT}).sessionContext.ready; }}")
        dismiss_kernel_dialogs(page)
        return None
    name = page.evaluate(_KERNEL_READY_JS)
    wait_for_idle(page, timeout=timeout)
    return name


def dismiss_kernel_dialogs(page, *, timeout: float = 1) -> list[str]:
    """Settle a notebook on "No Kernel": answer the dialogs a missing kernel brings up.

    A refused kernel start shows "Error Starting Kernel" (Ok), then "Select Kernel"
    (No Kernel); a notebook without kernelspec shows only the latter. Waits ``timeout``
    s for the first one. Returns the headers of the dialogs answered; other dialogs
    are left alone.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    answered: list[str] = []
    pending = page.evaluate(f"() => !!({_CURRENT}).sessionContext._dialog")
    wait = 10 if pending else timeout  # _dialog: SessionContext is showing an error
    for _ in range(4):
        try:
            page.wait_for_selector(".jp-Dialog .jp-Dialog-header", timeout=wait * 1000)
        except PlaywrightTimeout:
            break
        dialog = page.locator(".jp-Dialog").last.element_handle()
        header = dialog.query_selector(".jp-Dialog-header").inner_text().strip()
        if header == "Error Starting Kernel":
            dialog.query_selector(".jp-mod-accept").click()
            wait = 5  # "Select Kernel" follows
        elif header.startswith("Select Kernel"):
            page.locator(".jp-Dialog").last.get_by_role(
                "button", name="No Kernel"
            ).click()
        else:
            break
        dialog.wait_for_element_state("hidden")
        answered.append(header)
        if header.startswith("Select Kernel"):
            break
    return answered


def wait_for_idle(page, *, timeout: float = 120) -> None:
    """Wait until the kernel is idle and no code cell is running or queued."""
    page.wait_for_function(_IDLE_JS, timeout=timeout * 1000, polling=100)


def run_all_cells(
    page, app: str = "lab", *, via: str = "command", timeout: float = 120
) -> bool:
    """Run every cell and wait until all replies are in and the kernel is idle.

    ``via="command"`` executes ``notebook:run-all-cells`` in ``window.jupyterapp.commands``
    (same id in JupyterLab 4 and Notebook 7) and returns its result: False when a cell
    raised. ``via="menu"`` clicks Run > Run All Cells like a user (both apps have that
    menu) and returns True.
    """
    ms = timeout * 1000
    if via == "command":
        _require_app(page)
        page.evaluate("""() => {
          window.__kvRunAll = {state: 'pending'};
          window.jupyterapp.commands.execute('notebook:run-all-cells').then(
            r => { window.__kvRunAll = {state: 'done', ok: r !== false}; },
            e => { window.__kvRunAll = {state: 'error', error: String(e)}; });
        }""")
        page.wait_for_function(
            "() => window.__kvRunAll.state !== 'pending'", timeout=ms
        )
        result = page.evaluate("() => window.__kvRunAll")
        if result["state"] == "error":
            raise RuntimeError(
                f"notebook:run-all-cells failed in {app}: {result['error']}"
            )
        wait_for_idle(page, timeout=timeout)
        return result["ok"]
    if via != "menu":
        raise ValueError(f"via must be 'command' or 'menu', not {via!r}")
    # A prompt goes [ ] -> [*] -> [n]; note that one showed '*' so that a notebook
    # which is idle *before* the click does not count as done.
    page.evaluate("""() => {
      window.__kvSawBusy = false;
      const seen = () => [...document.querySelectorAll('.jp-InputPrompt')]
        .some(p => p.textContent.includes('*'));
      window.__kvObserver && window.__kvObserver.disconnect();
      window.__kvObserver = new MutationObserver(() => {
        if (seen()) { window.__kvSawBusy = true; window.__kvObserver.disconnect(); }
      });
      window.__kvObserver.observe(document.body,
        {subtree: true, childList: true, characterData: true});
    }""")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    page.locator(
        ".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")
    ).first.click()
    page.wait_for_function("() => window.__kvSawBusy", timeout=ms)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
              .every(p => /\\[\\d+\\]/.test(p.textContent))""",
        timeout=ms,
    )
    wait_for_idle(page, timeout=timeout)
    return True


def save_notebook(page, *, timeout: float = 30) -> str:
    """Save the current notebook (``docmanager:save``); returns its path once not dirty."""
    _require_app(page)
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"
    )
    page.wait_for_function(
        f"() => !({_CURRENT}).context.model.dirty", timeout=timeout * 1000
    )
    return page.evaluate(f"() => ({_CURRENT}).context.path")


def output_text(page) -> str:
    """The text of every output area of the current notebook, in order."""
    return "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())


_KERNEL_API = re.compile(r"/api/(sessions|kernels)(/[^?]*)?(\?.*)?$")


def refuse_kernels(page, *, methods=("POST", "PATCH")) -> list[str]:
    """Answer 403 to requests of ``page`` that would start or change a kernel.

    POST creates a session/kernel and PATCH may swap one; GETs still pass, so the app
    just sees "no kernel". Call it before :func:`open_notebook` (``kernel=False``).
    Returns the live list of refused ``"METHOD path"`` strings.
    """
    refused: list[str] = []
    methods = {m.upper() for m in methods}

    def handle(route):
        request = route.request
        if request.method in methods:
            refused.append(
                f"{request.method} {urllib.parse.urlsplit(request.url).path}"
            )
            route.fulfill(
                status=403,
                content_type="application/json",
                body=json.dumps(
                    {"message": "kernels refused by the test (refuse_kernels)"}
                ),
            )
        else:
            route.continue_()

    page.route(_KERNEL_API, handle)
    return refused
