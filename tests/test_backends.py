"""Keras 3 is multi-backend: kerasviz reads the same model on each backend.

The whole Python suite also runs under each backend in CI (`.ci/run`:
KERAS_BACKEND=jax and KERAS_BACKEND=torch); these tests check, from a fresh process
per backend, that a model built there is read as Keras (on the torch backend a
Keras layer is also a ``torch.nn.Module``: it must not be refused as one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import optional_import

#: Built and read in a fresh process on the backend under test; prints what the
#: test compares across backends.
SCRIPT = """
import json, keras, kerasviz
from kerasviz.view import view_payload
from kerasviz.mimebundle import mime_bundle
assert keras.backend.backend() == BACKEND, keras.backend.backend()
x = keras.Input((8,), name="x")
h = keras.layers.Dense(4, activation="relu", name="hidden")(x)
out = keras.layers.Dense(1, name="score")(keras.ops.relu(h))
m = keras.Model(x, out, name="tiny")
seq = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, name="d")], name="seq")
g = kerasviz.graph_of(m)
view = kerasviz.show(m, select="hidden")
sent = []
view.send = sent.append
view._on_custom_msg(view, {"type": "weight_stats", "node": "hidden"}, [])
comparison = kerasviz.compare(seq)
print(json.dumps({
    "nodes": [n.id for n in g.nodes],
    "edges": [[e.source, e.target, e.shape] for e in g.edges],
    "params": g.model.params.total,
    "selected": view.selected,
    "stats": [s["shape"] for s in sent[0]["stats"]],
    "text": mime_bundle(m)["text/plain"],
    "equivalent": bool(comparison.verdict.equivalent),
    "code": kerasviz.to_code(seq, "functional").count("layers.Dense("),
}))
"""


def _read_on(backend: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", f"BACKEND = {backend!r}\n{SCRIPT}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def on_tensorflow():
    return _read_on("tensorflow")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_model_reads_the_same_on_every_backend(backend, on_tensorflow):
    optional_import(backend)
    got = _read_on(backend)
    assert got == on_tensorflow
    assert got["nodes"][-2:] == ["relu", "score"]  # the keras.ops call is a node
    assert got["stats"] == [[8, 4], [4]]
    assert got["equivalent"] is True
