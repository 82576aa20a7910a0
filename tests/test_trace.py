"""Inside custom layers and subclassed models: kerasviz traces their call()."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kerasviz import graph_of
from kerasviz.view import view_payload
from tests.conftest import optional_import
from tests.test_graph import check_payload


def _mlp_class(keras):
    class MLP(keras.Model):
        def __init__(self):
            super().__init__(name="mlp")
            self.hidden = keras.layers.Dense(8, name="hidden")
            self.out = keras.layers.Dense(3, name="out")

        def call(self, x):
            return self.out(keras.ops.relu(self.hidden(x)))

    return MLP


def _residual_class(keras):
    class Residual(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.first = keras.layers.Dense(units, name="first")
            self.second = keras.layers.Dense(units, name="second")
            self.norm = keras.layers.LayerNormalization(name="norm")

        def call(self, x):
            h = keras.ops.relu(self.first(x))
            return self.norm(x + self.second(h))

    return Residual


def _plain(node_id):
    """A node id without the counter Keras adds to automatic names (``add_5`` →
    ``add``): how many ops earlier tests made must not matter."""
    return re.sub(r"_\d+(?=$|/)", "", node_id)


def _state(model):
    """Everything a trace must leave as it was."""
    layers = list(model._flatten_layers(include_self=True, recursive=True))
    return (
        [w.numpy().copy() for w in model.weights],
        [w.path for w in model.weights],
        [bool(layer.built) for layer in layers],
        [len(layer._inbound_nodes) for layer in layers],
        [len(layer._outbound_nodes) for layer in layers],
    )


def _same_state(a, b):
    weights_a, *rest_a = a
    weights_b, *rest_b = b
    assert rest_a == rest_b
    assert len(weights_a) == len(weights_b)
    assert all(np.array_equal(x, y) for x, y in zip(weights_a, weights_b, strict=True))


def test_subclassed_mlp_shows_its_traced_wiring(keras):
    model = _mlp_class(keras)()
    model(np.zeros((2, 5), "float32"))
    before = _state(model)
    g = graph_of(model)
    _same_state(before, _state(model))
    check_payload(g)
    assert g.model.api == "subclassed"
    assert g.model.trace is not None
    assert g.model.trace.traced
    assert [(_plain(n.id), n.class_name, n.parent) for n in g.nodes] == [
        ("x", "InputLayer", None),
        ("hidden", "Dense", None),
        ("relu", "Relu", None),
        ("out", "Dense", None),
    ]
    assert [(_plain(e.source), _plain(e.target), e.shape) for e in g.edges] == [
        ("x", "hidden", [None, 5]),
        ("hidden", "relu", [None, 8]),
        ("relu", "out", [None, 8]),
    ]
    assert g.node("out").calls[0].output_shapes == [[None, 3]]
    assert sum(n.params.total for n in g.nodes) == model.count_params()


def test_tracing_leaves_keras_automatic_names_alone(keras):
    model = _mlp_class(keras)()
    model(np.zeros((2, 5), "float32"))
    graph_of(model)  # makes a Relu op and an InputLayer while tracing
    expected = keras.layers.ReLU().name
    graph_of(model)
    # The next automatic names are what they would be with no trace in between.
    assert keras.layers.ReLU().name == _next_name(expected)


def _next_name(name):
    base, _, n = name.rpartition("_")
    if base and n.isdigit():
        return f"{base}_{int(n) + 1}"
    return f"{name}_1"


def test_custom_residual_block_is_a_container_with_inner_wiring(keras):
    residual = _residual_class(keras)
    x = keras.Input((6,), name="features")
    y = residual(6, name="block")(x)
    model = keras.Model(x, keras.layers.Dense(2, name="head")(y))
    before = _state(model)

    flat = graph_of(model)
    assert [n.id for n in flat.nodes] == ["features", "block", "head"]
    assert flat.node("block").trace is None  # not opened, not traced

    g = graph_of(model, expand_nested=True)
    _same_state(before, _state(model))
    check_payload(g)
    assert g.node("block").trace is not None
    assert g.node("block").trace.traced
    inside = [(_plain(n.id), n.class_name) for n in g.children("block")]
    assert inside == [
        ("block/x", "InputLayer"),
        ("block/first", "Dense"),
        ("block/relu", "Relu"),
        ("block/second", "Dense"),
        ("block/add", "Add"),
        ("block/norm", "LayerNormalization"),
    ]
    assert [(_plain(e.source), _plain(e.target), e.shape) for e in g.edges] == [
        ("features", "block/x", [None, 6]),
        ("block/x", "block/first", [None, 6]),
        ("block/first", "block/relu", [None, 6]),
        ("block/relu", "block/second", [None, 6]),
        ("block/x", "block/add", [None, 6]),
        ("block/second", "block/add", [None, 6]),
        ("block/add", "block/norm", [None, 6]),
        ("block/norm", "head", [None, 6]),
    ]
    # the container keeps its own facts; its layers' params add up to it
    block = g.node("block")
    assert block.params.total == model.get_layer("block").count_params()
    assert sum(n.params.total for n in g.children("block")) == block.params.total

    # the view opens it on request and starts it as the user asked
    assert "block" in view_payload(model)["collapsed"]
    assert "block" not in view_payload(model, expand_nested=True)["collapsed"]


def test_value_dependent_control_flow_falls_back_with_a_reason(keras):
    class Gate(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.a = keras.layers.Dense(4, name="a")
            self.b = keras.layers.Dense(4, name="b")

        def build(self, input_shape):
            self.a.build(input_shape)
            self.b.build(input_shape)

        def call(self, x):
            if keras.ops.convert_to_numpy(keras.ops.max(x)) > 0:
                return self.a(x)
            return self.b(x)

    gate = Gate(name="gate")
    gate(np.ones((2, 4), "float32"))
    before = _state(gate)
    g = graph_of(gate, expand_nested=True)
    _same_state(before, _state(gate))
    # a single layer at the top: read as one node; traced only inside a model
    assert [n.id for n in g.nodes] == ["gate"]

    class Holder(keras.Model):
        def __init__(self):
            super().__init__(name="holder")
            self.gate = gate

        def call(self, x):
            return self.gate(x)

    holder = Holder()
    holder(np.ones((2, 4), "float32"))
    g = graph_of(holder, expand_nested=True)
    check_payload(g)
    if g.model.trace.traced:
        # torch: Keras works out the gate's output on real arrays when its meta
        # tensors fail, so the holder traces, and the gate cannot.
        assert keras.backend.backend() == "torch"
        node = g.node("gate")
        assert not node.trace.traced
        assert "values of its tensors" in node.trace.reason
        assert [n.id for n in g.children("gate")] == ["gate/a", "gate/b"]
        assert not [e for e in g.edges if e.target.startswith("gate/")]
    else:
        # TensorFlow, JAX: the gate's call runs inside the holder's; neither traces.
        assert keras.backend.backend() in ("tensorflow", "jax")
        assert "values of its tensors" in g.model.trace.reason
        # no wiring: the sublayers it holds, unconnected
        assert [n.id for n in g.nodes] == ["holder", "holder/gate"]
        assert g.edges == []


def test_a_call_that_raises_when_traced_marks_only_that_node(keras):
    class Picky(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = keras.layers.Dense(3, name="d")

        def call(self, x):
            if isinstance(x, keras.KerasTensor):
                raise RuntimeError("no symbolic tensors,\nplease")
            return self.d(x) * 2.0

    residual = _residual_class(keras)
    x = keras.Input((3,), name="x")
    h = Picky(name="picky")(x)
    y = residual(3, name="block")(h)
    model = keras.Model(x, y)
    g = graph_of(model, expand_nested=True)
    check_payload(g)
    picky = g.node("picky")
    assert not picky.trace.traced
    assert picky.trace.reason.startswith("Its wiring is not shown: its call() raised")
    assert "RuntimeError: no symbolic tensors," in picky.trace.reason
    assert "\n" not in picky.trace.reason
    # the rest of the graph is intact: the next block is traced and wired to it
    assert g.node("block").trace.traced
    assert ("picky", "block/x") in [(e.source, e.target) for e in g.edges]


def test_a_recursive_layer_is_opened_once(keras):
    class Twice(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = keras.layers.Dense(3, name="d")

        def call(self, x, depth=1):
            if depth > 0:
                return self(x, depth=depth - 1) + x
            return self.d(x)

    x = keras.Input((3,), name="x")
    model = keras.Model(x, Twice(name="twice")(x))
    g = graph_of(model, expand_nested=True)
    check_payload(g)
    assert [_plain(n.id) for n in g.children("twice")] == [
        "twice/x",
        "twice/twice",
        "twice/add",
    ]
    inner = g.node("twice/twice")
    assert not inner.trace.traced
    assert "calls itself" in inner.trace.reason
    assert g.children("twice/twice") == []
    assert [(_plain(e.source), _plain(e.target)) for e in g.edges] == [
        ("x", "twice/x"),
        ("twice/x", "twice/twice"),
        ("twice/twice", "twice/add"),
        ("twice/x", "twice/add"),
    ]


def test_a_subclass_that_keeps_the_keras_call_is_that_keras_layer(keras):
    class Quiet(keras.layers.BatchNormalization):
        def get_config(self):
            return {**super().get_config(), "note": "mine"}

    x = keras.Input((4,))
    model = keras.Model(x, Quiet(name="bn")(x))
    g = graph_of(model, expand_nested=True)
    assert g.node("bn").trace is None
    assert g.children("bn") == []


def _switchable_backends(here):
    """Backends this environment could switch to (each needs its own packages;
    Keras's numpy backend imports SciPy and JAX)."""
    import importlib.util

    need = {"tensorflow": ["tensorflow"], "jax": ["jax"], "torch": ["torch"]}
    need["numpy"] = ["scipy", "jax"]
    return [
        b
        for b, mods in need.items()
        if b != here and all(importlib.util.find_spec(m) for m in mods)
    ]


def _read_after_switch(here, to):
    import subprocess
    import sys

    code = (
        f"import os, warnings; os.environ['KERAS_BACKEND']={here!r}\n"
        "warnings.simplefilter('ignore')\n"
        "import keras, kerasviz\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
        f"keras.config.set_backend({to!r})\n"
        "try:\n"
        "    kerasviz.graph_of(m)\n"
        "except TypeError as e:\n"
        "    print(e)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout


def test_model_from_another_backend_is_refused_clearly(keras):
    here = keras.backend.backend()
    others = _switchable_backends(here)
    if not others:
        pytest.skip(f"no other Keras backend is installed beside {here}")
    out = _read_after_switch(here, others[0])
    assert f"built when Keras ran on the {here} backend" in out
    assert f"Keras now runs on {others[0]}" in out
    assert "Received: model=<Sequential" in out


def test_model_from_an_earlier_import_of_keras_is_refused_clearly(keras):
    # set_backend() to the same backend reloads Keras too: the old model's classes
    # are no longer Keras's (this runs in every environment)
    here = keras.backend.backend()
    out = _read_after_switch(here, here)
    assert "built by an earlier import of Keras" in out
    assert "Run the code that builds the model again" in out
    assert "Received: model=<Sequential" in out


@pytest.mark.slow
def test_kerashub_transformer_block_opens_to_attention_and_norms(keras):
    keras_hub = optional_import("keras_hub")
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=50,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=16,
    )
    before = _state(backbone)
    g = graph_of(backbone, expand_nested=True)
    _same_state(before, _state(backbone))
    check_payload(g)
    block = g.node("transformer_layer_0")
    assert block.class_name == "TransformerEncoder"
    assert block.trace.traced
    inside = {n.class_name: n for n in g.children("transformer_layer_0")}
    assert {"MultiHeadAttention", "LayerNormalization", "Dense", "Dropout"} <= set(
        inside
    )
    attention = inside["MultiHeadAttention"]
    # unknown batch and sequence sizes stay unknown (None), never a stand-in size
    assert attention.calls[0].output_shapes == [[None, None, 16]]
    dense = g.node("transformer_layer_0/feedforward_intermediate_dense")
    assert dense.calls[0].input_shapes == [[None, None, 16]]
    assert dense.calls[0].output_shapes == [[None, None, 32]]
    # the padding mask goes in and the block's output comes out of its last norm
    edges = {(e.source, e.target) for e in g.edges}
    assert ("padding_mask", "transformer_layer_0/padding_mask") in edges
    assert (
        "transformer_layer_0/feedforward_layer_norm",
        "transformer_layer_1/inputs",
    ) in edges
    assert sum(n.params.total for n in g.nodes if n.parent is None) == (
        backbone.count_params()
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gpt2", "gemma", "llama"])
def test_kerashub_decoders_are_traced_with_unknown_sizes_as_none(keras, name):
    keras_hub = optional_import("keras_hub")
    small = {"vocabulary_size": 50, "num_layers": 1, "hidden_dim": 16}
    build = {
        "gpt2": lambda: keras_hub.models.GPT2Backbone(
            **small, num_heads=4, intermediate_dim=32, max_sequence_length=16
        ),
        "gemma": lambda: keras_hub.models.GemmaBackbone(
            **small,
            num_query_heads=4,
            num_key_value_heads=1,
            intermediate_dim=32,
            head_dim=8,
        ),
        "llama": lambda: keras_hub.models.LlamaBackbone(
            **small, num_query_heads=4, num_key_value_heads=1, intermediate_dim=32
        ),
    }[name]
    backbone = build()
    before = _state(backbone)
    g = graph_of(backbone, expand_nested=True)
    _same_state(before, _state(backbone))
    check_payload(g)
    blocks = [n for n in g.nodes if n.parent is None and n.trace is not None]
    assert blocks, "no custom layer at the top"
    decoder = next(n for n in blocks if g.children(n.id) and n.kind != "embedding")
    assert decoder.trace.traced, decoder.trace.reason
    inner = [n for n in g.nodes if n.id.startswith(decoder.id + "/")]
    assert any("Attention" in n.class_name for n in inner)
    # stand-in sizes never show: every sequence dimension inside reads None
    for n in inner:
        for call in n.calls:
            for shape in call.input_shapes + call.output_shapes:
                assert not {2, 3, 5, 7} & set(shape[:2]), (n.id, shape)


def test_subclassed_model_on_a_dict_traces_to_one_input_per_key(keras):
    import kerasviz

    class Pair(keras.Model):
        def __init__(self):
            super().__init__(name="pair")
            self.a = keras.layers.Dense(3, name="a")
            self.b = keras.layers.Dense(3, name="b")

        def call(self, inputs):
            return self.a(inputs["left"]) + self.b(inputs["right"])

    model = Pair()
    model({"left": np.zeros((2, 4), "float32"), "right": np.zeros((2, 5), "float32")})
    g = graph_of(model)
    assert g.model.trace.traced
    assert g.model.inputs == ["left", "right"]
    assert g.model.input_shapes == [[None, 4], [None, 5]]
    code = kerasviz.to_code(model)
    assert "inputs={'left': left, 'right': right}" in code
    ns = {}
    exec(code, ns)
    assert kerasviz.check_equivalent(model, ns["model"]).equivalent


def _two_input_class(keras, with_build):
    class Two(keras.Model):
        def __init__(self):
            super().__init__(name="two")
            self.a = keras.layers.Dense(3, name="a")
            self.b = keras.layers.Dense(3, name="b")

        def call(self, x, y):
            return self.a(x) + self.b(y)

    if with_build:

        def build(self, x_shape, y_shape):
            self.a.build(x_shape)
            self.b.build(y_shape)

        Two.build = build
    return Two


def test_subclassed_model_with_two_tensor_arguments(keras):
    import kerasviz

    batch = (np.zeros((2, 4), "float32"), np.zeros((2, 5), "float32"))
    # Keras's default build() records the first input's shape only: not traced,
    # and the reason says what would make it traceable
    plain = _two_input_class(keras, with_build=False)()
    plain(*batch)
    g = graph_of(plain)
    assert not g.model.trace.traced
    assert "recorded the shapes of only x" in g.model.trace.reason
    assert "build(self, x_shape, y_shape)" in g.model.trace.reason

    # with a build() of its own Keras records both: traced, and its Functional
    # code (a list of two inputs) is equivalent, called with two arguments
    built = _two_input_class(keras, with_build=True)()
    built(*batch)
    g = graph_of(built)
    assert g.model.trace.traced
    assert g.model.inputs == ["x", "y"]
    code = kerasviz.to_code(built)
    assert "inputs=[x, y]" in code
    ns = {}
    exec(code, ns)
    assert kerasviz.check_equivalent(built, ns["model"]).equivalent
    assert kerasviz.check_equivalent(ns["model"], built).equivalent
