"""The comparison widget: both APIs side by side, reasons, and a diff of two models."""

from __future__ import annotations

import pytest

import kerasviz
from kerasviz.codegen.diff import diff_models
from kerasviz.widgets.code_panel import CodePanel, tokens

from .test_codegen import mlp, two_dense


def test_both_apis_with_verdict_and_counterpart_selection(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    assert view.verdict.equivalent
    assert view.left.data["graph"]["model"]["api"] == "sequential"
    assert view.right.data["graph"]["model"]["api"] == "functional"
    codes = [
        c for c in view.children[1].children[0].children if isinstance(c, CodePanel)
    ]
    codes += [
        c for c in view.children[1].children[1].children if isinstance(c, CodePanel)
    ]
    assert [c.title for c in codes] == ["Sequential API", "Functional API"]
    assert "keras.Sequential(" in codes[0].code
    assert "keras.Model(inputs=" in codes[1].code
    layer = m.layers[0].name
    view.left.select(layer)
    assert view.right.selected == layer
    view.right.select(m.layers[2].name)
    assert view.left.selected == m.layers[2].name
    view.left.select(None)
    assert view.right.selected is None
    assert "Equivalent" in view.children[-1].value


def test_functional_model_that_fits_sequential(keras):
    inp = keras.Input((3,), name="i")
    out = keras.layers.Dense(2, name="o")(keras.layers.Dense(4, name="h")(inp))
    view = kerasviz.compare(keras.Model(inp, out, name="chain"))
    assert view.verdict.equivalent
    assert view.right.data["graph"]["model"]["name"] == "chain"


def test_not_sequential_shows_reasons_and_highlights(seed_functional):
    view = kerasviz.compare(seed_functional)
    assert view.left is None
    assert view.verdict is None
    high = view.right.data["highlight"]
    assert set(high) >= {
        "main_input",
        "aux_input",
        "main_output",
        "aux_output",
        "concatenate",
        "lstm",
    }
    assert "more than one input" in high["main_input"]
    reasons_html = view.children[1].children[0].children[1].value
    assert "a merge: &#x27;concatenate&#x27;" in reasons_html


def test_diff_of_two_models(keras):
    a, b = two_dense(keras), two_dense(keras, units=9)
    view = kerasviz.compare(a, b)
    rows = view.diff.rows()
    assert rows[0][:3] == ("changed", "h", "h")
    assert "units: 8 → 9" in rows[0][3]
    assert view.left.data["highlight"]["h"].startswith("units: 8 → 9")
    assert "h" in view.right.data["highlight"]
    table = view.children[-1].value
    assert "<td>changed</td><td>h</td><td>h</td>" in table
    view.left.select("h")
    assert view.right.selected == "h"


def test_diff_added_and_removed(keras):
    inp = keras.Input((4,), name="x")
    a = keras.Model(inp, keras.layers.Dense(2, name="y")(inp))
    inp2 = keras.Input((4,), name="x")
    h = keras.layers.Dense(8, name="extra")(inp2)
    b = keras.Model(inp2, keras.layers.Dense(2, name="y")(h))
    d = diff_models(a, b)
    assert d.added == ["extra"]
    assert d.removed == []
    assert [c.a for c in d.changed] == ["y"]
    assert not d.identical


def test_bad_input(keras):
    with pytest.raises(TypeError, match="Received: model=42"):
        kerasviz.compare(42)
    with pytest.raises(ValueError, match="not built yet"):
        kerasviz.compare(keras.Sequential([keras.layers.Dense(1)]))


def test_code_tokens_are_plain_pairs():
    toks = tokens("import keras  # hi\nx = '<b>'\n")
    assert ["k", "import"] in toks
    assert ["c", "# hi"] in toks
    assert any(cls == "s" and "<b>" in text for cls, text in toks)
    assert "".join(text for _, text in toks) == "import keras  # hi\nx = '<b>'\n"
