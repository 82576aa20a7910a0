"""kerasviz.costs: each formula against hand-computed numbers, totals, containers,
shared layers, unknown dimensions, errors, and an independent count (TensorFlow's
profiler) on small models."""

from __future__ import annotations

import json

import pytest

from kerasviz.costs import Cost, CostReport, costs
from kerasviz.graph import ModelGraph, graph_of

from .conftest import BACKEND, optional_import


def one(keras, layer, shape, *, batch_size=1, dims=None, dtype="float32"):
    """The report of a model made of ``layer`` on ``keras.Input(shape)``, and the
    layer's own Cost."""
    x = keras.Input(shape, dtype=dtype)
    m = keras.Model(x, layer(x))
    r = costs(m, batch_size=batch_size, dims=dims)
    return r, r.node(layer.name)


# ---- Dense ----------------------------------------------------------------------
def test_dense_on_a_vector_and_a_batch(keras):
    d = keras.layers.Dense(4, activation="relu", name="d")
    r, c = one(keras, d, (8,), batch_size=3)
    assert c.macs == 3 * 8 * 4
    # 2·macs + bias adds + relu, one each per output element
    assert c.flops == 2 * 96 + 3 * 4 + 3 * 4
    assert c.params == 36
    assert c.param_bytes == 36 * 4
    assert c.activation_bytes == 3 * 4 * 4
    assert c.reason is None
    assert r.total.macs == 96


def test_dense_on_any_rank_counts_every_position(keras):
    d = keras.layers.Dense(5, use_bias=False, name="d")
    _, c = one(keras, d, (6, 7, 8), batch_size=2)
    assert c.macs == 2 * 6 * 7 * 8 * 5
    assert c.flops == 2 * c.macs  # no bias, no activation


def test_einsum_dense(keras):
    layer = keras.layers.EinsumDense("abc,cde->abde", (5, 3, 4), bias_axes="de")
    _, c = one(keras, layer, (5, 6))
    # a=1, b=5, c=6, d=3, e=4
    assert c.macs == 5 * 6 * 3 * 4
    assert c.flops == 2 * c.macs + 5 * 3 * 4


# ---- convolutions -----------------------------------------------------------------
def test_conv2d_strides_padding_and_activation(keras):
    conv = keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")
    _, c = one(keras, conv, (32, 32, 3), batch_size=2)
    # out 16x16x16 per image
    assert c.macs == 2 * 16 * 16 * 3 * 3 * 3 * 16
    assert c.flops == 2 * c.macs + 2 * (2 * 16 * 16 * 16)


def test_conv2d_dilation(keras):
    conv = keras.layers.Conv2D(4, 3, dilation_rate=2)
    _, c = one(keras, conv, (10, 10, 3))
    # a 3x3 kernel dilated by 2 spans 5: out 6x6
    assert c.macs == 6 * 6 * 9 * 3 * 4


def test_conv2d_groups(keras):
    conv = keras.layers.Conv2D(6, 3, groups=3, use_bias=False)
    _, c = one(keras, conv, (10, 10, 6))
    assert c.macs == 8 * 8 * 9 * (6 // 3) * 6
    assert c.flops == 2 * c.macs
    assert c.params == 9 * 2 * 6


def test_conv1d_and_conv3d(keras):
    _, c1 = one(keras, keras.layers.Conv1D(8, 5, strides=2), (20, 4))
    assert c1.macs == 8 * 5 * 4 * 8  # out length (20 - 5) // 2 + 1 = 8
    _, c3 = one(keras, keras.layers.Conv3D(2, 3, padding="same"), (4, 5, 6, 3))
    assert c3.macs == 4 * 5 * 6 * 27 * 3 * 2


def test_depthwise_and_separable(keras):
    _, dw = one(keras, keras.layers.DepthwiseConv2D(3, depth_multiplier=2), (9, 9, 4))
    assert dw.macs == 7 * 7 * 9 * 4 * 2
    _, sep = one(keras, keras.layers.SeparableConv2D(5, 3, strides=2), (9, 9, 4))
    # out 4x4: depthwise 4·4·9·4, pointwise 4·4·4·5
    assert sep.macs == 4 * 4 * 9 * 4 + 4 * 4 * 4 * 5
    assert sep.flops == 2 * sep.macs + 4 * 4 * 5
    _, d1 = one(keras, keras.layers.DepthwiseConv1D(3), (10, 2))
    assert d1.macs == 8 * 3 * 2
    _, s1 = one(keras, keras.layers.SeparableConv1D(3, 3, use_bias=False), (10, 2))
    assert s1.macs == 8 * 3 * 2 + 8 * 2 * 3


def test_conv_transpose(keras):
    _, c = one(keras, keras.layers.Conv2DTranspose(5, 3, strides=2), (4, 4, 3))
    # every input position meets the whole kernel: in 4x4
    assert c.macs == 4 * 4 * 9 * 3 * 5
    out = 9 * 9 * 5  # (4 - 1) * 2 + 3 = 9
    assert c.flops == 2 * c.macs + out
    _, c1 = one(keras, keras.layers.Conv1DTranspose(2, 4), (6, 3))
    assert c1.macs == 6 * 4 * 3 * 2


# ---- pooling, normalisation, element-wise ------------------------------------------
def test_pooling(keras):
    _, mp = one(keras, keras.layers.MaxPooling2D(2), (8, 8, 3))
    assert (mp.macs, mp.flops) == (0, 4 * 4 * 3 * 4)
    _, ap = one(keras, keras.layers.AveragePooling1D(3, strides=1), (10, 2))
    assert (ap.macs, ap.flops) == (0, 8 * 2 * 3)
    _, gp = one(keras, keras.layers.GlobalAveragePooling2D(), (8, 8, 3))
    assert (gp.macs, gp.flops) == (0, 8 * 8 * 3)
    _, g3 = one(keras, keras.layers.GlobalMaxPooling3D(), (2, 3, 4, 5))
    assert g3.flops == 2 * 3 * 4 * 5


def test_normalisations(keras):
    _, bn = one(keras, keras.layers.BatchNormalization(), (4, 4, 3))
    assert (bn.macs, bn.flops) == (0, 2 * 48)
    assert bn.params == 12  # gamma, beta, moving mean and variance
    _, ln = one(keras, keras.layers.LayerNormalization(), (5, 8))
    assert ln.flops == 7 * 40
    _, ln2 = one(keras, keras.layers.LayerNormalization(center=False), (5, 8))
    assert ln2.flops == 6 * 40
    _, gn = one(keras, keras.layers.GroupNormalization(groups=2), (5, 8))
    assert gn.flops == 7 * 40
    _, un = one(keras, keras.layers.UnitNormalization(), (8,))
    assert un.flops == 3 * 8
    _, rs = one(keras, keras.layers.Rescaling(1 / 255.0, offset=-1), (4, 4, 3))
    assert rs.flops == 2 * 48
    _, rs1 = one(keras, keras.layers.Rescaling(1 / 255.0), (4, 4, 3))
    assert rs1.flops == 48
    _, nz = one(keras, keras.layers.Normalization(mean=0.5, variance=2.0), (6,))
    assert (nz.macs, nz.flops) == (0, 2 * 6)


def test_activations_and_free_layers(keras):
    L = keras.layers
    assert one(keras, L.ReLU(), (10,))[1].flops == 10
    assert one(keras, L.Activation("gelu"), (10,))[1].flops == 10
    assert one(keras, L.Activation("linear"), (10,))[1].flops == 0
    assert one(keras, L.Softmax(), (10,))[1].flops == 50
    for layer, shape in [
        (L.Dropout(0.5), (10,)),
        (L.Flatten(), (2, 5)),
        (L.Reshape((5, 2)), (10,)),
        (L.Permute((2, 1)), (2, 5)),
        (L.ZeroPadding2D(1), (3, 3, 1)),
        (L.Cropping1D(1), (5, 2)),
        (L.UpSampling2D(2), (3, 3, 1)),
    ]:
        _, c = one(keras, layer, shape)
        assert (c.macs, c.flops) == (0, 0), layer
        assert c.activation_bytes > 0


def test_embedding_is_a_lookup(keras):
    _, c = one(keras, keras.layers.Embedding(1000, 16), (12,), dtype="int32")
    assert (c.macs, c.flops) == (0, 0)
    assert c.params == 16000
    assert c.activation_bytes == 12 * 16 * 4


def test_merges(keras):
    L = keras.layers
    a, b, c = keras.Input((6,)), keras.Input((6,)), keras.Input((6,))
    outs = [
        L.Add(name="add")([a, b, c]),
        L.Subtract(name="sub")([a, b]),
        L.Multiply(name="mul")([a, b]),
        L.Average(name="avg")([a, b, c]),
        L.Maximum(name="max")([a, b]),
        L.Concatenate(name="cat")([a, b, c]),
    ]
    r = costs(keras.Model([a, b, c], outs))
    assert r.node("add").flops == 2 * 6
    assert r.node("sub").flops == 6
    assert r.node("mul").flops == 6
    assert r.node("avg").flops == 3 * 6
    assert r.node("max").flops == 6
    assert r.node("cat").flops == 0
    assert r.node("cat").activation_bytes == 18 * 4
    assert r.total.flops == 12 + 6 + 6 + 18 + 6


def test_dot_layer(keras):
    a, b = keras.Input((5, 4)), keras.Input((6, 4))
    v, w = keras.Input((8,)), keras.Input((8,))
    scores = keras.layers.Dot(axes=2, name="scores")([a, b])  # (b, 5, 6)
    cosine = keras.layers.Dot(axes=1, normalize=True, name="cosine")([v, w])
    r = costs(keras.Model([a, b, v, w], [scores, cosine]))
    assert r.node("scores").macs == 5 * 6 * 4
    assert r.node("cosine").macs == 8
    assert r.node("cosine").flops == 2 * 8 + 3 * (8 + 8)


# ---- recurrent ----------------------------------------------------------------------
def test_rnns_per_step_times_steps(keras):
    L = keras.layers
    _, lstm = one(keras, L.LSTM(4), (10, 8), batch_size=2)
    assert lstm.macs == 2 * 10 * 4 * (8 * 4 + 4 * 4)
    assert lstm.flops == 2 * lstm.macs + 2 * 10 * 4 * 17
    _, gru = one(keras, L.GRU(3), (10, 8))  # reset_after=True by default
    assert gru.macs == 10 * 3 * (8 * 3 + 3 * 3)
    assert gru.flops == 2 * gru.macs + 10 * 3 * 16
    _, gru2 = one(keras, L.GRU(3, reset_after=False), (10, 8))
    assert gru2.macs == gru.macs
    assert gru2.flops == 2 * gru.macs + 10 * 3 * 13
    _, rnn = one(keras, L.SimpleRNN(5, return_sequences=True), (7, 2))
    assert rnn.macs == 7 * (2 * 5 + 5 * 5)
    _, bi = one(keras, L.Bidirectional(L.LSTM(4)), (10, 8))
    assert bi.macs == 2 * 10 * 4 * (8 * 4 + 4 * 4)


def test_rnn_unknown_steps_need_dims(keras):
    layer = keras.layers.LSTM(4, name="lstm")
    r, c = one(keras, layer, (None, 8))
    assert c.macs is None
    assert c.flops is None
    assert "axis 1 (the sequence)" in c.reason
    assert "dims={'sequence': 128}" in c.reason
    assert r.total.macs is None
    assert "lstm (LSTM)" in r.total.reason
    r2 = costs(r.graph, dims={"sequence": 10})
    assert r2.node("lstm").macs == 10 * 4 * (8 * 4 + 4 * 4)
    assert costs(r.graph, dims=10).node("lstm").macs == r2.node("lstm").macs


# ---- attention ------------------------------------------------------------------------
def test_multi_head_attention_cross(keras):
    q, v = keras.Input((5, 16)), keras.Input((7, 12))
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3)
    m = keras.Model([q, v], mha(q, v))
    c = costs(m).node(mha.name)
    projections = 5 * 16 * 2 * 4 + 7 * 12 * 2 * 4 + 7 * 12 * 2 * 3 + 5 * 2 * 3 * 16
    scores, weighted = 2 * 5 * 7 * 4, 2 * 5 * 7 * 3
    assert c.macs == projections + scores + weighted
    bias = 5 * 2 * 4 + 7 * 2 * (4 + 3) + 5 * 16
    assert c.flops == 2 * c.macs + bias + 5 * 2 * 4 + 5 * (2 * 5 * 7)


def test_multi_head_attention_self_with_unknown_length(keras):
    x = keras.Input((None, 8))
    mha = keras.layers.MultiHeadAttention(num_heads=1, key_dim=8, use_bias=False)
    m = keras.Model(x, mha(x, x))
    assert costs(m).node(mha.name).macs is None
    c = costs(m, dims={"sequence": 6}).node(mha.name)
    assert c.macs == 4 * 6 * 8 * 8 + 2 * 6 * 6 * 8


def test_attention_layers(keras):
    q, v = keras.Input((5, 4)), keras.Input((7, 4))
    att = keras.layers.Attention(name="dot")([q, v])
    add = keras.layers.AdditiveAttention(name="additive")([q, v])
    r = costs(keras.Model([q, v], [att, add]))
    assert r.node("dot").macs == 5 * 7 * 4 + 5 * 7 * 4
    assert r.node("dot").flops == 2 * r.node("dot").macs + 5 * 35
    assert r.node("additive").macs == 35 * 4 + 35 * 4


def test_grouped_query_attention(keras):
    x = keras.Input((6, 16))
    gqa = keras.layers.GroupQueryAttention(
        head_dim=4, num_query_heads=4, num_key_value_heads=2, use_bias=False
    )
    c = costs(keras.Model(x, gqa(x, x))).node(gqa.name)
    projections = 6 * 16 * 4 * 4 + 2 * (6 * 16 * 2 * 4) + 6 * 4 * 4 * 16
    assert c.macs == projections + 2 * (4 * 6 * 6 * 4)


def test_time_distributed(keras):
    L = keras.layers
    _, d = one(keras, L.TimeDistributed(L.Dense(3)), (5, 4), batch_size=2)
    assert d.macs == 2 * 5 * 4 * 3
    assert d.flops == 2 * d.macs + 2 * 5 * 3
    _, conv = one(keras, L.TimeDistributed(L.Conv2D(2, 3)), (3, 6, 6, 1))
    assert conv.macs == 3 * 4 * 4 * 9 * 1 * 2


# ---- traced custom layers and keras.ops -------------------------------------------
def test_traced_custom_layer_ops_and_container(keras):
    ops = keras.ops

    class Mix(keras.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.proj = keras.layers.Dense(4, name="proj")

        def call(self, x):
            h = self.proj(x)  # (b, 3, 4)
            s = ops.matmul(h, ops.transpose(h, (0, 2, 1)))  # (b, 3, 3)
            e = ops.einsum("bij,bjk->bik", s, h)  # (b, 3, 4)
            return e + h

    x = keras.Input((3, 5))
    m = keras.Model(x, Mix(name="mix")(x))
    r = costs(m, batch_size=2)
    kids = {n.class_name: n.id for n in r.graph.children("mix")}
    assert {"Dense", "Matmul", "Einsum", "Add", "Transpose"} <= set(kids)
    assert r.node(kids["Matmul"]).macs == 2 * 3 * 4 * 3
    assert r.node(kids["Einsum"]).macs == 2 * 3 * 3 * 4
    assert r.node(kids["Transpose"]).flops == 0
    assert r.node(kids["Add"]).flops == 2 * 3 * 4
    dense = 2 * 3 * 5 * 4
    assert r.containers["mix"].macs == dense + 72 + 72
    assert r.node("mix") == r.containers["mix"]
    assert r.total.macs == r.containers["mix"].macs  # counted once
    # a ModelGraph alone holds no einsum equation: said, not guessed
    g = costs(r.graph, batch_size=2)
    assert g.node(kids["Einsum"]).macs is None
    assert "pass the model" in g.node(kids["Einsum"]).reason


def test_unknown_layer_is_none_with_a_reason(keras):
    x = keras.Input((4,))
    y = keras.layers.Lambda(lambda t: t * 2, name="double")(x)
    y = keras.layers.Dense(2, name="d")(y)
    r = costs(keras.Model(x, y))
    c = r.node("double")
    assert c.macs is None
    assert c.flops is None
    assert c.reason == "kerasviz has no formula for Lambda"
    assert c.activation_bytes == 16  # shapes are still known
    assert r.node("d").macs == 8
    assert r.total.macs is None
    assert "double (Lambda)" in r.total.reason
    assert "the other nodes sum to 8 MACs" in r.total.reason


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_untraceable_custom_layer_is_one_node(keras):
    class Branchy(keras.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.inner = keras.layers.Dense(3, name="inner")

        def call(self, x):
            if keras.ops.convert_to_numpy(keras.ops.sum(x)) > 0:  # needs values
                return self.inner(x)
            return self.inner(-x)

        def build(self, shape):
            self.inner.build(shape)

        def compute_output_shape(self, shape):
            return (shape[0], 3)

    x = keras.Input((4,))
    m = keras.Model(x, Branchy(name="branchy")(keras.layers.Dense(4, name="d")(x)))
    r = costs(m)
    c = r.node("branchy")
    assert c.macs is None
    assert c.reason.startswith("kerasviz has no formula for Branchy, and its wiring")
    assert c.params == 15
    assert r.node("d").macs == 16
    assert r.total.macs is None
    assert "branchy (Branchy)" in r.total.reason


def test_unbuilt_sequential(keras):
    m = keras.Sequential([keras.layers.Dense(2, name="d")])
    c = costs(m).node("d")
    assert c.macs is None
    assert "never called" in c.reason


def test_same_name_in_two_traced_layers(keras):
    class Block(keras.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.proj = keras.layers.Dense(4, name="proj")

        def call(self, x):
            return x + keras.ops.relu(self.proj(x))

    x = keras.Input((4,))
    m = keras.Model(x, Block(name="b2")(Block(name="b1")(x)))
    r = costs(m)
    assert r.node("b1/proj").macs == 16
    assert r.containers["b1"].macs == 16
    assert r.containers["b1"].flops == 2 * 16 + 4 + 4 + 4  # bias, relu, add
    assert r.total.flops == 2 * r.containers["b1"].flops
    with pytest.raises(KeyError, match=r"Several nodes are named 'proj'.*b1/proj"):
        r.node("proj")


def test_kerashub_bert_traced(keras):
    keras_hub = optional_import("keras_hub")
    bert = keras_hub.models.BertBackbone(
        vocabulary_size=100,
        num_layers=1,
        num_heads=2,
        hidden_dim=8,
        intermediate_dim=16,
        max_sequence_length=16,
    )
    r = costs(bert)
    assert r.total.macs is None  # the sequence length is unknown
    # the reason says which dimension, and how to give it
    assert "token_embedding (ReversibleEmbedding): " in r.total.reason
    assert "dims={'sequence': 128}" in r.total.reason
    # the pooled Dense works on the first token only: known, but not the peak
    assert r.node("pooled_dense").macs == 64
    assert r.node("pooled_dense").peak_bytes is None
    assert r.node("pooled_dense").reason.startswith("The peak is not known: token_ids")
    r = costs(bert, dims={"sequence": 4})
    mha = r.node("transformer_layer_0/self_attention_layer")
    # four 8 -> 2x4 projections of 4 positions, scores and values 2 heads x 4 x 4 x 4
    assert mha.macs == 4 * (4 * 8 * 8) + 2 * (2 * 4 * 4 * 4)
    assert r.node("transformer_layer_0/feedforward_intermediate_dense").macs == 512
    assert r.node("position_embedding").macs == 0
    assert r.node("embeddings_add").flops == 2 * 4 * 8
    assert r.containers["transformer_layer_0"].macs == 1280 + 512 + 512
    assert r.total.macs == 1280 + 1024 + 8 * 8  # + the pooled Dense
    assert r.total.reason is None


# ---- shared layers, nested models, totals --------------------------------------------
def test_shared_layer_costs_each_call(siamese):
    r = costs(siamese)
    enc = r.node("encoder")
    assert enc.macs == 2 * 8 * 4
    assert enc.params == 36  # its weights once
    assert enc.activation_bytes == 2 * 4 * 4
    assert r.total.macs == 64 + 4


def test_nested_models_sum_leaves_only(keras, nested):
    r = costs(nested)
    g = r.graph
    leaves = [n for n in g.nodes if not g.children(n.id)]
    assert r.total.macs == sum(r.nodes[n.id].macs for n in leaves)
    assert r.total.params == nested.count_params()
    containers = [n.id for n in g.nodes if g.children(n.id)]
    assert containers
    assert set(containers) <= set(r.containers)
    for cid in containers:
        below = [n for n in leaves if n.id.startswith(cid + "/")]
        assert r.containers[cid].macs == sum(r.nodes[n.id].macs for n in below)
    assert r.total.macs > 0


def test_blocks_are_containers(resnet50):
    r = costs(resnet50)
    assert r.total.macs == 3_857_973_248  # convolutions and the Dense: 3.86e9
    block = r.containers["block:conv2_block1"]
    convs = [
        n.id
        for n in r.graph.nodes
        if n.id.startswith("conv2_block1_") and n.class_name == "Conv2D"
    ]
    assert block.macs == sum(r.node(c).macs for c in convs)


def test_total_params_bytes_and_dtypes(keras):
    x = keras.Input((8,))
    y = keras.layers.Dense(4, dtype="float16", name="half")(x)
    r = costs(keras.Model(x, y))
    assert r.node("half").param_bytes == 36 * 2
    assert r.node("half").activation_bytes == 4 * 2
    assert r.total.param_bytes == 72


def test_mixed_precision_activations_are_half(keras):
    keras.config.set_dtype_policy("mixed_float16")
    try:
        x = keras.Input((8,))
        y = keras.layers.Dense(4, name="a")(x)
        m = keras.Model(x, keras.layers.Dense(2, name="b")(y))
    finally:
        keras.config.set_dtype_policy("float32")
    r = costs(m)
    assert r.node("a").param_bytes == 36 * 4  # float32 variables
    assert r.node("a").activation_bytes == 4 * 2  # float16 outputs (by the edge)
    assert r.node("b").activation_bytes == 2 * 2  # the model output (by its policy)


def test_peak_memory_walks_the_graph(keras):
    L = keras.layers
    x = keras.Input((4,), name="x")
    a = L.Dense(8, name="a")(x)
    b = L.Dense(2, name="b")(a)
    r = costs(keras.Model(x, b))
    params = (4 * 8 + 8 + 8 * 2 + 2) * 4
    assert r.node("x").peak_bytes == params + 16
    assert r.node("a").peak_bytes == params + 16 + 32  # x and a alive
    assert r.node("b").peak_bytes == params + 32 + 8  # x freed
    assert r.total.peak_bytes == params + 48
    # a skip keeps x alive until the add
    s = L.Add(name="skip")([L.Dense(4, name="c")(x), x])
    r2 = costs(keras.Model(x, s))
    p2 = (4 * 4 + 4) * 4
    assert r2.node("c").peak_bytes == p2 + 16 + 16
    assert r2.node("skip").peak_bytes == p2 + 16 + 16 + 16


# ---- unknown dims, JSON, text ----------------------------------------------------------
def test_named_dims_for_images(keras):
    x = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(2, 3, padding="same", name="conv")
    m = keras.Model(x, conv(x))
    c = costs(m).node("conv")
    assert c.macs is None
    assert "the height" in c.reason
    c = costs(m, dims={"height": 4, "width": 5}).node("conv")
    assert c.macs == 4 * 5 * 9 * 3 * 2


def test_to_json_round_trip(keras, seed_functional):
    r = costs(seed_functional, batch_size=4)
    d = r.to_json()
    back = json.loads(json.dumps(d))
    assert back == d
    assert back["batch_size"] == 4
    assert set(back["nodes"]) == {n.id for n in r.graph.nodes}
    assert back["total"] == r.total.to_json()
    # the seed's LSTM over 100 steps of 512-wide embeddings
    lstm = next(n.id for n in r.graph.nodes if n.class_name == "LSTM")
    assert back["nodes"][lstm]["macs"] == 4 * 100 * 4 * (512 * 32 + 32 * 32)
    assert Cost(**back["total"]) == r.total


def test_to_json_follows_the_view_schema(keras, nested):
    """The report travels in the view payload: its JSON is view.schema.json's
    ``costs``."""
    jsonschema = optional_import("jsonschema")
    import pathlib

    import kerasviz

    path = pathlib.Path(kerasviz.__file__).parent / "schema" / "view.schema.json"
    defs = json.loads(path.read_text())["$defs"]
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/$defs/costs", "$defs": defs}
    )
    x = keras.Input((None, 4))
    m = keras.Model(x, keras.layers.LSTM(2)(x))
    for report in (costs(nested), costs(m), costs(m, dims={"sequence": 3})):
        data = json.loads(json.dumps(report.to_json()))
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, errors


def test_text_and_html_tables(keras):
    x = keras.Input((4,), name="x")
    y = keras.layers.Dense(2, name="a<b>&c")(x)
    r = costs(keras.Model(x, y))
    text = str(r)
    assert "a<b>&c" in text
    assert "total" in text
    page = r._repr_html_()
    assert "a&lt;b&gt;&amp;c" in page
    assert "a<b>" not in page
    assert isinstance(r, CostReport)


def test_model_graph_input_and_json(keras, seed_functional):
    g = graph_of(seed_functional, expand_nested=True)
    a = costs(seed_functional).to_json()
    b = costs(ModelGraph.from_json(json.loads(json.dumps(g.to_json())))).to_json()
    assert a == b


# ---- bad input ---------------------------------------------------------------------------
def test_bad_input(keras, siamese):
    with pytest.raises(TypeError, match=r"costs\(\) expects a Keras 3 model"):
        costs("siamese")
    with pytest.raises(ValueError, match=r"Received: batch_size=-1"):
        costs(siamese, batch_size=-1)
    with pytest.raises(TypeError, match=r"batch_size='2'"):
        costs(siamese, batch_size="2")
    with pytest.raises(ValueError, match=r"Did you mean 'sequence'\?.*dims="):
        costs(siamese, dims={"sequences": 1})
    with pytest.raises(ValueError, match=r"batch_size="):
        costs(siamese, dims={"batch": 1})
    with pytest.raises(ValueError, match=r"positive int"):
        costs(siamese, dims={"sequence": 0})
    r = costs(siamese)
    with pytest.raises(KeyError, match=r"Did you mean 'encoder'") as e:
        r.node("encodr")
    assert "Received: name_or_id='encodr'" in str(e.value)


# ---- an independent count: TensorFlow's profiler -----------------------------------
def tf_float_ops(model) -> int:
    """float_ops of the traced forward function at batch size 1, by TF's profiler.

    It counts the ops with registered flops statistics: MatMul/BatchMatMul (2mnk),
    Conv2D/Conv3D/DepthwiseConv2dNative (2 per multiply-accumulate), BiasAdd, Add,
    Sub, Mul, RealDiv, Maximum, Minimum, Rsqrt, Square (1 per output element),
    MaxPool/AvgPool (kernel area per output element), Mean/Sum (per input element)
    and Softmax (5 per element). It misses Relu, Sigmoid, Tanh, Exp, everything
    inside a while loop (RNNs) and inside a nested function call (Keras runs a
    grouped convolution as one: a StatefulPartitionedCall), so its count sits a
    little below kerasviz's flops, and grouped convolutions are left out here.
    """
    tf = optional_import("tensorflow")
    specs = [tf.TensorSpec([1, *t.shape[1:]], t.dtype) for t in model.inputs]

    def forward(*xs):
        return model(xs[0] if len(xs) == 1 else list(xs), training=False)

    fn = tf.function(forward)
    graph = fn.get_concrete_function(*specs).graph
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    return tf.compat.v1.profiler.profile(graph=graph, options=options).total_float_ops


tf_only = pytest.mark.skipif(
    BACKEND != "tensorflow", reason="the TF profiler needs the TensorFlow backend"
)


@tf_only
def test_small_cnn_against_tf_profiler(keras):
    L = keras.layers
    x = keras.Input((32, 32, 3))
    y = L.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    y = L.BatchNormalization()(y)
    y = L.DepthwiseConv2D(3)(y)
    y = L.SeparableConv2D(8, 3, dilation_rate=2)(y)
    y = L.MaxPooling2D()(y)
    y = L.GlobalAveragePooling2D()(y)
    y = L.Dense(10, activation="softmax")(y)
    m = keras.Model(x, y)
    theirs = tf_float_ops(m)
    ours = costs(m).total
    assert theirs > 100_000
    assert abs(ours.flops - theirs) / theirs < 0.05, (ours.flops, theirs)
    # what the profiler misses here: the ReLU (one per element of conv2d's output)
    assert 0 < ours.flops - theirs <= 16 * 16 * 16


@tf_only
def test_mlp_against_tf_profiler(keras):
    L = keras.layers
    x = keras.Input((64,))
    y = L.Dense(128, activation="relu")(x)
    y = L.Dense(64)(y)
    y = L.LayerNormalization()(y)
    y = L.Add()([y, L.Dense(64)(x)])
    m = keras.Model(x, L.Dense(10)(y))
    theirs = tf_float_ops(m)
    ours = costs(m).total
    assert abs(2 * ours.macs - theirs) / theirs < 0.05, (ours.macs, theirs)
    assert abs(ours.flops - theirs) / theirs < 0.05, (ours.flops, theirs)


def test_exported_from_kerasviz(siamese):
    import kerasviz
    import kerasviz.costs  # the submodule import shadows the lazy function...

    # ...and the module is callable as the function, so both spellings work
    assert kerasviz.costs(siamese).total.macs == 2 * 8 * 4 + 4
    assert kerasviz.CostReport is CostReport


# ---- an independent count on JAX: XLA's cost analysis ----------------------------
@pytest.mark.skipif(BACKEND != "jax", reason="XLA's cost analysis: the JAX backend")
def test_small_cnn_and_mlp_against_xla_cost_analysis(keras):
    """XLA counts every HLO op of the compiled forward pass (convolutions and dots
    as 2 per multiply-accumulate, element-wise ops, ReLU's max included), but skips
    the taps of a convolution that fall on its zero padding (a 3x3 "same"
    convolution of a 16x16 image: about 7 % fewer than kerasviz and TF's profiler,
    which count every tap) and counts a max pool as pool_size - 1 compares (kerasviz:
    pool_size, as TF). So the convolutions here are "valid"."""
    jax = optional_import("jax")
    L = keras.layers
    x = keras.Input((16, 16, 3))
    y = L.Conv2D(8, 3, activation="relu")(x)
    y = L.MaxPooling2D()(y)
    y = L.Conv2D(16, 3, strides=2)(y)
    cnn = keras.Model(x, L.Dense(10)(L.Flatten()(y)))
    v = keras.Input((64,))
    mlp = keras.Model(v, L.Dense(10)(L.Dense(128, activation="relu")(v)))
    for model in (cnn, mlp):
        tv = [w.value for w in model.trainable_variables]
        ntv = [w.value for w in model.non_trainable_variables]
        sample = jax.numpy.zeros((1, *model.inputs[0].shape[1:]))

        def forward(tv, ntv, x, model=model):
            return model.stateless_call(tv, ntv, x, training=False)[0]

        cost = jax.jit(forward).lower(tv, ntv, sample).compile().cost_analysis()
        cost = cost[0] if isinstance(cost, list) else cost
        ours = costs(model).total.flops
        assert abs(ours - cost["flops"]) / cost["flops"] < 0.05, (ours, cost)
