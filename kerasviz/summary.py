"""A better ``model.summary()``: each layer's output shape and parameters, as Keras
prints them, plus what it costs (MACs, output memory) and its share of the model's.

In a notebook it is an HTML table; elsewhere text. The figures come from
:func:`kerasviz.costs` (one forward pass at ``batch_size``).
"""

from __future__ import annotations

import html
from typing import Any

from . import _format
from ._callable import make_callable
from .graph import ModelGraph, graph_of
from .graph.extract import entry_point

__all__ = ["Summary", "summary", "summary_table"]


class Summary:
    """The rows of :func:`summary`: shows as HTML in Jupyter, as text with ``str``."""

    def __init__(self, graph: ModelGraph, report: Any) -> None:
        self.graph = graph
        self.report = report
        total = report.total
        self.rows: list[dict[str, Any]] = []
        depth = {n.id: n.id.count("/") for n in graph.nodes}
        for n in graph.nodes:
            cost = report.nodes.get(n.id) or report.containers.get(n.id)
            container = n.id in report.containers
            shapes = [s for c in n.calls[:1] for s in c.output_shapes]
            self.rows.append(
                {
                    "id": n.id,
                    "name": n.name,
                    "class_name": n.class_name,
                    "depth": depth[n.id],
                    "container": container,
                    "output_shape": ", ".join(_shape(s) for s in shapes) or "—",
                    "params": n.params.total,
                    "macs": None if cost is None else cost.macs,
                    "macs_share": _share(cost and cost.macs, total.macs),
                    "memory": None if cost is None else cost.activation_bytes,
                    "memory_share": _share(
                        cost and cost.activation_bytes, total.activation_bytes
                    ),
                    "reason": None if cost is None else cost.reason,
                }
            )

    # ---- text -----------------------------------------------------------------
    def __str__(self) -> str:
        head = (
            "Layer (type)",
            "Output Shape",
            "Param #",
            "MACs",
            "%",
            "Output memory",
            "%",
        )
        body = [
            (
                "  " * r["depth"] + f"{r['name']} ({r['class_name']})",
                r["output_shape"],
                f"{r['params']:,}",
                _format.count(r["macs"]),
                _pct(r["macs_share"]),
                _format.size(r["memory"]),
                _pct(r["memory_share"]),
            )
            for r in self.rows
        ]
        t = self.report.total
        total = (
            "Total",
            "",
            f"{self.graph.model.params.total:,}",
            _format.count(t.macs),
            "100 %" if t.macs else "",
            _format.size(t.activation_bytes),
            "100 %" if t.activation_bytes else "",
        )
        widths = [max(len(r[i]) for r in [head, *body, total]) for i in range(7)]

        def line(r: tuple[str, ...]) -> str:
            return "  ".join(
                r[i].ljust(widths[i]) if i < 2 else r[i].rjust(widths[i])
                for i in range(7)
            ).rstrip()

        rule = "─" * len(line(head))
        m = self.graph.model
        out = [
            f'Model: "{m.name}" ({_api(m.api)}), one forward pass at batch '
            f"size {self.report.batch_size}",
            rule,
            line(head),
            rule,
            *(line(r) for r in body),
            rule,
            line(total),
            f"FLOPs: {_format.count(t.flops)}  ·  parameter memory: {_format.size(t.param_bytes)}"
            f"  ·  peak memory (inference, estimated): {_format.size(t.peak_bytes)}",
        ]
        for r in self.rows:
            if r["reason"] and not r["container"]:
                out.append(f"  {r['name']}: {r['reason']}")
        out.append(
            "MACs: multiply-accumulates; FLOPs = 2 x MACs + element-wise operations "
            "(kerasviz.costs)."
        )
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    # ---- HTML -----------------------------------------------------------------
    def _repr_html_(self) -> str:
        e = html.escape
        t = self.report.total
        right = ' style="text-align:right"'
        head = "".join(
            f"<th{right if i > 1 else ''}>{e(h)}</th>"
            for i, h in enumerate(
                (
                    "Layer (type)",
                    "Output shape",
                    "Param #",
                    "MACs",
                    "share",
                    "Output memory",
                    "share",
                )
            )
        )
        rows = []
        for r in self.rows:
            indent = f"padding-left:{0.4 + 1.2 * r['depth']:.1f}em"
            title = f' title="{e(r["reason"])}"' if r["reason"] else ""
            style = ' style="opacity:0.75"' if r["container"] else ""
            rows.append(
                f"<tr{style}{title}>"
                f'<td style="{indent};text-align:left">{e(r["name"])} '
                f'<span style="opacity:0.7">({e(r["class_name"])})</span></td>'
                f'<td style="text-align:left"><code>{e(r["output_shape"])}</code></td>'
                + "".join(
                    f'<td style="text-align:right">{e(v)}</td>'
                    for v in (
                        f"{r['params']:,}",
                        _format.count(r["macs"]),
                        _pct(r["macs_share"]),
                        _format.size(r["memory"]),
                        _pct(r["memory_share"]),
                    )
                )
                + "</tr>"
            )
        foot = (
            "<tr><th style='text-align:left'>Total</th><th></th>"
            + "".join(
                f'<th style="text-align:right">{e(v)}</th>'
                for v in (
                    f"{self.graph.model.params.total:,}",
                    _format.count(t.macs),
                    "",
                    _format.size(t.activation_bytes),
                    "",
                )
            )
            + "</tr>"
        )
        m = self.graph.model
        caption = e(
            f"{m.name} ({_api(m.api)}): one forward pass at batch size "
            f"{self.report.batch_size}. FLOPs {_format.count(t.flops)}, parameter memory "
            f"{_format.size(t.param_bytes)}, peak memory (inference, estimated) "
            f"{_format.size(t.peak_bytes)}."
        )
        return (
            '<table class="kerasviz-summary" style="border-collapse:collapse">'
            f'<caption style="text-align:left">{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            f"<tfoot>{foot}</tfoot></table>"
        )


@entry_point("summary_table()")
def summary_table(
    model: Any, *, batch_size: int = 1, dims: dict[str, int] | int | None = None
) -> Summary:
    """The :func:`summary` table as an object (``str()`` for text; it shows as an
    HTML table when it is a cell's value)."""
    from .costs import costs

    graph = (
        model if isinstance(model, ModelGraph) else graph_of(model, expand_nested=True)
    )
    return Summary(graph, costs(graph, batch_size=batch_size, dims=dims))


@entry_point("summary()")
def summary(
    model: Any,
    *,
    batch_size: int = 1,
    dims: dict[str, int] | int | None = None,
    print_fn: Any = None,
) -> None:
    """Show a model's layers as ``model.summary()`` does, with what each costs.

    Each layer's output shape and parameters, plus its MACs and output memory for
    one forward pass and the share of the model's total they are; nested models
    with their layers indented; a total line with FLOPs, parameter memory and the
    estimated inference peak. An HTML table in a notebook, text elsewhere (or
    given to ``print_fn``, as in Keras).

    Parameters
    ----------
    model : keras.Model or ModelGraph
    batch_size : int
        The batch size of the forward pass the figures are for.
    dims : dict or int, optional
        Values for unknown dimensions, as :func:`kerasviz.costs` takes them
        (``{"sequence": 128}``).
    print_fn : callable, optional
        Called with the text instead of printing it.

    Examples
    --------
    >>> import keras, kerasviz
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> kerasviz.summary(m, print_fn=lambda text: print(text.splitlines()[3]))
    Layer (type)      Output Shape  Param #  MACs      %  Output memory      %
    """
    table = summary_table(model, batch_size=batch_size, dims=dims)
    if print_fn is not None:
        print_fn(str(table))
        return
    if _in_notebook():
        from IPython.display import display

        display(table)
    else:
        print(table)


def _api(api: str) -> str:
    from .contract import API_LABELS

    return API_LABELS.get(api, api)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def _shape(shape: Any) -> str:
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f} %"


make_callable(__name__, "summary")
