"""The Explorer widget's state and Python API, and the ipycytoscape interop export."""

from __future__ import annotations

import json

import pytest

import kerasviz
from kerasviz import contract
from kerasviz.widgets import Explorer
from kerasviz.widgets._bundle import STATIC, runtime_id

LOADER_JS = STATIC / "loader.js"


def test_state_holds_no_graph_and_no_renderer(seed_functional):
    ex = kerasviz.show(seed_functional)
    state = ex.get_state()
    # the graph is not a synced trait: the display bundle carries it once
    # (tests/test_live.py), and the module is the loader, not the renderer
    assert "data" not in state
    assert state["_esm"] == LOADER_JS.read_text()
    assert len(state["_esm"]) < 5_000
    assert state["_runtime_id"] == runtime_id()
    assert state["_revision"] == 0
    assert len(state["_view_key"]) == 32
    text = json.dumps(ex.data, allow_nan=False)
    assert json.loads(text)["graph"]["model"]["inputs"] == ["main_input", "aux_input"]
    # no widget per node: the only children are none at all
    assert not any(hasattr(v, "model_id") for v in state.values())
    assert state["selected"] is None


def test_select_selected_and_on_select(seed_functional):
    ex = kerasviz.show(seed_functional, select="lstm")
    assert ex.selected == "lstm"
    seen = []
    ex.on_select(seen.append)
    ex.select("concatenate")
    ex.selected = "dense_a"  # as the front end does
    ex.select(None)
    assert seen == ["concatenate", "dense_a", None]
    ex.on_select(seen.append, remove=True)
    ex.select("lstm")
    assert seen == ["concatenate", "dense_a", None]


def test_select_unknown_layer_names_close_matches(seed_functional):
    ex = kerasviz.show(seed_functional)
    with pytest.raises(ValueError, match="Did you mean 'lstm'") as info:
        ex.select("lstn")
    assert "Received: name='lstn'" in str(info.value)
    with pytest.raises(Exception, match="no layer named 'nope'"):
        ex.selected = "nope"


def test_nested_state(nested):
    ex = kerasviz.show(nested)
    d = ex.data
    assert set(d["collapsed"]) == {"mid", "mid/deep", "tail"}
    ex.select("deep_dense")  # by layer name, inside a nested model
    assert ex.selected == "mid/deep/deep_dense"
    ex.expand_nested = True
    assert ex.data["collapsed"] == []
    assert ex.selected == "mid/deep/deep_dense"
    assert ex.data["options"]["selected"] == "mid/deep/deep_dense"


def test_resnet50_state_has_collapsed_blocks(resnet50):
    ex = kerasviz.show(resnet50, rankdir="LR")
    d = ex.data
    assert d["options"]["rankdir"] == "LR"
    assert len(d["graph"]["nodes"]) == 177
    assert "block:conv3_block4" in d["collapsed"]
    assert len(json.dumps(d)) < 200_000
    ex.show_shapes = False
    assert ex.data["options"]["show_shapes"] is False


def test_weight_stats_message(seed_functional):
    ex = kerasviz.show(seed_functional)
    sent = []
    ex.send = sent.append
    ex._handle_custom_msg({"type": "weight_stats", "node": "dense_a"}, [])
    (reply,) = sent
    assert reply["node"] == "dense_a"
    kernel, bias = reply["stats"]
    assert kernel["shape"] == [37, 64]
    w = seed_functional.get_layer("dense_a").kernel.numpy()
    assert kernel["mean"] == pytest.approx(float(w.mean()), rel=1e-5)
    assert kernel["min"] == pytest.approx(float(w.min()))
    assert sum(kernel["histogram"]["counts"]) == 37 * 64
    assert bias["std"] == 0.0
    json.dumps(reply, allow_nan=False)
    ex._handle_custom_msg({"type": "weight_stats", "node": "ghost"}, [])
    assert sent[1]["error"].startswith("KeyError")
    for message in sent:  # both replies follow kerasviz/schema/weight_stats.schema.json
        contract.validate(message, "weight_stats")


def test_weight_stats_inside_nested_model(nested):
    ex = kerasviz.show(nested)
    sent = []
    ex.send = sent.append
    ex._on_custom_msg(ex, {"type": "weight_stats", "node": "mid/deep/deep_dense"}, [])
    assert [s["shape"] for s in sent[0]["stats"]] == [[6, 6], [6]]


def test_unknown_kwargs_are_refused(seed_functional):
    with pytest.raises(
        TypeError,
        match=r"Explorer\(\) got an unknown option 'colour'.*Received: colour='red'",
    ):
        Explorer(seed_functional, colour="red")


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: kerasviz.show(42), "show()"),
        (lambda: Explorer(42), "Explorer()"),
        (lambda: kerasviz.to_code(42), "to_code()"),
        (lambda: kerasviz.compare(42), "compare()"),
        (lambda: kerasviz.save(42, "m.svg"), "save()"),
        (lambda: kerasviz.to_dot(42), "to_dot()"),
        (lambda: kerasviz.to_ipycytoscape(42), "to_ipycytoscape()"),
        (lambda: kerasviz.graph_of(42), "graph_of()"),
    ],
)
def test_non_model_error_names_the_function_called(call, name):
    """The error names what the user called, not the reader it calls inside."""
    with pytest.raises(TypeError, match="Received: model=42") as info:
        call()
    assert str(info.value).startswith(f"{name} expects a Keras 3 model")


def test_to_ipycytoscape(seed_functional):
    w = kerasviz.to_ipycytoscape(seed_functional, rankdir="LR")
    assert type(w).__name__ == "CytoscapeWidget"
    ids = sorted(n.data["id"] for n in w.graph.nodes)
    assert ids == sorted(n.name for n in seed_functional.operations)
    pairs = sorted((e.data["source"], e.data["target"]) for e in w.graph.edges)
    assert ("aux_input", "concatenate") in pairs
    assert len(pairs) == 9
    assert w.layout.height == "560px"
    assert w.cytoscape_layout["name"] == "dagre"
    assert w.cytoscape_layout["rankDir"] == "LR"
    styles = json.dumps(w.cytoscape_style)
    assert "var(--" not in styles  # resolved to fallbacks: ipycytoscape can't
    assert "#2e74a2" in styles
    lstm = next(n for n in w.graph.nodes if n.data["id"] == "lstm")
    assert lstm.data["label"] == "lstm\nLSTM"
    assert lstm.data["kind"] == "recurrent"
