"""Write src/__tests__/fixtures/packed_mlp.json: a packed output made by Python.

The vitest suite decodes it with the renderer (src/packed.ts), so that Python's
``zlib.compress`` + base64 and the browser's ``DecompressionStream('deflate')`` are
tested against each other; ``tests/test_mimebundle.py`` checks that the committed
file is what :func:`kerasviz.mimebundle.pack` makes of its payload.

    python labextension/scripts/packed_fixture.py
"""

from __future__ import annotations

import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

OUT = pathlib.Path(__file__).resolve().parent.parent / (
    "src/__tests__/fixtures/packed_mlp.json"
)


def main() -> None:
    import keras

    from kerasviz.mimebundle import MIME_TYPE, mime_bundle

    model = keras.Sequential(
        [
            keras.Input((8,), name="x"),
            keras.layers.Dense(4, activation="relu", name="hidden"),
            keras.layers.Dense(1, name="score"),
        ],
        name="packed_mlp",
    )
    envelope = mime_bundle(model, select="hidden")[MIME_TYPE]
    OUT.write_text(json.dumps(envelope, indent=1) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
