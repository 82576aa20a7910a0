"""Execute the tutorial notebooks, in place or as a check of the committed outputs.

    python tools/run_notebooks.py                 # re-execute every notebook in place
    python tools/run_notebooks.py notebooks/01-*.ipynb
    python tools/run_notebooks.py --check         # execute, write nothing, fail when a
                                                  # committed notebook is stale

Each notebook runs top to bottom in a fresh ``python3`` kernel (nbclient), in a
temporary directory (the files a tutorial writes land there). The script prints each
notebook's wall time and the kernel's peak resident memory (VmHWM of the kernel
process, read by one extra cell that is not kept), and exits non-zero when a
cell fails or a notebook is over its budget (2 minutes, 1.5 GB: what mybinder.org
gives).

``--check`` compares what re-execution shows with what the committed notebook holds:
the kerasviz payloads (the ``application/vnd.kerasviz.*`` MIME data, unpacked, with
volatile fields such as uuids taken out), cell by cell, plus any error output in the
committed file. Widget state is not stored: a reopened notebook draws its graphs from
the kerasviz MIME data (the JupyterLab extension), and GitHub shows the text fallback.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
import tempfile
import time
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

MAX_SECONDS = 120.0
MAX_PEAK_BYTES = 1.5 * 1024**3

KERASVIZ_MIME = re.compile(r"^application/vnd\.kerasviz\.")

#: The kernel's peak resident memory in KB: Linux's VmHWM, the high-water mark of
#: the kernel's own memory since its exec. Not ``ru_maxrss``: Linux carries that
#: across fork and exec, so a kernel started by a big process (the test suite,
#: 2 GB by then) reported its parent's figure. ``ru_maxrss`` only where there is
#: no /proc (macOS, whose figure is the process's own, in bytes there).
_PEAK_CELL = """\
import resource as _r, sys as _s
try:
    with open("/proc/self/status") as _f:
        _kb = next(int(_l.split()[1]) for _l in _f if _l.startswith("VmHWM:"))
except (OSError, StopIteration):
    _kb = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss
    _kb = _kb // 1024 if _s.platform == "darwin" else _kb
_s.stdout.write("KERASVIZ_PEAK_KB=%d\\n" % _kb)
"""

#: Keys whose values change from one run to the next (ids made at random, times).
VOLATILE_KEYS = {"uuid", "view_key", "viewKey", "revision", "id_", "model_id", "time"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TMP = re.compile(r"/tmp/[^\s\"']+")
_SITE = re.compile(r"/[^\s\"'()]*/site-packages/")


def notebooks(paths: list[str] | None = None) -> list[pathlib.Path]:
    """The notebooks named, or every ``notebooks/*.ipynb`` in order."""
    if paths:
        return [pathlib.Path(p).resolve() for p in paths]
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: pathlib.Path) -> tuple[Any, float, int]:
    """Run ``path`` in a fresh kernel; return (notebook, seconds, peak bytes).

    The notebook returned holds the new outputs; the measuring cell is removed. Cell
    errors do not stop the run: they stay in the outputs (see :func:`errors`).
    """
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    with tempfile.TemporaryDirectory() as cwd:
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            allow_errors=True,
            record_timing=False,
            store_widget_state=False,
            resources={"metadata": {"path": cwd}},
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    last = nb.cells.pop()
    text = "".join(o.get("text", "") for o in last.outputs)
    match = re.search(r"KERASVIZ_PEAK_KB=(\d+)", text)
    peak = int(match.group(1)) * 1024 if match else -1
    return nb, seconds, peak


def errors(nb: Any) -> list[str]:
    """Every error output of the notebook, as ``cell N: Name: value``."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.output_type == "error":
                found.append(f"cell {i}: {out.ename}: {out.evalue}")
    return found


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _normalise(v) for k, v in sorted(value.items()) if k not in VOLATILE_KEYS
        }
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        # site-packages first: a virtual environment's may itself be under /tmp
        return _TMP.sub("<tmp>", _SITE.sub("<site>/", _UUID.sub("<uuid>", value)))
    return value


def payloads(nb: Any) -> list[list[tuple[str, Any]]]:
    """Per code cell, its kerasviz outputs: (MIME type, normalised payload)."""
    from kerasviz.mimebundle import unpack

    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        found = []
        for out in cell.outputs:
            for mime, data in sorted(out.get("data", {}).items()):
                if KERASVIZ_MIME.match(mime):
                    if isinstance(data, str):
                        data = json.loads(data)
                    found.append((mime, _normalise(unpack(data))))
        cells.append(found)
    return cells


def stale(committed: Any, fresh: Any) -> list[str]:
    """Where the committed kerasviz payloads differ from freshly executed ones."""
    old, new = payloads(committed), payloads(fresh)
    if len(old) != len(new):
        return [f"{len(old)} code cells committed, {len(new)} now"]
    diffs = []
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if [m for m, _ in a] != [m for m, _ in b]:
            diffs.append(
                f"code cell {i}: committed {[m for m, _ in a]}, now {[m for m, _ in b]}"
            )
        elif a != b:
            where = next(
                _first_difference(x[1], y[1])
                for x, y in zip(a, b, strict=True)
                if x != y
            )
            diffs.append(f"code cell {i}: its kerasviz payload changed at {where}")
    return diffs


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    """The path of the first place two normalised payloads differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}/{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}/{i}")
    return path or "/"


def _has_outputs(nb: Any) -> bool:
    return any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: notebooks/*)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail when a committed notebook is stale or holds errors",
    )
    args = parser.parse_args(argv)
    failed = False
    for path in notebooks(args.paths):
        committed = nbformat.read(path, as_version=4)
        nb, seconds, peak = execute(path)
        problems = [f"error output: {e}" for e in errors(nb)]
        if seconds > MAX_SECONDS:
            problems.append(f"took {seconds:.0f} s (budget {MAX_SECONDS:.0f} s)")
        if peak < 0 or peak > MAX_PEAK_BYTES:
            problems.append(f"kernel peak {peak / 2**20:.0f} MB (budget 1536 MB)")
        if args.check:
            problems += [f"committed {e}" for e in errors(committed)]
            if not _has_outputs(committed):
                problems.append("committed without outputs")
            problems += [f"stale: {d}" for d in stale(committed, nb)]
        else:
            nbformat.write(nb, path)
        status = "FAIL" if problems else "ok"
        print(
            f"{path.name}: {seconds:6.1f} s, kernel peak {peak / 2**20:6.0f} MB  {status}",
            flush=True,
        )
        for p in problems:
            print(f"    {p}", flush=True)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
