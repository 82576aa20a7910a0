"""What one kerasviz output adds to a saved .ipynb, against the unpacked form and a PNG.

For each model (NASNetLarge, ResNet50, a small MLP; weights=None) it writes, with
nbformat as Jupyter does, a notebook of three cells whose outputs are

- packed: the output of ``kerasviz.show(model)`` as kerasviz stores it now (widget
  view + the packed ``application/vnd.kerasviz.graph+json`` envelope + text/plain),
- unpacked: the same output with the view payload itself as MIME data (what
  kerasviz stored before packing),
- plot_model PNG: ``keras.utils.plot_model(model)``'s image as an ``image/png``
  output (base64, as Jupyter stores it; needs pydot and Graphviz),

and prints the bytes and lines each adds to the file (the file with the output
minus the file with the same cell and no output). No timing and no assertions:
``tests/test_mimebundle.py`` holds the target (NASNetLarge: <= 120 KB, <= 100 lines).
The notebook goes to ``benchmarks/out/saved_size.ipynb``.

    python benchmarks/bench_saved_size.py [--models NASNetLarge ResNet50 mlp]
"""

from __future__ import annotations

import argparse
import base64
import pathlib
import tempfile

from _models import application

OUT = pathlib.Path(__file__).resolve().parent / "out" / "saved_size.ipynb"


def mlp():
    import keras

    return keras.Sequential(
        [
            keras.Input((784,), name="pixels"),
            keras.layers.Dense(128, activation="relu", name="hidden"),
            keras.layers.Dense(10, activation="softmax", name="digits"),
        ],
        name="mlp",
    )


def build(name: str):
    return mlp() if name == "mlp" else application(name)


def outputs(model) -> dict[str, dict]:
    """Form name → the MIME bundle of one display_data output of ``model``."""
    import keras

    import kerasviz
    from kerasviz.mimebundle import MIME_TYPE

    ex = kerasviz.show(model)
    packed, _metadata = ex._repr_mimebundle_()
    unpacked = {**packed, MIME_TYPE: ex.saved_payload()}
    with tempfile.TemporaryDirectory() as tmp:
        png = pathlib.Path(tmp) / "model.png"
        keras.utils.plot_model(model, to_file=str(png))
        image = {
            "image/png": base64.b64encode(png.read_bytes()).decode("ascii"),
            "text/plain": "<IPython.core.display.Image object>",
        }
    ex.close()
    return {
        "kerasviz packed": packed,
        "kerasviz unpacked": unpacked,
        "plot_model PNG": image,
    }


def delta(nbformat, source: str, bundle: dict) -> tuple[int, int]:
    """Bytes and lines one output adds to the written notebook."""
    v4 = nbformat.v4
    cell = v4.new_code_cell(source)
    before = nbformat.writes(v4.new_notebook(cells=[cell]))
    cell.outputs = [v4.new_output("display_data", data=bundle, metadata={})]
    after = nbformat.writes(v4.new_notebook(cells=[cell]))
    return (
        len(after.encode()) - len(before.encode()),
        after.count("\n") - before.count("\n"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", nargs="+", default=["NASNetLarge", "ResNet50", "mlp"]
    )
    args = parser.parse_args()

    import nbformat

    v4 = nbformat.v4
    cells = []
    rows = []
    for name in args.models:
        model = build(name)
        layers = len(model.layers)
        for form, bundle in outputs(model).items():
            source = f"# {name}: {form}"
            size, lines = delta(nbformat, source, bundle)
            rows.append((name, layers, form, size, lines))
            cells.append(
                v4.new_code_cell(
                    source,
                    outputs=[v4.new_output("display_data", data=bundle, metadata={})],
                )
            )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    nb = v4.new_notebook(cells=cells)
    nbformat.validate(nb)
    nbformat.write(nb, OUT)

    head = f"{'model':<12} {'layers':>6}  {'output':<18} {'bytes':>11} {'lines':>8}"
    print(head)
    print("-" * len(head))
    for name, layers, form, size, lines in rows:
        print(f"{name:<12} {layers:>6,}  {form:<18} {size:>11,} {lines:>8,}")
    print(f"\nnotebook: {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
