"""Comparison: one network in both Keras APIs, or a diff of two networks."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..codegen import check_equivalent, sequential_reasons, to_code
from ..codegen.diff import diff_models
from ..codegen.generate import check_codegen_model
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
    ) -> None:
        self.left, self.right = left, right
        self.mapping = dict(mapping)
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
    view = Comparison(
        left,
        right,
        [verdict],
        _title(f"{model.name}: Sequential API vs Functional API"),
        report.mapping,
        (
            (_title("Sequential"), left, CodePanel(seq_code, "Sequential API")),
            (_title("Functional"), right, CodePanel(fn_code, "Functional API")),
        ),
    )
    view.verdict = report
    return view


def _not_sequential_view(
    model: Any, reasons: list[str], options: dict[str, Any]
) -> Comparison:
    right = Explorer(model, highlight=_reason_nodes(reasons), **options)
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    why = w.HTML(
        "<div class='kv-reasons'><p><strong>This model cannot be written with the "
        "Sequential API</strong>, which stacks layers one after another (one input, "
        "one output, each layer feeding only the next). The layers involved are "
        f"marked in the graph.</p><ul>{items}</ul></div>"
    )
    view = Comparison(
        None,
        right,
        [],
        _title(f"{model.name}: Functional API only"),
        {},
        (
            (_title("Why not Sequential"), why),
            (_title("Functional"), right, CodePanel(to_code(model), "Functional API")),
        ),
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
    view = Comparison(
        left,
        right,
        [table],
        _title(f"{a.name} vs {b.name}"),
        diff.mapping,
        ((_title(a.name), left), (_title(b.name), right)),
    )
    view.diff = diff
    return view
