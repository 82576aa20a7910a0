"""One way to write counts and byte sizes: cost and summary tables, overlay legends."""

from __future__ import annotations

import pytest

import kerasviz
from kerasviz import _format
from kerasviz.costs import costs
from kerasviz.view.overlays import format_value


@pytest.mark.parametrize(
    ("n", "text"),
    [(None, "?"), (0, "0"), (9_999, "9,999"), (10_000, "10 K"), (-12_345, "-12.3 K"),
     (3_860_000_000, "3.86 G"), (2.6e12, "2.6 T")],
)  # fmt: skip
def test_count(n, text):
    assert _format.count(n) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(None, "?"), (512, "512 B"), (1023, "1023 B"), (1536, "1.5 KB"),
     (3.4 * 2**20, "3.4 MB"), (5 * 2**40, "5 TB"), (3 * 2**50, "3.07e+03 TB")],
)  # fmt: skip
def test_size(n, text):
    assert _format.size(n) == text


def test_tables_and_legends_write_a_figure_alike(keras, capsys):
    inp = keras.Input((256,))
    model = keras.Model(inp, keras.layers.Dense(4096)(inp), name="wide")
    total = costs(model).total
    # 1,052,672 params: one spelling in the cost table, the summary and the legend
    assert format_value(total.params, "count") == "1.05 M"
    assert format_value(total.activation_bytes, "bytes") == _format.size(
        total.activation_bytes
    )
    assert "1.05 M" in str(costs(model))
    kerasviz.summary(model)  # prints, as model.summary() does
    assert "1.05 M" in capsys.readouterr().out
    assert _format.size(total.peak_bytes) in str(costs(model))
