"""Where the built front end lives, with a clear error when it was never built."""

from __future__ import annotations

import functools
import hashlib
import pathlib

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


def bundle_path(name: str) -> pathlib.Path:
    """Path of a built front-end file (``widget.js``, ``widget.css``)."""
    path = STATIC / name
    if not path.is_file():
        raise FileNotFoundError(
            f"kerasviz's front-end bundle is missing ({path}). This happens in a source "
            "checkout that was never built. Install kerasviz with `pip install .` (it "
            "builds the bundle), or build it by hand: "
            "`cd labextension && npm ci && npm run build`."
        )
    return path


@functools.cache
def runtime_id() -> str:
    """The id of the renderer build in ``static/`` (first 16 hex digits of
    sha256(widget.js + widget.css)), as labextension/scripts/runtime_id.mjs writes
    it into the labextension: a page whose labextension is this build has the
    renderer already, so no widget sends it (labextension/src/runtime.ts)."""
    digest = hashlib.sha256()
    digest.update(bundle_path("widget.js").read_bytes())
    digest.update(bundle_path("widget.css").read_bytes())
    return digest.hexdigest()[:16]
