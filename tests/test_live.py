"""The live widgets' renderer and payloads travel once (kerasviz/widgets/_live.py).

The browser side (the loader finds the labextension's renderer, or asks the kernel;
the MIME renderer offers its payload) is tested in tests/browser/test_wire.py.
"""

from __future__ import annotations

import hashlib
import json

import pytest

import kerasviz
from kerasviz.mimebundle import (
    COMPARISON_MIME_TYPE,
    MIME_TYPE,
    REPLAY_MIME_TYPE,
    unpack,
)
from kerasviz.widgets._bundle import STATIC, runtime_id


class Sent:
    """Stands in for a widget's ``send``: records (content, buffers)."""

    def __init__(self) -> None:
        self.messages: list[tuple[dict, list]] = []

    def __call__(self, content, buffers=None) -> None:
        self.messages.append((content, list(buffers or [])))

    def of(self, kind: str) -> list[tuple[dict, list]]:
        return [m for m in self.messages if m[0].get("type") == kind]


def mlp(keras, name="mlp"):
    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(4, name="hidden"),
            keras.layers.Dense(2, name="out"),
        ],
        name=name,
    )


def ask(widget, content) -> Sent:
    sent = Sent()
    widget.send = sent
    widget._on_live_msg(widget, content, [])
    return sent


def test_the_runtime_id_is_the_hash_the_labextension_build_writes():
    digest = hashlib.sha256(
        (STATIC / "widget.js").read_bytes() + (STATIC / "widget.css").read_bytes()
    ).hexdigest()
    assert runtime_id() == digest[:16]
    # the labextension was built from the same widget.js: it registers this id
    built = STATIC.parent.parent / "labextension" / "src" / "runtimeid.ts"
    if built.is_file():
        assert f"'{runtime_id()}'" in built.read_text()


def test_a_page_without_the_renderer_gets_it_from_the_kernel(keras):
    ex = kerasviz.show(mlp(keras))
    (reply, buffers), *rest = ask(
        ex, {"type": "kv_runtime", "id": runtime_id()}
    ).messages
    assert not rest
    assert reply == {"type": "kv_runtime", "id": runtime_id()}
    assert buffers == [
        (STATIC / "widget.js").read_bytes(),
        (STATIC / "widget.css").read_bytes(),
    ]
    # a page that asks for another build is told why, not sent the wrong one
    ((reply, buffers),) = ask(ex, {"type": "kv_runtime", "id": "0123"}).messages
    assert buffers == []
    assert "0123" in reply["error"]
    assert runtime_id() in reply["error"]


def test_the_payload_is_in_the_display_bundle_and_sent_when_asked(keras):
    ex = kerasviz.show(mlp(keras))
    data, metadata = ex._repr_mimebundle_()
    assert metadata[MIME_TYPE] == {"view_key": ex._view_key, "revision": 0}
    assert unpack(data[MIME_TYPE])["graph"] == ex.data["graph"]
    # a view that was offered nothing (another host, a widget in a box) asks
    ((reply, buffers),) = ask(ex, {"type": "kv_payload"}).messages
    assert reply["revision"] == 0
    assert buffers == []
    assert unpack(reply["data"]) == ex.data


def test_each_change_is_pushed_once_with_the_next_revision(keras):
    ex = kerasviz.show(mlp(keras))
    sent = Sent()
    ex.send = sent
    ex.overlay("params")  # selects an overlay: no new payload
    assert sent.of("kv_payload") == []
    ex.set_model(mlp(keras, "other"))
    ex.overlay({"hidden": 1.0, "out": 2.0}, label="latency ms")
    pushed = sent.of("kv_payload")
    assert [m[0]["revision"] for m in pushed] == [1, 2]
    assert ex._revision == 2
    assert unpack(pushed[-1][0]["data"]) == ex.data
    assert unpack(pushed[0][0]["data"])["graph"]["model"]["name"] == "other"
    # the display bundle made now names the revision it carries
    _, metadata = ex._repr_mimebundle_()
    assert metadata[MIME_TYPE]["revision"] == 2


def test_comparison_and_replay_travel_the_same_way(keras):
    view = kerasviz.compare(mlp(keras))
    _, metadata = view._repr_mimebundle_()
    assert metadata[COMPARISON_MIME_TYPE]["view_key"] == view._view_key
    ((reply, _),) = ask(view, {"type": "kv_payload"}).messages
    assert (
        unpack(reply["data"])["columns"][0]["title"] == view.data["columns"][0]["title"]
    )
    rp = kerasviz.replay(
        "import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
    )
    _, metadata = rp._repr_mimebundle_()
    assert metadata[REPLAY_MIME_TYPE]["revision"] == 0
    ((reply, _),) = ask(rp, {"type": "kv_payload"}).messages
    assert len(unpack(reply["data"])["steps"]) == len(rp.steps)


@pytest.mark.parametrize("kind", ["explorer", "comparison"])
def test_a_widgets_state_is_small_whatever_its_graph(keras, kind):
    # a 100-layer model: what the comm_open carries does not grow with the graph
    x = inp = keras.Input((16,))
    for i in range(100):
        x = keras.layers.Dense(16, name=f"d{i}")(x)
    model = keras.Model(inp, x)
    widget = kerasviz.show(model) if kind == "explorer" else kerasviz.compare(model)
    state = widget.get_state()
    assert len(json.dumps(state)) < 6_000, sorted(state)
