"""Write every file the renderer's tests read that Python makes, from real models.

The TypeScript tests (labextension/src/__tests__/) read, from
``src/__tests__/fixtures/``:

- ``<name>.json``: view payloads, made by the same ``view_payload`` the widget and
  the MIME renderer get;
- ``packed_mlp.json``: a packed output as a notebook stores it
  (``kerasviz.mimebundle.mime_bundle``), so that Python's zlib + base64 and the
  browser's ``DecompressionStream`` are tested against each other;
- ``export_elements.json``: payloads and, per collapsed state, the elements
  ``kerasviz.export.cytoscape.cytoscape_elements`` makes (``to_ipycytoscape``, the
  Graphviz export); ``export.test.ts`` checks the renderer makes the same;

and the renderer bundles ``src/default_stylesheet.json``, kerasviz/style.py's
stylesheet for payloads that carry none. None of them is edited by hand:
``tests/test_contract.py`` fails when a committed file differs from what this
script makes now, so the two sides cannot drift. (``shape_text.json`` is the one
hand-written table: cases both sides run.)

    python labextension/scripts/make_fixtures.py          # write them
    python labextension/scripts/make_fixtures.py --check  # exit 1 if any is stale

Runs in a fresh process on the TensorFlow backend, so that Keras's automatic
names (``input_layer``) are the same every time.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
from collections.abc import Callable
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parent / "src"
FIXTURES = SRC / "__tests__" / "fixtures"

#: The seed article's two-input, two-output model (as in tests/conftest.py).
SEED_SOURCE = """\
main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
x = layers.Embedding(output_dim=512, input_dim=10000, name="embedding")(main_input)
lstm_out = layers.LSTM(32, name="lstm")(x)
aux_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
aux_input = keras.Input(shape=(5,), name="aux_input")
x = layers.concatenate([lstm_out, aux_input], name="concatenate")
x = layers.Dense(64, activation="relu", name="dense_a")(x)
x = layers.Dense(64, activation="relu", name="dense_b")(x)
x = layers.Dense(64, activation="relu", name="dense_c")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
model = keras.Model(
    inputs=[main_input, aux_input],
    outputs=[main_output, aux_output],
    name="seed_functional",
)
"""


def seed() -> Any:
    """The seed article's model: two inputs, two outputs, an LSTM."""
    import keras

    ns: dict[str, Any] = {"keras": keras, "layers": keras.layers}
    exec(SEED_SOURCE, ns)
    return ns["model"]


def toy() -> Any:
    """Small but with everything: a block (``b1_*``) with a residual add and a layer
    whose ``get_config()`` fails, a nested model ``enc`` holding a block of its own
    (``stack_1_*``), a second merge."""
    import keras

    class FlakyNormalization(keras.layers.BatchNormalization):
        """A custom layer whose config cannot be read."""

        def get_config(self) -> dict:
            raise TypeError("<boom>")

    layers = keras.layers
    enc_in = keras.Input((8,), name="enc_in")
    h = layers.Dense(8, name="stack_1_dense")(enc_in)
    h = layers.Dropout(0.5, name="stack_1_drop")(h)
    h = layers.Activation("relu", name="stack_1_act")(h)
    enc = keras.Model(enc_in, layers.Dense(8, name="enc_out")(h), name="enc")
    x_in = keras.Input((8,), name="in")
    x = layers.Dense(8, activation="relu", name="b1_conv")(x_in)
    x = FlakyNormalization(name="b1_bn")(x)
    b1 = layers.Add(name="b1_add")([x, x_in])
    joined = layers.Add(name="join")([enc(b1), b1])
    out = layers.Dense(1, activation="sigmoid", name="out")(joined)
    return keras.Model(x_in, out, name="toy")


def nested() -> Any:
    """outer Functional → ``mid`` Functional → ``deep`` Sequential, then ``tail``."""
    import keras

    layers = keras.layers
    deep = keras.Sequential(
        [keras.Input((6,), name="deep_in"), layers.Dense(6, name="deep_dense")],
        name="deep",
    )
    mid_in = keras.Input((6,), name="mid_in")
    mid = keras.Model(
        mid_in, deep(layers.Dense(6, name="mid_dense")(mid_in)), name="mid"
    )
    tail = keras.Sequential(
        [keras.Input((6,), name="tail_in"), layers.Dense(3, name="tail_dense")],
        name="tail",
    )
    outer_in = keras.Input((6,), name="outer_in")
    out = layers.Dense(1, name="head")(tail(mid(outer_in)))
    return keras.Model(outer_in, out, name="outer")


def xss() -> Any:
    """Names that would run script if any reached the page as HTML."""
    import keras

    x_in = keras.Input((4,), name="<b>in<\\b>")
    x = keras.layers.Dense(3, name="<img src=x onerror=alert(1)>")(x_in)
    out = keras.layers.Dense(1, name='out"><script>alert(2)<\\script>')(x)
    return keras.Model(x_in, out, name="<svg onload=alert(3)>")


def traced() -> Any:
    """A custom residual block (traced: a container of its sublayers and ops) and a
    custom layer whose call() refuses symbolic tensors (shown with the reason)."""
    import keras

    class Residual(keras.layers.Layer):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.first = keras.layers.Dense(4, name="first")
            self.norm = keras.layers.LayerNormalization(name="norm")

        def call(self, x: Any) -> Any:
            return self.norm(x + self.first(keras.ops.relu(x)))

    class Picky(keras.layers.Layer):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.inner = keras.layers.Dense(4, name="inner")

        def call(self, x: Any) -> Any:
            if isinstance(x, keras.KerasTensor):
                raise ValueError("symbolic tensors are not welcome here")
            return self.inner(x)

    x_in = keras.Input((4,), name="x")
    h = Residual(name="block")(x_in)
    out = Picky(name="picky")(h)
    return keras.Model(x_in, out, name="traced")


def resnet50() -> Any:
    import keras

    return keras.applications.ResNet50(weights=None)


def _lite(payload: dict[str, Any]) -> dict[str, Any]:
    """A big model's payload without what its tests do not read (weights, configs),
    so that the fixture stays small: the graph, blocks and collapse are untouched."""
    graph = payload["graph"]
    graph["config_defaults"] = {}
    for node in graph["nodes"]:
        node["weights"] = []
        node["config"] = {}
    return payload


def _export_models() -> list[tuple[str, Any, dict[str, Any]]]:
    """(name, model, view_payload options): a branching Functional with blocks, a
    nested model and a marked layer; Sequentials built and unbuilt."""
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


def packed_mlp() -> dict[str, Any]:
    """A small model's output as a notebook stores it (packed, a layer selected, an
    overlay shown)."""
    import keras

    from kerasviz.mimebundle import MIME_TYPE, mime_bundle

    model = keras.Sequential(
        [
            keras.Input((8,), name="x"),
            keras.layers.Dense(4, activation="relu", name="hidden"),
            keras.layers.Dense(1, name="score"),
        ],
        name="packed_mlp",
    )
    return mime_bundle(model, select="hidden", overlay="flops")[MIME_TYPE]  # type: ignore[no-any-return]


def make_export_fixture() -> dict[str, Any]:
    """Per model its payload and, per collapsed state (the payload's own, everything
    open as ``to_ipycytoscape`` draws it, everything closed), the elements Python's
    exports make."""
    from kerasviz.export.cytoscape import cytoscape_elements
    from kerasviz.view import view_payload

    cases = []
    for name, model, options in _export_models():
        payload = view_payload(model, **options)
        containers = sorted(
            {b["id"] for b in payload["blocks"]} | set(payload["parents"].values())
        )
        states = [
            {
                "collapsed": list(collapsed),
                "elements": cytoscape_elements(payload, set(collapsed)),
            }
            for collapsed in (payload["collapsed"], [], containers)
        ]
        cases.append({"name": name, "payload": payload, "states": states})
    return {
        "about": "Written by labextension/scripts/make_fixtures.py: what "
        "kerasviz.export.cytoscape.cytoscape_elements makes; the renderer's "
        "buildElements must make the same.",
        "cases": cases,
    }


#: Fixture name → (model builder, view_payload options, transform).
CASES: dict[str, tuple[Callable[[], Any], dict[str, Any], Callable | None]] = {
    "seed": (seed, {}, None),
    "toy": (toy, {}, None),
    "nested": (nested, {}, None),
    "xss": (xss, {}, None),
    "traced": (traced, {}, None),
    "resnet_lite": (resnet50, {}, _lite),
}


#: A cell that builds a small Functional model, then fails on a shape: the replay
#: fixture (its last step is the failure, explained; names carry XSS probes).
REPLAY_SOURCE = """\
import keras
from keras import layers
x = keras.Input((8,), name="pixels")
h = layers.Dense(4, name="<img src=x onerror=alert(1)>")(x)
y = layers.Dense(2, name="head")(h)
model = keras.Model(x, y, name="tiny")
bad = layers.Add(name="add")([h, y])
"""


def replay() -> dict[str, Any]:
    """A replay payload made from REPLAY_SOURCE."""
    import kerasviz

    return kerasviz.replay(REPLAY_SOURCE).data


def overlay_cases() -> dict[str, Any]:
    """Overlay metrics with Python's colour, label colour and text for each value,
    which overlay.ts must reproduce (kerasviz.view.overlays is the reference)."""
    from kerasviz.style import OVERLAY_INK_DARK, OVERLAY_INK_LIGHT, OVERLAY_STOPS
    from kerasviz.view.overlays import (
        color_at,
        format_value,
        ink_for,
        make_metric,
        overlay_colors,
        position,
    )

    metrics = [
        make_metric(
            "flops", "FLOPs", "count", {"a": 0, "b": 120, "c": 3.5e6, "d": 7.7e9}
        ),
        make_metric(
            "memory", "Activation memory", "bytes", {"a": 512, "b": 4096, "c": 3e6}
        ),
        make_metric(
            "share", "Share of FLOPs", "share", {"a": 0.001, "b": 0.25, "c": 0.7489}
        ),
        make_metric(
            "user:ms", "ms", "value", {"a": -1.5, "b": 0.3, "c": 2.25, "d": 2.25}
        ),
        make_metric("one", "one value", "value", {"a": 4}),
    ]
    cases = []
    for m in metrics:
        colors = overlay_colors(m)
        cases.append(
            {
                "metric": m,
                "positions": {k: position(v, m) for k, v in m["values"].items()},
                "colors": colors,
                "inks": {k: ink_for(c) for k, c in colors.items()},
                "text": {k: format_value(v, m["unit"]) for k, v in m["values"].items()},
            }
        )
    ramp = {str(t / 20): color_at(t / 20) for t in range(21)}
    return {
        "stops": OVERLAY_STOPS,
        "ink": [OVERLAY_INK_DARK, OVERLAY_INK_LIGHT],
        "cases": cases,
        "ramp": ramp,
    }


def text_of(payload: dict[str, Any]) -> str:
    """A fixture file's text: keys in the order Python made them (a live payload's), one
    level of indent, a final newline."""
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def make() -> dict[str, str]:
    """File name (under src/, or under fixtures/ for a bare name) → the text it
    should hold now."""
    import keras

    from kerasviz.style import bundled_stylesheet_json
    from kerasviz.view import view_payload

    out = {}
    for name, (build, options, transform) in CASES.items():
        keras.backend.clear_session()  # the same automatic names every time
        payload = view_payload(build(), **options)
        if transform is not None:
            payload = transform(payload)
        out[f"{name}.json"] = text_of(payload)
    keras.backend.clear_session()
    out["packed_mlp.json"] = text_of(packed_mlp())
    keras.backend.clear_session()
    out["replay.json"] = text_of(replay())
    out["overlay.json"] = text_of(overlay_cases())
    keras.backend.clear_session()
    out["export_elements.json"] = (
        json.dumps(make_export_fixture(), indent=1, sort_keys=True, ensure_ascii=False)
        + "\n"
    )
    out["../../default_stylesheet.json"] = bundled_stylesheet_json()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    args = parser.parse_args(argv)
    stale = []
    for name, text in make().items():
        path = (FIXTURES / name).resolve()
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print(
            f"Stale fixture(s) in {FIXTURES}: {', '.join(stale)}. They are made from "
            "real models by this script: run `python labextension/scripts/"
            "make_fixtures.py` and commit the result.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
