"""One definition of "layers" everywhere (kerasviz.view.elements.counts_as_layer):
the text summary, collapsed-group labels, the %kerasviz listing, the static export
and the renderer (ViewGraph.layerCount, tested on the same models in vitest)."""

from __future__ import annotations

import re

from kerasviz.export.cytoscape import cytoscape_elements
from kerasviz.mimebundle import MIME_TYPE, mime_bundle, summary, unpack
from kerasviz.view import view_payload
from kerasviz.view.elements import layer_count, layers_inside


def summary_count(model) -> int:
    text = summary(unpack(mime_bundle(model)[MIME_TYPE]))
    return int(re.search(r"([\d,]+) layers?\b", text.splitlines()[0])[1])


def label_counts(payload) -> dict[str, int]:
    """Container id → N of its collapsed label "name\\n(N layers)"."""
    collapsed = set(payload.get("parents", {}).values())
    out = {}
    for el in cytoscape_elements(payload, collapsed)["nodes"]:
        m = re.search(r"\((\d+) layers?\)$", el["data"].get("label", ""))
        if m:
            out[el["data"]["id"]] = int(m[1])
    return out


def test_seed_model_counts_its_eight_layers_everywhere(seed_functional):
    # 10 nodes: two InputLayers are not layers, as in Keras's own Sequential count
    assert summary_count(seed_functional) == 8
    assert layer_count(view_payload(seed_functional)) == 8


def test_nested_models_count_the_layers_inside_them(nested):
    payload = view_payload(nested)
    inside = {k: len(v) for k, v in layers_inside(payload).items()}
    # mid: mid_dense and deep/deep_dense; no InputLayer, no nested-model node
    assert inside == {"mid": 2, "mid/deep": 1, "tail": 1}
    assert label_counts(payload) == {"mid": 2, "tail": 1}  # mid/deep is inside mid
    # the whole model: mid_dense, deep_dense, tail_dense, head
    assert summary_count(nested) == layer_count(payload) == 4


def test_same_network_same_count_in_both_apis(keras):
    layers = keras.layers
    seq = keras.Sequential(
        [keras.Input((4,)), layers.Dense(3), layers.Dropout(0.1), layers.Dense(1)]
    )
    inp = keras.Input((4,))
    out = layers.Dense(1)(layers.Dropout(0.1)(layers.Dense(3)(inp)))
    fn = keras.Model(inp, out)
    assert summary_count(seq) == summary_count(fn) == 3


def test_residual_block_label_agrees_with_its_inspector_count(keras):
    """A nested residual block: "3 layers" in every place, not 2 in one and 3 in
    another (the InputLayer inside used to count in some places)."""
    layers = keras.layers
    x_in = keras.Input((8,), name="block_in")
    h = layers.Dense(8, name="dense1")(x_in)
    h = layers.Dense(8, name="dense2")(h)
    block = keras.Model(x_in, layers.Add(name="add")([x_in, h]), name="residual_block")
    inp = keras.Input((8,), name="x")
    model = keras.Model(inp, layers.Dense(1, name="head")(block(inp)), name="net")
    payload = view_payload(model)
    assert label_counts(payload) == {"residual_block": 3}
    assert summary_count(model) == 4


def test_listing_counts_like_the_views(seed_functional, nested, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "kerasviz")
    shell.user_ns.update(seed=seed_functional, outer=nested)
    try:
        shell.run_line_magic("kerasviz", "")
    finally:
        del shell.user_ns["seed"], shell.user_ns["outer"]
    out = capsys.readouterr().out
    assert re.search(r"seed\s+Functional\s+8 layers", out)
    assert re.search(r"outer\s+Functional\s+4 layers", out)
