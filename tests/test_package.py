"""Package-level promises: cheap import, one-way layers, the shipped schema."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import jsonschema
import pytest

import kerasviz
from kerasviz.graph._jsonsafe import jsonable, jsonable_fast
from kerasviz.graph.schema import load_schema, validate


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_kerasviz_is_cheap():
    mods = modules_after("import kerasviz")
    for heavy in ("keras", "tensorflow", "IPython", "ipywidgets", "pydot", "anywidget"):
        assert heavy not in mods, heavy


VIEW_MODULES = ("ipywidgets", "IPython", "pydot", "ipycytoscape", "anywidget")


@pytest.mark.slow
def test_graph_layer_imports_no_view_code():
    setup = (  # on this run's backend: the subprocess inherits KERAS_BACKEND
        "import keras\n"
        "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
    )
    # Keras (through TensorFlow) may import IPython itself; what reading adds counts.
    before = modules_after(setup)
    after = modules_after(setup + "import kerasviz.graph as g; g.graph_of(m).to_json()")
    added = {m.split(".")[0] for m in after - before}
    assert not added & set(VIEW_MODULES), added


def test_graph_package_source_names_no_view_module():
    import ast
    import pathlib

    root = pathlib.Path(kerasviz.__file__).parent / "graph"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in VIEW_MODULES, (path.name, name)


def test_version():
    assert isinstance(kerasviz.__version__, str)
    assert kerasviz.__version__.count(".") >= 2


def test_schema_ships_and_rejects_bad_payloads():
    schema = load_schema()
    assert schema["properties"]["version"] == {
        "const": 2,
        "description": "Schema version; readers refuse others.",
    }
    good = {
        "version": 2,
        "model": {
            "name": "m",
            "api": "functional",
            "built": True,
            "params": {"total": 0, "trainable": 0, "non_trainable": 0},
            "inputs": [],
            "outputs": [],
        },
        "nodes": [],
        "edges": [],
        "config_defaults": {},
    }
    validate(good)
    with pytest.raises(jsonschema.ValidationError):
        validate({**good, "version": 1})
    with pytest.raises(jsonschema.ValidationError):
        validate({**good, "model": {**good["model"], "api": "graph"}})
    bad_node = {"id": "a", "name": "a", "class_name": "X", "kind": "weird"}
    with pytest.raises(jsonschema.ValidationError):
        validate({**good, "nodes": [bad_node]})


def test_from_json_refuses_other_versions():
    with pytest.raises(ValueError, match="Received: version=7"):
        kerasviz.ModelGraph.from_json({"version": 7})


@pytest.mark.parametrize("convert", [jsonable, jsonable_fast])
def test_configs_become_json_safe(convert):
    import numpy as np

    raw = {
        "t": (1, (2, None)),
        "nan": float("nan"),
        "inf": math.inf,
        "np": np.float32(0.5),
        "arr": np.arange(3),
        "big": np.zeros((100, 100)),
        3: "int key",
        "obj": object(),
    }
    out = convert(raw)
    text = json.dumps(out, allow_nan=False)
    back = json.loads(text)
    assert back["t"] == [1, [2, None]]
    assert back["nan"] == "nan"
    assert back["inf"] == "inf"
    assert back["np"] == 0.5
    assert back["arr"] == [0, 1, 2]
    assert back["big"] == "<array shape=(100, 100) dtype=float64>"
    assert back["3"] == "int key"
    assert back["obj"].startswith("<object object at")


def test_labextension_is_installed_and_enabled():
    """`pip install` put the prebuilt MIME renderer where JupyterLab finds it."""
    import pathlib

    jupyter = pathlib.Path(sys.executable).with_name("jupyter")
    out = subprocess.run(
        [str(jupyter), "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = out.stdout + out.stderr
    line = next((x for x in text.splitlines() if "kerasviz" in x), "")
    assert f"kerasviz v{kerasviz.__version__}" in line
    assert "enabled" in line
    assert "OK" in line


def test_readme_first_command_installs_what_the_tutorials_need():
    """Command 1 installs what Binder installs from binder/ (the Debian packages of
    apt.txt, the pip packages of postBuild): the notebooks need them all."""
    import pathlib

    root = pathlib.Path(__file__).parent.parent
    readme = (root / "README.md").read_text()
    block = readme[readme.index("Open the tutorial in JupyterLab") :]
    command = block[block.index("```bash\n") + 8 :].split("\n", 1)[0]
    assert "jupyter lab notebooks/" in command
    assert "bash binder/postBuild" in command
    assert command.index('pip install ".[cpu]"') < command.index("binder/postBuild")
    apt = (root / "binder" / "apt.txt").read_text().split()
    assert apt
    for package in apt:
        assert f"apt-get install -y {package}" in command or f" {package} " in command


def test_readme_first_command_says_how_to_run_as_root():
    """Command 1 starts `jupyter lab`, which refuses to run as root without
    --allow-root: the README says so next to it, with a flag Jupyter really has."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    first = readme.index("bash binder/postBuild && jupyter lab notebooks/")
    nearby = readme[first : first + 600]
    assert re.search(r"As root .*`--allow-root`", nearby, re.S)
    assert "jupyter lab --allow-root notebooks/" in nearby
    help_text = subprocess.run(
        [sys.executable, "-m", "jupyter", "lab", "--help-all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "--allow-root" in help_text
