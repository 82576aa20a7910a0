"""Models the benchmarks share (weights=None: nothing is downloaded)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def ladder(n_layers: int = 2000, width: int = 16):
    """A chain of Dense layers with a residual Add around each: n_layers ops + 1 input."""
    import keras

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20 * n_layers))  # Keras builds graphs recursively
    try:
        x = inp = keras.Input((width,), name="in")
        for i in range(n_layers // 2):
            y = keras.layers.Dense(width, name=f"d{i}")(x)
            x = keras.layers.Add(name=f"a{i}")([x, y])
        return keras.Model(inp, x, name=f"ladder_{n_layers}")
    finally:
        sys.setrecursionlimit(limit)


def wide(n_layers: int = 10000, branches: int = 24, width: int = 8):
    """A wide branching graph: stages of ``branches`` parallel two-Dense branches
    off one tensor, joined by an Add (2 * branches + 1 layers a stage), repeated to
    about n_layers ops + 1 input. ``branches`` nodes side by side in every rank."""
    import keras

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20 * n_layers))
    try:
        x = inp = keras.Input((width,), name="in")
        for s in range(max(1, n_layers // (2 * branches + 1))):
            ys = [
                keras.layers.Dense(width, name=f"s{s}b{b}e")(
                    keras.layers.Dense(width, name=f"s{s}b{b}d")(x)
                )
                for b in range(branches)
            ]
            x = keras.layers.Add(name=f"s{s}add")(ys)
        return keras.Model(inp, x, name=f"wide_{n_layers}")
    finally:
        sys.setrecursionlimit(limit)


def application(name: str):
    import keras

    return getattr(keras.applications, name)(weights=None)


def _bert(num_layers: int):
    """A KerasHub BERT backbone from its constructor (no preset download)."""
    import keras_hub

    return keras_hub.models.BertBackbone(
        vocabulary_size=1000,
        num_layers=num_layers,
        num_heads=4,
        hidden_dim=64,
        intermediate_dim=128,
        max_sequence_length=128,
    )


try:
    import importlib.util

    bert_backbone = _bert if importlib.util.find_spec("keras_hub") else None
except ImportError:  # pragma: no cover
    bert_backbone = None
