"""Overlays: numbers per layer painted on the graph (payload, Explorer, static export)."""

from __future__ import annotations

import json

import pytest

import kerasviz
from kerasviz.contract import MIME_TYPE, validate
from kerasviz.mimebundle import mime_bundle, unpack
from kerasviz.style import OVERLAY_STOPS
from kerasviz.view import view_payload
from kerasviz.view.overlays import (
    check_overlay,
    color_at,
    format_value,
    ink_for,
    make_metric,
    overlay_colors,
    position,
    user_metric,
)


@pytest.fixture
def cnn(keras):
    layers = keras.layers
    x = keras.Input((16, 16, 3), name="image")
    y = layers.Conv2D(8, 3, name="conv1")(x)
    y = layers.Conv2D(16, 3, strides=2, name="conv2")(y)
    y = layers.GlobalAveragePooling2D(name="pool")(y)
    y = layers.Dense(4, name="head")(y)
    return keras.Model(x, y, name="cnn")


def metric_of(payload, key):
    return next(m for m in payload["overlays"]["metrics"] if m["key"] == key)


# ---- the metrics ----------------------------------------------------------------
def test_a_metric_keeps_numbers_and_says_why_others_have_none():
    m = make_metric(
        "x", "X", "count", {"a": 3, "b": None, "c": float("nan"), "d": 12.5}
    )
    assert m["values"] == {"a": 3, "d": 12.5}
    assert m["reasons"]["b"] == "no value"
    assert "not a finite number" in m["reasons"]["c"]
    assert (m["min"], m["max"], m["scale"]) == (3, 12.5, "linear")
    wide = make_metric("x", "X", "count", {"a": 1, "b": 1e6})
    assert wide["scale"] == "log"
    # a share stays linear however wide it is
    assert make_metric("s", "S", "share", {"a": 1e-6, "b": 0.9})["scale"] == "linear"


def test_positions_colours_and_ink():
    m = make_metric("x", "X", "count", {"a": 0, "b": 50, "c": 100})
    assert [position(v, m) for v in (0, 50, 100)] == [0.0, 0.5, 1.0]
    assert color_at(0) == OVERLAY_STOPS[0]
    assert color_at(1) == OVERLAY_STOPS[-1]
    colors = overlay_colors(m)
    assert colors["a"] == OVERLAY_STOPS[0]
    assert colors["c"] == OVERLAY_STOPS[-1]
    assert colors["b"] == OVERLAY_STOPS[len(OVERLAY_STOPS) // 2]
    assert ink_for(OVERLAY_STOPS[0]) != ink_for(OVERLAY_STOPS[-1])
    log = make_metric("x", "X", "count", {"a": 9, "b": 99_999})
    assert position(999, log) == pytest.approx(0.5)  # log10(1000) halfway 1..5
    assert format_value(3.8e9, "count") == "3.8 G"
    assert format_value(2048, "bytes") == "2 KB"
    assert format_value(0.125, "share") == "12.5 %"


def test_a_user_metric_resolves_names_and_refuses_bad_values(cnn):
    g = kerasviz.graph_of(cnn)
    resolve = lambda name: kerasviz.view.payload.resolve_layer(g, name)  # noqa: E731
    m = user_metric({"conv1": 0.3, "head": 2}, "latency ms", resolve)
    assert m["key"] == "user:latency ms"
    assert m["values"] == {"conv1": 0.3, "head": 2}
    with pytest.raises(ValueError, match="no layer named 'conv3'"):
        user_metric({"conv3": 1}, "ms", resolve)
    with pytest.raises(TypeError, match=r"must be a number\. Received: 'fast'"):
        user_metric({"conv1": "fast"}, "ms", resolve)
    with pytest.raises(ValueError, match="needs a label"):
        user_metric({"conv1": 1}, " ", resolve)
    with pytest.raises(TypeError, match="dict of layer name"):
        user_metric([1, 2], "ms", resolve)


# ---- the payload ----------------------------------------------------------------
def test_the_payload_has_the_cost_overlays_with_container_sums(keras):
    inner = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, name="a")], name="inner"
    )
    x = keras.Input((8,), name="x")
    y = keras.layers.Dense(4, name="head")(inner(x))
    model = keras.Model(x, y, name="outer")
    p = view_payload(model, overlay="flops")
    validate(p, "view")
    assert [m["key"] for m in p["overlays"]["metrics"]] == [
        "params",
        "macs",
        "flops",
        "memory",
        "share",
    ]
    assert p["overlays"]["selected"] == "flops"
    macs = metric_of(p, "macs")["values"]
    assert macs["inner/a"] == 8 * 16
    assert macs["head"] == 16 * 4
    assert macs["inner"] == 8 * 16  # a container shows the sum inside it
    share = metric_of(p, "share")["values"]
    assert sum(share[n] for n in ("x", "inner/a", "head")) == pytest.approx(1.0)
    assert p["costs"]["total"]["macs"] == 8 * 16 + 16 * 4
    json.dumps(p, allow_nan=False)


def test_an_unknown_overlay_is_a_clear_error(cnn):
    with pytest.raises(ValueError, match="no overlay") as info:
        view_payload(cnn, overlay="flop")
    message = str(info.value)
    assert "There is no overlay 'flop'" in message
    assert "Did you mean 'flops'?" in message
    assert "Received: overlay='flop'" in message
    with pytest.raises(TypeError, match="Received: overlay=3"):
        view_payload(cnn, overlay=3)
    assert check_overlay(None, []) is None


def test_costs_false_leaves_costs_and_overlays_out(cnn):
    p = view_payload(cnn, costs=False)
    assert "costs" not in p
    assert "overlays" not in p


# ---- the Explorer -----------------------------------------------------------------
def test_explorer_overlays_user_metrics_and_saves_the_choice(cnn):
    ex = kerasviz.show(cnn, overlay="params")
    assert ex.overlay_metric == "params"
    assert ex.options.overlay == "params"
    ex.overlay("macs")
    assert ex.overlay_metric == "macs"
    ex.overlay({"conv1": 0.3, "conv2": 1.2}, label="latency ms")
    assert ex.overlay_metric == "user:latency ms"
    user = metric_of(ex.data, "user:latency ms")
    assert user["values"] == {"conv1": 0.3, "conv2": 1.2}
    # again with the same label: replaced, not added twice
    ex.overlay({"conv1": 0.5}, label="latency ms")
    keys = [m["key"] for m in ex.data["overlays"]["metrics"]]
    assert keys.count("user:latency ms") == 1
    # the saved notebook opens on the overlay shown
    saved = unpack(mime_bundle(ex.saved_payload())[MIME_TYPE])
    assert saved["overlays"]["selected"] == "user:latency ms"
    validate(ex.saved_payload(), "view")
    # a redraw (another option) keeps the overlay and the user's metric
    ex.rankdir = "LR"
    assert ex.data["overlays"]["selected"] == "user:latency ms"
    ex.overlay(None)
    assert ex.overlay_metric is None
    with pytest.raises(ValueError, match="There is no overlay 'speed'"):
        ex.overlay("speed")
    with pytest.raises(TypeError, match="needs a label="):
        ex.overlay({"conv1": 1})
    with pytest.raises(TypeError, match="label= names your own metric"):
        ex.overlay("flops", label="x")


def test_explorer_run_adds_activation_overlays_and_stats(keras):
    import numpy as np

    x = keras.Input((3,), name="x")
    d = keras.layers.Dense(3, name="d", use_bias=False)
    y = keras.layers.ReLU(name="relu")(d(x))
    model = keras.Model(x, y)
    d.set_weights([np.eye(3, dtype="float32")])
    ex = kerasviz.show(model)
    stats = ex.run(np.array([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]], dtype="float32"))
    assert stats is not None
    assert ex.data["activations"]["relu"]["zeros"] == pytest.approx(0.5)
    zeros = metric_of(ex.data, "zeros")["values"]
    assert zeros["relu"] == pytest.approx(0.5)
    assert zeros["d"] == 0
    ex.overlay("zeros")
    assert ex.overlay_metric == "zeros"
    validate(ex.data, "view")


# ---- static export ------------------------------------------------------------------
def test_the_static_export_paints_the_overlay(cnn, tmp_path):
    pytest.importorskip("pydot")
    dot = kerasviz.to_dot(cnn, overlay="macs")
    metric = metric_of(view_payload(cnn, overlay="macs"), "macs")
    colors = overlay_colors(metric)
    for node in ("conv1", "conv2", "head"):
        (n,) = dot.get_node(f'"{node}"')
        assert n.get("fillcolor") == colors[node]
        assert "MACs:" in n.get("tooltip")
    assert "MACs: pale" in dot.get("label")
    svg = kerasviz.save(cnn, tmp_path / "cnn.svg", overlay="flops").read_text()
    flops = overlay_colors(metric_of(view_payload(cnn, overlay="flops"), "flops"))
    assert flops["conv2"] in svg
    assert "FLOPs: pale" in svg


def test_the_activation_stats_button_runs_on_random_inputs(cnn):
    ex = kerasviz.show(cnn)
    replies = []
    ex.send = replies.append
    ex._on_custom_msg(ex, {"type": "activation_stats"}, [])
    # the new payload goes to the views first, then the button's answer
    assert [r["type"] for r in replies] == ["kv_payload", "activation_stats"]
    assert replies[-1] == {"type": "activation_stats", "ok": True}
    assert set(ex.data["activations"]) >= {"conv1", "conv2", "pool", "head"}
    assert ex.data["activations"]["conv1"]["shape"][1:] == [14, 14, 8]
    # a model whose inputs cannot be made up: the kernel says why
    import keras

    seq = keras.Input((None, 4), name="tokens")
    model = keras.Model(seq, keras.layers.Dense(2)(seq))
    ex = kerasviz.show(model)
    replies = []
    ex.send = replies.append
    ex._on_custom_msg(ex, {"type": "activation_stats"}, [])
    (reply,) = replies  # no new payload
    assert reply["type"] == "activation_stats"
    assert "tokens" in reply["error"]
    assert "activations" not in ex.data


def test_the_saved_envelope_keeps_the_overlay_outside_the_packed_data(cnn):
    from kerasviz.mimebundle import pack

    env = mime_bundle(cnn, overlay="macs")[MIME_TYPE]
    assert env["overlay"] == "macs"
    assert unpack(env)["overlays"]["selected"] == "macs"
    # the front end rewrites the envelope's overlay: it wins over the packed one
    assert unpack({**env, "overlay": "share"})["overlays"]["selected"] == "share"
    assert unpack({**env, "overlay": None})["overlays"]["selected"] is None
    # no overlays, no key (outputs without costs pack as before)
    assert "overlay" not in pack(view_payload(cnn, costs=False))


def test_unknown_sizes_take_dims_everywhere_the_costs_show(keras, ip_shell, tmp_path):
    x = keras.Input((None, 16), name="tokens")
    model = keras.Model(x, keras.layers.Dense(4, name="proj")(x), name="seq")
    # without: no value, and the reason says how to give one
    ex = kerasviz.show(model, overlay="macs")
    assert "proj" not in metric_of(ex.data, "macs")["values"]
    assert "dims" in metric_of(ex.data, "macs")["reasons"]["proj"]
    ex.dims = {"sequence": 10}  # a live option: the graph is redrawn
    assert metric_of(ex.data, "macs")["values"]["proj"] == 10 * 16 * 4
    assert ex.data["costs"]["dims"] == {"sequence": 10}
    assert kerasviz.show(model, dims=3).data["costs"]["total"]["macs"] == 3 * 16 * 4
    with pytest.raises(ValueError, match="Received"):
        kerasviz.show(model, dims=0)
    # the magics' flag, and the static export
    ip_shell.user_ns["model"] = model
    ex = ip_shell.run_line_magic("kerasviz", "model --dims sequence=5 --overlay macs")
    assert metric_of(ex.data, "macs")["values"]["proj"] == 5 * 16 * 4
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="--dims takes one size"):
        ip_shell.run_line_magic("kerasviz", "model --dims sequence")
    pytest.importorskip("pydot")
    (node,) = kerasviz.to_dot(model, overlay="macs", dims=7).get_node('"proj"')
    assert "448" in node.get("tooltip")  # 7 x 16 x 4 MACs


@pytest.fixture
def ip_shell(keras):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "kerasviz")
    saved = dict(shell.user_ns)
    yield shell
    shell.user_ns.clear()
    shell.user_ns.update(saved)
