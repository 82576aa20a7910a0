"""The kerasviz MIME bundle and the Explorer's output: what a saved notebook keeps."""

from __future__ import annotations

import base64
import json
import pathlib
import re
import zlib

import jsonschema
import nbformat
import pytest

import kerasviz
from kerasviz import mimebundle
from kerasviz.graph.schema import validate
from kerasviz.mimebundle import (
    COMPARISON_MIME_TYPE,
    MIME_TYPE,
    PACKED_ENCODING,
    PACKED_VERSION,
    comparison_bundle,
    mime_bundle,
    pack,
    summary,
    unpack,
)
from kerasviz.view import view_payload

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ROOT = pathlib.Path(__file__).resolve().parent.parent
CONTRACT_TS = ROOT / "labextension/src/contract.ts"  # made from contract.json
PACKED_TS = ROOT / "labextension/src/packed.ts"
PACKED_SCHEMA = json.loads((ROOT / "kerasviz/schema/packed.schema.json").read_text())
PACKED_FIXTURE = ROOT / "labextension/src/__tests__/fixtures/packed_mlp.json"


def check_envelope(envelope) -> None:
    """``envelope`` follows kerasviz/schema/packed.schema.json."""
    jsonschema.Draft202012Validator.check_schema(PACKED_SCHEMA)
    jsonschema.Draft202012Validator(PACKED_SCHEMA).validate(envelope)


def as_saved(data):
    """MIME data as it comes back from a notebook file (JSON, lists not tuples)."""
    return json.loads(json.dumps(data, allow_nan=False))


def test_mime_type_matches_the_labextension():
    assert kerasviz.MIME_TYPE == MIME_TYPE == "application/vnd.kerasviz.graph+json"
    declared = re.search(r"export const MIME_TYPE = '([^']+)'", CONTRACT_TS.read_text())
    assert declared is not None
    assert declared.group(1) == MIME_TYPE


def test_bundle_of_a_model(seed_functional):
    bundle = mime_bundle(seed_functional, rankdir="LR", select="lstm")
    assert set(bundle) == {MIME_TYPE, "text/plain"}
    check_envelope(bundle[MIME_TYPE])
    assert bundle[MIME_TYPE]["selected"] == "lstm"
    payload = unpack(as_saved(bundle[MIME_TYPE]))
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


def test_bundle_of_a_ready_payload_packs_it_as_it_is(nested):
    payload = view_payload(nested)
    bundle = mime_bundle(payload)
    assert unpack(bundle[MIME_TYPE]) == as_saved(payload)
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
    check_envelope(data[MIME_TYPE])
    assert data[MIME_TYPE]["selected"] == "lstm"
    payload = unpack(as_saved(data[MIME_TYPE]))
    validate(payload["graph"])
    assert payload["graph"] == as_saved(ex.data["graph"])
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


# ---- packing: what the notebook file keeps ------------------------------------------
def test_pack_constants_are_the_shared_ones():
    """Both sides read the envelope's constants from contract.json (the renderer
    through the generated contract.ts, which tests/test_contract.py keeps fresh)."""
    from kerasviz import contract

    assert (PACKED_VERSION, PACKED_ENCODING, mimebundle.MAX_UNPACKED_BYTES) == (
        contract.PACKED_VERSION,
        contract.PACKED_ENCODING,
        contract.MAX_UNPACKED_BYTES,
    )
    text = PACKED_TS.read_text()
    assert "from './contract'" in text
    assert "export const PACKED_VERSION =" not in text  # no copy of its own
    generated = (ROOT / "labextension/src/contract.ts").read_text()
    assert f"export const PACKED_VERSION = {PACKED_VERSION};" in generated


def test_pack_unpack_round_trip(seed_functional, nested):
    for payload in (
        view_payload(seed_functional, select="lstm"),
        view_payload(nested),
    ):
        envelope = pack(payload)
        check_envelope(envelope)
        assert envelope["kerasviz_packed"] == 1
        assert envelope["encoding"] == "zlib+base64"
        assert unpack(as_saved(envelope)) == as_saved(payload)
        # the same payload packs to the same string: a re-run leaves no diff
        assert pack(payload) == envelope
        # the data is plain zlib + base64 of the compact JSON, as documented
        raw = zlib.decompress(base64.b64decode(envelope["data"]))
        assert json.loads(raw) == as_saved(payload)
    # JSON text of an envelope (MIME data may arrive as text)
    assert unpack(json.dumps(pack(payload))) == as_saved(payload)


def test_unicode_names_survive_packing(keras):
    m = keras.Sequential(
        [keras.Input((2,), name="entrée"), keras.layers.Dense(1, name="出力")],
        name="modèle",
    )
    payload = unpack(as_saved(mime_bundle(m)[MIME_TYPE]))
    assert payload["graph"]["model"]["name"] == "modèle"
    assert {n["name"] for n in payload["graph"]["nodes"]} >= {"entrée", "出力"}


def test_envelope_selection_wins_over_the_packed_one(seed_functional):
    payload = view_payload(seed_functional, select="lstm")
    envelope = pack(payload)
    # what the JupyterLab renderer does when the user selects in the live widget
    assert (
        unpack({**envelope, "selected": "dense_b"})["options"]["selected"] == "dense_b"
    )
    assert unpack({**envelope, "selected": None})["options"]["selected"] is None
    assert pack(payload, selected="dense_a")["selected"] == "dense_a"
    with pytest.raises(TypeError, match="Received: selected=3"):
        pack(payload, selected=3)
    # an envelope without `selected` keeps the packed one
    bare = {k: v for k, v in envelope.items() if k != "selected"}
    check_envelope(bare)
    assert unpack(bare)["options"]["selected"] == "lstm"


def test_comparison_bundle_is_packed_without_a_selection(keras):
    m = keras.Sequential(
        [keras.Input((8,), name="x"), keras.layers.Dense(1, name="score")], name="mlp"
    )
    view = kerasviz.compare(m)
    payload = view.saved_payload()
    bundle = comparison_bundle(payload)
    assert set(bundle) == {COMPARISON_MIME_TYPE, "text/plain"}
    check_envelope(bundle[COMPARISON_MIME_TYPE])
    assert "selected" not in bundle[COMPARISON_MIME_TYPE]
    assert unpack(as_saved(bundle[COMPARISON_MIME_TYPE])) == as_saved(payload)
    assert bundle["text/plain"].splitlines()[0] == payload["title"]
    with pytest.raises(
        ValueError, match="comparison's or replay's envelope has no `selected`"
    ):
        pack(payload, selected="score")
    with pytest.raises(ValueError, match="not a kerasviz comparison payload"):
        comparison_bundle(view_payload(m))


def test_unpack_accepts_payloads_saved_before_packing(seed_functional):
    old = as_saved(view_payload(seed_functional, select="lstm"))
    assert unpack(old) is old
    assert unpack(json.dumps(old)) == old
    old_comparison = {"kerasviz_comparison": 1, "title": "t", "columns": []}
    assert unpack(old_comparison) is old_comparison


def packed_bytes(raw: bytes) -> dict:
    return {
        "kerasviz_packed": 1,
        "encoding": "zlib+base64",
        "selected": None,
        "data": base64.b64encode(raw).decode("ascii"),
    }


GOOD = zlib.compress(b'{"kerasviz_view":1,"graph":{}}')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**packed_bytes(GOOD), "kerasviz_packed": 2}, "packed with version 2, but"),
        ({**packed_bytes(GOOD), "encoding": "gzip"}, "encoded as 'gzip'"),
        ({**packed_bytes(GOOD), "data": None}, "packed data is missing"),
        ({**packed_bytes(GOOD), "data": "@@not base64@@"}, "corrupt: not base64"),
        (packed_bytes(b"plain bytes, not zlib"), "corrupt: not zlib data"),
        (packed_bytes(GOOD[:-6]), "corrupt: the zlib stream is truncated"),
        (packed_bytes(GOOD + b"junk"), "bytes follow the end of the zlib stream"),
        (packed_bytes(zlib.compress(b"{nope")), "inflated text is not JSON"),
        (packed_bytes(zlib.compress(b"\xff\xfe")), "inflated text is not JSON"),
        (
            packed_bytes(zlib.compress(b"[1, 2]")),
            "not a kerasviz view, comparison or replay",
        ),
        ({"kerasviz_view_typo": 1}, 'has no "kerasviz_packed"'),
        ([1, 2], "expected a packed envelope or a payload"),
        ("{not json", "not JSON"),
    ],
    ids=[
        "unknown-version",
        "unknown-encoding",
        "no-data",
        "not-base64",
        "not-zlib",
        "truncated",
        "trailing-bytes",
        "not-json",
        "not-utf8",
        "not-a-payload",
        "not-kerasviz",
        "not-an-object",
        "text-not-json",
    ],
)
def test_unpack_refuses_what_it_cannot_read(data, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        unpack(data)
    text = str(info.value)
    assert "Re-run this cell" in text or "re-run this cell" in text
    if isinstance(data, dict) and data.get("kerasviz_packed") == 2:
        assert "Received: kerasviz_packed=2" in text


def test_unpack_refuses_to_inflate_past_the_limit(monkeypatch):
    monkeypatch.setattr(mimebundle, "MAX_UNPACKED_BYTES", 1000)
    bomb = packed_bytes(
        zlib.compress(b'{"kerasviz_view":1,"graph":{},"x":"' + b"a" * 5000 + b'"}')
    )
    with pytest.raises(ValueError, match="inflates to more than 1,000 bytes"):
        unpack(bomb)


def test_committed_vitest_fixture_is_a_python_packed_payload():
    """labextension/src/__tests__/fixtures/packed_mlp.json (made by
    labextension/scripts/make_fixtures.py) is what Python's pack makes."""
    fixture = json.loads(PACKED_FIXTURE.read_text())
    check_envelope(fixture)
    payload = unpack(fixture)
    validate(payload["graph"])
    assert payload["graph"]["model"]["name"] == "packed_mlp"
    assert payload["options"]["selected"] == fixture["selected"] == "hidden"
    assert pack(payload) == fixture


def ipynb_delta(bundle: dict) -> tuple[int, int]:
    """Bytes and lines one display output with ``bundle`` adds to an .ipynb file."""
    cell = nbformat.v4.new_code_cell("%kerasviz model")
    before = nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle, metadata={})]
    after = nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
    return (
        len(after.encode()) - len(before.encode()),
        after.count("\n") - before.count("\n"),
    )


@pytest.mark.slow
def test_nasnet_large_output_is_small_in_the_notebook_file(nasnet_large):
    ex = kerasviz.show(nasnet_large)
    data, _metadata = ex._repr_mimebundle_()
    size, lines = ipynb_delta(data)
    assert size <= 120_000, size
    assert lines <= 100, lines
    # and it still holds the whole graph
    payload = unpack(as_saved(data[MIME_TYPE]))
    assert len(payload["graph"]["nodes"]) == len(ex.data["graph"]["nodes"]) > 1000
    # unpacked, the same output was more than ten times bigger
    old_size, old_lines = ipynb_delta({**data, MIME_TYPE: ex.saved_payload()})
    assert old_size > 10 * size
    assert old_lines > 100 * lines
