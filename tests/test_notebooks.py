"""The tutorial notebooks run top to bottom without an error."""

from __future__ import annotations

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

#: Text each notebook must print: proof that it showed what it teaches.
EXPECTED_TEXT = {
    "01-reading-models.ipynb": [
        "[None, None, 128]",  # the 3-D shape the batch dim in input_shape makes
        "inputs: ['main_input', 'aux_input'] outputs: ['main_output', 'aux_output']",
        "params: 5200610 = 5200610",
    ],
    "02-explorer.ipynb": [
        "selected: main_output",
        "aux_output: Dense, 33 params",
        "Keras models in this notebook",
    ],
    "03-sequential-vs-functional.ipynb": [
        "Equivalent.",
        "more than one input: 'main_input', 'aux_input'",
        "('changed', 'hidden', 'hidden'",
        "('removed', 'dropout', ''",
    ],
}

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # files it writes land here
    ).execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    stderr = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("name") == "stderr"
    )
    # TensorFlow's start-up notices (absl, oneDNN, CPU features) stay out of tutorials.
    for notice in ("absl::InitializeLog", "oneDNN", "cpu_feature_guard"):
        assert notice not in stderr
    text = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    for expected in EXPECTED_TEXT.get(path.name, []):
        assert expected in text
