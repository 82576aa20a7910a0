"""Standalone HTML export: one file with the renderer, the payload and the styles.

``to_html(model)`` gives a page that opens from disk (``file://``) with no server
and no network: the kerasviz renderer (the same GraphView as the live widget and
the saved-notebook renderer, bundled as ``kerasviz/static/standalone.js``), its
stylesheet with light and dark themes (``standalone.css``), and the view payload,
all inline. A Content-Security-Policy lets the page load nothing at all.

The payload sits in a ``<script type="application/json">`` element with ``<``,
``>``, ``&`` and U+2028/U+2029 written as JSON escapes (``\\u003c``...), so no
layer name or config value can end that element; the renderer builds its DOM from
text only. The title and the footer are HTML-escaped.
"""

from __future__ import annotations

import html
import json
import os
import pathlib
from typing import Any

from ..graph.extract import entry_point

#: What the page may load: nothing but its own inline script and styles (and
#: ``data:`` images). No network, even by accident.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:"
)

#: The built front-end files the page inlines.
SCRIPT_FILE = "standalone.js"
STYLE_FILE = "standalone.css"

BUILD_HINT = "build the front end: cd labextension && npm run build"

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def json_for_script(value: Any) -> str:
    """``value`` as JSON safe inside a ``<script>`` element: the same value for
    ``JSON.parse``, with no ``<``, ``>`` or ``&`` (so no ``</script>`` or
    ``<!--``) and no line separators.

    >>> json_for_script({"name": "</script>"})
    '{"name":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def _asset(name: str) -> str:
    from ..widgets._bundle import STATIC

    path = STATIC / name
    if not path.is_file():
        raise FileNotFoundError(
            f"kerasviz's standalone HTML needs its front-end bundle {path}, which is "
            f"missing (a source checkout that was never built): {BUILD_HINT} "
            "(or install kerasviz with `pip install .`, which builds it)."
        )
    return path.read_text(encoding="utf-8")


def _inline(text: str, tag: str, name: str) -> str:
    """Text for an inline ``<script>`` / ``<style>``: refuse one that would end its
    element early (esbuild's output never does; a hand-edited file might)."""
    lowered = text.lower()
    if f"</{tag}" in lowered or (tag == "script" and "<!--" in lowered):
        raise ValueError(
            f"kerasviz's {name} holds '</{tag}' or '<!--' and cannot be inlined in "
            f"an HTML page. Rebuild it: {BUILD_HINT}"
        )
    return text


def _params_text(total: Any) -> str:
    if not isinstance(total, int):
        return "parameters unknown"
    return f"{total:,} parameter{'' if total == 1 else 's'}"


def page(payload: dict[str, Any], *, title: str | None = None) -> str:
    """The HTML page showing a ready view payload (see :func:`to_html`)."""
    from .._version import __version__

    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None. Received: title={title!r}")
    model = (payload.get("graph") or {}).get("model") or {}
    name = str(model.get("name", "model"))
    total = (model.get("params") or {}).get("total")
    heading = f'<h1 class="kv-page-title">{html.escape(title)}</h1>\n' if title else ""
    footer = " · ".join(
        [
            f'<span class="kv-page-model">{html.escape(name)}</span>',
            f'<span class="kv-page-params">{html.escape(_params_text(total))}</span>',
            f'<span class="kv-page-version">made with kerasviz '
            f"{html.escape(__version__)}</span>",
        ]
    )
    script = _inline(_asset(SCRIPT_FILE), "script", SCRIPT_FILE)
    style = _inline(_asset(STYLE_FILE), "style", STYLE_FILE)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f'<meta name="generator" content="kerasviz {html.escape(__version__)}">\n'
        f"<title>{html.escape(title or name)}</title>\n"
        f"<style>\n{style}\n</style>\n"
        "</head>\n<body>\n"
        '<div class="kv-page">\n'
        f"{heading}"
        '<main class="kv-page-main" id="kv-app">'
        '<noscript><div class="kv-noscript">This kerasviz graph needs JavaScript.'
        "</div></noscript></main>\n"
        f'<footer class="kv-page-footer">{footer}</footer>\n'
        "</div>\n"
        '<script type="application/json" id="kv-payload">'
        f"{json_for_script(payload)}</script>\n"
        f"<script>\n{script}\n</script>\n"
        "</body>\n</html>\n"
    )


@entry_point("to_html()")
def to_html(model: Any, *, title: str | None = None, **options: Any) -> str:
    """The model's interactive graph as one self-contained HTML page.

    The page opens from disk in any current browser with no server and no network:
    zoom, pan, search, open and close blocks, the layer inspector and the overlay
    menu, in a light or dark theme (the system's; a switch in the footer). No
    kernel behind it: no weight or activation statistics on request.

    Parameters
    ----------
    model : keras.Model, keras.layers.Layer or ModelGraph
    title : str, optional
        A heading above the graph and the page's title (by default the model's
        name is the title, with no heading).
    **options
        The display options of :func:`kerasviz.show` (``rankdir``,
        ``show_shapes``, ``expand_nested``, ``select``, ``lint``, ``overlay``,
        ``dims``).

    Examples
    --------
    >>> import keras
    >>> from kerasviz.export.html import to_html
    >>> m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
    >>> to_html(m, title="Tiny").startswith("<!DOCTYPE html>")  # doctest: +SKIP
    True
    """
    from ..view import view_payload
    from ..view.options import ViewOptions

    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None. Received: title={title!r}")
    payload = view_payload(model, ViewOptions.from_kwargs("to_html()", **options))
    return page(payload, title=title)


def save_html(
    model: Any, path: str | os.PathLike[str], *, title: str | None = None, **options
) -> pathlib.Path:
    """Write :func:`to_html`'s page to ``path`` (UTF-8); returns the path."""
    path = pathlib.Path(path)
    text = to_html(model, title=title, **options)
    path.write_text(text, encoding="utf-8")
    return path
