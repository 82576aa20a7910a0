"""kerasviz.construction.explain: real Keras 3 failures explained, with fixes."""

from __future__ import annotations

import json
import warnings

import keras
import pytest
from keras import layers

from kerasviz.construction.explain import ExplainedError, check_call, explain


def _raises(f, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            f(*args, **kwargs)
        except Exception as e:
            return e
    raise AssertionError("expected an error")


def _call(layer, inputs, code=None, line=3):
    return explain(
        _raises(layer, inputs), layer=layer, inputs=inputs, code=code, line=line
    )


def _run(code, ns=None):
    ns = {} if ns is None else ns
    return _raises(exec, code, ns)


# ---- 1. batch dimension in shape ---------------------------------------------------
def test_batch_dim_in_input_shape():
    x = keras.Input(shape=(None, 28, 28, 1))
    conv = layers.Conv2D(8, 3)
    e = _call(conv, x, code="x = layers.Conv2D(8, 3)(x)")
    assert e.kind == "batch-dim-in-shape"
    assert conv.name in e.message
    assert "Conv2D" in e.message
    assert "(None, None, 28, 28, 1)" in e.message
    assert "shape=(28, 28, 1)" in e.hint
    assert e.fix is None  # the line does not contain the shape
    assert e.error.startswith("ValueError: Kernel shape must have the same length")


def test_batch_dim_in_input_shape_line_rewritten():
    code = (
        "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(None, 28, 28, 1))])"
    )
    exc = _run(code, {"keras": keras, "layers": layers})
    e = explain(exc, code=code, line=1)
    assert e.kind == "batch-dim-in-shape"
    assert e.fix == (
        "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1))])"
    )


def test_batch_dim_dense_input_shape_in_sequential():
    code = "    m = keras.Sequential([layers.Dense(32, input_shape=(None, 128)), layers.RepeatVector(3)])"
    exc = _run(code.strip(), {"keras": keras, "layers": layers})
    e = explain(exc, code=code, line=2)
    assert e.kind == "batch-dim-in-shape"
    assert "repeat_vector" in e.message
    assert "(None, None, 32)" in e.message
    assert e.fix == (
        "    m = keras.Sequential([layers.Dense(32, input_shape=(128,)), layers.RepeatVector(3)])"
    )


def test_batch_dim_found_from_the_input_layer():
    # Sequential built: the failing layer's input comes from Input(shape=(None, 128))
    x = keras.Input(shape=(None, 128))
    h = layers.Dense(32)(x)
    rep = layers.RepeatVector(3)
    e = _call(rep, h, code="y = layers.RepeatVector(3)(h)")
    assert e.kind == "batch-dim-in-shape"
    assert x._keras_history[0].name in e.message
    assert "shape=(128,)" in e.hint


# ---- 2. wrong rank -------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "shape", "takes", "hint_part"),
    [
        (
            lambda: layers.Conv2D(8, 3),
            (784,),
            "(batch, height, width, channels)",
            "Reshape((28, 28, 1))",
        ),
        (lambda: layers.LSTM(8), (32,), "(batch, timesteps, features)", "Embedding("),
        (
            lambda: layers.MaxPooling2D(),
            (10, 3),
            "(batch, height, width, channels)",
            "MaxPooling1D",
        ),
        (
            lambda: layers.Conv1D(4, 3),
            (10,),
            "(batch, steps, channels)",
            "Reshape((10, 1))",
        ),
        (
            lambda: layers.LSTM(4),
            (4, 4, 3),
            "(batch, timesteps, features)",
            "Reshape((4, 12))",
        ),
    ],
)
def test_wrong_rank(make, shape, takes, hint_part):
    layer = make()
    x = keras.Input(shape=shape)
    e = _call(layer, x, code="y = layer(x)")
    assert e.kind == "wrong-rank"
    assert layer.name in e.message
    assert type(layer).__name__ in e.message
    assert takes in e.message
    assert str((None, *shape)) in e.message
    assert hint_part in e.hint


def test_dense_rank_one():
    x = keras.Input(batch_shape=(32,))
    d = layers.Dense(8)
    e = _call(d, x)
    assert e.kind == "wrong-rank"
    assert "(32,)" in e.message
    assert "at least rank 2" in e.message
    assert "keras.Input(shape=(32,))" in e.hint


# ---- 3. merges -----------------------------------------------------------------
def test_concatenate_mismatch():
    a, b = keras.Input(shape=(4, 8)), keras.Input(shape=(5, 8))
    exc = _raises(layers.concatenate, [a, b])
    e = explain(exc, layer=None, inputs=[a, b], code="c = layers.concatenate([a, b])")
    assert e.kind == "merge-shapes"
    assert "(None, 4, 8)" in e.message
    assert "(None, 5, 8)" in e.message
    assert "axis 1 (4 vs 5)" in e.message
    assert e.fix == "c = layers.concatenate([a, b], axis=1)"


def test_concatenate_layer_mismatch_named():
    a, b = keras.Input(shape=(4, 8)), keras.Input(shape=(5, 8))
    cat = layers.Concatenate()
    e = _call(cat, [a, b], code="c = layers.Concatenate()([a, b])")
    assert e.kind == "merge-shapes"
    assert cat.name in e.message
    assert "axis -1" in e.message
    assert e.fix == "c = layers.Concatenate(axis=1)([a, b])"


def test_add_mismatch():
    a, b = keras.Input(shape=(8,)), keras.Input(shape=(16,))
    add = layers.Add()
    e = _call(add, [a, b], code="s = layers.Add()([a, b])")
    assert e.kind == "merge-shapes"
    assert add.name in e.message
    assert "Add" in e.message
    assert "`a` (None, 8)" in e.message
    assert "`b` (None, 16)" in e.message
    assert "Dense(16)" in e.hint
    assert e.fix == "s = layers.Add()([layers.Dense(16)(a), b])"


def test_ops_add_mismatch():
    a, b = keras.Input(shape=(8,)), keras.Input(shape=(16,))
    exc = _raises(keras.ops.add, a, b)
    e = explain(exc, inputs=[a, b])
    assert e.kind == "merge-shapes"
    assert "(None, 8)" in e.message
    assert "(None, 16)" in e.message


# ---- 4. Embedding fed floats ---------------------------------------------------------
def test_embedding_floats():
    x = keras.Input(shape=(5,))
    emb = layers.Embedding(10, 4)
    y = emb(x)  # Keras 3 accepts it: it casts to int32 silently
    assert tuple(y.shape) == (None, 5, 4)
    e = check_call(emb, x, code="y = emb(x)", line=4)
    assert e.kind == "embedding-floats"
    assert emb.name in e.message
    assert "float32" in e.message
    assert "(None, 5)" in e.message
    assert 'dtype="int32"' in e.hint
    assert e.line == 4
    assert check_call(emb, keras.Input(shape=(5,), dtype="int32")) is None
    assert check_call(layers.Dense(3), x) is None
    assert check_call(object(), object()) is None


# ---- 5. a list where one tensor goes -----------------------------------------------
def test_list_input():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    d = layers.Dense(4)
    e = _call(d, [a, b], code="y = layers.Dense(4)([a, b])")
    assert e.kind == "list-input"
    assert d.name in e.message
    assert "`a` (None, 3)" in e.message
    assert "layers.concatenate([a, b])" in e.hint
    assert e.fix == "y = layers.Dense(4)(layers.concatenate([a, b]))"


def test_list_input_bare_names():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    e = _call(layers.Dense(4), [a, b], code="y = Dense(4)([a, b])")
    assert e.fix == "y = Dense(4)(concatenate([a, b]))"
    assert "import `concatenate`" in e.hint


# ---- 6. legacy code: the seed article, line by line ---------------------------------
SEED = """\
from keras.layers import Input, Embedding, LSTM, Dense, merge
from keras.models import Model
main_input = Input(shape=(100,), dtype='int32', name='main_input')
x = Embedding(output_dim=512, input_dim=10000, input_length=100)(main_input)
lstm_out = LSTM(32)(x)
auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
auxiliary_input = Input(shape=(5,), name='aux_input')
x = merge([lstm_out, auxiliary_input], mode='concat')
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
main_output = Dense(1, activation='sigmoid', name='main_output')(x)
model = Model(input=[main_input, auxiliary_input], output=[main_output, auxiliary_output])
"""


def _run_lines(lines):
    """Run lines one by one as a user would; the first failure and its line."""
    ns: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, code in enumerate(lines, 1):
            try:
                exec(code, ns)
            except Exception as e:
                return e, i, code, ns
    return None, None, None, ns


def test_seed_legacy_code_step_by_step():
    lines = SEED.splitlines()
    exc, i, code, _ = _run_lines(lines)
    assert isinstance(exc, ImportError)
    assert i == 1
    e = explain(exc, code=code, line=i)
    assert e.kind == "legacy-merge"
    assert (
        e.fix == "from keras.layers import Input, Embedding, LSTM, Dense, concatenate"
    )

    # the user drops merge from the import: the merge line fails (input_length= on
    # Embedding only warns in Keras 3, it is not an error)
    lines[0] = "from keras.layers import Input, Embedding, LSTM, Dense"
    exc, i, code, _ = _run_lines(lines)
    assert isinstance(exc, NameError)
    assert i == 8
    e = explain(exc, code=code, line=i)
    assert e.kind == "legacy-merge"
    assert e.fix == "x = concatenate([lstm_out, auxiliary_input])"
    assert "from keras.layers import concatenate" in e.hint

    # merge fixed: the Model line fails
    lines[0] = "from keras.layers import Input, Embedding, LSTM, Dense, concatenate"
    lines[7] = e.fix
    exc, i, code, _ = _run_lines(lines)
    assert i == 13
    assert "Unrecognized keyword arguments passed to Model" in str(exc)
    e = explain(exc, code=code, line=i)
    assert e.kind == "legacy-model-args"
    assert e.fix == (
        "model = Model(inputs=[main_input, auxiliary_input], "
        "outputs=[main_output, auxiliary_output])"
    )
    lines[12] = e.fix
    exc, _, _, ns = _run_lines(lines)
    assert exc is None
    assert len(ns["model"].outputs) == 2


def test_embedding_input_length_only_warns():
    with pytest.warns(UserWarning, match="input_length"):
        layers.Embedding(output_dim=512, input_dim=10000, input_length=100)


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        (
            "x = layers.merge([a, b], mode='sum', name='m')",
            "x = layers.add([a, b], name='m')",
        ),
        (
            "x = merge([a, b], mode='concat', concat_axis=1)",
            "x = concatenate([a, b], axis=1)",
        ),
        ("x = merge([a, b])", "x = add([a, b])"),  # Keras 1's default mode was 'sum'
        ("x = merge([a, b], mode='mul')", "x = multiply([a, b])"),
    ],
)
def test_merge_call_rewritten(code, fix):
    exc = _run(code, {"layers": layers, "a": 1, "b": 2})
    e = explain(exc, code=code, line=1)
    assert e.kind == "legacy-merge"
    assert e.fix == fix


def test_legacy_module_import():
    code = "from keras.layers.merge import concatenate"
    e = explain(_run(code), code=code)
    assert e.kind == "legacy-import"
    assert e.fix == "from keras.layers import concatenate"


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("d = layers.Dense(output_dim=64)", "d = layers.Dense(units=64)"),
        (
            "c = layers.Conv2D(8, 3, border_mode='same')",
            "c = layers.Conv2D(8, 3, padding='same')",
        ),
        (
            "d = layers.Dense(4, init='uniform')",
            "d = layers.Dense(4, kernel_initializer='uniform')",
        ),
        (
            "c = layers.Conv2D(nb_filter=8, kernel_size=3)",
            "c = layers.Conv2D(filters=8, kernel_size=3)",
        ),
        (
            "p = layers.MaxPooling2D(dim_ordering='th')",
            'p = layers.MaxPooling2D(data_format="channels_first")',
        ),
    ],
)
def test_legacy_arguments(code, fix):
    e = explain(_run(code, {"layers": layers}), code=code)
    assert e.kind == "legacy-argument"
    assert e.fix == fix
    # and the fix runs
    exec(fix, {"layers": layers})


def test_unknown_argument_close_match():
    code = "d = layers.Dense(4, activaton='relu')"
    e = explain(_run(code, {"layers": layers}), code=code)
    assert e.kind == "unknown-argument"
    assert "`activation=`" in e.hint
    assert e.fix == "d = layers.Dense(4, activation='relu')"


def test_unknown_argument_without_match():
    code = "d = layers.Dense(4, zzzqq=1)"
    e = explain(_run(code, {"layers": layers}), code=code)
    assert e.kind == "unknown-argument"
    assert e.fix is None
    assert "units" in e.hint


# ---- everything else, and robustness ---------------------------------------------
def test_other_and_json():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(4,))
    exc = _raises(keras.Model, inputs=a, outputs=b)
    e = explain(exc, inputs=None, code="m = keras.Model(inputs=a, outputs=b)", line=7)
    assert e.kind == "other"
    assert e.message.startswith("Output with path")
    assert e.hint
    assert e.line == 7
    d = e.to_json()
    assert json.loads(json.dumps(d)) == d
    assert set(d) == {
        "kind",
        "message",
        "hint",
        "fix",
        "layer",
        "line",
        "code",
        "error",
    }
    assert "Hint:" in str(e)


class _BadStr(Exception):
    def __str__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize(
    "exc",
    [
        ValueError(),
        _BadStr(),
        KeyError(None),
        ValueError("expected ndim=3, found ndim=2"),
    ],
)
def test_never_raises(exc):
    for kw in (
        {},
        {"layer": object(), "inputs": object()},
        {"layer": layers.Dense(2), "inputs": [object(), 3], "code": "x = (", "line": 0},
    ):
        e = explain(exc, **kw)
        assert isinstance(e, ExplainedError)
        assert e.hint
        json.dumps(e.to_json())
        str(e)
