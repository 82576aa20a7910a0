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


def application(name: str):
    import keras

    return getattr(keras.applications, name)(weights=None)
