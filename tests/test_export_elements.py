"""The Python exports follow the renderer's view rules (labextension/src owns them).

- Elements: ``kerasviz.export.cytoscape.cytoscape_elements`` (``to_ipycytoscape``,
  Graphviz) against ``buildElements`` (elements.ts): labextension/scripts/
  make_fixtures.py writes what Python makes for real models; vitest
  (src/__tests__/export.test.ts) checks the renderer makes the same
  (tests/test_contract.py, that the committed fixture is current).
- Shape text: one table of cases (fixtures/shape_text.json) for both sides.
- Stylesheet: the renderer's copy for payloads without one is style.py's (made by
  the same script, checked by the same test).
"""

from __future__ import annotations

import json
import pathlib

import pytest

from kerasviz.export.cytoscape import cytoscape_elements, edge_shape_text
from kerasviz.view import view_payload
from kerasviz.view.elements import shape_text
from tests._fixtures import make_fixtures

SRC = pathlib.Path(__file__).resolve().parents[1] / "labextension/src"
TABLE = json.loads((SRC / "__tests__/fixtures/shape_text.json").read_text("utf-8"))


@pytest.mark.parametrize("case", TABLE["shape_text"], ids=lambda c: c["text"])
def test_shape_text_follows_the_table(case):
    assert shape_text(case["shape"]) == case["text"]


@pytest.mark.parametrize("case", TABLE["edge_shape_text"], ids=lambda c: c["text"])
def test_edge_shape_text_follows_the_table(case):
    assert edge_shape_text(case["shapes"]) == case["text"]


def test_fixture_covers_the_rules_that_differed(keras):
    """The fixture's models exercise each rule the two sides once disagreed on."""
    fixture = make_fixtures().make_export_fixture()
    nodes, edges = [], []
    for case in fixture["cases"]:
        assert "positions" not in case["payload"]
        for state in case["states"]:
            nodes += state["elements"]["nodes"]
            edges += state["elements"]["edges"]
    labels = {n["data"]["label"] for n in nodes}
    assert "enc\n(2 layers)" in labels
    assert "enc (Functional)" in labels  # an open nested model, one line
    kinds = {n["data"]["kind"] for n in nodes if "kv-block" in n["classes"]}
    assert kinds == {"block"}
    assert all(e["data"]["id"] == f"e:{e['data']['source']}->{e['data']['target']}"
               for e in edges)  # fmt: skip
    assert any(" | " in e["data"]["shape"] for e in edges)  # merged distinct shapes
    assert any(e["data"]["count"] > 1 for e in edges)
    assert any("kv-highlight" in n["classes"].split() for n in nodes)
    assert any("kv-unbuilt" in n["classes"].split() for n in nodes)
    assert any(e["classes"] == "" for e in edges)  # show_shapes=False


def test_one_layer_label_and_block_params(keras):
    layers = keras.layers
    inner = keras.Sequential(
        [keras.Input((3,), name="i_in"), layers.Dense(2, name="i_dense")], name="inner"
    )
    x = keras.Input((3,), name="x")
    m = keras.Model(x, inner(x), name="m")
    els = cytoscape_elements(view_payload(m), {"inner"})
    inner_el = next(n for n in els["nodes"] if n["data"]["id"] == "inner")
    assert inner_el["data"]["label"] == "inner\n(1 layer)"
    assert inner_el["data"]["params"] == 8
    assert inner_el["classes"] == "kv-collapsed kv-model"
