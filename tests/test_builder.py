"""The Builder: its Python API on real Keras models, and the widget driving it."""

from __future__ import annotations

import json

import pytest

import kerasviz
from kerasviz.construction.builder import PALETTE, Builder


def graph_json(model) -> str:
    return json.dumps(kerasviz.graph_of(model).to_json(), sort_keys=True)


def seed_builder() -> Builder:
    """The seed article's two-input, two-output model, through the Python API."""
    b = Builder("functional")
    b.add("Input", shape=(100,), dtype="int32", name="main_input")
    b.add("Embedding", output_dim=512, input_dim=10000)
    lstm = b.add("LSTM", units=32)
    b.add("Dense", units=1, activation="sigmoid", name="aux_output")
    b.add("Input", shape=(5,), name="aux_input")
    b.add("Concatenate", inputs=[lstm, "aux_input"])
    for _ in range(3):
        b.add("Dense", units=64, activation="relu")
    b.add("Dense", units=1, activation="sigmoid", name="main_output")
    assert b.set_outputs(["main_output", "aux_output"])
    return b


def mlp_builder() -> Builder:
    b = Builder("sequential")
    assert b.add("Input", shape=(128,)) == "input"
    assert b.add("Dense", units=32, activation="relu") == "dense"
    assert b.add("Dense", units=2, activation="softmax") == "dense_1"
    return b


def run(code: str):
    ns: dict = {}
    exec(code, ns)
    return ns["model"]


def test_seed_model_through_the_api_is_the_hand_written_one(seed_functional):
    b = seed_builder()
    assert b.error is None
    assert b.names == [
        "main_input",
        "embedding",
        "lstm",
        "aux_output",
        "aux_input",
        "concatenate",
        "dense",
        "dense_1",
        "dense_2",
        "main_output",
    ]
    assert b.specs[5] == {
        "name": "concatenate",
        "class": "Concatenate",
        "args": {},
        "inputs": ["lstm", "aux_input"],
    }
    report = kerasviz.check_equivalent(b.model, seed_functional)
    assert report, report.summary
    assert [t.name for t in b.model.inputs] == ["main_input", "aux_input"]
    # the functional code runs and rebuilds it; Sequential says why it cannot
    assert kerasviz.check_equivalent(run(b.code("functional")), seed_functional)
    seq = b.code("sequential")
    assert "cannot be written with the Sequential API" in seq
    assert "more than one input" in seq
    compile(seq, "<reason>", "exec")  # comments only


def test_sequential_mode_shapes_and_both_codes():
    b = mlp_builder()
    g = kerasviz.graph_of(b.model)
    shapes = {n.name: n.calls[0].output_shapes[0] for n in g.nodes}
    assert shapes["dense"] == [None, 32]
    assert shapes["dense_1"] == [None, 2]
    assert b.model.__class__.__name__ == "Sequential"
    for api in ("functional", "sequential"):
        rebuilt = run(b.code(api))
        assert kerasviz.check_equivalent(b.model, rebuilt), api
    assert "keras.Sequential(" in b.code("sequential")


@pytest.mark.parametrize(
    ("step", "layer", "words"),
    [
        (
            lambda b: b.add("Dense", units=4, inputs=["nope"], name="head"),
            "head",
            "nope",
        ),
        (
            lambda b: b.add("Conv2D", filters=8, kernel_size=3, name="conv"),
            "conv",
            "rank 4",
        ),
        (lambda b: b.add("Dense", units="abc", name="bad"), "bad", "units"),
    ],
    ids=["unknown-input", "conv2d-on-flat", "units-abc"],
)
def test_an_invalid_step_changes_nothing_and_is_explained(step, layer, words):
    b = Builder("functional")
    b.add("Input", shape=(784,), name="pixels")
    b.add("Dense", units=16)
    specs, before, model = b.specs, graph_json(b.model), b.model
    assert step(b) is None
    assert b.specs == specs
    assert b.model is model
    assert graph_json(b.model) == before
    assert b.error is not None
    assert words in b.error.message
    assert layer in _named(b)
    assert b.add("Dense", units=2, name="out") == "out"
    assert b.error is None
    assert b.rejected is None
    assert b.model.output.shape == (None, 2)


def _named(b: Builder) -> str:
    """Where an error names its layer: the explanation, or the rejected change."""
    err = b.error
    return " ".join(map(str, [err.message, getattr(err, "layer", ""), b.rejected]))


def test_rebuilds_leave_keras_automatic_names_alone(keras):
    before = keras.layers.Dense(1).name
    b = seed_builder()
    b.add("Dense", units="abc")
    b.undo()
    Builder.from_model(b.model)
    after = keras.layers.Dense(1).name

    def count(name: str) -> int:
        return int(name.rsplit("_", 1)[1]) if "_" in name else 0

    assert count(after) == count(before) + 1


def test_sequential_rejects_a_bad_layer_and_an_input_that_is_not_first():
    b = mlp_builder()
    specs = b.specs
    assert b.add("Conv2D", filters=3, kernel_size=3) is None
    assert "conv2d" in _named(b)
    assert b.add("Input", shape=(3,)) is None
    assert "one Input, first" in b.error.message
    assert b.add("Dense", units=4, inputs=["input"]) is None
    assert "stacks its layers" in b.error.message
    assert b.specs == specs


def test_undo_redo_over_every_change():
    b = Builder("functional")
    b.add("Input", shape=(8,), name="x")
    b.add("Dense", units=4)
    history = [b.specs]
    assert b.rename("dense", "hidden")
    history.append(b.specs)
    assert b.update("hidden", units=6)
    history.append(b.specs)
    b.add("Dense", units=1, name="out")
    history.append(b.specs)
    assert b.remove("out")
    assert b.model.output.shape == (None, 6)
    for expected in reversed(history):
        assert b.undo()
        assert b.specs == expected
    assert b.model.get_layer("dense").units == 4
    assert b.redo()
    assert b.redo()
    assert b.specs == history[2]
    assert b.model.get_layer("hidden").units == 6
    # a new change clears what could be redone
    b.add("Dropout", rate=0.1)
    assert not b.redo()
    assert b.undo()
    assert b.specs == history[2]
    # undo down to nothing, then the model is gone, clearly
    while b.undo():
        pass
    assert b.specs == []
    with pytest.raises(ValueError, match="no layers yet"):
        _ = b.model
    assert b.code() == "# The builder has no layers yet.\n"


def test_rename_follows_consumers_and_outputs():
    b = seed_builder()
    assert b.rename("lstm", "encoder")
    assert b.specs[3]["inputs"] == ["encoder"]
    assert b.specs[5]["inputs"] == ["encoder", "aux_input"]
    assert b.rename("aux_output", "aux")
    assert b.outputs == ["main_output", "aux"]
    assert [t.name for t in b.model.outputs] == [
        b.model.get_layer("main_output").output.name,
        b.model.get_layer("aux").output.name,
    ]
    assert not b.rename("aux", "main_output")
    assert "already has a layer named 'main_output'" in b.error.message


def test_remove_refuses_a_layer_others_use_unless_cascade():
    b = seed_builder()
    specs = b.specs
    assert not b.remove("lstm")
    assert "'aux_output', 'concatenate'" in b.error.message
    assert "cascade=True" in b.error.message
    assert b.specs == specs
    assert b.remove("lstm", cascade=True)
    assert b.names == ["main_input", "embedding", "aux_input"]
    # the outputs fall back to what nothing consumes
    assert b.outputs == ["embedding", "aux_input"]
    assert b.undo()
    assert b.specs == specs
    assert b.outputs == ["main_output", "aux_output"]


def test_update_rewires_a_functional_layer():
    b = seed_builder()
    assert b.update("aux_output", inputs=["dense_2"])
    assert b.names.index("aux_output") > b.names.index("dense_2")
    assert b.model.get_layer("aux_output").input.shape == (None, 64)
    assert not b.update("lstm", inputs=["dense"])  # dense is computed from lstm
    assert "cycle" in b.error.message
    assert not b.update("lstm", inputs=["lstm"])
    assert not b.update("aux_input", inputs=["lstm"])
    assert "an Input has none" in b.error.message
    assert not mlp_builder().update("dense", inputs=["input"])


def test_outputs_follow_new_layers():
    b = seed_builder()
    b.add("Dense", units=3, inputs=["main_output"], name="main_head")
    assert b.outputs == ["main_head", "aux_output"]
    b.add("Dense", units=2, inputs=["dense_1"], name="probe")
    assert b.outputs == ["main_head", "aux_output", "probe"]
    assert len(b.model.outputs) == 3


def test_multi_head_attention_takes_query_and_value():
    b = Builder()
    b.add("Input", shape=(4, 8), name="q")
    b.add("Input", shape=(6, 8), name="v")
    b.add("MultiHeadAttention", num_heads=2, key_dim=4, inputs=["q", "v"])
    assert b.error is None
    assert b.model.output.shape == (None, 4, 8)
    assert b.add("MultiHeadAttention", num_heads=2, key_dim=4, inputs=["q"]) is None
    assert "query and value" in b.error.message


def test_from_model_round_trips(seed_sequential, seed_functional, nested):
    for model in (seed_sequential, seed_functional, nested):
        b = Builder.from_model(model)
        assert b.api == model.__class__.__name__.lower()
        report = kerasviz.check_equivalent(b.model, model)
        assert report, report.summary
    b = Builder.from_model(seed_functional)
    assert b.outputs == ["main_output", "aux_output"]
    assert b.update("dense_a", units=8)
    assert b.model.get_layer("dense_a").units == 8


def test_from_model_refuses_subclassed_and_shared(keras, siamese):
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    with pytest.raises(ValueError, match="subclassed") as info:
        Builder.from_model(Tiny())
    assert "Received: model=Tiny 'tiny'" in str(info.value)
    with pytest.raises(ValueError, match="'encoder' is shared"):
        Builder.from_model(siamese)

    class Flaky(keras.layers.Dense):
        def get_config(self):
            raise TypeError("<boom>")

    x = keras.Input((3,))
    flaky = keras.Model(x, Flaky(2, name="flaky")(x))
    with pytest.raises(ValueError, match=r"'flaky' \(Flaky\) cannot be a spec"):
        Builder.from_model(flaky)
    with pytest.raises(TypeError, match="Received: model=Dense"):
        Builder.from_model(keras.layers.Dense(2))


def test_bad_api_and_unknown_kind():
    with pytest.raises(ValueError, match="Received: api='graph'"):
        Builder(api="graph")
    b = Builder()
    assert b.add("Dens", units=3) is None
    assert "Did you mean 'Dense'" in b.error.message
    assert b.add("dense", units=3) is None  # found, but no Input yet
    assert "starts at an Input" in b.error.message


def test_palette_forms():
    assert list(PALETTE)[:2] == ["Input", "Dense"]
    assert {"MaxPooling1D", "GlobalAveragePooling2D", "MultiHeadAttention"} <= set(
        PALETTE
    )
    for fields in PALETTE.values():
        for f in fields:
            assert f.type in {"int", "float", "str", "choice", "shape", "bool"}
            assert f.type != "choice" or f.default in f.choices


# ---- the widget --------------------------------------------------------------------
def test_widget_add_button_adds_a_layer_and_redraws():
    b = Builder()
    view = b.widget
    assert b.widget is view
    assert view.explorer.data["graph"]["nodes"] == []
    view.palette.value = "Input"
    view.fields["shape"].value = "28, 28, 1"
    view.name_text.value = "image"
    view.add_button.click()
    assert b.names == ["image"]
    view.palette.value = "Conv2D"
    view.fields["filters"].value = "8"
    view.fields["activation"].value = "relu"
    view.add_button.click()
    assert b.error is None
    assert b.specs[-1] == {
        "name": "conv2d",
        "class": "Conv2D",
        "args": {"filters": 8, "kernel_size": 3, "activation": "relu"},
        "inputs": ["image"],
    }
    nodes = {n["id"]: n for n in view.explorer.data["graph"]["nodes"]}
    assert set(nodes) == {"image", "conv2d"}
    assert "conv2d = layers.Conv2D(" in view.functional_code.value
    assert "keras.Sequential(" in view.sequential_code.value
    assert view.inputs.value == ("conv2d",)
    # Explorer selection preselects the next layer's input
    view.explorer.select("image")
    assert view.inputs.value == ("image",)
    assert view.target.value == "image"
    view.undo_button.click()
    assert b.names == ["image"]
    view.redo_button.click()
    assert b.names == ["image", "conv2d"]


def test_widget_shows_the_error_escaped_and_clears_it():
    b = Builder()
    view = b.widget
    view.palette.value = "Input"
    view.add_button.click()
    view.palette.value = "Dense"
    view.fields["units"].value = "abc"
    view.add_button.click()
    assert b.names == ["input"]
    assert "units" in view.error_html.value
    assert "abc" in view.error_html.value
    view.fields["units"].value = "4"
    view.name_text.value = "<b>x</b>"
    view.add_button.click()
    assert b.names == ["input"]
    assert "&lt;b&gt;x&lt;/b&gt;" in view.error_html.value
    assert "<b>x</b>" not in view.error_html.value
    view.name_text.value = ""
    view.add_button.click()
    assert b.names == ["input", "dense"]
    assert view.error_html.value == ""


def test_widget_rename_remove_and_outputs():
    b = seed_builder()
    view = b.widget
    assert view.outputs.value == ("main_output", "aux_output")
    view.target.value = "main_output"
    view.rename_text.value = "score"
    view.rename_button.click()
    assert "score" in b.names
    assert "score" in [n["id"] for n in view.explorer.data["graph"]["nodes"]]
    view.target.value = "lstm"
    view.remove_button.click()
    assert "lstm" in b.names
    assert "cascade=True" in view.error_html.value
    view.palette.value = "Dense"
    view.fields["units"].value = "3"
    view.target.value = "dense_1"
    view.update_button.click()
    assert b.model.get_layer("dense_1").units == 3
    view.target.value = "lstm"
    view.update_button.click()
    assert "choose LSTM in the palette" in view.error_html.value
    view.outputs.value = ("score",)
    assert b.outputs == ["score"]
    assert len(b.model.outputs) == 1


def test_widget_buttons_act_on_the_newest_layer_until_another_is_chosen():
    b = Builder("functional")
    view = b.widget
    assert view.target.value is None
    b.add("Input", shape=(4,), name="x")
    assert view.target.value == "x"
    b.add("Dense", units=3, name="d")
    assert view.target.value == "d"
    view.target.value = "x"
    b.add("Dense", units=2, name="e", inputs=["d"])
    assert view.target.value == "e"
    view.target.value = "d"
    b.rename("e", "head")  # a rename chooses the renamed layer
    assert view.target.value == "head"
    view.remove_button.click()
    assert b.names == ["x", "d"]
    assert view.target.value == "d"


def test_display_is_the_widget():
    b = mlp_builder()
    bundle = b._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert kerasviz.MIME_TYPE in data  # a saved notebook still draws the graph
    assert "dense_1" in data["text/plain"]
