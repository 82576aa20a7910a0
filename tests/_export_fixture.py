"""The Python exports' elements next to the renderer's, on real models: a fixture.

:func:`make_export_fixture` builds a few real Keras models, makes their view
payloads and, for several collapsed states, what
:func:`kerasviz.export.cytoscape.cytoscape_elements` (``to_ipycytoscape``, the
Graphviz export) makes of them. ``labextension/src/__tests__/export.test.ts``
checks that the renderer's ``buildElements`` makes the same elements from the same
payloads; ``tests/test_export_elements.py`` that the committed file is what
Python makes now. :func:`write_bundled_stylesheet` writes the renderer's copy of
kerasviz/style.py's stylesheet (for payloads that carry none). Rewrite both with::

    python -m tests._export_fixture
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[1]
#: Where the fixture lives (vitest reads it from there).
EXPORT_FIXTURE = REPO / "labextension/src/__tests__/fixtures/export_elements.json"
#: The renderer's copy of style.py's stylesheet (bundled; see theme.ts).
BUNDLED_STYLESHEET = REPO / "labextension/src/default_stylesheet.json"


def _models() -> list[tuple[str, Any, dict[str, Any]]]:
    """(name, model, view_payload options): a branching Functional with blocks, a
    nested model and a marked layer; Sequentials built and unbuilt."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    layers = keras.layers
    x = keras.Input((8,), name="x")
    y = keras.Input((4,), name="y")
    stem = layers.Dense(16, name="stem")(x)
    h = layers.Dense(16, name="blk1_dense")(stem)
    h = layers.BatchNormalization(name="blk1_bn")(h)
    h = layers.Add(name="blk1_add")([stem, h])
    a = layers.Dense(16, name="blk2_wide")(h)
    b = layers.Dense(4, name="blk2_narrow")(a)
    c = layers.Dense(2, name="blk2_tiny")(b)
    enc_in = keras.Input((16,), name="enc_in")
    e = layers.Dense(8, name="enc_dense")(enc_in)
    enc = keras.Model(enc_in, layers.Dense(8, name="enc_out")(e), name="enc")
    side = enc(h)
    proj = layers.Dense(4, name="proj")(y)
    join = layers.Concatenate(name="join")([a, c, side, proj])
    out = layers.Dense(1, name="out")(join)
    branching = keras.Model([x, y], out, name="branching")

    seq = keras.Sequential(
        [
            keras.Input((32,), name="seq_in"),
            layers.Dense(16, name="seq_dense"),
            layers.Dropout(0.1, name="seq_drop"),
            layers.Dense(1, name="seq_out"),
        ],
        name="seq",
    )
    unbuilt = keras.Sequential(
        [layers.Dense(3, name="p1"), layers.Dense(1, name="p2")], name="unbuilt"
    )
    return [
        ("branching", branching, {"highlight": {"blk2_narrow": "changed: units"}}),
        ("branching-lr-expanded", branching, {"rankdir": "LR", "expand_nested": True}),
        ("sequential", seq, {}),
        ("sequential-no-shapes", seq, {"show_shapes": False}),
        ("unbuilt", unbuilt, {}),
    ]


def make_export_fixture() -> dict[str, Any]:
    """The fixture: per model its payload and, per collapsed state (the payload's
    own, everything open as ``to_ipycytoscape`` draws it, everything closed), the
    elements Python makes."""
    from kerasviz.export.cytoscape import cytoscape_elements
    from kerasviz.view import view_payload

    cases = []
    for name, model, options in _models():
        payload = view_payload(model, **options)
        containers = sorted(
            {b["id"] for b in payload["blocks"]} | set(payload["parents"].values())
        )
        states = []
        for collapsed in (payload["collapsed"], [], containers):
            states.append(
                {
                    "collapsed": list(collapsed),
                    "elements": cytoscape_elements(payload, set(collapsed)),
                }
            )
        cases.append({"name": name, "payload": payload, "states": states})
    return {
        "about": "Written by tests/_export_fixture.py (python -m tests._export_fixture): "
        "what kerasviz.export.cytoscape.cytoscape_elements makes; the renderer's "
        "buildElements must make the same.",
        "cases": cases,
    }


def dumps(fixture: dict[str, Any]) -> str:
    """The fixture as it is written to disk."""
    return json.dumps(fixture, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_export_fixture(path: os.PathLike[str] | str = EXPORT_FIXTURE) -> pathlib.Path:
    """Write :func:`make_export_fixture` to ``path``; returns the path."""
    path = pathlib.Path(path)
    path.write_text(dumps(make_export_fixture()), encoding="utf-8")
    return path


def write_bundled_stylesheet(
    path: os.PathLike[str] | str = BUNDLED_STYLESHEET,
) -> pathlib.Path:
    """Write kerasviz/style.py's stylesheet where the renderer bundles it."""
    from kerasviz.style import bundled_stylesheet_json

    path = pathlib.Path(path)
    path.write_text(bundled_stylesheet_json(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_export_fixture())
    print(write_bundled_stylesheet())
