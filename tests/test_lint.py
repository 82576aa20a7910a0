"""kerasviz.lint: each rule fires on a model with the problem and not on its fixed twin;
clean models (keras.applications, the seed two-input model, KerasHub) give nothing."""

from __future__ import annotations

import warnings

import pytest

from kerasviz.graph import graph_of
from kerasviz.lint import Finding, Findings, lint

from ._fixtures import make_fixtures
from .conftest import optional_import


def codes(findings: Findings) -> list[str]:
    return [f.code for f in findings]


def only(findings: Findings, code: str) -> Finding:
    """The one finding with ``code`` (and check there is exactly one)."""
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, findings.to_json()
    return hits[0]


def assert_node_ids(model, findings: Findings) -> None:
    """Every finding's layer is a node id of graph_of(model, expand_nested=True)."""
    ids = {n.id for n in graph_of(model, expand_nested=True).nodes}
    for f in findings:
        assert f.layer is None or f.layer in ids, (f.layer, sorted(ids))


def sequential(keras, *layers, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # input_shape= is deprecated
        return keras.Sequential(list(layers), **kw)


# ---- batch-dim-in-shape / input-shape-arg ----------------------------------------
def test_seed_sequential_batch_dim_given_twice(seed_sequential):
    found = lint(seed_sequential)
    assert sorted(codes(found)) == ["batch-dim-in-shape", "input-shape-arg"]
    batch = only(found, "batch-dim-in-shape")
    assert batch.severity == "warning"
    # where the user wrote input_shape=(None, 128) (its automatic name depends on
    # what ran before: the fixture's first layer)
    first = seed_sequential.layers[0].name
    assert batch.layer == first
    assert "(None, None, 128)" in batch.message
    assert "input_shape=(None, 128)" in batch.message
    assert "(None, None, 2)" in batch.message  # the 3-D output it leads to
    assert "keras.Input(shape=(128,))" in batch.fix
    arg = only(found, "input-shape-arg")
    assert arg.layer == first
    # The fix gives the corrected shape, and the layer's own arguments.
    assert "keras.Input(shape=(128,))" in arg.fix
    assert 'keras.layers.Dense(units=32, activation="relu")' in arg.fix
    assert_node_ids(seed_sequential, found)


def test_seed_sequential_fixed_twin_is_clean(keras):
    m = keras.Sequential(
        [
            keras.Input(shape=(128,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    assert lint(m) == []


def test_functional_input_with_batch_dim(keras):
    x = keras.Input(shape=(None, 784), name="pixels")
    h = keras.layers.Dense(64, activation="relu", name="hidden")(x)
    h = keras.layers.Dropout(0.2)(h)
    out = keras.layers.Dense(10, activation="softmax", name="probs")(h)
    f = only(lint(keras.Model(x, out)), "batch-dim-in-shape")
    assert f.layer == "pixels"
    assert "`pixels`" in f.message
    assert "(None, None, 784)" in f.message
    assert "keras.Input(shape=(784,))" in f.fix
    x = keras.Input(shape=(784,), name="pixels")
    out = keras.layers.Dense(10, activation="softmax")(keras.layers.Dense(64)(x))
    assert lint(keras.Model(x, out)) == []


def test_sequence_inputs_with_leading_none_are_not_flagged(keras):
    layers = keras.layers
    tokens = keras.Input(shape=(None,), dtype="int32")
    h = layers.LSTM(8)(layers.Embedding(100, 8)(tokens))
    token_model = keras.Model(tokens, layers.Dense(1, activation="sigmoid")(h))
    feats = keras.Input(shape=(None, 8))
    h = layers.Dense(4)(feats)  # position-wise first, then read as a sequence
    rnn_model = keras.Model(feats, layers.Dense(2)(layers.GRU(4)(h)))
    conv = sequential(
        keras,
        keras.Input(shape=(None, 16)),
        layers.Conv1D(4, 3),
        layers.GlobalMaxPooling1D(),
        layers.Dense(1),
    )
    images = sequential(
        keras,
        keras.Input(shape=(None, None, 3)),
        layers.Conv2D(4, 3),
        layers.GlobalAveragePooling2D(),
        layers.Dense(1),
    )
    for m in (token_model, rnn_model, conv, images):
        assert lint(m) == [], m.name
    # The classic Keras 2 style on an LSTM: input_shape=(None, 8) is a real sequence
    # axis; only the deprecated argument is reported.
    lstm = sequential(keras, layers.LSTM(4, input_shape=(None, 8)), layers.Dense(1))
    assert codes(lint(lstm)) == ["input-shape-arg"]


def test_input_shape_arg(keras):
    layers = keras.layers
    m = sequential(keras, layers.Dense(4, input_shape=(8,)), layers.Dense(1))
    f = only(lint(m), "input-shape-arg")
    assert f.layer == m.layers[0].name
    assert "uses it to create the model's input" in f.message
    assert f"`{f.layer}`" in f.message
    assert "input_shape=(8,)" in f.message
    assert "keras.Input(shape=(8,))" in f.fix
    # input_dim= is the same argument.
    m = sequential(keras, layers.Dense(4, input_dim=6, name="d6"))
    f = only(lint(m), "input-shape-arg")
    assert (f.layer, "input_shape=(6,)" in f.message) == ("d6", True)
    # On a later layer Keras ignores it: said so.
    m = sequential(
        keras, keras.Input((8,)), layers.Dense(4, input_shape=(3,), name="late")
    )
    f = only(lint(m), "input-shape-arg")
    assert f.layer == "late"
    assert "ignores" in f.message
    # In a nested Sequential: Keras made that Sequential's input from it.
    inner = sequential(keras, layers.Dense(4, input_shape=(8,), name="d"), name="sub")
    x = keras.Input((8,))
    f = only(lint(keras.Model(x, inner(x))), "input-shape-arg")
    assert f.layer == "sub/d"
    assert "uses it to create" in f.message
    fixed = keras.Sequential([keras.Input((8,)), layers.Dense(4), layers.Dense(1)])
    assert lint(fixed) == []


# ---- activations and losses ----------------------------------------------------------
def test_softmax_one_unit(keras):
    layers = keras.layers
    m = keras.Sequential(
        [keras.Input((8,)), layers.Dense(1, activation="softmax", name="out")]
    )
    f = only(lint(m), "softmax-one-unit")
    assert (f.severity, f.layer) == ("error", "out")
    assert "`out`" in f.message
    assert "(None, 1)" in f.message
    assert 'keras.layers.Dense(units=1, activation="sigmoid")' in f.fix
    # A separate Softmax / Activation layer after a 1-unit Dense: the same.
    for act in (layers.Softmax(name="sm"), layers.Activation("softmax", name="sm")):
        m = keras.Sequential([keras.Input((8,)), layers.Dense(1), act])
        assert only(lint(m), "softmax-one-unit").layer == "sm"
    fixed = keras.Sequential([keras.Input((8,)), layers.Dense(1, activation="sigmoid")])
    assert lint(fixed) == []


def classifier(keras, units, activation, loss, *, separate=False):
    layers = keras.layers
    x = keras.Input((8,))
    h = layers.Dense(16, activation="relu")(x)
    if separate:
        out = layers.Activation(activation, name="out")(layers.Dense(units)(h))
    else:
        out = layers.Dense(units, activation=activation, name="out")(h)
    m = keras.Model(x, out)
    m.compile(optimizer="adam", loss=loss)
    return m


@pytest.mark.parametrize(
    "loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"]
)
def test_sigmoid_with_categorical_loss(keras, loss):
    f = only(lint(classifier(keras, 3, "sigmoid", loss)), "sigmoid-categorical-loss")
    assert f.layer == "out"
    assert "`out`" in f.message
    assert "3 units" in f.message
    assert loss in f.message
    assert 'activation="softmax"' in f.fix
    assert lint(classifier(keras, 3, "softmax", loss)) == []
    # Multi-label: sigmoid with binary cross-entropy is right.
    assert lint(classifier(keras, 3, "sigmoid", "binary_crossentropy")) == []


def test_softmax_with_from_logits(keras):
    losses = keras.losses
    bad = losses.CategoricalCrossentropy(from_logits=True)
    f = only(lint(classifier(keras, 3, "softmax", bad)), "softmax-from-logits")
    assert (f.severity, f.layer) == ("error", "out")
    assert "from_logits=True" in f.message
    assert "`out`" in f.message
    assert 'keras.layers.Dense(units=3, activation="linear")' in f.fix
    assert "CategoricalCrossentropy(from_logits=False)" in f.fix
    # The softmax as its own layer; the fix is to remove that layer.
    m = classifier(keras, 3, "softmax", bad, separate=True)
    f = only(lint(m), "softmax-from-logits")
    assert f.layer == "out"
    assert "remove the `out` layer" in f.fix
    # Sparse, and a sigmoid output with from_logits=True.
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert codes(lint(classifier(keras, 3, "softmax", sparse))) == [
        "softmax-from-logits"
    ]
    bce = losses.BinaryCrossentropy(from_logits=True)
    f = only(lint(classifier(keras, 1, "sigmoid", bce)), "sigmoid-from-logits")
    assert f.layer == "out"
    # Fixed twins: logits out with from_logits=True, or probabilities without it.
    assert lint(classifier(keras, 3, None, bad)) == []
    good = losses.CategoricalCrossentropy(from_logits=False)
    assert lint(classifier(keras, 3, "softmax", good)) == []


def test_bce_on_softmax(keras):
    for loss in ("binary_crossentropy", keras.losses.BinaryCrossentropy()):
        f = only(lint(classifier(keras, 4, "softmax", loss)), "bce-on-softmax")
        assert f.layer == "out"
        assert "4 units" in f.message
        assert "(None, 4)" in f.message
        assert "categorical_crossentropy" in f.fix
    assert lint(classifier(keras, 4, "softmax", "categorical_crossentropy")) == []


def test_losses_per_output_dict_and_list(keras):
    layers = keras.layers
    x = keras.Input((8,))
    a = layers.Dense(3, activation="softmax", name="a")(x)
    b = layers.Dense(3, activation="softmax", name="b")(x)
    m = keras.Model(x, [a, b])
    m.compile(
        loss={
            "a": "categorical_crossentropy",
            "b": keras.losses.CategoricalCrossentropy(from_logits=True),
        }
    )
    assert [(f.code, f.layer) for f in lint(m)] == [("softmax-from-logits", "b")]
    m.compile(loss=["binary_crossentropy", "categorical_crossentropy"])
    assert [(f.code, f.layer) for f in lint(m)] == [("bce-on-softmax", "a")]
    m.compile(loss=keras.losses.categorical_crossentropy)  # a function, both outputs
    assert lint(m) == []


# ---- wiring ------------------------------------------------------------------------
def test_unused_input(keras):
    layers = keras.layers
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    m = keras.Model([a, b], layers.Dense(1)(a))
    f = only(lint(m), "unused-input")
    assert f.layer == "b"
    assert "`b`" in f.message
    assert "(None, 3)" in f.message
    assert "concatenate" in f.fix
    fixed = keras.Model([a, b], layers.Dense(1)(layers.concatenate([a, b])))
    assert lint(fixed) == []


def two_headed_encoder(keras):
    layers = keras.layers
    i = keras.Input((8,), name="enc_in")
    h = layers.Dense(8, activation="relu", name="trunk")(i)
    head_a = layers.Dense(4, name="head_a")(h)
    head_b = layers.Dense(2, name="head_b")(layers.Dense(6, name="pre_b")(h))
    return keras.Model(i, [head_a, head_b], name="enc")


def test_dead_layer_is_an_unused_output_of_a_nested_model(keras):
    enc = two_headed_encoder(keras)
    x = keras.Input((8,), name="x")
    ya, _ = enc(x)
    m = keras.Model(x, keras.layers.Dense(1, name="score")(ya))
    found = lint(m)
    f = only(found, "dead-layer")
    assert f.layer == "enc/head_b"
    assert "`enc/head_b`" in f.message
    assert "(None, 2)" in f.message
    assert "`enc/pre_b`, which only it uses" in f.message
    assert "nested model `enc`" in f.message
    assert codes(found) == ["dead-layer"]
    assert_node_ids(m, found)
    # Both outputs used: nothing is wasted.
    x = keras.Input((8,), name="x")
    ya, yb = enc(x)
    both = keras.Model(x, keras.layers.concatenate([ya, yb]))
    assert lint(both) == []


def test_noise_at_output(keras):
    layers = keras.layers
    m = keras.Sequential([keras.Input((8,)), layers.Dense(3), layers.Dropout(0.5)])
    f = only(lint(m), "noise-at-output")
    assert f.layer == m.layers[-1].name
    assert f"`{f.layer}` is a model output" in f.message
    m = keras.Sequential(
        [
            keras.Input((8,)),
            layers.Dense(3),
            layers.GaussianNoise(0.1, name="noise"),
            layers.Activation("softmax", name="act"),
        ]
    )
    f = only(lint(m), "noise-at-output")
    assert f.layer == "noise"
    assert "feeds the model output `act`:" in f.message
    m = keras.Sequential(
        [
            keras.Input((8,)),
            layers.Dense(4),
            layers.Dropout(0.5, name="drop"),
            layers.Reshape((2, 2), name="r"),
            layers.Activation("sigmoid", name="act"),
        ]
    )
    f = only(lint(m), "noise-at-output")
    assert f.layer == "drop"
    assert "feeds the model output `act` through `r`:" in f.message
    # Dropout before the last Dense (the usual classifier head) is fine.
    fixed = keras.Sequential(
        [keras.Input((8,)), layers.Dense(3), layers.Dropout(0.5), layers.Dense(2)]
    )
    assert lint(fixed) == []


def test_confusable_names(keras):
    layers = keras.layers
    x = keras.Input((4,), name="x")
    h = layers.Dense(4, name="Dense_1")(x)
    h = layers.Dense(4, name="dense_1")(h)
    h = layers.Dense(4, name="my layer")(h)
    h = layers.Dense(4, name="my-Layer")(h)
    found = lint(keras.Model(x, layers.Dense(1, name="out")(h)))
    assert codes(found) == ["confusable-names", "confusable-names"]
    assert {f.severity for f in found} == {"info"}
    assert "`Dense_1`, `dense_1`" in found[0].message
    assert "`my layer`, `my-Layer`" in found[1].message
    assert [f.layer for f in found] == ["Dense_1", "my layer"]
    # Keras's own suffixes, and names that differ in more than separators.
    x = keras.Input((4,))
    h = x
    for name in (None, None, None, "block1", "block_1_1", "block11"):
        h = layers.Dense(4, name=name)(h)
    assert lint(keras.Model(x, h)) == []


# ---- clean models give nothing ----------------------------------------------------
APPLICATIONS = [
    pytest.param("MobileNetV2", {"input_shape": (96, 96, 3)}, id="MobileNetV2"),
    pytest.param("EfficientNetB0", {}, id="EfficientNetB0"),
    pytest.param("DenseNet121", {}, id="DenseNet121", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("name", "kwargs"), APPLICATIONS)
def test_applications_are_clean(keras, name, kwargs):
    m = getattr(keras.applications, name)(weights=None, **kwargs)
    m.compile(loss="categorical_crossentropy")  # softmax top, categorical loss
    assert lint(m) == []


def test_resnet50_is_clean(resnet50):
    assert lint(resnet50) == []


def test_seed_functional_is_clean(keras):
    m = make_fixtures().seed()
    m.compile(optimizer="rmsprop", loss="binary_crossentropy")
    assert lint(m) == []


def test_kerashub_backbone_is_clean():
    keras_hub = optional_import("keras_hub")
    m = keras_hub.models.BertBackbone(
        vocabulary_size=100,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=32,
    )
    assert lint(m) == []


def test_models_without_a_graph_do_not_crash(keras):
    assert lint(keras.layers.Dense(3)) == []
    assert lint(keras.Sequential([keras.layers.Dense(3)])) == []  # not built


# ---- output --------------------------------------------------------------------------
def test_html_escapes_everything(keras):
    name = "<img src=x onerror=alert(1)>"
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.1, name=name)])
    found = lint(m)
    assert only(found, "noise-at-output").layer == name
    page = found._repr_html_()
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<tr>") == 2  # header and one finding
    assert "<th>severity</th>" in page
    assert "No findings" in Findings()._repr_html_()


def test_text_and_json(seed_sequential):
    found = lint(seed_sequential)
    text = str(found)
    assert text.splitlines()[0].split() == [
        "severity",
        "layer",
        "code",
        "message",
        "/",
        "fix",
    ]
    assert "batch-dim-in-shape" in text
    assert "fix: " in text
    assert str(Findings()) == "No findings"
    data = found.to_json()
    assert data[0] == {
        "code": "batch-dim-in-shape",
        "severity": "warning",
        "layer": seed_sequential.layers[0].name,
        "message": found[0].message,
        "fix": found[0].fix,
    }
    import json

    assert json.loads(json.dumps(data)) == data


def test_errors_sort_first(keras):
    layers = keras.layers
    m = keras.Sequential(
        [keras.Input((8,)), layers.Dense(1, activation="softmax"), layers.Dropout(0.1)]
    )
    assert codes(lint(m)) == ["softmax-one-unit", "noise-at-output"]


@pytest.mark.parametrize("bad", ["model", None, 3])
def test_bad_input(bad):
    with pytest.raises(TypeError, match=r"lint\(\) expects a Keras 3 model") as e:
        lint(bad)
    assert f"Received: model={bad!r}" in str(e.value)
