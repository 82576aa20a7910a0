"""The explorer against plot_model and ipycytoscape, in one run: measured in a browser.

One JupyterLab on 127.0.0.1 (temp dirs, random token) and headless Debian chromium
driven by Playwright. Per model, one notebook and one fresh kernel; the model is built
in a first cell (not timed), then:

kerasviz   ``kerasviz.show(model)`` in a cell of its own, run with the
           ``notebook:run-cell`` command. *painted* = page ``performance.now()`` from
           right before that command (which sends ``execute_request``) until a
           MutationObserver sees ``.kv-root[data-kv-painted="true"]`` in the cell's
           output (the renderer sets it on cytoscape's first ``render`` event, or 3 s
           after making cytoscape: a run flagged ``fallback`` hit that timer).
           The synthetic ladders have no blocks: ``show`` draws them fully expanded.
           ResNet50 / NASNetLarge open with their blocks collapsed; *expand-all* is
           ``kvView.expandAll()`` until cytoscape's next ``render`` event.
click      ``page.mouse.click`` at a leaf node's rendered position, the button held
           100 ms as a hand does; ms from the page's ``mouseup`` event until the
           animation frame after ``.kv-inspector``'s title shows that node's name (the
           DOM change itself is printed too). Median of --clicks nodes (visible
           leaves; when fewer are in view they are clicked in turn), after the last
           kerasviz run. *click0*: the same with Playwright's default 0 ms press, where
           the release waits behind the page's work on the press.
pan        (issue 14) a mouse drag on the canvas for --pan-seconds (button down,
           zigzag moves as fast as Playwright sends them); frames/s = page
           ``requestAnimationFrame`` callbacks meanwhile, and the longest gap between
           two. *renderer*: what drew the view (``data-kv-renderer``: big views of more
           than 2,500 leaves use cytoscape's WebGL renderer with a GPU's WebGL 2, else
           the canvas one, see labextension/src/lod.ts; ``--renderer webgl|canvas``
           forces one via ``window.kvRenderer``). The machine facts name the WebGL 2
           the page has (headless chromium --disable-gpu: SwiftShader, software).
search     --searches layer names spread over the graph, typed into the search box:
           ms from the Enter (``keydown``) to the animation frame after the inspector
           shows the match (the search selects, marks and centres it); *typed*: from
           the last keystroke instead, which includes the box's 200 ms typing pause.
browser    painted minus the kernel's display_data: the page's share of *painted*
           (the rest is ``show`` in the kernel and the trip to the page).
ipycytoscape ``kerasviz.to_ipycytoscape(model)`` the same way; *painted* = until the
           view's cytoscape instance (``.custom-widget`` ``_cyreg.cy``) holds every
           node and edge the kernel gave it (ipycytoscape adds them as their widget
           models arrive and re-runs dagre after each batch) and then fires its next
           ``render`` event (fallback: two frames later). It makes one widget (one
           comm_open plus updates) per node and edge, and messages get lost: Jupyter
           Server's IOPub rate limit (1000 msgs/s) drops them with a notice, ZMQ's
           1000-message high-water mark silently. So a run is also *settled* when the
           kernel is idle (per the server's REST API), the page has handled every
           frame it received and that holds for 5 s with the drawing unchanged:
           painted = its last change, marked ``‡`` with what it drew; "never" if no view appeared.
           ``--ipycytoscape-server unlimited`` runs it on a second server started
           with ``--ZMQChannelsWebsocketConnection.limit_rate=False``.
py s       ``time.perf_counter()`` around ``show`` / ``to_ipycytoscape`` in the kernel
           (includes sending the comm messages to the server, not ``display``).
KB         payload bytes of every kernel-websocket frame the page received from the
           execute request until paint and kernel idle (Playwright ``framereceived``;
           Jupyter Server does not compress them). The kerasviz labextension
           carries the renderer, so kerasviz's are its payload and messages.
second     (issue 14) KB on the wire for a second Explorer of a 100-layer model in
           the same notebook, in JupyterLab: its renderer and payload must not
           travel again (tests/browser/test_wire.py asserts it for Notebook 7 and a
           page without the labextension too).
plot_model ``keras.utils.plot_model(model, "x.png", show_shapes=True)`` timed in the
           same kernel; interrupted (and shown as ``>N``) past --plot-model-timeout.

Run (about 5-8 minutes for all cases on 2 cores)::

    python benchmarks/bench_browser.py [--cases resnet50,nasnetlarge,1000,3000,5000]
        (also 10000, 20000, wide10000, wide20000: _models.wide, stages of 24
        parallel two-Dense branches joined by an Add)
        [--repeat 3] [--peer-repeat 1] [--clicks 5] [--timeout 60]
        [--peer-timeout 120] [--plot-model-timeout 60]
        [--ipycytoscape-server stock|unlimited]

--repeat: kerasviz display runs per model (median); --peer-repeat: the same for
to_ipycytoscape; plot_model runs once.

Issue 14's figures (big graphs: 10,000 and 20,000 layers)::

    python benchmarks/bench_browser.py --cases 5000,10000,wide10000,20000,wide20000 \
        --repeat 1 --clicks 3 --no-ipycytoscape --no-plot-model --timeout 120

Screenshots of NASNetLarge, ladder 5,000 / 10,000 and wide 10,000 go to
test-artifacts/bench-*.png.

Layout: the renderer lays every view out itself (labextension/src/layout.ts; the
table prints its strategy and ms). Python used to send positions for graphs above
500 leaves; ``--layout python|renderer|both`` (commit b39824f) compared the two on
one machine (2 cores shared with other jobs, so the paint times are noisy):
kerasviz.view.layered_positions took 23 ms (NASNetLarge, 1,063 leaves), 114 ms
(ladder 2,000), 195 ms (ladder 5,000) in the kernel and added 43 / 42 / 109 KB to
the payload; layout.ts's layered layout of the same graphs took 6-44, 8-52 and
45-78 ms in V8. Paint times did not favour Python positions (NASNetLarge painted
3.39 s vs 1.89 s, expand-all 1.42 vs 1.41 s; ladder 5,000 11.6 vs 13.7 s, within
the noise of a loaded machine), so they were removed. After the removal, on the
same machine at a lower load: the layout took 21 ms (NASNetLarge expanded), 29 ms
(ladder 2,000), 36 ms (ladder 5,000) of paints of 0.97 s (expand-all), 2.83 s and
5.31 s; with Python positions, earlier that evening, the ladders painted in 4.23 s
and 5.28 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

from _browser import (  # noqa: E402
    EXPAND_ALL_JS,
    PRESS_MS,
    RENDERER_JS,
    SEARCH_NAMES_JS,
    VIEW_FACTS_JS,
    WEBGL_JS,
    WireCounter,
    click_latencies,
    kernel_id,
    pan_fps,
    run_timed_cell,
    search_latencies,
)

from tests.browser._jupyter import (  # noqa: E402
    CHROMIUM_ARGS,
    VIEWPORT,
    JupyterServer,
    open_notebook,
    screenshot,
    write_notebook,
)
from tests.browser.test_explorer import run_new_cell  # noqa: E402
from tests.browser.test_wire import SETUP as SECOND_SETUP  # noqa: E402

TARGETS = {  # from the issues: painted under N s
    "NASNetLarge": 2.0,
    "ladder 1,000": 1.0,
    "ladder 5,000": 6.0,
    "ladder 10,000": 3.0,
    "wide 10,000": 3.0,
    "ladder 20,000": 6.0,
    "wide 20,000": 6.0,
}
CLICK_TARGET_MS = 50.0
#: Frames per second while dragging the canvas, at 10,000 nodes and more (issue 14).
FPS_TARGET = 30.0
#: the synthetic cases of this size and more (wide 10,000 draws 9,997 nodes: its
#: stages do not divide 10,000 evenly, so node counts would leave it out)
FPS_TARGET_FROM_SIZE = 10_000
#: ms from the Enter in the search box to the match shown (issue 14).
SEARCH_TARGET_MS = 100.0
#: Today's figures (main before issue 14's big-graph work, commit 3e8189f; same
#: machine, 2 cores, bench_browser.py --cases 5000,10000 --repeat 1 --clicks 3):
#: painted s, click ms. Printed next to this run's.
BEFORE = {"ladder 5,000": (5.00, 68.0), "ladder 10,000": (9.36, 121.0)}
#: issue 14: the bytes of a second Explorer of a 100-layer model in one notebook
SECOND_LABEL = "second Explorer"
SECOND_TARGET_KB = 50.0
#: before the loader (79519d0) every Explorer sent its renderer, 567 KB, and its
#: payload twice (as a trait and in the display bundle)
SECOND_BEFORE = "before: the 567 KB renderer and the payload twice, each time"
SCREENSHOT_CASES = {"NASNetLarge", "ladder 5,000", "ladder 10,000", "wide 10,000"}
#: Other processes may share the cores: the load average is printed with the facts.
LOAD_AT_START = [float("nan")] * 3


class Overtime(BaseException):
    """--max-runtime passed (a BaseException: the per-case handlers let it through)."""


SETUP = """import os, sys, time, json
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.setrecursionlimit(100000)  # Keras builds (and plot_model walks) graphs recursively
sys.path.insert(0, {bench!r})
import keras, kerasviz, kerasviz.widgets, kerasviz.view, kerasviz.interop, ipycytoscape
from IPython.display import display
from _models import application, ladder, wide
_t = time.perf_counter()
model = {expr}
print("KVBENCH " + json.dumps({{"build": time.perf_counter() - _t,
                               "ops": len(model.operations)}}))"""

KV_CELL = """_t = time.perf_counter()
_w = kerasviz.show(model)
_py = time.perf_counter() - _t
display(_w)
print("KVBENCH " + json.dumps({"py": _py, "nodes": len(_w.node_ids)}))"""

CY_CELL = """_t = time.perf_counter()
_c = kerasviz.to_ipycytoscape(model)
_py = time.perf_counter() - _t
display(_c)
print("KVBENCH " + json.dumps({"py": _py, "nodes": len(_c.graph.nodes),
                               "edges": len(_c.graph.edges)}))"""

PLOT_CELL = """import shutil, tempfile
_d = tempfile.mkdtemp()
try:
    _t = time.perf_counter()
    keras.utils.plot_model(model, os.path.join(_d, "x.png"), show_shapes=True)
    _plot = time.perf_counter() - _t
    _kb = os.path.getsize(os.path.join(_d, "x.png")) / 1024
finally:
    shutil.rmtree(_d, ignore_errors=True)
print("KVBENCH " + json.dumps({"plot": _plot, "png_kb": _kb}))"""

CELL_SETUP, CELL_KV, CELL_CY, CELL_PLOT = range(4)


def case_size(label: str) -> int:
    """The size asked for a synthetic case ('wide 10,000' -> 10000); 0 otherwise."""
    kind, _, size = label.partition(" ")
    size = size.replace(",", "")
    return int(size) if kind in ("ladder", "wide") and size.isdigit() else 0


def parse_cases(text: str) -> list[tuple[str, str, str]]:
    """'resnet50,nasnetlarge,1000' -> [(label, slug, python expression)]."""
    apps = {"resnet50": "ResNet50", "nasnetlarge": "NASNetLarge"}
    cases = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        key = item.lower().replace("ladder", "").replace("_", "").replace(",", "")
        if key in apps:
            name = apps[key]
            cases.append((name, name.lower(), f"application({name!r})"))
        elif key.isdigit():
            n = int(key)
            cases.append((f"ladder {n:,}", f"ladder-{n}", f"ladder({n})"))
        elif key.startswith("wide") and key[4:].isdigit():
            n = int(key[4:])
            cases.append((f"wide {n:,}", f"wide-{n}", f"wide({n})"))
        else:
            # any other keras.applications name
            cases.append((item, item.lower(), f"application({item!r})"))
    return cases


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, spec=".2f", none="—"):
    return none if v is None else format(v, spec)


def interrupt(server, page, why: str) -> None:
    """Interrupt the notebook's kernel (and its children, e.g. dot); wait until the
    server says it is idle (the page's status can lag behind)."""
    try:
        kid = kernel_id(page)
        server.api("POST", f"/api/kernels/{kid}/interrupt")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if server.api("GET", f"/api/kernels/{kid}")["execution_state"] == "idle":
                print(f"    (interrupted the kernel: {why})", flush=True)
                return
            time.sleep(0.5)
        print(f"    (kernel still busy 30 s after interrupting it: {why})", flush=True)
    except Exception as e:  # the kernel may be gone
        print(f"    (interrupting the kernel failed: {type(e).__name__}: {e})")


def machine_facts(browser) -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    def v(dist):
        try:
            return version(dist)
        except PackageNotFoundError:
            return "?"

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except Exception:
        ram = "?"
    return [
        f"python {platform.python_version()} ({sys.executable}); {platform.platform()}",
        f"cpu {cpu} x{os.cpu_count()}, RAM {ram}; load average at start "
        f"{LOAD_AT_START[0]:.2f} (1 min), now {os.getloadavg()[0]:.2f}",
        f"keras {v('keras')}, tensorflow {v('tensorflow-cpu') if v('tensorflow-cpu') != '?' else v('tensorflow')}, "
        f"kerasviz {v('kerasviz')}, ipycytoscape {v('ipycytoscape')}, "
        f"ipywidgets {v('ipywidgets')}, anywidget {v('anywidget')}, pydot {v('pydot')}",
        f"jupyterlab {v('jupyterlab')}, jupyter_server {v('jupyter_server')}; "
        f"chromium {browser.version} (headless, Playwright {v('playwright')})",
    ]


def open_case(page, server, wire, case, note) -> dict | None:
    """Write the case's notebook on ``server``, open it and build the model."""
    label, slug, expr = case
    nb = f"bench-{slug}.ipynb"
    write_notebook(
        server.root_dir / nb,
        [
            SETUP.format(bench=str(BENCH), expr=expr),
            KV_CELL,
            CY_CELL,
            PLOT_CELL,
        ],
    )
    t = time.monotonic()
    open_notebook(page, server, nb, timeout=120)
    setup = run_timed_cell(page, wire, CELL_SETUP, "none", timeout=600)
    if not setup.ok:
        note(f"model build failed: {setup.why}")
        return None
    print(
        f"  {label}: kernel up + {setup.kernel.get('ops')} ops built in "
        f"{setup.kernel.get('build', 0):.1f} s ({time.monotonic() - t:.0f} s with "
        f"page load){' [' + server.name + ' server]' if server.name != 'stock' else ''}",
        flush=True,
    )
    return setup.kernel


def measure_kerasviz(page, server, wire, case, args, res, note) -> None:
    label, slug, _ = case
    runs = []
    for i in range(args.repeat):
        run = run_timed_cell(page, wire, CELL_KV, "kv", timeout=args.timeout)
        runs.append(run)
        extra = " (painted by the 3 s fallback timer: no draw)" if run.fallback else ""
        print(
            f"    kerasviz run {i + 1}: painted {fmt(run.painted_ms, '.0f')} ms "
            f"(kernel display_data at {fmt(run.display_ms, '.0f')} ms, view in DOM at "
            f"{fmt(run.root_ms, '.0f')} ms; cytoscape's first draw took "
            f"{fmt(run.draw_ms, '.0f')} ms), "
            f"{run.wire_bytes / 1024:.0f} KB in {run.wire_frames} frames, "
            f"py {fmt(run.kernel.get('py'), '.3f')} s{extra}"
            + ("" if run.ok else f" -- {run.why}"),
            flush=True,
        )
        if not run.ok:
            break
    res["kv_runs"] = runs
    good = [r for r in runs if r.ok]
    if not good:
        note(f"kerasviz: {runs[-1].why}")
        if runs[-1].why.startswith("timeout"):
            interrupt(server, page, "kerasviz cell")
        return
    res["kv_painted"] = median([r.painted_ms / 1000 for r in good])
    res["kv_browser"] = median(
        [(r.painted_ms - r.display_ms) / 1000 for r in good if r.display_ms is not None]
    )
    res["kv_py"] = median([r.kernel.get("py") for r in good])
    res["kv_kb"] = median([r.wire_bytes / 1024 for r in good])
    res["kv_fallback"] = any(r.fallback for r in good)
    facts = page.evaluate(VIEW_FACTS_JS)
    res["kv_nodes"] = facts and facts["nodes"]
    res["kv_held"] = facts and facts["heldNodes"]
    for key, press in (("click", PRESS_MS), ("click0", 0)):
        lat, problems = click_latencies(page, args.clicks, press)
        for p in problems:
            note(f"{key}: {p}")
        res[f"{key}s"] = lat
        res[f"{key}_ms"] = median([f for f, _ in lat])
        print(
            f"    clicks, {press:g} ms press (ms from mouseup: next frame after the "
            "inspector shows the name / the DOM change): "
            f"{', '.join(f'{f:.0f}/{d:.0f}' for f, d in lat) or 'none'}",
            flush=True,
        )
    res["renderer"] = page.evaluate(RENDERER_JS)
    pan = pan_fps(page, args.pan_seconds)
    res["fps"], res["longest_frame"] = pan["fps"], pan["longest"]
    print(
        f"    pan ({res['renderer']}): {pan['fps']:.0f} frames/s over a "
        f"{pan['ms'] / 1000:.1f} s mouse drag ({pan['moves']} moves), longest frame "
        f"{pan['longest']:.0f} ms",
        flush=True,
    )
    names = page.evaluate(SEARCH_NAMES_JS, args.searches)
    for key, enter in (("search", True), ("search_typed", False)):
        lat, problems = search_latencies(page, names, enter)
        for p in problems:
            note(f"{key}: {p}")
        res[f"{key}_ms"] = median(lat)
        print(
            f"    search {'(Enter)' if enter else '(typed, 200 ms typing pause)'} for "
            f"{', '.join(names)}: {', '.join(f'{v:.0f}' for v in lat) or 'none'} ms",
            flush=True,
        )
    res["kv_strategy"] = facts and facts["strategy"]
    res["kv_layout_ms"] = facts and facts["layoutMs"]
    print(f"    view {facts}", flush=True)
    if label in SCREENSHOT_CASES:
        page.locator(".kv-root").first.scroll_into_view_if_needed()
        path = screenshot(page, f"bench-{slug}")
        print(f"    screenshot {path}", flush=True)
    ex = page.evaluate(EXPAND_ALL_JS)
    if ex:
        res["expand_all"] = ex["render"] and ex["render"] / 1000
        res["expanded_nodes"] = ex["nodes"]
        res["expanded_strategy"] = ex.get("strategy")
        res["expanded_layout_ms"] = ex.get("layoutMs")
        print(
            f"    expand-all: {ex['nodes']} nodes, expandAll() returned after "
            f"{ex['sync']:.0f} ms, rendered at {fmt(ex['render'], '.0f')} ms",
            flush=True,
        )


def measure_plot_model(page, server, wire, args, res, note) -> None:
    run = run_timed_cell(page, wire, CELL_PLOT, "none", timeout=args.plot_model_timeout)
    if run.ok and "plot" in run.kernel:
        res["plot"] = run.kernel["plot"]
        print(
            f"    plot_model: {res['plot']:.1f} s ({run.kernel['png_kb']:.0f} KB PNG)",
            flush=True,
        )
    elif run.why.startswith("timeout"):
        res["plot_over"] = args.plot_model_timeout
        note(
            f"plot_model: over {args.plot_model_timeout:.0f} s, interrupted "
            "(raise --plot-model-timeout to wait for it)"
        )
        interrupt(server, page, "plot_model")
    else:
        note(f"plot_model: {run.why}")


def kernel_idle_probe(server, page):
    """A callable: is the notebook's kernel idle, as the server sees it?"""
    kid = kernel_id(page)

    def idle() -> bool:
        try:
            return server.api("GET", f"/api/kernels/{kid}")["execution_state"] == "idle"
        except Exception:
            return False

    return idle


def measure_ipycytoscape(page, server, wire, case, args, res, note) -> None:
    """``--peer-repeat`` runs of the to_ipycytoscape cell on ``server``."""
    label, slug, _ = case
    runs = []
    idle = kernel_idle_probe(server, page)
    for i in range(args.peer_repeat):
        run = run_timed_cell(
            page, wire, CELL_CY, "cy", timeout=args.peer_timeout, kernel_idle=idle
        )
        runs.append(run)
        flags = []
        if run.rate_limited_ms is not None:
            flags.append(
                f"server began dropping iopub messages (rate limit) at "
                f"{run.rate_limited_ms:.0f} ms"
            )
        if run.partial:
            exp_n, exp_e = run.kernel.get("nodes", "?"), run.kernel.get("edges", "?")
            got = run.cy_count or (0, 0)
            flags.append(
                f"never complete: drew {got[0]}/{exp_n} nodes, {got[1]}/{exp_e} edges; "
                "painted = its last change"
            )
        print(
            f"    ipycytoscape run {i + 1} [{server.name} server]: painted "
            f"{fmt(run.painted_ms, '.0f')} ms (display_data at "
            f"{fmt(run.display_ms, '.0f')} ms, first nodes at "
            f"{fmt(run.root_ms, '.0f')} ms, idle at {fmt(run.idle_ms, '.0f')} ms), "
            f"{run.wire_bytes / 1024:.0f} KB in {run.wire_frames} frames, "
            f"{run.comm_opens} comm_open, py {fmt(run.kernel.get('py'), '.3f')} s"
            + "".join(f"; {f}" for f in flags)
            + ("" if run.ok else f" -- {run.why}"),
            flush=True,
        )
        if not run.ok:
            break
    res["cy_server"] = server.name
    last = runs[-1]
    res["cy_comms"] = last.comm_opens
    if last.rate_limited_ms is not None:
        res["cy_dropped"] = last.rate_limited_ms / 1000
    good = [r for r in runs if r.ok]
    if good and len(good) == len(runs):
        res["cy_painted"] = median([r.painted_ms / 1000 for r in good])
        res["cy_py"] = median([r.kernel.get("py") for r in good])
        res["cy_kb"] = median([r.wire_bytes / 1024 for r in good])
        if any(r.partial for r in good):
            got = last.cy_count or (0, 0)
            res["cy_partial"] = (
                f"{got[0]}/{last.kernel.get('nodes')} nodes, "
                f"{got[1]}/{last.kernel.get('edges')} edges"
            )
            note(
                f"ipycytoscape [{server.name} server]: never complete, drew "
                f"{res['cy_partial']} (messages lost)"
            )
        if label in SCREENSHOT_CASES:
            page.locator(".custom-widget").first.scroll_into_view_if_needed()
            path = screenshot(page, f"bench-{slug}-ipycytoscape")
            print(f"    screenshot {path}", flush=True)
    else:
        res["cy_failed"] = True
        res["cy_kb"] = last.wire_bytes / 1024
        note(
            f"ipycytoscape [{server.name} server]: {last.why} ({last.comm_opens} "
            f"comm_open and {last.wire_bytes / 1024:.0f} KB received)"
        )
        if last.why.startswith("timeout"):
            interrupt(server, page, "ipycytoscape cell")


def run_case(page, servers, wire, case, args) -> dict:
    label = case[0]
    res = {"label": label, "notes": []}
    note = res["notes"].append
    stock = servers["stock"]
    kernel = open_case(page, stock, wire, case, note)
    if kernel is None:
        return res
    res["ops"], res["build"] = kernel.get("ops"), kernel.get("build")
    measure_kerasviz(page, stock, wire, case, args, res, note)
    if args.no_plot_model:
        note("plot_model: skipped (--no-plot-model)")
    else:
        measure_plot_model(page, stock, wire, args, res, note)
    if args.no_ipycytoscape:
        note("ipycytoscape: skipped (--no-ipycytoscape)")
    elif res["ops"] > args.skip_ipycytoscape_above:
        note(
            f"ipycytoscape: skipped, {res['ops']} ops > --skip-ipycytoscape-above "
            f"{args.skip_ipycytoscape_above}"
        )
    elif args.ipycytoscape_server == "stock":
        measure_ipycytoscape(page, stock, wire, case, args, res, note)
    else:
        stock.shutdown_kernels()
        free = servers["unlimited"]()
        if open_case(page, free, wire, case, note) is not None:
            measure_ipycytoscape(page, free, wire, case, args, res, note)
        free.shutdown_kernels()
    stock.shutdown_kernels()
    return res


PAINTED_COUNT_JS = """(n) => document.querySelectorAll(
  '.kv-root[data-kv-painted="true"]').length === n"""


def measure_second(page, server, wire) -> dict:
    """KB the page receives for a second Explorer of a 100-layer model."""
    res = {"label": SECOND_LABEL, "notes": []}
    try:
        write_notebook(server.root_dir / "bench-second.ipynb", ["# a second Explorer"])
        open_notebook(page, server, "bench-second.ipynb", timeout=120)
        for i, name in enumerate(("first", "second")):
            if i == 1:
                page.wait_for_timeout(1000)  # the first one's last messages
                wire.reset()
            setup = SECOND_SETUP if i == 0 else ""
            run_new_cell(page, f"{setup}kerasviz.show(chain({name!r}))")
            page.wait_for_function(PAINTED_COUNT_JS, arg=i + 1, timeout=120_000)
        page.wait_for_timeout(1000)
        res["second_kb"] = wire.bytes / 1000
        print(
            f"  {SECOND_LABEL}: {res['second_kb']:.1f} KB in {wire.frames} frames",
            flush=True,
        )
    except Exception as e:  # report it, go on with the cases
        res["notes"].append(f"failed: {type(e).__name__}: {str(e)[:300]}")
        print(f"  {SECOND_LABEL}: FAILED {type(e).__name__}: {e}", flush=True)
    server.shutdown_kernels()
    return res


def print_table(results, facts, t_total, page_errors) -> None:
    second = next((x for x in results if x["label"] == SECOND_LABEL), None)
    results = [x for x in results if x is not second]
    print()
    print("=" * 140)
    print(
        "kerasviz in the browser vs keras.utils.plot_model and kerasviz.to_ipycytoscape"
        " (s = seconds, KB = kernel-websocket bytes the page received)"
    )
    print(
        "painted = page performance.now() from the run-cell command (execute_request) "
        "to the first cytoscape render of the widget; click = median ms mouseup -> "
        "frame after the inspector shows the node (100 ms press; click0: 0 ms press)"
    )
    head = (
        f"{'model':<14}{'ops':>6}{'nodes':>6} |{'py s':>7}{'KB':>7}{'painted':>8}"
        f"{'expand':>7}{'click':>6}{'click0':>7} |{'py s':>7}{'KB':>8}{'comms':>7}{'painted':>9}"
        f"{'msgs lost':>12} |{'plot_model':>11} |{'ipycy/kv':>9}{'plot/kv':>8}{'KB':>6}"
    )
    print(
        f"{'':<26} |{'kerasviz.show (Explorer)':^42} |"
        f"{'kerasviz.to_ipycytoscape':^43} |{'PNG':^11} |{'ratios vs kerasviz':^23}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        kv, cy, plot = r.get("kv_painted"), r.get("cy_painted"), r.get("plot")
        if cy is not None:
            cy_s = f"{cy:.2f}" + ("‡" if r.get("cy_partial") else "")
        elif r.get("cy_failed"):
            cy_s = "never"
        else:
            cy_s = "skip"
        if r.get("cy_dropped") is not None:
            lost = f"rate@{r['cy_dropped']:.1f}s"
        elif r.get("cy_partial") or r.get("cy_failed"):
            lost = "yes"
        else:
            lost = "no" if "cy_comms" in r else "—"
        if plot is not None:
            plot_s = f"{plot:.2f}"
        else:
            plot_s = f">{r['plot_over']:.0f}" if r.get("plot_over") else "skip"
        if kv and cy:
            ratio_cy = f"{cy / kv:.1f}x"
        else:
            ratio_cy = "∞" if kv and r.get("cy_failed") else "—"
        if kv and plot:
            ratio_plot = f"{plot / kv:.1f}x"
        else:
            ratio_plot = (
                f">{r['plot_over'] / kv:.0f}x" if kv and r.get("plot_over") else "—"
            )
        ratio_kb = (
            f"{r['cy_kb'] / r['kv_kb']:.1f}x"
            if r.get("cy_kb") and r.get("kv_kb")
            else "—"
        )
        kv_s = fmt(kv) + ("*" if r.get("kv_fallback") else "")
        print(
            f"{r['label']:<14}{fmt(r.get('ops'), 'd'):>6}{fmt(r.get('kv_nodes'), 'd'):>6} |"
            f"{fmt(r.get('kv_py'), '.3f'):>7}{fmt(r.get('kv_kb'), '.0f'):>7}{kv_s:>8}"
            f"{fmt(r.get('expand_all')):>7}{fmt(r.get('click_ms'), '.0f'):>6}"
            f"{fmt(r.get('click0_ms'), '.0f'):>7} |"
            f"{fmt(r.get('cy_py'), '.2f'):>7}{fmt(r.get('cy_kb'), '.0f'):>8}"
            f"{fmt(r.get('cy_comms'), 'd'):>7}{cy_s:>9}{lost:>12} |"
            f"{plot_s:>11} |{ratio_cy:>9}{ratio_plot:>8}{ratio_kb:>6}"
        )
    print("-" * len(head))
    print(
        "layout (labextension/src/layout.ts, the one layout): strategy and ms the "
        "renderer's layout took, at first paint / after expand-all"
    )
    for r in results:
        if "kv_strategy" in r:
            print(
                f"  {r['label']:<14}{r['kv_strategy'] or '-':>8} "
                f"{fmt(r.get('kv_layout_ms'), '.0f'):>5} ms / "
                f"{r.get('expanded_strategy') or '-':>8} "
                f"{fmt(r.get('expanded_layout_ms'), '.0f'):>5} ms"
            )
    print_big_table(results)
    print(
        "nodes: drawn at first paint (ResNet50/NASNetLarge open with blocks collapsed); "
        "expand: kvView.expandAll() to the next render, s"
    )
    print(
        "kerasviz KB: its payload and messages (the labextension carries the "
        "renderer); comms: comm_open messages (one widget per node and edge)"
    )
    print(
        "ipycytoscape makes one widget per node and edge. msgs lost: rate@t = Jupyter "
        "Server's IOPub rate limit (1000 msgs/s) began dropping its messages t s after "
        "execute; yes = the widget never got all its elements (also ZMQ's 1000-message "
        "IOPub high-water mark drops silently); ‡ = never complete: painted = time of "
        "its last change, see the notes; never = no view appeared; * = kerasviz painted "
        "by its 3 s fallback"
    )
    for r in results:
        for n in r["notes"]:
            print(f"  {r['label']}: {n}")
    print()
    print("targets (from the issue):")
    for label, limit in TARGETS.items():
        r = next((x for x in results if x["label"] == label), None)
        if r is None:
            continue
        v = r.get("kv_painted")
        ok = v is not None and v < limit and not r.get("kv_fallback")
        print(
            f"  {label:<14} painted < {limit:g} s: {'ok  ' if ok else 'MISS'} ({fmt(v)} s)"
        )
    for r in results:
        if "clicks" in r:
            c = r.get("click_ms")
            ok = c is not None and c < CLICK_TARGET_MS
            print(
                f"  {r['label']:<14} click < {CLICK_TARGET_MS:g} ms: "
                f"{'ok  ' if ok else 'MISS'} ({fmt(c, '.0f')} ms; "
                f"0 ms press: {fmt(r.get('click0_ms'), '.0f')} ms)"
            )
    for r in results:
        if case_size(r["label"]) >= FPS_TARGET_FROM_SIZE and "fps" in r:
            ok = r["fps"] >= FPS_TARGET
            print(
                f"  {r['label']:<14} pan >= {FPS_TARGET:g} frames/s: "
                f"{'ok  ' if ok else 'MISS'} ({r['fps']:.0f}, {r.get('renderer')})"
            )
    for r in results:
        if r.get("search_ms") is not None:
            ok = r["search_ms"] <= SEARCH_TARGET_MS
            print(
                f"  {r['label']:<14} search <= {SEARCH_TARGET_MS:g} ms: "
                f"{'ok  ' if ok else 'MISS'} ({r['search_ms']:.0f} ms from Enter; "
                f"{fmt(r.get('search_typed_ms'), '.0f')} ms from the last keystroke, "
                "of which 200 are the search box's typing pause)"
            )
    if second is not None:
        for n in second["notes"]:
            print(f"  {SECOND_LABEL}: {n}")
        kb = second.get("second_kb")
        ok = kb is not None and kb <= SECOND_TARGET_KB
        print(
            f"  a second Explorer (100 layers) <= {SECOND_TARGET_KB:g} KB on the wire: "
            f"{'ok  ' if ok else 'MISS'} ({fmt(kb, '.1f')} KB; {SECOND_BEFORE})"
        )
    failed = [r["label"] for r in results if "kv_painted" not in r]
    print(
        "  kerasviz painted every model: "
        + ("ok" if not failed else "MISS " + ", ".join(failed))
    )
    print(
        f"  uncaught page errors: {len(page_errors)}"
        + "".join(f"\n    {e[:200]}" for e in page_errors[:5])
    )
    print()
    for line in facts:
        print(line)
    print(f"total {t_total:.0f} s")


def print_big_table(results) -> None:
    """Issue 14's figures: each case next to today's (BEFORE), where measured."""
    print()
    print(
        "big graphs (issue 14): painted s (today -> now; browser = painted - the "
        "kernel's display_data, py = kerasviz.show in the kernel), click ms (today -> "
        "now), held = nodes inside cytoscape at the first view (a big view holds those "
        "near the viewport), pan = frames/s during a 2 s mouse drag (longest frame ms), search = ms "
        "from Enter / from the last keystroke to the match in the inspector"
    )
    head = (
        f"{'model':<14}{'nodes':>7}{'held':>6}{'renderer':>9} |{'painted':>14}{'browser':>8}"
        f"{'py s':>6} |{'click':>11} |{'pan fps':>8}{'longest':>8} |{'search':>7}"
        f"{'typed':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if "kv_painted" not in r:
            continue
        before = BEFORE.get(r["label"])
        painted = (f"{before[0]:.2f} -> " if before else "") + fmt(r.get("kv_painted"))
        click = (f"{before[1]:.0f} -> " if before else "") + fmt(
            r.get("click_ms"), ".0f"
        )
        print(
            f"{r['label']:<14}{fmt(r.get('kv_nodes'), 'd'):>7}"
            f"{fmt(r.get('kv_held'), 'd'):>6}"
            f"{r.get('renderer') or '-':>9} |{painted:>14}"
            f"{fmt(r.get('kv_browser')):>8}{fmt(r.get('kv_py'), '.1f'):>6} |"
            f"{click:>11} |{fmt(r.get('fps'), '.0f'):>8}"
            f"{fmt(r.get('longest_frame'), '.0f'):>8} |"
            f"{fmt(r.get('search_ms'), '.0f'):>7}{fmt(r.get('search_typed_ms'), '.0f'):>6}"
        )
    print("-" * len(head))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="resnet50,nasnetlarge,1000,3000,5000",
                        help="comma list: resnet50, nasnetlarge, other keras.applications "
                             "names, or ladder sizes (1000, 5000)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3,
                        help="kerasviz display runs per case (median shown)")  # fmt: skip
    parser.add_argument("--peer-repeat", type=int, default=1,
                        help="to_ipycytoscape display runs per case (median shown; "
                             "slow: one widget per node and edge)")  # fmt: skip
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--searches", type=int, default=3,
                        help="layer names looked up in the search box")  # fmt: skip
    parser.add_argument("--pan-seconds", type=float, default=2.0)
    parser.add_argument("--renderer", choices=["auto", "webgl", "canvas"],
                        default="auto",
                        help="big views: auto (WebGL with a GPU, else canvas), or "
                             "force one (window.kvRenderer)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=60,
                        help="s to wait for a widget to paint")  # fmt: skip
    parser.add_argument("--plot-model-timeout", type=float, default=60)
    parser.add_argument("--skip-ipycytoscape-above", type=int, default=10**9,
                        help="skip ipycytoscape for models with more ops")  # fmt: skip
    parser.add_argument("--no-ipycytoscape", action="store_true")
    parser.add_argument(
        "--ipycytoscape-server", choices=["stock", "unlimited"], default="stock",
        help="stock: ipycytoscape on the default Jupyter Server (IOPub rate limit "
        "1000 msgs/s, as users have it); unlimited: on a second server started with "
        "--ZMQChannelsWebsocketConnection.limit_rate=False",
    )  # fmt: skip
    parser.add_argument("--peer-timeout", type=float, default=120,
                        help="s to wait for ipycytoscape to paint")  # fmt: skip
    parser.add_argument("--no-plot-model", action="store_true")
    parser.add_argument(
        "--no-second",
        action="store_true",
        help="skip the bytes of a second Explorer (issue 14)",
    )
    parser.add_argument("--max-runtime", type=int, default=1800,
                        help="s; past it, stop everything and print what was measured")  # fmt: skip
    parser.add_argument("--chromium",
                        default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # fmt: skip
    args = parser.parse_args()
    cases = parse_cases(args.cases)

    # SIGTERM/SIGHUP -> SystemExit, so the finally blocks stop browser and servers;
    # SIGALRM past --max-runtime likewise (a hung page would otherwise block forever)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))

    def too_long(s, f):
        raise Overtime(f"bench_browser ran past --max-runtime {args.max_runtime} s")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(args.max_runtime)

    t_start = time.monotonic()
    LOAD_AT_START[:] = os.getloadavg()
    results, page_errors = [], []
    settings = {
        # every cell rendered (no virtual scrolling) and no autosave writes
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    }
    stock = JupyterServer("lab", settings=settings, python=sys.executable)
    stock.name = "stock"
    started = [stock]

    def unlimited():
        """A second server without the IOPub rate limit, started when first needed."""
        for s in started:
            if s.name == "unlimited":
                return s
        s = JupyterServer(
            "lab",
            settings=settings,
            python=sys.executable,
            extra_args=["--ZMQChannelsWebsocketConnection.limit_rate=False"],
        )
        s.name = "unlimited"
        started.append(s)
        s.start()
        print(f"  (started a jupyter lab without IOPub rate limit at {s.base_url})")
        return s

    facts = []
    try:
        run_all(args, cases, stock, started, unlimited, results, page_errors, facts)
    except Overtime as e:
        print(f"ABORTED: {e}", flush=True)
    signal.alarm(0)
    print_table(results, facts, time.monotonic() - t_start, page_errors)
    return 0


def run_all(args, cases, stock, started, unlimited, results, page_errors, facts):
    """Start the stock server and the browser, run every case; stop all at the end."""
    from playwright.sync_api import sync_playwright

    try:
        stock.start()
        print(f"jupyter lab at {stock.base_url} (log {stock.log_path})", flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
            )
            try:
                facts[:] = machine_facts(browser)
                probe = browser.new_page()
                gl = probe.evaluate(WEBGL_JS)
                probe.close()
                facts.append(
                    f"WebGL 2: {gl or 'none'}; --renderer {args.renderer} (big views "
                    "use WebGL only with a GPU's: see labextension/src/lod.ts)"
                )
                context = browser.new_context(viewport=VIEWPORT)
                if args.renderer != "auto":
                    context.add_init_script(f"window.kvRenderer = {args.renderer!r};")
                page = context.new_page()
                page.on("pageerror", lambda e: page_errors.append(str(e)))
                wire = WireCounter()
                wire.attach(page)
                servers = {"stock": stock, "unlimited": unlimited}
                if not args.no_second:
                    results.append(measure_second(page, stock, wire))
                for case in cases:
                    try:
                        results.append(run_case(page, servers, wire, case, args))
                    except Exception as e:  # report, go on with the next model
                        print(
                            f"  {case[0]}: FAILED {type(e).__name__}: {e}", flush=True
                        )
                        results.append({
                            "label": case[0],
                            "notes": [f"failed: {type(e).__name__}: {str(e)[:300]}"],
                        })  # fmt: skip
                        for s in started:
                            with contextlib.suppress(Exception):
                                s.shutdown_kernels()
                context.close()
            finally:
                browser.close()
    finally:
        for s in started:
            leaked = s.stop()
            if leaked:
                print(f"(killed {len(leaked)} processes left after {s.name} shutdown)")


if __name__ == "__main__":
    sys.exit(main())
