"""Keras 3 is multi-backend: kerasviz reads the same model on each backend.

CI runs the Python suite once per backend, each in its own environment that has only
that backend (`.ci/run`: TensorFlow, then JAX and PyTorch with no TensorFlow). Here
one small model is read, shown, inspected, compared and written as code in a fresh
process per backend, and every backend must give the one answer below, so that runs
in separate environments are compared with each other too (on the torch backend a
Keras layer is also a ``torch.nn.Module``: it must not be refused as one). Off the
TensorFlow backend that process cannot import TensorFlow at all: kerasviz must not
need it. A backend not installed here skips; under CI only the run's own backend must
be there (``conftest.BACKEND_PEERS``).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

from .conftest import BACKEND, optional_import

ROOT = pathlib.Path(__file__).parent.parent

#: The backends Keras 3 runs on, by the name KERAS_BACKEND and the package share.
BACKENDS = ("tensorflow", "jax", "torch")

#: Put first in the process of a backend other than TensorFlow: TensorFlow (and
#: Keras 2's tf_keras) then cannot be imported, as on a machine without them, even
#: where they are installed (Keras itself imports TensorFlow when it can, e.g. in
#: ``get_config``; it carries on without it).
NO_TENSORFLOW = """
import sys
sys.modules.update(tensorflow=None, tf_keras=None)  # import fails, find_spec is None
"""

#: Built and read in a fresh process on the backend under test; prints what the
#: test compares across backends.
SCRIPT = """
import json, sys, keras, kerasviz
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
dot = kerasviz.to_dot(m).to_string()
tf = [n for n, m in sys.modules.items() if m and n.split(".")[0] in ("tensorflow", "tf_keras")]
assert BACKEND == "tensorflow" or not tf, tf
print(json.dumps({
    "nodes": [n.id for n in g.nodes],
    "edges": [[e.source, e.target, e.shape] for e in g.edges],
    "params": g.model.params.total,
    "selected": view.selected,
    "stats": [s["shape"] for s in sent[0]["stats"]],
    "text": mime_bundle(m)["text/plain"],
    "equivalent": bool(comparison.verdict.equivalent),
    "code": kerasviz.to_code(seq, "functional").count("layers.Dense("),
    "dot": all(name in dot for name in ("hidden", "relu", "score")),
}))
"""

#: What every backend gives (read off TensorFlow, JAX and torch alike).
EXPECTED = {
    "nodes": ["x", "hidden", "relu", "score"],  # the keras.ops call is a node
    "edges": [
        ["x", "hidden", [None, 8]],
        ["hidden", "relu", [None, 4]],
        ["relu", "score", [None, 4]],
    ],
    "params": 41,
    "selected": "hidden",
    "stats": [[8, 4], [4]],
    "text": 'Model "tiny" (Functional): 41 params (41 trainable, 0 non-trainable),'
    " 3 layers\nInputs:  x (None, 8)\nOutputs: score (None, 1)",
    "equivalent": True,
    "code": 1,
    "dot": True,
}


def _read_on(backend: str) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    prelude = "" if backend == "tensorflow" else NO_TENSORFLOW
    result = subprocess.run(
        [sys.executable, "-c", f"{prelude}\nBACKEND = {backend!r}\n{SCRIPT}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _require(backend: str) -> None:
    """Skip unless ``backend`` is installed here (fail under CI on the run's own)."""
    if importlib.util.find_spec(backend) is None:
        optional_import(backend)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_model_reads_the_same_on_every_backend(backend):
    _require(backend)
    assert _read_on(backend) == EXPECTED


def test_the_suite_runs_on_the_backend_it_names(keras):
    assert keras.backend.backend() == BACKEND


def test_no_module_of_kerasviz_imports_a_backend():
    """kerasviz reaches the backend through Keras only, so that any one will do."""
    for path in (ROOT / "kerasviz").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top not in (*BACKENDS, "tf_keras"), (str(path), name)


def test_tensorflow_comes_only_from_its_extras():
    """`pip install kerasviz jax` (or torch) installs no TensorFlow, nor does the
    test extra; the `cpu` and `tensorflow` extras are where it comes from."""
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]

    def names(requirements):
        return {Requirement(r).name for r in requirements}

    tensorflow = {"tensorflow", "tensorflow-cpu"}
    assert not names(project["dependencies"]) & tensorflow
    for extra in ("test", "jax", "torch"):
        assert not names(extras[extra]) & tensorflow, extra
    assert names(extras["jax"]) == {"jax"}
    assert names(extras["torch"]) == {"torch"}
    assert names(extras["cpu"]) == {"tensorflow-cpu"}
    assert names(extras["tensorflow"]) == {"tensorflow"}


def test_under_ci_only_the_runs_own_backend_peers_must_be_there(monkeypatch):
    from tests import conftest

    monkeypatch.setattr(conftest, "IN_CI", True)
    monkeypatch.setattr(conftest, "BACKEND", "jax")
    missing = "kerasviz_missing_peer"  # a name, not a call: test_skips reads calls
    monkeypatch.setitem(conftest.BACKEND_PEERS, missing, "torch")
    with pytest.raises(pytest.skip.Exception, match="only in the KERAS_BACKEND=torch"):
        conftest.optional_import(missing)
    monkeypatch.setattr(conftest, "BACKEND", "torch")
    with pytest.raises(pytest.fail.Exception, match="install it with"):
        conftest.optional_import(missing)
