"""Comparison: one network in both Keras APIs, or a diff of two networks."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..codegen import check_equivalent, to_code
from ..codegen.diff import diff_models
from ..codegen.generate import check_codegen_model
from ..codegen.reasons import Reason, ReasonGroup, group_reasons, reason_records
from ..mimebundle import COMPARISON_VERSION, comparison_bundle
from .code_panel import CodePanel
from .explorer import Explorer


def _rebuild(code: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(code, "<kerasviz generated code>", "exec"), ns)
    return ns["model"]


def _reason_nodes(reasons: list[Reason]) -> dict[str, str]:
    """Layer id → the reasons that name it (to mark them on the graph)."""
    marks: dict[str, list[str]] = {}
    for reason in reasons:
        for node in reason.nodes:
            marks.setdefault(node, []).append(reason.text)
    return {k: "; ".join(v) for k, v in marks.items()}


def _groups_html(groups: list[ReasonGroup]) -> str:
    """One list item per group; a group of several opens to show every reason."""
    items = []
    for g in groups:
        if len(g.reasons) == 1:
            items.append(f"<li>{html.escape(g.summary)}</li>")
            continue
        inner = "".join(f"<li>{html.escape(r.text)}</li>" for r in g.reasons)
        items.append(
            f"<li><details class='kv-reason-group'><summary>{html.escape(g.summary)} "
            f"<span class='kv-show-all'>(show all)</span></summary>"
            f"<ul>{inner}</ul></details></li>"
        )
    return f"<ul>{''.join(items)}</ul>"


class Comparison(w.VBox):
    """Side by side: the Sequential and Functional forms of one model, or two models.

    Build it with :func:`kerasviz.compare`. ``left`` and ``right`` are the two
    :class:`Explorer` views (``left`` is None when the model cannot be Sequential);
    selecting a layer on one side selects its counterpart on the other.
    """

    def __init__(
        self, spec: dict[str, Any], mapping: dict[str, str], panels: list[Any]
    ) -> None:
        """``spec``: ``title`` and two ``columns``, each with a ``title`` and any of
        ``explorer``, ``why`` (a widget saying what ``notes`` say), ``code`` and
        ``code_title``, ``notes``; plus ``verdict`` / ``table`` for the saved
        payload. The live widgets and :meth:`saved_payload` are both made from it.
        ``panels`` go below the two columns."""
        first, second = spec["columns"]
        self.left, self.right = first.get("explorer"), second["explorer"]
        self.mapping = dict(mapping)
        self._spec = spec
        self._syncing = False
        left, right = self.left, self.right
        if left is not None:
            back = {v: k for k, v in self.mapping.items()}
            left.observe(lambda c: self._follow(right, self.mapping, c), "selected")
            right.observe(lambda c: self._follow(left, back, c), "selected")
        row = w.HBox(
            [
                w.VBox(_column_widgets(col), layout=w.Layout(width="calc(50% - 10px)"))
                for col in spec["columns"]
            ],
            # a gutter between the two graphs: they must not touch
            layout=w.Layout(width="100%", justify_content="space-between"),
        )
        super().__init__([_title(spec["title"]), row, *panels])

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
        return {**data, **comparison_bundle(self.saved_payload())}, metadata

    def saved_payload(self) -> dict[str, Any]:
        """The comparison as plain data (``application/vnd.kerasviz.comparison+json``):
        title, two columns (title, view payload or None, code or None, notes), the
        verdict, for two models the table of differences, and the node mapping
        (first graph → second) that links the selections."""
        columns = []
        for col in self._spec["columns"]:
            explorer = col.get("explorer")
            columns.append(
                {
                    "title": col["title"],
                    "view": explorer.saved_payload() if explorer is not None else None,
                    "code": col.get("code"),
                    "code_title": col.get("code_title"),
                    "notes": list(col.get("notes", [])),
                    "reason_groups": list(col.get("reason_groups", [])),
                }
            )
        return {
            "kerasviz_comparison": COMPARISON_VERSION,
            "title": self._spec["title"],
            "columns": columns,
            "verdict": self._spec.get("verdict"),
            "table": self._spec.get("table"),
            "mapping": dict(self.mapping),
        }

    def _follow(
        self, other: Explorer, mapping: dict[str, str], change: dict[str, Any]
    ) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            other.selected = mapping.get(change["new"]) if change["new"] else None
        finally:
            self._syncing = False


_CANNOT = "This model cannot be written with the Sequential API"
_STACKS = (
    "which stacks layers one after another (one input, one output, each layer "
    "feeding only the next)."
)
_MARKED = "The layers involved are marked in the graph."
_SAME = "The two models have the same layers and wiring."


def _title(text: str) -> w.HTML:
    return w.HTML(f"<h4 style='margin:4px 0'>{html.escape(text)}</h4>")


def _cells(tag: str, row: list[str]) -> str:
    return "".join(f"<{tag}>{html.escape(x)}</{tag}>" for x in row)


def _column_widgets(col: dict[str, Any]) -> list[Any]:
    """One column of the live view: title, reasons, graph, code (those it has)."""
    widgets = [_title(col["title"])]
    widgets += [col[k] for k in ("why", "explorer") if col.get(k) is not None]
    if col.get("code") is not None:
        widgets.append(CodePanel(col["code"], col["code_title"]))
    return widgets


def compare(model_a: Any, model_b: Any = None, **options: Any) -> Comparison:
    """The model in both Keras APIs with a checked verdict, or a diff of two models.

    Parameters
    ----------
    model_a : keras.Model
        A built Sequential or Functional model.
    model_b : keras.Model, optional
        A second model: show what differs between the two instead.
    **options
        Passed to both :class:`Explorer` views (``rankdir``, ``show_shapes``...).

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> view = kerasviz.compare(m)
    >>> view.verdict.equivalent
    True
    """
    check_codegen_model(model_a, "compare()")
    if model_b is not None:
        check_codegen_model(model_b, "compare()")
        return _diff_view(model_a, model_b, options)
    reasons = reason_records(model_a)
    if reasons:
        return _not_sequential_view(model_a, reasons, options)
    return _both_apis_view(model_a, options)


def _both_apis_view(model: Any, options: dict[str, Any]) -> Comparison:
    import keras

    seq_code, fn_code = to_code(model, "sequential"), to_code(model, "functional")
    if isinstance(model, keras.Sequential):
        seq_model, fn_model = model, _rebuild(fn_code)
    else:
        seq_model, fn_model = _rebuild(seq_code), model
    report = check_equivalent(seq_model, fn_model)
    left, right = Explorer(seq_model, **options), Explorer(fn_model, **options)
    verdict = w.HTML(report._repr_html_())
    spec = {
        "title": f"{model.name}: Sequential API vs Functional API",
        "columns": [
            {"title": "Sequential", "explorer": left, "code": seq_code,
             "code_title": "Sequential API"},
            {"title": "Functional", "explorer": right, "code": fn_code,
             "code_title": "Functional API"},
        ],
        "verdict": {
            "title": "Equivalent" if report.equivalent else "Not equivalent",
            "ok": bool(report.equivalent),
            "lines": list(report.checks if report.equivalent else report.differences),
        },
    }  # fmt: skip
    view = Comparison(spec, report.mapping, [verdict])
    view.verdict = report
    return view


def _not_sequential_view(
    model: Any, reasons: list[Reason], options: dict[str, Any]
) -> Comparison:
    right = Explorer(model, highlight=_reason_nodes(reasons), **options)
    groups = group_reasons(reasons)
    why = w.HTML(
        f"<div class='kv-reasons'><p><strong>{_CANNOT}</strong>, {_STACKS} "
        f"{_MARKED}</p>{_groups_html(groups)}</div>"
    )
    spec = {
        "title": f"{model.name}: Functional API only",
        "columns": [
            {"title": "Why not Sequential", "why": why,
             "notes": [f"{_CANNOT}, {_STACKS} {_MARKED}", *(g.summary for g in groups)],
             "reason_groups": [
                 {"summary": g.summary, "reasons": [r.text for r in g.reasons]}
                 for g in groups
             ]},
            {"title": "Functional", "explorer": right, "code": to_code(model),
             "code_title": "Functional API"},
        ],
    }  # fmt: skip
    view = Comparison(spec, {}, [])
    view.verdict = None
    view.reasons = [r.text for r in reasons]
    return view


def _diff_view(a: Any, b: Any, options: dict[str, Any]) -> Comparison:
    diff = diff_models(a, b)
    mark_a = {r: "only in the first model" for r in diff.removed}
    mark_b = {r: "only in the second model" for r in diff.added}
    for c in diff.changed:
        mark_a[c.a] = mark_b[c.b] = "; ".join(c.changes)
    left = Explorer(a, highlight=mark_a, **options)
    right = Explorer(b, highlight=mark_b, **options)
    head = ["status", "first model", "second model", "what differs"]
    rows = [list(row) for row in diff.rows()]
    body = "".join(f"<tr>{_cells('td', row)}</tr>" for row in rows)
    table = w.HTML(
        f"<table class='kv-diff'><thead><tr>{_cells('th', head)}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
        if rows
        else f"<p>{_SAME}</p>"
    )
    spec: dict[str, Any] = {
        "title": f"{a.name} vs {b.name}",
        "columns": [
            {"title": a.name, "explorer": left},
            {"title": b.name, "explorer": right},
        ],
    }
    if rows:
        spec["table"] = {"head": head, "rows": rows}
    else:
        spec["verdict"] = {
            "title": "Same layers and wiring",
            "ok": True,
            "lines": [_SAME],
        }
    view = Comparison(spec, diff.mapping, [table])
    view.diff = diff
    return view
