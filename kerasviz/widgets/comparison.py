"""Comparison: one network in both Keras APIs, or a diff of two networks."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping
from typing import Any

import traitlets as t
from ipywidgets import CallbackDispatcher

from ..codegen import check_equivalent, to_code
from ..codegen.diff import ModelDiff, diff_models
from ..codegen.equivalence import EquivalenceReport
from ..codegen.generate import codegen_graph
from ..codegen.reasons import Reason, group_reasons, reason_records
from ..graph.extract import graph_and_layers
from ..mimebundle import COMPARISON_MIME_TYPE, COMPARISON_VERSION, comparison_bundle
from ..view import view_payload
from ..view.options import ViewOptions, document_options, options_from
from ._live import LiveWidget
from ._weights import find_layer, weight_stats


class Comparison(LiveWidget):
    """Side by side: the Sequential and Functional forms of one model, or two models.

    Build it with :func:`kerasviz.compare`. One widget draws both columns (graph,
    highlighted code with a Copy button, the reasons or the table of differences)
    and the verdict, with the same front end as a saved notebook's output.

    The selection is a pair, ``selected = [left, right]``: a node id in each
    column's graph, or None (always None for a column without a graph). Selecting a
    layer on one side selects its counterpart (``mapping``) on the other, whether the
    user clicks it or Python sets it: set one side and the other follows; set both
    and both are taken as given. :meth:`select` does the same by layer name.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> view = kerasviz.compare(m)
    >>> view.select("out")
    >>> view.selected
    ['out', 'out']
    """

    data = t.Dict(
        help="The comparison payload (kerasviz/schema/comparison.schema.json)."
    )
    selected = t.List(
        [None, None],
        help="Selected node id in the left and right graphs ([left, right]; None: none).",
    ).tag(sync=True)
    verdict = t.Instance(
        EquivalenceReport,
        allow_none=True,
        help="For one model in both APIs: the equivalence check of the two forms.",
    )
    diff = t.Instance(
        ModelDiff, allow_none=True, help="For two models: what differs between them."
    )
    reasons = t.List(
        t.Unicode(),
        help="For a model that cannot be Sequential: every reason, as text.",
    )

    def __init__(
        self,
        data: dict[str, Any],
        models: tuple[Any, Any] = (None, None),
        **kwargs: Any,
    ) -> None:
        """``data``: the comparison payload; ``models``: the model behind each
        column's graph (for weight statistics). Use :func:`kerasviz.compare`."""
        self._models = tuple(models)
        self._ids: list[list[str]] = []
        self._names: list[dict[str, str]] = []
        for column in data["columns"]:
            nodes = column["view"]["graph"]["nodes"] if column["view"] else []
            self._ids.append([n["id"] for n in nodes])
            self._names.append({})
            for n in reversed(nodes):  # the first node of a name wins
                self._names[-1][n["name"]] = n["id"]
        mapping = data.get("mapping", {})
        self._forward = dict(mapping)
        self._back = {v: k for k, v in mapping.items()}
        self._select_callbacks = CallbackDispatcher()
        super().__init__(data=data, **kwargs)
        self.on_msg(self._on_custom_msg)

    def __repr__(self) -> str:
        return f"<kerasviz.Comparison {self.data.get('title')!r}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget view plus the comparison payload and its text.

        With the kerasviz labextension, JupyterLab shows the live widget while its
        model exists and otherwise draws the payload: both graphs (read-only), the
        code of each side and the verdict, so a saved notebook keeps the comparison.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        metadata = {**metadata, **self._display_metadata(COMPARISON_MIME_TYPE)}
        return {**data, **comparison_bundle(self.saved_payload())}, metadata

    def saved_payload(self) -> dict[str, Any]:
        """The comparison as plain data (``application/vnd.kerasviz.comparison+json``),
        with each graph's part of the current selection."""
        payload = copy.copy(self.data)
        columns = []
        for column, selected in zip(self.data["columns"], self.selected, strict=True):
            column = dict(column)
            if column["view"] is not None:
                view = dict(column["view"])
                view["options"] = {**view.get("options", {}), "selected": selected}
                column["view"] = view
            columns.append(column)
        payload["columns"] = columns
        return payload

    # ---- public API -------------------------------------------------------------
    @property
    def mapping(self) -> dict[str, str]:
        """Node id in the left graph → its counterpart in the right graph."""
        return dict(self._forward)

    def node_ids(self, side: int) -> list[str]:
        """Ids of every node in the graph of column ``side`` (0 left, 1 right)."""
        return list(self._ids[self._side(side)])

    def select(self, name: str | None, side: int | None = None) -> None:
        """Select a layer (node id or layer name) and its counterpart on the other side.

        ``side`` is the column the name is looked up in (0 left, 1 right); by default
        the left graph when it has that layer, else the right. None clears both.
        """
        if name is None:
            self.selected = [None, None]
            return
        if side is None:
            side = next(
                (i for i in (0, 1) if self._lookup(i, name) is not None),
                0 if self._ids[0] else 1,
            )
        side = self._side(side)
        node = self._resolve(side, name)
        pair: list[str | None] = [None, None]
        pair[side], pair[1 - side] = node, self._counterpart(side, node)
        self.selected = pair

    def on_select(
        self, callback: Callable[[list[str | None]], Any], remove: bool = False
    ) -> None:
        """Call ``callback([left, right])`` whenever the selection changes."""
        self._select_callbacks.register_callback(callback, remove=remove)

    # ---- traits -----------------------------------------------------------------
    @t.validate("selected")
    def _validate_selected(self, proposal: dict[str, Any]) -> list[str | None]:
        value = proposal["value"]
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise t.TraitError(
                "Comparison.selected is a pair [left, right]: a node id (or layer "
                "name) in each graph, or None. Use [None, None] to clear it, or "
                f"select(name) to pick one layer and its counterpart. Received: "
                f"selected={value!r}"
            )
        new = [self._resolve(i, v) for i, v in enumerate(value)]
        old = list(self.selected)
        changed = [i for i in (0, 1) if new[i] != old[i]]
        if len(changed) == 1:  # one side set: the other follows
            side = changed[0]
            new[1 - side] = self._counterpart(side, new[side])
        return new

    @t.observe("selected")
    def _observe_selected(self, change: dict[str, Any]) -> None:
        self._select_callbacks(list(change["new"]))

    # ---- kernel-side work the front end asks for ----------------------------------
    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "weight_stats":
            return
        node, column = str(content.get("node")), content.get("column")
        reply: dict[str, Any] = {"type": "weight_stats", "node": node, "column": column}
        try:
            if column not in (0, 1) or self._models[column] is None:
                raise ValueError(f"column {column!r} has no graph")
            api = self.data["columns"][column]["view"]["graph"]["model"]["api"]
            reply["stats"] = weight_stats(find_layer(self._models[column], node, api))
        except Exception as e:
            reply["error"] = f"{type(e).__name__}: {e}"
        self.send(reply)

    # ---- helpers ----------------------------------------------------------------
    def _side(self, side: Any) -> int:
        if side not in (0, 1) or isinstance(side, bool):
            raise ValueError(
                "A comparison has two sides: 0 (left) and 1 (right). "
                f"Received: side={side!r}"
            )
        return int(side)

    def _lookup(self, side: int, name: str) -> str | None:
        if name in self._ids[side]:
            return name
        return self._names[side].get(name)

    def _resolve(self, side: int, name: Any) -> str | None:
        if name is None or name == "":
            return None
        title = self.data["columns"][side]["title"]
        if not self._ids[side]:
            raise ValueError(
                f"The {'left' if side == 0 else 'right'} column ({title!r}) has no "
                "graph, so nothing can be selected there: use None for it. "
                f"Received: name={name!r}"
            )
        if isinstance(name, str):
            found = self._lookup(side, name)
            if found is not None:
                return found
        close = difflib.get_close_matches(str(name), self._ids[side], n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"The graph of {title!r} has no layer named {name!r}.{hint} "
            f"Received: name={name!r}"
        )

    def _counterpart(self, side: int, node: str | None) -> str | None:
        if node is None:
            return None
        found = (self._forward if side == 0 else self._back).get(node)
        return found if found in self._ids[1 - side] else None


_CANNOT = "This model cannot be written with the Sequential API"
_STACKS = (
    "which stacks layers one after another (one input, one output, each layer "
    "feeding only the next)."
)
_MARKED = "The layers involved are marked in the graph."
_SAME = "The two models have the same layers and wiring."


def _rebuild(code: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(code, "<kerasviz generated code>", "exec"), ns)
    return ns["model"]


def _column(title: str, view: dict | None = None, **parts: Any) -> dict[str, Any]:
    return {
        "title": title,
        "view": view,
        "code": parts.get("code"),
        "code_title": parts.get("code_title"),
        "notes": list(parts.get("notes", [])),
        "reason_groups": list(parts.get("reason_groups", [])),
    }


def _payload(title: str, columns: list[dict], **parts: Any) -> dict[str, Any]:
    return {
        "kerasviz_comparison": COMPARISON_VERSION,
        "title": title,
        "columns": columns,
        "verdict": parts.get("verdict"),
        "table": parts.get("table"),
        "mapping": dict(parts.get("mapping", {})),
    }


@document_options
def compare(
    model_a: Any,
    model_b: Any = None,
    options: ViewOptions | Mapping[str, Any] | None = None,
    **view_options: Any,
) -> Comparison:
    """The model in both Keras APIs with a checked verdict, or a diff of two models.

    Parameters
    ----------
    model_a : keras.Model
        A built Sequential or Functional model.
    model_b : keras.Model, optional
        A second model: show what differs between the two instead.
    options : ViewOptions or dict, optional
        The display options of both graphs as one object; keyword options override
        it.
    {view_options}

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])
    >>> view = kerasviz.compare(m, rankdir="LR", select="d")
    >>> view.verdict.equivalent, view.selected
    (True, ['d', 'd'])
    """
    with codegen_graph(model_a, "compare()"):
        pass  # a model to_code can write (a subclassed one if it can be traced)
    if isinstance(model_b, ViewOptions) and options is None:
        model_b, options = None, model_b  # compare(model, ViewOptions(...))
    opts = options_from("compare()", options, view_options)
    graph_options = opts.replace(select=None)  # the pair is selected below
    if model_b is not None:
        with codegen_graph(model_b, "compare()"):
            pass
        view = _diff_view(model_a, model_b, graph_options)
    elif reasons := reason_records(model_a):
        view = _not_sequential_view(model_a, reasons, graph_options)
    else:
        view = _both_apis_view(model_a, graph_options)
    if opts.select is not None:
        view.select(opts.select)
    return view


def _both_apis_view(model: Any, options: ViewOptions) -> Comparison:
    import keras

    seq_code, fn_code = to_code(model, "sequential"), to_code(model, "functional")
    is_seq = isinstance(model, keras.Sequential)
    try:
        if is_seq:
            seq_model, fn_model = model, _rebuild(fn_code)
        else:
            seq_model, fn_model = _rebuild(seq_code), model
    except Exception as e:
        return _unrunnable_view(model, seq_code, fn_code, is_seq, e, options)
    try:
        report = check_equivalent(seq_model, fn_model)
    except Exception as e:
        report = EquivalenceReport(
            False,
            [f"could not check the two forms: {type(e).__name__}: {_one_line(e)}"],
        )
    # The rebuilt form gets the model's own weights: both graphs are the same model,
    # and their weight statistics say so.
    if seq_model is model:
        _copy_weights(seq_model, fn_model, report.mapping)
    else:
        _copy_weights(fn_model, seq_model, {b: a for a, b in report.mapping.items()})
    columns = [
        _column("Sequential", view_payload(seq_model, options), code=seq_code,
                code_title="Sequential API"),
        _column("Functional", view_payload(fn_model, options), code=fn_code,
                code_title="Functional API"),
    ]  # fmt: skip
    verdict = {
        "title": "Equivalent" if report.equivalent else "Not equivalent",
        "ok": bool(report.equivalent),
        "lines": list(report.checks if report.equivalent else report.differences),
    }
    data = _payload(
        f"{model.name}: Sequential API vs Functional API",
        columns,
        verdict=verdict,
        mapping=report.mapping,
    )
    return Comparison(data, (seq_model, fn_model), verdict=report)


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())[:400]


def _unrunnable_view(
    model: Any,
    seq_code: str,
    fn_code: str,
    is_seq: bool,
    error: Exception,
    options: ViewOptions,
) -> Comparison:
    """The generated code could not be run: show both codes, the model's own graph,
    and why, instead of raising."""
    reason = (
        f"the generated {'Functional' if is_seq else 'Sequential'} code could not be "
        f"run: {type(error).__name__}: {_one_line(error)}"
    )
    report = EquivalenceReport(False, [reason])
    own = view_payload(model, options)
    seq_view, fn_view = (own, None) if is_seq else (None, own)
    note = [f"Not shown: {reason}. See the '# kerasviz:' comments in the code."]
    columns = [
        _column("Sequential", seq_view, code=seq_code, code_title="Sequential API",
                notes=[] if is_seq else note),
        _column("Functional", fn_view, code=fn_code, code_title="Functional API",
                notes=note if is_seq else []),
    ]  # fmt: skip
    verdict = {"title": "Not checked", "ok": False, "lines": [reason]}
    data = _payload(
        f"{model.name}: Sequential API vs Functional API", columns, verdict=verdict
    )
    models = (model, None) if is_seq else (None, model)
    return Comparison(data, models, verdict=report)


def _copy_weights(source: Any, target: Any, mapping: dict[str, str]) -> None:
    """Set the weights of each layer of ``target`` to its counterpart's in ``source``
    (``mapping``: node id in ``source`` → node id in ``target``)."""
    # Each model read once (not once per layer): the reader's id → layer maps.
    src_layers = graph_and_layers(source, expand_nested=True)[1]
    dst_layers = graph_and_layers(target, expand_nested=True)[1]
    for src_id, dst_id in mapping.items():
        src, dst = src_layers.get(src_id), dst_layers.get(dst_id)
        if src is None or dst is None:
            continue  # not a layer both forms reach: it keeps its own weights
        try:
            if getattr(src, "weights", None):
                dst.set_weights(src.get_weights())
        except ValueError:
            continue


def _reason_marks(reasons: list[Reason]) -> dict[str, str]:
    """Layer id → the reasons that name it (from the records' node ids)."""
    marks: dict[str, list[str]] = {}
    for reason in reasons:
        for node in reason.nodes:
            marks.setdefault(node, []).append(reason.text)
    return {k: "; ".join(v) for k, v in marks.items()}


def _not_sequential_view(
    model: Any, reasons: list[Reason], options: ViewOptions
) -> Comparison:
    groups = group_reasons(reasons)
    view = view_payload(model, options, highlight=_reason_marks(reasons))
    columns = [
        _column(
            "Why not Sequential",
            notes=[f"{_CANNOT}, {_STACKS} {_MARKED}", *(g.summary for g in groups)],
            reason_groups=[
                {
                    "summary": g.summary,
                    "reasons": [{"text": r.text, "nodes": list(r.nodes)} for r in g.reasons],
                }
                for g in groups
            ],
        ),
        _column("Functional", view, code=to_code(model), code_title="Functional API"),
    ]  # fmt: skip
    data = _payload(f"{model.name}: Functional API only", columns)
    return Comparison(data, (None, model), reasons=[r.text for r in reasons])


def _diff_view(a: Any, b: Any, options: ViewOptions) -> Comparison:
    diff = diff_models(a, b)
    mark_a = {r: "only in the first model" for r in diff.removed}
    mark_b = {r: "only in the second model" for r in diff.added}
    for c in diff.changed:
        mark_a[c.a] = mark_b[c.b] = "; ".join(c.changes)
    columns = [
        _column(a.name, view_payload(a, options, highlight=mark_a)),
        _column(b.name, view_payload(b, options, highlight=mark_b)),
    ]
    rows = diff.rows()
    parts: dict[str, Any] = {"mapping": diff.mapping}
    if rows:
        parts["table"] = {
            "head": ["status", "first model", "second model", "what differs"],
            "rows": [list(row) for row in rows],
            # the layers of each row, as data (the cells are only text)
            "row_nodes": [
                {"left": left, "right": right} for left, right in diff.row_nodes()
            ],
        }
    else:
        parts["verdict"] = {
            "title": "Same layers and wiring",
            "ok": True,
            "lines": [_SAME],
        }
    data = _payload(f"{a.name} vs {b.name}", columns, **parts)
    return Comparison(data, (a, b), diff=diff)
