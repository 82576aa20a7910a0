"""The renderer's fixture script (labextension/scripts/make_fixtures.py), as a module."""

from __future__ import annotations

import importlib.util
import pathlib
from functools import cache
from types import ModuleType

SCRIPT = (
    pathlib.Path(__file__).resolve().parents[1]
    / "labextension/scripts/make_fixtures.py"
)


@cache
def make_fixtures() -> ModuleType:
    """labextension/scripts/make_fixtures.py, imported (it is not in a package)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
