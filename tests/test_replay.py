"""Construction replay: what exists at each step of a cell, its lines, saved form."""

from __future__ import annotations

import pytest

import kerasviz
from kerasviz.contract import REPLAY_MIME_TYPE, validate
from kerasviz.mimebundle import unpack

# The seed article's two examples, in Keras 3 (explicit names: the steps are
# checked by node id, and Keras's automatic names depend on what ran before).
SEED_SEQUENTIAL = """\
import keras
from keras import layers
model = keras.Sequential()
model.add(layers.Dense(32, activation="relu", input_shape=(None, 128), name="hidden"))
model.add(layers.Dense(2, activation="softmax", name="probs"))
"""

SEED_FUNCTIONAL = """\
import keras
from keras import layers
main_input = keras.Input(shape=(100,), dtype="int32", name="main_input")
x = layers.Embedding(output_dim=512, input_dim=10000, name="embedding")(main_input)
lstm_out = layers.LSTM(32, name="lstm")(x)
aux_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
aux_input = keras.Input(shape=(5,), name="aux_input")
x = layers.concatenate([lstm_out, aux_input], name="concat")
x = layers.Dense(64, activation="relu", name="d1")(x)
x = layers.Dense(64, activation="relu", name="d2")(x)
x = layers.Dense(64, activation="relu", name="d3")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
model = keras.Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output])
"""


def test_seed_sequential_replays_one_add_at_a_time(keras):
    r = kerasviz.replay(SEED_SEQUENTIAL)
    assert r.error is None
    assert [s.kind for s in r.steps] == ["sequential", "add", "add"]
    assert [s.line for s in r.steps] == [3, 4, 5]
    assert r.steps[0].code == "model = keras.Sequential()"
    # the empty model object first, then each add(); input_shape= made an InputLayer
    assert r.steps[0].nodes == []
    assert r.steps[1].nodes[1:] == ["hidden"]
    assert len(r.steps[1].nodes) == 2
    assert r.steps[1].new == r.steps[1].nodes
    assert r.steps[2].nodes == [*r.steps[1].nodes, "probs"]
    assert r.steps[2].new == ["probs"]
    assert [type(m).__name__ for m in r.models] == ["Sequential"]
    assert r.models[0] is r.namespace["model"]


def test_seed_functional_replays_each_call_and_the_model_last(keras):
    r = kerasviz.replay(SEED_FUNCTIONAL)
    assert r.error is None
    kinds = [s.kind for s in r.steps]
    assert kinds == ["input", "call", "call", "call", "input", "call"] + [
        "call"
    ] * 4 + ["model"]
    assert [s.line for s in r.steps] == list(range(3, 14))
    made = [s.new[0] for s in r.steps[:-1]]
    assert made == [
        "main_input",
        "embedding",
        "lstm",
        "aux_output",
        "aux_input",
        "concat",
        "d1",
        "d2",
        "d3",
        "main_output",
    ]
    for i, step in enumerate(r.steps[:-1]):
        assert step.nodes == made[: i + 1]
        assert step.model is None
        # before the Model exists there are no outputs to mark
        assert step.graph.model.outputs == []
        assert step.marks == {made[i]: "new"}
    # each call's graph has the edges of what it consumed
    concat = r.steps[5].graph
    assert {(e.source, e.target) for e in concat.edges if e.target == "concat"} == {
        ("lstm", "concat"),
        ("aux_input", "concat"),
    }
    last = r.steps[-1]
    assert last.model == r.models[0].name
    assert set(last.nodes) == set(made)
    assert last.marks == {
        "main_input": "input",
        "aux_input": "input",
        "main_output": "output",
        "aux_output": "output",
    }


def test_a_sequential_list_shows_each_item_at_its_own_line(keras):
    r = kerasviz.replay(
        "import keras\n"
        "m = keras.Sequential([\n"
        '    keras.Input((8,), name="x"),\n'
        '    keras.layers.Dense(4, name="a"),\n'
        '    keras.layers.Dense(2, name="b"),\n'
        "])\n"
    )
    assert [(s.line, s.nodes) for s in r.steps] == [
        (2, []),
        (3, ["x"]),
        (4, ["x", "a"]),
        (5, ["x", "a", "b"]),
    ]
    assert r.steps[3].code.strip() == 'keras.layers.Dense(2, name="b"),'


def test_a_failed_call_is_marked_on_the_partial_graph(keras):
    source = SEED_FUNCTIONAL.replace(
        'layers.concatenate([lstm_out, aux_input], name="concat")',
        'layers.Add(name="concat")([lstm_out, aux_input])',
    )
    r = kerasviz.replay(source)
    assert r.error is not None
    last = r.steps[-1]
    assert last.kind == "error"
    assert last.line == 8
    assert "layers.Add" in last.code
    assert last.marks == {"concat": "failed"}
    # everything made before the failure is there; the model never was
    assert set(last.nodes) == {
        "main_input",
        "embedding",
        "lstm",
        "aux_output",
        "aux_input",
        "concat",
    }
    into = {
        (e.source, tuple(e.shape)) for e in last.graph.edges if e.target == "concat"
    }
    assert into == {("lstm", (None, 32)), ("aux_input", (None, 5))}
    failed = last.graph.node("concat")
    assert failed.class_name == "Add"
    assert failed.calls[0].input_shapes == [[None, 32], [None, 5]]
    assert r.models == []
    assert r.error.line == 8
    assert "32" in r.error.message
    assert "5" in r.error.message


def test_a_statement_error_ends_the_replay_with_the_graph_so_far(keras):
    r = kerasviz.replay(
        "import keras\n"
        'x = keras.Input((4,), name="x")\n'
        'y = keras.layers.Dense(2, name="d")(x)\n'
        "model = keras.Model(input=x, output=y)\n"
    )
    last = r.steps[-1]
    assert last.kind == "error"
    assert last.line == 4
    assert last.nodes == ["x", "d"]
    assert r.error is not None
    assert r.error.line == 4


def test_keras_is_unpatched_afterwards_even_after_a_failure(keras):
    from keras.src.layers.layer import Layer
    from keras.src.ops.operation import Operation

    before = (Layer.__call__, Operation.__call__, keras.Sequential.add)
    kerasviz.replay("import keras\nkeras.layers.Dense(2)(keras.Input((3, 3, 3, 3)))[9]")
    kerasviz.replay("raise RuntimeError('boom')")
    assert (Layer.__call__, Operation.__call__, keras.Sequential.add) == before


def test_layers_remember_the_line_that_built_them(keras):
    r = kerasviz.replay(SEED_FUNCTIONAL)
    graph = kerasviz.graph_of(r.namespace["model"])
    lstm = graph.node("lstm")
    assert [(s.line, s.code) for s in lstm.sources] == [
        (5, 'lstm_out = layers.LSTM(32, name="lstm")(x)')
    ]
    assert lstm.sources[0].cell is None
    assert graph.to_json()["nodes"][2]["sources"][0]["line"] == 5


def test_the_payload_validates_and_is_saved_with_every_step(keras):
    r = kerasviz.replay(SEED_FUNCTIONAL)
    validate(r.data, "replay")
    for step in r.data["steps"]:
        validate(step["view"], "view")
    r.go(3)
    bundle, _ = r._repr_mimebundle_()
    saved = unpack(bundle[REPLAY_MIME_TYPE])
    assert saved["start"] == 3
    assert len(saved["steps"]) == 11
    assert saved["source"] == SEED_FUNCTIONAL
    assert "line 13" in bundle["text/plain"]
    with pytest.raises(IndexError, match="11 steps"):
        r.go(11)


def test_replay_wants_source_text():
    with pytest.raises(TypeError, match="Received: source=int"):
        kerasviz.replay(42)


def test_the_static_export_keeps_the_line_text(keras, tmp_path):
    pytest.importorskip("pydot")
    r = kerasviz.replay(SEED_FUNCTIONAL)
    dot = kerasviz.to_dot(r.namespace["model"])
    tips = {n.get_name().strip('"'): n.get_tooltip() for n in dot.get_nodes()}
    assert "built at line 5: lstm_out = layers.LSTM(32" in tips["lstm"]
    kerasviz.save(r.namespace["model"], tmp_path / "m.svg")
    svg = (tmp_path / "m.svg").read_text()
    assert (
        "built at line 5: lstm_out = layers.LSTM(32, name=&quot;lstm&quot;)(x)" in svg
    )


def _library_model(keras):
    """A function from elsewhere (like keras.applications.MobileNetV2) that builds
    and returns a model."""
    x = keras.Input((4,), name="lib_in")
    h = keras.layers.Dense(3, name="lib_hidden")(x)
    return keras.Model(x, keras.layers.Dense(2, name="lib_out")(h), name="lib")


def _library_block(keras, x):
    """A helper from elsewhere that adds two layers (like a block from an earlier cell)."""
    return keras.layers.Dense(2, name="blk_b")(keras.layers.Dense(2, name="blk_a")(x))


def test_a_library_function_is_one_step_at_its_line(keras):
    r = kerasviz.replay(
        "base = library(keras)\n"
        'x = keras.Input((4,), name="top_in")\n'
        "y = block(keras, base(x))\n"
        "y = keras.ops.mean(y, axis=-1)\n"
        "model = keras.Model(x, y)\n",
        {
            "keras": keras,
            "library": _library_model,
            "block": lambda k, t: _library_block(k, t),
        },
    )
    assert [(s.line, s.kind) for s in r.steps] == [
        (1, "model"),  # the library's own layers are its model's step
        (2, "input"),
        (3, "call"),  # base(x)
        (3, "call"),  # the helper's two layers: one step
        (4, "call"),  # a keras.ops call is a step too
        (5, "model"),
    ]
    assert r.steps[0].nodes == ["lib_in", "lib_hidden", "lib_out"]
    assert r.steps[3].new == ["blk_a", "blk_b"]
    assert r.steps[3].label == "2 layer calls made by this line"
    assert r.steps[4].new[0].startswith("mean")
    assert r.models[0].name == "lib"


# The seed article's functional example as it is written there (Keras 1/2).
SEED_LEGACY = """\
from keras.layers import Input, Embedding, LSTM, Dense, merge
from keras.models import Model
main_input = Input(shape=(100,), dtype='int32', name='main_input')
x = Embedding(output_dim=512, input_dim=10000, name='embedding')(main_input)
lstm_out = LSTM(32, name='lstm')(x)
auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
auxiliary_input = Input(shape=(5,), name='aux_input')
x = merge([lstm_out, auxiliary_input], mode='concat')
x = Dense(64, activation='relu', name='d1')(x)
main_output = Dense(1, activation='sigmoid', name='main_output')(x)
model = Model(input=[main_input, auxiliary_input], output=[main_output, auxiliary_output])
"""


def test_the_seed_legacy_code_replays_to_each_keras3_fix(keras):
    # as written: the import fails first, before any layer exists
    r = kerasviz.replay(SEED_LEGACY)
    assert r.models == []
    assert r.error.kind == "legacy-merge"
    assert r.error.line == 1
    assert r.error.fix == (
        "from keras.layers import Input, Embedding, LSTM, Dense, concatenate"
    )
    assert r.steps[-1].kind == "error"
    assert r.steps[-1].nodes == []

    # the import fixed: the merge line fails, with the layers made before it shown
    source = SEED_LEGACY.replace(", merge\n", ", concatenate\n")
    r = kerasviz.replay(source)
    assert r.error.kind == "legacy-merge"
    assert r.error.line == 8
    assert r.error.fix == "x = concatenate([lstm_out, auxiliary_input])"
    last = r.steps[-1]
    assert last.line == 8
    assert "merge(" in last.code
    assert set(last.nodes) == {
        "main_input",
        "embedding",
        "lstm",
        "aux_output",
        "aux_input",
    }

    # merge fixed: Model(input=..., output=...) fails, with every layer built
    source = source.replace(
        "merge([lstm_out, auxiliary_input], mode='concat')",
        "concatenate([lstm_out, auxiliary_input], name='concat')",
    )
    r = kerasviz.replay(source)
    assert r.error.kind == "legacy-model-args"
    assert r.error.line == 11
    assert "inputs=[main_input, auxiliary_input]" in r.error.fix
    assert "outputs=[main_output, auxiliary_output]" in r.error.fix
    assert {"concat", "d1", "main_output"} <= set(r.steps[-1].nodes)
    assert r.models == []

    # and the Keras 3 form replays to the model
    r = kerasviz.replay(
        source.replace("Model(input=", "Model(inputs=").replace(
            " output=[", " outputs=["
        )
    )
    assert r.error is None
    assert [m.name for m in r.models] == [r.models[0].name]
    assert len(r.models[0].outputs) == 2
    assert r.steps[-1].kind == "model"
