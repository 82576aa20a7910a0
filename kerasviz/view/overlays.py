"""Overlays: a number per node (a cost, an activation statistic, the user's own
metric) painted on the graph as a colour scale with a legend.

An overlay metric is plain data in the view payload (``overlays.metrics``): its
values by node id, its scale (linear, or logarithmic when the values span more
than two orders of magnitude) and its range. The colour of a value is worked out
the same way here (for the static export) and in the renderer
(labextension/src/overlay.ts): its position on the scale, then a straight line
between the two nearest of :data:`kerasviz.style.OVERLAY_STOPS`, which travel in
the payload. tests/test_overlays.py and overlay.test.ts check both against one
fixture.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from .. import _format
from ..style import OVERLAY_INK_DARK, OVERLAY_INK_LIGHT, OVERLAY_STOPS

#: The overlays kerasviz computes from the cost model: key → (label, unit, the cost
#: field it shows). ``share`` is each node's part of the model's FLOPs.
COST_METRICS: dict[str, tuple[str, str, str]] = {
    "params": ("Parameters", "count", "params"),
    "macs": ("MACs", "count", "macs"),
    "flops": ("FLOPs", "count", "flops"),
    "memory": ("Activation memory", "bytes", "activation_bytes"),
    "share": ("Share of FLOPs", "share", "flops"),
}

#: The overlays of activation statistics (after ``Explorer.run(sample)``):
#: key → (label, unit, the statistic).
ACTIVATION_METRICS: dict[str, tuple[str, str, str]] = {
    "zeros": ("Activation zeros", "share", "zeros"),
    "std": ("Activation std", "value", "std"),
}

#: Values spanning more than this ratio get a logarithmic scale.
LOG_SCALE_ABOVE = 100.0


def make_metric(
    key: str,
    label: str,
    unit: str,
    values: Mapping[str, float | int | None],
    *,
    reasons: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One overlay metric: the values that are numbers, their range and scale, and
    why the others have none."""
    kept: dict[str, float] = {}
    why = dict(reasons or {})
    for node, value in values.items():
        if value is None or isinstance(value, bool):
            why.setdefault(str(node), "no value")
            continue
        number = float(value)
        if math.isfinite(number):
            kept[str(node)] = int(number) if number.is_integer() else number
        else:
            why[str(node)] = f"not a finite number ({value!r})"
    low = min(kept.values()) if kept else None
    high = max(kept.values()) if kept else None
    scale = "linear"
    if low is not None and high is not None and low >= 0 and high > 0:
        floor = min((v for v in kept.values() if v > 0), default=high)
        if high / floor > LOG_SCALE_ABOVE and unit != "share":
            scale = "log"
    return {
        "key": key,
        "label": label,
        "unit": unit,
        "scale": scale,
        "min": low,
        "max": high,
        "values": kept,
        "reasons": {k: str(v) for k, v in why.items() if k not in kept},
    }


def cost_metrics(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cost overlays of a cost report (``CostReport.to_json()``): leaves and
    containers (sums) both get values."""
    entries = {**report.get("nodes", {}), **report.get("containers", {})}
    total = (report.get("total") or {}).get("flops")
    metrics = []
    for key, (label, unit, field) in COST_METRICS.items():
        values: dict[str, Any] = {}
        reasons: dict[str, str] = {}
        for node, cost in entries.items():
            value = cost.get(field)
            if key == "share":  # 4 significant digits: 2 KB less on ResNet50
                value = (
                    None
                    if value is None or not total
                    else float(f"{value / total:.4g}")
                )
            values[node] = value
            if value is None and cost.get("reason"):
                reasons[node] = str(cost["reason"])
        metrics.append(make_metric(key, label, unit, values, reasons=reasons))
    return metrics


def activation_metrics(stats: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The overlays of activation statistics (``ActivationStats.to_json()["nodes"]``)."""
    return [
        make_metric(key, label, unit, {n: s.get(field) for n, s in stats.items()})
        for key, (label, unit, field) in ACTIVATION_METRICS.items()
    ]


def user_metric(
    values: Mapping[str, Any],
    label: str,
    resolve: Any,
) -> dict[str, Any]:
    """The user's own metric (``explorer.overlay({"conv1": 0.3}, label=...)``):
    names resolved to node ids with ``resolve`` (a clear error for a name the graph
    does not have), every value a number."""
    if not isinstance(values, Mapping):
        raise TypeError(
            "An overlay's values are a dict of layer name (or node id) → number. "
            f"Received: {type(values).__name__}"
        )
    if not isinstance(label, str) or not label.strip():
        raise ValueError(
            "A user overlay needs a label (what the numbers are, e.g. "
            f'label="latency ms"). Received: label={label!r}'
        )
    resolved: dict[str, float] = {}
    for name, value in values.items():
        node = resolve(str(name))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise TypeError(
                    f"The overlay value of {name!r} must be a number. "
                    f"Received: {value!r}"
                ) from None
        resolved[node] = value
    return make_metric(f"user:{label.strip()}", label.strip(), "value", resolved)


def check_overlay(key: str | None, metrics: list[dict[str, Any]]) -> str | None:
    """``key`` if one of ``metrics`` has it (a user metric by its label too)."""
    if key is None:
        return None
    keys = [m["key"] for m in metrics]
    if key in keys:
        return key
    for m in metrics:
        if m["label"] == key or m["key"] == f"user:{key}":
            return m["key"]
    close = difflib.get_close_matches(key, keys, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    available = ", ".join(repr(k) for k in keys) or "none"
    raise ValueError(
        f"There is no overlay {key!r} for this graph.{hint} The overlays are "
        f"{available} (activation statistics after Explorer.run(); your own with "
        f"Explorer.overlay(values, label=...)). Received: overlay={key!r}"
    )


# ---- the colour scale (mirrored by labextension/src/overlay.ts) ------------------
def position(value: float, metric: Mapping[str, Any]) -> float:
    """Where ``value`` sits on the metric's scale, 0 (lowest) to 1 (highest); the
    middle when every value is the same."""
    low, high = metric.get("min"), metric.get("max")
    if low is None or high is None or high == low:
        return 0.5  # one value for every node: the middle, not "the most"
    if metric.get("scale") == "log":
        v, lo, hi = (math.log10(1 + max(x, 0)) for x in (value, low, high))
    else:
        v, lo, hi = float(value), float(low), float(high)
    return min(1.0, max(0.0, (v - lo) / (hi - lo)))


def color_at(t: float, stops: list[str] = OVERLAY_STOPS) -> str:
    """The colour at position ``t`` of the stops (``#rrggbb``)."""
    t = min(1.0, max(0.0, t))
    scaled = t * (len(stops) - 1)
    i = min(int(scaled), len(stops) - 2)
    f = scaled - i
    a, b = _rgb(stops[i]), _rgb(stops[i + 1])
    mixed = (round(x + (y - x) * f) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def ink_for(color: str) -> str:
    """The label colour that reads on ``color``: dark on light fills, light on dark."""
    r, g, b = (_linear(c / 255) for c in _rgb(color))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return OVERLAY_INK_DARK if luminance > 0.18 else OVERLAY_INK_LIGHT


def overlay_colors(metric: Mapping[str, Any]) -> dict[str, str]:
    """Node id → fill colour of every node the metric has a value for."""
    return {
        node: color_at(position(value, metric))
        for node, value in metric.get("values", {}).items()
    }


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def format_value(value: float, unit: str) -> str:
    """A metric's value as the legend writes it (as overlay.ts's
    formatMetricValue): 12.5 %, 3.4 MB, 1.2 G, or the number."""
    if unit == "share":
        return f"{round(value * 100, 1):g} %"
    if unit == "bytes":
        return _format.size(value)
    if unit == "count":
        return _format.count(value)
    return f"{value:.4g}"
