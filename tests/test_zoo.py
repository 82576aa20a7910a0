"""The whole chain over tests/zoo.py's keras.io-style models.

For each model: the reader agrees with Keras's own bookkeeping (operations, calls,
the tensors into each call, shapes, parameters), the view payload validates, the
DOT export draws every node and connection, ``to_code`` writes code that runs and
rebuilds the same network, ``compare()`` and ``diff_models`` work. Then what
``expand_nested=True`` shows inside nested models and custom layers.

The helpers here (``keras_bookkeeping``, ``check_*``) are shared with
tests/test_kerashub.py.
"""

from __future__ import annotations

import html
import json
import shutil
import warnings
from collections import Counter

import pytest

import kerasviz
from kerasviz.codegen.diff import diff_models
from kerasviz.contract import validate as validate_payload
from kerasviz.graph import ModelGraph
from kerasviz.graph.schema import validate as validate_graph
from kerasviz.view import view_payload

from .conftest import IN_CI, optional_import
from .zoo import ZOO, Sampling

GRAPH_MODELS = [n for n in ZOO if n != "subclassed_mlp"]


#: Models that need TensorFlow on any backend: StringLookup handles strings with tf.
NEEDS_TENSORFLOW = {"wide_deep"}


def build(name):
    """A fresh ZOO model (skipped where it needs TensorFlow and it is missing)."""
    if name in NEEDS_TENSORFLOW:
        optional_import("tensorflow")
    return ZOO[name]()


# ---- Keras's own bookkeeping -----------------------------------------------------------
def graph_function(model):
    """The Functional that holds ``model``'s graph (a Sequential's private one)."""
    import keras

    if isinstance(model, keras.Sequential):
        return model._functional
    return model


def own_calls(fn, op):
    """The calls (Keras ``Node``s) of ``op`` that belong to ``fn``'s graph."""
    from keras.src.ops.function import make_node_key

    return [
        node
        for i, node in enumerate(op._inbound_nodes)
        if make_node_key(op, i) in fn._nodes
    ]


def keras_bookkeeping(model):
    """What Keras itself records: ops by name, their calls, and one (producer,
    consumer) pair per tensor into each call."""
    fn = graph_function(model)
    ops = {op.name: op for op in fn.operations}
    calls = {name: own_calls(fn, op) for name, op in ops.items()}
    wires = Counter()
    for name, nodes in calls.items():
        for node in nodes:
            for t in node.input_tensors:
                producer = t._keras_history.operation
                wires[(producer.name, name)] += 1
    return ops, calls, wires


def shapes(tensors):
    return [list(t.shape) for t in tensors]


def check_json(g: ModelGraph) -> dict:
    """JSON-safe, valid against the graph schema, and round-trips."""
    d = g.to_json()
    text = json.dumps(d, allow_nan=False)
    validate_graph(json.loads(text))
    assert ModelGraph.from_json(json.loads(text)) == g
    return d


def check_graph_against_keras(model):
    """graph_of(model) has Keras's ops as nodes, its wires as edges, its shapes."""
    import keras

    g = kerasviz.graph_of(model)
    check_json(g)
    ops, calls, wires = keras_bookkeeping(model)
    top = [n for n in g.nodes if n.parent is None]
    assert len(top) == len(ops) == len(g.nodes)
    if isinstance(model, keras.Sequential):  # its layers, and the InputLayer it hides
        assert len(g.nodes) == len(model.layers) + len(model.inputs)
    else:
        assert len(g.nodes) == len(model.operations)
    assert sorted(n.id for n in top) == sorted(ops)
    assert len(g.edges) == sum(wires.values())
    assert Counter((e.source, e.target) for e in g.edges) == wires
    for node in top:
        keras_calls = calls[node.id]
        assert len(node.calls) == len(keras_calls), node.id
        for ours, theirs in zip(node.calls, keras_calls, strict=True):
            if type(ops[node.id]).__name__ != "InputLayer":
                assert ours.input_shapes == shapes(theirs.input_tensors), node.id
            assert ours.output_shapes == shapes(theirs.output_tensors), node.id
        assert node.class_name == type(ops[node.id]).__name__
    fn = graph_function(model)
    assert g.model.inputs == [t._keras_history.operation.name for t in fn.inputs]
    assert g.model.outputs == [
        t._keras_history.operation.name for t in _flat(fn.outputs)
    ]
    return g


def _flat(x):
    import keras

    return keras.tree.flatten(x)


def check_params(model, g: ModelGraph):
    """Top-level nodes' params sum to count_params(); each layer's are its own."""
    top = [n for n in g.nodes if n.parent is None]
    assert sum(n.params.total for n in top) == model.count_params()
    assert g.model.params.total == model.count_params()
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    assert g.model.params.trainable == trainable
    by_name = {layer.name: layer for layer in model.layers}
    for n in top:
        if n.id in by_name:
            assert n.params.total == by_name[n.id].count_params(), n.id


def check_view(model, g_expanded: ModelGraph):
    payload = view_payload(model)
    validate_payload(payload, "view")
    assert [n["id"] for n in payload["graph"]["nodes"]] == [
        n.id for n in g_expanded.nodes
    ]
    return payload


def dot_nodes(dot):
    out = [n.get_name().strip('"') for n in dot.get_nodes()]
    for sub in dot.get_subgraphs():
        out += dot_nodes(sub)
    return [n for n in out if n not in ("node", "edge", "graph")]


def check_dot(model, g: ModelGraph, tmp_path):
    """Every top-level node drawn once, every connection drawn, files written."""
    dot = kerasviz.to_dot(model)
    assert sorted(dot_nodes(dot)) == sorted(n.id for n in g.nodes if n.parent is None)
    drawn = {
        (e.get_source().strip('"'), e.get_destination().strip('"'))
        for e in dot.get_edges()
    }
    assert drawn == {(e.source, e.target) for e in g.edges}
    path = kerasviz.save(model, tmp_path / "model.dot")
    assert path.read_text() == dot.to_string()
    if shutil.which("dot") is None:
        if IN_CI:
            pytest.fail("Graphviz's dot is not installed: apt-get install graphviz")
        return
    svg = html.unescape(kerasviz.save(model, tmp_path / "model.svg").read_text())
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    for n in g.nodes:
        if n.parent is None:
            assert f'id="kv-{n.id}"' in svg, n.id


def check_dot_expanded(model):
    """expand_nested=True: containers (nested models, traced custom layers) are
    clusters; every other node is drawn once, every connection drawn."""
    g = kerasviz.graph_of(model, expand_nested=True)
    dot = kerasviz.to_dot(model, expand_nested=True)
    containers = {n.parent for n in g.nodes if n.parent}
    assert sorted(dot_nodes(dot)) == sorted(
        n.id for n in g.nodes if n.id not in containers
    )
    drawn = Counter(
        (e.get_source().strip('"'), e.get_destination().strip('"'))
        for e in dot.get_edges()
    )
    assert set(drawn) == {(e.source, e.target) for e in g.edges}
    assert all(count == 1 for count in drawn.values())  # one line per pair
    clusters = _clusters(dot)
    assert len(clusters) == len(containers)


def _clusters(dot):
    out = []
    for sub in dot.get_subgraphs():
        out.append(sub)
        out += _clusters(sub)
    return out


def to_code_checked(model):
    """to_code's functional code, the model it builds and what kerasviz warned.

    The code must run. It must rebuild an equivalent network, unless kerasviz
    warned (a CodegenWarning) that it cannot write a layer faithfully; each such
    warning must name a layer of the model.
    """
    from kerasviz.codegen.generate import CodegenWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = kerasviz.to_code(model, "functional")
    said = [str(w.message) for w in caught if issubclass(w.category, CodegenWarning)]
    names = {layer.name for layer in _all_layers(model)}
    for message in said:
        assert any(repr(name) in message for name in names), (
            f"a warning that names no layer of the model: {message}"
        )
    ns: dict = {}
    exec(compile(code, f"<to_code {model.name}>", "exec"), ns)
    rebuilt = ns["model"]
    if said:
        return code, rebuilt, said
    report = kerasviz.check_equivalent(model, rebuilt)
    assert report.equivalent, f"{report.summary}\n{code}"
    return code, rebuilt, said


def _all_layers(model):
    out = []
    stack = list(model.layers)
    while stack:
        layer = stack.pop()
        out.append(layer)
        stack.extend(getattr(layer, "_layers", []) or [])
    return out


def check_compare(model):
    """compare() works; its payload validates; the verdict holds unless kerasviz
    warned that it could not write a layer (the warning names it)."""
    from kerasviz.codegen.generate import CodegenWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = kerasviz.compare(model)
    said = [str(w.message) for w in caught if issubclass(w.category, CodegenWarning)]
    names = {layer.name for layer in _all_layers(model)}
    for message in said:
        assert any(repr(name) in message for name in names), message
    payload = view.saved_payload()
    validate_payload(payload, "comparison")
    if view.verdict is not None:
        assert view.verdict.equivalent or said, view.verdict.summary
    else:
        assert view.reasons
    return view


# ---- the tests -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", GRAPH_MODELS)
def test_graph_matches_keras(name):
    check_graph_against_keras(build(name))


@pytest.mark.parametrize("name", list(ZOO))
def test_params_sum_to_count_params(name):
    model = build(name)
    check_params(model, kerasviz.graph_of(model))
    # Expanding changes the picture, not the total: the top level still sums up.
    expanded = kerasviz.graph_of(model, expand_nested=True)
    check_json(expanded)
    assert (
        sum(n.params.total for n in expanded.nodes if n.parent is None)
        == model.count_params()
    )


@pytest.mark.parametrize("name", list(ZOO))
def test_view_payload_validates(name):
    model = build(name)
    check_view(model, kerasviz.graph_of(model, expand_nested=True))


@pytest.mark.parametrize("name", list(ZOO))
def test_dot_export(name, tmp_path):
    model = build(name)
    check_dot(model, kerasviz.graph_of(model), tmp_path)


@pytest.mark.parametrize("name", list(ZOO))
def test_dot_export_expanded(name):
    check_dot_expanded(build(name))


@pytest.mark.parametrize("name", GRAPH_MODELS)
def test_to_code_rebuilds_the_same_network(name):
    import keras

    model = build(name)
    if name in NEEDS_TENSORFLOW and keras.backend.backend() != "tensorflow":
        # Keras itself runs string tensors only on TensorFlow: here the structure
        # can be compared, the outputs cannot (and the report must say just that).
        ns: dict = {}
        exec(kerasviz.to_code(model), ns)
        report = kerasviz.check_equivalent(model, ns["model"])
        assert not report.equivalent
        assert report.differences
        assert all("could not run" in d for d in report.differences), report.summary
        return
    to_code_checked(model)


@pytest.mark.parametrize("name", GRAPH_MODELS)
def test_compare(name):
    check_compare(build(name))


@pytest.mark.parametrize("name", GRAPH_MODELS)
def test_diff_of_two_builds_is_empty(name):
    """Two builds of one builder differ only in Keras's automatic names."""
    a, b = build(name), build(name)
    diff = diff_models(a, b)
    assert diff.identical, diff.rows()


# ---- nested models -------------------------------------------------------------------------
NESTED = {
    "vae": ["encoder", "decoder"],
    "gan": ["generator", "discriminator"],
    "siamese": ["embedding_network"],
}


@pytest.mark.parametrize("name", list(NESTED))
def test_expanded_nested_models_hold_their_operations(name):
    model = build(name)
    g = kerasviz.graph_of(model, expand_nested=True)
    check_json(g)
    for sub_name in NESTED[name]:
        sub = model.get_layer(sub_name)
        node = g.node(sub_name)
        assert node.kind == "model"
        children = g.children(sub_name)
        assert sorted(c.name for c in children) == sorted(
            op.name for op in graph_function(sub).operations
        )
        assert all(c.id.startswith(f"{sub_name}/") for c in children)
        assert sum(c.params.total for c in children) == sub.count_params()
    # Every edge joins two nodes of the graph; none ends on a collapsed model.
    ids = {n.id for n in g.nodes}
    assert all(e.source in ids and e.target in ids for e in g.edges)
    containers = set(NESTED[name])
    assert not any(e.target in containers for e in g.edges)


def test_siamese_shared_encoder_is_called_twice():
    model = build("siamese")
    g = kerasviz.graph_of(model)
    encoder = g.node("embedding_network")
    assert len(encoder.calls) == 2
    assert [c.output_shapes for c in encoder.calls] == [[[None, 8]], [[None, 8]]]
    lambda_node = next(n for n in g.nodes if n.class_name == "Lambda")
    into = sorted(
        (e.source, e.source_call, e.target_arg)
        for e in g.edges
        if e.target == lambda_node.id
    )
    assert into == [("embedding_network", 0, 0), ("embedding_network", 1, 1)]


def test_wide_deep_string_inputs():
    model = build("wide_deep")
    g = kerasviz.graph_of(model)
    dtypes = {g.node(i).name: g.node(i).dtype for i in g.model.inputs}
    assert dtypes == {
        "age": "float32",
        "hours_per_week": "float32",
        "workclass": "string",
        "education": "string",
    }
    assert g.model.input_shapes == [[None]] * 4
    lookups = [n for n in g.nodes if n.class_name == "StringLookup"]
    assert len(lookups) == 4
    assert {e.dtype for e in g.edges if e.target in {n.id for n in lookups}} == {
        "string"
    }


# ---- subclassed: no Functional graph, its call() traced -------------------------------------
def test_subclassed_mlp_graph():
    model = build("subclassed_mlp")
    g = kerasviz.graph_of(model)
    check_json(g)
    assert g.model.api == "subclassed"
    assert g.model.params.total == model.count_params()
    assert sum(n.params.total for n in g.nodes if n.parent is None) == (
        model.count_params()
    )
    by_name = {n.name: n for n in g.nodes}
    for layer in (model.dense1, model.dense2):
        assert by_name[layer.name].class_name == "Dense"
        assert by_name[layer.name].params.total == layer.count_params()
    trace = g.model.trace
    assert trace is not None, "a subclassed model says whether its call() was traced"
    if not trace.traced:
        assert trace.reason
        assert g.edges == []
        return
    # Traced: Dense -> keras.ops.relu -> Dense, wired, with the shapes of the batch.
    chain = [n.class_name for n in g.nodes]
    assert chain == ["InputLayer", "Dense", "Relu", "Dense"]
    assert [(e.source, e.target) for e in g.edges] == [
        (a.id, b.id) for a, b in zip(g.nodes, g.nodes[1:], strict=False)
    ]
    assert g.model.inputs == [g.nodes[0].id]
    assert g.model.outputs == [g.nodes[-1].id]
    assert [n.calls[0].output_shapes[0][-1] for n in g.nodes] == [8, 16, 16, 3]


def test_subclassed_mlp_code():
    """Either refused with the reason, or code that rebuilds the same network."""
    model = build("subclassed_mlp")
    try:
        kerasviz.to_code(model)
    except ValueError as e:
        refused = str(e)
    else:
        refused = None
    if refused is not None:
        assert "subclassed model" in refused
        with pytest.raises(ValueError, match="subclassed model"):
            kerasviz.compare(model)
        return
    to_code_checked(model)
    check_compare(model)


# ---- custom layers, opened (expand_nested=True traces their call()) -----------------------
def trace_info(node):
    """The node's trace verdict, whatever the reader calls it (None: none)."""
    return getattr(node, "trace", None)


#: model → custom layer class → the classes its expanded node must hold
CUSTOM_INSIDE = {
    "residual_blocks": {
        "ResidualBlock": ["Conv2D", "Conv2D", "Add", "Activation"],
    },
    "text_transformer": {
        "TokenAndPositionEmbedding": ["Embedding", "Embedding"],
        "TransformerBlock": [
            "MultiHeadAttention",
            "Dropout",
            "Dropout",
            "LayerNormalization",
            "LayerNormalization",
            "Sequential",
        ],
    },
    "vit": {
        "Patches": [],
        "PatchEncoder": ["Dense", "Embedding"],
    },
    "name_to_inner": {"NamedProjection": ["Dense", "LayerNormalization"]},
    "no_config_layer": {"Scale": []},
}


@pytest.mark.parametrize("name", list(CUSTOM_INSIDE))
def test_custom_layers_open_when_expanded(name):
    model = build(name)
    g = kerasviz.graph_of(model, expand_nested=True)
    check_json(g)
    ids = [n.id for n in g.nodes]
    assert len(ids) == len(set(ids))
    for layer in model.layers:
        wanted = CUSTOM_INSIDE[name].get(type(layer).__name__)
        if wanted is None:
            continue
        node = g.node(layer.name)
        children = g.children(node.id)
        assert children, f"{layer.name} ({type(layer).__name__}) is not opened"
        assert trace_info(node) is not None
        got = Counter(c.class_name for c in children if c.kind != "input")
        assert not Counter(wanted) - got, (layer.name, got)
        for c in children:
            assert c.id.startswith(f"{node.id}/")
            if c.kind != "input":
                assert c.calls, c.id
                assert all(call.output_shapes for call in c.calls), c.id
        # The sublayers' params are the layer's, less its own direct weights.
        own = sum(int(w.numpy().size) for w in layer.weights) - sum(
            int(w.numpy().size) for sub in layer._layers for w in sub.weights
        )
        assert sum(c.params.total for c in children) + own == node.params.total
        # The container's inputs arrive inside it, at its InputLayers.
        into = [e for e in g.edges if e.target == node.id]
        assert not into, into
    # Tracing leaves the model as it was.
    check_graph_against_keras(model)


def test_tracing_leaves_random_state_alone():
    """Reading (and showing) a model with a random layer does not move its random
    stream: the model gives what an untouched twin gives."""
    import keras
    import numpy as np

    model, twin = build("vae_encoder"), build("vae_encoder")
    twin.set_weights(model.get_weights())
    (sampling,) = [layer for layer in model.layers if isinstance(layer, Sampling)]

    def state():
        return keras.ops.convert_to_numpy(sampling.seed_generator.state).tolist()

    before = state()
    kerasviz.graph_of(model, expand_nested=True)
    assert state() == before
    view_payload(model)
    assert state() == before
    x = np.random.default_rng(0).random((2, 16, 16, 1)).astype("float32")
    z, z_twin = (keras.ops.convert_to_numpy(m(x)[2]) for m in (model, twin))
    np.testing.assert_allclose(z, z_twin)


def test_name_handed_to_inner_layer_keeps_ids_apart():
    model = build("name_to_inner")
    g = kerasviz.graph_of(model, expand_nested=True)
    inner = [n for n in g.nodes if n.name == "projection"]
    assert len(inner) == 2  # the wrapper and its Dense
    assert len({n.id for n in inner}) == 2
    dense = next(n for n in inner if n.class_name == "Dense")
    assert dense.parent == "projection"
    assert dense.calls[0].output_shapes == [[None, 6]]


def test_residual_block_inner_shapes():
    model = build("residual_blocks")
    g = kerasviz.graph_of(model, expand_nested=True)
    block = next(n for n in g.nodes if n.class_name == "ResidualBlock")
    children = {c.class_name: c for c in g.children(block.id)}
    assert children["Add"].calls[0].input_shapes == [[None, 16, 16, 8]] * 2
    assert children["Activation"].calls[0].output_shapes == [[None, 16, 16, 8]]
    inner_edges = {
        (g.node(e.source).class_name, g.node(e.target).class_name)
        for e in g.edges
        if g.node(e.target).parent == block.id and g.node(e.source).parent == block.id
    }
    assert ("Conv2D", "Add") in inner_edges
    assert ("Add", "Activation") in inner_edges
