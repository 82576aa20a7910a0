"""The kerasviz MIME bundle: a model's view payload under its own MIME type, plus text.

JupyterLab draws ``application/vnd.kerasviz.graph+json`` with the kerasviz
labextension (the same renderer as the live widget, read-only), so a saved notebook
shows the graph with no kernel; other front ends show the ``text/plain`` summary.
Cheap to import: the model is read only when a bundle is made.
"""

from __future__ import annotations

from typing import Any

#: The MIME type of a kerasviz view payload; mirrored as ``MIME_TYPE`` in
#: ``labextension/src/index.ts``.
MIME_TYPE = "application/vnd.kerasviz.graph+json"

#: The MIME type of a saved comparison (:func:`kerasviz.compare`): two columns, each a
#: view payload and/or code and notes, plus a verdict; mirrored as
#: ``COMPARISON_MIME_TYPE`` in ``labextension/src/comparison.ts``.
COMPARISON_MIME_TYPE = "application/vnd.kerasviz.comparison+json"

#: The version of the comparison payload (``kerasviz_comparison``).
COMPARISON_VERSION = 1

_API_NAMES = {
    "sequential": "Sequential",
    "functional": "Functional",
    "subclassed": "subclassed Model",
    "layer": "single layer",
}


def mime_bundle(model_or_payload: Any, **options: Any) -> dict[str, Any]:
    """``{MIME_TYPE: payload, "text/plain": summary}`` for a model or a view payload.

    Parameters
    ----------
    model_or_payload : keras.Model, keras.layers.Layer, ModelGraph or dict
        What to draw; a dict is taken as a ready view payload
        (:func:`kerasviz.view.view_payload`) and sent as it is.
    **options
        For a model: the options of :func:`kerasviz.view.view_payload`
        (``rankdir``, ``show_shapes``, ``expand_nested``, ``selected``, ...).

    Examples
    --------
    >>> import keras
    >>> from IPython.display import display
    >>> from kerasviz.mimebundle import mime_bundle
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
    >>> display(mime_bundle(m, rankdir="LR"), raw=True)  # doctest: +SKIP
    >>> print(mime_bundle(m)["text/plain"].splitlines()[0])
    Model "tiny" (Sequential): 10 params (10 trainable, 0 non-trainable), 1 layer
    """
    if isinstance(model_or_payload, dict):
        if options:
            raise ValueError(
                "Options apply when a model is given, not a ready view payload. "
                f"Received: options={options!r}"
            )
        payload = model_or_payload
        _check_payload(payload)
    else:
        from .view import view_payload

        payload = view_payload(model_or_payload, **options)
    return {MIME_TYPE: payload, "text/plain": summary(payload)}


def comparison_bundle(payload: dict[str, Any]) -> dict[str, Any]:
    """``{COMPARISON_MIME_TYPE: payload, "text/plain": text}`` for a comparison payload
    (:meth:`kerasviz.widgets.comparison.Comparison.saved_payload`)."""
    return {COMPARISON_MIME_TYPE: payload, "text/plain": comparison_summary(payload)}


def summary(payload: dict[str, Any]) -> str:
    """A few lines saying what the graph shows: model, API, parameters, inputs, outputs.

    Examples
    --------
    >>> import keras
    >>> from kerasviz.mimebundle import mime_bundle, summary
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> print(summary(mime_bundle(m)[MIME_TYPE]).splitlines()[-1])
    Outputs: out (None, 2)
    """
    from .view.elements import layer_count, shape_text

    graph = payload["graph"]
    model = graph["model"]
    nodes = {n["id"]: n for n in graph["nodes"]}
    api = _API_NAMES.get(model["api"], model["api"])
    params = model["params"]
    count = layer_count(payload)  # the one definition of a layer
    lines = [
        f"Model {_quoted(model['name'])} ({api}): {params['total']:,} params "
        f"({params['trainable']:,} trainable, {params['non_trainable']:,} "
        f"non-trainable), {count:,} layer{'' if count == 1 else 's'}"
    ]
    if not model["built"]:
        lines.append("Not built yet: no shapes or parameters until it is.")
    for label, ids, shapes in (
        ("Inputs", model["inputs"], model.get("input_shapes") or []),
        ("Outputs", model["outputs"], model.get("output_shapes") or []),
    ):
        if ids:
            items = []
            for i, node_id in enumerate(ids):
                name = nodes[node_id]["name"] if node_id in nodes else node_id
                shape = shape_text(shapes[i]) if i < len(shapes) else ""
                items.append(f"{name} {shape}".rstrip())
            lines.append(f"{label + ':':<8} {', '.join(items)}")
    return "\n".join(lines)


def comparison_summary(payload: dict[str, Any]) -> str:
    """The text of a comparison payload: title, verdict, notes and table rows.

    Examples
    --------
    >>> print(comparison_summary({"title": "m: Sequential API vs Functional API",
    ...     "columns": [], "verdict": {"title": "Equivalent", "ok": True,
    ...     "lines": ["same outputs"]}}))
    m: Sequential API vs Functional API
    Equivalent
      - same outputs
    """
    lines = [payload["title"]]
    for column in payload["columns"]:
        if column.get("notes"):
            lines.append(f"{column['title']}:")
            lines.extend(f"  - {n}" for n in column["notes"])
    verdict = payload.get("verdict")
    if verdict:
        lines.append(verdict["title"])
        lines.extend(f"  - {line}" for line in verdict["lines"])
    table = payload.get("table")
    if table:
        lines.append(" | ".join(table["head"]))
        lines.extend(" | ".join(row) for row in table["rows"])
    return "\n".join(lines)


def _check_payload(payload: dict[str, Any]) -> None:
    from .view import VIEW_VERSION

    version = payload.get("kerasviz_view")
    if version != VIEW_VERSION or not isinstance(payload.get("graph"), dict):
        raise ValueError(
            "This is not a kerasviz view payload: it needs "
            f'"kerasviz_view": {VIEW_VERSION} and a "graph". Make one with '
            "kerasviz.view.view_payload(model), or pass the model itself. "
            f"Received: keys={sorted(payload)!r}, kerasviz_view={version!r}"
        )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'
