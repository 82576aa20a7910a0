"""The reader: exact nodes, edges, shapes and params for every case it must get right."""

from __future__ import annotations

import json
import sys

import pytest

import kerasviz
from kerasviz.graph import ModelGraph, graph_of
from kerasviz.graph.schema import validate

from .conftest import application, optional_import


def edge_set(g, *fields):
    fields = fields or ("source", "target")
    return {tuple(getattr(e, f) for f in fields) for e in g.edges}


def check_payload(g: ModelGraph) -> dict:
    """Every graph a test makes must be valid JSON, valid schema, and round-trip."""
    d = g.to_json()
    text = json.dumps(d, allow_nan=False)  # no custom encoder, no NaN
    validate(json.loads(text))
    assert ModelGraph.from_json(json.loads(text)) == g
    return d


# ---- 1. the seed Sequential -------------------------------------------------------
def test_seed_sequential_keeps_keras_3d_shapes(seed_sequential):
    g = graph_of(seed_sequential)
    check_payload(g)
    assert g.model.api == "sequential"
    assert g.model.built is True
    assert [(n.class_name, n.kind) for n in g.nodes] == [
        ("InputLayer", "input"),
        ("Dense", "dense"),
        ("Dense", "dense"),
    ]
    inp, d1, d2 = g.nodes
    assert [d1.name, d2.name] == [layer.name for layer in seed_sequential.layers]
    # The batch dimension put into input_shape makes a 3-D model, as Keras does.
    assert inp.calls[0].output_shapes == [[None, None, 128]]
    assert d1.calls[0].input_shapes == [[None, None, 128]]
    assert d1.calls[0].output_shapes == [[None, None, 32]]
    assert d2.calls[0].output_shapes == [[None, None, 2]]
    assert (d1.params.trainable, d2.params.trainable) == (128 * 32 + 32, 32 * 2 + 2)
    assert g.model.params.total == 4194
    assert g.activation(d1.id) == "relu"
    assert g.activation(d2.id) == "softmax"
    assert [(e.source, e.target, e.shape) for e in g.edges] == [
        (inp.id, d1.id, [None, None, 128]),
        (d1.id, d2.id, [None, None, 32]),
    ]
    assert g.model.inputs == [inp.id]
    assert g.model.outputs == [d2.id]
    assert g.model.output_shapes == [[None, None, 2]]


# ---- 2. the seed's two-input, two-output Functional -------------------------------
def test_seed_functional(seed_functional):
    g = graph_of(seed_functional)
    check_payload(g)
    assert g.model.api == "functional"
    ids = [n.id for n in g.nodes]
    assert sorted(ids) == sorted(
        [
            "main_input",
            "embedding",
            "lstm",
            "aux_output",
            "aux_input",
            "concatenate",
            "dense_a",
            "dense_b",
            "dense_c",
            "main_output",
        ]
    )
    # topological order
    assert ids.index("main_input") < ids.index("embedding") < ids.index("lstm")
    assert ids.index("lstm") < ids.index("concatenate") < ids.index("main_output")
    assert g.model.inputs == ["main_input", "aux_input"]
    assert g.model.outputs == ["main_output", "aux_output"]
    got = sorted((e.source, e.target, e.shape, e.dtype, e.target_arg) for e in g.edges)
    assert got == sorted(
        [
            ("main_input", "embedding", [None, 100], "int32", 0),
            ("embedding", "lstm", [None, 100, 512], "float32", 0),
            ("lstm", "aux_output", [None, 32], "float32", 0),
            ("lstm", "concatenate", [None, 32], "float32", 0),
            ("aux_input", "concatenate", [None, 5], "float32", 1),
            ("concatenate", "dense_a", [None, 37], "float32", 0),
            ("dense_a", "dense_b", [None, 64], "float32", 0),
            ("dense_b", "dense_c", [None, 64], "float32", 0),
            ("dense_c", "main_output", [None, 64], "float32", 0),
        ]
    )
    params = {n.id: (n.params.trainable, n.params.non_trainable) for n in g.nodes}
    assert params == {
        "main_input": (0, 0),
        "embedding": (10000 * 512, 0),
        "lstm": (4 * (512 * 32 + 32 * 32 + 32), 0),
        "aux_output": (33, 0),
        "aux_input": (0, 0),
        "concatenate": (0, 0),
        "dense_a": (37 * 64 + 64, 0),
        "dense_b": (64 * 64 + 64, 0),
        "dense_c": (64 * 64 + 64, 0),
        "main_output": (65, 0),
    }
    assert (
        g.model.params.total
        == seed_functional.count_params()
        == sum(t for t, _ in params.values())
    )
    main_input = g.node("main_input")
    assert main_input.kind == "input"
    assert main_input.dtype == "int32"
    assert g.node("embedding").kind == "embedding"
    assert g.node("lstm").kind == "recurrent"
    assert g.node("concatenate").kind == "merge"
    assert g.node("concatenate").calls[0].input_shapes == [[None, 32], [None, 5]]
    assert g.node("lstm").weights[0].name == "kernel"
    assert g.node("lstm").weights[0].shape == [512, 128]
    assert g.full_config("embedding")["input_dim"] == 10000
    assert g.full_config("embedding")["output_dim"] == 512
    assert g.node("embedding").config["input_dim"] == 10000  # required args stay
    assert g.full_config("dense_a")["activation"] == "relu"
    assert g.full_config("dense_a")["name"] == "dense_a"
    assert g.model.input_shapes == [[None, 100], [None, 5]]


def test_full_config_equals_keras_get_config(seed_functional):
    g = graph_of(seed_functional)
    for layer in seed_functional.layers:
        expected = json.loads(json.dumps(layer.get_config()))
        assert g.full_config(layer.name) == expected


# ---- 3. an unbuilt Sequential ------------------------------------------------------
def test_unbuilt_sequential(keras):
    m = keras.Sequential(
        [keras.layers.Dense(8, name="u1"), keras.layers.Dense(2, name="u2")],
        name="unbuilt",
    )
    g = graph_of(m)
    check_payload(g)
    assert g.model.built is False
    assert g.model.api == "sequential"
    assert [n.id for n in g.nodes] == ["u1", "u2"]
    assert all(n.calls == [] for n in g.nodes)
    assert [(e.source, e.target, e.shape) for e in g.edges] == [("u1", "u2", None)]
    assert g.model.params.total == 0


# ---- 4. a shared layer -------------------------------------------------------------
def test_shared_layer_is_one_node_with_two_calls(siamese):
    g = graph_of(siamese)
    check_payload(g)
    encoder = g.node("encoder")
    assert len(encoder.calls) == 2
    assert [c.input_shapes for c in encoder.calls] == [[[None, 8]], [[None, 8]]]
    assert [n.id for n in g.nodes].count("encoder") == 1
    assert sorted(
        (e.source, e.target, e.source_call, e.target_arg, e.target_call)
        for e in g.edges
    ) == sorted(
        [
            ("left", "encoder", 0, 0, 0),
            ("right", "encoder", 0, 0, 1),
            ("encoder", "diff", 0, 0, 0),
            ("encoder", "diff", 1, 1, 0),
            ("diff", "score", 0, 0, 0),
        ]
    )
    assert g.model.params.total == siamese.count_params() == (8 * 4 + 4) + (4 + 1)


# ---- 5. nested models, three levels ------------------------------------------------
def test_nested_collapsed(nested):
    g = graph_of(nested)
    check_payload(g)
    assert [n.id for n in g.nodes] == ["outer_in", "mid", "tail", "head"]
    assert {n.id: n.kind for n in g.nodes}["mid"] == "model"
    assert all(n.parent is None for n in g.nodes)
    assert [(e.source, e.target) for e in g.edges] == [
        ("outer_in", "mid"),
        ("mid", "tail"),
        ("tail", "head"),
    ]
    assert g.node("mid").params.total == nested.get_layer("mid").count_params()
    assert sum(n.params.total for n in g.nodes) == nested.count_params()


def test_nested_expanded(nested):
    g = graph_of(nested, expand_nested=True)
    check_payload(g)
    parents = {n.id: n.parent for n in g.nodes}
    assert parents == {
        "outer_in": None,
        "mid": None,
        "mid/mid_in": "mid",
        "mid/mid_dense": "mid",
        "mid/deep": "mid",
        "mid/deep/deep_in": "mid/deep",
        "mid/deep/deep_dense": "mid/deep",
        "tail": None,
        "tail/tail_in": "tail",
        "tail/tail_dense": "tail",
        "head": None,
    }
    assert [n.id for n in g.nodes] == list(parents)  # inner nodes follow their model
    assert sorted((e.source, e.target) for e in g.edges) == sorted(
        [
            ("outer_in", "mid/mid_in"),
            ("mid/mid_in", "mid/mid_dense"),
            ("mid/mid_dense", "mid/deep/deep_in"),
            ("mid/deep/deep_in", "mid/deep/deep_dense"),
            ("mid/deep/deep_dense", "tail/tail_in"),
            ("tail/tail_in", "tail/tail_dense"),
            ("tail/tail_dense", "head"),
        ]
    )
    # no edge touches a model node: they are only containers now
    assert not {e.source for e in g.edges} & {"mid", "mid/deep", "tail"}
    assert not {e.target for e in g.edges} & {"mid", "mid/deep", "tail"}
    leaves = [n for n in g.nodes if not g.children(n.id)]
    assert sum(n.params.total for n in leaves) == nested.count_params()
    assert g.node("mid/deep/deep_dense").calls[0].output_shapes == [[None, 6]]
    assert g.children("mid/deep") == [
        g.node("mid/deep/deep_in"),
        g.node("mid/deep/deep_dense"),
    ]


# ---- 6. raw keras.ops ----------------------------------------------------------
def test_raw_ops_are_op_nodes(keras):
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    s = a + b
    p = keras.ops.multiply(s, b)
    out = keras.layers.Dense(1, name="out")(p)
    m = keras.Model([a, b], out, name="ops_model")
    g = graph_of(m)
    check_payload(g)
    assert len(g.nodes) == len(m.operations) == 5
    ops = [n for n in g.nodes if n.kind == "op"]
    assert [n.class_name for n in ops] == ["Add", "Multiply"]
    add, mul = ops
    assert sorted((e.source, e.target, e.target_arg) for e in g.edges) == sorted(
        [
            ("a", add.id, 0),
            ("b", add.id, 1),
            (add.id, mul.id, 0),
            ("b", mul.id, 1),
            (mul.id, "out", 0),
        ]
    )
    assert add.calls[0].output_shapes == [[None, 3]]
    assert add.params.total == 0


# ---- 7. several outputs ----------------------------------------------------------
def test_layer_with_several_outputs(keras):
    seq = keras.Input((5, 3), name="seq")
    out, h, c = keras.layers.LSTM(4, return_state=True, name="lstm_s")(seq)
    y = keras.layers.Concatenate(name="cat")([out, h, c])
    m = keras.Model(seq, [y, c], name="states")
    g = graph_of(m)
    check_payload(g)
    assert g.node("lstm_s").calls[0].output_shapes == [[None, 4]] * 3
    assert sorted(
        (e.source, e.target, e.source_output, e.target_arg) for e in g.edges
    ) == [
        ("lstm_s", "cat", 0, 0),
        ("lstm_s", "cat", 1, 1),
        ("lstm_s", "cat", 2, 2),
        ("seq", "lstm_s", 0, 0),
    ]
    assert g.model.outputs == ["cat", "lstm_s"]


# ---- 8. a subclassed model -----------------------------------------------------
def test_subclassed_model(keras):
    class Tower(keras.Model):
        def __init__(self):
            super().__init__(name="tower")
            self.d1 = keras.layers.Dense(8, name="t1")
            self.d2 = keras.layers.Dense(2, name="t2")

        def call(self, x):
            return self.d2(self.d1(x))

    m = Tower()
    m(keras.ops.zeros((1, 4)))
    g = graph_of(m)
    check_payload(g)
    assert g.model.api == "subclassed"
    assert g.model.class_name == "Tower"
    # Called once, its call() is traced: the real wiring, not a list of sublayers.
    assert g.model.trace is not None
    assert g.model.trace.traced
    assert [(n.id, n.kind, n.parent) for n in g.nodes] == [
        ("x", "input", None),
        ("t1", "dense", None),
        ("t2", "dense", None),
    ]
    assert [(e.source, e.target, e.shape) for e in g.edges] == [
        ("x", "t1", [None, 4]),
        ("t1", "t2", [None, 8]),
    ]
    assert g.model.inputs == ["x"]
    assert g.model.outputs == ["t2"]
    assert (
        sum(n.params.total for n in g.nodes)
        == m.count_params()
        == 4 * 8 + 8 + 8 * 2 + 2
    )
    assert g.node("t1").params.total == 40


def test_subclassed_model_that_cannot_be_traced_lists_its_sublayers(keras):
    class Gate(keras.Model):
        def __init__(self):
            super().__init__(name="gate")
            self.d1 = keras.layers.Dense(8, name="t1")
            self.d2 = keras.layers.Dense(2, name="t2")

        def build(self, input_shape):
            self.d1.build(input_shape)
            self.d2.build((None, 8))

        def call(self, x):
            # Python control flow on a value: runs eagerly, cannot be traced
            if keras.ops.convert_to_numpy(keras.ops.sum(x)) > 0:
                return self.d2(self.d1(x))
            return self.d2(self.d1(-x))

    m = Gate()
    m(keras.ops.ones((1, 4)))
    g = graph_of(m)
    check_payload(g)
    assert g.model.trace is not None
    assert not g.model.trace.traced
    assert "values of its tensors" in g.model.trace.reason
    assert [(n.id, n.kind, n.parent) for n in g.nodes] == [
        ("gate", "model", None),
        ("gate/t1", "dense", "gate"),
        ("gate/t2", "dense", "gate"),
    ]
    assert g.edges == []
    assert g.node("gate").params.total == m.count_params()


# ---- 9. a custom layer whose get_config raises ---------------------------------
def test_broken_get_config_is_recorded_not_raised(keras):
    class Broken(keras.layers.Layer):
        def call(self, x):
            return x * 2

        def get_config(self):
            raise RuntimeError("no config for you")

    inp = keras.Input((3,), name="x")
    out = keras.layers.Dense(2, name="after")(Broken(name="broken")(inp))
    m = keras.Model(inp, out)
    g = graph_of(m)
    check_payload(g)
    assert [n.id for n in g.nodes] == ["x", "broken", "after"]
    broken = g.node("broken")
    assert broken.config is None
    assert broken.error == "get_config() raised RuntimeError: no config for you"
    assert broken.kind == "other"
    assert g.node("after").error is None
    assert [(e.source, e.target) for e in g.edges] == [
        ("x", "broken"),
        ("broken", "after"),
    ]


# ---- 10. keras.applications ----------------------------------------------------
def keras_connectivity(model):
    """Edges as Keras itself serialises them (get_config()['layers'][i]['inbound_nodes'])."""
    edges = set()
    for layer in model.get_config()["layers"]:
        for call, node in enumerate(layer["inbound_nodes"]):
            found = []

            def walk(x, found=found):
                if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
                    found.append(x["config"]["keras_history"])
                elif isinstance(x, dict):
                    for k in sorted(x):
                        walk(x[k])
                elif isinstance(x, list | tuple):
                    for v in x:
                        walk(v)

            walk(node["args"])
            walk(node.get("kwargs", {}))
            for arg, (src, _src_call, out) in enumerate(found):
                edges.add((src, layer["name"], out, arg, call))
    return edges


APPLICATIONS = [
    "MobileNetV2",
    "ResNet50",
    "DenseNet121",
    "EfficientNetB0",
    "NASNetMobile",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", APPLICATIONS)
def test_keras_applications(keras, name, request):
    if name == "ResNet50":  # built once per session (conftest)
        model = request.getfixturevalue("resnet50")
    else:
        model = application(keras, name)
    g = graph_of(model)
    d = check_payload(g)
    assert len(g.nodes) == len(model.operations)
    assert len({n.id for n in g.nodes}) == len(g.nodes)
    assert sum(n.params.total for n in g.nodes) == model.count_params()
    assert g.model.params.total == model.count_params()
    assert edge_set(
        g, "source", "target", "source_output", "target_arg", "target_call"
    ) == keras_connectivity(model)
    assert len(g.edges) == len(keras_connectivity(model))
    for layer in model.layers:
        node = g.node(layer.name)
        assert node.calls[0].output_shapes == [list(layer.output.shape)]
    assert len(json.dumps(d)) > 0


# ---- 11. a 2,000-layer ladder ------------------------------------------------------
@pytest.mark.slow
def test_2000_layer_ladder_under_default_recursion_limit(keras):
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # Keras builds deep graphs recursively
    try:
        x = inp = keras.Input((4,), name="in")
        for i in range(1000):
            y = keras.layers.Dense(4, name=f"d{i}")(x)
            x = keras.layers.Add(name=f"a{i}")([x, y])
        m = keras.Model(inp, x, name="ladder")
    finally:
        sys.setrecursionlimit(limit)
    g = graph_of(m)  # at the default limit: must not recurse per layer
    check_payload(g)
    assert len(g.nodes) == 2001 == len(m.operations)
    assert len(g.edges) == 3000
    assert g.edges[:3] == [
        g.edges[0].__class__("in", "d0", [None, 4], "float32", 0, 0, 0, 0),
        g.edges[0].__class__("in", "a0", [None, 4], "float32", 0, 0, 0, 0),
        g.edges[0].__class__("d0", "a0", [None, 4], "float32", 0, 0, 1, 0),
    ]
    assert g.model.outputs == ["a999"]
    assert sum(n.params.total for n in g.nodes) == 1000 * (4 * 4 + 4)


# ---- bad input -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bad", "received"),
    [
        (42, "Received: model=42 of type builtins.int"),
        (None, "Received: model=None of type builtins.NoneType"),
        ("model", "Received: model='model' of type builtins.str"),
    ],
)
def test_bad_input_is_a_clear_type_error(bad, received):
    with pytest.raises(TypeError) as info:
        graph_of(bad)
    msg = str(info.value)
    assert "expects a Keras 3 model or layer" in msg
    assert received in msg
    assert info.traceback[-1].name == "_check_model"  # raised by us, not deep inside


def test_string_hint_names_the_magic():
    with pytest.raises(TypeError, match="%kerasviz NAME"):
        graph_of("my_model")


def test_torch_module_is_refused():
    torch = optional_import("torch")
    with pytest.raises(TypeError, match="PyTorch module") as info:
        graph_of(torch.nn.Linear(2, 3))
    assert "Received: model=Linear(in_features=2" in str(info.value)


def test_keras2_model_is_refused():
    tf_keras = optional_import("tf_keras")
    m = tf_keras.Sequential([tf_keras.layers.Dense(2, input_shape=(3,))])
    with pytest.raises(TypeError, match="Keras 2 model") as info:
        graph_of(m)
    assert "Received: model=<tf_keras" in str(info.value)


def test_public_wrapper_is_the_same_reader(seed_functional):
    assert kerasviz.graph_of(seed_functional) == graph_of(seed_functional)


def test_reading_does_not_move_keras_auto_names(keras, seed_functional):
    before = keras.layers.Dense(1).name
    graph_of(seed_functional)
    graph_of(keras.applications.MobileNetV2(weights=None))
    after = keras.layers.Dense(1).name
    prefix, n = before.rsplit("_", 1)
    assert after == f"{prefix}_{int(n) + 1}"


def test_a_plain_layer(keras):
    layer = keras.layers.Dense(3, name="lonely")
    g = graph_of(layer)
    check_payload(g)
    assert g.model.api == "layer"
    assert [n.id for n in g.nodes] == ["lonely"]
    assert g.model.built is False
