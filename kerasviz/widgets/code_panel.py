"""CodePanel: generated Python, syntax highlighted, with a copy button.

Highlighting happens in Python (pygments) and travels as ``[class, text]`` tokens;
the front end builds spans with ``textContent``, so code never becomes HTML.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

_ESM = """
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "kv-code";
  const bar = document.createElement("div");
  bar.className = "kv-code-bar";
  const title = document.createElement("span");
  const button = document.createElement("button");
  button.className = "kv-code-copy";
  button.type = "button";
  button.textContent = "Copy";
  bar.append(title, button);
  const pre = document.createElement("pre");
  const code = document.createElement("code");
  pre.append(code);
  root.append(bar, pre);
  el.append(root);
  const draw = () => {
    title.textContent = model.get("title");
    code.replaceChildren();
    for (const [cls, text] of model.get("tokens")) {
      if (!cls) { code.append(document.createTextNode(text)); continue; }
      const span = document.createElement("span");
      span.className = "kv-tok-" + cls;
      span.textContent = text;
      code.append(span);
    }
  };
  button.addEventListener("click", async () => {
    const text = model.get("code");
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  model.on("change:tokens", draw);
  model.on("change:title", draw);
  draw();
}
export default { render };
"""

_CSS = """
.kv-code { border: 1px solid var(--jp-border-color2, #e0e0e0); border-radius: 4px;
  background: var(--jp-cell-editor-background, #f7f7f7); margin: 4px 0; }
.kv-code-bar { display: flex; justify-content: space-between; align-items: center;
  padding: 2px 8px; font: var(--jp-ui-font-size1, 13px) var(--jp-ui-font-family, sans-serif);
  color: var(--jp-ui-font-color1, #222); border-bottom: 1px solid var(--jp-border-color2, #e0e0e0); }
.kv-code-copy { cursor: pointer; color: var(--jp-ui-font-color1, #222);
  background: var(--jp-layout-color2, #eee); border: 1px solid var(--jp-border-color1, #bbb);
  border-radius: 3px; padding: 1px 8px; }
/* div.kv-code pre: above JupyterLab's `.jp-OutputArea-output pre` (break-all) */
div.kv-code pre { margin: 0; padding: 6px 8px; max-height: 420px; overflow: auto;
  white-space: pre; overflow-wrap: normal; word-break: normal;
  font-family: var(--jp-code-font-family, monospace); font-size: var(--jp-code-font-size, 12px);
  color: var(--jp-content-font-color1, #222); background: transparent; }
.kv-tok-k { color: var(--jp-mirror-editor-keyword-color, #008000); font-weight: bold; }
.kv-tok-s { color: var(--jp-mirror-editor-string-color, #ba2121); }
.kv-tok-n { color: var(--jp-mirror-editor-number-color, #080); }
.kv-tok-c { color: var(--jp-mirror-editor-comment-color, #408080); font-style: italic; }
.kv-tok-o { color: var(--jp-mirror-editor-operator-color, #aa22ff); }
.kv-tok-b { color: var(--jp-mirror-editor-builtin-color, #008000); }
.kv-tok-f { color: var(--jp-mirror-editor-def-color, #00f); }
"""


def tokens(code: str) -> list[list[str]]:
    """``[class, text]`` pairs: k keyword, s string, n number, c comment, o operator,
    b builtin, f function/class name, "" plain."""
    from pygments.lexers import PythonLexer
    from pygments.token import Comment, Keyword, Name, Number, Operator, String

    kinds = [
        (Keyword, "k"),
        (String, "s"),
        (Number, "n"),
        (Comment, "c"),
        (Operator, "o"),
        (Name.Builtin, "b"),
        (Name.Function, "f"),
        (Name.Class, "f"),
    ]
    out: list[list[str]] = []
    for tok, text in PythonLexer().get_tokens(code):
        cls = next((c for kind, c in kinds if tok in kind), "")
        if out and out[-1][0] == cls:
            out[-1][1] += text
        else:
            out.append([cls, text])
    return out


class CodePanel(anywidget.AnyWidget):
    """Python source with highlighting and a copy button.

    Examples
    --------
    >>> CodePanel(code="x = 1", title="example").tokens[0]
    ['', 'x']
    """

    _esm = _ESM
    _css = _CSS
    code = t.Unicode(help="The source text (what Copy puts on the clipboard).").tag(
        sync=True
    )
    title = t.Unicode(help="Caption above the code.").tag(sync=True)
    tokens = t.List(help="Highlighted [class, text] pairs.").tag(sync=True)

    def __init__(self, code: str = "", title: str = "", **kwargs: Any) -> None:
        super().__init__(code=code, title=title, tokens=tokens(code), **kwargs)

    @t.observe("code")
    def _observe_code(self, change: dict[str, Any]) -> None:
        self.tokens = tokens(change["new"])
