"""The comparison widget: both APIs side by side, reasons, and a diff of two models."""

from __future__ import annotations

import copy
import json
import pathlib

import jsonschema
import pytest
import referencing
import traitlets

import kerasviz
from kerasviz import contract
from kerasviz.codegen import to_code
from kerasviz.codegen.diff import diff_models
from kerasviz.graph.schema import validate
from kerasviz.mimebundle import COMPARISON_MIME_TYPE, unpack
from kerasviz.widgets.comparison import Comparison

from .test_codegen import mlp, two_dense

SCHEMA_DIR = pathlib.Path(kerasviz.__file__).parent / "schema"
WIDGET_JS = pathlib.Path(kerasviz.__file__).parent / "static" / "widget.js"


# ---- the payload's schema (kerasviz/schema/comparison.schema.json)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "comparison.schema.json").read_text())
    view_path = SCHEMA_DIR / "view.schema.json"
    registry = referencing.Registry()
    for name in ("view.schema.json", "graph.schema.json"):
        path = SCHEMA_DIR / name
        if path.exists():
            contents = json.loads(path.read_text())
            registry = registry.with_resource(
                contents.get("$id", name),
                referencing.Resource.from_contents(contents),
            )
    if not view_path.exists():  # written by another change: the view part unchecked
        registry = registry.with_resource(
            "https://kerasviz.dev/schema/view.schema.json",
            referencing.jsonschema.DRAFT202012.create_resource({}),
        )
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


VALIDATOR = _validator()


def check_schema(payload: dict) -> dict:
    """Fail with every schema error of ``payload`` (as JSON would carry it)."""
    data = json.loads(json.dumps(payload))
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return data


def live(view: Comparison) -> dict:
    """The widget's ``data`` trait, checked against the schema."""
    return check_schema(view.data)


# ---- one model in both APIs
def test_one_widget_with_the_explorers_bundle(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    assert isinstance(view, Comparison)
    explorer = kerasviz.show(m)
    # the Explorer's loader and renderer, not JS of its own: it draws both kinds
    assert view._esm == explorer._esm
    assert view._runtime_id == explorer._runtime_id
    assert "kerasviz_comparison" in WIDGET_JS.read_text()
    state = view.get_state()
    assert "selected" in state
    assert "data" not in state  # see test_live.py
    assert "verdict" not in state  # kernel-side only
    assert "diff" not in state
    assert state["selected"] == [None, None]


def test_both_apis_with_verdict_code_and_counterpart_selection(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    data = live(view)
    assert view.verdict.equivalent
    assert view.diff is None
    left, right = data["columns"]
    assert left["view"]["graph"]["model"]["api"] == "sequential"
    assert right["view"]["graph"]["model"]["api"] == "functional"
    assert [left["code_title"], right["code_title"]] == [
        "Sequential API",
        "Functional API",
    ]
    assert "keras.Sequential(" in left["code"]
    assert "keras.Model(inputs=" in right["code"]
    assert data["verdict"] == {
        "title": "Equivalent",
        "ok": True,
        "lines": view.verdict.checks,
    }
    first, last = m.layers[0].name, m.layers[2].name
    view.select(first)
    assert view.selected == [first, first]
    view.select(last, side=1)
    assert view.selected == [last, last]
    # set from Python: one side set, the other follows
    view.selected = [first, last]  # only the left changed: the right follows
    assert view.selected == [first, first]
    view.selected = [None, last]  # both given: taken as they are
    assert view.selected == [None, last]
    view.select(None)
    assert view.selected == [None, None]


def test_selection_from_the_browser_and_callbacks(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    seen = []
    view.on_select(seen.append)
    name = m.layers[1].name
    # what the front end sends on a click: the clicked node and its counterpart
    view.set_state({"selected": [name, name]})
    assert view.selected == [name, name]
    view.set_state({"selected": [None, None]})
    assert seen == [[name, name], [None, None]]


def test_bad_selection_says_what_to_do(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    with pytest.raises(ValueError, match=r"no layer named 'dens'\. Did you mean") as e:
        view.selected = ["dens", None]
    assert "Received: name='dens'" in str(e.value)
    with pytest.raises(traitlets.TraitError, match=r"pair \[left, right\]"):
        view.selected = [None, None, None]
    with pytest.raises(ValueError, match=r"two sides: 0 \(left\) and 1 \(right\)"):
        view.select(m.layers[0].name, side=2)
    assert view.selected == [None, None]  # nothing changed by the refusals


def test_functional_model_that_fits_sequential(keras):
    inp = keras.Input((3,), name="i")
    out = keras.layers.Dense(2, name="o")(keras.layers.Dense(4, name="h")(inp))
    view = kerasviz.compare(keras.Model(inp, out, name="chain"))
    data = live(view)
    assert view.verdict.equivalent
    assert data["columns"][1]["view"]["graph"]["model"]["name"] == "chain"
    assert view.mapping == {"i": "i", "h": "h", "o": "o"}


def test_display_options_reach_both_graphs(keras):
    view = kerasviz.compare(mlp(keras), rankdir="LR", show_shapes=False)
    for column in live(view)["columns"]:
        assert column["view"]["options"]["rankdir"] == "LR"
        assert column["view"]["options"]["show_shapes"] is False
    with pytest.raises(TypeError, match=r"compare\(\) got an unknown option 'colour'"):
        kerasviz.compare(mlp(keras), colour="red")


def test_weight_stats_for_either_graph(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    sent = []
    view.send = sent.append
    dense = m.layers[0].name
    for column in (0, 1):
        msg = {"type": "weight_stats", "node": dense, "column": column}
        view._on_custom_msg(view, msg, [])
    assert [r["column"] for r in sent] == [0, 1]
    assert all(r["node"] == dense for r in sent)
    for reply in sent:
        assert [s["name"].split("/")[-1] for s in reply["stats"]] == ["kernel", "bias"]
        assert reply["stats"][0]["shape"] == [20, 16]

    # the Functional form is rebuilt from code, with the model's own weights copied in
    def values(reply):  # the weights' paths name each model; the numbers must match
        return [{k: v for k, v in s.items() if k != "name"} for s in reply["stats"]]

    assert values(sent[0]) == values(sent[1])
    assert sent[0]["stats"][0]["std"] > 0  # a real kernel, not zeros
    view._on_custom_msg(view, {"type": "weight_stats", "node": "nope", "column": 1}, [])
    assert sent[-1]["error"].startswith("KeyError")
    for reply in sent:  # each follows kerasviz/schema/weight_stats.schema.json
        contract.validate(reply, "weight_stats")


# ---- a model that cannot be Sequential
def test_not_sequential_shows_reasons_with_their_node_ids(seed_functional):
    view = kerasviz.compare(seed_functional)
    data = live(view)
    assert view.verdict is None
    why, functional = data["columns"]
    assert why["view"] is None
    high = functional["view"]["highlight"]
    assert set(high) >= {
        "main_input",
        "aux_input",
        "main_output",
        "aux_output",
        "concatenate",
        "lstm",
    }
    assert "more than one input" in high["main_input"]
    reasons = [r for g in why["reason_groups"] for r in g["reasons"]]
    assert [r["text"] for r in reasons] == view.reasons
    merge = next(r for r in reasons if r["text"].startswith("a merge: 'concatenate'"))
    assert merge["nodes"] == ["concatenate"]
    inputs = next(r for r in reasons if r["text"].startswith("more than one input"))
    assert inputs["nodes"] == ["main_input", "aux_input"]
    # the left column has no graph: nothing to select there
    view.select("lstm")
    assert view.selected == [None, "lstm"]
    with pytest.raises(ValueError, match=r"no graph, so nothing can be selected"):
        view.selected = ["lstm", None]


@pytest.mark.slow
def test_resnet50_reasons_are_grouped_by_kind(resnet50):
    """32 reasons of two kinds read as two lines that open to every reason."""
    model = resnet50
    view = kerasviz.compare(model)
    assert len(view.reasons) == 32
    column = live(view)["columns"][0]
    groups = column["reason_groups"]
    assert [g["summary"] for g in groups] == [
        "16 branches: pool1_pool, conv2_block1_out, conv2_block2_out, ... and 13 more",
        "16 merges: conv2_block1_add, conv2_block2_add, conv2_block3_add, "
        "... and 13 more",
    ]
    assert [len(g["reasons"]) for g in groups] == [16, 16]
    assert groups[1]["reasons"][0]["nodes"] == ["conv2_block1_add"]
    assert column["notes"][1:] == [g["summary"] for g in groups]
    # every layer a reason names is marked on the graph, from the records' node ids
    marked = set(view.data["columns"][1]["view"]["highlight"])
    assert {"conv2_block1_add", "pool1_pool", "conv5_block3_add"} <= marked
    assert marked == {n for g in groups for r in g["reasons"] for n in r["nodes"]}


def test_a_single_reason_is_not_grouped(siamese):
    view = kerasviz.compare(siamese)
    groups = live(view)["columns"][0]["reason_groups"]
    assert groups[0]["summary"] == "more than one input: 'left', 'right'"
    assert groups[0]["reasons"] == [
        {"text": "more than one input: 'left', 'right'", "nodes": ["left", "right"]}
    ]
    assert all(len(g["reasons"]) == 1 for g in groups)


# ---- two models
def test_diff_of_two_models_rows_carry_their_node_ids(keras):
    a, b = two_dense(keras), two_dense(keras, units=9)
    view = kerasviz.compare(a, b)
    data = live(view)
    assert view.verdict is None
    rows = view.diff.rows()
    assert rows[0][:3] == ("changed", "h", "h")
    assert "units: 8 → 9" in rows[0][3]
    left, right = data["columns"]
    assert left["view"]["highlight"]["h"].startswith("units: 8 → 9")
    assert "h" in right["view"]["highlight"]
    table = data["table"]
    assert table["rows"][0][:3] == ["changed", "h", "h"]
    # one entry per row, in the table's order: h (units) and y (its input grew)
    assert [r[1:3] for r in table["rows"]] == [["h", "h"], ["y", "y"]]
    assert table["row_nodes"] == [
        {"left": ["h"], "right": ["h"]},
        {"left": ["y"], "right": ["y"]},
    ]
    view.select("h")
    assert view.selected == ["h", "h"]


def test_diff_added_and_removed(keras):
    inp = keras.Input((4,), name="x")
    a = keras.Model(inp, keras.layers.Dense(2, name="y")(inp), name="small")
    inp2 = keras.Input((4,), name="x")
    h = keras.layers.Dense(8, name="extra")(inp2)
    b = keras.Model(inp2, keras.layers.Dense(2, name="y")(h), name="big")
    d = diff_models(a, b)
    assert d.added == ["extra"]
    assert d.removed == []
    assert [c.a for c in d.changed] == ["y"]
    assert not d.identical
    assert d.row_nodes() == [([], ["extra"]), (["y"], ["y"])]
    view = kerasviz.compare(a, b)
    table = live(view)["table"]
    assert [r[0] for r in table["rows"]] == ["added", "changed"]
    assert table["row_nodes"][0] == {"left": [], "right": ["extra"]}
    # a layer only in the second model has no counterpart
    view.select("extra")
    assert view.selected == [None, "extra"]


def test_bad_input(keras):
    with pytest.raises(TypeError, match="Received: model=42"):
        kerasviz.compare(42)
    with pytest.raises(ValueError, match="not built yet"):
        kerasviz.compare(keras.Sequential([keras.layers.Dense(1)]))


def test_schema_refuses_a_broken_payload(keras):
    good = check_schema(kerasviz.compare(mlp(keras)).data)
    broken = copy.deepcopy(good)
    broken["columns"][0]["reason_groups"] = [
        {"summary": "a merge", "reasons": ["a merge: 'add' takes 2 tensors"]}
    ]  # a reason as bare text: its node ids would have to be parsed out of it
    broken["table"] = {"head": ["status"], "rows": [["changed"]]}  # no row_nodes
    broken["columns"][1]["colour"] = "red"
    errors = {tuple(e.path): e.message for e in VALIDATOR.iter_errors(broken)}
    assert ("columns", 0, "reason_groups", 0, "reasons", 0) in errors
    assert any(path[:1] == ("table",) for path in errors)
    assert any("colour" in m for p, m in errors.items() if p == ("columns", 1))
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate({**good, "kerasviz_comparison": 2})


# ---- the comparison in a saved notebook (application/vnd.kerasviz.comparison+json)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def saved(view):
    """The output bundle of a comparison, as it goes into the notebook file."""
    data, _metadata = view._repr_mimebundle_()
    assert set(data) == {WIDGET_VIEW, COMPARISON_MIME_TYPE, "text/plain"}
    assert data[WIDGET_VIEW]["model_id"] == view.model_id  # one widget
    # JSON as the file keeps it, then decoded as any reader of a notebook does
    payload = unpack(json.loads(json.dumps(data[COMPARISON_MIME_TYPE])))
    return check_schema(payload), data["text/plain"]


def test_saved_comparison_of_both_apis_keeps_graphs_code_verdict_selection(keras):
    m = mlp(keras)
    view = kerasviz.compare(m)
    view.select(m.layers[1].name)
    payload, text = saved(view)
    assert payload["kerasviz_comparison"] == 1
    assert payload["title"] == f"{m.name}: Sequential API vs Functional API"
    left, right = payload["columns"]
    assert [left["title"], right["title"]] == ["Sequential", "Functional"]
    assert left["code"] == to_code(m, "sequential")
    assert right["code"] == to_code(m, "functional")
    for column, live_column in zip(
        payload["columns"], view.data["columns"], strict=True
    ):
        assert column["view"]["graph"] == live_column["view"]["graph"]
        validate(column["view"]["graph"])
        # the counterpart selection travels with each side
        assert column["view"]["options"]["selected"] == m.layers[1].name
    assert view.data["columns"][0]["view"]["options"].get("selected") is None
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
    assert payload["table"]["row_nodes"][0] == {"left": ["h"], "right": ["h"]}
    assert "changed | h | h | units: 8 → 9" in text
    same, _ = saved(kerasviz.compare(a, two_dense(keras)))
    assert same["table"] is None
    assert same["verdict"]["lines"] == [
        "The two models have the same layers and wiring."
    ]
