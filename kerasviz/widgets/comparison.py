"""Comparison: one network in both Keras APIs, or a diff of two networks."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..codegen import check_equivalent, sequential_reasons, to_code
from ..codegen.diff import diff_models
from ..codegen.generate import check_codegen_model
from ..display import COMPARISON_MIME_TYPE, COMPARISON_VERSION, comparison_summary
from .code_panel import CodePanel
from .explorer import Explorer


def _rebuild(code: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(code, "<kerasviz generated code>", "exec"), ns)
    return ns["model"]


def _reason_nodes(reasons: list[str]) -> dict[str, str]:
    """Node ids quoted in the reasons ('a merge: 'concatenate' ...') → the reasons."""
    marks: dict[str, list[str]] = {}
    for reason in reasons:
        for part in reason.split("'")[1::2]:
            marks.setdefault(part, []).append(reason)
    return {k: "; ".join(v) for k, v in marks.items()}


class Comparison(w.VBox):
    """Side by side: the Sequential and Functional forms of one model, or two models.

    Build it with :func:`kerasviz.compare`. ``left`` and ``right`` are the two
    :class:`Explorer` views (``left`` is None when the model cannot be Sequential);
    selecting a layer on one side selects its counterpart on the other.
    """

    def __init__(
        self,
        left: Explorer | None,
        right: Explorer,
        panels: list[Any],
        header: Any,
        mapping: dict[str, str],
        columns: tuple[Any, Any],
        saved: dict[str, Any],
    ) -> None:
        self.left, self.right = left, right
        self.mapping = dict(mapping)
        self._saved = saved
        self._syncing = False
        if left is not None:
            back = {v: k for k, v in self.mapping.items()}
            left.observe(lambda c: self._follow(right, self.mapping, c), "selected")
            right.observe(lambda c: self._follow(left, back, c), "selected")
        row = w.HBox(
            [
                w.VBox(list(columns[0]), layout=w.Layout(width="50%")),
                w.VBox(list(columns[1]), layout=w.Layout(width="50%")),
            ],
            layout=w.Layout(width="100%"),
        )
        super().__init__([header, row, *panels])

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
        payload = self.saved_payload()
        return {
            **data,
            COMPARISON_MIME_TYPE: payload,
            "text/plain": comparison_summary(payload),
        }, metadata

    def saved_payload(self) -> dict[str, Any]:
        """The comparison as plain data (``application/vnd.kerasviz.comparison+json``):
        title, two columns (title, view payload or None, code or None, notes), the
        verdict, for two models the table of differences, and the node mapping
        (first graph → second) that links the selections."""
        columns = []
        for col in self._saved["columns"]:
            explorer = col.get("explorer")
            columns.append(
                {
                    "title": col["title"],
                    "view": explorer.saved_payload() if explorer is not None else None,
                    "code": col.get("code"),
                    "code_title": col.get("code_title"),
                    "notes": list(col.get("notes", [])),
                }
            )
        return {
            "kerasviz_comparison": COMPARISON_VERSION,
            "title": self._saved["title"],
            "columns": columns,
            "verdict": self._saved.get("verdict"),
            "table": self._saved.get("table"),
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


def _title(text: str) -> w.HTML:
    return w.HTML(f"<h4 style='margin:4px 0'>{html.escape(text)}</h4>")


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
    reasons = sequential_reasons(model_a)
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
    title = f"{model.name}: Sequential API vs Functional API"
    saved = {
        "title": title,
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
    view = Comparison(
        left,
        right,
        [verdict],
        _title(title),
        report.mapping,
        (
            (_title("Sequential"), left, CodePanel(seq_code, "Sequential API")),
            (_title("Functional"), right, CodePanel(fn_code, "Functional API")),
        ),
        saved,
    )
    view.verdict = report
    return view


def _not_sequential_view(
    model: Any, reasons: list[str], options: dict[str, Any]
) -> Comparison:
    right = Explorer(model, highlight=_reason_nodes(reasons), **options)
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    why = w.HTML(
        f"<div class='kv-reasons'><p><strong>{_CANNOT}</strong>, {_STACKS} "
        f"{_MARKED}</p><ul>{items}</ul></div>"
    )
    title = f"{model.name}: Functional API only"
    code = to_code(model)
    saved = {
        "title": title,
        "columns": [
            {"title": "Why not Sequential",
             "notes": [f"{_CANNOT}, {_STACKS} {_MARKED}", *reasons]},
            {"title": "Functional", "explorer": right, "code": code,
             "code_title": "Functional API"},
        ],
    }  # fmt: skip
    view = Comparison(
        None,
        right,
        [],
        _title(title),
        {},
        (
            (_title("Why not Sequential"), why),
            (_title("Functional"), right, CodePanel(code, "Functional API")),
        ),
        saved,
    )
    view.verdict = None
    view.reasons = reasons
    return view


def _diff_view(a: Any, b: Any, options: dict[str, Any]) -> Comparison:
    diff = diff_models(a, b)
    mark_a = {r: "only in the first model" for r in diff.removed}
    mark_b = {r: "only in the second model" for r in diff.added}
    for c in diff.changed:
        mark_a[c.a] = mark_b[c.b] = "; ".join(c.changes)
    left = Explorer(a, highlight=mark_a, **options)
    right = Explorer(b, highlight=mark_b, **options)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in row) + "</tr>"
        for row in diff.rows()
    )
    table = w.HTML(
        "<table class='kv-diff'><thead><tr><th>status</th><th>first model</th>"
        f"<th>second model</th><th>what differs</th></tr></thead><tbody>{rows}</tbody>"
        "</table>"
        if rows
        else "<p>The two models have the same layers and wiring.</p>"
    )
    title = f"{a.name} vs {b.name}"
    saved: dict[str, Any] = {
        "title": title,
        "columns": [
            {"title": a.name, "explorer": left},
            {"title": b.name, "explorer": right},
        ],
    }
    if rows:
        saved["table"] = {
            "head": ["status", "first model", "second model", "what differs"],
            "rows": [list(row) for row in diff.rows()],
        }
    else:
        saved["verdict"] = {
            "title": "Same layers and wiring",
            "ok": True,
            "lines": ["The two models have the same layers and wiring."],
        }
    view = Comparison(
        left,
        right,
        [table],
        _title(title),
        diff.mapping,
        ((_title(a.name), left), (_title(b.name), right)),
        saved,
    )
    view.diff = diff
    return view
