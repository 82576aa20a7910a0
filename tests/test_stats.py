"""kerasviz.stats.activation_stats: exact numbers on known weights, dead-ReLU flags,
random samples that fit the inputs, clear refusals of samples that do not, no change
to the model, and keys that are graph_of's node ids."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import kerasviz
from kerasviz.graph import _keras_compat as compat
from kerasviz.graph import graph_of
from kerasviz.stats import ActivationStats, activation_stats

from ._fixtures import make_fixtures
from .conftest import optional_import


def known_relu_model(keras):
    """x (2,) -> Dense(3) with known weights -> ReLU."""
    x = keras.Input((2,), name="x")
    dense = keras.layers.Dense(3, name="dense")
    relu = keras.layers.ReLU(name="relu")
    model = keras.Model(x, relu(dense(x)), name="known")
    dense.set_weights(
        [
            np.array([[1.0, -1.0, 0.0], [2.0, 0.0, -3.0]], dtype="float32"),
            np.array([0.0, 0.0, 1.0], dtype="float32"),
        ]
    )
    return model


#: known_relu_model's Dense on KNOWN_INPUT: [[5, -1, -5], [1, 1, -2]]; ReLU of it.
KNOWN_INPUT = np.array([[1.0, 2.0], [-1.0, 1.0]], dtype="float32")
DENSE_OUT = np.array([[5.0, -1.0, -5.0], [1.0, 1.0, -2.0]])
RELU_OUT = np.array([[5.0, 0.0, 0.0], [1.0, 1.0, 0.0]])


def variables(model) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in model.variables]


# ---- exact numbers ----------------------------------------------------------------
def test_relu_on_known_values(keras):
    s = activation_stats(known_relu_model(keras), KNOWN_INPUT, bins=5)
    relu = s.node("relu")
    assert relu["shape"] == [2, 3]
    assert relu["dtype"] == "float32"
    assert relu["count"] == 6
    assert relu["nonfinite"] == 0
    assert relu["mean"] == pytest.approx(7 / 6)
    assert relu["std"] == pytest.approx(float(RELU_OUT.std()))
    assert relu["min"] == 0.0
    assert relu["max"] == 5.0
    assert relu["zeros"] == 0.5
    # 0, 0, 0 | 1, 1 | - | - | 5 over [0, 5] in 5 bins
    assert relu["histogram"] == {
        "edges": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        "counts": [3, 2, 0, 0, 1],
    }
    assert "note" not in relu  # half zeros is not dead
    dense = s.node("dense")
    assert dense["mean"] == pytest.approx(-1 / 6)
    assert dense["std"] == pytest.approx(float(DENSE_OUT.std()))
    assert (dense["min"], dense["max"], dense["zeros"]) == (-5.0, 5.0, 0.0)
    # bins of width 2 over [-5, 5]: -5 | -2 | -1 | 1 1 | 5
    assert dense["histogram"]["counts"] == [1, 1, 1, 2, 1]
    # the input itself is a node too
    assert s.node("x")["mean"] == pytest.approx(0.75)
    assert list(s.nodes) == ["x", "dense", "relu"]


def test_default_bins_and_given_bins(keras):
    model = known_relu_model(keras)
    h = activation_stats(model, KNOWN_INPUT).node("relu")["histogram"]
    assert len(h["edges"]) == 17
    assert len(h["counts"]) == 16
    assert sum(h["counts"]) == 6
    with pytest.raises(ValueError, match="bins= as a positive int"):
        activation_stats(model, KNOWN_INPUT, bins=0)


def test_nan_and_inf_are_counted_and_left_out(keras):
    x = keras.Input((4,), name="x")
    out = keras.layers.Lambda(lambda t: keras.ops.log(t), name="log")(x)
    model = keras.Model(x, out)
    # log: nan, -inf, 0, 1
    s = activation_stats(model, np.array([[-1.0, 0.0, 1.0, math.e]], "float32"))
    log = s.node("log")
    assert log["count"] == 4
    assert log["nonfinite"] == 2
    assert log["mean"] == pytest.approx(0.5)
    assert (log["min"], log["zeros"]) == (0.0, 0.5)
    assert log["max"] == pytest.approx(1.0)
    assert sum(log["histogram"]["counts"]) == 2
    text = json.dumps(s.to_json(), allow_nan=False)
    assert json.loads(text)["nodes"]["log"]["nonfinite"] == 2


def test_all_nonfinite_gives_none(keras):
    x = keras.Input((2,), name="x")
    out = keras.layers.Lambda(lambda t: keras.ops.log(t), name="log")(x)
    s = activation_stats(keras.Model(x, out), np.array([[-1.0, -2.0]], "float32"))
    log = s.node("log")
    assert log["nonfinite"] == 2
    assert log["mean"] is None
    assert log["zeros"] is None
    assert log["histogram"] is None
    json.dumps(s.to_json(), allow_nan=False)


def test_integer_output_has_value_statistics(keras):
    x = keras.Input((3,), dtype="int32", name="ids")
    out = keras.layers.Lambda(lambda t: t * 2, name="twice")(x)
    s = activation_stats(keras.Model(x, out), np.array([[0, 1, 3]], "int32"), bins=3)
    twice = s.node("twice")
    assert twice["dtype"] == "int32"
    assert (twice["min"], twice["max"], twice["mean"]) == (
        0.0,
        6.0,
        pytest.approx(8 / 3),
    )
    assert twice["histogram"] == {"edges": [0.0, 2.0, 4.0, 6.0], "counts": [1, 1, 1]}


# ---- flags ----------------------------------------------------------------------
def test_dead_relu_flagged(keras):
    x = keras.Input((100,), name="x")
    relu = keras.layers.ReLU(name="relu")(x)
    # Dense with activation="relu" and a bias that keeps it off everywhere
    dead = keras.layers.Dense(
        4, activation="relu", kernel_initializer="zeros", name="dead_dense"
    )
    dense_out = dead(relu)
    # A linear layer that is mostly zeros: flagged without "dead"
    lin = keras.layers.Dense(
        8, kernel_initializer="zeros", bias_initializer="zeros", name="flat"
    )(relu)
    model = keras.Model(x, [dense_out, lin])
    dead.set_weights([np.zeros((100, 4), "float32"), -np.ones(4, "float32")])
    # 97 of the 100 inputs zero: the input and the ReLU are 97 % zeros
    sample = np.zeros((1, 100), "float32")
    sample[0, :3] = [1.0, 2.0, 3.0]
    s = activation_stats(model, sample)
    assert s.node("x")["zeros"] == pytest.approx(0.97)
    assert s.node("relu")["zeros"] == pytest.approx(0.97)
    assert s.node("relu")["note"] == "dead ReLU: 97 % zeros"
    assert s.node("dead_dense")["note"] == "dead ReLU: 100 % zeros"
    assert s.node("flat")["note"] == "100 % zeros"
    assert "note" not in s.node("x")  # inputs are the sample's, never flagged
    assert s.dead_relu() == ["relu", "dead_dense"]
    assert [(f["node"], f["note"]) for f in s.findings()] == [
        ("relu", "dead ReLU: 97 % zeros"),
        ("dead_dense", "dead ReLU: 100 % zeros"),
        ("flat", "100 % zeros"),
    ]


def test_mostly_zeros_below_threshold_not_flagged(keras):
    x = keras.Input((100,), name="x")
    model = keras.Model(x, keras.layers.ReLU(name="relu")(x))
    sample = -np.ones((1, 100), "float32")
    sample[0, :6] = 1.0  # 94 % zeros
    s = activation_stats(model, sample)
    assert s.node("relu")["zeros"] == pytest.approx(0.94)
    assert "note" not in s.node("relu")
    assert s.findings() == []
    assert s.dead_relu() == []


# ---- random samples ---------------------------------------------------------------
def test_random_sample_fills_embedding_input_with_valid_ids(seed_functional):
    s = activation_stats(seed_functional)
    assert s.sample == {
        "random": True,
        "seed": 0,
        "inputs": {"main_input": [2, 100], "aux_input": [2, 5]},
    }
    ids = s.node("main_input")
    assert ids["dtype"] == "int32"
    assert ids["shape"] == [2, 100]
    assert ids["min"] >= 0
    assert ids["max"] < 10000  # the Embedding's input_dim
    assert ids["max"] > 100  # drawn over [0, 10000), not [0, 2)
    aux = s.node("aux_input")
    assert aux["dtype"] == "float32"
    assert aux["min"] < 0 < aux["max"]
    assert s.node("embedding")["shape"] == [2, 100, 512]
    # the same seed gives the same sample; another seed another one
    assert activation_stats(seed_functional).node("aux_input") == aux
    assert activation_stats(seed_functional, seed=1).node("aux_input") != aux


def test_random_sample_int_input_without_embedding(keras):
    x = keras.Input((50,), dtype="int32", name="flags")
    out = keras.layers.Lambda(lambda t: keras.ops.cast(t, "float32"), name="f")(x)
    s = activation_stats(keras.Model(x, out))
    flags = s.node("flags")
    assert (flags["min"], flags["max"]) == (0.0, 1.0)
    assert flags["histogram"]["counts"][0] + flags["histogram"]["counts"][-1] == 100


def test_random_sample_refuses_unknown_dimension(keras):
    x = keras.Input((None, 4), name="tokens")
    model = keras.Model(x, keras.layers.Dense(2)(x))
    with pytest.raises(ValueError, match="cannot make a random sample") as e:
        activation_stats(model)
    msg = str(e.value)
    assert "input 'tokens' (None, None, 4):" in msg
    assert "Pass a sample" in msg
    assert "Received: sample=None" in msg
    # with a sample of any length it runs
    s = activation_stats(model, np.ones((1, 7, 4), "float32"))
    assert s.node("tokens")["shape"] == [1, 7, 4]


# ---- refused samples --------------------------------------------------------------
def test_wrong_shape_refused(seed_functional):
    with pytest.raises(ValueError, match="got an array of shape") as e:
        activation_stats(
            seed_functional, [np.zeros((2, 100), "int32"), np.zeros((2, 6), "float32")]
        )
    msg = str(e.value)
    assert "input 'aux_input'" in msg
    assert "axis 1 is 6, not 5" in msg
    assert "Expected: {'main_input': (None, 100), 'aux_input': (None, 5)}" in msg
    assert "Received: {'main_input': (2, 100), 'aux_input': (2, 6)}" in msg


def test_wrong_rank_refused(keras):
    with pytest.raises(ValueError, match="got an array of rank") as e:
        activation_stats(known_relu_model(keras), np.zeros((2, 2, 1), "float32"))
    msg = str(e.value)
    assert "rank 3 for input 'x', which takes rank 2" in msg
    assert "Received: {'x': (2, 2, 1)}" in msg


def test_wrong_number_of_inputs_refused(seed_functional):
    with pytest.raises(ValueError, match="got a sample of 1 array") as e:
        activation_stats(seed_functional, [np.zeros((2, 100), "int32")])
    msg = str(e.value)
    assert "a sample of 1 array for a model with 2 inputs" in msg
    assert "Expected: {'main_input': (None, 100), 'aux_input': (None, 5)}" in msg
    assert "Received: sample of shapes [(2, 100)]" in msg
    with pytest.raises(ValueError, match="one array for a model with 2 inputs"):
        activation_stats(seed_functional, np.zeros((2, 100), "int32"))


def test_dict_sample_missing_or_unknown_key_refused(seed_functional):
    with pytest.raises(ValueError, match="got a sample dict") as e:
        activation_stats(
            seed_functional,
            {"main_input": np.zeros((2, 100), "int32"), "aux": np.zeros((2, 5))},
        )
    msg = str(e.value)
    assert "no array for input 'aux_input'" in msg
    assert "unknown key 'aux'" in msg
    assert "Received: sample={'main_input': (2, 100), 'aux': (2, 5)}" in msg


def test_different_batch_sizes_refused(seed_functional):
    with pytest.raises(ValueError, match=r"different batch sizes \(\[2, 3\]\)"):
        activation_stats(
            seed_functional, [np.zeros((2, 100), "int32"), np.zeros((3, 5), "float32")]
        )


def test_unbuilt_sequential_refused(keras):
    with pytest.raises(ValueError, match=r"needs a built model.*keras\.Input"):
        activation_stats(keras.Sequential([keras.layers.Dense(2)]))


def test_layer_refused(keras):
    with pytest.raises(TypeError, match=r"pass a `keras\.Model`"):
        activation_stats(keras.layers.Dense(2))
    with pytest.raises(TypeError, match=r"activation_stats\(\) expects a Keras 3"):
        activation_stats("model")


# ---- the model is unchanged ---------------------------------------------------------
def test_weights_and_graph_unchanged(keras):
    x = keras.Input((6,), name="x")
    h = keras.layers.Dense(6, name="d")(x)
    h = keras.layers.BatchNormalization(name="bn")(h)
    h = keras.layers.Dropout(0.5, name="drop")(h)
    model = keras.Model(x, keras.layers.Dense(1, name="out")(h))
    before = variables(model)
    nodes = {layer.name: compat.node_counts(layer) for layer in model.layers}
    uids = compat.name_uids_snapshot()
    sample = np.random.default_rng(3).normal(5.0, 2.0, (8, 6)).astype("float32")
    s = activation_stats(model, sample)
    after = variables(model)
    # 2 + 4 (moving mean and variance too) + Dropout's seed state + 2
    assert len(before) == len(after) == 9
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    assert {layer.name: compat.node_counts(layer) for layer in model.layers} == nodes
    assert compat.name_uids_snapshot() == uids  # no automatic name used up
    # inference mode: Dropout passes its input through
    assert s.node("drop") == {**s.node("bn")}
    expected = keras.ops.convert_to_numpy(model(sample, training=False))
    assert s.node("out")["mean"] == pytest.approx(float(expected.mean()), rel=1e-5)


# ---- keys are graph_of's node ids -------------------------------------------------
def test_nested_keys_match_graph_ids(nested):
    s = activation_stats(nested)
    ids = [n.id for n in graph_of(nested, expand_nested=True).nodes]
    assert list(s.nodes) == ids
    assert "mid/deep/deep_dense" in s.nodes
    # one tensor seen from both sides of a nested model's boundary
    inner = s.node("mid/deep/deep_dense")
    assert s.node("mid/deep") == inner
    assert s.node("mid") == inner
    assert s.node("tail/tail_in") == inner
    assert s.node("mid/mid_in") == s.node("outer_in")
    assert s.node("deep_dense") == inner  # a unique name finds its node
    assert s.note is None
    # the values are the model's: the nested Dense computed by hand
    sample = np.arange(12, dtype="float32").reshape(2, 6) / 10
    s = activation_stats(nested, sample)
    mid_dense = nested.get_layer("mid").get_layer("mid_dense")
    kernel, bias = (np.asarray(w) for w in mid_dense.get_weights())
    by_hand = sample @ kernel + bias
    got = s.node("mid/mid_dense")
    assert got["mean"] == pytest.approx(float(by_hand.mean()), rel=1e-5, abs=1e-6)
    assert got["max"] == pytest.approx(float(by_hand.max()), rel=1e-5)
    out = keras_numpy(nested(sample, training=False))
    assert s.node("head")["min"] == pytest.approx(float(out.min()), rel=1e-5)


def keras_numpy(x):
    import keras

    return keras.ops.convert_to_numpy(x)


def test_shared_nested_model_inner_layers_per_call(keras):
    inner_in = keras.Input((3,), name="inner_in")
    inner = keras.Model(
        inner_in, keras.layers.Dense(2, name="inner_dense")(inner_in), name="inner"
    )
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    model = keras.Model([a, b], keras.layers.Add(name="add")([inner(a), inner(b)]))
    s = activation_stats(model, [np.ones((1, 3), "float32"), -np.ones((1, 3))])
    assert list(s.nodes) == [n.id for n in graph_of(model, expand_nested=True).nodes]
    dense = s.node("inner/inner_dense")
    assert [(e["call"], e["output"]) for e in dense["outputs"]] == [(0, 0), (1, 0)]
    first, second = dense["outputs"]
    # Dense(x) + Dense(-x) = 2 * bias; the bias starts at zero
    assert first["mean"] == pytest.approx(-second["mean"], abs=1e-6)
    assert s.node("add")["max"] == pytest.approx(0.0, abs=1e-6)


def test_several_inputs_and_outputs(keras, seed_functional):
    rng = np.random.default_rng(7)
    tokens = rng.integers(0, 10000, (3, 100)).astype("int32")
    aux = rng.normal(size=(3, 5)).astype("float32")
    by_list = activation_stats(seed_functional, [tokens, aux])
    by_dict = activation_stats(
        seed_functional, {"aux_input": aux, "main_input": tokens}
    )
    assert by_list.nodes == by_dict.nodes
    assert by_list.sample == {
        "random": False,
        "seed": None,
        "inputs": {"main_input": [3, 100], "aux_input": [3, 5]},
    }
    main, aux_out = (
        keras_numpy(o) for o in seed_functional([tokens, aux], training=False)
    )
    for name, want in (("main_output", main), ("aux_output", aux_out)):
        got = by_list.node(name)
        assert got["shape"] == [3, 1]
        assert got["mean"] == pytest.approx(float(want.mean()), rel=1e-5)
        assert got["min"] == pytest.approx(float(want.min()), rel=1e-5)
    assert by_list.node("concatenate")["shape"] == [3, 37]
    assert list(by_list.nodes) == [
        n.id for n in graph_of(seed_functional, expand_nested=True).nodes
    ]


def test_layer_with_several_outputs(keras):
    x = keras.Input((4,), name="x")
    split = keras.layers.Lambda(lambda t: [t[:, :1], t[:, 1:]], name="split")
    first, rest = split(x)
    model = keras.Model(x, [first, rest])
    s = activation_stats(model, np.array([[1.0, 2.0, 3.0, 4.0]], "float32"))
    node = s.node("split")
    assert node["shape"] == [1, 1]  # the first output
    assert node["max"] == 1.0
    outs = node["outputs"]
    assert [(e["output"], e["shape"], e["mean"]) for e in outs] == [
        (0, [1, 1], 1.0),
        (1, [1, 3], 3.0),
    ]


def test_subclassed_model_outputs_only(keras):
    class TwoDense(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.a = keras.layers.Dense(3, name="a")
            self.b = keras.layers.Dense(1, name="b")

        def call(self, x):
            return self.b(self.a(x))

    model = TwoDense(name="two")
    sample = np.ones((2, 5), "float32")
    want = keras_numpy(model(sample))
    s = activation_stats(model, sample)
    assert "subclassed model" in s.note
    assert "only its outputs" in s.note
    ids = {n.id for n in graph_of(model, expand_nested=True).nodes}
    assert len(s.nodes) == 1
    assert set(s.nodes) <= ids
    (entry,) = s.nodes.values()
    assert entry["shape"] == [2, 1]
    assert entry["mean"] == pytest.approx(float(want.mean()), rel=1e-5)
    # built: its build shape makes a random sample
    assert next(iter(activation_stats(model).nodes.values()))["shape"] == [2, 1]


# ---- output ---------------------------------------------------------------------
def test_to_json_is_strict_json(seed_functional):
    s = activation_stats(seed_functional)
    d = json.loads(json.dumps(s.to_json(), allow_nan=False))
    assert d["version"] == 1
    assert d["model"] == "seed_functional"
    assert d["bins"] == 16
    assert set(d["nodes"]) == set(s.nodes)
    assert (
        d["nodes"]["dense_a"]["histogram"]["counts"]
        == (s.node("dense_a")["histogram"]["counts"])
    )
    assert all(type(v) is float for v in d["nodes"]["lstm"]["histogram"]["edges"])


def test_text_and_html_tables(keras):
    s = activation_stats(known_relu_model(keras), KNOWN_INPUT)
    text = str(s)
    lines = text.splitlines()
    assert lines[0].split() == [
        "node", "shape", "mean", "std", "min", "max", "zeros", "note"
    ]  # fmt: skip
    relu_line = next(line for line in lines if line.startswith("relu"))
    assert relu_line.split() == [
        "relu",
        "(2,",
        "3)",
        "1.167",
        "1.772",
        "0",
        "5",
        "50.0",
        "%",
    ]
    xss = make_fixtures().xss()
    page = activation_stats(xss)._repr_html_()
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<tr>") == 1 + len(graph_of(xss).nodes)


def test_node_lookup_errors(keras, nested):
    s = activation_stats(nested)
    with pytest.raises(KeyError, match="no node with id or name 'nope'"):
        s.node("nope")
    assert isinstance(s, ActivationStats)


def test_exported_lazily():
    assert kerasviz.activation_stats is activation_stats


def test_sequential_keys_include_its_input_layer(keras):
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, activation="relu", name="d")]
    )
    model.get_layer("d").set_weights(
        [np.array([[1, 0], [0, 1], [1, -1]], "float32"), np.zeros(2, "float32")]
    )
    s = activation_stats(model, np.array([[1.0, 2.0, 3.0]], "float32"))
    assert list(s.nodes) == [n.id for n in graph_of(model, expand_nested=True).nodes]
    d = s.node("d")  # relu([4, -1])
    assert (d["min"], d["max"], d["zeros"]) == (0.0, 4.0, 0.5)


def test_traced_custom_layer_gets_its_own_outputs_and_a_note():
    model = make_fixtures().traced()
    s = activation_stats(model)
    graph = graph_of(model, expand_nested=True)
    inner = [n.id for n in graph.nodes if n.parent == "block"]
    assert inner  # kerasviz shows its wiring ...
    assert not set(inner) & set(s.nodes)  # ... which is not the model's to run
    assert s.node("block")["shape"] == [2, 4]
    assert "Only the outputs of block, picky" in s.note


def test_kerashub_backbone_dict_inputs():
    keras_hub = optional_import("keras_hub")
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=50,
        num_layers=1,
        num_heads=2,
        hidden_dim=8,
        intermediate_dim=16,
        max_sequence_length=12,
    )
    with pytest.raises(ValueError, match="cannot make a random sample") as e:
        activation_stats(backbone)
    assert "inputs 'padding_mask' (None, None), 'segment_ids'" in str(e.value)
    ids = np.arange(24, dtype="int32").reshape(2, 12) % 50
    s = activation_stats(
        backbone,
        {
            "token_ids": ids,
            "segment_ids": np.zeros((2, 12), "int32"),
            "padding_mask": np.ones((2, 12), "int32"),
        },
    )
    assert list(s.nodes) == [
        n.id for n in graph_of(backbone, expand_nested=True).nodes if n.parent is None
    ]
    assert s.node("token_ids")["max"] == 23.0
    assert s.node("transformer_layer_0")["shape"] == [2, 12, 8]
    assert "transformer_layer_0" in s.note
