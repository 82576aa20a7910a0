"""The tutorial notebooks: committed executed, error-free, current, and runnable.

The fast tests read the committed files. The slow one re-executes each notebook with
``tools/run_notebooks.py`` (the script that writes them) and fails when a kerasviz
payload it shows differs from the committed one: the outputs are stale, re-run
``python tools/run_notebooks.py``.
"""

from __future__ import annotations

import importlib.util
import pathlib

import nbformat
import pytest

from .conftest import BACKEND

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location(
    "run_notebooks", ROOT / "tools" / "run_notebooks.py"
)
runner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runner)

#: Text each notebook must show (printed, or a display's text fallback): proof that
#: it showed what it teaches.
EXPECTED_TEXT = {
    "01-sequential-vs-functional.ipynb": [
        "Outputs: probs (None, None, 10)",  # input_shape=(None, 128) builds 3-D
        "batch-dim-in-shape",  # ... and lint says so
        "output: [[None, 10]] | lint findings: 0",  # keras.Input(shape=(128,))
        "Replay of building stack: 5 steps",
        "`merge` is Keras 1 code",
        "Fix: x = concatenate([lstm_out, auxiliary_input])",
        "Keras 3 names them inputs= and outputs=",
        "Replay of building news: 11 steps",
        "Outputs: main_output (None, 1), aux_output (None, 1)",
        "stack: Sequential API vs Functional API\nEquivalent",
        "more than one input: 'main_input', 'aux_input'",
        'Model "two_tower" (Subclassed model)',
    ],
    "02-reading-real-models.ipynb": [
        'Model "resnet50" (Functional): 25,636,712 params',
        'Model "siamese" (Functional)',
        'Model "bert_backbone" (Functional)',
        "selected: score",
        "shared_encoder: Dense, 264 params",
        "Keras models in this notebook",
    ],
    "03-building-models.ipynb": [
        'Model "tagger" (Functional)',
        "Conv2D 'bad_conv' takes (batch, height, width, channels)",
        "model = keras.Model(inputs=image, outputs=digit, name='tagger')",
        "The two leading None look like the batch dimension",
        "Add 'join' combines its inputs element by element",
        "Replay of building two_branches: 6 steps",
        "Not built yet",
    ],
    "04-what-a-model-costs.ipynb": [
        "MACs   300.8 M",  # MobileNetV2's paper: about 300 M multiply-adds
        "dims={'sequence': 128}",
        "MACs at 128 tokens",
        "peak memory (inference, estimated)",
    ],
    "05-sharing.ipynb": [
        "news.png: ",
        "news.html ",
        "('removed', 'dropout', '', 'only in the first model')",
    ],
}

#: TensorFlow's start-up notices (absl, oneDNN, CPU features) stay out of tutorials.
NOTICES = ("absl::InitializeLog", "oneDNN", "cpu_feature_guard")


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def _text(nb) -> str:
    return "\n".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for o in _outputs(nb)
    )


def test_notebooks_are_numbered_and_known():
    assert [p.name for p in NOTEBOOKS] == sorted(EXPECTED_TEXT)
    assert [p.name[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-", "05-"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_with_outputs_and_no_error(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    # executed top to bottom, every cell
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert runner.errors(nb) == []
    stderr = "".join(
        o.get("text", "") for o in _outputs(nb) if o.get("name") == "stderr"
    )
    for notice in NOTICES:
        assert notice not in stderr
    # no widget state: a reopened notebook draws from the kerasviz MIME data
    assert "widgets" not in nb.metadata
    kerasviz_outputs = [
        o
        for o in _outputs(nb)
        if any(runner.KERASVIZ_MIME.match(m) for m in o.get("data", {}))
    ]
    assert kerasviz_outputs, "a tutorial shows at least one kerasviz graph"
    for out in kerasviz_outputs:
        # what GitHub (no kerasviz renderer) shows instead of the graph
        assert out.data["text/plain"].strip()
        assert not out.data["text/plain"].startswith("<kerasviz.")
    text = _text(nb)
    for expected in EXPECTED_TEXT[path.name]:
        assert expected in text


def test_staleness_check_sees_a_changed_payload():
    """The comparison the slow test relies on finds a changed graph, and ignores
    what changes from run to run (uuids, temporary paths)."""
    path = NOTEBOOKS[0]
    committed = nbformat.read(path, as_version=4)
    assert runner.stale(committed, nbformat.read(path, as_version=4)) == []

    from kerasviz.mimebundle import MIME_TYPE, pack, unpack

    changed = nbformat.read(path, as_version=4)
    out = next(o for o in _outputs(changed) if MIME_TYPE in o.get("data", {}))
    payload = unpack(out.data[MIME_TYPE])
    payload["graph"]["model"]["name"] = "renamed"
    out.data[MIME_TYPE] = pack(payload)
    (diff,) = runner.stale(committed, changed)
    assert "payload changed at /graph/model/name" in diff

    volatile = nbformat.read(path, as_version=4)
    out = next(o for o in _outputs(volatile) if MIME_TYPE in o.get("data", {}))
    payload = unpack(out.data[MIME_TYPE])
    payload["uuid"] = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    out.data[MIME_TYPE] = pack(payload)
    assert runner.stale(committed, volatile) == []


def test_paths_of_the_machine_do_not_make_a_payload_stale():
    """A traceback names Python's site-packages, which on CI is a virtual
    environment under /tmp: both spellings normalise alike."""
    here = "ImportError: x (/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/keras/layers/__init__.py)"
    ci = "ImportError: x (/tmp/tmp.b3mk2l0oR4/venv/lib/python3.11/site-packages/keras/layers/__init__.py)"
    assert runner._normalise(here) == runner._normalise(ci)
    assert "keras/layers/__init__.py" in runner._normalise(ci)
    assert runner._normalise("/tmp/pytest-1/x.svg") == "<tmp>"


#: the backend the committed notebooks were executed on
COMMITTED_BACKEND = "tensorflow"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_committed_outputs_are_current(path):
    committed = nbformat.read(path, as_version=4)
    fresh, seconds, peak = runner.execute(path)
    print(f"{path.name}: {seconds:.1f} s, kernel peak {peak / 2**20:.0f} MB")
    assert runner.errors(fresh) == []
    stderr = "".join(
        o.get("text", "") for o in _outputs(fresh) if o.get("name") == "stderr"
    )
    for notice in NOTICES:
        assert notice not in stderr
    for expected in EXPECTED_TEXT[path.name]:
        assert expected in _text(fresh)
    assert 0 < peak < runner.MAX_PEAK_BYTES
    assert seconds < runner.MAX_SECONDS
    if BACKEND != COMMITTED_BACKEND:
        # The committed outputs are TensorFlow's (Binder's backend). On another
        # backend the same seed draws other random weights, so activation
        # statistics differ (notebook 4 on JAX): there every cell must show the
        # same kinds of kerasviz output, and the payloads are compared on
        # TensorFlow only.
        kinds = [[m for m, _ in cell] for cell in runner.payloads(fresh)]
        assert kinds == [[m for m, _ in cell] for cell in runner.payloads(committed)]
        return
    assert runner.stale(committed, fresh) == [], (
        f"{path.name} is stale: re-run `python tools/run_notebooks.py {path}`"
    )
