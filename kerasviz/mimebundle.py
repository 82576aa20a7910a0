"""The kerasviz MIME bundle: a model's view payload under its own MIME type, plus text.

JupyterLab draws ``application/vnd.kerasviz.graph+json`` with the kerasviz
labextension (the same renderer as the live widget, read-only), so a saved notebook
shows the graph with no kernel; other front ends show the ``text/plain`` summary.
Cheap to import: the model is read only when a bundle is made.

What goes into the notebook file is *packed* (:func:`pack`): a small JSON envelope
whose ``data`` is one string, the payload's compact JSON compressed with zlib and
base64-encoded, and whose ``selected`` (the layer the user left selected) stays
outside it so that the front end can rewrite it without re-encoding. nbformat writes
MIME JSON one list element a line; unpacked, NASNetLarge added 1.4 MB and some
80,000 lines to the ``.ipynb``, packed some 50 KB on a handful of lines (measured by
``benchmarks/bench_saved_size.py``). :func:`unpack` reads either form back.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

# The MIME types, versions and packing constants both sides share
# (kerasviz/schema/contract.json; the renderer's src/contract.ts is made from it).
from .contract import (
    API_LABELS,
    COMPARISON_MIME_TYPE,
    COMPARISON_VERSION,
    MAX_UNPACKED_BYTES,
    MIME_TYPE,
    PACKED_ENCODING,
    PACKED_VERSION,
    REPLAY_MIME_TYPE,
    REPLAY_VERSION,
)
from .graph._collector import collector_paused

__all__ = [
    "COMPARISON_MIME_TYPE",
    "COMPARISON_VERSION",
    "MAX_UNPACKED_BYTES",
    "MIME_TYPE",
    "PACKED_ENCODING",
    "PACKED_VERSION",
    "REPLAY_MIME_TYPE",
    "REPLAY_VERSION",
    "comparison_bundle",
    "comparison_summary",
    "is_packed",
    "mime_bundle",
    "pack",
    "summary",
    "unpack",
]

_UNSET: Any = object()

#: The keys that name a kerasviz payload (and its kind).
_PAYLOAD_KEYS = ("kerasviz_view", "kerasviz_comparison", "kerasviz_replay")


def mime_bundle(model_or_payload: Any, **options: Any) -> dict[str, Any]:
    """``{MIME_TYPE: pack(payload), "text/plain": summary}`` for a model or a payload.

    The MIME data is the packed envelope (:func:`pack`), what the notebook file
    keeps; :func:`unpack` gives the view payload back.

    Parameters
    ----------
    model_or_payload : keras.Model, keras.layers.Layer, ModelGraph or dict
        What to draw; a dict is taken as a ready view payload
        (:func:`kerasviz.view.view_payload`) and packed as it is.
    **options
        For a model: the options of :func:`kerasviz.view.view_payload`
        (``rankdir``, ``show_shapes``, ``expand_nested``, ``select``, ...).

    Examples
    --------
    >>> import keras
    >>> from IPython.display import display
    >>> from kerasviz.mimebundle import mime_bundle
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
    >>> display(mime_bundle(m, rankdir="LR"), raw=True)  # doctest: +SKIP
    >>> bundle = mime_bundle(m)
    >>> print(bundle["text/plain"].splitlines()[0])
    Model "tiny" (Sequential): 10 params (10 trainable, 0 non-trainable), 1 layer
    >>> unpack(bundle[MIME_TYPE])["graph"]["model"]["name"]
    'tiny'
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
    return {MIME_TYPE: pack(payload), "text/plain": summary(payload)}


def comparison_bundle(payload: dict[str, Any]) -> dict[str, Any]:
    """``{COMPARISON_MIME_TYPE: pack(payload), "text/plain": text}`` for a comparison
    payload (:meth:`kerasviz.widgets.comparison.Comparison.saved_payload`)."""
    version = payload.get("kerasviz_comparison") if isinstance(payload, dict) else None
    if version != COMPARISON_VERSION:
        raise ValueError(
            "This is not a kerasviz comparison payload: it needs "
            f'"kerasviz_comparison": {COMPARISON_VERSION}. Make one with '
            "kerasviz.compare(...).saved_payload(). "
            f"Received: {_describe(payload)}"
        )
    return {
        COMPARISON_MIME_TYPE: pack(payload),
        "text/plain": comparison_summary(payload),
    }


def replay_bundle(payload: dict[str, Any]) -> dict[str, Any]:
    """``{REPLAY_MIME_TYPE: pack(payload), "text/plain": text}`` for a replay payload
    (:meth:`kerasviz.widgets.replay.Replay.saved_payload`)."""
    version = payload.get("kerasviz_replay") if isinstance(payload, dict) else None
    if version != REPLAY_VERSION:
        raise ValueError(
            "This is not a kerasviz replay payload: it needs "
            f'"kerasviz_replay": {REPLAY_VERSION}. Make one with '
            "kerasviz.replay(source).saved_payload(). "
            f"Received: {_describe(payload)}"
        )
    return {REPLAY_MIME_TYPE: pack(payload), "text/plain": replay_summary(payload)}


def replay_summary(payload: dict[str, Any]) -> str:
    """The plain-text form of a replay: one line per step, then the error."""
    lines = [str(payload.get("title", "kerasviz replay"))]
    for step in payload.get("steps", []):
        where = f"line {step['line']}" if step.get("line") else "—"
        lines.append(f"  {step['index'] + 1:>3}. {where:<9} {step['label']}")
    error = payload.get("error")
    if error:
        lines.append(f"Error: {error.get('message', '')}")
        if error.get("hint"):
            lines.append(f"Hint: {error['hint']}")
        if error.get("fix"):
            lines.append(f"Fix: {error['fix']}")
    return "\n".join(lines)


#: zlib level of packed payloads. Level 9 took 0.26 s for the 7 MB JSON of a
#: 10,000-layer model, level 6 0.055 s, for 1 % more bytes (466 KB -> 470 KB).
PACK_LEVEL = 6


def pack(payload: dict[str, Any], *, selected: Any = _UNSET) -> dict[str, Any]:
    """The envelope a notebook file keeps for ``payload`` (view or comparison).

    ``{"kerasviz_packed": 1, "encoding": "zlib+base64", "selected": id_or_None,
    "data": base64(zlib(compact JSON))}`` (``kerasviz/schema/packed.schema.json``).
    For a view payload ``selected`` is its ``options.selected`` unless given; the
    envelope's ``selected`` wins over the packed one when read back (the JupyterLab
    renderer rewrites it when the user selects a layer in the live widget). A
    comparison's envelope has no ``selected``. The same payload always packs to the
    same string, so re-running a cell leaves the notebook's diff empty.

    Examples
    --------
    >>> env = pack({"kerasviz_view": 1, "graph": {}, "options": {"selected": "d"}})
    >>> sorted(env), env["selected"]
    (['data', 'encoding', 'kerasviz_packed', 'selected'], 'd')
    >>> unpack(env)["options"]
    {'selected': 'd'}
    """
    if not isinstance(payload, dict) or not any(k in payload for k in _PAYLOAD_KEYS):
        raise ValueError(
            "Only a kerasviz view, comparison or replay payload can be packed (a dict "
            'with "kerasviz_view", "kerasviz_comparison" or "kerasviz_replay"). Make '
            "one with kerasviz.view.view_payload(model). "
            f"Received: {_describe(payload)}"
        )
    with collector_paused():
        text = json.dumps(
            payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    envelope: dict[str, Any] = {
        "kerasviz_packed": PACKED_VERSION,
        "encoding": PACKED_ENCODING,
    }
    if "kerasviz_view" in payload:
        if selected is _UNSET:
            options = payload.get("options")
            selected = options.get("selected") if isinstance(options, dict) else None
        if selected is not None and not isinstance(selected, str):
            raise TypeError(
                "`selected` must be a node id (str) or None. "
                f"Received: selected={selected!r}"
            )
        envelope["selected"] = selected
        overlays = payload.get("overlays")
        if isinstance(overlays, dict):
            envelope["overlay"] = overlays.get("selected")
    elif selected is not _UNSET:
        raise ValueError(
            "A comparison's or replay's envelope has no `selected` (each view "
            "payload in it "
            f"keeps its own). Received: selected={selected!r}"
        )
    compressed = zlib.compress(text.encode("utf-8"), PACK_LEVEL)
    envelope["data"] = base64.b64encode(compressed).decode("ascii")
    return envelope


def is_packed(data: Any) -> bool:
    """Is ``data`` a packed envelope (of any version), rather than a payload?"""
    return isinstance(data, dict) and "kerasviz_packed" in data


def unpack(data: Any) -> dict[str, Any]:
    """The payload of a kerasviz MIME output, as a notebook file holds it.

    Takes what :func:`pack` made, or the unpacked payload older kerasviz versions
    saved (``kerasviz_view: 1`` / ``kerasviz_comparison: 1``, returned as it is), or
    either as JSON text. A view's envelope ``selected`` goes into the payload's
    ``options.selected``.

    Raises
    ------
    ValueError
        When ``data`` is neither, names an unknown packing version or encoding, or
        its packed data is corrupt; the message says what is wrong.

    Examples
    --------
    >>> unpack({"kerasviz_view": 1, "graph": {}})  # saved by kerasviz 0.1
    {'kerasviz_view': 1, 'graph': {}}
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise ValueError(
                "This kerasviz output is not JSON. Re-run this cell to save it "
                f"again. Received: text starting {data[:40]!r}"
            ) from None
    if not isinstance(data, dict):
        raise ValueError(
            "This is not a kerasviz output: expected a packed envelope or a payload "
            "(a JSON object). Re-run this cell to save it again. "
            f"Received: {_describe(data)}"
        )
    if not is_packed(data):
        if any(k in data for k in _PAYLOAD_KEYS):
            return data
        raise ValueError(
            'This is not a kerasviz output: it has no "kerasviz_packed", '
            '"kerasviz_view", "kerasviz_comparison" or "kerasviz_replay". Re-run this cell to save it '
            f"again. Received: {_describe(data)}"
        )
    version = data["kerasviz_packed"]
    if version != PACKED_VERSION:
        raise ValueError(
            f"This kerasviz output is packed with version {version!r}, but this "
            f"kerasviz reads version {PACKED_VERSION}. Upgrade kerasviz (or re-run "
            f"this cell with this one). Received: kerasviz_packed={version!r}"
        )
    encoding = data.get("encoding")
    if encoding != PACKED_ENCODING:
        raise ValueError(
            f"This kerasviz output's data is encoded as {encoding!r}; this kerasviz "
            f"reads {PACKED_ENCODING!r}. Re-run this cell to save it again. "
            f"Received: encoding={encoding!r}"
        )
    text = data.get("data")
    if not isinstance(text, str):
        raise ValueError(
            'This kerasviz output\'s packed data is missing ("data" should be a '
            "base64 string). Re-run this cell to save it again. "
            f"Received: data={_describe(text)}"
        )
    try:
        compressed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise _corrupt(f"not base64 ({e})") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_UNPACKED_BYTES)
    except zlib.error as e:
        raise _corrupt(f"not zlib data ({e})") from None
    if inflater.unconsumed_tail:
        raise _corrupt(f"it inflates to more than {MAX_UNPACKED_BYTES:,} bytes")
    if not inflater.eof:
        raise _corrupt("the zlib stream is truncated")
    if inflater.unused_data:
        raise _corrupt("bytes follow the end of the zlib stream")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except ValueError as e:  # UnicodeDecodeError and JSONDecodeError
        raise _corrupt(f"the inflated text is not JSON ({e})") from None
    if not isinstance(payload, dict) or not any(k in payload for k in _PAYLOAD_KEYS):
        raise _corrupt(
            "what it holds is not a kerasviz view, comparison or replay payload "
            f"({_describe(payload)})"
        )
    selected = data.get("selected", _UNSET)
    if "kerasviz_view" in payload and (selected is None or isinstance(selected, str)):
        options = payload.get("options")
        payload["options"] = {
            **(options if isinstance(options, dict) else {}),
            "selected": selected,
        }
    overlay = data.get("overlay", _UNSET)
    overlays = payload.get("overlays")
    if isinstance(overlays, dict) and (overlay is None or isinstance(overlay, str)):
        payload["overlays"] = {**overlays, "selected": overlay}
    return payload


def summary(payload: dict[str, Any]) -> str:
    """A few lines saying what the graph shows: model, API, parameters, inputs, outputs.

    Examples
    --------
    >>> import keras
    >>> from kerasviz.mimebundle import mime_bundle, summary
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    >>> print(summary(unpack(mime_bundle(m)[MIME_TYPE])).splitlines()[-1])
    Outputs: out (None, 2)
    """
    from .view.elements import layer_count, shape_text

    graph = payload["graph"]
    model = graph["model"]
    nodes = {n["id"]: n for n in graph["nodes"]}
    api = API_LABELS.get(model["api"], model["api"])
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


def _corrupt(reason: str) -> ValueError:
    return ValueError(
        f"This kerasviz output's packed data is corrupt: {reason}. The notebook file "
        "was damaged or edited; re-run this cell to save it again."
    )


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))!r}"[:200]
    text = repr(value)
    return f"{type(value).__name__} {text[:60] + '...' if len(text) > 60 else text}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'
