"""Standalone HTML export: kerasviz.save(model, "m.html") and %kerasviz m --export m.html.

No browser here (tests/browser/test_standalone_html.py opens the file): the page
holds the payload, loads nothing from anywhere, and keeps hostile names escaped.
"""

from __future__ import annotations

import html
import json
import re

import pytest

import kerasviz
from kerasviz.export.html import CSP, json_for_script, page, to_html
from tests._fixtures import make_fixtures

#: A config value no layer name may hold ('/' is refused in names): it would end
#: the payload's <script> element if it reached the page unescaped.
BREAKOUT = "</script><img src=x onerror=window.kvPwned=1>"

_PAYLOAD_RE = re.compile(
    r'<script type="application/json" id="kv-payload">(.*?)</script>', re.S
)


def payload_of(text: str) -> dict:
    """The view payload in a page, read back as the renderer reads it."""
    found = _PAYLOAD_RE.findall(text)
    assert len(found) == 1
    return json.loads(found[0])


def hostile_model(keras):
    """The renderer's XSS fixture (labextension/scripts/make_fixtures.py) plus a
    custom layer whose config carries a closing </script> tag."""

    class Tagged(keras.layers.Layer):
        def __init__(self, note="", **kwargs):
            super().__init__(**kwargs)
            self.note = note

        def call(self, x):
            return x

        def get_config(self):
            return {**super().get_config(), "note": self.note}

    base = make_fixtures().xss()
    out = Tagged(note=BREAKOUT, name="tagged")(base.output)
    return keras.Model(base.input, out, name=base.name)


@pytest.fixture(scope="module")
def tiny(keras):
    return keras.Sequential(
        [keras.Input((4,), name="x"), keras.layers.Dense(2, name="dense_out")],
        name="tiny",
    )


@pytest.fixture(scope="module")
def hostile_page(keras):
    return to_html(hostile_model(keras))


def test_save_writes_one_page_holding_the_payload(tiny, tmp_path):
    path = kerasviz.save(tiny, tmp_path / "model.html")
    assert path == tmp_path / "model.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    payload = payload_of(text)
    assert payload["kerasviz_view"] == 1
    assert payload["graph"]["model"]["name"] == "tiny"
    assert [n["id"] for n in payload["graph"]["nodes"]] == ["x", "dense_out"]
    # overlays by default, as in the explorer: the page has the overlay menu
    assert {m["key"] for m in payload["overlays"]["metrics"]} >= {"params", "macs"}
    # the renderer and its styles are inline: two <script>s, one <style>
    assert len(re.findall(r"<script\b", text)) == 2
    assert len(re.findall(r"<style\b", text)) == 1
    assert 'id="kv-payload"' in text
    assert 'id="kv-app"' in text


def test_view_options_reach_the_payload(tiny):
    payload = payload_of(to_html(tiny, rankdir="LR", select="dense_out"))
    assert payload["options"]["rankdir"] == "LR"
    assert payload["options"]["selected"] == "dense_out"
    with pytest.raises(TypeError, match=r"to_html\(\) got an unknown option 'rankdr'"):
        to_html(tiny, rankdr="LR")
    with pytest.raises(TypeError, match="title must be a string"):
        to_html(tiny, title=3)


def test_no_external_urls_and_a_strict_csp(tiny):
    text = to_html(tiny)
    # nothing is loaded from anywhere: no src/href/url()/@import to a URL
    assert not re.search(
        r"""\b(?:src|href|action)\s*=\s*["']?\s*(?:[a-z]+:)?//""", text, re.I
    )
    assert not re.search(r"""url\(\s*["']?\s*(?:[a-z]+:)?//""", text, re.I)
    assert not re.search(r"@import", text)
    assert not re.search(r"<(?:link|iframe|object|embed|img)\b", text, re.I)
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in text
    assert "default-src 'none'" in CSP


def test_hostile_names_and_configs_stay_escaped(hostile_page, keras):
    text = hostile_page
    # exactly the page's own two script elements close; no probe reaches the HTML
    assert len(re.findall(r"</script", text, re.I)) == 2
    for probe in ("<img", "<svg", "<b>", "<script>alert", "<\\b>"):
        assert probe not in text
    # ... and the payload gives every name and value back exactly
    payload = payload_of(text)
    nodes = {n["id"]: n for n in payload["graph"]["nodes"]}
    assert "<img src=x onerror=alert(1)>" in nodes
    assert 'out"><script>alert(2)<\\script>' in nodes
    assert "<b>in<\\b>" in nodes
    assert payload["graph"]["model"]["name"] == "<svg onload=alert(3)>"
    assert nodes["tagged"]["config"]["note"] == BREAKOUT
    # the footer and the title are HTML-escaped text
    assert "<title>&lt;svg onload=alert(3)&gt;</title>" in text
    assert "&lt;svg onload=alert(3)&gt;</span>" in text


def test_json_for_script_escapes_what_ends_a_script():
    value = {"a": "</script><!--&\u2028\u2029", "b": [1, None, "é"]}
    text = json_for_script(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == value


def test_title_and_footer(tiny):
    text = to_html(tiny, title='My <model> & "friends"')
    assert "<title>My &lt;model&gt; &amp; &quot;friends&quot;</title>" in text
    assert (
        '<h1 class="kv-page-title">My &lt;model&gt; &amp; &quot;friends&quot;</h1>'
        in text
    )
    footer = re.search(r'<footer class="kv-page-footer">(.*?)</footer>', text).group(1)
    plain = html.unescape(re.sub(r"<[^>]+>", "", footer))
    assert plain == f"tiny · 10 parameters · made with kerasviz {kerasviz.__version__}"
    # no title: the model's name is the page's title, and no heading
    untitled = to_html(tiny)
    assert "<title>tiny</title>" in untitled
    assert '<h1 class="kv-page-title">' not in untitled


def test_magic_export_writes_html(tiny, tmp_path, capsys, monkeypatch):
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    import kerasviz.magics

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "kerasviz")
    monkeypatch.setattr(kerasviz.magics, "display", lambda *a, **k: None)
    monkeypatch.setitem(shell.user_ns, "m", tiny)
    target = tmp_path / "m.html"
    assert shell.run_line_magic("kerasviz", f"m --export {target} --rankdir LR") is None
    assert f"kerasviz: wrote {target}" in capsys.readouterr().out
    payload = payload_of(target.read_text(encoding="utf-8"))
    assert payload["graph"]["model"]["name"] == "tiny"
    assert payload["options"]["rankdir"] == "LR"
    with pytest.raises(UsageError, match=r"\.html files\. Received: path="):
        shell.run_line_magic("kerasviz", f"m --export {tmp_path / 'm.htm'}")


def test_bad_suffix_still_errors(tiny, tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot, \.html files"):
        kerasviz.save(tiny, tmp_path / "m.gif")
    assert not (tmp_path / "m.gif").exists()
    with pytest.raises(TypeError, match="unknown option 'show_dtype'"):
        kerasviz.save(tiny, tmp_path / "m.html", show_dtype=True)


def test_missing_bundle_says_how_to_build(tiny, monkeypatch, tmp_path):
    import kerasviz.widgets._bundle as bundle

    monkeypatch.setattr(bundle, "STATIC", tmp_path)
    with pytest.raises(FileNotFoundError, match="cd labextension && npm run build"):
        page({"graph": {"model": {"name": "m"}}})
