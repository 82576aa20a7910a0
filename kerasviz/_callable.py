"""Modules that are also their main function (``kerasviz.lint``, ``kerasviz.costs``,
``kerasviz.summary``).

``kerasviz.lint(model)`` is a function exported lazily by the package; importing
the submodule of the same name anywhere (``from kerasviz.lint import Findings``)
makes Python set the package attribute ``kerasviz.lint`` to the module, which
would shadow the function. A module made callable here calls its function, so
``kerasviz.lint(model)`` works whatever was imported before.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def make_callable(module_name: str, function_name: str) -> None:
    """Let the module ``module_name`` be called as its ``function_name``."""
    module = sys.modules[module_name]

    class _CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return getattr(self, function_name)(*args, **kwargs)

    _CallableModule.__name__ = f"{function_name}_module"
    module.__class__ = _CallableModule
