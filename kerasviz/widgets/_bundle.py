"""Where the built front end lives, with a clear error when it was never built."""

from __future__ import annotations

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
