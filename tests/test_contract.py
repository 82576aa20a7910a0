"""The contract between Python and the renderer: schemas, shared constants,
generated TypeScript types and fixtures (kerasviz/schema/, kerasviz/contract.py)."""

from __future__ import annotations

import copy
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from kerasviz import contract
from kerasviz.view import view_payload

from .conftest import IN_CI

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAB = ROOT / "labextension"

jsonschema = pytest.importorskip("jsonschema")


def _subclassed(keras):
    class Tower(keras.Model):
        def __init__(self):
            super().__init__(name="tower")
            self.a = keras.layers.Dense(4, name="a")
            self.b = keras.layers.Dense(1, name="b")

        def call(self, x):
            return self.b(self.a(x))

    m = Tower()
    m(keras.ops.zeros((1, 3)))
    return m


def _unbuilt(keras):
    return keras.Sequential(
        [keras.layers.Dense(2), keras.layers.Dense(1)], name="later"
    )


def _with_ops(keras):
    x = keras.Input((4,), name="x")
    y = keras.ops.relu(keras.layers.Dense(4, name="d")(x))
    return keras.Model(x, keras.ops.add(y, x), name="with_ops")


#: The suite's models (conftest fixtures) and a few more readers must handle.
FIXTURE_MODELS = ["seed_sequential", "seed_functional", "siamese", "nested", "resnet50"]
BUILT_HERE = {"subclassed": _subclassed, "unbuilt": _unbuilt, "ops": _with_ops}


@pytest.fixture(params=FIXTURE_MODELS + list(BUILT_HERE))
def any_model(request, keras):
    if request.param in BUILT_HERE:
        return BUILT_HERE[request.param](keras)
    return request.getfixturevalue(request.param)


def test_every_view_payload_follows_its_schema(any_model):
    for options in ({}, {"rankdir": "LR", "show_shapes": False, "expand_nested": True}):
        contract.validate(view_payload(any_model, **options), "view")
    contract.validate(view_payload(any_model)["graph"], "graph")


@pytest.mark.slow
def test_the_biggest_application_follows_the_schema(nasnet_large):
    """NASNetLarge: 1,041 layers, blocks in blocks, precomputed positions."""
    contract.validate(view_payload(nasnet_large), "view")


def _breakages():
    """(what is broken, how): each must fail validation."""

    def set_(path, value):
        def apply(p):
            *head, last = path
            for k in head:
                p = p[k]
            p[last] = value

        return apply

    def drop(path):
        def apply(p):
            *head, last = path
            for k in head:
                p = p[k]
            del p[last]

        return apply

    return {
        "unknown version": set_(["kerasviz_view"], 2),
        "no graph": drop(["graph"]),
        "rankdir not TB/LR": set_(["options", "rankdir"], "BT"),
        "a stray top-level key": set_(["colour"], "red"),
        "a node without id": drop(["graph", "nodes", 0, "id"]),
        "an unknown layer kind": set_(["graph", "nodes", 0, "kind"], "quantum"),
        "a shape with a string": set_(["graph", "edges", 0, "shape"], [None, "8"]),
        "a negative parameter count": set_(
            ["graph", "nodes", 1, "params", "trainable"], -1
        ),
        "a block without label": drop(["blocks", 0, "label"]),
        "a style rule without selector": drop(["style", "stylesheet", 0, "selector"]),
    }


@pytest.mark.parametrize("case", list(_breakages()))
def test_a_broken_view_payload_fails_validation(case, keras):
    x = keras.Input((8,), name="in")
    h = x
    for i in range(3):  # a block, so that "blocks" has an entry
        h = keras.layers.Dense(8, name=f"b1_dense{i}")(h)
    m = keras.Model(x, keras.layers.Dense(1, name="out")(h), name="m")
    payload = view_payload(m)
    assert payload["blocks"], "the model should have a block"
    contract.validate(payload, "view")  # the unbroken one passes
    broken = copy.deepcopy(payload)
    _breakages()[case](broken)
    with pytest.raises(jsonschema.ValidationError):
        contract.validate(broken, "view")


def test_the_schemas_and_the_constants_agree():
    graph = contract.schema("graph")
    model = graph["properties"]["model"]["properties"]
    assert model["api"]["enum"] == list(contract.API_LABELS)
    kind = graph["$defs"]["node"]["properties"]["kind"]
    assert kind["enum"] == list(contract.KIND_LABELS)
    assert graph["properties"]["version"]["const"] == contract.GRAPH_VERSION
    view = contract.schema("view")
    assert view["properties"]["kerasviz_view"]["const"] == contract.VIEW_VERSION


def test_every_schema_is_a_valid_schema_and_every_ref_resolves():
    names = sorted(p.name for p in (ROOT / "kerasviz" / "schema").glob("*.schema.json"))
    assert {"graph.schema.json", "view.schema.json"} <= set(names)
    for name in names:
        stem = name.removesuffix(".schema.json")
        assert stem in contract.SCHEMAS, f"{name} is not listed in contract.SCHEMAS"
        s = contract.schema(stem)
        jsonschema.Draft202012Validator.check_schema(s)
        assert s["$id"].endswith("/" + name), s["$id"]


def test_python_reads_the_shared_constants():
    from kerasviz import mimebundle, style
    from kerasviz.graph import KINDS, SCHEMA_VERSION
    from kerasviz.view import VIEW_VERSION

    shared = json.loads((ROOT / "kerasviz" / "schema" / "contract.json").read_text())
    assert shared["mime_types"]["view"] == mimebundle.MIME_TYPE
    assert shared["mime_types"]["comparison"] == mimebundle.COMPARISON_MIME_TYPE
    assert shared["versions"]["view"] == VIEW_VERSION
    assert shared["versions"]["graph"] == SCHEMA_VERSION
    assert list(KINDS) == list(shared["kind_labels"])
    assert {k: v["label"] for k, v in style.KIND_STYLES.items()} == shared[
        "kind_labels"
    ]


def _node():
    exe = shutil.which("node")
    if exe is None or not (LAB / "node_modules" / "json-schema-to-typescript").is_dir():
        msg = (
            "node and labextension/node_modules are needed to check the generated "
            "TypeScript: pip install -e '.[test]'"
        )
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def test_generated_typescript_is_fresh():
    """types.ts and contract.ts are what kerasviz/schema/ makes now."""
    result = subprocess.run(
        [_node(), "scripts/generate.mjs", "--check"],
        cwd=LAB,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generated_files_say_so():
    for name in ("types.ts", "contract.ts"):
        text = (LAB / "src" / name).read_text()
        assert text.startswith("// Generated by labextension/scripts/generate.mjs")


@pytest.mark.slow
def test_typescript_fixtures_are_fresh():
    """The renderer's test fixtures are what the real models give now."""
    result = subprocess.run(
        [sys.executable, str(LAB / "scripts" / "make_fixtures.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_fixture_check_notices_a_stale_file(tmp_path, monkeypatch):
    """--check fails, naming the file, when a committed fixture differs."""
    from tests._fixtures import make_fixtures

    module = make_fixtures()
    monkeypatch.setattr(module, "FIXTURES", tmp_path)
    monkeypatch.setattr(module, "make", lambda: {"toy.json": '{"a": 1}\n'})
    (tmp_path / "toy.json").write_text('{"a": 2}\n')
    assert module.main(["--check"]) == 1
    assert (tmp_path / "toy.json").read_text() == '{"a": 2}\n'  # --check writes nothing
    assert module.main([]) == 0
    assert module.main(["--check"]) == 0
