"""The kerasviz MIME bundle and the Explorer's output: what a saved notebook keeps."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

import kerasviz
from kerasviz.graph.schema import validate
from kerasviz.mimebundle import MIME_TYPE, mime_bundle, summary
from kerasviz.view import view_payload

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
INDEX_TS = pathlib.Path(__file__).resolve().parent.parent / "labextension/src/index.ts"


def test_mime_type_matches_the_labextension():
    assert kerasviz.MIME_TYPE == MIME_TYPE == "application/vnd.kerasviz.graph+json"
    declared = re.search(r"export const MIME_TYPE = '([^']+)'", INDEX_TS.read_text())
    assert declared is not None
    assert declared.group(1) == MIME_TYPE


def test_bundle_of_a_model(seed_functional):
    bundle = mime_bundle(seed_functional, rankdir="LR", selected="lstm")
    assert set(bundle) == {MIME_TYPE, "text/plain"}
    payload = bundle[MIME_TYPE]
    assert payload["kerasviz_view"] == 1
    validate(payload["graph"])
    assert payload["options"]["rankdir"] == "LR"
    assert payload["options"]["selected"] == "lstm"
    json.dumps(bundle, allow_nan=False)  # what the notebook file stores


def test_text_plain_summarises_the_model(seed_functional):
    text = mime_bundle(seed_functional)["text/plain"]
    assert text.splitlines() == [
        'Model "seed_functional" (Functional): 5,200,610 params (5,200,610 '
        "trainable, 0 non-trainable), 8 layers",
        "Inputs:  main_input (None, 100), aux_input (None, 5)",
        "Outputs: main_output (None, 1), aux_output (None, 1)",
    ]
    assert "object at 0x" not in text


def test_text_plain_of_an_unbuilt_sequential(seed_sequential, keras):
    unbuilt = keras.Sequential([keras.layers.Dense(3, name="d")], name="later")
    text = mime_bundle(unbuilt)["text/plain"]
    assert text.splitlines()[0].startswith('Model "later" (Sequential): 0 params')
    assert "Not built yet" in text
    assert "Inputs" not in text


def test_bundle_of_a_ready_payload_is_sent_as_it_is(nested):
    payload = view_payload(nested)
    bundle = mime_bundle(payload)
    assert bundle[MIME_TYPE] is payload
    assert bundle["text/plain"] == summary(payload)
    assert bundle["text/plain"].startswith('Model "outer" (Functional)')


def test_bundle_refuses_what_is_not_a_payload(seed_functional):
    with pytest.raises(ValueError, match="not a kerasviz view payload") as info:
        mime_bundle({"kerasviz_view": 99})
    assert "Received: keys=['kerasviz_view'], kerasviz_view=99" in str(info.value)
    with pytest.raises(ValueError, match="Options apply when a model is given"):
        mime_bundle(view_payload(seed_functional), rankdir="LR")
    with pytest.raises(TypeError):
        mime_bundle(seed_functional, colour="red")


def test_explorer_output_carries_widget_payload_and_summary(seed_functional):
    ex = kerasviz.show(seed_functional, select="lstm")
    data, metadata = ex._repr_mimebundle_()
    assert set(data) == {WIDGET_VIEW, MIME_TYPE, "text/plain"}
    assert data[WIDGET_VIEW]["model_id"] == ex.model_id
    payload = data[MIME_TYPE]
    validate(payload["graph"])
    assert payload["graph"] == ex.data["graph"]
    assert payload["options"]["selected"] == "lstm"
    assert data["text/plain"] == summary(payload)
    assert data["text/plain"].startswith('Model "seed_functional" (Functional)')
    assert isinstance(metadata, dict)
    # the widget's own state is left alone
    assert ex.data["options"]["selected"] is None


def test_closed_explorer_shows_no_widget_view(seed_functional):
    ex = kerasviz.show(seed_functional)
    ex.close()
    # ipywidgets replaces _repr_mimebundle_ with None on close: plain repr only
    assert ex._repr_mimebundle_ is None


def test_import_display_is_cheap():
    import subprocess
    import sys

    code = (
        "import sys, kerasviz\n"
        "assert kerasviz.MIME_TYPE.endswith('+json')\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'IPython', 'ipywidgets') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == "[]"
