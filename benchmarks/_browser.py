"""Page-side measurements for ``bench_browser.py`` (Playwright sync API, JupyterLab 4).

Every time here is taken *in the page* with ``performance.now()`` (or an event's
``timeStamp``, which is on the same clock), so Playwright's own round trips are not
in the numbers. See ``bench_browser.py`` for what each measurement means.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field

from playwright.sync_api import TimeoutError as PlaywrightTimeout

MARK = "KVBENCH "  # the kernel prints one JSON object per timed cell after this


# ------------------------------------------------------------------ websocket bytes
@dataclass
class WireCounter:
    """Bytes of the kernel websocket frames the page *received* (Playwright payloads).

    Jupyter Server does not compress its websockets by default, so a frame's payload
    length is what travelled (plus a few bytes of frame header, not counted).
    """

    bytes: int = 0
    frames: int = 0
    sockets: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        if "/api/kernels/" not in ws.url:
            return  # e.g. the server's event or collaboration sockets
        self.sockets.append(ws.url)
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.frames += 1
        self.bytes += len(payload.encode() if isinstance(payload, str) else payload)

    def reset(self) -> None:
        self.bytes = 0
        self.frames = 0


# ------------------------------------------------------------------ notebook cells
_NB = "window.jupyterapp.shell.currentWidget"

CLEAR_OUTPUTS_JS = """async () => {
  await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
  // let the removed output views dispose before the next measurement
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""

#: Start the cell at ``index`` and observe it: ``window.__kvb`` collects timestamps.
#: kind 'kv': the first ``.kv-root`` in the cell's output and its painted attribute.
#: kind 'cy': ipycytoscape's view (``.custom-widget``) whose cytoscape instance
#: (``el._cyreg.cy``, cytoscape's own back-reference) holds nodes; then its first
#: 'render' event (fallback: two animation frames later).
#: kind 'none': only the kernel's messages (e.g. plot_model).
RUN_CELL_JS = rf"""({{index, kind}}) => {{
  const app = window.jupyterapp;
  const panel = {_NB};
  const nb = panel.content;
  const cellNode = nb.widgets[index].node;
  const kernel = panel.sessionContext.session.kernel;
  const st = window.__kvb = {{
    t0: null, root: null, painted: null, frame: null, cyNodes: null, cyRender: null,
    cyCount: null, firstMsg: null, display: null, idle: null, commOpens: 0, iopub: 0,
    done: false, error: null, rateLimited: null, expect: null, lastChange: null, recv: 0
  }};
  const now = () => performance.now();
  const finish = () => {{ st.done = true; mo.disconnect(); }};
  const check = () => {{
    if (st.painted !== null) {{ return; }}
    if (kind === 'kv') {{
      const root = cellNode.querySelector('.kv-root');
      if (root && st.root === null) {{ st.root = now(); }}
      if (root && root.dataset.kvPainted === 'true') {{
        st.painted = now();
        // did cytoscape draw, or did the renderer's 3 s timer set the attribute?
        const cy = root.kvView && root.kvView.cy;
        const r = cy && cy.renderer();
        st.redraws = r ? (r.redrawCount || 0) : null;
        st.drawMs = r && r.redrawCount ? r.lastRedrawTime : null;
        requestAnimationFrame(() => {{ st.frame = now(); finish(); }});
      }}
    }}
  }};
  const mo = new MutationObserver(check);
  mo.observe(cellNode, {{subtree: true, childList: true, attributes: true,
                        attributeFilter: ['data-kv-painted']}});
  if (kind === 'cy') {{
    // ipycytoscape adds elements as their widget models arrive (nodes and edges
    // lists are separate updates) and re-runs dagre after each: wait for all of
    // them (the counts the kernel prints after display()), then cytoscape's render.
    // If messages were lost it never gets there: Python then settles the run.
    const poll = () => {{
      if (st.done) {{ return; }}
      const el = cellNode.querySelector('.custom-widget');
      const cy = el && el._cyreg && el._cyreg.cy;
      if (cy) {{
        const n = cy.nodes().length, e = cy.edges().length;
        if (!st.cyCount || n !== st.cyCount[0] || e !== st.cyCount[1]) {{
          st.cyCount = [n, e]; st.lastChange = now();
        }}
        if (n > 0 && st.root === null) {{ st.root = now(); }}
        const exp = st.expect;
        if (exp && n >= exp.nodes && e >= exp.edges) {{
          st.cyNodes = now();
          cy.one('render', () => {{
            if (st.painted === null) {{ st.cyRender = true; st.painted = now(); }}
          }});
          // fallback: the frame after next (cytoscape draws in its own rAF loop)
          requestAnimationFrame(() => requestAnimationFrame(() => {{
            if (st.painted === null) {{ st.cyRender = false; st.painted = now(); }}
            requestAnimationFrame(() => {{ st.frame = now(); finish(); }});
          }}));
          return;
        }}
      }}
      requestAnimationFrame(poll);
    }};
    requestAnimationFrame(poll);
  }}
  const onIopub = (_, msg) => {{
    const t = now();
    st.iopub += 1;
    if (st.firstMsg === null) {{ st.firstMsg = t; }}
    const type = msg.header.msg_type;
    if (type === 'comm_open') {{ st.commOpens += 1; }}
    if (type === 'stream') {{
      const m = /KVBENCH (\{{.*\}})/.exec(msg.content.text);
      if (m) {{ try {{ st.expect = JSON.parse(m[1]); }} catch (e) {{}} }}
    }}
    if (type === 'display_data' && st.display === null) {{ st.display = t; }}
    if (type === 'error') {{ st.error = msg.content.ename + ': ' + msg.content.evalue; }}
    // Jupyter Server's notice that it drops iopub messages (ServerApp.iopub_*_rate_limit)
    if (type === 'stream' && st.rateLimited === null &&
        /IOPub (message|data) rate exceeded/.test(msg.content.text)) {{ st.rateLimited = t; }}
    if (type === 'status' && msg.content.execution_state === 'idle' &&
        st.msgId !== null && msg.parent_header.msg_id === st.msgId) {{ st.idle = t; }}
  }};
  const onAny = (_, args) => {{
    if (args.direction === 'recv') {{ st.recv += 1; }}
    if (args.direction === 'send' && st.msgId === null &&
        args.msg.header.msg_type === 'execute_request') {{ st.msgId = args.msg.header.msg_id; }}
  }};
  st.msgId = null;
  kernel.iopubMessage.connect(onIopub);
  kernel.anyMessage.connect(onAny);
  st.disconnect = () => {{
    kernel.iopubMessage.disconnect(onIopub); kernel.anyMessage.disconnect(onAny); mo.disconnect();
  }};
  nb.activeCellIndex = index;
  nb.deselectAll();
  st.t0 = now();  // right before the command that sends execute_request
  app.commands.execute('notebook:run-cell').catch(e => {{ st.error = String(e); }});
}}"""

STATE_JS = """() => {
  const st = Object.assign({now: performance.now()}, window.__kvb);
  delete st.disconnect;
  return st;
}"""

STOP_OBSERVING_JS = (
    "() => { window.__kvb && window.__kvb.disconnect && window.__kvb.disconnect(); }"
)


def cell_outputs(page, index: int) -> dict:
    """{'data': [KVBENCH objects], 'error': 'Name: value' or None, 'text': stdout}."""
    outputs = page.evaluate(
        f"(i) => {_NB}.content.widgets[i].model.outputs.toJSON()", index
    )
    data, error, text = [], None, []
    for out in outputs:
        if out.get("output_type") == "stream":
            chunk = out.get("text", "")
            chunk = "".join(chunk) if isinstance(chunk, list) else chunk
            text.append(chunk)
            for line in chunk.splitlines():
                if line.startswith(MARK):
                    data.append(json.loads(line[len(MARK) :]))
        elif out.get("output_type") == "error":
            error = f"{out.get('ename')}: {out.get('evalue')}"
    return {"data": data, "error": error, "text": "".join(text)}


def kernel_id(page) -> str:
    return page.evaluate(f"() => {_NB}.sessionContext.session.kernel.id")


@dataclass
class CellRun:
    """What one timed cell run gave: page timestamps (ms, relative to t0) and bytes."""

    ok: bool
    why: str = ""
    painted_ms: float | None = None  # t0 -> painted
    frame_ms: float | None = None  # t0 -> the animation frame after painted
    root_ms: float | None = None  # t0 -> view element in the DOM / cy filled
    display_ms: float | None = None  # t0 -> display_data message in the page
    idle_ms: float | None = None  # t0 -> kernel idle message in the page
    rate_limited_ms: float | None = None  # t0 -> the server's "IOPub rate exceeded"
    recv: int = 0  # kernel messages the page handled
    cy_count: tuple[int, int] | None = None  # ipycytoscape: (nodes, edges) drawn
    comm_opens: int = 0
    iopub: int = 0
    wire_bytes: int = 0
    wire_frames: int = 0
    kernel: dict = field(default_factory=dict)  # the cell's KVBENCH object
    fallback: bool = False  # painted by a fallback, not the first render event
    draw_ms: float | None = None  # kerasviz: how long cytoscape's first draw took
    partial: bool = False  # ipycytoscape never got all its elements: settled


def run_timed_cell(
    page,
    wire: WireCounter,
    index: int,
    kind: str,
    *,
    timeout: float,
    kernel_idle=None,
    quiet: float = 5.0,
) -> CellRun:
    """Clear all outputs, run cell ``index`` and wait for paint (``kind``) and idle.

    kind 'cy' also needs ``kernel_idle()`` (the server's view of the kernel): when
    the kernel is idle, the page has handled every frame it received, and that stays
    so for ``quiet`` s without the drawing changing, messages were lost and the run is
    settled: painted at its last change (``partial``), or never if no cytoscape view
    appeared.
    """
    from tests.browser._jupyter import wait_for_idle

    page.evaluate(CLEAR_OUTPUTS_JS)
    page.wait_for_timeout(300)  # late frames of earlier cells land before the reset
    wire.reset()
    page.evaluate(RUN_CELL_JS, {"index": index, "kind": kind})
    why = ""
    settled = False
    if kind == "cy":
        deadline = time.monotonic() + timeout
        calm = None  # (monotonic time, drawing) since when all looked finished
        while True:
            page.wait_for_timeout(250)
            st = page.evaluate(STATE_JS)
            if st["done"] or st["error"]:
                break
            finished = (
                kernel_idle is not None and st["recv"] >= wire.frames and kernel_idle()
            )
            if not finished or (calm and calm[1] != st["lastChange"]):
                calm = None
            elif calm is None:
                calm = (time.monotonic(), st["lastChange"])
            elif time.monotonic() - calm[0] > quiet:
                settled = True
                break
            if time.monotonic() > deadline:
                why = f"timeout: not painted after {timeout:.0f} s"
                break
    else:
        done = "window.__kvb.idle !== null" if kind == "none" else "window.__kvb.done"
        try:
            page.wait_for_function(
                f"() => {done} || window.__kvb.error !== null",
                timeout=timeout * 1000,
                polling=100,
            )
        except PlaywrightTimeout:
            what = "idle" if kind == "none" else "painted"
            why = f"timeout: not {what} after {timeout:.0f} s"
    st = page.evaluate(STATE_JS)
    if not why and st.get("error"):
        why = f"error: {st['error']}"
    if settled:
        if st.get("cyCount") and st["cyCount"][0] > 0:
            st["painted"] = st["frame"] = st["lastChange"]
        else:
            why = (
                "never painted: the kernel is done and the page has handled all it "
                "received, but no ipycytoscape view appeared (messages lost)"
            )
    if not why and not settled:
        # (a lost 'idle' status leaves the page showing the kernel busy: go on)
        with contextlib.suppress(PlaywrightTimeout):
            wait_for_idle(page, timeout=min(timeout, 30))
        st = page.evaluate(STATE_JS)
    page.wait_for_timeout(300)  # let Playwright deliver the last frame events
    page.evaluate(STOP_OBSERVING_JS)

    def rel(key):
        v = st.get(key)
        return None if v is None else v - st["t0"]

    run = CellRun(
        ok=not why,
        why=why,
        painted_ms=rel("painted"),
        frame_ms=rel("frame"),
        root_ms=rel("root"),
        display_ms=rel("display"),
        idle_ms=rel("idle"),
        rate_limited_ms=rel("rateLimited"),
        cy_count=tuple(st["cyCount"]) if st.get("cyCount") else None,
        comm_opens=st.get("commOpens", 0),
        recv=st.get("recv", 0),
        iopub=st.get("iopub", 0),
        wire_bytes=wire.bytes,
        wire_frames=wire.frames,
    )
    if run.ok:
        out = cell_outputs(page, index)
        if out["error"]:
            run.ok, run.why = False, f"error: {out['error']}"
        elif out["data"]:
            run.kernel = out["data"][-1]
    if kind == "cy" and st.get("cyRender") is False and not settled:
        run.fallback = True
    if kind == "cy":
        run.partial = settled and run.ok
    if kind == "kv" and run.painted_ms is not None:
        # the renderer also sets painted 3 s after making cytoscape, drawn or not
        run.fallback = not st.get("redraws")
        run.draw_ms = st.get("drawMs")
    return run


# ------------------------------------------------------------------ kerasviz view
VIEW_FACTS_JS = """() => {
  const root = document.querySelector('.kv-root');
  const view = root && root.kvView;
  const counts = view && view.elementCounts;
  if (!counts) { return null; }
  return {
    nodes: counts.nodes,
    edges: counts.edges,
    heldNodes: counts.heldNodes,
    collapsed: view.collapsed.size,
    strategy: view.layoutStrategy,
    layoutMs: view.layoutMs,
  };
}"""

EXPAND_ALL_JS = """async () => {
  const view = document.querySelector('.kv-root').kvView;
  const cy = view.cy;
  if (view.collapsed.size === 0) { return null; }
  const t0 = performance.now();
  const rendered = new Promise(r => cy.one('render', () => r(performance.now())));
  view.expandAll();
  const tSync = performance.now();
  const fallback = new Promise(r => setTimeout(() => r(null), 30000));
  const tRender = await Promise.race([rendered, fallback]);
  return {sync: tSync - t0, render: tRender === null ? null : tRender - t0,
          nodes: view.elementCounts.nodes, strategy: view.layoutStrategy,
          layoutMs: view.layoutMs};
}"""

#: Leaf nodes drawn inside the canvas and the window, big enough to hit: [x, y, name].
CLICK_TARGETS_JS = """(count) => {
  const root = document.querySelector('.kv-root');
  const cy = root.kvView.cy;
  const box = cy.container().getBoundingClientRect();
  const left = Math.max(box.left, 0) + 8, right = Math.min(box.right, innerWidth) - 8;
  const top = Math.max(box.top, 0) + 8, bottom = Math.min(box.bottom, innerHeight) - 8;
  const ok = [];
  cy.nodes().forEach(n => {
    if (n.isParent() || n.hasClass('kv-collapsed') || n.hasClass('kv-selected')) { return; }
    const p = n.renderedPosition();
    const x = box.left + p.x, y = box.top + p.y;
    if (x < left || x > right || y < top || y > bottom) { return; }
    if (n.renderedOuterWidth() < 12 || n.renderedOuterHeight() < 8) { return; }
    ok.push([x, y, String(n.data('name')), n.id()]);
  });
  // spread the picks over what is visible
  const step = Math.max(1, Math.floor(ok.length / count));
  return ok.filter((_, i) => i % step === 0).slice(0, count);
}"""

ARM_CLICK_JS = """(name) => {
  const insp = document.querySelector('.kv-root .kv-inspector');
  const st = window.__kvClick = {up: null, dom: null, frame: null};
  window.addEventListener('mouseup', e => { st.up = e.timeStamp; },
                          {capture: true, once: true});
  const check = () => {
    const title = insp.querySelector('.kv-title');
    if (st.dom === null && title && title.textContent === name) {
      st.dom = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => { st.frame = performance.now(); });
    }
  };
  const mo = new MutationObserver(check);
  mo.observe(insp, {subtree: true, childList: true, characterData: true});
}"""


#: How long a click holds the button: people press for ~60-130 ms. Playwright's
#: default (0 ms) queues the release behind the page's work on the press (cytoscape's
#: hit test and active-state redraw, JupyterLab activating the cell: ~15-20 ms on
#: 5,000 nodes), which a hand never does; that figure is printed too.
PRESS_MS = 100


def _await_marked(page, var: str, problems: list[str], what: str) -> dict | None:
    """The marks of ``window[var]`` once its ``frame`` is set (ARM_CLICK_JS /
    ARM_SEARCH_JS); None, with ``what`` in ``problems``, after 10 s without."""
    try:
        page.wait_for_function(
            f"() => window.{var}.frame !== null", timeout=10_000, polling=50
        )
    except PlaywrightTimeout:
        problems.append(f"{what} in the inspector within 10 s")
        return None
    return page.evaluate(f"() => window.{var}")


def click_latencies(
    page, count: int = 5, press_ms: float = PRESS_MS
) -> tuple[list[tuple[float, float]], list[str]]:
    """Click ``count`` visible nodes, holding the button ``press_ms``.

    Returns ([(frame_ms, dom_ms)], problems): ms from the ``mouseup`` event's timestamp
    to the animation frame after the inspector shows the node's name, and to the DOM
    change itself."""
    page.locator(".kv-root").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    targets = page.evaluate(CLICK_TARGETS_JS, count)
    latencies, problems = [], []
    if len(targets) < 2:
        return latencies, [f"only {len(targets)} clickable leaf node(s) in view"]
    if len(targets) < count:
        problems.append(f"only {len(targets)} leaf nodes in view: clicked them in turn")
    # each click moves the selection to another node
    targets = [targets[i % len(targets)] for i in range(count)]
    for x, y, name, node_id in targets:
        page.evaluate(ARM_CLICK_JS, name)
        page.mouse.click(x, y, delay=press_ms)
        st = _await_marked(
            page, "__kvClick", problems, f"click on {node_id!r} did not show it"
        )
        if st is None:
            continue
        latencies.append((st["frame"] - st["up"], st["dom"] - st["up"]))
        page.wait_for_timeout(150)  # not a double-tap
    return latencies, problems


# ------------------------------------------------------------------ pan and search

FRAMES_START_JS = """() => {
  const st = window.__kvFrames = {n: 0, longest: 0, run: true, t0: performance.now()};
  let last = st.t0;
  const tick = () => {
    const t = performance.now();
    st.longest = Math.max(st.longest, t - last);
    last = t;
    st.n++;
    if (st.run) { requestAnimationFrame(tick); }
  };
  requestAnimationFrame(tick);
}"""

FRAMES_STOP_JS = """() => {
  const st = window.__kvFrames;
  st.run = false;
  const ms = performance.now() - st.t0;
  return {fps: st.n * 1000 / ms, longest: st.longest, ms};
}"""

#: Which renderer drew the view ('webgl' / 'canvas'; set by canvas.ts).
RENDERER_JS = """() => {
  const c = document.querySelector('.kv-root .kv-canvas');
  return c ? (c.dataset.kvRenderer || 'canvas') : null;
}"""

#: What WebGL 2 the page has: the renderer string, or null.
WEBGL_JS = """() => {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) { return null; }
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  const lose = gl.getExtension('WEBGL_lose_context');
  if (lose) { lose.loseContext(); }
  return name;
}"""


def pan_fps(page, seconds: float = 2.0) -> dict:
    """Drag the canvas with the mouse (button down, moves back and forth) for
    ``seconds``; ``{fps, longest, ms, moves}``: requestAnimationFrame callbacks per
    second meanwhile, and the longest gap between two of them (ms)."""
    canvas = page.locator(".kv-root .kv-canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = canvas.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.evaluate(FRAMES_START_JS)
    page.mouse.down()
    moves = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        moves += 1
        # a zigzag within ±120 px: the drawing keeps moving and stays in view
        phase = moves % 40
        d = phase if phase < 20 else 40 - phase
        page.mouse.move(x0 + 6 * d - 60, y0 - 6 * d + 60)
    page.mouse.up()
    out = page.evaluate(FRAMES_STOP_JS)
    out["moves"] = moves
    page.wait_for_timeout(300)
    return out


ARM_SEARCH_JS = """(name) => {
  const root = document.querySelector('.kv-root');
  const insp = root.querySelector('.kv-inspector');
  const st = window.__kvSearch = {typed: null, dom: null, frame: null};
  const check = () => {
    const title = insp.querySelector('.kv-title');
    if (st.dom === null && st.typed !== null && title && title.textContent === name) {
      st.dom = performance.now();
      mo.disconnect();
      requestAnimationFrame(() => { st.frame = performance.now(); });
    }
  };
  const mo = new MutationObserver(check);
  mo.observe(insp, {subtree: true, childList: true, characterData: true});
  const box = root.querySelector('.kv-search');
  box.value = '';
  box.addEventListener('input', e => { st.typed = e.timeStamp; }, {capture: true});
  box.addEventListener('keydown', e => { if (e.key === 'Enter') { st.typed = e.timeStamp; } },
                       {capture: true});
}"""


def search_latencies(
    page, names: list[str], enter: bool
) -> tuple[list[float], list[str]]:
    """Type each name into the search box (``enter``: then press Enter); ms from the
    last keystroke (or the Enter) to the animation frame after the inspector shows
    the match (the search selects and centres it)."""
    box = page.locator(".kv-root .kv-search").first
    out, problems = [], []
    for name in names:
        box.fill("")
        page.wait_for_timeout(300)
        page.evaluate(ARM_SEARCH_JS, name)
        box.focus()
        if enter:
            box.fill(name)
            page.evaluate("() => { window.__kvSearch.typed = null; }")
            box.press("Enter")
        else:
            box.type(name, delay=0)
        st = _await_marked(
            page, "__kvSearch", problems, f"search for {name!r} did not show it"
        )
        if st is None:
            continue
        out.append(st["frame"] - st["typed"])
    box.fill("")
    return out, problems


#: Names of ``count`` layers spread over the graph (in graph order; a big view's
#: cytoscape holds only the elements near the viewport, so from the view graph).
SEARCH_NAMES_JS = """(count) => {
  const leaves = document.querySelector('.kv-root').kvView.graph.graph.nodes;
  const out = [];
  for (let i = 1; i <= count; i++) {
    out.push(String(leaves[Math.floor(i * (leaves.length - 1) / (count + 1))].name));
  }
  return out;
}"""
