"""The comparison widget: both APIs side by side, reasons, and a diff of two models."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

import kerasviz
from kerasviz.codegen import to_code
from kerasviz.codegen.diff import diff_models
from kerasviz.graph.schema import validate
from kerasviz.mimebundle import COMPARISON_MIME_TYPE, unpack
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


@pytest.mark.slow
def test_resnet50_reasons_are_grouped_by_kind(keras):
    """32 reasons of two kinds read as two lines that open to every reason."""
    model = keras.applications.ResNet50(weights=None)
    view = kerasviz.compare(model)
    assert len(view.reasons) == 32
    column = view.saved_payload()["columns"][0]
    groups = column["reason_groups"]
    assert [g["summary"] for g in groups] == [
        "16 branches: pool1_pool, conv2_block1_out, conv2_block2_out, ... and 13 more",
        "16 merges: conv2_block1_add, conv2_block2_add, conv2_block3_add, "
        "... and 13 more",
    ]
    assert [len(g["reasons"]) for g in groups] == [16, 16]
    assert sum(len(g["reasons"]) for g in groups) == len(view.reasons)
    assert column["notes"][1:] == [g["summary"] for g in groups]
    # the live list: the same two summaries, each opening to its 16 reasons
    html = view.children[1].children[0].children[1].value
    assert html.count("<details class='kv-reason-group'>") == 2
    assert html.count("<li>a merge: ") == 16
    # every layer a reason names is marked on the graph, from the records' node ids
    marked = set(view.right.data["highlight"])
    assert {"conv2_block1_add", "pool1_pool", "conv5_block3_add"} <= marked
    assert len(marked) == 32


def test_a_single_reason_is_not_grouped(siamese):
    view = kerasviz.compare(siamese)
    groups = view.saved_payload()["columns"][0]["reason_groups"]
    assert groups[0]["summary"] == "more than one input: 'left', 'right'"
    assert all(len(g["reasons"]) == 1 for g in groups)
    assert "<details" not in view.children[1].children[0].children[1].value


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


# ---- the comparison in a saved notebook (application/vnd.kerasviz.comparison+json)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
COMPARISON_TS = (
    pathlib.Path(__file__).resolve().parent.parent / "labextension/src/comparison.ts"
)


def saved(view):
    """The output bundle of a comparison, as it goes into the notebook file."""
    data, _metadata = view._repr_mimebundle_()
    assert set(data) == {WIDGET_VIEW, COMPARISON_MIME_TYPE, "text/plain"}
    # JSON as the file keeps it, then decoded as any reader of a notebook does
    payload = unpack(json.loads(json.dumps(data[COMPARISON_MIME_TYPE])))
    return payload, data["text/plain"]


def test_comparison_mime_type_matches_the_labextension():
    declared = re.search(
        r"export const COMPARISON_MIME_TYPE = '([^']+)'", COMPARISON_TS.read_text()
    )
    assert declared is not None
    assert declared.group(1) == COMPARISON_MIME_TYPE


def test_saved_comparison_of_both_apis_keeps_graphs_code_verdict_selection(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    view.left.select(m.layers[1].name)
    payload, text = saved(view)
    assert payload["kerasviz_comparison"] == 1
    assert payload["title"] == f"{m.name}: Sequential API vs Functional API"
    left, right = payload["columns"]
    assert [left["title"], right["title"]] == ["Sequential", "Functional"]
    assert left["code"] == to_code(m, "sequential")
    assert right["code"] == to_code(m, "functional")
    assert [left["code_title"], right["code_title"]] == [
        "Sequential API",
        "Functional API",
    ]
    for column, explorer in ((left, view.left), (right, view.right)):
        assert column["view"]["graph"] == explorer.data["graph"]
        validate(column["view"]["graph"])
        # the counterpart selection travels with each side
        assert column["view"]["options"]["selected"] == m.layers[1].name
    assert payload["verdict"]["ok"] is True
    assert payload["verdict"]["lines"] == view.verdict.checks
    assert payload["table"] is None
    assert payload["mapping"] == view.mapping
    assert payload["mapping"][m.layers[1].name] == m.layers[1].name
    assert text.splitlines()[:2] == [payload["title"], "Equivalent"]


def test_saved_comparison_of_a_model_that_cannot_be_sequential(seed_functional):
    payload, text = saved(kerasviz.compare(seed_functional))
    why, functional = payload["columns"]
    assert why["view"] is None
    assert why["code"] is None
    assert why["notes"][0].startswith(
        "This model cannot be written with the Sequential"
    )
    assert "a merge: 'concatenate' (Concatenate) takes 2 tensors" in " ".join(
        why["notes"]
    )
    assert functional["view"]["highlight"]["concatenate"]
    assert "keras.Model(inputs=" in functional["code"]
    assert payload["verdict"] is None
    assert "Why not Sequential:" in text


def test_saved_diff_has_its_table_or_says_the_models_match(keras):
    a, b = two_dense(keras), two_dense(keras, units=9)
    payload, text = saved(kerasviz.compare(a, b))
    assert [c["title"] for c in payload["columns"]] == [a.name, b.name]
    assert all(c["code"] is None for c in payload["columns"])
    assert payload["table"]["head"][0] == "status"
    assert payload["table"]["rows"][0][:3] == ["changed", "h", "h"]
    assert "changed | h | h | units: 8 → 9" in text
    same, _ = saved(kerasviz.compare(a, two_dense(keras)))
    assert same["table"] is None
    assert same["verdict"]["lines"] == [
        "The two models have the same layers and wiring."
    ]
