"""to_code round trips over a zoo, NotSequentialError, and check_equivalent."""

from __future__ import annotations

import pytest

import kerasviz
from kerasviz.codegen import (
    NotSequentialError,
    check_equivalent,
    sequential_reasons,
    to_code,
)


def rebuild(model, api):
    code = to_code(model, api)
    ns: dict = {}
    exec(compile(code, f"<to_code {api}>", "exec"), ns)
    return ns["model"], code


# ---- the zoo ---------------------------------------------------------------------
def mlp(keras):
    return keras.Sequential(
        [
            keras.Input((20,), name="features"),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(3, activation="softmax"),
        ],
        name="mlp",
    )


def cnn(keras):
    L = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            L.Conv2D(8, 3, padding="same", activation="relu"),
            L.BatchNormalization(),
            L.MaxPooling2D(),
            L.Conv2D(4, (3, 3), strides=2),
            L.Flatten(),
            L.Dense(10, kernel_regularizer=keras.regularizers.L2(1e-3)),
        ],
        name="cnn",
    )


def ops_model(keras):
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    s = a + b
    m = keras.ops.mean(s * 2.0, axis=1, keepdims=True)
    return keras.Model([a, b], keras.layers.Dense(1, name="out")(m), name="ops_model")


def lstm_states(keras):
    seq = keras.Input((5, 3), name="seq")
    out, h, c = keras.layers.LSTM(4, return_state=True, name="lstm_s")(seq)
    y = keras.layers.Concatenate(name="cat")([out, h, c])
    return keras.Model(seq, [y, c], name="states")


ZOO = [
    "seed_sequential",
    "seed_functional",
    "mlp",
    "cnn",
    "siamese",
    "nested",
    "ops_model",
    "lstm_states",
    "MobileNetV2",
    "ResNet50",
    "DenseNet121",
]
SEQUENTIAL_OK = {"seed_sequential", "mlp", "cnn", "nested"}  # nested is a chain


@pytest.fixture(scope="module")
def zoo(keras, request):
    cache = {}

    def get(name):
        if name not in cache:
            if name == "ResNet50":  # built once per session (conftest)
                cache[name] = request.getfixturevalue("resnet50")
            elif name in ("MobileNetV2", "DenseNet121"):
                cache[name] = getattr(keras.applications, name)(weights=None)
            elif name in globals():
                cache[name] = globals()[name](keras)
            else:
                cache[name] = request.getfixturevalue(name)
        return cache[name]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("name", ZOO)
def test_functional_round_trip(zoo, name):
    model = zoo(name)
    rebuilt, code = rebuild(model, "functional")
    report = check_equivalent(model, rebuilt)
    assert report.equivalent, f"{report.summary}\n{code}"
    assert "keras.Model(inputs=" in code


@pytest.mark.parametrize("name", ZOO)
def test_sequential_round_trip_or_reasons(zoo, name):
    model = zoo(name)
    if name not in SEQUENTIAL_OK:
        with pytest.raises(NotSequentialError) as info:
            to_code(model, "sequential")
        assert info.value.reasons == sequential_reasons(model)
        assert info.value.reasons
        return
    seq, code = rebuild(model, "sequential")
    assert "keras.Sequential(" in code
    assert check_equivalent(model, seq).equivalent
    func, _ = rebuild(model, "functional")
    assert check_equivalent(seq, func).equivalent  # the two forms agree


def test_code_reads_like_keras(seed_functional):
    code = to_code(seed_functional)
    assert "layers.Embedding(10000, 512, name='embedding')(main_input)" in code
    assert "layers.LSTM(32, name='lstm')(embedding)" in code  # no training=/mask=
    assert "keras.Input(shape=(100,), dtype='int32', name='main_input')" in code
    assert "layers.Dense(64, activation='relu', name='dense_a')(concatenate)" in code
    assert "kernel_initializer" not in code  # defaults left out
    assert code.rstrip().endswith("name='seed_functional')")


def test_shared_layer_is_one_instance_called_twice(siamese):
    code = to_code(siamese)
    assert code.count("layers.Dense(4, name='encoder')") == 1
    assert "encoder_out = encoder(left)" in code
    assert "encoder_out_2 = encoder(right)" in code


def test_nested_models_defined_first(nested):
    code = to_code(nested)
    assert (
        code.index("name='deep'")
        < code.index("name='mid'")
        < code.index("name='outer'")
    )
    assert "tail = keras.Sequential(" in code


def test_ops_are_keras_ops_calls(keras):
    import re

    code = to_code(ops_model(keras))
    assert re.search(r"^add\w* = keras\.ops\.add\(a, b\)$", code, re.M)
    assert re.search(r"= keras\.ops\.multiply\(add\w*, 2\.0\)$", code, re.M)
    assert re.search(
        r"= keras\.ops\.mean\(multiply\w*, axis=1, keepdims=True\)$", code, re.M
    )


def test_seed_reasons_name_inputs_outputs_and_merge(seed_functional):
    with pytest.raises(NotSequentialError) as info:
        to_code(seed_functional, "sequential")
    reasons = info.value.reasons
    assert "more than one input: 'main_input', 'aux_input'" in reasons
    assert "more than one output: 'main_output', 'aux_output'" in reasons
    assert (
        "a merge: 'concatenate' (Concatenate) takes 2 tensors, from 'lstm', 'aux_input'"
    ) in reasons
    assert "a branch: 'lstm' feeds aux_output, concatenate" in reasons or (
        "a branch: 'lstm' feeds concatenate, aux_output" in reasons
    )
    assert "Use the Functional API" in str(info.value)


def test_other_reasons(siamese, keras):
    r = sequential_reasons(siamese)
    assert "a shared layer: 'encoder' is called 2 times" in r
    r = sequential_reasons(ops_model(keras))
    assert any(x.startswith("a non-layer op: 'add") and "(Add)" in x for x in r)
    r = sequential_reasons(lstm_states(keras))
    assert "a layer with several outputs: 'lstm_s' (LSTM) returns 3 tensors" in r


# ---- check_equivalent finds differences -----------------------------------------------
def two_dense(keras, units=8, activation="relu", skip=False):
    inp = keras.Input((4,), name="x")
    h = keras.layers.Dense(units, activation=activation, name="h")(inp)
    out = keras.layers.Dense(2, name="y")(h)
    if skip:
        out = keras.layers.Dense(2, name="y")(inp)
    return keras.Model(inp, out)


def test_detects_a_unit_count(keras):
    r = check_equivalent(two_dense(keras), two_dense(keras, units=9))
    assert not r.equivalent
    assert "'h' vs 'h': units differs (8 vs 9)" in r.differences
    assert any("params differ" in d for d in r.differences)


def test_detects_an_activation(keras):
    r = check_equivalent(two_dense(keras), two_dense(keras, activation="tanh"))
    assert r.differences == ["'h' vs 'h': activation differs ('relu' vs 'tanh')"]
    assert "Not equivalent." in r.summary


def test_detects_wiring(keras):
    r = check_equivalent(two_dense(keras), two_dense(keras, skip=True))
    assert not r.equivalent
    assert any(
        d.startswith("wiring differs") or "no counterpart" in d for d in r.differences
    )


def test_report_html_is_escaped(keras):
    inp = keras.Input((2,), name="i")
    a = keras.Model(inp, keras.layers.Dense(1, name="d<script>")(inp))
    inp2 = keras.Input((2,), name="i")
    b = keras.Model(inp2, keras.layers.Dense(2, name="d<script>")(inp2))
    html = check_equivalent(a, b)._repr_html_()
    assert "<script>" not in html
    assert "d&lt;script&gt;" in html


def test_b_is_left_untouched(keras):
    a, b = two_dense(keras), two_dense(keras)
    before = [w.copy() for w in b.get_weights()]
    assert check_equivalent(a, b).equivalent
    after = b.get_weights()
    assert all((x == y).all() for x, y in zip(before, after, strict=True))


# ---- bad input ------------------------------------------------------------------------
def test_bad_input(keras):
    with pytest.raises(TypeError, match="Received: model=42"):
        to_code(42)
    with pytest.raises(ValueError, match="not built yet"):
        to_code(keras.Sequential([keras.layers.Dense(2)]))

    class Sub(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="cannot read a subclassed model"):
        to_code(Sub())
    with pytest.raises(TypeError, match="not a single layer"):
        to_code(keras.layers.Dense(2))
    with pytest.raises(ValueError, match="Received: api='graph'"):
        to_code(mlp(keras), "graph")
    with pytest.raises(ValueError, match="not built yet"):
        check_equivalent(mlp(keras), keras.Sequential([keras.layers.Dense(2)]))


def test_public_names():
    assert kerasviz.to_code is not None
    assert issubclass(kerasviz.NotSequentialError, ValueError)
    assert kerasviz.check_equivalent is not None


def _scale_class():
    import keras

    class Scale(keras.layers.Layer):
        """A custom layer, importable from this module."""

        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    Scale.__module__ = __name__
    Scale.__qualname__ = "Scale"
    return Scale


Scale = None  # set at first use, so importing this module does not import Keras


def test_custom_layer_is_imported_by_path(keras):
    global Scale
    Scale = Scale or _scale_class()
    inp = keras.Input((3,), name="x")
    m = keras.Model(inp, Scale(factor=3.0, name="scale")(inp), name="custom")
    code = to_code(m)
    assert f"from {__name__} import Scale  # custom layer class" in code
    # no class defaults are known for user code: its whole config is written out
    assert "Scale(trainable=True, dtype='float32', factor=3.0, name='scale')(x)" in code
    rebuilt, _ = rebuild(m, "functional")
    assert check_equivalent(m, rebuilt).equivalent
