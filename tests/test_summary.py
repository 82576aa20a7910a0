"""kerasviz.summary: model.summary()'s table plus each layer's cost and share."""

from __future__ import annotations

import pytest

import kerasviz
from kerasviz.summary import summary_table


@pytest.fixture
def nested(keras):
    layers = keras.layers
    x = keras.Input((32, 32, 3), name="img")
    inner = keras.Model(x, layers.Conv2D(8, 3, name="conv")(x), name="inner")
    z = keras.Input((32, 32, 3), name="image")
    y = layers.GlobalAveragePooling2D(name="pool")(inner(z))
    y = layers.Dense(10, name="<b>head<i>")(y)
    return keras.Model(z, y, name="outer")


def test_rows_follow_the_costs_and_add_up(nested):
    table = summary_table(nested)
    report = kerasviz.costs(nested)
    rows = {r["id"]: r for r in table.rows}
    assert list(rows) == [
        n.id for n in kerasviz.graph_of(nested, expand_nested=True).nodes
    ]
    conv = rows["inner/conv"]
    assert conv["depth"] == 1
    assert conv["output_shape"] == "(None, 30, 30, 8)"
    assert conv["params"] == 3 * 3 * 3 * 8 + 8
    assert conv["macs"] == 30 * 30 * 3 * 3 * 3 * 8
    head = rows["<b>head<i>"]
    assert head["macs"] == 8 * 10
    # the leaves' shares make the whole; the container shows its sum
    leaves = [r for r in table.rows if not r["container"]]
    assert sum(r["macs_share"] for r in leaves) == pytest.approx(1.0)
    assert rows["inner"]["macs"] == report.containers["inner"].macs
    assert sum(r["macs"] for r in leaves) == report.total.macs


def test_text_has_keras_columns_a_total_and_the_conventions(nested):
    text = str(summary_table(nested))
    lines = text.splitlines()
    assert lines[0] == 'Model: "outer" (Functional), one forward pass at batch size 1'
    assert lines[2].split()[:4] == ["Layer", "(type)", "Output", "Shape"]
    conv = next(line for line in lines if "conv (Conv2D)" in line)
    assert conv.startswith("  conv (Conv2D)")  # indented inside its nested model
    assert "194 K" in conv
    total = next(line for line in lines if line.startswith("Total"))
    assert f"{nested.count_params():,}" in total
    assert "FLOPs = 2 x MACs" in text


def test_html_escapes_names_and_print_fn_gets_the_text(nested):
    html = summary_table(nested)._repr_html_()
    assert "<b>head<i>" not in html
    assert "&lt;b&gt;head&lt;i&gt;" in html
    assert "<tfoot>" in html
    got = []
    assert kerasviz.summary(nested, print_fn=got.append) is None
    assert got == [str(summary_table(nested))]


def test_batch_size_and_unknown_dims(keras):
    x = keras.Input((None, 16), name="tokens")
    model = keras.Model(x, keras.layers.Dense(4, name="proj")(x))
    rows = {r["id"]: r for r in summary_table(model).rows}
    assert rows["proj"]["macs"] is None
    assert "sequence" in rows["proj"]["reason"] or "dims" in rows["proj"]["reason"]
    text = str(summary_table(model))
    assert "proj: " in text  # the reason is printed under the table
    rows = {
        r["id"]: r
        for r in summary_table(model, batch_size=2, dims={"sequence": 8}).rows
    }
    assert rows["proj"]["macs"] == 2 * 8 * 16 * 4
    with pytest.raises(ValueError, match="batch"):
        summary_table(model, batch_size=0)


def test_the_module_and_the_function_are_both_kerasviz_summary(keras):
    import kerasviz.lint
    import kerasviz.summary

    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
    got = []
    kerasviz.summary(m, print_fn=got.append)
    assert "out (Dense)" in got[0]
    assert str(kerasviz.lint(m)) == "No findings"
