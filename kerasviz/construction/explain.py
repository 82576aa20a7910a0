"""Explain a failed model construction in plain words, with a concrete fix.

:func:`explain` takes the exception a layer call (or an import, a ``Model(...)``)
raised, the layer and what it was called with, and the source line, and returns
an :class:`ExplainedError`: which classic mistake it is (``kind``), what the layer
expected and got (shapes read from the tensors, not the error text), what to do,
and when it can be written, the user's line corrected. :func:`check_call` catches
the silent mistakes of a call that worked (an ``Embedding`` fed floats).

The error text is only used to recognise the error; the Keras 3 texts matched are
the same on every backend (measured on TensorFlow and JAX, Keras 3.15).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import inspect
import re
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["ExplainedError", "check_call", "explain"]

_GENERIC_HINT = (
    "Check the shapes of the inputs listed above against what the layer expects "
    "(print `x.shape` before the call), and the arguments on this line."
)


@dataclass
class ExplainedError:
    """One failure explained (see the module docstring)."""

    kind: str
    message: str
    hint: str
    fix: str | None
    layer: str | None
    line: int | None
    code: str | None
    error: str

    def to_json(self) -> dict[str, Any]:
        return {
            k: (v if v is None or isinstance(v, int) else str(v))
            for k, v in asdict(self).items()
        }

    def __str__(self) -> str:
        parts = [self.message, f"Hint: {self.hint}"]
        if self.fix:
            parts.append(f"Fix: {self.fix.strip()}")
        return "\n".join(parts)


# ---- small readers -----------------------------------------------------------
def _first_line(exc: BaseException) -> str:
    try:
        text = str(exc).strip()
    except Exception:  # a broken __str__
        text = ""
    first = (text.splitlines() or [""])[0].strip()
    if len(first) > 300:
        first = first[:297] + "..."
    return first


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _is_tensor(x: Any) -> bool:
    try:
        import keras

        return isinstance(x, keras.KerasTensor)
    except Exception:
        return False


def _tensors(inputs: Any) -> list[Any]:
    if _is_tensor(inputs):
        return [inputs]
    if isinstance(inputs, (list, tuple)):
        return [t for t in inputs if _is_tensor(t)]
    if isinstance(inputs, dict):
        return [t for t in inputs.values() if _is_tensor(t)]
    return []


def _shape(t: Any) -> tuple[Any, ...]:
    return tuple(t.shape)


def _shape_text(shape: Any) -> str:
    return str(tuple(shape))


def _name(layer: Any) -> str | None:
    name = getattr(layer, "name", None)
    return name if isinstance(name, str) else None


def _cls(layer: Any) -> str:
    return type(layer).__name__


def _who(layer: Any) -> str:
    name = _name(layer)
    return f"{_cls(layer)} {name!r}" if name else _cls(layer)


def _prefix(code: str | None, name: str) -> str:
    """How this line spells Keras layer functions: ``layers.``, ``keras.layers.``
    or bare (names imported from keras.layers)."""
    if code:
        m = re.search(r"((?:\w+\.)*)" + re.escape(name) + r"\s*\(", code)
        if m:
            return m.group(1)
        for p in ("keras.layers.", "layers."):
            if p in code:
                return p
    return "" if code else "layers."


def _parse_call(code: str) -> ast.Module | None:
    try:
        return ast.parse(code.strip())
    except SyntaxError:
        return None


def _segment(code: str, node: ast.AST) -> str:
    return ast.get_source_segment(code.strip(), node) or ""


def _indent(code: str) -> str:
    return code[: len(code) - len(code.lstrip())]


def _replace_spans(code: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace (start, end) column spans of the stripped line, keeping its indent."""
    body = code.strip()
    for start, end, text in sorted(spans, reverse=True):
        body = body[:start] + text + body[end:]
    return _indent(code) + body


def _rename_kwargs(code: str, renames: dict[str, str], values=None) -> str | None:
    """``code`` with keyword arguments renamed (``input=`` -> ``inputs=``), or None
    when the line cannot be parsed or has none of them."""
    tree = _parse_call(code)
    if tree is None:
        return None
    body = code.strip()
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in renames:
                    # a keyword's node starts at its name (Python >= 3.9)
                    start = kw.col_offset
                    if body[start : start + len(kw.arg)] != kw.arg:
                        return None
                    new = renames[kw.arg]
                    if values and kw.arg in values:
                        seg = _segment(code, kw.value)
                        value = values[kw.arg](seg, kw.value)
                        spans.append((start, kw.value.end_col_offset, f"{new}={value}"))
                    else:
                        spans.append((start, start + len(kw.arg), new))
    return _replace_spans(code, spans) if spans else None


# ---- the origin of a tensor ----------------------------------------------------
def _input_layers(tensors: list[Any]) -> list[Any]:
    """The InputLayers the tensors come from (walked iteratively)."""
    found, seen, todo = [], set(), list(tensors)
    while todo and len(seen) < 10000:
        t = todo.pop()
        hist = getattr(t, "_keras_history", None)
        if hist is None:
            continue
        op = hist[0]
        if id(op) in seen:
            continue
        seen.add(id(op))
        if type(op).__name__ == "InputLayer":
            found.append(op)
            continue
        nodes = getattr(op, "_inbound_nodes", [])
        if hist[1] < len(nodes):
            todo.extend(getattr(nodes[hist[1]], "input_tensors", []))
    return found


def _input_line(inp: Any) -> str:
    try:
        from ..graph.sources import sources_of

        src = sources_of(inp)
        if src:
            return f" (made at {src[0].describe()})"
    except Exception:
        pass
    return ""


def _text_layer(text: str) -> str | None:
    """The layer's name as the error text gives it (when no layer was passed)."""
    m = re.search(r"""(?:of layer|Layer) ['"]([\w/.-]+)['"]""", text)
    return m.group(1) if m else None


# ---- 1 and 2: rank -------------------------------------------------------------
_RANKS = {
    "1D": ("(batch, steps, channels)", 3),
    "2D": ("(batch, height, width, channels)", 4),
    "3D": ("(batch, depth, height, width, channels)", 5),
}
_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM")


def _expected_rank(layer: Any, text: str) -> tuple[str, int | None, str]:
    """(what the layer takes, the rank it wants, "exactly"/"at least")."""
    cls = _cls(layer) if layer is not None else ""
    m = re.search(r"expected (min_)?ndim=(\d+)", text)
    ndim = int(m.group(2)) if m else None
    how = "at least" if m and m.group(1) else "exactly"
    spec = getattr(layer, "input_spec", None)
    if spec is not None and not isinstance(spec, (list, tuple)):
        if getattr(spec, "ndim", None):
            ndim, how = spec.ndim, "exactly"
        elif getattr(spec, "min_ndim", None):
            ndim, how = spec.min_ndim, "at least"
    for dim, (what, rank) in _RANKS.items():
        if cls.endswith(dim) or dim in cls:
            if getattr(layer, "data_format", None) == "channels_first":
                what = what.replace(", channels)", ")").replace(
                    "(batch, ", "(batch, channels, "
                )
            return what, ndim or rank, how
    if cls.startswith(_RECURRENT) or cls in _RECURRENT:
        return "(batch, timesteps, features)", ndim or 3, "exactly"
    if cls in ("Dense", "EinsumDense"):
        return "(batch, ..., features)", ndim or 2, "at least"
    if cls == "RepeatVector":
        return "(batch, features)", 2, "exactly"
    if ndim:
        return f"a rank-{ndim} tensor (batch included)", ndim, how
    return "another rank", None, how


def _square_factor(n: int) -> tuple[int, int, int] | None:
    for c in (1, 3):
        if n % c == 0:
            s = round((n // c) ** 0.5)
            if s * s * c == n and s > 1:
                return (s, s, c)
    return None


def _rank_fix(layer: Any, shape: tuple, want: int | None, prefix: str) -> str:
    cls = _cls(layer) if layer is not None else ""
    got = len(shape)
    dims = shape[1:]
    known = all(isinstance(d, int) for d in dims)
    if "2D" in cls and "Global" not in cls and got == 2 and known:
        hwc = _square_factor(dims[0])
        target = str(hwc) if hwc else "(height, width, channels)"
        return (
            f"put `{prefix}Reshape({target})` before it (a flat vector of "
            f"{dims[0]} becomes an image), or use `Dense` on the flat input"
        )
    if "2D" in cls and "Global" not in cls and got == 3:
        return (
            f"use the 1D form (`{cls.replace('2D', '1D')}`) on a sequence, or add a "
            f"channels axis first: `{prefix}Reshape({(*dims, 1)})`"
        )
    if "Global" in cls and "2D" in cls and got == 3:
        return f"use `{prefix}{cls.replace('2D', '1D')}()` on a (batch, steps, features) tensor"
    if "1D" in cls and got == 2 and known:
        return f"put `{prefix}Reshape(({dims[0]}, 1))` before it (steps of one channel)"
    if cls.startswith(_RECURRENT) and got == 2:
        if known:
            return (
                f"feed it (batch, timesteps, features): for integer tokens put "
                f"`{prefix}Embedding(input_dim=vocabulary_size, output_dim=64)` before "
                f"it; for numbers, `{prefix}Reshape(({dims[0]}, 1))` "
                f"(Reshape((steps, features)))"
            )
        return f"put `{prefix}Embedding(...)` or `{prefix}Reshape((steps, features))` before it"
    if cls.startswith(_RECURRENT) and got == 4 and known:
        return (
            f"turn the feature maps into a sequence first: "
            f"`{prefix}Reshape(({dims[0]}, {dims[1] * dims[2]}))`"
        )
    if want is not None and got > want and got >= 3:
        return (
            f"flatten the extra axes first: `{prefix}Flatten()` or "
            f"`{prefix}GlobalAveragePooling{got - 2}D()` after convolutions"
        )
    if cls in ("Dense", "EinsumDense") and got == 1:
        if shape and shape[0] is None:
            return (
                "the tensor has only its batch axis (a reduction dropped the "
                f"features axis): use `keepdims=True`, or `{prefix}Reshape((1,))` before it"
            )
        return (
            f"the tensor has no batch axis: make it with `keras.Input(shape={shape})` "
            "(Keras adds the batch axis), not `batch_shape=`"
        )
    return "reshape the input to the rank the layer takes, or use a layer made for this rank"


def _strip_batch_none(code: str) -> str | None:
    """The line with a leading None dropped from ``shape=``/``input_shape=`` (or
    ``Input((None, ...))``), or None if it has none."""
    tree = _parse_call(code)
    if tree is None:
        return None
    spans = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        values = [
            kw.value for kw in node.keywords if kw.arg in ("shape", "input_shape")
        ]
        func = node.func
        fname = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if fname == "Input" and node.args:
            values.append(node.args[0])
        for v in values:
            if (
                isinstance(v, (ast.Tuple, ast.List))
                and v.elts
                and isinstance(v.elts[0], ast.Constant)
                and v.elts[0].value is None
            ):
                rest = [_segment(code, e) for e in v.elts[1:]]
                if isinstance(v, ast.List):
                    text = "[" + ", ".join(rest) + "]"
                else:
                    text = "(" + ", ".join(rest) + ("," if len(rest) == 1 else "") + ")"
                spans.append((v.col_offset, v.end_col_offset, text))
    return _replace_spans(code, spans) if spans else None


def _rank(exc, text, layer, tensors, code) -> dict[str, Any] | None:
    kernel = "Kernel shape must have the same length as input" in text
    if not (
        kernel or re.search(r"expected (min_|max_)?ndim=\d+, found ndim=\d+", text)
    ):
        return None
    what, want, how = _expected_rank(layer, text)
    if tensors:
        shape = _shape(tensors[0])
    else:
        m = re.search(r"(?:Full shape received|input of shape):? (\([^)]*\))", text)
        try:
            shape = tuple(ast.literal_eval(m.group(1))) if m else ()
        except Exception:
            shape = ()
    if kernel:
        m = re.search(r"kernel of shape (\([^)]*\))", text)
        with contextlib.suppress(Exception):
            want = len(ast.literal_eval(m.group(1))) if m else want
        how = "exactly"
    got = len(shape)
    named = _text_layer(text)
    who = (
        _who(layer)
        if layer is not None
        else (f"Layer {named!r}" if named else "The layer")
    )
    prefix = _prefix(code, "Reshape")
    line_fix = _strip_batch_none(code) if code else None
    roots = _input_layers(tensors)
    root_batch = [
        r
        for r in roots
        if tuple(getattr(r, "batch_shape", ()) or ())[:2] == (None, None)
    ]
    if (
        want is not None
        and got == want + 1
        and (line_fix or root_batch)
        and shape[:2] == (None, None)
    ):
        inp = root_batch[0] if root_batch else None
        fixed = tuple(inp.batch_shape[2:]) if inp is not None else tuple(shape[2:])
        where = f" from Input {inp.name!r}{_input_line(inp)}" if inp is not None else ""
        return dict(
            kind="batch-dim-in-shape",
            message=(
                f"{who} takes {what}, rank {want}, but got rank {got}: "
                f"{_shape_text(shape)}{where}. The two leading None look like the "
                f"batch dimension written into `shape=`/`input_shape=`, "
                f"and Keras added its own in front."
            ),
            hint=(
                f"Keras adds the batch dimension itself: write the shape of one sample, "
                f"`shape={fixed}` (e.g. `keras.Input(shape={fixed})`), "
                f"not `shape={(None, *fixed)}`."
            ),
            fix=line_fix,
        )
    return dict(
        kind="wrong-rank",
        message=(
            f"{who} takes {what}: {how} rank {want}, but got a rank-{got} tensor "
            f"of shape {_shape_text(shape)}."
        ),
        hint=_rank_fix(layer, shape, want, prefix).capitalize()[:1]
        + _rank_fix(layer, shape, want, prefix)[1:]
        + ".",
        fix=None,
    )


# ---- 3: merges -----------------------------------------------------------------
_MERGE_TEXTS = (
    "requires inputs with matching shapes except for the concatenation axis",
    "Inputs have incompatible shapes",
    "Incompatible input shapes: axis values",
    "must have the same shape except on the `axis` dim",
    "Cannot broadcast shape",
)


def _call_list_args(code: str | None) -> list[str] | None:
    """The variable names in the list this line passes to a call: ``[a, b]``."""
    if not code:
        return None
    tree = _parse_call(code)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for a in node.args:
                if isinstance(a, (ast.List, ast.Tuple)) and len(a.elts) >= 2:
                    return [_segment(code, e) for e in a.elts]
    return None


def _merge(exc, text, layer, tensors, code) -> dict[str, Any] | None:
    if not any(t in text for t in _MERGE_TEXTS) or len(tensors) < 2:
        return None
    shapes = [_shape(t) for t in tensors]
    names = _call_list_args(code) or [f"input {i}" for i in range(len(shapes))]
    if len(names) != len(shapes):
        names = [f"input {i}" for i in range(len(shapes))]
    listed = ", ".join(
        f"`{n}` {_shape_text(s)}" for n, s in zip(names, shapes, strict=False)
    )
    cls = _cls(layer) if layer is not None else "merge"
    who = _who(layer) if layer is not None else "The merge"
    prefix = _prefix(code, "Dense")
    ranks = {len(s) for s in shapes}
    if "Concatenate" in text or cls in ("Concatenate", "concatenate"):
        axis = getattr(layer, "axis", -1)
        if len(ranks) > 1:
            return dict(
                kind="merge-shapes",
                message=(
                    f"{who} joins tensors of the same rank along axis {axis}, but "
                    f"got ranks {sorted(ranks)}: {listed}."
                ),
                hint=(
                    f"Bring them to one rank first: `{prefix}Flatten()` the bigger one, "
                    f"or `{prefix}Reshape(...)`/`{prefix}RepeatVector(n)` the smaller."
                ),
                fix=None,
            )
        rank = shapes[0].__len__()
        ax = axis % rank if isinstance(axis, int) else axis
        differ = [
            i for i in range(1, rank) if i != ax and len({s[i] for s in shapes}) > 1
        ]
        dtext = ", ".join(
            f"axis {i} ({' vs '.join(str(s[i]) for s in shapes)})" for i in differ
        )
        fix = None
        if len(differ) == 1 and code:
            fix = _with_axis(code, differ[0])
        return dict(
            kind="merge-shapes",
            message=(
                f"{who} concatenates on axis {axis}: only that axis may differ, "
                f"every other axis must match. Got {listed}, which differ on "
                f"{dtext}."
            ),
            hint=(
                f"Concatenate on the axis that differs (`axis={differ[0]}`)"
                if len(differ) == 1
                else "Make the other axes equal"
            )
            + f", or project/reshape one input first (`{prefix}Dense(n)` for the last axis, "
            f"`{prefix}Reshape(...)` for the others) so the shapes agree except on axis {axis}.",
            fix=fix,
        )
    # element-wise merges (Add, Multiply, ...), Dot and keras.ops broadcasting
    last = {s[-1] for s in shapes if s}
    fix = None
    if (
        len(ranks) == 1
        and all(s[:-1] == shapes[0][:-1] for s in shapes)
        and len(last) > 1
    ):
        target = max(s[-1] for s in shapes if isinstance(s[-1], int))
        hint = (
            f"Element-wise merges need equal shapes: project the smaller one with "
            f"`{prefix}Dense({target})` so its last axis is {target} too, or "
            f"concatenate instead (`{prefix}concatenate([...])`), which allows "
            f"different last axes."
        )
        small = [n for n, s in zip(names, shapes, strict=False) if s[-1] != target]
        if code and names[0] != "input 0" and len(small) == 1:
            fix = _project(code, small[0], f"{prefix}Dense({target})")
    else:
        hint = (
            "Element-wise merges need equal shapes (or broadcastable ones for keras.ops): "
            f"`{prefix}Reshape(...)`, pool or project the inputs until they match."
        )
    if "Dot" in cls or "axis values" in text:
        axes = getattr(layer, "axes", None)
        msg = (
            f"{who} takes a dot product along axes {axes}: those axes must have the "
            f"same size, but got {listed}."
        )
    else:
        msg = (
            f"{who} combines its inputs element by element, so their shapes must "
            f"match (the batch axis aside), but got {listed}."
        )
    return dict(kind="merge-shapes", message=msg, hint=hint, fix=fix)


def _with_axis(code: str, axis: int) -> str | None:
    tree = _parse_call(code)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if fname not in ("concatenate", "Concatenate"):
            continue
        for kw in node.keywords:
            if kw.arg == "axis":
                return _replace_spans(
                    code, [(kw.value.col_offset, kw.value.end_col_offset, str(axis))]
                )
        end = node.end_col_offset - 1  # the closing parenthesis
        sep = ", " if node.args or node.keywords else ""
        return _replace_spans(code, [(end, end, f"{sep}axis={axis}")])
    return None


def _project(code: str, name: str, proj: str) -> str | None:
    tree = _parse_call(code)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple)):
            for e in node.elts:
                if _segment(code, e) == name:
                    return _replace_spans(
                        code, [(e.col_offset, e.end_col_offset, f"{proj}({name})")]
                    )
    return None


# ---- 5: a list where one tensor goes ----------------------------------------------
def _list_input(exc, text, layer, tensors, code) -> dict[str, Any] | None:
    m = re.search(
        r"expects (\d+) input\(s\), but it received (\d+) input tensors", text
    )
    if not m:
        return None
    shapes = [_shape(t) for t in tensors]
    names = _call_list_args(code)
    if not names or len(names) != len(shapes):
        names = None
    shown = names or [f"input {i}" for i in range(len(shapes))]
    listed = ", ".join(
        f"`{n}` {_shape_text(s)}" for n, s in zip(shown, shapes, strict=False)
    )
    who = _who(layer) if layer is not None else "The layer"
    prefix = _prefix(code, _cls(layer) if layer is not None else "Dense")
    merge = (
        f"{prefix}concatenate([{', '.join(names)}])"
        if names
        else f"{prefix}concatenate([a, b])"
    )
    hint = (
        f"Merge them into one tensor first, e.g. `{merge}` (or `{prefix}add`/"
        f"`{prefix}average` for same-shaped tensors), then call the layer on that"
    )
    if not prefix and code:
        hint += "; import `concatenate` from keras.layers with your other layers"
    hint += ". To apply the layer to each tensor separately, call it once per tensor."
    fix = None
    if names and code:
        tree = _parse_call(code)
        for node in ast.walk(tree) if tree else ():
            if (
                isinstance(node, ast.Call)
                and len(node.args) == 1
                and isinstance(node.args[0], (ast.List, ast.Tuple))
                and [_segment(code, e) for e in node.args[0].elts] == names
                and isinstance(node.func, ast.Call)
            ):
                a = node.args[0]
                fix = _replace_spans(code, [(a.col_offset, a.end_col_offset, merge)])
                break
    return dict(
        kind="list-input",
        message=(
            f"{who} takes one tensor, but was called on a list of {m.group(2)}: "
            f"{listed}."
        ),
        hint=hint,
        fix=fix,
    )


# ---- 6: legacy Keras 1/2 ---------------------------------------------------------
_MERGE_MODES = {
    "concat": "concatenate",
    "sum": "add",
    "mul": "multiply",
    "ave": "average",
    "max": "maximum",
    "dot": "dot",
    "cos": "dot",
}
_LEGACY_MODULES = {
    "keras.layers.merge": "keras.layers",
    "keras.layers.core": "keras.layers",
    "keras.layers.convolutional": "keras.layers",
    "keras.layers.recurrent": "keras.layers",
    "keras.layers.embeddings": "keras.layers",
    "keras.layers.normalization": "keras.layers",
    "keras.layers.pooling": "keras.layers",
    "keras.layers.advanced_activations": "keras.layers",
    "keras.engine": "keras",
    "keras.engine.topology": "keras",
    "keras.utils.np_utils": "keras.utils",
}
_LEGACY_NAMES = {
    "Merge": "Concatenate",
    "TimeDistributedDense": "TimeDistributed(Dense(...))",
    "Deconvolution2D": "Conv2DTranspose",
    "AtrousConvolution2D": "Conv2D(dilation_rate=...)",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
}
#: Keras 1 keyword -> Keras 3 keyword (when the class has no argument of that name)
_LEGACY_KWARGS = {
    "output_dim": "units",
    "border_mode": "padding",
    "init": "kernel_initializer",
    "nb_filter": "filters",
    "subsample": "strides",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "dim_ordering": "data_format",
    "pool_length": "pool_size",
    "filter_length": "kernel_size",
    "bias": "use_bias",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "lr": "learning_rate",
    "input": "inputs",
    "output": "outputs",
    "batch_input_shape": "batch_shape",
}


def _merge_call_fix(code: str) -> tuple[str | None, str]:
    """The Keras 1 ``merge(...)`` on this line rewritten, and the function used."""
    tree = _parse_call(code)
    if tree is None:
        return None, "concatenate"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = (
            func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        )
        if fname != "merge":
            continue
        kws = {kw.arg: kw for kw in node.keywords}
        mode = "sum"  # Keras 1's default
        if "mode" in kws:
            if not (
                isinstance(kws["mode"].value, ast.Constant)
                and kws["mode"].value.value in _MERGE_MODES
            ):
                return None, "concatenate"
            mode = kws["mode"].value.value
        new = _MERGE_MODES[mode]
        head = _segment(code, func)[: -len("merge")] + new
        args = [_segment(code, a) for a in node.args]
        for kw in node.keywords:
            value = _segment(code, kw.value)
            if kw.arg == "mode":
                continue
            if kw.arg == "concat_axis":
                args.append(f"axis={value}")
            elif kw.arg == "dot_axes":
                args.append(f"axes={value}")
            elif kw.arg in ("name", "inputs"):
                args.append(f"{kw.arg}={value}")
            elif kw.arg is None:
                args.append(f"**{value}")
        if mode == "cos":
            args.append("normalize=True")
        if mode == "dot" and "dot_axes" not in kws:
            args.append("axes=-1")
        call = f"{head}({', '.join(args)})"
        return _replace_spans(code, [(node.col_offset, node.end_col_offset, call)]), new
    return None, "concatenate"


_MODES_TEXT = (
    "Keras 3 has one function per mode: mode='concat' -> concatenate, "
    "'sum' -> add, 'mul' -> multiply, 'ave' -> average, 'max' -> maximum, "
    "'dot' -> dot (concat_axis= becomes axis=)"
)


def _legacy(exc, text, layer, tensors, code) -> dict[str, Any] | None:
    # from keras.layers import merge / Merge / ...
    m = re.search(r"cannot import name '(\w+)' from '([\w.]+)'", text)
    if m and m.group(2).startswith("keras"):
        name, mod = m.groups()
        if name == "merge":
            fix = None
            if code and re.search(r"\bmerge\b", code):
                fix = re.sub(r"\bmerge\b", "concatenate", code)
            return dict(
                kind="legacy-merge",
                message=(
                    f"`{name}` is Keras 1 code: Keras 3 has no `merge` function "
                    f"in {mod}."
                ),
                hint=(
                    f"{_MODES_TEXT}. Import the ones your code uses instead of "
                    "`merge` (the fix assumes mode='concat')."
                ),
                fix=fix,
            )
        if name in _LEGACY_NAMES:
            new = _LEGACY_NAMES[name]
            simple = re.fullmatch(r"\w+", new)
            return dict(
                kind="legacy-import",
                message=f"`{name}` is a Keras 1/2 name that Keras 3 no longer has.",
                hint=f"Use `{new}` instead.",
                fix=re.sub(rf"\b{name}\b", new, code) if code and simple else None,
            )
    m = re.search(r"No module named '([\w.]+)'", text)
    if m and type(exc).__name__ == "ModuleNotFoundError":
        mod = m.group(1)
        old = next(
            (
                k
                for k in sorted(_LEGACY_MODULES, key=len, reverse=True)
                if mod == k or mod.startswith(k + ".")
            ),
            None,
        )
        if old is not None:
            new = _LEGACY_MODULES[old]
            fix = None
            if code and re.search(rf"\b{re.escape(mod)}\b", code):
                fix = re.sub(rf"\b{re.escape(mod)}\b", new, code)
            return dict(
                kind="legacy-import",
                message=(
                    f"`{mod}` is a Keras 2 module path; Keras 3 exports everything "
                    f"from `{new}`."
                ),
                hint=f"Import from `{new}` instead.",
                fix=fix,
            )
    # merge([...], mode=...) with merge not imported
    if type(exc).__name__ in ("NameError", "AttributeError") and re.search(
        r"(name|attribute) 'merge'", text
    ):
        fix, new = _merge_call_fix(code) if code else (None, "concatenate")
        bare = bool(code) and re.search(r"(?<![\w.])merge\s*\(", code) is not None
        hint = _MODES_TEXT + "."
        if bare:
            hint += (
                f" Import it with your other layers: `from keras.layers import {new}`."
            )
        return dict(
            kind="legacy-merge",
            message=(
                "`merge(..., mode=...)` is Keras 1 code: Keras 3 has no `merge`, "
                f"the merge layers are functions such as `{new}`."
            ),
            hint=hint,
            fix=fix,
        )
    return None


def _keras_class(name: str) -> Any:
    import keras

    for ns in (keras.layers, keras, keras.models, keras.optimizers):
        obj = getattr(ns, name, None)
        if inspect.isclass(obj):
            return obj
    return None


def _params(cls: Any) -> list[str]:
    names: list[str] = []
    for klass in getattr(cls, "__mro__", ()):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            sig = inspect.signature(init)
        except (TypeError, ValueError):
            continue
        for p in sig.parameters.values():
            keep = p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            if keep and p.name != "self" and p.name not in names:
                names.append(p.name)
        if klass.__name__ in ("Layer", "Operation", "Optimizer"):
            break
    import keras

    if inspect.isclass(cls) and issubclass(cls, keras.layers.Layer):
        names += [
            n for n in ("name", "dtype", "trainable", "input_shape") if n not in names
        ]
    return names


def _dict_keys(text: str) -> list[str]:
    return re.findall(r"[{,]\s*'([A-Za-z_]\w*)':", text)


def _arguments(exc, text, layer, tensors, code) -> dict[str, Any] | None:
    m = re.search(r"Unrecognized keyword arguments passed to (\w+): ", text)
    m2 = re.search(r"Argument\(s\) not recognized: ", text)
    m3 = re.search(
        r"(\w+)\.__init__\(\) missing \d+ required positional argument", text
    )
    if not (m or m2 or m3):
        return None
    clsname = (m or m3).group(1) if (m or m3) else None
    if clsname is None and code:
        c = re.search(r"(\w+)\s*\(", code.split("=", 1)[-1])
        clsname = c.group(1) if c else None
    cls = _keras_class(clsname) if clsname else None
    params = _params(cls) if cls is not None else []
    if clsname in ("Model", "Functional"):  # Model.__init__(*args, **kwargs)
        params += [
            p for p in ("inputs", "outputs", "name", "trainable") if p not in params
        ]
    if m3:
        if not code:
            return None
        keys = [
            k
            for k in _LEGACY_KWARGS
            if re.search(rf"\b{k}\s*=(?!=)", code) and k not in params
        ]
    else:
        keys = _dict_keys(text[(m or m2).end() :])
        if code:
            keys = [k for k in keys if re.search(rf"\b{k}\s*=(?!=)", code)] or keys
    if not keys:
        return None
    legacy = {
        k: _LEGACY_KWARGS[k]
        for k in keys
        if k in _LEGACY_KWARGS and (not params or _LEGACY_KWARGS[k] in params)
    }
    who = f"`{clsname}`" if clsname else "This call"
    if (
        legacy
        and clsname in ("Model", "Functional")
        and set(legacy) <= {"input", "output"}
    ):
        fix = _rename_kwargs(code, legacy) if code else None
        return dict(
            kind="legacy-model-args",
            message=(
                f"{who} got Keras 1 keyword arguments {', '.join(f'{k}=' for k in legacy)}: "
                "Keras 3 names them inputs= and outputs=."
            ),
            hint="Write `Model(inputs=..., outputs=...)` (plural).",
            fix=fix,
        )
    if legacy:
        values = {}
        if "dim_ordering" in legacy:

            def _fmt(seg: str, node: ast.AST) -> str:
                v = getattr(node, "value", None)
                return {"th": '"channels_first"', "tf": '"channels_last"'}.get(v, seg)

            values["dim_ordering"] = _fmt
        fix = _rename_kwargs(code, legacy, values) if code else None
        renames = ", ".join(f"`{k}=` -> `{v}=`" for k, v in legacy.items())
        return dict(
            kind="legacy-argument",
            message=(
                f"{who} got Keras 1/2 argument(s) {', '.join(f'`{k}=`' for k in legacy)}, "
                "which Keras 3 renamed."
            ),
            hint=f"Rename {renames}.",
            fix=fix,
        )
    if m3:
        return None
    suggestions = {
        k: difflib.get_close_matches(k, params, n=3, cutoff=0.6) for k in keys
    }
    said = "; ".join(
        f"`{k}=`: did you mean {' or '.join(f'`{s}=`' for s in v)}?"
        if v
        else f"`{k}=` is not an argument of {who}"
        for k, v in suggestions.items()
    )
    sure = {k: v[0] for k, v in suggestions.items() if v}
    fix = _rename_kwargs(code, sure) if code and len(sure) == len(keys) else None
    return dict(
        kind="unknown-argument",
        message=f"{who} has no argument {', '.join(f'`{k}=`' for k in keys)}.",
        hint=said + (f" Its arguments are: {', '.join(params)}." if params else ""),
        fix=fix,
    )


# ---- the entry points --------------------------------------------------------------
_RECOGNISERS = (_legacy, _arguments, _list_input, _merge, _rank)


def explain(
    exc: BaseException,
    *,
    layer: Any = None,
    inputs: Any = None,
    code: str | None = None,
    line: int | None = None,
) -> ExplainedError:
    """Explain why building failed (see the module docstring). Never raises."""
    try:
        error = _error_text(exc)
    except Exception:
        error = "error"
    name = None
    try:
        name = _name(layer)
        text = str(exc)
        tensors = _tensors(inputs)
        for recognise in _RECOGNISERS:
            found = recognise(exc, text, layer, tensors, code)
            if found:
                if name is None and layer is None:
                    name = _text_layer(text)
                return ExplainedError(
                    layer=name, line=line, code=code, error=error, **found
                )
        return _other(exc, layer, tensors, code, line, error)
    except Exception:
        return ExplainedError(
            "other",
            _first_line(exc) or type(exc).__name__,
            _GENERIC_HINT,
            None,
            name,
            line,
            code,
            error,
        )


def _other(exc, layer, tensors, code, line, error) -> ExplainedError:
    first = _first_line(exc) or type(exc).__name__
    message = f"{_who(layer)} failed: {first}" if layer is not None else first
    if tensors:
        message += (
            " Its inputs: " + ", ".join(_shape_text(_shape(t)) for t in tensors) + "."
        )
    return ExplainedError(
        "other", message, _GENERIC_HINT, None, _name(layer), line, code, error
    )


def check_call(
    layer: Any, inputs: Any, *, code: str | None = None, line: int | None = None
) -> ExplainedError | None:
    """A silent mistake in a call that worked: an ``Embedding`` fed floats (Keras 3
    casts them to int32 without a word, so 2.7 looks up row 2). Never raises."""
    try:
        if not any(k.__name__ == "Embedding" for k in type(layer).__mro__):
            return None
        tensors = _tensors(inputs)
        floats = [t for t in tensors if "float" in str(t.dtype)]
        if not floats:
            return None
        t = floats[0]
        shape = _shape(t)
        return ExplainedError(
            kind="embedding-floats",
            message=(
                f"{_who(layer)} was fed a {t.dtype} tensor {_shape_text(shape)}. An "
                "Embedding looks rows up by integer index; Keras 3 casts floats to "
                "int32 silently (2.7 becomes row 2)."
            ),
            hint=(
                f"Feed it integer token ids: `keras.Input(shape={shape[1:]}, "
                'dtype="int32")` (Keras inputs are float32 unless you say so).'
            ),
            fix=None,
            layer=_name(layer),
            line=line,
            code=code,
            error="",
        )
    except Exception:
        return None
