"""The view payload: blocks, initial collapse, notes, style; the exports' elements."""

from __future__ import annotations

import json

import pytest

from kerasviz.export.cytoscape import cytoscape_elements as elements
from kerasviz.graph import graph_of
from kerasviz.style import KIND_STYLES, stylesheet
from kerasviz.view import find_blocks, view_payload
from kerasviz.view.blocks import is_auto_name, snake_case

from .conftest import application


def test_snake_case_and_auto_names():
    assert snake_case("Conv2D") == "conv2d"
    assert snake_case("BatchNormalization") == "batch_normalization"
    assert snake_case("GlobalAveragePooling2D") == "global_average_pooling2d"
    assert is_auto_name("conv2d_14", "Conv2D")
    assert is_auto_name("dense", "Dense")
    assert not is_auto_name("conv2_block1_1_conv", "Conv2D")


def test_seed_payload(seed_functional):
    p = view_payload(seed_functional)
    json.dumps(p, allow_nan=False)
    assert p["kerasviz_view"] == 1
    assert p["blocks"] == []
    assert p["collapsed"] == []
    assert "positions" not in p  # the renderer lays out (labextension/src/layout.ts)
    assert p["notes"] == []
    assert p["options"] == {
        "rankdir": "TB",
        "show_shapes": True,
        "dagre_max_nodes": 500,
        "selected": None,
    }
    assert set(p["style"]["kinds"]) == {
        "input",
        "embedding",
        "recurrent",
        "dense",
        "merge",
    }
    assert p["graph"]["model"]["name"] == "seed_functional"


def test_rankdir_is_checked(seed_functional):
    assert view_payload(seed_functional, rankdir="lr")["options"]["rankdir"] == "LR"
    with pytest.raises(ValueError, match="Received: rankdir='down'"):
        view_payload(seed_functional, rankdir="down")


def test_resnet50_blocks_and_collapse(resnet50):
    p = view_payload(resnet50)
    labels = [b["label"] for b in p["blocks"]]
    assert labels[:5] == [
        "conv1",
        "conv2",
        "conv2_block1",
        "conv2_block2",
        "conv2_block3",
    ]
    by_id = {b["id"]: b for b in p["blocks"]}
    assert by_id["block:conv2_block1"]["parent"] == "block:conv2"
    assert by_id["block:conv2"]["parent"] is None
    assert p["parents"]["conv2_block1_1_conv"] == "block:conv2_block1"
    assert p["parents"]["block:conv2_block1"] == "block:conv2"
    # 177 layers > 150: the innermost blocks start collapsed, the stages stay open.
    assert "block:conv2_block1" in p["collapsed"]
    assert "block:conv2" not in p["collapsed"]
    assert len([b for b in labels if "_block" in b]) == 16
    els = elements(p)
    ids = {n["data"]["id"] for n in els["nodes"]}
    assert "conv2_block1_1_conv" not in ids  # hidden inside its collapsed block
    assert "block:conv2_block1" in ids
    assert len(els["nodes"]) < 60
    block = next(n for n in els["nodes"] if n["data"]["id"] == "block:conv2_block1")
    assert block["classes"] == "kv-collapsed kv-block"
    assert block["data"]["label"] == "conv2_block1\n(12 layers)"
    assert block["data"]["kind"] == "block"
    assert block["data"]["layers"] == 12
    assert block["data"]["parent"] == "block:conv2"
    # edges re-routed between collapsed blocks, parallel ones merged
    pairs = {(e["data"]["source"], e["data"]["target"]) for e in els["edges"]}
    assert ("block:conv2_block1", "block:conv2_block2") in pairs
    assert all(s != t for s, t in pairs)
    full = elements(p, collapsed=set())
    assert len([n for n in full["nodes"] if "kv-container" not in n["classes"]]) == 177


@pytest.mark.slow
def test_nasnet_cells_and_efficientnet_blocks(keras):
    g = graph_of(application(keras, "NASNetMobile"), expand_nested=True)
    blocks, member_of = find_blocks(g)
    labels = [b.label for b in blocks]
    assert labels[:3] == ["cell stem_1", "cell stem_2", "cell 0"]
    assert member_of["separable_conv_2_reduction_left4_stem_1"] == "block:cell stem_1"
    assert member_of["normal_add_5_12"] == "block:cell 12"
    g = graph_of(keras.applications.EfficientNetB0(weights=None))
    blocks, member_of = find_blocks(g)
    assert [b.label for b in blocks][:3] == ["block1a", "block2a", "block2b"]
    assert member_of["block2a_expand_conv"] == "block:block2a"


def test_nested_models_are_containers(nested):
    p = view_payload(nested)
    assert p["parents"]["mid/mid_dense"] == "mid"
    assert p["parents"]["mid/deep/deep_dense"] == "mid/deep"
    assert set(p["collapsed"]) == {
        "mid",
        "mid/deep",
        "tail",
    }  # like plot_model's default
    assert view_payload(nested, expand_nested=True)["collapsed"] == []
    els = elements(p)
    assert [n["data"]["id"] for n in els["nodes"]] == [
        "outer_in",
        "mid",
        "tail",
        "head",
    ]
    assert [(e["data"]["source"], e["data"]["target"]) for e in els["edges"]] == [
        ("outer_in", "mid"),
        ("mid", "tail"),
        ("tail", "head"),
    ]
    opened = elements(p, collapsed={"tail"})
    pairs = [(e["data"]["source"], e["data"]["target"]) for e in opened["edges"]]
    assert ("mid/deep/deep_dense", "tail") in pairs
    assert ("outer_in", "mid/mid_in") in pairs


def test_notes_for_unbuilt_and_subclassed(keras):
    unbuilt = keras.Sequential(
        [keras.layers.Dense(3, name="p1"), keras.layers.Dense(1, name="p2")]
    )
    (note,) = view_payload(unbuilt)["notes"]
    assert "not built yet" in note
    assert "p1, p2" in note
    assert "model.build((None, ...))" in note

    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d = keras.layers.Dense(2, name="inner")

        def call(self, x):
            return self.d(x)

    (note,) = view_payload(Sub())["notes"]
    assert "`Sub` is a subclassed model" in note
    assert "not built yet" in note
    assert "listed inside it, unconnected" in note

    called = Sub()
    called(keras.ops.zeros((2, 3)))
    (note,) = view_payload(called)["notes"]
    assert "`Sub` is a subclassed model" in note
    assert "traced it with symbolic inputs" in note


def test_notes_name_the_custom_layers_shown_without_wiring(keras):
    class Backend(keras.layers.Layer):
        """Works inside a model, but its call() cannot take symbolic tensors."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = keras.layers.Dense(2, name="d")

        def call(self, x):
            if isinstance(x, keras.KerasTensor):
                raise ValueError("this layer refuses symbolic tensors")
            return self.d(x) * 2.0

    x = keras.Input((3,))
    m = keras.Model(x, Backend(name="odd")(x))
    notes = view_payload(m)["notes"]
    assert len(notes) == 1
    assert "1 custom layer(s) are shown without their inner wiring" in notes[0]
    assert notes[0].endswith(": odd")


def test_big_graph_gets_no_positions(keras):
    """Python sends no layout, however big the graph: the renderer owns it."""
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)  # Keras builds graphs recursively
    try:
        x = inp = keras.Input((2,), name="in")
        for i in range(300):
            y = keras.layers.Dense(2, name=f"d{i}")(x)
            x = keras.layers.Add(name=f"a{i}")([x, y])
        m = keras.Model(inp, x)
    finally:
        sys.setrecursionlimit(limit)
    p = view_payload(m)
    assert len(p["graph"]["nodes"]) == 601 > p["options"]["dagre_max_nodes"]
    assert "positions" not in p


def test_stylesheet_covers_every_kind():
    from kerasviz.graph import KINDS

    assert set(KIND_STYLES) == set(KINDS)
    selectors = [s["selector"] for s in stylesheet()]
    for kind in KINDS:
        assert f'node[kind = "{kind}"]' in selectors
    for cls in (
        "node.kv-input",
        "node.kv-output",
        "node.kv-collapsed",
        "edge.kv-shapes",
    ):
        assert cls in selectors
    assert any("var(--jp-" in str(s["style"]) for s in stylesheet())
