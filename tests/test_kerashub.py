"""The whole chain over small KerasHub models (tests/zoo.py's KERAS_HUB), and what
``expand_nested=True`` shows inside their custom layers (traced ``call()``s).

KerasHub models are built from their constructors with tiny configs: nothing is
downloaded.
"""

from __future__ import annotations

from collections import Counter

import pytest

import kerasviz

from .conftest import optional_import
from .test_zoo import (
    check_compare,
    check_dot,
    check_dot_expanded,
    check_graph_against_keras,
    check_json,
    check_params,
    check_view,
    to_code_checked,
    trace_info,
)
from .zoo import KERAS_HUB


@pytest.fixture(autouse=True)
def _keras_hub():
    optional_import("keras_hub")


@pytest.fixture(scope="module")
def hub():
    """Each KerasHub model built once per module (the tests only read it)."""
    # module-scoped fixtures run before the autouse one: skip here too
    optional_import("keras_hub")
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = KERAS_HUB[name]()
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_graph_matches_keras(hub, name):
    check_graph_against_keras(hub(name))


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_params_sum_to_count_params(hub, name):
    model = hub(name)
    check_params(model, kerasviz.graph_of(model))
    expanded = kerasviz.graph_of(model, expand_nested=True)
    check_json(expanded)
    top = [n for n in expanded.nodes if n.parent is None]
    assert sum(n.params.total for n in top) == model.count_params()


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_view_payload_validates(hub, name):
    model = hub(name)
    check_view(model, kerasviz.graph_of(model, expand_nested=True))


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_dot_export(hub, name, tmp_path):
    model = hub(name)
    check_dot(model, kerasviz.graph_of(model), tmp_path)


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_dot_export_expanded(hub, name):
    check_dot_expanded(hub(name))


def test_dict_inputs_and_outputs(hub):
    model = hub("bert_backbone")
    g = kerasviz.graph_of(model)
    assert sorted(g.model.inputs) == ["padding_mask", "segment_ids", "token_ids"]
    assert all(g.node(i).dtype == "int32" for i in g.model.inputs)
    assert g.model.input_shapes == [[None, None]] * 3
    # sequence_output and pooled_output
    assert len(g.model.outputs) == 2
    assert {tuple(s) for s in g.model.output_shapes} == {(None, None, 16), (None, 16)}


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_to_code_rebuilds_the_same_network(hub, name):
    code, _, said = to_code_checked(hub(name))
    if not said:
        # The custom classes are imported from their public KerasHub home.
        assert "import keras_hub" in code or "from keras_hub" in code


@pytest.mark.parametrize("name", list(KERAS_HUB))
def test_compare(hub, name):
    check_compare(hub(name))


# ---- custom layers, opened (traced call()) ---------------------------------------------------
def children_by_class(g, node_id):
    return Counter(c.class_name for c in g.children(node_id) if c.kind != "input")


@pytest.fixture(scope="module")
def bert_expanded(hub):
    model = hub("bert_backbone")
    return model, kerasviz.graph_of(model, expand_nested=True)


def test_bert_transformer_encoder_is_a_container(bert_expanded):
    _, g = bert_expanded
    check_json(g)
    encoders = [n for n in g.nodes if n.class_name == "TransformerEncoder"]
    assert len(encoders) == 2
    for enc in encoders:
        info = trace_info(enc)
        assert info is not None, f"{enc.id} carries no trace verdict"
        assert getattr(info, "traced", None) is True, info
        children = g.children(enc.id)
        assert children, f"{enc.id} has no children"
        classes = children_by_class(g, enc.id)
        attention = [c for c in children if "Attention" in c.class_name]
        assert len(attention) == 1, classes
        assert attention[0].kind == "attention"
        assert classes["LayerNormalization"] == 2, classes
        assert classes["Dense"] >= 2, classes  # the feed-forward network
        assert classes["Dropout"] >= 2, classes
        for c in children:
            assert c.parent == enc.id
            assert c.id.startswith(f"{enc.id}/")
        # Shapes on the inner calls, those of a (batch, sequence, hidden) stream.
        (call,) = attention[0].calls
        assert call.output_shapes[0] == [None, None, 16]
        for norm in (c for c in children if c.class_name == "LayerNormalization"):
            assert norm.calls[0].input_shapes == [[None, None, 16]]
            assert norm.calls[0].output_shapes == [[None, None, 16]]
        # The inner params are the encoder's.
        assert sum(c.params.total for c in children) == enc.params.total


def test_bert_traced_wiring(bert_expanded):
    _, g = bert_expanded
    enc = next(n for n in g.nodes if n.class_name == "TransformerEncoder")
    inside = {c.id for c in g.children(enc.id)}
    inner = [e for e in g.edges if e.source in inside and e.target in inside]
    assert inner
    kinds = {(g.node(e.source).kind, g.node(e.target).kind) for e in inner}
    assert ("attention", "dropout") in kinds or ("attention", "merge") in kinds
    # What flows into the encoder from outside reaches its inner inputs, and what
    # leaves it starts inside it: no edge ends on, or starts from, the container.
    assert not any(e.target == enc.id or e.source == enc.id for e in g.edges)
    ids = {n.id for n in g.nodes}
    assert all(e.source in ids and e.target in ids for e in g.edges)
    # The padding mask reaches the attention.
    mask_edges = [e for e in g.edges if e.source == "padding_mask"]
    assert any(e.target in inside for e in mask_edges)


def test_trace_marked_in_json(bert_expanded):
    _, g = bert_expanded
    d = check_json(g)
    enc = next(n for n in d["nodes"] if n["class_name"] == "TransformerEncoder")
    assert enc.get("trace", {}).get("traced") is True, enc.get("trace")


def test_tracing_leaves_the_model_as_it_was(hub):
    model = KERAS_HUB["bert_backbone"]()
    before = {
        layer.name: len(layer._inbound_nodes)
        for layer in model._flatten_layers(include_self=False)
    }
    import keras
    import numpy as np

    values = [keras.ops.convert_to_numpy(v).copy() for v in model.variables]
    kerasviz.graph_of(model, expand_nested=True)
    for v, was in zip(model.variables, values, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(v), was, v.path)
    after = {
        layer.name: len(layer._inbound_nodes)
        for layer in model._flatten_layers(include_self=False)
    }
    assert after == before
    check_graph_against_keras(model)


@pytest.mark.parametrize(
    ("name", "block", "inside"),
    [
        ("gpt2_backbone", "TransformerDecoder", ["LayerNormalization", "Dense"]),
        ("gemma_backbone", "GemmaDecoderBlock", ["RMSNormalization"]),
        ("vit_backbone", "ViTEncoder", ["LayerNormalization"]),
    ],
)
def test_decoder_blocks_are_containers(hub, name, block, inside):
    g = kerasviz.graph_of(hub(name), expand_nested=True)
    check_json(g)
    nodes = [n for n in g.nodes if n.class_name == block]
    assert nodes
    for n in nodes:
        assert g.children(n.id), f"{n.id} ({block}) is not opened"
        # A custom layer inside a custom layer opens too, down to Keras layers.
        below = [d for d in g.nodes if d.id.startswith(f"{n.id}/")]
        got = Counter(d.class_name for d in below)
        assert all(got[c] for c in inside), got
        assert any("Attention" in d.class_name for d in below), got


def test_llama_broken_config_is_reported(hub):
    """LlamaTransformerDecoder.get_config() raises (KerasHub's bug): the node says
    so instead of the reader failing, and the decoder still opens."""
    g = kerasviz.graph_of(hub("llama_backbone"), expand_nested=True)
    check_json(g)
    decoders = [n for n in g.nodes if n.class_name == "LlamaTransformerDecoder"]
    assert len(decoders) == 2
    for n in decoders:
        assert n.error, n
        assert "rope_scaling_factor" in n.error
        assert g.children(n.id)


def test_classifier_nests_the_backbone(hub):
    model = hub("bert_text_classifier")
    g = kerasviz.graph_of(model, expand_nested=True)
    backbone = next(n for n in g.nodes if n.class_name == "BertBackbone")
    assert backbone.kind == "model"
    assert backbone.params.total == model.backbone.count_params()
    encoders = [n for n in g.nodes if n.class_name == "TransformerEncoder"]
    assert [n.parent for n in encoders] == [backbone.id] * 2
    attention = [
        n
        for n in g.nodes
        if "Attention" in n.class_name and n.parent in {e.id for e in encoders}
    ]
    assert len(attention) == 2
    assert attention[0].calls[0].output_shapes[0] == [None, None, 16]
