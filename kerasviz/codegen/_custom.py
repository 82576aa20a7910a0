"""Writing what is not Keras's own: third-party and custom classes, functions,
constant arrays, and the notes and warnings for what cannot be written faithfully."""

from __future__ import annotations

import ast
import builtins
import contextlib
import dis
import inspect
import re
import sys
import textwrap
import types
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

#: Arrays with at most this many elements are written out in full (``np.array``).
MAX_INLINE_ARRAY = 64

#: Keyword arguments every ``keras.layers.Layer.__init__`` takes (Keras 3.15).
LAYER_BASE_KWARGS = ("activity_regularizer", "trainable", "dtype", "autocast", "name")

#: Where a third-party package usually exports its public classes and functions.
_PUBLIC_NAMESPACES = (
    "layers",
    "models",
    "ops",
    "activations",
    "tokenizers",
    "utils",
    "nn",
    "nn.functional",
    "numpy",
    "math",
)


class CodegenWarning(UserWarning):
    """``to_code`` wrote a layer, function or value it cannot write faithfully."""


def one_line(text: Any, limit: int = 240) -> str:
    """``text`` on one line (a comment must never spill over into code)."""
    flat = re.sub(r"\s+", " ", str(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def error_summary(error: BaseException) -> str:
    """``Type: message`` on one line, the message's first paragraph only (Keras's
    own errors can run to an example class)."""
    text = str(error).strip()
    first = next((p for p in re.split(r"\n\s*\n", text) if p.strip()), "")
    return one_line(f"{type(error).__name__}: {first}", 300)


def is_keras_module(module: str) -> bool:
    """Keras itself: ``keras`` or ``keras.*`` (not ``keras_hub``, ``keras_cv``...)."""
    return module == "keras" or module.startswith("keras.")


def _private(module: str) -> bool:
    return any(p == "src" or p.startswith("_") for p in module.split("."))


def import_path(obj: Any) -> tuple[str, str] | None:
    """``(module, name)`` to import ``obj`` from: its public path when its package
    exports it (``keras_hub.layers.TransformerEncoder``), else its defining module.
    None when it cannot be imported by name (a lambda, a class made in a function)."""
    name = getattr(obj, "__name__", None)
    qualname = getattr(obj, "__qualname__", name)
    module = getattr(obj, "__module__", None)
    if not name or not module or qualname != name or name == "<lambda>":
        return None
    if _private(module):
        top = module.split(".")[0]
        candidates = [f"{top}.{ns}" for ns in _PUBLIC_NAMESPACES] + [top]
        parts = module.split(".")
        candidates += [
            ".".join(parts[:i])
            for i in range(len(parts) - 1, 0, -1)
            if not _private(".".join(parts[:i]))
        ]
        for cand in dict.fromkeys(candidates):
            ns = sys.modules.get(cand)
            if ns is not None and getattr(ns, name, None) is obj:
                return cand, name
    return module, name


class Imports:
    """The import lines a generated file needs, and the local name of each import.

    ``from module import Name`` for classes and functions (an alias when two
    different objects share a name), ``import numpy as np`` when an array is written.
    Every local name is reserved in ``names`` so no variable shadows it.
    """

    def __init__(self, names: Any) -> None:
        self._names = names
        self._local: dict[tuple[str, str], str] = {}
        self._comments: dict[tuple[str, str], str] = {}
        self._modules: dict[str, str] = {}
        self.objects: dict[str, Any] = {}
        self.numpy = False
        self.notes: list[str] = []

    def name(self, module: str, attr: str, obj: Any, comment: str = "") -> str:
        key = (module, attr)
        if comment:
            self._comments[key] = comment
        if key not in self._local:
            local = attr
            if local in self.objects or not self._names.reserve(local):
                local = self._names.new(f"{attr}_{module.split('.')[0]}")
            self._local[key] = local
            self.objects[local] = obj
        return self._local[key]

    def module(self, module: str, local: str, obj: Any) -> bool:
        """``import module`` (``as local``); False when ``local`` is taken."""
        if self._modules.get(local) == module:
            return True
        if local in self.objects or not self._names.reserve(local):
            return False
        self._modules[local] = module
        self.objects[local] = obj
        return True

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def lines(self) -> list[str]:
        out = ["import numpy as np"] if self.numpy else []
        for local, module in self._modules.items():
            alias = "" if local == module else f" as {local}"
            out.append(f"import {module}{alias}")
        for (module, attr), local in self._local.items():
            alias = "" if local == attr else f" as {local}"
            comment = self._comments.get((module, attr))
            tail = f"  # {comment}" if comment else ""
            out.append(f"from {module} import {attr}{alias}{tail}")
        return out + [f"# {one_line(n)}" for n in self.notes]


class Problems:
    """What could not be written faithfully: a note for the line and a warning."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.all: list[str] = []

    def add(self, text: str) -> None:
        text = one_line(text, 400)
        self.pending.append(text)
        self.all.append(text)

    def take_comment(self) -> str:
        """The pending notes as one trailing comment (``""`` when there are none)."""
        if not self.pending:
            return ""
        text = one_line("; ".join(self.pending), 400)
        self.pending = []
        return f"  # kerasviz: {text}"

    def warn(self, what: str) -> None:
        for text in self.all:
            warnings.warn(
                f"{what} could not write everything faithfully: {text}. The "
                "generated code says so in a comment (search for '# kerasviz:'); "
                "check that part by hand.",
                CodegenWarning,
                stacklevel=3,
            )


def is_function(value: Any) -> bool:
    return isinstance(
        value, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)
    ) or (
        callable(value)
        and not isinstance(value, type)
        and type(value).__name__ in ("function", "cython_function_or_method")
    )


def function_expr(fn: Any, imports: Imports, problems: Problems, where: str) -> str:
    """Source naming ``fn``: ``keras.ops.gelu``, an imported name, or (for a lambda)
    the lambda's own source."""
    import keras

    name = getattr(fn, "__name__", "")
    for ns, path in (
        (keras.ops, "keras.ops"),
        (keras.activations, "keras.activations"),
    ):
        if name and getattr(ns, name, None) is fn:
            return f"{path}.{name}"
    if isinstance(fn, np.ufunc) and getattr(np, name, None) is fn:
        imports.numpy = True
        return f"np.{name}"
    if name == "<lambda>":
        src = lambda_source(fn)
        if src is not None:
            free = [n for n in _global_names(src) if not _import_global(n, fn, imports)]
            if free:
                problems.add(
                    f"the lambda in {where} uses names defined where it was written "
                    f"({', '.join(free)}): import or define them before this line"
                )
            return src
        problems.add(
            f"the lambda in {where} could not be read back as source code: "
            "replace `None` with it"
        )
        return "None"
    path = import_path(fn)
    if path is None:
        problems.add(
            f"{where} uses the function {getattr(fn, '__qualname__', fn)!r}, which "
            "cannot be imported by name (it is defined inside another function): "
            "define it before this line"
        )
        return re.sub(r"\W", "_", name) or "None"
    module, attr = path
    if module == "__main__":
        imports.note(
            f"{attr}: a function defined in your notebook or script (__main__); run "
            "this code where it is defined."
        )
        return attr
    return imports.name(module, attr, fn)


_NOISE_OPS = {"CACHE", "RESUME", "PRECALL", "PUSH_NULL", "KW_NAMES", "NOP"}


def code_key(code: types.CodeType) -> tuple[Any, ...]:
    """What a function's code does, comparable across files: its instructions
    with their arguments, without the bytecode details that depend on where it
    was compiled (CPython 3.11 writes ``ops.mean(...)`` differently when ``ops``
    was imported in the same file)."""
    steps = []
    for ins in dis.get_instructions(code):
        if ins.opname in _NOISE_OPS:
            continue
        op = "LOAD_ATTR" if ins.opname == "LOAD_METHOD" else ins.opname
        arg = ins.argval
        if isinstance(arg, types.CodeType):
            arg = code_key(arg)
        elif isinstance(arg, int) and ins.opcode in dis.hasjrel + dis.hasjabs:
            arg = None  # jump targets move with the details above
        else:
            arg = repr(arg)
        steps.append((op, arg))
    return (tuple(steps), code.co_argcount, code.co_varnames[: code.co_argcount])


def _global_names(source: str) -> list[str]:
    """Names a lambda's source reads that are not its own arguments."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return []
    own = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            a = node.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None:
                    own.add(arg.arg)
    names = [
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in own
    ]
    return list(dict.fromkeys(names))


def _import_global(name: str, fn: Any, imports: Imports) -> bool:
    """Make ``name`` (a global a lambda reads) available in the generated code:
    True when it is (a builtin, ``keras``, an importable module or object)."""
    if name in ("keras", "layers", "np") or (
        hasattr(builtins, name) and name not in getattr(fn, "__globals__", {})
    ):
        if name == "np":
            imports.numpy = True
        return True
    obj = getattr(fn, "__globals__", {}).get(name)
    if obj is None:
        return False
    if isinstance(obj, types.ModuleType):
        module, _, attr = obj.__name__.rpartition(".")
        if _private(obj.__name__):
            return False
        if not module or attr != name:
            return imports.module(obj.__name__, name, obj)
        return imports.name(module, attr, obj) == name
    path = import_path(obj)
    if path is None or path[0] == "__main__" or path[1] != name:
        return False
    return imports.name(path[0], path[1], obj) == name


def lambda_source(fn: Any) -> str | None:
    """The source of a ``lambda`` (``lambda x: x * 2``), found by compiling each
    lambda on its source lines and matching the bytecode; None when not found."""
    try:
        lines = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    text = textwrap.dedent(lines)
    tree = None
    for candidate in (text, f"(\n{text}\n)", text.strip().rstrip(",")):
        try:
            tree = ast.parse(candidate)
            text = candidate
            break
        except SyntaxError:
            continue
    if tree is None:
        return None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            segment = ast.get_source_segment(text, node)
            if segment is None:
                continue
            try:
                code = compile(segment, "<lambda>", "eval")
            except SyntaxError:
                continue
            inner = next(
                (c for c in code.co_consts if isinstance(c, types.CodeType)), None
            )
            if inner is not None and code_key(inner) == code_key(fn.__code__):
                found.append(one_line(segment, 10_000))
    return found[0] if len(set(found)) == 1 else None


def constant_expr(
    value: Any, imports: Imports, problems: Problems, define: Any, where: str
) -> str | None:
    """Source for a constant array or tensor (an op's non-tensor argument).

    A scalar becomes a number, a small array ``np.array([...], dtype=...)``, a larger
    one a named placeholder (``define(name, source)`` writes it). None when
    ``value`` is not an array or tensor.
    """
    if not hasattr(value, "shape") or not hasattr(value, "dtype"):
        return None
    try:
        import keras

        arr = np.asarray(keras.ops.convert_to_numpy(value))
    except Exception:
        try:
            arr = np.asarray(value)
        except Exception:
            return None
    dtype = str(arr.dtype)
    if arr.ndim == 0:
        item = arr.item()
        if isinstance(item, float) and not np.isfinite(item):
            imports.numpy = True
            return (
                f"np.{'nan' if np.isnan(item) else ('inf' if item > 0 else '-np.inf')}"
            )
        if dtype not in ("float32", "int32", "int64", "bool", "float64"):
            imports.numpy = True
            return f"np.{dtype}({item!r})"
        return repr(item)
    imports.numpy = True
    if arr.size <= MAX_INLINE_ARRAY and arr.dtype.kind in "biuf":
        return f"np.array({arr.tolist()!r}, dtype={dtype!r})"
    problems.add(
        f"{where} takes a constant array of shape {tuple(arr.shape)} ({dtype}); "
        "its values are not written here: the placeholder holds zeros, put the "
        "real values in"
    )
    return define(
        "constant_placeholder", f"np.zeros({tuple(arr.shape)!r}, dtype={dtype!r})"
    )


def init_parameters(cls: type) -> tuple[list[inspect.Parameter], bool]:
    """The named parameters of ``cls.__init__`` and whether it takes ``**kwargs``."""
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())  # type: ignore[misc]
    except (TypeError, ValueError):
        return [], True
    named = [
        p
        for p in params[1:]
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)
    ]
    return named, any(p.kind is p.VAR_KEYWORD for p in params)


def attribute_value(layer: Any, param: str) -> tuple[bool, Any]:
    """The value ``layer`` keeps for constructor argument ``param``: the keras.io
    pattern ``self.units = units`` (or ``self._units``). ``(found, value)``."""
    for attr in (param, f"_{param}"):
        try:
            value = inspect.getattr_static(layer, attr)
            dynamic = isinstance(value, (property, types.FunctionType, staticmethod))
        except AttributeError:
            # not in the instance's __dict__: torch keeps sublayers in _modules,
            # reached through __getattr__ (the torch backend)
            dynamic = True
        if dynamic:
            try:
                value = getattr(layer, attr)
            except Exception:
                continue
            if inspect.ismethod(value):
                continue
        return True, value
    return False, None


def value_from_init(layer: Any, param: str) -> tuple[bool, Any]:
    """Find what ``layer``'s ``__init__`` did with argument ``param`` when it kept
    no attribute of that name: ``self.dim = param`` or, as keras.io layers do,
    ``self.projection = layers.Dense(units=param)`` (then the sublayer's ``units``).
    Read from the source of ``__init__``; ``(found, value)``."""
    try:
        source = textwrap.dedent(inspect.getsource(type(layer).__init__))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return False, None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
        ):
            continue
        value = node.value
        if isinstance(value, ast.Name) and value.id == param:
            found, got = attribute_value(layer, target.attr)
            if found:
                return True, got
            continue
        if not isinstance(value, ast.Call):
            continue
        sub = getattr(layer, target.attr, None)
        if sub is None or not hasattr(sub, "get_config"):
            continue
        key = next(
            (
                kw.arg
                for kw in value.keywords
                if isinstance(kw.value, ast.Name) and kw.value.id == param
            ),
            None,
        )
        if key is None:
            index = next(
                (
                    i
                    for i, a in enumerate(value.args)
                    if isinstance(a, ast.Name) and a.id == param
                ),
                None,
            )
            if index is None:
                continue
            named, _ = init_parameters(type(sub))
            if index >= len(named):
                continue
            key = named[index].name
        try:
            config = sub.get_config()
        except Exception:
            config = {}
        if key in config:
            return True, config[key]
        found, got = attribute_value(sub, key)
        if found:
            return True, got
    return False, None


@contextlib.contextmanager
def keep_auto_names() -> Iterator[None]:
    """Keras's automatic-name counters as they were, afterwards.

    Writing and checking code builds layers (to check a constructor, to clone a
    model); without this the user's next ``Dense()`` would be ``dense_7``, not
    ``dense_5``. The reader's compat module holds the private access when it has it.
    """
    from ..graph import _keras_compat as compat

    snapshot = getattr(compat, "name_uids_snapshot", None)
    restore = getattr(compat, "name_uids_restore", None)
    if snapshot is None or restore is None:  # pragma: no cover - older reader
        snapshot, restore = _uids_snapshot, _uids_restore
    saved = snapshot()
    try:
        yield
    finally:
        restore(saved)


def _uids_snapshot() -> dict[str, int]:
    # naming.uniquify's global counters (keras.src.backend.common.global_state,
    # attribute "object_name_uids", Keras 3.15.1)
    from keras.src.backend.common import global_state

    uids = global_state.get_global_attribute("object_name_uids")
    return dict(uids) if uids is not None else {}


def _uids_restore(saved: dict[str, int]) -> None:
    from keras.src.backend.common import global_state

    uids = global_state.get_global_attribute("object_name_uids")
    if uids is not None:
        uids.clear()
        uids.update(saved)
