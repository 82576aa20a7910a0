"""Static checks of a Keras 3 model, each finding with a suggested fix.

:func:`lint` reads the model through :func:`kerasviz.graph.graph_of` (nested models
expanded), plus a few public attributes of the model itself (``model.loss``,
``model.output_names``), and returns :class:`Findings`.

The rules, by code:

``batch-dim-in-shape`` (warning)
    An input of rank 3 or more whose first non-batch axis is ``None`` and whose
    every downstream layer works position by position (Dense, activations,
    dropout/noise, batch/layer normalization, element-wise merges, Concatenate):
    nothing ever uses that axis as a sequence or a spatial axis, so it is almost
    surely the batch dimension given twice (``input_shape=(None, 128)``), and every
    output carries a stray axis. A ``None`` axis read by an Embedding, RNN,
    convolution, pooling, attention, Flatten, Reshape, a custom layer or a raw
    ``keras.ops`` call is left alone: those are sequence (or image) models, and
    rank-2 inputs such as token ids ``(None,)`` are never flagged.
``input-shape-arg`` (warning)
    A layer built with the deprecated ``input_shape=`` / ``input_dim=`` argument.
``softmax-one-unit`` (error)
    A softmax over an axis of size 1: its output is always 1.0.
``sigmoid-categorical-loss`` (warning)
    A sigmoid output of more than one unit compiled with a categorical loss.
``softmax-from-logits`` / ``sigmoid-from-logits`` (error)
    An output that already applies softmax (sigmoid) compiled with a loss that has
    ``from_logits=True``: the activation is applied twice.
``bce-on-softmax`` (warning)
    Binary cross-entropy on a softmax output of more than one unit.
``unused-input`` (warning)
    A model input (or an input of a nested model) from which no model output can be
    reached. Keras 3 allows it: a Functional model keeps every input it is given,
    connected or not.
``dead-layer`` (warning)
    A layer that is called in the graph but feeds nothing and is not a model output.
    A Functional model keeps only the layers between its inputs and its outputs, so
    at the top level this cannot happen; it happens one level down: a nested
    Functional model's output that the outer model never uses (``enc(x)[0]`` of a
    two-output ``enc``) is still computed, and in kerasviz's expanded graph the
    layer that makes it feeds nothing.
``noise-at-output`` (warning)
    Dropout (or another noise layer) whose result reaches a model output through
    nothing but weightless layers (activations, reshapes).
``confusable-names`` (info)
    Layers of the same model whose names differ only in case or in which separator
    (space, ``_``, ``-``) they use: ``Dense_1`` / ``dense_1``, ``my layer`` /
    ``my_layer``. Keras's automatic suffixes (``dense``, ``dense_1``) differ in
    more than that and are not findings.
"""

from __future__ import annotations

import functools
import html
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from ._callable import make_callable
from .graph import _keras_compat as compat
from .graph.extract import entry_point, graph_and_layers
from .graph.model import LayerNode, ModelGraph

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem found in a model, with a suggested fix.

    ``layer`` is a node id of ``kerasviz.graph_of(model, expand_nested=True)``
    (top-level ids are layer names), or None for the model as a whole.
    """

    code: str
    severity: str
    layer: str | None
    message: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict of the five fields (all strings or None)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Findings(list):  # type: ignore[type-arg]
    """The findings of :func:`lint`: a list of :class:`Finding`, shown as a table."""

    def to_json(self) -> list[dict[str, Any]]:
        """Each finding's :meth:`Finding.to_json`."""
        return [f.to_json() for f in self]

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>" for h in ("severity", "code", "layer", "message", "fix")
        )
        if not self:
            rows = '<tr><td colspan="5">No findings</td></tr>'
        else:
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td>{_html(v)}</td>"
                    for v in (
                        f.severity,
                        f.code,
                        f.layer or "(model)",
                        f.message,
                        f.fix,
                    )
                )
                + "</tr>"
                for f in self
            )
        return (
            '<table class="kerasviz-lint"><thead><tr>'
            f"{head}</tr></thead><tbody>{rows}</tbody></table>"
        )

    def __str__(self) -> str:
        if not self:
            return "No findings"
        lw = max(5, *(len(f.layer or "(model)") for f in self))
        cw = max(4, *(len(f.code) for f in self))
        lines = [f"{'severity':<8}  {'layer':<{lw}}  {'code':<{cw}}  message / fix"]
        indent = " " * (8 + lw + cw + 6)
        for f in self:
            lead = f"{f.severity:<8}  {f.layer or '(model)':<{lw}}  {f.code:<{cw}}  "
            text = textwrap.wrap(f.message, 72) + textwrap.wrap("fix: " + f.fix, 72)
            lines.append(lead + text[0])
            lines.extend(indent + t for t in text[1:])
        return "\n".join(lines)


def _html(text: str) -> str:
    """Escaped text, with its `code` spans (escaped too) set in <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text)))


@entry_point("lint()")
def lint(model: Any) -> Findings:
    """Check a Keras 3 model for common mistakes; each finding has a fix.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
        A Sequential, Functional (nested models too) or subclassed model, or a
        layer. Compile it first for the loss checks.

    Returns
    -------
    Findings
        A list of :class:`Finding`, errors first; it shows as a table in Jupyter.
        The rules are listed in the docstring of :mod:`kerasviz.lint`.

    Raises
    ------
    TypeError
        If ``model`` is not a Keras 3 model or layer.

    Examples
    --------
    >>> import keras
    >>> from kerasviz.lint import lint
    >>> m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, "softmax")])
    >>> [f.code for f in lint(m)]
    ['softmax-one-unit']
    """
    graph, objects = graph_and_layers(model, expand_nested=True)
    g = _Graph(graph, objects, model)
    batch = _batch_dim_in_shape(g)
    found = [
        *batch,
        *_input_shape_arg_rule(g, {f.layer for f in batch}),
        *_softmax_one_unit(g),
        *_loss_rules(g),
        *_unused_inputs(g),
        *_dead_layers(g),
        *_noise_at_output(g),
        *_confusable_names(g),
    ]
    found.sort(key=lambda f: SEVERITIES.index(f.severity))
    return Findings(found)


# ---- the graph, indexed ------------------------------------------------------------
class _Graph:
    """The ModelGraph with the lookups the rules share."""

    def __init__(self, graph: ModelGraph, objects: dict[str, Any], model: Any):
        self.graph = graph
        self.objects = objects
        self.model = model
        self.outs: dict[str, list[str]] = defaultdict(list)
        self.ins: dict[str, list[str]] = defaultdict(list)
        for e in graph.edges:
            self.outs[e.source].append(e.target)
            self.ins[e.target].append(e.source)
        self.containers = {n.parent for n in graph.nodes if n.parent is not None}
        self.outputs = [o for o in graph.model.outputs if o != "?"]
        self.live = _reach(self.outputs, self.ins)

    def node(self, node_id: str) -> LayerNode:
        return self.graph.node(node_id)

    def shape_out(self, node_id: str) -> list[int | None] | None:
        calls = self.node(node_id).calls
        return calls[0].output_shapes[0] if calls and calls[0].output_shapes else None


def _reach(start: list[str], links: dict[str, list[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _fmt(shape: Any) -> str:
    if shape is None:
        return "?"
    dims = [str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


# ---- rule: batch dimension given twice ---------------------------------------------
#: Layers that act on each position of the leading axes alike (the axis stays as is).
_POSITIONWISE = {
    "InputLayer",
    "Dense",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "Softmax",
    "Dropout",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "BatchNormalization",
    "LayerNormalization",
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Identity",
}


def _batch_dim_in_shape(g: _Graph) -> list[Finding]:
    found = []
    for input_id in g.graph.model.inputs:
        if input_id == "?":
            continue
        shape = g.shape_out(input_id)
        if shape is None or len(shape) < 3 or shape[1] is not None:
            continue
        downstream = _reach([input_id], g.outs)
        if not all(g.node(n).class_name in _POSITIONWISE for n in downstream):
            continue
        meant = _fmt(shape[2:])
        layer, how = input_id, f"`keras.Input(shape={_fmt(shape[1:])})`"
        first = _made_input(g.model)
        if first is not None:
            layer = str(first.name)
            how = f"`input_shape={_fmt(compat.input_shape_arg(first))}` on `{layer}`"
        outs = ", ".join(_fmt(s) for s in g.graph.model.output_shapes)
        found.append(
            Finding(
                "batch-dim-in-shape",
                "warning",
                layer,
                f"The model input `{input_id}` has shape {_fmt(shape)} (from {how}): "
                "the leading None looks like the batch dimension given twice, since "
                "no layer reads that axis as a sequence. Every layer then works on "
                f"a {len(shape)}-D tensor and the model outputs {outs}.",
                f"Give the shape of one sample, without the batch dimension: "
                f"`keras.Input(shape={meant})`. If axis 1 really is a "
                "variable-length sequence, ignore this finding.",
            )
        )
    return found


def _made_input(model: Any) -> Any | None:
    """The layer of Sequential ``model`` whose ``input_shape=`` made its input.

    ``Sequential.add`` makes an InputLayer from the first layer's ``input_shape=``
    only when no ``keras.Input`` came first; then the input is ``(None, *shape)``.
    """
    if not isinstance(model, _keras().Sequential) or not model.layers:
        return None
    first = model.layers[0]
    shape = compat.input_shape_arg(first)
    try:
        made = [None, *shape] == list(model.inputs[0].shape) if shape else False
    except (AttributeError, IndexError, TypeError, ValueError):
        made = False
    return first if made else None


# ---- rule: deprecated input_shape= -------------------------------------------------
def _input_shape_arg_rule(g: _Graph, batch_flagged: set[str | None]) -> list[Finding]:
    found = []
    for n in g.graph.nodes:
        layer = g.objects.get(n.id)
        shape = compat.input_shape_arg(layer)
        if shape is None:
            continue
        if n.id in batch_flagged and shape and shape[0] is None:
            shape = shape[1:]  # batch-dim-in-shape: drop the repeated batch axis
        owner = g.model if n.parent is None else g.objects.get(n.parent)
        used = layer is _made_input(owner)
        effect = (
            "Keras 3 uses it to create the model's input but deprecates it"
            if used
            else "Keras 3 ignores it here (only the first layer of a Sequential "
            "uses it) and deprecates it"
        )
        cls = n.class_name
        fix = (
            f"Start the model with an Input and drop the argument: "
            f"`keras.Sequential([keras.Input(shape={_fmt(shape)}), "
            f"{_layer_call(n)}, ...])`"
            if used
            else f"Remove `input_shape=` from `{n.name}`; the shape comes from "
            f"the model's `keras.Input(shape=...)`."
        )
        found.append(
            Finding(
                "input-shape-arg",
                "warning",
                n.id,
                f"Layer `{n.id}` ({cls}) was given `input_shape="
                f"{_fmt(compat.input_shape_arg(layer))}`: {effect}.",
                fix,
            )
        )
    return found


# ---- rules on activations and losses -----------------------------------------------
_PASS = {"Reshape", "Flatten", "Permute", "Identity"}
_NOISE = {
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianDropout",
    "GaussianNoise",
    "AlphaDropout",
}


def _activation_of(g: _Graph, node_id: str) -> str | None:
    n = g.node(node_id)
    if n.class_name == "Softmax":
        return "softmax"
    return g.graph.activation(node_id)


def _softmax_axis_size(g: _Graph, node_id: str) -> int | None:
    shape = g.shape_out(node_id)
    if not shape:
        return None
    axis = -1
    if g.node(node_id).class_name == "Softmax":
        axis = (g.graph.full_config(node_id) or {}).get("axis", -1)
    if isinstance(axis, list) and len(axis) == 1:
        axis = axis[0]
    if not isinstance(axis, int) or not -len(shape) <= axis < len(shape):
        return None
    return shape[axis]


def _softmax_one_unit(g: _Graph) -> list[Finding]:
    found = []
    for n in g.graph.nodes:
        if _activation_of(g, n.id) != "softmax" or _softmax_axis_size(g, n.id) != 1:
            continue
        fix = (
            f"`{_layer_call(n, activation='sigmoid')}`"
            if n.class_name != "Softmax"
            else '`keras.layers.Activation("sigmoid")`'
        )
        found.append(
            Finding(
                "softmax-one-unit",
                "error",
                n.id,
                f"Layer `{n.id}` applies softmax over an axis of size 1 (output "
                f"{_fmt(g.shape_out(n.id))}): softmax of one value is always 1.0, "
                "so the output carries no information and nothing is learned.",
                f"For a yes/no output use sigmoid: {fix}, with "
                '`loss="binary_crossentropy"`; for N classes use N units with '
                "softmax.",
            )
        )
    return found


def _layer_call(n: LayerNode, **overrides: Any) -> str:
    """``keras.layers.Cls(arg=value, ...)`` from the node's own (non-default) config
    entries that are plain values, with ``overrides`` applied."""
    config = {**(n.config or {}), **overrides}
    args = [
        f"{k}={v!r}".replace("'", '"')
        for k, v in config.items()
        if k not in ("trainable", "dtype")
        and (v is None or isinstance(v, (str, int, float, bool)))
    ]
    return f"keras.layers.{n.class_name}({', '.join(args)})"


def _output_activation(g: _Graph, out_id: str) -> tuple[str, str] | None:
    """(node id, activation) of the last activation before output ``out_id``,
    walking back through weightless reshapes; None if it is linear."""
    node_id = out_id
    for _ in range(len(g.graph.nodes)):
        act = _activation_of(g, node_id)
        if act not in (None, "linear"):
            return node_id, act
        sources = g.ins.get(node_id, [])
        if g.node(node_id).class_name not in _PASS | _NOISE or len(sources) != 1:
            return None
        node_id = sources[0]
    return None


def _loss_rules(g: _Graph) -> list[Finding]:
    found = []
    losses = _losses_per_output(g)
    for out_id, loss in zip(g.outputs, losses, strict=False):
        act = _output_activation(g, out_id)
        if loss is None or act is None:
            continue
        node_id, activation = act
        units = _softmax_axis_size(g, node_id)
        found.extend(_loss_findings(g, node_id, activation, units, loss))
    return found


def _loss_findings(
    g: _Graph, node_id: str, activation: str, units: int | None, loss: _Loss
) -> list[Finding]:
    n = g.node(node_id)
    shape = _fmt(g.shape_out(node_id))
    found = []
    if loss.from_logits and activation in ("softmax", "sigmoid"):
        found.append(
            Finding(
                f"{activation}-from-logits",
                "error",
                node_id,
                f"Output layer `{node_id}` already applies {activation} (output "
                f"{shape}), but the loss `{loss.name}` has `from_logits=True`: it "
                f"applies {activation} again to probabilities.",
                f"Either drop the activation (`{_no_activation(g, n)}`) and keep "
                "`from_logits=True`, or keep it and compile with "
                f"`{loss.class_name}(from_logits=False)`.",
            )
        )
    if activation == "sigmoid" and loss.kind == "categorical" and (units or 0) > 1:
        found.append(
            Finding(
                "sigmoid-categorical-loss",
                "warning",
                node_id,
                f"Output layer `{node_id}` uses sigmoid over {units} units (output "
                f"{shape}) with the categorical loss `{loss.name}`: categorical "
                "cross-entropy expects one probability distribution (summing to 1), "
                "which independent sigmoids are not.",
                f'Use `activation="softmax"` on `{n.name}` for one class per sample; '
                'for several labels per sample keep sigmoid and use `loss="binary_'
                'crossentropy"`.',
            )
        )
    if activation == "softmax" and loss.kind == "binary" and (units or 0) > 1:
        found.append(
            Finding(
                "bce-on-softmax",
                "warning",
                node_id,
                f"Output layer `{node_id}` uses softmax over {units} units (output "
                f"{shape}) with the binary loss `{loss.name}`: binary cross-entropy "
                "scores each unit as an independent yes/no, which a softmax "
                "(units competing, summing to 1) is not.",
                'For one class per sample use `loss="categorical_crossentropy"` '
                '(one-hot labels) or `"sparse_categorical_crossentropy"` (integer '
                f'labels); for several labels per sample use `activation="sigmoid"` '
                f"on `{n.name}`.",
            )
        )
    return found


def _no_activation(g: _Graph, n: LayerNode) -> str:
    if n.class_name in ("Activation", "Softmax"):
        return f"remove the `{n.name}` layer"
    return _layer_call(n, activation="linear")


@dataclass(frozen=True)
class _Loss:
    name: str
    class_name: str
    kind: str | None  # "categorical" | "binary" | None
    from_logits: bool


_KINDS = {
    "categoricalcrossentropy": ("categorical", "CategoricalCrossentropy"),
    "sparsecategoricalcrossentropy": ("categorical", "SparseCategoricalCrossentropy"),
    "categoricalfocalcrossentropy": ("categorical", "CategoricalFocalCrossentropy"),
    "binarycrossentropy": ("binary", "BinaryCrossentropy"),
    "bce": ("binary", "BinaryCrossentropy"),
    "binaryfocalcrossentropy": ("binary", "BinaryFocalCrossentropy"),
}


def _loss_of(loss: Any) -> _Loss | None:
    """Name, kind and ``from_logits`` of one loss (string, Loss object, function)."""
    if loss is None:
        return None
    kwargs: dict[str, Any] = {}
    if isinstance(loss, str):
        name = loss
    elif isinstance(loss, functools.partial):
        name, kwargs = getattr(loss.func, "__name__", ""), dict(loss.keywords)
    elif isinstance(loss, _keras().losses.Loss):
        try:
            kwargs = dict(loss.get_config())
        except Exception:
            kwargs = {}
        name = type(loss).__name__
        if name == "LossFunctionWrapper":
            name = getattr(getattr(loss, "fn", None), "__name__", name)
    else:
        name = getattr(loss, "__name__", type(loss).__name__)
    key = re.sub(r"[_\s]", "", str(name)).lower()
    kind, class_name = _KINDS.get(key, (None, str(name)))
    return _Loss(str(name), class_name, kind, bool(kwargs.get("from_logits", False)))


def _losses_per_output(g: _Graph) -> list[_Loss | None]:
    """The loss of each model output, in the order of ``graph.model.outputs``."""
    loss = getattr(g.model, "loss", None)
    count = len(g.outputs)
    if isinstance(loss, dict):
        names = list(getattr(g.model, "output_names", None) or [])
        if len(names) != count:
            names = [g.node(o).name for o in g.outputs]
        return [_loss_of(loss.get(name)) for name in names]
    if isinstance(loss, (list, tuple)):
        return [_loss_of(x) for x in loss][:count]
    return [_loss_of(loss)] * count


# ---- rules on the wiring -----------------------------------------------------------
def _where(g: _Graph, n: LayerNode) -> str:
    return "the model" if n.parent is None else f"nested model `{n.parent}`"


def _unused_inputs(g: _Graph) -> list[Finding]:
    if not g.outputs:
        return []
    found = []
    for n in g.graph.nodes:
        if n.class_name != "InputLayer" or n.id in g.live:
            continue
        top = n.parent is None
        found.append(
            Finding(
                "unused-input",
                "warning",
                n.id,
                f"Input `{n.id}` of {_where(g, n)} (shape {_fmt(g.shape_out(n.id))}) "
                "reaches no model output: data fed to it is ignored.",
                "Connect it to a layer on the way to an output (e.g. "
                f"`keras.layers.concatenate([x, {n.name}])`), or drop it from "
                + ("`keras.Model(inputs=[...])`" if top else f"`{n.parent}`'s inputs")
                + ".",
            )
        )
    return found


def _dead_layers(g: _Graph) -> list[Finding]:
    if not g.outputs:
        return []
    found = []
    for n in g.graph.nodes:
        if (
            n.id in g.live
            or n.class_name == "InputLayer"
            or n.id in g.containers
            or not n.calls
            or not g.ins.get(n.id)
            or g.outs.get(n.id)
        ):
            continue
        # The dead layers that only this one's work needs.
        before = sorted(_reach([n.id], g.ins) - g.live - {n.id})
        also = (
            f", and so is that of {', '.join(f'`{b}`' for b in before)}, which "
            "only it uses"
            if before
            else ""
        )
        why = ""
        if n.parent is not None and g.node(n.parent).kind == "model":
            why = (
                f" It is an output of nested model `{n.parent}` that the outer "
                "model never uses; Keras still computes it."
            )
        found.append(
            Finding(
                "dead-layer",
                "warning",
                n.id,
                f"Layer `{n.id}` (output {_fmt(g.shape_out(n.id))}) feeds no other "
                f"layer and is not a model output: its work is thrown away{also}."
                + why,
                "Use its output (pass it on, or add it to the model's `outputs=`), "
                + (
                    f"or remove it from `{n.parent}`'s outputs."
                    if why
                    else "or remove the layer."
                ),
            )
        )
    return found


def _noise_at_output(g: _Graph) -> list[Finding]:
    found = []
    for out_id in g.outputs:
        node_id, path = out_id, []
        for _ in range(len(g.graph.nodes)):
            n = g.node(node_id)
            sources = g.ins.get(node_id, [])
            if n.class_name in _NOISE:
                found.append(_noise_finding(g, n, out_id, path))
                break
            weightless = not n.weights and n.kind in ("activation", "reshape")
            if not weightless or len(sources) != 1:
                break
            path.append(node_id)
            node_id = sources[0]
    return found


def _noise_finding(g: _Graph, n: LayerNode, out_id: str, path: list[str]) -> Finding:
    between = [f"`{p}`" for p in reversed(path[1:])]
    via = f" through {', '.join(between)}" if between else ""
    where = f"feeds the model output `{out_id}`{via}" if path else "is a model output"
    return Finding(
        "noise-at-output",
        "warning",
        n.id,
        f"{n.class_name} layer `{n.id}` {where}: "
        "in training it zeroes or perturbs the predictions themselves, so the "
        "loss sees noisy outputs (at inference it does nothing).",
        f"Move `{n.name}` before the last layer with weights, e.g. "
        "`x = keras.layers.Dropout(0.5)(x); out = keras.layers.Dense(n)(x)`, or "
        "remove it.",
    )


def _confusable_names(g: _Graph) -> list[Finding]:
    groups: dict[tuple[str | None, str], list[LayerNode]] = defaultdict(list)
    for n in g.graph.nodes:
        key = re.sub(r"[\s_\-]+", "_", n.name.strip().lower())
        groups[(n.parent, key)].append(n)
    found = []
    for (parent, _), nodes in groups.items():
        names = sorted({n.name for n in nodes})
        if len(names) < 2:
            continue
        where = "the model" if parent is None else f"nested model `{parent}`"
        quoted = ", ".join(f"`{x}`" for x in names)
        found.append(
            Finding(
                "confusable-names",
                "info",
                nodes[0].id,
                f"Layers of {where} named {quoted} differ only in case or "
                "separators: easy to confuse in `model.get_layer(...)` and in "
                "saved weights.",
                f"Rename all but one (`name=...`) so that they differ in more than "
                f"case and separators, e.g. keep `{names[0]}` and rename the others.",
            )
        )
    return found


def _keras() -> Any:
    import keras

    return keras


make_callable(__name__, "lint")
